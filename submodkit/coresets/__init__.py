"""Composable core-sets, sketches and the engines that run them (local threads, Dask)."""

from submodkit.coresets.adaptive import adaptive_cover, adaptive_maximize, adaptive_nonmonotone_maximize
from submodkit.coresets.bicriteria import bicriteria_greedi, bicriteria_size
from submodkit.coresets.categorical_compression import distributed_compress
from submodkit.coresets.column_subset import distributed_column_subset
from submodkit.coresets.distributed import greedi, randgreedi, upper_bound_at
from submodkit.coresets.diversity import diversity_coreset
from submodkit.coresets.edcs import edcs, edcs_coreset_matching, edcs_size_bounds, matching_coreset
from submodkit.coresets.edcs_vertex_cover import edcs_vertex_cover
from submodkit.coresets.engines import ENGINES, local_greedy, map_parts
from submodkit.coresets.sketch import (
    CoverageSketch,
    EdgeStreamSketch,
    coverage_sketch,
    sketch_maximize,
    sketch_set_cover,
)

__all__ = [
    "ENGINES",
    "CoverageSketch",
    "adaptive_cover",
    "adaptive_maximize",
    "adaptive_nonmonotone_maximize",
    "bicriteria_greedi",
    "bicriteria_size",
    "EdgeStreamSketch",
    "coverage_sketch",
    "distributed_column_subset",
    "distributed_compress",
    "diversity_coreset",
    "edcs",
    "edcs_coreset_matching",
    "edcs_size_bounds",
    "edcs_vertex_cover",
    "matching_coreset",
    "greedi",
    "local_greedy",
    "map_parts",
    "randgreedi",
    "sketch_maximize",
    "sketch_set_cover",
    "upper_bound_at",
]
