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
