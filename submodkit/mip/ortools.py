"""Backends of the exact models: CP-SAT (``cp_model``), MIP solvers through ``pywraplp``
(SCIP, HiGHS, CBC) and GLOP for LP relaxations. Each takes a
:class:`~submodkit.mip.model.LinearModel` and returns a
:class:`~submodkit.mip.model.RawResult` with the solver status mapped to
``optimal`` / ``feasible`` / ``infeasible`` / ``timeout``.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.mip.model import (
    _TOL,
    MAX_COEFFICIENT,
    Deadline,
    LinearModel,
    ModelSize,
    RawResult,
    decimal_scale,
    merge_bound,
    refuse_model,
)

MIP_NAMES = {"scip": "SCIP", "highs": "HIGHS", "cbc": "CBC"}


def cpsat_defaults(threads: int) -> dict[str, Any]:
    """CP-SAT parameters by worker count, measured on this 2-core machine
    (scripts/bench_exact.py): one worker needs ``linearization_level=2`` (it proves the
    OR-Library set-cover optima in 0.2-2 s); two workers with CP-SAT's default portfolio
    found no bound at all in 60 s (0 on every scp instance), ``max_lp`` + ``core`` fixes it.
    More workers: CP-SAT's own portfolio (not measurable here)."""
    if threads == 1:
        return {"linearization_level": 2}
    if threads == 2:
        return {"subsolvers": ["max_lp", "core"]}
    return {}
MIP_RELATIVE_GAP = 1e-9
_INT_BIG = 2**62


# ----------------------------------------------------------------------------- CP-SAT


def _cpsat_rows(model: LinearModel):
    """Integer rows for CP-SAT: ``(coeffs, lb, ub)`` with each non-integer row of A and its
    bounds scaled by the smallest exact power of ten, or None when a row does not scale."""
    A = model.A
    coeffs = A.data.copy()
    lb = model.row_lb.astype(float).copy()
    ub = model.row_ub.astype(float).copy()
    off = (coeffs != np.round(coeffs)) | (np.abs(coeffs) >= 2**50)
    bad_rows = np.unique(np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))[off])
    for i in bad_rows.tolist():  # only the rows that are not integral already
        lo, hi = A.indptr[i], A.indptr[i + 1]
        row = coeffs[lo:hi]
        s = decimal_scale(row)
        if s is None:
            return None
        coeffs[lo:hi] = np.round(row * s)
        lb[i] *= s
        ub[i] *= s
    return np.round(coeffs).astype(np.int64), lb, ub


