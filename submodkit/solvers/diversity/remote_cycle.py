"""The exact remote-cycle optimum by enumeration: every k-subset's tour by Held-Karp.

``max_{|S| = k} TSP(S)`` is NP-hard (it contains Hamiltonian cycle questions); this is the
reference for tests and verification on tiny instances: C(n, k) subsets, each O(2^k k^2),
in one compiled loop (n = 14, k = 7: 3,432 subsets in a few milliseconds).
"""

from __future__ import annotations

import math
import time

import numpy as np

from submodkit._validation import check_int, check_time_limit
from submodkit.errors import InvalidParameterError
from submodkit.results import Solution
from submodkit.solvers.diversity._tour_kernels import _best_subset
from submodkit.solvers.diversity.tsp import HELD_KARP_LIMIT


def exact_remote_cycle(X, k: int, metric: str = "euclidean", *, max_subsets: int = 2_000_000,
                       time_limit: float | None = None) -> Solution:
    """The maximum over k-subsets of the minimum tour weight (remote-cycle), by brute force.

    Enumerates all C(n, k) subsets (refused above ``max_subsets``) and solves each tour by
    Held-Karp; ties go to the lexicographically first subset. k <= 1: value 0. With
    ``time_limit`` (seconds), the enumeration stops there: status ``timeout``, the best
    subset seen, no bound.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The points.
    k : int
        Points to select.
    metric : str, default "euclidean"
    max_subsets : int, default 2_000_000, keyword-only
        Largest C(n, k) enumerated.
    time_limit : float, optional, keyword-only

    Returns
    -------
    Solution
        The best subset, its minimum tour as ``value``, status ``optimal`` or ``timeout``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0], [1, 0], [0.5, 0.5], [0, 1], [1, 1]])
    >>> r = exact_remote_cycle(X, 4)
    >>> r.value, r.selection.tolist()
    (4.0, [0, 1, 3, 4])

    References
    ----------
    .. [1] Halldorsson, Iwano, Katoh, Tokuyama, "Finding subsets maximizing minimum
       structures", SIAM J. Discrete Math. 12 (1999) (remote-cycle).
    """
    from submodkit.solvers.diversity.dispersion import Points

    t0 = time.perf_counter()
    time_limit = check_time_limit(time_limit)
    pts = X if isinstance(X, Points) else Points(X, metric)
    n = pts.n
    k = check_int("k", k)
    if k > n:
        raise InvalidParameterError("k", k, f"an integer <= n = {n} (the number of points)")
    if k > HELD_KARP_LIMIT:
        raise InvalidParameterError("k", k, f"an integer <= {HELD_KARP_LIMIT} (Held-Karp per subset)")
    if math.comb(n, k) > max_subsets:
        raise InvalidParameterError("k", k, f"at most {max_subsets} subsets of the {n} points")
    params = {"objective": "remote-cycle", "k": k, "subsets": math.comb(n, k)}
    if k <= 1:
        sel = np.arange(k, dtype=np.int64)
        return Solution.from_exact(0.0, 0.0, "optimal", sel, "brute-force", params, time.perf_counter() - t0)
    D = np.ascontiguousarray(pts.block(np.arange(n)), dtype=np.float64)
    dp = np.empty((1 << (k - 1), k - 1))
    best_idx = np.empty(k, dtype=np.int64)
    idx = np.arange(k, dtype=np.int64)
    chunk = max(1, int(_CHUNK_OPERATIONS // ((1 << k) * k * k)))  # about 50 ms of tours
    best, done = -1.0, False
    while not done:
        best, done = _best_subset(D, k, dp, idx, best_idx, best, chunk)
        if not done and time_limit is not None and time.perf_counter() - t0 >= time_limit:
            params["stopped_at"] = idx.tolist()
            return Solution.from_exact(float(best), None, "timeout", np.sort(best_idx),
                                       "brute-force+held-karp",
                               params, time.perf_counter() - t0)
    best = float(best)
    return Solution.from_exact(best, best, "optimal", best_idx, "brute-force+held-karp", params,
                       time.perf_counter() - t0)


_CHUNK_OPERATIONS = 5e7
