"""Numba kernel of the exact maximum-weight matching in general graphs (Edmonds' blossoms).

The primal-dual O(n^3) version of Galil (ACM Computing Surveys 18, 1986), following the
structure of Joris van Rantwijk's implementation that networkx's ``max_weight_matching``
ports: vertices ``0..n-1``, blossoms ``n..2n-1``, edges by index ``k`` with endpoints
``2k`` (``eu[k]``) and ``2k+1`` (``ev[k]``); ``mate[v]`` is the remote endpoint of v's
matched edge. Dual variables are stored doubled (``dual[v] = 2 u_v``) so integer weights
stay in exact integer arithmetic (float64 holds integers exactly below 2**53).

The recursions of the reference (``expandBlossom`` at the end of a stage,
``augmentBlossom``) are replaced by explicit stacks: they act on disjoint sub-blossoms, so
their order does not matter, and deep blossom nests cannot overflow the native stack.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def _leaves(b, n, childs, out, stack):
    """Write the vertices of (sub-)blossom ``b`` into ``out``; return their number."""
    if b < n:
        out[0] = b
        return 1
    cnt = 0
    stack[0] = b
    top = 1
    while top > 0:
        top -= 1
        t = stack[top]
        if t < n:
            out[cnt] = t
            cnt += 1
        else:
            ch = childs[t]
            for i in range(ch.shape[0]):
                stack[top] = ch[i]
                top += 1
    return cnt


@njit(cache=True, nogil=True, inline="always")
def _slack(k, eu, ev, ew, dual):
    return dual[eu[k]] + dual[ev[k]] - 2.0 * ew[k]


@njit(cache=True, nogil=True, inline="always")
def _index_of(arr, x):
    for i in range(arr.shape[0]):
        if arr[i] == x:
            return i
    return -1


@njit(cache=True, nogil=True, inline="always")
def _assign_label(w, t, p, n, endpoint, mate, label, labelend, inblossom, blossombase,
                  bestedge, childs, queue, buf, stack):
    """Label the top blossom of ``w`` with ``t`` (1 = S, 2 = T) reached through endpoint ``p``."""
    while True:
        b = inblossom[w]
        label[w] = t
        label[b] = t
        labelend[w] = p
        labelend[b] = p
        bestedge[w] = -1
        bestedge[b] = -1
        if t == 1:
            cnt = _leaves(b, n, childs, buf, stack)
            for i in range(cnt):
                queue.append(buf[i])
            return
        # t == 2: the mate of the base becomes an S-vertex
        base = blossombase[b]
        w = endpoint[mate[base]]
        p = mate[base] ^ 1
        t = 1


@njit(cache=True, nogil=True, inline="always")
def _scan_blossom(v, w, endpoint, label, labelend, inblossom, blossombase, path):
    """Trace back from v and w; return the base of a new blossom or -1 for an augmenting path."""
    npath = 0
    base = -1
    while v != -1 or w != -1:
        b = inblossom[v]
        if label[b] & 4:
            base = blossombase[b]
            break
        path[npath] = b
        npath += 1
        label[b] = 5
        if labelend[b] == -1:
            v = -1
        else:
            v = endpoint[labelend[b]]
            b = inblossom[v]
            v = endpoint[labelend[b]]
        if w != -1:
            v, w = w, v
    for i in range(npath):
        label[path[i]] = 1
    return base


@njit(cache=True, nogil=True)
def _add_blossom(base, k, n, eu, ev, ew, endpoint, nb_ptr, nb_idx, label, labelend, inblossom,
                 blossomparent, childs, endps, blossombase, bestedge, bbe, has_bbe, unused,
                 dual, queue, buf, stack, bestedgeto, touched):
    v = eu[k]
    w = ev[k]
    bb = inblossom[base]
    bv = inblossom[v]
    bw = inblossom[w]
    b = unused.pop()
    blossombase[b] = base
    blossomparent[b] = -1
    blossomparent[bb] = b
    path_a = [bb]
    endps_a = [0]
    path_a.pop()
    endps_a.pop()
    while bv != bb:
        blossomparent[bv] = b
        path_a.append(bv)
        endps_a.append(labelend[bv])
        v = endpoint[labelend[bv]]
        bv = inblossom[v]
    path_a.append(bb)
    path_a.reverse()
    endps_a.reverse()
    endps_a.append(2 * k)
    while bw != bb:
        blossomparent[bw] = b
        path_a.append(bw)
        endps_a.append(labelend[bw] ^ 1)
        w = endpoint[labelend[bw]]
        bw = inblossom[w]
    ch = np.empty(len(path_a), np.int64)
    ep = np.empty(len(endps_a), np.int64)
    for i in range(len(path_a)):
        ch[i] = path_a[i]
        ep[i] = endps_a[i]
    childs[b] = ch
    endps[b] = ep
    label[b] = 1
    labelend[b] = labelend[bb]
    dual[b] = 0.0
    cnt = _leaves(b, n, childs, buf, stack)
    for i in range(cnt):
        x = buf[i]
        if label[inblossom[x]] == 2:
            queue.append(x)
        inblossom[x] = b
    # least-slack edges from the new blossom to each other S-blossom
    ntouched = 0
    for ci in range(ch.shape[0]):
        sub = ch[ci]
        if has_bbe[sub]:
            lst = bbe[sub]
            for li in range(lst.shape[0]):
                kk = lst[li]
                i = eu[kk]
                j = ev[kk]
                if inblossom[j] == b:
                    i, j = j, i
                bj = inblossom[j]
                if bj != b and label[bj] == 1:
                    if bestedgeto[bj] == -1:
                        touched[ntouched] = bj
                        ntouched += 1
                        bestedgeto[bj] = kk
                    elif _slack(kk, eu, ev, ew, dual) < _slack(bestedgeto[bj], eu, ev, ew, dual):
                        bestedgeto[bj] = kk
        else:
            cnt = _leaves(sub, n, childs, buf, stack)
            for li in range(cnt):
                x = buf[li]
                for q in range(nb_ptr[x], nb_ptr[x + 1]):
                    kk = nb_idx[q] // 2
                    i = eu[kk]
                    j = ev[kk]
                    if inblossom[j] == b:
                        i, j = j, i
                    bj = inblossom[j]
                    if bj != b and label[bj] == 1:
                        if bestedgeto[bj] == -1:
                            touched[ntouched] = bj
                            ntouched += 1
                            bestedgeto[bj] = kk
                        elif _slack(kk, eu, ev, ew, dual) < _slack(bestedgeto[bj], eu, ev, ew, dual):
                            bestedgeto[bj] = kk
        has_bbe[sub] = False
        bestedge[sub] = -1
    # keep the order of the reference (by blossom id) for identical tie-breaking
    tsorted = np.sort(touched[:ntouched])
    lst = np.empty(ntouched, np.int64)
    best = -1
    bestslack = 0.0
    for i in range(ntouched):
        kk = bestedgeto[tsorted[i]]
        lst[i] = kk
        bestedgeto[tsorted[i]] = -1
        s = _slack(kk, eu, ev, ew, dual)
        if best == -1 or s < bestslack:
            best = kk
            bestslack = s
    bbe[b] = lst
    has_bbe[b] = True
    bestedge[b] = best


@njit(cache=True, nogil=True)
def _expand_blossom(b0, endstage, n, endpoint, mate, label, labelend, inblossom, blossomparent,
                    childs, endps, blossombase, bestedge, has_bbe, unused, dual, allowedge,
                    queue, buf, stack, bstack):
    """Expand blossom ``b0`` (and, at the end of a stage, its sub-blossoms of zero dual)."""
    top = 1
    bstack[0] = b0
    while top > 0:
        top -= 1
        b = bstack[top]
        ch = childs[b]
        for ci in range(ch.shape[0]):
            s = ch[ci]
            blossomparent[s] = -1
            if s < n:
                inblossom[s] = s
            elif endstage and dual[s] == 0.0:
                bstack[top] = s
                top += 1
            else:
                cnt = _leaves(s, n, childs, buf, stack)
                for i in range(cnt):
                    inblossom[buf[i]] = s
        if (not endstage) and label[b] == 2:
            ep = endps[b]
            nch = ch.shape[0]
            entrychild = inblossom[endpoint[labelend[b] ^ 1]]
            j = _index_of(ch, entrychild)
            if j & 1:
                j -= nch
                jstep = 1
                endptrick = 0
            else:
                jstep = -1
                endptrick = 1
            p = labelend[b]
            while j != 0:
                label[endpoint[p ^ 1]] = 0
                label[endpoint[ep[(j - endptrick) % nch] ^ endptrick ^ 1]] = 0
                _assign_label(endpoint[p ^ 1], 2, p, n, endpoint, mate, label, labelend, inblossom,
                              blossombase, bestedge, childs, queue, buf, stack)
                allowedge[ep[(j - endptrick) % nch] // 2] = True
                j += jstep
                p = ep[(j - endptrick) % nch] ^ endptrick
                allowedge[p // 2] = True
                j += jstep
            bv = ch[j % nch]
            label[endpoint[p ^ 1]] = 2
            label[bv] = 2
            labelend[endpoint[p ^ 1]] = p
            labelend[bv] = p
            bestedge[bv] = -1
            j += jstep
            while ch[j % nch] != entrychild:
                bv = ch[j % nch]
                if label[bv] == 1:
                    j += jstep
                    continue
                cnt = _leaves(bv, n, childs, buf, stack)
                v = -1
                for i in range(cnt):
                    v = buf[i]
                    if label[v] != 0:
                        break
                if label[v] != 0:
                    label[v] = 0
                    label[endpoint[mate[blossombase[bv]]]] = 0
                    _assign_label(v, 2, labelend[v], n, endpoint, mate, label, labelend, inblossom,
                                  blossombase, bestedge, childs, queue, buf, stack)
                j += jstep
        label[b] = -1
        labelend[b] = -1
        childs[b] = np.empty(0, np.int64)
        endps[b] = np.empty(0, np.int64)
        blossombase[b] = -1
        has_bbe[b] = False
        bestedge[b] = -1
        unused.append(b)


@njit(cache=True, nogil=True)
def _augment_blossom(b0, v0, n, endpoint, mate, blossomparent, childs, endps, blossombase,
                     bstack, vstack):
    """Swap matched and unmatched edges inside blossom ``b0`` so that ``v0`` becomes its base."""
    top = 1
    bstack[0] = b0
    vstack[0] = v0
    while top > 0:
        top -= 1
        b = bstack[top]
        v = vstack[top]
        t = v
        while blossomparent[t] != b:
            t = blossomparent[t]
        if t >= n:
            bstack[top] = t
            vstack[top] = v
            top += 1
        ch = childs[b]
        ep = endps[b]
        nch = ch.shape[0]
        i = _index_of(ch, t)
        j = i
        if i & 1:
            j -= nch
            jstep = 1
            endptrick = 0
        else:
            jstep = -1
            endptrick = 1
        while j != 0:
            j += jstep
            t = ch[j % nch]
            p = ep[(j - endptrick) % nch] ^ endptrick
            if t >= n:
                bstack[top] = t
                vstack[top] = endpoint[p]
                top += 1
            j += jstep
            t = ch[j % nch]
            if t >= n:
                bstack[top] = t
                vstack[top] = endpoint[p ^ 1]
                top += 1
            mate[endpoint[p]] = p ^ 1
            mate[endpoint[p ^ 1]] = p
        childs[b] = np.concatenate((ch[i:], ch[:i]))
        endps[b] = np.concatenate((ep[i:], ep[:i]))
        blossombase[b] = v


@njit(cache=True, nogil=True)
def _augment_matching(k, n, eu, ev, endpoint, mate, labelend, inblossom, blossomparent, childs,
                      endps, blossombase, bstack, vstack):
    for side in range(2):
        if side == 0:
            s = eu[k]
            p = 2 * k + 1
        else:
            s = ev[k]
            p = 2 * k
        while True:
            bs = inblossom[s]
            if bs >= n:
                _augment_blossom(bs, s, n, endpoint, mate, blossomparent, childs, endps,
                                 blossombase, bstack, vstack)
            mate[s] = p
            if labelend[bs] == -1:
                break
            t = endpoint[labelend[bs]]
            bt = inblossom[t]
            s = endpoint[labelend[bt]]
            j = endpoint[labelend[bt] ^ 1]
            if bt >= n:
                _augment_blossom(bt, j, n, endpoint, mate, blossomparent, childs, endps,
                                 blossombase, bstack, vstack)
            mate[j] = labelend[bt]
            p = labelend[bt] ^ 1


@njit(cache=True, nogil=True)
def blossom_matching(n, eu, ev, ew, maxcardinality):
    """Maximum-weight matching of the graph with edges ``(eu[k], ev[k], ew[k])``.

    Self-loops must be removed by the caller. Returns ``(mate, dual, stages)``: ``mate[v]``
    is v's partner or -1; ``dual`` the doubled dual variables (vertices then blossoms).
    """
    m = eu.shape[0]
    maxweight = 0.0
    for k in range(m):
        if ew[k] > maxweight:
            maxweight = ew[k]
    endpoint = np.empty(2 * m, np.int64)
    deg = np.zeros(n + 1, np.int64)
    for k in range(m):
        endpoint[2 * k] = eu[k]
        endpoint[2 * k + 1] = ev[k]
        deg[eu[k] + 1] += 1
        deg[ev[k] + 1] += 1
    nb_ptr = np.cumsum(deg)
    fill = nb_ptr[:-1].copy()
    nb_idx = np.empty(2 * m, np.int64)
    for k in range(m):
        nb_idx[fill[eu[k]]] = 2 * k + 1
        fill[eu[k]] += 1
        nb_idx[fill[ev[k]]] = 2 * k
        fill[ev[k]] += 1
    mate = np.full(n, -1, np.int64)
    label = np.zeros(2 * n, np.int64)
    labelend = np.full(2 * n, -1, np.int64)
    inblossom = np.arange(n)
    blossomparent = np.full(2 * n, -1, np.int64)
    childs = [np.empty(0, np.int64) for _ in range(2 * n)]
    endps = [np.empty(0, np.int64) for _ in range(2 * n)]
    bbe = [np.empty(0, np.int64) for _ in range(2 * n)]
    has_bbe = np.zeros(2 * n, np.bool_)
    blossombase = np.full(2 * n, -1, np.int64)
    blossombase[:n] = np.arange(n)
    bestedge = np.full(2 * n, -1, np.int64)
    unused = [np.int64(b) for b in range(2 * n - 1, n - 1, -1)]
    unused.reverse()
    dual = np.zeros(2 * n, np.float64)
    dual[:n] = maxweight
    allowedge = np.zeros(m, np.bool_)
    queue = [np.int64(0)]
    queue.pop()
    buf = np.empty(max(n, 1), np.int64)
    stack = np.empty(2 * n + 1, np.int64)
    bstack = np.empty(2 * n + 1, np.int64)
    vstack = np.empty(2 * n + 1, np.int64)
    path = np.empty(2 * n + 1, np.int64)
    bestedgeto = np.full(2 * n, -1, np.int64)
    touched = np.empty(2 * n, np.int64)
    stages = 0
    for _stage in range(n):
        stages += 1
        label[:] = 0
        bestedge[:] = -1
        has_bbe[n:] = False
        allowedge[:] = False
        queue.clear()
        for v in range(n):
            if mate[v] == -1 and label[inblossom[v]] == 0:
                _assign_label(v, 1, -1, n, endpoint, mate, label, labelend, inblossom, blossombase,
                              bestedge, childs, queue, buf, stack)
        augmented = False
        while True:
            while len(queue) > 0 and not augmented:
                v = queue.pop()
                for q in range(nb_ptr[v], nb_ptr[v + 1]):
                    p = nb_idx[q]
                    k = p // 2
                    w = endpoint[p]
                    if inblossom[v] == inblossom[w]:
                        continue
                    kslack = 0.0
                    if not allowedge[k]:
                        kslack = _slack(k, eu, ev, ew, dual)
                        if kslack <= 0.0:
                            allowedge[k] = True
                    if allowedge[k]:
                        if label[inblossom[w]] == 0:
                            _assign_label(w, 2, p ^ 1, n, endpoint, mate, label, labelend, inblossom,
                                          blossombase, bestedge, childs, queue, buf, stack)
                        elif label[inblossom[w]] == 1:
                            base = _scan_blossom(v, w, endpoint, label, labelend, inblossom,
                                                 blossombase, path)
                            if base >= 0:
                                _add_blossom(base, k, n, eu, ev, ew, endpoint, nb_ptr, nb_idx, label,
                                             labelend, inblossom, blossomparent, childs, endps,
                                             blossombase, bestedge, bbe, has_bbe, unused, dual, queue,
                                             buf, stack, bestedgeto, touched)
                            else:
                                _augment_matching(k, n, eu, ev, endpoint, mate, labelend, inblossom,
                                                  blossomparent, childs, endps, blossombase, bstack,
                                                  vstack)
                                augmented = True
                                break
                        elif label[w] == 0:
                            label[w] = 2
                            labelend[w] = p ^ 1
                    elif label[inblossom[w]] == 1:
                        b = inblossom[v]
                        if bestedge[b] == -1 or kslack < _slack(bestedge[b], eu, ev, ew, dual):
                            bestedge[b] = k
                    elif label[w] == 0:
                        if bestedge[w] == -1 or kslack < _slack(bestedge[w], eu, ev, ew, dual):
                            bestedge[w] = k
            if augmented:
                break
            deltatype = -1
            delta = 0.0
            deltaedge = -1
            deltablossom = -1
            mindual = np.inf
            best2 = np.inf
            edge2 = -1
            best3 = np.inf
            edge3 = -1
            for v in range(n):  # one pass over the vertices: types 1, 2 and 3 (trivial blossoms)
                if dual[v] < mindual:
                    mindual = dual[v]
                lb = label[inblossom[v]]
                if lb == 0 and bestedge[v] != -1:
                    d = _slack(bestedge[v], eu, ev, ew, dual)
                    if d < best2:
                        best2 = d
                        edge2 = bestedge[v]
                if blossomparent[v] == -1 and label[v] == 1 and bestedge[v] != -1:
                    d = _slack(bestedge[v], eu, ev, ew, dual) / 2.0
                    if d < best3:
                        best3 = d
                        edge3 = bestedge[v]
            best4 = np.inf
            for b in range(n, 2 * n):  # non-trivial top-level blossoms: types 3 and 4
                if blossombase[b] < 0 or blossomparent[b] != -1:
                    continue
                if label[b] == 1 and bestedge[b] != -1:
                    d = _slack(bestedge[b], eu, ev, ew, dual) / 2.0
                    if d < best3:
                        best3 = d
                        edge3 = bestedge[b]
                elif label[b] == 2 and dual[b] < best4:
                    best4 = dual[b]
                    deltablossom = b
            if not maxcardinality:
                deltatype = 1
                delta = mindual
            if edge2 != -1 and (deltatype == -1 or best2 < delta):
                deltatype = 2
                delta = best2
                deltaedge = edge2
            if edge3 != -1 and (deltatype == -1 or best3 < delta):
                deltatype = 3
                delta = best3
                deltaedge = edge3
            if deltablossom != -1 and (deltatype == -1 or best4 < delta):
                deltatype = 4
                delta = best4
            if deltatype == -1:
                deltatype = 1
                delta = max(0.0, mindual)
            for v in range(n):
                lb = label[inblossom[v]]
                if lb == 1:
                    dual[v] -= delta
                elif lb == 2:
                    dual[v] += delta
            for b in range(n, 2 * n):
                if blossombase[b] >= 0 and blossomparent[b] == -1:
                    if label[b] == 1:
                        dual[b] += delta
                    elif label[b] == 2:
                        dual[b] -= delta
            if deltatype == 1:
                break
            elif deltatype == 2:
                allowedge[deltaedge] = True
                i = eu[deltaedge]
                if label[inblossom[i]] == 0:
                    i = ev[deltaedge]
                queue.append(i)
            elif deltatype == 3:
                allowedge[deltaedge] = True
                queue.append(eu[deltaedge])
            else:
                _expand_blossom(deltablossom, False, n, endpoint, mate, label, labelend, inblossom,
                                blossomparent, childs, endps, blossombase, bestedge, has_bbe, unused,
                                dual, allowedge, queue, buf, stack, bstack)
        if not augmented:
            break
        for b in range(n, 2 * n):
            if (blossomparent[b] == -1 and blossombase[b] >= 0 and label[b] == 1
                    and dual[b] == 0.0):
                _expand_blossom(b, True, n, endpoint, mate, label, labelend, inblossom,
                                blossomparent, childs, endps, blossombase, bestedge, has_bbe, unused,
                                dual, allowedge, queue, buf, stack, bstack)
    partner = np.full(n, -1, np.int64)
    for v in range(n):
        if mate[v] >= 0:
            partner[v] = endpoint[mate[v]]
    return partner, dual, stages
