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

``diversify`` validates its arguments once, then runs the entry of `DIVERSIFY` (objective ->
a table of `~submodkit.guarantees.Algorithm` entries) that ``algorithm`` names, or the first
one of the objective's table that accepts the call.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_real, check_vector
from submodkit.constraints import Cardinality, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import Algorithm, guarantee, table
from submodkit.objectives import distances as DS
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution
from submodkit.solvers.diversity import _kernels as DK
from submodkit.solvers.diversity.lp_rounding import sum_min_lp
from submodkit.solvers.diversity.points import Points, gmm_radius
from submodkit.solvers.diversity.tsp import solve_tour

_SUM_MIN_LP_DEFAULT_MAX = 1000  # sum-min picks the LP algorithm up to this many points (n x n matrix)


def diversity_value(dist: np.ndarray, objective: str) -> float:
    """The diversity of a selection from its square distance matrix ``dist`` (remote-cycle:
    the exact tour, Held-Karp up to 16 points, else the MIP with a 60 s limit; use
    :func:`submodkit.solvers.diversity.tsp.tsp_tour` to see whether a large tour was proven optimal).

    Parameters
    ----------
    dist : ndarray, shape (k, k)
        Distances among the selected points.
    objective : str
        ``"max-min"``, ``"max-sum"``, ``"sum-min"``, ``"remote-tree"``, ``"remote-star"`` or
        ``"remote-cycle"``.

    Returns
    -------
    float
        The smallest distance, the sum of the distances, the sum of the nearest-neighbour
        distances, the minimum spanning tree, the best star, or the minimum tour.

    Examples
    --------
    >>> D = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.5], [2.0, 1.5, 0.0]])
    >>> diversity_value(D, "max-min"), diversity_value(D, "max-sum"), diversity_value(D, "remote-tree")
    (1.0, 4.5, 2.5)

    References
    ----------
    .. [1] Chandra, Halldorsson, "Approximation algorithms for dispersion problems", J.
       Algorithms 38 (2001)."""
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

    Parameters
    ----------
    X : array_like or Points
        Points, one per row, or a precomputed distance matrix (``metric="precomputed"``:
        checked for the triangle inequality, every triple up to 200 points, else 200,000
        sampled triples, reported in ``stats["metric_check"]``).
    k : int
        Number of points to select, at most n.
    objective : str, default "max-min"
        One of `OBJECTIVES` (see the module docstring).
    metric : {"euclidean", "cosine", "precomputed"}
        ``"cosine"`` uses ``1 - cos``, which is half the squared euclidean distance of the
        normalised rows and not a metric: results carry no guarantee (use
        ``metric="euclidean"`` on normalised rows for one).
    algorithm : str, optional
        A name of the objective's table in `DIVERSIFY`; None picks the first that accepts
        the call (marked *default*). All need a metric.

        - max-min, ``"gmm"`` (default): farthest-point greedy, 1/2 (Gonzalez 1985; Ravi,
          Rosenkrantz, Tayi 1994); O(nk) distance evaluations, O(n) memory.
          ``upper_bound`` is twice the last selected point's distance (pigeonhole over the
          k-1 first balls).
        - max-min with ``quality``, ``"gist"`` (default): GIST (Fahrbach, Ramalingam,
          Zadimoghaddam et al., NeurIPS 2025), maximizes ``q(S) + lam * min`` over
          ``|S| <= k`` (it may return fewer than k points): best of the plain greedy, a
          (2-approximate, exact for n <= 4000) diametral pair, and a greedy independent set
          of the threshold graph for each threshold ``(1+eps)^i * eps * dmax / 2 <= dmax``;
          ``1/2 - epsilon``. O(nk / eps * log(1/eps)) distance evaluations.
        - max-sum, ``"greedy"`` (default): add the point maximizing ``q_gain / 2 + lam *
          sum of distances to S``; 1/2 (Borodin, Lee, Ye, PODS 2012; without quality also
          Birnbaum and Goldman 2009, Hassin, Rubinstein, Tamir 1997). O(nk) distance
          evaluations.
        - max-sum, ``"local-search"`` (default under a ``PartitionMatroid``): greedy start,
          then best single swaps until none improves; 1/2 at a local optimum (Abbassi,
          Mirrokni, Thakur, KDD 2013; Borodin, Lee, Ye 2012 with quality). O(nk) distances
          per swap. If ``max_swaps`` is reached first the guarantee is None.
        - remote-tree, ``"gmm"``: 1/4 (Halldorsson, Iwano, Katoh, Tokuyama, TCS 1999).
        - remote-cycle, ``"gmm"``: 1/3 (Halldorsson, Iwano, Katoh, Tokuyama, SIAM J.
          Discrete Math. 1999); O(nk) distance evaluations plus one exact tour of the k
          points (Held-Karp up to 16 points, else SCIP with subtour cuts, in what is left
          of ``time_limit``: if not proven optimal, ``value`` is the best tour found, an
          upper estimate of the objective, and ``stats["value_exact"]`` is False; status
          ``"timeout"`` when the limit cut the tour short).
          Proof: let R be GMM's covering radius (every point within R of S); the k points
          of S are pairwise >= R apart, so TSP(S) >= kR; moving each optimal point to its
          nearest point of S costs at most 2R of tour per point and a subset's tour is at
          most S's (shortcutting), so OPT <= TSP(S) + 2kR <= 3 TSP(S). ``upper_bound`` is
          ``value + 2kR``; ``stats["tour"]`` is the tour (point indices in visiting order).
        - sum-min, ``"lp"`` (default up to 1,000 points): the LP relaxation of Bhaskara,
          Ghadiri, Mirrokni, Svensson (NeurIPS 2016) with randomized rounding, 1/8 in
          expectation; ``upper_bound`` is twice the LP optimum (see
          :mod:`submodkit.solvers.diversity.lp_rounding`). If the LP is not solved within
          ``time_limit`` (it took 3.9 s at 1,000 points), the GMM selection is returned
          with status ``"timeout"``, without a guarantee or bound, and ``stats["lp"]`` says
          so.
        - sum-min (over 1,000 points) and remote-star, ``"gmm"``: a heuristic, no
          guarantee.
    constraint : Cardinality or PartitionMatroid, optional
        A partition matroid (max-sum only).
    quality : Objective or array_like, optional
        A monotone submodular q (or one non-negative weight per point): max-sum maximizes
        ``q(S) + lam * sum``, max-min ``q(S) + lam * min`` (GIST).
    lam : float, default 1.0
        Weight of the diversity term next to ``quality``.
    seed : int, optional
        GMM starts from the point farthest from point 0, or a random point when ``seed``
        is given; the sum-min LP rounding draws from it.
    epsilon : float, default 0.05
        GIST's threshold step, in (0, 1].
    max_swaps : int, default 1000
        Local search stops after this many swaps.
    time_limit : float, default 60.0
        Seconds for the call, counted from its start: the sum-min LP and the remote-cycle
        tour get what is left (finite, > 0).

    Returns
    -------
    Solution
        ``selection`` (ties go to the smallest index), ``value`` (the objective),
        ``algorithm``, ``guarantee`` (None without one), ``upper_bound`` where one is known,
        ``status`` (``"timeout"`` when the time limit cut the sum-min LP or the remote-cycle
        tour short, else ``"feasible"``).

    Examples
    --------
    >>> import numpy as np
    >>> sol = diversify(np.array([[0.0], [1.0], [5.0], [9.0]]), 2)
    >>> sorted(sol.selection.tolist()), sol.value, sol.algorithm
    ([0, 3], 9.0, 'gmm')
    >>> diversify(np.array([[0.0], [1.0], [5.0], [9.0]]), 3, "max-sum").value
    18.0

    References
    ----------
    .. [1] Gonzalez, "Clustering to minimize the maximum intercluster distance", TCS 38
       (1985); Ravi, Rosenkrantz, Tayi, "Heuristic and special case algorithms for
       dispersion problems", Oper. Res. 42 (1994).
    .. [2] Borodin, Lee, Ye, "Max-sum diversification, monotone submodular functions and
       dynamic updates", PODS 2012.
    .. [3] Abbassi, Mirrokni, Thakur, "Diversity maximization under matroid constraints",
       KDD 2013.
    .. [4] Halldorsson, Iwano, Katoh, Tokuyama, "Finding subsets maximizing minimum
       structures", SIAM J. Discrete Math. 12 (1999).
    .. [5] Bhaskara, Ghadiri, Mirrokni, Svensson, "Linear relaxations for finding diverse
       elements in metric spaces", NeurIPS 2016.
    .. [6] Fahrbach, Ramalingam, Zadimoghaddam et al., "GIST: greedy independent set
       thresholding for max-min diversification with submodular utility", NeurIPS 2025.
    """
    start = time.perf_counter()
    check_choice("objective", objective, OBJECTIVES)
    algorithms = DIVERSIFY[objective]
    pts = X if isinstance(X, Points) else Points(X, metric)
    n = pts.n
    if isinstance(constraint, Cardinality):
        k = constraint.k if k is None else k
        constraint = None
    k = check_int("k", k)
    if k > n:
        raise InvalidParameterError("k", k, f"an integer <= n = {n} (the number of points)")
    kind = _constraint_kind(algorithms, constraint, n)
    q = as_quality(quality, n)
    lam = check_real("lam", lam, minimum=0.0)
    if q is not None and not _names(algorithms, lambda e: "quality" in e.options):
        raise InvalidParameterError("quality", quality, "None for this objective "
                                    f"(quality: {_objectives(lambda e: 'quality' in e.options)})")
    entry = _choose(algorithms, algorithm, kind, q is not None, n)
    params = _Params(
        q=q, lam=lam, constraint=constraint, seed=seed,
        epsilon=check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True),
        max_swaps=check_int("max_swaps", max_swaps),
        time_limit=check_real("time_limit", time_limit, minimum=0.0, strict_min=True), start=start,
    )
    pts.require_metric()

    stats: dict = {"n": n, "k": k}
    if k == 0:
        pick = _Pick(np.zeros(0, dtype=np.int64), np.zeros(0), entry.name, None)
    else:
        pick = entry.run(entry, pts, k, params, stats)
    if pts.code == DS.METRIC_COSINE:  # 1 - cos is half a squared distance, not a metric
        pick = pick._replace(guarantee=None, upper_bound=None)
    sel = np.asarray(pick.selection, dtype=np.int64)
    div, upper, status = _diversity(objective, pts, sel, pick, params, stats)
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
        gains=np.asarray(pick.gains, dtype=np.float64),
        value=float(value),
        algorithm=pick.algorithm,
        guarantee=None if pick.guarantee is None else guarantee(pick.guarantee, k=k, epsilon=params.epsilon),
        upper_bound=None if upper is None else max(upper, float(value)),
        status=status,
        stats=stats,
    )


def _constraint_kind(algorithms: Mapping[str, Algorithm], constraint, n: int) -> str:
    """``"cardinality"``, or ``"matroid"`` for a partition matroid that some algorithm of
    the objective takes."""
    if constraint is None:
        return "cardinality"
    if not isinstance(constraint, PartitionMatroid):
        raise InvalidParameterError("constraint", constraint, "None, Cardinality or PartitionMatroid")
    if not _names(algorithms, lambda e: "matroid" in e.constraints):
        raise InvalidParameterError("constraint", constraint, "None for this objective (partition "
                                    f"matroids: {_objectives(lambda e: 'matroid' in e.constraints)})")
    constraint.check_size(n)
    return "matroid"


def _choose(algorithms: Mapping[str, Algorithm], algorithm: str | None, kind: str, quality: bool,
            n: int) -> Algorithm:
    """The entry ``algorithm`` names (checked against the call), or the default: the first
    of the objective's table that accepts the call (within its ``auto_max_n``)."""
    if algorithm is None:
        return next(e for e in algorithms.values() if _accepts(e, kind, quality)
                    and (e.auto_max_n is None or n <= e.auto_max_n))
    entry = algorithms[check_choice("algorithm", algorithm, tuple(algorithms))]
    for wrong, right, when in (
        (quality and "quality" not in entry.options, lambda e: "quality" in e.options, "with a quality term"),
        (not quality and "quality" in entry.requires, lambda e: "quality" not in e.requires,
         "without a quality term"),
        (kind not in entry.constraints, lambda e: kind in e.constraints, "under a matroid"),
    ):
        if wrong:  # name the ones that take the call
            raise InvalidParameterError("algorithm", entry.name, f"{_names(algorithms, right)} {when}")
    return entry


