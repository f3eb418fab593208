"""The API grammar: ``algorithm``, ``seed``, ``time_limit``, ``engine`` and ``n_parts`` are
keyword-only in the core-sets, the shard writers and the streaming classes."""

import inspect

import pytest

from submodkit.coresets import (
    EdgeStreamSketch,
    bicriteria_greedi,
    coverage_sketch,
    edcs_coreset_matching,
    edcs_size_bounds,
    edcs_vertex_cover,
    greedi,
    map_parts,
    matching_coreset,
    randgreedi,
    sketch_maximize,
    sketch_set_cover,
)
from submodkit.instances.shards import shard_file, write_shards
from submodkit.solvers.matching.exact import matching_ilp
from submodkit.solvers.submodular.dynamic import DynamicMaximizer
from submodkit.solvers.submodular.streaming import StreamingMaximizer

GRAMMAR = {"algorithm", "seed", "time_limit", "engine", "n_parts"}
CALLABLES = [
    edcs_vertex_cover, edcs_coreset_matching, matching_coreset, edcs_size_bounds, bicriteria_greedi,
    greedi, randgreedi, coverage_sketch, sketch_maximize, sketch_set_cover, EdgeStreamSketch.__init__,
    shard_file, write_shards, StreamingMaximizer.__init__, StreamingMaximizer.__new__,
    DynamicMaximizer.__init__, map_parts, matching_ilp,
]


@pytest.mark.parametrize("fn", CALLABLES, ids=lambda f: f.__qualname__)
def test_grammar_parameters_are_keyword_only(fn):
    params = inspect.signature(fn).parameters.values()
    found = [p for p in params if p.name in GRAMMAR]
    assert found, "no grammar parameter"
    bad = [p.name for p in found if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert not bad, f"{fn.__qualname__}: {bad} can be passed positionally"
