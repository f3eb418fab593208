"""Numba kernels shared by every objective and every solver.

All objectives are encoded by the same arrays, so that the solvers' kernels are
compiled (and cached) once, whatever the objective:

``kind``
    ``KIND_DENSE`` / ``KIND_CSR``: the aggregate family
    ``f(S) = sum_u w[u] * phi(agg_{j in S} A[j, u])`` with ``agg`` in {sum, max} and
    ``phi`` concave, ``phi(0) = 0``; ``A`` is ``dense`` (n x m) or CSR
    (``indptr``, ``indices``, ``data``). The state is ``cur[u] = agg_{j in S} A[j, u]``.

    ``KIND_QUAD_DENSE`` / ``KIND_QUAD_CSR``: the quadratic family
    ``f(S) = sum_{j in S} w[j] - 1/2 sum_{i != j in S} b[j] * M[i, j]`` (M symmetric), whose
    gain is ``w[j] - b[j] * cur[j]`` with state ``cur[j] = sum_{i in S} M[i, j]``.
    Graph cut is a member (``w[j] = colsum_j - lambda M[j, j]``, ``b[j] = 2 lambda``).

    ``KIND_COVERAGE``: weighted coverage over a 0/1 CSR matrix whose ``data`` is implicit
    (not stored). The state is the *residual* weight ``cur[u] = w[u]`` while u is
    uncovered, 0 once covered, so a gain is a gather-sum over the row's indices and the
    empty state is ``w`` itself.

    ``KIND_MIX_DENSE`` / ``KIND_MIX_CSR``: mixtures (weighted sums of aggregate-family
    objectives plus a modular term), stacked column-wise: each column u has its own
    ``agg`` and ``phi``. The aggregation is the sign of the stored entry (``commit`` sees
    no per-column array): ``a >= 0`` sums, ``a < 0`` takes the max with ``-a`` (data are
    non-negative, and a zero entry changes neither). ``b`` has the layout ``b[0:m]`` the
    per-column parameter c (``PHI_MIN`` caps), ``b[m:2m]`` the per-column ``phi`` code
    (as floats) and ``b[2m:2m+n]`` the modular value of each candidate j (``m = len(w)``,
    n candidates): ``f(S) = sum_{j in S} b[2m+j] + sum_u w[u] phi_u(agg_u ...)``; the
    state is the per-column aggregate.

``KIND_LOGDET``: sums of signed log-determinants
    ``f(S) = sum_r data[1 + r] * log det(L^(r)_S + lam I)`` of R positive semi-definite
    kernels (R = 1 for log-det and its conditional gain, 2 for the mutual informations), by
    the incremental Cholesky factorization of Chen, Zhang, Zhou (NeurIPS 2018). ``agg`` says
    where the kernel entries come from: ``LOGDET_PRECOMPUTED`` (``dense`` holds the R kernels
    stacked, shape (R n, n)), ``LOGDET_LINEAR`` (``dense`` is the n x d feature matrix X,
    ``L = X X^T``) or ``LOGDET_RBF`` (``L_ij = exp(-gamma ||x_i - x_j||^2)``, gamma =
    ``data[0]``). ``w`` holds the R n diagonals ``L^(r)_ii + lam`` and ``b = [lam, capacity]``.
    The state is ``cur[0]`` = t (items committed), ``cur[1 : 1 + R n]`` the residual
    variances ``d_r[i]^2`` (the gain of i is ``sum_r data[1 + r] log d_r[i]^2``), then for
    each kernel the capacity x n block of the factor, one row per committed item (so memory is
    touched in proportion to the items selected, not to the capacity); a commit costs
    O(R n t) reads.

``phi`` codes: ``PHI_IDENTITY``, ``PHI_SQRT``, ``PHI_LOG1P``, ``PHI_INVERSE`` (x / (1 + x)),
``PHI_MIN`` (min(b[u], x)), ``PHI_ONE_MINUS_EXP`` (1 - exp(-x)).

Kernels refer to each other as module globals and never take a jitted function as
an argument, so Numba's on-disk cache works across processes.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from submodkit.objectives.kinds import (  # noqa: F401  (re-exported for the solvers)
    AGG_MAX,
    AGG_SUM,
    EMPTY_DATA,
    EMPTY_DATA32,
    EMPTY_DENSE,
    EMPTY_DENSE32,
    EMPTY_INDICES,
    EMPTY_INDPTR,
    KIND_COVERAGE,
    KIND_CSR,
    KIND_DENSE,
    KIND_LOGDET,
    KIND_MIX_CSR,
    KIND_MIX_DENSE,
    KIND_QUAD_CSR,
    KIND_QUAD_DENSE,
    LOGDET_LINEAR,
    LOGDET_PRECOMPUTED,
    LOGDET_TINY,
    PARALLEL_MIN_WORK,
    PHI_IDENTITY,
    PHI_INVERSE,
    PHI_LOG1P,
    PHI_MIN,
    PHI_ONE_MINUS_EXP,
    PHI_SQRT,
)

# Reassociation lets LLVM vectorize the gain loops.
FASTMATH = {"reassoc", "contract"}


@njit(cache=True, nogil=True, inline="always")
def phi_value(phi, x, c):
    """phi(x) for the concave function with code ``phi`` and parameter ``c``."""
    if phi == PHI_IDENTITY:
        return x
    elif phi == PHI_SQRT:
        return math.sqrt(x)
    elif phi == PHI_LOG1P:
        return math.log1p(x)
    elif phi == PHI_INVERSE:
        return x / (1.0 + x)
    elif phi == PHI_MIN:
        return min(c, x)
    else:
        return -math.expm1(-x)


@njit(cache=True, nogil=True, inline="always")
def agg_value(agg, c, a):
    if agg == AGG_SUM:
        return c + a
    return max(c, a)


@njit(cache=True, nogil=True, inline="always")
def mix_value(c, a):
    """Mixture columns: ``a >= 0`` adds, ``a < 0`` takes the max with ``-a``."""
    if a >= 0.0:
        return c + a
    return max(c, -a)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def gain_max_dense(dense, w, cur, j):
    """Facility-location gain of dense row ``j``: ``sum_u w_u max(A[j, u] - cur_u, 0)``."""
    g = 0.0
    for u in range(dense.shape[1]):
        g += w[u] * max(dense[j, u] - cur[u], 0.0)
    return g


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def gain_max_csr(indptr, indices, data, w, cur, j):
    """Facility-location gain of CSR row ``j``."""
    g = 0.0
    for p in range(indptr[j], indptr[j + 1]):
        u = indices[p]
        g += w[u] * max(data[p] - cur[u], 0.0)
    return g


@njit(cache=True, nogil=True)
def gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j):
    """Marginal gain of candidate ``j`` given the state ``cur``.

    Kernels with a hot loop call :func:`row_code` once and then the facility-location row
    functions directly (see there); this entry point serves every other caller.
    """
    code = row_code(kind, agg, phi)
    if code == 1:
        return gain_max_dense(dense, w, cur, j)
    if code == 2:
        return gain_max_csr(indptr, indices, data, w, cur, j)
    return gain_general(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)


@njit(cache=True, nogil=True)
def row_code(kind, agg, phi):
    """1 for dense facility-location rows, 2 for CSR ones, 0 otherwise.

    Kernels with a hot loop compute it once and call :func:`gain_max_dense` /
    :func:`gain_max_csr` / :func:`gain_general` directly: LLVM then inlines and vectorizes
    the short row functions in the loop. Through :func:`gain` (a call passing sixty-odd
    scalars, or, inlined, eight array reference counts) an evaluation of a dense row of 50
    cost 56 to 95 ns; called directly, 9 ns.
    """
    if phi == PHI_IDENTITY and agg == AGG_MAX:
        if kind == KIND_DENSE:
            return 1
        if kind == KIND_CSR:
            return 2
    return 0


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def gain_general(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j):
    """Marginal gain of candidate ``j`` given the state ``cur`` (every kind)."""
    g = 0.0
    if kind == KIND_COVERAGE:
        for p in range(indptr[j], indptr[j + 1]):
            g += cur[indices[p]]
    elif kind == KIND_CSR:
        start = indptr[j]
        stop = indptr[j + 1]
        if phi == PHI_IDENTITY and agg == AGG_MAX:
            for p in range(start, stop):
                u = indices[p]
                g += w[u] * max(data[p] - cur[u], 0.0)
        elif phi == PHI_IDENTITY:
            for p in range(start, stop):
                g += w[indices[p]] * data[p]
        else:
            for p in range(start, stop):
                u = indices[p]
                c = cur[u]
                new = agg_value(agg, c, data[p])
                if new != c:
                    g += w[u] * (phi_value(phi, new, b[u]) - phi_value(phi, c, b[u]))
    elif kind == KIND_DENSE:
        m = dense.shape[1]
        if phi == PHI_IDENTITY and agg == AGG_MAX:
            for u in range(m):
                g += w[u] * max(dense[j, u] - cur[u], 0.0)
        elif phi == PHI_IDENTITY:
            for u in range(m):
                g += w[u] * dense[j, u]
        else:
            for u in range(m):
                c = cur[u]
                new = agg_value(agg, c, dense[j, u])
                if new != c:
                    g += w[u] * (phi_value(phi, new, b[u]) - phi_value(phi, c, b[u]))
    elif kind == KIND_MIX_CSR or kind == KIND_MIX_DENSE:
        m = w.shape[0]
        g = b[2 * m + j]
        if kind == KIND_MIX_CSR:
            for p in range(indptr[j], indptr[j + 1]):
                u = indices[p]
                c = cur[u]
                new = mix_value(c, data[p])
                if new != c:
                    code = int(b[m + u])
                    g += w[u] * (phi_value(code, new, b[u]) - phi_value(code, c, b[u]))
        else:
            for u in range(m):
                c = cur[u]
                new = mix_value(c, dense[j, u])
                if new != c:
                    code = int(b[m + u])
                    g += w[u] * (phi_value(code, new, b[u]) - phi_value(code, c, b[u]))
    elif kind == KIND_LOGDET:
        g = logdet_gain(data, w, cur, j)
    else:
        g = w[j] - b[j] * cur[j]
    return g


@njit(cache=True, nogil=True, inline="always")
def logdet_gain(data, w, cur, j):
    """``sum_r sign_r log d_r[j]^2``: the log-determinant gain of ``j`` (``KIND_LOGDET``)."""
    n_kernels = data.shape[0] - 1
    n = w.shape[0] // n_kernels
    g = 0.0
    for r in range(n_kernels):
        g += data[1 + r] * math.log(max(cur[1 + r * n + j], LOGDET_TINY))
    return g


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def logdet_entries(agg, dense, gamma, row, j, out):
    """Row j of the kernel into ``out``: row ``row`` (= r n + j) of a stacked precomputed
    kernel, or the linear / RBF kernel between feature row ``j`` and every row."""
    if agg == LOGDET_PRECOMPUTED:
        src = dense[row]
        for i in range(out.shape[0]):
            out[i] = src[i]
        return
    xj = dense[j].copy()
    for i in range(out.shape[0]):
        xi = dense[i]
        s = 0.0
        if agg == LOGDET_LINEAR:
            for t in range(xj.shape[0]):
                s += xj[t] * xi[t]
            out[i] = s
        else:
            for t in range(xj.shape[0]):
                diff = xj[t] - xi[t]
                s += diff * diff
            out[i] = math.exp(-gamma * s)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def logdet_commit(agg, data, dense, cur, j):
    """Add ``j`` to a ``KIND_LOGDET`` state: one new column of each Cholesky factor.

    Works on views of the state, one contiguous row of the factor per earlier item, so that
    LLVM sees no aliasing and vectorizes over the n candidates.
    """
    n_kernels = data.shape[0] - 1
    n = dense.shape[1] if agg == LOGDET_PRECOMPUTED else dense.shape[0]
    rn = n_kernels * n
    capacity = (cur.shape[0] - 1 - rn) // rn
    t = int(cur[0])
    if t >= capacity:
        raise ValueError("log-determinant: more items than the objective's max_size")
    entries = np.empty(n)
    for r in range(n_kernels):
        var = cur[1 + r * n : 1 + (r + 1) * n]
        start = 1 + rn + r * n * capacity
        rows = cur[start : start + n * capacity].reshape((capacity, n))  # rows[q, i]: column q of the factor
        dj2 = var[j]
        if dj2 <= LOGDET_TINY:  # a singular selection: j adds no direction
            for i in range(n):
                rows[t, i] = 0.0
            var[j] = 0.0
            continue
        dj = math.sqrt(dj2)
        logdet_entries(agg, dense, data[0], r * n + j, j, entries)
        for q in range(t):  # entries -= sum_q c_q[j] c_q (contiguous rows: vectorized over i)
            cq = rows[q]
            cqj = cq[j]
            for i in range(n):
                entries[i] -= cqj * cq[i]
        new = rows[t]
        for i in range(n):
            e = entries[i] / dj
            new[i] = e
            var[i] -= e * e
        new[j] = dj
        var[j] = 0.0
    cur[0] = t + 1


@njit(cache=True, nogil=True)
def commit(kind, agg, indptr, indices, data, dense, cur, j):
    """Add candidate ``j`` to the selection: update the state ``cur`` in place."""
    if kind == KIND_COVERAGE:
        for p in range(indptr[j], indptr[j + 1]):
            cur[indices[p]] = 0.0
    elif kind == KIND_CSR:
        for p in range(indptr[j], indptr[j + 1]):
            u = indices[p]
            cur[u] = agg_value(agg, cur[u], data[p])
    elif kind == KIND_DENSE:
        for u in range(dense.shape[1]):
            cur[u] = agg_value(agg, cur[u], dense[j, u])
    elif kind == KIND_MIX_CSR:
        for p in range(indptr[j], indptr[j + 1]):
            u = indices[p]
            cur[u] = mix_value(cur[u], data[p])
    elif kind == KIND_MIX_DENSE:
        for u in range(dense.shape[1]):
            cur[u] = mix_value(cur[u], dense[j, u])
    elif kind == KIND_QUAD_CSR:
        for p in range(indptr[j], indptr[j + 1]):
            cur[indices[p]] += data[p]
    elif kind == KIND_LOGDET:
        logdet_commit(agg, data, dense, cur, j)
    else:
        for u in range(dense.shape[1]):
            cur[u] += dense[j, u]


@njit(cache=True, nogil=True)
def gains_of(kind, agg, phi, indptr, indices, data, dense, w, b, cur, candidates, out):
    """``out[t] = gain(candidates[t])`` for every t."""
    code = row_code(kind, agg, phi)
    for t in range(candidates.shape[0]):
        j = candidates[t]
        if code == 1:
            out[t] = gain_max_dense(dense, w, cur, j)
        elif code == 2:
            out[t] = gain_max_csr(indptr, indices, data, w, cur, j)
        else:
            out[t] = gain_general(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)


@njit(cache=True, nogil=True, parallel=True)
def gains_of_parallel(kind, agg, phi, indptr, indices, data, dense, w, b, cur, candidates, out):
    """``out[t] = gain(candidates[t])``: :func:`gains_of` on chunks, across Numba's threads."""
    n = candidates.shape[0]
    chunks = max(1, min(n, 256))  # enough to balance any thread count seen in practice
    for c in prange(chunks):
        lo = c * n // chunks
        hi = (c + 1) * n // chunks
        gains_of(kind, agg, phi, indptr, indices, data, dense, w, b, cur, candidates[lo:hi], out[lo:hi])