def solve_cpsat(
    model: LinearModel,
    time_limit: float | None,
    threads: int,
    params: Mapping[str, Any] | None,
    progress: bool,
) -> RawResult:
    """Solve with CP-SAT: every variable Boolean; integer rows (decimal rows scaled by 10^d);
    an integer objective when the costs scale to integers, CP-SAT's floating-point objective
    otherwise."""
    from ortools.sat.python import cp_model

    entered = time.perf_counter()
    rows = _cpsat_rows(model)
    if rows is None:
        raise InvalidParameterError(
            "solver", "cp-sat", "a MIP backend (scip/highs): constraint coefficients are not "
            "decimals CP-SAT can scale to integers exactly")
    coeffs, lb, ub = rows
    A = model.A
    n = len(model.c)
    m = cp_model.CpModel()
    for i in range(n):
        m.new_bool_var(f"x{i}")
    proto = m.proto
    for i in range(A.shape[0]):
        lo, hi = A.indptr[i], A.indptr[i + 1]
        con = proto.constraints.add()
        con.linear.vars.extend(A.indices[lo:hi].tolist())
        con.linear.coeffs.extend(coeffs[lo:hi].tolist())
        lo_b = -_INT_BIG if lb[i] == -np.inf else math.ceil(lb[i] - _TOL)
        hi_b = _INT_BIG if ub[i] == np.inf else math.floor(ub[i] + _TOL)
        con.linear.domain.extend([lo_b, hi_b])
    nz = np.flatnonzero(model.c)
    scale = decimal_scale(model.c[nz]) if nz.size else 1
    objective = "integer"
    if scale is not None:
        obj = proto.objective
        obj.vars.extend(nz.tolist())
        sign = -1 if model.sense == "max" else 1  # CP-SAT's integer objective minimizes
        obj.coeffs.extend((sign * np.round(model.c[nz] * scale)).astype(np.int64).tolist())
        obj.scaling_factor = sign / scale
        obj.offset = sign * model.offset * scale
        if scale != 1:
            objective = f"integer (costs scaled by {scale})"
    else:
        fobj = proto.floating_point_objective
        fobj.vars.extend(nz.tolist())
        fobj.coeffs.extend(model.c[nz].tolist())
        fobj.offset = model.offset
        fobj.maximize = model.sense == "max"
        objective = "floating-point (scaled internally by CP-SAT)"

    if model.hint is not None:  # a complete feasible point: CP-SAT starts from it
        proto.solution_hint.vars.extend(range(n))
        proto.solution_hint.values.extend(np.round(model.hint).astype(np.int64).tolist())

    solver = cp_model.CpSolver()
    used: dict[str, Any] = {"num_workers": threads}
    used.update(cpsat_defaults(threads))
    if time_limit is not None:
        used["max_time_in_seconds"] = _solver_seconds(model, "cp-sat", time_limit, entered)
    used.update(dict(params or {}))
    for key, val in used.items():
        try:
            if isinstance(val, list | tuple):  # repeated fields, e.g. subsolvers
                field = getattr(solver.parameters, key)
                field.clear()
                field.extend(val)
            else:
                setattr(solver.parameters, key, val)
        except (AttributeError, TypeError, ValueError) as exc:
            raise InvalidParameterError("params", {key: val}, f"a CP-SAT parameter ({exc})") from None
    callback = _cpsat_callback(model.sense, progress, model.known_bound) \
        if progress or model.known_bound is not None else None
    try:
        status = solver.solve(m, callback)
    finally:
        if callback is not None:
            callback.close()
    parameters = {"backend": "cp-sat", **used, "objective": objective}
    if callback is not None and callback.met:
        parameters["stopped"] = f"the incumbent met the known bound {model.known_bound:g}"
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT rejected the model: {m.validate()}")
    if status == cp_model.INFEASIBLE:
        return RawResult(None, None, "infeasible", parameters)
    bound = float(solver.best_objective_bound)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        x = np.asarray(list(solver.response_proto.solution)[: model.n_select], dtype=float)
        if status == cp_model.OPTIMAL:
            st = "optimal"
        else:
            st = "timeout" if time_limit is not None else "feasible"
        return RawResult(x, bound, st, parameters)
    if status == cp_model.UNKNOWN:
        # stopped before any solution: CP-SAT then reports a "bound" of 0 whatever the model
        # (measured on a maximization worth thousands), so there is no bound
        return RawResult(None, None, "timeout", parameters)
    raise RuntimeError(f"CP-SAT returned status {solver.status_name(status)}")


