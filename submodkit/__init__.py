"""submodkit: submodular and combinatorial optimization at scale, with proof of quality.

The public API, re-exported::

    from submodkit import Coverage, maximize, set_cover, verify, read_instance

Names are imported on first use (PEP 562), so ``import submodkit`` and the command line
load only the families they touch; ``submodkit.coresets`` is a subpackage.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    # submodkit.verification
    "Certificate": "submodkit.verification",
    "SuiteReport": "submodkit.verification",
    "certify": "submodkit.verification",
    "run_suite": "submodkit.verification",
    # submodkit.constraints
    "Cardinality": "submodkit.constraints",
    "Knapsack": "submodkit.constraints",
    "PartitionMatroid": "submodkit.constraints",
    # submodkit.errors
    "InstanceFormatError": "submodkit.errors",
    "InvalidParameterError": "submodkit.errors",
    "SubmodkitError": "submodkit.errors",
    # submodkit.guarantees
    "GUARANTEES": "submodkit.guarantees",
    "guarantee": "submodkit.guarantees",
    # submodkit.instances
    "Graph": "submodkit.instances",
    "PointSet": "submodkit.instances",
    "SetSystem": "submodkit.instances",
    "Similarity": "submodkit.instances",
    "read_instance": "submodkit.instances",
    # submodkit.objectives
    "Coverage": "submodkit.objectives",
    "FacilityLocation": "submodkit.objectives",
    "FeatureBased": "submodkit.objectives",
    "GraphCut": "submodkit.objectives",
    "Mixture": "submodkit.objectives",
    "Objective": "submodkit.objectives",
    "ProbabilisticCoverage": "submodkit.objectives",
    "SaturatedCoverage": "submodkit.objectives",
    # submodkit.selector
    "SubsetSelector": "submodkit.selector",
    # submodkit.solution
    "ExactResult": "submodkit.solution",
    "Guarantee": "submodkit.solution",
    "Solution": "submodkit.solution",
    # submodkit.solvers.allocation
    "AllocationInstance": "submodkit.solvers.allocation",
    "AllocationSolution": "submodkit.solvers.allocation",
    "offline_optimum": "submodkit.solvers.allocation",
    # submodkit.solvers.assignment
    "AssignmentSolution": "submodkit.solvers.assignment",
    "b_matching": "submodkit.solvers.assignment",
    "max_weight_assignment": "submodkit.solvers.assignment",
    "position_auction": "submodkit.solvers.assignment",
    # submodkit.solvers.brute_force
    "brute_force_maximize": "submodkit.solvers.brute_force",
    # submodkit.solvers.diversity
    "diversify": "submodkit.solvers.diversity",
    "diversity_value": "submodkit.solvers.diversity",
    # submodkit.solvers.tsp, submodkit.solvers.exact_remote_cycle (remote-cycle diversity)
    "tsp_tour": "submodkit.solvers.tsp",
    # submodkit.solvers.vertex_cover
    "exact_vertex_cover": "submodkit.solvers.vertex_cover",
    "maximal_matching_cover": "submodkit.solvers.vertex_cover",
    "is_vertex_cover": "submodkit.solvers.vertex_cover",
    "exact_remote_cycle": "submodkit.solvers.exact_remote_cycle",
    # submodkit.solvers.greedy
    "maximize": "submodkit.solvers.greedy",
    # submodkit.solvers.matching
    "MatchingSolution": "submodkit.solvers.matching",
    "matching_weight": "submodkit.solvers.matching",
    "max_weight_matching": "submodkit.solvers.matching",
    # submodkit.solvers.nonmonotone
    "distorted_greedy": "submodkit.solvers.nonmonotone",
    "double_greedy": "submodkit.solvers.nonmonotone",
    "random_greedy": "submodkit.solvers.nonmonotone",
    # submodkit.solvers.online
    "OnlineMatchingResult": "submodkit.solvers.online",
    "online_matching": "submodkit.solvers.online",
    # submodkit.solvers.online_allocation
    "allocate": "submodkit.solvers.online_allocation",
    # submodkit.solvers.set_cover
    "set_cover": "submodkit.solvers.set_cover",
    # submodkit.solvers.streaming
    "StreamingMaximizer": "submodkit.solvers.streaming",
    # submodkit.solvers.verify
    "Verification": "submodkit.solvers.verify",
    "verify": "submodkit.solvers.verify",
    # submodkit.solvers.packing
    "PackingInstance": "submodkit.solvers.packing",
    "PackingSolution": "submodkit.solvers.packing",
    "dual_mirror_descent": "submodkit.solvers.packing",
    "packing_optimum": "submodkit.solvers.packing",
    # submodkit.solvers.feature_selection
    "mutual_information_distances": "submodkit.solvers.feature_selection",
    "select_features": "submodkit.solvers.feature_selection",
    # submodkit.solvers.welfare
    "WelfareSolution": "submodkit.solvers.welfare",
    "online_welfare": "submodkit.solvers.welfare",
    "welfare_value": "submodkit.solvers.welfare",
    # submodkit.coresets.adaptive
    "adaptive_maximize": "submodkit.coresets.adaptive",
}

__all__ = sorted([*_EXPORTS, "coresets"])


def __getattr__(name: str):
    if name == "coresets":
        return importlib.import_module("submodkit.coresets")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'submodkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static analysers see the real imports
    from submodkit import coresets
    from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
    from submodkit.coresets.adaptive import adaptive_maximize
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
    from submodkit.selector import SubsetSelector
    from submodkit.solution import ExactResult, Guarantee, Solution
    from submodkit.solvers.allocation import AllocationInstance, AllocationSolution, offline_optimum
    from submodkit.solvers.assignment import (
        AssignmentSolution,
        b_matching,
        max_weight_assignment,
        position_auction,
    )
    from submodkit.solvers.brute_force import brute_force_maximize
    from submodkit.solvers.diversity import diversify, diversity_value
    from submodkit.solvers.exact_remote_cycle import exact_remote_cycle
    from submodkit.solvers.feature_selection import mutual_information_distances, select_features
    from submodkit.solvers.greedy import maximize
    from submodkit.solvers.matching import MatchingSolution, matching_weight, max_weight_matching
    from submodkit.solvers.nonmonotone import distorted_greedy, double_greedy, random_greedy
    from submodkit.solvers.online import OnlineMatchingResult, online_matching
    from submodkit.solvers.online_allocation import allocate
    from submodkit.solvers.packing import (
        PackingInstance,
        PackingSolution,
        dual_mirror_descent,
        packing_optimum,
    )
    from submodkit.solvers.set_cover import set_cover
    from submodkit.solvers.streaming import StreamingMaximizer
    from submodkit.solvers.tsp import tsp_tour
    from submodkit.solvers.verify import Verification, verify
    from submodkit.solvers.vertex_cover import exact_vertex_cover, is_vertex_cover, maximal_matching_cover
    from submodkit.solvers.welfare import WelfareSolution, online_welfare, welfare_value
    from submodkit.verification import Certificate, SuiteReport, certify, run_suite
