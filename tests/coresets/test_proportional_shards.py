"""Proportional allocation over impression shards (threads, Dask) against the in-memory run."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.coresets.proportional import distributed_proportional_allocation
from submodkit.instances.allocation import AllocationInstance
from submodkit.solvers.allocation.proportional import proportional_allocation


def _skewed(seed, t=300, a=20):
    rng = np.random.default_rng(seed)
    values = (rng.random((t, a)) < np.minimum(1.0, rng.pareto(1.0, (1, a)) * 0.05)).astype(float)
    caps = np.maximum(1.0, np.round(rng.dirichlet(np.ones(a)) * t * 0.8))
    return AllocationInstance(values, budgets=caps)


@pytest.mark.parametrize("engine", [None, "dask"])
def test_shards_give_the_in_memory_allocation(engine):
    # each round is a map over impression shards and a sum over advertisers: the same
    # allocation as in memory (up to the shards' summation order)
    inst = _skewed(3)
    one = proportional_allocation(inst, epsilon=0.1)
    parts = distributed_proportional_allocation(inst, n_parts=4, engine=engine, epsilon=0.1)
    assert parts.stats["n_parts"] == 4
    assert parts.value == pytest.approx(one.value, rel=1e-9)
    assert parts.upper_bound == pytest.approx(one.upper_bound, rel=1e-9)
    np.testing.assert_allclose(parts.x, one.x, rtol=1e-9, atol=1e-12)
