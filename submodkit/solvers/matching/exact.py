"""Matching as an integer program (OR-Tools): the independent check of the blossom algorithm.

maximize sum_e w_e x_e  subject to  sum_{e ni v} x_e <= 1 for every vertex v, x binary
(with ``maxcardinality``: first maximize the number of edges, then fix it and maximize the
weight). CP-SAT when the weights scale to integers (decimal weights), else SCIP through
``pywraplp``. Exponential in the worst case: for small graphs.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from submodkit._validation import check_choice
from submodkit.guarantees import guarantee
from submodkit.instances.edges import as_edge_list
from submodkit.mip.model import decimal_scale
from submodkit.results import MatchingSolution


def matching_ilp(graph: Any, maxcardinality: bool = False, time_limit: float | None = None,
                 solver: str = "auto"):
    """Maximum-weight matching by integer programming; returns a ``MatchingSolution``.

    ``status`` is ``"optimal"`` when the solver proved optimality, else ``"feasible"`` /
    ``"timeout"``. ``solver``: ``"auto"``, ``"cp-sat"`` or ``"scip"``.

    >>> matching_ilp([(0, 1, 2), (1, 2, 3), (2, 3, 2)]).value
    4.0
    """

    check_choice("solver", solver, ("auto", "cp-sat", "scip"))
    g = as_edge_list(graph)
    t0 = time.perf_counter()
    m = g.u.size
    scale = decimal_scale(g.w) if m else 1
    if solver == "auto":
        solver = "cp-sat" if scale is not None else "scip"
    if solver == "cp-sat" and scale is None:
        solver = "scip"
    mate = np.full(g.n, -1, np.int64)
    status = "optimal"
    if m:
        x, status = (_cpsat if solver == "cp-sat" else _scip)(g, scale, maxcardinality, time_limit)
        chosen = np.flatnonzero(x)
        mate[g.u[chosen]] = g.v[chosen]
        mate[g.v[chosen]] = g.u[chosen]
    stats = {"solver": solver, "seconds": time.perf_counter() - t0, "n_edges": int(m)}
    found = guarantee("matching-exact") if status == "optimal" else None
    return MatchingSolution.from_mate(g, mate, "ilp", found, status, stats)


def _cpsat(g, scale, maxcardinality, time_limit):
    from ortools.sat.python import cp_model

    w = np.round(g.w * scale).astype(np.int64)
    model = cp_model.CpModel()
    x = [model.NewBoolVar(f"x{k}") for k in range(g.u.size)]
    incident: list[list[int]] = [[] for _ in range(g.n)]
    for k in range(g.u.size):
        incident[g.u[k]].append(k)
        incident[g.v[k]].append(k)
    for lst in incident:
        if len(lst) > 1:
            model.AddAtMostOne([x[k] for k in lst])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    if maxcardinality:
        model.Maximize(sum(x))
        st = solver.Solve(model)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return np.zeros(g.u.size, bool), "timeout"
        model.Add(sum(x) == int(round(solver.ObjectiveValue())))
    model.Maximize(sum(int(w[k]) * x[k] for k in range(g.u.size)))
    st = solver.Solve(model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return np.zeros(g.u.size, bool), "timeout"
    vals = np.array([solver.Value(v) for v in x], dtype=bool)
    return vals, "optimal" if st == cp_model.OPTIMAL else "feasible"


def _scip(g, scale, maxcardinality, time_limit):
    from ortools.linear_solver import pywraplp

    s = pywraplp.Solver.CreateSolver("SCIP")
    if time_limit is not None:
        s.SetTimeLimit(int(time_limit * 1000))
    x = [s.BoolVar(f"x{k}") for k in range(g.u.size)]
    incident: list[list[int]] = [[] for _ in range(g.n)]
    for k in range(g.u.size):
        incident[g.u[k]].append(k)
        incident[g.v[k]].append(k)
    for lst in incident:
        if len(lst) > 1:
            s.Add(sum(x[k] for k in lst) <= 1)
    if maxcardinality:
        s.Maximize(sum(x))
        if s.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return np.zeros(g.u.size, bool), "timeout"
        s.Add(sum(x) == int(round(s.Objective().Value())))
    s.Maximize(sum(float(g.w[k]) * x[k] for k in range(g.u.size)))
    st = s.Solve()
    if st not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return np.zeros(g.u.size, bool), "timeout"
    vals = np.array([v.solution_value() > 0.5 for v in x], dtype=bool)
    return vals, "optimal" if st == pywraplp.Solver.OPTIMAL else "feasible"
