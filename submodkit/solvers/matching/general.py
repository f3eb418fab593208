"""Maximum-weight matching in general graphs: exact (compiled blossom algorithm) and fast
approximations (greedy, path growing, 2-augmentation local search).

>>> import numpy as np
>>> edges = np.array([(0, 1, 6), (0, 2, 2), (1, 2, 1), (1, 3, 7), (2, 4, 9), (3, 4, 3)])
>>> sol = max_weight_matching(edges)
>>> sol.pairs.tolist(), sol.value
([[1, 3], [2, 4]], 16.0)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_time_limit, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.edges import EdgeList
from submodkit.results import Guarantee, MatchingSolution, _num
from submodkit.solvers.matching._blossom import blossom_matching
from submodkit.solvers.matching._cardinality import max_cardinality_matching
from submodkit.solvers.matching._graph import compact, expand, read_graph
from submodkit.solvers.matching._kernels import greedy_scan, path_growing, two_augment
from submodkit.solvers.matching.exact import matching_ilp

ALGORITHMS = ("exact", "greedy", "path-growing", "augment", "ilp")


def max_weight_matching(
    graph: Any,
    *,
    algorithm: str = "exact",
    maxcardinality: bool = False,
    n_nodes: int | None = None,
    seed: int | None = None,
    max_passes: int = 100,
    time_limit: float | None = None,
) -> MatchingSolution:
    """Maximum-weight matching of an undirected graph.

    Algorithms:

    - ``"exact"``: Edmonds' blossom algorithm in Galil's O(n^3) primal-dual form (Edmonds
      1965; Galil, ACM Computing Surveys 1986), compiled with Numba, following Van
      Rantwijk's implementation that ``networkx.max_weight_matching`` ports. Optimal
      (guarantee 1). With ``maxcardinality=True``: maximum weight among the maximum-
      cardinality matchings (unit weights give a maximum-cardinality matching). When all
      weights are equal (and positive, or ``maxcardinality=True``) it runs Edmonds' O(n m)
      cardinality algorithm instead (:mod:`submodkit.solvers.matching._cardinality`:
      min-degree greedy start, BFS with union-find blossom contraction, frustrated trees
      deleted); ``stats["kernel"] == "cardinality"``.
    - ``"greedy"``: heaviest edge first, O(m log m); 1/2 (Avis 1983).
    - ``"path-growing"``: Drake and Hougardy, IPL 85 (2003), O(m); 1/2.
    - ``"augment"``: greedy, then passes (random vertex order) applying the best
      2-augmentation centered at each vertex (an alternating path or cycle with at most two
      non-matching edges, incident to v or to mate(v)) until a pass finds none of positive
      gain. Pettie and Sanders (IPL 91, 2004) show that for any matching M there are vertex-
      disjoint 2-augmentations centered at distinct vertices of total gain at least
      2/3 w(M*) - w(M); so at this local optimum w(M) >= 2/3 w(M*) (deterministic). Their
      randomized algorithm (best augmentation at a uniformly random vertex, repeated,
      O(m log 1/eps)) gets 2/3 - eps in expectation; this variant stops only at the local
      optimum. O(m) per pass; if ``max_passes`` runs out first, the guarantee reported is
      greedy's 1/2.
    - ``"ilp"``: the integer program over edge variables (OR-Tools), see
      :func:`submodkit.solvers.matching.exact.matching_ilp`; for small graphs.

    Parameters
    ----------
    graph : array_like, scipy sparse matrix, networkx graph or Graph
        (m, 3) edge array ``(u, v, w)`` (or (m, 2), unit weights), a scipy sparse matrix, a
        networkx graph or a :class:`submodkit.instances.Graph`. Weights must be
        non-negative. Float weights may cost optimality at rounding level (as in
        networkx); integer weights below 2**50 are exact. Vertex ids are any non-negative
        integers (any int64 in an integer edge array or a ``Graph``; below 2**53 in an edge
        array of floats, which is read as float64): when more than ``SPARE_IDS`` vertices
        are in no edge (huge or sparse ids, a large ``n_nodes``), the algorithms run on the
        vertices in an edge, renumbered in order, and ``pairs`` come back in the graph's
        ids, so memory follows the edges (``stats["compacted_nodes"]``: the vertices used).
    algorithm : {"exact", "greedy", "path-growing", "augment", "ilp"}, keyword-only
    maxcardinality : bool, default False
        Maximum weight among the maximum-cardinality matchings.
    n_nodes : int, optional
        Number of vertices (default: the largest id + 1).
    seed : int, optional
        Vertex order of ``"augment"``'s passes.
    max_passes : int, default 100
        ``"augment"``: passes before it stops (then the guarantee is greedy's 1/2).
    time_limit : float, optional
        Seconds for ``"ilp"``, counted from the call (reading the graph included).

    Returns
    -------
    MatchingSolution
        ``mate`` (each vertex's partner or -1), ``pairs``, ``value`` (the weight), the
        guarantee, and for ``"exact"`` the dual bound.

    Raises
    ------
    InvalidParameterError
        For vertex ids that are negative, not integers or out of range, weights that are
        negative or not finite, or an unknown algorithm or parameter value.

    Examples
    --------
    >>> max_weight_matching([(0, 1, 2), (1, 2, 3), (2, 3, 2)]).value
    4.0
    >>> max_weight_matching([(0, 1, 2), (1, 2, 3), (2, 3, 2)], algorithm="greedy").value
    3.0

    References
    ----------
    .. [1] Edmonds, "Paths, trees, and flowers", Canad. J. Math. 17 (1965).
    .. [2] Galil, "Efficient algorithms for finding maximum matching in graphs", ACM
       Computing Surveys 18 (1986).
    .. [3] Drake, Hougardy, "A simple approximation algorithm for the weighted matching
       problem", Inf. Process. Lett. 85 (2003).
    .. [4] Pettie, Sanders, "A simpler linear time 2/3 - epsilon approximation for maximum
       weight matching", Inf. Process. Lett. 91 (2004).
    """
    t0 = time.perf_counter()  # the time limit counts reading the graph
    check_choice("algorithm", algorithm, ALGORITHMS)
    if not isinstance(maxcardinality, (bool, np.bool_)):
        raise InvalidParameterError("maxcardinality", maxcardinality, "True or False")
    max_passes = check_int("max_passes", max_passes, minimum=1)
    seed = check_int("seed", seed, allow_none=True)
    if time_limit is not None:
        time_limit = check_real("time_limit", time_limit, minimum=0.0, strict_min=True)
    if maxcardinality and algorithm not in ("exact", "ilp"):
        raise InvalidParameterError("maxcardinality", True, "False with an approximation algorithm")
    full = read_graph(graph, n_nodes)
    stats: dict[str, Any] = {"n_nodes": full.n, "n_edges": int(full.u.size)}
    if algorithm == "ilp":  # what is left of the limit (matching_ilp needs > 0: a millisecond at least)
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 1e-3)
        return matching_ilp(full, maxcardinality=maxcardinality, time_limit=left)
    g, ids = compact(full)  # many isolated vertices: the kernels run on those in an edge
    if ids is not None:
        stats["compacted_nodes"] = int(g.n)
    if g.n == 0 or g.u.size == 0:
        mate = np.full(g.n, -1, np.int64)
        status = "optimal"
    elif algorithm == "exact" and g.w.min() == g.w.max() and (g.w[0] > 0 or maxcardinality):
        # all weights equal: a maximum-weight matching is a maximum-cardinality one
        ptr, nbr, _, _ = g.csr()
        mate, greedy_size, found, failed, _ = max_cardinality_matching(g.n, ptr, nbr)
        stats.update(kernel="cardinality", greedy=int(greedy_size), augmentations=int(found),
                     failed_searches=int(failed))
        status = "optimal"
    elif algorithm == "exact":
        mate, _, stages = blossom_matching(g.n, g.u, g.v, g.w, bool(maxcardinality))
        stats["stages"] = int(stages)
        status = "optimal"
    elif algorithm == "greedy":
        mate = greedy_scan(g.n, g.u, g.v, _greedy_order(g))
        status = "feasible"
    elif algorithm == "path-growing":
        ptr, nbr, wt, _ = g.csr()
        mate = path_growing(g.n, ptr, nbr, wt)
        status = "feasible"
    else:
        ptr, nbr, wt, _ = g.csr()
        mate = greedy_scan(g.n, g.u, g.v, _greedy_order(g))
        tol = 1e-12 * max(1.0, float(g.w.max()))
        rng = make_rng(seed)
        passes, applied, converged = two_augment(
            g.n, ptr, nbr, wt, mate, int(rng.integers(2**31 - 1)), max_passes, tol
        )
        stats.update(passes=int(passes), augmentations=int(applied), converged=bool(converged))
        status = "feasible"
    stats["seconds"] = time.perf_counter() - t0
    sol = MatchingSolution.from_mate(g, mate, algorithm, _guarantee_of(algorithm, stats), status, stats)
    return expand(sol, full, ids)


def _greedy_order(g: EdgeList) -> np.ndarray:
    """Edges by decreasing weight (ties: smallest index), zero-weight edges dropped."""
    order = np.argsort(-g.w, kind="stable")
    return np.ascontiguousarray(order[g.w[order] > 0])


def _guarantee_of(algorithm: str, stats: dict) -> Guarantee:
    if algorithm == "exact":
        cardinality = stats.get("kernel") == "cardinality"
        return guarantee("matching-cardinality-exact" if cardinality else "matching-exact")
    if algorithm == "augment" and stats.get("converged", True):
        return guarantee("matching-augment")
    if algorithm == "path-growing":
        return guarantee("matching-path-growing")
    return guarantee("matching-greedy")


def matching_weight(graph: Any, pairs: Any) -> float:
    """Weight of the matching ``pairs`` in ``graph``; raises if it is not a matching of it.

    Parameters
    ----------
    graph : array_like, scipy sparse matrix, networkx graph or Graph
        As for :func:`max_weight_matching`.
    pairs : array_like of int, shape (p, 2)
        The matched pairs.

    Returns
    -------
    float
        The sum of the pairs' edge weights.

    Raises
    ------
    InvalidParameterError
        If a pair is not an edge of ``graph`` or a vertex is matched twice.

    Examples
    --------
    >>> matching_weight([(0, 1, 2), (1, 2, 3), (2, 3, 2)], [(0, 1), (2, 3)])
    4.0

    References
    ----------
    .. [1] Lovasz, Plummer, "Matching Theory", North-Holland (1986)."""
    g = read_graph(graph)
    p = _check_pairs(pairs)
    if p.size == 0:
        return 0.0
    if p.min() < 0:
        raise InvalidParameterError("pairs", f"vertex id {int(p.min())}", "non-negative vertex ids")
    if np.unique(p.ravel()).size != p.size:
        raise InvalidParameterError("pairs", "a vertex matched twice", "a matching")
    lo, hi = p.min(axis=1), p.max(axis=1)
    # the edges are sorted by (u, v): keys over the ranks of the ids in an edge keep that order
    # and stay below (2 m)**2, whatever the ids (u * n + v overflows int64 for n above 3e9)
    ids = np.unique(np.concatenate([g.u, g.v]))
    k = int(ids.size)
    if k == 0:
        raise InvalidParameterError("pairs", "a pair that is not an edge", "edges of the graph")
    rlo = np.minimum(np.searchsorted(ids, lo), k - 1)
    rhi = np.minimum(np.searchsorted(ids, hi), k - 1)
    if np.any(ids[rlo] != lo) or np.any(ids[rhi] != hi):
        raise InvalidParameterError("pairs", "a pair that is not an edge", "edges of the graph")
    key = np.searchsorted(ids, g.u) * k + np.searchsorted(ids, g.v)
    q = rlo * k + rhi
    pos = np.minimum(np.searchsorted(key, q), key.size - 1)
    if np.any(key[pos] != q):
        raise InvalidParameterError("pairs", "a pair that is not an edge", "edges of the graph")
    return float(g.w[pos].sum())


def _check_pairs(pairs: Any) -> np.ndarray:
    """``pairs`` as an int64 (p, 2) array of integer vertex ids (an empty input: shape (0, 2))."""
    try:
        p = np.asarray(pairs)
    except (TypeError, ValueError):
        raise InvalidParameterError("pairs", pairs, "an integer array of shape (p, 2)") from None
    if p.size == 0:
        return np.zeros((0, 2), np.int64)
    if p.ndim != 2 or p.shape[1] != 2:
        raise InvalidParameterError("pairs", f"array of shape {p.shape}", "an integer array of shape (p, 2)")
    if p.dtype.kind in "iu":
        if p.dtype.kind == "u" and p.max() > np.iinfo(np.int64).max:
            raise InvalidParameterError("pairs", f"vertex id {int(p.max())}", "int64 vertex ids")
        return p.astype(np.int64)
    if p.dtype.kind != "f" or not np.all(np.isfinite(p)) or np.any(p != np.round(p)) \
            or np.abs(p).max() >= 2**53:
        raise InvalidParameterError("pairs", f"{p.dtype} entries", "integer vertex ids")
    return p.astype(np.int64)


def solve_matching_file(
    path: Any, *, algorithm: str | None = None, seed: int | None = None, exact: bool = False,
    format: str = "auto", time_limit: float | None = None,
) -> dict[str, Any]:
    """What ``submodkit solve FILE --problem matching [--algorithm A] [--exact] --json`` prints.

    Reads a DIMACS-like ``.edge`` file (gz too), a SNAP edge list or a native graph (or takes
    the :class:`~submodkit.instances.Graph` already read from one as ``path``); ``value``
    is the matching weight (edge count for unweighted lists). With ``exact`` and an
    approximation, also solves exactly and reports ``ratio`` and ``meets_guarantee``.
    ``vertex_ids`` says how ``pairs`` number the vertices (DIMACS files are 1-based, the
    pairs 0-based). Isolated vertices are never matched: when there are many (a header declaring far more
    vertices than the edges use, or sparse ids), the matching runs on the vertices that occur
    in an edge (:meth:`~submodkit.instances.Graph.compact`), renumbered in the same order, and
    the pairs are mapped back to the file's ids, so memory and time follow the edges.
    ``time_limit`` (seconds from the call, reading included) bounds ``algorithm="ilp"``
    (the other algorithms are polynomial and take no limit).
    """
    from pathlib import Path

    from submodkit.instances import Graph, read_instance
    from submodkit.instances.problems import SPARE_IDS

    t0 = time.perf_counter()
    time_limit = check_time_limit(time_limit)
    inst = path if isinstance(path, Graph) else read_instance(path, format=format)
    if not isinstance(inst, Graph):
        raise InvalidParameterError("--problem", "matching", "a graph file (.edge or an edge list)")
    algorithm = algorithm or "exact"
    ids, graph = None, inst
    if inst.n_nodes > 2 * inst.n_edges + SPARE_IDS:  # more than SPARE_IDS isolated vertices
        ids, edges = inst.compact()
        graph = Graph(edges, inst.weights, int(ids.size), inst.name, inst.meta)
    left = None if time_limit is None else max(1e-3, time_limit - (time.perf_counter() - t0))
    sol = max_weight_matching(graph, algorithm=algorithm, seed=seed, time_limit=left)
    ratio = meets = opt = None
    if exact:
        opt = sol.value if sol.status == "optimal" else max_weight_matching(graph).value
        ratio = 1.0 if opt == 0 else sol.value / opt
        meets = None if sol.guarantee is None else sol.guarantee.holds(sol.value, opt)
    out = sol.to_dict()
    if ids is not None:  # back to the file's vertex ids (the renumbering kept their order)
        out["pairs"] = ids[sol.pairs].tolist()
        out.setdefault("stats", {})["n_nodes"] = inst.n_nodes
    dimacs = inst.meta.get("format") == "dimacs"
    out["vertex_ids"] = ("0-based: the file's vertex v (1-based, DIMACS) is v - 1" if dimacs
                         else "as in the file")
    out.update(instance=getattr(inst, "name", None) or Path(str(path)).name, problem="matching",
               exact=None if opt is None else {"value": _num(opt), "status": "optimal", "solver": "blossom"},
               ratio=_num(ratio) if ratio is None or np.isfinite(ratio) else None, meets_guarantee=meets,
               seconds=round(time.perf_counter() - t0, 4))
    return out
