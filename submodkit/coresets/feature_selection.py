"""Distributed feature selection as max-sum diversity with a mutual-information metric
(Zadeh, Ghadiri, Mirrokni, Zadimoghaddam, AAAI 2017, "Scalable feature selection via
distributed diversity maximization").

Features are discretized (``bins`` equal-frequency bins per column; integer columns with at
most ``bins`` values are kept as they are). Between two features the distance is the
normalized variation of information ``d(i, j) = 1 - I(x_i; x_j) / H(x_i, x_j)`` (a metric on
the plug-in distributions, in [0, 1]); each feature's relevance is ``I(x_i; y)``. The
objective over a set S of k features is::

    f(S) = lam * sum_{i < j in S} d(i, j) + (1 - lam) * sum_{i in S} I(x_i; y)
         = sum_{i < j in S} d'(i, j),   d'(i, j) = lam d(i, j) + (1 - lam) (rel_i + rel_j) / (k - 1),

a max-sum dispersion in the metric ``d'`` (adding ``rel_i + rel_j >= 0`` keeps the triangle
inequality). The features are split uniformly at random into ``n_parts`` parts; each part runs
max-sum greedy (k features) on an engine (threads or Dask, one task per part, "vertical"
distribution); greedy then runs on the union, and the best of that and the parts' own
selections is returned: 1/4 of the optimum with high probability (the paper's theorem).
"""

from __future__ import annotations

import time

import numpy as np

from submodkit._validation import check_int, check_matrix, check_real
from submodkit.coresets._partition import random_parts
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.shards import Shards
from submodkit.results import Solution


def _features(X) -> np.ndarray:
    X = check_matrix("X", X, nonnegative=False)
    return X.toarray() if hasattr(X, "toarray") else X


def discretize(X, bins: int = 8) -> np.ndarray:
    """Integer codes per column: equal-frequency bins (at most ``bins`` codes), except
    columns that already hold at most ``bins`` distinct values (coded as they are)."""
    X = _features(X)
    bins = check_int("bins", bins, minimum=2)
    n, p = X.shape
    codes = np.empty((n, p), dtype=np.int64)
    for j in range(p):
        col = X[:, j]
        vals, inv = np.unique(col, return_inverse=True)
        if len(vals) <= bins:
            codes[:, j] = inv
        else:
            edges = np.unique(np.quantile(col, np.linspace(0, 1, bins + 1)[1:-1]))
            codes[:, j] = np.searchsorted(edges, col, side="right")
    return codes


def _entropy_terms(counts: np.ndarray, n: int) -> np.ndarray:
    p = counts / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, -p * np.log(p), 0.0)


def mutual_information_distances(X, y=None, *, bins: int = 8) -> tuple[np.ndarray, np.ndarray | None]:
    """``(D, relevance)``: ``D[i, j] = 1 - I(x_i; x_j) / H(x_i, x_j)`` between the columns
    of X (0 when both are constant) and ``relevance[i] = I(x_i; y)`` in nats (None without
    ``y``). O(n p b + (p b)^2) time and memory (b = bins).

    Parameters
    ----------
    X : array_like, shape (samples, features)
    y : array_like, shape (samples,), optional
    bins : int, default 8, keyword-only
        Equal-frequency bins per feature.

    Returns
    -------
    D : ndarray, shape (features, features)
        The normalized variation of information (a metric in [0, 1]).
    relevance : ndarray or None
        ``I(x_i; y)`` per feature.

    Examples
    --------
    >>> X = np.array([[0, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=float)
    >>> D, rel = mutual_information_distances(X, y=np.array([0, 1, 0, 1]), bins=2)
    >>> float(D[0, 1]), bool(rel[0] > rel[2])
    (0.0, True)

    References
    ----------
    .. [1] Kraskov, Stogbauer, Andrzejak, Grassberger, "Hierarchical clustering using mutual
       information", Europhys. Lett. 70 (2005) (the normalized distance).
    """
    codes = discretize(X, bins)
    n, p = codes.shape
    b = int(codes.max()) + 1 if codes.size else 1
    onehot = np.zeros((n, p * b), dtype=np.float64)
    onehot[np.repeat(np.arange(n), p), (np.arange(p) * b)[None, :].repeat(n, 0).ravel() + codes.ravel()] = 1.0
    joint = (onehot.T @ onehot).reshape(p, b, p, b)
    h_joint = _entropy_terms(joint, n).sum(axis=(1, 3))
    h = np.diag(h_joint).copy()  # H(x_i, x_i) = H(x_i)
    mi = h[:, None] + h[None, :] - h_joint
    with np.errstate(divide="ignore", invalid="ignore"):
        D = np.where(h_joint > 1e-12, 1.0 - mi / h_joint, 0.0)
    D = np.clip((D + D.T) / 2.0, 0.0, 1.0)
    np.fill_diagonal(D, 0.0)
    rel = None
    if y is not None:
        y = np.asarray(y)
        if y.shape != (n,):
            raise InvalidParameterError("y", y, f"one label per row ({n} labels)")
        _, ycode = np.unique(y, return_inverse=True)
        cy = int(ycode.max()) + 1
        yhot = np.zeros((n, cy))
        yhot[np.arange(n), ycode] = 1.0
        jy = (onehot.T @ yhot).reshape(p, b, cy)
        hy = float(_entropy_terms(yhot.sum(axis=0), n).sum())
        rel = np.maximum(0.0, h + hy - _entropy_terms(jy, n).sum(axis=(1, 2)))
    return D, rel


