"""Bicriteria distributed greedy (Epasto, Mirrokni, Zadimoghaddam, SPAA 2017): (1 - eps) OPT_k in r rounds."""

from __future__ import annotations

import functools
import math
import time

import numpy as np

from submodkit._validation import check_int, check_real, make_rng
from submodkit.coresets import _shard_tasks as T
from submodkit.coresets.distributed import _partition, bound_on_shards, upper_bound_at
from submodkit.coresets.engines import check_engine, local_greedy, map_parts, map_shards
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.shards import Shards
from submodkit.objectives.base import Objective
from submodkit.results import Solution


def bicriteria_size(k: int, epsilon: float, rounds: int) -> int:
    """Items added per round: ``ceil(k / epsilon^(1/rounds))`` (the output has ``rounds`` times that)."""
    return int(math.ceil(k / epsilon ** (1.0 / rounds) - 1e-9))


def bicriteria_greedi(
    data: Objective | Shards,
    k: int,
    *,
    n_parts: int | None = None,
    epsilon: float = 0.1,
    rounds: int = 2,
    engine: object = None,
    seed: int | None = None,
    items_per_round: int | None = None,
) -> Solution:
    """Bicriteria distributed greedy (Epasto, Mirrokni, Zadimoghaddam, "Bicriteria distributed
    submodular maximization in a few rounds", SPAA 2017).

    Their main result: for any ``epsilon > 0`` and constant ``r``, a distributed algorithm
    that outputs ``O(r k / epsilon^(1/r))`` items in ``r`` rounds and whose value is at least
    ``(1 - epsilon)`` times the optimum with ``k`` items (monotone submodular, random
    partitions; guarantee in expectation, ``"bicriteria-greedi"``). Each round: the ground set
    is split uniformly at random into ``n_parts`` parts; every part runs greedy *continuing
    from the current solution S* and keeps ``t`` items (a randomized composable core-set);
    greedy on the union of those core-sets, again continuing from S, adds ``t`` items to S.
    ``t = items_per_round`` or :func:`bicriteria_size` ``= ceil(k / epsilon^(1/r))`` (the
    constant inside the paper's O() is taken as 1; pass ``items_per_round`` to change it).
    Work per round: lazy greedy on each part (in parallel on ``engine``) and on ``n_parts * t``
    items. ``value`` is ``f(S)``; ``upper_bound`` bounds ``OPT_k`` a posteriori (the smaller
    of ``f(S) +`` the ``k`` largest gains w.r.t. S and the ``k`` largest singleton values; it
    may be below ``f(S)``, which proves ``f(S) >= OPT_k``: ``stats["value_over_bound"]``);
    ``stats["rounds"]`` and ``stats["round_values"]`` report each round. Use
    :func:`submodkit.solvers.cover.exact.exact_max_cover` (``k=k``) to check the ratio against
    ``OPT_k`` on small coverage instances.

    ``data`` may be a set-system shard folder (:func:`~submodkit.instances.open_shards`,
    max-cover, random rule): each worker reads only its part and returns its ``t`` items with
    their sets' rows; the driver keeps S's rows and sends each round the ids of the elements S
    covers; the bound is a map-reduce over the parts. With ``rounds=1`` the answer is exactly
    the in-memory one (same seed). Later rounds reuse the folder's partition (re-partitioning
    would move the data), while the paper draws a fresh random partition each round: for
    ``rounds > 1`` on shards no ratio is claimed (``guarantee=None``; ``stats["partition"]``
    says so) and the a-posteriori ``upper_bound`` is the certificate.

    Example:
        >>> from submodkit import Coverage
        >>> sol = bicriteria_greedi(Coverage([[0, 1], [2], [3], [4, 5]]), k=1, n_parts=2,
        ...                         epsilon=0.5, rounds=1, seed=0)
        >>> len(sol), sol.value
        (2, 4.0)
    """
    check_int("k", k, minimum=0)
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    rounds = check_int("rounds", rounds, minimum=1)
    t = bicriteria_size(k, epsilon, rounds) if items_per_round is None else check_int(
        "items_per_round", items_per_round, minimum=1)
    check_engine(engine)
    runner = _RUNNERS.get(type(data)) or next(
        (fn for cls, fn in _RUNNERS.items() if isinstance(data, cls)), None)
    if runner is None:
        raise InvalidParameterError("data", type(data).__name__, "a submodkit Objective or a Shards folder "
                                    "(submodkit.open_shards)")
    return runner(data, int(k), n_parts, epsilon, rounds, t, engine, seed)


