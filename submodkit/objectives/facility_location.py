"""Facility location: ``f(S) = sum_u w[u] * max_{j in S} sim[j, u]``."""

from __future__ import annotations

import numpy as np

from submodkit._validation import check_vector
from submodkit.errors import InvalidParameterError
from submodkit.instances.problems import PointSet, Similarity
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective, check_storage
from submodkit.objectives.similarity import knn_similarity, pairwise_similarity


class FacilityLocation(Objective):
    """Facility location (Cornuejols, Fisher, Nemhauser, 1977): monotone submodular.

    ``f(S) = sum_u w[u] * max_{j in S} sim[j, u]`` for a non-negative similarity whose
    rows are candidates j and columns elements u (square when both are the data points).
    Its exact optimum is :func:`~submodkit.solvers.submodular.exact.exact_facility_location`.

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, m)
        Non-negative matrix, dense or sparse (sparse: missing = 0).
    weights : array_like of float, shape (m,), optional
        Element weights, ones by default.
    dtype : numpy dtype, default numpy.float64
        Storage of the similarity, ``numpy.float64`` or ``numpy.float32`` (half the memory;
        gains are still summed in float64).

    Raises
    ------
    InvalidParameterError
        For negative or non-finite similarities, weights of the wrong length, or another
        dtype.

    Examples
    --------
    >>> f = FacilityLocation([[1.0, 0.5], [0.2, 1.0]])
    >>> f.evaluate([0]), f.gains([0]).tolist()
    (1.5, [0.0, 0.5])

    References
    ----------
    .. [1] Cornuejols, Fisher, Nemhauser, "Location of bank accounts to optimize float: an
       analytic study of exact and approximate algorithms", Management Science 23 (1977).
    .. [2] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978).
    """

    name = "facility-location"

    def __init__(self, similarity, weights=None, dtype=np.float64):
        mat = check_storage("similarity", similarity, dtype)
        m = mat.shape[1]
        if weights is None:
            w = np.empty(m)
            w.fill(1.0)  # np.ones, without its Python-level overhead
        else:
            w = check_vector("weights", weights, m)
        kind = K.KIND_DENSE if type(mat) is np.ndarray else K.KIND_CSR
        super().__init__(kind=kind, agg=K.AGG_MAX, phi=K.PHI_IDENTITY, matrix=mat, w=w, dtype=dtype,
                         values_checked=True)

    @classmethod
    def from_features(
        cls, X, metric: str = "euclidean", n_neighbors: int | None = None, weights=None,
        dtype=np.float64,
    ) -> FacilityLocation:
        """Facility location over the rows of X.

        ``n_neighbors=None`` builds the dense n x n similarity
        (:func:`~submodkit.objectives.similarity.pairwise_similarity`); an integer builds
        a sparse k-nearest-neighbour one, O(n k) memory
        (:func:`~submodkit.objectives.similarity.knn_similarity`). ``dtype=numpy.float32``
        stores it in single precision (half the memory).

        Parameters
        ----------
        X : array_like, shape (n, d)
            The points, one per row.
        metric : {"euclidean", "cosine", "correlation"}, default "euclidean"
            The similarity (see :func:`~submodkit.objectives.similarity.pairwise_similarity`).
        n_neighbors : int, optional
            Keep each point's nearest rows only (:func:`~submodkit.objectives.similarity.knn_similarity`:
            an exact KD-tree, or NN-descent for many points in high dimension).
        weights : array_like, optional
            Element weights, ones by default.
        dtype : numpy dtype, default numpy.float64

        Returns
        -------
        FacilityLocation

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0.0], [1.0], [3.0]])
        >>> FacilityLocation.from_features(X).evaluate([1])
        22.0
        >>> FacilityLocation.from_features(X, n_neighbors=2).evaluate([1])
        7.0
        """
        if n_neighbors is None:
            sim = pairwise_similarity(X, metric, dtype=dtype)
        else:
            sim = knn_similarity(X, metric, n_neighbors, dtype=dtype)
        return cls(sim, weights=weights, dtype=dtype)

    @classmethod
    def from_instance(cls, instance: PointSet | Similarity, metric: str = "euclidean",
                      n_neighbors: int | None = None) -> FacilityLocation:
        """Facility location of a :class:`~submodkit.instances.PointSet` (over its rows, see
        :meth:`from_features`) or of a :class:`~submodkit.instances.Similarity` (its matrix).

        Parameters
        ----------
        instance : PointSet or Similarity
        metric : str, default "euclidean"
            For a PointSet, as in :meth:`from_features`.
        n_neighbors : int, optional
            For a PointSet, as in :meth:`from_features`.

        Returns
        -------
        FacilityLocation

        Examples
        --------
        >>> from submodkit.instances import Similarity
        >>> FacilityLocation.from_instance(Similarity(np.array([[1.0, 0.2], [0.3, 1.0]]))).n
        2
        """
        if isinstance(instance, Similarity):
            return cls(instance.matrix)
        if isinstance(instance, PointSet):
            return cls.from_features(instance.features, metric=metric, n_neighbors=n_neighbors)
        raise InvalidParameterError("instance", type(instance).__name__, "a PointSet or a Similarity")