def combined_metric(D: np.ndarray, relevance: np.ndarray | None, k: int, lam: float) -> np.ndarray:
    """``d'(i, j) = lam D[i, j] + (1 - lam) (rel_i + rel_j) / (k - 1)`` (zero diagonal): the
    sum of ``d'`` over the pairs of a k-set is the feature-selection objective. For ``k = 1``
    (no pairs) the diagonal holds ``(1 - lam) rel_i``, a single feature's objective, which
    :func:`local_max_sum_greedy` maximizes."""
    Dp = lam * D
    if relevance is not None and k >= 2:
        Dp = Dp + (1.0 - lam) * (relevance[:, None] + relevance[None, :]) / (k - 1)
    Dp = np.array(Dp, dtype=np.float64)
    np.fill_diagonal(Dp, (1.0 - lam) * relevance if relevance is not None and k == 1 else 0.0)
    return Dp


def feature_objective(D, relevance, sel, lam: float) -> float:
    """``lam * sum of D over the pairs of sel + (1 - lam) * sum of relevance over sel``."""
    sel = np.asarray(sel, dtype=np.int64)
    div = float(np.triu(D[np.ix_(sel, sel)], 1).sum())
    rel = float(relevance[sel].sum()) if relevance is not None else 0.0
    return lam * div + (1.0 - lam) * rel


def local_max_sum_greedy(Dp: np.ndarray, part: np.ndarray, k: int) -> np.ndarray:
    """Max-sum greedy on the features ``part`` of the metric ``Dp`` (one engine task): the
    first pick is the endpoint with the smaller index of the largest distance, then the
    largest distance sum to the selection; ties to the smallest index (for ``k = 1``, the
    largest diagonal entry). Returns indices of Dp."""
    part = np.asarray(part, dtype=np.int64)
    k = min(int(k), len(part))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    sub = Dp[np.ix_(part, part)]
    if k == 1:  # one feature: the diagonal is its objective (combined_metric), exact
        return part[[int(np.argmax(np.diagonal(sub)))]]
    i, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
    sel = [min(int(i), int(j)), max(int(i), int(j))]
    total = sub[sel[0]] + sub[sel[1]]
    taken = np.zeros(len(part), dtype=bool)
    taken[sel] = True
    while len(sel) < k:
        u = int(np.argmax(np.where(taken, -np.inf, total)))
        sel.append(u)
        taken[u] = True
        total = total + sub[u]
    return part[np.asarray(sel, dtype=np.int64)]


