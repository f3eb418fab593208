"""Sieve-Streaming and Sieve-Streaming++: guarantees against brute force, batch independence,
save/load round trips, input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submodkit.errors import InvalidParameterError
from submodkit.instances import greedy_tight_max_cover, random_set_system
from submodkit.objectives import Coverage, GraphCut, SaturatedCoverage
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.streaming import StreamingMaximizer
from tests.helpers import small_objectives

ALGS = ["sieve", "sieve++"]


def _instances(seed):
    return small_objectives(seed, n=11, graph_cut=False)


def _run(obj, k, alg, eps, order, cuts=()):
    sm = StreamingMaximizer(obj, k, algorithm=alg, epsilon=eps)
    for part in np.split(np.asarray(order), sorted(cuts)):
        sm.update(part)
    return sm


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("k,eps", [(1, 0.1), (3, 0.05), (4, 0.3)])
def test_half_minus_eps_against_brute_force(seed, alg, k, eps):
    rng = np.random.default_rng(100 + seed)
    for obj in _instances(seed):
        opt = brute_force_maximize(obj, k).value
        sol = _run(obj, k, alg, eps, rng.permutation(obj.n)).solution()
        assert sol.guarantee.ratio == pytest.approx(0.5 - eps)
        assert sol.guarantee.holds(sol.value, opt)
        assert len(sol) <= k and len(set(sol.selection.tolist())) == len(sol)
        assert sol.value == pytest.approx(obj.evaluate(sol.selection))
        assert sol.gains.sum() == pytest.approx(sol.value)
        assert sol.stats["items"] == obj.n


@pytest.mark.parametrize("alg", ALGS)
def test_tight_greedy_instance_and_worst_orders(alg):
    # greedy's tight instance, streamed in both directions
    system, k, _ = greedy_tight_max_cover(3)
    obj = Coverage.from_set_system(system)
    opt = brute_force_maximize(obj, k).value
    for order in (np.arange(obj.n), np.arange(obj.n)[::-1]):
        sol = _run(obj, k, alg, 0.1, order).solution()
        assert sol.value >= (0.5 - 0.1) * opt - 1e-9


def test_non_monotone_has_no_guarantee():
    rng = np.random.default_rng(0)
    M = rng.random((8, 8))
    f = GraphCut((M + M.T) / 2, lam=1.0)
    assert not f.monotone
    sm = StreamingMaximizer(f, 3)
    sm.update(range(8))
    sol = sm.solution()
    assert sol.guarantee is None
    assert sol.value == pytest.approx(f.evaluate(sol.selection))


def test_repeated_items_are_kept_once():
    obj = SaturatedCoverage(np.random.default_rng(1).random((6, 5)), caps=np.full(5, 10.0))
    sm = StreamingMaximizer(obj, 4, epsilon=0.2)
    sm.update([0, 0, 1, 1, 0, 2, 2])
    sol = sm.solution()
    assert len(set(sol.selection.tolist())) == len(sol)
    assert sol.value == pytest.approx(obj.evaluate(sol.selection))


def test_plus_plus_keeps_fewer_items_and_stays_close():
    f = Coverage.from_set_system(random_set_system(3000, 6000, mean_set_size=20, seed=4))
    order = np.random.default_rng(0).permutation(f.n)
    sieve = _run(f, 30, "sieve", 0.1, order).solution()
    plus = _run(f, 30, "sieve++", 0.1, order).solution()
    assert plus.stats["peak_stored_items"] < sieve.stats["peak_stored_items"]
    assert plus.stats["thresholds"] <= sieve.stats["thresholds"] + 2
    from submodkit.solvers.submodular.greedy import maximize

    ub = maximize(f, 30).upper_bound
    for sol in (sieve, plus):
        assert sol.value >= 0.4 * ub


_ORDER = np.random.default_rng(7).permutation(40)
_OBJ = Coverage((np.random.default_rng(3).random((40, 30)) < 0.15).astype(float))


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 40), max_size=8),
    alg=st.sampled_from(ALGS),
    k=st.integers(1, 6),
)
def test_result_does_not_depend_on_batches(cuts, alg, k):
    whole = _run(_OBJ, k, alg, 0.1, _ORDER)
    cut = _run(_OBJ, k, alg, 0.1, _ORDER, cuts)
    a, b = whole.solution(), cut.solution()
    assert a.selection.tolist() == b.selection.tolist()
    assert a.value == b.value
    for name in ("slot_exp", "sizes", "values", "sels", "scal", "ints"):
        assert np.array_equal(getattr(whole, "_" + name), getattr(cut, "_" + name)), name


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("include", [False, True])
def test_save_load_round_trip(tmp_path, alg, include):
    f = Coverage.from_set_system(random_set_system(300, 400, mean_set_size=12, seed=5))
    order = np.random.default_rng(1).permutation(f.n)
    ref = _run(f, 10, alg, 0.1, order).solution()
    sm = _run(f, 10, alg, 0.1, order[:150])
    path = sm.save(tmp_path / "stream.npz", include_objective=include)
    back = StreamingMaximizer.load(path, None if include else f)
    assert back.items_seen == 150 and back.algorithm == alg and back.k == 10
    back.update(order[150:])
    sol = back.solution()
    assert sol.selection.tolist() == ref.selection.tolist()
    assert sol.value == ref.value
    assert sol.stats["evaluations"] == ref.stats["evaluations"]
    assert back.objective.evaluate(sol.selection) == pytest.approx(f.evaluate(sol.selection))


def test_load_checks_the_objective(tmp_path):
    f = Coverage.from_set_system(random_set_system(50, 60, mean_set_size=5, seed=1))
    g = Coverage.from_set_system(random_set_system(50, 60, mean_set_size=5, seed=2))
    sm = StreamingMaximizer(f, 3)
    sm.update(range(20))
    path = sm.save(tmp_path / "s.npz")
    with pytest.raises(InvalidParameterError, match="objective"):
        StreamingMaximizer.load(path, g)
    with pytest.raises(InvalidParameterError, match="objective"):
        StreamingMaximizer.load(path)
    with pytest.raises(InvalidParameterError, match="npz"):
        sm.save(tmp_path / "s.bin")
    (tmp_path / "junk.npz").write_bytes(b"not an archive")
    with pytest.raises(InvalidParameterError, match="path"):
        StreamingMaximizer.load(tmp_path / "junk.npz", f)


def test_empty_stream_and_k_zero():
    f = Coverage([[0, 1], [1, 2]])
    assert StreamingMaximizer(f, 2).solution().value == 0.0
    sm = StreamingMaximizer(f, 0)
    sm.update([0, 1])
    assert len(sm.solution()) == 0


@pytest.mark.parametrize(
    "kwargs",
    [{"k": -1}, {"k": 2.5}, {"k": 2, "epsilon": 0.0}, {"k": 2, "epsilon": 1.0},
     {"k": 2, "epsilon": float("nan")}, {"k": 2, "algorithm": "greedy"}],
)
def test_invalid_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        StreamingMaximizer(Coverage([[0, 1], [1, 2]]), **kwargs)


def test_invalid_items():
    sm = StreamingMaximizer(Coverage([[0, 1], [1, 2]]), 1)
    for bad in ([2], [-1], [0.5]):
        with pytest.raises(InvalidParameterError):
            sm.update(bad)
    with pytest.raises(InvalidParameterError):
        StreamingMaximizer([[0, 1]], 1)


def test_only_the_documented_attributes_are_public():
    sm = StreamingMaximizer(Coverage([[0, 1], [1, 2]]), 1)
    public = {name for name in vars(sm) if not name.startswith("_")}
    assert public == {"objective", "k", "algorithm", "epsilon", "seconds"}
