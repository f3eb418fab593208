"""GreeDi and RandGreeDi: two-round distributed greedy over parts of the ground set, in memory
or on shards that each worker reads alone."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int
from submodkit.coresets import _shard_tasks as T
from submodkit.coresets._partition import contiguous_parts, random_parts
from submodkit.coresets.engines import check_engine, local_greedy, map_parts, map_shards
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.shards import Shards
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution


def greedi(
    data: Objective | Shards, k: int, *, n_parts: int | None = None, engine: object = None,
    seed: int | None = None,
) -> Solution:
    """GreeDi: greedy on each part, then greedy on the union of the local solutions.

    Returns the better of greedy on the union and the best local solution. The partition is
    contiguous blocks of indices (the data as it sits on the machines) when ``seed`` is None,
    else uniformly random (then this is :func:`randgreedi`'s partition).

    Parameters
    ----------
    data : Objective or Shards
        An objective in memory, split into ``n_parts`` parts here; or a set-system shard
        folder (:func:`~submodkit.instances.open_shards`, max-cover), whose parts each
        worker reads alone from storage: only the local selections and their sets' rows
        travel, the second round builds its coverage function from them alone, and the
        bound is a map-reduce over the parts.
    k : int
        Cardinality.
    n_parts : int, optional, keyword-only
        Parts of an objective (required then); for shards, the folder's parts (if given it
        must match).
    engine : None, "threads", "dask" or dask.distributed.Client, keyword-only
        Where the parts run (:mod:`~submodkit.coresets.engines`).
    seed : int, optional, keyword-only
        Random partition of an objective (None: contiguous blocks). For shards the
        partition is the folder's; a seed, if given, must be the one it was written with.

    Returns
    -------
    Solution
        Selection (indices, or global item ids for shards), value, guarantee, the
        a-posteriori ``upper_bound``; ``stats`` has the part sizes, local values, union
        size, which solution was picked, gain evaluations and (shards) bytes of summaries.

    Notes
    -----
    Guarantee ``(1 - 1/e)^2 / min(m, k)`` for any partition into ``m`` parts (monotone
    submodular, cardinality ``k``). Work: lazy greedy on each part (in parallel on
    ``engine``) plus lazy greedy on at most ``m k`` items; memory per part ``O(n / m)``
    items (for shards; an objective in memory is shared by all parts).

    Examples
    --------
    >>> from submodkit import Coverage
    >>> greedi(Coverage([[0, 1, 2], [2, 3], [3, 4], [5]]), k=2, n_parts=2).value
    5.0

    References
    ----------
    .. [1] Mirzasoleiman, Karbasi, Sarkar, Krause, "Distributed submodular maximization:
       identifying representative elements in massive data", NIPS 2013.
    """
    return _run("greedi", data, k, n_parts, engine, seed)


def randgreedi(
    data: Objective | Shards, k: int, *, n_parts: int | None = None, engine: object = None,
    seed: int | None = None,
) -> Solution:
    """RandGreeDi: GreeDi on a uniformly random partition.

    Each item goes to one of ``n_parts`` parts uniformly at random (item ``i`` to
    ``numpy.random.default_rng(seed).integers(0, n_parts, size=n)[i]``, the draw
    :func:`~submodkit.instances.shard_file` records); greedy on each part is a randomized
    composable core-set, and the better of greedy on the union and the best local solution
    is a ``(1 - 1/e) / 2`` approximation in expectation (monotone submodular, cardinality
    ``k``). The same seed gives the same answer on every engine, and a shard folder written
    with that seed gives exactly the in-memory answer.

    Parameters
    ----------
    data : Objective or Shards
        As for :func:`greedi` (shards must have the random rule).
    k : int
        Cardinality.
    n_parts : int, optional, keyword-only
        Parts of an objective (required then); for shards, the folder's.
    engine : None, "threads", "dask" or dask.distributed.Client, keyword-only
    seed : int, optional, keyword-only
        The partition's seed (for shards: None or the folder's seed).

    Returns
    -------
    Solution
        As for :func:`greedi`.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> randgreedi(Coverage([[0, 1, 2], [2, 3], [3, 4], [5]]), k=2, n_parts=2, seed=0).value
    5.0

    Each worker reads only its shard:

    >>> import tempfile, os
    >>> import scipy.sparse as sp
    >>> from submodkit.instances import SetSystem, open_shards, write_shards
    >>> tmp = tempfile.TemporaryDirectory()
    >>> rows = sp.csr_matrix(Coverage([[0, 1, 2], [2, 3], [3, 4], [5]]).sets)
    >>> system = SetSystem(rows, costs=np.ones(4), weights=np.ones(6))
    >>> _ = write_shards(system, os.path.join(tmp.name, "s"), n_parts=2, seed=0)
    >>> randgreedi(open_shards(os.path.join(tmp.name, "s")), 2, seed=0).value
    5.0
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Barbosa, Ene, Nguyen, Ward, "The power of randomization: distributed submodular
       maximization on massive datasets", ICML 2015.
    .. [2] Mirrokni, Zadimoghaddam, "Randomized composable core-sets for distributed
       submodular maximization", STOC 2015.
    """
    return _run("randgreedi", data, k, n_parts, engine, seed)


def _run(name: str, data, k, n_parts, engine, seed) -> Solution:
    check_engine(engine)
    check_int("k", k, minimum=0)
    runner = _RUNNERS.get(type(data)) or next(
        (fn for cls, fn in _RUNNERS.items() if isinstance(data, cls)), None)
    if runner is None:
        raise InvalidParameterError("data", type(data).__name__, "a submodkit Objective or a Shards folder "
                                    "(submodkit.open_shards)")
    return runner(name, data, int(k), n_parts, engine, seed)


def _in_memory(name: str, objective: Objective, k: int, n_parts, engine, seed) -> Solution:
    parts = _partition(objective, k, n_parts, seed, random=name == "randgreedi" or seed is not None)
    return _two_rounds(objective, k, parts, engine, name, seed)


def _partition(objective, k, n_parts, seed, random: bool) -> list[np.ndarray]:
    """The parts of an objective in memory (random by ``seed``, else contiguous)."""
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    check_int("k", k)
    objective.check_capacity(min(k, objective.n))
    if n_parts is None:
        raise InvalidParameterError("n_parts", None, "a number of parts >= 1 for an objective in memory")
    n_parts = check_int("n_parts", n_parts, minimum=1)
    return random_parts(objective.n, n_parts, seed) if random else contiguous_parts(objective.n, n_parts)


def _on_shards(name: str, shards: Shards, k: int, n_parts, engine, seed) -> Solution:
    T.check_cover_shards(shards, n_parts, seed, random_for="randgreedi" if name == "randgreedi" else None)
    start = time.perf_counter()
    local = map_shards(T.greedy_core_set, shards, (k,), engine=engine)
    t_local = time.perf_counter() - start
    if any(c.ids.shape[0] for c in local):
        union = T.union_coverage(local, shards)
        sel, gains, value, evals = local_greedy(union.f, np.arange(union.f.n, dtype=np.int64), k)
        sel_ids, rows, union_size = union.ids[sel], union.rows(sel), int(union.ids.shape[0])
    else:  # k = 0: an empty union, nothing to merge
        sel_ids, gains, value, evals = np.zeros(0, dtype=np.int64), np.zeros(0), 0.0, 0
        rows, union_size = sp.csr_matrix((0, int(shards.universe))), 0
    evals += sum(c.evaluations for c in local)
    local_values = [c.value for c in local]
    best = int(np.argmax(local_values)) if local_values else -1
    picked = "merged"
    if best >= 0 and local_values[best] > value:
        c = local[best]
        sel_ids, gains, value, picked = c.ids, c.gains, c.value, f"part {c.part}"
        rows = c.rows(int(shards.universe))
    covered = np.unique(rows.indices).astype(np.int64)
    upper, bytes_bound = bound_on_shards(shards, float(value), covered, sel_ids, k, engine)
    evals += 2 * shards.n_items
    g = guarantee(name, k=k, n_parts=len(local)) if name == "greedi" else guarantee(name)
    return _solution(
        name, sel_ids, gains, value, g, upper, evals, start, t_local, shards.n_items,
        [c.n_items for c in local], local_values, union_size, picked, engine, shards.seed,
        shards=str(shards.directory), bytes_core_sets=int(sum(c.nbytes for c in local)),
        bytes_bound=bytes_bound,
    )


def bound_on_shards(shards: Shards, value: float, covered: np.ndarray, selected: np.ndarray, k: int,
                    engine, *, clip: bool = True) -> tuple[float, int]:
    """``(upper bound on OPT_k, bytes it moved)`` for a selection of value ``value`` that covers
    the elements ``covered``: the bound of :func:`upper_bound_at` (``clip`` as there), as a
    map-reduce over the parts (each returns its ``k`` largest gains at the selection and at
    the empty set)."""
    tops = map_shards(T.top_gains, shards, (covered, np.sort(selected), k), engine=engine)
    at_selection = value + _top_sum(np.concatenate([t for t, _ in tops] + [np.zeros(0)]), k)
    at_empty = _top_sum(np.concatenate([t0 for _, t0 in tops] + [np.zeros(0)]), k)
    sent = int(covered.nbytes + 8 * selected.shape[0]) * len(tops)
    sent += 8 * sum(len(t) + len(t0) for t, t0 in tops)
    bound = min(at_selection, at_empty)
    return (max(value, bound) if clip else bound), sent


def upper_bound_at(objective: Objective, selection: np.ndarray, k: int, *, clip: bool = True) -> float:
    """A-posteriori bound on ``OPT_k`` for monotone submodular ``f`` (Nemhauser, Wolsey, Fisher 1978).

    ``OPT_k <= f(S) + (sum of the k largest gains with respect to S)`` holds for every set
    ``S``; this returns the smaller of that bound at ``S = selection`` and at ``S = {}`` (the
    sum of the ``k`` largest singleton values, which is the tighter one when greedy's picks
    barely overlap), from two passes of ``n`` gain evaluations. For a selection of at most
    ``k`` items that bound is at least ``f(selection)``; for a larger one (bicriteria) it may
    be smaller, which certifies ``f(selection) >= OPT_k``: ``clip=False`` returns it as it is,
    ``clip=True`` (default) returns ``max(f(selection), bound)``.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1, 2], [2, 3], [3, 4], [5]])
    >>> upper_bound_at(f, [0, 2], 2)  # f(S) = 5; min(5 + 2, 3 + 2)
    5.0
    """
    k = check_int("k", k)
    sel = np.asarray(selection, dtype=np.int64)
    value = float(objective.evaluate(sel))
    g = _gains_at(objective, objective.state(sel))
    g[sel] = 0.0
    at_selection = value + _top_sum(g, k)
    at_empty = float(objective.evaluate(np.zeros(0, dtype=np.int64))) + _top_sum(
        _gains_at(objective, objective.new_state()), k)
    bound = min(at_selection, at_empty)
    return max(value, bound) if clip else bound


def _gains_at(objective: Objective, cur: np.ndarray) -> np.ndarray:
    g = np.empty(objective.n)
    K.fill_gains(objective.kernel_args(), cur, np.arange(objective.n, dtype=np.int64), g, objective.nnz)
    return g


def _top_sum(gains: np.ndarray, k: int) -> float:
    """Sum of the ``k`` largest non-negative entries (summed from the smallest, in memory and
    on shards alike, so both give the same float)."""
    return float(T.top_k(gains, k)[::-1].sum())


def _two_rounds(objective, k, parts, engine, name, seed) -> Solution:
    start = time.perf_counter()
    local = map_parts(local_greedy, objective, parts, k, engine=engine)
    t_local = time.perf_counter() - start
    union = np.unique(np.concatenate([sel for sel, *_ in local] + [np.zeros(0, dtype=np.int64)]))
    sel, gains, value, evals = local_greedy(objective, union, k)
    evals += sum(e for *_, e in local)
    local_values = [v for _, _, v, _ in local]
    best = int(np.argmax(local_values)) if local_values else -1
    picked = "merged"
    if best >= 0 and local_values[best] > value:
        sel, gains, value, _ = local[best]
        picked = f"part {best}"
    ok = objective.monotone and objective.submodular
    g = None
    upper = None
    if ok:
        g = guarantee(name, k=k, n_parts=len(parts)) if name == "greedi" else guarantee(name)
        upper = upper_bound_at(objective, sel, k)
        evals += 2 * objective.n
    return _solution(
        name, sel, gains, value, g, upper, evals, start, t_local, objective.n,
        [int(p.shape[0]) for p in parts], local_values, int(union.shape[0]), picked, engine, seed,
    )


def _solution(name, sel, gains, value, g, upper, evals, start, t_local, n, part_sizes, local_values,
              union_size, picked, engine, seed, **extra) -> Solution:
    """The two-round answer with its statistics (in memory or on shards)."""
    return Solution(
        selection=np.asarray(sel, dtype=np.int64),
        gains=np.asarray(gains, dtype=np.float64),
        value=float(value),
        algorithm=name,
        guarantee=g,
        upper_bound=upper,
        stats={
            "evaluations": int(evals),
            "seconds": time.perf_counter() - start,
            "seconds_parts": t_local,
            "n": n,
            "n_parts": len(part_sizes),
            "part_sizes": part_sizes,
            "local_values": [float(v) for v in local_values],
            "union_size": union_size,
            "picked": picked,
            "engine": engine if isinstance(engine, str) or engine is None else "client",
            "seed": seed,
            **extra,
        },
    )


_RUNNERS = {Objective: _in_memory, Shards: _on_shards}
