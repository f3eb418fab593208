"""General online packing (Balseiro, Lu, Mirrokni): several resources consumed per decision.

A :class:`PackingInstance` has T arrivals; arrival t offers actions, each with a reward
``r >= 0`` and a consumption vector ``c >= 0`` over m resources with budgets B. Online,
each arrival takes at most one action (or none) and the budgets must hold. The offline
optimum (:func:`packing_optimum`) is the LP

    max sum_k r_k x_k (+ lam * z)  s.t.  sum_{k of t} x_k <= 1,  sum_k c_kj x_k <= B_j,
    (z <= T * sum_k c_kj x_k / B_j for every j),  x, z >= 0,

the last rows for the max-min fairness regularizer ``lam * min_j (used_j / rho_j)``,
rho_j = B_j / T (Balseiro, Lu, Mirrokni, "Regularized online allocation problems:
fairness and beyond", ICML 2021). :func:`dual_mirror_descent` is their dual mirror
descent (Operations Research 2023 without regularizer).
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._background import KernelLoader
from submodkit._validation import check_choice, check_int, check_real, check_time_limit, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.packing import PackingInstance
from submodkit.mip.model import Deadline
from submodkit.results import AllocationSolution
from submodkit.solvers.allocation import _packing_kernels as K
from submodkit.solvers.allocation._fallback import price_bound, proposal_rounds
from submodkit.solvers.allocation.offline import (
    checked_bound,
    feasible_point,
    mip_bound,
    solve_sparse,
    solver_status,
)
from submodkit.solvers.allocation.online import arrival_rows

REGULARIZERS = (None, "max-min")


def _check_regularizer(regularizer: str | None, lam: float) -> float:
    if regularizer not in REGULARIZERS:
        raise InvalidParameterError("regularizer", regularizer, "None or 'max-min'")
    return check_real("lam", lam, minimum=0)


def packing_optimum(
    instance: PackingInstance,
    *,
    regularizer: str | None = None,
    lam: float = 0.0,
    integral: bool = False,
    solver: str | None = None,
    time_limit: float | None = None,
) -> AllocationSolution:
    """The offline optimum of ``instance``: the packing LP (GLOP / PDLP) or IP (SCIP / CP-SAT).

    With ``regularizer="max-min"`` the objective adds ``lam * min_j (used_j / rho_j)``,
    rho_j = B_j / T, through one variable z and m rows. Complexity: one LP with
    T + m (+ m) rows and K (+ 1) columns. ``duals`` are the budget duals.

    ``time_limit`` counts from the call's start, the model's construction included, as in
    :func:`~submodkit.solvers.allocation.offline.offline_optimum`: a model too large for the
    time left is not built, and a solve that does not end optimal has status ``"timeout"``
    (``"feasible"`` without a limit), the better of the solver's feasible point and
    :func:`dual_mirror_descent` (given order, same regularizer; feasible by construction) as
    its answer, and as ``upper_bound`` the better of the MIP solver's finite dual bound (IP)
    and, without a regularizer, the Lagrangian bound of resource prices found by NumPy
    subgradient steps (:func:`~submodkit.solvers.allocation._fallback.price_bound`; an LP
    stopped early proves none itself). Dual mirror descent's compiled kernel loads in the
    background while the model is built and solved; when it is not loaded by the limit (a
    fresh process with an empty Numba cache: about 2.5 s compiling), the fallback is NumPy's
    rounds of proposals (``stats["incumbent"]`` says which), so that even a cold call ends at
    its limit.

    Parameters
    ----------
    instance : PackingInstance
    regularizer : {None, "max-min"}, keyword-only
    lam : float, default 0.0
        Weight of the max-min fairness term.
    integral : bool, default False
        Solve the IP instead of the LP.
    solver : str, optional
        ``"glop"``, ``"pdlp"`` (LP), ``"scip"``, ``"cp_sat"`` (IP).
    time_limit : float, optional, keyword-only
        Seconds (> 0) for the whole call; None: no limit.

    Returns
    -------
    AllocationSolution
        The value, status (``"optimal"``, ``"timeout"``), ``upper_bound`` (proven, or None),
        assignment (IP, or the fallback's actions) and budget duals (LP solved to
        optimality); ``stats["incumbent"]`` when the answer is the fallback's (which one),
        ``stats["not_solved"]`` when the solver did not run.

    Examples
    --------
    >>> cons = [[[1.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]]
    >>> inst = PackingInstance.from_dense([[3.0, 2.0], [2.0, 0.0]], cons, [1.0, 1.0])
    >>> packing_optimum(inst).value
    3.0

    References
    ----------
    .. [1] Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for online
       allocation problems", Operations Research (2023).
    """
    lam = _check_regularizer(regularizer, lam)
    time_limit = check_time_limit(time_limit)
    deadline = Deadline(time_limit)
    if solver is None:
        solver = "scip" if integral else "glop"
    check_choice("solver", solver, ("glop", "pdlp", "scip", "cp_sat") if integral else ("glop", "pdlp"))
    if deadline.end is not None:
        DMD_KERNEL.load()  # the fallback's kernel loads while the model is built and solved
    start = deadline.start
    t, k, m = instance.n_arrivals, instance.n_actions, instance.n_resources
    reg = regularizer == "max-min"
    rows_t = np.repeat(np.arange(t, dtype=np.int64), np.diff(instance.action_ptr))
    cmat = instance.consumption_matrix().T.tocoo()  # (m, K)
    blocks_r = [rows_t, t + cmat.row]
    blocks_c = [np.arange(k), cmat.col]
    blocks_v = [np.ones(k), cmat.data]
    upper = [np.ones(t), instance.budgets.copy()]
    n_var = k
    if reg:
        scale = t / instance.budgets[cmat.row]
        blocks_r += [t + m + cmat.row, t + m + np.arange(m)]
        blocks_c += [cmat.col, np.full(m, k)]
        blocks_v += [-cmat.data * scale, np.ones(m)]
        upper.append(np.zeros(m))
        n_var = k + 1
    mat = sp.csr_matrix(
        (np.concatenate(blocks_v), (np.concatenate(blocks_r), np.concatenate(blocks_c))),
        shape=(t + m + (m if reg else 0), n_var),
    )
    obj = np.concatenate([instance.rewards, [lam] if reg else []])
    ub = np.concatenate(upper)
    var_ub = np.concatenate([np.ones(k), [np.inf] if reg else []])
    ms, not_solved = solve_sparse(mat, obj, ub, var_ub, k if integral else 0, solver, deadline)
    status = solver_status(ms, deadline)
    if status in ("infeasible", "unbounded"):  # not for these models (x = 0 is feasible)
        return AllocationSolution.offline(None, status, solver, time.perf_counter() - start)
    x = np.asarray(ms.variable_values(), dtype=np.float64) if ms is not None and ms.has_solution() else None
    value = bound = duals = None
    if x is not None and (integral or status == "optimal" or feasible_point(mat, ub, x, k)):
        value = float(ms.objective_value()) if integral or status == "optimal" else float(obj @ x)
        if integral:
            bound = mip_bound(ms, status)
        elif status == "optimal":
            bound = value
            duals = np.abs(np.asarray(ms.dual_values(), dtype=np.float64)[t : t + m])
    else:
        x = None  # an LP point outside the constraints: no answer
    stats: dict = {}
    choice = None
    if status != "optimal":
        for fallback, fallback_name in _fallback_choices(instance, regularizer, lam, deadline):
            taken = np.zeros(k)
            taken[fallback[fallback >= 0]] = 1.0
            fairness = t * float(np.min((cmat @ taken) / instance.budgets)) if reg else 0.0
            fallback_value = float(instance.rewards @ taken) + lam * fairness
            if value is None or fallback_value > value:
                choice, value = fallback, fallback_value
                x = np.concatenate([taken, [fairness] if reg else []])
                stats["incumbent"] = fallback_name
        if not reg and value is not None:  # a bound even without the solver's: resource prices
            priced = price_bound(instance.action_ptr, instance.rewards, instance.consumption_matrix(),
                                 instance.budgets, value, deadline)
            bound = priced if bound is None else min(bound, priced)
            stats["bound_from"] = "resource prices (NumPy subgradient steps)" if bound == priced else "solver"
    if integral and choice is None:
        choice = np.full(t, -1, dtype=np.int64)
        chosen = np.flatnonzero(x[:k] > 0.5)
        choice[rows_t[chosen]] = chosen
    result = AllocationSolution.offline(value, status, solver, time.perf_counter() - start, duals, x, choice,
                                        checked_bound(bound, value))
    if not_solved is not None:
        stats["not_solved"] = not_solved
    result.stats.update(stats)
    return result


DMD_INCUMBENT = "dual mirror descent (given order)"
PROPOSALS_INCUMBENT = ("rounds of proposals (dual mirror descent's kernel was not loaded by the time limit; "
                       "budgets enforced)")


def _warm_dmd() -> None:
    """Dual mirror descent's kernel on a one-arrival instance (its types do not depend on the
    instance)."""
    dual_mirror_descent(PackingInstance.from_dense([[1.0]], [[[1.0]]], [1.0]))


DMD_KERNEL = KernelLoader("submodkit.solvers.allocation._packing_kernels", "dmd_packing", _warm_dmd,
                          "submodkit-dmd-kernel")
"""The fallback's kernel, loaded in the background under a time limit (`_fallback`)."""


