"""Bicriteria distributed greedy: (1 - eps) OPT_k against exact optima, item-count bound."""

import numpy as np
import pytest

from submodkit.coresets.bicriteria import bicriteria_greedi, bicriteria_size
from submodkit.errors import InvalidParameterError
from submodkit.instances import random_set_system
from submodkit.objectives import Coverage
from submodkit.solvers.cover.exact import exact_max_cover
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from tests.helpers import small_objectives


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k,eps,rounds", [(2, 0.3, 1), (2, 0.2, 2), (3, 0.1, 3)])
def test_value_against_brute_force(seed, k, eps, rounds):
    for obj in small_objectives(seed, n=30, m=20, graph_cut=False):
        opt = brute_force_maximize(obj, k).value
        values = []
        for s in range(5):
            sol = bicriteria_greedi(obj, k, n_parts=3, epsilon=eps, rounds=rounds, seed=s)
            assert len(sol) <= rounds * bicriteria_size(k, eps, rounds)
            assert len(np.unique(sol.selection)) == len(sol)
            assert sol.value == pytest.approx(obj.evaluate(sol.selection))
            values.append(sol.value)
            assert sol.upper_bound >= opt - 1e-9
        assert sol.guarantee.ratio == pytest.approx(1 - eps)
        assert sol.guarantee.kind == "expectation"
        assert np.mean(values) >= (1 - eps) * opt - 1e-9


@pytest.mark.parametrize("rounds", [1, 2])
def test_coverage_against_exact_max_cover(rounds):
    ss = random_set_system(200, 400, mean_set_size=12, seed=3)
    cov = Coverage.from_set_system(ss)
    k, eps = 8, 0.2
    opt = exact_max_cover(ss.sets, k=k, time_limit=60)
    assert opt.optimal
    vals = [bicriteria_greedi(cov, k, n_parts=4, epsilon=eps, rounds=rounds, seed=s).value for s in range(3)]
    assert np.mean(vals) >= (1 - eps) * opt.value
    sol = bicriteria_greedi(cov, k, n_parts=4, epsilon=eps, rounds=rounds, seed=0)
    assert len(sol) <= rounds * bicriteria_size(k, eps, rounds)
    assert sol.stats["rounds"] == rounds


def test_sizes_and_engines_agree():
    assert bicriteria_size(10, 0.01, 2) == 100
    assert bicriteria_size(10, 0.1, 1) == 100
    obj = small_objectives(0, n=40, m=30, graph_cut=False)[0]
    a = bicriteria_greedi(obj, 3, n_parts=4, epsilon=0.25, rounds=2, seed=7)
    b = bicriteria_greedi(obj, 3, n_parts=4, epsilon=0.25, rounds=2, seed=7, engine="threads")
    assert a.selection.tolist() == b.selection.tolist()
    assert a.stats["items_per_round"] == 6


def test_invalid_parameters():
    obj = small_objectives(0)[0]
    for kw in ({"epsilon": 0.0}, {"epsilon": 1.0}, {"rounds": 0}, {"items_per_round": 0}):
        with pytest.raises(InvalidParameterError):
            bicriteria_greedi(obj, 2, n_parts=2, **kw)
    with pytest.raises(InvalidParameterError):
        bicriteria_greedi(obj, -1, n_parts=2)
    with pytest.raises(InvalidParameterError):
        bicriteria_greedi(obj, 2, n_parts=2, engine="spark")
