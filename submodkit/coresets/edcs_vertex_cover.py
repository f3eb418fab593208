"""Vertex cover through EDCS core-sets (randomized composable, after Assadi, Bateni, Bernstein,
Mirrokni, Stein, "Coresets meet EDCS", SODA 2019).

Construction (reconstructed here; the paper's exact construction and its (3 + eps) analysis
were not available to check). Split the edges uniformly at random into ``p`` parts G_i (same
partition as :func:`submodkit.coresets.edcs.edcs_coreset_matching` for the same seed),
compute a (beta, beta_minus)-EDCS H_i of each part, and let ``b = ceil(beta_minus / 2)``.
The core-set of part i is

- V_i: the vertices with ``deg_{H_i} >= b`` (they go into the cover), and
- F_i: the edges of H_i with neither endpoint in V_i (forwarded).

The cover is ``V = union of the V_i`` plus a cover C' of ``F'`` = the forwarded edges with no
endpoint in V: both endpoints of a maximal matching of F' (default), or an exact minimum
cover of F' (CP-SAT, ``forwarded_cover="exact"``).

Validity (every edge e = (u, v) of G is covered). e lies in exactly one part G_i. If e is not
in H_i, the EDCS condition gives ``deg_{H_i}(u) + deg_{H_i}(v) >= beta_minus``, so the larger
of the two integer degrees is ``>= beta_minus / 2``, hence ``>= b``: that endpoint is in V_i.
If e is in H_i, either an endpoint is in V_i, or e is in F_i; then either an endpoint is in V,
or e is in F', which C' covers.

Worst-case ratio (derived here, for ANY partition). Let C* be a minimum cover of G and
``v`` in ``V_i \\ C*``. Each of v's ``>= b`` H_i-edges ends in C* (C* covers it, v is not in
C*); for such an edge (v, x) the EDCS condition ``deg(v) + deg(x) <= beta`` gives
``deg_{H_i}(x) <= beta - b``. Counting the H_i-edges between ``V_i \\ C*`` and C* from both
sides: ``b |V_i \\ C*| <= (beta - b) |C*|``. F' has no endpoint in V, so ``C* \\ V`` covers it:
``tau(F') <= |C* \\ V|``. Hence, with ``c = 2`` (maximal matching) or ``c = 1`` (exact C'),

    |V| + |C'| <= |C* & V| + sum_i |V_i \\ C*| + c |C* \\ V| <= (c + p (beta - b) / b) |C*|,

i.e. ``c + p`` for even beta and ``beta_minus = beta - 1``. This is weak: the paper's (3 + eps)
in expectation uses the random partition, which this bound does not. Every run therefore
also reports an a-posteriori certificate: ``lower_bound`` = the size of a maximum matching of
the union of the H_i (a matching of G; any matching lower-bounds tau(G)), or the forwarded
part's lower bound when larger, and ``certified_ratio = value / lower_bound`` (an upper bound
on the run's true ratio).

Complexity: the EDCS local moves per part (each sweep O(m_i)), O(n + m) for the covers, and
the blossom algorithm on the union of the H_i (O(n beta p) edges) for the certificate.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> edges = np.unique(np.sort(rng.integers(0, 60, (400, 2)), axis=1), axis=0)
>>> sol = edcs_vertex_cover(edges[edges[:, 0] != edges[:, 1]], n_parts=4, beta=8, seed=0)
>>> from submodkit.solvers.cover.vertex_cover import is_vertex_cover
>>> is_vertex_cover(edges[edges[:, 0] != edges[:, 1]], sol.selection)
True
>>> sol.lower_bound <= sol.value, sol.guarantee.ratio  # certificate; worst-case c + p (beta - b) / b
(True, 6.0)
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_seed, check_time_limit
from submodkit.coresets.edcs import _check_beta, _partition, edcs_kernel
from submodkit.guarantees import guarantee
from submodkit.instances.edges import EdgeList, compact, read_graph
from submodkit.results import Solution
from submodkit.solvers.cover.vertex_cover import exact_vertex_cover, maximal_matching_cover
from submodkit.solvers.matching.general import max_weight_matching

FORWARDED_COVERS = ("matching", "exact", "auto")
AUTO_EXACT_EDGES = 2000  # "auto": exact cover of the forwarded edges up to this many
_MIN_EXACT_SECONDS = 0.05  # the exact cover is not started with less time left


def _part_cover(g: EdgeList, part: np.ndarray, arg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EDCS of one part: (its edge indices, high-degree vertices V_i, forwarded edge indices F_i)."""
    beta, beta_minus, thr = arg
    u, v = g.u[part], g.v[part]
    in_h, _, ok = edcs_kernel(g.n, u, v, beta, beta_minus, 100_000)
    if not ok:
        raise RuntimeError("EDCS local moves did not converge")
    h = part[in_h]
    deg = np.bincount(np.concatenate([u[in_h], v[in_h]]), minlength=g.n)
    high = np.flatnonzero(deg >= thr).astype(np.int64)
    fwd = h[(deg[g.u[h]] < thr) & (deg[g.v[h]] < thr)]
    return h, high, fwd


