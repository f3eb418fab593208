"""The exact travelling salesman tour of a small point set (the remote-cycle objective).

`tsp_tour` returns a minimum Hamiltonian cycle of a symmetric distance matrix:

- k <= 3 points: directly (k = 2: the edge twice);
- k <= ``held_karp_max`` (default 16): the Held-Karp dynamic program (Held, Karp 1962),
  O(2^k k^2) time and 2^(k-1) (k-1) doubles (k = 16: 3.9 MB, k = 20: 80 MB);
- larger k: an integer program over the k(k-1)/2 edge variables with degree 2 at every
  point, solved by SCIP (OR-Tools ``pywraplp``, relative gap 0) with subtour elimination
  constraints (Dantzig, Fulkerson, Johnson 1954) added for every connected component of
  the solution until it is one tour. The start (upper bound) is nearest neighbour plus
  2-opt and or-opt moves.

``time_limit`` counts from the call and every phase checks it (Held-Karp between chunks of
its table, the local search between passes, the MIP before each solve, keeping back the
time SCIP spends before its own clock starts). If it runs out first, the best tour found is
returned with status ``"timeout"`` and ``lower_bound`` the last proven bound of the
relaxation (0 when the MIP did not run).

Exactness is up to the MIP solver's tolerances (gap 0, SCIP feasibility 1e-6); Held-Karp is
exact in floating point.

Example:
    >>> import numpy as np
    >>> square = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    >>> D = np.sqrt(((square[:, None] - square[None]) ** 2).sum(-1))
    >>> t = tsp_tour(D)
    >>> t.value, t.optimal, t.algorithm
    (4.0, True, 'held-karp')
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_matrix, check_real
from submodkit.errors import InvalidParameterError
from submodkit.mip.model import MAX_COEFFICIENT, Deadline, LinearModel, ModelSize
from submodkit.results import Tour
from submodkit.solvers.diversity._tour_kernels import (
    cycle_weight,
    held_karp_close,
    held_karp_masks,
    held_karp_order,
    held_karp_start,
    improve_tour,
    nearest_neighbour_tour,
    rotate_to_zero,
)

HELD_KARP_MAX = 16  # bench_diversity.py --remote-cycle: 16 points ~0.03 s both ways; HK 0.15 s at 18
HELD_KARP_LIMIT = 24  # 2^23 * 23 doubles = 1.5 GB: refuse beyond


def held_karp(dist: np.ndarray) -> tuple[float, np.ndarray]:
    """The optimal tour of a square matrix by Held-Karp: ``(weight, order)`` with the order
    starting at 0. O(2^k k^2) time, 2^(k-1) (k-1) doubles; up to 24 points.

    Example:
        >>> D = np.array([[0.0, 1, 2], [1, 0, 1], [2, 1, 0]])
        >>> held_karp(D)[0]
        4.0
    """
    dist = np.ascontiguousarray(dist, dtype=np.float64)
    m = dist.shape[0]
    if m > HELD_KARP_LIMIT:
        raise InvalidParameterError("dist", f"{m} points", f"at most {HELD_KARP_LIMIT} points for Held-Karp")
    found = _held_karp(dist, Deadline(None))
    assert found is not None  # no deadline: runs to its end
    return found


# Held-Karp table rows filled between two looks at the clock: about 2e7 inner steps (~20 ms)
_HK_CHUNK_STEPS = 20_000_000


def _held_karp(dist: np.ndarray, deadline: Deadline) -> tuple[float, np.ndarray] | None:
    """`held_karp` on a float64 matrix, filling the table in chunks and looking at
    ``deadline`` between them: None when it expires first."""
    m = dist.shape[0]
    idx = np.arange(m, dtype=np.int64)
    if m <= 1:
        return 0.0, idx
    if m == 2:
        return 2.0 * float(dist[0, 1]), idx
    r = m - 1
    dp = np.empty((1 << r, r))
    held_karp_start(dist, idx, dp)
    step = max(1, _HK_CHUNK_STEPS // (r * r))
    for lo in range(1, 1 << r, step):
        if deadline.expired():
            return None
        held_karp_masks(dist, idx, dp, lo, min(lo + step, 1 << r))
    held_karp_close(dist, idx, dp)
    order = held_karp_order(dist, idx, dp)
    return float(cycle_weight(dist, idx, order)), order


def _local_search(dist: np.ndarray, idx: np.ndarray, deadline: Deadline) -> tuple[np.ndarray, bool]:
    """Nearest neighbour then 2-opt / or-opt passes until none improves or ``deadline``
    expires (looked at between passes): ``(order starting at 0, converged)``."""
    order = nearest_neighbour_tour(dist, idx)
    improved = True
    while improved and not deadline.expired():
        order, improved = improve_tour(dist, idx, order, 1)
    return rotate_to_zero(order), not improved


def _edge_ids(m: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Positions of the pairs ``a < b`` in ``np.triu_indices(m, 1)`` order."""
    return a * (2 * m - a - 1) // 2 + (b - a - 1)


