"""`diversify`: diversity maximization (dispersion) over points, with guarantees.

Objectives over a selection S of points in a metric space (``d`` euclidean, cosine or a
precomputed matrix):

- ``"max-min"`` (remote-edge): ``min_{i != j in S} d(i, j)``;
- ``"max-sum"`` (remote-clique): ``sum_{i < j in S} d(i, j)``;
- ``"sum-min"``: ``sum_{i in S} min_{j in S, j != i} d(i, j)``;
- ``"remote-tree"``: weight of a minimum spanning tree of S;
- ``"remote-star"``: ``min_{c in S} sum_{j in S} d(c, j)``;
- ``"remote-cycle"``: weight of a minimum Hamiltonian cycle (travelling salesman tour) of S
  (one point: 0; two points: twice their distance), exact (:mod:`submodkit.solvers.diversity.tsp`).

With a monotone submodular ``quality`` q, ``"max-sum"`` maximizes ``q(S) + lam * sum``
(Borodin, Lee, Ye) and ``"max-min"`` maximizes ``q(S) + lam * min`` (GIST). A selection of
fewer than two points has diversity 0.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_real, make_rng
from submodkit.constraints import Cardinality, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import distances as DS
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution
from submodkit.solvers.diversity import _kernels as DK
from submodkit.solvers.diversity.tsp import solve_tour

OBJECTIVES = ("max-min", "max-sum", "sum-min", "remote-tree", "remote-star", "remote-cycle")
ALGORITHMS = {
    "max-min": ("gmm", "gist"),
    "max-sum": ("greedy", "local-search"),
    "sum-min": ("lp", "gmm"),
    "remote-tree": ("gmm",),
    "remote-star": ("gmm",),
    "remote-cycle": ("gmm",),
}
_SUM_MIN_LP_DEFAULT_MAX = 1000  # sum-min picks the LP algorithm up to this many points (n x n matrix)


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


def diversity_value(dist: np.ndarray, objective: str) -> float:
    """The diversity of a selection from its square distance matrix ``dist`` (remote-cycle:
    the exact tour, Held-Karp up to 16 points, else the MIP with a 60 s limit; use
    :func:`submodkit.solvers.diversity.tsp.tsp_tour` to see whether a large tour was proven optimal)."""
    m = dist.shape[0]
    if m < 2:
        return 0.0
    if objective == "max-min":
        return float(dist[np.triu_indices(m, 1)].min())
    if objective == "max-sum":
        return float(dist[np.triu_indices(m, 1)].sum())
    if objective == "sum-min":
        off = dist + np.diag(np.full(m, np.inf))
        return float(off.min(axis=1).sum())
    if objective == "remote-star":
        return float(dist.sum(axis=1).min())
    if objective == "remote-cycle":
        return solve_tour(np.ascontiguousarray(dist, dtype=np.float64)).value
    return _mst_weight(dist)


def _mst_weight(dist: np.ndarray) -> float:
    """Prim's algorithm on a dense matrix (zero distances are edges)."""
    m = dist.shape[0]
    best = dist[0].astype(np.float64).copy()
    inside = np.zeros(m, dtype=bool)
    inside[0] = True
    total = 0.0
    for _ in range(m - 1):
        cand = np.where(inside, np.inf, best)
        j = int(np.argmin(cand))
        total += float(cand[j])
        inside[j] = True
        best = np.minimum(best, dist[j])
    return total


def as_quality(quality, n: int) -> Objective | None:
    """``quality`` as an Objective: an Objective (monotone submodular), or one non-negative
    weight per point (the modular ``q(S) = sum_{j in S} w_j``)."""
    if quality is None:
        return None
    if not isinstance(quality, Objective):
        from submodkit._validation import check_vector

        w = check_vector("quality", quality, n)
        quality = Objective(kind=K.KIND_CSR, matrix=sp.diags(w).tocsr(), w=np.ones(n))
    if quality.n != n:
        raise InvalidParameterError("quality", f"an objective over {quality.n} items", f"{n} items")
    if not (quality.monotone and quality.submodular):
        raise InvalidParameterError("quality", quality, "a monotone submodular objective")
    return quality


