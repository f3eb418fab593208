"""Exact set cover and (weighted, constrained) maximum coverage as integer programs.

Set cover: ``min sum_j c_j x_j`` s.t. ``sum_{j ∋ u} x_j >= 1`` for every element ``u``,
``x`` binary. Maximum coverage: ``max sum_u w_u y_u`` s.t. ``y_u <= sum_{j ∋ u} x_j``,
``0 <= y_u <= 1``, ``x`` binary, plus any of ``sum_j x_j <= k``, ``sum_j c_j x_j <= B`` and
``sum_{j in group g} x_j <= cap_g`` (Nemhauser-Wolsey, and Khuller-Moss-Naor for the budget).
Elements with identical membership are merged first (their weights summed).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.solution import ExactResult
from submodkit.solvers.exact_backends import lp_value, solve_model
from submodkit.solvers.exact_core import (
    LinearModel,
    as_binary_csr,
    as_count,
    as_nonneg_real,
    as_vector,
    check_run_args,
    finish,
    is_integral,
    stack_rows,
)

# "auto" per model, chosen by scripts/bench_exact.py on this 2-core machine (see the table
# in that script's docstring).
AUTO_SET_COVER = "cp-sat"
AUTO_MAX_COVER_INTEGRAL = "cp-sat"
AUTO_MAX_COVER_FLOAT = "scip"


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


def _empty(sense: str, solver: str, parameters: dict, t0: float) -> ExactResult:
    return ExactResult(0.0, 0.0, "optimal", np.zeros(0, dtype=np.int64), solver, parameters,
                       time.perf_counter() - t0, sense)


# ----------------------------------------------------------------------------- set cover


def _set_cover_model(sets: sp.csr_matrix, costs: np.ndarray) -> LinearModel | None:
    counts = np.diff(sp.csc_matrix(sets).indptr)
    if np.any(counts == 0):
        return None
    rows, _ = _element_classes(sets, np.ones(sets.shape[1], dtype=bool))
    m = rows.shape[0]
    return LinearModel(
        c=costs.copy(), A=rows, row_lb=np.ones(m), row_ub=np.full(m, np.inf),
        integer=np.ones(sets.shape[0], dtype=bool), sense="min", n_select=sets.shape[0],
    )


def exact_set_cover(
    sets: Any,
    costs: Any = None,
    *,
    time_limit: float | None = None,
    solver: str = "auto",
    threads: int = 1,
    progress: bool = False,
    params: Any = None,
) -> ExactResult:
    """Minimum-cost set cover solved exactly as a 0/1 integer program.

    Formulation: ``min sum_j c_j x_j`` s.t. ``sum_{j: u in S_j} x_j >= 1`` for each element
    ``u``, ``x_j in {0, 1}`` (duplicate element rows removed). An element in no set makes the
    problem infeasible: that is detected before any solver runs.

    Args:
        sets: ``(n_sets, n_elements)`` matrix, dense or scipy sparse; nonzero = membership.
        costs: cost of each set (finite, >= 0); ones when None.
        time_limit: seconds; when hit, status is ``"timeout"`` with the best cover and the
            best lower bound found so far (value None if no cover was found).
        solver: ``"auto"``, ``"cp-sat"``, ``"scip"``, ``"highs"`` or ``"cbc"``. ``"auto"`` is
            CP-SAT with one worker and ``linearization_level=2`` (fastest measured here);
            non-integer costs that do not scale exactly to integers go to SCIP.
        threads: CP-SAT workers (other backends: passed to ``SetNumThreads``).
        progress: show a tqdm line on stderr with CP-SAT's incumbent and bound.
        params: extra backend parameters: a dict of CP-SAT ``SatParameters`` fields, or a
            solver-specific parameter string for SCIP/HiGHS/CBC.

    Returns:
        :class:`~submodkit.solution.ExactResult` with ``sense="min"``; ``bound`` is a lower
        bound on the optimum.

    Example:
        >>> import numpy as np
        >>> r = exact_set_cover(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]]), [1, 1, 1])
        >>> r.value, r.status
        (2.0, 'optimal')
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    S = as_binary_csr(sets, "sets")
    c = as_vector(costs, S.shape[0], "costs")
    integral = is_integral(c)
    backend = _resolve(solver, AUTO_SET_COVER, integral or _decimal(c))
    parameters = {"model": "set-cover", "requested_solver": solver}
    model = _set_cover_model(S, c)
    if model is None:
        parameters["reason"] = "an element belongs to no set"
        return ExactResult(None, None, "infeasible", np.zeros(0, dtype=np.int64), backend,
                           parameters, time.perf_counter() - t0, "min")
    if model.A.shape[0] == 0:
        return _empty("min", backend, parameters, t0)
    raw = solve_model(model, backend, time_limit, threads, params, progress)
    return finish(raw, lambda sel: c[sel].sum(), "min", integral, backend, parameters,
                  time.perf_counter() - t0)


