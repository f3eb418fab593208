"""GreeDi and RandGreeDi: guarantees against brute force, engines agree (threads, Dask)."""

import math

import numpy as np
import pytest

from submodkit.coresets.distributed import greedi, randgreedi
from submodkit.errors import InvalidParameterError
from submodkit.instances import random_set_system
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.greedy import maximize
from tests.helpers import small_objectives

RAND_BOUND = (1 - 1 / math.e) / 2


def _instances(seed):
    return small_objectives(seed, n=12, graph_cut=False)[:3]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k,parts", [(2, 2), (3, 3), (4, 2)])
def test_guarantees_against_brute_force(seed, k, parts):
    for obj in _instances(seed):
        opt = brute_force_maximize(obj, k).value
        g = greedi(obj, k, n_parts=parts)
        assert g.guarantee.ratio == pytest.approx((1 - 1 / math.e) ** 2 / min(parts, k))
        assert g.guarantee.holds(g.value, opt)
        values = []
        for s in range(20):
            r = randgreedi(obj, k, n_parts=parts, seed=s)
            assert r.value == pytest.approx(obj.evaluate(r.selection))
            assert len(r) <= k
            values.append(r.value)
        assert r.guarantee.kind == "expectation"
        assert r.guarantee.ratio == pytest.approx(RAND_BOUND)
        assert np.mean(values) >= RAND_BOUND * opt - 1e-9
        # a-posteriori bound: f(S) + top-k gains at the final S bounds OPT_k
        assert g.upper_bound >= opt - 1e-9 and r.upper_bound >= opt - 1e-9
        assert g.certified_ratio <= g.value / opt + 1e-9


def test_one_part_is_lazy_greedy():
    f = Coverage.from_set_system(random_set_system(200, 300, mean_set_size=10, seed=3))
    ref = maximize(f, 10)
    for fn in (greedi, randgreedi):
        sol = fn(f, 10, n_parts=1, seed=0)
        assert sol.selection.tolist() == ref.selection.tolist()
        assert sol.value == ref.value


def test_close_to_greedy_on_a_larger_instance():
    f = Coverage.from_set_system(random_set_system(4000, 6000, mean_set_size=15, seed=8))
    ref = maximize(f, 40)
    sol = randgreedi(f, 40, n_parts=4, seed=1)
    assert sol.value >= RAND_BOUND * ref.upper_bound
    assert sol.value >= 0.9 * ref.value
    assert sol.stats["union_size"] <= 4 * 40
    assert sum(sol.stats["part_sizes"]) == f.n


def test_same_seed_same_answer_threads():
    f = Coverage.from_set_system(random_set_system(1000, 2000, mean_set_size=12, seed=2))
    a = randgreedi(f, 15, n_parts=4, engine=None, seed=5)
    b = randgreedi(f, 15, n_parts=4, engine="threads", seed=5)
    assert a.selection.tolist() == b.selection.tolist() and a.value == b.value
    c = randgreedi(f, 15, n_parts=4, seed=6)
    assert c.stats["part_sizes"] != a.stats["part_sizes"]


def test_dask_local_cluster_matches_threads():
    pytest.importorskip("distributed")
    from distributed import Client

    f = Coverage.from_set_system(random_set_system(2000, 3000, mean_set_size=12, seed=9))
    ref_r = randgreedi(f, 12, n_parts=3, engine="threads", seed=4)
    ref_g = greedi(f, 12, n_parts=3, engine="threads")
    # engine="dask": starts a real LocalCluster (2 worker processes) and closes it
    r = randgreedi(f, 12, n_parts=3, engine="dask", seed=4)
    assert r.selection.tolist() == ref_r.selection.tolist() and r.value == ref_r.value
    # a caller's Client (in-process here, to keep the test short), used twice
    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        for _ in range(2):
            g = greedi(f, 12, n_parts=3, engine=client)
            assert g.selection.tolist() == ref_g.selection.tolist() and g.value == ref_g.value
            assert g.stats["engine"] == "client"


@pytest.mark.parametrize(
    "kwargs", [{"k": -1, "n_parts": 2}, {"k": 2, "n_parts": 0}, {"k": 2, "n_parts": 2, "engine": "mpi"}]
)
def test_invalid_parameters(kwargs):
    f = Coverage([[0, 1], [1, 2], [2]])
    for fn in (greedi, randgreedi):
        with pytest.raises(InvalidParameterError):
            fn(f, **kwargs)
    with pytest.raises(InvalidParameterError):
        greedi([[0, 1]], 1, n_parts=1)


def test_more_parts_than_items_allocates_only_the_items():
    """n_parts = 10^12 on 6 items: the parts that hold an item are all that exist (the
    contiguous split puts one item in each; an empty part adds nothing to either round)."""
    obj = Coverage([[0, 1, 2], [2, 3], [3, 4], [5], [0, 5], [1]])
    huge, per_item = greedi(obj, k=2, n_parts=10**12), greedi(obj, k=2, n_parts=6)
    assert huge.selection.tolist() == per_item.selection.tolist() and huge.value == per_item.value
    assert huge.stats["part_sizes"] == [1] * 6
    sol = randgreedi(obj, k=2, n_parts=10**12, seed=0)
    assert sum(sol.stats["part_sizes"]) == 6 and sol.value >= sol.guarantee.ratio * 5
