"""Numba kernels of the tours of remote-cycle diversity: cycle weight, the Held-Karp dynamic
program (Held, Karp 1962), the nearest-neighbour + 2-opt / or-opt heuristic, and the exact
remote-cycle enumeration (every k-subset's tour by Held-Karp).

A tour is given by positions: ``idx`` maps position t to a row of the distance matrix ``D``
and ``order`` lists positions, so a sub-tour of a larger matrix needs no copy.
:mod:`submodkit.solvers.diversity.tsp` and :mod:`submodkit.solvers.diversity.remote_cycle`
call these.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def cycle_weight(D, idx, order):
    """The weight of the cycle ``idx[order[0]], idx[order[1]], ..., idx[order[0]]``."""
    m = order.shape[0]
    if m < 2:
        return 0.0
    total = 0.0
    for t in range(m):
        total += D[idx[order[t]], idx[order[(t + 1) % m]]]
    return total


@njit(cache=True, nogil=True)
def held_karp_fill(D, idx, dp):
    """Held-Karp over the points ``idx`` of ``D`` (m = len(idx) >= 2): ``dp[mask, j]`` is the
    shortest path from ``idx[0]`` through the points of ``mask`` (bit b = point b + 1) ending
    at point j + 1. Returns the optimal tour weight. ``dp`` has at least 2^(m-1) rows and
    m - 1 columns."""
    r = idx.shape[0] - 1
    held_karp_start(D, idx, dp)
    held_karp_masks(D, idx, dp, 1, 1 << r)
    return held_karp_close(D, idx, dp)


@njit(cache=True, nogil=True)
def held_karp_start(D, idx, dp):
    """`held_karp_fill`'s first step: the one-point paths ``dp[1 << j, j]``."""
    r = idx.shape[0] - 1
    for j in range(r):
        dp[1 << j, j] = D[idx[0], idx[j + 1]]


@njit(cache=True, nogil=True)
def held_karp_masks(D, idx, dp, lo, hi):
    """`held_karp_fill`'s rows ``lo <= mask < hi`` (after `held_karp_start` and the rows
    below ``lo``: a mask's row reads smaller masks only), so the fill can run in chunks."""
    r = idx.shape[0] - 1
    for mask in range(max(lo, 1), hi):
        if (mask & (mask - 1)) == 0:
            continue
        for j in range(r):
            bj = 1 << j
            if (mask & bj) == 0:
                dp[mask, j] = np.inf
                continue
            prev = mask ^ bj
            dj = idx[j + 1]
            best = np.inf
            for i in range(r):
                if (prev >> i) & 1:
                    v = dp[prev, i] + D[idx[i + 1], dj]
                    if v < best:
                        best = v
            dp[mask, j] = best


@njit(cache=True, nogil=True)
def held_karp_close(D, idx, dp):
    """The optimal tour weight from a filled ``dp``."""
    r = idx.shape[0] - 1
    full = (1 << r) - 1
    best = np.inf
    for j in range(r):
        v = dp[full, j] + D[idx[j + 1], idx[0]]
        if v < best:
            best = v
    return best


@njit(cache=True, nogil=True)
def held_karp_order(D, idx, dp):
    """The optimal tour (positions in ``idx``, starting at 0) from a filled ``dp``; ties go
    to the smallest position."""
    m = idx.shape[0]
    r = m - 1
    order = np.zeros(m, dtype=np.int64)
    mask = (1 << r) - 1
    best = np.inf
    last = 0
    for j in range(r):
        v = dp[mask, j] + D[idx[j + 1], idx[0]]
        if v < best:
            best = v
            last = j
    for pos in range(m - 1, 0, -1):
        order[pos] = last + 1
        prev = mask ^ (1 << last)
        if prev == 0:
            break
        target = dp[mask, last]
        dl = idx[last + 1]
        nxt = -1
        bestv = np.inf
        for i in range(r):
            if (prev >> i) & 1:
                v = dp[prev, i] + D[idx[i + 1], dl]
                if v == target:
                    nxt = i
                    break
                if v < bestv:
                    bestv = v
                    nxt = i
        mask = prev
        last = nxt
    return order


