"""Numba kernels of set-cover reduction: elements with one set, dominated elements, sets
contained in a cheaper set, and sets costlier than their elements' cheapest other sets
(Beasley 1987; Caprara, Fischetti, Toth 1999, section 2).

Sets are the rows of a CSR matrix (``indptr``, ``indices``); ``eptr``, ``eidx`` is the
transposed structure (the sets holding each element). ``set_alive`` and ``element_alive``
are boolean masks the kernels clear in place; only alive sets and alive elements count.
Each kernel's removals are safe all at once: a removed item is dominated under a strict
order, so every chain of dominations ends at an item that stays.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def alive_counts(indptr, indices, eptr, eidx, set_alive, element_alive, set_size, element_size):
    """Alive elements of each alive set and alive sets of each alive element (0 for the
    dead ones), written to ``set_size`` and ``element_size``."""
    for j in range(set_size.shape[0]):
        s = 0
        if set_alive[j]:
            for q in range(indptr[j], indptr[j + 1]):
                if element_alive[indices[q]]:
                    s += 1
        set_size[j] = s
    for i in range(element_size.shape[0]):
        s = 0
        if element_alive[i]:
            for q in range(eptr[i], eptr[i + 1]):
                if set_alive[eidx[q]]:
                    s += 1
        element_size[i] = s


@njit(cache=True, nogil=True)
def fix_single_sets(indptr, indices, eptr, eidx, set_alive, element_alive, fixed):
    """Every alive element held by one alive set forces that set into every cover: the set
    is fixed (``fixed[j] = True``, no longer alive) and the elements it holds are covered
    (no longer alive). Returns the number of sets fixed; -1 when an alive element is in no
    alive set (no cover)."""
    count = 0
    for i in range(eptr.shape[0] - 1):
        if not element_alive[i]:
            continue
        only = -1
        holders = 0
        for q in range(eptr[i], eptr[i + 1]):
            if set_alive[eidx[q]]:
                holders += 1
                only = eidx[q]
                if holders > 1:
                    break
        if holders == 0:
            return -1
        if holders == 1:
            fixed[only] = True
            set_alive[only] = False
            for q in range(indptr[only], indptr[only + 1]):
                element_alive[indices[q]] = False
            count += 1
    return count


@njit(cache=True, nogil=True)
def dominated_elements(indptr, indices, eptr, eidx, set_alive, element_alive, set_size, element_size,
                       stamp):
    """Clear ``element_alive[i]`` when some element ``v`` is held only by sets that hold
    ``i`` (covering ``v`` covers ``i``), with ``(sets of v, v)`` before ``(sets of i, i)``
    (fewer sets, then the smaller id). Candidates ``i`` for a given ``v`` come from the
    alive set of ``v`` with the fewest alive elements. ``stamp`` (one int64 per set, -1) is
    scratch. Returns the number removed."""
    removed = 0
    m = element_size.shape[0]
    for v in range(m):
        if element_size[v] == 0:
            continue
        best_set, best_size = -1, 1 << 62
        for q in range(eptr[v], eptr[v + 1]):
            j = eidx[q]
            if set_alive[j]:
                stamp[j] = v
                if set_size[j] < best_size:
                    best_set, best_size = j, set_size[j]
        for q in range(indptr[best_set], indptr[best_set + 1]):
            i = indices[q]
            if i == v or not element_alive[i] or element_size[i] < element_size[v]:
                continue
            if element_size[i] == element_size[v] and i < v:
                continue
            hit = 0
            for p in range(eptr[i], eptr[i + 1]):
                j = eidx[p]
                if set_alive[j] and stamp[j] == v:
                    hit += 1
            if hit == element_size[v]:
                element_alive[i] = False
                removed += 1
    return removed


@njit(cache=True, nogil=True)
def dominated_sets(indptr, indices, eptr, eidx, costs, set_alive, element_alive, set_size, element_size,
                   stamp, budget):
    """Clear ``set_alive[j]`` when an alive set ``k`` holds every alive element of ``j`` and
    ``(cost, -size, id)`` of ``k`` comes before that of ``j`` (some optimum does without
    ``j``: swap it for ``k``); sets with no alive element go too. Candidates ``k`` come from
    the alive element of ``j`` held by the fewest alive sets. The search stops (every
    removal so far is still safe) once it has looked at ``budget`` candidate memberships.
    ``stamp`` (one int64 per element, -1) is scratch. Returns ``(removed, complete)``."""
    removed = 0
    work = 0
    n = set_size.shape[0]
    was_alive = set_alive.copy()
    for j in range(n):
        if not was_alive[j]:
            continue
        if set_size[j] == 0:
            set_alive[j] = False
            removed += 1
            continue
        if work > budget:
            return removed, False
        rare, rare_size = -1, 1 << 62
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            if element_alive[i]:
                stamp[i] = j
                if element_size[i] < rare_size:
                    rare, rare_size = i, element_size[i]
        for q in range(eptr[rare], eptr[rare + 1]):
            k = eidx[q]
            if k == j or not was_alive[k] or set_size[k] < set_size[j] or costs[k] > costs[j]:
                continue
            if costs[k] == costs[j] and (set_size[k] < set_size[j] or (set_size[k] == set_size[j] and k > j)):
                continue
            hit = 0
            for p in range(indptr[k], indptr[k + 1]):
                work += 1
                i = indices[p]
                if element_alive[i] and stamp[i] == j:
                    hit += 1
            if hit == set_size[j]:
                set_alive[j] = False
                removed += 1
                break
    return removed, True


@njit(cache=True, nogil=True)
def dominated_by_cheapest(indptr, indices, costs, set_alive, element_alive):
    """Clear ``set_alive[j]`` for every alive set ``j`` whose cost exceeds (strictly) the cost
    of covering its alive elements by the cheapest other alive set of each: some optimum
    never needs ``j`` (its elements' cheapest sets do at most as well). The comparison is
    strict, so a removed set is replaced by strictly cheaper sets only and no chain of
    replacements comes back to it. ``O(nnz)``. Returns the number removed."""
    n = costs.shape[0]
    m = element_alive.shape[0]
    min1 = np.full(m, np.inf)
    arg1 = np.full(m, -1, dtype=np.int64)
    min2 = np.full(m, np.inf)
    for j in range(n):
        if not set_alive[j]:
            continue
        c = costs[j]
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            if c < min1[i]:
                min2[i] = min1[i]
                min1[i] = c
                arg1[i] = j
            elif c < min2[i]:
                min2[i] = c
    removed = 0
    was_alive = set_alive.copy()
    for j in range(n):
        if not was_alive[j]:
            continue
        total = 0.0
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            if element_alive[i]:
                total += min2[i] if arg1[i] == j else min1[i]
                if total >= costs[j]:
                    break
        if total < costs[j]:
            set_alive[j] = False
            removed += 1
    return removed
