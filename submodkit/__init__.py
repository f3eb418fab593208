"""submodkit: submodular and combinatorial optimization at scale, with proof of quality.

The public API, re-exported::

    from submodkit import Coverage, maximize, set_cover, verify, read_instance

Names are imported on first use (PEP 562), so ``import submodkit`` and the command line
load only the families they touch; ``submodkit.coresets`` is a subpackage.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from submodkit._lazy import attach


def _sources_stamp() -> str:
    """A digest of the package's source files (paths, sizes, modification times).

    Numba checks a cached kernel against its own file only, not against the kernels it
    inlines from other modules: after ``objectives/kernels.py`` changes, a solver's cached
    kernel would still run the old gains. One cache folder per state of the sources makes
    any change recompile everything (about 100 ``stat`` calls, well under a millisecond).
    """
    import hashlib

    root = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha1()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                digest.update(f"{folder[len(root):]}/{name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _prune_stale_caches(parent: str, days: float = 14.0) -> None:
    """Remove the cache folders of other source states unused for ``days`` (each is tens of
    megabytes of compiled kernels; the folder in use is touched at every import)."""
    import shutil
    import time

    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    cutoff = time.time() - days * 86400.0
    for entry in entries:
        try:
            if entry.is_dir() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass


def _use_a_user_cache_for_numba() -> None:
    """Compiled kernels are cached per user (``$NUMBA_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/submodkit/numba/<stamp>`` or ``~/.cache/submodkit/numba/<stamp>``, one
    folder per state of the sources, see `_sources_stamp`), never inside the installed
    package, which may be read-only or shared."""
    if "NUMBA_CACHE_DIR" not in os.environ:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "submodkit", "numba", _sources_stamp())
        if os.path.isdir(folder):
            try:
                os.utime(folder)  # in use: pruning goes by this time
            except OSError:
                pass
        else:
            _prune_stale_caches(os.path.dirname(folder))
        os.environ["NUMBA_CACHE_DIR"] = folder
    if "numba" in sys.modules:  # imported before submodkit: its configuration is already read
        sys.modules["numba"].config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]


_use_a_user_cache_for_numba()

__version__ = "0.1.0"

_EXPORTS = {
    # submodkit.constraints
    "Cardinality": "submodkit.constraints",
    "GraphicMatroid": "submodkit.constraints",
    "Knapsack": "submodkit.constraints",
    "LaminarMatroid": "submodkit.constraints",
    "Matroid": "submodkit.constraints",
    "OracleMatroid": "submodkit.constraints",
    "PartitionMatroid": "submodkit.constraints",
    "TransversalMatroid": "submodkit.constraints",
    # submodkit.coresets.adaptive
    "adaptive_cover": "submodkit.coresets.adaptive",
    "adaptive_maximize": "submodkit.coresets.adaptive",
    "adaptive_nonmonotone_maximize": "submodkit.coresets.adaptive",
    # submodkit.coresets.feature_selection
    "mutual_information_distances": "submodkit.coresets.feature_selection",
    "select_features": "submodkit.coresets.feature_selection",
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
    "open_shards": "submodkit.instances.shards",
    "shard_file": "submodkit.instances.shards",
    "write_shards": "submodkit.instances.shards",
    # submodkit.instances.allocation
    "AllocationInstance": "submodkit.instances.allocation",
    # submodkit.objectives
    "ClusteredFacilityLocation": "submodkit.objectives",
    "Coverage": "submodkit.objectives",
    "FacilityLocation": "submodkit.objectives",
    "FeatureBased": "submodkit.objectives",
    "GraphCut": "submodkit.objectives",
    "LogDeterminant": "submodkit.objectives",
    "Mixture": "submodkit.objectives",
    "Objective": "submodkit.objectives",
    "ProbabilisticCoverage": "submodkit.objectives",
    "SaturatedCoverage": "submodkit.objectives",
    # submodkit.results
    "AllocationSolution": "submodkit.results",
    "AssignmentSolution": "submodkit.results",
    "Compression": "submodkit.results",
    "Guarantee": "submodkit.results",
    "MatchingSolution": "submodkit.results",
    "OnlineMatchingSolution": "submodkit.results",
    "Result": "submodkit.results",
    "Solution": "submodkit.results",
    "Tour": "submodkit.results",
    # submodkit.selector
    "SubsetSelector": "submodkit.selector",
    "SubsetSampler": "submodkit.selector",
    # submodkit.solvers.allocation.fair
    "fair_allocation": "submodkit.solvers.allocation.fair",
    "online_fair_allocation": "submodkit.solvers.allocation.fair",
    # submodkit.solvers.allocation.offline
    "offline_optimum": "submodkit.solvers.allocation.offline",
    # submodkit.solvers.allocation.online
    "allocate": "submodkit.solvers.allocation.online",
    # submodkit.solvers.allocation.pages
    "PageInstance": "submodkit.instances.pages",
    "allocate_pages": "submodkit.solvers.allocation.pages",
    "page_optimum": "submodkit.solvers.allocation.pages",
    # submodkit.solvers.allocation.packing
    "PackingInstance": "submodkit.instances.packing",
    "dual_mirror_descent": "submodkit.solvers.allocation.packing",
    "packing_optimum": "submodkit.solvers.allocation.packing",
    # submodkit.solvers.allocation.welfare
    "online_welfare": "submodkit.solvers.allocation.welfare",
    "bi_objective_welfare": "submodkit.solvers.allocation.welfare",
    "pareto_welfare": "submodkit.solvers.allocation.welfare",
    "welfare_value": "submodkit.solvers.allocation.welfare",
    # submodkit.solvers.cover.set_covering
    "set_cover": "submodkit.solvers.cover.set_covering",
    # submodkit.solvers.cover.vertex_cover
    "exact_vertex_cover": "submodkit.solvers.cover.vertex_cover",
    "is_vertex_cover": "submodkit.solvers.cover.vertex_cover",
    "maximal_matching_cover": "submodkit.solvers.cover.vertex_cover",
    # submodkit.solvers.diversity.dispersion
    "diversify": "submodkit.solvers.diversity.dispersion",
    "diversity_value": "submodkit.solvers.diversity.dispersion",
    # submodkit.solvers.diversity.remote_cycle
    "exact_remote_cycle": "submodkit.solvers.diversity.remote_cycle",
    # submodkit.solvers.diversity.tsp
    "tsp_tour": "submodkit.solvers.diversity.tsp",
    # submodkit.solvers.matching.assignment
    "b_matching": "submodkit.solvers.matching.assignment",
    "max_weight_assignment": "submodkit.solvers.matching.assignment",
    "position_auction": "submodkit.solvers.matching.assignment",
    # submodkit.solvers.matching.general
    "matching_weight": "submodkit.solvers.matching.general",
    "max_weight_matching": "submodkit.solvers.matching.general",
    # submodkit.solvers.matching.online
    "online_matching": "submodkit.solvers.matching.online",
    # submodkit.solvers.submodular.brute_force
    "brute_force_maximize": "submodkit.solvers.submodular.brute_force",
    # submodkit.solvers.submodular.column_subset
    "column_subset": "submodkit.solvers.submodular.column_subset",
    # submodkit.solvers.submodular.categorical_compression
    "compress_categories": "submodkit.solvers.submodular.categorical_compression",
    "compress_counts": "submodkit.solvers.submodular.categorical_compression",
    # submodkit.solvers.submodular.dynamic
    "DynamicMaximizer": "submodkit.solvers.submodular.dynamic",
    # submodkit.solvers.submodular.procurement
    "procurement_auction": "submodkit.solvers.submodular.procurement",
    # submodkit.coresets.categorical_compression
    "distributed_compress": "submodkit.coresets.categorical_compression",
    # submodkit.solvers.allocation.proportional
    "proportional_allocation": "submodkit.solvers.allocation.proportional",
    "max_entropy_allocation": "submodkit.solvers.allocation.proportional",
    "weighted_proportional_allocation": "submodkit.solvers.allocation.proportional",
    # submodkit.coresets.proportional
    "distributed_proportional_allocation": "submodkit.coresets.proportional",
    # submodkit.solvers.submodular.continuous_greedy
    "continuous_greedy": "submodkit.solvers.submodular.continuous_greedy",
    "multilinear_extension": "submodkit.solvers.submodular.continuous_greedy",
    # submodkit.solvers.submodular.greedy
    "maximize": "submodkit.solvers.submodular.greedy",
    # submodkit.solvers.submodular.nonmonotone
    "distorted_greedy": "submodkit.solvers.submodular.nonmonotone",
    "double_greedy": "submodkit.solvers.submodular.nonmonotone",
    "random_greedy": "submodkit.solvers.submodular.nonmonotone",
    # submodkit.solvers.submodular.streaming
    "StreamingMaximizer": "submodkit.solvers.submodular.streaming",
    # submodkit.solvers.submodular.submodular_cover
    "submodular_cover": "submodkit.solvers.submodular.submodular_cover",
    # submodkit.verification
    "Certificate": "submodkit.verification",
    "SuiteReport": "submodkit.verification",
    "certify": "submodkit.verification",
    "run_suite": "submodkit.verification",
    # submodkit.verification.verify
    "Verification": "submodkit.verification.verify",
    "verify": "submodkit.verification.verify",
}

__getattr__, __dir__, __all__ = attach(__name__, {**_EXPORTS, "coresets": "submodkit.coresets"})


if TYPE_CHECKING:  # static analysers see the real imports
    from submodkit import coresets
    from submodkit.constraints import (
        Cardinality,
        GraphicMatroid,
        Knapsack,
        LaminarMatroid,
        Matroid,
        OracleMatroid,
        PartitionMatroid,
        TransversalMatroid,
    )
    from submodkit.coresets.adaptive import adaptive_cover, adaptive_maximize, adaptive_nonmonotone_maximize
    from submodkit.coresets.feature_selection import mutual_information_distances, select_features
    from submodkit.coresets.proportional import distributed_proportional_allocation
    from submodkit.errors import InstanceFormatError, InvalidParameterError, SubmodkitError
    from submodkit.guarantees import GUARANTEES, guarantee
    from submodkit.instances import Graph, PointSet, SetSystem, Similarity, read_instance
    from submodkit.instances.allocation import AllocationInstance
    from submodkit.instances.packing import PackingInstance
    from submodkit.instances.pages import PageInstance
    from submodkit.instances.shards import open_shards, shard_file, write_shards
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
    from submodkit.results import (
        AllocationSolution,
        AssignmentSolution,
        Compression,
        Guarantee,
        MatchingSolution,
        OnlineMatchingSolution,
        Result,
        Solution,
        Tour,
    )
    from submodkit.selector import SubsetSampler, SubsetSelector
    from submodkit.solvers.allocation.fair import fair_allocation, online_fair_allocation
    from submodkit.solvers.allocation.offline import offline_optimum
    from submodkit.solvers.allocation.online import allocate
    from submodkit.solvers.allocation.packing import dual_mirror_descent, packing_optimum
    from submodkit.solvers.allocation.pages import allocate_pages, page_optimum
    from submodkit.solvers.allocation.proportional import (
        max_entropy_allocation,
        proportional_allocation,
        weighted_proportional_allocation,
    )
    from submodkit.solvers.allocation.welfare import (
        bi_objective_welfare,
        online_welfare,
        pareto_welfare,
        welfare_value,
    )
    from submodkit.solvers.cover.set_covering import set_cover
    from submodkit.solvers.cover.vertex_cover import (
        exact_vertex_cover,
        is_vertex_cover,
        maximal_matching_cover,
    )
    from submodkit.solvers.diversity.dispersion import diversify, diversity_value
    from submodkit.solvers.diversity.remote_cycle import exact_remote_cycle
    from submodkit.solvers.diversity.tsp import tsp_tour
    from submodkit.solvers.matching.assignment import b_matching, max_weight_assignment, position_auction
    from submodkit.solvers.matching.general import matching_weight, max_weight_matching
    from submodkit.solvers.matching.online import online_matching
    from submodkit.solvers.submodular.brute_force import brute_force_maximize
    from submodkit.solvers.submodular.categorical_compression import compress_categories, compress_counts
    from submodkit.solvers.submodular.column_subset import column_subset
    from submodkit.solvers.submodular.continuous_greedy import continuous_greedy, multilinear_extension
    from submodkit.solvers.submodular.dynamic import DynamicMaximizer
    from submodkit.solvers.submodular.greedy import maximize
    from submodkit.solvers.submodular.nonmonotone import distorted_greedy, double_greedy, random_greedy
    from submodkit.solvers.submodular.procurement import procurement_auction
    from submodkit.solvers.submodular.streaming import StreamingMaximizer
    from submodkit.solvers.submodular.submodular_cover import submodular_cover
    from submodkit.verification import Certificate, SuiteReport, certify, run_suite
    from submodkit.verification.verify import Verification, verify
