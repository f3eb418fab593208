"""Exact facility location (k-medoids-style ``max sum_u max_{j in S} sim[j, u]``, ``|S| <= k``)
as a mixed 0/1 integer program in the assignment formulation (Cornuejols, Fisher and
Nemhauser, 1977)."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit.mip.model import (
    Deadline,
    LinearModel,
    ModelSize,
    as_count,
    as_nonneg_csr,
    check_run_args,
    finish,
    is_integral,
    stack_rows,
    subgradient,
)
from submodkit.mip.ortools import improve_bound, lp_value, solve_in_time
from submodkit.results import Solution

# "auto", chosen with scripts/bench_exact.py on this 2-core machine: on 150x150 instances
# HiGHS/CBC 1-2 s, SCIP 3-5 s, CP-SAT 8-13 s; SCIP is kept because it returns an incumbent
# and a bound when stopped early (HiGHS through pywraplp returns neither and crashes on a
# solution hint; CBC overruns its time limit).
AUTO_FACILITY = "scip"


def _facility_model(sim: sp.csr_matrix, k: int) -> LinearModel | None:
    n, _ = sim.shape
    coo = sim.tocoo()
    nnz = coo.nnz
    if nnz == 0:
        return None
    e = np.arange(nnz)
    nv = n + nnz
    # z_e - x_j <= 0 for each nonzero e = (j, u)
    link = sp.csr_matrix(
        (np.r_[-np.ones(nnz), np.ones(nnz)], (np.r_[e, e], np.r_[coo.row, n + e])),
        shape=(nnz, nv))
    # sum_{e in column u} z_e <= 1, one row per element with a nonzero
    cols, col_idx = np.unique(coo.col, return_inverse=True)
    assign = sp.csr_matrix((np.ones(nnz), (col_idx, n + e)), shape=(len(cols), nv))
    card = sp.csr_matrix(np.r_[np.ones(n), np.zeros(nnz)][None, :])
    A, lb, ub = stack_rows([(link, -np.inf, 0.0), (assign, -np.inf, 1.0), (card, -np.inf, k)], nv)
    return LinearModel(
        c=np.r_[np.zeros(n), coo.data], A=A, row_lb=lb, row_ub=ub,
        integer=np.r_[np.ones(n, dtype=bool), np.zeros(nnz, dtype=bool)], sense="max",
        n_select=n,
    )


def _greedy_facility(sim: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Plain greedy (k rounds of the best marginal gain, ties to the smallest index; compiled,
    O(k nnz)): the warm start of the exact model, and each element's best similarity to it."""
    from submodkit.solvers.submodular._kernels import facility_greedy_csr

    chosen = np.empty(max(min(k, sim.shape[0]), 0), dtype=np.int64)
    cur = np.zeros(sim.shape[1])
    data = np.ascontiguousarray(sim.data, dtype=np.float64)
    count = facility_greedy_csr(sim.indptr.astype(np.int64), sim.indices.astype(np.int64), data,
                                sim.shape[1], k, chosen, cur)
    return np.sort(chosen[:count]), cur


def _with_hint(model: LinearModel, sim: sp.csr_matrix, sel: np.ndarray) -> None:
    """Attach the full 0/1 point of ``sel``: x, and z_ju = 1 for the best open j of each u."""
    coo = sim.tocoo()
    x = np.zeros(sim.shape[0])
    x[sel] = 1.0
    z = np.zeros(coo.nnz)
    if len(sel):
        val = np.where(x[coo.row] > 0, coo.data, -1.0)
        order = np.lexsort((-val, coo.col))  # by element, best open candidate first
        first = np.r_[True, coo.col[order][1:] != coo.col[order][:-1]]
        pick = order[first & (val[order] > 0)]
        z[pick] = 1.0
    model.hint = np.r_[x, z]


