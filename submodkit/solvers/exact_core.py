"""Shared plumbing of the exact models: input validation, the one linear model type and
the mapping of a backend's raw answer to an :class:`~submodkit.solution.ExactResult`.

Every model in :mod:`submodkit.solvers.exact` is written once as a :class:`LinearModel`
(``lb <= A x <= ub``, bounds ``0 <= x <= 1``, some variables integer, a linear objective)
and handed to :func:`submodkit.solvers.exact_backends.solve_model`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_time_limit, check_vector
from submodkit.errors import InvalidParameterError

SOLVERS = ("auto", "cp-sat", "scip", "highs", "cbc")
_TOL = 1e-6


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
        m = sp.csr_matrix(arr)
    m.sum_duplicates()
    m.sort_indices()
    return m


def as_vector(v: Any, n: int, name: str, default: float = 1.0) -> np.ndarray:
    """``v`` as a float vector of length ``n`` with finite entries >= 0 (``default`` if None)."""
    if v is None:
        return np.full(n, default, dtype=np.float64)
    return check_vector(name, v, n)


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
    """Build the :class:`ExactResult` from a backend's answer.

    The selection comes from ``raw.x`` (or, when the solver stopped without any solution,
    from ``fallback``: the greedy hint it was given); the value is recomputed from the data
    with ``value_of(selection)``; an integral objective rounds the bound to an integer. A
    bound on the wrong side of the value by more than a tolerance is dropped (None) rather
    than trusted; within the tolerance it is clamped; value meeting bound means optimal.
    """
    from submodkit.solution import ExactResult

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
        return ExactResult(None, bound, raw.status, np.zeros(0, dtype=np.int64), solver,
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
    return ExactResult(value, None if bound is None else float(bound), status, selection,
                       solver, params, seconds, sense)
