"""`set_cover`: weighted set cover by greedy (with a certified lower bound) or exactly."""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_real, check_seed, check_time_limit, check_vector
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.problems import SetSystem
from submodkit.mip.model import SOLVERS, check_solver_range
from submodkit.objectives.coverage import as_set_matrix
from submodkit.results import Guarantee, Solution
from submodkit.solvers.cover.greedy import greedy as _greedy
from submodkit.solvers.cover.reduction import (
    REDUCTION_KERNELS,
    no_reduction,
    reduce_set_cover,
    refuse_uncoverable,
)


def set_cover(
    sets,
    costs=None,
    *,
    algorithm: str = "greedy",
    outliers: float = 0.0,
    prune: bool = True,
    lower_bound: str = "lp",
    time_limit: float | None = None,
    solver: str = "auto",
    seed: int | None = 0,
) -> Solution:
    """Cover every element at minimum total cost.

    ``algorithm="greedy"`` repeatedly takes the set with the most newly covered elements
    per unit cost (lazy evaluations); its cost is at most ``H(d)`` times the optimum,
    ``d`` the largest set size (Johnson 1974; Lovasz 1975; Chvatal 1979). With
    ``prune=True`` sets made redundant by later ones are dropped afterwards (in reverse
    order), which never raises the cost. ``lower_bound="lp"`` certifies the run with the
    LP relaxation (GLOP); ``"dual-fitting"`` uses ``cost / H(d)``; ``None`` skips it.
    With a ``time_limit`` (seconds for the whole call), ``"lp"`` is the Lagrangian bound
    instead (at most the LP bound, converging to it: the LP alone can take longer than the
    limit, 4.6 s on rail582), stopped at the limit; ``stats["lower_bound_method"]`` says
    which. ``"lp"`` and ``"exact"`` need costs of at most 1e15 (the LP/MIP solvers' range).

    ``algorithm="lagrangian"`` and ``"exact"`` first reduce the instance
    (:func:`~submodkit.solvers.cover.reduction.reduce_set_cover`: sets forced by an element
    they alone hold, elements implied by others, sets contained in a cheaper one or costlier
    than their elements' cheapest other sets; counts in ``stats["reduction"]``).
    ``algorithm="lagrangian"`` (Beasley 1990; Caprara, Fischetti, Toth 1999) starts from
    greedy's cover of what is left, maximizes the Lagrangian bound of the cover rows by subgradient steps
    (Numba), takes a Lagrangian-score greedy cover (redundant sets dropped) every 50 steps,
    then fixes the first sets of such covers and solves the rest the same way, restarting
    from perturbed multipliers with part of the best cover fixed (the refinement of Caprara,
    Fischetti and Toth), while ``time_limit`` allows (3 restarts without one). It is
    anytime: ``lower_bound`` is the first phase's bound (rounded up for integer costs; at
    most the LP bound), ``status`` is ``"optimal"`` when that bound meets the cover (then
    ``guarantee`` ratio 1), else ``"timeout"`` or ``"feasible"``; no approximation ratio is
    claimed otherwise. ``stats`` has the multipliers, the subgradient steps and the seconds
    to the best cover. A first timed run in a process whose reduction and Lagrangian
    kernels are neither loaded nor in Numba's on-disk cache compiles them in the background
    (about 4 s) and goes on once they are loaded; when they are not loaded by the limit it
    answers greedy's cover with a Lagrangian bound from NumPy subgradient steps
    (``stats["lower_bound_method"]`` says so).

    ``algorithm="exact"`` solves the integer program of the reduced instance with OR-Tools
    (:func:`submodkit.solvers.cover.exact.exact_set_cover`: from the Lagrangian heuristic's
    cover, on the sets a cheaper cover may use); with a ``time_limit`` it returns the best
    cover and bound found, with status ``"timeout"``.

    Parameters
    ----------
    sets : SetSystem, scipy.sparse matrix, ndarray or list of lists of int
        A `SetSystem`, a CSR matrix (rows are sets), a 0/1 array or a list of lists.
    costs : array_like of float, optional
        Set costs (>= 0); default the SetSystem's costs, else ones.
    algorithm : {"greedy", "lagrangian", "exact"}, default "greedy"
        Greedy with a certified bound, the Lagrangian heuristic with its bound, or the
        integer program.
    outliers : float, default 0.0
        Set cover with outliers: the fraction of the elements that may stay uncovered
        (``floor(outliers * n_elements)`` of them). Greedy stops once enough are covered
        (no ratio is claimed then); the Lagrangian bound leaves out the largest multipliers,
        as many as may stay uncovered, and is reported as ``lower_bound`` for greedy and
        lagrangian; ``"exact"`` solves the integer program with one slack per element and
        their sum bounded (:func:`~submodkit.solvers.cover.exact.exact_set_cover`).
    prune : bool, default True
        Drop sets made redundant by later ones (greedy only).
    lower_bound : {"lp", "dual-fitting", None}, default "lp"
        How the greedy run is certified (see above).
    time_limit : float, optional
        Seconds for the whole call.
    solver : str, default "auto"
        The backend of ``algorithm="exact"`` (see
        :func:`~submodkit.solvers.cover.exact.exact_set_cover`).
    seed : int or None, default 0
        ``algorithm="lagrangian"``: the column-fixing restarts perturb the multipliers at
        random (and every other sweep of the refinement fixes the best cover's sets in random
        order); the same seed gives the same cover when the run is not cut by ``time_limit``
        (None: fresh randomness).

    Returns
    -------
    Solution
        ``sense="min"``: ``selection`` the chosen sets (greedy: in the order chosen),
        ``value`` the total cost, ``gains`` the number of elements each set newly covered,
        ``lower_bound`` a bound on OPT (``min`` with ``value``), ``algorithm``
        ``"greedy"``, ``"greedy+prune"`` or ``"exact-<backend>"``, ``guarantee`` ``H(d)``
        (``GUARANTEES["set-cover-greedy"]``; ratio 1 for a proven exact optimum),
        ``stats["lower_bound_method"]``.

    Raises
    ------
    InvalidParameterError
        When some element is in no set (no cover exists), for costs beyond 1e15 with
        ``"lp"`` or ``"exact"``, or when the exact solver finds no cover within the time
        limit.

    Examples
    --------
    >>> sets, costs = [[0, 1], [1, 2], [2, 3], [0, 3]], [1, 1, 1, 3]
    >>> r = set_cover(sets, costs)
    >>> r.selection.tolist(), r.value, r.lower_bound, r.algorithm
    ([0, 2], 2.0, 2.0, 'greedy+prune')
    >>> r.guarantee.ratio, r.guarantee.sense  # H(2)
    (1.5, 'min')
    >>> set_cover(sets, costs, lower_bound="dual-fitting").lower_bound  # value / H(2)
    1.3333333333333333

    References
    ----------
    .. [1] Johnson, "Approximation algorithms for combinatorial problems", J. Comput.
       System Sci. 9 (1974).
    .. [2] Lovasz, "On the ratio of optimal integral and fractional covers", Discrete Math.
       13 (1975).
    .. [3] Chvatal, "A greedy heuristic for the set-covering problem", Math. Oper. Res. 4
       (1979).
    .. [4] Beasley, "A Lagrangian heuristic for set-covering problems", Naval Res.
       Logistics 37 (1990).
    .. [5] Caprara, Fischetti, Toth, "A heuristic method for the set covering problem",
       Operations Research 47 (1999).
    """
    check_choice("algorithm", algorithm, ("greedy", "lagrangian", "exact"))
    seed = check_seed(seed)
    check_choice("lower_bound", lower_bound, ("lp", "dual-fitting", None))
    outliers = check_real("outliers", outliers, minimum=0.0, maximum=1.0, strict_max=True)
    time_limit = check_time_limit(time_limit)
    check_choice("solver", solver, SOLVERS)
    csr, costs = _as_problem(sets, costs)
    n_out = int(math.floor(outliers * csr.shape[1] + 1e-9))
    if algorithm == "exact" or lower_bound == "lp":  # numbers the LP/MIP solvers can take
        check_solver_range("costs", costs)
    n, m = csr.shape
    refuse_uncoverable(csr.indices, m, "sets")
    d = int(np.diff(csr.indptr).max())
    start = time.perf_counter()
    if algorithm == "exact":
        return _exact(csr, costs, d, time_limit, solver, start, n_out)
    if algorithm == "lagrangian":
        return _lagrangian(csr, costs, d, time_limit, start, n_out, seed)
    sel, gains, evals, name = _greedy(csr, costs, prune, n_out)
    value = float(costs[sel].sum())
    lb = None
    method = lower_bound
    if lower_bound == "lp" and time_limit is None and not n_out:
        from submodkit.solvers.cover.exact import set_cover_lp_bound

        lb = set_cover_lp_bound(csr, costs)
    elif lower_bound == "lp" or (n_out and lower_bound is not None):  # dual fitting assumes a full cover
        lb, method = _lagrangian_bound(csr, costs, value, start, time_limit, n_out)
    elif lower_bound == "dual-fitting":
        lb = value / guarantee("set-cover-greedy", d=d).ratio
    if lb is not None:
        lb = min(lb, value)
    return Solution(
        selection=sel.copy(),
        gains=gains.astype(np.float64),
        value=value,
        algorithm=name,
        guarantee=None if n_out else guarantee("set-cover-greedy", d=d),
        lower_bound=lb,
        sense="min",
        stats={"evaluations": int(evals) + csr.shape[0], "seconds": time.perf_counter() - start,
               "n": csr.shape[0], "lower_bound_method": method, "uncovered_allowed": n_out},
    )