def diversify(
    X,
    k: int,
    objective: str = "max-min",
    metric: str = "euclidean",
    *,
    algorithm: str | None = None,
    constraint: Cardinality | PartitionMatroid | None = None,
    quality=None,
    lam: float = 1.0,
    seed: int | None = None,
    epsilon: float = 0.05,
    max_swaps: int = 1000,
    time_limit: float = 60.0,
) -> Solution:
    """Select ``k`` diverse points; ``Solution.value`` is the objective itself.

    Algorithms (``algorithm=None`` picks the guaranteed one marked *default*); all need a
    metric (a precomputed matrix is checked: every triple up to 200 points, else 200,000
    sampled triples, reported in ``stats["metric_check"]``):

    - max-min, ``"gmm"`` (default): farthest-point greedy, 1/2 (Gonzalez 1985; Ravi,
      Rosenkrantz, Tayi 1994); O(nk) distance evaluations, O(n) memory. ``upper_bound`` is
      twice the last selected point's distance (pigeonhole over the k-1 first balls).
    - max-min with ``quality``, ``"gist"`` (default): GIST (Fahrbach, Ramalingam,
      Zadimoghaddam et al., NeurIPS 2025), maximizes ``q(S) + lam * min`` over ``|S| <= k``
      (it may return fewer than k points): best of the plain
      greedy, a (2-approximate, exact for n <= 4000) diametral pair, and a greedy independent
      set of the threshold graph for each threshold ``(1+eps)^i * eps * dmax / 2 <= dmax``;
      ``1/2 - epsilon``. O(nk / eps * log(1/eps)) distance evaluations.
    - max-sum, ``"greedy"`` (default): add the point maximizing ``q_gain / 2 + lam * sum of
      distances to S``; 1/2 (Borodin, Lee, Ye, PODS 2012; without quality also Birnbaum and
      Goldman 2009, Hassin, Rubinstein, Tamir 1997). O(nk) distance evaluations.
    - max-sum, ``"local-search"`` (default under a ``PartitionMatroid``): greedy start, then
      best single swaps until none improves; 1/2 at a local optimum (Abbassi, Mirrokni,
      Thakur, KDD 2013; Borodin, Lee, Ye 2012 with quality). O(nk) distances per swap. If
      ``max_swaps`` is reached first the guarantee is None.
    - remote-tree, ``"gmm"``: 1/4 (Halldorsson, Iwano, Katoh, Tokuyama, TCS 1999).
    - remote-cycle, ``"gmm"``: 1/3 (Halldorsson, Iwano, Katoh, Tokuyama, SIAM J. Discrete
      Math. 1999); O(nk) distance evaluations plus one exact tour of the k points
      (Held-Karp up to 16 points, else SCIP with subtour cuts within ``time_limit``
      seconds: if not proven optimal, ``value`` is the best tour found, an upper estimate
      of the objective, and ``stats["value_exact"]`` is False). Proof: let R be GMM's
      covering radius (every point within R of S); the k points of S are pairwise >= R
      apart, so TSP(S) >= kR; moving each optimal point to its nearest point of S costs at
      most 2R of tour per point and a subset's tour is at most S's (shortcutting), so
      OPT <= TSP(S) + 2kR <= 3 TSP(S). ``upper_bound`` is ``value + 2kR``;
      ``stats["tour"]`` is the tour (point indices in visiting order).
    - sum-min, ``"lp"`` (default up to 1,000 points): the LP relaxation of Bhaskara, Ghadiri,
      Mirrokni, Svensson (NeurIPS 2016) with randomized rounding, 1/8 in expectation;
      ``upper_bound`` is twice the LP optimum (see :mod:`submodkit.solvers.diversity.lp_rounding`). If
      the LP is not solved within ``time_limit`` seconds (it took 3.9 s at 1,000 points),
      the GMM selection is returned without a guarantee and ``stats["lp"]`` says so.
    - sum-min (over 1,000 points) and remote-star, ``"gmm"``: a heuristic, no guarantee.

    ``metric="cosine"`` uses ``1 - cos``, which is half the squared euclidean distance of
    the normalised rows and not a metric: results carry no guarantee (use
    ``metric="euclidean"`` on normalised rows for one). Ties go to the smallest index.
    GMM starts from the point farthest from point 0, or a
    random point when ``seed`` is given.

    Example:
        >>> import numpy as np
        >>> sol = diversify(np.array([[0.0], [1.0], [5.0], [9.0]]), 2)
        >>> sorted(sol.selection.tolist()), sol.value
        ([0, 3], 9.0)
    """
    start = time.perf_counter()
    check_choice("objective", objective, OBJECTIVES)
    pts = X if isinstance(X, Points) else Points(X, metric)
    n = pts.n
    if isinstance(constraint, Cardinality):
        k = constraint.k if k is None else k
        constraint = None
    k = check_int("k", k)
    if k > n:
        raise InvalidParameterError("k", k, f"an integer <= n = {n} (the number of points)")
    if constraint is not None:
        if not isinstance(constraint, PartitionMatroid):
            raise InvalidParameterError("constraint", constraint, "None, Cardinality or PartitionMatroid")
        if objective != "max-sum":
            raise InvalidParameterError("constraint", constraint, "None for this objective "
                                        "(partition matroids: objective='max-sum')")
        constraint.check_size(n)
    q = as_quality(quality, n)
    lam = check_real("lam", lam, minimum=0.0)
    if q is not None and objective not in ("max-min", "max-sum"):
        raise InvalidParameterError("quality", quality, "None for this objective "
                                    "(quality: objective='max-min' or 'max-sum')")
    if algorithm is None:
        if objective == "max-min":
            algorithm = "gist" if q is not None else "gmm"
        elif objective == "max-sum":
            algorithm = "local-search" if constraint is not None else "greedy"
        elif objective == "sum-min" and n <= _SUM_MIN_LP_DEFAULT_MAX:
            algorithm = "lp"
        else:
            algorithm = "gmm"
    check_choice("algorithm", algorithm, ALGORITHMS[objective])
    if algorithm == "gmm" and q is not None:
        raise InvalidParameterError("algorithm", algorithm, "'gist' with a quality term")
    if algorithm == "gist" and q is None:
        raise InvalidParameterError("algorithm", algorithm, "'gmm' without a quality term")
    if objective == "max-sum" and algorithm == "greedy" and constraint is not None:
        raise InvalidParameterError("algorithm", algorithm, "'local-search' under a matroid")
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True)
    max_swaps = check_int("max_swaps", max_swaps)
    time_limit = check_real("time_limit", time_limit, minimum=0.0, strict_min=True)
    pts.require_metric()

    stats: dict = {"n": n, "k": k}
    upper = None
    if k == 0:
        sel, gains, name, g = np.zeros(0, dtype=np.int64), np.zeros(0), algorithm, None
    elif algorithm == "gmm":
        sel, gains, radius = gmm_radius(pts, k, seed)
        stats["distance_evaluations"] = n * len(sel)
        name = "gmm"
        g = {"max-min": "gmm", "remote-tree": "gmm-remote-tree",
             "remote-cycle": "gmm-remote-cycle"}.get(objective)
        if objective == "max-min" and len(sel) >= 2:
            upper = 2.0 * float(gains[-1]) if k < n else diversity_value(pts.block(sel), objective)
    elif algorithm == "lp":
        from submodkit.solvers.diversity.lp_rounding import LPTimeLimit, sum_min_lp

        left = time_limit - (time.perf_counter() - start)
        try:
            lp_sol = sum_min_lp(pts, k, seed=0 if seed is None else seed, time_limit=max(left, 1e-3))
        except LPTimeLimit as exc:  # the heuristic instead, without a guarantee
            stats["lp"] = f"{exc}: GMM instead"
            sel, gains, _ = gmm_radius(pts, k, seed)
            name, g = "gmm", None
        else:
            sel, gains, name, upper = lp_sol.selection, lp_sol.gains, lp_sol.algorithm, lp_sol.upper_bound
            g = "sum-min-lp"
            stats.update({key: lp_sol.stats[key] for key in ("lp_value", "grid", "radii")
                          if key in lp_sol.stats})
    elif algorithm == "gist":
        sel, gains, more = _gist(pts, k, q, lam, epsilon, seed)
        stats.update(more)
        name, g = "gist", "gist"
    elif algorithm == "greedy":
        sel, gains = _maxsum_greedy(pts, k, q, lam, None)
        stats["distance_evaluations"] = n * len(sel)
        name, g = "max-sum-greedy", "max-sum-greedy"
    else:
        sel, gains, converged, swaps = _local_search(pts, k, q, lam, constraint, max_swaps)
        stats.update({"swaps": swaps, "local_optimum": converged})
        name = "max-sum-local-search"
        g = "max-sum-local-search" if converged else None

    if pts.code == DS.METRIC_COSINE:
        g, upper = None, None  # 1 - cos is half a squared distance, not a metric
    sel = np.asarray(sel, dtype=np.int64)
    if objective == "remote-cycle":
        tour = solve_tour(np.ascontiguousarray(pts.block(sel), dtype=np.float64), time_limit)
        div = tour.value
        stats.update({"tour": sel[tour.order], "value_exact": tour.optimal, "tour_method": tour.algorithm,
                      "tour_lower_bound": tour.lower_bound, "tour_seconds": tour.stats["seconds"]})
        if g is not None and len(sel) >= 2:
            upper = div + 2.0 * len(sel) * radius
    else:
        div = diversity_value(pts.block(sel), objective)
    value = div
    if q is not None:
        qv = float(q.evaluate(sel))
        value = qv + lam * div
        stats.update({"quality": qv, "diversity": div})
    if pts.metric_check is not None:
        stats["metric_check"] = pts.metric_check
    stats["seconds"] = time.perf_counter() - start
    return Solution(
        selection=sel,
        gains=np.asarray(gains, dtype=np.float64),
        value=float(value),
        algorithm=name,
        guarantee=None if g is None else guarantee(g, k=k, epsilon=epsilon),
        upper_bound=None if upper is None else max(upper, float(value)),
        stats=stats,
    )


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


