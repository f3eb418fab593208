"""Greedy under a general matroid (an independence test), lazily: 1/2 of the optimum for a
monotone submodular objective (Fisher, Nemhauser, Wolsey 1978)."""

from __future__ import annotations

import heapq
import time

import numpy as np

from submodkit.constraints import Matroid
from submodkit.objectives.base import Objective
from submodkit.results import Solution


def matroid_greedy(objective: Objective, matroid: Matroid, k: int | None = None, *,
                   lazy: bool = True) -> Solution:
    """Greedy under ``matroid`` (and at most ``k`` items): repeatedly add the candidate of
    largest gain among those that keep the set independent, until the set is a basis (as
    greedy under a partition matroid does: zero gains are taken too).

    A candidate found dependent is dropped for good (in a matroid, a set stays dependent as it
    grows). Lazy evaluations (Minoux) keep stale gains in a heap: a popped candidate is
    re-evaluated, and taken when it still beats the next key; ties go to the smallest index.
    :func:`~submodkit.maximize` calls this for a :class:`~submodkit.constraints.Matroid`
    constraint and attaches the guarantee (1/2 for a monotone submodular objective).

    Parameters
    ----------
    objective : Objective
    matroid : Matroid
        Over ``objective.n`` candidates.
    k : int, optional
        At most this many items (the rank by default).
    lazy : bool, default True
        False re-evaluates every remaining candidate at every step (naive greedy).

    Returns
    -------
    Solution
        ``selection``, ``gains``, ``value``; ``stats`` with ``evaluations`` and
        ``independence_tests``.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> from submodkit.constraints import GraphicMatroid
    >>> f = Coverage([[0, 1], [1, 2], [0, 2], [3]])
    >>> m = GraphicMatroid([(0, 1), (1, 2), (0, 2), (2, 3)])
    >>> matroid_greedy(f, m).selection.tolist()
    [0, 1, 3]

    References
    ----------
    .. [1] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Programming Study 8 (1978).
    .. [2] Minoux, "Accelerated greedy algorithms for maximizing submodular set functions"
       (1978).
    """
    from submodkit.objectives import kernels as K

    start = time.perf_counter()
    n = objective.n
    limit = n if k is None else min(int(k), n)
    objective.check_capacity(min(limit, matroid.rank))
    args = objective.kernel_args()
    kind, agg, phi, indptr, indices, data, dense, w, b = args
    cur = objective.new_state()
    init = np.empty(n)
    K.fill_gains(args, cur, np.arange(n, dtype=np.int64), init, objective.nnz)
    evals, tests = n, 0
    state = matroid._start()
    heap = [(-float(init[j]), j) for j in range(n)]
    heapq.heapify(heap)
    sel, gains, value = [], [], 0.0
    while heap and len(sel) < limit:
        if not lazy and sel:  # naive: refresh every remaining key
            heap = [(-float(K.gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)), j)
                    for _, j in heap]
            evals += len(heap)
            heapq.heapify(heap)
        key, j = heapq.heappop(heap)
        tests += 1
        if not matroid._can_add(state, j):
            continue  # dependent now, dependent for good
        if lazy and sel:
            g = float(K.gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j))
            evals += 1
            if heap and (-g, j) > heap[0]:  # no longer ahead of the next stale key
                heapq.heappush(heap, (-g, j))
                continue
        else:
            g = -key
        matroid._add(state, j)
        K.commit(kind, agg, indptr, indices, data, dense, cur, j)
        sel.append(j)
        gains.append(g)
        value += g
    selection = np.asarray(sel, dtype=np.int64)
    if objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
        value = float(objective.evaluate(selection))
    return Solution(selection=selection, gains=np.asarray(gains, dtype=np.float64), value=float(value),
                    algorithm="lazy" if lazy else "naive",
                    stats={"evaluations": evals, "independence_tests": tests,
                           "seconds": time.perf_counter() - start, "n": n})