def _lagrangian(csr: sp.csr_matrix, costs: np.ndarray, d: int, time_limit, start: float, n_out: int = 0,
                seed: int | None = 0) -> Solution:
    """``algorithm="lagrangian"``: the reduction (:func:`.reduction.reduce_set_cover`), greedy's
    cover of what is left, then subgradient optimization of the Lagrangian bound with
    Lagrangian-cost greedy covers (:mod:`.lagrangian`)."""
    from submodkit.mip.model import Deadline, is_integral
    from submodkit.solvers.cover.lagrangian import LagrangianRun, lagrangian_cover

    first, _, evals, _ = _greedy(csr, costs, True, n_out)
    cold_bound = None
    if _cold(csr, time_limit):  # a first run under a limit: the kernels compile in the background
        cold_bound, loaded = _cold_start(csr, costs, first, Deadline(time_limit, start), n_out)
        if not loaded:
            return _cold_answer(csr, costs, first, evals, d, start, n_out, cold_bound)
    red = reduce_set_cover(csr, costs, n_out=n_out,
                           time_limit=_share_left(time_limit, start, _REDUCTION_SHARE))
    fixed_cost = float(costs[red.fixed].sum())
    sub, sub_costs = red.matrix(csr), costs[red.sets]
    deadline = math.inf if time_limit is None else start + time_limit
    if red.elements.shape[0] <= n_out:
        nothing = np.zeros(0, dtype=np.int64)  # the reduction left nothing to cover
        run = LagrangianRun(nothing, 0.0, 0.0, np.zeros(red.elements.shape[0]), 0, 0, 0.0, True)
    else:
        sub_first, _, more, _ = _greedy(sub, sub_costs, True, n_out)
        evals += more
        run = lagrangian_cover(sub, sub_costs, sub_first, deadline, is_integral(costs), n_out=n_out,
                               seed=seed)
    sel = red.lift(run.selection)
    value, bound = fixed_cost + run.value, fixed_cost + run.bound
    if cold_bound is not None:
        bound = min(max(bound, cold_bound), value)
    multipliers = np.zeros(csr.shape[1])
    multipliers[red.elements] = run.multipliers
    timed_out = time_limit is not None and time.perf_counter() - start >= time_limit
    return _lagrangian_answer(csr, sel, value, bound, run.proved, timed_out, {
        "seconds": time.perf_counter() - start, "n": csr.shape[0], "evaluations": int(evals),
        "greedy_value": float(costs[first].sum()), "subgradient_steps": run.steps,
        "lagrangian_covers": run.covers, "seconds_to_best": run.seconds_to_best,
        "lower_bound_method": f"lagrangian ({run.steps} subgradient steps)",
        "multipliers": multipliers, "d": d, "core_size": run.core_size,
        "pricings": run.pricings, "reduction": red.stats, "uncovered_allowed": n_out})