def select_features(X, y, k: int, *, lam: float = 0.5, n_parts: int | None = None, engine: object = "threads",
                    bins: int = 8, seed: int | None = None) -> Solution:
    """Select k features that are relevant to ``y`` and not redundant: distributed greedy
    for max-sum diversity with a mutual-information metric (Zadeh, Ghadiri, Mirrokni,
    Zadimoghaddam, AAAI 2017).

    ``Solution.value`` is ``lam * sum_{pairs} d + (1 - lam) * sum I(x_i; y)`` (nats), with
    ``d`` the normalized variation of information; ``stats`` holds both parts and the
    core-set size. ``y=None`` selects for diversity alone (``lam`` is then 1). ``engine``:
    ``None``/``"threads"``/``"dask"``/a Dask client (:mod:`submodkit.coresets.engines`);
    ``n_parts=1`` is centralized greedy (1/2, Birnbaum and Goldman 2009).

    Guarantee: 1/4 with high probability over the random partition (``"ddismi"``; the
    paper's theorem for its distributed greedy); ``n_parts=1``: 1/2. Complexity: O(n p bins +
    (p bins)^2) for the metric, then O(p k) per part and O(n_parts k^2) on the union.

    ``X`` may be a point shard folder of the features (:func:`~submodkit.instances.open_shards`
    of ``write_shards(PointSet(X.T), ...)``: one item per feature, its column as the point),
    the paper's vertical distribution: each worker reads only its features' columns, computes
    their metric and its core-set there, and sends back the core-set's columns; the metric on
    the union is computed from those columns alone (the metric of two features needs only
    their two columns and ``y``). The partition is the folder's (``n_parts``: None or its
    count; ``seed``: None or its seed), and the answer is the in-memory one for that
    partition (same selection; the value equal up to floating-point summation order).
    Memory: ``samples x features / n_parts`` values per worker, ``samples x n_parts k`` and
    ``(n_parts k bins)^2`` on the client.

    Parameters
    ----------
    X : array_like, shape (samples, features), or Shards
    y : array_like, shape (samples,), or None
        The target (None: diversity alone).
    k : int
        Features to select.
    lam : float, default 0.5
        Weight of diversity against relevance.
    n_parts : int, optional
        Parts of the features for the distributed greedy (1: centralized; None: 4); for
        shards, the folder's (None, or its count).
    engine : None, "threads", "dask" or dask.distributed.Client, keyword-only
    bins : int, default 8
        Equal-frequency bins per feature for the mutual information.
    seed : int, optional, keyword-only
        The random partition.

    Returns
    -------
    Solution
        The selected feature indices, the value and the guarantee.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> data = load_wine()
    >>> sol = select_features(data.data, data.target, 4, seed=0)
    >>> len(sol.selection), sol.guarantee.ratio
    (4, 0.25)

    References
    ----------
    .. [1] Zadeh, Ghadiri, Mirrokni, Zadimoghaddam, "Scalable feature selection via
       distributed diversity maximization", AAAI 2017.
    .. [2] Birnbaum, Goldman, "An improved analysis for a greedy remote-clique algorithm
       using factor-revealing LPs", Algorithmica 55 (2009).
    """
    from submodkit.coresets.engines import check_engine, map_parts

    start = time.perf_counter()
    if isinstance(X, Shards):
        return _select_on_shards(X, y, k, lam, n_parts, engine, bins, seed, start)
    n_parts = 4 if n_parts is None else n_parts
    X = _features(X)
    p = X.shape[1]
    k, lam = _check_k_lam(k, lam, p)
    n_parts = check_int("n_parts", n_parts, minimum=1)
    check_engine(engine)
    D, rel = mutual_information_distances(X, y, bins=bins)
    if rel is None:
        lam = 1.0
    Dp = combined_metric(D, rel, k, lam)
    groups = random_parts(p, n_parts, seed)
    if len(groups) == 1:
        cores = [local_max_sum_greedy(Dp, groups[0], k)]
    else:
        cores = map_parts(local_max_sum_greedy, Dp, groups, k, engine=engine)
    union = np.unique(np.concatenate(cores)) if cores else np.zeros(0, dtype=np.int64)
    return _second_round(D, rel, Dp, union, cores, k, lam, engine, start, p)


