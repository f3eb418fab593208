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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from submodkit._validation import check_matrix, check_vector
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.solution import Guarantee, _num, result_dict


@dataclass
class AssignmentSolution:
    """An assignment: ``rows[i]`` is assigned to ``cols[i]``; ``value`` is their total weight.

    Attributes:
        rows, cols: int64 arrays of equal length (rows sorted).
        value: sum of the chosen entries (b-matching: of the chosen edge weights).
        algorithm: name of the algorithm.
        guarantee: 1 (optimal) for these exact algorithms.
        payments: VCG payments per row (position auctions only), else None.
        stats: counters (``seconds``).
    """

    rows: np.ndarray
    cols: np.ndarray
    value: float
    algorithm: str
    guarantee: Guarantee | None
    payments: np.ndarray | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def weight(self) -> float:
        return self.value

    def to_dict(self) -> dict[str, Any]:
        d = result_dict(self.algorithm, self.value, self.guarantee, self.stats,
                        pairs=np.stack([self.rows, self.cols], axis=1).tolist())
        if self.payments is not None:
            d["payments"] = [_num(p) for p in self.payments]
        return d


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
    Entries may be negative; ``-inf`` (maximize) / ``inf`` (minimize) forbids a pair.

    >>> max_weight_assignment([[1, 5], [4, 2]]).value
    9.0
    """
    t0 = time.perf_counter()
    w = check_matrix("weights", weights, nonnegative=False, allow_inf=True)
    if not isinstance(w, np.ndarray):
        w = w.toarray()
    if not isinstance(maximize, (bool, np.bool_)):
        raise InvalidParameterError("maximize", maximize, "True or False")
    if (maximize and np.any(w == np.inf)) or (not maximize and np.any(w == -np.inf)):
        raise InvalidParameterError(
            "weights", "an entry of the wrong infinity", "finite or forbidden entries"
        )
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
    return AssignmentSolution(rows, cols, value, "assignment", guarantee("matching-exact"),
                              stats={"seconds": time.perf_counter() - t0})


def b_matching(weights: Any, row_capacity: Any = 1, col_capacity: Any = 1) -> AssignmentSolution:
    """Maximum-weight bipartite b-matching: row i used at most ``row_capacity[i]`` times,
    column j at most ``col_capacity[j]`` times, each pair at most once; only positive
    entries are edges (0 = no edge).

    Solved exactly as a min-cost flow (source -> rows -> columns -> sink, plus a zero-cost
    bypass) with OR-Tools ``SimpleMinCostFlow``; weights are scaled to integers (exactly for
    decimal weights, else to 9 significant digits). Optimal.

    >>> b_matching([[3, 1], [2, 0]], row_capacity=[2, 1]).value
    4.0
    """
    from ortools.graph.python import min_cost_flow

    from submodkit.solvers.exact_core import decimal_scale

    t0 = time.perf_counter()
    w = check_matrix("weights", weights)
    w = w.toarray() if not isinstance(w, np.ndarray) else w
    nr, nc = w.shape
    rc = _capacities("row_capacity", row_capacity, nr)
    cc = _capacities("col_capacity", col_capacity, nc)
    ii, jj = np.nonzero(w > 0)
    vals = w[ii, jj]
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
    flows = smcf.flows(np.arange(nr, nr + ii.size))
    used = flows > 0
    rows, cols = ii[used].astype(np.int64), jj[used].astype(np.int64)
    return AssignmentSolution(rows, cols, float(w[rows, cols].sum()), "b-matching",
                              guarantee("matching-exact"), stats={"seconds": time.perf_counter() - t0})


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
    return AssignmentSolution(rows[mask], cols[mask], base.value, "position-auction-vcg",
                              guarantee("matching-exact"), payments=payments,
                              stats={"seconds": time.perf_counter() - t0})
