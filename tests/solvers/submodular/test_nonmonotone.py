"""Non-monotone maximization: random, double and distorted greedy against brute force."""

import itertools
import math

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.objectives import Coverage, FacilityLocation, FeatureBased, GraphCut
from submodkit.objectives.mixture import Mixture
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.greedy import maximize
from submodkit.solvers.submodular.nonmonotone import (
    certified_nonnegative,
    distorted_greedy,
    double_greedy,
    random_greedy,
)

E = math.e


def _cut(seed, n=9, lam=1.0, density=0.6):
    rng = np.random.default_rng(seed)
    M = rng.random((n, n)) * (rng.random((n, n)) < density)
    M = (M + M.T) / 2
    np.fill_diagonal(M, 0.0)
    return GraphCut(M, lam=lam)


def test_graph_cut_large_lambda_is_non_monotone_and_certified_nonnegative():
    f = _cut(0, lam=1.0)
    assert not f.monotone and certified_nonnegative(f)
    assert not certified_nonnegative(_cut(0, lam=3.0))
    # brute-force check of the certificate: every subset has f >= 0
    assert min(f.evaluate(s) for r in range(10) for s in itertools.combinations(range(9), r)) >= -1e-12


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("lam", [0.8, 1.0])
def test_random_greedy_expectation(seed, k, lam):
    f = _cut(seed, lam=lam)
    opt = brute_force_maximize(f, k).value
    runs = [random_greedy(f, k, seed=s) for s in range(40)]
    g = runs[0].guarantee
    assert g.kind == "expectation" and g.ratio == pytest.approx(1 / E)
    for sol in runs:
        assert len(sol.selection) <= k
        assert sol.value == pytest.approx(f.evaluate(sol.selection))
        assert sol.gains.sum() == pytest.approx(sol.value)
    mean = np.mean([s.value for s in runs])
    assert mean >= g.ratio * opt - 1e-9
    # same seed, same run
    assert random_greedy(f, k, seed=3).selection.tolist() == runs[3].selection.tolist()


def test_random_greedy_monotone_reports_one_minus_one_over_e():
    rng = np.random.default_rng(1)
    f = FeatureBased(rng.random((8, 6)), "sqrt")
    opt = brute_force_maximize(f, 3).value
    runs = [random_greedy(f, 3, seed=s) for s in range(40)]
    assert runs[0].guarantee.ratio == pytest.approx(1 - 1 / E)
    assert np.mean([s.value for s in runs]) >= (1 - 1 / E) * opt - 1e-9


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("lam", [0.7, 1.0])
def test_double_greedy(seed, lam):
    f = _cut(seed, lam=lam)
    opt = brute_force_maximize(f).value
    det = double_greedy(f, deterministic=True)
    assert det.guarantee.ratio == pytest.approx(1 / 3) and det.guarantee.kind == "worst-case"
    assert det.value >= opt / 3 - 1e-9
    assert det.value == pytest.approx(f.evaluate(det.selection))
    runs = [double_greedy(f, seed=s) for s in range(40)]
    assert runs[0].guarantee.ratio == 0.5 and runs[0].guarantee.kind == "expectation"
    assert np.mean([s.value for s in runs]) >= 0.5 * opt - 1e-9
    for sol in runs[:5]:
        assert sol.value == pytest.approx(f.evaluate(sol.selection))


@pytest.mark.parametrize("seed", range(4))
def test_double_greedy_sum_and_coverage_states(seed):
    """Removal works for sum aggregates and coverage: values match evaluate()."""
    rng = np.random.default_rng(seed)
    A = rng.random((8, 5))
    cov = Coverage((rng.random((8, 6)) < 0.4).astype(float))
    for f in (FeatureBased(A, "sqrt"), cov, Mixture([FeatureBased(A, "log")], modular=-rng.random(8))):
        costs = rng.random(8) * 0.5
        sol = double_greedy(f, costs=costs, deterministic=True)
        assert sol.value == pytest.approx(f.evaluate(sol.selection) - costs[sol.selection].sum())
        assert sol.guarantee is None  # with costs f - c may be negative: nothing claimed