def _second_round(D, rel, Dp, union, cores, k, lam, engine, start, n_features, ids=None, **extra) -> Solution:
    """Greedy on the union of the core-sets (indices of ``Dp``), or the best full core-set
    when it does better (the paper's algorithm); ``ids`` maps those indices to feature ids
    (None: the identity)."""
    best = local_max_sum_greedy(Dp, union, k)
    best_v = float(np.triu(Dp[np.ix_(best, best)], 1).sum())
    if len(cores) > 1:
        for core in cores:
            v = float(np.triu(Dp[np.ix_(core, core)], 1).sum())
            if len(core) == k and v > best_v + 1e-12 * max(1.0, abs(best_v)):
                best, best_v = core, v
    distributed = len(cores) > 1
    return Solution(
        selection=np.asarray(best if ids is None else ids[best], dtype=np.int64), gains=np.zeros(len(best)),
        value=feature_objective(D, rel, best, lam),
        algorithm="distributed-greedy-feature-selection" if distributed else "greedy-feature-selection",
        guarantee=guarantee("ddismi" if distributed else "max-sum-greedy", k=k),
        stats={"features": n_features, "k": k, "n_parts": len(cores), "coreset_size": int(len(union)),
               "diversity": float(np.triu(D[np.ix_(best, best)], 1).sum()),
               "relevance": float(rel[best].sum()) if rel is not None else 0.0, "lam": lam,
               "engine": engine if isinstance(engine, str) or engine is None else "client",
               "seconds": time.perf_counter() - start, **extra},
    )


def _check_k_lam(k, lam, n_features: int) -> tuple[int, float]:
    k = check_int("k", k)
    if k > n_features:
        raise InvalidParameterError("k", k, f"an integer <= {n_features} (the number of features)")
    return k, check_real("lam", lam, minimum=0.0, maximum=1.0)


def _select_on_shards(shards: Shards, y, k, lam, n_parts, engine, bins, seed, start) -> Solution:
    """:func:`select_features` on a point shard folder of the features (vertical distribution)."""
    from submodkit.coresets.engines import check_engine, map_shards

    if shards.kind != "PointSet":
        raise InvalidParameterError("X", shards.kind, "features, or a point shard folder of X.T (one item "
                                    "per feature)")
    shards.check_partition(n_parts, seed)
    p, samples = shards.n_items, int(shards.dim)
    k, lam = _check_k_lam(k, lam, p)
    bins = check_int("bins", bins, minimum=2)
    check_engine(engine)
    if y is not None:
        y = np.asarray(y)
        if y.shape != (samples,):
            raise InvalidParameterError("y", y, f"one label per sample ({samples} labels, the folder's point "
                                        "dimension)")
    if y is None:
        lam = 1.0
    found = map_shards(_part_feature_core, shards, (y, k, lam, bins), engine=engine)
    ids = np.concatenate([i for i, _ in found])
    columns = np.concatenate([c for _, c in found], axis=1)
    order = np.argsort(ids, kind="stable")
    union, columns = ids[order], columns[:, order]
    D, rel = mutual_information_distances(columns, y, bins=bins)
    Dp = combined_metric(D, rel, k, lam)
    cores = [np.searchsorted(union, core_ids) for core_ids, _ in found]  # positions in the union
    return _second_round(D, rel, Dp, np.arange(len(union), dtype=np.int64), cores, k, lam, engine, start, p,
                         ids=union, shards=str(shards.directory),
                         bytes_core_sets=int(sum(i.nbytes + c.nbytes for i, c in found)))


def _part_feature_core(shards: Shards, i: int, y, k: int, lam: float, bins: int):
    """Part ``i``'s core-set of features: their global ids and their columns (samples x k)."""
    shard = shards.part(i)
    columns = np.ascontiguousarray(np.asarray(shard.problem.features, dtype=np.float64).T)
    D, rel = mutual_information_distances(columns, y, bins=bins)
    everyone = np.arange(columns.shape[1], dtype=np.int64)
    local = local_max_sum_greedy(combined_metric(D, rel, k, lam), everyone, k)
    return shard.ids[local].astype(np.int64), np.ascontiguousarray(columns[:, local])
