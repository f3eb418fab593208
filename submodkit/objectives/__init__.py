"""Set functions: data plus the shared Numba kernels."""

from submodkit.objectives.base import Objective
from submodkit.objectives.coverage import Coverage, ProbabilisticCoverage, SaturatedCoverage
from submodkit.objectives.facility_location import FacilityLocation
from submodkit.objectives.feature_based import FeatureBased
from submodkit.objectives.graph_cut import GraphCut
from submodkit.objectives.mixture import Mixture
from submodkit.objectives.similarity import knn_similarity, pairwise_similarity, similarity_from_neighbors

__all__ = [
    "Coverage",
    "FacilityLocation",
    "FeatureBased",
    "GraphCut",
    "Mixture",
    "Objective",
    "ProbabilisticCoverage",
    "SaturatedCoverage",
    "knn_similarity",
    "pairwise_similarity",
    "similarity_from_neighbors",
]