def _diversity(objective: str, pts: Points, sel: np.ndarray, pick: _Pick, p: _Params,
               stats: dict) -> tuple[float, float | None, str]:
    """The objective's value on ``sel``, the run's upper bound and its status (``"timeout"``
    when the time limit cut the run short, else ``"feasible"``). Remote-cycle solves the tour
    (in what is left of the time limit; reported in ``stats``) and bounds OPT by
    ``TSP(S) + 2kR``."""
    if objective != "remote-cycle":
        return diversity_value(pts.block(sel), objective), pick.upper_bound, pick.status
    tour = solve_tour(np.ascontiguousarray(pts.block(sel), dtype=np.float64), p.time_limit, start=p.start)
    stats.update({"tour": sel[tour.order], "value_exact": tour.optimal, "tour_method": tour.algorithm,
                  "tour_lower_bound": tour.lower_bound, "tour_seconds": tour.stats["seconds"]})
    upper = pick.upper_bound
    if pick.guarantee is not None and len(sel) >= 2:
        upper = tour.value + 2.0 * len(sel) * pick.radius
    return tour.value, upper, "timeout" if tour.status == "timeout" else pick.status


class _Params(NamedTuple):
    """What ``diversify`` passes on to an entry's ``run`` (checked)."""

    q: Objective | None
    lam: float
    constraint: PartitionMatroid | None
    seed: int | None
    epsilon: float
    max_swaps: int
    time_limit: float
    start: float  # perf_counter() at the call: the time limit counts from there