@njit(cache=True, nogil=True)
def nearest_neighbour_tour(D, idx):
    """The nearest-neighbour tour from position 0 (positions)."""
    m = idx.shape[0]
    order = np.zeros(m, dtype=np.int64)
    used = np.zeros(m, dtype=np.bool_)
    used[0] = True
    for t in range(1, m):
        a = idx[order[t - 1]]
        best = np.inf
        bj = -1
        for j in range(m):
            if not used[j] and D[a, idx[j]] < best:
                best = D[a, idx[j]]
                bj = j
        order[t] = bj
        used[bj] = True
    return order


@njit(cache=True, nogil=True)
def improve_tour(D, idx, order, passes):
    """At most ``passes`` passes of 2-opt and or-opt (segments of 1-3 points) moves over
    ``order`` (positions; changed in place or replaced), each move improving by more than
    1e-12 relative. Returns ``(order, improved)``: ``improved`` False when the last pass
    found no move (a local optimum)."""
    m = idx.shape[0]
    if m < 5:
        return order, False
    tol = 1e-12 * (1.0 + cycle_weight(D, idx, order))
    improved = False
    for _ in range(passes):
        improved = False
        # 2-opt: reverse order[i+1..j]
        for i in range(m - 1):
            a = idx[order[i]]
            b = idx[order[i + 1]]
            for j in range(i + 2, m if i > 0 else m - 1):
                c = idx[order[j]]
                d = idx[order[(j + 1) % m]]
                delta = D[a, c] + D[b, d] - D[a, b] - D[c, d]
                if delta < -tol:
                    lo, hi = i + 1, j
                    while lo < hi:
                        tmp = order[lo]
                        order[lo] = order[hi]
                        order[hi] = tmp
                        lo += 1
                        hi -= 1
                    improved = True
                    b = idx[order[i + 1]]
        # or-opt: move a segment of length s between two other consecutive points
        for s in range(1, 4):
            if s > m - 3:
                break
            i = 1
            while i + s <= m:
                p = idx[order[i - 1]]
                f = idx[order[i]]
                e = idx[order[i + s - 1]]
                q = idx[order[(i + s) % m]]
                remove = D[p, f] + D[e, q] - D[p, q]
                moved = False
                for j in range(m):
                    if j >= i - 1 and j <= i + s - 1:
                        continue
                    u = idx[order[j]]
                    v = idx[order[(j + 1) % m]]
                    add_fwd = D[u, f] + D[e, v] - D[u, v]
                    add_rev = D[u, e] + D[f, v] - D[u, v]
                    rev = add_rev < add_fwd
                    add = add_rev if rev else add_fwd
                    if add - remove < -tol:
                        seg = order[i:i + s].copy()
                        if rev:
                            seg = seg[::-1].copy()
                        rest = np.concatenate((order[:i], order[i + s:]))
                        jj = j if j < i else j - s
                        order = np.concatenate((rest[:jj + 1], seg, rest[jj + 1:]))
                        moved = True
                        improved = True
                        break
                if not moved:
                    i += 1
        if not improved:
            break
    return order, improved


@njit(cache=True, nogil=True)
def rotate_to_zero(order):
    """``order`` rotated so that position 0 comes first."""
    m = order.shape[0]
    z = 0
    for t in range(m):
        if order[t] == 0:
            z = t
    out = np.empty(m, dtype=np.int64)
    for t in range(m):
        out[t] = order[(z + t) % m]
    return out


@njit(cache=True, nogil=True)
def _best_subset(D, k, dp, idx, best_idx, best, max_subsets):
    """Enumerate k-subsets of ``0..n-1`` in lexicographic order from ``idx`` (advanced in
    place), at most ``max_subsets`` of them; ``best_idx`` ends as the first subset whose
    Held-Karp tour is largest (ties within 1e-12 relative keep the earlier one; ``best`` < 0:
    none yet). Returns the best tour weight and whether the enumeration is complete."""
    n = D.shape[0]
    for _ in range(max_subsets):
        if k == 2:
            v = 2.0 * D[idx[0], idx[1]]
        else:
            v = held_karp_fill(D, idx, dp)
        if best < 0.0 or v > best + 1e-12 * max(1.0, best):
            best = v
            for t in range(k):
                best_idx[t] = idx[t]
        i = k - 1
        while i >= 0 and idx[i] == n - k + i:
            i -= 1
        if i < 0:
            return best, True
        idx[i] += 1
        for t in range(i + 1, k):
            idx[t] = idx[t - 1] + 1
    return best, False
