"""Numba kernel of the sieve family: Sieve-Streaming and Sieve-Streaming++.

One call processes a batch of arriving items, one at a time and in order, so the state
after a stream does not depend on how the stream was cut into batches.

Thresholds are powers ``(1 + epsilon)^i``, identified by their integer exponent ``i``.
The live exponents always form a range ``[lo, hi]`` that only moves up (the maximum
singleton value and the lower bound on OPT only grow), so they live in a ring buffer of
``C`` slots: exponent ``i`` sits in slot ``i mod C``. Per slot: the exponent
(``slot_exp``), the objective's state vector (``states[slot]``, a row of a 2-D array
``[C, state_size]``), the selection (``sels[slot, :sizes[slot]]``), its gains and its
value. The best set ever evicted is kept aside (``best_*``) so the answer never gets
worse when a threshold leaves the range.

``scal`` (float64): ``[m (max singleton value), lb (best value ever), best_value]``.
``ints`` (int64): ``[lo, hi, active, best_size, evaluations, items, peak_stored]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from submodkit.objectives.kernels import commit, gain

S_M = 0
S_LB = 1
S_BEST = 2

I_LO = 0
I_HI = 1
I_ACTIVE = 2
I_BEST_SIZE = 3
I_EVALS = 4
I_ITEMS = 5
I_PEAK = 6


@njit(cache=True, nogil=True)
def _range(plus_plus, m, lb, k, log_base):
    """The live exponent range ``[lo, hi]`` for max singleton ``m`` and lower bound ``lb``."""
    if plus_plus:
        # Sieve-Streaming++: tau in [tau_min / (1 + eps), m], tau_min = max(lb, m) / (2k)
        tau_min = max(lb, m) / (2.0 * k)
        lo = int(math.ceil(math.log(tau_min) / log_base - 1.0))
        hi = int(math.floor(math.log(m) / log_base))
    else:
        # Sieve-Streaming: v (a guess of OPT) in [m, 2 k m]
        lo = int(math.ceil(math.log(m) / log_base))
        hi = int(math.floor(math.log(2.0 * k * m) / log_base))
    return lo, hi


@njit(cache=True, nogil=True)
def _evict(slot, k, sizes, values, sels, gains_arr, slot_exp, scal, ints, best_sel, best_gains):
    if sizes[slot] > 0 and values[slot] > scal[S_BEST]:
        scal[S_BEST] = values[slot]
        ints[I_BEST_SIZE] = sizes[slot]
        for t in range(sizes[slot]):
            best_sel[t] = sels[slot, t]
            best_gains[t] = gains_arr[slot, t]
    sizes[slot] = 0
    values[slot] = 0.0
    slot_exp[slot] = np.iinfo(np.int64).min


@njit(cache=True, nogil=True)
def sieve_update(
    kind, agg, phi, indptr, indices, data, dense, w, b, empty,
    items, k, log_base, plus_plus,
    slot_exp, states, sizes, values, sels, gains_arr,
    scal, ints, best_sel, best_gains,
):
    """Feed ``items`` (in order) to the sieve; every array after ``plus_plus`` is updated in place.

    ``empty`` is the objective's state of the empty selection. Sieve-Streaming (Badanidiyuru
    et al. 2014) adds item e to the set of guess v when ``|S_v| < k`` and
    ``gain(e | S_v) >= (v/2 - f(S_v)) / (k - |S_v|)``; Sieve-Streaming++ (Kazemi et al. 2019)
    when ``|S_tau| < k`` and ``gain(e | S_tau) >= tau``. Only positive gains are added.
    """
    C = slot_exp.shape[0]
    base = math.exp(log_base)
    for t in range(items.shape[0]):
        j = items[t]
        ints[I_ITEMS] += 1
        s = gain(kind, agg, phi, indptr, indices, data, dense, w, b, empty, j)
        ints[I_EVALS] += 1
        if s > scal[S_M]:
            scal[S_M] = s
        m = scal[S_M]
        if m <= 0.0 or k == 0:
            continue
        lo, hi = _range(plus_plus, m, scal[S_LB], k, log_base)
        if ints[I_ACTIVE] == 0:
            for i in range(lo, hi + 1):
                slot = i % C
                _evict(slot, k, sizes, values, sels, gains_arr, slot_exp, scal, ints, best_sel, best_gains)
                slot_exp[slot] = i
                states[slot, :] = empty
            ints[I_ACTIVE] = 1
        else:
            old_lo = ints[I_LO]
            old_hi = ints[I_HI]
            if lo < old_lo:  # never happens (m and lb only grow); guards against rounding
                lo = old_lo
            if hi < old_hi:
                hi = old_hi
            for i in range(old_lo, min(old_hi, lo - 1) + 1):
                _evict(i % C, k, sizes, values, sels, gains_arr, slot_exp, scal, ints, best_sel, best_gains)
            for i in range(max(old_hi + 1, lo), hi + 1):
                slot = i % C
                _evict(slot, k, sizes, values, sels, gains_arr, slot_exp, scal, ints, best_sel, best_gains)
                slot_exp[slot] = i
                states[slot, :] = empty
        ints[I_LO] = lo
        ints[I_HI] = hi
        for i in range(lo, hi + 1):
            slot = i % C
            size = sizes[slot]
            if size >= k:
                continue
            g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, states[slot], j)
            ints[I_EVALS] += 1
            if g <= 0.0:
                continue
            thr = base**i
            if plus_plus:
                ok = g >= thr
            else:
                ok = g >= (thr / 2.0 - values[slot]) / (k - size)
            if not ok:
                continue
            dup = False
            for q in range(size):
                if sels[slot, q] == j:
                    dup = True
                    break
            if dup:
                continue
            commit(kind, agg, indptr, indices, data, dense, states[slot], j)
            sels[slot, size] = j
            gains_arr[slot, size] = g
            sizes[slot] = size + 1
            values[slot] += g
            if values[slot] > scal[S_LB]:
                scal[S_LB] = values[slot]
        stored = 0
        for i in range(lo, hi + 1):
            stored += sizes[i % C]
        if stored > ints[I_PEAK]:
            ints[I_PEAK] = stored


@njit(cache=True, nogil=True)
def threshold_pass(kind, agg, phi, indptr, indices, data, dense, w, b, cur, items, tau, room, out, out_gains):
    """Threshold greedy over ``items`` in order from the state ``cur``: an item whose gain is at
    least ``tau`` is added (committed to ``cur``), until ``room`` items were added. Returns
    ``(added, evaluations)``; the added items and their gains are in ``out``/``out_gains``."""
    t = 0
    evals = 0
    for idx in range(items.shape[0]):
        if t >= room:
            break
        j = items[idx]
        g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
        evals += 1
        if g >= tau:
            commit(kind, agg, indptr, indices, data, dense, cur, j)
            out[t] = j
            out_gains[t] = g
            t += 1
    return t, evals

