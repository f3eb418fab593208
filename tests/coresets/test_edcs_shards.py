"""Matching core-sets on edge shard folders: each part's EDCS (or maximum matching) where
it lives, only its kept edges travel; for a canonical edge list the answer is the in-memory
one for the same seed."""

import numpy as np
import pytest

from submodkit.coresets import edcs_coreset_matching, matching_coreset
from submodkit.errors import InvalidParameterError
from submodkit.instances import Graph, PointSet, write_shards
from submodkit.solvers.matching.general import max_weight_matching


def _graph(seed, n=200, m=1500):
    rng = np.random.default_rng(seed)
    e = np.unique(np.sort(rng.integers(0, n, (m, 2)), axis=1), axis=0)
    e = e[e[:, 0] != e[:, 1]]
    return e, Graph(e, np.ones(len(e)), n)


@pytest.mark.parametrize("n_parts,seed", [(1, 0), (4, 1), (9, 2), (60, 3)])
def test_same_as_in_memory(tmp_path, n_parts, seed):
    edges, graph = _graph(seed)
    shards = write_shards(graph, tmp_path / "g", n_parts=n_parts, seed=seed)
    for ref, sol in [
        (
            edcs_coreset_matching(edges, n_parts=n_parts, beta=6, seed=seed),
            edcs_coreset_matching(shards, beta=6, seed=seed, engine="threads"),
        ),
        (matching_coreset(edges, n_parts=n_parts, seed=seed), matching_coreset(shards, seed=seed)),
    ]:
        assert sol.pairs.tolist() == ref.pairs.tolist() and sol.value == ref.value
        assert sol.stats["coreset_edges"] == ref.stats["coreset_edges"]
        assert sol.guarantee == ref.guarantee
    opt = max_weight_matching(edges, maxcardinality=True).value
    assert sol.value <= opt


def test_errors(tmp_path):
    _, graph = _graph(0, n=30, m=60)
    shards = write_shards(graph, tmp_path / "g", n_parts=3, seed=4)
    points = write_shards(PointSet(np.eye(3)), tmp_path / "p", n_parts=2, seed=0)
    with pytest.raises(InvalidParameterError, match="n_parts"):
        matching_coreset(shards, n_parts=5)
    with pytest.raises(InvalidParameterError, match="seed"):
        edcs_coreset_matching(shards, beta=4, seed=1)
    with pytest.raises(InvalidParameterError, match="edge shard"):
        matching_coreset(points)
