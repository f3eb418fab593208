"""Points in a metric space for the diversity solvers, and the GMM (farthest-first) selection.

`Points` holds validated points (or a precomputed distance matrix) for the distance kernels
of :mod:`submodkit.objectives.distances`; `gmm_select` / `gmm_radius` are the greedy of
Gonzalez (TCS 1985) and Ravi, Rosenkrantz, Tayi (Oper. Res. 1994): each new point is the
farthest from those chosen. `~submodkit.solvers.diversity.dispersion.diversify` and the
exact solvers build on them.
"""

from __future__ import annotations

import numpy as np

from submodkit._validation import make_rng
from submodkit.objectives import distances as DS

__all__ = ["Points", "gmm_radius", "gmm_select"]


class Points:
    """Validated points (or a precomputed distance matrix) for the distance kernels."""

    def __init__(self, X, metric: str = "euclidean"):
        self.metric = metric
        self.code, self.X, self.D = DS.as_points(X, metric)
        self.n = int(self.D.shape[0] if self.code == DS.METRIC_PRECOMPUTED else self.X.shape[0])
        self.metric_check: str | None = None

    def row(self, c: int, out: np.ndarray | None = None) -> np.ndarray:
        """Distances from point ``c`` to every point."""
        out = np.empty(self.n) if out is None else out
        DS.distance_row(self.code, self.X, self.D, int(c), out)
        return out

    def block(self, rows, cols=None) -> np.ndarray:
        """The distance matrix between two index lists (``cols`` defaults to ``rows``)."""
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        cols = rows if cols is None else np.ascontiguousarray(cols, dtype=np.int64)
        return DS.distance_block(self.code, self.X, self.D, rows, cols)

    def require_metric(self) -> None:
        """Check the triangle inequality of a precomputed matrix (points always satisfy it)."""
        if self.code == DS.METRIC_PRECOMPUTED and self.metric_check is None:
            self.metric_check = DS.check_metric_space(self.D)


def gmm_select(pts: Points, k: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """GMM selection and the distance of each chosen point to the earlier ones (first: 0)."""
    sel, gains, _ = gmm_radius(pts, k, seed)
    return sel, gains


def gmm_radius(pts: Points, k: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """`gmm_select` plus the covering radius ``max_u d(u, S)`` of the selection (0 if k >= n)."""
    n = pts.n
    if seed is None:
        first = int(np.argmax(pts.row(0))) if n > 1 else 0
    else:
        first = int(make_rng(seed).integers(n))
    sel = np.empty(k, dtype=np.int64)
    mind = np.empty(n)
    cnt = DS.gmm(pts.code, pts.X, pts.D, first, k, sel, mind)
    sel = sel[:cnt]
    rest = np.ones(n, dtype=bool)
    rest[sel] = False
    radius = float(mind[rest].max()) if rest.any() else 0.0
    gains = np.zeros(cnt)
    if cnt > 1:
        dist = pts.block(sel)
        for t in range(1, cnt):
            gains[t] = dist[t, :t].min()
    return sel, gains, radius
