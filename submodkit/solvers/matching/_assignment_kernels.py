"""Numba kernels of the linear assignment problem: Jonker-Volgenant shortest augmenting paths,
dense (LAPJV, vectorized row passes) and sparse (LAPJVsp style, Dijkstra over the CSR rows).

Both solve ``min sum_i c[i, x[i]]`` over assignments of every row to a distinct column of an
``nr x nc`` cost matrix with ``nr <= nc``, in the phases of Jonker and Volgenant (1987):

1. initialisation (square matrices only): column reduction ``v[j] = min_i c[i, j]`` (each
   column goes to its cheapest row if that row is still free) and reduction transfer (a row
   that got exactly one column moves its slack into that column's price);
2. augmenting row reduction, two passes: a free row takes the column of least reduced cost
   ``c[i, j] - v[j]`` and lowers its price by the gap to the second least, evicting the row
   that held it (an auction step with the largest safe bid; a budget of immediate re-bids
   per pass ends the price wars of tiny gaps);
3. augmentation along tight edges (zero reduced cost) only: Kuhn's depth-first search, no
   price change. Integer costs leave plateaus of ties that Dijkstra would explore column by
   column; here the zero-length augmenting paths are found reading each row once;
4. shortest augmenting paths from each remaining free row: Dijkstra on the reduced costs, the
   prices of the columns it settled moved by their distances, then the path flipped.

The row prices are implicit: ``u[i] = c[i, x[i]] - v[x[i]]``. Every phase keeps the duals
feasible (``c[i, j] - v[j] >= u[i]``, equality on assigned pairs), so the result is optimal.
A rectangular matrix (``nr < nc``) skips phase 1 and starts from ``v = 0``: a price then only
ever goes down, and only on a column that is or becomes assigned, so every unassigned column
keeps the largest price, 0, which is the optimality condition of the rectangular problem.

Forbidden pairs: ``inf`` in a dense matrix, an entry absent from the CSR structure. Ties go to
the first index found. The kernels trust their input (checked in :mod:`.assignment`): the CSR
structure in bounds, no NaN, no ``-inf``, ``nr <= nc``.

References: Jonker, Volgenant, "A shortest augmenting path algorithm for dense and sparse
linear assignment problems", Computing 38 (1987); Volgenant, "Linear and semi-assignment
problems: a core oriented approach", Computers & Operations Research 23 (1996).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

_INF = np.inf


@njit(cache=True, nogil=True)
def solve_lap(dense, transpose, sign, nr, nc, indptr, indices, cost):
    """Min-cost assignment of every row (``nr <= nc``): ``(feasible, x, xpos)``.

    ``dense`` holds the costs times ``sign`` (+1 or -1, applied on the fly so that maximizing
    needs no negated copy), C-contiguous, of shape ``(nr, nc)``, or ``(nc, nr)`` with
    ``transpose`` (then solved on a cache-blocked transposed copy). When ``dense`` is empty the
    CSR structure ``(indptr, indices, cost)`` of an ``nr x nc`` matrix is used instead (costs
    already signed). ``x[i]`` is the column of row ``i``; ``xpos[i]`` the position of that pair
    in ``indices`` (sparse only). One entry point for both storage forms, so one compiled
    signature serves every call.
    """
    if dense.shape[0] > 0:
        c = _transposed(dense) if transpose else dense
        x = np.full(nr, -1, np.int64)
        ok = _dense_lapjv(c, sign, x)
        return ok, x, np.zeros(0, np.int64)
    return _sparse_lapjv(nr, nc, indptr, indices, cost)


@njit(cache=True, nogil=True)
def _transposed(a):
    """A C-contiguous copy of ``a.T``, copied tile by tile (both sides stay in cache)."""
    n, m = a.shape
    out = np.empty((m, n))
    tile = 64
    for i0 in range(0, n, tile):
        i1 = min(i0 + tile, n)
        for j0 in range(0, m, tile):
            j1 = min(j0 + tile, m)
            for j in range(j0, j1):
                for i in range(i0, i1):
                    out[j, i] = a[i, j]
    return out


# dense: every pass over a row is a branch-free loop over blocks of _BLOCK columns that LLVM
# vectorizes (the minima through llvm.minnum, which the vectorizer turns into SIMD reductions);
# the per-block minima then locate the least entry without a second pass over the row.

_BLOCK = 64


@intrinsic
def _minnum(typingctx, a, b):
    """``llvm.minnum.f64``: the smaller of two floats. Flagged ``nnan nsz``: the kernels never
    form a NaN (finite or ``+inf`` costs, finite prices) and the sign of a zero is immaterial."""
    sig = types.float64(types.float64, types.float64)

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.DoubleType(), [ir.DoubleType(), ir.DoubleType()])
        fn = builder.module.declare_intrinsic("llvm.minnum", [ir.DoubleType()], fnty)
        return builder.call(fn, args, fastmath=("nnan", "nsz"))

    return sig, codegen


@intrinsic
def _maxnum(typingctx, a, b):
    """``llvm.maxnum.f64``: the larger of two floats (flagged as :func:`_minnum`)."""
    sig = types.float64(types.float64, types.float64)

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.DoubleType(), [ir.DoubleType(), ir.DoubleType()])
        fn = builder.module.declare_intrinsic("llvm.maxnum", [ir.DoubleType()], fnty)
        return builder.call(fn, args, fastmath=("nnan", "nsz"))

    return sig, codegen


@njit(cache=True, nogil=True)
def _dense_lapjv(c, sign, x):
    """LAPJV on the dense ``nr x nc`` costs ``sign * c`` (``nr <= nc``): fills ``x`` (column of
    each row); False when no assignment of every row exists."""
    nr, nc = c.shape
    v = np.zeros(nc)
    y = np.full(nc, -1, np.int64)
    free = np.empty(nr, np.int64)
    if nr == nc:
        nfree = _dense_column_reduction(c, sign, v, x, y, free)
        if nfree < 0:
            return False
    else:
        nfree = nr
        for i in range(nr):
            free[i] = i
    for _ in range(2):
        if nfree == 0:
            break
        nfree = _dense_row_reduction(c, sign, v, x, y, free, nfree)
    if nfree > 0:
        nfree = _dense_tight_augment(c, sign, v, x, y, free, nfree)
    return _dense_augment(c, sign, v, x, y, free, nfree)


@njit(cache=True, nogil=True)
def _dense_column_reduction(c, sign, v, x, y, free):
    """Column reduction and reduction transfer of a square matrix; returns the number of free
    rows (listed in ``free``), or -1 when a column has no allowed entry."""
    n = c.shape[0]
    arg = np.zeros(n, np.int64)
    for j in range(n):
        v[j] = _INF
    for i in range(n):  # row by row (memory order); strict < keeps the smallest row on ties
        row = c[i]
        for j in range(n):
            h = sign * row[j]
            better = h < v[j]
            v[j] = h if better else v[j]
            arg[j] = i if better else arg[j]
    matches = np.zeros(n, np.int64)
    for j in range(n - 1, -1, -1):
        if v[j] == _INF:
            return -1
        i = arg[j]
        matches[i] += 1
        if matches[i] == 1:
            x[i] = j
            y[j] = i
    nfree = 0
    for i in range(n):
        if matches[i] == 0:
            free[nfree] = i
            nfree += 1
        elif matches[i] == 1:  # reduction transfer: the row's slack moves into its column's price
            j1 = x[i]
            row = c[i]
            low = _INF
            for j in range(n):
                h = sign * row[j] - v[j]
                low = _minnum(low, h if j != j1 else _INF)
            if low < _INF:
                v[j1] -= low
    return nfree


@njit(cache=True, nogil=True)
def _block_minima(row, sign, v, bmin):
    """``bmin[b]`` = least ``sign * row[j] - v[j]`` over block ``b`` of the columns."""
    nc = row.shape[0]
    nfull = nc // _BLOCK
    for b in range(nfull):  # constant trip count: LLVM vectorizes the inner loop
        base = b * _BLOCK
        m = _INF
        for jj in range(_BLOCK):
            j = base + jj
            m = _minnum(m, sign * row[j] - v[j])
        bmin[b] = m
    if nfull < bmin.shape[0]:
        m = _INF
        for j in range(nfull * _BLOCK, nc):
            m = _minnum(m, sign * row[j] - v[j])
        bmin[nfull] = m


@njit(cache=True, nogil=True)
def _first_equal(row, sign, v, y, bmin, target, skip, only_free):
    """The first column ``j != skip`` (unassigned if ``only_free``) with ``sign * row[j] - v[j]
    == target``; ``bmin`` says which blocks can hold it (the block of ``skip`` is always
    searched). -1 if none."""
    nc = row.shape[0]
    bskip = skip // _BLOCK
    for b in range(bmin.shape[0]):
        if bmin[b] == target or b == bskip:
            for j in range(b * _BLOCK, min(b * _BLOCK + _BLOCK, nc)):
                if j != skip and (y[j] < 0 or not only_free) and sign * row[j] - v[j] == target:
                    return j
    return -1


@njit(cache=True, nogil=True)
def _dense_row_reduction(c, sign, v, x, y, free, nfree):
    """One pass of augmenting row reduction over ``free[:nfree]``; returns the new count."""
    nc = c.shape[1]
    bmin = np.empty((nc + _BLOCK - 1) // _BLOCK)
    k = 0
    previous = nfree
    nfree = 0
    budget = 4 * nc  # immediate re-bids per pass (price wars of tiny gaps end here)
    while k < previous:
        i = free[k]
        k += 1
        row = c[i]
        _block_minima(row, sign, v, bmin)
        u1 = _INF
        b1 = -1
        for b in range(bmin.shape[0]):
            if bmin[b] < u1:
                u1 = bmin[b]
                b1 = b
        j1 = -1
        u2 = _INF
        if b1 >= 0:
            for j in range(b1 * _BLOCK, min(b1 * _BLOCK + _BLOCK, nc)):
                h = sign * row[j] - v[j]
                if j1 < 0 and h == u1:
                    j1 = j
                elif h < u2:
                    u2 = h
            for b in range(bmin.shape[0]):
                if b != b1 and bmin[b] < u2:
                    u2 = bmin[b]
        j2 = -1
        if j1 >= 0 and y[j1] >= 0 and u1 == u2:  # the second best is wanted only on a tie:
            j2 = _first_equal(row, sign, v, y, bmin, u2, j1, True)  # a free one if any
            if j2 < 0:
                j2 = _first_equal(row, sign, v, y, bmin, u2, j1, False)
        nfree, k, budget, _ = _take(i, u1, j1, u2, j2, v, x, y, free, nfree, k, budget)
    return nfree


@njit(cache=True, nogil=True, inline="always")
def _take(i, u1, j1, u2, j2, v, x, y, free, nfree, k, budget):
    """Row ``i`` bids for its best column ``j1`` (reduced cost ``u1``; second best ``j2``,
    ``u2``): the shared step of augmenting row reduction. Returns ``(nfree, k, budget, got)``
    with ``got`` 1 when row ``i`` took ``j1``, 2 when it took ``j2``, 0 when it stays free."""
    if j1 < 0:  # no allowed column: left to the augmentation, which reports infeasibility
        free[nfree] = i
        return nfree + 1, k, budget, 0
    i0 = y[j1]
    got = 1
    lower = u1 < u2 and u2 < _INF
    if lower:
        v[j1] -= u2 - u1
    elif i0 >= 0:
        if j2 < 0 or u2 == _INF:  # its only column is taken: wait for a shortest path
            free[nfree] = i
            return nfree + 1, k, budget, 0
        got = 2
        j1 = j2
        i0 = y[j2]
    x[i] = j1
    y[j1] = i
    if i0 >= 0:
        x[i0] = -1
        if lower and budget > 0:
            budget -= 1
            k -= 1
            free[k] = i0
        else:
            free[nfree] = i0
            nfree += 1
    return nfree, k, budget, got


_TIGHT = 32  # tight columns kept per row by the dense tight-edge search
_PHASES = 8  # its passes at most (each expands a row at most once)


@njit(cache=True, nogil=True)
def _dense_tight_row(c, sign, v, x, i, bmin, tight, ntight):
    """List in ``tight[i]`` the columns (at most _TIGHT) of zero reduced cost in row ``i``: the
    least ``c[i, j] - v[j]`` for a free row (its price ``u[i]`` may rise to it), equal to
    ``u[i] = c[i, x[i]] - v[x[i]]`` for an assigned one."""
    row = c[i]
    _block_minima(row, sign, v, bmin)
    ui = _INF
    if x[i] >= 0:
        ui = sign * row[x[i]] - v[x[i]]
    else:
        for b in range(bmin.shape[0]):
            ui = min(ui, bmin[b])
    count = 0
    if ui < _INF:
        nc = row.shape[0]
        for b in range(bmin.shape[0]):
            if bmin[b] <= ui:
                for j in range(b * _BLOCK, min(b * _BLOCK + _BLOCK, nc)):
                    if sign * row[j] - v[j] == ui and count < _TIGHT:
                        tight[i, count] = j
                        count += 1
    ntight[i] = count


@njit(cache=True, nogil=True)
def _dense_tight_augment(c, sign, v, x, y, free, nfree):
    """Augment along paths of zero reduced cost only (no price changes): Kuhn's depth-first
    search on the tight edges, in passes that visit each column at most once, until a pass
    finds nothing. A zero-length shortest path costs Dijkstra a full row pass per column of
    the tie plateau it explores (integer costs); here each row is read once. Returns the
    number of rows still free (compacted in ``free``)."""
    nr, nc = c.shape
    tight = np.empty((nr, _TIGHT), np.int64)
    ntight = np.full(nr, -1, np.int64)
    bmin = np.empty((nc + _BLOCK - 1) // _BLOCK)
    seen = np.zeros(nc, np.int64)
    srow = np.empty(nr, np.int64)
    spos = np.empty(nr, np.int64)
    scol = np.empty(nr, np.int64)
    for phase in range(1, _PHASES + 1):
        found = 0
        kept = 0
        for t in range(nfree):
            f = free[t]
            srow[0] = f
            spos[0] = 0
            depth = 1
            done = False
            while depth > 0 and not done:
                i = srow[depth - 1]
                if ntight[i] < 0:
                    _dense_tight_row(c, sign, v, x, i, bmin, tight, ntight)
                if spos[depth - 1] >= ntight[i]:
                    depth -= 1
                    continue
                j = tight[i, spos[depth - 1]]
                spos[depth - 1] += 1
                if seen[j] == phase:
                    continue
                seen[j] = phase
                scol[depth - 1] = j
                if y[j] < 0:
                    for k in range(depth):
                        x[srow[k]] = scol[k]
                        y[scol[k]] = srow[k]
                    done = True
                else:
                    srow[depth] = y[j]
                    spos[depth] = 0
                    depth += 1
            if done:
                found += 1
            else:
                free[kept] = f
                kept += 1
        nfree = kept
        if found == 0 or nfree == 0:
            break
    return nfree


@njit(cache=True, nogil=True, inline="always")
def _relax(row, i, sign, v, u1, d, pred, tA, tF, lo, hi, ma, mf):
    for j in range(lo, hi):
        dj = d[j]
        h = sign * row[j] - v[j] - u1
        better = h < dj
        dj = h if better else dj
        d[j] = dj
        pred[j] = i if better else pred[j]
        ma = _minnum(ma, _maxnum(dj, tA[j]))
        mf = _minnum(mf, _maxnum(dj, tF[j]))
    return ma, mf


@njit(cache=True, nogil=True)
def _relax_row(row, i, sign, v, u1, d, pred, tA, tF, bA, bF):
    """Relax every column through row ``i`` (offset ``u1``): ``d[j] = min(d[j], sign * row[j] -
    v[j] - u1)``; then ``bA[b]`` / ``bF[b]`` = least distance over block ``b`` of the unsettled
    assigned / the unassigned columns. The masks ``tA`` (``tF``) are ``-inf`` on the unsettled
    assigned (the unassigned) columns, ``+inf`` elsewhere; a settled column has ``d[j] = -inf``
    and is never relaxed again."""
    nc = row.shape[0]
    nfull = nc // _BLOCK
    for b in range(nfull):
        base = b * _BLOCK
        ma = _INF
        mf = _INF
        for jj in range(_BLOCK):  # constant trip count: LLVM vectorizes it
            j = base + jj
            dj = d[j]
            h = sign * row[j] - v[j] - u1
            better = h < dj
            dj = h if better else dj
            d[j] = dj
            pred[j] = i if better else pred[j]
            ma = _minnum(ma, _maxnum(dj, tA[j]))
            mf = _minnum(mf, _maxnum(dj, tF[j]))
        bA[b] = ma
        bF[b] = mf
    if nfull < bA.shape[0]:
        ma, mf = _relax(row, i, sign, v, u1, d, pred, tA, tF, nfull * _BLOCK, nc, _INF, _INF)
        bA[nfull] = ma
        bF[nfull] = mf


@njit(cache=True, nogil=True)
def _dense_augment(c, sign, v, x, y, free, nfree):
    """Shortest augmenting path from each free row: Dijkstra over the columns, one vectorized
    relaxation pass per row reached; the least unassigned column ends it (ties go to it)."""
    nc = c.shape[1]
    nb = (nc + _BLOCK - 1) // _BLOCK
    d = np.empty(nc)
    pred = np.zeros(nc, np.int64)
    tA = np.empty(nc)
    tF = np.empty(nc)
    for j in range(nc):
        tA[j] = -_INF if y[j] >= 0 else _INF
        tF[j] = _INF if y[j] >= 0 else -_INF
    bA = np.empty(nb)
    bF = np.empty(nb)
    settled = np.empty(nc, np.int64)
    dset = np.empty(nc)
    for t in range(nfree):
        f = free[t]
        for j in range(nc):
            d[j] = _INF
        nsettled = 0
        i = f
        u1 = 0.0
        while True:
            _relax_row(c[i], i, sign, v, u1, d, pred, tA, tF, bA, bF)
            ma = _INF
            mf = _INF
            for b in range(nb):
                ma = min(ma, bA[b])
                mf = min(mf, bF[b])
            if mf <= ma:
                break
            j1 = _least(d, tA, bA, ma)
            settled[nsettled] = j1
            dset[nsettled] = ma
            nsettled += 1
            d[j1] = -_INF
            tA[j1] = _INF
            i = y[j1]
            u1 = sign * c[i, j1] - v[j1] - ma
        if mf == _INF:
            return False
        sink = _least(d, tF, bF, mf)
        for k in range(nsettled):
            j = settled[k]
            v[j] += dset[k] - mf
            tA[j] = -_INF
        tA[sink] = -_INF
        tF[sink] = _INF
        j = sink
        while True:
            i = pred[j]
            y[j] = i
            nxt = x[i]
            x[i] = j
            j = nxt
            if i == f:
                break
    return True


@njit(cache=True, nogil=True)
def _least(d, mask, bmin, target):
    """The first column with ``d[j] == target`` and ``mask[j] == -inf`` (blocks from ``bmin``)."""
    nc = d.shape[0]
    for b in range(bmin.shape[0]):
        if bmin[b] == target:
            for j in range(b * _BLOCK, min(b * _BLOCK + _BLOCK, nc)):
                if d[j] == target and mask[j] == -_INF:
                    return j
    return -1


# sparse


@njit(cache=True, nogil=True)
def _sparse_lapjv(nr, nc, indptr, indices, cost):
    """LAPJVsp on the CSR costs of an ``nr x nc`` matrix (``nr <= nc``): ``(feasible, x, xpos)``."""
    x = np.full(nr, -1, np.int64)
    xpos = np.full(nr, -1, np.int64)
    v = np.zeros(nc)
    y = np.full(nc, -1, np.int64)
    free = np.empty(nr, np.int64)
    if nr == nc:
        nfree = _sparse_column_reduction(nr, indptr, indices, cost, v, x, xpos, y, free)
        if nfree < 0:
            return False, x, xpos
    else:
        nfree = nr
        for i in range(nr):
            free[i] = i
    for _ in range(2):
        if nfree == 0:
            break
        nfree = _sparse_row_reduction(nc, indptr, indices, cost, v, x, xpos, y, free, nfree)
    if nfree > 0:
        nfree = _sparse_tight_augment(nr, nc, indptr, indices, cost, v, x, xpos, y, free, nfree)
    ok = _sparse_augment(nc, indptr, indices, cost, v, x, xpos, y, free, nfree)
    return ok, x, xpos


@njit(cache=True, nogil=True)
def _sparse_column_reduction(n, indptr, indices, cost, v, x, xpos, y, free):
    """Column reduction and reduction transfer over the CSR rows of a square matrix; returns
    the number of free rows, or -1 when a column has no entry."""
    argpos = np.full(n, -1, np.int64)
    argrow = np.zeros(n, np.int64)
    for j in range(n):
        v[j] = _INF
    for i in range(n):  # strict < keeps the smallest row on ties
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if cost[p] < v[j]:
                v[j] = cost[p]
                argpos[j] = p
                argrow[j] = i
    matches = np.zeros(n, np.int64)
    for j in range(n - 1, -1, -1):
        if argpos[j] < 0:
            return -1
        i = argrow[j]
        matches[i] += 1
        if matches[i] == 1:
            x[i] = j
            xpos[i] = argpos[j]
            y[j] = i
    nfree = 0
    for i in range(n):
        if matches[i] == 0:
            free[nfree] = i
            nfree += 1
        elif matches[i] == 1:
            j1 = x[i]
            low = _INF
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                if j != j1:
                    h = cost[p] - v[j]
                    if h < low:
                        low = h
            if low < _INF:
                v[j1] -= low
    return nfree


@njit(cache=True, nogil=True)
def _sparse_row_reduction(nc, indptr, indices, cost, v, x, xpos, y, free, nfree):
    """One pass of augmenting row reduction over ``free[:nfree]`` on CSR rows."""
    k = 0
    previous = nfree
    nfree = 0
    budget = 4 * nc  # immediate re-bids per pass
    while k < previous:
        i = free[k]
        k += 1
        u1 = _INF
        u2 = _INF
        p1 = -1
        p2 = -1
        for p in range(indptr[i], indptr[i + 1]):
            h = cost[p] - v[indices[p]]
            if h < u2:
                if h < u1:
                    u2 = u1
                    p2 = p1
                    u1 = h
                    p1 = p
                else:
                    u2 = h
                    p2 = p
        j1 = indices[p1] if p1 >= 0 else -1
        j2 = indices[p2] if p2 >= 0 else -1
        if j1 >= 0 and y[j1] >= 0 and u1 == u2 and y[j2] >= 0:  # a tie: a free column if any
            for p in range(indptr[i], indptr[i + 1]):
                if y[indices[p]] < 0 and cost[p] - v[indices[p]] == u1:
                    p2 = p
                    j2 = indices[p]
                    break
        nfree, k, budget, got = _take(i, u1, j1, u2, j2, v, x, y, free, nfree, k, budget)
        if got == 1:
            xpos[i] = p1
        elif got == 2:
            xpos[i] = p2
    return nfree


@njit(cache=True, nogil=True)
def _sparse_tight_augment(nr, nc, indptr, indices, cost, v, x, xpos, y, free, nfree):
    """:func:`_dense_tight_augment` on CSR rows (the tight entries are found by rescanning the
    row: a short one)."""
    u = np.empty(nr)
    for i in range(nr):
        if x[i] >= 0:
            u[i] = cost[xpos[i]] - v[x[i]]
    for t in range(nfree):
        f = free[t]
        low = _INF
        for p in range(indptr[f], indptr[f + 1]):
            low = min(low, cost[p] - v[indices[p]])
        u[f] = low
    seen = np.zeros(nc, np.int64)
    srow = np.empty(nr, np.int64)
    spos = np.empty(nr, np.int64)
    for phase in range(1, _PHASES + 1):
        found = 0
        kept = 0
        for t in range(nfree):
            f = free[t]
            srow[0] = f
            spos[0] = indptr[f]
            depth = 1
            done = False
            while depth > 0 and not done:
                i = srow[depth - 1]
                p = spos[depth - 1]
                end = indptr[i + 1]
                ui = u[i]
                while p < end and (seen[indices[p]] == phase or cost[p] - v[indices[p]] != ui):
                    p += 1
                if p == end:
                    depth -= 1
                    continue
                spos[depth - 1] = p + 1
                j = indices[p]
                seen[j] = phase
                if y[j] < 0:
                    for k in range(depth):
                        q = spos[k] - 1
                        x[srow[k]] = indices[q]
                        xpos[srow[k]] = q
                        y[indices[q]] = srow[k]
                    done = True
                else:
                    srow[depth] = y[j]
                    spos[depth] = indptr[y[j]]
                    depth += 1
            if done:
                found += 1
            else:
                free[kept] = f
                kept += 1
        nfree = kept
        if found == 0 or nfree == 0:
            break
    return nfree


@njit(cache=True, nogil=True, inline="always")
def _heap_push(hk, hj, size, key, j):
    """Push ``(key, j)`` on the binary min-heap ``hk`` / ``hj`` of ``size`` entries; returns the
    new size. The heap is lazy: an entry whose key no longer equals ``d[j]`` is skipped when
    popped, so a column's key never has to be found and lowered in place."""
    k = size
    while k > 0:
        parent = (k - 1) >> 1
        pk = hk[parent]
        if pk <= key:
            break
        hk[k] = pk
        hj[k] = hj[parent]
        k = parent
    hk[k] = key
    hj[k] = j
    return size + 1


