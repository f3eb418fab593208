"""Proportional allocation round by round over impression shards, on threads or Dask.

Each round of :func:`~submodkit.solvers.allocation.proportional.proportional_allocation` is one
map over the impressions (each shard splits its rows by the current priorities and sums what
every advertiser receives) and one reduce over the advertisers (the sums, then the priority
update, on the client): only a vector of A priorities goes out and A sums come back per shard
and round. On Dask each shard is sent once, to one worker, which keeps it for every round.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from submodkit._validation import check_int
from submodkit.coresets.engines import check_engine, start_local_cluster
from submodkit.instances.allocation import AllocationInstance
from submodkit.instances.allocation_shards import (
    AllocationShards,
    open_allocation_shards,
    read_allocation_shard,
)
from submodkit.results import AllocationSolution
from submodkit.solvers.allocation.proportional import (
    check_proportional,
    check_rounds,
    eligibility,
    run_proportional,
)


def distributed_proportional_allocation(
    instance: AllocationInstance | AllocationShards | str | os.PathLike,
    *,
    n_parts: int = 4,
    engine: object = None,
    epsilon: float = 0.1,
    rounds: int | None = None,
) -> AllocationSolution:
    """:func:`~submodkit.solvers.allocation.proportional.proportional_allocation` with the
    impressions split into ``n_parts`` contiguous shards, each round a map over the shards.

    Parameters
    ----------
    instance : AllocationInstance, AllocationShards or path
        Capacities with unit consumption; or a shard folder written by
        :func:`~submodkit.instances.allocation_shards.write_allocation_shards` (its path or
        the opened folder), whose parts are read where they are used: by a thread of this
        process, or on Dask by the worker that keeps the part, each reading only its own file.
    n_parts : int, default 4
        Impression shards (a shard folder has its own).
    engine : None, "threads", "dask" or dask.distributed.Client
        Where the shards' work runs (None and "threads": a thread pool in this process;
        "dask": a local cluster of 2 worker processes, started and closed around the call).
    epsilon : float, default 0.1
    rounds : int, optional

    Returns
    -------
    AllocationSolution
        As the in-memory function (the same allocation up to the summation order of the
        shards), with ``stats["n_parts"]``.

    Examples
    --------
    >>> from submodkit.instances.allocation import upper_triangular_instance
    >>> sol = distributed_proportional_allocation(upper_triangular_instance(20), n_parts=3)
    >>> sol.value >= 0.9 * 20, sol.upper_bound
    (True, 20.0)

    References
    ----------
    .. [1] Agrawal, Zadimoghaddam, Mirrokni, "Proportional allocation: simple, distributed,
       and diverse matching with high entropy", ICML 2018.
    """
    if isinstance(instance, str | os.PathLike):
        instance = open_allocation_shards(instance)
    check_engine(engine)
    if isinstance(instance, AllocationShards):
        epsilon, rounds = check_rounds(instance.n_arrivals, instance.n_advertisers, epsilon, rounds)
        caps = instance.budgets
        loads = [(read_allocation_shard, (path, rows, instance.n_advertisers))
                 for path, rows in zip(instance.paths, instance.rows, strict=True)]
    else:
        epsilon, rounds = check_proportional(instance, epsilon, rounds)
        n_parts = check_int("n_parts", n_parts, minimum=1)
        cuts = np.linspace(0, instance.n_arrivals, min(n_parts, max(1, instance.n_arrivals)) + 1).astype(int)
        loads = [(eligibility, (instance, slice(lo, hi))) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)]
        caps = np.asarray(instance.budgets, dtype=np.float64)
    stats = {"n_parts": len(loads)}
    if engine is None or engine == "threads":
        with ThreadPoolExecutor(max_workers=max(1, min(len(loads), os.cpu_count() or 1))) as pool:
            parts = list(pool.map(lambda load: load[0](*load[1]), loads))

            def on_threads(fn, *args):
                return list(pool.map(lambda part: fn(part, *args), parts))

            return run_proportional(on_threads, caps, epsilon, rounds, stats=stats)
    if engine == "dask":
        cluster, client = start_local_cluster()
        with cluster, client:
            return _on_dask(client, loads, caps, epsilon, rounds, stats)
    return _on_dask(engine, loads, caps, epsilon, rounds, stats)


def _on_dask(client, loads, caps, epsilon, rounds, stats) -> AllocationSolution:
    if loads and loads[0][0] is read_allocation_shard:  # each part read by the worker that keeps it
        remote = [client.submit(fn, *args, pure=False) for fn, args in loads]
    else:  # parts in memory: built here, sent once
        remote = client.scatter([fn(*args) for fn, args in loads])

    def on_dask(fn, *args):
        return client.gather([client.submit(fn, part, *args, pure=False) for part in remote])

    return run_proportional(on_dask, caps, epsilon, rounds, stats=stats)


__all__ = ["distributed_proportional_allocation"]
