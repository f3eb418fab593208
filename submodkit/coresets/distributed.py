"""GreeDi and RandGreeDi: two-round distributed greedy over parts of the ground set."""

from __future__ import annotations

import time

import numpy as np

from submodkit._validation import check_int
from submodkit.coresets._partition import contiguous_parts, random_parts
from submodkit.coresets.engines import check_engine, local_greedy, map_parts
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution


def greedi(
    objective: Objective, k: int, n_parts: int, engine: object = None, seed: int | None = None
) -> Solution:
    """GreeDi (Mirzasoleiman, Karbasi, Sarkar, Krause, NIPS 2013): greedy per part, then greedy
    on the union of the local solutions; returns the better of that and the best local one.

    Guarantee ``(1 - 1/e)^2 / min(m, k)`` for any partition into ``m = n_parts`` parts
    (monotone submodular, cardinality ``k``). The partition is contiguous blocks of indices
    (the data as it sits on the machines) when ``seed`` is None, else uniformly random.
    Work: lazy greedy on each part (in parallel on ``engine``) plus lazy greedy on
    ``m k`` items; ``O(n k)`` gain evaluations in the worst case, ``O(n / m)`` memory per part.

    Example:
        >>> from submodkit import Coverage
        >>> greedi(Coverage([[0, 1, 2], [2, 3], [3, 4], [5]]), k=2, n_parts=2).value
        5.0
    """
    parts = _partition(objective, k, n_parts, seed, random=seed is not None)
    return _two_rounds(objective, k, parts, engine, "greedi", seed)


def randgreedi(
    objective: Objective, k: int, n_parts: int, engine: object = None, seed: int | None = None
) -> Solution:
    """RandGreeDi (Barbosa, Ene, Nguyen, Ward, ICML 2015): GreeDi on a uniformly random partition.

    Each item goes to one of ``n_parts`` parts uniformly at random
    (``make_rng(seed)``); greedy on each part is a randomized composable
    core-set (Mirrokni and Zadimoghaddam, STOC 2015), and the better of greedy on the union
    and the best local solution is a ``(1 - 1/e) / 2`` approximation in expectation
    (monotone submodular, cardinality ``k``). Same work as :func:`greedi`. The same seed
    gives the same answer on every engine.

    Example:
        >>> from submodkit import Coverage
        >>> randgreedi(Coverage([[0, 1, 2], [2, 3], [3, 4], [5]]), k=2, n_parts=2, seed=0).value
        5.0
    """
    parts = _partition(objective, k, n_parts, seed, random=True)
    return _two_rounds(objective, k, parts, engine, "randgreedi", seed)


def _partition(objective, k, n_parts, seed, random: bool) -> list[np.ndarray]:
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    check_int("k", k)
    n = objective.n
    n_parts = check_int("n_parts", n_parts, minimum=1)
    return random_parts(n, n_parts, seed) if random else contiguous_parts(n, n_parts)


def upper_bound_at(objective: Objective, selection: np.ndarray, k: int) -> float:
    """A-posteriori bound ``OPT_k <= f(S) + sum of the k largest gains w.r.t. S`` (monotone
    submodular ``f``; Nemhauser, Wolsey, Fisher 1978), from one pass of ``n`` gain evaluations."""
    sel = np.asarray(selection, dtype=np.int64)
    cur = objective.state(sel)
    g = np.empty(objective.n)
    K.fill_gains(objective.kernel_args(), cur, np.arange(objective.n, dtype=np.int64), g, objective.nnz)
    g[sel] = 0.0
    g = np.maximum(g, 0.0)
    kk = min(int(k), g.shape[0])
    top = float(np.partition(g, g.shape[0] - kk)[g.shape[0] - kk:].sum()) if kk else 0.0
    value = float(objective.evaluate(sel))
    return max(value, value + top)


def _two_rounds(objective, k, parts, engine, name, seed) -> Solution:
    check_engine(engine)
    start = time.perf_counter()
    local = map_parts(local_greedy, objective, parts, k, engine)
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
        evals += objective.n
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
            "n": objective.n,
            "n_parts": len(parts),
            "part_sizes": [int(p.shape[0]) for p in parts],
            "local_values": [float(v) for v in local_values],
            "union_size": int(union.shape[0]),
            "picked": picked,
            "engine": engine if isinstance(engine, str) or engine is None else "client",
            "seed": seed,
        },
    )