def _lagrangian_answer(csr: sp.csr_matrix, sel: np.ndarray, value: float, bound: float, proved: bool,
                       timed_out: bool, stats: dict) -> Solution:
    """The `Solution` of ``algorithm="lagrangian"``: optimal (ratio 1) when proved or when the
    bound meets the cover, else ``"timeout"`` or ``"feasible"`` without a claimed ratio."""
    optimal = proved or bound >= value - 1e-9
    return Solution(
        selection=sel,
        gains=np.diff(csr.indptr)[sel].astype(np.float64),
        value=value,
        algorithm="lagrangian",
        guarantee=Guarantee(ratio=1.0, statement="optimal (the Lagrangian bound meets the cover)",
                            source="Lagrangian relaxation", sense="min") if optimal else None,
        lower_bound=bound,
        sense="min",
        status="optimal" if optimal else ("timeout" if timed_out else "feasible"),
        stats=stats,
    )


def _cold(csr: sp.csr_matrix, time_limit: float | None) -> bool:
    """Whether a timed Lagrangian run should not compile its kernels in its own thread: the
    reduction's or the Lagrangian kernels are neither loaded nor in the on-disk cache (about
    2 s each to compile), and NumPy's bound is cheap enough on ``csr``."""
    from submodkit.solvers.cover.exact import LAGRANGIAN_KERNELS, cold_numpy_fits

    return (time_limit is not None and cold_numpy_fits(csr)
            and not (REDUCTION_KERNELS.ready() and LAGRANGIAN_KERNELS.ready()))


