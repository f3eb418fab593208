"""Every tight generator drives its algorithm's ratio to within 0.02 of the bound at the
largest size of the quick and of the full verification suite (sizes: TIGHT_SIZES)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from submodkit.instances import online as GM
from submodkit.instances.generators import (
    gmm_tight_dispersion,
    greedy_tight_max_cover,
    greedy_tight_set_cover,
    sieve_tight_stream,
)
from submodkit.objectives import Coverage
from submodkit.verification import TIGHT_TOL
from submodkit.verification.families import RANKING_RANKS, TIGHT_SIZES

E_BOUND = 1.0 - 1.0 / math.e
SUITES = {"quick": 0, "full": 1}


def largest(name: str, suite: str) -> int:
    return max(TIGHT_SIZES[name][SUITES[suite]])


@pytest.mark.parametrize("suite", SUITES)
def test_greedy_max_cover_near_1_minus_1_over_e(suite):
    from submodkit.solvers.submodular.greedy import maximize

    ss, k, opt = greedy_tight_max_cover(largest("max-k-cover", suite))
    for alg in ("naive", "lazy"):
        sol = maximize(Coverage.from_set_system(ss), k, algorithm=alg)
        ratio = sol.value / opt
        assert ratio == pytest.approx(1 - (1 - 1 / k) ** k, abs=1e-12)
        assert ratio >= sol.guarantee.ratio - 1e-12
        assert abs(ratio - E_BOUND) <= TIGHT_TOL


@pytest.mark.parametrize("suite", SUITES)
def test_set_cover_greedy_reaches_h_n(suite):
    from submodkit.solvers.cover.set_covering import set_cover

    n = largest("set-cover", suite)
    ss, opt = greedy_tight_set_cover(n)
    harmonic = sum(1.0 / i for i in range(1, n + 1))
    for prune in (False, True):
        sol = set_cover(ss, prune=prune, lower_bound=None)
        ratio = sol.value / opt
        assert abs(ratio - harmonic) <= 1e-9
        assert abs(ratio - sol.guarantee.ratio) <= TIGHT_TOL  # the guarantee is H(d), d = n


@pytest.mark.parametrize("suite", SUITES)
def test_gmm_exactly_half(suite):
    from submodkit.solvers.diversity.dispersion import diversify

    X, k, opt = gmm_tight_dispersion(largest("gmm", suite))
    sol = diversify(X, k, "max-min")
    assert sol.algorithm == "gmm" and sol.guarantee.ratio == 0.5
    assert sol.value / opt == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("suite", SUITES)
def test_ranking_expected_ratio_near_1_minus_1_over_e(suite):
    from submodkit.solvers.matching.online import online_matching

    inst = GM.upper_triangular(largest("ranking", suite))
    ranks = RANKING_RANKS[SUITES[suite]]
    ratios = [online_matching(inst, algorithm="ranking", seed=s).certified_ratio for s in range(ranks)]
    assert abs(float(np.mean(ratios)) - E_BOUND) <= TIGHT_TOL


@pytest.mark.parametrize("suite", SUITES)
def test_greedy_online_half(suite):
    from submodkit.solvers.matching.online import online_matching

    res = online_matching(GM.greedy_tight_online(largest("greedy-online", suite)), algorithm="greedy")
    assert res.certified_ratio == 0.5 and res.guarantee.ratio == 0.5


@pytest.mark.parametrize("suite", SUITES)
def test_balance_b_matching_near_1_minus_1_over_e(suite):
    from submodkit.solvers.matching.online import online_matching

    n = largest("balance", suite)
    res = online_matching(GM.balance_tight(n, n), algorithm="balance")
    assert res.upper_bound == n * n
    assert res.certified_ratio >= res.guarantee.ratio - 1e-12
    assert abs(res.certified_ratio - E_BOUND) <= TIGHT_TOL
    assert abs(res.certified_ratio - res.guarantee.ratio) <= TIGHT_TOL  # 1 - 1/(1 + 1/b)^b


@pytest.mark.parametrize("suite", SUITES)
def test_allocation_upper_triangular(suite):
    from submodkit.instances.allocation import upper_triangular_instance
    from submodkit.solvers.allocation.online import allocate

    n = largest("allocation", suite)
    for b, bound in ((1, 0.5), (4, 1 - 1.25**-4), (n, E_BOUND)):
        inst = upper_triangular_instance(n, b)
        assert abs(allocate(inst, algorithm="greedy").value / (n * b) - 0.5) <= TIGHT_TOL
        sol = allocate(inst, algorithm="balance")
        assert sol.value / (n * b) >= sol.guarantee.ratio - 1e-12
        assert abs(sol.value / (n * b) - bound) <= TIGHT_TOL


@pytest.mark.parametrize("suite", SUITES)
def test_sieve_plus_plus_near_half(suite):
    from submodkit.solvers.submodular.streaming import StreamingMaximizer

    ss, k, opt = sieve_tight_stream(largest("sieve", suite), epsilon=0.1)
    sm = StreamingMaximizer(Coverage.from_set_system(ss), k, algorithm="sieve++", epsilon=0.1)
    sm.update(np.arange(ss.n_sets))
    sol = sm.solution()
    ratio = sol.value / opt
    assert ratio == pytest.approx(ss.meta["predicted_ratio"], abs=1e-9)
    assert sol.guarantee.ratio - 1e-12 <= ratio  # 1/2 - epsilon
    assert abs(ratio - 0.5) <= TIGHT_TOL


@pytest.mark.parametrize("suite", SUITES)
def test_sieve_near_half_on_its_own_stream(suite):
    from submodkit.solvers.submodular.streaming import StreamingMaximizer

    ss, k, opt = sieve_tight_stream(largest("sieve", suite), epsilon=0.1, algorithm="sieve")
    sm = StreamingMaximizer(Coverage.from_set_system(ss), k, algorithm="sieve", epsilon=0.1)
    sm.update(np.arange(ss.n_sets))
    sol = sm.solution()
    ratio = sol.value / opt
    assert ratio == pytest.approx(ss.meta["predicted_ratio"], abs=1e-9)
    assert sol.guarantee.ratio - 1e-12 <= ratio
    assert abs(ratio - 0.5) <= TIGHT_TOL
