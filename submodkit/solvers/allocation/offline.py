"""The offline optimum of an allocation instance (LP / IP), and the value of an assignment.

The instances are :class:`~submodkit.instances.AllocationInstance`.

:func:`offline_optimum` solves the assignment LP
``max sum v x  s.t.  sum_a x[t, a] <= 1,  sum_t c[t, a] x[t, a] <= budgets[a],  x >= 0``
with GLOP (or PDLP), or its integer version with SCIP / CP-SAT for small instances.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._background import KernelLoader
from submodkit._validation import check_choice, check_time_limit
from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance
from submodkit.mip.model import Deadline, ModelSize, refuse_model
from submodkit.results import AllocationSolution
from submodkit.solvers.allocation._fallback import price_bound, proposal_rounds


def evaluate(instance: AllocationInstance, assignment: np.ndarray) -> float:
    """Value of an assignment (advertiser per arrival, -1 none); raises if it is infeasible.

    Capacities: each advertiser's ``floor(capacity)`` best values when ``free_disposal``,
    else the assignment must respect the capacities. Budgets: ``sum_a min(B_a, bids_a)``.
    """
    assignment = np.asarray(assignment, dtype=np.int64)
    t, a = instance.values.shape
    if assignment.shape != (t,) or (assignment.size and (assignment.min() < -1 or assignment.max() >= a)):
        raise InvalidParameterError("assignment", assignment, f"{t} advertiser indices in [-1, {a})")
    rows = np.flatnonzero(assignment >= 0)
    cols = assignment[rows]
    v = np.asarray(sp.csr_matrix(instance.values)[rows, cols]).ravel() if rows.size else np.zeros(0)
    if np.any(v <= 0):
        raise InvalidParameterError("assignment", "an arrival given to an ineligible advertiser", "value > 0")
    if instance.kind == "budget":
        spent = np.bincount(cols, weights=v, minlength=a)
        return float(np.minimum(spent, instance.budgets).sum())
    if instance.consumption is not None:
        c = np.asarray(sp.csr_matrix(instance.consumption)[rows, cols]).ravel() if rows.size else v
        used = np.bincount(cols, weights=c, minlength=a)
        if np.any(used > instance.budgets * (1 + 1e-9) + 1e-9):
            raise InvalidParameterError("assignment", "capacities exceeded", "a feasible assignment")
        return float(v.sum())
    caps = np.floor(instance.budgets + 1e-9).astype(np.int64)
    total = 0.0
    for adv in range(a):
        mine = np.sort(v[cols == adv])[::-1]
        if not instance.free_disposal and mine.size > caps[adv]:
            raise InvalidParameterError("assignment", "capacities exceeded", "a feasible assignment")
        total += float(mine[: caps[adv]].sum())
    return total


def _lp_matrix(instance: AllocationInstance) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    indptr, indices, vals, cons = instance.arrays()
    t, a = instance.values.shape
    nnz = vals.size
    rows = np.repeat(np.arange(t, dtype=np.int64), np.diff(indptr))
    cols = np.arange(nnz, dtype=np.int64)
    mat = sp.csr_matrix(
        (
            np.concatenate([np.ones(nnz), cons]),
            (np.concatenate([rows, t + indices]), np.concatenate([cols, cols])),
        ),
        shape=(t + a, nnz),
    )
    caps = instance.budgets
    if instance.unit_consumption:
        caps = np.floor(caps + 1e-9)
    upper = np.concatenate([np.ones(t), caps])
    return mat, vals, upper, rows


def offline_optimum(
    instance: AllocationInstance,
    integral: bool = False,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
    integer_capacities: bool = False,
) -> AllocationSolution:
    """The offline optimum of ``instance``: the assignment LP, or the IP when ``integral``.

    LP: ``max sum v[t,a] x[t,a]`` s.t. each arrival assigned at most once (fractionally),
    ``sum_t c[t,a] x[t,a] <= budgets[a]``, ``x >= 0``; solved by GLOP (default) or PDLP
    through OR-Tools' model builder, built from sparse arrays in one call. Capacities are
    used as given (``rho * T`` is fractional for the AdX data); with ``integer_capacities``
    unit-consumption capacities are rounded down, as the online algorithms use them, and
    the LP is then totally unimodular (it equals the IP).
    Budgets: the LP bounds the budget-additive optimum from above. IP (small instances):
    SCIP (default) or CP-SAT, hard budgets.

    ``solver="flow"`` (capacities with unit consumption): the same LP with capacities
    rounded down, which is then a transportation problem and integral, solved as a
    min-cost flow by OR-Tools (values scaled to 2^40 / max value and rounded; the
    reported value sums the chosen entries' exact values): 1,000,000 arrivals x 100
    advertisers (10M eligible pairs) in about 50 s and 2 GB, where GLOP grows
    quadratically (16 s at 500,000 pairs).

    ``time_limit`` counts from the call's start, the model's construction included. Under a
    limit the model is not built when its estimated construction and hand-over to the solver
    (:class:`~submodkit.mip.model.ModelSize`) would take more than half of the time left, the
    construction stops when the limit passes, and the solver gets the time left. A solve
    that does not end optimal has status ``"timeout"`` (``"feasible"`` without a limit); its
    answer is the better of the solver's feasible point and the online greedy allocation
    (:func:`~submodkit.solvers.allocation.online.allocate`, each advertiser then kept to what
    fits its capacity or budget), and ``upper_bound`` only a proven bound: the LP's optimum
    (GLOP optimal), the weak-duality bound of the LP solver's duals (PDLP, or GLOP stopped
    early: see `_certified_lp`), the MIP solver's finite dual bound, or the Lagrangian bound
    of advertiser prices found by NumPy subgradient steps
    (:func:`~submodkit.solvers.allocation._fallback.price_bound`), the least of those known.
    The min-cost flow cannot be interrupted: the limit is checked before it starts (at the
    limit: the greedy allocation, status ``"timeout"``), and once started it runs to its end
    whatever the limit. The greedy's compiled kernel loads in the background while the model
    is built and solved (a fresh process spends about 0.6 s importing Numba and loading it;
    with an empty cache, about 2 s compiling it); when it is not loaded by the limit, the
    fallback is NumPy's rounds of proposals (`_proposal_start`, ``stats["incumbent"]`` says
    which), so that even a cold call ends at its limit.

    Returns an :class:`AllocationSolution` with ``value``, ``status`` and the advertiser
    duals (LP). Complexity: one LP with T + A rows and nnz(values) columns.

    Parameters
    ----------
    instance : AllocationInstance
    integral : bool, default False
        The IP instead of the LP.
    solver : {"glop", "pdlp", "flow", "scip", "cp_sat"}, optional, keyword-only
    time_limit : float, optional, keyword-only
        Seconds (> 0) for the whole call (see above); None: no limit.
    integer_capacities : bool, default False
        Round unit-consumption capacities down.

    Returns
    -------
    AllocationSolution
        ``value``, ``status`` (``"optimal"``; ``"approximate"``: PDLP's bracket did not
        close; ``"timeout"``), ``upper_bound`` (proven, or None), the assignment (IP, flow,
        greedy fallback), ``x`` and the advertiser duals (LP: those of the solver's answer);
        ``stats["not_solved"]`` says why the solver did not run, ``stats["incumbent"]`` when
        the answer is the greedy allocation.

    Examples
    --------
    >>> inst = AllocationInstance([[1.0, 2.0], [3.0, 0.0]], budgets=[1, 1])
    >>> offline_optimum(inst).value
    5.0

    References
    ----------
    .. [1] Mehta, "Online matching and ad allocation", Found. Trends Theor. Comput. Sci. 8
       (2013) (the offline benchmark).
    """
    time_limit = check_time_limit(time_limit)
    deadline = Deadline(time_limit)
    if solver is None:
        solver = "scip" if integral else "glop"
    check_choice(
        "solver", solver, ("glop", "pdlp", "scip", "cp_sat", "flow") if integral else ("glop", "pdlp", "flow")
    )
    if deadline.end is not None:
        GREEDY_KERNEL.load()  # the fallback's kernel loads while the model is built and solved
    if solver == "flow":
        return _flow_optimum(instance, deadline)
    start = deadline.start
    mat, obj, upper, rows = _lp_matrix(instance)
    if not (integer_capacities or integral) and instance.unit_consumption:
        upper[instance.n_arrivals :] = instance.budgets
    nnz = obj.size
    t = instance.n_arrivals
    if nnz == 0:
        return AllocationSolution.offline(
            0.0, "optimal", solver, time.perf_counter() - start, np.zeros(instance.n_advertisers)
        )
    ms, not_solved = solve_sparse(mat, obj, upper, np.ones(nnz), nnz if integral else 0, solver, deadline)
    status = solver_status(ms, deadline)
    if status in ("infeasible", "unbounded"):  # not for these models (x = 0 is feasible, x <= 1)
        return AllocationSolution.offline(None, status, solver, time.perf_counter() - start)
    x = np.asarray(ms.variable_values(), dtype=np.float64) if ms is not None and ms.has_solution() else None
    value = bound = duals = None
    if x is not None and integral:
        x = (x > 0.5).astype(np.float64)
        value = float(obj @ x)
        bound = mip_bound(ms, status)
    elif x is not None:
        all_duals = np.asarray(ms.dual_values(), dtype=np.float64)
        duals = np.abs(all_duals[t:])
        if solver == "pdlp" or status != "optimal":
            # a first-order method, or GLOP stopped early: certify the answer instead of
            # trusting it (a feasible point and a weak-duality bound from the duals)
            value, bound, x = _certified_lp(mat, obj, upper, x, all_duals)
            if bound - value <= 1e-9 * max(1.0, abs(bound)):
                status = "optimal"
            elif status == "optimal":
                status = "approximate"
        else:
            value = bound = float(ms.objective_value())
    stats: dict = {}
    if status not in ("optimal", "approximate"):
        start_x, start_name = _greedy_start(instance, rows, upper[t:], deadline)
        start_value = float(obj @ start_x)
        if value is None or start_value > value:
            x, value = start_x, start_value
            stats["incumbent"] = start_name
        indptr, indices, vals, cons = instance.arrays()  # a bound even without the solver's
        priced = price_bound(indptr, vals, sp.csr_matrix((cons, indices, np.arange(vals.size + 1)),
                                                         shape=(vals.size, instance.n_advertisers)),
                             upper[t:], value, deadline)
        if bound is None or priced < bound:
            bound, stats["bound_from"] = priced, "advertiser prices (NumPy subgradient steps)"
    assignment = None
    if integral or "incumbent" in stats:
        assignment = np.full(t, -1, dtype=np.int64)
        chosen = np.flatnonzero(x > 0.5)
        assignment[rows[chosen]] = instance.arrays()[1][chosen]
    bound = checked_bound(bound, value)
    result = AllocationSolution.offline(value, status, solver, time.perf_counter() - start, duals, x,
                                        assignment, bound)
    if not_solved is not None:
        stats["not_solved"] = not_solved
    if ms is not None and status not in ("optimal", "approximate"):
        stats["solver_status"] = _status_name(ms)
    result.stats.update(stats)
    return result


# The model-size key (`ModelSize.seconds`) of each solver of `solve_sparse`.
_SIZE_KEYS = {"glop": "model-builder-lp", "pdlp": "model-builder-lp", "scip": "scip", "cp_sat": "cp-sat"}


def solve_sparse(mat: sp.csr_matrix, obj: np.ndarray, upper: np.ndarray, var_upper: np.ndarray,
                 n_integer: int, solver: str, deadline: Deadline):
    """Build ``max obj.x  s.t.  mat x <= upper,  0 <= x <= var_upper`` (the first
    ``n_integer`` variables integer) with OR-Tools' model builder and solve it with
    ``solver`` within ``deadline``.

    Returns ``(the ModelSolverHelper, None)`` after a solve, or ``(None, why)`` when the
    solver did not run: under a limit, the model is not built when its estimated build and
    hand-over (`ModelSize`, the exact models' estimates) would take more than half of the time
    left or more memory than there is (`refuse_model`), the integrality loop stops when the
    limit passes, and the solver is not started with less than 10 ms left; its own limit is
    what is left less the estimated hand-over."""
    from ortools.linear_solver.python import model_builder_helper as mbh

    ms = mbh.ModelSolverHelper(solver)
    if not ms.solver_is_supported():
        raise InvalidParameterError("solver", solver, "a solver available in this OR-Tools build")
    size = ModelSize(obj.size, upper.size, mat.nnz)
    key = _SIZE_KEYS[solver]
    if deadline.end is not None:
        reason = refuse_model(size, key, deadline)
        if reason is not None:
            return None, reason
    built = time.perf_counter()
    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(
        np.zeros(obj.size), var_upper, obj, np.full(upper.size, -np.inf), upper, mat
    )
    model.set_maximize(True)
    for i in range(n_integer):
        if i % 65536 == 0 and deadline.expired():
            return None, "not solved: the limit passed while the model was built"
        model.set_var_integrality(i, True)
    if deadline.end is not None:
        ahead = max(0.0, size.seconds(key) - (time.perf_counter() - built))
        left = deadline.left() - ahead
        if left < 0.01:
            return None, f"not solved: {max(deadline.left(), 0.0):.2f} s left after the model was built"
        ms.set_time_limit_in_seconds(left)
    ms.solve(model)
    return ms, None


def _status_name(ms) -> str:
    status = ms.status()
    return (status.name if hasattr(status, "name") else str(status)).split(".")[-1]


def solver_status(ms, deadline: Deadline) -> str:
    """``"optimal"``, ``"infeasible"`` or ``"unbounded"`` as the solver proved; any other end
    (its limit, no solution yet, or the solver not run: ``ms`` None) is ``"timeout"`` under a
    time limit and ``"feasible"`` without one."""
    if ms is not None:
        name = _status_name(ms)
        if name in ("OPTIMAL", "INFEASIBLE", "UNBOUNDED"):
            return name.lower()
    return "timeout" if deadline.end is not None else "feasible"


def mip_bound(ms, status: str) -> float | None:
    """The MIP solver's dual bound when it is one: with a solution in hand, finite and not
    the solver's "none" (|bound| >= 1e19; SCIP says 1e20). Without a solution the model
    builder reports 0, which bounds nothing."""
    if not ms.has_solution() or status == "infeasible":
        return None
    b = float(ms.best_objective_bound())
    return b if math.isfinite(b) and abs(b) < 1e19 else None


def checked_bound(bound: float | None, value: float | None) -> float | None:
    """``bound`` unless it is below the feasible ``value`` by more than the solvers'
    tolerance (then it bounds nothing: None); within the tolerance, raised to ``value``."""
    if bound is None or value is None:
        return bound
    if value - bound > 1e-6 * max(1.0, abs(value)):
        return None
    return max(bound, value)


def feasible_point(mat: sp.csr_matrix, upper: np.ndarray, x: np.ndarray, n_box: int | None = None) -> bool:
    """Whether ``x`` is a point of ``mat x <= upper``, ``x >= 0``, the first ``n_box``
    entries (all by default) at most 1, to the relative tolerance 1e-9 of `evaluate`."""
    n_box = x.size if n_box is None else n_box
    return bool(np.all(x >= -1e-9) and np.all(x[:n_box] <= 1 + 1e-9)
                and np.all(mat @ x <= upper * (1 + 1e-9) + 1e-9))


GREEDY_INCUMBENT = "greedy (online allocation, capacities enforced)"
PROPOSALS_INCUMBENT = ("greedy by rounds of proposals (the online greedy's kernel was not loaded by the time "
                       "limit; capacities enforced)")

def _warm_greedy() -> None:
    """The online greedy's kernel on a one-arrival instance (its types do not depend on the
    instance)."""
    from submodkit.solvers.allocation.passes import greedy_assignment

    greedy_assignment(AllocationInstance([[1.0]], budgets=[1.0]))


GREEDY_KERNEL = KernelLoader("submodkit.solvers.allocation._kernels", "run", _warm_greedy,
                             "submodkit-greedy-kernel")
"""The greedy fallback's kernel, loaded in the background under a time limit (`_fallback`)."""


def _greedy_start(instance: AllocationInstance, rows: np.ndarray, caps: np.ndarray,
                  deadline: Deadline) -> tuple[np.ndarray, str]:
    """A 0/1 point (one entry per eligible pair) feasible for the LP and the IP, and its name:
    the online greedy's assignment (`allocate`, given order), each advertiser then kept to the
    arrivals that fit ``caps`` in arrival order (hard capacities and budgets: greedy charges a
    last partial bid on a budget, and the IP's capacities may be rounded down).

    Under a time limit the greedy's compiled kernel is used only when it is loaded (waiting
    for the loading thread of `GREEDY_KERNEL` at most until the deadline); otherwise the
    answer is `_proposal_start`'s (NumPy only), so that a cold call still ends at its limit."""
    if not GREEDY_KERNEL.wait(deadline):
        return _proposal_start(instance, caps, deadline), PROPOSALS_INCUMBENT
    from submodkit.solvers.allocation.passes import greedy_assignment

    _, indices, vals, cons = instance.arrays()
    n_adv = instance.n_advertisers
    assignment = greedy_assignment(instance)
    arrivals = np.flatnonzero(assignment >= 0)
    # entries are sorted by (arrival, advertiser): find each assigned pair's entry
    entry = np.searchsorted(rows * n_adv + indices, arrivals * n_adv + assignment[arrivals])
    entry = entry[np.lexsort((arrivals, assignment[arrivals]))]  # by advertiser, then arrival
    adv = indices[entry]
    used = np.cumsum(cons[entry])
    first = np.r_[True, adv[1:] != adv[:-1]] if adv.size else np.zeros(0, dtype=bool)
    before = (used - cons[entry])[first][np.cumsum(first) - 1]  # used before the advertiser's first
    keep = used - before <= caps[adv] * (1 + 1e-9) + 1e-9
    x = np.zeros(vals.size)
    x[entry[keep]] = 1.0
    return x, GREEDY_INCUMBENT


def _proposal_start(instance: AllocationInstance, caps: np.ndarray, deadline: Deadline | None = None
                    ) -> np.ndarray:
    """A 0/1 point (one entry per eligible pair) feasible for the LP and the IP, as
    `_greedy_start`'s, in NumPy alone: :func:`~submodkit.solvers.allocation._fallback.proposal_rounds`
    with each eligible pair an action consuming its advertiser's capacity (rounds of
    proposals, each arrival to its best advertiser with room left, each advertiser accepting
    its best proposals that fit ``caps``; no round starts after ``deadline``)."""
    indptr, indices, vals, cons = instance.arrays()
    return proposal_rounds(np.asarray(indptr, dtype=np.int64), vals, np.arange(vals.size + 1), indices,
                           cons, caps, deadline)


def _certified_lp(mat: sp.csr_matrix, obj: np.ndarray, upper: np.ndarray, x: np.ndarray,
                  duals: np.ndarray) -> tuple[float, float, np.ndarray]:
    """A proven bracket ``(feasible value, upper bound)`` on the LP ``max obj.x, mat x <= upper,
    0 <= x <= 1`` from an approximate primal-dual pair (PDLP's tolerances allow slightly
    infeasible answers whose objective exceeds the optimum).

    Primal: ``x`` clipped to [0, 1], then each column scaled by the smallest factor
    ``upper / load`` of the rows it sits in (at most 1), so every row meets its bound.
    Dual: for any ``y >= 0``, ``OPT <= upper.y + sum_j max(0, obj_j - (mat^T y)_j)`` (weak
    duality with the box ``x <= 1``), with ``y`` the solver's duals clipped at 0."""
    x = np.clip(x, 0.0, 1.0)
    load = mat @ x
    factor = np.ones(upper.size)
    over = load > upper
    factor[over] = upper[over] / load[over]
    coo = mat.tocoo()
    # each column sits in one arrival row and one advertiser row: take the smaller factor
    col_factor = np.ones(x.size)
    np.minimum.at(col_factor, coo.col, factor[coo.row])
    x = x * col_factor
    load = mat @ x
    over = load > upper
    if over.any():  # rounding left a row a hair over: scale it again
        factor = np.ones(upper.size)
        factor[over] = upper[over] / load[over] * (1 - 1e-15)
        col_factor = np.ones(x.size)
        np.minimum.at(col_factor, coo.col, factor[coo.row])
        x = x * col_factor
    y = np.maximum(duals, 0.0)
    reduced = obj - mat.T @ y
    bound = float(upper @ y + np.maximum(reduced, 0.0).sum())
    return float(obj @ x), bound, x


def _flow_optimum(instance: AllocationInstance, deadline: Deadline) -> AllocationSolution:
    """Integral optimum of a unit-consumption capacity instance as a min-cost flow. The
    ``deadline`` is checked once the arcs are built: the flow itself cannot be stopped."""
    from ortools.graph.python import min_cost_flow

    if not instance.unit_consumption:
        raise InvalidParameterError("solver", "flow", "capacities with unit consumption (kind 'capacity')")
    start = deadline.start
    indptr, indices, vals, _ = instance.arrays()
    t, a = instance.values.shape
    if vals.size == 0:
        empty = np.full(t, -1, dtype=np.int64)
        return AllocationSolution.offline(0.0, "optimal", "flow", 0.0, assignment=empty, bound=0.0)
    caps = np.floor(instance.budgets + 1e-9).astype(np.int64)
    scale = min(2.0**40, 2.0**61 / (t + 1)) / float(vals.max())
    src, sink = t + a, t + a + 1
    rows = np.repeat(np.arange(t, dtype=np.int64), np.diff(indptr))
    ar_t = np.arange(t, dtype=np.int64)
    tails = np.concatenate([np.full(t, src), rows, t + np.arange(a), ar_t])
    heads = np.concatenate([ar_t, t + indices, np.full(a, sink), np.full(t, sink)])
    capa = np.concatenate([np.ones(t + rows.size, np.int64), caps, np.ones(t, np.int64)])
    cost = np.concatenate(
        [np.zeros(t, np.int64), -np.round(vals * scale).astype(np.int64), np.zeros(a + t, np.int64)]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capa, cost)
    supplies = np.zeros(t + a + 2, np.int64)
    supplies[src], supplies[sink] = t, -t
    flow.set_nodes_supplies(np.arange(t + a + 2), supplies)
    if deadline.expired():  # the flow would run to its end: the greedy allocation instead
        x, incumbent = _greedy_start(instance, rows, caps.astype(np.float64), deadline)
        chosen = np.flatnonzero(x > 0.5)
        assignment = np.full(t, -1, dtype=np.int64)
        assignment[rows[chosen]] = indices[chosen]
        result = AllocationSolution.offline(float(vals[chosen].sum()), "timeout", "flow",
                                            time.perf_counter() - start, None, x, assignment, None)
        result.stats.update(incumbent=incumbent,
                            not_solved="not solved: the limit passed while the flow network was built")
        return result
    status = flow.solve()
    seconds = time.perf_counter() - start
    if status != flow.OPTIMAL:
        return AllocationSolution.offline(None, str(status).split(".")[-1].lower(), "flow", seconds)
    chosen = flow.flows(np.arange(t, t + rows.size)) > 0
    assignment = np.full(t, -1, dtype=np.int64)
    assignment[rows[chosen]] = indices[chosen]
    value = float(vals[chosen].sum())
    bound = value + t * 0.5 / scale  # rounding of the costs
    x = chosen.astype(np.float64)
    return AllocationSolution.offline(value, "optimal", "flow", seconds, None, x, assignment, bound)


def brute_force_optimum(instance: AllocationInstance, *, hard_budgets: bool = False) -> float:
    """Best value over all ``(A + 1)^T`` assignments (tiny instances only, T * log(A+1) <= 16).

    ``hard_budgets``: budgets must hold exactly (the IP of :func:`offline_optimum`); else
    the instance's own valuation (budget-additive, or free disposal).
    """
    t, a = instance.values.shape
    if t * math.log2(a + 1) > 16.5:
        raise InvalidParameterError("instance", f"{t} x {a}", "a tiny instance ((A+1)^T <= 2^16)")
    dense = np.asarray(sp.csr_matrix(instance.values).todense())
    cons = (
        dense
        if instance.kind == "budget"
        else (
            np.ones_like(dense)
            if instance.consumption is None
            else np.asarray(sp.csr_matrix(instance.consumption).todense())
        )
    )
    caps = instance.budgets if not instance.unit_consumption else np.floor(instance.budgets + 1e-9)
    best = 0.0
    for code in range((a + 1) ** t):
        assignment = np.empty(t, dtype=np.int64)
        c = code
        for i in range(t):
            assignment[i] = c % (a + 1) - 1
            c //= a + 1
        rows = np.flatnonzero(assignment >= 0)
        cols = assignment[rows]
        if np.any(dense[rows, cols] <= 0):
            continue
        if hard_budgets or (instance.kind == "capacity" and not instance.free_disposal):
            used = np.bincount(cols, weights=cons[rows, cols], minlength=a)
            if np.any(used > caps + 1e-9):
                continue
            best = max(best, float(dense[rows, cols].sum()))
        else:
            best = max(best, evaluate(instance, assignment))
    return best
