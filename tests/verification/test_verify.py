"""verify(): the measured ratio against exact optima, on random and tight instances."""

import numpy as np
import pytest

from submodkit import (
    Coverage,
    FacilityLocation,
    FeatureBased,
    Knapsack,
    PartitionMatroid,
    brute_force_maximize,
    verify,
)
from submodkit.guarantees import harmonic
from submodkit.instances import greedy_tight_max_cover, greedy_tight_set_cover, random_set_system


@pytest.mark.parametrize("seed", range(5))
def test_exact_models_agree_with_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m, k = 10, 15, 3
    cov = Coverage((rng.random((n, m)) < 0.3).astype(float), weights=rng.random(m))
    fl = FacilityLocation(rng.random((n, m)) * (rng.random((n, m)) < 0.5), weights=rng.random(m) + 0.5)
    for obj in (cov, fl):
        v = verify(obj, k=k)
        assert v.exact.status == "optimal"
        assert v.exact.value == pytest.approx(brute_force_maximize(obj, k).value, rel=1e-6)
        assert v.ratio <= 1 + 1e-9 and v.meets is True
        assert v.solution.upper_bound >= v.exact.value - 1e-6


def test_brute_force_path_for_objectives_without_a_model():
    rng = np.random.default_rng(1)
    v = verify(FeatureBased(rng.random((9, 6)), "sqrt"), k=3)
    assert v.exact.algorithm == "brute-force" and v.meets is True and v.problem == "submodular"


@pytest.mark.parametrize("seed", range(4))
def test_constrained_verification(seed):
    rng = np.random.default_rng(seed)
    obj = Coverage((rng.random((10, 12)) < 0.3).astype(float))
    knap = Knapsack(rng.integers(1, 5, 10).astype(float), 6.0)
    part = PartitionMatroid(rng.integers(0, 3, 10), 1)
    for con in (knap, part):
        v = verify(obj, constraint=con)
        assert v.exact.value == pytest.approx(brute_force_maximize(obj, constraint=con).value)
        assert v.meets is True


@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_tight_max_cover_reaches_the_greedy_bound(k):
    system, k, opt = greedy_tight_max_cover(k)
    v = verify(system, k=k)
    bound = 1 - (1 - 1 / k) ** k
    assert v.exact.value == pytest.approx(opt)
    assert v.ratio == pytest.approx(bound, rel=1e-12)  # the guarantee is met with equality
    assert v.meets is True


@pytest.mark.parametrize("n", [2, 4, 7])
def test_tight_set_cover_reaches_harmonic(n):
    system, opt = greedy_tight_set_cover(n)
    v = verify(system)
    assert v.problem == "set-cover"
    assert v.exact.value == pytest.approx(opt)
    assert v.ratio == pytest.approx(harmonic(n), rel=1e-9)
    assert v.meets is True


def test_timeout_still_reports_a_certified_ratio():
    system = random_set_system(400, 300, mean_set_size=12, seed=3, ensure_covered=True)
    v = verify(system, time_limit=0.05)
    assert v.exact.status in ("optimal", "timeout")
    assert v.exact.bound is not None and v.exact.bound <= v.solution.value
    assert v.certified_ratio >= 1.0  # ALG / (lower bound on OPT)
    if v.exact.status == "timeout":
        assert v.ratio is None
    else:
        assert v.certified_ratio == pytest.approx(v.ratio)


def test_a_timeout_reports_the_best_bound_known():
    """The exact result of a timed-out verification carries the better of the solver's bound
    and the approximation's own (a-posteriori greedy, guarantee) bounds."""
    import scipy.sparse as sp

    from submodkit.objectives import Coverage

    S = sp.random(400, 800, density=0.02, format="csr", random_state=0)
    S.data[:] = 1.0
    v = verify(Coverage(S), k=12, time_limit=0.2)
    assert v.exact.status == "timeout" and v.exact.bound is not None
    assert v.solution.value <= v.exact.value <= v.exact.bound <= v.solution.upper_bound
    assert v.exact.bound <= v.solution.value / v.solution.guarantee.ratio


# --- issue 14: verify reads the problem tables ------------------------------------------------------


def test_problems_come_from_the_table():
    from submodkit.errors import InvalidParameterError
    from submodkit.verification.problems import PROBLEMS, SUBMODULAR

    assert set(PROBLEMS) == {"set-cover", "max-cover", "facility-location", "submodular"}
    with pytest.raises(InvalidParameterError, match="problem='x': expected one of 'set-cover', 'max-cover'"):
        verify(Coverage([[0, 1]]), problem="x", k=1)
    with pytest.raises(InvalidParameterError, match="algorithm='magic': expected one of 'auto', 'naive'"):
        verify(Coverage([[0, 1]]), k=1, algorithm="magic")
    assert "sieve" in SUBMODULAR and "greedi" in SUBMODULAR


@pytest.mark.parametrize("algorithm", ["lazy", "naive", "stochastic", "threshold", "sieve", "sieve++",
                                       "greedi", "randgreedi", "bicriteria", "adaptive", "sketch"])
def test_every_max_cover_algorithm_is_verified(algorithm):
    """Any entry of the max-cover table runs through verify and meets its guarantee against the
    exact optimum (the expectation ones on this seed)."""
    from submodkit.guarantees import GUARANTEES
    from submodkit.verification.problems import PROBLEMS

    rng = np.random.default_rng(2)
    obj = Coverage((rng.random((12, 15)) < 0.3).astype(float))
    v = verify(obj, k=3, algorithm=algorithm, seed=0)
    assert v.exact.status == "optimal" and v.exact.value == pytest.approx(brute_force_maximize(obj, 3).value)
    entry = PROBLEMS["max-cover"].algorithm(algorithm)
    if v.guarantee is not None and v.guarantee.kind == "worst-case":
        assert v.meets is True
    if entry.guarantee is not None and v.guarantee is not None and algorithm != "sketch":
        assert v.guarantee.statement == GUARANTEES[entry.guarantee].statement


def test_scale_out_algorithms_take_no_knapsack():
    from submodkit.errors import InvalidParameterError

    obj = Coverage([[0, 1], [1, 2], [2, 3]])
    with pytest.raises(InvalidParameterError, match="None or Cardinality with algorithm='greedi'"):
        verify(obj, constraint=Knapsack([1, 1, 1], 2.0), algorithm="greedi")


def test_set_cover_sketch_and_exact_from_the_table():
    system, opt = greedy_tight_set_cover(4)
    for algorithm in ("exact", "sketch"):
        v = verify(system, algorithm=algorithm, seed=0)
        assert v.exact.value == pytest.approx(opt) and v.value >= opt - 1e-9
    assert verify(system, algorithm="exact").ratio == pytest.approx(1.0)
