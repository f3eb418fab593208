"""Numba kernel of the exact maximum-weight matching in general graphs (Edmonds' blossoms).

The primal-dual O(n^3) version of Galil (ACM Computing Surveys 18, 1986), following the
structure of Joris van Rantwijk's implementation that networkx's ``max_weight_matching``
ports: vertices ``0..n-1``, blossoms ``n..2n-1``, edges by index ``k`` with endpoints
``2k`` (``eu[k]``) and ``2k+1`` (``ev[k]``); ``mate[v]`` is the remote endpoint of v's
matched edge. Dual variables are stored doubled (``dual[v] = 2 u_v``) so integer weights
stay in exact integer arithmetic (float64 holds integers exactly below 2**53).

Speed-ups over the reference, which keep its invariants (free vertices share the least
dual) and so its correctness argument:

- jump start: with every dual equal to the largest weight, every heaviest edge is tight, so
  a greedy maximal matching of the heaviest edges is a state the reference can reach (for
  unit or two-level weights it leaves few stages: chain and triangle graphs need 2 and
  n/18 stages instead of n/2);
- lazy duals: ``st[0]`` holds ``D``, the sum of the deltas of the current stage, and
  ``dual`` stores each value minus its drift (``-D`` for S-vertices and T-blossoms, ``+D``
  for T-vertices and S-blossoms), re-encoded when a label changes and settled at the end of
  the stage, so a delta step no longer updates every dual;
- after ``HEAP_AFTER`` delta steps in a stage, the delta candidates (least-slack edge to
  each free vertex, of each S-blossom, duals of T-blossoms) move into heaps with lazy
  deletion: a delta step then costs O(log m) instead of a scan over all vertices and
  blossoms (``sparse_delta`` graphs need about n/8 delta steps per stage);
- a delta step of kind 2 or 3 queues only the edge it made tight, where the reference
  rescans every edge of that edge's S-end: on graphs with hub vertices (``sparse_delta``:
  two vertices of degree n/4, n/8 delta steps per stage) that rescan was O(n) per delta
  step and made the whole run O(n^3); other edges that became tight in the same step
  are found by the following steps of zero delta.

Worst case O(n^3) like the reference (O(n m log n) heap work on top).

The recursions of the reference (``expandBlossom`` at the end of a stage,
``augmentBlossom``) are replaced by explicit stacks: they act on disjoint sub-blossoms, so
their order does not matter, and deep blossom nests cannot overflow the native stack.

The state the helpers share travels in a few containers instead of one argument per array
(the helpers took up to 28 arguments):

- ``g``: the graph, read only, ``(eu, ev, ew, endpoint, nb_ptr, nb_idx)`` (``nb_idx[q]`` for
  ``nb_ptr[v] <= q < nb_ptr[v + 1]``: the remote endpoints of v's edges);
- ``s``: an int64 array of shape ``(N_STATE, 2n)``, one row per field of a vertex or
  blossom (``s[LABEL]``, ``s[INBLOSSOM]``, ...; the rows about vertices use their first n
  columns);
- ``dual`` (the doubled, lazily stored duals of vertices then blossoms) and ``st``
  (``st[0]``: ``D``; ``st[1]``: the least stored dual of an S-vertex), float64;
- ``bl``: the blossoms' variable-length parts, ``(childs, endps, bbe, has_bbe, unused)``
  (sub-blossoms, their connecting endpoints, least-slack edges to other S-blossoms and
  whether that list is current, the free blossom ids);
- ``work``: the stage's queues and buffers, ``(queue, allowedge, scratch, h2, h3, h4, dirty2,
  isdirty2, dirty3, isdirty3)``, ``scratch`` an int64 array of shape ``(N_SCRATCH, 2n + 1)``
  (``scratch[BUF]``, ``scratch[STACK]``, ...).

The helpers called once per blossom or augmentation take views of the rows they use; the
ones inlined into the hot loops (``_leaves``, ``_assign_label``, ``_scan_blossom``) index
``s[ROW, i]`` directly, since each view costs a reference-count update per call (5-10% on
the benchmark graphs). Flags stay boolean arrays: ``has_bbe`` is cleared every stage.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

HEAP_AFTER = 8  # delta steps in a stage before the candidates move into heaps

# rows of the state array ``s`` (columns: vertices 0..n-1, then blossoms n..2n-1)
MATE = 0  # vertex: the remote endpoint of its matched edge, -1 if free
LABEL = 1  # top-level vertex or blossom: 0 free, 1 S, 2 T (5: marked by _scan_blossom)
LABELEND = 2  # the endpoint through which the label was assigned, -1 for a root
INBLOSSOM = 3  # vertex: its top-level blossom (itself if none)
PARENT = 4  # vertex or blossom: the blossom holding it directly, -1 if top-level
BASE = 5  # blossom: its base vertex, -1 while the id is unused (vertex v: v)
BESTEDGE = 6  # least-slack edge to a free vertex (vertices) or another S-blossom (S-blossoms)
BESTEDGETO = 7  # _add_blossom's scratch: least-slack edge to each S-blossom, -1 between calls
STAMP2 = 8  # vertex: version of its newest entry in the heap h2
N_STATE = 9

# rows of ``scratch`` (2n + 1 columns)
BUF = 0  # the leaves of one blossom
STACK = 1  # _leaves' stack
BSTACK = 2  # blossoms to expand or augment
VSTACK = 3  # the vertex each of them is augmented to
PATH = 4  # _scan_blossom's path
TOUCHED = 5  # the S-blossoms _add_blossom found edges to
N_SCRATCH = 6


@njit(cache=True, nogil=True, inline="always")
def _leaves(b, n, childs, scratch):
    """Write the vertices of (sub-)blossom ``b`` into ``scratch[BUF]``; return their number."""
    if b < n:
        scratch[BUF, 0] = b
        return 1
    cnt = 0
    scratch[STACK, 0] = b
    top = 1
    while top > 0:
        top -= 1
        t = scratch[STACK, top]
        if t < n:
            scratch[BUF, cnt] = t
            cnt += 1
        else:
            ch = childs[t]
            for i in range(ch.shape[0]):
                scratch[STACK, top] = ch[i]
                top += 1
    return cnt


@njit(cache=True, nogil=True, inline="always")
def _vsign(lb):
    """Drift of a vertex dual per unit of delta, by the label of its top blossom."""
    if lb == 1:
        return -1.0
    if lb == 2:
        return 1.0
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def _rawslack(k, eu, ev, ew, dual):
    """Slack of edge k minus its drift: compares edges of equal drift."""
    return dual[eu[k]] + dual[ev[k]] - 2.0 * ew[k]


@njit(cache=True, nogil=True, inline="always")
def _slack(k, eu, ev, ew, dual, label, inblossom, D):
    """Slack of edge k (doubled) with the lazily stored duals."""
    a = eu[k]
    c = ev[k]
    return (dual[a] + _vsign(label[inblossom[a]]) * D + dual[c] + _vsign(label[inblossom[c]]) * D
            - 2.0 * ew[k])


@njit(cache=True, nogil=True, inline="always")
def _index_of(arr, x):
    for i in range(arr.shape[0]):
        if arr[i] == x:
            return i
    return -1


@njit(cache=True, nogil=True, inline="always")
def _assign_label(w, t, p, g, s, dual, st, bl, work):
    """Label the (unlabeled) top blossom of ``w`` with ``t`` (1 = S, 2 = T) through endpoint ``p``."""
    n = s.shape[1] // 2
    endpoint = g[3]
    childs = bl[0]
    queue = work[0]
    scratch = work[2]
    h4 = work[5]
    D = st[0]
    while True:
        b = s[INBLOSSOM, w]
        s[LABEL, w] = t
        s[LABEL, b] = t
        s[LABELEND, w] = p
        s[LABELEND, b] = p
        s[BESTEDGE, w] = -1
        s[BESTEDGE, b] = -1
        if t == 1:
            cnt = _leaves(b, n, childs, scratch)
            for i in range(cnt):
                x = scratch[BUF, i]
                dual[x] += D
                if dual[x] < st[1]:
                    st[1] = dual[x]
                queue.append(x)
            if b >= n:
                dual[b] -= D
            return
        if D != 0.0:
            cnt = _leaves(b, n, childs, scratch)
            for i in range(cnt):
                dual[scratch[BUF, i]] -= D
        if b >= n:
            dual[b] += D
            heapq.heappush(h4, (dual[b], b, np.int64(0), np.int64(0)))
        # t == 2: the mate of the base becomes an S-vertex
        base = s[BASE, b]
        w = endpoint[s[MATE, base]]
        p = s[MATE, base] ^ 1
        t = 1


@njit(cache=True, nogil=True, inline="always")
def _scan_blossom(v, w, endpoint, s, path):
    """Trace back from v and w; return the base of a new blossom or -1 for an augmenting path."""
    npath = 0
    base = -1
    while v != -1 or w != -1:
        b = s[INBLOSSOM, v]
        if s[LABEL, b] & 4:
            base = s[BASE, b]
            break
        path[npath] = b
        npath += 1
        s[LABEL, b] = 5
        if s[LABELEND, b] == -1:
            v = -1
        else:
            v = endpoint[s[LABELEND, b]]
            b = s[INBLOSSOM, v]
            v = endpoint[s[LABELEND, b]]
        if w != -1:
            v, w = w, v
    for i in range(npath):
        s[LABEL, path[i]] = 1
    return base


@njit(cache=True, nogil=True)
def _add_blossom(base, k, g, s, dual, st, bl, work):
    """Make a new S-blossom of the cycle closed by edge ``k`` through ``base``."""
    eu, ev, ew, endpoint, nb_ptr, nb_idx = g
    n = s.shape[1] // 2
    label = s[LABEL]
    labelend = s[LABELEND]
    inblossom = s[INBLOSSOM]
    blossomparent = s[PARENT]
    blossombase = s[BASE]
    bestedge = s[BESTEDGE]
    bestedgeto = s[BESTEDGETO]
    childs, endps, bbe, has_bbe, unused = bl
    queue, _allowedge, scratch, _h2, h3, _h4, _dirty2, _isdirty2, _dirty3, _isdirty3 = work
    buf = scratch[BUF]
    touched = scratch[TOUCHED]
    D = st[0]
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
    for ci in range(ch.shape[0]):  # the sub-blossoms stop drifting
        sub = ch[ci]
        if sub >= n:
            if label[sub] == 1:
                dual[sub] += D
            elif label[sub] == 2:
                dual[sub] -= D
    label[b] = 1
    labelend[b] = labelend[bb]
    dual[b] = -D
    cnt = _leaves(b, n, childs, scratch)
    for i in range(cnt):
        x = buf[i]
        if label[inblossom[x]] == 2:  # T-vertex becomes an S-vertex
            dual[x] += 2.0 * D
            if dual[x] < st[1]:
                st[1] = dual[x]
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
                    elif (_slack(kk, eu, ev, ew, dual, label, inblossom, D)
                          < _slack(bestedgeto[bj], eu, ev, ew, dual, label, inblossom, D)):
                        bestedgeto[bj] = kk
        else:
            cnt = _leaves(sub, n, childs, scratch)
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
                        elif (_slack(kk, eu, ev, ew, dual, label, inblossom, D)
                              < _slack(bestedgeto[bj], eu, ev, ew, dual, label, inblossom, D)):
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
        sl = _slack(kk, eu, ev, ew, dual, label, inblossom, D)
        if best == -1 or sl < bestslack:
            best = kk
            bestslack = sl
    bbe[b] = lst
    has_bbe[b] = True
    bestedge[b] = best
    if best != -1:
        heapq.heappush(h3, (bestslack / 2.0 + D, b, best, np.int64(0)))


@njit(cache=True, nogil=True)
def _expand_blossom(b0, endstage, g, s, dual, st, bl, work):
    """Expand blossom ``b0`` (and, at the end of a stage, its sub-blossoms of zero dual).

    Mid-stage (``endstage`` False) ``b0`` is a T-blossom of zero dual.
    """
    endpoint = g[3]
    n = s.shape[1] // 2
    mate = s[MATE]
    label = s[LABEL]
    labelend = s[LABELEND]
    inblossom = s[INBLOSSOM]
    blossomparent = s[PARENT]
    blossombase = s[BASE]
    bestedge = s[BESTEDGE]
    childs, endps, _bbe, has_bbe, unused = bl
    _queue, allowedge, scratch, _h2, _h3, h4, dirty2, isdirty2, _dirty3, _isdirty3 = work
    buf = scratch[BUF]
    bstack = scratch[BSTACK]
    D = st[0]
    if not endstage:  # its vertices stop drifting as T-vertices
        cnt = _leaves(b0, n, childs, scratch)
        for i in range(cnt):
            dual[buf[i]] += D
        dual[b0] = 0.0
    top = 1
    bstack[0] = b0
    while top > 0:
        top -= 1
        b = bstack[top]
        ch = childs[b]
        for ci in range(ch.shape[0]):
            sub = ch[ci]
            blossomparent[sub] = -1
            if sub < n:
                inblossom[sub] = sub
            elif endstage and dual[sub] == 0.0:
                bstack[top] = sub
                top += 1
            else:
                cnt = _leaves(sub, n, childs, scratch)
                for i in range(cnt):
                    inblossom[buf[i]] = sub
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
                _assign_label(endpoint[p ^ 1], 2, p, g, s, dual, st, bl, work)
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
            if D != 0.0:
                cnt = _leaves(bv, n, childs, scratch)
                for i in range(cnt):
                    dual[buf[i]] -= D
            if bv >= n:
                dual[bv] += D
                heapq.heappush(h4, (dual[bv], bv, np.int64(0), np.int64(0)))
            j += jstep
            while ch[j % nch] != entrychild:
                bv = ch[j % nch]
                if label[bv] == 1:
                    j += jstep
                    continue
                cnt = _leaves(bv, n, childs, scratch)
                v = -1
                for i in range(cnt):
                    v = buf[i]
                    if label[v] != 0:
                        break
                if label[v] != 0:
                    label[v] = 0
                    label[endpoint[mate[blossombase[bv]]]] = 0
                    _assign_label(v, 2, labelend[v], g, s, dual, st, bl, work)
                j += jstep
            # unlabeled sub-blossoms: their vertices' least-slack edges become delta-2 candidates
            for ci in range(nch):
                bv = ch[ci]
                if label[bv] != 0:
                    continue
                cnt = _leaves(bv, n, childs, scratch)
                for i in range(cnt):
                    x = buf[i]
                    if bestedge[x] != -1 and not isdirty2[x]:
                        isdirty2[x] = True
                        dirty2.append(x)
        label[b] = -1
        labelend[b] = -1
        childs[b] = np.empty(0, np.int64)
        endps[b] = np.empty(0, np.int64)
        blossombase[b] = -1
        has_bbe[b] = False
        bestedge[b] = -1
        unused.append(b)


@njit(cache=True, nogil=True)
def _augment_blossom(b0, v0, endpoint, s, bl, scratch):
    """Swap matched and unmatched edges inside blossom ``b0`` so that ``v0`` becomes its base."""
    n = s.shape[1] // 2
    mate = s[MATE]
    blossomparent = s[PARENT]
    blossombase = s[BASE]
    childs = bl[0]
    endps = bl[1]
    bstack = scratch[BSTACK]
    vstack = scratch[VSTACK]
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
def _augment_matching(k, g, s, bl, scratch):
    """Augment the matching along the path through edge ``k`` between two S-vertices."""
    eu, ev, _ew, endpoint, _nb_ptr, _nb_idx = g
    n = s.shape[1] // 2
    mate = s[MATE]
    labelend = s[LABELEND]
    inblossom = s[INBLOSSOM]
    for side in range(2):
        if side == 0:
            x = eu[k]
            p = 2 * k + 1
        else:
            x = ev[k]
            p = 2 * k
        while True:
            bs = inblossom[x]
            if bs >= n:
                _augment_blossom(bs, x, endpoint, s, bl, scratch)
            mate[x] = p
            if labelend[bs] == -1:
                break
            t = endpoint[labelend[bs]]
            bt = inblossom[t]
            x = endpoint[labelend[bt]]
            j = endpoint[labelend[bt] ^ 1]
            if bt >= n:
                _augment_blossom(bt, j, endpoint, s, bl, scratch)
            mate[j] = labelend[bt]
            p = labelend[bt] ^ 1


@njit(cache=True, nogil=True)
def _scan_deltas(g, s, dual, st, maxcardinality):
    """The least delta by one pass over vertices and blossoms (cheap while a stage has few):
    ``(deltatype, delta, deltaedge, deltablossom)``."""
    eu, ev, ew, _endpoint, _nb_ptr, _nb_idx = g
    n = s.shape[1] // 2
    label = s[LABEL]
    inblossom = s[INBLOSSOM]
    blossomparent = s[PARENT]
    blossombase = s[BASE]
    bestedge = s[BESTEDGE]
    D = st[0]
    deltatype = -1
    delta = 0.0
    deltaedge = -1
    deltablossom = -1
    if not maxcardinality:
        deltatype = 1
        delta = st[1] - D
    best2 = np.inf
    edge2 = -1
    best3 = np.inf
    edge3 = -1
    for v in range(n):
        if bestedge[v] == -1:
            continue
        lb = label[inblossom[v]]
        if lb == 0:
            d = _slack(bestedge[v], eu, ev, ew, dual, label, inblossom, D)
            if d < best2:
                best2 = d
                edge2 = bestedge[v]
        elif lb == 1 and blossomparent[v] == -1:
            d = _slack(bestedge[v], eu, ev, ew, dual, label, inblossom, D) / 2.0
            if d < best3:
                best3 = d
                edge3 = bestedge[v]
    best4 = np.inf
    for b in range(n, 2 * n):
        if blossombase[b] < 0 or blossomparent[b] != -1:
            continue
        if label[b] == 1 and bestedge[b] != -1:
            d = _slack(bestedge[b], eu, ev, ew, dual, label, inblossom, D) / 2.0
            if d < best3:
                best3 = d
                edge3 = bestedge[b]
        elif label[b] == 2:
            d = dual[b] - D
            if d < best4:
                best4 = d
                deltablossom = b
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
    return deltatype, delta, deltaedge, deltablossom


@njit(cache=True, nogil=True)
def _empty_arrays(count):
    """A list of ``count`` empty int64 arrays."""
    return [np.empty(0, np.int64) for _ in range(count)]


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
    g = (eu, ev, ew, endpoint, nb_ptr, nb_idx)
    s = np.zeros((N_STATE, 2 * n), np.int64)
    s[MATE] = -1
    s[LABELEND] = -1
    s[INBLOSSOM, :n] = np.arange(n)
    s[PARENT] = -1
    s[BASE] = -1
    s[BASE, :n] = np.arange(n)
    s[BESTEDGE] = -1
    s[BESTEDGETO] = -1
    dual = np.zeros(2 * n, np.float64)
    dual[:n] = maxweight
    # st[0]: D, the deltas of this stage so far; st[1]: least stored dual of an S-vertex
    st = np.zeros(2, np.float64)
    childs = _empty_arrays(2 * n)
    endps = _empty_arrays(2 * n)
    bbe = _empty_arrays(2 * n)
    has_bbe = np.zeros(2 * n, np.bool_)
    unused = list(np.arange(n, 2 * n))  # popped from the end: the highest id first
    bl = (childs, endps, bbe, has_bbe, unused)
    queue = [np.int64(0)]
    queue.pop()
    allowedge = np.zeros(m, np.bool_)
    scratch = np.empty((N_SCRATCH, 2 * n + 1), np.int64)
    # heaps of (key, vertex or blossom, edge, stamp); key - D is the candidate delta
    h2 = [(0.0, np.int64(0), np.int64(0), np.int64(0))]  # least-slack edge S -> free vertex
    h2.pop()
    h3 = [(0.0, np.int64(0), np.int64(0), np.int64(0))]  # least-slack edge between S-blossoms
    h3.pop()
    h4 = [(0.0, np.int64(0), np.int64(0), np.int64(0))]  # T-blossom duals
    h4.pop()
    # vertices / blossoms whose least-slack edge improved since the last delta step: pushed
    # to h2 / h3 once, at the next delta step, instead of at every improvement
    dirty2 = [np.int64(0)]
    dirty2.pop()
    isdirty2 = np.zeros(n, np.bool_)
    dirty3 = [np.int64(0)]
    dirty3.pop()
    isdirty3 = np.zeros(2 * n, np.bool_)
    work = (queue, allowedge, scratch, h2, h3, h4, dirty2, isdirty2, dirty3, isdirty3)
    # the rows this loop reads, as views made once
    mate = s[MATE]
    label = s[LABEL]
    labelend = s[LABELEND]
    inblossom = s[INBLOSSOM]
    blossomparent = s[PARENT]
    blossombase = s[BASE]
    bestedge = s[BESTEDGE]
    stamp2 = s[STAMP2]
    path = scratch[PATH]
    # jump start: all duals equal maxweight make every heaviest edge tight, so a greedy
    # maximal matching of heaviest edges is a state the reference could have reached
    for k in range(m):
        if ew[k] == maxweight and mate[eu[k]] == -1 and mate[ev[k]] == -1:
            mate[eu[k]] = 2 * k + 1
            mate[ev[k]] = 2 * k
    stages = 0
    for _stage in range(n):
        stages += 1
        label[:] = 0
        bestedge[:] = -1
        has_bbe[n:] = False
        allowedge[:] = False
        queue.clear()
        h2.clear()
        h3.clear()
        h4.clear()
        for x in dirty2:
            isdirty2[x] = False
        dirty2.clear()
        for x in dirty3:
            isdirty3[x] = False
        dirty3.clear()
        st[0] = 0.0
        st[1] = np.inf
        useheap = False
        sdeltas = 0
        nfree = 0
        for v in range(n):
            if mate[v] == -1 and label[inblossom[v]] == 0:
                nfree += 1
                _assign_label(v, 1, -1, g, s, dual, st, bl, work)
        if nfree == 0:  # perfect matching: no dual can move
            break
        augmented = False
        while True:
            D = st[0]
            while len(queue) > 0 and not augmented:
                item = queue.pop()
                if item >= 0:  # a new S-vertex: scan all its edges
                    v = item
                    qlo = nb_ptr[v]
                    qhi = nb_ptr[v + 1]
                    single = -1
                else:  # one edge made tight by a delta step: endpoint -item - 1
                    single = -item - 1
                    v = endpoint[single ^ 1]
                    qlo = 0
                    qhi = 1
                for q in range(qlo, qhi):
                    p = nb_idx[q] if single < 0 else single
                    k = p // 2
                    w = endpoint[p]
                    if inblossom[v] == inblossom[w]:
                        continue
                    kslack = 0.0
                    lw = label[inblossom[w]]
                    if not allowedge[k]:  # v is an S-vertex
                        kslack = dual[v] - D + dual[w] + _vsign(lw) * D - 2.0 * ew[k]
                        if kslack <= 0.0:
                            allowedge[k] = True
                    if allowedge[k]:
                        if label[inblossom[w]] == 0:
                            _assign_label(w, 2, p ^ 1, g, s, dual, st, bl, work)
                        elif label[inblossom[w]] == 1:
                            base = _scan_blossom(v, w, endpoint, s, path)
                            if base >= 0:
                                _add_blossom(base, k, g, s, dual, st, bl, work)
                            else:
                                _augment_matching(k, g, s, bl, scratch)
                                augmented = True
                                break
                        elif label[w] == 0:
                            label[w] = 2
                            labelend[w] = p ^ 1
                    elif label[inblossom[w]] == 1:
                        b = inblossom[v]
                        # both edges join two S-vertices: their drifts are equal
                        if bestedge[b] == -1 or _rawslack(k, eu, ev, ew, dual) < _rawslack(
                                bestedge[b], eu, ev, ew, dual):
                            bestedge[b] = k
                            if useheap and not isdirty3[b]:
                                isdirty3[b] = True
                                dirty3.append(b)
                    elif label[w] == 0:
                        # both edges join w to an S-vertex: their drifts are equal
                        if bestedge[w] == -1 or _rawslack(k, eu, ev, ew, dual) < _rawslack(
                                bestedge[w], eu, ev, ew, dual):
                            bestedge[w] = k
                            if useheap and label[inblossom[w]] == 0 and not isdirty2[w]:
                                isdirty2[w] = True
                                dirty2.append(w)
            if augmented:
                break
            # the least of the four kinds of delta, each from its heap (stale entries dropped)
            deltatype = -1
            delta = 0.0
            deltaedge = -1
            deltablossom = -1
            sdeltas += 1
            if not useheap and sdeltas > HEAP_AFTER:
                # many delta steps in this stage: from now on keep the candidates in heaps
                useheap = True
                for x in dirty2:
                    isdirty2[x] = False
                dirty2.clear()
                for x in dirty3:
                    isdirty3[x] = False
                dirty3.clear()
                for v in range(n):
                    if bestedge[v] != -1 and label[inblossom[v]] == 0:
                        dirty2.append(np.int64(v))
                        isdirty2[v] = True
                for b in range(2 * n):
                    if b >= n and (blossombase[b] < 0 or blossomparent[b] != -1):
                        continue
                    if b < n and blossomparent[b] != -1:
                        continue
                    if label[b] == 1 and bestedge[b] != -1:
                        dirty3.append(np.int64(b))
                        isdirty3[b] = True
                    elif label[b] == 2 and b >= n:
                        heapq.heappush(h4, (dual[b], np.int64(b), np.int64(0), np.int64(0)))
            if not useheap:
                for x in dirty2:
                    isdirty2[x] = False
                dirty2.clear()
                for x in dirty3:
                    isdirty3[x] = False
                dirty3.clear()
                h3.clear()
                h4.clear()
                deltatype, delta, deltaedge, deltablossom = _scan_deltas(g, s, dual, st, maxcardinality)
            if useheap:
                for x in dirty2:
                    isdirty2[x] = False
                    kk = bestedge[x]
                    if kk != -1 and label[inblossom[x]] == 0:
                        stamp2[x] += 1
                        heapq.heappush(h2, (_slack(kk, eu, ev, ew, dual, label, inblossom, D) + D, x, kk,
                                            stamp2[x]))
                dirty2.clear()
                for b in dirty3:
                    isdirty3[b] = False
                    kk = bestedge[b]
                    if kk != -1 and label[b] == 1 and blossomparent[b] == -1:
                        heapq.heappush(h3, (_slack(kk, eu, ev, ew, dual, label, inblossom, D) / 2.0 + D,
                                            b, kk, np.int64(0)))
                dirty3.clear()
                if not maxcardinality:
                    deltatype = 1
                    delta = st[1] - D  # least S-vertex dual: the free vertices', the least of all
                while len(h2) > 0:
                    e = h2[0]
                    if e[3] == stamp2[e[1]] and bestedge[e[1]] == e[2] and label[inblossom[e[1]]] == 0:
                        break
                    heapq.heappop(h2)
                if len(h2) > 0:
                    d = h2[0][0] - D
                    if deltatype == -1 or d < delta:
                        deltatype = 2
                        delta = d
                        deltaedge = h2[0][2]
                while len(h3) > 0:
                    e = h3[0]
                    if blossomparent[e[1]] == -1 and label[e[1]] == 1 and bestedge[e[1]] == e[2]:
                        break
                    heapq.heappop(h3)
                if len(h3) > 0:
                    d = h3[0][0] - D
                    if deltatype == -1 or d < delta:
                        deltatype = 3
                        delta = d
                        deltaedge = h3[0][2]
                while len(h4) > 0:
                    e = h4[0]
                    b = e[1]
                    if (blossomparent[b] == -1 and label[b] == 2 and blossombase[b] >= 0
                            and dual[b] == e[0]):
                        break
                    heapq.heappop(h4)
                if len(h4) > 0:
                    d = h4[0][0] - D
                    if deltatype == -1 or d < delta:
                        deltatype = 4
                        delta = d
                        deltablossom = h4[0][1]
            if deltatype == -1:  # max-cardinality optimum reached: a last, verifiable dual step
                deltatype = 1
                mindual = np.inf
                for v in range(n):
                    dv = dual[v] + _vsign(label[inblossom[v]]) * D
                    if dv < mindual:
                        mindual = dv
                delta = max(0.0, mindual)
            st[0] = D + delta
            if deltatype == 1:
                break
            elif deltatype == 2:
                # only the edge that became tight: rescanning its S-end's edges (as the
                # reference does) costs its degree per delta step
                allowedge[deltaedge] = True
                if label[inblossom[eu[deltaedge]]] == 0:  # eu is the unlabeled end
                    queue.append(-(2 * deltaedge) - 1)
                else:
                    queue.append(-(2 * deltaedge + 1) - 1)
            elif deltatype == 3:
                allowedge[deltaedge] = True
                queue.append(-(2 * deltaedge + 1) - 1)
            else:
                _expand_blossom(deltablossom, False, g, s, dual, st, bl, work)
        # settle the duals of the stage
        D = st[0]
        if D != 0.0:
            for v in range(n):
                dual[v] += _vsign(label[inblossom[v]]) * D
            for b in range(n, 2 * n):
                if blossombase[b] >= 0 and blossomparent[b] == -1:
                    if label[b] == 1:
                        dual[b] += D
                    elif label[b] == 2:
                        dual[b] -= D
        st[0] = 0.0
        if not augmented:
            break
        for b in range(n, 2 * n):
            if (blossomparent[b] == -1 and blossombase[b] >= 0 and label[b] == 1
                    and dual[b] == 0.0):
                _expand_blossom(b, True, g, s, dual, st, bl, work)
    partner = np.full(n, -1, np.int64)
    for v in range(n):
        if mate[v] >= 0:
            partner[v] = endpoint[mate[v]]
    return partner, dual, stages
