"""Composable core-sets for diversity maximization (run locally, part by part).

Each part of the data keeps a small core-set; the union of the core-sets is solved with
`diversify`. Methods:

- ``"gmm"``: the k farthest-point (GMM) points of each part; for the remote-* family
  (Indyk, Mahabadi, Mahdian, Mirrokni, PODS 2014). For max-min this is a 1/3 core-set
  (if some part's GMM radius is >= OPT/3 its core-set alone is that diverse; otherwise
  each optimal point has a distinct core-set point within OPT/3), so GMM on the union
  gives 1/6 for any partition (registered as ``"gmm-coreset"``). For remote-cycle (tour
  weight) it is also a 1/3 core-set: let R be the largest GMM covering radius of a part; that
  part's k core-set points are pairwise >= R apart, so their tour is >= kR; otherwise map
  each optimal point to a core-set point of its part within R: a k-subset of the union
  containing the image has tour >= OPT - 2kR. So OPT(union) >= max(kR, OPT - 2kR) >= OPT/3,
  and GMM on the union (1/3) gives 1/9 for any partition (``"gmm-coreset-remote-cycle"``).
  For remote-tree (minimum spanning tree weight) the same two cases give
  ``x = (k - 1) / (2 (3k - 2))``: the part with radius R has MST >= (k - 1) R; otherwise
  MST(O) <= 2 Steiner(O) <= 2 (MST(image) + kR), and any k-subset P of the union containing
  the image has MST(P) >= Steiner(image) >= MST(image) / 2 >= MST(O) / 4 - kR / 2; so
  OPT(union) >= max((k - 1) R, OPT / 4 - kR / 2) >= x OPT, and GMM on the union (1/4) gives
  ``(k - 1) / (8 (3k - 2))``, 1/32 at k = 2 and about 1/24 for large k
  (``"gmm-coreset-remote-tree"``).
- ``"local-search"``: max-sum local search (size k) on each part: the remote-clique
  core-sets of the same paper.
- ``"greedy"``: max-sum greedy (size k) on each part of a *random* partition: the
  randomized composable core-sets of Epasto, Mirrokni, Zadimoghaddam (SPAA 2019).

Guarantees reported: max-min with ``"gmm"`` (1/6, any partition), remote-cycle with
``"gmm"`` (1/9, any partition), remote-tree with ``"gmm"`` ((k - 1) / (8 (3k - 2))) and max-sum with
``"local-search"`` or ``"greedy"`` core-sets on a *random* partition (``labels=None``):
the randomized composable core-sets of Epasto, Mirrokni, Zadimoghaddam (SPAA 2019), size k
per part, which "asymptotically achieve 1/2" (registered as ``"randomized-coreset-max-sum"``,
``1/2 - epsilon`` in expectation for large k; the final answer is the better of the union's
local search and the best single part's core-set). The other constants of Indyk et al. (PODS
2014) are not re-derived here: ``guarantee`` is None and the tests compare with the full
algorithm instead.
"""

from __future__ import annotations

import time

import numpy as np

from submodkit._validation import algorithm_alias, check_choice, check_int, check_real, make_rng
from submodkit.coresets.engines import check_engine, map_shards
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.shards import Shards
from submodkit.objectives import distances as DS
from submodkit.results import Solution
from submodkit.solvers.diversity.dispersion import OBJECTIVES, Points, diversify, diversity_value
from submodkit.solvers.diversity.points import gmm_select

METHODS = ("gmm", "local-search", "greedy")


def _subset(pts: Points, idx: np.ndarray) -> Points:
    sub = Points.__new__(Points)
    sub.metric, sub.code, sub.n = pts.metric, pts.code, len(idx)
    sub.metric_check = pts.metric_check
    if pts.code == DS.METRIC_PRECOMPUTED:
        sub.X, sub.D = pts.X, np.ascontiguousarray(pts.D[np.ix_(idx, idx)])
    else:
        sub.X, sub.D = np.ascontiguousarray(pts.X[idx]), pts.D
    return sub


