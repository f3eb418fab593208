"""Numba kernels of the greedy family: naive, lazy (Minoux), stochastic and threshold greedy.

Every kernel reads the objective through the shared arrays
``(kind, agg, phi, indptr, indices, data, dense, w, b)`` and the state ``cur`` (updated in
place), calls :func:`submodkit.objectives.kernels.gain` / ``commit`` as module globals,
and writes the selection into preallocated arrays. Ties go to the smallest index, so
naive and lazy greedy return identical selections.

Constraint arrays, shared by naive and lazy greedy: ``costs`` and ``budget`` (knapsack;
``budget = inf`` for none), ``use_ratio`` (rank by gain / cost), ``groups`` (-1 = no
group) and ``capacities`` (partition matroid), ``k`` (cardinality), ``target`` (stop once
the value reaches it: set cover) and ``stop_at_zero`` (stop when the best gain is <= 0).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from submodkit.objectives.kernels import (
    commit,
    gain,
    gain_general,
    gain_max_csr,
    gain_max_dense,
    gains_of,
    row_code,
)


@njit(cache=True, nogil=True, inline="always")
def _before(ka, ia, kb, ib):
    """Whether key ``ka`` of index ``ia`` ranks before key ``kb`` of index ``ib``."""
    return ka > kb or (ka == kb and ia < ib)


@njit(cache=True, nogil=True, inline="always")
def _key(g, cost, use_ratio):
    if not use_ratio:
        return g
    if cost > 0.0:
        return g / cost
    return np.inf if g > 0.0 else 0.0


@njit(cache=True, nogil=True)
def _sift_down(hk, hi, pos, size):
    while True:
        left = 2 * pos + 1
        if left >= size:
            return
        best = left
        right = left + 1
        if right < size and _before(hk[right], hi[right], hk[left], hi[left]):
            best = right
        if _before(hk[best], hi[best], hk[pos], hi[pos]):
            hk[pos], hk[best] = hk[best], hk[pos]
            hi[pos], hi[best] = hi[best], hi[pos]
            pos = best
        else:
            return


@njit(cache=True, nogil=True)
def _sift_up(hk, hi, pos):
    while pos > 0:
        parent = (pos - 1) // 2
        if _before(hk[pos], hi[pos], hk[parent], hi[parent]):
            hk[pos], hk[parent] = hk[parent], hk[pos]
            hi[pos], hi[parent] = hi[parent], hi[pos]
            pos = parent
        else:
            return


@njit(cache=True, nogil=True)
def _pop(hk, hi, size):
    """Remove the top; return the new size."""
    size -= 1
    if size > 0:
        hk[0] = hk[size]
        hi[0] = hi[size]
        _sift_down(hk, hi, 0, size)
    return size


@njit(cache=True, nogil=True, inline="always")
def _fits(j, spent, costs, budget, groups, taken, capacities):
    if costs[j] > budget - spent + 1e-12 * max(1.0, abs(budget)):
        return False
    gr = groups[j]
    if gr >= 0 and taken[gr] >= capacities[gr]:
        return False
    return True


@njit(cache=True, nogil=True)
def lazy_greedy(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur,
    candidates, k, costs, budget, use_ratio, groups, capacities, target, stop_at_zero,
    sel_out, gain_out, init_gains, bounds_out,
):
    """Lazy greedy (Minoux 1978) with an array max-heap of stale upper bounds.

    ``init_gains[j]`` must hold the gain of every candidate j in the initial state
    (computed by the caller, in parallel). On return, ``bounds_out[j]`` holds, for every
    candidate left in the heap, its last computed key (without ``use_ratio``: an upper
    bound on its final gain); other entries are left as the caller set them. Returns
    ``(n_selected, value, evaluations)`` counting the evaluations after the initial ones.
    """
    n_c = candidates.shape[0]
    fast = row_code(kind, agg, phi)
    hk = np.empty(n_c, dtype=np.float64)
    hi = np.empty(n_c, dtype=np.int64)
    taken = np.zeros(capacities.shape[0], dtype=np.int64)
    size = 0
    for t in range(n_c):
        j = candidates[t]
        if _fits(j, 0.0, costs, budget, groups, taken, capacities):
            hk[size] = _key(init_gains[j], costs[j], use_ratio)
            hi[size] = j
            size += 1
    evals = 0
    for pos in range(size // 2 - 1, -1, -1):
        _sift_down(hk, hi, pos, size)
    n_sel = 0
    value = 0.0
    spent = 0.0
    while n_sel < k and size > 0 and value < target:
        j = hi[0]
        if not _fits(j, spent, costs, budget, groups, taken, capacities):
            size = _pop(hk, hi, size)
            continue
        if fast == 1:
            g = gain_max_dense(dense, w, cur, j)
        elif fast == 2:
            g = gain_max_csr(indptr, indices, data, w, cur, j)
        else:
            g = gain_general(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
        evals += 1
        key = _key(g, costs[j], use_ratio)
        size = _pop(hk, hi, size)
        if size == 0 or _before(key, j, hk[0], hi[0]):
            if stop_at_zero and g <= 0.0:
                break
            commit(kind, agg, indptr, indices, data, dense, cur, j)
            sel_out[n_sel] = j
            gain_out[n_sel] = g
            n_sel += 1
            value += g
            spent += costs[j]
            if groups[j] >= 0:
                taken[groups[j]] += 1
        else:
            hk[size] = key
            hi[size] = j
            _sift_up(hk, hi, size)
            size += 1
    for t in range(size):
        bounds_out[hi[t]] = hk[t]
    return n_sel, value, evals


@njit(cache=True, nogil=True)
def lazy_cover(kind, agg, phi, indptr, indices, data, dense, w, b, cur, costs, target, k,
               sel_out, gain_out, init_gains):
    """Wolsey's greedy for submodular cover, lazily: the largest truncated gain per unit
    cost, ``min(f(S + j), target) - f(S)`` over ``costs[j]``, until ``f(S) >= target`` or k
    items. Truncated gains of a submodular f are submodular (``min(f, target)`` is), so a
    stale key stays an upper bound. Returns ``(n_selected, value, evaluations)``."""
    n = init_gains.shape[0]
    hk = np.empty(n, dtype=np.float64)
    hi = np.empty(n, dtype=np.int64)
    for j in range(n):
        hk[j] = min(init_gains[j], target) / costs[j]
        hi[j] = j
    size = n
    for pos in range(size // 2 - 1, -1, -1):
        _sift_down(hk, hi, pos, size)
    n_sel = 0
    value = 0.0
    evals = 0
    while n_sel < k and size > 0 and value < target:
        j = hi[0]
        g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
        evals += 1
        key = min(g, target - value) / costs[j]
        size = _pop(hk, hi, size)
        if size == 0 or _before(key, j, hk[0], hi[0]):
            if g <= 0.0:
                break
            commit(kind, agg, indptr, indices, data, dense, cur, j)
            sel_out[n_sel] = j
            gain_out[n_sel] = g
            n_sel += 1
            value += g
        else:
            hk[size] = key
            hi[size] = j
            _sift_up(hk, hi, size)
            size += 1
    return n_sel, value, evals


@njit(cache=True, nogil=True)
def naive_greedy(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur,
    candidates, k, costs, budget, use_ratio, groups, capacities, target, stop_at_zero,
    sel_out, gain_out, init_gains, bounds_out,
):
    """Classic greedy (Nemhauser, Wolsey, Fisher 1978): every gain, every step.

    ``init_gains`` and ``bounds_out`` as in :func:`lazy_greedy` (here the gains of the
    last step, upper bounds on the final gains).
    """
    n_c = candidates.shape[0]
    fast = row_code(kind, agg, phi)
    now = np.empty(n_c, dtype=np.float64)
    for t in range(n_c):
        now[t] = init_gains[candidates[t]]
    evals = 0
    alive = np.ones(n_c, dtype=np.bool_)
    taken = np.zeros(capacities.shape[0], dtype=np.int64)
    n_sel = 0
    value = 0.0
    spent = 0.0
    while n_sel < k and value < target:
        best_t = -1
        best_key = 0.0
        for t in range(n_c):
            if not alive[t]:
                continue
            j = candidates[t]
            if not _fits(j, spent, costs, budget, groups, taken, capacities):
                alive[t] = False
                continue
            if n_sel > 0:
                if fast == 1:
                    now[t] = gain_max_dense(dense, w, cur, j)
                elif fast == 2:
                    now[t] = gain_max_csr(indptr, indices, data, w, cur, j)
                else:
                    now[t] = gain_general(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
                evals += 1
            key = _key(now[t], costs[j], use_ratio)
            if best_t < 0 or _before(key, j, best_key, candidates[best_t]):
                best_t = t
                best_key = key
        if best_t < 0 or (stop_at_zero and now[best_t] <= 0.0):
            break
        j = candidates[best_t]
        alive[best_t] = False
        commit(kind, agg, indptr, indices, data, dense, cur, j)
        sel_out[n_sel] = j
        gain_out[n_sel] = now[best_t]
        n_sel += 1
        value += now[best_t]
        spent += costs[j]
        if groups[j] >= 0:
            taken[groups[j]] += 1
    for t in range(n_c):
        if alive[t]:
            bounds_out[candidates[t]] = _key(now[t], costs[candidates[t]], use_ratio)
    return n_sel, value, evals


@njit(cache=True, nogil=True)
def cardinality_greedy(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur, k, lazy, sel_out, gain_out,
    init_gains, bounds_out,
):
    """Naive or lazy greedy over every item under a cardinality constraint alone, initial
    gains included: one kernel call, and no Python-side setup of the constraint arrays,
    where the general path makes two calls (on small instances that setup, not the
    arithmetic, was most of a fit).

    Same results as :func:`gains_of` followed by :func:`lazy_greedy` / :func:`naive_greedy`
    with no costs, groups or target: fills ``init_gains`` (every item's gain in the state
    ``cur``) and ``bounds_out`` (-inf, then the final heap keys), and returns
    ``(n_selected, value, evaluations after the initial ones)``.
    """
    n = init_gains.shape[0]
    candidates = np.arange(n)
    gains_of(kind, agg, phi, indptr, indices, data, dense, w, b, cur, candidates, init_gains)
    bounds_out[:] = -np.inf
    costs = np.zeros(n)
    groups = np.full(n, -1, dtype=np.int64)
    capacities = np.zeros(0, dtype=np.int64)
    if lazy:
        return lazy_greedy(
            kind, agg, phi, indptr, indices, data, dense, w, b, cur, candidates, k, costs, np.inf,
            False, groups, capacities, np.inf, False, sel_out, gain_out, init_gains, bounds_out,
        )
    return naive_greedy(
        kind, agg, phi, indptr, indices, data, dense, w, b, cur, candidates, k, costs, np.inf,
        False, groups, capacities, np.inf, False, sel_out, gain_out, init_gains, bounds_out,
    )


@njit(cache=True, nogil=True)
def stochastic_greedy(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur,
    candidates, k, sample_size, uniforms, sel_out, gain_out,
):
    """Stochastic greedy (Mirzasoleiman et al. 2015), cardinality constraint.

    Each step draws ``sample_size`` of the remaining candidates without replacement (a
    partial Fisher-Yates shuffle driven by ``uniforms``) and adds the best of them.
    """
    rem = candidates.copy()
    n_rem = rem.shape[0]
    n_sel = 0
    value = 0.0
    evals = 0
    u = 0
    while n_sel < k and n_rem > 0:
        s = min(sample_size, n_rem)
        best_t = -1
        best_g = 0.0
        for t in range(s):
            r = t + int(uniforms[u] * (n_rem - t))
            u += 1
            if r >= n_rem:
                r = n_rem - 1
            rem[t], rem[r] = rem[r], rem[t]
            j = rem[t]
            g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
            evals += 1
            if best_t < 0 or _before(g, j, best_g, rem[best_t]):
                best_t = t
                best_g = g
        j = rem[best_t]
        commit(kind, agg, indptr, indices, data, dense, cur, j)
        sel_out[n_sel] = j
        gain_out[n_sel] = best_g
        n_sel += 1
        value += best_g
        n_rem -= 1
        rem[best_t] = rem[n_rem]
    return n_sel, value, evals


@njit(cache=True, nogil=True)
def threshold_greedy(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur,
    candidates, k, epsilon, sel_out, gain_out, init_gains,
):
    """Decreasing-threshold greedy (Badanidiyuru and Vondrak 2014), cardinality constraint.

    Thresholds go from the best singleton value d down to ``epsilon * d / n`` by factors
    ``(1 - epsilon)``; a candidate is added when its gain reaches the threshold. Stale
    gains are upper bounds (submodularity), so a candidate is only re-evaluated when its
    last gain reaches the threshold. ``init_gains`` as in :func:`lazy_greedy`.
    """
    n_c = candidates.shape[0]
    ub = np.empty(n_c, dtype=np.float64)
    d = 0.0
    for t in range(n_c):
        ub[t] = init_gains[candidates[t]]
        if ub[t] > d:
            d = ub[t]
    evals = 0
    alive = np.ones(n_c, dtype=np.bool_)
    n_sel = 0
    value = 0.0
    if d <= 0.0 or k == 0:
        return n_sel, value, evals
    thr = d
    floor = epsilon * d / n_c
    while thr >= floor and n_sel < k:
        for t in range(n_c):
            if not alive[t] or ub[t] < thr:
                continue
            j = candidates[t]
            g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
            evals += 1
            ub[t] = g
            if g >= thr:
                commit(kind, agg, indptr, indices, data, dense, cur, j)
                alive[t] = False
                sel_out[n_sel] = j
                gain_out[n_sel] = g
                n_sel += 1
                value += g
                if n_sel == k:
                    break
        thr *= 1.0 - epsilon
    return n_sel, value, evals


@njit(cache=True, nogil=True)
def facility_greedy_csr(indptr, indices, data, n_cols, k, chosen, cur):
    """Plain greedy for facility location on a CSR similarity (rows candidates, columns
    elements): k rounds of the largest ``sum_u max(sim[j, u] - cur[u], 0)``, ties to the
    smallest j, stopping at a gain <= 0. Writes the picks in order into ``chosen`` and each
    element's best similarity into ``cur`` (zeros on entry); returns how many were picked.
    O(k nnz) time, no allocation beyond one flag per candidate."""
    n = indptr.shape[0] - 1
    taken = np.zeros(n, dtype=np.bool_)
    count = 0
    for _ in range(min(k, n)):
        best, bj = 0.0, -1
        for j in range(n):
            if taken[j]:
                continue
            g = 0.0
            for p in range(indptr[j], indptr[j + 1]):
                d = data[p] - cur[indices[p]]
                if d > 0.0:
                    g += d
            if g > best:
                best, bj = g, j
        if bj < 0:
            break
        taken[bj] = True
        chosen[count] = bj
        count += 1
        for p in range(indptr[bj], indptr[bj + 1]):
            if data[p] > cur[indices[p]]:
                cur[indices[p]] = data[p]
    return count
