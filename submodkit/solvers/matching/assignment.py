"""Bipartite matching: rectangular assignment, b-matching with capacities, position auctions.

- :func:`max_weight_assignment`: shortest augmenting paths with potentials (the Jonker-
  Volgenant / Crouse algorithm that scipy's ``linear_sum_assignment`` also uses), compiled
  with Numba; O(n^2 m) for an n x m matrix, n <= m. Optimal.
- :func:`b_matching`: maximum-weight bipartite b-matching with vertex capacities as a
  min-cost flow (OR-Tools ``SimpleMinCostFlow``). Optimal (the flow polytope is integral).
- :func:`position_auction`: welfare-maximizing assignment of bidders to positions and VCG
  payments (Vickrey 1961, Clarke 1971, Groves 1973).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit

from submodkit._validation import check_matrix, check_vector
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.results import AssignmentSolution


@njit(cache=True, nogil=True)
def _lsap(cost):
    """Min-cost assignment of every row of ``cost`` (nr <= nc); returns col4row (-1: infeasible)."""
    nr, nc = cost.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    spc = np.empty(nc)
    path = np.full(nc, -1, np.int64)
    col4row = np.full(nr, -1, np.int64)
    row4col = np.full(nc, -1, np.int64)
    sr = np.zeros(nr, np.bool_)
    sc = np.zeros(nc, np.bool_)
    remaining = np.empty(nc, np.int64)
    for cur in range(nr):
        for it in range(nc):
            remaining[it] = nc - it - 1
        nrem = nc
        sr[:] = False
        sc[:] = False
        spc[:] = np.inf
        minval = 0.0
        i = cur
        sink = -1
        while sink == -1:
            index = -1
            lowest = np.inf
            sr[i] = True
            ui = u[i]
            for it in range(nrem):
                j = remaining[it]
                r = minval + cost[i, j] - ui - v[j]
                if r < spc[j]:
                    path[j] = i
                    spc[j] = r
                if spc[j] < lowest or (spc[j] == lowest and row4col[j] == -1):
                    lowest = spc[j]
                    index = it
            minval = lowest
            if minval == np.inf:
                col4row[:] = -1
                return col4row
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            sc[j] = True
            nrem -= 1
            remaining[index] = remaining[nrem]
        u[cur] += minval
        for i in range(nr):
            if sr[i] and i != cur:
                u[i] += minval - spc[col4row[i]]
        for j in range(nc):
            if sc[j]:
                v[j] -= minval - spc[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            tmp = col4row[i]
            col4row[i] = j
            j = tmp
            if i == cur:
                break
    return col4row


def max_weight_assignment(weights: Any, maximize: bool = True) -> AssignmentSolution:
    """Optimal assignment of a rectangular matrix: min(n, m) pairs, one per row and column.

    Maximizes (or, with ``maximize=False``, minimizes) the sum of the chosen entries, like
    ``scipy.optimize.linear_sum_assignment`` (same algorithm: shortest augmenting paths,
    Crouse, IEEE TAES 2016; Jonker, Volgenant 1987), compiled with Numba. O(n^2 m).
    Entries may be negative; ``-inf`` (maximize) / ``inf`` (minimize) forbids a pair. A
    scipy sparse matrix lists the allowed pairs: an entry it does not store is forbidden
    (as in ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``), never weight 0.
    An empty matrix (a dimension 0) gives the empty assignment.

    >>> max_weight_assignment([[1, 5], [4, 2]]).value
    9.0
    """
    t0 = time.perf_counter()
    if not isinstance(maximize, (bool, np.bool_)):
        raise InvalidParameterError("maximize", maximize, "True or False")
    shape = weights.shape if sp.issparse(weights) else np.shape(weights)
    if len(shape) == 2 and 0 in shape:
        empty = np.zeros(0, dtype=np.int64)
        return _optimal(empty, empty.copy(), 0.0, "assignment", "max" if maximize else "min",
                        {"seconds": time.perf_counter() - t0})
    w = check_matrix("weights", weights, nonnegative=False, allow_inf=True)
    forbidden = -np.inf if maximize else np.inf
    if (maximize and np.any(_entries(w) == np.inf)) or (not maximize and np.any(_entries(w) == -np.inf)):
        raise InvalidParameterError(
            "weights", "an entry of the wrong infinity", "finite or forbidden entries"
        )
    if not isinstance(w, np.ndarray):  # only the stored pairs are allowed
        dense = np.full(w.shape, forbidden)
        coo = w.tocoo()
        dense[coo.row, coo.col] = coo.data
        w = dense
    transposed = w.shape[0] > w.shape[1]
    cost = -w if maximize else w
    if transposed:
        cost = cost.T
    col4row = _lsap(np.ascontiguousarray(cost))
    if col4row.size and col4row[0] == -1:
        raise InvalidParameterError("weights", "forbidden entries", "a matrix with a complete assignment")
    rows = np.arange(col4row.size, dtype=np.int64)
    cols = col4row.astype(np.int64)
    if transposed:
        rows, cols = cols, rows
        order = np.argsort(rows)
        rows, cols = rows[order], cols[order]
    value = float(w[rows, cols].sum())
    return _optimal(rows, cols, value, "assignment", "max" if maximize else "min",
                    {"seconds": time.perf_counter() - t0})


def _optimal(rows: np.ndarray, cols: np.ndarray, value: float, algorithm: str, sense: str, stats: dict,
             payments: np.ndarray | None = None) -> AssignmentSolution:
    """A proven optimal assignment (its value is both bounds)."""
    return AssignmentSolution(rows=rows, cols=cols, value=value, algorithm=algorithm,
                              guarantee=guarantee("matching-exact"), upper_bound=value, lower_bound=value,
                              sense=sense, status="optimal", payments=payments, stats=stats)


def _entries(w) -> np.ndarray:
    """The stored values of a dense or sparse matrix."""
    return w if isinstance(w, np.ndarray) else w.data


def b_matching(weights: Any, row_capacity: Any = 1, col_capacity: Any = 1) -> AssignmentSolution:
    """Maximum-weight bipartite b-matching: row i used at most ``row_capacity[i]`` times,
    column j at most ``col_capacity[j]`` times, each pair at most once; only positive
    entries are edges (0 = no edge; a sparse matrix: only its stored positive entries).

    Solved as a min-cost flow (source -> rows -> columns -> sink, plus a zero-cost bypass):
    first OR-Tools ``SimpleMinCostFlow`` on integer costs (exact for decimal weights, else
    the weights rounded to 9 significant digits), then on the float weights themselves:
    negative cycles of the residual graph are cancelled (Klein 1967) until Bellman-Ford
    finds none, so the answer is optimal for the weights as given, not for their rounding.
    Every residual arc then has a reduced cost >= -eps with eps = 4 * 2^-52 * max weight
    (a floating-point tolerance), which bounds the gap to the optimum by
    ``6 * eps * sum(row_capacity)``: reported as ``stats["max_gap"]``.

    Parameters
    ----------
    weights : (n, m) non-negative matrix, dense or sparse.
    row_capacity, col_capacity : an integer, or one non-negative integer per row / column.

    Returns
    -------
    AssignmentSolution
        ``rows``, ``cols`` (the chosen pairs), ``value`` (their total weight).

    Example
    -------
    >>> b_matching([[3, 1], [2, 0]], row_capacity=[2, 1]).value
    4.0

    References
    ----------
    Ahuja, Magnanti, Orlin, *Network Flows* (1993), ch. 9 (min-cost flow, negative-cycle
    optimality); Klein, Management Science 14 (1967) (cycle cancelling).
    """
    from ortools.graph.python import min_cost_flow

    from submodkit.mip.model import decimal_scale

    t0 = time.perf_counter()
    w = check_matrix("weights", weights)
    if isinstance(w, np.ndarray):
        ii, jj = np.nonzero(w > 0)
        vals = w[ii, jj]
    else:
        coo = w.tocoo()
        pos = coo.data > 0
        ii, jj, vals = coo.row[pos], coo.col[pos], coo.data[pos]
    nr, nc = w.shape
    rc = _capacities("row_capacity", row_capacity, nr)
    cc = _capacities("col_capacity", col_capacity, nc)
    ii, jj = ii.astype(np.int64), jj.astype(np.int64)
    vals = np.ascontiguousarray(vals, dtype=np.float64)
    scale = decimal_scale(vals) if vals.size else 1
    if scale is None:
        scale = 1e9 / float(vals.max())
    iw = np.round(vals * scale).astype(np.int64)
    smcf = min_cost_flow.SimpleMinCostFlow()
    src, snk = nr + nc, nr + nc + 1
    supply = int(rc.sum())
    tails = np.concatenate([np.full(nr, src), ii, nr + np.arange(nc), [src]]).astype(np.int64)
    heads = np.concatenate([np.arange(nr), nr + jj, np.full(nc, snk), [snk]]).astype(np.int64)
    caps = np.concatenate([rc, np.ones(ii.size, np.int64), cc, [supply]]).astype(np.int64)
    costs = np.concatenate([np.zeros(nr, np.int64), -iw, np.zeros(nc, np.int64), [0]]).astype(np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.array([src, snk]), np.array([supply, -supply]))
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    x = (smcf.flows(np.arange(nr, nr + ii.size)) > 0).astype(np.int8)
    eps = 4.0 * np.finfo(np.float64).eps * (float(vals.max()) if vals.size else 0.0)
    cancelled = _cancel_negative_cycles(nr, nc, ii, jj, vals, x, rc, cc, eps)
    used = x > 0
    rows, cols = ii[used], jj[used]
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    return _optimal(rows, cols, float(vals[used].sum()), "b-matching", "max",
                    {"seconds": time.perf_counter() - t0, "cycles_cancelled": int(cancelled),
                     "max_gap": float(6.0 * eps * supply)})


@njit(cache=True, nogil=True)
def _cancel_negative_cycles(nr, nc, ii, jj, w, x, rc, cc, eps):
    """Cancel negative cycles of the b-matching flow ``x`` (pair p used iff ``x[p] = 1``) on the
    float costs ``-w`` until Bellman-Ford (all nodes at distance 0, relaxing only by more than
    ``eps``) converges; returns the number of cycles cancelled. Nodes: rows ``0..nr-1``,
    columns ``nr..nr+nc-1``, source ``s`` and sink ``t``; the source-sink bypass keeps the
    supply fixed, so every improvement of the matching is a negative residual cycle."""
    P = ii.shape[0]
    s = nr + nc
    t = s + 1
    V = nr + nc + 2
    row_used = np.zeros(nr, np.int64)
    col_used = np.zeros(nc, np.int64)
    for p in range(P):
        if x[p]:
            row_used[ii[p]] += 1
            col_used[jj[p]] += 1
    supply = rc.sum()
    dist = np.zeros(V)
    pred = np.full(V, -1, np.int64)  # the node before v on its current shortest path
    pred_arc = np.full(V, -1, np.int64)  # pair p, or -1 for an arc touching s or t
    cancelled = 0
    while True:
        dist[:] = 0.0
        pred[:] = -1
        last = -1
        for _ in range(V):
            last = -1
            bypass = supply - row_used.sum()
            for p in range(P):
                i = ii[p]
                j = nr + jj[p]
                if x[p] == 0:
                    if dist[i] - w[p] < dist[j] - eps:
                        dist[j] = dist[i] - w[p]
                        pred[j] = i
                        pred_arc[j] = p
                        last = j
                elif dist[j] + w[p] < dist[i] - eps:
                    dist[i] = dist[j] + w[p]
                    pred[i] = j
                    pred_arc[i] = p
                    last = i
            for i in range(nr):  # s -> i while row i has room, i -> s while it is used
                if row_used[i] < rc[i] and dist[s] < dist[i] - eps:
                    dist[i] = dist[s]
                    pred[i] = s
                    pred_arc[i] = -1
                    last = i
                if row_used[i] > 0 and dist[i] < dist[s] - eps:
                    dist[s] = dist[i]
                    pred[s] = i
                    pred_arc[s] = -1
                    last = s
            for j in range(nc):  # j -> t while column j has room, t -> j while it is used
                v = nr + j
                if col_used[j] < cc[j] and dist[v] < dist[t] - eps:
                    dist[t] = dist[v]
                    pred[t] = v
                    pred_arc[t] = -1
                    last = t
                if col_used[j] > 0 and dist[t] < dist[v] - eps:
                    dist[v] = dist[t]
                    pred[v] = t
                    pred_arc[v] = -1
                    last = v
            if bypass < supply and dist[s] < dist[t] - eps:  # s -> t, and t -> s while flow bypasses
                dist[t] = dist[s]
                pred[t] = s
                pred_arc[t] = -1
                last = t
            if bypass > 0 and dist[t] < dist[s] - eps:
                dist[s] = dist[t]
                pred[s] = t
                pred_arc[s] = -1
                last = s
            if last == -1:
                return cancelled
        # still relaxing after V passes: walk back V steps to land on the negative cycle
        v = last
        for _ in range(V):
            v = pred[v]
        start = v
        while True:  # push one unit around the cycle (every pair arc has capacity 1)
            u = pred[v]
            p = pred_arc[v]
            if p >= 0:
                x[p] = 1 - x[p]
            elif u == s and v < nr:
                row_used[v] += 1
            elif u < nr and v == s:
                row_used[u] -= 1
            elif v == t and u != s:
                col_used[u - nr] += 1
            elif u == t and v != s:
                col_used[v - nr] -= 1
            v = u
            if v == start:
                break
        cancelled += 1


def _capacities(name: str, cap: Any, length: int) -> np.ndarray:
    if np.isscalar(cap):
        cap = np.full(length, cap)
    arr = check_vector(name, cap, length)
    if np.any(arr != np.round(arr)):
        raise InvalidParameterError(name, cap, "non-negative integers")
    return arr.astype(np.int64)


def position_auction(values: Any) -> AssignmentSolution:
    """Welfare-maximizing assignment of bidders (rows) to positions (columns), VCG payments.

    ``values[i, s]``: bidder i's value for position s (e.g. value per click times the
    click-through rate of s). Each bidder gets at most one position and each position at most
    one bidder (non-negative values, so nobody loses by being assigned). Bidder i pays the
    externality it imposes: ``W(-i) - (W - v_i)`` where W is the optimal welfare and W(-i)
    the optimal welfare without i (Vickrey 1961; Clarke 1971; Groves 1973). n + 1
    assignment problems.

    >>> sol = position_auction([[10, 5], [8, 4], [2, 1]])
    >>> sol.value, sol.payments.tolist()
    (14.0, [5.0, 1.0, 0.0])
    """
    v = check_matrix("values", values)
    v = v.toarray() if not isinstance(v, np.ndarray) else v
    t0 = time.perf_counter()
    base = max_weight_assignment(v)
    n = v.shape[0]
    got = np.zeros(n)
    got[base.rows] = v[base.rows, base.cols]
    payments = np.zeros(n)
    for i in range(n):
        if n == 1:
            others = 0.0
        else:
            others = max_weight_assignment(np.delete(v, i, axis=0)).value
        payments[i] = max(0.0, others - (base.value - got[i]))
    keep = got > 0
    rows, cols = base.rows, base.cols
    mask = keep[rows]
    return _optimal(rows[mask], cols[mask], base.value, "position-auction-vcg", "max",
                    {"seconds": time.perf_counter() - t0}, payments)
