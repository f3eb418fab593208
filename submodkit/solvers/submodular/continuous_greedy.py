"""The continuous greedy algorithm under a matroid, with swap rounding, and the multilinear
extension it climbs.

For a monotone submodular f and a matroid M of rank r, the multilinear extension
``F(x) = E[f(R(x))]`` (R(x) holds each j independently with probability ``x_j``) is climbed
from ``x = 0`` in T steps of size ``d = 1/T``, each along the independent set B of largest
total weight ``w_j = E[f(R(x) + j) - f(R(x))]`` (0 for j in R; a matroid's greedy finds B
exactly); ``x`` ends as the average of the T bases, a point of the matroid polytope (Calinescu,
Chekuri, Pal, Vondrak 2011). Swap rounding merges the bases two at a time by random symmetric
exchanges into one basis S with ``E[f(S)] >= F(x)`` (Chekuri, Vondrak, Zenklusen 2010).

**The ratio, with exact weights.** Let D hold each j of B with probability d. R(x + d 1_B)
dominates R(x) + D, so ``F(x + d 1_B) - F(x) >= sum_j P(D = {j}) w_j >= d (1-d)^(r-1) w(B)``,
and ``w(B) >= w(OPT) >= OPT - F(x)`` (submodularity, monotonicity). Hence
``OPT - F`` shrinks by ``1 - d (1-d)^(r-1)`` per step and
``E[f(S)] >= (1 - (1 - d (1-d)^(r-1))^T) OPT >= (1 - exp(-(1-d)^(r-1))) OPT``
(0.60 at T = 20, r = 3; 1 - 1/e as T grows). This is the paper's argument with its
constants made explicit for the discrete steps (derived here, not quoted).

The weights are exact for weighted coverage (``KIND_COVERAGE``: ``w_j = sum_{u in j} w_u
P(u uncovered)``, ``P(u uncovered) = prod_{i covers u} (1 - x_i)``), and the guarantee above is
attached. For any other objective they are estimated from ``samples`` draws of R(x) per
step, far fewer than a high-probability analysis takes: no ratio is attached then. Every run
certifies its own value in both cases: the a-posteriori bound ``OPT <= f(S) + max over
independent I of sum_{j in I} gain_j(S)`` (and the same at the empty set) is exact, because a
maximum-weight independent set of a matroid is found by greedy.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, make_rng
from submodkit.constraints import Matroid, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives.base import Objective
from submodkit.results import Solution


class _Uniform(Matroid):
    """At most k items (the uniform matroid U(k, n))."""

    def __init__(self, n: int, k: int):
        self.n, self.k = n, k

    def _start(self):
        return [0]

    def _can_add(self, count, j):
        return count[0] < self.k

    def _add(self, count, j):
        count[0] += 1


class _Partition(Matroid):
    """A :class:`~submodkit.constraints.PartitionMatroid` through the independence-test API."""

    def __init__(self, m: PartitionMatroid):
        self.n, self.groups, self.capacities = int(m.groups.shape[0]), m.groups, m.capacities

    def _start(self):
        return np.zeros(self.capacities.shape[0], dtype=np.int64)

    def _can_add(self, counts, j):
        return bool(counts[self.groups[j]] < self.capacities[self.groups[j]])

    def _add(self, counts, j):
        counts[self.groups[j]] += 1


def _as_matroid(objective: Objective, constraint, k: int | None) -> Matroid:
    n = objective.n
    if constraint is None:
        if k is None:
            raise InvalidParameterError("k", None, "an integer >= 0 or a matroid constraint")
        return _Uniform(n, min(check_int("k", k, minimum=0), n))
    if k is not None:
        raise InvalidParameterError("k", k, "None with a matroid constraint (continuous greedy runs "
                                    "under one matroid)")
    if isinstance(constraint, PartitionMatroid):
        constraint.check_size(n)
        return _Partition(constraint)
    if isinstance(constraint, Matroid):
        constraint.check_size(n)
        return constraint
    raise InvalidParameterError("constraint", constraint, "None (with k), a PartitionMatroid or a Matroid")


def max_weight_basis(matroid: Matroid, weights: np.ndarray, *, positive_only: bool = False) -> list[int]:
    """A maximum-weight basis (or, with ``positive_only``, a maximum-weight independent set) of
    ``matroid``: greedy in decreasing weight order (ties: smallest index), exact for matroids
    (Rado 1957; Edmonds 1971).

    Parameters
    ----------
    matroid : Matroid
    weights : ndarray, shape (n,)
    positive_only : bool, default False
        Skip items of weight <= 0 (the maximum-weight independent set rather than a basis).

    Returns
    -------
    list of int
        The chosen items, in the order taken.

    Examples
    --------
    >>> from submodkit.constraints import GraphicMatroid
    >>> m = GraphicMatroid([(0, 1), (1, 2), (0, 2)])
    >>> max_weight_basis(m, np.array([3.0, 1.0, 2.0]))
    [0, 2]

    References
    ----------
    .. [1] Edmonds, "Matroids and the greedy algorithm", Math. Programming 1 (1971).
    """
    state = matroid._start()
    chosen = []
    for j in np.argsort(-weights, kind="stable").tolist():
        if positive_only and weights[j] <= 0.0:
            break
        if matroid._can_add(state, j):
            matroid._add(state, j)
            chosen.append(j)
    return chosen


def _coverage_gains(objective: Objective, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Exact ``E[f(R + j) - f(R)]`` (0 for j in R) and ``F(x)`` for weighted coverage: an
    element u is uncovered with probability ``P_u = prod_{i covers u} (1 - x_i)``, and j gains
    ``w_u`` exactly when u is uncovered (then j, which covers u, is not in R either)."""
    n, m = objective.shape
    A = sp.csr_matrix((np.ones(objective.indices.shape[0]), objective.indices, objective.indptr),
                      shape=(n, m))
    full = x >= 1.0
    logs = np.log1p(-np.where(full, 0.0, x))
    uncovered = np.where(A.T @ full.astype(np.float64) > 0, 0.0, np.exp(A.T @ logs))
    weighted = objective.w * uncovered
    return np.asarray(A @ weighted, dtype=np.float64), float(objective.w.sum() - weighted.sum())


