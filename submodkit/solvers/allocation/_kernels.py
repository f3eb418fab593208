"""Numba kernels of the online allocation algorithms: one pass over the arrival stream.

One kernel, :func:`run`, serves every algorithm (``alg`` selects the score); per arrival
it scans the eligible advertisers (CSR row), picks the best score (ties: smallest index),
and commits. Three resource modes: budgets (charge ``min(bid, remaining)``), unit
capacities with free disposal (each advertiser keeps its best ``cap`` values in a slice of
one shared array: a min-heap, O(log cap) per insertion; primal-dual also keeps a segment
tree over each advertiser's eligible values for its rank-weighted average, O(log nnz)),
hard capacities (assign only when the consumption fits).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

GREEDY, BALANCE, MSVV, PRIMAL_DUAL, TRAINING, DMD = 0, 1, 2, 3, 4, 5
MODE_BUDGET, MODE_DISPOSAL, MODE_HARD = 0, 1, 2


@njit(cache=True, nogil=True)
def _heap_insert(a, v, p, sval, spos, off, count, cap, assign):
    """Keep v (stream position p) in advertiser a's min-heap of kept values; when full, the
    smallest kept value is disposed (its assignment reset to -1). O(log cap)."""
    base = off[a]
    k = count[a]
    if k < cap[a]:  # sift up
        i = k
        while i > 0:
            parent = (i - 1) >> 1
            if sval[base + parent] <= v:
                break
            sval[base + i] = sval[base + parent]
            spos[base + i] = spos[base + parent]
            i = parent
        sval[base + i] = v
        spos[base + i] = p
        count[a] = k + 1
        return
    assign[spos[base]] = -1  # replace the root, sift down
    i = 0
    while True:
        c = 2 * i + 1
        if c >= k:
            break
        if c + 1 < k and sval[base + c + 1] < sval[base + c]:
            c += 1
        if sval[base + c] >= v:
            break
        sval[base + i] = sval[base + c]
        spos[base + i] = spos[base + c]
        i = c
    sval[base + i] = v
    spos[base + i] = p


@njit(cache=True, nogil=True)
def _seg_update(leaf, delta, v, base, size, r, tcnt, tsum):
    """Add ``delta`` copies of value v at ``leaf`` of one advertiser's segment tree (leaves in
    descending value order; node = (count, sum_i v_i r^(i-1) over its values by rank)). O(log)."""
    i = size + leaf
    c = tcnt[base + i] + delta
    tcnt[base + i] = c
    tsum[base + i] = v * (r**c - 1.0) / (r - 1.0)  # c copies: v (1 + r + ... + r^(c-1))
    i >>= 1
    while i >= 1:
        lc = tcnt[base + 2 * i]
        tcnt[base + i] = lc + tcnt[base + 2 * i + 1]
        tsum[base + i] = tsum[base + 2 * i] + r**lc * tsum[base + 2 * i + 1]
        i >>= 1


@njit(cache=True, nogil=True)
def run(
    alg,
    mode,
    indptr,
    indices,
    vals,
    cons,
    order,
    budgets,
    cap,
    off,
    start,
    dual,
    eta,
    mirror,
    vscale,
    cscale,
    bjn_c,
    stepw,
    leafpos,
    toff,
    tsize,
    stop,
    dispose,
    assign,
    gained,
    rem,
    count,
    sval,
    spos,
):
    """Process positions ``start..stop-1`` of the stream ``order`` (instance rows) from the
    state ``(assign, gained, rem, count, sval, spos)`` (see :func:`new_state`), updated in
    place, so that several calls can continue one run (``"dual-resolve"`` re-solves its
    prices between them). ``assign[p]`` is the advertiser of position p (-1: none, or
    disposed), ``gained[p]`` its value (free disposal: zero it where ``assign < 0`` at the end).

    ``dual``: initial duals (training: LP duals; DMD: mu_0, normalized; primal-dual
    budgets: x_a = 0), modified in place. Positions before ``start`` are not allocated
    (training phase). ``mirror``: 0 projected gradient, 1 multiplicative weights.
    ``stepw``: DMD's per-advertiser step multiplier (1 / rho_a: the weighted reference
    function ``sum_a rho_a h(mu_a)``; ones: the plain one). ``leafpos``, ``toff``, ``tsize``:
    primal-dual with free disposal: each eligible entry's rank (descending value) within
    its advertiser, and each advertiser's segment tree offset / leaf count (power of 2),
    so that the exponentially weighted average of the kept values (Feldman et al.) is
    maintained in O(log) per assignment.
    """
    n = order.size
    n_adv = budgets.size
    last = np.full(n_adv, start, dtype=np.int64)  # DMD: step at which dual[a] is current
    seg = alg == PRIMAL_DUAL and mode == MODE_DISPOSAL
    tcnt = np.zeros(toff[n_adv] if seg else 0, dtype=np.int64)
    tsum = np.zeros(toff[n_adv] if seg else 0)
    pent = np.full(n if seg else 0, -1, dtype=np.int64)  # entry kept at each stream position
    horizon = float(n)
    rho = np.empty(n_adv)
    for a in range(n_adv):
        rho[a] = budgets[a] / (horizon * cscale)
    for p in range(start, stop):
        row = order[p]
        best = -1
        best_score = -np.inf
        for e in range(indptr[row], indptr[row + 1]):
            a = indices[e]
            v = vals[e]
            c = cons[e]
            # feasibility and the gain this assignment would bring
            if mode == MODE_BUDGET:
                if rem[a] <= 0.0:
                    continue
                eff = v if v < rem[a] else rem[a]
            elif mode == MODE_DISPOSAL:
                if cap[a] == 0:
                    continue
                full = count[a] >= cap[a]
                if full and not (alg == GREEDY or alg == PRIMAL_DUAL or dispose):
                    continue
                eff = v - sval[off[a]] if full else v
                if eff <= 0.0:
                    continue
            else:
                if c > rem[a] + 1e-12:
                    continue
                eff = v
            if alg == GREEDY:
                score = eff
            elif alg == BALANCE:
                if mode == MODE_DISPOSAL:
                    score = (cap[a] - count[a]) / cap[a]
                else:
                    score = rem[a] / budgets[a]
            elif alg == MSVV:
                if mode == MODE_DISPOSAL:
                    f = count[a] / cap[a]
                else:
                    f = 1.0 - rem[a] / budgets[a]
                score = eff * (1.0 - math.exp(f - 1.0))
            elif alg == PRIMAL_DUAL:
                if mode == MODE_BUDGET:
                    score = eff * (1.0 - dual[a])
                else:
                    score = v - dual[a]
            elif alg == TRAINING:
                score = v - dual[a] * c
                if dispose and eff < score:  # replacing a kept value gains only the difference
                    score = eff
                if score == 0.0:
                    score = 1e-300  # ties with the dual price are still taken
            else:  # DMD: materialize the lazily decayed dual
                k = p - last[a]
                if k > 0:
                    if mirror == 0:
                        dual[a] = max(0.0, dual[a] - eta * stepw[a] * rho[a] * k)
                    else:
                        dual[a] *= math.exp(-eta * stepw[a] * rho[a] * k)
                    last[a] = p
                score = v / vscale - dual[a] * c / cscale
            if score > best_score and score > 0.0:
                best_score = score
                best = e
        if best < 0:
            continue
        a = indices[best]
        v = vals[best]
        c = cons[best]
        assign[p] = a
        if mode == MODE_BUDGET:
            eff = v if v < rem[a] else rem[a]
            rem[a] -= eff
            gained[p] = eff
            if alg == PRIMAL_DUAL:
                dual[a] = dual[a] * (1.0 + eff / budgets[a]) + eff / ((bjn_c - 1.0) * budgets[a])
        elif mode == MODE_DISPOSAL:
            if alg == GREEDY or dispose:  # min-heap: O(log cap)
                _heap_insert(a, v, p, sval, spos, off, count, cap, assign)
            elif alg == PRIMAL_DUAL:  # min-heap + segment tree of the kept values: O(log)
                r = 1.0 + 1.0 / cap[a]
                if count[a] >= cap[a]:
                    q = spos[off[a]]
                    _seg_update(leafpos[pent[q]], -1, vals[pent[q]], toff[a], tsize[a], r, tcnt, tsum)
                _heap_insert(a, v, p, sval, spos, off, count, cap, assign)
                pent[p] = best
                _seg_update(leafpos[best], 1, v, toff[a], tsize[a], r, tcnt, tsum)
                e_n = r ** cap[a]
                dual[a] = tsum[toff[a] + 1] / (cap[a] * (e_n - 1.0))
            else:
                count[a] += 1
            gained[p] = v
        else:
            rem[a] -= c
            gained[p] = v
        if alg == DMD:  # the chosen advertiser's step: g = rho - c
            g = rho[a] - c / cscale
            if mirror == 0:
                dual[a] = max(0.0, dual[a] - eta * stepw[a] * g)
            else:
                dual[a] *= math.exp(-eta * stepw[a] * g)
            last[a] = p + 1
    return assign, gained


def new_state(n: int, budgets: np.ndarray, off: np.ndarray) -> tuple:
    """The empty state of :func:`run` for n positions: ``(assign, gained, rem, count, sval, spos)``."""
    n_adv = budgets.size
    return (np.full(n, -1, dtype=np.int64), np.zeros(n), budgets.copy(), np.zeros(n_adv, dtype=np.int64),
            np.empty(off[n_adv]), np.empty(off[n_adv], dtype=np.int64))


@njit(cache=True, nogil=True)
def run_bicriteria(indptr, indices, vals, order, coins, cap, off, dispose, assign, gained, count, sval, spos):
    """Bicriteria weight / cardinality: position p follows the weight rule when
    ``coins[p]`` is 1 (the largest gain in kept weight: the value, less the smallest kept
    value of a full advertiser when ``dispose``), else the cardinality rule (BALANCE: the
    eligible advertiser with room and the largest free fraction of its capacity). When the
    chosen rule gains nothing (no eligible advertiser with room, or no positive weight gain),
    the other rule decides. Each advertiser keeps its best ``cap`` values in a min-heap
    (:func:`_heap_insert`); ``assign[p]`` is reset to -1 when position p's value is disposed."""
    for p in range(order.size):
        row = order[p]
        rule = coins[p]
        best = -1
        for _ in range(2):
            best_score = 0.0
            for e in range(indptr[row], indptr[row + 1]):
                a = indices[e]
                if cap[a] == 0:
                    continue
                full = count[a] >= cap[a]
                if rule == 1:
                    if full and not dispose:
                        continue
                    score = vals[e] - sval[off[a]] if full else vals[e]
                else:
                    if full:
                        continue
                    score = (cap[a] - count[a]) / cap[a]
                if score > best_score:
                    best_score = score
                    best = e
            if best >= 0:
                break
            rule = 1 - rule
        if best < 0:
            continue
        a = indices[best]
        assign[p] = a
        gained[p] = vals[best]
        _heap_insert(a, vals[best], p, sval, spos, off, count, cap, assign)
    return assign, gained


