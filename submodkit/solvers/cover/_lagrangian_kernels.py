"""Numba kernels of the Lagrangian relaxation of set cover: the bound, subgradient steps,
the Lagrangian-cost greedy and redundant-column removal (Beasley 1990; Caprara, Fischetti,
Toth 1999).

Sets are the rows of a CSR matrix (``indptr``, ``indices``: the elements of set ``j``); the
transposed structure (``eptr``, ``eidx``: the sets holding element ``i``) is built once by
the caller. Multipliers ``lam`` are one per element, ``lam >= 0``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def lagrangian_value(indptr, indices, costs, lam, reduced):
    """``L(lam) = sum_i lam_i + sum_j min(0, c_j - sum_{i in S_j} lam_i)``, a lower bound on
    the optimum for every ``lam >= 0``; writes the reduced costs ``c_j - sum lam`` to
    ``reduced``."""
    total = 0.0
    for i in range(lam.shape[0]):
        total += lam[i]
    for j in range(costs.shape[0]):
        r = costs[j]
        for q in range(indptr[j], indptr[j + 1]):
            r -= lam[indices[q]]
        reduced[j] = r
        if r < 0.0:
            total += r
    return total


@njit(cache=True, nogil=True)
def subgradient_steps(indptr, indices, costs, lam, best_lam, target, n_steps, state, reduced, s, n_out):
    """``n_steps`` projected subgradient steps from ``lam`` (updated in place).

    With ``n_out > 0`` (set cover with outliers: ``n_out`` elements may stay uncovered) the
    bound is ``L(lam)`` minus the ``n_out`` largest multipliers (the relaxed problem leaves
    those elements out; :func:`outlier_share`) and their subgradient entries are 0.

    ``state = [best bound, step factor, steps since the last improvement, steps taken]``
    carries the method across calls (the caller checks its clock between them). The step is
    ``factor * (target - L) / ||s||^2`` along ``s_i = 1 - |{j : reduced_j < 0, i in S_j}|``,
    with ``s_i`` held at 0 where ``lam_i = 0`` and ``s_i < 0`` (the projection's face); the
    factor halves after 20 steps without improvement (Held, Wolfe, Crowder 1974; Beasley
    1990). ``best_lam`` receives the multipliers of the best bound. Returns False when the
    method has converged (zero subgradient, or the bound meets the target, or the factor
    fell below 1e-4)."""
    m = lam.shape[0]
    out = np.zeros(m, dtype=np.bool_)
    for _ in range(n_steps):
        value = lagrangian_value(indptr, indices, costs, lam, reduced)
        if n_out > 0:
            value -= outlier_share(lam, n_out, out)
        state[3] += 1.0
        if state[3] == 1.0 or value > state[0] + 1e-12 * max(1.0, abs(state[0])):
            state[0] = value
            state[2] = 0.0
            for i in range(m):
                best_lam[i] = lam[i]
        else:
            state[2] += 1.0
            if state[2] >= 20.0:
                state[1] *= 0.5
                state[2] = 0.0
        if state[1] < 1e-4:
            return False
        for i in range(m):
            s[i] = 0.0 if (n_out > 0 and out[i]) else 1.0
        for j in range(costs.shape[0]):
            if reduced[j] < 0.0:
                for q in range(indptr[j], indptr[j + 1]):
                    s[indices[q]] -= 1.0
        norm = 0.0
        for i in range(m):
            if lam[i] <= 0.0 and s[i] < 0.0:
                s[i] = 0.0
            norm += s[i] * s[i]
        gap = target - value
        if norm == 0.0 or gap <= 0.0:
            return False
        step = state[1] * gap / norm
        for i in range(m):
            v = lam[i] + step * s[i]
            lam[i] = v if v > 0.0 else 0.0
    return True


@njit(cache=True, nogil=True)
def outlier_share(lam, n_out, out):
    """The sum of the ``n_out`` largest multipliers; ``out`` marks their elements (among
    equal multipliers, the smallest indices). A bounded min-heap, ``O(m log n_out)``: no
    sort in the kernel (Numba's sorts add about a second to a cold compile)."""
    m = lam.shape[0]
    k = min(n_out, m)
    for i in range(m):
        out[i] = False
    heap = np.empty(max(k, 1), dtype=np.int64)  # the k best so far, worst at the root
    size = 0
    for i in range(m):
        if size < k:
            heap[size] = i
            q = size
            size += 1
            while q > 0:  # sift up: a parent must be worse than its child
                p = (q - 1) // 2
                if _worse(lam, heap[q], heap[p]):
                    heap[q], heap[p] = heap[p], heap[q]
                    q = p
                else:
                    break
        elif k > 0 and _worse(lam, heap[0], i):
            heap[0] = i
            q = 0
            while True:  # sift down
                a, b, w = 2 * q + 1, 2 * q + 2, q
                if a < size and _worse(lam, heap[a], heap[w]):
                    w = a
                if b < size and _worse(lam, heap[b], heap[w]):
                    w = b
                if w == q:
                    break
                heap[q], heap[w] = heap[w], heap[q]
                q = w
    total = 0.0
    for t in range(size):
        out[heap[t]] = True
        total += lam[heap[t]]
    return total


@njit(cache=True, nogil=True)
def _worse(lam, a, b):
    """Whether element ``a`` ranks after ``b``: a smaller multiplier, or an equal one and a
    larger index (the order of a stable sort by decreasing multiplier)."""
    return lam[a] < lam[b] or (lam[a] == lam[b] and a > b)


@njit(cache=True, nogil=True)
def lagrangian_greedy(indptr, indices, eptr, eidx, costs, lam, free, sel_out, covered, n_out):
    """A cover by greedy on Lagrangian scores (Caprara, Fischetti, Toth 1999): while some
    element is uncovered, take the free set ``j`` minimizing ``g_j / mu_j`` when ``g_j > 0``,
    else ``g_j * mu_j``, where ``mu_j`` counts the uncovered elements of ``S_j`` and
    ``g_j = c_j - sum`` of their multipliers. ``covered`` (per element) holds on entry the
    elements already covered (by fixed sets) and is updated. Returns the number of sets
    written to ``sel_out``; -1 if some element cannot be covered by a free set. With
    ``n_out > 0`` it stops once at most ``n_out`` elements are uncovered."""
    n = costs.shape[0]
    mu = np.zeros(n, dtype=np.int64)
    g = costs.copy()
    for j in range(n):
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            if covered[i] == 0:
                mu[j] += 1
                g[j] -= lam[i]
    left = 0
    for i in range(covered.shape[0]):
        if covered[i] == 0:
            left += 1
    n_sel = 0
    while left > n_out:
        best = -1
        best_score = np.inf
        for j in range(n):
            if free[j] and mu[j] > 0:
                score = g[j] / mu[j] if g[j] > 0.0 else g[j] * mu[j]
                if score < best_score:
                    best_score = score
                    best = j
        if best < 0:
            return -1
        sel_out[n_sel] = best
        n_sel += 1
        free[best] = False
        for q in range(indptr[best], indptr[best + 1]):
            i = indices[q]
            if covered[i] == 0:
                covered[i] = 1
                left -= 1
                for p in range(eptr[i], eptr[i + 1]):
                    k = eidx[p]
                    mu[k] -= 1
                    g[k] += lam[i]
            else:
                covered[i] += 1
    return n_sel


@njit(cache=True, nogil=True)
def drop_redundant(indptr, indices, sel, order, m, n_out):
    """Remove sets of the cover ``sel`` whose elements all stay covered (with ``n_out > 0``:
    while at most ``n_out`` elements end uncovered), trying them in the order ``order``
    (positions in ``sel``; the caller sorts, costliest first, outside the kernel); returns a
    keep mask over ``sel``."""
    count = np.zeros(m, dtype=np.int64)
    for t in range(sel.shape[0]):
        j = sel[t]
        for q in range(indptr[j], indptr[j + 1]):
            count[indices[q]] += 1
    slack = n_out
    for i in range(m):
        if count[i] == 0:
            slack -= 1
    keep = np.ones(sel.shape[0], dtype=np.bool_)
    for t in order:
        j = sel[t]
        lost = 0
        for q in range(indptr[j], indptr[j + 1]):
            if count[indices[q]] < 2:
                lost += 1
        if lost <= slack:
            slack -= lost
            keep[t] = False
            for q in range(indptr[j], indptr[j + 1]):
                count[indices[q]] -= 1
    return keep


@njit(cache=True, nogil=True)
def core_columns(eptr, eidx, reduced, per_element, threshold, out):
    """Mark in ``out`` the core of a pricing step (Caprara, Fischetti, Toth 1999): every set
    of reduced cost below ``threshold``, and for each element the ``per_element`` sets of
    smallest reduced cost among those holding it (so the core covers every element)."""
    n = reduced.shape[0]
    for j in range(n):
        if reduced[j] < threshold:
            out[j] = True
    best = np.empty(per_element, dtype=np.int64)
    for i in range(eptr.shape[0] - 1):
        count = 0
        for p in range(eptr[i], eptr[i + 1]):
            j = eidx[p]
            if count < per_element:
                best[count] = j
                count += 1
                q = count - 1
            elif reduced[j] < reduced[best[count - 1]]:
                best[count - 1] = j
                q = count - 1
            else:
                continue
            while q > 0 and reduced[best[q]] < reduced[best[q - 1]]:  # keep best sorted
                tmp = best[q]
                best[q] = best[q - 1]
                best[q - 1] = tmp
                q -= 1
        for t in range(count):
            out[best[t]] = True
