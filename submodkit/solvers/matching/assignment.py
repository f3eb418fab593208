"""Bipartite matching: rectangular assignment, b-matching with capacities, position auctions.

- :func:`max_weight_assignment`: Jonker-Volgenant shortest augmenting paths with an LAPJV
  initialisation, compiled with Numba: dense (vectorized row passes) or sparse (LAPJVsp
  style, on the stored pairs only, never densified); O(n^2 m) for an n x m matrix, n <= m,
  O(n m' log m') for m' stored pairs. Optimal.
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

from submodkit._validation import check_matrix, check_vector
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.problems import SPARE_IDS
from submodkit.results import AssignmentSolution
from submodkit.solvers.matching._assignment_kernels import solve_lap
from submodkit.solvers.matching._kernels import _cancel_negative_cycles


def max_weight_assignment(weights: Any, maximize: bool = True) -> AssignmentSolution:
    """Optimal assignment of a rectangular matrix: min(n, m) pairs, one per row and column.

    Maximizes (or, with ``maximize=False``, minimizes) the sum of the chosen entries, like
    ``scipy.optimize.linear_sum_assignment``. Jonker-Volgenant shortest augmenting paths
    compiled with Numba, after the LAPJV initialisation (column reduction, reduction
    transfer, augmenting row reduction) and an augmentation along zero-reduced-cost edges.
    Entries may be negative; ``-inf`` (maximize) / ``inf`` (minimize) forbids a pair. A
    scipy sparse matrix lists the allowed pairs: an entry it does not store is forbidden
    (as in ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``), never weight 0; an
    explicitly stored zero is a pair of weight 0. A sparse matrix is solved on its stored
    pairs (a Dijkstra over the CSR rows, LAPJVsp style), never densified. When no
    assignment of min(n, m) pairs exists, `InvalidParameterError` is raised. An empty matrix
    (a dimension 0) gives the empty assignment.

    Parameters
    ----------
    weights : array_like or scipy sparse matrix, shape (n, m)
        The entries; a sparse matrix allows only its stored pairs.
    maximize : bool, default True
        Maximize the sum (False: minimize it).

    Returns
    -------
    AssignmentSolution
        ``rows`` (increasing), ``cols`` (the pairs), ``value`` (their sum), proven optimal
        (both bounds).

    Examples
    --------
    >>> max_weight_assignment([[1, 5], [4, 2]]).value
    9.0
    >>> max_weight_assignment([[1, 5], [4, 2]], maximize=False).value
    3.0
    >>> import scipy.sparse as sp
    >>> sol = max_weight_assignment(sp.csr_matrix([[0.0, 2.0, 0.0], [3.0, 7.0, 0.0]]))
    >>> sol.cols.tolist(), sol.value  # (1, 1) = 7 would leave row 0 without a stored pair
    ([1, 0], 5.0)

    References
    ----------
    .. [1] Jonker, Volgenant, "A shortest augmenting path algorithm for dense and sparse
       linear assignment problems", Computing 38 (1987).
    .. [2] Volgenant, "Linear and semi-assignment problems: a core oriented approach",
       Computers & Operations Research 23 (1996).
    .. [3] Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Trans.
       Aerospace and Electronic Systems 52 (2016).
    """
    t0 = time.perf_counter()
    if not isinstance(maximize, (bool, np.bool_)):
        raise InvalidParameterError("maximize", maximize, "True or False")
    shape = weights.shape if sp.issparse(weights) else np.shape(weights)
    sense = "max" if maximize else "min"
    if len(shape) == 2 and 0 in shape:
        empty = np.zeros(0, dtype=np.int64)
        return _optimal(empty, empty.copy(), 0.0, "assignment", sense, {"seconds": time.perf_counter() - t0})
    w = check_matrix("weights", weights, nonnegative=False, allow_inf=True)
    wrong = np.inf if maximize else -np.inf
    data = w if isinstance(w, np.ndarray) else w.data
    if data.size and (data.max() if maximize else data.min()) == wrong:
        raise InvalidParameterError(
            "weights", "an entry of the wrong infinity", "finite or forbidden entries"
        )
    sign = -1.0 if maximize else 1.0
    transposed = w.shape[0] > w.shape[1]
    if isinstance(w, np.ndarray):
        nr, nc = min(w.shape), max(w.shape)
        ok, col4row, _ = solve_lap(w, transposed, sign, nr, nc, _NO_INDEX, _NO_INDEX, _NO_COST)
        values = None
    else:  # only the stored pairs are allowed: the CSR structure goes to the kernel as it is
        csr = w.T.tocsr() if transposed else w
        indptr, indices, vals = _allowed_pairs(csr, -wrong)
        nr, nc = csr.shape
        used = None
        if nc > 2 * indices.size + SPARE_IDS:  # a column in no allowed pair is never assigned:
            used, indices = np.unique(indices, return_inverse=True)  # the kernel sees the others only
            indices, nc = indices.astype(np.int64).reshape(-1), int(used.size)
        if nc < nr:
            ok, col4row, pos = False, np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            ok, col4row, pos = solve_lap(_NO_DENSE, False, sign, nr, nc, indptr, indices, sign * vals)
        if ok and used is not None:
            col4row = used[col4row].astype(np.int64)
        values = vals[pos] if ok else None
    if not ok:
        raise InvalidParameterError("weights", "forbidden entries", "a matrix with a complete assignment")
    rows = np.arange(col4row.size, dtype=np.int64)
    cols = col4row
    if transposed:
        rows, cols = cols, rows
        order = np.argsort(rows)
        rows, cols = rows[order], cols[order]
        if values is not None:
            values = values[order]
    value = float(w[rows, cols].sum()) if values is None else float(values.sum())
    return _optimal(rows, cols, value, "assignment", sense, {"seconds": time.perf_counter() - t0})


_NO_DENSE = np.zeros((0, 0))
_NO_INDEX = np.zeros(1, np.int64)
_NO_COST = np.zeros(0)


def _allowed_pairs(csr: sp.csr_matrix, forbidden: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(indptr, indices, data)`` of a checked CSR matrix as contiguous int64 / float64 arrays,
    the entries equal to ``forbidden`` dropped (explicit zeros are pairs of weight 0)."""
    indptr = csr.indptr.astype(np.int64)
    indices = csr.indices.astype(np.int64)
    data = np.ascontiguousarray(csr.data, dtype=np.float64)
    drop = data == forbidden
    if drop.any():
        keep = ~drop
        kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))  # kept entries before p
        indptr = kept_before[indptr]
        indices, data = indices[keep], data[keep]
    return indptr, indices, data


