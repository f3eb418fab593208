"""Exact set cover and (weighted, constrained) maximum coverage as integer programs.

Set cover: ``min sum_j c_j x_j`` s.t. ``sum_{j ∋ u} x_j >= 1`` for every element ``u``,
``x`` binary. Maximum coverage: ``max sum_u w_u y_u`` s.t. ``y_u <= sum_{j ∋ u} x_j``,
``0 <= y_u <= 1``, ``x`` binary, plus any of ``sum_j x_j <= k``, ``sum_j c_j x_j <= B`` and
``sum_{j in group g} x_j <= cap_g`` (Nemhauser-Wolsey, and Khuller-Moss-Naor for the budget).
Elements with identical membership are merged first (their weights summed).
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._background import KernelLoader
from submodkit._validation import check_real
from submodkit.errors import InvalidParameterError
from submodkit.mip.model import (
    Deadline,
    LinearModel,
    ModelSize,
    as_binary_csr,
    as_vector,
    check_run_args,
    decimal_scale,
    finish,
    is_integral,
    max_cover_args,
    merge_bound,
    stack_rows,
    subgradient,
)
from submodkit.mip.ortools import improve_bound, lp_value, solve_in_time
from submodkit.results import Solution

# "auto" per model, chosen with scripts/bench_exact.py on this 2-core machine:
# set cover: CP-SAT (1 worker, linearization_level=2) proved scp41..scpb1 in 0.15-1.9 s and
#   had the best rail507 incumbent at 60 s; it keeps its time limit (CBC overran by up to 85%).
# max coverage: SCIP, the best incumbent and bound on the hard case (scpb1, k=10), native
#   float weights, 0.04-0.5 s on the easy ones (CP-SAT took 3.9 s on scp41 k=50).
AUTO_SET_COVER = "cp-sat"
AUTO_MAX_COVER = "scip"


def _element_classes(sets: sp.csr_matrix, keep: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows = distinct membership patterns of the kept elements (``(n_classes, n_sets)`` CSR)
    and, for each element kept, the index of its class."""
    cols = sp.csc_matrix(sets[:, keep]) if not keep.all() else sp.csc_matrix(sets)
    seen: dict[bytes, int] = {}
    cls = np.empty(cols.shape[1], dtype=np.int64)
    first: list[int] = []
    for u in range(cols.shape[1]):
        key = cols.indices[cols.indptr[u] : cols.indptr[u + 1]].tobytes()
        c = seen.get(key)
        if c is None:
            c = seen[key] = len(first)
            first.append(u)
        cls[u] = c
    rows = sp.csr_matrix(cols[:, first].T)
    return rows, cls


def _empty(sense: str, solver: str, parameters: dict, t0: float) -> Solution:
    return Solution.from_exact(0.0, 0.0, "optimal", np.zeros(0, dtype=np.int64), solver, parameters,
                       time.perf_counter() - t0, sense)


# ----------------------------------------------------------------------------- set cover


def _set_cover_model(sets: sp.csr_matrix, costs: np.ndarray, n_out: int = 0
                     ) -> tuple[LinearModel, np.ndarray] | None:
    """The model and each element's row (its membership class). With ``n_out > 0`` one more
    0/1 variable per class, ``z_k`` (its elements left uncovered): ``sum_{j ∋ k} x_j + z_k >=
    1`` and ``sum_k |class k| z_k <= n_out``; the elements of a class are covered together
    (an element in no set, after pricing, is one of the uncovered). None when an element is in
    no set and none may stay uncovered."""
    counts = np.diff(sp.csc_matrix(sets).indptr)
    if n_out == 0 and np.any(counts == 0):
        return None
    rows, cls = _element_classes(sets, np.ones(sets.shape[1], dtype=bool))
    m, n = rows.shape
    if n_out == 0:
        return LinearModel(
            c=costs.copy(), A=rows, row_lb=np.ones(m), row_ub=np.full(m, np.inf),
            integer=np.ones(n, dtype=bool), sense="min", n_select=n,
        ), cls
    size = np.bincount(cls, minlength=m).astype(np.float64)
    A, lb, ub = stack_rows([(sp.hstack([rows, sp.identity(m, format="csr")]), 1.0, np.inf),
                            (sp.hstack([sp.csr_matrix((1, n)), sp.csr_matrix(size)]), -np.inf, float(n_out))],
                           n + m)
    return LinearModel(
        c=np.concatenate([costs, np.zeros(m)]), A=A, row_lb=lb, row_ub=ub,
        integer=np.ones(n + m, dtype=bool), sense="min", n_select=n,
    ), cls


def _greedy_set_cover(S: sp.csr_matrix, costs: np.ndarray, n_out: int = 0, *, numpy: bool = False
                      ) -> np.ndarray:
    """Chvatal's greedy (min cost per newly covered element) until at most ``n_out`` elements
    are uncovered, then redundant sets dropped latest first (:func:`.greedy.greedy`, which
    compiles no generic kernel for an instance of this size in a fresh process; with
    ``numpy``, :func:`.greedy.greedy_numpy`, the same selection without any kernel): the warm
    start of the exact model, sorted. S covers everything."""
    from submodkit.solvers.cover.greedy import drop_redundant_sets, greedy, greedy_numpy

    if numpy:
        sel, gains, _ = greedy_numpy(S, costs, float(S.shape[1] - n_out) - 0.5)
        return np.sort(drop_redundant_sets(S, sel, gains)[0])
    return np.sort(greedy(S, costs, True, n_out)[0])


COLD_NUMPY_MAX_WORK = 300_000_000
"""A timed exact solve whose kernels are neither loaded nor cached starts from NumPy's greedy
(one pass over the incidences per set taken: 0.26 s on rail507, 409,000 incidences x at most
507 sets taken = 2.1e8) when ``nnz * min(n_sets, n_elements)`` is at most this; above, it
compiles the kernels first, as an untimed one does (50,000 sets of 2 on 10,000 elements:
4.5 s of NumPy greedy)."""