def fill_gains(args: tuple, cur, candidates, out, work: int) -> None:
    """Gains of ``candidates`` into ``out``: on all threads when ``work`` (stored entries to
    read) reaches ``PARALLEL_MIN_WORK``, else serially. Small runs then never load the
    parallel kernel, whose first use in a process costs about 0.15 s.

    Parameters
    ----------
    args : tuple
        ``Objective.kernel_args()``.
    cur : ndarray of float64
        The state of the current selection (``Objective.state``).
    candidates : ndarray of int64
        The candidates.
    out : ndarray of float64
        Receives the gains, one per candidate.
    work : int
        Stored entries the call reads (``Objective.nnz`` for all candidates).

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1], [1, 2, 3], [3]])
    >>> out = np.empty(3)
    >>> fill_gains(f.kernel_args(), f.state([0]), np.arange(3), out, f.nnz)
    >>> out.tolist()
    [0.0, 2.0, 1.0]
    """
    if work >= PARALLEL_MIN_WORK:
        gains_of_parallel(*args, cur, candidates, out)
    else:
        gains_of(*args, cur, candidates, out)


@njit(cache=True, nogil=True)
def commit_all(kind, agg, indptr, indices, data, dense, cur, items):
    """Add ``items`` (distinct, valid) to the state ``cur``, in order."""
    for t in range(items.shape[0]):
        commit(kind, agg, indptr, indices, data, dense, cur, items[t])


