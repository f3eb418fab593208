"""Similarity matrices from features: dense all-pairs, or sparse k-nearest-neighbour."""

from __future__ import annotations

import os
import sys

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_matrix, check_real
from submodkit.errors import InvalidParameterError

METRICS = ("euclidean", "cosine", "correlation")


def _available_bytes() -> int:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def _normalize_rows(X: np.ndarray, center: bool) -> np.ndarray:
    if center:
        X = X - X.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return X / norms


def pairwise_similarity(X, metric: str = "euclidean", dtype=np.float64) -> np.ndarray:
    """Dense non-negative similarity between the rows of X.

    - ``"euclidean"``: ``max(D) - D`` with D the squared euclidean distances (apricot's
      convention), so the farthest pair has similarity 0;
    - ``"cosine"``: cosine similarity clipped at 0;
    - ``"correlation"``: squared Pearson correlation of the rows.

    ``dtype=numpy.float32`` returns a single-precision matrix (half the memory), computed
    in float64 blocks of rows and rounded once, so it is the float64 result rounded to
    float32; peak memory is then the n x n float32 matrix plus one block. The float64
    matrix is computed in place (peak: the n x n result plus one block).

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, d)
        The points, one per row (any sign).
    metric : {"euclidean", "cosine", "correlation"}, default "euclidean"
        The similarity.
    dtype : numpy dtype, default numpy.float64
        ``numpy.float64`` or ``numpy.float32``.

    Returns
    -------
    ndarray, shape (n, n)
        The similarity, non-negative.

    Raises
    ------
    InvalidParameterError
        Naming ``n_neighbors`` when the n x n matrix would not fit in half of the
        available memory; for an unknown metric or dtype, or non-finite X.

    Examples
    --------
    >>> import numpy as np
    >>> pairwise_similarity(np.array([[0.0], [1.0], [3.0]])).tolist()
    [[9.0, 8.0, 0.0], [8.0, 9.0, 5.0], [0.0, 5.0, 9.0]]
    >>> pairwise_similarity(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]), "cosine").round(3).tolist()
    [[1.0, 0.707, 0.0], [0.707, 1.0, 0.707], [0.0, 0.707, 1.0]]

    References
    ----------
    .. [1] Schreiber, Bilmes, Noble, "apricot: Submodular selection for data summarization
       in Python", JMLR 21 (2020) (the conventions of the metrics).
    """
    check_choice("metric", metric, METRICS)
    dtype = np.dtype(dtype)
    if dtype not in (np.float64, np.float32):
        raise InvalidParameterError("dtype", dtype, "numpy.float64 or numpy.float32")
    X = check_matrix("X", X, nonnegative=False)
    if sp.issparse(X):
        X = X.toarray()
    n = X.shape[0]
    need = dtype.itemsize * n * n
    if need > _available_bytes() // 2:
        raise InvalidParameterError(
            "n_neighbors", None,
            f"an integer: a dense {n} x {n} {dtype.name} similarity needs {need / 2**30:.1f} GiB; "
            "pass n_neighbors to build a sparse k-nearest-neighbour similarity instead",
        )
    if metric == "euclidean":
        sq = np.einsum("ij,ij->i", X, X)
        if dtype == np.float64:
            D = X @ X.T
            D *= -2.0
            for lo in range(0, n, _BLOCK):
                hi = min(n, lo + _BLOCK)
                D[lo:hi] += sq[lo:hi, None] + sq[None, :]
            np.maximum(D, 0.0, out=D)
            np.fill_diagonal(D, 0.0)
            return np.subtract(D.max(), D, out=D)
        top = 0.0
        for _, _, Db in _euclidean_blocks(X, sq):
            top = max(top, float(Db.max()))
        out = np.empty((n, n), dtype=np.float32)
        for lo, hi, Db in _euclidean_blocks(X, sq):
            np.subtract(top, Db, out=out[lo:hi], casting="same_kind")
        return out
    Z = _normalize_rows(X, center=metric == "correlation")
    if dtype == np.float64:
        S = Z @ Z.T
        if metric == "cosine":
            return np.maximum(S, 0.0, out=S)
        return np.multiply(S, S, out=S)
    out = np.empty((n, n), dtype=np.float32)
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        Sb = Z[lo:hi] @ Z.T
        if metric == "cosine":
            np.maximum(Sb, 0.0, out=out[lo:hi], casting="same_kind")
        else:
            np.multiply(Sb, Sb, out=out[lo:hi], casting="same_kind")
    return out


