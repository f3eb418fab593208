"""Numba kernels of categorical feature compression: interval partitions of a sorted vocabulary.

The vocabulary's values sit in a fixed order (for a binary label, by P(y = 1 | value)); a
bucket is an interval ``[a, b)`` of positions. ``cum`` is the prefix-sum table of the label
counts, shape ``(n + 1, c)``: ``cum[b, y] - cum[a, y]`` is how often label y occurs among the
values at positions a..b-1. A bucket's cost is its unnormalized conditional entropy

    W(a, b) = N log N - sum_y n_y log n_y   (N = sum_y n_y, natural logarithms),

so a partition's mutual information with the label is ``(W(0, n) - sum of its buckets'
W) / total``. Everything here reads ``cum`` only at indices the caller validated:
``0 <= a <= b <= n``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _xlogx(x):
    return x * math.log(x) if x > 0.0 else 0.0


@njit(cache=True, nogil=True)
def interval_cost(cum, a, b):
    """W(a, b): the bucket [a, b)'s count times its label entropy (nats)."""
    total = 0.0
    s = 0.0
    for y in range(cum.shape[1]):
        v = cum[b, y] - cum[a, y]
        total += v
        s += _xlogx(v)
    return _xlogx(total) - s


@njit(cache=True, nogil=True)
def partition_cost(cum, cuts):
    """Sum of W over the buckets that the sorted cut positions ``cuts`` make of [0, n)."""
    n = cum.shape[0] - 1
    s = 0.0
    a = 0
    for c in cuts:
        s += interval_cost(cum, a, c)
        a = c
    return s + interval_cost(cum, a, n)


@njit(cache=True, nogil=True)
def best_split(cum, a, b):
    """The cut c in (a, b) that lowers W the most: ``(c, W(a,b) - W(a,c) - W(c,b))``;
    ``(-1, 0.0)`` when none lowers it."""
    whole = interval_cost(cum, a, b)
    best_c = -1
    best_g = 0.0
    for c in range(a + 1, b):
        g = whole - interval_cost(cum, a, c) - interval_cost(cum, c, b)
        if g > best_g:
            best_g = g
            best_c = c
    return best_c, best_g


@njit(cache=True, nogil=True)
def greedy_cuts(cum, n_cuts):
    """Greedy on the cut set: add the cut of largest gain, ``n_cuts`` times (or until no
    cut gains). A cut's gain depends only on the bucket it falls in, so each bucket keeps
    its best cut and a split rescans only the two halves: O(n) per level of splitting
    instead of O(n) per cut and step.

    Returns ``(cuts, gains)`` in the order chosen.
    """
    n = cum.shape[0] - 1
    lo = np.empty(n_cuts + 1, dtype=np.int64)
    hi = np.empty(n_cuts + 1, dtype=np.int64)
    bcut = np.empty(n_cuts + 1, dtype=np.int64)
    bgain = np.empty(n_cuts + 1, dtype=np.float64)
    cuts = np.empty(n_cuts, dtype=np.int64)
    gains = np.empty(n_cuts, dtype=np.float64)
    lo[0] = 0
    hi[0] = n
    bcut[0], bgain[0] = best_split(cum, 0, n)
    nb = 1
    t = 0
    while t < n_cuts:
        j = 0
        for i in range(1, nb):
            if bgain[i] > bgain[j]:
                j = i
        if bcut[j] < 0 or bgain[j] <= 0.0:
            break
        c = bcut[j]
        cuts[t] = c
        gains[t] = bgain[j]
        t += 1
        lo[nb] = c
        hi[nb] = hi[j]
        hi[j] = c
        bcut[j], bgain[j] = best_split(cum, lo[j], hi[j])
        bcut[nb], bgain[nb] = best_split(cum, lo[nb], hi[nb])
        nb += 1
    return cuts[:t], gains[:t]


