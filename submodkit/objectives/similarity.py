"""Similarity matrices from features: dense all-pairs, or sparse k-nearest-neighbour."""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_matrix
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


def knn_similarity(X, metric: str = "euclidean", n_neighbors: int = 10, dtype=np.float64) -> sp.csr_matrix:
    """Sparse similarity keeping, for each point u, its ``n_neighbors`` nearest rows j.

    Entry ``[j, u]`` (row = candidate j, column = element u) is the similarity of the
    dense version for the kept pairs (for euclidean, ``max(kept D) - D``); a point is its
    own nearest neighbour. Never forms an n x n array: a KD-tree answers the queries (on
    all cores). ``dtype=numpy.float32`` stores the similarities in single precision.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, d)
        The points, one per row.
    metric : {"euclidean", "cosine", "correlation"}, default "euclidean"
        As in :func:`pairwise_similarity`.
    n_neighbors : int, default 10
        Rows kept per point (``>= 1``; at most n).
    dtype : numpy dtype, default numpy.float64

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
    """
    from scipy.spatial import cKDTree  # imported here: it costs 0.1 s at import time

    check_choice("metric", metric, METRICS)
    X = check_matrix("X", X, nonnegative=False)
    if sp.issparse(X):
        X = X.toarray()
    n = X.shape[0]
    kk = min(check_int("n_neighbors", n_neighbors, minimum=1), n)
    Z = X if metric == "euclidean" else _normalize_rows(X, center=metric == "correlation")
    dist, idx = cKDTree(Z).query(Z, k=kk, workers=-1)
    dist = np.asarray(dist, dtype=np.float64).reshape(n, kk)
    idx = np.asarray(idx, dtype=np.int64).reshape(n, kk)
    sq = dist * dist
    if metric == "euclidean":
        sim = sq.max() - sq
    else:
        cos = 1.0 - sq / 2.0  # unit vectors: |a - b|^2 = 2 - 2 cos
        sim = np.maximum(cos, 0.0) if metric == "cosine" else cos * cos
    elements = np.repeat(np.arange(n), kk)
    mat = sp.csr_matrix((sim.ravel().astype(dtype), (idx.ravel(), elements)), shape=(n, n), dtype=dtype)
    mat.sort_indices()
    return mat