def exact_facility_location(
    similarity: Any,
    k: int,
    *,
    time_limit: float | None = None,
    solver: str = "auto",
    threads: int = 1,
    progress: bool = False,
    params: Any = None,
) -> Solution:
    """Facility location ``max_{|S| <= k} sum_u max_{j in S} sim[j, u]`` solved exactly.

    Assignment formulation over the nonzeros only: ``max sum_{(j,u)} sim[j,u] z_ju`` s.t.
    ``z_ju <= x_j``, ``sum_j z_ju <= 1`` for each element ``u``, ``sum_j x_j <= k``,
    ``x_j in {0, 1}``, ``0 <= z_ju <= 1`` (Cornuejols, Fisher and Nemhauser, 1977).

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n_candidates, n_elements)
        Non-negative, dense or sparse (rows are candidates ``j``, columns elements ``u``);
        entries at most 1e15.
    k : int
        At most ``k`` candidates are opened.
    time_limit, solver, threads, progress, params
        As in :func:`~submodkit.solvers.cover.exact.exact_set_cover`. ``"auto"`` is SCIP
        (measured with ``scripts/bench_exact.py`` on 150x150 instances: HiGHS/CBC 1-2 s,
        SCIP 3-5 s, CP-SAT 8-13 s; HiGHS and CBC are faster when they finish but return
        nothing usable or overrun when stopped early, and HiGHS through pywraplp crashes on
        a solution hint; CP-SAT was 2-4x slower than SCIP).

    Notes
    -----
    The greedy solution is passed as a hint and returned if the solver finds nothing in time.
    The model has ``n + nnz`` variables and ``nnz`` link rows (4 million at 2,000 dense
    points): its size is estimated first, and a model that does not fit in memory or in half
    the time left is not built (``parameters["not_solved"]``); a timeout (or such a refusal)
    returns the greedy answer with the Lagrangian bound `facility_location_lagrangian` (never
    worse than the greedy's a-posteriori bound), or the LP bound when GLOP finishes in time.
    ``time_limit`` counts the whole call. Similarities must be at most 1e15.

    Returns
    -------
    Solution
        ``sense="max"``: ``selection`` (sorted), ``value`` recomputed from the data,
        ``upper_bound`` (= ``bound``) a proven upper bound, ``status`` ``"optimal"``,
        ``"feasible"`` or ``"timeout"``, ``algorithm`` the backend, ``stats["parameters"]``.

    Raises
    ------
    InvalidParameterError
        For a negative, non-finite or too large similarity, a negative ``k``, or invalid run
        arguments.

    Examples
    --------
    >>> import numpy as np
    >>> sim = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])
    >>> r = exact_facility_location(sim, 1)
    >>> r.selection.tolist(), r.value, r.upper_bound, r.status
    ([1], 2.0, 2.0, 'optimal')

    References
    ----------
    .. [1] Cornuejols, Fisher, Nemhauser, "Location of bank accounts to optimize float: an
       analytic study of exact and approximate algorithms", Management Science 23 (1977).
    .. [2] Achterberg, "SCIP: solving constraint integer programs", Math. Programming
       Computation 1 (2009).
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    deadline = Deadline(time_limit, t0)
    sim = as_nonneg_csr(similarity, "similarity")
    k = as_count(k, "k")
    integral = is_integral(sim.data)
    backend = AUTO_FACILITY if solver == "auto" else solver
    parameters = {"model": "facility-location", "requested_solver": solver, "k": k}
    if k == 0 or sim.nnz == 0:
        return Solution.from_exact(0.0, 0.0, "optimal", np.zeros(0, dtype=np.int64), backend,
                           parameters, time.perf_counter() - t0, "max")

    def value_of(sel):
        if len(sel) == 0:
            return 0.0
        return float(sim[sel].max(axis=0).sum())

    greedy, cover = _greedy_facility(sim, k)
    parameters["hint"] = f"greedy, value {value_of(greedy):g}"

    def build():
        model = _facility_model(sim, k)
        _with_hint(model, sim, greedy)
        return model

    raw, built = solve_in_time(_facility_size(sim), build, backend, deadline, threads, params, progress)
    res = finish(raw, value_of, "max", integral, backend, parameters, time.perf_counter() - t0,
                 fallback=greedy)

    def lagrangian():
        start = cover if np.array_equal(res.selection, greedy) else _coverage(sim, res.selection)
        return facility_location_lagrangian(sim, k, start, res.value, deadline, integral)

    res = improve_bound(res, raw, built, lagrangian, deadline, integral)
    return replace(res, stats={**res.stats, "seconds": time.perf_counter() - t0})


def _facility_size(sim: sp.csr_matrix) -> ModelSize:
    """The size of `_facility_model` before it is built: x and z variables, one link row per
    nonzero, one assignment row per element with a nonzero, the cardinality row."""
    n, nnz = sim.shape[0], sim.nnz
    cols = int(np.count_nonzero(np.bincount(sim.indices, minlength=sim.shape[1])))
    return ModelSize(n + nnz, nnz + cols + 1, 3 * nnz + n)


def _coverage(sim: sp.csr_matrix, sel: np.ndarray) -> np.ndarray:
    """Each element's best similarity to the selection (0 when none)."""
    if len(sel) == 0:
        return np.zeros(sim.shape[1])
    return np.asarray(sim[sel].max(axis=0).todense()).ravel()


