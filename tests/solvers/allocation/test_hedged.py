"""The hedged allocation (a forecast's plan on part of each capacity, MSVV on the rest):
its extremes against the algorithms they reduce to, feasibility, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance, random_allocation_instance
from submodkit.solvers.allocation.offline import offline_optimum
from submodkit.solvers.allocation.online import allocate


def _hard(inst: AllocationInstance) -> AllocationInstance:
    return AllocationInstance(inst.values, budgets=inst.budgets, free_disposal=False)


@pytest.mark.parametrize("seed", range(4))
def test_hedge_zero_is_msvv(seed):
    inst = _hard(random_allocation_instance(500, 8, density=0.4, seed=seed, load=0.5))
    forecast = random_allocation_instance(500, 8, density=0.4, seed=seed + 100)
    hedged = allocate(inst, algorithm="hedged", forecast=forecast, hedge=0.0, order="random", seed=seed)
    msvv = allocate(inst, algorithm="msvv", order="random", seed=seed)
    assert np.array_equal(hedged.assignment, msvv.assignment) and hedged.stats["plan_assigned"] == 0


@pytest.mark.parametrize("seed", range(4))
def test_plan_from_a_true_forecast_reaches_the_lp_and_every_run_is_feasible(seed):
    """With the instance itself as the forecast, the plan's prices are the LP's duals: the
    plan alone reaches the LP optimum up to ties (measured 0.9997); every hedge respects the
    capacities and the split between plan and open part."""
    inst = _hard(random_allocation_instance(2000, 10, density=0.3, seed=seed, load=0.4))
    lp = offline_optimum(inst).value
    caps = np.floor(inst.budgets + 1e-9).astype(int)
    values = {}
    for hedge in (0.0, 0.3, 0.7, 1.0):
        sol = allocate(inst, algorithm="hedged", forecast=inst, hedge=hedge, order="random", seed=seed)
        kept = sol.assignment[sol.assignment >= 0]
        assert np.all(np.bincount(kept, minlength=10) <= caps)
        plan = np.floor(hedge * caps + 0.5).astype(int)  # the plan's share, halves up
        assert sol.stats["plan_assigned"] <= plan.sum() and sol.stats["open_assigned"] <= (caps - plan).sum()
        assert sol.stats["plan_assigned"] + sol.stats["open_assigned"] == kept.size
        assert sol.value <= lp * (1 + 1e-9) and sol.guarantee.ratio == 0.0
        values[hedge] = sol.value
    assert values[1.0] >= 0.98 * lp
    assert values[1.0] > values[0.0]


def test_hedged_errors_are_clear():
    inst = random_allocation_instance(100, 4, seed=0)
    with pytest.raises(InvalidParameterError, match="forecast"):
        allocate(inst, algorithm="hedged")
    with pytest.raises(InvalidParameterError, match="same 4 advertisers"):
        allocate(inst, algorithm="hedged", forecast=random_allocation_instance(100, 5, seed=0))
    with pytest.raises(InvalidParameterError, match="capacity AllocationInstance"):
        allocate(inst, algorithm="hedged", forecast=random_allocation_instance(100, 4, kind="budget", seed=0))
    with pytest.raises(InvalidParameterError, match="hedge"):
        allocate(inst, algorithm="hedged", forecast=inst, hedge=-0.1)
    budget = random_allocation_instance(100, 4, kind="budget", seed=0)
    with pytest.raises(InvalidParameterError, match="capacities with unit consumption"):
        allocate(budget, algorithm="hedged", forecast=inst)