@njit(cache=True, nogil=True)
def best_start(prev, cum, lo, hi, t):
    """``(min_s prev[s] + W(s, t), argmin)`` over ``lo <= s <= hi``: the last bucket's best
    start for a prefix of t positions."""
    best = np.inf
    bs = lo
    for s in range(lo, hi + 1):
        v = prev[s] + interval_cost(cum, s, t)
        if v < best:
            best = v
            bs = s
    return best, bs


@njit(cache=True, nogil=True)
def first_layer(cum, prev):
    """The program's first layer: ``prev[t] = W(0, t)``, one bucket for each prefix."""
    for t in range(cum.shape[0]):
        prev[t] = interval_cost(cum, 0, t)


@njit(cache=True, nogil=True)
def next_layer(cum, j, monotone, prev, cur, arg_row, stack):
    """Layer j of the program (j + 1 buckets): ``cur[t] = min_s prev[s] + W(s, t)`` and its
    argmin in ``arg_row``; a prefix of t positions needs t >= j + 1 (else inf).

    With ``monotone`` the layer is filled by divide and conquer over t, searching each t's
    best s only between its neighbours' (valid when W satisfies the quadrangle inequality,
    which the binary-label cost does in the sorted order: O(n log n)); without it, every s is
    tried (O(n^2)). ``stack``: scratch of shape (4 (n + 2), 4).
    """
    n = cum.shape[0] - 1
    for t in range(n + 1):
        cur[t] = np.inf
    if not monotone:
        for t in range(j + 1, n + 1):
            cur[t], arg_row[t] = best_start(prev, cum, j, t - 1, t)
        return
    stack[0, 0] = j + 1
    stack[0, 1] = n
    stack[0, 2] = j
    stack[0, 3] = n - 1
    top = 1
    while top > 0:
        top -= 1
        tl = stack[top, 0]
        th = stack[top, 1]
        ol = stack[top, 2]
        oh = stack[top, 3]
        if tl > th:
            continue
        mid = (tl + th) // 2
        cur[mid], bs = best_start(prev, cum, ol, min(mid - 1, oh), mid)
        arg_row[mid] = bs
        stack[top, 0] = tl
        stack[top, 1] = mid - 1
        stack[top, 2] = ol
        stack[top, 3] = bs
        top += 1
        stack[top, 0] = mid + 1
        stack[top, 1] = th
        stack[top, 2] = bs
        stack[top, 3] = oh
        top += 1


@njit(cache=True, nogil=True)
def traced_cuts(arg, n, buckets):
    """The cuts of the best partition of [0, n) into ``buckets`` buckets, traced back through
    the argmin rows ``arg[1 .. buckets - 1]``."""
    cuts = np.empty(max(buckets - 1, 0), dtype=np.int64)
    t = n
    for j in range(buckets - 1, 0, -1):
        s = arg[j, t]
        cuts[j - 1] = s
        t = s
    return cuts


@njit(cache=True, nogil=True)
def optimal_cuts(cum, m, monotone):
    """The interval partition of [0, n) into at most m buckets of least total W, by dynamic
    programming over (buckets, prefix): ``D[j, t] = min_s D[j-1, s] + W(s, t)``, one
    :func:`next_layer` per bucket (O(m n log n) with ``monotone``, else O(m n^2)).
    Returns ``(cuts, cost)``.
    """
    n = cum.shape[0] - 1
    m = min(m, n)
    prev = np.empty(n + 1)
    cur = np.empty(n + 1)
    arg = np.zeros((max(m, 1), n + 1), dtype=np.int32)
    stack = np.empty((4 * (n + 2), 4), dtype=np.int64)
    first_layer(cum, prev)
    for j in range(1, m):
        next_layer(cum, j, monotone, prev, cur, arg[j], stack)
        prev, cur = cur, prev
    return traced_cuts(arg, n, m), prev[n] if m > 1 else interval_cost(cum, 0, n)
