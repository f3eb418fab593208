"""Exact diversity maximization with OR-Tools, and brute force, for checking `diversify`.

- max-min dispersion: binary search over the sorted distinct distances between the GMM
  value and twice it (GMM's 1/2 bracket); each threshold t is a CP-SAT feasibility model
  "an independent set of size k in the graph of pairs closer than t" (``x_i + x_j <= 1``).
- max-sum dispersion (default ``algorithm="branch-and-bound"``): a depth-first branch and
  bound in Numba (Martí, Gallego, Duarte, EJOR 2010's bound: ``f(P) +`` the r largest
  ``d(j, P) + 1/2 * (j's r-1 largest distances to the remaining candidates)``), started from
  the local-search solution, with candidate elimination by that bound with j forced in.
  ``algorithm="russian-doll"``: the Russian doll search of Verfaillie, Lemaitre, Schiex (AAAI
  1996) on top: the best r-sets of every suffix of the candidate order, r < k, bound the
  pair term of the deeper nodes (faster on uniform 3-D points, much slower on real data).
  ``algorithm="mip"``: the linearized 0/1 program (per-pair ``y_ij <= x_i, x_j``, ``sum_j y_ij
  = (k - 1) x_i``, or Glover's compact one); SCIP by default.
- sum-min (default ``algorithm="branch-and-bound"``): the same search with the bound ``F(P) +``
  the r largest ``min(d(j, P), (r-1)-th largest distance from j to the remaining
  candidates) - red_j / r`` (F(P): P's current nearest-neighbour terms; red_j: how much j
  alone lowers them), candidates in farthest-first order, started from the LP rounding / GMM
  selections improved by swaps. ``algorithm="mip"``: ``max sum z_i`` s.t. ``z_i <= d_ij + M
  (2 - x_i - x_j)``, ``z_i <= M x_i``.

Each accepts a :class:`~submodkit.constraints.PartitionMatroid` (the selection then has
``min(k, rank)`` points). The branch and bound is anytime: at ``time_limit`` it returns the
best selection, a proven upper bound and status ``"timeout"``; the MIPs return the solver's
incumbent (or, when it found none, the heuristic start: local search for max-sum, the
farthest-first selection for sum-min) and the solver's bound only when it has one.
``method=`` is a deprecated alias of ``algorithm=``.

Sizes (measured under load on 2 shared cores, one thread, n in {200, 300, 400} x k in
{5, 8, 10}; ``scripts/bench_diversity.py --exact``): max-min, a few hundred points.
Max-sum branch and bound: every standardized digits / breast_cancer sample in under 0.7 s;
uniform points in the 3-D cube (the hard case: many near-equal corner configurations) k=5
in 0.3 s, k=8 up to 27 s (n=400; Russian doll 13 s), k=10 at n=200 in 12 s (7 s), at
n=300, 400 not proven in 60 s (bound ~62 for 47.5 found). The MIP models stop at about
100-150 points (k=6; at n=200, k=5 SCIP proves digits in 1 s, not the others in 10 s).
Sum-min branch and bound: every digits / breast_cancer sample, at most 41 s (n=400, k=10);
uniform 3-D k=5 up to 3 s, k=8 at n=200 in 24 s, the rest (k=8 at n >= 300, k=10) not
proven in 60 s; the big-M MIP stops at about 60 points (at n=200, k=5 it finds 3.74 of the
optimum 4.83 in 10 s).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import scipy.sparse as sp
from ortools.sat.python import cp_model

from submodkit._validation import algorithm_alias, check_choice, check_int, check_time_limit
from submodkit.constraints import PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.mip.model import (
    MAX_COEFFICIENT,
    Deadline,
    LinearModel,
    available_memory,
    check_run_args,
    finish,
    stack_rows,
)
from submodkit.mip.ortools import solve_model
from submodkit.objectives import distances as DS
from submodkit.results import Solution
from submodkit.solvers.diversity import _exact_kernels as EK
from submodkit.solvers.diversity.dispersion import OBJECTIVES, Points, diversify, diversity_value
from submodkit.solvers.diversity.points import gmm_select


def _setup(X, k, metric, constraint):
    pts = X if isinstance(X, Points) else Points(X, metric)
    k = check_int("k", k)
    if k > pts.n:
        raise InvalidParameterError("k", k, f"an integer <= n = {pts.n} (the number of points)")
    if constraint is not None:
        if not isinstance(constraint, PartitionMatroid):
            raise InvalidParameterError("constraint", constraint, "None or a PartitionMatroid")
        constraint.check_size(pts.n)
        k = min(k, constraint.rank)
    pts.require_metric()
    return pts, k


def _left(time_limit: float | None, t0: float) -> float | None:
    """Seconds of ``time_limit`` left since ``t0`` (None without a limit, at least 1 ms)."""
    return None if time_limit is None else max(1e-3, t0 + time_limit - time.perf_counter())


def _full(pts: Points) -> np.ndarray:
    return pts.block(np.arange(pts.n))


def _searcher(algorithm: str) -> str:
    return "branch-and-bound" if algorithm == "auto" else algorithm


def _algorithm(algorithm: str, method: str | None, choices: tuple[str, ...]) -> str:
    """The checked ``algorithm``, taking the deprecated alias ``method`` (`algorithm_alias`)."""
    return check_choice("algorithm", algorithm_alias(algorithm, method, "auto", stacklevel=4), choices)


def _check_mip_range(dist: np.ndarray, limit: float = MAX_COEFFICIENT) -> None:
    """The MIP formulations hold distances in their rows and objective: refuse distances the
    LP/MIP solvers cannot represent (see `MAX_COEFFICIENT`); the branch and bounds take any."""
    top = float(dist.max()) if dist.size else 0.0
    if top > limit:
        raise InvalidParameterError(
            "X", f"points {top:.3g} apart",
            f"distances of at most {limit:g} for algorithm='mip' (the LP/MIP solvers' "
            "range); algorithm='branch-and-bound' takes any finite distances")


# Seconds and bytes per pair of points that the exact methods spend before their search (the
# distance matrix, max-min's sorted distinct distances, the branch and bounds' starts and
# tables), measured at n = 3,000 and 6,000 on this machine (60, 100-130 ns, about 40 bytes)
# and padded.
_PAIR_SECONDS = {"max-min": 80e-9, "max-sum": 150e-9, "sum-min": 150e-9}
_PAIR_BYTES = 48.0


def _refused(pts: Points, k: int, objective: str, constraint, deadline: Deadline, solver: str,
             params: dict, t0: float) -> Solution | None:
    """None when the n x n preparation fits in half the memory available and half the time
    left. Otherwise the search is not started: the answer is a fast heuristic's selection
    (GMM, or the max-sum greedy) with a bound that holds in any metric space (twice the GMM or
    greedy value, their 1/2 guarantees; for sum-min ``k`` times twice the largest distance
    from one point), status ``timeout`` (``feasible`` without a time limit) and
    ``parameters["not_solved"]`` saying why."""
    n = pts.n
    pairs = float(n) * n
    need, have = _PAIR_BYTES * pairs, available_memory()
    left, work = deadline.left(), _PAIR_SECONDS[objective] * pairs
    if need > 0.5 * have:
        reason = (f"not solved: the {n} x {n} distance matrix and tables need about "
                  f"{need / 2**30:.1f} GiB, {have / 2**30:.1f} GiB available")
    elif left is not None and work > 0.5 * left:
        reason = f"not solved: preparing {n} points takes about {work:.1f} s, {max(left, 0.0):.1f} s left"
    else:
        return None
    params = {**params, "not_solved": reason}
    status = "timeout" if deadline.end is not None else "feasible"
    if constraint is not None:
        return Solution.from_exact(None, None, status, np.zeros(0, dtype=np.int64), solver, params,
                           time.perf_counter() - t0)
    if objective == "max-sum":
        sel = diversify(pts, k, "max-sum", algorithm="greedy").selection
    else:
        sel, _ = gmm_select(pts, k)
    sel = np.sort(sel)
    value = diversity_value(pts.block(sel), objective)
    bound = None
    if pts.code != DS.METRIC_COSINE:  # 1 - cos is not a metric: no bound
        bound = 2.0 * value if objective != "sum-min" else 2.0 * k * float(pts.row(int(sel[0])).max())
        params["bound_source"] = ("2 x the GMM value" if objective == "max-min" else
                                  "2 x the greedy value" if objective == "max-sum" else
                                  "k x twice the largest distance from one point")
    return Solution.from_exact(value, bound, status, sel, solver, params, time.perf_counter() - t0)


def exact_max_min_diversity(X, k: int, metric: str = "euclidean", *, constraint=None,
                            time_limit: float | None = None, threads: int = 1) -> Solution:
    """Max-min dispersion solved exactly: binary search over distances, CP-SAT feasibility.

    Example:
        >>> import numpy as np
        >>> exact_max_min_diversity(np.array([[0.0], [1.0], [5.0], [9.0]]), 3).value
        4.0
    """
    t0 = time.perf_counter()
    time_limit, _, threads = check_run_args(time_limit, "cp-sat", threads)
    pts, k = _setup(X, k, metric, constraint)
    n = pts.n
    params = {"model": "max-min-diversity", "k": k, "threads": threads}
    if k < 2:
        sel = np.arange(k, dtype=np.int64)
        return Solution.from_exact(0.0, 0.0, "optimal", sel, "cp-sat", params, time.perf_counter() - t0)
    refused = _refused(pts, k, "max-min", constraint, Deadline(time_limit, t0), "cp-sat", params, t0)
    if refused is not None:
        return refused
    dist = _full(pts)
    iu = np.triu_indices(n, 1)
    values = np.unique(dist[iu])
    lo_val, hi_val = 0.0, math.inf
    best_sel = None
    if constraint is None:
        g, _ = gmm_select(pts, k)
        best_sel = np.sort(g)
        lo_val = diversity_value(dist[np.ix_(g, g)], "max-min")
        hi_val = 2.0 * lo_val
    cand = values[(values >= lo_val) & (values <= hi_val * (1 + 1e-12))]
    lo, hi = 0, len(cand) - 1  # invariant: cand[lo] feasible (when best_sel is known)
    if best_sel is None:
        lo = -1
    status = "optimal"
    deadline = None if time_limit is None else t0 + time_limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            status = "timeout"
            break
        found = _independent_set(dist, k, cand[mid], constraint, left, threads)
        if found is None:
            status = "timeout"
            break
        if len(found):
            lo, best_sel = mid, found
        else:
            hi = mid - 1
    if best_sel is None:
        return Solution.from_exact(None, None, "infeasible" if status == "optimal" else status,
                           np.zeros(0, dtype=np.int64), "cp-sat", params, time.perf_counter() - t0)
    value = diversity_value(dist[np.ix_(best_sel, best_sel)], "max-min")
    bound = value if status == "optimal" else float(cand[hi])
    return Solution.from_exact(value, bound, status, np.sort(best_sel), "cp-sat", params,
                       time.perf_counter() - t0)


# CP-SAT overran its limit by about 0.3 s on 850,000 conflict pairs (presolve steps it does
# not interrupt): that much is kept back from its limit.
_PRESOLVE_SECONDS_PER_PAIR = 0.4e-6


def _independent_set(dist, k, t, constraint, time_limit, threads):
    """k points pairwise at distance >= t (an array), [] if none exist, None on timeout.

    The conflicts ``not (x_i and x_j)`` for the pairs closer than t are given as one
    constraint per point, ``x_i => not x_j`` for its closer points j > i (an enforced
    ``bool_and``; CP-SAT's presolve expands it to the same clauses): one Python call per
    point instead of per pair (0.14 s instead of 6.4 s for 860,000 pairs at n = 2,000, the
    same search). The build counts against ``time_limit``.
    """
    start = time.perf_counter()
    n = dist.shape[0]
    m = cp_model.CpModel()
    x = [m.NewBoolVar(f"x{i}") for i in range(n)]
    m.Add(sum(x) == k)
    ii, jj = np.nonzero(np.triu(dist < t, 1))
    bounds = np.searchsorted(ii, np.arange(n + 1)).tolist()
    negated = (-jj - 1).tolist()  # CP-SAT's literal of "not x_j"
    proto = m.proto
    for i in range(n):
        lo, hi = bounds[i], bounds[i + 1]
        if lo < hi:
            con = proto.constraints.add()
            con.enforcement_literal.append(i)
            con.bool_and.literals.extend(negated[lo:hi])
    if constraint is not None:
        for g, cap in enumerate(constraint.capacities):
            members = np.flatnonzero(constraint.groups == g)
            if len(members) > cap:
                m.Add(sum(x[i] for i in members) <= int(cap))
        for i in np.flatnonzero(constraint.groups < 0):
            m.Add(x[i] == 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = threads
    if time_limit is not None:  # less the build and CP-SAT's presolve of the clauses
        left = time_limit - (time.perf_counter() - start) - _PRESOLVE_SECONDS_PER_PAIR * len(ii)
        if left <= 0:
            return None
        solver.parameters.max_time_in_seconds = float(left)
    st = solver.Solve(m)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return np.array([i for i in range(n) if solver.Value(x[i])], dtype=np.int64)
    if st == cp_model.INFEASIBLE:
        return np.zeros(0, dtype=np.int64)
    return None


def _matroid_rows(constraint, n, nv):
    if constraint is None:
        return []
    rows, caps = [], []
    for g, cap in enumerate(constraint.capacities):
        members = np.flatnonzero(constraint.groups == g)
        if len(members) > cap:
            rows.append(members)
            caps.append(cap)
    out = []
    if rows:
        r_idx = np.concatenate([np.full(len(r), t) for t, r in enumerate(rows)])
        c_idx = np.concatenate(rows)
        out.append((sp.csr_matrix((np.ones(len(c_idx)), (r_idx, c_idx)), shape=(len(rows), nv)),
                    -np.inf, np.asarray(caps, float)))
    excluded = np.flatnonzero(constraint.groups < 0)
    if len(excluded):
        out.append((sp.csr_matrix((np.ones(len(excluded)), (np.arange(len(excluded)), excluded)),
                                  shape=(len(excluded), nv)), 0.0, 0.0))
    return out


def exact_max_sum_diversity(X, k: int, metric: str = "euclidean", *, constraint=None,
                            time_limit: float | None = None, solver: str = "scip",
                            threads: int = 1, formulation: str = "auto",
                            algorithm: str = "auto", method: str | None = None) -> Solution:
    """Max-sum dispersion solved exactly, by branch and bound or a linearized 0/1 program.

    Parameters
    ----------
    X : array_like or Points
        The points, one per row (or a precomputed matrix with ``metric="precomputed"``).
    k : int
        Points to select (``min(k, rank)`` under a matroid).
    metric : str, default "euclidean"
    constraint : PartitionMatroid, optional, keyword-only
    time_limit : float, optional, keyword-only
        Seconds for the whole call; then the status is ``"timeout"``, the selection the best
        known and the bound the best proven (None when there is none).
    solver : str, default "scip", keyword-only
        MIP backend (``algorithm="mip"``).
    threads : int, default 1, keyword-only
    formulation : {"auto", "pairs", "glover"}, keyword-only
        The MIP: ``"pairs"`` (one variable per pair, ``y_ij <= x_i, x_j`` and
        ``sum_j y_ij = (k - 1) x_i``: n^2/2 variables) or ``"glover"`` (Glover 1975's compact
        linearization, 2n variables: ``w_i = x_i * sum_j d_ij x_j`` bounded by ``U_i x_i``, U_i
        the sum of i's k-1 largest distances, and by ``sum_j d_ij x_j - L_i (1 - x_i)``, L_i the
        sum of its k smallest). ``"auto"``: glover from 80 points (measured: n=120, k=6 on
        3-D normals proved in 11 s against 60 s for pairs; at n=40 pairs is slightly
        faster). Both start from the local-search solution (glover as a hint), which is also
        the answer when the solver stops without one. Both prove optima of random instances
        up to about 100-150 points (k=6) within a minute here; the branch and bound goes to
        a few hundred.
    algorithm : {"auto", "branch-and-bound", "russian-doll", "mip"}, keyword-only
        ``"branch-and-bound"`` (what ``"auto"`` runs unless a ``formulation`` is given; see
        the module docstring; ``solver``/``threads`` unused; exact, exponential in the worst
        case, O(m k) per node for m candidates, O(m^2 k) memory up to 4M floats),
        ``"russian-doll"`` (the same with Russian doll bounds: k searches per candidate) or
        ``"mip"`` (SCIP by default).
    method : str, optional, keyword-only
        Deprecated alias of ``algorithm`` (DeprecationWarning).

    Returns
    -------
    Solution
        ``stats["parameters"]`` reports ``nodes`` and the ``candidates`` left after
        elimination (branch and bound).

    Examples
    --------
    >>> import numpy as np
    >>> exact_max_sum_diversity(np.array([[0.0], [1.0], [5.0], [9.0]]), 3).value
    18.0
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    backend = "scip" if solver == "auto" else solver
    check_choice("formulation", formulation, ("auto", "pairs", "glover"))
    algorithm = _algorithm(algorithm, method, ("auto", "branch-and-bound", "russian-doll", "mip"))
    pts, k = _setup(X, k, metric, constraint)
    n = pts.n
    if k >= 2:
        refused = _refused(pts, k, "max-sum", constraint, Deadline(time_limit, t0), _searcher(algorithm),
                           {"model": "max-sum-diversity", "k": k, "method": algorithm}, t0)
        if refused is not None:
            return refused
    if algorithm in ("branch-and-bound", "russian-doll") or (algorithm == "auto" and formulation == "auto"):
        return _max_sum_bb(pts, k, constraint, time_limit, t0, algorithm == "russian-doll")
    if formulation == "auto":
        formulation = "glover" if n >= 80 else "pairs"
    params = {"model": "max-sum-diversity", "k": k, "formulation": formulation, "method": "mip"}
    dist = _full(pts)
    _check_mip_range(dist)
    if k < 2:
        return Solution.from_exact(0.0, 0.0, "optimal", np.arange(k, dtype=np.int64), backend, params,
                           time.perf_counter() - t0)

    def value_of(sel):
        return diversity_value(dist[np.ix_(sel, sel)], "max-sum")

    integral = bool(np.all(dist == np.round(dist)))
    start = _max_sum_start(pts, k, constraint)
    if formulation == "glover":
        model = _glover_model(dist, k, constraint, start)
        raw = solve_model(model, backend, _left(time_limit, t0), threads, None, False)
        return finish(raw, value_of, "max", integral, backend, params, time.perf_counter() - t0, start)
    ii, jj = np.triu_indices(n, 1)
    p = len(ii)
    nv = n + p
    e = np.arange(p)
    link_i = sp.csr_matrix((np.r_[np.ones(p), -np.ones(p)], (np.r_[e, e], np.r_[n + e, ii])),
                           shape=(p, nv))
    link_j = sp.csr_matrix((np.r_[np.ones(p), -np.ones(p)], (np.r_[e, e], np.r_[n + e, jj])),
                           shape=(p, nv))
    # sum_j y_ij - (k - 1) x_i = 0 for every i
    deg = sp.csr_matrix((np.r_[np.ones(2 * p), np.full(n, -(k - 1.0))],
                         (np.r_[ii, jj, np.arange(n)], np.r_[n + e, n + e, np.arange(n)])),
                        shape=(n, nv))
    card = sp.csr_matrix(np.r_[np.ones(n), np.zeros(p)][None, :])
    blocks = [(link_i, -np.inf, 0.0), (link_j, -np.inf, 0.0), (deg, 0.0, 0.0), (card, k, k)]
    blocks += _matroid_rows(constraint, n, nv)
    A, lb, ub = stack_rows(blocks, nv)
    hint = None
    if start is not None:
        x = np.zeros(n)
        x[start] = 1.0
        hint = np.r_[x, x[ii] * x[jj]]
    model = LinearModel(c=np.r_[np.zeros(n), dist[ii, jj]], A=A, row_lb=lb, row_ub=ub,
                        integer=np.r_[np.ones(n, dtype=bool), np.zeros(p, dtype=bool)],
                        sense="max", n_select=n, hint=hint)
    raw = solve_model(model, backend, _left(time_limit, t0), threads, None, False)
    return finish(raw, value_of, "max", integral, backend, params, time.perf_counter() - t0, start)


def _max_sum_start(pts: Points, k: int, constraint) -> np.ndarray | None:
    """The local-search selection (sorted) that starts the max-sum MIPs and answers when the
    solver stops without a solution; None when it has fewer than k points."""
    start = diversify(pts, k, "max-sum", algorithm="local-search", constraint=constraint).selection
    return np.sort(start) if len(start) == k else None


_H_BUDGET = 4_000_000  # floats of the suffix tables (past it every step-th suffix: looser, valid)
_CHUNK = 20_000  # nodes between two clock checks
_SUM_MIN_STARTS = 6  # swap local searches started for the sum-min incumbent


def _feasible_groups(constraint, n: int):
    """(groups, room): every candidate's group and each group's capacity; one group of
    capacity n without a matroid. Excluded candidates (group -1) are dropped by the caller."""
    if constraint is None:
        return np.zeros(n, dtype=np.int64), np.array([n], dtype=np.int64)
    return constraint.groups.copy(), constraint.capacities.astype(np.int64).copy()


def _first_feasible(constraint, n: int, k: int) -> np.ndarray:
    """A selection of k < 2 points allowed by the matroid."""
    ok = np.ones(n, dtype=bool) if constraint is None else (
        (constraint.groups >= 0) & (constraint.capacities[np.maximum(constraint.groups, 0)] > 0))
    return np.flatnonzero(ok)[:k].astype(np.int64)


def _eliminate(dist, shares, cand, k, inc, tol):
    """Drop candidates whose bound with themselves forced in cannot beat ``inc``, until none
    changes; returns (candidates, their forced bounds)."""
    while True:
        m = len(cand)
        if m < k:
            return cand[:0], np.zeros(0)
        D = np.ascontiguousarray(dist[np.ix_(cand, cand)])
        H0 = np.empty((1, m, k))
        EK.suffix_top_sums(np.ascontiguousarray(shares[np.ix_(cand, cand)]), k, m + 1, H0)
        fb = np.empty(m)
        EK.forced_bounds(D, k, H0[0], np.zeros(m), 0.0, fb)
        keep = fb > inc + tol
        if keep.all():
            return cand, fb
        cand = cand[keep]


def _max_sum_bb(pts: Points, k: int, constraint, time_limit, t0, russian_doll: bool) -> Solution:
    """Max-sum dispersion by branch and bound (see :func:`exact_max_sum_diversity`).

    Plain: one depth-first search over the candidates in decreasing order of their forced
    bound. Russian doll (``russian_doll``): candidates in increasing order; for i = m-1 down
    to 0 and r = 2..k, ``B[i, r]`` (the best r-set within positions >= i) is the larger of
    ``B[i+1, r]`` and a search over the r-sets whose first position is i, bounded by the
    smaller of the per-candidate bound and ``f(P) + (r' largest d(j, P)) + B[next, r']``."""

    n = pts.n
    dist = _full(pts)
    method = "russian-doll" if russian_doll else "branch-and-bound"
    params = {"model": "max-sum-diversity", "k": k, "method": method}
    if k < 2:
        return Solution.from_exact(0.0, 0.0, "optimal", _first_feasible(constraint, n, k), "branch-and-bound",
                           params, time.perf_counter() - t0)
    best_sel = np.sort(diversify(pts, k, "max-sum", algorithm="local-search",
                                 constraint=constraint).selection)
    inc = diversity_value(dist[np.ix_(best_sel, best_sel)], "max-sum") if len(best_sel) == k else -np.inf
    if len(best_sel) < k:
        best_sel = np.zeros(0, dtype=np.int64)
    tol = 1e-9 * abs(inc) if np.isfinite(inc) else 1e-12
    groups, room = _feasible_groups(constraint, n)
    shares = dist / 2.0  # the split U + U.T = D of the per-candidate bound
    cand, fb = _eliminate(dist, shares, np.flatnonzero(groups >= 0), k, inc, tol)
    order = cand[np.argsort(fb if russian_doll else -fb, kind="stable")]
    m = len(order)
    deadline = None if time_limit is None else t0 + time_limit
    status, bound, nodes = "optimal", -np.inf, 0
    if m >= k:
        D = np.ascontiguousarray(dist[np.ix_(order, order)])
        step = max(1, -(-m * m * k // _H_BUDGET))
        H = np.empty((-(-m // step), m, k))
        EK.suffix_top_sums(np.ascontiguousarray(shares[np.ix_(order, order)]), k, step, H)
        g = np.ascontiguousarray(np.maximum(groups, 0)[order])
        B = np.full((m + 1, k + 1), np.inf)  # +inf: no Russian-doll bound
        path = np.zeros(k, dtype=np.int64)
        nxt = np.zeros(k + 1, dtype=np.int64)
        A = np.zeros((k + 1, m))
        F = np.zeros(k + 1)
        SR = np.full((k + 1, m + 1), -np.inf)
        top, top2 = np.empty(k), np.empty(k)
        found = np.full(k, -1, dtype=np.int64)

        def run(slots, q0, best):
            st = np.zeros(3, dtype=np.int64)
            found[:] = -1
            while EK.maxsum_bb_run(D, slots, q0, H, step, B, g, room, path, nxt, A, F, SR, top, top2,
                                   st, best, found, _CHUNK, tol):
                if deadline is not None and time.perf_counter() >= deadline:
                    return int(st[2]), float(EK.frontier_bound(F, SR, nxt, int(st[0]), -np.inf))
            return int(st[2]), None

        if not russian_doll:
            best = np.array([inc])
            nodes, left = run(k, -1, best)
            if found[0] >= 0:
                best_sel = np.sort(order[found])
            if left is not None:
                status, bound = "timeout", left
        else:
            EK._fill_suffix(0, -1, k, A, H, step, B, g, room, SR, top, top2)
            root_bound = float(SR[0, 0])
            B[m, 1:] = -np.inf
            B[:, 0] = 0.0
            for i in range(m - 1, -1, -1):
                B[i, 1:] = B[i + 1, 1:]
                if room[g[i]] <= 0:
                    continue
                B[i, 1] = 0.0
                room[g[i]] -= 1
                for r in range(2, k + 1):
                    best = np.array([max(B[i + 1, r], inc) if r == k else B[i + 1, r]])
                    A[0] = D[i]
                    F[0] = 0.0
                    more, left = run(r - 1, i, best)
                    nodes += more
                    if left is not None:
                        status, bound = "timeout", root_bound
                        params["rds_position"] = i
                        break
                    if found[0] >= 0:
                        B[i, r] = best[0]
                        if r == k:
                            best_sel = np.sort(np.r_[order[i], order[found[: k - 1]]])
                room[g[i]] += 1
                if status == "timeout":
                    break
    params.update({"incumbent": inc, "candidates": m, "nodes": nodes})
    if len(best_sel) < k:
        return Solution.from_exact(None, bound if status == "timeout" else None,
                           "infeasible" if status == "optimal" else status,
                           np.zeros(0, dtype=np.int64), "branch-and-bound", params,
                           time.perf_counter() - t0)
    value = diversity_value(dist[np.ix_(best_sel, best_sel)], "max-sum")
    bound = value if status == "optimal" else max(value, bound)
    return Solution.from_exact(value, bound, status, best_sel,
                               "branch-and-bound", params, time.perf_counter() - t0)


def _glover_model(dist: np.ndarray, k: int, constraint, start: np.ndarray | None) -> LinearModel:
    """Glover's linearization in [0, 1] variables: x (n), omega = w / U (n); ``start`` (a
    feasible k-selection or None) is the hint."""
    n = dist.shape[0]
    off = np.where(np.eye(n, dtype=bool), -np.inf, dist)
    upper = (-np.partition(-off, k - 2, axis=1)[:, : k - 1]).sum(axis=1) if k >= 2 else np.zeros(n)
    low = np.where(np.eye(n, dtype=bool), np.inf, dist)
    kk = min(k, n - 1)
    lower = np.partition(low, kk - 1, axis=1)[:, :kk].sum(axis=1) if kk >= 1 else np.zeros(n)
    lower = np.where(np.isfinite(lower), lower, 0.0)
    scale = np.maximum(upper, 1e-300)
    nv = 2 * n
    idx = np.arange(n)
    r1 = sp.csr_matrix((np.r_[np.ones(n), -np.ones(n)], (np.r_[idx, idx], np.r_[n + idx, idx])),
                       shape=(n, nv))  # omega_i <= x_i
    a2 = np.zeros((n, nv))
    a2[:, :n] = -dist
    a2[idx, idx] = -lower
    a2[idx, n + idx] = scale
    card = sp.csr_matrix(np.r_[np.ones(n), np.zeros(n)][None, :])
    blocks = [(r1, -np.inf, 0.0), (sp.csr_matrix(a2), -np.inf, -lower), (card, k, k)]
    blocks += _matroid_rows(constraint, n, nv)
    A, lb, ub = stack_rows(blocks, nv)
    hint = None
    if start is not None:
        x = np.zeros(n)
        x[start] = 1.0
        omega = np.where(x > 0, dist[:, start].sum(axis=1) / scale, 0.0)
        hint = np.r_[x, np.minimum(omega, 1.0)]
    return LinearModel(c=np.r_[np.zeros(n), scale / 2.0], A=A, row_lb=lb, row_ub=ub,
                       integer=np.r_[np.ones(n, dtype=bool), np.zeros(n, dtype=bool)], sense="max",
                       n_select=n, hint=hint)


def exact_sum_min_diversity(X, k: int, metric: str = "euclidean", *, constraint=None,
                            time_limit: float | None = None, solver: str = "scip",
                            threads: int = 1, algorithm: str = "auto",
                            method: str | None = None) -> Solution:
    """Sum-min diversity solved exactly, by branch and bound or a big-M 0/1 program.

    Parameters
    ----------
    X : array_like or Points
        The points, one per row (or a precomputed matrix with ``metric="precomputed"``).
    k : int
        Points to select (``min(k, rank)`` under a matroid).
    metric : str, default "euclidean"
    constraint : PartitionMatroid, optional, keyword-only
    time_limit : float, optional, keyword-only
        Seconds for the whole call; then the status is ``"timeout"``, the selection the best
        known (for the MIP, its farthest-first start when the solver found none) and the
        bound the best proven (None when there is none).
    solver : str, default "scip", keyword-only
        MIP backend (``algorithm="mip"``).
    threads : int, default 1, keyword-only
    algorithm : {"auto", "branch-and-bound", "mip"}, keyword-only
        ``"branch-and-bound"`` (what ``"auto"`` runs; a few hundred points for small k, see
        the module docstring) or ``"mip"`` (big-M 0/1 program, SCIP by default; about 60
        points).
    method : str, optional, keyword-only
        Deprecated alias of ``algorithm`` (DeprecationWarning).

    Returns
    -------
    Solution

    Examples
    --------
    >>> import numpy as np
    >>> exact_sum_min_diversity(np.array([[0.0], [1.0], [5.0], [9.0]]), 3).value
    13.0
    """
    t0 = time.perf_counter()
    time_limit, solver, threads = check_run_args(time_limit, solver, threads)
    backend = "scip" if solver == "auto" else solver
    algorithm = _algorithm(algorithm, method, ("auto", "branch-and-bound", "mip"))
    pts, k = _setup(X, k, metric, constraint)
    if k >= 2:
        refused = _refused(pts, k, "sum-min", constraint, Deadline(time_limit, t0), _searcher(algorithm),
                           {"model": "sum-min-diversity", "k": k, "method": algorithm}, t0)
        if refused is not None:
            return refused
    if algorithm in ("auto", "branch-and-bound"):
        return _sum_min_bb(pts, k, constraint, time_limit, t0)
    n = pts.n
    params = {"model": "sum-min-diversity", "k": k, "method": "mip"}
    dist = _full(pts)
    _check_mip_range(dist, MAX_COEFFICIENT / 3.0)  # its rows are bounded by d_ij + 2 max d
    if k < 2:
        return Solution.from_exact(0.0, 0.0, "optimal", np.arange(k, dtype=np.int64), backend, params,
                           time.perf_counter() - t0)
    big = float(dist.max())
    scale = max(big, 1.0)
    # variables: x (n), z (n) with 0 <= z_i <= 1 scaled by `scale` in the objective
    nv = 2 * n
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    r = np.arange(len(ii))
    # scale*z_i + M x_i + M x_j <= d_ij + 2M   (M = big)
    rows = sp.csr_matrix((np.r_[np.full(len(ii), scale), np.full(len(ii), big), np.full(len(ii), big)],
                          (np.r_[r, r, r], np.r_[n + ii, ii, jj])), shape=(len(ii), nv))
    zx = sp.csr_matrix((np.r_[np.full(n, scale), np.full(n, -big)],
                        (np.r_[np.arange(n), np.arange(n)], np.r_[n + np.arange(n), np.arange(n)])),
                       shape=(n, nv))
    card = sp.csr_matrix(np.r_[np.ones(n), np.zeros(n)][None, :])
    blocks = [(rows, -np.inf, dist[ii, jj] + 2 * big), (zx, -np.inf, 0.0), (card, k, k)]
    blocks += _matroid_rows(constraint, n, nv)
    A, lb, ub = stack_rows(blocks, nv)
    # the farthest-first selection (capacities kept): the hint, and the answer when the
    # solver stops without a solution
    groups, room = _feasible_groups(constraint, n)
    gr = np.maximum(groups, 0)
    start = _capacity_fill(_gmm_order(dist, np.flatnonzero((groups >= 0) & (room[gr] > 0))), k, gr, room)
    hint = None
    if start is not None:
        x = np.zeros(n)
        x[start] = 1.0
        sub = dist[np.ix_(start, start)] + np.diag(np.full(k, np.inf))
        z = np.zeros(n)
        z[start] = sub.min(axis=1) / scale
        hint = np.r_[x, np.minimum(z, 1.0)]
    model = LinearModel(c=np.r_[np.zeros(n), np.full(n, scale)], A=A, row_lb=lb, row_ub=ub,
                        integer=np.r_[np.ones(n, dtype=bool), np.zeros(n, dtype=bool)],
                        sense="max", n_select=n, hint=hint)
    raw = solve_model(model, backend, _left(time_limit, t0), threads, None, False)

    def value_of(sel):
        return diversity_value(dist[np.ix_(sel, sel)], "sum-min")

    return finish(raw, value_of, "max", False, backend, params, time.perf_counter() - t0, start)


def _capacity_fill(seq: np.ndarray, k: int, gr: np.ndarray, room: np.ndarray) -> np.ndarray | None:
    """The first k points of ``seq`` that the group capacities ``room`` allow (``gr``: each
    point's group), in ``seq``'s order; None when fewer than k fit."""
    taken = np.zeros(len(room), dtype=np.int64)
    fill = []
    for j in seq.tolist():
        if len(fill) == k:
            break
        if taken[gr[j]] < room[gr[j]]:
            fill.append(j)
            taken[gr[j]] += 1
    return np.asarray(fill, dtype=np.int64) if len(fill) == k else None


def _gmm_order(dist: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """``cand`` in farthest-first order (from the candidate farthest from the first one)."""
    sub = dist[np.ix_(cand, cand)]
    m = len(cand)
    first = int(np.argmax(sub[0])) if m > 1 else 0
    order = [first]
    mind = sub[first].copy()
    mind[first] = -1.0
    for _ in range(m - 1):
        j = int(np.argmax(mind))
        order.append(j)
        mind = np.minimum(mind, sub[j])
        mind[j] = -1.0
    return cand[np.asarray(order, dtype=np.int64)]


def _sum_min_swaps(dist, sel, allowed, groups, caps, rounds: int = 1000, deadline: Deadline | None = None):
    """Best-improvement single swaps for sum-min over the ``allowed`` points (feasibility kept
    by the group capacities); each round is O(k^2 n) vectorized; stops at ``deadline``."""
    sel = np.asarray(sel, dtype=np.int64)
    cur = diversity_value(dist[np.ix_(sel, sel)], "sum-min")
    for _ in range(rounds):
        if deadline is not None and deadline.expired():
            break
        taken = np.bincount(groups[sel], minlength=len(caps))
        out = np.ones(dist.shape[0], dtype=bool)
        out[sel] = False
        best, best_a, best_u = cur * (1 + 1e-12), -1, -1
        for a in range(len(sel)):
            rest = np.delete(sel, a)
            M = dist[rest]  # (k-1) x n
            sub = M[:, rest] + np.diag(np.full(len(rest), np.inf))
            nn = sub.min(axis=1) if len(rest) > 1 else np.full(len(rest), np.inf)
            val = np.minimum(nn[:, None], M).sum(axis=0) + M.min(axis=0)
            ga = groups[allowed]
            ok = out[allowed] & ((ga == groups[sel[a]]) | (taken[ga] < caps[ga]))
            if not ok.any():
                continue
            v = np.where(ok, val[allowed], -np.inf)
            u = int(np.argmax(v))
            if v[u] > best:
                best, best_a, best_u = float(v[u]), a, int(allowed[u])
        if best_a < 0:
            break
        sel = np.sort(np.r_[np.delete(sel, best_a), best_u])
        cur = diversity_value(dist[np.ix_(sel, sel)], "sum-min")
    return np.sort(sel), cur


def _sum_min_bb(pts: Points, k: int, constraint, time_limit, t0) -> Solution:
    """Sum-min diversity by branch and bound (see :func:`exact_sum_min_diversity`)."""

    n = pts.n
    dist = _full(pts)
    params = {"model": "sum-min-diversity", "k": k, "method": "branch-and-bound"}
    if k < 2:
        return Solution.from_exact(0.0, 0.0, "optimal", _first_feasible(constraint, n, k), "branch-and-bound",
                           params, time.perf_counter() - t0)
    groups, room = _feasible_groups(constraint, n)
    gr = np.maximum(groups, 0)
    cand = _gmm_order(dist, np.flatnonzero((groups >= 0) & (room[gr] > 0)))
    rng = np.random.default_rng(0)
    starts = []
    for it in range(_SUM_MIN_STARTS):  # farthest-first order, then random orders
        fill = _capacity_fill(cand if it == 0 else rng.permutation(cand), k, gr, room)
        if fill is not None:
            starts.append(fill.tolist())
    clock = Deadline(time_limit, t0)
    left = clock.left()
    if constraint is None and (left is None or left > 0):  # the LP rounding, within a share
        lp_limit = {} if left is None else {"time_limit": max(1e-3, 0.3 * left)}
        starts.append(diversify(pts, k, "sum-min", **lp_limit).selection.tolist())
    inc, best_sel = -np.inf, np.zeros(0, dtype=np.int64)
    for st0 in starts:
        sel, v = _sum_min_swaps(dist, st0, np.sort(cand), gr, room, deadline=clock)
        if v > inc:
            inc, best_sel = v, sel
        if clock.expired():
            break
    tol = 1e-9 * abs(inc) if np.isfinite(inc) else 0.0
    m = len(cand)
    D = np.ascontiguousarray(dist[np.ix_(cand, cand)])
    step = max(1, -(-m * m * k // _H_BUDGET))
    R = np.empty((-(-m // step), m, k))
    EK.suffix_kth_largest(D, k, step, R)
    g = np.ascontiguousarray(gr[cand])
    path = np.zeros(k, dtype=np.int64)
    nxt = np.zeros(k + 1, dtype=np.int64)
    A = np.zeros((k + 1, m))
    NN = np.zeros((k + 1, k))
    F = np.zeros(k + 1)
    SR = np.full((k + 1, m + 1), -np.inf)
    st = np.zeros(3, dtype=np.int64)
    best = np.array([inc])
    found = np.full(k, -1, dtype=np.int64)
    deadline = None if time_limit is None else t0 + time_limit
    left = None
    cap = float(D.max()) if m else 0.0
    while EK.summin_bb_run(D, k, R, step, cap, g, room, path, nxt, A, NN, F, SR, np.empty(k), st, best,
                           found, _CHUNK, tol):
        if deadline is not None and time.perf_counter() >= deadline:
            left = float(EK.frontier_bound(F, SR, nxt, int(st[0]), -np.inf))
            break
    if found[0] >= 0:
        best_sel = np.sort(cand[found])
    params.update({"incumbent": inc, "nodes": int(st[2])})
    if len(best_sel) < k:
        status = "infeasible" if left is None else "timeout"
        return Solution.from_exact(None, left, status, np.zeros(0, dtype=np.int64),
                                   "branch-and-bound", params,
                           time.perf_counter() - t0)
    value = diversity_value(dist[np.ix_(best_sel, best_sel)], "sum-min")
    status = "optimal" if left is None else "timeout"
    bound = value if left is None else max(value, left)
    return Solution.from_exact(value, bound, status, best_sel,
                               "branch-and-bound", params, time.perf_counter() - t0)


def brute_force_diversity(X, k: int, objective: str = "max-min", metric: str = "euclidean", *,
                          constraint=None, quality=None, lam: float = 1.0,
                          max_subsets: int = 2_000_000, time_limit: float | None = None) -> Solution:
    """The exact optimum of any `diversify` objective by enumerating every k-subset (the
    selection has ``min(k, rank)`` points under a matroid). Max-min with a ``quality``
    (GIST's problem) is over every size ``1..k``. Remote-cycle without a constraint or a
    quality goes to the compiled enumeration :func:`~submodkit.solvers.diversity.remote_cycle.
    exact_remote_cycle` (a Held-Karp tour per subset). With ``time_limit`` (seconds) the
    enumeration stops there: status ``timeout``, the best subset seen, no bound."""
    from submodkit.solvers.diversity.dispersion import as_quality

    t0 = time.perf_counter()
    check_choice("objective", objective, OBJECTIVES)
    time_limit = check_time_limit(time_limit)
    if objective == "remote-cycle" and constraint is None and quality is None:
        from submodkit.solvers.diversity.remote_cycle import exact_remote_cycle

        return exact_remote_cycle(X, k, metric, max_subsets=max_subsets, time_limit=time_limit)
    pts, k = _setup(X, k, metric, constraint)
    n = pts.n
    if sum(math.comb(n, s) for s in range(k + 1)) > max_subsets:
        raise InvalidParameterError("k", k, f"at most {max_subsets} subsets of the {n} points")
    q = as_quality(quality, n)
    dist = _full(pts)
    best, best_sel = -math.inf, ()
    sizes = range(1, k + 1) if (q is not None and objective == "max-min") else [k]
    subsets = itertools.chain.from_iterable(itertools.combinations(range(n), s) for s in sizes)
    status, bound_known = "optimal", True
    for count, sub in enumerate(subsets):
        if time_limit is not None and count % 256 == 255 and time.perf_counter() - t0 >= time_limit:
            status, bound_known = "timeout", False
            break
        s = np.asarray(sub, dtype=np.int64)
        if constraint is not None:
            gr = constraint.groups[s]
            if np.any(gr < 0) or np.any(np.bincount(gr, minlength=len(constraint.capacities))
                                        > constraint.capacities):
                continue
        val = diversity_value(dist[np.ix_(s, s)], objective)
        if q is not None:
            val = float(q.evaluate(s)) + lam * val
        if not best_sel or val > best + 1e-12 * max(1.0, abs(best)):
            best, best_sel = val, sub
    return Solution.from_exact(float(best), float(best) if bound_known else None, status,
                       np.asarray(best_sel, dtype=np.int64), "brute-force", {"objective": objective, "k": k},
                       time.perf_counter() - t0)
