"""Low-adaptivity threshold sampling: 1 - 1/e - eps against brute force, OPT bracket, counters, engines."""

import itertools
import math

import numpy as np
import pytest

from submodkit.coresets.adaptive import _sample_count, adaptive_maximize, sampling_parameters
from submodkit.coresets.engines import local_greedy
from submodkit.errors import InvalidParameterError
from submodkit.instances import random_set_system
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from tests.helpers import small_objectives


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k,eps", [(2, 0.3), (3, 0.2), (4, 0.1)])
def test_guarantee_against_brute_force(seed, k, eps):
    for obj in small_objectives(seed, n=12, graph_cut=False):
        opt = brute_force_maximize(obj, k).value
        vals = []
        for s in range(3):
            sol = adaptive_maximize(obj, k, eps, seed=s, preprocess=s != 2)
            assert len(sol) <= k and len(set(sol.selection.tolist())) == len(sol)
            assert sol.value == pytest.approx(obj.evaluate(sol.selection))
            assert sol.gains.sum() == pytest.approx(sol.value, rel=1e-9, abs=1e-9)
            vals.append(sol.value)
            assert sol.upper_bound >= opt - 1e-9
            # the OPT bracket is deterministic: a feasible value below, a certified bound above
            assert sol.stats["opt_lower"] <= opt + 1e-9 <= sol.stats["opt_upper"] + 2e-9
        assert sol.guarantee.ratio == pytest.approx(1 - 1 / math.e - eps)
        assert sol.guarantee.kind == "expectation"
        assert np.mean(vals) >= sol.guarantee.ratio * opt - 1e-9


def test_sampling_parameters_meet_the_guarantee():
    for eps in (0.05, 0.1, 0.3, 0.6):
        e_thr, e_hat, delta = sampling_parameters(eps)
        assert 0 < e_hat <= 0.25 and e_hat >= eps / 3  # never worse than the paper's eps / 3
        bound = 1 - math.exp(-(1 - e_thr) * (1 - 2 * e_hat) / (1 + e_hat)) - delta
        assert bound >= 1 - 1 / math.e - eps - 1e-12


def test_default_samples_and_counters_on_coverage():
    f = Coverage.from_set_system(random_set_system(2000, 5000, mean_set_size=15, seed=4))
    k, eps = 20, 0.3
    sol = adaptive_maximize(f, k, eps, seed=1)
    greedy_value = local_greedy(f, np.arange(f.n), k)[2]
    # greedy is a (1 - 1/e)-approximation, so OPT <= greedy / (1 - 1/e)
    assert sol.value >= (1 - 1 / math.e - eps) * greedy_value
    st = sol.stats
    assert st["opt_lower"] <= greedy_value / (1 - 1 / math.e) and st["opt_upper"] >= greedy_value
    assert st["samples"] >= _sample_count(f.n, k, sampling_parameters(eps)[1], eps / 4)[2]
    # one singleton round, the bracket, then per iteration a filter and a sampling round, plus one
    # closing filter per threshold
    base = 1 + st["preprocessing_rounds"]
    main = 2 * st["iterations"]
    assert base + main <= st["adaptive_rounds"] <= base + main + st["thresholds"]
    assert st["queries"] >= f.n + st["iterations"] * st["samples"]
    few = adaptive_maximize(f, k, eps, seed=1, samples=50)
    assert few.guarantee is None and len(few) <= k  # fewer samples than the analysis: no claim


def test_same_seed_same_answer_on_every_engine():
    f = Coverage.from_set_system(random_set_system(6000, 3000, mean_set_size=10, seed=2))
    a = adaptive_maximize(f, 10, 0.3, seed=3, samples=200)
    b = adaptive_maximize(f, 10, 0.3, seed=3, samples=200, engine="threads")
    assert a.selection.tolist() == b.selection.tolist()
    assert a.stats["queries"] == b.stats["queries"]
    pytest.importorskip("distributed")
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        c = adaptive_maximize(f, 10, 0.3, seed=3, samples=200, engine=client)
    assert c.selection.tolist() == a.selection.tolist() and c.stats["engine"] == "client"


def test_dask_local_cluster_two_processes_matches_threads():
    pytest.importorskip("distributed")
    f = Coverage.from_set_system(random_set_system(6000, 3000, mean_set_size=10, seed=5))
    ref = adaptive_maximize(f, 8, 0.3, seed=7, samples=100, preprocess=False, engine="threads")
    # engine="dask": a real LocalCluster with 2 worker processes, started and closed by the call
    sol = adaptive_maximize(f, 8, 0.3, seed=7, samples=100, preprocess=False, engine="dask")
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
    assert sol.stats["queries"] == ref.stats["queries"] and sol.stats["engine"] == "dask"


def test_edge_cases_and_invalid():
    f = Coverage([[0, 1], [1, 2], [2]])
    assert len(adaptive_maximize(f, 0)) == 0
    assert adaptive_maximize(f, 5, 0.3, seed=0).value == 3.0
    for kw in ({"k": -1}, {"k": 2, "epsilon": 0.0}, {"k": 2, "samples": 0}, {"k": 2, "engine": "mpi"},
               {"k": 2, "epsilon": 1.5}):
        with pytest.raises(InvalidParameterError):
            adaptive_maximize(f, **kw)
    with pytest.raises(InvalidParameterError):
        adaptive_maximize([[0]], 1)