def _maxsum_greedy(pts: Points, k: int, q: Objective | None, lam: float,
                   constraint: PartitionMatroid | None):
    """Borodin-Lee-Ye greedy: argmax ``q_gain / 2 + lam * d(u, S)`` (feasible u)."""
    n = pts.n
    if q is None and constraint is None:
        first = int(np.argmax(pts.row(0))) if n > 1 else 0
        sel = np.empty(k, dtype=np.int64)
        gains = np.empty(k)
        total = np.empty(n)
        cnt = DK.maxsum_greedy(pts.code, pts.X, pts.D, first, k, sel, gains, total)
        return sel[:cnt], gains[:cnt]
    lam_eff = lam if q is not None else 1.0
    total = np.zeros(n)
    feasible = np.ones(n, dtype=bool)
    taken = None
    if constraint is not None:
        feasible &= constraint.groups >= 0
        taken = np.zeros(constraint.capacities.shape[0], dtype=np.int64)
        feasible &= constraint.capacities[np.maximum(constraint.groups, 0)] > 0
    sel, gains = [], []
    row = np.empty(n)
    for _ in range(k):
        score = lam_eff * total
        if q is not None:
            score = score + 0.5 * q.gains(sel)
        score = np.where(feasible, score, -np.inf)
        j = int(np.argmax(score))
        if not np.isfinite(score[j]):
            break
        sel.append(j)
        gains.append(float(score[j]))
        feasible[j] = False
        if taken is not None:
            gr = constraint.groups[j]
            taken[gr] += 1
            if taken[gr] >= constraint.capacities[gr]:
                feasible &= constraint.groups != gr
        total += pts.row(j, row)
    return np.asarray(sel, dtype=np.int64), np.asarray(gains)