def _in_memory(objective: Objective, k, n_parts, epsilon, rounds, t, engine, seed) -> Solution:
    parts0 = _partition(objective, k, n_parts, seed, random=True)  # validates objective, n_parts
    objective.check_capacity(min(objective.n, rounds * t))  # every round adds up to t items
    start = time.perf_counter()
    rng = make_rng(seed)
    chosen = np.zeros(0, dtype=np.int64)
    gains: list[float] = []
    evals = 0
    round_values = []
    union_sizes = []
    for r in range(rounds):
        if chosen.shape[0] >= objective.n or k == 0:
            break
        parts = parts0 if r == 0 else _partition(objective, k, n_parts, int(rng.integers(2**63)), random=True)
        fn = functools.partial(local_greedy, initial=chosen)
        local = map_parts(fn, objective, parts, t, engine=engine)
        evals += sum(e for *_, e in local)
        union = np.unique(np.concatenate([sel for sel, *_ in local] + [np.zeros(0, dtype=np.int64)]))
        add, g, _, e = local_greedy(objective, union, t, initial=chosen)
        evals += e
        chosen = np.concatenate([chosen, add])
        gains.extend(float(x) for x in g)
        union_sizes.append(int(union.shape[0]))
        round_values.append(float(objective.evaluate(chosen)))
    value = float(objective.evaluate(chosen))
    ok = objective.monotone and objective.submodular
    upper = upper_bound_at(objective, chosen, k, clip=False) if ok else None
    g = guarantee("bicriteria-greedi", epsilon=epsilon, rounds=rounds) if ok else None
    return _solution(chosen, gains, value, g, upper, evals, start, objective.n, k, n_parts, rounds, t,
                     round_values, union_sizes, engine, seed)


def _on_shards(shards: Shards, k, n_parts, epsilon, rounds, t, engine, seed) -> Solution:
    T.check_cover_shards(shards, n_parts, seed, random_for="bicriteria_greedi")
    start = time.perf_counter()
    chosen = np.zeros(0, dtype=np.int64)
    chosen_rows: list = []  # the rows of S's sets, round by round
    covered = np.zeros(0, dtype=np.int64)
    gains: list[float] = []
    value = 0.0
    evals = 0
    sent = 0
    round_values: list[float] = []
    union_sizes: list[int] = []
    for r in range(rounds):
        if chosen.shape[0] >= shards.n_items or k == 0:
            break
        held = (covered, chosen) if r else (None, None)  # S so far: its items gain nothing again
        local = map_shards(T.greedy_core_set, shards, (t, *held), engine=engine)
        evals += sum(c.evaluations for c in local)
        sent += sum(c.nbytes for c in local) + ((covered.nbytes + chosen.nbytes) * len(local) if r else 0)
        union = T.union_coverage(local, shards)
        fresh = np.flatnonzero(~np.isin(union.ids, chosen)).astype(np.int64)
        add, g, _, e = local_greedy(union.f, fresh, t, start=union.residual(covered))
        evals += e
        chosen = np.concatenate([chosen, union.ids[add]])
        chosen_rows.append(union.rows(add))
        covered = np.union1d(covered, chosen_rows[-1].indices).astype(np.int64)
        gains.extend(float(x) for x in g)
        value += float(np.sum(g))
        union_sizes.append(int(union.ids.shape[0]))
        round_values.append(value)
    upper, bytes_bound = bound_on_shards(shards, value, covered, chosen, k, engine, clip=False)
    evals += 2 * shards.n_items
    g = guarantee("bicriteria-greedi", epsilon=epsilon, rounds=rounds) if rounds == 1 else None
    return _solution(
        chosen, gains, value, g, upper, evals, start, shards.n_items, k, shards.n_parts, rounds, t,
        round_values, union_sizes, engine, shards.seed,
        partition="the folder's, every round"
        + (" (no fresh partition: no ratio claimed)" if rounds > 1 else ""),
        shards=str(shards.directory), bytes_core_sets=int(sent), bytes_bound=bytes_bound,
    )


def _solution(chosen, gains, value, g, upper, evals, start, n, k, n_parts, rounds, t, round_values,
              union_sizes, engine, seed, **extra) -> Solution:
    """The bicriteria answer with its statistics (in memory or on shards)."""
    return Solution(
        selection=np.asarray(chosen, dtype=np.int64),
        gains=np.asarray(gains, dtype=np.float64),
        value=float(value),
        algorithm="bicriteria-greedi",
        guarantee=g,
        upper_bound=upper,
        stats={
            "evaluations": int(evals),
            "seconds": time.perf_counter() - start,
            "n": int(n),
            "k": int(k),
            "n_parts": int(n_parts),
            "rounds": len(round_values),
            "items_per_round": int(t),
            "max_items": int(rounds * t),
            "round_values": round_values,
            "union_sizes": union_sizes,
            "value_over_bound": _over(value, upper),
            "engine": engine if isinstance(engine, str) or engine is None else "client",
            "seed": seed,
            **extra,
        },
    )


def _over(value: float, upper: float | None) -> float | None:
    """``f(S) / (bound on OPT_k)``: above 1 proves ``f(S) >= OPT_k``."""
    return None if upper is None or upper <= 0 else float(value / upper)


_RUNNERS = {Objective: _in_memory, Shards: _on_shards}