@njit(cache=True, nogil=True)
def run_hedged(indptr, indices, vals, order, prices, cap_plan, cap_open, assign, gained, used_plan,
               used_open):
    """The plan and the open part of each advertiser's capacity. Position p goes to the plan
    when some eligible advertiser has plan room and ``v - prices[a] >= 0`` (the largest such
    margin; the forecast's prices); otherwise to the open part by MSVV's discounted value
    ``v (1 - e^(f - 1))``, f the filled fraction of the open part (the largest positive one).
    Unit consumption, hard capacities. Ties: the smallest advertiser index."""
    for p in range(order.size):
        row = order[p]
        best = -1
        best_score = -np.inf
        for e in range(indptr[row], indptr[row + 1]):
            a = indices[e]
            if used_plan[a] >= cap_plan[a]:
                continue
            score = vals[e] - prices[a]
            if score >= 0.0 and score > best_score:
                best_score = score
                best = e
        if best >= 0:
            a = indices[best]
            used_plan[a] += 1
            assign[p] = a
            gained[p] = vals[best]
            continue
        best_score = 0.0
        for e in range(indptr[row], indptr[row + 1]):
            a = indices[e]
            if used_open[a] >= cap_open[a]:
                continue
            score = vals[e] * (1.0 - math.exp(used_open[a] / cap_open[a] - 1.0))
            if score > best_score:
                best_score = score
                best = e
        if best >= 0:
            a = indices[best]
            used_open[a] += 1
            assign[p] = a
            gained[p] = vals[best]
    return assign, gained