def _no_time_for_exact(sub: EdgeList, deadline) -> str | None:
    """Why the exact cover of ``sub`` should not start (None if it should): the rule of the
    exact models (:func:`submodkit.mip.model.refuse_model`: memory, or an estimated model build
    above half of the time left), or under 50 ms left."""
    from submodkit.mip.model import ModelSize, refuse_model

    n_vertices = int(np.unique(np.concatenate([sub.u, sub.v])).size)
    reason = refuse_model(ModelSize(n_vertices, int(sub.u.size), 2 * int(sub.u.size)), "cp-sat", deadline)
    left = deadline.left()
    if reason is None and left is not None and left < _MIN_EXACT_SECONDS:
        reason = f"not solved: {max(left, 0.0):.3f} s left"
    return reason


def _gains(g: EdgeList, selection: np.ndarray) -> np.ndarray:
    """Edges newly covered by each vertex of ``selection``, in order."""
    pos = np.full(g.n, selection.size, np.int64)
    pos[selection[::-1]] = np.arange(selection.size)[::-1]
    first = np.minimum(pos[g.u], pos[g.v])
    return np.bincount(first[first < selection.size], minlength=selection.size).astype(np.float64)


def edcs_vertex_cover(
    graph: Any,
    *,
    n_parts: int = 4,
    beta: int | None = None,
    beta_minus: int | None = None,
    epsilon: float = 0.5,
    seed: int | None = None,
    engine: object = None,
    forwarded_cover: str = "matching",
    time_limit: float | None = None,
) -> Solution:
    """Minimum vertex cover through the EDCS core-set (see the module docstring for the
    construction and the proofs).

    Parameters
    ----------
    graph : array_like, scipy.sparse matrix, networkx.Graph or Graph
        Anything :func:`~submodkit.instances.edges.as_edge_list` accepts; weights ignored.
    n_parts : int, default 4, keyword-only
        Number of random edge parts ``p``.
    beta, beta_minus : int, optional, keyword-only
        EDCS parameters; ``beta`` defaults to ``max(4, ceil(4 ln(n) / epsilon^2))`` and
        ``beta_minus`` to ``beta - 1``, as in
        :func:`submodkit.coresets.edcs.edcs_coreset_matching`.
    epsilon : float, default 0.5, keyword-only
        Sets the default ``beta``.
    seed : int, optional, keyword-only
        The random partition; the same seed gives the same answer on every engine.
    engine : None, "threads", "dask" or a dask.distributed.Client, keyword-only
        As in :func:`submodkit.coresets.engines.map_parts` (None / ``"threads"``: local threads).
    forwarded_cover : {"matching", "exact", "auto"}, keyword-only
        The cover C' of the forwarded edges: ``"matching"`` (both endpoints of a maximal
        matching), ``"exact"`` (CP-SAT, :func:`~submodkit.solvers.cover.vertex_cover.exact_vertex_cover`,
        never worse than the matching cover) or ``"auto"`` (exact when at most 2000 forwarded
        edges remain uncovered).
    time_limit : float, optional, keyword-only
        Seconds for the whole call, counted from its start. The core-sets and the
        certificate run to their end (they are not interruptible); the exact cover gets the
        time left, and is not started (the matching cover is kept) when its estimated model
        build exceeds half of that time (the rule of the exact models,
        :func:`submodkit.mip.model.refuse_model`) or less than 50 ms is left. None: no limit.

    Returns
    -------
    Solution
        ``sense="min"``: ``selection`` = the cover's vertex indices (V first, then C';
        positions in ``list(G.nodes)`` for networkx input), ``gains`` = edges newly covered
        by each, ``value`` = cover size, ``lower_bound`` = a matching size (see above),
        ``guarantee`` = the worst-case ratio derived here (``c + p (beta - b) / b``, ``c = 1``
        only when the exact cover was proven optimal), ``status`` ``"timeout"`` when the
        time limit stopped or skipped the exact cover asked for, else ``"feasible"``;
        ``stats``: ``edcs_edges`` (sum of ``|H_i|``), ``coreset_vertices`` (sum of
        ``|V_i|``), ``union_vertices`` (``|V|``), ``forwarded_edges`` (sum of ``|F_i|``),
        ``forwarded_uncovered`` (``|F'|``), ``forwarded_cover`` (``|C'|``),
        ``forwarded_cover_skipped`` (why the exact cover did not run, when it did not) and
        seconds per phase.
    """
    t0 = time.perf_counter()
    from submodkit.coresets.engines import check_engine, map_parts
    from submodkit.mip.model import Deadline

    full = read_graph(graph)
    g, ids = compact(full)  # many isolated vertices: per-vertex arrays follow the edges
    n_parts = check_int("n_parts", n_parts, minimum=1)
    epsilon = check_real("epsilon", epsilon, minimum=0.0, strict_min=True)
    seed = check_seed(seed)
    check_choice("forwarded_cover", forwarded_cover, FORWARDED_COVERS)
    time_limit = check_time_limit(time_limit)
    deadline = Deadline(time_limit, t0)
    check_engine(engine)
    if beta is None:
        beta = max(4, math.ceil(4 * math.log(max(full.n, 2)) / epsilon**2))
    beta, beta_minus = _check_beta(beta, beta_minus)
    thr = (beta_minus + 1) // 2
    groups = _partition(g, n_parts, seed)
    t1 = time.perf_counter()
    out = map_parts(_part_cover, g, groups, (beta, beta_minus, thr), engine=engine)
    t2 = time.perf_counter()
    empty = np.zeros(0, np.int64)
    h_all = np.concatenate([o[0] for o in out] + [empty])
    in_v = np.zeros(g.n, bool)
    for o in out:
        in_v[o[1]] = True
    union_v = np.flatnonzero(in_v).astype(np.int64)
    fwd = np.concatenate([o[2] for o in out] + [empty])
    rest = np.sort(fwd[~in_v[g.u[fwd]] & ~in_v[g.v[fwd]]])
    sub = EdgeList(g.n, g.u[rest], g.v[rest], np.ones(rest.size))
    cover_rest, rest_lb = maximal_matching_cover(sub)
    t3 = time.perf_counter()
    # the certificate before the exact cover, which gets the time left (the blossom run is not
    # interruptible, the exact cover is)
    hm = max_weight_matching(np.column_stack([g.u[h_all], g.v[h_all]]), maxcardinality=True, n_nodes=g.n)
    t4 = time.perf_counter()
    method, exact_ok, skipped, cut = "matching", False, None, False
    if forwarded_cover == "exact" or (forwarded_cover == "auto" and rest.size <= AUTO_EXACT_EDGES):
        skipped = _no_time_for_exact(sub, deadline) if rest.size else None
        cut = skipped is not None and deadline.end is not None
        if skipped is None:  # (no forwarded edge left: the empty cover, proven at once)
            res = exact_vertex_cover(sub, time_limit=deadline.left() if rest.size else None)
            method, exact_ok, cut = "exact", res.optimal, res.status == "timeout"
            rest_lb = max(rest_lb, int(math.ceil(res.bound - 1e-9)) if res.bound is not None else 0)
            if res.value is not None and res.value <= cover_rest.size:
                cover_rest = res.selection
    selection = np.concatenate([union_v, np.sort(cover_rest)]).astype(np.int64)
    lower = float(max(len(hm), rest_lb))
    t5 = time.perf_counter()
    stats = {
        "n_parts": n_parts,
        "beta": beta,
        "beta_minus": beta_minus,
        "degree_threshold": thr,
        "n_nodes": full.n,
        "n_edges": int(g.u.size),
        "edcs_edges": int(h_all.size),
        "max_part_edcs_edges": int(max((o[0].size for o in out), default=0)),
        "coreset_vertices": int(sum(o[1].size for o in out)),
        "union_vertices": int(union_v.size),
        "forwarded_edges": int(fwd.size),
        "forwarded_uncovered": int(rest.size),
        "forwarded_cover": int(cover_rest.size),
        "forwarded_cover_method": method,
        "forwarded_cover_optimal": bool(exact_ok),
        "matching_lower_bound": len(hm),
        "seconds_partition": t1 - t0,
        "seconds_parts": t2 - t1,
        "seconds_cover": (t3 - t2) + (t5 - t4),
        "seconds_certificate": t4 - t3,
        "seconds": t5 - t0,
    }
    if skipped is not None:
        stats["forwarded_cover_skipped"] = skipped
    gains = _gains(g, selection)
    if ids is not None:
        selection = ids[selection]
    return Solution(
        selection=selection,
        gains=gains,
        value=float(selection.size),
        algorithm="edcs-vertex-cover",
        guarantee=guarantee("edcs-vertex-cover", n_parts=n_parts, beta=beta, beta_minus=beta_minus,
                            exact=exact_ok),
        lower_bound=lower,
        sense="min",
        status="timeout" if cut else "feasible",
        stats=stats,
    )