_BLOCK = 1024


def _euclidean_blocks(X: np.ndarray, sq: np.ndarray):
    """Row blocks ``(lo, hi, D[lo:hi])`` of the squared distances, in float64."""
    n = X.shape[0]
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        Db = X[lo:hi] @ X.T
        Db *= -2.0
        Db += sq[lo:hi, None] + sq[None, :]
        np.maximum(Db, 0.0, out=Db)
        Db[np.arange(hi - lo), np.arange(lo, hi)] = 0.0
        yield lo, hi, Db


KNN_METHODS = ("auto", "kd-tree", "brute", "nndescent")
_KD_TREE_MAX_DIM = 20  # above this a tree degrades: "auto" takes blocked brute force
_NNDESCENT_MIN_ROWS = 500_000  # and above this (n^2 work), NN-descent when pynndescent is installed
_BRUTE_BLOCK = 1 << 25  # distance entries per block of brute force (128 MB in float32)
_QUERY_CHUNKS = 50  # queries in at least this many blocks under a progress bar


def knn_similarity(X, metric: str = "euclidean", n_neighbors: int = 10, dtype=np.float64, *,
                   method: str = "auto", n_jobs: int = -1, progress: bool = False,
                   seed: int | None = 0) -> sp.csr_matrix:
    """Sparse similarity keeping, for each point u, its ``n_neighbors`` nearest rows j.

    Entry ``[j, u]`` (row = candidate j, column = element u) is the similarity of the
    dense version for the kept pairs (for euclidean, ``max(kept D) - D``); a point is its
    own nearest neighbour. Never forms an n x n array. ``method="kd-tree"`` is exact
    (scipy's ``cKDTree``, queries on ``n_jobs`` threads); ``"brute"`` is exact, blocks of
    distances by matrix products (BLAS threads); ``"nndescent"`` is approximate
    nearest-neighbour descent (pynndescent, as UMAP uses: ``pip install 'submodkit[ann]'``);
    ``"auto"`` takes the tree up to 20 dimensions, brute force above, and NN-descent above 20
    dimensions and 500,000 points when pynndescent is installed (brute force's n^2 work).
    ``dtype=numpy.float32`` stores the similarities in single precision. A precomputed
    neighbour list (from scikit-learn, pynndescent or anything else) goes through
    :func:`similarity_from_neighbors`.

    Measured (``scripts/bench_knn.py``, 2 cores, float32): 1,000,000 points in 8 dimensions,
    10 neighbours, in 46 s by the tree against 104 s for scikit-learn's ``NearestNeighbors``
    (2.3x; 2.3-2.4x at 100,000 and 300,000 points). In 64 dimensions (100,000 points) the tree
    took over 9 minutes, NN-descent 22 s at recall 0.78, and brute force (scikit-learn's,
    queried in blocks, plus the similarity) 17.9 s against 16.1-17.0 s for scikit-learn alone:
    hence brute force there.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, d)
        The points, one per row.
    metric : {"euclidean", "cosine", "correlation"}, default "euclidean"
        As in :func:`pairwise_similarity`.
    n_neighbors : int, default 10
        Rows kept per point (``>= 1``; at most n).
    dtype : numpy dtype, default numpy.float64
    method : {"auto", "kd-tree", "brute", "nndescent"}, default "auto"
    n_jobs : int, default -1
        Threads for the queries (-1: every core).
    progress : bool, default False
        A tqdm bar on stderr over the queries.
    seed : int, optional
        NN-descent's seed (its result depends on it; the tree's does not).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        Entry ``[j, u]`` for the kept pairs (a kept pair of similarity 0 may be stored
        explicitly), sorted indices.

    Examples
    --------
    >>> import numpy as np
    >>> knn_similarity(np.array([[0.0], [1.0], [3.0]]), n_neighbors=2).toarray().tolist()
    [[4.0, 3.0, 0.0], [3.0, 4.0, 0.0], [0.0, 0.0, 4.0]]

    References
    ----------
    .. [1] Bentley, "Multidimensional binary search trees used for associative searching",
       Comm. ACM 18 (1975) (the KD-tree).
    .. [2] Dong, Charikar, Li, "Efficient k-nearest neighbor graph construction for generic
       similarity measures", WWW 2011 (NN-descent).
    """
    check_choice("metric", metric, METRICS)
    check_choice("method", method, KNN_METHODS)
    X = check_matrix("X", X, nonnegative=False)
    if sp.issparse(X):
        X = X.toarray()
    n, d = X.shape
    kk = min(check_int("n_neighbors", n_neighbors, minimum=1), n)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs == 0 or n_jobs < -1:
        raise InvalidParameterError("n_jobs", n_jobs, "-1 (every core) or an integer >= 1")
    Z = X if metric == "euclidean" else _normalize_rows(X, center=metric == "correlation")
    if method == "auto":
        from submodkit._optional import missing

        if d <= _KD_TREE_MAX_DIM:
            method = "kd-tree"
        else:
            method = "nndescent" if n >= _NNDESCENT_MIN_ROWS and not missing("pynndescent") else "brute"
    if method == "nndescent":
        idx, dist = _nndescent(Z, kk, n_jobs, progress, seed)
    elif method == "brute":
        dist, idx = _brute(Z, kk, n_jobs, progress)
    else:
        dist, idx = _kd_tree(Z, kk, n_jobs, progress)
    return _from_euclidean(idx, dist, metric, dtype)


