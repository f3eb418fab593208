"""Parts compacted to the elements their sets touch: the same answers, and memory that
follows a part's incidences, not the universe."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.coresets import _shard_tasks as T
from submodkit.coresets import randgreedi
from submodkit.instances import SetSystem, open_shards, random_set_system, write_shards
from submodkit.instances.shards import compact_ids
from submodkit.objectives import Coverage


@pytest.mark.parametrize("bound", [50, 10**9])  # the table path and the sort path
def test_compact_ids(bound):
    rng = np.random.default_rng(0)
    values = rng.integers(0, min(bound, 10**6), size=40)
    distinct, local = compact_ids(values, bound)
    assert distinct.tolist() == sorted(set(values.tolist()))
    assert np.array_equal(distinct[local], values)


def test_a_compact_part_is_the_part_over_its_elements(tmp_path):
    rng = np.random.default_rng(3)
    system = random_set_system(300, 500, mean_set_size=5, seed=2)
    weighted = SetSystem(system.sets, costs=system.costs, weights=rng.uniform(0.5, 2.0, 500))
    shards = write_shards(weighted, tmp_path / "s", n_parts=3, seed=1)
    for i in range(3):
        whole, small = shards.part(i), shards.part(i, compact=True)
        assert np.array_equal(whole.ids, small.ids)
        assert np.array_equal(small.elements, np.unique(whole.problem.sets.indices))
        back = sp.csr_matrix((small.problem.sets.data, small.elements[small.problem.sets.indices],
                              small.problem.sets.indptr), shape=whole.problem.sets.shape)
        assert (back != whole.problem.sets).nnz == 0
        assert np.array_equal(small.problem.weights, weighted.weights[small.elements])
    # the weights file is read at those elements only, and gives the same answer
    ref = randgreedi(Coverage.from_set_system(weighted), 9, n_parts=3, seed=1)
    assert randgreedi(open_shards(tmp_path / "s"), 9, seed=1).selection.tolist() == ref.selection.tolist()


def test_task_memory_follows_the_part_not_the_universe(tmp_path):
    """A universe of 4 M elements (32 MB of weights and as much of coverage state) and a few
    thousand incidences: a worker's tasks stay far below one universe-length array."""
    universe = 4_000_000
    rng = np.random.default_rng(1)
    rows = [np.unique(rng.integers(0, universe, size=8)) for _ in range(400)]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
    sets = sp.csr_matrix((np.ones(indptr[-1]), np.concatenate(rows), indptr), shape=(400, universe))
    write_shards(SetSystem(sets, costs=np.ones(400), weights=np.ones(universe)), tmp_path / "s", n_parts=4,
                 seed=0)
    shards = open_shards(tmp_path / "s")
    # 4 M elements in no set: the weights are a file (a constant would be a universe that only
    # the manifest claims), read by the workers memory-mapped
    assert shards.manifest["element_weights"]["file"] == "element_weights.npy"
    covered = np.concatenate(rows[:5]).astype(np.int64)
    tracemalloc.start()
    core = T.greedy_core_set(shards, 1, 5)
    T.top_gains(shards, 2, covered, np.arange(5, dtype=np.int64), 5)
    T.greedy_core_set(shards, 3, 5, covered)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < universe  # bytes: below an eighth of one float64 array over the universe
    assert core.rows(universe).shape == (5, universe) and core.indices.max() < universe
    # compacted parts, the same answer as in memory (rows, gains and bound in global ids)
    system = SetSystem(sets, costs=np.ones(400), weights=np.ones(universe))
    ref = randgreedi(Coverage.from_set_system(system), 7, n_parts=4, seed=0)
    sol = randgreedi(shards, 7, seed=0)
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
    assert sol.upper_bound == pytest.approx(ref.upper_bound)
