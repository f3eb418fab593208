"""Matching core-sets: edge-degree constrained subgraphs (EDCS) and maximum matchings.

An EDCS with parameters ``beta > beta_minus`` of a graph G is a subgraph H such that
every edge (u, v) of H has ``deg_H(u) + deg_H(v) <= beta`` and every edge of G outside H
has ``deg_H(u) + deg_H(v) >= beta_minus`` (Bernstein, Stein, ICALP 2015). It always exists
and is found by local moves (remove a violating H edge, add a violating G edge), which
terminate because each move lowers a potential.

Randomized composable core-set (Assadi, Bateni, Bernstein, Mirrokni, Stein, "Coresets meet
EDCS", SODA 2019): split the edges uniformly at random into ``n_parts`` groups, compute an
EDCS of each, and solve maximum matching on the union. With ``beta = O(log n / eps^2)``
(and beta_minus = (1 - eps) beta) the union holds a (3/2 + eps)-approximate maximum
matching w.h.p.; the core-set of each part has O(n beta) edges. For comparison,
:func:`matching_coreset` keeps a maximum matching of each part (a 1/3-approximate
randomized core-set in the worst case, often much better in practice).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> edges = np.unique(np.sort(rng.integers(0, 60, (400, 2)), axis=1), axis=0)
>>> sol = edcs_coreset_matching(edges[edges[:, 0] != edges[:, 1]], n_parts=4, beta=8, seed=0)
>>> sol.stats["coreset_edges"] < len(edges)
True
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from numba import njit

from submodkit._validation import check_int, check_real
from submodkit.coresets._partition import random_parts
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.edges import EdgeList, as_edge_list, compact, read_graph
from submodkit.instances.shards import Shards
from submodkit.results import MatchingSolution
from submodkit.solvers.matching._graph import expand
from submodkit.solvers.matching.general import max_weight_matching


@njit(cache=True, nogil=True)
def edcs_kernel(n, eu, ev, beta, beta_minus, max_sweeps):
    """Local moves until (beta, beta_minus) holds; returns (in_h mask, sweeps, converged)."""
    m = eu.shape[0]
    in_h = np.zeros(m, np.bool_)
    deg = np.zeros(n, np.int64)
    sweeps = 0
    converged = False
    while sweeps < max_sweeps:
        sweeps += 1
        changed = False
        for k in range(m):
            s = deg[eu[k]] + deg[ev[k]]
            if in_h[k]:
                if s > beta:
                    in_h[k] = False
                    deg[eu[k]] -= 1
                    deg[ev[k]] -= 1
                    changed = True
            elif s < beta_minus:
                in_h[k] = True
                deg[eu[k]] += 1
                deg[ev[k]] += 1
                changed = True
        if not changed:
            converged = True
            break
    return in_h, sweeps, converged


def _check_beta(beta: int, beta_minus: int | None) -> tuple[int, int]:
    beta = check_int("beta", beta, minimum=2)
    if beta_minus is None:
        beta_minus = beta - 1
    beta_minus = check_int("beta_minus", beta_minus, minimum=1)
    if beta_minus >= beta:
        raise InvalidParameterError("beta_minus", beta_minus, f"an integer < beta = {beta}")
    return beta, beta_minus


def edcs(graph: Any, beta: int, beta_minus: int | None = None, max_sweeps: int = 10_000) -> np.ndarray:
    """Indices (into the normalized edge list ``read_graph(graph)``) of a (beta, beta_minus)-EDCS.

    Raises RuntimeError if the local moves have not converged after ``max_sweeps`` sweeps.

    >>> edcs([(0, 1), (1, 2), (2, 3)], beta=2).tolist()
    [0, 2]
    """
    g, _ = compact(read_graph(graph))  # the same edges in the same order; per-vertex arrays follow them
    beta, beta_minus = _check_beta(beta, beta_minus)
    in_h, _, ok = edcs_kernel(g.n, g.u, g.v, beta, beta_minus, check_int("max_sweeps", max_sweeps, minimum=1))
    if not ok:
        raise RuntimeError(f"EDCS local moves did not converge in {max_sweeps} sweeps")
    return np.flatnonzero(in_h)


def _part_edcs(g: EdgeList, part: np.ndarray, beta_pair) -> np.ndarray:
    beta, beta_minus = beta_pair[0], beta_pair[1]
    in_h, _, ok = edcs_kernel(g.n, g.u[part], g.v[part], beta, beta_minus, 100_000)
    if not ok:
        raise RuntimeError("EDCS local moves did not converge")
    return part[in_h]


def _part_matching(g: EdgeList, part: np.ndarray, _k) -> np.ndarray:
    sub = np.column_stack([g.u[part], g.v[part]])
    sol = max_weight_matching(sub, maxcardinality=True, n_nodes=g.n)
    key = g.u[part] * g.n + g.v[part]
    order = np.argsort(key)
    pos = np.searchsorted(key[order], sol.pairs[:, 0] * g.n + sol.pairs[:, 1])
    return part[order[pos]]


def _partition(g: EdgeList, n_parts: int, seed) -> list[np.ndarray]:
    """The random edge partition shared by the core-sets (edge indices of each part)."""
    return random_parts(g.u.size, n_parts, seed)


def edcs_size_bounds(
    graph: Any, *, n_parts: int = 4, beta: int = 16, beta_minus: int | None = None, seed: int | None = None
) -> dict[str, int]:
    """Bounds on the size of the EDCS core-set, from the degrees of each part alone.

    Same random partition as :func:`edcs_coreset_matching` for the same ``seed``. Summed
    over the parts (an EDCS H of a part P, degrees ``d`` in P):

    - ``forced_edges``: edges of P with ``d(u) + d(v) < beta_minus + 2``, which every EDCS
      keeps (an edge outside H has ``deg_H(u) + deg_H(v) <= d(u) + d(v) - 2``, yet needs at
      least ``beta_minus``);
    - ``max_edges``: ``sum_v min(d(v), beta - 1) / 2``, as every vertex of H has
      ``deg_H <= beta - 1`` (its H edges have sum ``<= beta`` and the other end degree >= 1).

    So an EDCS drops at most ``1 - forced_edges / n_edges`` of the edges; on sparse parts
    (all degrees below beta / 2) it drops none. O(n + m).

    >>> edcs_size_bounds([(0, 1), (1, 2), (2, 3)], n_parts=1, beta=2)
    {'n_edges': 3, 'forced_edges': 0, 'max_edges': 2}
    """
    g, _ = compact(read_graph(graph))
    n_parts = check_int("n_parts", n_parts, minimum=1)
    beta, beta_minus = _check_beta(beta, beta_minus)
    forced = top = 0
    for part in _partition(g, n_parts, seed):
        u, v = g.u[part], g.v[part]
        d = np.bincount(np.concatenate([u, v]), minlength=g.n)
        forced += int(np.count_nonzero(d[u] + d[v] < beta_minus + 2))
        top += min(int(np.minimum(d, beta - 1).sum()) // 2, int(part.size))
    return {"n_edges": int(g.u.size), "forced_edges": forced, "max_edges": top}


def _coreset(graph, n_parts, seed, fn, arg, engine, name):
    from submodkit.coresets.engines import map_parts

    t0 = time.perf_counter()
    if isinstance(graph, Shards):
        return _coreset_on_shards(graph, n_parts, seed, fn, arg, engine, name, t0)
    full = read_graph(graph)
    g, ids = compact(full)  # many isolated vertices: the parts' kernels run on those in an edge
    n_parts = check_int("n_parts", 4 if n_parts is None else n_parts, minimum=1)
    groups = _partition(g, n_parts, seed)
    kept = map_parts(fn, g, groups, arg, engine=engine)
    union = np.unique(np.concatenate(kept)) if kept else np.zeros(0, np.int64)
    sub = np.column_stack([g.u[union], g.v[union]])
    sol = max_weight_matching(sub, maxcardinality=True, n_nodes=g.n)
    stats = {
        "n_parts": n_parts,
        "coreset_edges": int(union.size),
        "max_part_coreset_edges": int(max((k.size for k in kept), default=0)),
        "n_edges": int(g.u.size),
        "seconds": time.perf_counter() - t0,
    }
    mate = sol.mate
    unit = EdgeList(g.n, g.u, g.v, np.ones(g.u.size), g.nodes)
    found = guarantee(name, epsilon=arg[2] if isinstance(arg, tuple) else 0.0)
    return expand(MatchingSolution.from_mate(unit, mate, name, found, "feasible", stats), full, ids)


def _coreset_on_shards(shards: Shards, n_parts, seed, fn, arg, engine, name, t0) -> MatchingSolution:
    """The core-set of each edge shard where it lives (only its kept edges travel), then a
    maximum matching of their union. For a canonical edge list (``u < v``, sorted by
    ``(u, v)``, no duplicates: what :func:`~submodkit.instances.edges.as_edge_list` makes)
    this is the in-memory answer for the same seed; otherwise each part drops its loops and
    merges its parallel edges, and the union merges the parts' duplicates."""
    from submodkit.coresets.engines import check_engine, map_shards

    check_engine(engine)
    if shards.kind != "Graph":
        raise InvalidParameterError("graph", shards.kind, "a graph, or an edge shard folder")
    shards.check_partition(n_parts, seed)
    n = int(shards.n_nodes)
    kept = map_shards(_part_core_edges, shards, (fn, arg), engine=engine)
    edges = np.concatenate([k for k in kept] + [np.zeros((0, 2), dtype=np.int64)])
    union = as_edge_list(np.column_stack([edges, np.ones(len(edges))]), n_nodes=n) if len(edges) else \
        EdgeList(n, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), None)
    sol = max_weight_matching(np.column_stack([union.u, union.v]), maxcardinality=True, n_nodes=n)
    stats = {
        "n_parts": len(kept),
        "coreset_edges": int(union.u.size),
        "max_part_coreset_edges": int(max((k.shape[0] for k in kept), default=0)),
        "n_edges": shards.n_items,
        "seconds": time.perf_counter() - t0,
        "shards": str(shards.directory),
        "bytes_core_sets": int(sum(k.nbytes for k in kept)),
    }
    found = guarantee(name, epsilon=arg[2] if isinstance(arg, tuple) else 0.0)
    return MatchingSolution.from_mate(union, sol.mate, name, found, "feasible", stats)


