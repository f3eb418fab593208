"""Proportional allocation: a fractional b-matching from per-advertiser priorities.

Agrawal, Zadimoghaddam and Mirrokni (ICML 2018) allocate each impression to its eligible
advertisers in proportion to their priorities, and adjust every priority multiplicatively,
round by round, by whether the advertiser is over- or under-allocated; the abstract states
that the allocation is a (1 - epsilon)-approximate fractional b-matching after
O(log n / epsilon^2) rounds and that it has high entropy (it spreads each impression).

What is implemented (reconstructed from the abstract and the standard multiplicative-weights
form of the method; the paper's exact update rule and constants were not available):

- priorities ``beta_a`` start at 1; impression i gives ``x_ia = beta_a / sum_{a' in N(i)}
  beta_a'`` to each eligible advertiser;
- an advertiser allocated more than ``(1 + epsilon) c_a`` divides its priority by
  ``1 + epsilon``; one allocated less than ``c_a`` multiplies it by ``1 + epsilon`` (up to
  ``(1 + epsilon)^rounds``, where it stops mattering);
- the feasible allocation of a round scales advertiser a's column by ``min(1, c_a / X_a)``
  (X_a its allocation); its value is ``sum_a min(X_a, c_a)``; the best round is kept;
- at rounds 1, 2, 4, 8, ... the cover bound below is computed at that round's fills, and the
  run stops as soon as the best value is at least ``1 - epsilon`` times the smallest bound
  seen: the answer is then proven within ``1 - epsilon`` of the optimum.

The abstract's ratio is attached as an asymptotic guarantee (reported, not checked by the
verification suite); the tests measure it against LP optima. Each run also certifies its own
ratio: for any set U of advertisers,
``sum_{a in U} c_a + #{impressions with an eligible advertiser outside U}`` bounds the
maximum fractional b-matching (a vertex cover of the bipartite graph, weighted by the
capacities); U ranges over the advertisers allocated at least a fraction theta of their
capacity for every theta on a grid, and the smallest cover is ``upper_bound``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp
from scipy.special import entr

from submodkit._validation import check_int, check_real
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.allocation import AllocationInstance
from submodkit.results import AllocationSolution


def part_allocation(A: sp.csr_matrix, beta: np.ndarray) -> np.ndarray:
    """Per-advertiser allocation from the impressions (rows) of ``A``: each row splits one
    unit in proportion to ``beta`` over its eligible advertisers."""
    share = A @ beta
    inv = np.divide(1.0, share, out=np.zeros(A.shape[0]), where=share > 0)
    return beta * (A.T @ inv)


def part_final(A: sp.csr_matrix, beta: np.ndarray, scale: np.ndarray, fill: np.ndarray,
               thetas: np.ndarray) -> tuple[np.ndarray, float, int, np.ndarray]:
    """The rows of ``A``'s share of the result: the feasible allocation of each eligible
    entry (scaled per advertiser by ``scale``), the entropy of the rows' splits and how many
    rows are allocated, and for each ``theta`` how many rows have an eligible advertiser of
    ``fill < theta`` (the cover bound's count)."""
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    share = A @ beta
    x = beta[A.indices] / share[rows] * scale[A.indices]
    mass = np.bincount(rows, weights=x, minlength=A.shape[0])
    p = x / np.maximum(mass, 1e-300)[rows]
    ent = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return x, float(ent.sum()), int(np.count_nonzero(mass > 0)), part_cover_counts(A, fill, thetas)


def part_cover_counts(A: sp.csr_matrix, fill: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """For each ``theta``, how many rows of ``A`` have an eligible advertiser with
    ``fill < theta`` (they must be counted in the cover of ``U = {fill >= theta}``)."""
    has_edge = np.diff(A.indptr) > 0
    return np.array([np.count_nonzero((A @ (fill < th).astype(np.float64) > 0) & has_edge) for th in thetas],
                    dtype=np.int64)


def _thetas(fill: np.ndarray, epsilon: float) -> np.ndarray:
    """Thresholds for the cover bound: 41 quantiles of the fills, ``(1 + epsilon)^-j`` for
    j = 0..8 (the advertisers the updates hold near their capacity) and infinity (U empty)."""
    near_full = (1.0 + epsilon) ** -np.arange(9.0)
    return np.unique(np.concatenate([np.quantile(fill, np.linspace(0, 1, 41)), near_full, [np.inf]]))


def _cover(map_parts, caps: np.ndarray, fill: np.ndarray, epsilon: float) -> float:
    """The smallest cover bound over ``U = {fill >= theta}``, theta in `_thetas`."""
    thetas = _thetas(fill, epsilon)
    counts = np.sum(map_parts(part_cover_counts, fill, thetas), axis=0)
    return min(float(caps[fill >= th].sum()) + int(n) for th, n in zip(thetas, counts, strict=True))


def run_proportional(map_parts, caps: np.ndarray, epsilon: float, rounds: int, name: str = "proportional",
                     stats: dict | None = None) -> AllocationSolution:
    """The rounds and the result, over impression parts reached through ``map_parts(fn,
    *args)`` (``[fn(part, *args) for each part]``, in row order): one map over the parts and
    one sum over advertisers per round."""
    start = time.perf_counter()
    a = caps.shape[0]
    step = 1.0 + epsilon
    log_beta = np.zeros(a)  # priorities in log space: (1 + eps)^(+-rounds) stays finite
    top = rounds * math.log(step)
    best_value, best_round, best_beta = -1.0, 0, log_beta.copy()
    bound, checks, ran = math.inf, 0, rounds
    for r in range(rounds):
        beta = np.exp(log_beta - log_beta.max())
        alloc = np.sum(map_parts(part_allocation, beta), axis=0)
        value = float(np.minimum(alloc, caps).sum())
        if value > best_value + 1e-12:
            best_value, best_round, best_beta = value, r, log_beta.copy()
        if r & (r + 1) == 0:  # rounds 0, 1, 3, 7, ...: is the best value proven within 1 - epsilon?
            bound = min(bound, _cover(map_parts, caps, alloc / caps, epsilon))
            checks += 1
            if best_value >= (1.0 - epsilon) * bound:
                ran = r + 1
                break
        log_beta[alloc > step * caps] -= math.log(step)
        under = alloc < caps
        log_beta[under] = np.minimum(log_beta[under] + math.log(step), top)
        # priorities more than e^600 apart: the smaller ones give ~0 either way, and a row
        # of them only would underflow its share
        np.maximum(log_beta, log_beta.max() - 600.0, out=log_beta)
    beta = np.exp(best_beta - best_beta.max())
    alloc = np.sum(map_parts(part_allocation, beta), axis=0)
    scale = np.minimum(1.0, np.divide(caps, alloc, out=np.ones(a), where=alloc > 0))
    fill = alloc / caps
    thetas = _thetas(fill, epsilon)
    finals = map_parts(part_final, beta, scale, fill, thetas)
    x = np.concatenate([f[0] for f in finals])
    rows_out = np.sum([f[3] for f in finals], axis=0)
    cover = min(bound, *(float(caps[fill >= th].sum()) + int(n)
                         for th, n in zip(thetas, rows_out, strict=True)))
    value = float(x.sum())
    allocated = sum(f[2] for f in finals)
    entropy = float(sum(f[1] for f in finals))
    out = {"rounds": ran, "max_rounds": rounds, "stopped": "certified" if ran < rounds else "rounds",
           "bound_checks": checks, "best_round": best_round, "entropy": entropy,
           "mean_entropy": entropy / allocated if allocated else 0.0, "priorities": beta,
           **(stats or {}), "seconds": time.perf_counter() - start}
    return AllocationSolution(value=value, algorithm=name, upper_bound=max(value, cover), x=x,
                              status="feasible", guarantee=guarantee("alloc-proportional", epsilon=epsilon),
                              stats=out)


def check_proportional(instance: AllocationInstance, epsilon: float, rounds: int | None) -> tuple[float, int]:
    """The checked ``(epsilon, rounds)`` for ``instance`` (rounds default
    ``ceil(log(T + A) / epsilon^2)``)."""
    if not isinstance(instance, AllocationInstance):
        raise InvalidParameterError("instance", instance, "an AllocationInstance")
    if not instance.unit_consumption:
        raise InvalidParameterError("instance", f"kind={instance.kind!r}",
                                    "capacities with unit consumption (kind='capacity', no consumption)")
    return check_rounds(instance.n_arrivals, instance.n_advertisers, epsilon, rounds)


def check_rounds(n_arrivals: int, n_advertisers: int, epsilon: float,
                 rounds: int | None) -> tuple[float, int]:
    """The checked ``(epsilon, rounds)`` for T arrivals and A advertisers (rounds default
    ``ceil(log(T + A) / epsilon^2)``)."""
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    if rounds is None:
        rounds = max(1, math.ceil(math.log(n_arrivals + n_advertisers + 1) / epsilon**2))
    return epsilon, check_int("rounds", rounds, minimum=1)


def eligibility(instance: AllocationInstance, rows: slice = slice(None)) -> sp.csr_matrix:
    """The 0/1 eligibility matrix of ``instance`` (rows ``rows``), CSR."""
    indptr, indices, _, _ = instance.arrays()
    lo, hi, _ = rows.indices(instance.n_arrivals)
    ip = indptr[lo : hi + 1] - indptr[lo]
    return sp.csr_matrix((np.ones(int(ip[-1])), indices[indptr[lo] : indptr[hi]], ip),
                         shape=(hi - lo, instance.n_advertisers))


def proportional_allocation(
    instance: AllocationInstance,
    *,
    epsilon: float = 0.1,
    rounds: int | None = None,
) -> AllocationSolution:
    """Proportional allocation (Agrawal, Zadimoghaddam, Mirrokni 2018): a fractional
    b-matching of impressions to advertisers with capacities, from per-advertiser priorities.

    Parameters
    ----------
    instance : AllocationInstance
        Kind ``"capacity"`` with unit consumption; values only mark eligibility (the
        cardinality problem: each impression is one unit of supply).
    epsilon : float, default 0.1
        The multiplicative step ``1 + epsilon`` of the priorities, in (0, 1).
    rounds : int, optional
        Most rounds to run (default ``ceil(log(T + A) / epsilon^2)``, the abstract's order);
        fewer when the value is proven within ``1 - epsilon`` first.

    Returns
    -------
    AllocationSolution
        ``x``: the fractional allocation of each eligible entry (the order of
        ``instance.arrays()``), feasible (capacities and unit supply); ``value`` its total;
        ``upper_bound``: the certified cover bound (module docstring); ``guarantee`` the
        abstract's ``1 - epsilon``, kind ``"asymptotic"`` (reported: the rules are
        reconstructed, see the module); ``stats`` with ``rounds`` (run), ``max_rounds``,
        ``stopped`` ("certified": proven within 1 - epsilon; or "rounds"), ``bound_checks``,
        ``best_round``, ``entropy`` (sum over impressions of the entropy of their split,
        nats), ``mean_entropy`` (per allocated impression), ``priorities``, ``seconds``.

    Raises
    ------
    InvalidParameterError
        For budgets, a consumption matrix, or bad ``epsilon`` / ``rounds``.

    Examples
    --------
    >>> from submodkit import AllocationInstance
    >>> inst = AllocationInstance([[1, 1], [1, 0], [0, 1]], budgets=[1, 1])
    >>> sol = proportional_allocation(inst, epsilon=0.1)
    >>> round(sol.value, 3), sol.upper_bound
    (2.0, 2.0)

    References
    ----------
    .. [1] Agrawal, Zadimoghaddam, Mirrokni, "Proportional allocation: simple, distributed,
       and diverse matching with high entropy", ICML 2018.
    """
    epsilon, rounds = check_proportional(instance, epsilon, rounds)
    A = eligibility(instance)
    return run_proportional(lambda fn, *args: [fn(A, *args)], instance.budgets, epsilon, rounds)


def _segment_lse(z: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """log sum exp of z over each segment ptr[k]:ptr[k+1] (-inf for an empty one)."""
    out = np.full(ptr.size - 1, -np.inf)
    nonempty = np.diff(ptr) > 0
    if not z.size:
        return out
    starts = ptr[:-1][nonempty]
    top = np.maximum.reduceat(z, starts)
    counts = np.diff(ptr)[nonempty]
    sums = np.add.reduceat(np.exp(z - np.repeat(top, counts)), starts)
    out[nonempty] = top + np.log(sums)
    return out


def _split_entropy(x: np.ndarray, rows: np.ndarray, t: int) -> tuple[float, int]:
    """The entropy (nats) of how each impression's allocated mass splits over its entries,
    summed over impressions, and how many impressions got any mass."""
    mass = np.bincount(rows, weights=x, minlength=t)
    ent = float(entr(x / np.maximum(mass, 1e-300)[rows]).sum())
    return ent, int(np.count_nonzero(mass > 1e-12))


def max_entropy_allocation(
    instance: AllocationInstance,
    *,
    tau: float = 0.01,
    tol: float = 1e-6,
    max_iter: int = 20_000,
) -> AllocationSolution:
    """The fractional b-matching of maximum entropy near the maximum size: the yardstick for
    proportional allocation's diversity.

    Maximizes ``sum_e x_e - tau sum_e x_e (log x_e - 1)`` subject to each impression giving at
    most one unit and each advertiser taking at most its capacity (the entropy-regularized LP:
    as tau -> 0 its optimum tends to the maximum-entropy optimal b-matching), by exact dual
    coordinate ascent in log space (``x_e = exp((1 - u_i - w_a) / tau)``; each block of
    multipliers has a closed form, ``u_i = max(0, tau LSE_a((1 - w_a) / tau))`` and the like),
    tau annealed from 1 by halves. The answer is made feasible (rows scaled to at most one
    unit), so ``value`` is a feasible b-matching size: the LP optimum minus at most
    ``tau sum_i log(deg_i)`` (the regularizer's range) minus the tolerance.

    Parameters
    ----------
    instance : AllocationInstance
        Kind ``"capacity"`` with unit consumption (values only mark eligibility).
    tau : float, default 0.01
        The final weight of the entropy, > 0.
    tol : float, default 1e-6
        Stop when no impression exceeds one unit by more than this, and every impression
        with a positive price is within it of one unit (the optimality conditions).
    max_iter : int, default 20000
        Most coordinate-ascent sweeps in all.

    Returns
    -------
    AllocationSolution
        ``x`` per eligible entry (the order of ``instance.arrays()``), ``value``,
        ``stats`` with ``entropy`` (sum over impressions of the entropy of their split, nats),
        ``mean_entropy`` (per allocated impression; comparable with
        :func:`proportional_allocation`'s), ``sweeps``, ``tau``.

    Examples
    --------
    >>> from submodkit import AllocationInstance
    >>> inst = AllocationInstance([[1, 1], [1, 1]], budgets=[1, 1])
    >>> sol = max_entropy_allocation(inst)
    >>> round(sol.value, 2), [round(float(v), 2) for v in sol.x]  # each impression split evenly
    (2.0, [0.5, 0.5, 0.5, 0.5])

    References
    ----------
    .. [1] Agrawal, Zadimoghaddam, Mirrokni, ICML 2018 (the comparison the paper draws).
    .. [2] Cuturi, "Sinkhorn distances", NeurIPS 2013 (entropic regularization, scaling).
    """
    check_proportional(instance, 0.5, 1)
    tau = check_real("tau", tau, minimum=0.0, strict_min=True)
    tol = check_real("tol", tol, minimum=0.0, strict_min=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    start = time.perf_counter()
    A = eligibility(instance)
    t, n_adv = A.shape
    rows = np.repeat(np.arange(t), np.diff(A.indptr))
    cols = A.indices
    by_col = np.argsort(cols, kind="stable")
    col_ptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n_adv))])
    log_caps = np.log(np.maximum(instance.budgets, 1e-300))
    u, w = np.zeros(t), np.zeros(n_adv)
    sweeps, current = 0, 1.0
    while True:
        current = max(tau, current)
        phase_tol = tol if current == tau else max(tol, 1e-3)
        while sweeps < max_iter:
            sweeps += 1
            u = np.maximum(0.0, current * _segment_lse((1.0 - w[cols]) / current, A.indptr))
            u[~np.isfinite(u)] = 0.0
            col_lse = _segment_lse(((1.0 - u[rows]) / current)[by_col], col_ptr)
            w = np.maximum(0.0, current * (col_lse - log_caps))
            w[~np.isfinite(w)] = 0.0
            x = np.exp((1.0 - u[rows] - w[cols]) / current)
            excess = np.bincount(rows, weights=x, minlength=t) - 1.0
            # optimal when feasible and complementary: a row with a positive price is full
            slack = np.where(u > 0, np.abs(excess), np.maximum(excess, 0.0))
            if slack.max(initial=0.0) <= phase_tol:
                break
        if current == tau or sweeps >= max_iter:
            break
        current /= 2.0
    mass = np.bincount(rows, weights=x, minlength=t)
    x = x / np.maximum(1.0, mass)[rows]  # feasible: at most one unit per impression
    ent, allocated = _split_entropy(x, rows, t)
    return AllocationSolution(
        value=float(x.sum()), algorithm=f"max entropy (tau = {tau:g})", x=x, status="feasible",
        stats={"entropy": ent, "mean_entropy": ent / allocated if allocated else 0.0, "sweeps": sweeps,
               "tau": tau, "converged": sweeps < max_iter, "seconds": time.perf_counter() - start})


