"""Numba kernel of low-adaptivity threshold sampling: the REDUCED-MEAN samples of every prefix size."""

from __future__ import annotations

import numpy as np
from numba import njit

from submodkit.objectives import kernels as K


@njit(cache=True, nogil=True)
def sample_prefix_paths(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur,
    pool, sizes, uniforms, n_paths, tau, good_out, work, perm,
):
    """Draw ``n_paths`` random orders of ``pool`` (prefixes only) and count good samples.

    For each path: ``perm`` is shuffled (partial Fisher-Yates with ``uniforms``) for its first
    ``sizes[-1]`` positions; for each size ``t`` in ``sizes`` the element at position ``t - 1``
    is a uniform sample ``x`` from ``pool`` minus a uniform ``(t-1)``-subset ``T`` (the first
    ``t - 1`` elements), and ``good_out[i] += 1`` when ``gain(x | cur + T) >= tau``: exactly the
    distribution ``D_t`` of Fahrbach, Mirrokni, Zadimoghaddam (SODA 2019). ``work`` is a scratch
    copy of ``cur`` and ``perm`` a scratch copy of ``pool``, both restored after each path.
    Returns the number of gain queries.
    """
    a = pool.shape[0]
    t_max = sizes[sizes.shape[0] - 1]
    sparse = (kind == K.KIND_CSR or kind == K.KIND_QUAD_CSR or kind == K.KIND_COVERAGE
              or kind == K.KIND_MIX_CSR)
    queries = 0
    for i in range(a):
        perm[i] = pool[i]
    swaps = np.empty(t_max, dtype=np.int64)
    for p in range(n_paths):
        si = 0
        for pos in range(t_max):
            x = _draw(perm, swaps, pos, a, uniforms[p * t_max + pos])
            while si < sizes.shape[0] and sizes[si] == pos + 1:
                g = K.gain(kind, agg, phi, indptr, indices, data, dense, w, b, work, x)
                queries += 1
                if g >= tau:
                    good_out[si] += 1
                si += 1
            if pos + 1 < t_max:
                K.commit(kind, agg, indptr, indices, data, dense, work, x)
        # restore the scratch state
        if sparse:
            for pos in range(t_max - 1):
                j = perm[pos]
                for q in range(indptr[j], indptr[j + 1]):
                    work[indices[q]] = cur[indices[q]]
        else:
            for i in range(cur.shape[0]):
                work[i] = cur[i]
        _undo(perm, swaps, t_max)  # perm is pool again
    return queries


@njit(cache=True, nogil=True)
def _draw(perm, swaps, pos, a, u):
    """One step of a partial Fisher-Yates shuffle: swap position ``pos`` with a uniform
    position in ``[pos, a)`` chosen by ``u`` (recorded in ``swaps``); the element drawn."""
    r = pos + int(u * (a - pos))
    if r >= a:
        r = a - 1
    swaps[pos] = r
    tmp = perm[pos]
    perm[pos] = perm[r]
    perm[r] = tmp
    return perm[pos]


@njit(cache=True, nogil=True)
def _undo(perm, swaps, t_max):
    """Undo the first ``t_max`` steps of :func:`_draw`."""
    for pos in range(t_max - 1, -1, -1):
        r = swaps[pos]
        tmp = perm[pos]
        perm[pos] = perm[r]
        perm[r] = tmp



@njit(cache=True, nogil=True)
def prefix_positions(a, t_max, uniforms, n_paths, visited_out):
    """The pool positions :func:`sample_prefix_paths` reaches: ``visited_out[q] = True`` for
    every position ``q`` of the pool whose element lands among the first ``t_max`` of some
    path (the same partial Fisher-Yates on the same ``uniforms``). Only those elements are
    ever queried, so only their rows are needed where the pool's data lives elsewhere."""
    perm = np.arange(a)
    swaps = np.empty(t_max, dtype=np.int64)
    for p in range(n_paths):
        for pos in range(t_max):
            visited_out[_draw(perm, swaps, pos, a, uniforms[p * t_max + pos])] = True
        _undo(perm, swaps, t_max)