class _Pick(NamedTuple):
    """What an entry's ``run`` returns: the selection and what it proves."""

    selection: np.ndarray
    gains: np.ndarray
    algorithm: str  # the name reported in Solution.algorithm
    guarantee: str | None  # its key in GUARANTEES; None when this run has none
    upper_bound: float | None = None
    radius: float = 0.0  # GMM's covering radius (the remote-cycle bound)
    status: str = "feasible"  # "timeout" when the time limit cut the run short


def _accepts(entry: Algorithm, kind: str, quality: bool) -> bool:
    """Whether ``entry`` runs with this constraint kind and with (or without) a quality term."""
    return kind in entry.constraints and (
        "quality" in entry.options if quality else "quality" not in entry.requires
    )


def _names(algorithms: Mapping[str, Algorithm], cond) -> str:
    return " or ".join(repr(name) for name, e in algorithms.items() if cond(e))


def _objectives(cond) -> str:
    """``objective='a' or 'b'``: the objectives with an algorithm that meets ``cond``."""
    return "objective=" + " or ".join(repr(obj) for obj, algorithms in DIVERSIFY.items()
                                      if any(cond(e) for e in algorithms.values()))


# --------------------------------------------------------------------------- the runs
# Each takes (entry, pts, k, params, stats), may add to stats, and returns a _Pick (k >= 1).