# ------------------------------------------------------------------ submodular cover, low adaptivity


def _fewest_reaching(f, target):
    """Brute force: the fewest items whose value reaches ``target``."""
    for size in range(f.n + 1):
        for subset in itertools.combinations(range(f.n), size):
            if f.evaluate(np.array(subset, dtype=np.int64)) >= target - 1e-9:
                return size
    raise AssertionError("unreachable")


@pytest.mark.parametrize("seed", range(6))
def test_adaptive_cover_reaches_the_target_and_its_bound_is_below_the_optimum(seed):
    from submodkit.coresets.adaptive import adaptive_cover

    rng = np.random.default_rng(seed)
    sets = [rng.choice(25, size=int(rng.integers(1, 7)), replace=False).tolist() for _ in range(11)]
    f = Coverage(sets, weights=rng.integers(1, 4, size=25).astype(float))
    whole = f.evaluate(np.arange(11))
    for target in (None, 0.6 * whole):
        goal = whole if target is None else target
        sol = adaptive_cover(f, target, epsilon=0.2, seed=seed)
        opt = _fewest_reaching(f, goal)
        assert sol.stats["covered"] >= goal - 1e-9
        assert sol.value == len(sol.selection) and sol.sense == "min"
        assert sol.lower_bound <= opt <= sol.value
        # the tail past the target was dropped: without its last item, S falls short
        assert f.evaluate(sol.selection[:-1]) < goal - 1e-9
        again = adaptive_cover(f, target, epsilon=0.2, seed=seed, engine="threads")
        assert again.selection.tolist() == sol.selection.tolist()


def test_adaptive_cover_needs_fewer_rounds_than_greedy_picks_on_a_large_cover():
    from submodkit.coresets.adaptive import adaptive_cover
    from submodkit.solvers.submodular.submodular_cover import submodular_cover

    rng = np.random.default_rng(1)
    sets = [rng.choice(20000, size=int(rng.integers(1, 40)), replace=False) for _ in range(8000)]
    f = Coverage(sets)
    sol = adaptive_cover(f, 0.9 * f.evaluate(np.arange(8000)), epsilon=0.3, seed=0)
    greedy = submodular_cover(f, 0.9 * f.evaluate(np.arange(8000)), prune=False)
    assert sol.stats["adaptive_rounds"] < greedy.value  # greedy: one round per pick
    assert sol.lower_bound <= greedy.value and sol.value <= 1.25 * greedy.value


def test_adaptive_cover_refuses_a_target_above_f_of_v():
    from submodkit.coresets.adaptive import adaptive_cover

    with pytest.raises(InvalidParameterError, match="target"):
        adaptive_cover(Coverage([[0, 1], [1, 2]]), 4.0)


# ------------------------------------------------------------------ non-monotone, low adaptivity


def _graph_cut(n, seed):
    from submodkit.objectives import GraphCut

    rng = np.random.default_rng(seed)
    w = np.triu(rng.random((n, n)) * (rng.random((n, n)) < 0.5), 1)
    return GraphCut(w + w.T, lam=1.0)


@pytest.mark.parametrize("seed", range(4))
def test_adaptive_nonmonotone_against_brute_force(seed):
    from submodkit.coresets.adaptive import adaptive_nonmonotone_maximize

    f = _graph_cut(12, seed)
    for k in (2, 3, 5):
        opt = brute_force_maximize(f, k).value
        sol = adaptive_nonmonotone_maximize(f, k, seed=seed, samples=200)
        assert len(sol) <= k and len(set(sol.selection.tolist())) == len(sol)
        assert sol.value == pytest.approx(f.evaluate(sol.selection))
        assert 0.039 * opt <= sol.value <= opt + 1e-9  # the paper's claimed ratio, on every run
        assert sol.guarantee is None  # samples below the Hoeffding count: nothing claimed
        again = adaptive_nonmonotone_maximize(f, k, seed=seed, samples=200, engine="threads")
        assert again.selection.tolist() == sol.selection.tolist()


def test_adaptive_nonmonotone_unconstrained_branch_when_few_candidates_pass():
    """With n < 3k, threshold sampling stops at once (fewer than 3k candidates pass) and the
    answer comes from UNCONSTRAINED-MAX: a random half's best prefix, never worse than empty."""
    from submodkit.coresets.adaptive import adaptive_nonmonotone_maximize

    f = _graph_cut(9, 3)
    sol = adaptive_nonmonotone_maximize(f, 4, seed=1, samples=100)
    assert sol.stats["from"] == "unconstrained" and 0 < len(sol) <= 4
    assert sol.value >= 0.039 * brute_force_maximize(f, 4).value


def test_adaptive_nonmonotone_claims_only_below_the_papers_epsilon():
    from submodkit.coresets.adaptive import adaptive_nonmonotone_maximize
    from submodkit.guarantees import guarantee

    f = _graph_cut(10, 0)
    assert adaptive_nonmonotone_maximize(f, 3, seed=0).guarantee is None  # default epsilon = 0.3
    assert guarantee("adaptive-nonmonotone", epsilon=0.01).ratio == pytest.approx(0.029)
    assert guarantee("adaptive-nonmonotone", epsilon=0.3).ratio == 0.0