def _components(m: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(m))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for a in range(m):
        groups.setdefault(find(a), []).append(a)
    return list(groups.values())


def _order_from_edges(m: int, edges: list[tuple[int, int]]) -> np.ndarray:
    adj: list[list[int]] = [[] for _ in range(m)]
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    order = [0]
    prev, cur = -1, 0
    for _ in range(m - 1):
        nxt = min(adj[cur]) if prev < 0 else next(v for v in adj[cur] if v != prev)
        order.append(nxt)
        prev, cur = cur, nxt
    return np.asarray(order, dtype=np.int64)


# below this many seconds for SCIP's own clock, the MIP is not started
_MIN_MIP_SECONDS = 0.01


def _tsp_mip(dist: np.ndarray, deadline: Deadline, start_order: np.ndarray):
    """Iterative DFJ subtour elimination with SCIP within ``deadline``. Returns ``(order,
    exact, lower, iterations, stopped)`` with ``order`` None when the MIP found no single
    tour (a timed-out solve's incumbent is returned, not exact, when it is one tour) and
    ``stopped`` True when the clock ended it. The model is handed over as one proto
    (`submodkit.mip.ortools.mp_model_proto`); each solve gets the time left less the estimated
    time SCIP spends before its clock starts (`ModelSize.seconds`)."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    from submodkit.mip.ortools import mp_model_proto

    m = dist.shape[0]
    iu, ju = np.triu_indices(m, 1)
    p = len(iu)
    e = np.arange(p)
    degree = sp.csr_matrix((np.ones(2 * p), (np.r_[iu, ju], np.r_[e, e])), shape=(m, p))
    hint = np.zeros(p)
    a, b = start_order, np.roll(start_order, -1)
    hint[_edge_ids(m, np.minimum(a, b), np.maximum(a, b))] = 1.0
    model = LinearModel(c=np.ascontiguousarray(dist[iu, ju]), A=degree, row_lb=np.full(m, 2.0),
                        row_ub=np.full(m, 2.0), integer=np.ones(p, dtype=bool), sense="min", n_select=p,
                        hint=hint)
    entered = time.perf_counter()
    s = pywraplp.Solver.CreateSolver("SCIP")
    err = s.LoadModelFromProto(mp_model_proto(model, relax=False, hint=True))
    if err:
        raise RuntimeError(f"SCIP rejected the tour model: {err}")
    x = s.variables()
    ahead = max(0.0, ModelSize(p, m, 2 * p).seconds("scip") - (time.perf_counter() - entered))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    lower, iterations = 0.0, 0
    while True:
        left = deadline.left()
        if left is not None:
            limit = left - ahead
            if limit < _MIN_MIP_SECONDS:
                return None, False, lower, iterations, True
            s.SetTimeLimit(max(1, int(limit * 1000)))
        st = s.Solve(params)
        iterations += 1
        if st == pywraplp.Solver.OPTIMAL:
            lower = max(lower, float(s.Objective().Value()))
        elif st == pywraplp.Solver.FEASIBLE:
            bound, value = float(s.Objective().BestBound()), float(s.Objective().Value())
            if np.isfinite(bound) and bound <= value + 1e-9 * max(1.0, abs(value)):
                lower = max(lower, bound)
        else:  # NOT_SOLVED: stopped by its limit before a solution
            return None, False, lower, iterations, st == pywraplp.Solver.NOT_SOLVED
        resp = linear_solver_pb2.MPSolutionResponse()
        s.FillSolutionResponseProto(resp)
        on = np.flatnonzero(np.asarray(resp.variable_value, dtype=float)[:p] > 0.5)
        edges = list(zip(iu[on].tolist(), ju[on].tolist(), strict=True))
        comps = _components(m, edges)
        if len(comps) == 1:
            exact = st == pywraplp.Solver.OPTIMAL
            return _order_from_edges(m, edges), exact, lower, iterations, not exact
        if st != pywraplp.Solver.OPTIMAL:
            return None, False, lower, iterations, True
        for comp in comps:
            c = np.asarray(comp, dtype=np.int64)  # increasing
            ci, cj = np.triu_indices(len(c), 1)
            cut = s.Constraint(-s.infinity(), len(comp) - 1.0)
            for eid in _edge_ids(m, c[ci], c[cj]).tolist():
                cut.SetCoefficient(x[eid], 1.0)


def tsp_tour(dist, *, time_limit: float = 60.0, held_karp_max: int = HELD_KARP_MAX) -> Tour:
    """A minimum-weight Hamiltonian cycle of the points of a symmetric, non-negative matrix.

    Held-Karp up to ``held_karp_max`` points (at most 24), else SCIP with subtour
    elimination cuts, started from nearest neighbour + 2-opt/or-opt. One point: 0; two
    points: twice their distance.

    Parameters
    ----------
    dist : array_like, shape (n, n)
        Symmetric, non-negative distances.
    time_limit : float, default 60.0, keyword-only
        Seconds for the whole call (finite, > 0). When it runs out first the status is
        ``"timeout"``: the tour is the best found (the local search's, or a MIP tour) and
        ``lower_bound`` the relaxation's last proven bound (0 if the MIP did not run).
    held_karp_max : int, default 16
        Largest ``n`` solved by Held-Karp dynamic programming (at most 24).

    Returns
    -------
    Tour
        ``order`` (the cycle), ``value`` (its length), ``status`` (``"optimal"`` when
        proven, ``"timeout"`` when the limit cut the work short, else ``"feasible"``) and
        ``lower_bound``.

    Examples
    --------
    >>> D = np.array([[0.0, 3.0], [3.0, 0.0]])
    >>> tsp_tour(D).value
    6.0
    >>> square = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], dtype=float)
    >>> tsp_tour(square).value
    4.0

    References
    ----------
    .. [1] Held, Karp, "A dynamic programming approach to sequencing problems", J. SIAM 10
       (1962).
    .. [2] Dantzig, Fulkerson, Johnson, "Solution of a large-scale traveling-salesman
       problem", Oper. Res. 2 (1954) (subtour elimination).
    """
    t0 = time.perf_counter()
    dist = check_matrix("dist", dist)
    dist = np.ascontiguousarray(dist.toarray() if not isinstance(dist, np.ndarray) else dist,
                                dtype=np.float64)
    if dist.shape[1] != dist.shape[0] or not np.allclose(dist, dist.T, rtol=1e-9, atol=1e-12):
        raise InvalidParameterError("dist", f"matrix of shape {dist.shape}", "a symmetric square matrix")
    time_limit = check_real("time_limit", time_limit, minimum=0.0, strict_min=True)
    held_karp_max = check_int("held_karp_max", held_karp_max, minimum=3)
    if held_karp_max > HELD_KARP_LIMIT:
        raise InvalidParameterError("held_karp_max", held_karp_max, f"an integer <= {HELD_KARP_LIMIT}")
    return solve_tour(dist, time_limit, held_karp_max, start=t0)


def solve_tour(dist: np.ndarray, time_limit: float | None = 60.0, held_karp_max: int = HELD_KARP_MAX,
               *, start: float | None = None) -> Tour:
    """`tsp_tour` on an already validated float64 square matrix (no checks); ``time_limit``
    (None: no limit) counts from ``start`` (a ``time.perf_counter()`` time; default now),
    and ``stats["seconds"]`` too."""
    t0 = time.perf_counter() if start is None else start
    deadline = Deadline(time_limit, t0)
    m = dist.shape[0]
    idx = np.arange(m, dtype=np.int64)
    if m <= 3:
        value = 2.0 * float(dist[0, 1]) if m == 2 else float(cycle_weight(dist, idx, idx))
        return _tour(value, idx, "optimal", value, "direct", t0)
    if m <= held_karp_max:
        found = _held_karp(dist, deadline)
        if found is not None:
            return _tour(found[0], found[1], "optimal", found[0], "held-karp", t0)
        heur, _ = _local_search(dist, idx, deadline)  # the clock is out: nearest neighbour
        return _tour(float(cycle_weight(dist, idx, heur)), heur, "timeout", 0.0,
                     "local-search (held-karp stopped by the time limit)", t0)
    heur, converged = _local_search(dist, idx, deadline)
    upper = float(cycle_weight(dist, idx, heur))
    if not converged:
        return _tour(upper, heur, "timeout", 0.0, "local-search (stopped by the time limit)", t0)
    if float(dist.max()) > MAX_COEFFICIENT:  # beyond SCIP's range: the local search's tour
        return _tour(upper, heur, "feasible", 0.0, "local-search (distances beyond the MIP's range)", t0)
    order, exact, lower, its, stopped = _tsp_mip(dist, deadline, heur)
    best, value = heur, upper
    if order is not None:
        v = float(cycle_weight(dist, idx, order))
        if v < upper:
            best, value = order, v
    if exact:
        lower = value
    status = "optimal" if exact else "timeout" if stopped else "feasible"
    return _tour(value, best, status, min(lower, value), "mip", t0, its)


def _tour(value: float, order: np.ndarray, status: str, lower: float, method: str, t0: float,
          iterations: int = 0) -> Tour:
    return Tour(value=value, order=order, algorithm=method, status=status,
                lower_bound=lower, upper_bound=value,
                stats={"seconds": time.perf_counter() - t0, "iterations": iterations})


def tour_is_valid(order: np.ndarray, m: int) -> bool:
    """Whether ``order`` is a permutation of ``0..m-1``."""
    return order.shape == (m,) and bool(np.array_equal(np.sort(order), np.arange(m)))


__all__ = ["HELD_KARP_MAX", "Tour", "held_karp", "tsp_tour", "solve_tour", "tour_is_valid"]
