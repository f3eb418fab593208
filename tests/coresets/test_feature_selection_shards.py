"""Distributed feature selection on shards of the features (the paper's vertical
distribution): each worker reads only its features' columns; the answer is the in-memory one."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine

from submodkit.coresets.feature_selection import select_features
from submodkit.errors import InvalidParameterError
from submodkit.instances import PointSet, open_shards, random_set_system, write_shards


@pytest.mark.parametrize("loader", [load_wine, load_breast_cancer])
@pytest.mark.parametrize("n_parts,seed", [(1, 0), (3, 1), (4, 7)])
def test_feature_shards_give_the_in_memory_selection(tmp_path, loader, n_parts, seed):
    data = loader()
    X, y = data.data, data.target
    write_shards(PointSet(X.T), tmp_path / "f", n_parts=n_parts, seed=seed)
    for k in (2, 5):
        for target in (y, None):
            ref = select_features(X, target, k, n_parts=n_parts, seed=seed)
            sol = select_features(open_shards(tmp_path / "f"), target, k, seed=seed)
            assert sol.selection.tolist() == ref.selection.tolist()
            assert sol.value == pytest.approx(ref.value, rel=1e-12, abs=1e-12)
            assert sol.stats["coreset_size"] == ref.stats["coreset_size"] <= n_parts * k
            assert sol.guarantee == ref.guarantee
            # only the core-sets' columns travel
            assert sol.stats["bytes_core_sets"] <= 8 * X.shape[0] * n_parts * k + 8 * n_parts * k


def test_on_a_real_two_process_cluster(tmp_path):
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 60))
    X[:, 7] = X[:, 3] + 0.01 * rng.normal(size=400)  # a redundant pair
    y = (X[:, 3] + X[:, 11] > 0).astype(int)
    write_shards(PointSet(X.T), tmp_path / "f", n_parts=5, seed=2)
    ref = select_features(X, y, 6, n_parts=5, seed=2)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, memory_limit="1GB",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        sol = select_features(open_shards(tmp_path / "f"), y, 6, engine=client)
    assert sol.selection.tolist() == ref.selection.tolist() and sol.stats["engine"] == "client"
    assert not {3, 7} <= set(sol.selection.tolist())  # redundant features are not both chosen


def test_shard_errors(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 8))
    write_shards(PointSet(X.T), tmp_path / "f", n_parts=2, seed=1)
    write_shards(random_set_system(10, 8, density=0.3, seed=0), tmp_path / "s", n_parts=2, seed=1)
    shards = open_shards(tmp_path / "f")
    with pytest.raises(InvalidParameterError, match="one label per sample"):
        select_features(shards, np.zeros(29), 2)
    with pytest.raises(InvalidParameterError, match="number of features"):
        select_features(shards, None, 9)
    with pytest.raises(InvalidParameterError, match="n_parts"):
        select_features(shards, None, 2, n_parts=3)
    with pytest.raises(InvalidParameterError, match="seed"):
        select_features(shards, None, 2, seed=5)
    with pytest.raises(InvalidParameterError, match="point shard folder"):
        select_features(open_shards(tmp_path / "s"), None, 2)