@njit(cache=True, nogil=True)
def evaluate_selection(kind, agg, phi, indptr, indices, data, dense, w, b, cur, selection):
    """f(selection) from the empty state ``cur``; leaves ``cur`` at the selection.

    Repeated indices count once.
    """
    total = 0.0
    aggregate = kind == KIND_DENSE or kind == KIND_CSR
    mixture = kind == KIND_MIX_DENSE or kind == KIND_MIX_CSR
    dense_kind = (kind == KIND_DENSE or kind == KIND_QUAD_DENSE or kind == KIND_MIX_DENSE
                  or kind == KIND_LOGDET)
    n = dense.shape[0] if dense_kind else indptr.shape[0] - 1
    m = w.shape[0]
    seen = np.zeros(n, dtype=np.bool_)
    for t in range(selection.shape[0]):
        j = selection[t]
        if seen[j]:
            continue
        seen[j] = True
        if mixture:
            total += b[2 * m + j]
        elif not aggregate:
            total += gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
        commit(kind, agg, indptr, indices, data, dense, cur, j)
    if aggregate:
        for u in range(cur.shape[0]):
            if cur[u] != 0.0:
                total += w[u] * phi_value(phi, cur[u], b[u])
    elif mixture:
        for u in range(cur.shape[0]):
            if cur[u] != 0.0:
                total += w[u] * phi_value(int(b[m + u]), cur[u], b[u])
    return total
