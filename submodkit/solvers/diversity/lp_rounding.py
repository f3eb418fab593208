"""Sum-min diversity by LP relaxation and randomized rounding (Bhaskara, Ghadiri, Mirrokni,
Svensson, NeurIPS 2016, "Linear relaxations for finding diverse elements in metric spaces").

Sum-min diversity of S is ``sum_{p in S} min_{q in S, q != p} d(p, q)``.

The LP has a variable ``x[p, r]`` per point p and radius r of a geometric grid
``r_0 < r_1 < ...`` (ratio ``grid``, 2 in the paper, from the smallest positive distance to
the largest): "p is selected and its nearest selected neighbour is at distance >= r"::

    max  sum_{p,r} r x[p,r]
    s.t. sum_{p,r} x[p,r] <= k,     sum_r x[p,r] <= 1                 for every p,
         sum_{q in B(c, r/2)} sum_{r' >= r} x[q,r'] <= 1           for every c and r,

with ``B(c, r/2)`` the open ball: the selected points whose radius is at least r are
pairwise at distance >= r, so an open ball of radius r/2 holds at most one. Rounding every
optimal point's nearest-neighbour distance down to the grid shows ``grid * LP >= OPT``.
It is solved here in cumulative form ``y[p,t] = sum_{t' >= t} x[p,t']`` (monotone in t), which
keeps every ball row a plain sum, with GLOP.

Rounding: each point draws one radius from ``x[p, .] / alpha`` (independently), the drawn
points are scanned by decreasing radius and p is kept unless a kept point (of radius at least
p's) lies in ``B(p, r_p / 2)``: by the ball constraint the expected number of such points is
at most ``1 / alpha``. The survivors are cut to the k largest radii or filled up to k by the
best sum-min increase; the best of ``trials`` roundings (``alpha`` in {2, 1}) is returned.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_time_limit, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.mip.model import MAX_COEFFICIENT, Deadline, LinearModel, ModelSize, stack_rows
from submodkit.mip.ortools import solve_mip
from submodkit.objectives import distances as DS
from submodkit.results import Solution
from submodkit.solvers.diversity.points import gmm_select

MAX_LP_POINTS = 2000


def radius_grid(dist: np.ndarray, ratio: float) -> np.ndarray:
    """Geometric radii ``dmin * ratio^t <= dmax`` (dmin: smallest positive distance)."""
    pos = dist[dist > 0]
    if pos.size == 0:
        return np.zeros(0)
    dmin, dmax = float(pos.min()), float(pos.max())
    steps = int(math.floor(math.log(dmax / dmin) / math.log(ratio) + 1e-12)) + 1
    return dmin * ratio ** np.arange(steps)


class LPTimeLimit(RuntimeError):
    """GLOP did not solve the sum-min LP within the time limit (no bound, no rounding)."""


def sum_min_lp_relaxation(dist: np.ndarray, k: int, radii: np.ndarray,
                          time_limit: float | None = None) -> tuple[float, np.ndarray]:
    """Solve the LP (cumulative form) with GLOP: ``(LP value, y)`` with ``y`` of shape
    ``(n, len(radii))``, ``y[p, t]`` the LP mass of p at radius >= ``radii[t]``. Raises
    `LPTimeLimit` when the LP is not solved within ``time_limit`` seconds (None or finite
    > 0) from the call: building the rows counts, and GLOP is not started when the
    estimated time to hand it the model (`ModelSize.seconds`) exceeds what is left."""
    deadline = Deadline(check_time_limit(time_limit))
    n, T = dist.shape[0], len(radii)
    nv = n * T
    gaps = np.diff(np.r_[0.0, radii])
    # The rows hold no distances (0/1 entries and k), so the objective alone carries them; when
    # they exceed the solvers' range it is scaled by a power of two, exactly in floating point,
    # and the optimum scales back exactly (same y). Data within range is not touched.
    shift = 0
    if T and float(radii[-1]) > MAX_COEFFICIENT:
        shift = int(np.frexp(radii[-1])[1])
        gaps = np.ldexp(gaps, -shift)
    c = np.tile(gaps, n)
    blocks = []
    if T > 1:  # y[p, t+1] - y[p, t] <= 0
        idx = np.arange(nv).reshape(n, T)
        a, b = idx[:, 1:].ravel(), idx[:, :-1].ravel()
        r = np.arange(len(a))
        blocks.append((sp.csr_matrix((np.r_[np.ones(len(a)), -np.ones(len(a))], (np.r_[r, r], np.r_[a, b])),
                                     shape=(len(a), nv)), -np.inf, 0.0))
    card = sp.csr_matrix((np.ones(n), (np.zeros(n, dtype=np.int64), np.arange(n) * T)), shape=(1, nv))
    blocks.append((card, -np.inf, float(k)))
    rows, cols = [], []
    nrow = 0
    for t in range(T):
        if deadline.expired():
            raise LPTimeLimit(f"the sum-min LP was not built in {time_limit:.2f} s")
        inside = dist < radii[t] / 2.0
        counts = inside.sum(axis=1)
        for ctr in np.flatnonzero(counts >= 2):
            q = np.flatnonzero(inside[ctr])
            rows.append(np.full(len(q), nrow))
            cols.append(q * T + t)
            nrow += 1
    if nrow:
        rr, cc = np.concatenate(rows), np.concatenate(cols)
        ball = sp.csr_matrix((np.ones(len(rr)), (rr, cc)), shape=(nrow, nv))
        ball.sum_duplicates()
        blocks.append((ball, -np.inf, 1.0))
    A, lb, ub = stack_rows(blocks, nv)
    left = deadline.left()
    if left is not None and ModelSize(nv, A.shape[0], A.nnz).seconds("glop") >= left:
        raise LPTimeLimit(f"no time for GLOP on the sum-min LP in {time_limit:.2f} s "
                          f"({nv} variables, {A.nnz} nonzeros)")
    model = LinearModel(c=c, A=A, row_lb=lb, row_ub=ub, integer=np.zeros(nv, dtype=bool),
                        sense="max", n_select=nv)
    raw = solve_mip(model, "GLOP", left, 1, None, relax=True)
    if time_limit is not None and raw.status != "optimal":
        raise LPTimeLimit(f"GLOP did not solve the sum-min LP in {time_limit:.2f} s")
    if raw.status != "optimal" or raw.x is None:
        raise RuntimeError(f"GLOP stopped with status {raw.status} on the sum-min LP")
    y = np.minimum.accumulate(np.clip(raw.x.reshape(n, T), 0.0, 1.0), axis=1)
    return float(np.ldexp(raw.bound, shift)), y


def _sum_min(dist: np.ndarray, sel: np.ndarray) -> float:
    if len(sel) < 2:
        return 0.0
    sub = dist[np.ix_(sel, sel)] + np.diag(np.full(len(sel), np.inf))
    return float(sub.min(axis=1).sum())


def _round_once(dist, y, radii, k, alpha, rng) -> np.ndarray:
    """One randomized rounding: draw radii from y / alpha, prune by balls, cut or fill to k."""
    n = dist.shape[0]
    u = rng.random(n)
    above = u[:, None] < y / alpha  # monotone in t: the drawn radius index is the last True
    drawn = above.sum(axis=1) - 1
    cand = np.flatnonzero(drawn >= 0)
    order = cand[np.lexsort((cand, -drawn[cand]))]
    kept: list[int] = []
    for p in order:
        if kept and dist[p, kept].min() < radii[drawn[p]] / 2.0:
            continue
        kept.append(int(p))
    kept = kept[:k]  # scanned by decreasing radius: the k largest
    return fill_sum_min(dist, np.asarray(kept, dtype=np.int64), k)


def fill_sum_min(dist: np.ndarray, sel: np.ndarray, k: int) -> np.ndarray:
    """Add points one at a time, each maximizing the sum-min value of the grown set, until
    ``len(sel) == k`` (ties: smallest index). An empty start takes a diametral pair."""
    n = dist.shape[0]
    sel = [int(s) for s in sel]
    if not sel and k >= 1:
        if k == 1 or n == 1:
            return np.zeros(1, dtype=np.int64)
        i, j = np.unravel_index(int(np.argmax(dist)), dist.shape)
        if i == j:  # every distance 0 (identical points): argmax is the diagonal's (0, 0)
            i, j = 0, 1
        sel = [min(int(i), int(j)), max(int(i), int(j))]
    if len(sel) == 1 and k >= 2:
        sel.append(int(np.argmax(np.where(np.isin(np.arange(n), sel), -np.inf, dist[sel[0]]))))
    while len(sel) < k:
        S = np.asarray(sel)
        block = dist[S]  # |S| x n
        sub = block[:, S] + np.diag(np.full(len(S), np.inf))
        nn = sub.min(axis=1)  # current nearest-neighbour distance of each selected point
        # value of S + u: sum_s min(nn_s, d(s, u)) + min_s d(u, s)
        score = np.minimum(nn[:, None], block).sum(axis=0) + block.min(axis=0)
        score[S] = -np.inf
        sel.append(int(np.argmax(score)))
    return np.asarray(sel[:k], dtype=np.int64)


def sum_min_lp(pts, k: int, *, grid: float = 2.0, trials: int = 32, seed: int | None = None,
               time_limit: float | None = None) -> Solution:
    """Sum-min diversity via the LP relaxation of Bhaskara, Ghadiri, Mirrokni and Svensson
    (NeurIPS 2016) and randomized rounding.

    Guarantee: the paper proves a constant factor, 1/8 (``"sum-min-lp"``), for
    ``|S| <= k``; here the selection has exactly k points (filled by the best sum-min
    increase), as for the other objectives. ``upper_bound = grid * LP`` is a certified
    bound on the optimum for every run whose LP was solved (``Solution.certified_ratio``).

    Complexity: an LP with ``n * T`` variables (``T = log_grid(dmax / dmin) + 1``) and up to
    ``n^2 T`` non-zeros, then ``trials`` roundings of O(n k) each; n is limited to
    ``MAX_LP_POINTS`` (the n x n distance matrix is built).

    Parameters
    ----------
    pts : Points
        A :class:`~submodkit.solvers.diversity.dispersion.Points` (use
        ``diversify(X, k, "sum-min")`` for raw points).
    k : int
        Points to select, at most n.
    grid : float, default 2.0, keyword-only
        Ratio of the geometric radius grid, > 1.
    trials : int, default 32, keyword-only
        Roundings; the best is returned.
    seed : int, optional, keyword-only
        Seed of the roundings (and of the GMM start of the fallback below).
    time_limit : float, optional, keyword-only
        Seconds for the call (None or finite > 0). When the LP is not solved in time, the
        answer is the GMM selection with status ``"timeout"``, algorithm ``"gmm"``, no
        guarantee, no bound and ``stats["lp"]`` saying why (1,000 points took 3.9 s here);
        when the limit stops the roundings early, the best one so far with status
        ``"timeout"`` (its bound and guarantee still hold).

    Returns
    -------
    Solution
        The selection, its sum-min ``value``, ``upper_bound`` (``grid * LP``; None for the
        cosine "metric"), ``stats["lp_value"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.solvers.diversity.dispersion import Points
    >>> sol = sum_min_lp(Points(np.array([[0.0], [1.0], [5.0], [9.0]])), 3, seed=0)
    >>> sorted(sol.selection.tolist()), sol.value
    ([0, 2, 3], 13.0)
    """
    start = time.perf_counter()
    n = pts.n
    k = check_int("k", k)
    if k > n:
        raise InvalidParameterError("k", k, f"an integer <= n = {n} (the number of points)")
    if n > MAX_LP_POINTS:
        raise InvalidParameterError("X", f"{n} points", f"at most {MAX_LP_POINTS} points for the sum-min LP "
                                    "(use algorithm='gmm')")
    grid = check_real("grid", grid, minimum=1.0, strict_min=True)
    trials = check_int("trials", trials, minimum=1)
    deadline = Deadline(check_time_limit(time_limit), start)
    dist = pts.block(np.arange(n))
    radii = radius_grid(dist, grid)
    stats: dict = {"n": n, "k": k, "grid": grid, "radii": int(len(radii))}
    status = "feasible"
    if k < 2 or len(radii) == 0:
        sel = fill_sum_min(dist, np.zeros(0, dtype=np.int64), k) if k else np.zeros(0, dtype=np.int64)
        value, lp, y = _sum_min(dist, sel), 0.0, None
    else:
        left = deadline.left()
        try:
            if left is not None and left <= 0:
                raise LPTimeLimit(f"no time left for the sum-min LP of {time_limit:.2f} s")
            lp, y = sum_min_lp_relaxation(dist, k, radii, left)
        except LPTimeLimit as exc:  # GMM instead: no guarantee, no bound
            return _gmm_fallback(pts, dist, k, seed, str(exc), stats, start)
        stats["lp_seconds"] = time.perf_counter() - start
        rng = make_rng(seed)
        best, sel = -math.inf, None
        done = 0
        for t in range(trials):
            if sel is not None and deadline.expired():
                status = "timeout"
                break
            s = _round_once(dist, y, radii, k, 2.0 if t % 2 == 0 else 1.0, rng)
            v = _sum_min(dist, s)
            done += 1
            if sel is None or v > best + 1e-12 * max(1.0, abs(best)):
                best, sel = v, s
        value = best
        stats["trials"] = done
    stats["lp_value"] = lp
    stats["seconds"] = time.perf_counter() - start
    upper = None if pts.code == DS.METRIC_COSINE else max(value, grid * lp)
    g = None if pts.code == DS.METRIC_COSINE else guarantee("sum-min-lp", k=k)
    return Solution(selection=np.asarray(sel, dtype=np.int64), gains=np.zeros(len(sel)), value=float(value),
                    algorithm="sum-min-lp", guarantee=g, upper_bound=upper, status=status, stats=stats)


def _gmm_fallback(pts, dist: np.ndarray, k: int, seed: int | None, reason: str, stats: dict,
                  start: float) -> Solution:
    """`sum_min_lp`'s answer when the LP is not solved in time: the GMM selection, status
    ``timeout``, no guarantee and no bound."""
    sel, gains = gmm_select(pts, k, seed)
    stats.update({"lp": reason, "seconds": time.perf_counter() - start})
    return Solution(selection=sel, gains=gains, value=_sum_min(dist, sel), algorithm="gmm",
                    status="timeout", stats=stats)