def cold_numpy_fits(S: sp.csr_matrix) -> bool:
    """Whether NumPy's greedy is cheap enough on ``S`` for a cold start (`COLD_NUMPY_MAX_WORK`)."""
    return S.nnz * min(S.shape) <= COLD_NUMPY_MAX_WORK


def _warm_lagrangian() -> None:
    """The Lagrangian kernels of the exact path, with and without outliers, on a four-set
    instance (their types do not depend on it)."""
    from submodkit.solvers.cover.lagrangian import lagrangian_bound, lagrangian_cover

    S = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1], [0, 0, 0, 1]], dtype=np.float64))
    c = np.array([1.0, 1.0, 2.0, 1.0])
    for n_out in (0, 1):
        lagrangian_cover(S, c, np.array([0, 1, 3]), time.perf_counter() + 5.0, True, max_restarts=1,
                         n_out=n_out)
        lagrangian_bound(S, c, 3.0, time.perf_counter() + 5.0, True, n_out=n_out)


LAGRANGIAN_KERNELS = KernelLoader(
    "submodkit.solvers.cover._lagrangian_kernels",
    ("subgradient_steps", "lagrangian_greedy", "drop_redundant"),  # entry points: callees loaded
    # from the cache get no signatures of their own
    _warm_lagrangian, "submodkit-lagrangian-kernels")
"""The Lagrangian start's and bound's kernels, loaded in the background by a timed exact
solve in a process that has not loaded them (`_background`)."""


