"""Numba kernels of the exact diversity branch and bound (max-sum dispersion).

Candidates are indexed ``0..m-1`` in branching order; a node is a partial selection P whose
last element has position q, its children add one candidate at a position > q. The search
is an explicit-stack depth-first loop whose state lives in arrays owned by the caller, so a
run of ``max_nodes`` nodes can pause and resume (the caller checks the clock in between).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _suffix_tops(D, kmax, step, out, cumulative):
    """For every row j and every ``step``-th suffix ``l >= s * step`` (``l != j``) of the
    positions, the t largest ``D[j, l]`` (t < kmax, kept by :func:`_push_top`): their sum
    in ``out[s, j, t]`` when ``cumulative`` (``out[., ., 0] = 0``), else the t-th largest
    (``out[., ., 0] = inf``); missing values count 0."""
    m = D.shape[0]
    top = np.empty(max(kmax, 1))
    for j in range(m):
        cnt = 0
        for s in range(m - 1, -1, -1):
            if s != j and kmax > 1:
                _, cnt = _push_top(top, cnt, kmax - 1, D[j, s], 0.0)
            if s % step == 0:
                idx = s // step
                out[idx, j, 0] = 0.0 if cumulative else np.inf
                acc = 0.0
                for t in range(1, kmax):
                    v = top[cnt - t] if t <= cnt else 0.0  # top is ascending
                    acc += v
                    out[idx, j, t] = acc if cumulative else v
    return 0


@njit(cache=True, nogil=True)
def suffix_top_sums(D, kmax, step, out):
    """``out[s, j, t]``: the sum of the t largest ``D[j, l]`` (D: the shares U) over positions
    ``l >= s * step``, ``l != j`` (t < kmax; fewer when there are fewer such l)."""
    return _suffix_tops(D, kmax, step, out, True)


@njit(cache=True, nogil=True)
def forced_bounds(D, k, H0, a, f0, out):
    """``out[j]``: an upper bound on ``f0 + `` the best completion by k candidates containing
    j, where a candidate l adds ``a[l]`` plus its distances to the other chosen ones:
    ``f0 + a[j] +`` the sum of the k-1 largest ``a[l] + D[j, l] + H0[l, k-2]`` over l != j
    (``H0[l, t]``: the sum of l's t largest shares ``U[l, .]`` of its distances to the other
    candidates, ``U + U.T = D``)."""
    m = D.shape[0]
    top = np.empty(max(k, 1))
    r = k - 1
    for j in range(m):
        cnt = 0
        total = 0.0
        for l in range(m):
            if l == j or r == 0:
                continue
            v = a[l] + D[j, l] + H0[l, k - 2]
            total, cnt = _push_top(top, cnt, r, v, total)
        out[j] = f0 + a[j] + total if cnt == r else -np.inf
    return 0


@njit(cache=True, nogil=True)
def _push_top(top, cnt, r, v, total):
    """Keep the r largest values seen in ``top[0:cnt]`` (ascending); returns (sum, cnt)."""
    if r <= 0:
        return total, cnt
    if cnt < r:
        pos = cnt
        cnt += 1
        total += v
    elif v > top[0]:
        total += v - top[0]
        pos = 0
        while pos + 1 < cnt and top[pos + 1] < v:
            top[pos] = top[pos + 1]
            pos += 1
        top[pos] = v
        return total, cnt
    else:
        return total, cnt
    while pos > 0 and top[pos - 1] > v:
        top[pos] = top[pos - 1]
        pos -= 1
    top[pos] = v
    return total, cnt


@njit(cache=True, nogil=True)
def _fill_suffix(p, q, k, A, H, step, B, groups, room, SR, top, top2):
    """``SR[p, j]`` (j > q): a bound on the best r = k-p completion from positions >= j: the
    smaller of the sum of the r largest ``A[p, l] + H[., l, r-1]`` and (Russian doll) the sum
    of the r largest ``A[p, l]`` plus ``B[j, r]``, the best r-set within positions >= j, over
    capacity-feasible positions l >= j; -inf when fewer than r exist."""
    m = A.shape[1]
    r = k - p
    hidx = (q + 1) // step
    cnt = 0
    cnt2 = 0
    total = 0.0
    total2 = 0.0
    SR[p, m] = -np.inf
    for j in range(m - 1, q, -1):
        if room[groups[j]] > 0:
            v = A[p, j] + H[hidx, j, r - 1]
            total, cnt = _push_top(top, cnt, r, v, total)
            total2, cnt2 = _push_top(top2, cnt2, r, A[p, j], total2)
        SR[p, j] = min(total, total2 + B[j, r]) if cnt == r else -np.inf
    return 0


@njit(cache=True, nogil=True)
def _next_node(d, m, nxt, path, room, groups, F, SR, best, tol):
    """The next node of the depth-first search shared by both branch and bounds:
    ``(depth, candidate)`` of the deepest open node's next child that the matroid allows and
    the bound ``F[d] + SR[d, t]`` does not prune, backtracking (and giving back the capacity
    of the popped point) over exhausted nodes; depth -1 when the search is complete."""
    while d >= 0:
        t = nxt[d]
        while t < m and room[groups[t]] <= 0:
            t += 1
        if t >= m or F[d] + SR[d, t] <= best[0] + tol:
            d -= 1
            if d >= 0:
                room[groups[path[d]]] += 1
            continue
        nxt[d] = t + 1
        path[d] = t
        return d, t
    return d, -1


@njit(cache=True, nogil=True)
def _leaf(f, k, path, best, best_sel, tol):
    """A complete k-set of value ``f``: the new incumbent if it beats the old one."""
    if f > best[0] + tol:
        best[0] = f
        for i in range(k):
            best_sel[i] = path[i]


@njit(cache=True, nogil=True)
def _descend(d, t, nxt, room, groups, F, SR, best, tol):
    """Enter the child (point ``t`` at depth ``d``, tables of depth ``d + 1`` filled) unless
    its bound prunes it; returns the new depth."""
    if F[d + 1] + SR[d + 1, t + 1] <= best[0] + tol:
        room[groups[t]] += 1
        return d
    nxt[d + 1] = t + 1
    return d + 1


@njit(cache=True, nogil=True)
def maxsum_bb_run(D, k, q0, H, step, B, groups, room, path, nxt, A, F, SR, top, top2, st, best,
                  best_sel, max_nodes, tol):
    """Run (or resume) the max-sum branch and bound for at most ``max_nodes`` nodes.

    Completions by k candidates at positions > q0 (-1: all) of a partial selection whose
    distances to each candidate are ``A[0]`` and value ``F[0]`` (set by the caller).
    ``st = [depth, started, nodes]``; ``best[0]`` the incumbent value (solutions must beat it
    by more than ``tol``), ``best_sel`` its positions when found here. Upper bound of a node
    with selection P, r slots left and candidates C (the positions after the last one): the
    smaller of ``f(P) + sum of the r largest (d(j, P) + sum of j's r-1 largest shares U[j, l],
    l in C)``, valid for any split ``U + U.T = D`` (``D / 2``: Martí, Gallego, Duarte 2010),
    and the Russian-doll bound ``f(P) + sum of the r largest d(j, P) + B[min C, r]``
    (``B[i, r]``: the optimum over r-sets of positions >= i, or an upper bound on it).
    Returns 0 when the search is complete, 1 when paused.
    """
    m = D.shape[0]
    if st[1] == 0:
        _fill_suffix(0, q0, k, A, H, step, B, groups, room, SR, top, top2)
        nxt[0] = q0 + 1
        st[0] = 0
        st[1] = 1
    d = st[0]
    nodes = 0
    while nodes < max_nodes:
        d, t = _next_node(d, m, nxt, path, room, groups, F, SR, best, tol)
        if d < 0:
            st[0] = d
            st[2] += nodes
            return 0
        nodes += 1
        f = F[d] + A[d, t]
        if d + 1 == k:
            _leaf(f, k, path, best, best_sel, tol)
            continue
        room[groups[t]] -= 1
        F[d + 1] = f
        for j in range(t + 1, m):
            A[d + 1, j] = A[d, j] + D[t, j]
        _fill_suffix(d + 1, t, k, A, H, step, B, groups, room, SR, top, top2)
        d = _descend(d, t, nxt, room, groups, F, SR, best, tol)
    st[0] = d
    st[2] += nodes
    return 1


@njit(cache=True, nogil=True)
def frontier_bound(F, SR, nxt, depth, best):
    """The global upper bound of a paused search: the incumbent, or the bound of an unexplored
    sibling range at some depth of the current path."""
    ub = best
    for e in range(depth + 1):
        v = F[e] + SR[e, nxt[e]]
        if v > ub:
            ub = v
    return ub



@njit(cache=True, nogil=True)
def suffix_kth_largest(D, kmax, step, out):
    """``out[s, j, t]``: the t-th largest ``D[j, l]`` over positions ``l >= s * step``,
    ``l != j`` (``out[., ., 0] = inf``; 0 when there are fewer such l)."""
    return _suffix_tops(D, kmax, step, out, False)


@njit(cache=True, nogil=True)
def _fill_suffix_summin(p, q, k, D, path, NN, A, R, step, groups, room, SR, top):
    """``SR[p, j]`` (j > q): the sum of the r = k-p largest ``min(A[p, l], R[., l, r-1]) -
    red_l / r`` over capacity-feasible positions l >= j (-inf when fewer than r exist), where
    ``red_l = sum over i in P of max(0, NN[p, i] - d(i, l))`` is how much adding l alone
    lowers the terms of P: the completion T lowers them by at least ``max_{l in T} red_l``,
    at least the mean."""
    m = A.shape[1]
    r = k - p
    hidx = (q + 1) // step
    cnt = 0
    total = 0.0
    SR[p, m] = -np.inf
    for j in range(m - 1, q, -1):
        if room[groups[j]] > 0:
            red = 0.0
            for i in range(p):
                gap = NN[p, i] - D[path[i], j]
                if gap > 0.0:
                    red += gap
            v = min(A[p, j], R[hidx, j, r - 1]) - red / r
            total, cnt = _push_top(top, cnt, r, v, total)
        SR[p, j] = total if cnt == r else -np.inf
    return 0


@njit(cache=True, nogil=True)
def summin_bb_run(D, k, R, step, cap, groups, room, path, nxt, A, NN, F, SR, top, st, best,
                  best_sel, max_nodes, tol):
    """Run (or resume) the sum-min branch and bound for at most ``max_nodes`` nodes.

    Sum-min: ``sum over i in S of min_{j in S, j != i} d(i, j)``. Same state conventions as
    :func:`maxsum_bb_run`; ``A[p, j]`` is j's distance to the selection P at depth p,
    ``NN[p, i]`` the nearest-neighbour distance within P of its i-th element (capped by
    ``cap``, the largest distance) and ``F[p]`` their sum. Upper bound of a node: ``F[p] +``
    the sum of the r largest ``min(d(j, P), (r-1)-th largest distance from j within C) -
    red_j / r`` (a new point's nearest selected neighbour is in P or among the r-1 other new
    points; ``red_j``: how much j alone lowers P's terms, see :func:`_fill_suffix_summin`).
    Returns 0 when the search is complete, 1 when paused.
    """
    m = D.shape[0]
    if st[1] == 0:
        for j in range(m):
            A[0, j] = np.inf
        F[0] = 0.0
        _fill_suffix_summin(0, -1, k, D, path, NN, A, R, step, groups, room, SR, top)
        nxt[0] = 0
        st[0] = 0
        st[1] = 1
    d = st[0]
    nodes = 0
    while nodes < max_nodes:
        d, t = _next_node(d, m, nxt, path, room, groups, F, SR, best, tol)
        if d < 0:
            st[0] = d
            st[2] += nodes
            return 0
        nodes += 1
        f = 0.0
        for i in range(d):
            v = min(NN[d, i], D[path[i], t])
            NN[d + 1, i] = v
            f += v
        NN[d + 1, d] = min(A[d, t], cap)
        f += NN[d + 1, d]
        if d + 1 == k:
            _leaf(f, k, path, best, best_sel, tol)
            continue
        room[groups[t]] -= 1
        F[d + 1] = f
        for j in range(t + 1, m):
            A[d + 1, j] = min(A[d, j], D[t, j])
        _fill_suffix_summin(d + 1, t, k, D, path, NN, A, R, step, groups, room, SR, top)
        d = _descend(d, t, nxt, room, groups, F, SR, best, tol)
    st[0] = d
    st[2] += nodes
    return 1
