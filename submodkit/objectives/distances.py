"""Distance kernels for diversity maximization, without an n x n matrix.

Three metrics share one set of Numba kernels, chosen by an integer code:

- ``METRIC_EUCLIDEAN``: ``||x_i - x_j||``, computed on the fly from the point array ``X``;
- ``METRIC_COSINE``: ``1 - <x_i, x_j>`` on rows L2-normalised once (``prepare``);
- ``METRIC_PRECOMPUTED``: ``D[i, j]`` read from a square matrix (``X`` is then unused).

Kernels take ``(metric, X, D)`` and never a jitted function, so Numba's on-disk cache
serves every process. The hot kernels (``update_min``, ``update_sum``) split the points
into blocks across Numba's threads (``prange``) and return the block-wise arg-max, so one
pass both refreshes the distances to the selection and picks the next point: GMM and
max-sum greedy do O(nk) distance evaluations and keep O(n) memory.
"""

from __future__ import annotations

import math

import numpy as np
from numba import get_num_threads, njit, prange

from submodkit._validation import check_choice, check_matrix, make_rng
from submodkit.errors import InvalidParameterError

METRIC_EUCLIDEAN = 0
METRIC_COSINE = 1
METRIC_PRECOMPUTED = 2
METRICS = {"euclidean": METRIC_EUCLIDEAN, "cosine": METRIC_COSINE, "precomputed": METRIC_PRECOMPUTED}

EMPTY_POINTS = np.zeros((0, 0), dtype=np.float64)
EMPTY_MATRIX = np.zeros((0, 0), dtype=np.float64)
_BLOCK = 4096
SERIAL_WORK = 2_000_000  # points x dimensions below which one thread beats a parallel launch


@njit(cache=True, nogil=True, inline="always")
def pair(metric, X, D, i, j):
    """d(i, j) for the metric with code ``metric``."""
    if metric == METRIC_PRECOMPUTED:
        return D[i, j]
    s = 0.0
    if metric == METRIC_EUCLIDEAN:  # in float64 for float32 points too (as `_to_center`)
        for t in range(X.shape[1]):
            diff = np.float64(X[i, t]) - np.float64(X[j, t])
            s += diff * diff
        return math.sqrt(s)
    for t in range(X.shape[1]):
        s += np.float64(X[i, t]) * np.float64(X[j, t])
    return max(0.0, 1.0 - s)


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _to_center(metric, X, D, xc, c, u):
    """d(c, u) with the center's coordinates hoisted into ``xc`` (float64), SIMD-friendly."""
    if metric == METRIC_PRECOMPUTED:
        return D[c, u]
    s = 0.0
    if metric == METRIC_EUCLIDEAN:
        for t in range(xc.shape[0]):
            diff = np.float64(X[u, t]) - xc[t]
            s += diff * diff
        return math.sqrt(s)
    for t in range(xc.shape[0]):
        s += np.float64(X[u, t]) * xc[t]
    return max(0.0, 1.0 - s)


@njit(cache=True, nogil=True, fastmath=True)
def _fill(metric, X, D, xc, c, lo, hi, buf):
    """``buf[u - lo] = d(c, u)`` for u in [lo, hi): one branch per block, SIMD inner loops."""
    if metric == METRIC_PRECOMPUTED:
        for u in range(lo, hi):
            buf[u - lo] = D[c, u]
    elif metric == METRIC_EUCLIDEAN:
        for u in range(lo, hi):
            s = 0.0
            for t in range(xc.shape[0]):
                diff = np.float64(X[u, t]) - xc[t]
                s += diff * diff
            buf[u - lo] = math.sqrt(s)
    else:
        for u in range(lo, hi):
            s = 0.0
            for t in range(xc.shape[0]):
                s += np.float64(X[u, t]) * xc[t]
            buf[u - lo] = max(0.0, 1.0 - s)


@njit(cache=True, nogil=True)
def _center(metric, X, c):
    if metric == METRIC_PRECOMPUTED:
        return np.zeros(0)
    xc = np.empty(X.shape[1])
    for t in range(X.shape[1]):
        xc[t] = X[c, t]
    return xc


