"""Numba kernels of whole-page allocation: the best set of ads for one page at given prices
(exact, by branch and bound over the eligible ads), the slot-by-slot choice,
and the commit of an impression under free disposal with the exponentially weighted price of
Feldman et al. (kept values in descending order weighted by (1 + 1/C)^(i-1))."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _fits(chosen, k, ad, cats, per_category, excl):
    """Whether ``ad`` may join the ads chosen[:k] on one page. ``excl``: the excluded pairs as
    sorted keys ``min(a, b) * n_ads + max(a, b)`` (memory follows the pairs, not n_ads^2)."""
    n_ads = cats.size
    same = 0
    for j in range(k):
        b = chosen[j]
        key = min(ad, b) * n_ads + max(ad, b)
        pos = np.searchsorted(excl, key)
        if pos < excl.size and excl[pos] == key:
            return False
        if cats[b] == cats[ad]:
            same += 1
    return same < per_category


@njit(cache=True, nogil=True)
def page_bounds(vals, prices_of_ads, theta):
    """``ub[i, j]``: the most gain the ads from position i on can add in the slots from j on,
    the page's exclusions and category limits ignored (each ad taken or not, in value
    order: ``ub[i, j] = max(ub[i+1, j], vals[i] theta[j] - price_i + ub[i+1, j+1])``)."""
    m, slots = vals.size, theta.size
    ub = np.zeros((m + 1, slots + 1))
    for i in range(m - 1, -1, -1):
        for j in range(slots - 1, -1, -1):
            take = vals[i] * theta[j] - prices_of_ads[i] + ub[i + 1, j + 1]
            ub[i, j] = max(ub[i + 1, j], take)
    return ub


@njit(cache=True, nogil=True)
def best_page(ads, vals, prices, theta, cats, per_category, excl, out):
    """The set of ads (each at most once; at most len(theta); the page's constraints) that
    maximizes ``sum_k vals[k] theta[slot] - prices[ad]``, its ads placed in slots by value
    (descending: optimal for a fixed set by the rearrangement inequality). ``ads``, ``vals``:
    the page's eligible ads sorted by value, descending. Writes the chosen positions (indices
    into ads) to ``out``; returns (count, gain).

    Exact, by depth-first branch and bound over the ads in value order (take ad i in the
    next slot, or not), a branch cut when its gain plus :func:`page_bounds` (the page's
    constraints relaxed) cannot beat the best found by a relative 1e-12, nor tie it with
    fewer ads: among equal gains the page has the fewest ads, then comes first in value
    order (the exhaustive search's choice)."""
    m = ads.size
    slots = min(theta.size, m)
    price = np.empty(m)
    for i in range(m):
        price[i] = prices[ads[i]]
    ub = page_bounds(vals, price, theta[:slots])
    best_gain = 0.0
    best_k = 0
    chosen = np.empty(max(slots, 1), dtype=np.int64)  # the ads in slots 0..j-1
    pos = np.empty(max(slots, 1), dtype=np.int64)  # their positions in ads
    depth_k = np.zeros(m + 1, dtype=np.int64)  # per depth i: slots filled, gain, branch stage
    depth_gain = np.zeros(m + 1)
    stage = np.zeros(m + 1, dtype=np.int8)
    i = 0
    while i >= 0:
        j, gain = depth_k[i], depth_gain[i]
        if stage[i] == 0:  # entering: the ads chosen so far are a page
            # better by a relative 1e-12 (any scale of values), or as good with fewer ads (the
            # exhaustive search's choice among ties: fewest ads, then first in value order)
            if gain > best_gain * (1.0 + 1e-12) or (j < best_k and gain >= best_gain * (1.0 - 1e-12)):
                best_gain = gain
                best_k = j
                for q in range(j):
                    out[q] = pos[q]
            stage[i] = 1
            reach = gain + ub[i, j]  # the most a page below this node can gain
            if i == m or j == slots or reach < best_gain * (1.0 - 1e-12) or (
                    reach <= best_gain * (1.0 + 1e-12) and j + 1 >= best_k):
                i -= 1  # nothing better below, nor as good with fewer ads
                continue
            if _fits(chosen, j, ads[i], cats, per_category, excl):  # take ad i in slot j
                chosen[j] = ads[i]
                pos[j] = i
                depth_k[i + 1] = j + 1
                depth_gain[i + 1] = gain + vals[i] * theta[j] - price[i]
                stage[i + 1] = 0
                i += 1
                continue
        if stage[i] == 1:  # leave ad i out
            stage[i] = 2
            reach = gain + ub[i + 1, j]
            if reach > best_gain * (1.0 + 1e-12) or (j + 1 < best_k and reach >= best_gain * (1.0 - 1e-12)):
                depth_k[i + 1] = j
                depth_gain[i + 1] = gain
                stage[i + 1] = 0
                i += 1
                continue
        i -= 1
    return best_k, best_gain


@njit(cache=True, nogil=True)
def slot_by_slot(ads, vals, prices, theta, cats, per_category, excl, out):
    """Fill the slots from the top, each with the eligible ad (not yet on the page, fitting
    the page's constraints) of largest ``vals theta[s] - prices[ad]`` while positive; the
    page is then re-sorted by value (``out`` positions in descending value). Returns (count,
    gain at the slots chosen)."""
    m = ads.size
    chosen = np.empty(theta.size, dtype=np.int64)
    used = np.zeros(m, dtype=np.uint8)
    k = 0
    gain = 0.0
    for s in range(theta.size):
        best = -1
        best_gain = 0.0
        for i in range(m):
            if used[i] != 0 or not _fits(chosen, k, ads[i], cats, per_category, excl):
                continue
            g = vals[i] * theta[s] - prices[ads[i]]
            if g > best_gain * (1.0 + 1e-12):
                best_gain = g
                best = i
        if best < 0:
            break
        used[best] = 1
        chosen[k] = ads[best]
        out[k] = best
        gain += best_gain
        k += 1
    out[:k].sort()  # positions in ads are by value: sorted positions = slots by value
    return k, gain


@njit(cache=True, nogil=True)
def commit(ad, value, kept, count, off, cap, prices, priced):
    """Keep ``value`` for ``ad`` (its best ``cap`` values, the smallest disposed when full),
    then its price: 0 for greedy (``priced`` false), else Feldman et al.'s
    ``sum_i w_(i) r^(i-1) / (C (r^C - 1))`` over the kept values in descending order, r =
    1 + 1/C. Returns the gain in kept value. O(C log C)."""
    base = off[ad]
    c = cap[ad]
    k = count[ad]
    if k < c:
        kept[base + k] = value
        count[ad] = k + 1
        gained = value
    else:
        low = 0
        for i in range(1, c):
            if kept[base + i] < kept[base + low]:
                low = i
        gained = value - kept[base + low]
        if gained <= 0.0:
            return 0.0
        kept[base + low] = value
    if priced:
        vals = np.sort(kept[base:base + count[ad]])[::-1]
        r = 1.0 + 1.0 / c
        total = 0.0
        w = 1.0
        for i in range(vals.size):
            total += vals[i] * w
            w *= r
        prices[ad] = total / (c * (r**c - 1.0))
    return gained


@njit(cache=True, nogil=True)
def run_pages(rule, priced, indptr, indices, vals, order, theta, cats, per_category, excl, cap, off,
              chosen_ad, chosen_value):
    """Every page in ``order``: choose its ads (rule 0: the best page, 1: slot by slot) at the
    current prices (zero when ``priced`` is false: the greedy marginal gain of a full ad is
    then not seen, so its smallest kept value is used as its price), commit each impression.
    Writes per page and slot the ad (-1 none) and its value; returns the kept total."""
    n_ads = cap.size
    prices = np.zeros(n_ads)
    floor = np.zeros(n_ads)  # greedy: the smallest kept value of a full ad
    kept = np.zeros(off[n_ads])
    count = np.zeros(n_ads, dtype=np.int64)
    out = np.empty(theta.size, dtype=np.int64)
    total = 0.0
    for p in range(order.size):
        page = order[p]
        lo, hi = indptr[page], indptr[page + 1]
        if hi == lo:
            continue
        perm = np.argsort(-vals[lo:hi], kind="mergesort")
        ads = indices[lo:hi][perm]
        pv = vals[lo:hi][perm]
        cost = prices if priced else floor
        if rule == 0:
            k, _ = best_page(ads, pv, cost, theta, cats, per_category, excl, out)
        else:
            k, _ = slot_by_slot(ads, pv, cost, theta, cats, per_category, excl, out)
        for s in range(k):
            ad = ads[out[s]]
            value = pv[out[s]] * theta[s]
            chosen_ad[page, s] = ad
            chosen_value[page, s] = value
            total += commit(ad, value, kept, count, off, cap, prices, priced)
            if not priced and count[ad] >= cap[ad]:
                low = kept[off[ad]]
                for i in range(1, cap[ad]):
                    if kept[off[ad] + i] < low:
                        low = kept[off[ad] + i]
                floor[ad] = low
    return total