def _cold_start(csr: sp.csr_matrix, costs: np.ndarray, first: np.ndarray, deadline,
                n_out: int) -> tuple[float, bool]:
    """Take NumPy's Lagrangian bound (:func:`~submodkit.solvers.cover.lagrangian.numpy_lagrangian_bound`,
    rounded up for integer costs), then load the reduction's and the Lagrangian kernels in the
    background and wait for them until ``deadline``. Returns the bound and whether the
    kernels are loaded (the run then goes on with the time left)."""
    from submodkit.mip.model import is_integral
    from submodkit.solvers.cover.exact import LAGRANGIAN_KERNELS
    from submodkit.solvers.cover.lagrangian import numpy_lagrangian_bound

    # the bound first (at most 300 steps, half the time left: 0.23 s on rail507), then the
    # compile, which would take the GIL from it for most of a short limit
    until = time.perf_counter() + 0.5 * max(deadline.left(), 0.0)
    bound = numpy_lagrangian_bound(csr, costs, float(costs[first].sum()), until, n_out=n_out)
    for loader in (REDUCTION_KERNELS, LAGRANGIAN_KERNELS):
        loader.load()
    if is_integral(costs):
        bound = math.ceil(bound - 1e-6)
    loaded = REDUCTION_KERNELS.wait(deadline) and LAGRANGIAN_KERNELS.wait(deadline)
    return float(bound), loaded


def _cold_answer(csr: sp.csr_matrix, costs: np.ndarray, first: np.ndarray, evals: int, d: int, start: float,
                 n_out: int, bound: float) -> Solution:
    """A timed Lagrangian run whose kernels did not load by its deadline: greedy's cover and
    NumPy's Lagrangian bound (``stats["lower_bound_method"]`` says so)."""
    value = float(costs[first].sum())
    return _lagrangian_answer(csr, np.sort(first), value, min(bound, value), False, True, {
        "seconds": time.perf_counter() - start, "n": csr.shape[0], "evaluations": int(evals),
        "greedy_value": value, "subgradient_steps": 0, "lagrangian_covers": 0,
        "lower_bound_method": "lagrangian (NumPy subgradient steps; the kernels were compiling in the "
                              "background, and the answer is greedy's cover)",
        "d": d, "uncovered_allowed": n_out})


_REDUCTION_SHARE = 0.5  # of a time limit's seconds left, at most, for the reduction


