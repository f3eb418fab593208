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


@pytest.mark.parametrize("engine", [None, "dask"])
def test_shards_read_from_storage_give_the_in_memory_allocation(engine, tmp_path):
    """Each part written to its own file and read where it is used (a thread here, the Dask
    worker that keeps it): the same allocation as in memory."""
    from submodkit.instances.allocation_shards import write_allocation_shards

    inst = _skewed(5)
    shards = write_allocation_shards(inst, tmp_path / "shards", n_parts=3)
    assert shards.rows == (100, 100, 100) and shards.n_advertisers == inst.n_advertisers
    one = proportional_allocation(inst, epsilon=0.1)
    stored = distributed_proportional_allocation(tmp_path / "shards", engine=engine, epsilon=0.1)
    assert stored.stats["n_parts"] == 3
    assert stored.value == pytest.approx(one.value, rel=1e-9)
    np.testing.assert_allclose(stored.x, one.x, rtol=1e-9, atol=1e-12)


def test_a_damaged_shard_folder_is_a_clear_error(tmp_path):
    import json

    from submodkit.errors import InstanceFormatError
    from submodkit.instances.allocation_shards import write_allocation_shards

    write_allocation_shards(_skewed(1), tmp_path / "s", n_parts=2)
    with pytest.raises(Exception, match="exist"):
        write_allocation_shards(_skewed(1), tmp_path / "s", n_parts=2)
    part = tmp_path / "s" / "part-00001.npz"
    np.savez(part, indptr=np.array([0, 1]), indices=np.array([999]))  # rows and advertisers wrong
    with pytest.raises(InstanceFormatError, match="part-00001.npz"):
        distributed_proportional_allocation(tmp_path / "s")
    manifest = tmp_path / "s" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["n_arrivals"] = 7
    manifest.write_text(json.dumps(data))
    with pytest.raises(InstanceFormatError, match="manifest.json"):
        distributed_proportional_allocation(tmp_path / "s")