def diversity_coreset(
    X,
    k: int,
    objective: str = "max-min",
    metric: str = "euclidean",
    *,
    n_parts: int | None = None,
    algorithm: str = "gmm",
    labels=None,
    seed: int | None = None,
    epsilon: float = 0.1,
    engine: object = None,
    method: str | None = None,
) -> Solution:
    """Solve ``objective`` on the union of per-part core-sets of size k.

    ``labels`` (one part id per point) fixes the partition; otherwise points are split
    uniformly at random into ``n_parts`` parts (``seed``). ``stats["coreset_size"]`` is the
    size of the union. Guarantees: max-min with ``algorithm="gmm"``: 1/6 for any partition
    (``"gmm-coreset"``); remote-cycle with ``algorithm="gmm"``: 1/9 for any partition
    (``"gmm-coreset-remote-cycle"``); remote-tree with ``algorithm="gmm"``: (k - 1) / (8 (3k - 2))
    for any partition (``"gmm-coreset-remote-tree"``); max-sum with ``"local-search"`` (or
    ``"greedy"``) core-sets on a
    random partition: ``1/2 - epsilon`` in expectation for large k
    (``"randomized-coreset-max-sum"``, Epasto, Mirrokni, Zadimoghaddam, SPAA 2019); the
    union is then solved by local search. Cost: one size-k solve per part plus one on the
    union of at most ``n_parts * k`` points.

    ``X`` may be a point :class:`~submodkit.instances.shards.Shards` folder: each part's
    core-set is computed where the part lives (``engine``) and only its points travel; the
    partition is the folder's (``n_parts`` and ``seed``, if given, must match it; a
    contiguous folder counts as a fixed partition, like ``labels``). The answer is the
    in-memory answer for the same partition.

    ``algorithm`` builds each part's core-set: ``"gmm"`` (default), ``"local-search"`` or
    ``"greedy"``; ``method`` is its deprecated name (DeprecationWarning).

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).random((1000, 2))
        >>> sol = diversity_coreset(X, 5, n_parts=4, seed=0)
        >>> len(sol.selection), sol.stats["coreset_size"] <= 20
        (5, True)
    """
    start = time.perf_counter()
    check_choice("objective", objective, OBJECTIVES)
    algorithm = algorithm_alias(algorithm, method, "gmm")
    method = check_choice("algorithm", algorithm, METHODS)  # the part core-sets' algorithm
    check_engine(engine)
    if isinstance(X, Shards):
        return _coreset_on_shards(X, k, objective, metric, n_parts, method, labels, seed, epsilon, engine,
                                  start)
    pts = X if isinstance(X, Points) else Points(X, metric)
    n = pts.n
    k = check_int("k", k)
    if k > n:
        raise InvalidParameterError("k", k, f"an integer <= n = {n} (the number of points)")
    pts.require_metric()
    random_partition = labels is None
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=0.5, strict_min=True)
    if labels is None:
        n_parts = check_int("n_parts", 4 if n_parts is None else n_parts, minimum=1)
        labels = make_rng(seed).integers(0, n_parts, n)
    else:
        labels = np.asarray(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise InvalidParameterError("labels", labels, f"{n} integer part ids")
    cores = [idx[_local_core(_subset(pts, idx), k, method)]
             for idx in (np.flatnonzero(labels == p) for p in np.unique(labels))]
    union = np.unique(np.concatenate(cores))
    randomized = objective == "max-sum" and method != "gmm" and random_partition
    sol = _solve_union(_subset(pts, union), union, k, objective, randomized,
                       [(core, pts.block(core)) for core in cores])
    sol.stats.update({"coreset_size": int(len(union)), "n_parts": int(len(cores)), "n": n,
                      "seconds": time.perf_counter() - start})
    return _finish(sol, method, objective, randomized, k, epsilon)


def _local_core(sub: Points, k: int, method: str) -> np.ndarray:
    """The part's core-set: local indices of at most ``k`` of its points."""
    kk = min(k, sub.n)
    if method == "gmm":
        return gmm_select(sub, kk)[0]
    algo = "local-search" if method == "local-search" else "greedy"
    return diversify(sub, kk, "max-sum", algorithm=algo).selection


def _solve_union(
    union_pts: Points, union: np.ndarray, k: int, objective: str, randomized: bool, cores
) -> Solution:
    """``objective`` on the union (ids ``union``); for the randomized max-sum core-sets, the
    better of that and the best single part's core-set (``cores``: (ids, distance block))."""
    sol = diversify(union_pts, k, objective, algorithm="local-search" if randomized else None)
    sol.selection = union[sol.selection]
    if randomized:  # the best single part's core-set may beat the union's local search
        for core, block in cores:
            if len(core) == k:
                v = diversity_value(block, "max-sum")
                if v > sol.value:
                    sol.selection, sol.value = core, v
    return sol


def _finish(sol: Solution, method: str, objective: str, randomized: bool, k: int, epsilon: float) -> Solution:
    sol.algorithm = f"{method}-coreset+{sol.algorithm}"
    sol.upper_bound = None
    metric_ok = sol.guarantee is not None  # None for cosine (not a metric)
    sol.guarantee = None
    if metric_ok:
        if method == "gmm" and objective == "max-min":
            sol.guarantee = guarantee("gmm-coreset")
        elif method == "gmm" and objective == "remote-cycle":
            sol.guarantee = guarantee("gmm-coreset-remote-cycle")
        elif method == "gmm" and objective == "remote-tree":
            sol.guarantee = guarantee("gmm-coreset-remote-tree", k=k)
        elif randomized:
            sol.guarantee = guarantee("randomized-coreset-max-sum", k=k, epsilon=epsilon)
    return sol


def _coreset_on_shards(shards: Shards, k, objective, metric, n_parts, method, labels, seed, epsilon, engine,
                       start) -> Solution:
    if shards.kind != "PointSet":
        raise InvalidParameterError("X", shards.kind, "points, or a point shard folder")
    if labels is not None:
        raise InvalidParameterError("labels", "...", "None for a shard folder (its parts are the partition)")
    shards.check_partition(n_parts, seed)
    k = check_int("k", k)
    if k > shards.n_items:
        raise InvalidParameterError("k", k, f"an integer <= n = {shards.n_items} (the number of points)")
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=0.5, strict_min=True)
    Points(np.zeros((1, int(shards.dim))), metric).require_metric()  # the metric, checked before any task
    found = map_shards(_part_core, shards, (k, metric, method), engine=engine)
    ids = np.concatenate([i for i, _ in found])
    rows = np.concatenate([f for _, f in found])
    order = np.argsort(ids, kind="stable")
    union, rows = ids[order], rows[order]
    if union.shape[0]:
        union_pts = Points(rows, metric)
    else:  # k = 0: no point travelled; an empty view of the metric
        union_pts = _subset(Points(np.zeros((1, int(shards.dim))), metric), union)
    randomized = objective == "max-sum" and method != "gmm" and shards.rule == "random"
    sol = _solve_union(union_pts, union, k, objective, randomized,
                       [(i, Points(f, metric).block(np.arange(len(i)))) for i, f in found if len(i)])
    sol.stats.update({"coreset_size": int(len(union)), "n_parts": len(found), "n": shards.n_items,
                      "seconds": time.perf_counter() - start, "shards": str(shards.directory),
                      "bytes_core_sets": int(sum(i.nbytes + f.nbytes for i, f in found))})
    return _finish(sol, method, objective, randomized, k, epsilon)


def _part_core(shards: Shards, i: int, k: int, metric: str, method: str):
    """Part ``i``'s core-set: the global ids and the rows of its chosen points."""
    shard = shards.part(i)
    features = np.ascontiguousarray(shard.problem.features, dtype=np.float64)
    local = _local_core(Points(features, metric), k, method)
    return shard.ids[local].astype(np.int64), features[local]