def _fallback_choices(instance: PackingInstance, regularizer: str | None, lam: float,
                      deadline: Deadline) -> list[tuple[np.ndarray, str]]:
    """Answers for a solve stopped early (the action of each arrival, -1 none, and its name),
    each feasible: :func:`dual_mirror_descent` (given order, same regularizer) when its kernel
    is loaded or in the on-disk cache (then loaded now); otherwise NumPy's
    :func:`~submodkit.solvers.allocation._fallback.proposal_rounds` (which ignores the
    regularizer), computed while `DMD_KERNEL` may still load, and dual mirror descent too if
    it does by the deadline; so that a cold call still ends at its limit."""
    cached = deadline.end is not None and not DMD_KERNEL.loaded() and DMD_KERNEL.cached()
    if deadline.end is None or DMD_KERNEL.loaded() or (cached and DMD_KERNEL.wait(deadline)):
        return [(dual_mirror_descent(instance, regularizer=regularizer, lam=lam).assignment, DMD_INCUMBENT)]
    x = proposal_rounds(instance.action_ptr, instance.rewards, instance.cons_ptr, instance.cons_idx,
                        instance.cons_val, instance.budgets, deadline)
    taken = np.flatnonzero(x)
    choice = np.full(instance.n_arrivals, -1, dtype=np.int64)
    choice[np.searchsorted(instance.action_ptr, taken, side="right") - 1] = taken
    choices = [(choice, PROPOSALS_INCUMBENT)]
    if not cached and DMD_KERNEL.wait(deadline):  # a cached kernel had its one wait above
        choices.append((dual_mirror_descent(instance, regularizer=regularizer, lam=lam).assignment,
                        DMD_INCUMBENT))
    return choices