def weighted_proportional_allocation(
    instance: AllocationInstance,
    *,
    epsilon: float = 0.1,
    tau: float | None = None,
    rounds: int | None = None,
) -> AllocationSolution:
    """Proportional allocation with values: each impression splits in proportion to
    ``beta_a exp(v_ia / tau)`` over its eligible advertisers and an outside option of weight 1
    (the part it keeps), priorities updated as in :func:`proportional_allocation`; the best
    round's feasible allocation, with a certified bound.

    The weighted extension is reconstructed, not read (the ICML 2018 abstract names it but
    not its rule): this is the split of the entropy-regularized weighted LP, whose optimum has
    ``x_ia = exp((v_ia - u_i - w_a) / tau)``, so the priorities stand for prices ``w_a = -tau
    log beta_a``; the outside option lets an impression go unallocated when every advertiser's
    price exceeds its value; priorities stay at most 1 (prices at least 0). Certificate:
    ``w_a = -tau log beta_a`` and ``u_i = max(0, max_a v_ia - w_a)`` are feasible for the LP
    dual, so ``sum_i u_i + sum_a c_a w_a`` bounds the maximum weighted fractional b-matching;
    the smallest over the rounds is ``upper_bound``, and the run stops once the best value is
    within ``1 - epsilon`` of it: that run then carries the guarantee ``1 - epsilon``
    (``"alloc-proportional-weighted"``), earned by its certificate; a run that uses up its
    rounds carries none.

    Parameters
    ----------
    instance : AllocationInstance
        Kind ``"capacity"`` with unit consumption; values are the weights (> 0: eligible).
    epsilon : float, default 0.1
        The priorities' step ``1 + epsilon`` and the certified gap at which to stop, in (0, 1).
    tau : float, optional
        The temperature of the split (default ``epsilon`` times the mean value): smaller
        follows the values more sharply.
    rounds : int, optional
        Most rounds (default ``ceil(log(T + A) / epsilon^2)``).

    Returns
    -------
    AllocationSolution
        ``x`` per eligible entry (the order of ``instance.arrays()``, feasible), ``value``
        (``sum v x``), ``upper_bound`` (the certified dual bound), ``guarantee`` (``1 -
        epsilon``, only when the run stopped certified), ``stats`` with ``rounds``,
        ``best_round``, ``stopped``, ``tau``, ``mean_entropy``.

    Examples
    --------
    >>> from submodkit import AllocationInstance
    >>> inst = AllocationInstance([[3.0, 1.0], [1.0, 0.0]], budgets=[1, 1])
    >>> sol = weighted_proportional_allocation(inst, epsilon=0.05)
    >>> sol.value >= 0.95 * 3.0, sol.upper_bound >= 3.0 - 1e-9  # the optimum: impression 0 to 0
    (True, True)

    References
    ----------
    .. [1] Agrawal, Zadimoghaddam, Mirrokni, "Proportional allocation: simple, distributed,
       and diverse matching with high entropy", ICML 2018.
    """
    epsilon, rounds = check_proportional(instance, epsilon, rounds)
    start = time.perf_counter()
    indptr, indices, vals, _ = instance.arrays()
    t, a = instance.n_arrivals, instance.n_advertisers
    if tau is None:
        top = float(vals.max()) if vals.size else 1.0  # the mean without overflow
        tau = epsilon * float(np.mean(vals / top)) * top if vals.size else 1.0
    tau = check_real("tau", tau, minimum=0.0, strict_min=True)
    rows = np.repeat(np.arange(t), np.diff(indptr))
    with np.errstate(over="ignore"):
        scaled = vals / tau
    if not np.all(np.isfinite(scaled)) or (scaled.size and scaled.max() > 1e300):
        raise InvalidParameterError("tau", tau, "a temperature at which values / tau stay finite")
    caps = instance.budgets
    step = math.log1p(epsilon)
    log_beta = np.zeros(a)  # log beta <= 0: prices w = -tau log beta stay >= 0
    best_value, best_round, best_x, bound = -1.0, 0, np.zeros(vals.size), math.inf
    ran, certified = rounds, False
    for r in range(rounds):
        logit = log_beta[indices] + scaled  # the split, with the outside option (weight 1) in each row
        x = np.exp(logit - np.logaddexp(0.0, _segment_lse(logit, indptr))[rows])
        alloc = np.bincount(indices, weights=x, minlength=a)
        scale = np.minimum(1.0, np.divide(caps, alloc, out=np.ones(a), where=alloc > 0))
        value = float(np.sum(vals * x * scale[indices]))
        if value > best_value + 1e-12:
            best_value, best_round, best_x = value, r, x * scale[indices]
        w = -tau * log_beta  # the dual prices the priorities stand for
        u = np.zeros(t)
        np.maximum.at(u, rows, vals - w[indices])
        bound = min(bound, float(u.sum() + caps @ w))
        if best_value >= (1.0 - epsilon) * bound:
            ran, certified = r + 1, True
            break
        log_beta[alloc > (1.0 + epsilon) * caps] -= step
        under = alloc < caps
        log_beta[under] = np.minimum(log_beta[under] + step, 0.0)
    ent, allocated = _split_entropy(best_x, rows, t)
    return AllocationSolution(
        value=best_value, algorithm="weighted proportional", upper_bound=max(best_value, bound), x=best_x,
        status="feasible", guarantee=guarantee("alloc-proportional-weighted", epsilon=epsilon) if certified
        else None,
        stats={"rounds": ran, "max_rounds": rounds, "stopped": "certified" if certified else "rounds",
               "best_round": best_round, "tau": tau, "mean_entropy": ent / allocated if allocated else 0.0,
               "seconds": time.perf_counter() - start})


__all__ = ["max_entropy_allocation", "proportional_allocation", "weighted_proportional_allocation"]
