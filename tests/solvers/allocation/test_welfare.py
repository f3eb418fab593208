"""Online submodular welfare: greedy vs brute force, the tight example, random order."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.objectives import Coverage, SaturatedCoverage
from submodkit.solvers.allocation.welfare import (
    brute_force_welfare,
    online_welfare,
    tight_welfare_instance,
    welfare_value,
)


def _coverage_agents(seed: int, n: int = 6, agents: int = 3, elements: int = 5) -> list:
    rng = np.random.default_rng(seed)
    return [
        Coverage([list(np.flatnonzero(rng.random(elements) < 0.35)) for _ in range(n)], n_elements=elements,
                 weights=rng.integers(1, 4, size=elements))
        for _ in range(agents)
    ]


def _budget_additive_agents(seed: int, n: int = 6, agents: int = 3) -> list:
    rng = np.random.default_rng(seed)
    bids = rng.integers(0, 5, size=(agents, n)).astype(float)
    return [SaturatedCoverage(bids[i][:, None], caps=[rng.uniform(2, 8)]) for i in range(agents)]


@pytest.mark.parametrize("make", [_coverage_agents, _budget_additive_agents])
@pytest.mark.parametrize("seed", range(6))
def test_greedy_half_and_random_order_expectation(make, seed):
    agents = make(seed)
    opt, arg = brute_force_welfare(agents)
    assert welfare_value(agents, arg) == pytest.approx(opt)
    sol = online_welfare(agents)
    assert sol.value == pytest.approx(welfare_value(agents, sol.assignment))
    assert sol.guarantee.ratio == 0.5 and sol.guarantee.holds(sol.value, opt)
    # every order (adversarial): at least 1/2; the exact mean over all 720 orders: at least 0.505
    vals = [online_welfare(agents, arrival=p).value for p in itertools.permutations(range(6))]
    assert min(vals) >= 0.5 * opt - 1e-9
    rand = online_welfare(agents, order="random", seed=seed)
    assert rand.guarantee.ratio == 0.505 and rand.guarantee.kind == "expectation"
    assert np.mean(vals) >= rand.guarantee.ratio * opt - 1e-9


def test_tight_example_half():
    agents = tight_welfare_instance()
    opt, _ = brute_force_welfare(agents)
    assert opt == 2.0
    assert online_welfare(agents).value == 1.0  # exactly 1/2: the bound is tight
    vals = [online_welfare(agents, arrival=p).value for p in itertools.permutations(range(2))]
    assert np.mean(vals) == 1.5  # random order: 3/4 > 0.505


def test_bad_input():
    with pytest.raises(InvalidParameterError):
        online_welfare([])
    with pytest.raises(InvalidParameterError):
        online_welfare([Coverage([[0], [1]]), Coverage([[0]])])  # different item counts
    with pytest.raises(InvalidParameterError):
        online_welfare(tight_welfare_instance(), arrival=[0, 0])
    with pytest.raises(InvalidParameterError):
        online_welfare(tight_welfare_instance(), order="sorted")
