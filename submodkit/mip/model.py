"""Shared plumbing of the exact models: input validation, the one linear model type and
the mapping of a backend's raw answer to an :class:`~submodkit.results.Solution`.

Every model in :mod:`submodkit.solvers.exact` is written once as a :class:`LinearModel`
(``lb <= A x <= ub``, bounds ``0 <= x <= 1``, some variables integer, a linear objective)
and handed to :func:`submodkit.mip.ortools.solve_model`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_time_limit, check_vector
from submodkit.errors import InvalidParameterError

SOLVERS = ("auto", "cp-sat", "scip", "highs", "cbc")
_TOL = 1e-6
# The largest |coefficient| a model may hold. The LP/MIP solvers treat 1e20 as infinity (SCIP
# refuses such an objective; GLOP, SCIP and HiGHS reject 1e300 outright) and work to absolute
# tolerances of 1e-9 to 1e-6; CP-SAT needs its scaled integer objective inside int64. Measured
# here on a set cover with costs (c, 1, 1, 2): every backend optimal and right up to c = 1e16,
# CP-SAT wrong ("optimal" 4 instead of 3) at 1e19, SCIP refusing at 1e20. Scaling by a power
# of two is exact in floating point but not lossless for the solvers: the entries it shrinks
# fall under their absolute tolerances, and an optimality claim on the scaled model would no
# longer hold for the data. So larger numbers are refused, not scaled (the sum-min LP, whose
# rows hold no data, is the one model scaled: see `sum_min_lp`).
MAX_COEFFICIENT = 1e15
_CLAIM_TOL = 1e-4  # CP-SAT's absolute gap on a floating-point objective


# ----------------------------------------------------------------------------- validation


def as_binary_csr(a: Any, name: str) -> sp.csr_matrix:
    """``a`` (dense or sparse, 2-D) as a CSR 0/1 matrix: nonzero entries mean membership."""
    m = _as_csr(a, name)
    if m.nnz and not np.all(np.isfinite(m.data)):
        raise InvalidParameterError(name, a, "a 2-D 0/1 matrix without NaN or inf")
    m.eliminate_zeros()
    m.data = np.ones(m.nnz, dtype=np.float64)
    return m


def as_nonneg_csr(a: Any, name: str) -> sp.csr_matrix:
    """``a`` (dense or sparse, 2-D) as a CSR float matrix with finite entries >= 0."""
    m = _as_csr(a, name)
    if m.nnz and (not np.all(np.isfinite(m.data)) or np.any(m.data < 0)):
        raise InvalidParameterError(name, a, "a 2-D matrix of finite non-negative numbers")
    check_solver_range(name, m.data)
    m.eliminate_zeros()
    return m


def _as_csr(a: Any, name: str) -> sp.csr_matrix:
    if sp.issparse(a):
        if a.ndim != 2:
            raise InvalidParameterError(name, a, "a 2-D matrix")
        m = sp.csr_matrix(a, dtype=np.float64, copy=True)
    else:
        try:
            arr = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(name, a, "a 2-D numeric matrix") from None
        if arr.ndim != 2:
            raise InvalidParameterError(name, a, "a 2-D matrix (rows are sets)")
        # row by row from a mask: ~3x faster than scipy's COO round trip on dense matrices,
        # and no search at all when every entry is nonzero (similarity kernels)
        mask = arr != 0  # NaN kept (the callers refuse it)
        rows, cols = arr.shape
        if mask.size and mask.all():
            index = np.int32 if mask.size < 2**31 else np.int64  # scipy's own choice
            indptr = np.arange(0, rows * cols + 1, cols, dtype=index)
            m = sp.csr_matrix((arr.ravel().copy(), np.tile(np.arange(cols, dtype=index), rows), indptr),
                              shape=arr.shape)
        else:
            indptr = np.r_[0, np.cumsum(mask.sum(axis=1))].astype(np.int64)
            m = sp.csr_matrix((arr[mask], np.nonzero(mask)[1], indptr), shape=arr.shape)
        m.has_sorted_indices = True
    m.sum_duplicates()
    m.sort_indices()
    return m


def as_vector(v: Any, n: int, name: str, default: float = 1.0) -> np.ndarray:
    """``v`` as a float vector of length ``n`` with finite entries >= 0 (``default`` if None),
    each at most `MAX_COEFFICIENT` (see `check_solver_range`)."""
    if v is None:
        return np.full(n, default, dtype=np.float64)
    return check_solver_range(name, check_vector(name, v, n))


def check_solver_range(name: str, values: np.ndarray, limit: float = MAX_COEFFICIENT) -> np.ndarray:
    """Raise `InvalidParameterError` naming the first entry of ``values`` (any shape) above
    ``limit`` in absolute value: a number the LP/MIP solvers cannot represent faithfully
    (see `MAX_COEFFICIENT`). Returns ``values``."""
    flat = np.asarray(values).ravel()
    if flat.size and float(np.max(np.abs(flat))) > limit:
        bad = int(np.flatnonzero(np.abs(flat) > limit)[0])
        where = f"{name}[{bad}]" if np.ndim(values) == 1 else name
        raise InvalidParameterError(
            where, float(flat[bad]),
            f"a number of absolute value at most {limit:g} (the limit of the LP/MIP solvers: they "
            "treat 1e20 as infinity and work to fixed tolerances)")
    return values


def as_count(v: Any, name: str) -> int:
    """A non-negative integer (``bool`` rejected)."""
    return check_int(name, v)


def as_nonneg_real(v: Any, name: str) -> float:
    return check_real(name, v, minimum=0.0)


def check_run_args(time_limit: Any, solver: Any, threads: Any) -> tuple[float | None, str, int]:
    time_limit = check_time_limit(time_limit)
    if solver not in SOLVERS:
        raise InvalidParameterError("solver", solver, f"one of {', '.join(SOLVERS)}")
    if isinstance(threads, bool) or not isinstance(threads, Integral) or threads < 1:
        raise InvalidParameterError("threads", threads, "an integer >= 1")
    return time_limit, solver, int(threads)


def is_integral(a: np.ndarray) -> bool:
    return bool(np.all(a == np.round(a))) and (a.size == 0 or float(np.max(np.abs(a))) < 2**50)


def decimal_scale(a: np.ndarray, max_digits: int = 6) -> int | None:
    """Smallest ``10**d`` (``d <= max_digits``) making every entry of ``a`` an integer, or None.

    Entries count as integers when within 1e-9 (relative) of one: decimal inputs such as
    ``0.1`` or ``2.35`` scale exactly, random floats do not.
    """
    for d in range(max_digits + 1):
        s = a * 10.0**d
        r = np.round(s)
        if np.all(np.abs(s - r) <= 1e-9 * np.maximum(1.0, np.abs(s))):
            if a.size and float(np.max(r)) * max(1, a.size) >= 2**53:
                return None
            return 10**d
    return None


# ----------------------------------------------------------------------------- model


@dataclass
class LinearModel:
    """``optimize c.x + offset`` s.t. ``row_lb <= A x <= row_ub``, ``0 <= x <= 1``.

    The first ``n_select`` variables are the selection (one per set / candidate);
    ``integer[i]`` says whether variable ``i`` must be 0/1 in the MIP (CP-SAT makes every
    variable Boolean, which changes nothing for these models: their continuous variables
    take 0/1 values at some optimum).
    """

    c: np.ndarray
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    integer: np.ndarray
    sense: str
    n_select: int
    offset: float = 0.0
    hint: np.ndarray | None = None  # a feasible 0/1 point (all variables), e.g. greedy
    known_bound: float | None = None  # proven outside the model: CP-SAT stops at an incumbent meeting it
    family: str = ""  # a model family with its own measured build time (`ModelSize`), e.g. "matching"


def stack_rows(blocks: list[tuple[sp.spmatrix, np.ndarray, np.ndarray]], n: int):
    """Stack ``(A_i, lb_i, ub_i)`` row blocks into one CSR with bounds."""
    blocks = [b for b in blocks if b[0].shape[0]]
    if not blocks:
        return sp.csr_matrix((0, n)), np.zeros(0), np.zeros(0)
    A = sp.vstack([sp.csr_matrix(b[0]) for b in blocks], format="csr")
    lb = np.concatenate([np.broadcast_to(np.asarray(b[1], float), b[0].shape[0]) for b in blocks])
    ub = np.concatenate([np.broadcast_to(np.asarray(b[2], float), b[0].shape[0]) for b in blocks])
    return A, lb, ub


@dataclass
class RawResult:
    x: np.ndarray | None  # values of the selection variables, or None without a solution
    bound: float | None  # solver's best bound on the optimum (model units, offset included)
    status: str  # optimal, feasible, infeasible, timeout
    parameters: dict[str, Any]


def finish(
    raw: RawResult,
    value_of,
    sense: str,
    integral_objective: bool,
    solver: str,
    parameters: dict[str, Any],
    seconds: float,
    fallback: np.ndarray | None = None,
):
    """Build the :class:`Solution` from a backend's answer.

    The selection comes from ``raw.x`` (or, when the solver stopped without any solution,
    from ``fallback``: the greedy hint it was given); the value is recomputed from the data
    with ``value_of(selection)``; an integral objective rounds the bound to an integer. A
    bound on the wrong side of the value by more than a tolerance is dropped (None) rather
    than trusted; within the tolerance it is clamped; value meeting bound means optimal.
    """
    from submodkit.results import Solution

    params = {**raw.parameters, **parameters}
    bound = raw.bound
    if bound is not None and integral_objective:
        bound = math.floor(bound + _TOL) if sense == "max" else math.ceil(bound - _TOL)
    x = raw.x
    if x is None and fallback is not None and raw.status in ("timeout", "feasible"):
        x = np.zeros(int(max(fallback.max(initial=-1) + 1, 0)))
        x[fallback] = 1.0
        params["incumbent"] = "greedy hint (the solver returned no solution)"
    if x is None:
        return Solution.from_exact(None, bound, raw.status, np.zeros(0, dtype=np.int64), solver,
                           params, seconds, sense)
    selection = np.flatnonzero(x > 0.5).astype(np.int64)
    value = float(value_of(selection))
    tol = _TOL * max(1.0, abs(value))
    status = raw.status
    if bound is not None:
        wrong = value - bound if sense == "max" else bound - value
        if wrong > tol:
            params["dropped_bound"] = bound
            bound = None
            if status == "optimal":
                status = "feasible"
        else:
            bound = max(bound, value) if sense == "max" else min(bound, value)
    if status == "optimal" and bound is None:
        bound = value
    elif bound is not None and abs(bound - value) <= tol:
        status = "optimal"
    elif status == "optimal" and abs(bound - value) > max(tol, _CLAIM_TOL * max(1.0, abs(value))):
        # the solver claims optimality but its own bound says otherwise (a floating-point
        # objective scaled beyond its precision): not proven
        params["solver_status"] = "optimal"
        status = "feasible"
    return Solution.from_exact(value, None if bound is None else float(bound), status, selection,
                       solver, params, seconds, sense)



# ----------------------------------------------------------------------------- time and bounds


class Deadline:
    """The end of a time budget (``time.perf_counter()`` seconds) that every phase of a solve
    (greedy, model build, LP or Lagrangian bound, solver) checks, so model building and
    bounding count against the limit, not only the solver.

    ``Deadline(None)`` never expires.
    """

    def __init__(self, time_limit: float | None, start: float | None = None):
        self.limit = time_limit
        self.start = time.perf_counter() if start is None else start
        self.end = None if time_limit is None else self.start + time_limit

    def left(self) -> float | None:
        """Seconds left (may be negative), or None without a limit."""
        return None if self.end is None else self.end - time.perf_counter()

    def expired(self) -> bool:
        return self.end is not None and time.perf_counter() >= self.end

    def split(self, reserve_fraction: float, reserve_max: float) -> float | None:
        """Seconds for a phase that must leave ``min(reserve_fraction * left, reserve_max)``
        seconds to the phases after it (None without a limit; never below 0)."""
        left = self.left()
        if left is None:
            return None
        return max(0.0, left - min(reserve_fraction * max(left, 0.0), reserve_max))


def merge_bound(result, bound: float | None, source: str, integral: bool = False):
    """``result`` (a :class:`~submodkit.results.Solution`) with the better of its bound and
    ``bound``, a proven bound on the optimum from elsewhere (LP, Lagrangian, a-posteriori);
    status ``optimal`` when the bound meets the value. ``integral``: the objective takes
    integer values only, so the bound is rounded (down for maximization, up for
    minimization)."""
    if bound is None or not math.isfinite(bound):
        return result
    if integral:
        bound = math.floor(bound + _TOL) if result.sense == "max" else math.ceil(bound - _TOL)
    better = result.bound is None or (bound < result.bound if result.sense == "max" else bound > result.bound)
    if not better:
        return result
    params = {**result.stats.get("parameters", {}), "bound_source": source}
    status = result.status
    if result.value is not None:
        tol = _TOL * max(1.0, abs(result.value))
        wrong = result.value - bound if result.sense == "max" else bound - result.value
        if wrong > tol:  # a "bound" cutting off a solution in hand is not one: keep ours
            return result
        bound = max(bound, result.value) if result.sense == "max" else min(bound, result.value)
        if abs(bound - result.value) <= tol:
            status = "optimal"
    bounds = {"upper_bound": float(bound)} if result.sense == "max" else {"lower_bound": float(bound)}
    return replace(result, **bounds, status=status, stats={**result.stats, "parameters": params})


def subgradient(
    evaluate: Callable[[np.ndarray], tuple[float, np.ndarray]],
    lam: np.ndarray,
    target: float,
    sense: str,
    deadline: Deadline,
    *,
    upper: np.ndarray | None = None,
    proves: Callable[[float], bool] | None = None,
    max_iter: int = 3000,
) -> tuple[float, int]:
    """The best Lagrangian bound found by Polyak's subgradient method (Held, Wolfe, Crowder,
    Math. Programming 1974; step rule of Beasley 1993): ``(bound, iterations)``.

    ``evaluate(lam)`` returns the Lagrangian bound at multipliers ``lam`` (valid for any
    ``lam`` in the box ``0 <= lam <= upper``) and a subgradient. ``sense="min"``: the bound is
    a lower bound (maximized), ``"max"``: an upper bound (minimized). ``target`` is the
    incumbent's value (the Polyak step aims at it). Stops at the deadline, after
    ``max_iter`` steps, when the step factor (halved after 20 steps without improvement)
    falls below 1e-4, or when ``proves(bound)`` says the incumbent is optimal. Every
    iterate's bound is valid, so stopping anywhere returns a proven bound.
    """
    sign = 1.0 if sense == "min" else -1.0
    best = None
    mu, since, it = 2.0, 0, 0
    while it < max_iter:
        value, g = evaluate(lam)
        it += 1
        if best is None or sign * (value - best) > 1e-12 * max(1.0, abs(best)):
            best, since = value, 0
        else:
            since += 1
            if since >= 20:
                mu, since = mu / 2.0, 0
        if mu < 1e-4 or (proves is not None and proves(best)) or deadline.expired():
            break
        move = sign * g
        move[(move < 0) & (lam <= 0)] = 0.0  # components held at the box's faces
        if upper is not None:
            move[(move > 0) & (lam >= upper)] = 0.0
        norm = float(move @ move)
        gap = sign * (target - value)
        if norm == 0.0 or gap <= 0:
            break  # lam is a dual optimum, or the bound already meets the incumbent
        lam = lam + (mu * gap / norm) * move
        np.maximum(lam, 0.0, out=lam)
        if upper is not None:
            np.minimum(lam, upper, out=lam)
    return (sign * -math.inf if best is None else float(best)), it


# ----------------------------------------------------------------------------- model size

# Seconds per nonzero and per variable-or-row to build a model, hand it to the backend and
# reach the backend's own clock (pywraplp extracts the model inside Solve before SCIP's or
# HiGHS's time limit starts), fitted on facility-location and max-coverage models of 20,000
# to 840,000 nonzeros on this 2-core machine and padded by half for load: SCIP 0.9 us + 5 us,
# HiGHS 1.1 us + 30 us (5.5 s before its clock on 270,000 nonzeros). CP-SAT, re-measured
# since the model goes to it as a protocol buffer (`mip.ortools.solve_cpsat`, 2026-12-05,
# scratch script timing the build and a 0.01 s solve): set cover on rail507 (63,500
# variables, 500 rows, 410,000 nonzeros) 0.3-0.6 s, on three disjoint copies 1.0 s; max cover
# on rail507 0.28 s; facility location 27,000 / 101,000 / 402,000 / 813,000 variables (as many
# rows, 3 nonzeros each) 0.26 / 1.0 / 4.7 / 10.0 s: 0.3 us + 5.5 us, padded by half. The
# earlier 0.8 us + 24 us overestimated these 3 to 5 times (rail507 1.85 s), so a set-cover
# model with 2.3 s left was not built.
_BUILD_SECONDS = {
    "cp-sat": (0.45e-6, 8e-6),
    "scip": (1.5e-6, 8e-6),
    "cbc": (1.5e-6, 8e-6),
    "glop": (1.5e-6, 8e-6),
    "highs": (1.7e-6, 45e-6),
    # an LP filled from sparse arrays by OR-Tools' model builder and handed to GLOP or PDLP
    # (offline_optimum, packing_optimum): 0.17 s for 500,000 nonzeros and 300,000 variables
    # and rows, 1.16 s for 4M and 2.2M, padded by half
    "model-builder-lp": (0.4e-6, 0.25e-6),
    # matching models (one Boolean per edge, one row per vertex, two nonzeros per column):
    # CP-SAT reached its clock after 0.31 / 1.25 / 2.6 / 5.4 s at 50,000 / 200,000 / 400,000 /
    # 800,000 edges (70,000 to 1M variables and rows), ~5.4 us a variable-or-row, a third of
    # the generic entry's (which then kept graphs from the solver under limits it could meet);
    # padded by 1.1-1.5x
    "cp-sat:matching": (0.5e-6, 6e-6),
    # Pyomo's expression building and its hand-off to highspy, before HiGHS's clock starts
    # (2026-12-05, load average about 2): rail507's set cover (63,516 variables and rows,
    # 409,349 nonzeros) 2.0 s + 2.1 s; facility location with n = 200 / 400 (80,000 / 320,000
    # variables and rows, 120,000 / 480,000 nonzeros) 0.5 + 1.5 s / 1.7 + 5.9 s: 8 us a nonzero
    # and 14 us a variable or row, padded by half. The hand-off alone: 3 us and 14 us.
    "pyomo-highs": (12e-6, 21e-6),
    "pyomo-highs:hand-off": (4.5e-6, 21e-6),
}
# Peak bytes per nonzero and per variable-or-row (SCIP measured 380 MB on 270,000 nonzeros
# and 180,000 variables and rows; CP-SAT and HiGHS less).
_BYTES = (500.0, 1500.0)


@dataclass
class ModelSize:
    """Rows, variables and nonzeros of a model, known before it is built."""

    variables: int
    rows: int
    nonzeros: int
    family: str = ""  # a key with its own measured constants ("matching"), else the backend's

    def seconds(self, backend: str) -> float:
        """Estimated seconds to build the model and reach ``backend``'s clock."""
        per_nz, per_item = _BUILD_SECONDS.get(f"{backend}:{self.family}") \
            or _BUILD_SECONDS.get(backend, _BUILD_SECONDS["highs"])
        return per_nz * self.nonzeros + per_item * (self.variables + self.rows)

    def bytes(self) -> float:
        """Estimated peak memory of building and solving the model."""
        return _BYTES[0] * self.nonzeros + _BYTES[1] * (self.variables + self.rows)