class ClusteredFacilityLocation(FacilityLocation):
    """Clustered facility location: ``f(S) = sum_c sum_{i in c} max_{j in S n c} sim[j, i]``.

    A sum of facility-location functions, one per cluster c, each over its own points and
    candidates (submodlib's ``ClusteredFunction`` with facility location): representatives
    are chosen within each cluster, so every cluster is represented in proportion to how
    much it gains. Stored as one facility location whose similarity keeps the pairs inside a
    cluster only (a block-diagonal CSR matrix, ``sum_c |c|^2`` entries), so every optimizer
    runs on it; monotone submodular (greedy: 1 - 1/e).

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
        Non-negative similarity between the points.
    labels : array_like of int, shape (n,)
        The cluster of each point (any integers, e.g. class labels or k-means clusters).
    weights : array_like of float, shape (n,), optional
        Point weights, ones by default.

    Attributes
    ----------
    labels : ndarray of int64

    Raises
    ------
    InvalidParameterError
        For a similarity that is not square, or labels of the wrong length.

    Examples
    --------
    >>> S = np.array([[1.0, 0.9, 0.8], [0.9, 1.0, 0.1], [0.8, 0.1, 1.0]])
    >>> f = ClusteredFacilityLocation(S, labels=[0, 0, 1])
    >>> f.evaluate([0]), FacilityLocation(S).evaluate([0])
    (1.9, 2.7)

    References
    ----------
    .. [1] Iyer, Khargonkar, Bilmes, Asnani, "Generalized submodular information measures:
       theoretical properties, examples, optimization algorithms, and applications", IEEE
       Trans. Information Theory 68 (2022) (submodlib's clustered mode).
    """

    name = "clustered-facility-location"

    def __init__(self, similarity, labels, weights=None):
        import scipy.sparse as sp

        from submodkit._validation import check_matrix

        mat = check_matrix("similarity", similarity)
        n = mat.shape[0]
        if mat.shape[1] != n:
            raise InvalidParameterError("similarity", f"shape {mat.shape}", "a square n x n similarity")
        lab = np.asarray(labels)
        if lab.shape != (n,) or (lab.size and lab.dtype.kind not in "iu"):
            raise InvalidParameterError("labels", f"array of shape {lab.shape} ({lab.dtype})",
                                        f"{n} integer cluster labels")
        lab = lab.astype(np.int64)
        if sp.issparse(mat):
            coo = mat.tocoo()
            keep = lab[coo.row] == lab[coo.col]
            masked = sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
        else:
            rows, cols = [], []
            for c in np.unique(lab):
                members = np.flatnonzero(lab == c)
                rows.append(np.repeat(members, members.size))
                cols.append(np.tile(members, members.size))
            r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
            cc = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
            masked = sp.csr_matrix((mat[r, cc], (r, cc)), shape=(n, n))
        masked.sort_indices()
        super().__init__(masked, weights=weights)
        self.labels = lab