def _optimal(rows: np.ndarray, cols: np.ndarray, value: float, algorithm: str, sense: str, stats: dict,
             payments: np.ndarray | None = None) -> AssignmentSolution:
    """A proven optimal assignment (its value is both bounds)."""
    return AssignmentSolution(rows=rows, cols=cols, value=value, algorithm=algorithm,
                              guarantee=guarantee("matching-exact"), upper_bound=value, lower_bound=value,
                              sense=sense, status="optimal", payments=payments, stats=stats)


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
    ``6 * eps * sum(row_capacity)`` (each capacity clipped to its vertex's degree: a larger
    one binds nothing): reported as ``stats["max_gap"]``.

    Parameters
    ----------
    weights : (n, m) non-negative matrix, dense or sparse.
    row_capacity, col_capacity : an integer, or one non-negative integer per row / column.

    Returns
    -------
    AssignmentSolution
        ``rows``, ``cols`` (the chosen pairs), ``value`` (their total weight).

    Examples
    --------
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
    ii, jj = ii.astype(np.int64), jj.astype(np.int64)
    # a vertex is in at most its degree pairs: a larger capacity binds nothing (clipped, the
    # capacities fit int64 and their sum fits the flow solver)
    rc = _capacities("row_capacity", row_capacity, nr, np.bincount(ii, minlength=nr))
    cc = _capacities("col_capacity", col_capacity, nc, np.bincount(jj, minlength=nc))
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


def _capacities(name: str, cap: Any, length: int, degree: np.ndarray) -> np.ndarray:
    """``cap`` (a scalar or one per vertex) checked as non-negative integers, each clipped to
    its vertex's ``degree``, as int64."""
    if np.isscalar(cap):
        cap = np.full(length, cap)
    arr = check_vector(name, cap, length)
    if np.any(arr != np.round(arr)):
        raise InvalidParameterError(name, cap, "non-negative integers")
    return np.minimum(arr, degree).astype(np.int64)


def position_auction(values: Any) -> AssignmentSolution:
    """Welfare-maximizing assignment of bidders (rows) to positions (columns), VCG payments.

    ``values[i, s]``: bidder i's value for position s (e.g. value per click times the
    click-through rate of s). Each bidder gets at most one position and each position at most
    one bidder (non-negative values, so nobody loses by being assigned). Bidder i pays the
    externality it imposes: ``W(-i) - (W - v_i)`` where W is the optimal welfare and W(-i)
    the optimal welfare without i (Vickrey 1961; Clarke 1971; Groves 1973). n + 1
    assignment problems.

    Parameters
    ----------
    values : array_like, shape (bidders, positions)
        Non-negative values.

    Returns
    -------
    AssignmentSolution
        The welfare-maximizing assignment (``value`` is the welfare) and ``payments``, one
        VCG payment per bidder.

    Examples
    --------
    >>> sol = position_auction([[10, 5], [8, 4], [2, 1]])
    >>> sol.value, sol.payments.tolist()
    (14.0, [5.0, 1.0, 0.0])

    References
    ----------
    .. [1] Vickrey, "Counterspeculation, auctions, and competitive sealed tenders", J.
       Finance 16 (1961).
    .. [2] Clarke, "Multipart pricing of public goods", Public Choice 11 (1971).
    .. [3] Groves, "Incentives in teams", Econometrica 41 (1973).
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