def _share_left(time_limit: float | None, start: float, share: float) -> float | None:
    """``share`` of the seconds left of ``time_limit`` (counted from ``start``), at least 1 ms
    (the solvers below return their first cover at once when it is up); None without a limit."""
    if time_limit is None:
        return None
    return max(share * (time_limit - (time.perf_counter() - start)), 1e-3)


def _lagrangian_bound(csr, costs, value, start, time_limit, n_out: int = 0) -> tuple[float, str]:
    """The LP bound's Lagrangian stand-in (GLOP took 4.6 s on rail582's LP), and the bound for
    set cover with ``n_out`` outliers (the ``n_out`` largest multipliers left out): at most
    the LP bound, converging to it (Beasley 1990), stopped at the time limit (2 s without
    one) or when it proves the greedy cover optimal; rounded up for integer costs."""
    from submodkit.mip.model import is_integral
    from submodkit.solvers.cover.lagrangian import lagrangian_bound

    integral = is_integral(costs)
    until = start + (2.0 if time_limit is None else time_limit)
    lb, steps = lagrangian_bound(csr, costs, value, until, integral, n_out=n_out)
    if integral and math.isfinite(lb):
        lb = math.ceil(lb - 1e-6)
    what = f"with {n_out} outliers, " if n_out else ""
    return min(max(lb, 0.0), value), f"lagrangian ({what}{steps} subgradient steps, at most the LP bound)"


def _as_problem(sets, costs) -> tuple[sp.csr_matrix, np.ndarray]:
    if isinstance(sets, SetSystem):
        costs = sets.costs if costs is None else costs
        sets = sets.sets
    csr = as_set_matrix(sets)  # 0/1, each element once per set, sorted: what every path below assumes
    n = csr.shape[0]
    if n == 0 or csr.shape[1] == 0:
        raise InvalidParameterError("sets", f"shape {csr.shape}", "at least one set and one element")
    costs = np.ones(n) if costs is None else check_vector("costs", costs, n)
    return csr, costs


def _exact(csr, costs, d, time_limit, solver, start, n_out: int = 0) -> Solution:
    from submodkit.solvers.cover.exact import LAGRANGIAN_KERNELS, cold_numpy_fits, exact_set_cover

    if time_limit is not None and cold_numpy_fits(csr) and not REDUCTION_KERNELS.ready():
        # a first run under a limit: the exact model solves the whole instance (same optimum)
        # while the reduction's and the Lagrangian kernels compile in the background
        REDUCTION_KERNELS.load()
        if not LAGRANGIAN_KERNELS.ready():
            LAGRANGIAN_KERNELS.load()
        red = no_reduction(csr, "its kernels were not loaded (they load in the background)", n_out=n_out)
    else:
        red = reduce_set_cover(csr, costs, n_out=n_out,
                               time_limit=_share_left(time_limit, start, _REDUCTION_SHARE))
    fixed_cost = float(costs[red.fixed].sum())
    m_left = red.elements.shape[0]
    if m_left <= n_out:
        res = Solution(selection=np.zeros(0, dtype=np.int64), value=0.0, lower_bound=0.0, sense="min",
                       status="optimal", algorithm="reduction")
    else:  # the same number of elements may stay uncovered (the reduction keeps them all then)
        res = exact_set_cover(red.matrix(csr), costs[red.sets], outliers=n_out / m_left,
                              time_limit=_share_left(time_limit, start, 1.0), solver=solver)
    if res.value is None:
        raise InvalidParameterError("time_limit", time_limit, "enough time to find a first cover")
    sel = red.lift(res.selection)
    optimal = res.status == "optimal"
    g = (
        Guarantee(ratio=1.0, statement="optimal", source=f"OR-Tools {res.algorithm}", sense="min")
        if optimal
        else None
    )
    return Solution(
        selection=sel,
        gains=np.diff(csr.indptr)[sel].astype(np.float64),
        value=fixed_cost + float(res.value),
        algorithm=f"exact-{res.algorithm}",
        guarantee=g,
        lower_bound=fixed_cost + float(res.bound),
        sense="min",
        status="optimal" if optimal else res.status,
        stats={"seconds": time.perf_counter() - start, "solver": res.algorithm, "reduction": red.stats,
               "uncovered_allowed": n_out, **res.stats.get("parameters", {})},
    )
