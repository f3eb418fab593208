"""Matching as an integer program (OR-Tools): the independent check of the blossom algorithm.

maximize sum_e w_e x_e  subject to  sum_{e ni v} x_e <= 1 for every vertex v, x binary
(with ``maxcardinality``: first maximize the number of edges, then fix it and maximize the
weight). CP-SAT when the weights scale to integers (decimal weights), else SCIP through
``pywraplp``; both through the shared model layer (:mod:`submodkit.mip`), started from the
greedy matching. Exponential in the worst case: for small graphs.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_time_limit
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.edges import EdgeList
from submodkit.mip.model import (
    Deadline,
    LinearModel,
    ModelSize,
    check_solver_range,
    decimal_scale,
    finish,
    is_integral,
    refuse_model,
)
from submodkit.results import MatchingSolution
from submodkit.solvers.matching._graph import compact, expand, read_graph

_MIN_SOLVE_SECONDS = 0.02  # below this (after the estimated build), the solver is not started


def matching_ilp(graph: Any, *, maxcardinality: bool = False, time_limit: float | None = None,
                 solver: str = "auto") -> MatchingSolution:
    """Maximum-weight matching by integer programming.

    Parameters
    ----------
    graph : array_like, scipy sparse matrix, networkx graph or Graph
        Anything :func:`~submodkit.instances.edges.as_edge_list` accepts.
    maxcardinality : bool, default False, keyword-only
        Maximum weight among the maximum-cardinality matchings (two solves: the cardinality,
        then the weight at that cardinality).
    time_limit : float, optional, keyword-only
        Seconds for the whole call, counted from its start: model building included, and
        with ``maxcardinality`` the second solve gets only what the first left. The model is
        not built when its estimated build would take more than half of the time left.
    solver : {"auto", "cp-sat", "scip"}, keyword-only
        ``"auto"``: CP-SAT when the weights scale to integers, else SCIP (so does
        ``"cp-sat"`` with such weights).

    Returns
    -------
    MatchingSolution
        ``status`` ``"optimal"`` when the solver proved optimality (``upper_bound`` =
        ``value``), ``"timeout"`` when the time limit stopped it (or left no time to start
        it): the better of the solver's incumbent and the greedy matching by weight (with
        ``maxcardinality``, after a stopped first solve, the larger of the two), and
        ``upper_bound`` the solver's proven bound when it has one (not after a stopped
        cardinality solve), else half the sum of each vertex's heaviest edge (a bound on
        every matching; ``stats["bound_from"]`` says so). ``stats["parameters"]`` says what
        was run.

    Raises
    ------
    InvalidParameterError
        For an invalid graph, solver or time limit, or weights above the solvers' range.

    Examples
    --------
    >>> matching_ilp([(0, 1, 2), (1, 2, 3), (2, 3, 2)]).value
    4.0
    """
    t0 = time.perf_counter()
    time_limit = check_time_limit(time_limit)
    check_choice("solver", solver, ("auto", "cp-sat", "scip"))
    if not isinstance(maxcardinality, (bool, np.bool_)):
        raise InvalidParameterError("maxcardinality", maxcardinality, "True or False")
    deadline = Deadline(time_limit, t0)
    full = read_graph(graph)
    check_solver_range("weights", full.w)
    g, ids = compact(full)  # many isolated vertices: the model and mate follow the edges
    return expand(_matching_ilp(g, maxcardinality, solver, time_limit, deadline, t0), full, ids)


def _matching_ilp(g: EdgeList, maxcardinality: bool, solver: str, time_limit: float | None,
                  deadline: Deadline, t0: float) -> MatchingSolution:
    """:func:`matching_ilp` on a checked graph with few isolated vertices."""
    m = g.u.size
    scale = decimal_scale(g.w) if m else 1
    if solver == "auto" or (solver == "cp-sat" and scale is None):
        solver = "cp-sat" if scale is not None else "scip"
    params: dict[str, Any] = {"time_limit": time_limit}
    stats: dict[str, Any] = {"solver": solver, "n_edges": int(m), "parameters": params}
    if m == 0:
        return _result(g, np.zeros(0, np.int64), "optimal", 0.0, stats, t0)
    greedy = _greedy(g)
    A = _incidence(g)
    if maxcardinality:
        first = _solve(g, A, np.ones(m), greedy, solver, deadline, "cardinality", params)
        if first.status != "optimal":  # the cardinality is not proven: no weight bound either
            sel = first.selection if first.value is not None and first.value >= greedy.size else greedy
            return _result(g, sel, first.status, None, stats, t0)
        fixed = sp.vstack([A, sp.csr_matrix(np.ones((1, m)))], format="csr")
        k = float(first.selection.size)
        res = _solve(g, fixed, g.w, first.selection, solver, deadline, "weight", params,
                     row_lb=k, row_ub=k)
        best = first.selection
    else:
        res = _solve(g, A, g.w, greedy, solver, deadline, "weight", params)
        best = greedy
    sel, bound, status = best, None, res.status
    if res.value is not None:
        bound = res.upper_bound
        if res.value >= float(g.w[best].sum()):
            sel = res.selection
    value = float(g.w[sel].sum())
    if bound is not None and bound < value - 1e-6 * max(1.0, value):
        params["dropped_bound"], bound = bound, None  # cuts off a matching in hand: not a bound
    if status != "optimal" and bound is not None and bound <= value + 1e-6 * max(1.0, value):
        status = "optimal"
    return _result(g, sel, status, None if bound is None else max(bound, value), stats, t0)


def _solve(g: EdgeList, A: sp.csr_matrix, c: np.ndarray, start: np.ndarray, backend: str,
           deadline: Deadline, phase: str, params: dict[str, Any], row_lb: float | None = None,
           row_ub: float | None = None):
    """One solve of ``max c.x`` over the matchings (``A``: vertex rows, plus, when ``row_lb``
    is given, a last row fixing the cardinality), from the matching ``start`` (edge ids), in
    the time ``deadline`` leaves. A :class:`~submodkit.results.Solution` over the edge ids
    (`finish`: ``start`` when the solver found nothing, status ``"timeout"`` under a limit)."""
    from submodkit.mip.model import RawResult
    from submodkit.mip.ortools import solve_model

    m = g.u.size
    lb = np.full(A.shape[0], -np.inf)
    ub = np.ones(A.shape[0])
    if row_lb is not None:
        lb[-1], ub[-1] = row_lb, row_ub
    hint = np.zeros(m)
    hint[start] = 1.0
    model = LinearModel(c=np.asarray(c, float), A=A, row_lb=lb, row_ub=ub, integer=np.ones(m, bool),
                        sense="max", n_select=m, hint=hint, family="matching")
    size = ModelSize(m, A.shape[0], A.nnz, "matching")
    reason = refuse_model(size, backend, deadline)
    left = deadline.left()
    if reason is None and left is not None and left - size.seconds(backend) < _MIN_SOLVE_SECONDS:
        reason = f"not solved: {max(left, 0.0):.3f} s left"
    if reason is not None:
        status = "timeout" if deadline.end is not None else "feasible"
        raw = RawResult(None, None, status, {"not_solved": reason})
    else:
        raw = solve_model(model, backend, left, 1, None, False)
        if raw.x is None:  # stopped before any solution: its "bound" (0 from both backends) is none
            raw.bound = None
    params[phase] = raw.parameters
    return finish(raw, lambda sel: c[sel].sum(), "max", is_integral(np.asarray(c, float)), backend,
                  {}, 0.0, fallback=start)


def _greedy(g: EdgeList) -> np.ndarray:
    """Edge ids of the greedy maximal matching: heaviest edge first (ties: smallest id)."""
    from submodkit.solvers.matching._kernels import greedy_scan

    order = np.ascontiguousarray(np.argsort(-g.w, kind="stable"))
    mate = greedy_scan(g.n, g.u, g.v, order)
    return np.flatnonzero(mate[g.u] == g.v).astype(np.int64)


def _incidence(g: EdgeList) -> sp.csr_matrix:
    """Vertex-edge incidence matrix, rows of the vertices with at least two edges."""
    m = g.u.size
    ends = np.concatenate([g.u, g.v])
    A = sp.csr_matrix((np.ones(2 * m), (ends, np.tile(np.arange(m), 2))), shape=(g.n, m))
    return A[np.flatnonzero(np.diff(A.indptr) > 1)]


def _result(g: EdgeList, sel: np.ndarray, status: str, bound: float | None, stats: dict[str, Any],
            t0: float) -> MatchingSolution:
    mate = np.full(g.n, -1, np.int64)
    mate[g.u[sel]] = g.v[sel]
    mate[g.v[sel]] = g.u[sel]
    stats["seconds"] = time.perf_counter() - t0
    found = guarantee("matching-exact") if status == "optimal" else None
    if status != "optimal" and bound is None and g.u.size:  # a bound without the solver's
        bound, stats["bound_from"] = _vertex_bound(g), "half of each vertex's heaviest edge"
    sol = MatchingSolution.from_mate(g, mate, "ilp", found, status, stats)
    if status == "optimal":
        bound = sol.value
    return replace(sol, upper_bound=None if bound is None else max(bound, sol.value))


def _vertex_bound(g: EdgeList) -> float:
    """``sum_v max_{e at v} w_e / 2``: at least the weight of every matching (each matched
    edge weighs at most the mean of its ends' heaviest edges). O(n + m)."""
    heaviest = np.zeros(g.n)
    np.maximum.at(heaviest, g.u, g.w)
    np.maximum.at(heaviest, g.v, g.w)
    return float(heaviest.sum() / 2)
