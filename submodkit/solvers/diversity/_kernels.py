"""Numba kernels of the diversity solvers: max-sum greedy and GIST's greedy independent set.

Distances come from :mod:`submodkit.objectives.distances` (``metric, X, D``), a quality
term from the shared objective kernels (``kind, agg, phi, indptr, indices, data, dense,
w, b, cur``); both are called as module globals, so the on-disk cache holds.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from submodkit.objectives.distances import update_min_auto, update_sum
from submodkit.objectives.kernels import commit, gain
from submodkit.solvers.submodular._kernels import _before, _pop, _sift_down, _sift_up


@njit(cache=True, nogil=True)
def maxsum_greedy(metric, X, D, first, k, sel, gains, total):
    """Max-sum greedy: ``sel[0] = first``, then repeatedly the point with the largest sum of
    distances to the selection. ``total`` ends as each point's distance sum; returns the
    count."""
    n = total.shape[0]
    taken = np.zeros(n, dtype=np.bool_)
    zero = np.zeros(n)
    for u in range(n):
        total[u] = 0.0
    c = first
    cnt = 0
    g = 0.0
    for step in range(k):
        sel[step] = c
        gains[step] = g
        taken[c] = True
        cnt += 1
        nxt = update_sum(metric, X, D, c, total, zero, taken)
        if nxt < 0:
            break
        g = total[nxt]
        c = nxt
    return cnt


@njit(cache=True, nogil=True)
def greedy_independent_set(
    metric, X, D, kind, agg, phi, indptr, indices, data, dense, w, b, cur, init, k, thr,
    sel, gains, mind, taken,
):
    """Lazy greedy by utility over the points at distance >= ``thr`` from every chosen one
    (an independent set of the threshold graph ``d < thr``); GIST's inner loop.

    ``cur`` is the utility's empty state (updated in place), ``init`` the gains at the empty
    set. ``mind`` ends as each point's distance to the selection. Returns
    ``(count, evaluations)``.
    """
    n = init.shape[0]
    hk = np.empty(n, dtype=np.float64)
    hi = np.empty(n, dtype=np.int64)
    for u in range(n):
        hk[u] = init[u]
        hi[u] = u
        mind[u] = np.inf
        taken[u] = False
    size = n
    for pos in range(size // 2 - 1, -1, -1):
        _sift_down(hk, hi, pos, size)
    cnt = 0
    evals = 0
    while cnt < k and size > 0:
        j = hi[0]
        if taken[j] or mind[j] < thr:
            size = _pop(hk, hi, size)
            continue
        g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
        evals += 1
        size = _pop(hk, hi, size)
        if size == 0 or _before(g, j, hk[0], hi[0]):
            commit(kind, agg, indptr, indices, data, dense, cur, j)
            sel[cnt] = j
            gains[cnt] = g
            taken[j] = True
            cnt += 1
            if cnt < k:
                update_min_auto(metric, X, D, j, mind, taken)
        else:
            hk[size] = g
            hi[size] = j
            _sift_up(hk, hi, size)
            size += 1
    return cnt, evals