def _marginals(objective: Objective, x: np.ndarray, samples: int, rng) -> tuple[np.ndarray, float]:
    """The weights and F(x): exact for coverage, else estimated from ``samples`` draws."""
    if _exact(objective):
        return _coverage_gains(objective, x)
    return _sample_gains(objective, x, samples, rng)


def _exact(objective: Objective) -> bool:
    from submodkit.objectives import kinds as KINDS

    return objective.kind == KINDS.KIND_COVERAGE


def _sample_gains(objective: Objective, x: np.ndarray, samples: int, rng) -> tuple[np.ndarray, float]:
    """Estimates of ``E[f(R + j) - f(R)]`` for every j (0 for j in R) and of ``F(x)``, from
    ``samples`` draws of R(x)."""
    from submodkit.objectives import kernels as K

    n = objective.n
    args = objective.kernel_args()
    cand = np.arange(n, dtype=np.int64)
    total = np.zeros(n)
    value = 0.0
    g = np.empty(n)
    for _ in range(samples):
        members = np.flatnonzero(rng.random(n) < x)
        cur = objective.state(members)
        K.fill_gains(args, cur, cand, g, objective.nnz)
        g[members] = 0.0
        total += g
        value += float(objective.evaluate(members)) if members.size else 0.0
    return total / samples, value / samples