def _local_search(pts: Points, k: int, q: Objective | None, lam: float,
                  constraint: PartitionMatroid | None, max_swaps: int):
    """Best-swap local search from the greedy solution; feasibility kept by a partition
    matroid. Returns (selection, gains, converged, swaps)."""
    sel, gains = _maxsum_greedy(pts, k, q, lam, constraint)
    sel = [int(s) for s in sel]
    m, n = len(sel), pts.n
    if m == 0:
        return np.zeros(0, dtype=np.int64), gains, True, 0
    lam_eff = lam if q is not None else 1.0
    rows = np.stack([pts.row(s) for s in sel])
    groups = constraint.groups if constraint is not None else np.zeros(n, dtype=np.int64)
    caps = constraint.capacities if constraint is not None else np.array([m], dtype=np.int64)
    in_s = np.zeros(n, dtype=bool)
    in_s[sel] = True
    swaps, converged = 0, False
    while swaps <= max_swaps:
        total = rows.sum(axis=0)
        value = lam_eff * 0.5 * float(total[sel].sum()) + (float(q.evaluate(sel)) if q is not None else 0.0)
        tol = 1e-12 * max(1.0, abs(value))
        taken = np.bincount(groups[sel], minlength=caps.shape[0])
        spare = (groups >= 0) & (taken[np.maximum(groups, 0)] < caps[np.maximum(groups, 0)])
        best, best_a, best_u = tol, -1, -1
        for a, o in enumerate(sel):
            delta = lam_eff * (total - rows[a] - total[o])
            if q is not None:
                rest = sel[:a] + sel[a + 1:]
                qg = q.gains(rest)
                delta = delta + qg - qg[o]
            ok = ~in_s & ((groups == groups[o]) | spare)
            delta = np.where(ok, delta, -np.inf)
            u = int(np.argmax(delta))
            if delta[u] > best:
                best, best_a, best_u = float(delta[u]), a, u
        if best_a < 0:
            converged = True
            break
        if swaps == max_swaps:
            break
        in_s[sel[best_a]] = False
        in_s[best_u] = True
        sel[best_a] = best_u
        rows[best_a] = pts.row(best_u)
        swaps += 1
    return np.asarray(sel, dtype=np.int64), np.asarray(gains), converged, swaps