def exact_set_cover(
    sets: Any,
    costs: Any = None,
    *,
    outliers: float = 0.0,
    time_limit: float | None = None,
    solver: str = "auto",
    threads: int = 1,
    progress: bool = False,
    params: Any = None,
) -> Solution:
    """Minimum-cost set cover solved exactly as a 0/1 integer program.

    Formulation: ``min sum_j c_j x_j`` s.t. ``sum_{j: u in S_j} x_j >= 1`` for each element
    ``u``, ``x_j in {0, 1}`` (duplicate element rows removed). An element in no set makes the
    problem infeasible: that is detected before any solver runs. With ``outliers`` (set
    cover with outliers: ``floor(outliers * n_elements)`` elements may stay uncovered) each
    element row gets a 0/1 slack ``z_u`` (``sum x + z_u >= 1``) and ``sum_u z_u`` is at most
    that number; elements in no set are counted among them. The Lagrangian heuristic's
    cover (from Chvatal's greedy; :func:`~submodkit.solvers.cover.lagrangian.lagrangian_cover`,
    at most 5 s and a tenth of the time limit) is passed as a hint and returned if the solver
    finds no cover before its time limit; when its Lagrangian bound already meets that cover,
    no solver runs (``parameters["proved_by"]``), and otherwise the bound is merged with the
    solver's. The model holds only the sets a cheaper cover may use (reduced-cost fixing at
    the heuristic's multipliers, :func:`priced_in`; ``parameters["sets_priced_out"]``), plus
    the heuristic's cover: its optimum is the whole instance's.

    Measured (``scripts/bench_exact.py``, 2 cores): CP-SAT with one worker and
    ``linearization_level=2`` proved OR-Library scp41..scpb1 in 0.15-1.9 s and had the best
    rail507 incumbent at 60 s; it keeps its time limit (CBC overran by up to 85%).

    Parameters
    ----------
    sets : array_like or scipy.sparse matrix, shape (n_sets, n_elements)
        Dense or sparse; nonzero = membership.
    costs : array_like of float, shape (n_sets,), optional
        Cost of each set (finite, >= 0, at most 1e15,
        `~submodkit.mip.model.MAX_COEFFICIENT`); ones when None.
    outliers : float in [0, 1), default 0.0
        The fraction of the elements that may stay uncovered.
    time_limit : float, optional
        Seconds for the whole call (greedy start, model build, solve, bounds); when hit,
        status is ``"timeout"`` with the best cover and the best lower bound known: the
        solver's, the Lagrangian bound (`set_cover_lagrangian`) or the LP bound when GLOP
        finishes in the time left (``parameters["bound_source"]``). A model whose estimated
        size does not fit in memory, or in half the time left, is not built
        (``parameters["not_solved"]``): the greedy cover and the bound return.
    solver : {"auto", "cp-sat", "scip", "highs", "cbc"}, default "auto"
        ``"auto"`` is CP-SAT with one worker and ``linearization_level=2`` (fastest
        measured here); non-integer costs that do not scale exactly to integers go to SCIP.
    threads : int, default 1
        CP-SAT workers (1: ``linearization_level=2``; 2: subsolvers ``max_lp`` and ``core``,
        as measured; more: CP-SAT's portfolio); other backends get ``SetNumThreads``.
    progress : bool, default False
        Show a tqdm line on stderr with CP-SAT's incumbent and bound.
    params : dict or str, optional
        Extra backend parameters: a dict of CP-SAT ``SatParameters`` fields, or a
        solver-specific parameter string for SCIP/HiGHS/CBC.

    Returns
    -------
    Solution
        ``sense="min"``: ``selection`` the chosen sets (sorted), ``value`` their total cost
        (None with status ``"infeasible"`` or when nothing was found), ``lower_bound``
        (= ``bound``) a proven lower bound on the optimum, ``status`` ``"optimal"``,
        ``"feasible"``, ``"timeout"`` or ``"infeasible"``, ``algorithm`` the backend,
        ``stats["parameters"]`` what was run.

    Raises
    ------
    InvalidParameterError
        For a matrix that is not 2-D and finite, costs out of range, an unknown solver, or
        an invalid time limit or thread count.

    Examples
    --------
    >>> import numpy as np
    >>> r = exact_set_cover(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]]), [1, 1, 3])
    >>> r.value, r.status, r.selection.tolist(), r.lower_bound
    (2.0, 'optimal', [0, 1], 2.0)
    >>> exact_set_cover(np.array([[1, 0, 0], [0, 1, 0]])).status  # element 2 is in no set
    'infeasible'
    >>> r = exact_set_cover(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]]), [1, 1, 3], outliers=0.34)
    >>> r.value, r.selection.tolist()  # one of the three elements may stay uncovered
    (1.0, [0])

    References
    ----------
    .. [1] Beasley, "An algorithm for set covering problem", European J. Oper. Res. 31
       (1987).
    .. [2] Chvatal, "A greedy heuristic for the set-covering problem", Math. Oper. Res. 4
       (1979) (the warm start).
    .. [3] Perron, Didier, "CP-SAT", Google OR-Tools (2023).
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    deadline = Deadline(time_limit, t0)
    S = as_binary_csr(sets, "sets")
    c = as_vector(costs, S.shape[0], "costs")
    outliers = check_real("outliers", outliers, minimum=0.0, maximum=1.0, strict_max=True)
    n_out = int(math.floor(outliers * S.shape[1] + 1e-9))
    integral = is_integral(c)
    backend = _resolve(solver, AUTO_SET_COVER, integral or _decimal(c))
    parameters = {"model": "set-cover", "requested_solver": solver}
    if n_out:
        parameters["uncovered_allowed"] = n_out
    coverable = np.bincount(S.indices, minlength=S.shape[1]) > 0
    if int((~coverable).sum()) > n_out:
        parameters["reason"] = "an element belongs to no set"
        return Solution.from_exact(None, None, "infeasible", np.zeros(0, dtype=np.int64), backend,
                           parameters, time.perf_counter() - t0, "min")
    if not coverable.all():  # those elements are among the uncovered ones
        n_out -= int((~coverable).sum())
        S = sp.csr_matrix(S[:, np.flatnonzero(coverable)])
    if S.shape[1] <= n_out:
        return _empty("min", backend, parameters, t0)
    cold = deadline.end is not None and cold_numpy_fits(S) and not LAGRANGIAN_KERNELS.ready()
    if cold:  # a first run under a limit: the Lagrangian kernels compile while CP-SAT solves
        from submodkit.solvers.cover.lagrangian import numpy_lagrangian_bound

        LAGRANGIAN_KERNELS.load()
        greedy = _greedy_set_cover(S, c, n_out, numpy=True)
        until = time.perf_counter() + min(0.5, 0.1 * deadline.left())
        bound = numpy_lagrangian_bound(S, c, float(c[greedy].sum()), until, n_out=n_out)
        start, lag_bound, lam = greedy, (math.ceil(bound - 1e-6) if integral else bound), None
        parameters["hint"] = (f"greedy, value {c[greedy].sum():g} (no Lagrangian start: its kernels were "
                              "not compiled; they compile in the background)")
        parameters["lagrangian_bound"] = float(lag_bound)  # NumPy's subgradient steps
    else:
        greedy = _greedy_set_cover(S, c, n_out)
        start, lag_bound, lam = _lagrangian_start(S, c, greedy, deadline, integral, parameters, n_out)
    if lag_bound >= float(c[start].sum()) - 1e-9 * max(1.0, float(c[start].sum())):
        parameters["proved_by"] = "the Lagrangian bound meets the heuristic's cover"
        return Solution.from_exact(float(c[start].sum()), lag_bound, "optimal", np.sort(start), backend,
                                   parameters, time.perf_counter() - t0, "min")
    keep = np.arange(S.shape[0]) if lam is None else priced_in(S, c, start, lam, integral, n_out=n_out)
    parameters["sets_priced_out"] = int(S.shape[0] - keep.shape[0])
    model, cls = _set_cover_model(S[keep], c[keep], n_out)  # built once, on the sets kept
    at = np.searchsorted(keep, start)
    model.hint = np.zeros(model.c.shape[0])
    model.hint[at] = 1.0
    if n_out:  # the start's uncovered elements: their classes' slacks
        hit = np.zeros(S.shape[1], dtype=bool)
        hit[S[start].indices] = True
        model.hint[keep.shape[0] + np.unique(cls[~hit])] = 1.0
    model.known_bound = lag_bound
    size = ModelSize(keep.shape[0], model.A.shape[0], model.A.nnz)
    raw, built = solve_in_time(size, lambda: model, backend, deadline, threads, params, progress)
    res = finish(raw, lambda sel: c[keep[sel]].sum(), "min", integral, backend, parameters,
                 time.perf_counter() - t0, fallback=at)
    res = replace(res, selection=keep[res.selection])
    res = merge_bound(res, lag_bound, "lagrangian (before the solve)", integral)

    def lagrangian() -> tuple[float, int]:
        if cold and not LAGRANGIAN_KERNELS.loaded():
            return -math.inf, 0  # not compiled yet: the LP bound (GLOP) instead
        return set_cover_lagrangian(S, c, res.value, deadline, integral, n_out=n_out)

    res = improve_bound(res, raw, built, lagrangian, deadline, integral)
    return replace(res, stats={**res.stats, "seconds": time.perf_counter() - t0})


def priced_in(S: sp.csr_matrix, c: np.ndarray, cover: np.ndarray, lam: np.ndarray, integral: bool, *,
              n_out: int = 0) -> np.ndarray:
    """The sets a cover cheaper than ``cover`` may use, by reduced-cost fixing (Beasley 1987;
    Caprara, Fischetti, Toth 1999), plus the sets of ``cover`` (sorted ids).

    For any ``lam >= 0`` and any cover ``x``, ``c.x >= L(lam) + sum_j max(0, r_j) x_j`` with
    ``r_j = c_j - sum_{u in S_j} lam_u`` the reduced costs and ``L`` the Lagrangian bound
    (with ``n_out`` elements allowed uncovered, ``L`` leaves out the ``n_out`` largest
    multipliers: an uncovered element contributes nothing to ``sum_u lam_u |x covers u|``). A
    set with ``r_j > z - L(lam)`` (``z - 1 - L(lam)`` for integer costs), ``z`` the cost of
    ``cover``, is in no cover cheaper than ``cover``. The sets kept hold an optimum: the best
    cover within them is the best cover of the whole.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> S = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]))
    >>> c = np.array([1.0, 1.0, 1.0, 5.0])
    >>> priced_in(S, c, np.array([0, 1]), np.array([0.5, 0.5, 0.5]), integral=False).tolist()
    [0, 1, 2]

    (``L = 1.5``; set 3's reduced cost 3.5 exceeds ``2 - 1.5``.)
    """
    from submodkit.solvers.cover import _lagrangian_kernels as LK

    reduced = np.empty(S.shape[0])
    value = LK.lagrangian_value(S.indptr.astype(np.int64), S.indices.astype(np.int64),
                                np.ascontiguousarray(c, dtype=np.float64),
                                np.ascontiguousarray(lam, dtype=np.float64), reduced)
    if n_out:
        value -= LK.outlier_share(np.ascontiguousarray(lam, dtype=np.float64), n_out,
                                  np.zeros(lam.shape[0], dtype=np.bool_))
    z = float(c[cover].sum())
    room = z - value - (1.0 if integral else 0.0)
    keep = reduced <= room + 1e-9 * max(1.0, abs(z))
    keep[cover] = True
    return np.flatnonzero(keep)


def _lagrangian_start(S: sp.csr_matrix, c: np.ndarray, greedy: np.ndarray, deadline: Deadline,
                      integral: bool, parameters: dict, n_out: int = 0
                      ) -> tuple[np.ndarray, float, np.ndarray]:
    """The exact model's start: the Lagrangian heuristic
    (:func:`~submodkit.solvers.cover.lagrangian.lagrangian_cover`; 3 restarts of column
    fixing, within 5 s and a tenth of the time left) from greedy's cover: ``(the better
    cover, the Lagrangian bound, the multipliers of that bound)``; the bound is rounded up
    for integer costs. The bound is not given to the solver as a cut (an objective row made
    CP-SAT slower: rail582 not proved in 60 s, against 24 s without it) but as the model's
    ``known_bound``: CP-SAT stops at an incumbent meeting it."""
    from submodkit.solvers.cover.lagrangian import lagrangian_cover

    left = deadline.left()
    until = math.inf if left is None else time.perf_counter() + min(5.0, 0.1 * left)
    run = lagrangian_cover(S, c, greedy, until, integral, max_restarts=3, n_out=n_out)
    start = run.selection if run.value < float(c[greedy].sum()) else greedy
    parameters["hint"] = (f"lagrangian heuristic, value {c[start].sum():g} (greedy {c[greedy].sum():g})")
    parameters["lagrangian_bound"] = float(run.bound)
    return np.asarray(start, dtype=np.int64), float(run.bound), run.multipliers


def set_cover_lagrangian(S: sp.csr_matrix, c: np.ndarray, incumbent: float | None,
                         deadline: Deadline, integral: bool, *, n_out: int = 0) -> tuple[float, int]:
    """Lower bound on set cover by Lagrangian relaxation of the cover rows (Beasley 1990):
    ``L(lam) = sum_u lam_u + sum_j min(0, c_j - sum_{u in S_j} lam_u)`` for any ``lam >= 0``,
    maximized by subgradient steps (the Numba kernels of
    :mod:`~submodkit.solvers.cover.lagrangian`) until ``deadline``, 3000 steps or
    convergence (its maximum is the LP bound). ``(bound, steps)``; ``lam`` starts at each
    element's cheapest cost per element.

    Parameters
    ----------
    S : scipy.sparse.csr_matrix, shape (n_sets, n_elements)
        The 0/1 membership matrix.
    c : ndarray of float64, shape (n_sets,)
        The costs.
    incumbent : float or None
        The value of a known cover (the Polyak step aims at it; the sum of costs if None).
    deadline : Deadline
        When to stop (``Deadline(None)``: after at most 3000 steps or convergence).
    integral : bool
        Integer costs: stop as soon as the rounded-up bound proves the incumbent optimal.

    Returns
    -------
    bound : float
        A proven lower bound on the optimum (every iterate's is).
    steps : int
        Subgradient steps taken.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from submodkit.mip.model import Deadline
    >>> S = sp.csr_matrix(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    >>> bound, steps = set_cover_lagrangian(S, np.ones(3), 2.0, Deadline(None), integral=False)
    >>> bound, set_cover_lp_bound(S)
    (1.5, 1.5)

    References
    ----------
    .. [1] Beasley, "A Lagrangian heuristic for set-covering problems", Naval Res.
       Logistics 37 (1990).
    .. [2] Held, Wolfe, Crowder, "Validation of subgradient optimization", Math.
       Programming 6 (1974).
    """
    from submodkit.solvers.cover.lagrangian import lagrangian_bound

    target = float(incumbent) if incumbent is not None else float(np.sum(c))
    left = deadline.left()
    return lagrangian_bound(S, c, target, math.inf if left is None else time.perf_counter() + left, integral,
                            n_out=n_out)


def set_cover_lp_bound(sets: Any, costs: Any = None) -> float:
    """Lower bound on the minimum set-cover cost: the LP relaxation (``0 <= x <= 1``) solved
    with GLOP; ``inf`` when some element is in no set.

    Parameters
    ----------
    sets : array_like or scipy.sparse matrix, shape (n_sets, n_elements)
        Nonzero = membership.
    costs : array_like of float, optional
        Cost of each set (ones when None; at most 1e15).

    Returns
    -------
    float
        The LP optimum (0.0 with no element).

    Examples
    --------
    >>> import numpy as np
    >>> set_cover_lp_bound(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]]))  # the integer optimum is 2
    1.5

    References
    ----------
    .. [1] Lovasz, "On the ratio of optimal integral and fractional covers", Discrete Math.
       13 (1975).
    """
    S = as_binary_csr(sets, "sets")
    c = as_vector(costs, S.shape[0], "costs")
    built = _set_cover_model(S, c)
    if built is None:
        return math.inf
    if built[0].A.shape[0] == 0:
        return 0.0
    return lp_value(built[0])


# ----------------------------------------------------------------------------- max coverage


def _greedy_max_cover(S, w, k, costs, budget, groups, capacities) -> np.ndarray:
    """A feasible warm start: lazy greedy by gain (by gain/cost with a knapsack; then the
    better of that and the best single affordable set), skipping sets that break a limit."""
    n = S.shape[0]
    indptr, indices = S.indptr, S.indices
    single = np.add.reduceat(np.r_[w[indices], 0.0], indptr[:-1]) if n else np.zeros(0)
    single[np.diff(indptr) == 0] = 0.0  # reduceat returns the next row's first entry there
    cost = np.zeros(n) if costs is None else costs
    limit = math.inf if k is None else k
    room = math.inf if budget is None else budget + 1e-9
    # Python lists and floats in the loop (numpy scalars made each pop several times slower)
    cost_of, weight_of, starts, members = cost.tolist(), w.tolist(), indptr.tolist(), indices.tolist()
    group_of = None if groups is None else groups.tolist()
    room_of = None if capacities is None else capacities.tolist()
    done = bytearray(S.shape[1])

    def key(j, gain):
        return -(gain / cost_of[j] if cost_of[j] > 0 else math.inf) if budget is not None else -gain

    heap = [(key(j, g), j) for j, g in enumerate(single.tolist()) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    while heap and len(chosen) < limit:
        _, j = heapq.heappop(heap)
        if cost_of[j] > room or (group_of is not None and room_of[group_of[j]] <= 0):
            continue  # limits only tighten: j can never be added
        els = members[starts[j] : starts[j + 1]]
        gain = math.fsum(weight_of[u] for u in els if not done[u])
        if gain <= 0:
            continue
        if heap and key(j, gain) > heap[0][0]:
            heapq.heappush(heap, (key(j, gain), j))
            continue
        chosen.append(j)
        for u in els:
            done[u] = 1
        room -= cost_of[j]
        if group_of is not None:
            room_of[group_of[j]] -= 1
    covered = np.frombuffer(bytes(done), dtype=np.uint8).astype(bool)
    sel = np.asarray(sorted(chosen), dtype=np.int64)
    if budget is not None and (k is None or k >= 1):
        ok = (cost <= budget + 1e-9) & (single > 0)
        if groups is not None:
            ok &= capacities[groups] >= 1
        if ok.any():
            best = int(np.flatnonzero(ok)[np.argmax(single[ok])])
            if single[best] > w[covered].sum():
                sel = np.asarray([best], dtype=np.int64)
    return sel


def _max_cover_model(S, w, k, costs, budget, groups, capacities):
    keep = (w > 0) & (np.diff(sp.csc_matrix(S).indptr) > 0)
    n = S.shape[0]
    if not keep.any():
        return None, True, None
    rows, cls = _element_classes(S, keep)
    wc = np.bincount(cls, weights=w[keep], minlength=rows.shape[0])
    m = rows.shape[0]
    nv = n + m
    blocks = [(sp.hstack([-rows, sp.identity(m, format="csr")], format="csr"), -np.inf, 0.0)]
    if k is not None:
        blocks.append((sp.csr_matrix(np.r_[np.ones(n), np.zeros(m)][None, :]), -np.inf, k))
    if budget is not None:  # a budget above the total cost limits nothing: capped, losslessly
        cap = min(budget, float(costs.sum()))
        blocks.append((sp.csr_matrix(np.r_[costs, np.zeros(m)][None, :]), -np.inf, cap))
    if groups is not None:
        g = sp.csr_matrix((np.ones(n), (groups, np.arange(n))), shape=(len(capacities), nv))
        blocks.append((g, -np.inf, capacities.astype(float)))
    A, lb, ub = stack_rows(blocks, nv)
    model = LinearModel(
        c=np.r_[np.zeros(n), wc], A=A, row_lb=lb, row_ub=ub,
        integer=np.r_[np.ones(n, dtype=bool), np.zeros(m, dtype=bool)], sense="max",
        n_select=n,
    )
    return model, is_integral(wc), rows


def _with_hint(model: LinearModel, rows: sp.csr_matrix, sel: np.ndarray) -> None:
    """Attach the full 0/1 point of selection ``sel`` (x, and y = covered classes)."""
    x = np.zeros(model.n_select)
    x[sel] = 1.0
    y = (rows @ x > 0).astype(float)
    model.hint = np.r_[x, y]


def exact_max_cover(
    sets: Any,
    weights: Any = None,
    *,
    k: int | None = None,
    costs: Any = None,
    budget: float | None = None,
    groups: Any = None,
    capacities: Any = None,
    time_limit: float | None = None,
    solver: str = "auto",
    threads: int = 1,
    progress: bool = False,
    params: Any = None,
) -> Solution:
    """Weighted maximum coverage solved exactly as a mixed 0/1 integer program.

    Formulation: ``max sum_u w_u y_u`` s.t. ``y_u <= sum_{j: u in S_j} x_j``,
    ``0 <= y_u <= 1``, ``x_j in {0, 1}``, with any combination of a cardinality constraint
    ``sum_j x_j <= k``, a knapsack ``sum_j costs_j x_j <= budget`` and a partition matroid
    ``sum_{j: groups_j = g} x_j <= capacities_g``.

    A greedy solution (lazy greedy; cost-benefit greedy or best single set with a budget)
    is passed to the solver as a hint and returned if the solver finds nothing in time, so
    a timeout always carries a feasible selection, and a bound (the solver's, the
    Lagrangian `max_cover_lagrangian`, which is never worse than the greedy's a-posteriori
    bound, or the LP), as for :func:`exact_set_cover`. Weights and costs must be at most 1e15;
    a budget above the total cost is capped to it (which changes nothing). Elements with
    identical membership are merged first (their weights summed).

    Measured (``scripts/bench_exact.py``, 2 cores): SCIP had the best incumbent and bound on
    the hard case (scpb1, k=10), native float weights, 0.04-0.5 s on the easy ones (CP-SAT
    took 3.9 s on scp41 k=50).

    Parameters
    ----------
    sets : array_like or scipy.sparse matrix, shape (n_sets, n_elements)
        Dense or sparse; nonzero = membership.
    weights : array_like of float, shape (n_elements,), optional
        Element weights (finite, >= 0, floats allowed); ones when None.
    k : int, optional
        Cardinality constraint.
    costs, budget : array_like and float, optional
        Knapsack constraint (given together).
    groups, capacities : array_like of int, optional
        Partition matroid (given together); ``capacities`` may be one integer for every
        group.
    time_limit, solver, threads, progress, params
        As in :func:`exact_set_cover`. ``"auto"`` is SCIP (measured: best incumbent and
        bound on hard instances, float weights native). CP-SAT scales integer/decimal data
        exactly (``10**d``), uses its floating-point objective for other float weights and
        rejects float costs that are not decimals (``InvalidParameterError``: use a MIP
        backend).

    Returns
    -------
    Solution
        ``sense="max"``: ``selection`` (sorted), ``value`` recomputed from the data for the
        selection, ``upper_bound`` (= ``bound``) a proven upper bound on the optimum,
        ``status``, ``algorithm`` the backend, ``stats["parameters"]``.

    Raises
    ------
    InvalidParameterError
        For invalid data or constraints (a constraint's pair given alone), or the run
        arguments :func:`exact_set_cover` rejects.

    Examples
    --------
    >>> import numpy as np
    >>> sets = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
    >>> r = exact_max_cover(sets, k=2)
    >>> r.selection.tolist(), r.value, r.upper_bound, r.status
    ([0, 2], 4.0, 4.0, 'optimal')
    >>> exact_max_cover(sets, costs=[2, 1, 1], budget=2).selection.tolist()
    [1, 2]

    References
    ----------
    .. [1] Nemhauser, Wolsey, "Best algorithms for approximating the maximum of a
       submodular set function", Math. Oper. Res. 3 (1978).
    .. [2] Khuller, Moss, Naor, "The budgeted maximum coverage problem", Inform. Process.
       Lett. 70 (1999).
    .. [3] Achterberg, "SCIP: solving constraint integer programs", Math. Programming
       Computation 1 (2009).
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    deadline = Deadline(time_limit, t0)
    S, w, k, c, budget, g, caps = max_cover_args(
        sets, weights, k, costs, budget, groups, capacities)
    model, integral, rows = _max_cover_model(S, w, k, c, budget, g, caps)
    backend = AUTO_MAX_COVER if solver == "auto" else solver
    parameters = {"model": "max-cover", "requested_solver": solver, "k": k, "budget": budget}
    if model is None:
        return _empty("max", backend, parameters, t0)

    def value_of(sel):
        covered = np.asarray(S[sel].sum(axis=0)).ravel() > 0
        return w[covered].sum()

    greedy = _greedy_max_cover(S, w, k, c, budget, g, caps)
    _with_hint(model, rows, greedy)
    parameters["hint"] = f"greedy, value {value_of(greedy):g}"
    size = ModelSize(len(model.c), model.A.shape[0], model.A.nnz)
    raw, built = solve_in_time(size, lambda: model, backend, deadline, threads, params, progress)
    res = finish(raw, value_of, "max", integral, backend, parameters, time.perf_counter() - t0,
                 fallback=greedy)

    def lagrangian():
        x = np.zeros(S.shape[0])
        x[res.selection] = 1.0
        wc = model.c[S.shape[0]:]
        lam = np.where(rows @ x > 0, 0.0, wc)  # the a-posteriori bound's point
        return max_cover_lagrangian(rows, wc, lam, (k, c, budget, g, caps), res.value, deadline, integral)

    res = improve_bound(res, raw, built, lagrangian, deadline, integral)
    return replace(res, stats={**res.stats, "seconds": time.perf_counter() - t0})


def exact_coverage_profit(
    sets: Any,
    weights: Any = None,
    costs: Any = None,
    *,
    time_limit: float | None = None,
    solver: str = "auto",
    threads: int = 1,
    hint: Any = None,
) -> Solution:
    """``max_S w(covered by S) - c(S)``: weighted coverage minus a modular cost, solved exactly
    as a mixed 0/1 program (``max sum_u w_u y_u - sum_j c_j x_j``, ``y_u <= sum_{j: u in S_j}
    x_j``, ``0 <= y <= 1``, ``x`` binary): the reference optimum of procurement auctions.

    Parameters
    ----------
    sets : array_like or scipy.sparse matrix, shape (n_sets, n_elements)
    weights : array_like of float, shape (n_elements,), optional
    costs : array_like of float, shape (n_sets,)
        Non-negative.
    time_limit, solver, threads
        As in :func:`exact_max_cover`.
    hint : array_like of int, optional
        A selection to start from (a procurement auction's). The solver starts from the better
        of it and the greedy by gain minus cost, which is returned when it finds nothing
        better in time.

    Returns
    -------
    Solution
        ``selection``, ``value`` (coverage minus cost, recomputed from the data), the proven
        ``upper_bound`` (stopped by the limit: the best of the solver's, the Lagrangian
        bound's, the LP relaxation's in the time kept for it and ``min(w(U), sum_j max(0,
        w(S_j) - c_j))``) and ``status``.

    Examples
    --------
    >>> r = exact_coverage_profit([[1, 1, 1, 1, 0, 0], [0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 1]],
    ...                           costs=[1.0, 1.5, 0.6])
    >>> r.selection.tolist(), round(r.value, 6), r.status
    ([0, 2], 3.4, 'optimal')

    References
    ----------
    .. [1] Harshaw, Feldman, Ward, Karbasi, "Submodular maximization beyond non-negativity",
       ICML 2019 (the problem).
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    deadline = Deadline(time_limit, t0)
    if costs is None:
        raise InvalidParameterError("costs", None, "one non-negative cost per set")
    S, w, _, c, _, _, _ = max_cover_args(sets, weights, None, costs, 0.0, None, None)
    model, integral, rows = _max_cover_model(S, w, None, None, None, None, None)
    backend = AUTO_MAX_COVER if solver == "auto" else solver
    parameters = {"model": "coverage-profit", "requested_solver": solver}

    def value_of(sel):
        covered = np.asarray(S[sel].sum(axis=0)).ravel() > 0
        return w[covered].sum() - c[sel].sum()

    if model is None:
        return _empty("max", backend, parameters, t0)
    n = S.shape[0]
    model.c[:n] = -c
    integral = integral and is_integral(c)
    start = np.zeros(0, dtype=np.int64) if hint is None else np.unique(np.asarray(hint, dtype=np.int64))
    if start.size and (start.min() < 0 or start.max() >= n):
        raise InvalidParameterError("hint", f"indices {start.min()}..{start.max()}",
                                    f"set indices in [0, {n})")
    greedy = _greedy_coverage_profit(S, w, c)
    if value_of(greedy) > value_of(start):
        start = greedy
    parameters["hint"] = f"{'greedy' if start is greedy else 'given'}, value {value_of(start):g}"
    _with_hint(model, rows, start)
    size = ModelSize(len(model.c), model.A.shape[0], model.A.nnz)
    raw, built = solve_in_time(size, lambda: model, backend, deadline, threads, None, False)
    res = finish(raw, value_of, "max", integral, backend, parameters, time.perf_counter() - t0,
                 fallback=start)
    if res.status != "optimal":  # a bound in hand whatever the solver did: coverage is subadditive,
        # so f(S) - c(S) <= sum_{j in S} (w(S_j) - c_j), and f(S) <= w(U)
        per_set = np.asarray(S @ w).ravel() - c
        res = merge_bound(res, min(float(w.sum()), float(np.maximum(per_set, 0.0).sum())),
                          "subadditivity (sum of the sets' positive profits; all elements)", integral)

    def lagrangian():
        x = np.zeros(n)
        x[res.selection] = 1.0
        wc = model.c[n:]
        lam = np.where(rows @ x > 0, 0.0, wc)  # the a-posteriori bound's point
        return _coverage_profit_lagrangian(rows, wc, c, lam, res.value, deadline, integral)

    # stopped by the limit: the Lagrangian bound, then the LP relaxation in the time left
    res = improve_bound(res, raw, built, lagrangian, deadline, integral)
    return replace(res, stats={**res.stats, "seconds": time.perf_counter() - t0})


def _greedy_coverage_profit(S: sp.csr_matrix, w: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """A warm start for ``max w(covered) - c(S)``: lazy greedy by gain minus cost (a stale key
    bounds the fresh one: coverage is submodular), while the best is positive."""
    cost_of, weight_of = costs.tolist(), w.tolist()
    starts, members = S.indptr.tolist(), S.indices.tolist()
    single = np.add.reduceat(np.r_[w[S.indices], 0.0], S.indptr[:-1]) if S.shape[0] else np.zeros(0)
    single[np.diff(S.indptr) == 0] = 0.0
    heap = [(-(g - cost_of[j]), j) for j, g in enumerate(single.tolist()) if g > cost_of[j]]
    heapq.heapify(heap)
    done = bytearray(S.shape[1])
    chosen: list[int] = []
    while heap:
        _, j = heapq.heappop(heap)
        els = members[starts[j]: starts[j + 1]]
        profit = math.fsum(weight_of[u] for u in els if not done[u]) - cost_of[j]
        if profit <= 0:
            continue
        if heap and -profit > heap[0][0]:
            heapq.heappush(heap, (-profit, j))
            continue
        chosen.append(j)
        for u in els:
            done[u] = 1
    return np.asarray(sorted(chosen), dtype=np.int64)


def _coverage_profit_lagrangian(rows: sp.csr_matrix, wc: np.ndarray, costs: np.ndarray, lam: np.ndarray,
                                incumbent: float, deadline: Deadline, integral: bool) -> tuple[float, int]:
    """Upper bound on ``max w(covered) - c(S)`` by Lagrangian relaxation of ``y_u <= sum_{j
    ni u} x_j`` (``rows``: element classes x sets): for ``0 <= lam <= w``, ``L(lam) = sum_u
    (w_u - lam_u) + sum_j max(0, sum_{u in S_j} lam_u - c_j)``, each set taken alone when its
    multipliers pay for it; minimized by subgradient steps (`subgradient`) until ``deadline``,
    towards the LP bound. ``(bound, steps)``."""
    RT = sp.csr_matrix(rows.T)
    total = float(wc.sum())

    def evaluate(lam):
        profit = RT @ lam - costs
        x = (profit > 0).astype(np.float64)
        return total - float(lam.sum()) + float(profit[profit > 0].sum()), rows @ x - (wc > lam)

    proves = (lambda b: math.floor(b + 1e-6) <= incumbent) if integral else None
    return subgradient(evaluate, lam.astype(np.float64), float(incumbent), "max", deadline, upper=wc,
                       proves=proves)


def max_cover_lagrangian(rows: sp.csr_matrix, wc: np.ndarray, lam: np.ndarray, limits: tuple,
                         incumbent: float | None, deadline: Deadline,
                         integral: bool) -> tuple[float, int]:
    """Upper bound on weighted max coverage by Lagrangian relaxation of ``y_u <= sum_{j
    ni u} x_j`` (``rows``: element classes x sets, ``wc`` their weights):
    ``L(lam) = sum_u (w_u - lam_u) + max_x sum_j x_j sum_{u in S_j} lam_u`` for ``0 <= lam <= w``,
    the inner maximum over the constraints ``limits = (k, costs, budget, groups, capacities)``
    (exact by the matroid greedy for the cardinality and partition limits, bounded by the
    fractional knapsack for a budget). Started at ``lam`` (``w_u`` on the elements the
    incumbent leaves uncovered, 0 elsewhere, ``L`` is then the incumbent's value plus its
    top marginal gains: the a-posteriori bound) and minimized by subgradient steps until
    ``deadline``; with only cardinality and partition limits the minimum is the LP bound.
    ``(bound, steps)``.

    Parameters
    ----------
    rows : scipy.sparse.csr_matrix, shape (n_classes, n_sets)
        Element classes x sets, 0/1.
    wc : ndarray of float64, shape (n_classes,)
        The classes' weights.
    lam : ndarray of float64, shape (n_classes,)
        The starting multipliers, ``0 <= lam <= wc``.
    limits : tuple
        ``(k, costs, budget, groups, capacities)``, None where absent.
    incumbent : float or None
        The value of a known selection (the Polyak step aims at it; 0 if None).
    deadline : Deadline
        When to stop.
    integral : bool
        Integer weights: stop once the rounded-down bound proves the incumbent optimal.

    Returns
    -------
    bound : float
        A proven upper bound on the optimum.
    steps : int
        Subgradient steps taken.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from submodkit.mip.model import Deadline
    >>> rows = sp.csr_matrix(np.array([[1.0, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]]))
    >>> limits = (1, None, None, None, None)  # k = 1
    >>> bound, steps = max_cover_lagrangian(rows, np.ones(4), np.array([0, 0, 0, 1.0]), limits, 2.0,
    ...                                     Deadline(None), integral=False)
    >>> round(bound, 6), max_cover_lp_bound(rows, k=1)
    (2.0, 2.0)

    References
    ----------
    .. [1] Held, Wolfe, Crowder, "Validation of subgradient optimization", Math.
       Programming 6 (1974).
    .. [2] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978) (the a-posteriori bound).
    """
    RT = sp.csr_matrix(rows.T)
    total = float(wc.sum())

    def evaluate(lam):
        value, x = _best_selection(RT @ lam, *limits)
        return total - float(lam.sum()) + value, rows @ x - (wc > lam)

    target = float(incumbent) if incumbent is not None else 0.0
    proves = (lambda b: math.floor(b + 1e-6) <= target) if integral else None
    return subgradient(evaluate, lam.astype(np.float64), target, "max", deadline, upper=wc,
                       proves=proves)


def _best_selection(rho, k, costs, budget, groups, capacities) -> tuple[float, np.ndarray]:
    """An upper bound on ``max rho . x`` over the selections the limits allow (``rho >= 0``) and
    the point attaining it: the greedy on the matroid of the cardinality and group limits
    (exact), the fractional knapsack for a budget (a relaxation); the smaller when both."""
    n = len(rho)
    options = []
    if groups is None and k is not None and k < n:  # the k largest: no sort needed
        top = np.argpartition(-rho, k - 1)[:k]
        x = np.zeros(n)
        x[top] = 1.0
        options.append((float(rho[top].sum()), x))
    elif k is not None or groups is not None or budget is None:
        order = np.argsort(-rho, kind="stable")
        ok = rho > 0
        if groups is not None:
            by_group = np.lexsort((-rho, groups))
            first = np.searchsorted(groups[by_group], np.arange(len(capacities)))
            rank = np.empty(n, dtype=np.int64)
            rank[by_group] = np.arange(n) - first[groups[by_group]]
            ok &= rank < capacities[groups]
        chosen = order[ok[order]][: n if k is None else k]
        x = np.zeros(n)
        x[chosen] = 1.0
        options.append((float(rho[chosen].sum()), x))
    if budget is not None:
        free = costs <= 0
        ratio = np.where(free, np.inf, rho / np.where(free, 1.0, costs))
        order = np.argsort(-ratio, kind="stable")
        spent = np.cumsum(np.where(free, 0.0, costs)[order])
        x = np.zeros(n)
        full = order[spent <= budget]
        x[full] = 1.0
        nxt = int(np.searchsorted(spent, budget, side="right"))
        if nxt < n:  # the first set that does not fit, in fractionally
            j = order[nxt]
            x[j] = (budget - (spent[nxt - 1] if nxt else 0.0)) / costs[j]
        options.append((float(rho @ x), x))
    return min(options, key=lambda o: o[0])


def max_cover_lp_bound(
    sets: Any,
    weights: Any = None,
    *,
    k: int | None = None,
    costs: Any = None,
    budget: float | None = None,
    groups: Any = None,
    capacities: Any = None,
) -> float:
    """Upper bound on weighted maximum coverage: the LP relaxation of the formulation of
    :func:`exact_max_cover` (``0 <= x_j <= 1``) solved with GLOP.

    Parameters
    ----------
    sets, weights, k, costs, budget, groups, capacities
        As in :func:`exact_max_cover`.

    Returns
    -------
    float
        The LP optimum (0.0 when no element has positive weight).

    Examples
    --------
    >>> import numpy as np
    >>> max_cover_lp_bound(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]), k=1)
    2.0

    References
    ----------
    .. [1] Ageev, Sviridenko, "Pipage rounding: a new method of constructing algorithms
       with proven performance guarantee", J. Comb. Optim. 8 (2004) (the LP relaxation of
       maximum coverage).
    """
    S, w, k, c, budget, g, caps = max_cover_args(
        sets, weights, k, costs, budget, groups, capacities)
    model, _, _ = _max_cover_model(S, w, k, c, budget, g, caps)
    if model is None:
        return 0.0
    return lp_value(model)


# ----------------------------------------------------------------------------- helpers


def _decimal(a: np.ndarray) -> bool:
    return decimal_scale(a) is not None


def _resolve(solver: str, auto: str, cpsat_ok: bool) -> str:
    """The backend for ``solver``: ``auto`` resolves to the measured default, falling back to
    SCIP when CP-SAT cannot take the data exactly."""
    if solver != "auto":
        return solver
    if auto == "cp-sat" and not cpsat_ok:
        return "scip"
    return auto