def multilinear_extension(objective: Objective, x, *, samples: int = 256, seed: int | None = None
                          ) -> tuple[float, np.ndarray]:
    """The multilinear extension ``F(x) = E[f(R(x))]`` and its gradient: exact for weighted
    coverage, else estimated from ``samples`` draws.

    R(x) holds each item j independently with probability ``x_j``. The gradient is
    ``dF/dx_j = E[f(R + j) - f(R - j)]``, computed as ``E[f(R + j) - f(R)] / (1 - x_j)``
    (estimated from the same draws for other objectives; exact in expectation for
    ``x_j < 1``).

    Parameters
    ----------
    objective : Objective
    x : array_like, shape (n,)
        Probabilities in [0, 1].
    samples : int, default 256
        Draws of R(x) (not used for weighted coverage).
    seed : int, optional

    Returns
    -------
    value : float
        F(x) (an estimate, except for coverage).
    gradient : ndarray, shape (n,)
        The gradient (entries with ``x_j = 1`` are reported as 0).

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0], [0, 1]])
    >>> value, grad = multilinear_extension(f, [0.5, 0.5])
    >>> value, grad.tolist()
    (1.25, [0.5, 1.5])

    References
    ----------
    .. [1] Calinescu, Chekuri, Pal, Vondrak, "Maximizing a monotone submodular function
       subject to a matroid constraint", SIAM J. Comput. 40(6) (2011).
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (objective.n,) or not np.all((x >= 0) & (x <= 1)):
        raise InvalidParameterError("x", f"array of shape {x.shape}",
                                    f"{objective.n} probabilities in [0, 1]")
    samples = check_int("samples", samples, minimum=1)
    gains, value = _marginals(objective, x, samples, make_rng(seed))
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(x < 1.0, gains / (1.0 - x), 0.0)
    return value, grad


def _swap_merge(matroid: Matroid, A: list[int], a: float, B: list[int], b: float, rng) -> list[int]:
    """Merge bases A (weight a) and B (weight b) by random symmetric exchanges until equal:
    for i in A - B, some j in B - A has A - i + j and B - j + i both bases (the symmetric
    exchange property); B takes i with probability a / (a + b), else A takes j."""
    A, B = list(A), list(B)
    while True:
        inA = set(A)
        inB = set(B)
        only_a = sorted(inA - inB)
        if not only_a:
            return A
        i = only_a[0]
        for j in sorted(inB - inA):
            A2 = [e for e in A if e != i] + [j]
            B2 = [e for e in B if e != j] + [i]
            if matroid.is_independent(A2) and matroid.is_independent(B2):
                break
        else:
            raise InvalidParameterError("constraint", repr(matroid), "a matroid (two of its bases have no "
                                        "symmetric exchange: the independence test is not a matroid's)")
        if rng.random() < a / (a + b):
            B = B2
        else:
            A = A2


def swap_round(matroid: Matroid, bases: list[list[int]], weights=None, *, seed: int | None = None
               ) -> list[int]:
    """Swap rounding (Chekuri, Vondrak, Zenklusen, FOCS 2010): one basis from a convex
    combination of bases, each item kept with probability equal to its fractional value.

    Parameters
    ----------
    matroid : Matroid
    bases : list of list of int
        Bases of ``matroid`` (all of the same size).
    weights : array_like, optional
        Their convex coefficients (default: equal).
    seed : int, optional

    Returns
    -------
    list of int
        A basis; ``E[1_{j in S}] = sum of the weights of the bases holding j``, and for a
        submodular f, ``E[f(S)] >= F(x)`` at that fractional point.

    Examples
    --------
    >>> from submodkit.constraints import GraphicMatroid
    >>> m = GraphicMatroid([(0, 1), (1, 2), (0, 2)])
    >>> sorted(swap_round(m, [[0, 1], [0, 1]], seed=0))
    [0, 1]

    References
    ----------
    .. [1] Chekuri, Vondrak, Zenklusen, "Dependent randomized rounding via exchange
       properties of combinatorial structures", FOCS 2010.
    """
    if not bases:
        return []
    w = np.full(len(bases), 1.0 / len(bases)) if weights is None else np.asarray(weights, dtype=np.float64)
    rng = make_rng(seed)
    merged, acc = list(bases[0]), float(w[0])
    for base, beta in zip(bases[1:], w[1:].tolist(), strict=True):
        merged = _swap_merge(matroid, merged, acc, list(base), beta, rng)
        acc += beta
    return merged


def _certified_bound(objective: Objective, matroid: Matroid, sel: np.ndarray, value: float,
                     singletons: np.ndarray) -> float:
    """min over S in {empty, sel} of f(S) + max over independent I of sum_{j in I} gain_j(S)."""
    from submodkit.objectives import kernels as K

    n = objective.n
    g = np.empty(n)
    K.fill_gains(objective.kernel_args(), objective.state(sel), np.arange(n, dtype=np.int64), g,
                 objective.nnz)
    g[sel] = 0.0
    at_sel = value + float(g[max_weight_basis(matroid, g, positive_only=True)].sum())
    at_empty = float(singletons[max_weight_basis(matroid, singletons, positive_only=True)].sum())
    return max(value, min(at_sel, at_empty))


def continuous_greedy(
    objective: Objective,
    k: int | None = None,
    *,
    constraint: Matroid | PartitionMatroid | None = None,
    epsilon: float = 0.1,
    steps: int | None = None,
    samples: int = 32,
    seed: int | None = None,
) -> Solution:
    """Continuous greedy under a matroid (or a cardinality k) with swap rounding.

    Parameters
    ----------
    objective : Objective
        A monotone submodular f (for another objective it runs, with no bound reported).
    k : int, optional
        At most k items (the uniform matroid); None with ``constraint``.
    constraint : Matroid or PartitionMatroid, optional
        Any matroid of :mod:`submodkit.constraints`, a user's independence test included.
    epsilon : float, default 0.1
        Sets the number of steps, ``T = ceil(r / epsilon)`` for a matroid of rank r: then
        ``(1 - d)^(r-1) >= 1 - epsilon`` and the ratio (exact marginals) is at least
        ``1 - exp(-(1 - epsilon)) >= 1 - 1/e - epsilon``.
    steps : int, optional
        T itself (overrides ``epsilon``); the ratio is then the formula in the module.
    samples : int, default 32
        Draws of R(x) per step to estimate the marginal expectations (weighted coverage:
        computed exactly, no draws).
    seed : int, optional
        Fixes the draws and the rounding.

    Returns
    -------
    Solution
        ``selection`` (a basis, in increasing index order), ``gains`` (f's gains in that
        order), ``value``, ``algorithm="continuous-greedy"``, ``guarantee`` (for weighted
        coverage, whose marginals are exact: ``1 - (1 - d (1-d)^(r-1))^T`` in expectation,
        d = 1/T; None for other objectives, see the module) and, for a monotone submodular
        f, ``upper_bound`` (certified); ``stats`` with ``fractional_value`` (F(x), estimated
        unless exact), ``marginals`` ("exact" or "sampled"), ``evaluations`` (gain
        evaluations of the estimates), ``seconds``.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> from submodkit.constraints import PartitionMatroid
    >>> f = Coverage([[0, 2], [1], [0]], weights=[1.0, 1.0, 0.1])  # greedy: {0} and nothing
    >>> m = PartitionMatroid([0, 0, 1], [1, 1])
    >>> sol = continuous_greedy(f, constraint=m, seed=0)
    >>> sol.selection.tolist(), sol.value
    ([1, 2], 2.0)

    References
    ----------
    .. [1] Calinescu, Chekuri, Pal, Vondrak, "Maximizing a monotone submodular function
       subject to a matroid constraint", SIAM J. Comput. 40(6) (2011).
    .. [2] Chekuri, Vondrak, Zenklusen, "Dependent randomized rounding via exchange
       properties of combinatorial structures", FOCS 2010.
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    matroid = _as_matroid(objective, constraint, k)
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    rank = matroid.rank
    steps = max(1, math.ceil(rank / epsilon)) if steps is None else check_int("steps", steps, minimum=1)
    samples = check_int("samples", samples, minimum=1)
    start = time.perf_counter()
    rng = make_rng(seed)
    n = objective.n
    objective.check_capacity(min(n, rank))
    x = np.zeros(n)
    bases = []
    for _ in range(steps):
        w = _marginals(objective, x, samples, rng)[0]
        base = max_weight_basis(matroid, w)
        bases.append(base)
        x[base] += 1.0 / steps
    np.minimum(x, 1.0, out=x)
    fractional = _marginals(objective, x, samples, rng)[1]
    exact = _exact(objective)
    sel = np.array(sorted(swap_round(matroid, bases, seed=int(rng.integers(2**63)))), dtype=np.int64)
    gains = np.diff(np.concatenate([[0.0], [objective.evaluate(sel[: t + 1]) for t in range(sel.size)]]))
    value = float(gains.sum()) if sel.size else 0.0
    upper = g = None
    if objective.monotone and objective.submodular:
        if exact:
            g = guarantee("continuous-greedy", steps=steps, rank=rank)
        singles = np.empty(n)
        from submodkit.objectives import kernels as K

        K.fill_gains(objective.kernel_args(), objective.new_state(), np.arange(n, dtype=np.int64), singles,
                     objective.nnz)
        upper = _certified_bound(objective, matroid, sel, value, singles)
    stats = {"fractional_value": fractional, "steps": steps, "marginals": "exact" if exact else "sampled",
             "samples": 0 if exact else samples,
             "evaluations": 0 if exact else (steps + 1) * samples * n,
             "seconds": time.perf_counter() - start, "n": n}
    return Solution(selection=sel, gains=gains, value=value, algorithm="continuous-greedy",
                    guarantee=g, upper_bound=upper, stats=stats)


__all__ = ["continuous_greedy", "max_weight_basis", "multilinear_extension", "swap_round"]