def facility_location_lagrangian(sim: sp.csr_matrix, k: int, cover: np.ndarray,
                                 incumbent: float | None, deadline: Deadline,
                                 integral: bool) -> tuple[float, int]:
    """Upper bound on facility location by Lagrangian relaxation of the assignment rows
    ``sum_j z_ju <= 1`` (Cornuejols, Fisher, Nemhauser 1977): for any ``lam >= 0``,
    ``L(lam) = sum_u lam_u + (sum of the k largest rho_j)``, ``rho_j = sum_u max(0, sim[j, u] -
    lam_u)``. Started at ``lam = cover`` (each element's value under the incumbent: ``L`` is
    then the incumbent's value plus its k largest marginal gains, the a-posteriori bound) and
    minimized by subgradient steps until ``deadline``; the minimum is the LP bound.
    ``(bound, steps)``.

    Parameters
    ----------
    sim : scipy.sparse.csr_matrix, shape (n, m)
        The similarity.
    k : int
        The number of candidates (>= 1).
    cover : ndarray of float64, shape (m,)
        Each element's value under the incumbent (the starting multipliers).
    incumbent : float or None
        The incumbent's value (the Polyak step aims at it; 0 if None).
    deadline : Deadline
        When to stop.
    integral : bool
        Integer similarities: stop once the rounded-down bound proves the incumbent optimal.

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
    >>> sim = sp.csr_matrix(np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]))
    >>> bound, steps = facility_location_lagrangian(sim, 1, np.array([0.5, 1.0, 0.5]), 2.0, Deadline(None),
    ...                                             integral=False)
    >>> bound
    2.0

    References
    ----------
    .. [1] Cornuejols, Fisher, Nemhauser, "Location of bank accounts to optimize float: an
       analytic study of exact and approximate algorithms", Management Science 23 (1977).
    .. [2] Held, Wolfe, Crowder, "Validation of subgradient optimization", Math.
       Programming 6 (1974).
    """
    n = sim.shape[0]
    rows = np.repeat(np.arange(n), np.diff(sim.indptr))
    data, cols = sim.data, sim.indices
    starts = sim.indptr[:-1]
    empty = np.diff(sim.indptr) == 0
    kk = min(k, n)

    def evaluate(lam):
        excess = data - lam[cols]
        np.maximum(excess, 0.0, out=excess)
        rho = np.add.reduceat(np.r_[excess, 0.0], starts)
        rho[empty] = 0.0
        top = np.argpartition(-rho, kk - 1)[:kk] if kk < n else np.arange(n)
        chosen = np.zeros(n, dtype=bool)
        chosen[top] = True
        inside = chosen[rows] & (excess > 0)
        g = 1.0 - np.bincount(cols[inside], minlength=sim.shape[1])
        return float(lam.sum() + rho[top].sum()), g

    target = float(incumbent) if incumbent is not None else 0.0
    proves = (lambda b: math.floor(b + 1e-6) <= target) if integral else None
    return subgradient(evaluate, cover.astype(np.float64), target, "max", deadline, proves=proves)


def facility_location_lp_bound(similarity: Any, k: int) -> float:
    """Upper bound on facility location: the LP relaxation of the assignment formulation
    (``0 <= x_j <= 1``) solved with GLOP.

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n_candidates, n_elements)
        Non-negative.
    k : int
        At most ``k`` candidates.

    Returns
    -------
    float
        The LP optimum (0.0 for ``k = 0`` or an all-zero matrix).

    Examples
    --------
    >>> import numpy as np
    >>> facility_location_lp_bound(np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]), 1)
    2.0

    References
    ----------
    .. [1] Cornuejols, Fisher, Nemhauser, "Location of bank accounts to optimize float: an
       analytic study of exact and approximate algorithms", Management Science 23 (1977).
    """
    sim = as_nonneg_csr(similarity, "similarity")
    k = as_count(k, "k")
    model = _facility_model(sim, k) if k > 0 else None
    return 0.0 if model is None else lp_value(model)
