"""submodkit: submodular and combinatorial optimization at scale, with proof of quality.

The public API, re-exported::

    from submodkit import Coverage, maximize, set_cover, verify, read_instance
"""

from submodkit import coresets
from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
from submodkit.errors import InstanceFormatError, InvalidParameterError, SubmodkitError
from submodkit.guarantees import GUARANTEES, guarantee
from submodkit.instances import Graph, PointSet, SetSystem, Similarity, read_instance
from submodkit.objectives import (
    Coverage,
    FacilityLocation,
    FeatureBased,
    GraphCut,
    Mixture,
    Objective,
    ProbabilisticCoverage,
    SaturatedCoverage,
)
from submodkit.solution import ExactResult, Guarantee, Solution
from submodkit.solvers.allocation import (
    AllocationInstance,
    AllocationSolution,
    offline_optimum,
)
from submodkit.solvers.assignment import (
    AssignmentSolution,
    b_matching,
    max_weight_assignment,
    position_auction,
)
from submodkit.solvers.brute_force import brute_force_maximize
from submodkit.solvers.diversity import diversify, diversity_value
from submodkit.solvers.greedy import maximize
from submodkit.solvers.matching import MatchingSolution, matching_weight, max_weight_matching
from submodkit.solvers.nonmonotone import distorted_greedy, double_greedy, random_greedy
from submodkit.solvers.online import OnlineMatchingResult, online_matching
from submodkit.solvers.online_allocation import allocate
from submodkit.solvers.set_cover import set_cover
from submodkit.solvers.streaming import StreamingMaximizer
from submodkit.solvers.verify import Verification, verify

__version__ = "0.1.0"



def __getattr__(name: str):
    """``SubsetSelector`` needs scikit-learn: imported on first use."""
    if name == "SubsetSelector":
        from submodkit.selector import SubsetSelector

        return SubsetSelector
    raise AttributeError(f"module 'submodkit' has no attribute {name!r}")


__all__ = [
    "Mixture",
    "SubsetSelector",
    "distorted_greedy",
    "double_greedy",
    "random_greedy",
    "AssignmentSolution",
    "MatchingSolution",
    "OnlineMatchingResult",
    "b_matching",
    "matching_weight",
    "max_weight_assignment",
    "max_weight_matching",
    "online_matching",
    "position_auction",
    "AllocationInstance",
    "AllocationSolution",
    "allocate",
    "diversify",
    "diversity_value",
    "offline_optimum",
    "GUARANTEES",
    "Cardinality",
    "Coverage",
    "ExactResult",
    "FacilityLocation",
    "FeatureBased",
    "Graph",
    "GraphCut",
    "Guarantee",
    "InstanceFormatError",
    "InvalidParameterError",
    "Knapsack",
    "Objective",
    "PartitionMatroid",
    "PointSet",
    "ProbabilisticCoverage",
    "SaturatedCoverage",
    "SetSystem",
    "StreamingMaximizer",
    "Similarity",
    "Solution",
    "SubmodkitError",
    "Verification",
    "brute_force_maximize",
    "coresets",
    "guarantee",
    "maximize",
    "read_instance",
    "set_cover",
    "verify",
]
