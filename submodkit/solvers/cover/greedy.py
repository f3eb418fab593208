"""Chvatal's greedy for set cover (with outliers): the most newly covered elements per unit
cost, lazy, in Numba (or numpy for small instances before Numba's kernels are loaded), then
redundant sets dropped. The start of every set-cover algorithm of this subpackage."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from submodkit.objectives.coverage import Coverage

NUMPY_MAX_INCIDENCES = 200_000
"""Greedy runs in numpy (no Numba start-up, about 0.45 s of a small command-line run) for a
set system of at most this many incidences while Numba's kernels are not loaded."""

SCAN_MAX_WORK = 500_000_000
"""Above ``NUMPY_MAX_INCIDENCES``, while the generic lazy-greedy kernels are not loaded, greedy
scans every set at each step in the Lagrangian greedy kernel (:func:`greedy_by_scan`) when
``n_sets * n_elements`` (a bound on its work) is at most this: about 30 ms on rail507, where
compiling the lazy kernels costs about 6 s on a first run."""


def greedy(csr: sp.csr_matrix, costs: np.ndarray, prune: bool, n_out: int = 0):
    """Greedy (most newly covered elements per unit cost, lazy) until at most ``n_out``
    elements are uncovered, then redundant sets dropped latest first: ``(selection, gains,
    evaluations, name)``. Small instances in a process without Numba's kernels take
    :func:`greedy_numpy` (same selection, ties to the smallest index)."""
    n, m = csr.shape
    target = float(m - n_out) - 0.5
    from submodkit.solvers.submodular.greedy import numba_loaded

    if csr.nnz <= NUMPY_MAX_INCIDENCES and not numba_loaded():
        sel, gains, evals = greedy_numpy(csr, costs, target)
    elif n * m <= SCAN_MAX_WORK and not numba_loaded():
        sel, gains, evals = greedy_by_scan(csr, costs, n_out)
    else:
        from submodkit.objectives.kernels import fill_gains
        from submodkit.solvers.submodular import _kernels as G

        coverage = Coverage(csr)
        args = coverage.kernel_args()
        cur = coverage.new_state()
        sel = np.empty(n, dtype=np.int64)
        gains = np.empty(n)
        arange = np.arange(n, dtype=np.int64)
        init = np.empty(n)
        fill_gains(args, cur, arange, init, coverage.nnz)
        n_sel, covered, evals = G.lazy_greedy(
            *args, cur, arange, n, costs, math.inf, True,
            np.full(n, -1, dtype=np.int64), np.zeros(0, dtype=np.int64), target, True,
            sel, gains, init, np.empty(n),
        )
        sel, gains = sel[:n_sel], gains[:n_sel]
    name = "greedy"
    if prune:
        sel, gains = drop_redundant_sets(csr, sel, gains)
        name = "greedy+prune"
    return sel, gains, evals, name


def greedy_cover(csr: sp.csr_matrix, costs: np.ndarray) -> np.ndarray:
    """Greedy's cover with redundant sets dropped (:func:`greedy` with pruning), in the
    order taken; ``csr`` a 0/1 set matrix in which every element is in some set."""
    return greedy(csr, costs, True)[0]


def greedy_by_scan(csr: sp.csr_matrix, costs: np.ndarray, n_out: int = 0):
    """Greedy by a full scan of the sets at each step, in the Lagrangian greedy kernel at zero
    multipliers (cost per newly covered element, the smallest; ties: the smallest index, as
    the lazy kernel), until at most ``n_out`` elements are uncovered: ``(selection, gains,
    evaluations)``, the gains being the elements each set newly covered."""
    from submodkit.solvers.cover.lagrangian import cover_with

    n, m = csr.shape
    sel = cover_with(csr, np.ascontiguousarray(costs, dtype=np.float64), np.zeros(m), n_out)
    covered = np.zeros(m, dtype=bool)
    gains = np.empty(sel.shape[0])
    for t, j in enumerate(sel):
        els = csr.indices[csr.indptr[j]:csr.indptr[j + 1]]
        gains[t] = float((~covered[els]).sum())
        covered[els] = True
    return sel, gains, n * sel.shape[0]


def greedy_numpy(csr: sp.csr_matrix, costs: np.ndarray, target: float):
    """Naive greedy in numpy: every set's newly covered count per unit cost at each step (one
    pass over the incidences), the largest taken (ties: smallest index, as the lazy kernel),
    until ``target`` elements are covered or no set adds any."""
    n, m = csr.shape
    indptr, indices = csr.indptr, csr.indices
    uncovered = np.ones(m)
    sizes = np.diff(indptr)
    nonempty = sizes > 0
    starts = indptr[:-1][nonempty]
    alive = np.ones(n, dtype=bool)
    sel, gains, covered, evals = [], [], 0.0, 0
    with np.errstate(divide="ignore", invalid="ignore"):
        while covered < target:
            g = np.zeros(n)
            if starts.size:
                g[nonempty] = np.add.reduceat(uncovered[indices], starts)
            key = np.where(costs > 0.0, g / np.where(costs > 0.0, costs, 1.0), np.where(g > 0.0, np.inf, 0.0))
            key[~alive] = -np.inf
            evals += int(alive.sum())
            j = int(np.argmax(key))
            if not alive[j] or g[j] <= 0.0:
                break
            alive[j] = False
            uncovered[indices[indptr[j] : indptr[j + 1]]] = 0.0
            sel.append(j)
            gains.append(float(g[j]))
            covered += float(g[j])
    return np.asarray(sel, dtype=np.int64), np.asarray(gains, dtype=np.float64), evals


def drop_redundant_sets(csr: sp.csr_matrix, sel: np.ndarray, gains: np.ndarray):
    """Drop selected sets whose elements all stay covered, latest first."""
    count = np.zeros(csr.shape[1], dtype=np.int64)
    for j in sel:
        count[csr.indices[csr.indptr[j] : csr.indptr[j + 1]]] += 1
    keep = np.ones(sel.shape[0], dtype=bool)
    for t in range(sel.shape[0] - 1, -1, -1):
        els = csr.indices[csr.indptr[sel[t]] : csr.indptr[sel[t] + 1]]
        if els.size == 0 or count[els].min() >= 2:
            count[els] -= 1
            keep[t] = False
    return sel[keep], gains[keep]