@njit(cache=True, nogil=True, parallel=True)
def distance_row(metric, X, D, c, out):
    """``out[u] = d(c, u)`` for every point u."""
    n = out.shape[0]
    xc = _center(metric, X, c)
    for u in prange(n):
        out[u] = _to_center(metric, X, D, xc, c, u)


@njit(cache=True, nogil=True)
def distance_block(metric, X, D, rows, cols):
    """The ``len(rows) x len(cols)`` distance matrix between two index lists."""
    out = np.empty((rows.shape[0], cols.shape[0]), dtype=np.float64)
    for a in range(rows.shape[0]):
        for b in range(cols.shape[0]):
            out[a, b] = pair(metric, X, D, rows[a], cols[b])
    return out


@njit(cache=True, nogil=True, parallel=True)
def update_min(metric, X, D, c, mind, taken):
    """``mind[u] = min(mind[u], d(c, u))``; return the arg-max of ``mind`` over points not
    ``taken`` (ties: smallest index; -1 when every point is taken)."""
    n = mind.shape[0]
    xc = _center(metric, X, c)
    nb = (n + _BLOCK - 1) // _BLOCK
    best_v = np.full(nb, -np.inf)
    best_i = np.full(nb, -1, dtype=np.int64)
    for b in prange(nb):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        bv = -np.inf
        bi = -1
        buf = np.empty(hi - lo)
        _fill(metric, X, D, xc, c, lo, hi, buf)
        for u in range(lo, hi):
            d = buf[u - lo]
            m = mind[u]
            if d < m:
                m = d
                mind[u] = d
            if not taken[u] and m > bv:
                bv = m
                bi = u
        best_v[b] = bv
        best_i[b] = bi
    return _reduce_argmax(best_v, best_i)


@njit(cache=True, nogil=True)
def update_min_serial(metric, X, D, c, mind, taken):
    """`update_min` on one thread (small n: no parallel launch and barrier per step)."""
    n = mind.shape[0]
    xc = _center(metric, X, c)
    buf = np.empty(n)
    _fill(metric, X, D, xc, c, 0, n, buf)
    bv = -np.inf
    bi = -1
    for u in range(n):
        m = min(mind[u], buf[u])
        mind[u] = m
        if not taken[u] and m > bv:
            bv = m
            bi = u
    return bi


@njit(cache=True, nogil=True)
def update_min_auto(metric, X, D, c, mind, taken):
    """`update_min` in parallel for large n, else on one thread."""
    if mind.shape[0] * max(1, X.shape[1]) < SERIAL_WORK:
        return update_min_serial(metric, X, D, c, mind, taken)
    return update_min(metric, X, D, c, mind, taken)


@njit(cache=True, nogil=True)
def diameter(metric, X, D, n):
    """The exact diameter and a pair attaining it (ties: smallest indices), O(n^2)."""
    best = -1.0
    bu = 0
    bv = 0
    for i in range(n):
        for j in range(i + 1, n):
            d = pair(metric, X, D, i, j)
            if d > best:
                best = d
                bu = i
                bv = j
    return best, bu, bv


@njit(cache=True, nogil=True, parallel=True)
def update_sum(metric, X, D, c, total, score_add, taken):
    """``total[u] += d(c, u)``; return the arg-max of ``total + score_add`` over points not
    ``taken`` (ties: smallest index; -1 when every point is taken)."""
    n = total.shape[0]
    xc = _center(metric, X, c)
    nb = (n + _BLOCK - 1) // _BLOCK
    best_v = np.full(nb, -np.inf)
    best_i = np.full(nb, -1, dtype=np.int64)
    for b in prange(nb):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        bv = -np.inf
        bi = -1
        buf = np.empty(hi - lo)
        _fill(metric, X, D, xc, c, lo, hi, buf)
        for u in range(lo, hi):
            t = total[u] + buf[u - lo]
            total[u] = t
            if not taken[u]:
                s = t + score_add[u]
                if s > bv:
                    bv = s
                    bi = u
        best_v[b] = bv
        best_i[b] = bi
    return _reduce_argmax(best_v, best_i)


