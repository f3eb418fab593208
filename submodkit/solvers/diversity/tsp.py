"""The exact travelling salesman tour of a small point set (the remote-cycle objective).

`tsp_tour` returns a minimum Hamiltonian cycle of a symmetric distance matrix:

- k <= 3 points: directly (k = 2: the edge twice);
- k <= ``held_karp_max`` (default 16): the Held-Karp dynamic program (Held, Karp 1962),
  O(2^k k^2) time and 2^(k-1) (k-1) doubles (k = 16: 3.9 MB, k = 20: 80 MB);
- larger k: an integer program over the k(k-1)/2 edge variables with degree 2 at every
  point, solved by SCIP (OR-Tools ``pywraplp``, relative gap 0) with subtour elimination
  constraints (Dantzig, Fulkerson, Johnson 1954) added for every connected component of
  the solution until it is one tour. The start (upper bound) is nearest neighbour plus
  2-opt and or-opt moves. If ``time_limit`` runs out first, the best tour found is returned
  with ``exact=False`` and ``lower_bound`` the last proven bound of the relaxation.

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

from submodkit._validation import check_int, check_matrix, check_real
from submodkit.errors import InvalidParameterError
from submodkit.mip.model import MAX_COEFFICIENT
from submodkit.results import Tour
from submodkit.solvers.diversity._tour_kernels import (
    cycle_weight,
    held_karp_fill,
    held_karp_order,
    local_search_tour,
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
    idx = np.arange(m, dtype=np.int64)
    if m <= 1:
        return 0.0, idx
    if m == 2:
        return 2.0 * float(dist[0, 1]), idx
    dp = np.empty((1 << (m - 1), m - 1))
    held_karp_fill(dist, idx, dp)
    order = held_karp_order(dist, idx, dp)
    return float(cycle_weight(dist, idx, order)), order


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


def _tsp_mip(dist: np.ndarray, time_limit: float, start_order: np.ndarray):
    """Iterative DFJ subtour elimination with SCIP. Returns (order, exact, lower, iterations)
    with ``order`` None when the MIP found no single tour in time (a timed-out solve's
    incumbent is returned, not exact, when it is one tour)."""
    from ortools.linear_solver import pywraplp

    m = dist.shape[0]
    deadline = time.perf_counter() + time_limit
    s = pywraplp.Solver.CreateSolver("SCIP")
    iu, ju = np.triu_indices(m, 1)
    x = [s.BoolVar(f"x{a}_{b}") for a, b in zip(iu.tolist(), ju.tolist(), strict=True)]
    eid = {(int(a), int(b)): e for e, (a, b) in enumerate(zip(iu, ju, strict=True))}
    inc: list[list[int]] = [[] for _ in range(m)]
    for e, (a, b) in enumerate(zip(iu.tolist(), ju.tolist(), strict=True)):
        inc[a].append(e)
        inc[b].append(e)
    for lst in inc:
        s.Add(sum(x[e] for e in lst) == 2)
    s.Minimize(sum(float(dist[a, b]) * x[e] for e, (a, b) in enumerate(zip(iu.tolist(), ju.tolist(),
                                                                          strict=True))))
    hint = np.zeros(len(x))
    for t in range(m):
        a, b = int(start_order[t]), int(start_order[(t + 1) % m])
        hint[eid[(min(a, b), max(a, b))]] = 1.0
    s.SetHint(x, hint.tolist())
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    lower, iterations = 0.0, 0
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None, False, lower, iterations
        s.SetTimeLimit(max(1, int(left * 1000)))
        st = s.Solve(params)
        iterations += 1
        if st == pywraplp.Solver.OPTIMAL:
            lower = max(lower, float(s.Objective().Value()))
        elif st == pywraplp.Solver.FEASIBLE:
            lower = max(lower, float(s.Objective().BestBound()))
        else:
            return None, False, lower, iterations
        edges = [(int(iu[e]), int(ju[e])) for e in range(len(x)) if x[e].solution_value() > 0.5]
        comps = _components(m, edges)
        if len(comps) == 1:
            return _order_from_edges(m, edges), st == pywraplp.Solver.OPTIMAL, lower, iterations
        if st != pywraplp.Solver.OPTIMAL:
            return None, False, lower, iterations
        for comp in comps:
            inside = [eid[(a, b)] for ai, a in enumerate(comp) for b in comp[ai + 1:]]
            s.Add(sum(x[e] for e in inside) <= len(comp) - 1)


def tsp_tour(dist, *, time_limit: float = 60.0, held_karp_max: int = HELD_KARP_MAX) -> Tour:
    """A minimum-weight Hamiltonian cycle of the points of a symmetric, non-negative matrix.

    Held-Karp up to ``held_karp_max`` points (at most 24), else SCIP with subtour
    elimination cuts, stopped after ``time_limit`` seconds: then ``exact`` is False and the
    tour is the best found (nearest neighbour + 2-opt/or-opt or a MIP tour), with the
    relaxation's proven ``lower_bound``. One point: 0; two points: twice their distance.

    Parameters
    ----------
    dist : array_like, shape (n, n)
        Symmetric, non-negative distances.
    time_limit : float, default 60.0, keyword-only
        Seconds for the MIP (more than ``held_karp_max`` points).
    held_karp_max : int, default 16
        Largest ``n`` solved by Held-Karp dynamic programming (at most 24).

    Returns
    -------
    Tour
        ``order`` (the cycle), ``value`` (its length), ``exact`` and ``lower_bound``.

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
    tour = solve_tour(dist, time_limit, held_karp_max)
    tour.stats["seconds"] = time.perf_counter() - t0
    return tour


def solve_tour(dist: np.ndarray, time_limit: float = 60.0, held_karp_max: int = HELD_KARP_MAX) -> Tour:
    """`tsp_tour` on an already validated float64 square matrix (no checks)."""
    t0 = time.perf_counter()
    m = dist.shape[0]
    idx = np.arange(m, dtype=np.int64)
    if m <= 3:
        value = 2.0 * float(dist[0, 1]) if m == 2 else float(cycle_weight(dist, idx, idx))
        return _tour(value, idx, True, value, "direct", t0)
    if m <= held_karp_max:
        value, order = held_karp(dist)
        return _tour(value, order, True, value, "held-karp", t0)
    heur = local_search_tour(dist, idx)
    upper = float(cycle_weight(dist, idx, heur))
    if float(dist.max()) > MAX_COEFFICIENT:  # beyond SCIP's range: the local search's tour
        return _tour(upper, heur, False, 0.0, "local-search (distances beyond the MIP's range)", t0)
    order, exact, lower, its = _tsp_mip(dist, time_limit, heur)
    best, value = heur, upper
    if order is not None:
        v = float(cycle_weight(dist, idx, order))
        if v < upper:
            best, value = order, v
    if exact:
        lower = value
    return _tour(value, best, bool(exact), min(lower, value), "mip", t0, its)


def _tour(value: float, order: np.ndarray, exact: bool, lower: float, method: str, t0: float,
          iterations: int = 0) -> Tour:
    return Tour(value=value, order=order, algorithm=method, status="optimal" if exact else "feasible",
                lower_bound=lower, upper_bound=value,
                stats={"seconds": time.perf_counter() - t0, "iterations": iterations})


def tour_is_valid(order: np.ndarray, m: int) -> bool:
    """Whether ``order`` is a permutation of ``0..m-1``."""
    return order.shape == (m,) and bool(np.array_equal(np.sort(order), np.arange(m)))


__all__ = ["HELD_KARP_MAX", "Tour", "held_karp", "tsp_tour", "solve_tour", "tour_is_valid"]