def set_cover_lp_bound(sets: Any, costs: Any = None) -> float:
    """Lower bound on the minimum set-cover cost: the LP relaxation (``0 <= x <= 1``) solved
    with GLOP; ``inf`` when some element is in no set."""
    S = as_binary_csr(sets, "sets")
    c = as_vector(costs, S.shape[0], "costs")
    model = _set_cover_model(S, c)
    if model is None:
        return math.inf
    if model.A.shape[0] == 0:
        return 0.0
    return lp_value(model)


# ----------------------------------------------------------------------------- max coverage


def _max_cover_model(S, w, k, costs, budget, groups, capacities):
    keep = (w > 0) & (np.diff(sp.csc_matrix(S).indptr) > 0)
    n = S.shape[0]
    if not keep.any():
        return None, True
    rows, cls = _element_classes(S, keep)
    wc = np.bincount(cls, weights=w[keep], minlength=rows.shape[0])
    m = rows.shape[0]
    nv = n + m
    blocks = [(sp.hstack([-rows, sp.identity(m, format="csr")], format="csr"), -np.inf, 0.0)]
    if k is not None:
        blocks.append((sp.csr_matrix(np.r_[np.ones(n), np.zeros(m)][None, :]), -np.inf, k))
    if budget is not None:
        blocks.append((sp.csr_matrix(np.r_[costs, np.zeros(m)][None, :]), -np.inf, budget))
    if groups is not None:
        g = sp.csr_matrix((np.ones(n), (groups, np.arange(n))), shape=(len(capacities), nv))
        blocks.append((g, -np.inf, capacities.astype(float)))
    A, lb, ub = stack_rows(blocks, nv)
    model = LinearModel(
        c=np.r_[np.zeros(n), wc], A=A, row_lb=lb, row_ub=ub,
        integer=np.r_[np.ones(n, dtype=bool), np.zeros(m, dtype=bool)], sense="max",
        n_select=n,
    )
    return model, is_integral(wc)


def _max_cover_args(sets, weights, k, costs, budget, groups, capacities):
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
) -> ExactResult:
    """Weighted maximum coverage solved exactly as a mixed 0/1 integer program.

    Formulation: ``max sum_u w_u y_u`` s.t. ``y_u <= sum_{j: u in S_j} x_j``,
    ``0 <= y_u <= 1``, ``x_j in {0, 1}``, with any combination of a cardinality constraint
    ``sum_j x_j <= k``, a knapsack ``sum_j costs_j x_j <= budget`` and a partition matroid
    ``sum_{j: groups_j = g} x_j <= capacities_g``.

    Args:
        sets: ``(n_sets, n_elements)`` matrix, dense or scipy sparse; nonzero = membership.
        weights: element weights (finite, >= 0, floats allowed); ones when None.
        k, costs/budget, groups/capacities: the constraints (each pair given together);
            ``capacities`` may be one integer for every group.
        time_limit, solver, threads, progress, params: as in :func:`exact_set_cover`.
            ``"auto"`` picks CP-SAT (one worker, ``linearization_level=2``) when the weights
            are integers or exact decimals (scaled by ``10**d``) and SCIP otherwise; CP-SAT
            asked for explicitly with arbitrary float weights uses its floating-point
            objective (CP-SAT scales it internally, optimal up to about 1e-9 relative).

    Returns:
        :class:`~submodkit.solution.ExactResult` with ``sense="max"``; ``bound`` is an upper
        bound on the optimum; ``value`` is recomputed from the data for the selection.
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    S, w, k, c, budget, g, caps = _max_cover_args(
        sets, weights, k, costs, budget, groups, capacities)
    model, integral = _max_cover_model(S, w, k, c, budget, g, caps)
    auto = AUTO_MAX_COVER_INTEGRAL if integral or _decimal(w) else AUTO_MAX_COVER_FLOAT
    if c is not None and not (is_integral(c) or _decimal(c)):
        auto = AUTO_MAX_COVER_FLOAT
    backend = _resolve(solver, auto, True)
    parameters = {"model": "max-cover", "requested_solver": solver, "k": k, "budget": budget}
    if model is None:
        return _empty("max", backend, parameters, t0)
    raw = solve_model(model, backend, time_limit, threads, params, progress)

    def value_of(sel):
        covered = np.asarray(S[sel].sum(axis=0)).ravel() > 0
        return w[covered].sum()

    return finish(raw, value_of, "max", integral, backend, parameters, time.perf_counter() - t0)


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
    :func:`exact_max_cover` (``0 <= x_j <= 1``) solved with GLOP."""
    S, w, k, c, budget, g, caps = _max_cover_args(
        sets, weights, k, costs, budget, groups, capacities)
    model, _ = _max_cover_model(S, w, k, c, budget, g, caps)
    if model is None:
        return 0.0
    return lp_value(model)


# ----------------------------------------------------------------------------- helpers


def _decimal(a: np.ndarray) -> bool:
    from submodkit.solvers.exact_core import decimal_scale

    return decimal_scale(a) is not None


def _resolve(solver: str, auto: str, cpsat_ok: bool) -> str:
    """The backend for ``solver``: ``auto`` resolves to the measured default, falling back to
    SCIP when CP-SAT cannot take the data exactly."""
    if solver != "auto":
        return solver
    if auto == "cp-sat" and not cpsat_ok:
        return "scip"
    return auto