def _gist(pts: Points, k: int, q: Objective, lam: float, eps: float, seed):
    """GIST: the best of greedy (threshold 0), a diametral pair and the thresholded greedy
    independent sets."""
    n = pts.n
    args = q.kernel_args()
    init = np.empty(n)
    K.fill_gains(args, q.new_state(), np.arange(n, dtype=np.int64), init, q.nnz)
    sel_buf = np.empty(k, dtype=np.int64)
    gain_buf = np.empty(k)
    mind = np.empty(n)
    taken = np.empty(n, dtype=np.bool_)
    evals = n

    def run(thr: float):
        nonlocal evals
        cnt, more = DK.greedy_independent_set(pts.code, pts.X, pts.D, *args, q.new_state(), init, k,
                                              thr, sel_buf, gain_buf, mind, taken)
        evals += more
        return sel_buf[:cnt].copy(), gain_buf[:cnt].copy()

    def value(sel):
        return float(q.evaluate(sel)) + lam * diversity_value(pts.block(sel), "max-min")

    best_sel, best_gains = run(0.0)
    best = value(best_sel)
    dmax, u, v = _diameter(pts)
    thresholds = []
    if k >= 2 and dmax > 0:
        pair = np.array([min(u, v), max(u, v)], dtype=np.int64)
        if value(pair) > best:
            best_sel, best_gains, best = pair, np.zeros(2), value(pair)
        t = eps * dmax / 2.0
        while t <= dmax * (1 + 1e-12):
            thresholds.append(t)
            t *= 1.0 + eps
    for t in thresholds:
        s, gs = run(t)
        if len(s) <= 1:
            break  # the first pick is the same for every threshold: larger ones fail too
        val = value(s)
        if val > best:
            best_sel, best_gains, best = s, gs, val
    return best_sel, best_gains, {"thresholds": len(thresholds), "diameter_estimate": dmax,
                                  "utility_evaluations": evals}


def _diameter(pts: Points, exact_up_to: int = 4000) -> tuple[float, int, int]:
    """The diameter and a pair attaining it (exact for n <= ``exact_up_to``), else a double
    scan from point 0, which is at least half the diameter."""
    n = pts.n
    if n <= exact_up_to:
        best, bu, bv = DS.diameter(pts.code, pts.X, pts.D, n)
        return float(best), int(bu), int(bv)
    a = int(np.argmax(pts.row(0)))
    row = pts.row(a)
    b = int(np.argmax(row))
    return float(row[b]), a, b
