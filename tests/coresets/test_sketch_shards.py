"""Coverage sketches of shard folders: each part sends degrees and then its incidences on
the sampled elements; the merged sketch is identical to the sketch of the whole."""

import numpy as np
import pytest

from submodkit.coresets import coverage_sketch, sketch_maximize, sketch_set_cover
from submodkit.errors import InvalidParameterError
from submodkit.instances import PointSet, random_set_system, write_shards
from submodkit.objectives import Coverage

CASES = [  # n sets, universe, mean size, parts, rule, k (degree cap), max_edges
    (3000, 2000, 12, 4, "random", None, 2000),
    (3000, 50, 12, 6, "random", 100, 9000),  # degrees ~720 against a cap of 242: the cap binds
    (500, 300, 4, 3, "contiguous", 5, None),  # the whole input fits: threshold 1
    (2000, 800, 12, 50, "random", 20, 1500),
    (40, 30, 4, 100, "random", 3, 50),  # more parts than sets
]


def _same_sketch(a, b):
    for name in ("indptr", "indices", "w", "elements"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.shape == b.shape
    for name in ("threshold", "size", "input_size", "degree_cap", "budget", "full_budget"):
        assert getattr(a, name) == getattr(b, name), name


@pytest.mark.parametrize("case", range(len(CASES)))
def test_merged_sketch_is_the_sketch_of_the_whole(tmp_path, case):
    n, u, mean, parts, rule, k, max_edges = CASES[case]
    system = random_set_system(n, u, mean_set_size=mean, seed=case)
    seed = None if rule == "contiguous" else case
    shards = write_shards(system, tmp_path / "s", n_parts=parts, seed=seed, rule=rule)
    f = Coverage.from_set_system(system)
    whole = coverage_sketch(f, 0.2, seed=9, k=k, max_edges=max_edges)
    merged = coverage_sketch(shards, 0.2, seed=9, k=k, max_edges=max_edges)
    _same_sketch(whole, merged)
    if case == 1:
        assert whole.degree_cap < np.bincount(f.indices).max()  # the cap did bind
    assert merged.stats["bytes_incidences"] <= 16 * merged.size * parts
    a = sketch_maximize(f, 8, 0.2, seed=9, max_edges=max_edges)
    b = sketch_maximize(shards, 8, 0.2, seed=9, max_edges=max_edges)
    assert a.selection.tolist() == b.selection.tolist() and a.value == b.value
    assert b.value == pytest.approx(f.evaluate(b.selection))
    assert a.guarantee == b.guarantee


@pytest.mark.parametrize("max_edges,outliers,priced",
                         [(None, 0.0, False), (300, 0.0, False), (300, 0.1, True), (60, 0.0, True),
                          (60, 0.2, False)])
def test_set_cover_on_shards_is_the_in_memory_cover(tmp_path, max_edges, outliers, priced):
    """The sketch, the valuation and the completion pass (on the residual instance the parts
    send) choose exactly the sets greedy chooses in memory, and the result covers the input."""
    system = random_set_system(500, 700, mean_set_size=9, seed=2)
    shards = write_shards(system, tmp_path / "s", n_parts=4, seed=5)
    f = Coverage.from_set_system(system)
    costs = np.random.default_rng(3).uniform(1, 3, system.n_sets) if priced else None
    ref = sketch_set_cover(f, 0.2, seed=4, max_edges=max_edges, outliers=outliers, costs=costs)
    sol = sketch_set_cover(shards, 0.2, seed=4, max_edges=max_edges, outliers=outliers, costs=costs)
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
    assert sol.gains.tolist() == ref.gains.tolist()
    assert sol.stats["coverage"] == ref.stats["coverage"] >= 1 - outliers - 1e-12
    coverable = np.unique(f.indices).shape[0]
    assert f.evaluate(sol.selection) >= (1 - outliers) * coverable - 1e-9
    if ref.stats["completion_sets"]:
        # only the sets that still cover something travel for the completion
        assert 0 < sol.stats["residual_sets"] <= system.n_sets


@pytest.mark.parametrize("priced", [False, True])
def test_set_cover_completion_by_local_covers_when_the_residual_is_large(tmp_path, priced):
    """A residual share above max_residual / parts is replaced by the part's own greedy cover:
    the client receives far fewer sets, and the result is still a cover of the input."""
    system = random_set_system(2000, 700, mean_set_size=9, seed=6)
    shards = write_shards(system, tmp_path / "s", n_parts=4, seed=1)
    f = Coverage.from_set_system(system)
    costs = np.random.default_rng(1).uniform(1, 3, system.n_sets) if priced else None
    exact = sketch_set_cover(shards, 0.2, seed=2, max_edges=200, costs=costs)
    assert exact.stats["completion"] == "exact"
    small = sketch_set_cover(shards, 0.2, seed=2, max_edges=200, costs=costs, max_residual=400)
    assert small.stats["completion"].startswith("core-sets")
    assert small.stats["residual_sets"] < exact.stats["residual_sets"] / 3
    assert small.stats["bytes_residual"] < exact.stats["bytes_residual"]
    coverable = np.unique(f.indices).shape[0]
    assert f.evaluate(small.selection) == coverable and small.stats["coverage"] == 1.0
    assert len(set(small.selection.tolist())) == len(small.selection)
    # the same first phase (the sketch), a completion of comparable cost
    head = small.stats["sketch_sets"]
    assert head == exact.stats["sketch_sets"]
    assert small.selection[:head].tolist() == exact.selection[:head].tolist()
    assert small.value <= 1.5 * exact.value
    expected = float(len(small.selection)) if costs is None else float(costs[small.selection].sum())
    assert small.value == pytest.approx(expected)


def test_on_a_real_two_process_cluster(tmp_path):
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    system = random_set_system(4000, 600, mean_set_size=10, seed=5)
    shards = write_shards(system, tmp_path / "s", n_parts=5, seed=5)
    ref = sketch_maximize(Coverage.from_set_system(system), 10, 0.2, seed=1, max_edges=4000)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, memory_limit="1GB",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        sol = sketch_maximize(shards, 10, 0.2, seed=1, max_edges=4000, engine=client)
        cover = sketch_set_cover(shards, 0.2, seed=1, max_edges=800, engine=client)
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
    ref_cover = sketch_set_cover(Coverage.from_set_system(system), 0.2, seed=1, max_edges=800)
    assert cover.selection.tolist() == ref_cover.selection.tolist() and cover.stats["completion_sets"] > 0


def test_wrong_kind_and_engine(tmp_path):
    points = write_shards(PointSet(np.eye(4)), tmp_path / "p", n_parts=2, seed=0)
    with pytest.raises(InvalidParameterError, match="set-system"):
        coverage_sketch(points, 0.2)
    sets = write_shards(random_set_system(20, 10, density=0.3, seed=0), tmp_path / "s", n_parts=2, seed=0)
    with pytest.raises(InvalidParameterError, match="engine"):
        coverage_sketch(sets, 0.2, engine="mpi")