def _gmm(entry: Algorithm, pts: Points, k: int, p: _Params, stats: dict) -> _Pick:
    """Farthest-point greedy (GMM)."""
    sel, gains, radius = gmm_radius(pts, k, p.seed)
    stats["distance_evaluations"] = pts.n * len(sel)
    return _Pick(sel, gains, "gmm", entry.guarantee, radius=radius)


def _gmm_max_min(entry: Algorithm, pts: Points, k: int, p: _Params, stats: dict) -> _Pick:
    """GMM, with max-min's bound: twice the last point's distance (the optimum itself at k = n)."""
    pick = _gmm(entry, pts, k, p, stats)
    if len(pick.selection) < 2:
        return pick
    if k == pts.n:
        return pick._replace(upper_bound=diversity_value(pts.block(pick.selection), "max-min"))
    return pick._replace(upper_bound=2.0 * float(pick.gains[-1]))


def _gist_run(entry: Algorithm, pts: Points, k: int, p: _Params, stats: dict) -> _Pick:
    sel, gains, more = _gist(pts, k, p.q, p.lam, p.epsilon, p.seed)
    stats.update(more)
    return _Pick(sel, gains, "gist", entry.guarantee)


def _max_sum_greedy(entry: Algorithm, pts: Points, k: int, p: _Params, stats: dict) -> _Pick:
    sel, gains = _maxsum_greedy(pts, k, p.q, p.lam, None)
    stats["distance_evaluations"] = pts.n * len(sel)
    return _Pick(sel, gains, "max-sum-greedy", entry.guarantee)