@njit(cache=True, nogil=True)
def _reduce_argmax(best_v, best_i):
    bv = -np.inf
    bi = -1
    for b in range(best_v.shape[0]):
        if best_i[b] >= 0 and best_v[b] > bv:
            bv = best_v[b]
            bi = best_i[b]
    return bi


_PRUNE_SLACK = 1.0 + 1e-9  # relative margin on the pruning test, far above rounding error


@njit(cache=True, nogil=True, fastmath=True)
def _squared_to_center(X, xc, idx, m, buf):
    """``buf[i] = ||X[idx[i]] - xc||^2`` for i < m (float64 sums, SIMD inner loops).

    Two rows per iteration (four for float32): independent sums keep the vector units busy
    while a single row's sum waits on its own additions (1.8x faster at d = 64, where one
    row at a time is bound by the addition latency rather than by memory); each row's sum
    is the same as alone."""
    d = xc.shape[0]
    i = 0
    if X.itemsize == 4:  # float32 rows: half the bytes per value, so four sums in flight
        while i + 3 < m:
            u0 = idx[i]
            u1 = idx[i + 1]
            u2 = idx[i + 2]
            u3 = idx[i + 3]
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            s3 = 0.0
            for t in range(d):
                c = xc[t]
                d0 = np.float64(X[u0, t]) - c
                s0 += d0 * d0
                d1 = np.float64(X[u1, t]) - c
                s1 += d1 * d1
                d2 = np.float64(X[u2, t]) - c
                s2 += d2 * d2
                d3 = np.float64(X[u3, t]) - c
                s3 += d3 * d3
            buf[i] = s0
            buf[i + 1] = s1
            buf[i + 2] = s2
            buf[i + 3] = s3
            i += 4
    while i + 1 < m:
        u = idx[i]
        v = idx[i + 1]
        s0 = 0.0
        s1 = 0.0
        for t in range(d):
            c = xc[t]
            d0 = np.float64(X[u, t]) - c
            s0 += d0 * d0
            d1 = np.float64(X[v, t]) - c
            s1 += d1 * d1
        buf[i] = s0
        buf[i + 1] = s1
        i += 2
    if i < m:
        u = idx[i]
        s = 0.0
        for t in range(d):
            diff = np.float64(X[u, t]) - xc[t]
            s += diff * diff
        buf[i] = s


@njit(cache=True, nogil=True)
def _gmm_block(X, xc, step, lo, hi, mind2, near, cc2, idx, buf):
    """One block of a Euclidean GMM step: refresh the squared distances to the selection of
    the points in [lo, hi) that the triangle inequality cannot rule out, then return the
    block's (largest squared distance, its point); selected points hold -1 and lose."""
    m = 0
    for u in range(lo, hi):
        a = near[u]
        # d(c, u) >= d(c, c_a) - d(u, c_a) >= d(u, c_a) when d(c, c_a) >= 2 d(u, c_a):
        # the new center cannot come closer, so u's row is not read (selected: -1, skipped)
        idx[m] = u
        m += a < 0 or cc2[a] < 4.0 * mind2[u] * _PRUNE_SLACK
    _squared_to_center(X, xc, idx, m, buf)
    for i in range(m):
        u = idx[i]
        if buf[i] < mind2[u]:
            mind2[u] = buf[i]
            near[u] = step
    bv = -np.inf
    bi = -1
    for u in range(lo, hi):
        if mind2[u] > bv:
            bv = mind2[u]
            bi = u
    return bv, bi


@njit(cache=True, nogil=True, parallel=True)
def _gmm_step_parallel(X, xc, step, mind2, near, cc2):
    n = mind2.shape[0]
    nb = (n + _BLOCK - 1) // _BLOCK
    best_v = np.full(nb, -np.inf)
    best_i = np.full(nb, -1, dtype=np.int64)
    for b in prange(nb):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        idx = np.empty(hi - lo, dtype=np.int64)
        buf = np.empty(hi - lo)
        best_v[b], best_i[b] = _gmm_block(X, xc, step, lo, hi, mind2, near, cc2, idx, buf)
    return _reduce_argmax(best_v, best_i)