def _kd_tree(Z: np.ndarray, kk: int, n_jobs: int, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact neighbours by a KD-tree, queried in blocks (a bar advances per block)."""
    from scipy.spatial import cKDTree  # imported here: it costs 0.1 s at import time

    tree = cKDTree(Z)
    return _blocks(lambda lo, hi: tree.query(Z[lo:hi], k=kk, workers=n_jobs), Z.shape[0], kk, progress,
                   "kd-tree")


def _brute(Z: np.ndarray, kk: int, n_jobs: int, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact neighbours by brute force: scikit-learn's (compiled, multi-threaded top-k over
    blocks of distances) when installed, queried in blocks under the bar; else numpy blocks."""
    from submodkit._optional import missing

    if not missing("sklearn"):
        from sklearn.neighbors import NearestNeighbors

        index = NearestNeighbors(n_neighbors=kk, algorithm="brute", n_jobs=n_jobs).fit(Z)
        return _blocks(lambda lo, hi: index.kneighbors(Z[lo:hi]), Z.shape[0], kk, progress, "brute force")
    return _numpy_brute(Z, kk, progress)


def _blocks(query, n: int, kk: int, progress: bool, name: str, rows: int | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """``query(lo, hi) -> (distances, indices)`` over blocks of at most ``rows`` points (all
    at once when None), smaller blocks under a progress bar so that it advances."""
    step = n if rows is None else rows
    if progress:
        step = min(step, -(-n // _QUERY_CHUNKS))
    dist = np.empty((n, kk))
    idx = np.empty((n, kk), dtype=np.int64)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, desc=f"k-NN ({name})", unit=" pts", file=sys.stderr)
    for lo in range(0, n, max(step, 1)):
        hi = min(n, lo + max(step, 1))
        dd, ii = query(lo, hi)
        dist[lo:hi] = np.asarray(dd).reshape(hi - lo, kk)
        idx[lo:hi] = np.asarray(ii).reshape(hi - lo, kk)
        if bar is not None:
            bar.update(hi - lo)
    if bar is not None:
        bar.close()
    return dist, idx


def _numpy_brute(Z: np.ndarray, kk: int, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact neighbours by blocks of squared distances ``|x|^2 - 2 x.y + |y|^2`` (one matrix
    product per block, in the points' precision), each point first in its own list."""
    n = Z.shape[0]
    Zf = np.ascontiguousarray(Z, dtype=np.float32 if Z.dtype == np.float32 else np.float64)
    sq = np.einsum("ij,ij->i", Zf, Zf)

    def query(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        D = Zf[lo:hi] @ Zf.T
        D *= -2.0
        D += sq[lo:hi, None]
        D += sq[None, :]
        D[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf  # each point is its own nearest
        part = np.argpartition(D, kk - 1, axis=1)[:, :kk] if kk < n else np.tile(np.arange(n), (hi - lo, 1))
        dd = np.take_along_axis(D, part, axis=1)
        order = np.argsort(dd, axis=1, kind="stable")
        nearest = np.sqrt(np.maximum(np.take_along_axis(dd, order, axis=1), 0.0))
        return nearest, np.take_along_axis(part, order, axis=1)

    return _blocks(query, n, kk, progress, "brute force", rows=max(1, _BRUTE_BLOCK // max(n, 1)))


def _nndescent(Z: np.ndarray, kk: int, n_jobs: int, progress: bool, seed) -> tuple[np.ndarray, np.ndarray]:
    """Approximate neighbours by NN-descent (pynndescent), each point first in its own list."""
    from submodkit._optional import require

    require("pynndescent", "method", "nndescent", "approximate nearest neighbours")
    from pynndescent import NNDescent

    index = NNDescent(Z, n_neighbors=max(2 * kk, 30), random_state=seed, n_jobs=n_jobs, verbose=progress,
                      compressed=True)
    idx, dist = index.neighbor_graph
    return np.asarray(idx[:, :kk], dtype=np.int64), np.asarray(dist[:, :kk], dtype=np.float64)


def similarity_from_neighbors(indices, distances, metric: str = "euclidean", dtype=np.float64
                              ) -> sp.csr_matrix:
    """The k-nearest-neighbour similarity of :func:`knn_similarity` from neighbour lists
    computed elsewhere (scikit-learn's ``NearestNeighbors.kneighbors``, pynndescent's
    ``neighbor_graph``, a vector database...): row u of ``indices`` lists u's neighbours,
    ``distances`` their distances in the metric's own terms (euclidean distance; cosine
    distance ``1 - cos``; correlation distance ``1 - r``, as scipy and scikit-learn define
    them). Entries of -1 (a list shorter than the others) are skipped.

    Parameters
    ----------
    indices : array_like of int, shape (n, k)
    distances : array_like of float, shape (n, k)
    metric : {"euclidean", "cosine", "correlation"}, default "euclidean"
    dtype : numpy dtype, default numpy.float64

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        As :func:`knn_similarity`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import NearestNeighbors
    >>> X = np.array([[0.0], [1.0], [3.0]])
    >>> dist, ind = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)
    >>> (similarity_from_neighbors(ind, dist) != knn_similarity(X, n_neighbors=2)).nnz
    0

    References
    ----------
    .. [1] :func:`knn_similarity`.
    """
    check_choice("metric", metric, METRICS)
    idx = np.asarray(indices)
    dist = np.asarray(distances, dtype=np.float64)
    if idx.ndim != 2 or dist.shape != idx.shape or not np.issubdtype(idx.dtype, np.integer):
        raise InvalidParameterError("indices", f"shape {idx.shape}, dtype {idx.dtype}", "integer neighbour "
                                    "lists of shape (n, k) with distances of the same shape")
    n = idx.shape[0]
    if idx.size and (idx.max() >= n or idx.min() < -1):
        raise InvalidParameterError("indices", f"values in [{idx.min()}, {idx.max()}]", f"row numbers in "
                                    f"[0, {n}) (or -1 for none)")
    if not np.isfinite(dist[idx >= 0]).all() or (dist[idx >= 0] < 0).any():
        raise InvalidParameterError("distances", "negative or non-finite values", "distances >= 0")
    if metric != "euclidean":  # to euclidean distances between unit vectors: |a - b|^2 = 2 - 2 cos
        dist = np.sqrt(np.maximum(2.0 * dist, 0.0))
    return _from_euclidean(idx.astype(np.int64), dist, metric, dtype)


def _from_euclidean(idx: np.ndarray, dist: np.ndarray, metric: str, dtype) -> sp.csr_matrix:
    """``[j, u]`` similarities from u's neighbours j and their euclidean distances (between
    unit vectors for cosine and correlation)."""
    n, kk = idx.shape
    keep = idx >= 0
    sq = dist * dist
    if metric == "euclidean":
        sim = sq[keep].max(initial=0.0) - sq
    else:
        cos = 1.0 - sq / 2.0
        sim = np.maximum(cos, 0.0) if metric == "cosine" else cos * cos
    elements = np.repeat(np.arange(n), kk).reshape(n, kk)
    mat = sp.csr_matrix((sim[keep].astype(dtype), (idx[keep], elements[keep])), shape=(n, n), dtype=dtype)
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


def squared_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``||a_i - b_j||^2`` for every row i of A and j of B (rounding clipped at 0).

    Examples
    --------
    >>> squared_distances(np.array([[0.0], [1.0]]), np.array([[3.0]])).tolist()
    [[9.0], [4.0]]
    """
    D = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :] - 2.0 * (A @ B.T)
    return np.maximum(D, 0.0, out=D)


def cross_similarity(X, Y, metric: str = "euclidean", d_max: float | None = None) -> np.ndarray:
    """The n x q similarity between the rows of X and the rows of Y (a query or private set),
    in the conventions of :func:`pairwise_similarity`.

    Parameters
    ----------
    X : array_like, shape (n, d)
    Y : array_like, shape (q, d)
    metric : {"euclidean", "cosine", "correlation"}, default "euclidean"
        ``"euclidean"`` is ``max(d_max - D, 0)`` over squared distances D, ``"cosine"`` the
        cosine clipped at 0, ``"correlation"`` the squared Pearson correlation.
    d_max : float, optional
        The euclidean offset: pass the ground set's (``pairwise_similarity(X).max()``) so that
        both similarities share a scale; by default the largest squared distance in D.

    Returns
    -------
    ndarray of float64, shape (n, q)

    Examples
    --------
    >>> import numpy as np
    >>> cross_similarity(np.array([[0.0], [1.0]]), np.array([[1.0]]), d_max=4.0).tolist()
    [[3.0], [4.0]]
    """
    check_choice("metric", metric, ("euclidean", "cosine", "correlation"))
    A = np.asarray(check_matrix("X", X, nonnegative=False).toarray() if sp.issparse(X)
                   else check_matrix("X", X, nonnegative=False), dtype=np.float64)
    B = np.asarray(check_matrix("Y", Y, nonnegative=False).toarray() if sp.issparse(Y)
                   else check_matrix("Y", Y, nonnegative=False), dtype=np.float64)
    if A.shape[1] != B.shape[1]:
        raise InvalidParameterError("Y", f"shape {B.shape}", f"{A.shape[1]} columns, as X")
    if metric == "euclidean":
        D = squared_distances(A, B)
        top = float(D.max(initial=0.0)) if d_max is None else check_real("d_max", d_max, minimum=0.0)
        return np.maximum(top - D, 0.0)
    center = metric == "correlation"
    S = _normalize_rows(A, center=center) @ _normalize_rows(B, center=center).T
    return np.maximum(S, 0.0) if metric == "cosine" else S * S