def _best_tradeoff(g, costs, k):
    """max over |O| <= k of (1 - 1/e) g(O) - c(O), by enumeration."""
    n = g.n
    best = 0.0
    for r in range(1, k + 1):
        for o in itertools.combinations(range(n), r):
            best = max(best, (1 - 1 / E) * g.evaluate(o) - costs[list(o)].sum())
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 4])
def test_distorted_greedy_guarantee(seed, k):
    rng = np.random.default_rng(seed)
    n, m = 9, 8
    A = rng.random((n, m))
    for g in (FeatureBased(A, "sqrt"), FacilityLocation(A), Coverage((A < 0.3).astype(float))):
        costs = rng.random(n) * g.evaluate(range(n)) / n * 1.5
        sol = distorted_greedy(g, costs, k)
        assert len(sol.selection) <= k
        assert sol.value == pytest.approx(g.evaluate(sol.selection) - costs[sol.selection].sum())
        assert sol.value >= _best_tradeoff(g, costs, k) - 1e-9
        assert sol.guarantee.ratio == pytest.approx(1 - 1 / E)
        same = maximize(g, k, costs=costs)
        assert same.algorithm == "distorted-greedy"
        assert same.selection.tolist() == sol.selection.tolist()


def test_distorted_greedy_quality_minus_cost_matches_mixture():
    """The same quality-minus-cost function as a Mixture evaluates identically."""
    rng = np.random.default_rng(7)
    A = rng.random((9, 6))
    costs = rng.random(9)
    g = FeatureBased(A, "sqrt")
    h = Mixture([g], modular=-costs)
    assert not h.monotone and not certified_nonnegative(h)
    sol = distorted_greedy(g, costs, 3)
    assert h.evaluate(sol.selection) == pytest.approx(sol.value)
    rg = maximize(h, 3, seed=0)
    assert rg.algorithm == "random-greedy" and rg.guarantee is None


def test_auto_picks_a_method_with_a_valid_guarantee():
    cut = _cut(2, lam=1.0)
    assert maximize(cut, 3).algorithm == "random-greedy"
    assert maximize(cut, 3).guarantee.ratio == pytest.approx(1 / E)
    assert maximize(cut).algorithm == "double-greedy"
    assert maximize(Coverage([[0, 1], [1, 2]]), 1).algorithm == "lazy"
    bad = _cut(2, lam=3.0)  # possibly negative: nothing certified
    assert maximize(bad, 3).guarantee is None
    # no monotone guarantee for a non-monotone function, whatever the algorithm
    for alg in ("naive", "lazy", "stochastic", "threshold"):
        assert maximize(cut, 3, algorithm=alg, seed=0).guarantee is None


@pytest.mark.parametrize(
    "call",
    [
        lambda f: double_greedy(FacilityLocation(np.ones((3, 3)))),
        lambda f: maximize(f, 2, algorithm="double-greedy"),
        lambda f: maximize(f, algorithm="random-greedy"),
        lambda f: maximize(f, 2, algorithm="lazy", costs=np.ones(9)),
        lambda f: random_greedy(f, -1),
        lambda f: distorted_greedy(f, -np.ones(9), 2),
        lambda f: distorted_greedy(f, np.ones(3), 2),
    ],
)
def test_invalid(call):
    with pytest.raises(InvalidParameterError):
        call(_cut(0))


@pytest.mark.parametrize("seed", range(3))
def test_maximize_entries_run_these_functions(seed):
    """maximize's table entries for the non-monotone algorithms give what the functions give."""
    f = _cut(seed)
    costs = np.full(f.n, 0.05)
    same = [
        (maximize(f, 3, algorithm="random-greedy", seed=seed), random_greedy(f, 3, seed=seed)),
        (maximize(f, algorithm="double-greedy", costs=costs, seed=seed),
         double_greedy(f, costs=costs, seed=seed)),
        (maximize(f, 3, algorithm="distorted-greedy", costs=costs), distorted_greedy(f, costs, 3)),
        (maximize(f, 3, seed=seed), random_greedy(f, 3, seed=seed)),  # auto, non-monotone under k
        (maximize(f, seed=seed), double_greedy(f, seed=seed)),  # auto, non-monotone, no k
    ]
    for a, b in same:
        assert a.selection.tolist() == b.selection.tolist()
        assert (a.value, a.algorithm, a.guarantee) == (b.value, b.algorithm, b.guarantee)
