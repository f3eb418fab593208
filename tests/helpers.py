"""Small random instances shared by the solver tests."""

from __future__ import annotations

import numpy as np

from submodkit.objectives import Coverage, FacilityLocation, FeatureBased, GraphCut, SaturatedCoverage


def small_objectives(seed: int, n: int = 10, m: int = 14, *, graph_cut: bool = True) -> list:
    """One instance of each monotone objective kind on n candidates (m elements)."""
    rng = np.random.default_rng(seed)
    A = (rng.random((n, m)) < 0.3).astype(float)
    objs = [
        Coverage(A, weights=rng.integers(1, 5, m)),
        FacilityLocation(rng.random((n, m))),
        FeatureBased(rng.random((n, m)), "sqrt"),
        SaturatedCoverage(rng.random((n, m)), alpha=0.2),
    ]
    if graph_cut:
        M = rng.random((n, n))
        objs.append(GraphCut((M + M.T) / 2, lam=0.4))
    return objs


def set_cover_optimum(dense: np.ndarray, costs: np.ndarray, n_out: int = 0) -> float:
    """Minimum cost of sets (rows of the 0/1 ``dense``) covering all elements but ``n_out``,
    by enumeration (inf when none does)."""
    import itertools
    import math

    n, m = dense.shape
    if m <= n_out:
        return 0.0
    best = math.inf
    for r in range(1, n + 1):
        for combo in itertools.combinations(range(n), r):
            if dense[list(combo)].any(axis=0).sum() >= m - n_out:
                best = min(best, float(np.asarray(costs)[list(combo)].sum()))
    return best