@njit(cache=True, nogil=True, inline="always")
def _heap_pop(hk, hj, size):
    """Remove the root; return the new size."""
    size -= 1
    if size == 0:
        return 0
    key = hk[size]
    j = hj[size]
    k = 0
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        ck = hk[child]
        if child + 1 < size and hk[child + 1] < ck:
            child += 1
            ck = hk[child]
        if ck >= key:
            break
        hk[k] = ck
        hj[k] = hj[child]
        k = child
    hk[k] = key
    hj[k] = j
    return size


@njit(cache=True, nogil=True)
def _sparse_augment(nc, indptr, indices, cost, v, x, xpos, y, free, nfree):
    """Shortest augmenting path from each free row: Dijkstra over the columns in levels of equal
    distance (the scan list of Jonker-Volgenant). A column reached at the current level goes
    to a first-in first-out list and costs no heap operation, one reached farther goes to a
    lazy binary heap; after the price updates most tree edges have zero reduced cost, so
    most columns of a search are settled through the list. Unassigned columns never enter
    either: the least distance to one is kept aside, and the search stops when the next level
    is no closer (ties go to the free column). A settled column's distance is set to ``-inf``
    (no relaxation can pass it), its true distance kept in ``dset``."""
    nnz = indices.shape[0]
    d = np.full(nc, _INF)
    pred = np.empty(nc, np.int64)
    predpos = np.empty(nc, np.int64)
    hk = np.empty(nnz + 1)  # a search pushes at most once per pair it relaxes (each row once)
    hj = np.empty(nnz + 1, np.int64)
    fifo = np.empty(nc, np.int64)
    touched = np.empty(nc, np.int64)
    settled = np.empty(nc, np.int64)
    dset = np.empty(nc)
    for t in range(nfree):
        f = free[t]
        ntouched = 0
        nsettled = 0
        size = 0
        head = 0
        tail = 0
        sink = -1
        dsink = _INF
        level = -_INF
        i = f
        ui = 0.0
        while True:
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                h = cost[p] - v[j] - ui
                dj = d[j]
                if h < dj:
                    d[j] = h
                    pred[j] = i
                    predpos[j] = p
                    if dj == _INF:
                        touched[ntouched] = j
                        ntouched += 1
                    if y[j] < 0:
                        if h < dsink:
                            dsink = h
                            sink = j
                    elif h <= level and tail < nc:
                        fifo[tail] = j
                        tail += 1
                    else:
                        size = _heap_push(hk, hj, size, h, j)
            if dsink <= level:
                break
            j1 = -1
            dj1 = level
            while head < tail:
                j = fifo[head]
                head += 1
                if d[j] != -_INF:  # else listed twice (lowered again by a rounding error)
                    j1 = j
                    dj1 = d[j]
                    break
            if j1 < 0:
                head = 0
                tail = 0
                while size > 0 and hk[0] != d[hj[0]]:  # stale entries
                    size = _heap_pop(hk, hj, size)
                if size == 0 or hk[0] >= dsink:
                    break
                dj1 = hk[0]
                j1 = hj[0]
                size = _heap_pop(hk, hj, size)
                level = dj1
            settled[nsettled] = j1
            dset[nsettled] = dj1
            nsettled += 1
            d[j1] = -_INF
            i = y[j1]
            ui = cost[xpos[i]] - v[j1] - dj1
        if sink < 0:
            return False
        for k in range(nsettled):
            v[settled[k]] += dset[k] - dsink
        j = sink
        while True:
            i = pred[j]
            y[j] = i
            nxt = x[i]
            x[i] = j
            xpos[i] = predpos[j]
            j = nxt
            if i == f:
                break
        for k in range(ntouched):
            d[touched[k]] = _INF
    return True