@njit(cache=True, nogil=True)
def _gmm_step_serial(X, xc, step, mind2, near, cc2, idx, buf):
    n = mind2.shape[0]
    bv = -np.inf
    bi = -1
    for lo in range(0, n, _BLOCK):
        v, i = _gmm_block(X, xc, step, lo, min(n, lo + _BLOCK), mind2, near, cc2, idx, buf)
        if i >= 0 and v > bv:
            bv = v
            bi = i
    return bi


@njit(cache=True, nogil=True)
def gmm_euclidean(X, first, k, sel, mind):
    """`gmm` for Euclidean points: squared distances (one square root per point, at the end)
    and Elkan-style pruning. Each point remembers the center nearest to it; a new center c
    skips point u when ``d(c, c_a) >= 2 d(u, c_a)`` for u's nearest center c_a, which
    cannot bring c closer than c_a (triangle inequality), so u's row is not read. On data
    with cluster structure most rows are skipped once the clusters have centers; on
    isotropic high-dimensional data nothing is skipped and a step is one pass over X.
    The selection is the one of the unpruned loop (ties: smallest index)."""
    n, d = X.shape
    near = np.full(n, -1, dtype=np.int32)
    mind2 = np.full(n, np.inf)  # selected points: -1 (no branch on a taken flag)
    cc2 = np.empty(max(k, 1))
    xc = np.empty(d)
    serial = n * max(1, d) < SERIAL_WORK
    idx = np.empty(min(n, _BLOCK) if serial else 0, dtype=np.int64)
    buf = np.empty(idx.shape[0])
    c = first
    cnt = 0
    for step in range(k):
        sel[step] = c
        mind2[c] = -1.0
        cnt += 1
        if cnt == n:
            break
        for t in range(d):
            xc[t] = X[c, t]
        for a in range(step):  # squared distances from the new center to the earlier ones
            s = 0.0
            for t in range(d):
                diff = np.float64(X[sel[a], t]) - xc[t]
                s += diff * diff
            cc2[a] = s
        if serial:
            c = _gmm_step_serial(X, xc, step, mind2, near, cc2, idx, buf)
        else:
            c = _gmm_step_parallel(X, xc, step, mind2, near, cc2)
    for u in range(n):
        mind[u] = math.sqrt(max(mind2[u], 0.0))
    return cnt


@njit(cache=True, nogil=True)
def gmm(metric, X, D, first, k, sel, mind):
    """Farthest-point greedy: ``sel[0] = first``, then repeatedly the point farthest from the
    selection. ``mind`` ends as each point's distance to the selection; returns the count."""
    if metric == METRIC_EUCLIDEAN:
        return gmm_euclidean(X, first, k, sel, mind)
    n = mind.shape[0]
    taken = np.zeros(n, dtype=np.bool_)
    for u in range(n):
        mind[u] = np.inf
    c = first
    cnt = 0
    for step in range(k):
        sel[step] = c
        taken[c] = True
        cnt += 1
        nxt = update_min_auto(metric, X, D, c, mind, taken)
        if nxt < 0:
            break
        c = nxt
    return cnt


