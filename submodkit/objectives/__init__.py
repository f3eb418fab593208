"""Set functions: data plus the shared Numba kernels."""

from submodkit.objectives.base import Objective
from submodkit.objectives.coverage import Coverage, ProbabilisticCoverage, SaturatedCoverage
from submodkit.objectives.facility_location import ClusteredFacilityLocation, FacilityLocation
from submodkit.objectives.feature_based import FeatureBased
from submodkit.objectives.graph_cut import GraphCut, SumRedundancy
from submodkit.objectives.information import (
    FacilityLocationCG,
    FacilityLocationCMI,
    FacilityLocationMI,
    FacilityLocationVMI,
    GraphCutCG,
    GraphCutMI,
    LogDeterminantCG,
    LogDeterminantCMI,
    LogDeterminantMI,
    ProbabilisticSetCoverCG,
    ProbabilisticSetCoverCMI,
    ProbabilisticSetCoverMI,
    SetCoverCG,
    SetCoverCMI,
    SetCoverMI,
)
from submodkit.objectives.log_determinant import LogDeterminant
from submodkit.objectives.mixture import Mixture
from submodkit.objectives.similarity import knn_similarity, pairwise_similarity, similarity_from_neighbors

__all__ = [
    "ClusteredFacilityLocation",
    "Coverage",
    "FacilityLocation",
    "FacilityLocationCG",
    "FacilityLocationCMI",
    "FacilityLocationMI",
    "FacilityLocationVMI",
    "FeatureBased",
    "GraphCut",
    "GraphCutCG",
    "GraphCutMI",
    "LogDeterminant",
    "LogDeterminantCG",
    "LogDeterminantCMI",
    "LogDeterminantMI",
    "Mixture",
    "Objective",
    "ProbabilisticCoverage",
    "ProbabilisticSetCoverCG",
    "ProbabilisticSetCoverCMI",
    "ProbabilisticSetCoverMI",
    "SaturatedCoverage",
    "SetCoverCG",
    "SetCoverCMI",
    "SetCoverMI",
    "SumRedundancy",
    "knn_similarity",
    "pairwise_similarity",
    "similarity_from_neighbors",
]
