"""Diversity core-sets on point shard folders: each part's core-set is computed where the
part lives and only its points travel; the answer is the in-memory one for the same
partition."""

import numpy as np
import pytest

from submodkit.coresets import diversity_coreset
from submodkit.errors import InvalidParameterError
from submodkit.instances import PointSet, random_set_system, write_shards

METHODS = [
    ("max-min", "gmm"),
    ("max-sum", "local-search"),
    ("max-sum", "greedy"),
    ("remote-tree", "gmm"),
    ("remote-cycle", "gmm"),
    ("sum-min", "gmm"),
]


@pytest.mark.parametrize("n_parts,seed", [(1, 0), (4, 1), (7, 2), (30, 3)])
def test_same_as_in_memory(tmp_path, n_parts, seed):
    X = np.random.default_rng(seed).random((300, 3))
    shards = write_shards(PointSet(X), tmp_path / "p", n_parts=n_parts, seed=seed)
    for objective, method in METHODS:
        k = 4 if objective == "remote-cycle" else 5
        ref = diversity_coreset(X, k, objective, n_parts=n_parts, algorithm=method, seed=seed)
        sol = diversity_coreset(shards, k, objective, algorithm=method, seed=seed)
        assert sol.selection.tolist() == ref.selection.tolist(), (objective, method)
        assert sol.value == ref.value and sol.guarantee == ref.guarantee
        assert sol.stats["coreset_size"] == ref.stats["coreset_size"]


def test_contiguous_folder_is_a_fixed_partition(tmp_path):
    X = np.random.default_rng(5).random((200, 2))
    shards = write_shards(PointSet(X), tmp_path / "c", n_parts=4, rule="contiguous")
    labels = np.repeat(np.arange(4), 50)
    ref = diversity_coreset(X, 6, "max-sum", algorithm="local-search", labels=labels)
    sol = diversity_coreset(shards, 6, "max-sum", algorithm="local-search")
    assert sol.selection.tolist() == ref.selection.tolist() and sol.guarantee is None


def test_errors(tmp_path):
    X = np.random.default_rng(0).random((20, 2))
    shards = write_shards(PointSet(X), tmp_path / "p", n_parts=3, seed=4)
    sets = write_shards(random_set_system(10, 5, density=0.4, seed=0), tmp_path / "s", n_parts=2, seed=0)
    for kwargs, needle in [
        ({"n_parts": 5}, "n_parts"),
        ({"seed": 1}, "seed"),
        ({"labels": [0] * 20}, "labels"),
        ({"metric": "nope"}, "metric"),
        ({"engine": "mpi"}, "engine"),
    ]:
        with pytest.raises(InvalidParameterError, match=needle):
            diversity_coreset(shards, 3, **kwargs)
    with pytest.raises(InvalidParameterError, match="point shard"):
        diversity_coreset(sets, 3)
    with pytest.raises(InvalidParameterError, match="k"):
        diversity_coreset(shards, 21)


def test_on_a_two_process_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    X = np.random.default_rng(9).random((400, 4))
    shards = write_shards(PointSet(X), tmp_path / "p", n_parts=5, seed=9)
    ref = diversity_coreset(X, 6, "max-min", n_parts=5, seed=9)
    sol = diversity_coreset(shards, 6, "max-min", engine="dask")  # starts and closes a LocalCluster
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value


@pytest.mark.parametrize("objective", ["max-sum", "max-min"])
def test_k_zero_on_shards_is_the_empty_in_memory_answer(tmp_path, objective):
    from submodkit.instances import open_shards

    X = np.random.default_rng(2).normal(size=(30, 2))
    write_shards(PointSet(X), tmp_path / "p", n_parts=2, seed=2)
    on = diversity_coreset(open_shards(tmp_path / "p"), 0, objective=objective)
    mem = diversity_coreset(X, 0, n_parts=2, seed=2, objective=objective)
    assert on.selection.tolist() == mem.selection.tolist() == [] and on.value == mem.value == 0.0