def _cpsat_callback(sense: str, progress: bool, known_bound: float | None):
    """A CP-SAT solution callback: with ``progress``, a tqdm line on stderr with incumbent
    and bound; with ``known_bound`` (a bound proven outside the model), the search stops at
    the first incumbent meeting it (``met``), which is then optimal."""
    from ortools.sat.python import cp_model

    class _Callback(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.met = False
            self.t0 = time.perf_counter()
            self.bar = None
            if progress:
                from tqdm import tqdm

                self.bar = tqdm(desc=f"cp-sat ({sense})", unit=" sol", leave=True)

        def on_solution_callback(self):
            value = self.objective_value
            if self.bar is not None:
                self.bar.set_postfix(value=f"{value:g}", bound=f"{self.best_objective_bound:g}",
                                     s=f"{time.perf_counter() - self.t0:.1f}")
                self.bar.update(1)
            if known_bound is not None:
                tol = _TOL * max(1.0, abs(value))
                if (value <= known_bound + tol) if sense == "min" else (value >= known_bound - tol):
                    self.met = True
                    self.stop_search()

        def close(self):
            if self.bar is not None:
                self.bar.close()

    return _Callback()


# ----------------------------------------------------------------------------- MIP / LP


def mp_model_proto(model: LinearModel, relax: bool, hint: bool):
    """The ``MPModelProto`` of ``model``, filled from its arrays in compiled code
    (``ModelBuilderHelper.fill_model_from_sparse_data``: about 10x faster than adding the
    variables and rows one by one in Python, which took 2.4 s for 750,000 nonzeros)."""
    from ortools.linear_solver.python import model_builder_helper as mbh

    helper = mbh.ModelBuilderHelper()
    nv = len(model.c)
    A = sp.csr_matrix(model.A, dtype=np.float64)
    helper.fill_model_from_sparse_data(
        np.zeros(nv), np.ones(nv), np.ascontiguousarray(model.c, dtype=np.float64),
        np.ascontiguousarray(model.row_lb, dtype=np.float64),
        np.ascontiguousarray(model.row_ub, dtype=np.float64), A,
    )
    proto = mbh.to_mpmodel_proto(helper)
    proto.maximize = model.sense == "max"
    proto.objective_offset = model.offset
    if not relax:
        variables = proto.variable
        for i in np.flatnonzero(model.integer).tolist():
            variables[i].is_integer = True
    if hint and model.hint is not None and not relax:
        proto.solution_hint.var_index.extend(range(nv))
        proto.solution_hint.var_value.extend(model.hint.astype(float).tolist())
    return proto


def solve_mip(
    model: LinearModel,
    backend: str,
    time_limit: float | None,
    threads: int,
    params: str | None,
    relax: bool = False,
) -> RawResult:
    """Solve with a ``pywraplp`` backend (``SCIP``, ``HIGHS``, ``CBC``; ``GLOP`` for the LP).

    The answer's ``bound`` is the solver's best bound only when it returned a solution
    (status optimal or feasible) and that bound is finite and on the far side of its
    incumbent; stopped before any solution, there is neither solution nor bound. For the
    LP (``relax``) it is the LP optimum, meaningful when the status is ``optimal``."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    entered = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver(backend)
    if solver is None:
        raise InvalidParameterError("solver", backend.lower(), "a backend built into OR-Tools")
    # OR-Tools 9.15: a solution hint makes HiGHS segfault in Solve (measured), so HiGHS runs
    # without one
    hint = backend != "HIGHS" and model.hint is not None
    err = solver.LoadModelFromProto(mp_model_proto(model, relax, hint))
    if err:
        raise RuntimeError(f"{backend} rejected the model: {err}")
    used: dict[str, Any] = {"backend": backend.lower(), "hint_passed": hint}
    if time_limit is not None:
        limit = _solver_seconds(model, backend.lower(), time_limit, entered)
        solver.SetTimeLimit(max(1, int(math.ceil(limit * 1000))))
        used["time_limit_s"] = round(limit, 3)
    if threads != 1:
        used["num_threads"] = threads
        used["num_threads_accepted"] = bool(solver.SetNumThreads(threads))
    if backend == "HIGHS":
        # silences HiGHS's banner on stdout; pywraplp returns False for HiGHS strings even
        # when it applies them, so HiGHS parameters are not checked
        solver.SetSolverSpecificParametersAsString("\n".join(["output_flag=false", params or ""]))
    elif params:
        if not solver.SetSolverSpecificParametersAsString(params):
            raise InvalidParameterError("params", params, f"parameters {backend} accepts")
    if params:
        used["solver_specific"] = params
    sp_params = pywraplp.MPSolverParameters()
    if not relax:
        sp_params.SetDoubleParam(sp_params.RELATIVE_MIP_GAP, MIP_RELATIVE_GAP)
        used["relative_mip_gap"] = MIP_RELATIVE_GAP
    if backend == "CBC":  # Cbc's preprocessing prints to the C stdout whatever we ask
        with _c_stdout_silenced():
            status = solver.Solve(sp_params)
    else:
        status = solver.Solve(sp_params)
    if status == pywraplp.Solver.INFEASIBLE:
        return RawResult(None, None, "infeasible", used)
    if status in (pywraplp.Solver.ABNORMAL, pywraplp.Solver.MODEL_INVALID,
                  pywraplp.Solver.UNBOUNDED):
        raise RuntimeError(f"{backend} returned status {status} on the model")
    solved = status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    bound = None
    if not relax and solved:
        # Only a solved model's best bound means anything: stopped before any solution, SCIP
        # returns NOT_SOLVED with a "bound" of 0 (measured: 0 on a max problem whose
        # solutions are worth ~29), HiGHS status 99 (unknown) and 0. SCIP without a dual
        # bound returns -/+1e20; a bound on the wrong side of the solver's own incumbent is
        # none (`finish` checks it again against the value recomputed from the data).
        b = float(solver.Objective().BestBound())
        incumbent = float(solver.Objective().Value())
        wrong = (incumbent - b) if model.sense == "max" else (b - incumbent)
        if math.isfinite(b) and abs(b) < 1e19 and wrong <= _TOL * max(1.0, abs(incumbent)):
            bound = b
    if solved:
        resp = linear_solver_pb2.MPSolutionResponse()
        solver.FillSolutionResponseProto(resp)
        x = np.asarray(resp.variable_value, dtype=float)
        if relax:
            bound = float(solver.Objective().Value())
        else:
            x = x[: model.n_select]
        st = "optimal" if status == pywraplp.Solver.OPTIMAL else (
            "timeout" if time_limit is not None else "feasible")
        return RawResult(x, bound, st, used)
    # NOT_SOLVED (or HiGHS's 99, unknown): stopped before any solution, i.e. by the limit;
    # no bound (the caller adds its own: greedy start, Lagrangian, LP)
    return RawResult(None, None, "timeout" if time_limit is not None else "feasible", used)


@contextlib.contextmanager
def _c_stdout_silenced():
    """Point file descriptor 1 at /dev/null for the duration (C-level prints included)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no usable fd 1 (embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _check_model_range(model: LinearModel) -> None:
    bounds = np.r_[model.row_lb, model.row_ub]
    for name, values in (("objective", model.c), ("coefficients", model.A.data),
                         ("row bounds", bounds[np.isfinite(bounds)])):
        if values.size and not float(np.max(np.abs(values))) <= MAX_COEFFICIENT:
            raise InvalidParameterError(
                f"model {name}", float(np.max(np.abs(values))),
                f"numbers of absolute value at most {MAX_COEFFICIENT:g} (the LP/MIP solvers' range)")


def _solver_seconds(model: LinearModel, backend: str, time_limit: float, entered: float) -> float:
    """The limit to hand the solver's own clock so that the whole call, ``time_limit`` seconds
    from ``entered``, ends in time: what is left after building, less the estimated time the
    backend spends before its clock starts (pywraplp extracts the model inside ``Solve``;
    SCIP took 2.5 s there on 750,000 nonzeros). At least 10 ms."""
    size = ModelSize(len(model.c), model.A.shape[0], model.A.nnz, model.family)
    spent = time.perf_counter() - entered
    ahead = max(0.0, size.seconds(backend) - spent)
    return max(0.01, time_limit - spent - ahead)


def lp_value(model: LinearModel, time_limit: float | None = None) -> float | None:
    """Optimum of the LP relaxation of ``model`` with GLOP (``inf``/``-inf`` when infeasible);
    None when GLOP does not finish within ``time_limit`` seconds (a primal point of an
    unfinished LP bounds nothing)."""
    raw = solve_mip(model, "GLOP", time_limit, 1, None, relax=True)
    if raw.status == "infeasible":
        return math.inf if model.sense == "min" else -math.inf
    if raw.status != "optimal":
        if time_limit is not None:
            return None
        raise RuntimeError(f"GLOP stopped with status {raw.status}")
    return float(raw.bound)


def solve_model(
    model: LinearModel,
    backend: str,
    time_limit: float | None,
    threads: int,
    params: Any,
    progress: bool,
) -> RawResult:
    """Dispatch to CP-SAT or a MIP backend; ``backend`` is already resolved (not ``auto``).
    Every coefficient and finite row bound must be within `MAX_COEFFICIENT` (the callers
    check their data by name; this is the last line, naming the model)."""
    _check_model_range(model)
    if backend == "cp-sat":
        if params is not None and not isinstance(params, Mapping):
            raise InvalidParameterError("params", params, "a dict of CP-SAT parameters")
        return solve_cpsat(model, time_limit, threads, params, progress)
    if params is not None and not isinstance(params, str):
        raise InvalidParameterError("params", params, f"a {backend} parameter string")
    if progress:
        print(f"solving with {backend} (no incumbent reports from this backend)...",
              file=sys.stderr, flush=True)
    return solve_mip(model, MIP_NAMES[backend], time_limit, threads, params)


# Of the time left when the solver starts, the share kept for the Lagrangian bound and the
# result after a timeout (at most this many seconds).
BOUND_RESERVE = (0.25, 3.0)
_MIN_SOLVE_SECONDS = 0.02


def solve_in_time(
    size: ModelSize,
    build: Callable[[], LinearModel],
    backend: str,
    deadline: Deadline,
    threads: int,
    params: Any,
    progress: bool,
) -> tuple[RawResult, LinearModel | None]:
    """Build the model with ``build()`` and solve it within ``deadline``, or refuse to.

    The model is refused, unbuilt, when its estimated size (`ModelSize`) does not fit in
    memory or its build would take more than half of the time left, or when no time is left
    for the solver; the answer is then a `RawResult` without a solution (status ``timeout``
    under a time limit, else ``feasible``), ``parameters["not_solved"]`` says why, and the caller
    returns its greedy start with a Lagrangian bound. The solver's own limit leaves
    `BOUND_RESERVE` of the time for the bounds of `improve_bound`. Returns the answer and the
    model (None when refused).
    """
    reason = refuse_model(size, backend, deadline)
    budget = deadline.split(*BOUND_RESERVE)
    if reason is None and budget is not None and budget - size.seconds(backend) < _MIN_SOLVE_SECONDS:
        reason = f"not solved: {max(deadline.left() or 0.0, 0.0):.2f} s left after the greedy start"
    if reason is not None:
        status = "timeout" if deadline.end is not None else "feasible"
        return RawResult(None, None, status, {"backend": backend, "not_solved": reason,
                                              "time_limit": deadline.limit}), None
    model = build()
    raw = solve_model(model, backend, deadline.split(*BOUND_RESERVE), threads, params, progress)
    raw.parameters["time_limit"] = deadline.limit
    return raw, model


def improve_bound(
    result,
    raw: RawResult,
    model: LinearModel | None,
    lagrangian: Callable[[], tuple[float, int]],
    deadline: Deadline,
    integral: bool,
):
    """After a solve that did not prove optimality under a time limit (or a refused model),
    the best bound known from the other sources, in the time left: the Lagrangian bound
    (``lagrangian()``, fast, at least as tight as the a-posteriori greedy bound, converging
    towards the LP bound), then, when time remains and the model was built, the LP
    relaxation itself with GLOP. Each is merged with `merge_bound`."""
    if result.status in ("optimal", "infeasible"):
        return result
    if deadline.end is None and "not_solved" not in raw.parameters:
        return result  # ran to its end without a limit: nothing to add
    bound, steps = lagrangian()
    result = merge_bound(result, bound, f"lagrangian ({steps} subgradient steps)", integral)
    left = deadline.left()
    if model is not None and result.status != "optimal" and (left is None or left > _MIN_LP_SECONDS):
        lp = lp_value(model, left)
        if lp is not None:
            result = merge_bound(result, lp, "LP relaxation (GLOP)", integral)
    return result


_MIN_LP_SECONDS = 0.05
