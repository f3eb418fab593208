"""Numba kernels of the online allocation algorithms: one pass over the arrival stream.

One kernel, :func:`run`, serves every algorithm (``alg`` selects the score); per arrival
it scans the eligible advertisers (CSR row), picks the best score (ties: smallest index),
and commits. Three resource modes: budgets (charge ``min(bid, remaining)``), unit
capacities with free disposal (each advertiser keeps its best ``cap`` values in a sorted
slice of one shared array), hard capacities (assign only when the consumption fits).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

GREEDY, BALANCE, MSVV, PRIMAL_DUAL, TRAINING, DMD = 0, 1, 2, 3, 4, 5
MODE_BUDGET, MODE_DISPOSAL, MODE_HARD = 0, 1, 2


@njit(cache=True, nogil=True)
def _fd_insert(a, v, p, sval, spos, off, count, cap, assign):
    """Insert value v (stream position p) in advertiser a's ascending slice; dispose the smallest if full."""
    base = off[a]
    k = count[a]
    if k < cap[a]:
        i = k
        while i > 0 and sval[base + i - 1] > v:
            sval[base + i] = sval[base + i - 1]
            spos[base + i] = spos[base + i - 1]
            i -= 1
        sval[base + i] = v
        spos[base + i] = p
        count[a] = k + 1
        return
    assign[spos[base]] = -1
    i = 0
    while i + 1 < k and sval[base + i + 1] < v:
        sval[base + i] = sval[base + i + 1]
        spos[base + i] = spos[base + i + 1]
        i += 1
    sval[base + i] = v
    spos[base + i] = p


@njit(cache=True, nogil=True)
def _fd_beta(a, sval, off, count, cap):
    """Exponentially weighted average of a's kept values (Feldman et al. 2009): smaller values weigh more."""
    n = cap[a]
    r = 1.0 + 1.0 / n
    e_n = r**n
    base = off[a]
    k = count[a]
    s = 0.0
    w = 1.0
    for i in range(k):  # v_1 >= v_2 >= ...: the largest is at the end of the ascending slice
        s += sval[base + k - 1 - i] * w
        w *= r
    return s / (n * (e_n - 1.0))


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
):
    """Process the stream ``order`` (instance rows); return (advertiser per position, value collected).

    ``dual``: initial duals (training: LP duals; DMD: mu_0, normalized; primal-dual
    budgets: x_a = 0), modified in place. Positions before ``start`` are not allocated
    (training phase). ``mirror``: 0 projected gradient, 1 multiplicative weights.
    """
    n = order.size
    n_adv = budgets.size
    assign = np.full(n, -1, dtype=np.int64)
    gained = np.zeros(n)
    rem = budgets.copy()
    count = np.zeros(n_adv, dtype=np.int64)
    sval = np.empty(off[n_adv])
    spos = np.empty(off[n_adv], dtype=np.int64)
    last = np.zeros(n_adv, dtype=np.int64)  # DMD: step at which dual[a] is current
    horizon = float(n)
    rho = np.empty(n_adv)
    for a in range(n_adv):
        rho[a] = budgets[a] / (horizon * cscale)
    for p in range(start, n):
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
                if full and not (alg == GREEDY or alg == PRIMAL_DUAL):
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
                if score == 0.0:
                    score = 1e-300  # ties with the dual price are still taken
            else:  # DMD: materialize the lazily decayed dual
                k = p - last[a]
                if k > 0:
                    if mirror == 0:
                        dual[a] = max(0.0, dual[a] - eta * rho[a] * k)
                    else:
                        dual[a] *= math.exp(-eta * rho[a] * k)
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
            if alg == GREEDY or alg == PRIMAL_DUAL:  # the only ones that may dispose later
                _fd_insert(a, v, p, sval, spos, off, count, cap, assign)
            else:
                count[a] += 1
            gained[p] = v
            if alg == PRIMAL_DUAL:
                dual[a] = _fd_beta(a, sval, off, count, cap)
        else:
            rem[a] -= c
            gained[p] = v
        if alg == DMD:  # the chosen advertiser's step: g = rho - c
            g = rho[a] - c / cscale
            if mirror == 0:
                dual[a] = max(0.0, dual[a] - eta * g)
            else:
                dual[a] *= math.exp(-eta * g)
            last[a] = p + 1
    if mode == MODE_DISPOSAL:  # value = kept values (disposed positions were reset to -1)
        for p in range(n):
            if assign[p] < 0:
                gained[p] = 0.0
    return assign, gained
