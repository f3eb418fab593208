"""Numba kernels of the matchings other than the blossom algorithms: the approximate
matchings of general graphs (greedy, path growing, 2-augmentations), negative-cycle
cancelling for b-matching and online bipartite matching (greedy, ranking, balance, two
choices). The assignment kernels (LAPJV, dense and sparse) live in :mod:`._assignment_kernels`.

The general-graph kernels read an undirected graph as CSR adjacency ``(ptr, nbr, wt, eid)``
(each edge stored in both directions, ``eid`` its index in the edge list) and write ``mate``
(partner vertex or -1). Ties go to the smallest index. The exact general-graph matchings
live in :mod:`._blossom` (weighted) and :mod:`._cardinality` (unit weights).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def greedy_scan(n, eu, ev, order):
    """Scan edges in ``order`` (heaviest first) and keep each one whose ends are both free."""
    mate = np.full(n, -1, np.int64)
    for t in range(order.shape[0]):
        k = order[t]
        u = eu[k]
        v = ev[k]
        if mate[u] == -1 and mate[v] == -1:
            mate[u] = v
            mate[v] = u
    return mate


@njit(cache=True, nogil=True)
def path_growing(n, ptr, nbr, wt):
    """Drake-Hougardy path growing: two alternate matchings along heaviest-edge paths.

    Returns the mate array of the heavier of the two.
    """
    removed = np.zeros(n, np.bool_)
    mates = np.full((2, n), -1, np.int64)
    totals = np.zeros(2)
    for start in range(n):
        if removed[start]:
            continue
        x = start
        side = 0
        while True:
            best = -1
            bw = -1.0
            for q in range(ptr[x], ptr[x + 1]):
                y = nbr[q]
                if y != x and not removed[y] and (wt[q] > bw or (wt[q] == bw and y < best)):
                    best = y
                    bw = wt[q]
            removed[x] = True
            if best == -1:
                break
            if mates[side, x] == -1 and mates[side, best] == -1:
                mates[side, x] = best
                mates[side, best] = x
                totals[side] += bw
            side = 1 - side
            x = best
    return mates[0].copy() if totals[0] >= totals[1] else mates[1].copy()


@njit(cache=True, nogil=True)
def _unmatch(x, mate, mw):
    y = mate[x]
    if y >= 0:
        mate[y] = -1
        mw[y] = 0.0
        mate[x] = -1
        mw[x] = 0.0


@njit(cache=True, nogil=True)
def _best_augmentation(v, ptr, nbr, wt, mate, mw, mark, markw):
    """Best 2-augmentation centered at ``v`` (Pettie-Sanders): (gain, a, b).

    New edges are (v, a) and, when b >= 0, (mate[v], b); -1 means none. With ``a == -1`` and
    ``b >= 0`` only (mate[v], b) is added.
    """
    vp = mate[v]
    best_gain = 0.0
    best_a = -1
    best_b = -1
    # arms at v: top two by w(v, a) - w(M(a))
    g1 = -np.inf
    a1 = -1
    g2 = -np.inf
    a2 = -1
    for q in range(ptr[v], ptr[v + 1]):
        a = nbr[q]
        if a == v or a == vp:
            continue
        g = wt[q] - mw[a]
        if g > g1 or (g == g1 and a < a1):
            g2 = g1
            a2 = a1
            g1 = g
            a1 = a
        elif a != a1 and (g > g2 or (g == g2 and a < a2)):
            g2 = g
            a2 = a
    if a1 >= 0 and g1 - mw[v] > best_gain:
        best_gain = g1 - mw[v]
        best_a = a1
        best_b = -1
    if vp < 0:
        return best_gain, best_a, best_b
    # arms at v' = mate[v]
    h1 = -np.inf
    b1 = -1
    h2 = -np.inf
    b2 = -1
    for q in range(ptr[vp], ptr[vp + 1]):
        b = nbr[q]
        if b == vp or b == v:
            continue
        mark[b] = True
        markw[b] = wt[q]
        g = wt[q] - mw[b]
        if g > h1 or (g == h1 and b < b1):
            h2 = h1
            b2 = b1
            h1 = g
            b1 = b
        elif b != b1 and (g > h2 or (g == h2 and b < b2)):
            h2 = g
            b2 = b
    if b1 >= 0 and h1 - mw[v] > best_gain:
        best_gain = h1 - mw[v]
        best_a = -1
        best_b = b1
    # paths: one arm on each side, a != b (formula exact unless mate[a] == b, handled below)
    for ia in range(2):
        a = a1 if ia == 0 else a2
        ga = g1 if ia == 0 else g2
        if a < 0:
            continue
        for ib in range(2):
            b = b1 if ib == 0 else b2
            gb = h1 if ib == 0 else h2
            if b < 0 or b == a:
                continue
            g = ga + gb - mw[v]
            if mate[a] == b:
                g += mw[a]
            if g > best_gain:
                best_gain = g
                best_a = a
                best_b = b
    # 4-cycles v - a = a' - v' with (a, a') matched
    for q in range(ptr[v], ptr[v + 1]):
        a = nbr[q]
        if a == v or a == vp:
            continue
        ap = mate[a]
        if ap >= 0 and ap != v and mark[ap]:
            g = wt[q] + markw[ap] - mw[v] - mw[a]
            if g > best_gain:
                best_gain = g
                best_a = a
                best_b = ap
    for q in range(ptr[vp], ptr[vp + 1]):
        mark[nbr[q]] = False
    return best_gain, best_a, best_b


@njit(cache=True, nogil=True)
def _edge_weight(x, y, ptr, nbr, wt):
    best = -np.inf
    for q in range(ptr[x], ptr[x + 1]):
        if nbr[q] == y and wt[q] > best:
            best = wt[q]
    return best


@njit(cache=True, nogil=True)
def two_augment(n, ptr, nbr, wt, mate, order_seed, max_passes, tol):
    """Local search with 2-augmentations centered at each vertex, in random-order passes.

    Starts from ``mate`` (modified in place). Stops after a pass that applies no augmentation
    of gain > ``tol`` (then no positive 2-augmentation exists) or after ``max_passes``.
    Returns (passes, applied, converged).
    """
    np.random.seed(order_seed)  # noqa: NPY002 (Numba's generator)
    mw = np.zeros(n)
    for x in range(n):
        if mate[x] >= 0:
            mw[x] = _edge_weight(x, mate[x], ptr, nbr, wt)
    mark = np.zeros(n, np.bool_)
    markw = np.zeros(n)
    applied = 0
    passes = 0
    converged = False
    while passes < max_passes:
        passes += 1
        changed = 0
        perm = np.random.permutation(n)  # noqa: NPY002
        for t in range(n):
            v = perm[t]
            gain, a, b = _best_augmentation(v, ptr, nbr, wt, mate, mw, mark, markw)
            if gain <= tol:
                continue
            vp = mate[v]
            if a >= 0 and b >= 0:
                wa = _edge_weight(v, a, ptr, nbr, wt)
                wb = _edge_weight(vp, b, ptr, nbr, wt)
                _unmatch(v, mate, mw)
                _unmatch(a, mate, mw)
                _unmatch(b, mate, mw)
                mate[v] = a
                mate[a] = v
                mw[v] = wa
                mw[a] = wa
                mate[vp] = b
                mate[b] = vp
                mw[vp] = wb
                mw[b] = wb
            elif a >= 0:
                wa = _edge_weight(v, a, ptr, nbr, wt)
                _unmatch(v, mate, mw)
                _unmatch(a, mate, mw)
                mate[v] = a
                mate[a] = v
                mw[v] = wa
                mw[a] = wa
            else:
                wb = _edge_weight(vp, b, ptr, nbr, wt)
                _unmatch(vp, mate, mw)
                _unmatch(b, mate, mw)
                mate[vp] = b
                mate[b] = vp
                mw[vp] = wb
                mw[b] = wb
            changed += 1
        applied += changed
        if changed == 0:
            converged = True
            break
    return passes, applied, converged


# b-matching (assignment.py; the assignment kernels live in _assignment_kernels.py)


@njit(cache=True, nogil=True)
def _cancel_negative_cycles(nr, nc, ii, jj, w, x, rc, cc, eps):
    """Cancel negative cycles of the b-matching flow ``x`` (pair p used iff ``x[p] = 1``) on the
    float costs ``-w`` until Bellman-Ford (all nodes at distance 0, relaxing only by more than
    ``eps``) converges; returns the number of cycles cancelled. Nodes: rows ``0..nr-1``,
    columns ``nr..nr+nc-1``, source ``s`` and sink ``t``; the source-sink bypass keeps the
    supply fixed, so every improvement of the matching is a negative residual cycle."""
    P = ii.shape[0]
    s = nr + nc
    t = s + 1
    V = nr + nc + 2
    row_used = np.zeros(nr, np.int64)
    col_used = np.zeros(nc, np.int64)
    for p in range(P):
        if x[p]:
            row_used[ii[p]] += 1
            col_used[jj[p]] += 1
    supply = rc.sum()
    dist = np.zeros(V)
    pred = np.full(V, -1, np.int64)  # the node before v on its current shortest path
    pred_arc = np.full(V, -1, np.int64)  # pair p, or -1 for an arc touching s or t
    cancelled = 0
    while True:
        dist[:] = 0.0
        pred[:] = -1
        last = -1
        for _ in range(V):
            last = -1
            bypass = supply - row_used.sum()
            for p in range(P):
                i = ii[p]
                j = nr + jj[p]
                if x[p] == 0:
                    if dist[i] - w[p] < dist[j] - eps:
                        dist[j] = dist[i] - w[p]
                        pred[j] = i
                        pred_arc[j] = p
                        last = j
                elif dist[j] + w[p] < dist[i] - eps:
                    dist[i] = dist[j] + w[p]
                    pred[i] = j
                    pred_arc[i] = p
                    last = i
            for i in range(nr):  # s -> i while row i has room, i -> s while it is used
                if row_used[i] < rc[i] and dist[s] < dist[i] - eps:
                    dist[i] = dist[s]
                    pred[i] = s
                    pred_arc[i] = -1
                    last = i
                if row_used[i] > 0 and dist[i] < dist[s] - eps:
                    dist[s] = dist[i]
                    pred[s] = i
                    pred_arc[s] = -1
                    last = s
            for j in range(nc):  # j -> t while column j has room, t -> j while it is used
                v = nr + j
                if col_used[j] < cc[j] and dist[v] < dist[t] - eps:
                    dist[t] = dist[v]
                    pred[t] = v
                    pred_arc[t] = -1
                    last = t
                if col_used[j] > 0 and dist[t] < dist[v] - eps:
                    dist[v] = dist[t]
                    pred[v] = t
                    pred_arc[v] = -1
                    last = v
            if bypass < supply and dist[s] < dist[t] - eps:  # s -> t, and t -> s while flow bypasses
                dist[t] = dist[s]
                pred[t] = s
                pred_arc[t] = -1
                last = t
            if bypass > 0 and dist[t] < dist[s] - eps:
                dist[s] = dist[t]
                pred[s] = t
                pred_arc[s] = -1
                last = s
            if last == -1:
                return cancelled
        # still relaxing after V passes: walk back V steps to land on the negative cycle
        v = last
        for _ in range(V):
            v = pred[v]
        start = v
        while True:  # push one unit around the cycle (every pair arc has capacity 1)
            u = pred[v]
            p = pred_arc[v]
            if p >= 0:
                x[p] = 1 - x[p]
            elif u == s and v < nr:
                row_used[v] += 1
            elif u < nr and v == s:
                row_used[u] -= 1
            elif v == t and u != s:
                col_used[u - nr] += 1
            elif u == t and v != s:
                col_used[v - nr] -= 1
            v = u
            if v == start:
                break
        cancelled += 1


# online bipartite matching (online.py)


@njit(cache=True, nogil=True)
def online_kernel(code, indptr, indices, arrivals, capacities, ranks):
    """Run greedy (0), ranking (1) or balance (2); return the offline vertex of each arrival."""
    load = np.zeros(capacities.shape[0], np.int64)
    out = np.full(arrivals.shape[0], -1, np.int64)
    for t in range(arrivals.shape[0]):
        r = arrivals[t]
        best = -1
        bkey = np.inf
        for q in range(indptr[r], indptr[r + 1]):
            j = indices[q]
            if load[j] >= capacities[j]:
                continue
            if code == 0:
                best = j
                break
            key = ranks[j] if code == 1 else load[j] / capacities[j]
            if key < bkey or (key == bkey and j < best):
                bkey = key
                best = j
        if best >= 0:
            load[best] += 1
            out[t] = best
    return out


@njit(cache=True, nogil=True)
def two_choices_kernel(arrivals, blue, red, n_offline):
    """k-th arrival of a type: k = 1 tries blue[type], k = 2 red[type]; others dropped."""
    seen = np.zeros(blue.shape[0], np.int64)
    taken = np.zeros(n_offline, np.bool_)
    out = np.full(arrivals.shape[0], -1, np.int64)
    for t in range(arrivals.shape[0]):
        r = arrivals[t]
        seen[r] += 1
        j = blue[r] if seen[r] == 1 else (red[r] if seen[r] == 2 else -1)
        if j >= 0 and not taken[j]:
            taken[j] = True
            out[t] = j
    return out
