"""Core-sets on shards: each worker reads only its part from storage, and the answer is
exactly the in-memory one for the same partition (threads, a real 2-process LocalCluster
with a memory limit per worker, and a cluster that loses a worker mid-run)."""

import os
import pickle

import numpy as np
import pytest

from submodkit.coresets import greedi, randgreedi
from submodkit.errors import InvalidParameterError
from submodkit.instances import Graph, open_shards, random_set_system, write_shards
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.brute_force import brute_force_maximize


def _same(a, b):
    assert a.selection.tolist() == b.selection.tolist()
    assert a.value == b.value
    assert a.stats["picked"] == b.stats["picked"]
    assert a.stats["local_values"] == b.stats["local_values"]
    assert a.stats["evaluations"] == b.stats["evaluations"]
    assert b.upper_bound == pytest.approx(a.upper_bound, rel=1e-12)
    assert a.guarantee == b.guarantee


@pytest.mark.parametrize("n_parts,seed", [(1, 0), (3, 1), (8, 7), (40, 2)])
def test_randgreedi_on_shards_is_the_in_memory_answer(tmp_path, n_parts, seed):
    system = random_set_system(600, 900, mean_set_size=9, seed=seed)
    shards = write_shards(system, tmp_path / "s", n_parts=n_parts, seed=seed)
    ref = randgreedi(Coverage.from_set_system(system), 12, n_parts=n_parts, seed=seed)
    sol = randgreedi(open_shards(tmp_path / "s"), 12, seed=seed)
    _same(ref, sol)
    assert sol.stats["part_sizes"] == [p["n_items"] for p in shards.manifest["parts"] if p["n_items"]]
    # only the core-sets travel: at most k sets per part, with their rows
    assert sol.stats["union_size"] <= 12 * n_parts
    assert (
        sol.stats["bytes_core_sets"] < system.sets.indices.nbytes + system.sets.indptr.nbytes or n_parts >= 40
    )


def test_greedi_on_contiguous_shards_and_graph_max_cover(tmp_path):
    system = random_set_system(500, 700, mean_set_size=8, seed=4)
    write_shards(system, tmp_path / "c", n_parts=4, rule="contiguous")
    _same(greedi(Coverage.from_set_system(system), 10, n_parts=4), greedi(open_shards(tmp_path / "c"), 10))
    # a graph's max-cover set system (closed neighbourhoods), sharded by vertex
    rng = np.random.default_rng(0)
    edges = np.unique(np.sort(rng.integers(0, 300, size=(900, 2)), axis=1), axis=0)
    edges = edges[edges[:, 0] != edges[:, 1]]
    graph = Graph(edges, np.ones(len(edges)), 300)
    write_shards(graph.to_set_system(), tmp_path / "g", n_parts=3, seed=5)
    ref = randgreedi(Coverage.from_set_system(graph.to_set_system()), 6, n_parts=3, seed=5)
    _same(ref, randgreedi(open_shards(tmp_path / "g"), 6, seed=5))


def test_guarantee_and_bound_against_brute_force(tmp_path):
    for seed in range(6):
        system = random_set_system(13, 12, density=0.25, seed=seed)
        write_shards(system, tmp_path / f"b{seed}", n_parts=3, seed=seed)
        opt = brute_force_maximize(Coverage.from_set_system(system), 3).value
        sol = randgreedi(open_shards(tmp_path / f"b{seed}"), 3, seed=seed)
        assert sol.value <= opt + 1e-9 <= sol.upper_bound + 2e-9
        assert sol.value == pytest.approx(Coverage.from_set_system(system).evaluate(sol.selection))


def test_shard_argument_errors(tmp_path):
    system = random_set_system(30, 20, density=0.2, seed=0)
    write_shards(system, tmp_path / "r", n_parts=3, seed=4)
    write_shards(system, tmp_path / "c", n_parts=3, rule="contiguous")
    shards = open_shards(tmp_path / "r")
    with pytest.raises(InvalidParameterError, match="n_parts"):
        randgreedi(shards, 3, n_parts=5)
    with pytest.raises(InvalidParameterError, match="seed"):
        randgreedi(shards, 3, seed=5)
    with pytest.raises(InvalidParameterError, match="random partition"):
        randgreedi(open_shards(tmp_path / "c"), 3)
    with pytest.raises(InvalidParameterError, match="n_parts"):
        randgreedi(Coverage.from_set_system(system), 3)
    points = write_shards(__import__("submodkit").instances.PointSet(np.eye(4)), tmp_path / "p", n_parts=2,
                          seed=0)
    with pytest.raises(InvalidParameterError, match="set-system"):
        randgreedi(points, 2, seed=0)
    # the handle that travels to the workers is the manifest, not the data
    assert len(pickle.dumps(shards)) < 8 * 1024


def test_dask_cluster_with_memory_limit_and_a_killed_worker(tmp_path):
    """A real 2-process LocalCluster, 1 GB per worker: the same answer as in memory; then a
    worker process dies while running the first core-set task, the nanny restarts it, the
    scheduler reruns the task, and the answer is still the same."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin

    system = random_set_system(3000, 4000, mean_set_size=10, seed=11)
    write_shards(system, tmp_path / "s", n_parts=6, seed=3)
    ref = randgreedi(Coverage.from_set_system(system), 20, n_parts=6, seed=3)
    marker = str(tmp_path / "killed-once")

    class DieOnce(WorkerPlugin):
        """Kill this worker's process the first time any worker starts a core-set task."""

        def __init__(self, path):
            self.path = path

        def transition(self, key, start, finish, **kwargs):
            name = key[0] if isinstance(key, tuple) else str(key)
            if finish == "executing" and "greedy_core_set" in name:
                try:
                    fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    return
                os.close(fd)
                os._exit(1)

    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, memory_limit="1GB", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
        assert limits == [10**9, 10**9]
        _same(ref, randgreedi(open_shards(tmp_path / "s"), 20, engine=client, seed=3))
        pids = set(client.run(os.getpid).values())
        client.register_plugin(DieOnce(marker))
        sol = randgreedi(open_shards(tmp_path / "s"), 20, engine=client, seed=3)
        assert os.path.exists(marker)  # a worker did die mid-run
        client.wait_for_workers(2, timeout=60)
        assert set(client.run(os.getpid).values()) != pids
        _same(ref, sol)


@pytest.mark.parametrize("fn", [greedi, randgreedi])
def test_k_zero_on_shards_is_the_empty_in_memory_answer(tmp_path, fn):
    system = random_set_system(40, 30, mean_set_size=4, seed=1)
    write_shards(system, tmp_path / "s", n_parts=3, seed=1)
    on = fn(open_shards(tmp_path / "s"), 0, seed=1)
    mem = fn(Coverage.from_set_system(system), 0, n_parts=3, seed=1)
    assert on.selection.tolist() == mem.selection.tolist() == []
    assert on.value == mem.value == 0.0 and on.upper_bound == mem.upper_bound == 0.0
    assert on.guarantee == mem.guarantee


def test_upper_bound_at_and_write_shards_check_their_arguments(tmp_path):
    from submodkit.coresets import upper_bound_at

    f = Coverage([[0, 1, 2], [2, 3], [3, 4], [5]])
    with pytest.raises(InvalidParameterError, match="k"):
        upper_bound_at(f, [0], -1)
    assert upper_bound_at(f, [0], 2) == brute_force_maximize(f, 2).value == 5.0  # tight here
    with pytest.raises(InvalidParameterError, match="PointSet"):
        write_shards(np.ones((4, 2)), tmp_path / "p", n_parts=2)