def available_memory() -> float:
    """Bytes of memory available to this process (``MemAvailable`` on Linux, else 4 GiB)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except OSError:
        pass
    return 4.0 * 2**30


def refuse_model(size: ModelSize, backend: str, deadline: Deadline) -> str | None:
    """Why a model of ``size`` should not be built (None if it should): its estimated peak
    memory exceeds half of the memory available, or building it and handing it to the
    backend would take more than half of the time left."""
    need = size.bytes()
    have = available_memory()
    if need > 0.5 * have:
        return (f"not built: {size.variables} variables and {size.nonzeros} nonzeros need about "
                f"{need / 2**30:.1f} GiB, {have / 2**30:.1f} GiB available")
    left = deadline.left()
    build = size.seconds(backend)
    if left is not None and build > 0.5 * left:
        return (f"not built: {size.variables} variables and {size.nonzeros} nonzeros take about "
                f"{build:.1f} s to build, {max(left, 0.0):.1f} s left")
    return None


def max_cover_args(sets: Any, weights: Any, k: Any, costs: Any, budget: Any, groups: Any,
                   capacities: Any) -> tuple:
    """The arguments of a maximum-coverage model, checked once for every backend:
    ``(S, w, k, c, budget, groups, capacities)`` with ``S`` a binary CSR (rows = sets), ``w``
    the element weights, and the optional cardinality, knapsack and partition constraints."""
    S = as_binary_csr(sets, "sets")
    n, n_el = S.shape
    w = as_vector(weights, n_el, "weights")
    k = None if k is None else as_count(k, "k")
    if (costs is None) != (budget is None):
        name, val = ("budget", budget) if budget is None else ("costs", costs)
        raise InvalidParameterError(name, val, "costs and budget given together (knapsack)")
    c = None if costs is None else as_vector(costs, n, "costs")
    budget = None if budget is None else as_nonneg_real(budget, "budget")
    if (groups is None) != (capacities is None):
        name, val = ("capacities", capacities) if capacities is None else ("groups", groups)
        raise InvalidParameterError(name, val, "groups and capacities given together")
    g = caps = None
    if groups is not None:
        g = np.asarray(groups)
        if g.shape != (n,) or not np.issubdtype(g.dtype, np.integer) or (n and g.min() < 0):
            raise InvalidParameterError("groups", groups, f"{n} integer group ids >= 0")
        caps = np.asarray(capacities)
        if caps.ndim == 0:
            caps = np.full(int(g.max()) + 1 if n else 0, caps)
        if caps.ndim != 1 or not np.issubdtype(caps.dtype, np.integer) or np.any(caps < 0):
            raise InvalidParameterError("capacities", capacities, "integers >= 0, one per group")
        if n and g.max() >= len(caps):
            raise InvalidParameterError(
                "groups", groups, f"group ids below len(capacities)={len(caps)}")
        g = g.astype(np.int64)
        caps = caps.astype(np.int64)
    return S, w, k, c, budget, g, caps