def as_points(X, metric: str) -> tuple[int, np.ndarray, np.ndarray]:
    """Validate ``X`` for ``metric`` and return ``(code, points, matrix)`` for the kernels.

    Points are kept as float32 when given as float32 (half the memory traffic), else
    float64; cosine rows are L2-normalised into one copy (zero rows rejected). A
    precomputed matrix must be square, finite, non-negative with a zero diagonal (and
    symmetric, entries at most `MAX_DISTANCE`); euclidean points must have finite pairwise
    distances (a bounding box of diagonal at most `MAX_DISTANCE`).

    Parameters
    ----------
    X : array_like, shape (n, d), or (n, n) for ``"precomputed"``
        The points, or the distance matrix.
    metric : {"euclidean", "cosine", "precomputed"}
        The metric.

    Returns
    -------
    code : int
        ``METRIC_EUCLIDEAN``, ``METRIC_COSINE`` or ``METRIC_PRECOMPUTED``.
    points : ndarray, shape (n, d)
        The points for the kernels (empty for ``"precomputed"``).
    matrix : ndarray, shape (n, n)
        The distance matrix (empty unless ``"precomputed"``).

    Raises
    ------
    InvalidParameterError
        For data that break the conditions above.

    Examples
    --------
    >>> code, points, D = as_points([[3.0, 4.0], [0.0, 2.0]], "cosine")
    >>> code == METRIC_COSINE, points.tolist(), D.shape
    (True, [[0.6, 0.8], [0.0, 1.0]], (0, 0))
    """
    check_choice("metric", metric, tuple(METRICS))
    code = METRICS[metric]
    if code == METRIC_PRECOMPUTED:
        D = check_matrix("X", X)
        if not isinstance(D, np.ndarray):
            D = np.ascontiguousarray(D.toarray())
        if D.shape[0] != D.shape[1]:
            raise InvalidParameterError("X", f"matrix of shape {D.shape}", "a square distance matrix")
        if np.any(np.diag(D) != 0):
            raise InvalidParameterError("X", "a matrix with a nonzero diagonal", "d(i, i) = 0")
        if not np.allclose(D, D.T, rtol=1e-9, atol=1e-12):
            raise InvalidParameterError("X", "an asymmetric matrix", "a symmetric distance matrix")
        check_distance_range(D)
        return code, EMPTY_POINTS, D
    arr = np.asarray(X)
    if arr.dtype != np.float32:
        try:
            arr = np.asarray(arr, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError("X", X, "a 2-D array of numbers (one point per row)") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidParameterError("X", f"array of shape {arr.shape}", "a non-empty 2-D array (n, d)")
    arr = np.ascontiguousarray(arr)
    bad, lo, hi = column_ranges(arr)  # one pass: the first non-finite row and the bounding box
    if bad >= 0:
        raise InvalidParameterError(f"X[{bad}]", "a row with NaN or inf", "finite coordinates")
    if code == METRIC_COSINE:
        # rows scaled by their largest entry first: the squares of 1e200 or 1e-200 neither
        # overflow nor vanish, and 1 - cos stays in [0, 2]
        scale = np.abs(arr).max(axis=1).astype(np.float64)
        if np.any(scale == 0):
            bad = int(np.flatnonzero(scale == 0)[0])
            raise InvalidParameterError(f"X[{bad}]", "a zero vector", "nonzero rows for the cosine metric")
        unit = arr / scale[:, None]
        norms = np.sqrt(np.einsum("ij,ij->i", unit, unit))
        arr = np.ascontiguousarray((unit / norms[:, None]).astype(arr.dtype))
    else:
        _check_span(lo, hi)
    return code, arr, EMPTY_MATRIX


MAX_DISTANCE = 1e150  # squares stay finite in the kernels, sums of n^2 distances too


@njit(cache=True, nogil=True, parallel=True)
def column_ranges(X):
    """One pass over the rows: ``(first row holding NaN or inf, or -1; column minima;
    column maxima)``, the extremes in float64 over the finite rows."""
    n, d = X.shape
    nb = (n + _BLOCK - 1) // _BLOCK
    lows = np.full((nb, d), np.inf)
    highs = np.full((nb, d), -np.inf)
    first_bad = np.full(nb, n, dtype=np.int64)
    for b in prange(nb):
        for u in range(b * _BLOCK, min(n, b * _BLOCK + _BLOCK)):
            ok = True
            for t in range(d):
                ok &= np.isfinite(X[u, t])
            if not ok:
                first_bad[b] = min(first_bad[b], u)
                continue
            for t in range(d):
                v = np.float64(X[u, t])
                if v < lows[b, t]:
                    lows[b, t] = v
                if v > highs[b, t]:
                    highs[b, t] = v
    lo = np.full(d, np.inf)
    hi = np.full(d, -np.inf)
    bad = n
    for b in range(nb):
        bad = min(bad, first_bad[b])
        for t in range(d):
            lo[t] = min(lo[t], lows[b, t])
            hi[t] = max(hi[t], highs[b, t])
    return (bad if bad < n else -1), lo, hi


def _check_span(lo: np.ndarray, hi: np.ndarray) -> None:
    """Refuse points whose pairwise euclidean distances would not be finite (or whose squares,
    summed by the kernels, or whose sums, formed by every objective, would overflow): the
    diagonal of their bounding box (column minima ``lo``, maxima ``hi``), the largest
    possible distance, must be at most `MAX_DISTANCE`. Coordinates of 1e308 gave inf
    distances, NaN objectives and a crash casting NaN to an integer."""
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is the answer, not a warning
        span = hi - lo
        top = float(span.max())
        diagonal = top * float(np.sqrt(np.sum((span / top) ** 2))) if 0 < top < np.inf else top
    if not diagonal <= MAX_DISTANCE:
        raise InvalidParameterError(
            "X", f"points {diagonal:.3g} apart (the diagonal of their bounding box)",
            f"coordinates whose pairwise distances are finite: a bounding box of diagonal at "
            f"most {MAX_DISTANCE:g}")


def check_distance_range(D: np.ndarray, name: str = "X") -> None:
    """Refuse a precomputed distance matrix with an entry above `MAX_DISTANCE` (sums of its
    entries would overflow).

    Parameters
    ----------
    D : ndarray
        The distances.
    name : str, default "X"
        The parameter's name, for the error message.

    Raises
    ------
    InvalidParameterError
        When an entry exceeds `MAX_DISTANCE`.

    Examples
    --------
    >>> import numpy as np
    >>> check_distance_range(np.array([[0.0, 1e200], [1e200, 0.0]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    submodkit.errors.InvalidParameterError: X='a distance of 1e+200': expected distances of at most 1e+150 ...
    """
    top = float(D.max()) if D.size else 0.0
    if top > MAX_DISTANCE:
        raise InvalidParameterError(name, f"a distance of {top:.3g}",
                                    f"distances of at most {MAX_DISTANCE:g} (their sums stay finite)")


def check_metric_space(D: np.ndarray, *, max_full: int = 200, samples: int = 200_000,
                       seed: int = 0, tol: float = 1e-9) -> str:
    """Check the triangle inequality of a precomputed matrix; return how it was checked.

    Every triple when ``n <= max_full`` (``"checked all n^3 triples"``), else ``samples``
    random triples (``"sampled N random triples"``: a violation may go unseen).

    Parameters
    ----------
    D : ndarray, shape (n, n)
        The distances.
    max_full : int, default 200
        Largest n whose triples are all checked.
    samples : int, default 200000
        Random triples checked beyond ``max_full``.
    seed : int, default 0
        Seed of the sampled triples.
    tol : float, default 1e-9
        Relative tolerance (scaled by ``max(1, max(D))``).

    Returns
    -------
    str
        How the check was done.

    Raises
    ------
    InvalidParameterError
        Naming a violating triple.

    Examples
    --------
    >>> import numpy as np
    >>> check_metric_space(np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]]))
    'checked all 3^3 triples'
    """
    n = D.shape[0]
    scale = tol * max(1.0, float(D.max()) if D.size else 1.0)
    if n <= max_full:
        for j in range(n):
            # d(i, k) <= d(i, j) + d(j, k) for every i, k through j
            viol = D > D[:, j][:, None] + D[j, :][None, :] + scale
            if viol.any():
                i, k = (int(v) for v in np.argwhere(viol)[0])
                _violation(D, i, j, k)
        return f"checked all {n}^3 triples"
    rng = make_rng(seed)
    i, j, k = (rng.integers(0, n, samples) for _ in range(3))
    viol = D[i, k] > D[i, j] + D[j, k] + scale
    if viol.any():
        t = int(np.flatnonzero(viol)[0])
        _violation(D, int(i[t]), int(j[t]), int(k[t]))
    return f"sampled {samples} random triples"


def _violation(D, i, j, k):
    raise InvalidParameterError(
        "X", f"d({i},{k})={D[i, k]:.6g} > d({i},{j})+d({j},{k})={D[i, j] + D[j, k]:.6g}",
        "a metric (triangle inequality) for this algorithm",
    )


def threads() -> int:
    """Number of threads Numba's parallel kernels use (``numba.get_num_threads()``).

    Returns
    -------
    int

    Examples
    --------
    >>> threads() >= 1
    True
    """
    return int(get_num_threads())