def brute_force_packing(
    instance: PackingInstance, *, regularizer: str | None = None, lam: float = 0.0
) -> float:
    """Best objective over all integral choices (tiny instances: prod (K_t + 1) <= 2^16)."""
    sizes = np.diff(instance.action_ptr) + 1
    if float(np.sum(np.log2(sizes))) > 16.5:
        raise InvalidParameterError("instance", f"{instance.n_arrivals} arrivals", "(K+1)^T <= 2^16")
    best = -np.inf
    for code in range(int(np.prod(sizes))):
        choice = np.empty(instance.n_arrivals, dtype=np.int64)
        c = code
        for i, s in enumerate(sizes):
            j = c % s
            c //= s
            choice[i] = -1 if j == 0 else instance.action_ptr[i] + j - 1
        try:
            best = max(best, instance.objective(choice, regularizer, lam))
        except InvalidParameterError:
            continue
    return float(best)


def dual_mirror_descent(
    instance: PackingInstance,
    *,
    order: str = "given",
    seed: int | None = None,
    eta: float | None = None,
    regularizer: str | None = None,
    lam: float = 0.0,
) -> AllocationSolution:
    """Dual mirror descent for online packing, optionally with a max-min fairness regularizer.

    Per arrival: the action maximizing ``r - mu . c`` (none if every score is <= 0), taken
    if it fits the remaining budgets; then a mirror-descent step on the duals mu with the
    subgradient ``a - c`` (a = rho = B / T) and step ``eta / sqrt(T)`` under the weighted
    reference function ``sum_j rho_j mu_j^2 / 2``, and the projection onto the dual domain:
    ``mu >= 0`` (Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for
    online allocation problems", Operations Research 2023, Algorithm 1) or, for
    ``regularizer="max-min"`` with weight ``lam`` (objective ``sum r + lam * min_j
    (used_j / rho_j)``), ``sum_{j in S} rho_j mu_j >= -lam`` for every S (Balseiro, Lu,
    Mirrokni, ICML 2021, Algorithm 1 with the max-min fairness regularizer; negative
    prices favour under-served resources).

    Guarantee: regret ``O(sqrt T)`` against the (regularized) offline optimum for i.i.d.
    arrivals (``Solution.guarantee`` kind "asymptotic", ratio 0: no finite-T ratio).
    Complexity O(sum of action sizes + m) per arrival (m log m when the fairness
    projection is active). Default eta 0.3 (duals in units of the mean reward).

    Parameters
    ----------
    instance : PackingInstance
    order : {"given", "random"}, keyword-only
    seed : int, optional, keyword-only
    eta : float, optional
        Step size (default 0.3).
    regularizer : {None, "max-min"}
    lam : float, default 0.0
        Weight of the max-min fairness term.

    Returns
    -------
    AllocationSolution
        The actions taken (``assignment``), value, and ``stats["regularized_value"]``.

    Examples
    --------
    >>> cons = [[[1.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]]
    >>> inst = PackingInstance.from_dense([[3.0, 2.0], [2.0, 0.0]], cons, [1.0, 1.0])
    >>> dual_mirror_descent(inst).value
    3.0

    References
    ----------
    .. [1] Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for online
       allocation problems", Operations Research (2023).
    .. [2] Balseiro, Lu, Mirrokni, "Regularized online allocation problems: fairness and
       beyond", ICML 2021.
    """
    if not isinstance(instance, PackingInstance):
        raise InvalidParameterError("instance", type(instance).__name__, "a PackingInstance")
    lam = _check_regularizer(regularizer, lam)
    check_choice("order", order, ("given", "random", "iid"))
    check_int("seed", seed, allow_none=True)
    eta = 0.3 if eta is None else check_real("eta", eta, minimum=0, strict_min=True)
    start = time.perf_counter()
    t, m = instance.n_arrivals, instance.n_resources
    rows = arrival_rows(order, t, make_rng(seed))
    pos = instance.rewards[instance.rewards > 0]
    vscale = float(pos.mean()) if pos.size else 1.0
    cs = np.ones(m)
    sums = np.bincount(instance.cons_idx, weights=instance.cons_val, minlength=m)
    cnts = np.bincount(instance.cons_idx[instance.cons_val > 0], minlength=m)
    cs[cnts > 0] = sums[cnts > 0] / cnts[cnts > 0]
    theta = np.zeros(m)
    kernel_start = time.perf_counter()
    choice, used = K.dmd_packing(
        rows, instance.action_ptr, instance.rewards, instance.cons_ptr, instance.cons_idx, instance.cons_val,
        instance.budgets, cs, eta / math.sqrt(max(t, 1)), (lam / vscale) if regularizer else 0.0, vscale,
        theta,
    )
    kernel_seconds = time.perf_counter() - kernel_start
    taken = choice[choice >= 0]
    value = float(instance.rewards[taken].sum())
    objective = value
    if regularizer == "max-min":
        objective += lam * t * float(np.min(used / instance.budgets))
    if order == "random":
        out = np.full(t, -1, dtype=np.int64)
        out[rows] = choice
        choice = out
    name = "packing-dmd-regularized" if regularizer else "packing-dmd"
    return AllocationSolution(
        value=value,
        assignment=choice,
        arrivals=rows,
        used=used,
        algorithm="dual-mirror-descent" + (f" ({regularizer}, lam={lam:g})" if regularizer else ""),
        guarantee=guarantee(name),
        stats={
            "seconds": time.perf_counter() - start,
            "regularized_value": objective,
            "kernel_seconds": kernel_seconds,
            "arrivals_per_second": t / kernel_seconds if kernel_seconds > 0 else float("inf"),
            "order": order,
            "seed": seed,
            "eta": eta,
            "final_duals": (theta / cs * vscale).tolist() if m <= 1000 else None,
        },
    )
