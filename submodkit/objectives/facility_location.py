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

    Args:
        similarity: non-negative matrix, dense or sparse (sparse: missing = 0).
        weights: element weights, ones by default.
        dtype: storage of the similarity, ``numpy.float64`` (default) or ``numpy.float32``
            (half the memory; gains are still summed in float64).

    Example:
        >>> FacilityLocation([[1.0, 0.5], [0.2, 1.0]]).evaluate([0])
        1.5
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

        Example:
            >>> from submodkit.instances import Similarity
            >>> FacilityLocation.from_instance(Similarity(np.array([[1.0, 0.2], [0.3, 1.0]]))).n
            2
        """
        if isinstance(instance, Similarity):
            return cls(instance.matrix)
        if isinstance(instance, PointSet):
            return cls.from_features(instance.features, metric=metric, n_neighbors=n_neighbors)
        raise InvalidParameterError("instance", type(instance).__name__, "a PointSet or a Similarity")