def _max_sum_local_search(entry: Algorithm, pts: Points, k: int, p: _Params, stats: dict) -> _Pick:
    sel, gains, converged, swaps = _local_search(pts, k, p.q, p.lam, p.constraint, p.max_swaps)
    stats.update({"swaps": swaps, "local_optimum": converged})
    return _Pick(sel, gains, "max-sum-local-search", entry.guarantee if converged else None)


def _sum_min_lp(entry: Algorithm, pts: Points, k: int, p: _Params, stats: dict) -> _Pick:
    """The LP rounding, or GMM without a guarantee and status ``timeout`` when the LP is not
    solved in what is left of the time limit."""
    left = p.time_limit - (time.perf_counter() - p.start)
    sol = None
    if left > 0:
        sol = sum_min_lp(pts, k, seed=0 if p.seed is None else p.seed, time_limit=left)
    if sol is None or sol.algorithm != "sum-min-lp":  # LP not solved: GMM, without a guarantee
        why = "no time left for the sum-min LP" if sol is None else sol.stats["lp"]
        stats["lp"] = f"{why}: GMM instead"
        sel, gains, _ = gmm_radius(pts, k, p.seed)  # diversify's GMM start (seed None: farthest from 0)
        return _Pick(sel, gains, "gmm", None, status="timeout")
    stats.update({key: sol.stats[key] for key in ("lp_value", "grid", "radii") if key in sol.stats})
    return _Pick(sol.selection, sol.gains, sol.algorithm, entry.guarantee, sol.upper_bound, status=sol.status)


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


# --------------------------------------------------------------------------- the table

DIVERSIFY: Mapping[str, Mapping[str, Algorithm]] = MappingProxyType({
    "max-min": table(
        Algorithm("gmm", _gmm_max_min, guarantee="gmm", calls={"gmm": "`diversify(X, k)` (max-min, default)"},
                  randomized=True),
        Algorithm("gist", _gist_run, guarantee="gist",
                  calls={"gist": "`diversify(X, k, quality=q, lam=l, epsilon=e)` (GIST)"},
                  options=("quality", "lam", "epsilon"), requires=("quality",)),
    ),
    "max-sum": table(
        Algorithm("greedy", _max_sum_greedy, guarantee="max-sum-greedy",
                  calls={"max-sum-greedy": '`diversify(X, k, "max-sum", quality=q, lam=l)`'},
                  options=("quality", "lam")),
        Algorithm("local-search", _max_sum_local_search, guarantee="max-sum-local-search",
                  calls={"max-sum-local-search":
                         '`diversify(X, k, "max-sum", constraint=PartitionMatroid(g, c))`'},
                  constraints=("cardinality", "matroid"), options=("quality", "lam", "max_swaps")),
    ),
    "sum-min": table(
        Algorithm("lp", _sum_min_lp, guarantee="sum-min-lp",
                  calls={"sum-min-lp": '`diversify(X, k, "sum-min")` (LP rounding, n <= 1000)'},
                  options=("time_limit",), randomized=True, auto_max_n=_SUM_MIN_LP_DEFAULT_MAX),
        Algorithm("gmm", _gmm, randomized=True),
    ),
    "remote-tree": table(
        Algorithm("gmm", _gmm, guarantee="gmm-remote-tree",
                  calls={"gmm-remote-tree": '`diversify(X, k, "remote-tree")`'}, randomized=True),
    ),
    "remote-star": table(Algorithm("gmm", _gmm, randomized=True)),
    "remote-cycle": table(
        Algorithm("gmm", _gmm, guarantee="gmm-remote-cycle",
                  calls={"gmm-remote-cycle": '`diversify(X, k, "remote-cycle")`'},
                  options=("time_limit",), randomized=True),
    ),
})
"""``diversify``'s algorithms: objective -> its table, name -> `~submodkit.guarantees.Algorithm`,
in the order of the automatic choice (the first that accepts the call's constraint and
quality). Each ``run`` takes ``(entry, points, k, params, stats)`` after ``diversify`` has
checked everything, and reports the entry's ``guarantee`` key unless the run falls short of
its conditions."""

OBJECTIVES = tuple(DIVERSIFY)
ALGORITHMS = {objective: tuple(algorithms) for objective, algorithms in DIVERSIFY.items()}