def _part_core_edges(shards: Shards, i: int, fn, arg) -> np.ndarray:
    """Part ``i``'s core-set edges, ``(kept, 2)`` global vertex ids."""
    g, ids = compact(read_graph(shards.part(i).problem))  # per-vertex arrays follow the part's edges
    part = np.arange(g.u.size, dtype=np.int64)
    keep = fn(g, part, arg)
    edges = np.column_stack([g.u[keep], g.v[keep]]).astype(np.int64)
    return edges if ids is None else ids[edges]


def edcs_coreset_matching(
    graph: Any,
    *,
    n_parts: int | None = None,
    beta: int | None = None,
    beta_minus: int | None = None,
    epsilon: float = 0.5,
    seed: int | None = None,
    engine: object = None,
) -> MatchingSolution:
    """Maximum-cardinality matching through the EDCS randomized composable core-set.

    ``beta`` defaults to ``ceil(4 ln(n) / epsilon^2)``, ``beta_minus`` to ``beta - 1``. The
    weight reported is the matching's cardinality (edge weights are ignored). ``engine``:
    as in :func:`submodkit.coresets.engines.map_parts` (threads by default, or dask).
    Guarantee (Assadi et al. SODA 2019): a (3/2 + eps)-approximation, i.e. ratio 2/3 - eps,
    w.h.p. for beta large enough (their constants; the default is a practical choice).

    ``graph`` may be an edge :class:`~submodkit.instances.shards.Shards` folder: each part's
    EDCS is computed where the part lives and only its edges travel; for a canonical edge
    list (``u < v``, sorted, no duplicates) the answer is the in-memory one for the same seed.
    ``n_parts`` defaults to 4 (for shards: the folder's).
    """
    epsilon = check_real("epsilon", epsilon, minimum=0.0, strict_min=True)
    g = graph if isinstance(graph, Shards) else read_graph(graph)
    if beta is None:
        n = int(g.n_nodes or 0) if isinstance(g, Shards) else g.n
        beta = max(4, math.ceil(4 * math.log(max(n, 2)) / epsilon**2))
    pair = (*_check_beta(beta, beta_minus), float(epsilon))
    return _coreset(g, n_parts, seed, _part_edcs, pair, engine, "edcs-coreset")


def matching_coreset(graph: Any, *, n_parts: int | None = None, seed: int | None = None,
                     engine: object = None) -> MatchingSolution:
    """Maximum-cardinality matching through the maximum-matching core-set (each part keeps one
    maximum matching; randomized composable, 1/3 worst case: Assadi, Khanna, SPAA 2017)."""
    return _coreset(graph, n_parts, seed, _part_matching, 0, engine, "matching-coreset")
