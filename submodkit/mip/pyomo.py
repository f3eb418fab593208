"""A second, independent exact backend: the exact models written once in Pyomo, solved by HiGHS.

The models are the ones of :mod:`submodkit.solvers.exact` (OR-Tools), written again from the
plain arrays (no shared model-building code, so a bug in one formulation shows up as a
disagreement between the two backends):

- set cover: ``min sum_j c_j x_j`` s.t. ``sum_{j: u in S_j} x_j >= 1`` for each element;
- weighted maximum coverage: ``max sum_u w_u y_u`` s.t. ``y_u <= sum_{j: u in S_j} x_j``,
  ``0 <= y_u <= 1``, with any of ``sum_j x_j <= k``, ``sum_j c_j x_j <= B`` and
  ``sum_{j in group g} x_j <= cap_g``;
- facility location (assignment form, Cornuejols, Fisher, Nemhauser 1977):
  ``max sum sim[j,u] z_ju`` s.t. ``z_ju <= x_j``, ``sum_j z_ju <= 1``, ``sum_j x_j <= k``.

Solved with HiGHS through ``highspy`` and Pyomo's ``pyomo.contrib.solver`` interface
(``"highs"``; the older ``appsi_highs`` did not stop at its time limit here). A time limit
counts from the call's start: building the Pyomo model and handing it to HiGHS take seconds
of their own (about 4 s for rail507's set cover), so a model whose estimated build exceeds
half of the time left is not built (status ``"timeout"``, no solution, ``reason`` in the
parameters), and HiGHS gets what is left after the build and the hand-off; a time limit
otherwise gives status ``"timeout"`` with the best value and bound found. :func:`export_model` writes
any of the models as an LP or MPS file for any other solver.

Requires ``pyomo`` and ``highspy`` (``pip install pyomo highspy``).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice
from submodkit.errors import InvalidParameterError
from submodkit.mip.model import (
    Deadline,
    ModelSize,
    RawResult,
    as_binary_csr,
    as_count,
    as_nonneg_csr,
    as_vector,
    finish,
    is_integral,
    max_cover_args,
    refuse_model,
)
from submodkit.results import Solution

SOLVER = "pyomo-highs"
PROBLEMS = ("set-cover", "max-cover", "facility-location")
MIP_REL_GAP = 1e-9


def _pyo():
    try:
        import pyomo.environ as pyo
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the Pyomo backend needs `pip install pyomo highspy`") from exc
    return pyo


# ----------------------------------------------------------------------------- models


def set_cover_model(sets: Any, costs: Any = None):
    """The set-cover integer program as a Pyomo ``ConcreteModel`` (variables ``x[j]``).

    Returns None when some element is in no set (the problem is infeasible).
    """
    pyo = _pyo()
    S = as_binary_csr(sets, "sets")
    c = as_vector(costs, S.shape[0], "costs")
    cols = sp.csc_matrix(S)
    if np.any(np.diff(cols.indptr) == 0):
        return None
    n, m = S.shape
    M = pyo.ConcreteModel(name="set-cover")
    M.J = pyo.RangeSet(0, n - 1)
    M.x = pyo.Var(M.J, domain=pyo.Binary)
    M.cost = pyo.Objective(expr=pyo.quicksum(float(c[j]) * M.x[j] for j in range(n)), sense=pyo.minimize)
    members = [cols.indices[cols.indptr[u] : cols.indptr[u + 1]] for u in range(m)]
    M.cover = pyo.Constraint(range(m), rule=lambda M, u: pyo.quicksum(M.x[int(j)] for j in members[u]) >= 1)
    return M


def max_cover_model(
    sets: Any,
    weights: Any = None,
    *,
    k: int | None = None,
    costs: Any = None,
    budget: float | None = None,
    groups: Any = None,
    capacities: Any = None,
):
    """The weighted max-coverage program as a Pyomo ``ConcreteModel`` (``x[j]`` binary,
    ``y[u]`` in [0, 1]); constraints as in :func:`pyomo_max_cover`."""
    pyo = _pyo()
    S, w, k, c, budget, g, caps = max_cover_args(sets, weights, k, costs, budget, groups, capacities)
    n, m = S.shape
    cols = sp.csc_matrix(S)
    M = pyo.ConcreteModel(name="max-cover")
    M.x = pyo.Var(range(n), domain=pyo.Binary)
    M.y = pyo.Var(range(m), bounds=(0, 1))
    M.weight = pyo.Objective(expr=pyo.quicksum(float(w[u]) * M.y[u] for u in range(m)), sense=pyo.maximize)
    members = [cols.indices[cols.indptr[u] : cols.indptr[u + 1]] for u in range(m)]
    M.link = pyo.Constraint(
        range(m), rule=lambda M, u: M.y[u] <= pyo.quicksum(M.x[int(j)] for j in members[u])
    )
    if k is not None:
        M.card = pyo.Constraint(expr=pyo.quicksum(M.x[j] for j in range(n)) <= k)
    if budget is not None:
        M.knapsack = pyo.Constraint(expr=pyo.quicksum(float(c[j]) * M.x[j] for j in range(n)) <= budget)
    if g is not None:
        in_group = [np.flatnonzero(g == gid) for gid in range(len(caps))]
        M.matroid = pyo.Constraint(
            range(len(caps)),
            rule=lambda M, gid: (
                pyo.quicksum(M.x[int(j)] for j in in_group[gid]) <= int(caps[gid])
                if len(in_group[gid]) else pyo.Constraint.Skip
            ),
        )
    return M


def facility_model(similarity: Any, k: int):
    """The facility-location assignment program as a Pyomo ``ConcreteModel``
    (``x[j]`` binary, ``z[e]`` in [0, 1] per nonzero ``e = (j, u)`` of the similarity)."""
    pyo = _pyo()
    sim = as_nonneg_csr(similarity, "similarity")
    k = as_count(k, "k")
    coo = sim.tocoo()
    n = sim.shape[0]
    M = pyo.ConcreteModel(name="facility-location")
    M.x = pyo.Var(range(n), domain=pyo.Binary)
    M.z = pyo.Var(range(coo.nnz), bounds=(0, 1))
    M.value = pyo.Objective(
        expr=pyo.quicksum(float(coo.data[e]) * M.z[e] for e in range(coo.nnz)), sense=pyo.maximize)
    M.open = pyo.Constraint(range(coo.nnz), rule=lambda M, e: M.z[e] <= M.x[int(coo.row[e])])
    by_element: dict[int, list[int]] = {}
    for e, u in enumerate(coo.col.tolist()):
        by_element.setdefault(u, []).append(e)
    keys = sorted(by_element)
    M.assign = pyo.Constraint(keys, rule=lambda M, u: pyo.quicksum(M.z[e] for e in by_element[u]) <= 1)
    M.card = pyo.Constraint(expr=pyo.quicksum(M.x[j] for j in range(n)) <= k)
    return M


# ----------------------------------------------------------------------------- solve


def _solve(M, time_limit: float | None, threads: int, tee: bool) -> tuple[RawResult, float]:
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

    pyo = _pyo()
    solver = SolverFactory("highs")
    if not solver.available():  # pragma: no cover - depends on the environment
        raise ImportError("HiGHS is not available to Pyomo: `pip install highspy`")
    options: dict[str, Any] = {"threads": threads, "tee": tee, "load_solutions": False,
                               "raise_exception_on_nonoptimal_result": False,
                               "solver_options": {"mip_rel_gap": MIP_REL_GAP}}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    t0 = time.perf_counter()
    res = solver.solve(M, **options)
    seconds = time.perf_counter() - t0
    tc = res.termination_condition
    if tc == TerminationCondition.convergenceCriteriaSatisfied:
        status = "optimal"
    elif tc == TerminationCondition.provenInfeasible:
        status = "infeasible"
    elif tc in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit):
        status = "timeout"
    else:
        status = "feasible" if res.solution_status != SolutionStatus.noSolution else "timeout"
    x = None
    if res.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal):
        res.solution_loader.load_vars([M.x[j] for j in M.x])
        x = np.array([pyo.value(M.x[j]) for j in sorted(M.x)], dtype=np.float64)
    bound = res.objective_bound
    if bound is not None and not math.isfinite(bound):
        bound = None
    params = {"termination": str(tc).split(".")[-1], "mip_rel_gap": MIP_REL_GAP,
              "highs_seconds": seconds, "threads": threads}
    return RawResult(x, None if bound is None else float(bound), status, params), seconds


def _check_run(time_limit: Any, threads: Any) -> None:
    from submodkit.mip.model import check_run_args

    check_run_args(time_limit, "auto", threads)


def _not_built(size: ModelSize, deadline: Deadline, parameters: dict, sense: str,
               t0: float) -> Solution | None:
    """The answer when a model of ``size`` should not be built in the time left (the rule of
    the OR-Tools models, :func:`~submodkit.mip.model.refuse_model`, with Pyomo's costs):
    status ``"timeout"``, no solution, the reason in the parameters. None: build it."""
    reason = refuse_model(size, SOLVER, deadline)
    if reason is None:
        return None
    parameters["reason"] = reason
    return Solution.from_exact(None, None, "timeout", np.zeros(0, dtype=np.int64), SOLVER, parameters,
                               time.perf_counter() - t0, sense)


def _highs_seconds(size: ModelSize, deadline: Deadline) -> float | None:
    """HiGHS's own limit: what is left of the call's once the model is built, less the
    estimated hand-off to highspy (which runs before HiGHS's clock starts); None without a limit."""
    left = deadline.left()
    if left is None:
        return None
    return max(left - ModelSize(size.variables, size.rows, size.nonzeros, "hand-off").seconds(SOLVER), 1e-3)


def pyomo_set_cover(
    sets: Any, costs: Any = None, *, time_limit: float | None = None, threads: int = 1, tee: bool = False,
) -> Solution:
    """Minimum-cost set cover solved by Pyomo + HiGHS (same model as
    :func:`submodkit.solvers.cover.exact.exact_set_cover`).

    Args:
        sets: ``(n_sets, n_elements)`` matrix, dense or scipy sparse; nonzero = membership.
        costs: set costs (finite, >= 0); ones when None.
        time_limit: seconds; when hit, status ``"timeout"`` with the best cover and bound.
        threads: HiGHS threads. tee: print the HiGHS log.

    Returns:
        :class:`~submodkit.results.Solution` with ``algorithm="pyomo-highs"``, ``sense="min"``.

    Example:
        >>> r = pyomo_set_cover([[1, 1, 0], [0, 1, 1], [0, 0, 1]], [1, 1, 1])
        >>> r.value, r.status, r.algorithm
        (2.0, 'optimal', 'pyomo-highs')
    """
    t0 = time.perf_counter()
    _check_run(time_limit, threads)
    S = as_binary_csr(sets, "sets")
    c = as_vector(costs, S.shape[0], "costs")
    parameters: dict[str, Any] = {"model": "set-cover"}
    if S.shape[1] == 0:
        return Solution.from_exact(0.0, 0.0, "optimal", np.zeros(0, dtype=np.int64),
                                   SOLVER, parameters, 0.0, "min")
    if np.any(np.bincount(S.indices, minlength=S.shape[1]) == 0):
        parameters["reason"] = "an element belongs to no set"
        return Solution.from_exact(None, None, "infeasible", np.zeros(0, dtype=np.int64), SOLVER, parameters,
                           time.perf_counter() - t0, "min")
    deadline, size = Deadline(time_limit, t0), ModelSize(S.shape[0], S.shape[1], S.nnz)
    if (refused := _not_built(size, deadline, parameters, "min", t0)) is not None:
        return refused
    M = set_cover_model(S, c)
    raw, _ = _solve(M, _highs_seconds(size, deadline), threads, tee)
    return finish(raw, lambda sel: c[sel].sum(), "min", is_integral(c), SOLVER, parameters,
                  time.perf_counter() - t0)


def pyomo_max_cover(
    sets: Any,
    weights: Any = None,
    *,
    k: int | None = None,
    costs: Any = None,
    budget: float | None = None,
    groups: Any = None,
    capacities: Any = None,
    time_limit: float | None = None,
    threads: int = 1,
    tee: bool = False,
) -> Solution:
    """Weighted maximum coverage (cardinality ``k``, knapsack ``costs``/``budget``, partition
    matroid ``groups``/``capacities``, any combination) solved by Pyomo + HiGHS; the same
    model and arguments as :func:`submodkit.solvers.cover.exact.exact_max_cover`.

    Example:
        >>> pyomo_max_cover([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], k=2).value
        4.0
    """
    t0 = time.perf_counter()
    _check_run(time_limit, threads)
    S, w, k, c, budget, g, caps = max_cover_args(sets, weights, k, costs, budget, groups, capacities)
    parameters: dict[str, Any] = {"model": "max-cover", "k": k, "budget": budget}
    if S.shape[0] == 0 or not np.any(w > 0):
        return Solution.from_exact(0.0, 0.0, "optimal", np.zeros(0, dtype=np.int64),
                                   SOLVER, parameters, 0.0, "max")
    n_rows = S.shape[1] + (k is not None) + (budget is not None) + (0 if caps is None else len(caps))
    deadline = Deadline(time_limit, t0)
    size = ModelSize(S.shape[0] + S.shape[1], n_rows, S.nnz + S.shape[1] + 2 * S.shape[0])
    if (refused := _not_built(size, deadline, parameters, "max", t0)) is not None:
        return refused
    M = max_cover_model(S, w, k=k, costs=c, budget=budget, groups=g, capacities=caps)

    def value_of(sel):
        covered = np.asarray(S[sel].sum(axis=0)).ravel() > 0
        return w[covered].sum()

    raw, _ = _solve(M, _highs_seconds(size, deadline), threads, tee)
    return finish(raw, value_of, "max", is_integral(w), SOLVER, parameters, time.perf_counter() - t0)


def pyomo_facility_location(
    similarity: Any, k: int, *, time_limit: float | None = None, threads: int = 1, tee: bool = False,
) -> Solution:
    """Facility location ``max_{|S| <= k} sum_u max_{j in S} sim[j, u]`` solved by Pyomo + HiGHS
    (same model as :func:`submodkit.solvers.submodular.exact.exact_facility_location`).

    Example:
        >>> pyomo_facility_location([[3, 0, 1], [0, 2, 2]], k=1).value
        4.0
    """
    t0 = time.perf_counter()
    _check_run(time_limit, threads)
    sim = as_nonneg_csr(similarity, "similarity")
    k = as_count(k, "k")
    parameters: dict[str, Any] = {"model": "facility-location", "k": k}
    if k == 0 or sim.nnz == 0:
        return Solution.from_exact(0.0, 0.0, "optimal", np.zeros(0, dtype=np.int64),
                                   SOLVER, parameters, 0.0, "max")
    deadline = Deadline(time_limit, t0)
    size = ModelSize(sim.shape[0] + sim.nnz, sim.nnz + sim.shape[1] + 1, 3 * sim.nnz + sim.shape[0])
    if (refused := _not_built(size, deadline, parameters, "max", t0)) is not None:
        return refused
    M = facility_model(sim, k)

    def value_of(sel):
        return 0.0 if len(sel) == 0 else float(sim[sel].max(axis=0).sum())

    raw, _ = _solve(M, _highs_seconds(size, deadline), threads, tee)
    return finish(raw, value_of, "max", is_integral(sim.data), SOLVER, parameters,
                  time.perf_counter() - t0)


# ----------------------------------------------------------------------------- export


def export_model(path: str | os.PathLike, problem: str, *arrays: Any, **constraints: Any) -> Path:
    """Write one of the exact models as an LP (``.lp``) or MPS (``.mps``) file.

    ``problem`` is ``"set-cover"`` (arrays: ``sets, costs``), ``"max-cover"`` (``sets,
    weights``; keywords ``k``, ``costs``/``budget``, ``groups``/``capacities``) or
    ``"facility-location"`` (``similarity, k``). Variables are named ``x[j]`` (selection),
    ``y[u]`` / ``z[e]`` (coverage / assignment), so any solver's answer maps back to the
    selection. Returns the path.

    Example:
        >>> import tempfile, os
        >>> p = export_model(os.path.join(tempfile.mkdtemp(), "m.lp"), "max-cover", [[1, 1], [0, 1]], k=1)
        >>> p.suffix
        '.lp'
    """
    check_choice("problem", problem, PROBLEMS)
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("lp", "mps"):
        raise InvalidParameterError("path", str(path), "a file name ending in .lp or .mps")
    if problem == "set-cover":
        M = set_cover_model(*arrays, **constraints)
        if M is None:
            raise InvalidParameterError("sets", "an element in no set", "a coverable set system")
    elif problem == "max-cover":
        M = max_cover_model(*arrays, **constraints)
    else:
        M = facility_model(*arrays, **constraints)
    M.write(str(path), io_options={"symbolic_solver_labels": True})
    return path
