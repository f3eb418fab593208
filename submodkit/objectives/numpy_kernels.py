"""Numpy versions of the objective kernels (gains, commit, value), for small instances.

Same arrays and semantics as :mod:`submodkit.objectives.kernels` (see there for the
``kind`` / ``agg`` / ``phi`` encoding), vectorized over a batch of candidates. They exist
because the first call of any Numba function in a process costs about 0.3 s (Numba's
LLVM initialisation, on-disk cache hit or not): on a small instance the whole greedy run
takes a few milliseconds in numpy. Mathematically the gains are those of the Numba
kernels; floating-point sums are taken in a different order, so values may differ in
the last bits.

Every kind is supported: the aggregate family (dense and CSR), coverage, the quadratic
family (graph cut) and mixtures.
"""

from __future__ import annotations

import numpy as np

from submodkit.objectives import kinds as K


def phi_values(phi: int, x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """phi(x) elementwise for the concave function with code ``phi`` (caps ``c`` for min).

    Parameters
    ----------
    phi : int
        A ``PHI_*`` code of :mod:`submodkit.objectives.kinds`.
    x : ndarray
        The aggregates.
    c : ndarray
        The caps of ``PHI_MIN`` (broadcast with x; unused otherwise).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.objectives import kinds as K
    >>> phi_values(K.PHI_SQRT, np.array([4.0, 9.0]), None).tolist()
    [2.0, 3.0]
    >>> phi_values(K.PHI_MIN, np.array([4.0, 0.5]), np.array([1.0, 1.0])).tolist()
    [1.0, 0.5]
    """
    if phi == K.PHI_IDENTITY:
        return x
    if phi == K.PHI_SQRT:
        return np.sqrt(x)
    if phi == K.PHI_LOG1P:
        return np.log1p(x)
    if phi == K.PHI_INVERSE:
        return x / (1.0 + x)
    if phi == K.PHI_MIN:
        return np.minimum(c, x)
    return -np.expm1(-x)


def _phi_codes(codes: np.ndarray, x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """phi_u(x_u) with a per-column code (mixtures); ``codes``, ``c`` broadcast with x."""
    out = np.array(x, dtype=np.float64, copy=True)
    for code in np.unique(codes):
        code = int(code)
        if code == K.PHI_IDENTITY:
            continue
        mask = np.broadcast_to(codes == code, out.shape)
        cc = np.broadcast_to(c, out.shape)[mask] if code == K.PHI_MIN else None
        out[mask] = phi_values(code, out[mask], cc)
    return out


def unit_weights(w: np.ndarray) -> bool:
    """Whether every weight is 1 (non-empty ``w``): the row sums then skip the product.

    Parameters
    ----------
    w : ndarray of float64

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> unit_weights(np.ones(3)), unit_weights(np.array([1.0, 2.0])), unit_weights(np.zeros(0))
    (True, False, False)
    """
    return bool(w.shape[0] and w[0] == 1.0 and w.min() == 1.0 and w.max() == 1.0)


def _weighted_rowsum(x: np.ndarray, w: np.ndarray, unit: bool | None = None) -> np.ndarray:
    """``sum_u w[u] x[t, u]`` per row, with numpy's row-wise sum (not BLAS, whose rounding
    depends on the row's memory offset), so identical rows get bitwise identical gains.
    ``unit``: the value of ``unit_weights(w)`` when the caller knows it."""
    if not (unit_weights(w) if unit is None else unit):
        x = x * w
    return x.sum(axis=1, dtype=np.float64)


def _rows(indptr: np.ndarray, cand: np.ndarray):
    """Positions of the stored entries of rows ``cand`` and each entry's batch row."""
    starts = indptr[cand]
    lens = indptr[cand + 1] - starts
    total = int(lens.sum())
    owner = np.repeat(np.arange(cand.shape[0]), lens)
    offsets = np.cumsum(lens) - lens
    pos = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lens)
    return pos, owner


BLOCK = 1 << 15  # entries per block of rows in the dense facility-location gains (256 KB)


def _fl_rows(rows: np.ndarray, cur: np.ndarray, w: np.ndarray, unit: bool | None, owned: bool) -> np.ndarray:
    """Facility-location gains ``sum_u w[u] max(rows[t, u] - cur[u], 0)`` of a block of rows
    (``owned``: ``rows`` is a float64 copy that may be overwritten)."""
    if owned and rows.dtype == np.float64:
        diff = np.subtract(rows, cur, out=rows)
    else:
        diff = np.subtract(rows, cur)  # float64 even for float32 storage
    np.maximum(diff, 0.0, out=diff)
    return _weighted_rowsum(diff, w, unit)


def gains(args: tuple, cur: np.ndarray, cand: np.ndarray, unit: bool | None = None) -> np.ndarray:
    """Marginal gains of the candidates ``cand`` (int64 array) in the state ``cur``.

    Parameters
    ----------
    args : tuple
        ``Objective.kernel_args()``.
    cur : ndarray of float64
        The state of the current selection.
    cand : ndarray of int64
        The candidates.
    unit : bool, optional
        ``unit_weights(w)`` if the caller has it (saves two reductions per call).

    Returns
    -------
    ndarray of float64
        One gain per candidate (a selected candidate's gain is not zeroed here).

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1], [1, 2, 3], [3]])
    >>> gains(f.kernel_args(), f.state([0]), np.arange(3)).tolist()
    [0.0, 2.0, 1.0]
    """
    kind, agg, phi, indptr, indices, data, dense, w, b = args
    nb = cand.shape[0]
    if kind == K.KIND_QUAD_DENSE or kind == K.KIND_QUAD_CSR:
        return w[cand] - b[cand] * cur[cand]
    if kind == K.KIND_LOGDET:
        return _logdet_gains(data, w, cur, cand)
    if kind == K.KIND_DENSE:
        if phi == K.PHI_IDENTITY and agg == K.AGG_MAX:
            m = dense.shape[1]
            if nb * m <= BLOCK:
                return _fl_rows(dense[cand], cur, w, unit, True)
            # Blocks of rows that stay in cache (same per-row arithmetic); all rows in
            # order (the initial gains) are read in place, without a gathered copy.
            if unit is None:
                unit = unit_weights(w)
            full = (nb == dense.shape[0] and cand[0] == 0 and cand[-1] == nb - 1
                    and bool((cand[1:] - cand[:-1] == 1).all()))
            step = max(1, BLOCK // m)
            out = np.empty(nb, dtype=np.float64)
            for s in range(0, nb, step):
                if full:
                    out[s : s + step] = _fl_rows(dense[s : s + step], cur, w, unit, False)
                else:
                    out[s : s + step] = _fl_rows(dense[cand[s : s + step]], cur, w, unit, True)
            return out
        rows = dense[cand]
        if phi == K.PHI_IDENTITY:
            return _weighted_rowsum(rows, w, unit)
        new = cur + rows if agg == K.AGG_SUM else np.maximum(cur, rows)
        return _weighted_rowsum(phi_values(phi, new, b) - phi_values(phi, cur, b), w, unit)
    if kind == K.KIND_MIX_DENSE:
        m = w.shape[0]
        rows = dense[cand]
        new = np.where(rows >= 0.0, cur + rows, np.maximum(cur, -rows))
        codes, caps = b[m : 2 * m], b[:m]
        diff = _phi_codes(codes, new, caps) - _phi_codes(codes, cur, caps)
        return b[2 * m + cand] + _weighted_rowsum(diff, w)
    pos, owner = _rows(indptr, cand)
    u = indices[pos]
    c = cur[u]
    if kind == K.KIND_COVERAGE:
        contrib = c
    elif kind == K.KIND_CSR:
        a = data[pos]
        if phi == K.PHI_IDENTITY:
            contrib = w[u] * (np.maximum(a - c, 0.0) if agg == K.AGG_MAX else a)
        else:
            new = c + a if agg == K.AGG_SUM else np.maximum(c, a)
            bu = b[u]
            contrib = w[u] * (phi_values(phi, new, bu) - phi_values(phi, c, bu))
    else:  # KIND_MIX_CSR
        m = w.shape[0]
        a = data[pos]
        new = np.where(a >= 0.0, c + a, np.maximum(c, -a))
        codes, caps = b[m + u], b[u]
        contrib = w[u] * (_phi_codes(codes, new, caps) - _phi_codes(codes, c, caps))
        return b[2 * m + cand] + np.bincount(owner, weights=contrib, minlength=nb)
    return np.bincount(owner, weights=contrib, minlength=nb)


def commit(args: tuple, cur: np.ndarray, j: int) -> None:
    """Add candidate ``j``: update the state ``cur`` in place.

    Parameters
    ----------
    args : tuple
        ``Objective.kernel_args()``.
    cur : ndarray of float64
        The state, updated in place.
    j : int
        The candidate added.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1], [1, 2, 3], [3]])
    >>> cur = f.new_state()
    >>> commit(f.kernel_args(), cur, 0)
    >>> cur.tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    kind, agg, _, indptr, indices, data, dense, _, _ = args
    if kind == K.KIND_LOGDET:
        _logdet_commit(agg, data, dense, cur, j)
    elif kind == K.KIND_DENSE:
        if agg == K.AGG_SUM:
            cur += dense[j]
        else:
            np.maximum(cur, dense[j], out=cur)
    elif kind == K.KIND_QUAD_DENSE:
        cur += dense[j]
    elif kind == K.KIND_MIX_DENSE:
        row = dense[j]
        np.copyto(cur, np.where(row >= 0.0, cur + row, np.maximum(cur, -row)))
    else:
        lo, hi = indptr[j], indptr[j + 1]
        u = indices[lo:hi]
        if kind == K.KIND_COVERAGE:
            cur[u] = 0.0
            return
        a = data[lo:hi]
        if kind == K.KIND_QUAD_CSR or (kind == K.KIND_CSR and agg == K.AGG_SUM):
            cur[u] += a  # indices within a row are distinct
        elif kind == K.KIND_CSR:
            cur[u] = np.maximum(cur[u], a)
        else:
            c = cur[u]
            cur[u] = np.where(a >= 0.0, c + a, np.maximum(c, -a))


def value(args: tuple, cur: np.ndarray, selection: np.ndarray) -> float:
    """f(selection) from the empty state ``cur``; leaves ``cur`` at the selection.

    Repeated indices count once (as :func:`submodkit.objectives.kernels.evaluate_selection`).

    Parameters
    ----------
    args : tuple
        ``Objective.kernel_args()``.
    cur : ndarray of float64
        The empty state (``Objective.new_state()``), updated in place.
    selection : ndarray of int64

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1], [1, 2, 3], [3]])
    >>> value(f.kernel_args(), f.new_state(), np.array([0, 2, 0]))
    3.0
    """
    kind, agg, phi, indptr, indices, data, dense, w, b = args
    _, first = np.unique(selection, return_index=True)
    sel = selection[np.sort(first)]
    total = 0.0
    if kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR, K.KIND_LOGDET):
        one = np.zeros(1, dtype=np.int64)
        for j in sel.tolist():
            one[0] = j
            total += float(gains(args, cur, one)[0])
            commit(args, cur, j)
        return total
    for j in sel.tolist():
        commit(args, cur, j)
    if kind in (K.KIND_MIX_DENSE, K.KIND_MIX_CSR):
        m = w.shape[0]
        total = float(b[2 * m + sel].sum())
        return total + float(w @ _phi_codes(b[m : 2 * m], cur, b[:m]))
    if kind == K.KIND_COVERAGE:
        return float(w.sum() - cur.sum())
    return float(w @ phi_values(phi, cur, b))


def _logdet_gains(data: np.ndarray, w: np.ndarray, cur: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """``sum_r sign_r log d_r[j]^2`` for each candidate (``KIND_LOGDET``)."""
    n_kernels = data.shape[0] - 1
    n = w.shape[0] // n_kernels
    out = np.zeros(cand.shape[0], dtype=np.float64)
    for r in range(n_kernels):
        out += data[1 + r] * np.log(np.maximum(cur[1 + r * n + cand], K.LOGDET_TINY))
    return out


def _logdet_commit(agg: int, data: np.ndarray, dense: np.ndarray, cur: np.ndarray, j: int) -> None:
    """Add ``j`` to a ``KIND_LOGDET`` state (as :func:`submodkit.objectives.kernels.logdet_commit`)."""
    n_kernels = data.shape[0] - 1
    n = dense.shape[1] if agg == K.LOGDET_PRECOMPUTED else dense.shape[0]
    rn = n_kernels * n
    capacity = (cur.shape[0] - 1 - rn) // rn
    t = int(cur[0])
    if t >= capacity:
        raise ValueError("log-determinant: more items than the objective's max_size")
    for r in range(n_kernels):
        var = cur[1 + r * n : 1 + (r + 1) * n]
        start = 1 + rn + r * n * capacity
        rows = cur[start : start + n * capacity].reshape(capacity, n)  # rows[q, i]
        dj2 = var[j]
        if dj2 <= K.LOGDET_TINY:
            rows[t] = 0.0
            var[j] = 0.0
            continue
        dj = np.sqrt(dj2)
        if agg == K.LOGDET_PRECOMPUTED:
            entries = dense[r * n + j]
        elif agg == K.LOGDET_LINEAR:
            entries = dense @ dense[j]
        else:
            entries = np.exp(-data[0] * ((dense - dense[j]) ** 2).sum(axis=1))
        e = (entries - rows[:t, j] @ rows[:t]) / dj
        e[j] = dj
        rows[t] = e
        var -= e * e
        var[j] = 0.0
    cur[0] = t + 1
