"""Set cover by Lagrangian relaxation: a subgradient bound and Lagrangian-cost greedy covers,
anytime (Beasley 1990; Caprara, Fischetti, Toth 1999)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from submodkit.solvers.cover import _lagrangian_kernels as LK

_STEPS_PER_BATCH = 10
_HEURISTIC_EVERY = 5  # batches between two Lagrangian greedy covers
_MAX_STEPS = 4000


@dataclass
class LagrangianRun:
    """The outcome of :func:`lagrangian_cover` on a prepared instance."""

    selection: np.ndarray
    value: float
    bound: float
    multipliers: np.ndarray
    steps: int
    covers: int
    seconds_to_best: float
    proved: bool
    core_size: int | None = None
    pricings: int = 0


def dual_start(indptr: np.ndarray, indices: np.ndarray, costs: np.ndarray, m: int) -> np.ndarray:
    """Starting multipliers: each element's cheapest cost per element of a set holding it
    (a dual-feasible point's scale; Beasley 1990)."""
    sizes = np.diff(indptr)
    lam = np.full(m, np.inf)
    np.minimum.at(lam, indices, np.repeat(costs / np.maximum(sizes, 1), sizes))
    lam[~np.isfinite(lam)] = 0.0
    return lam


def numpy_lagrangian_bound(csr: sp.csr_matrix, costs: np.ndarray, target: float, deadline: float, *,
                           n_out: int = 0, max_steps: int = 300) -> float:
    """A Lagrangian lower bound in NumPy alone, for an exact solve started before the kernels
    are compiled: from `dual_start`'s multipliers, subgradient steps (Polyak's step towards
    ``target``, a known cover's cost, its factor times 0.7 every 20 steps) until ``deadline``
    (``time.perf_counter()`` seconds; the first step always runs) or ``max_steps``. Every
    iterate's ``L(lam) = sum lam - (the n_out largest) + sum_j min(0, c_j - sum_{i in S_j}
    lam_i)`` bounds the optimum of set cover with ``n_out`` outliers; the best is returned.
    One step is two sparse products (about 1 ms on rail507: 161 after 300 steps, 0.23 s,
    against 110 at the start; the kernels' `lagrangian_bound` reaches the LP's 172.1).
    ``csr`` 0/1.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> S = sp.csr_matrix(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    >>> numpy_lagrangian_bound(S, np.ones(3), 2.0, float("inf"))  # the LP bound here
    1.5
    """
    m = csr.shape[1]
    members = csr.T.tocsr()
    lam = dual_start(csr.indptr, csr.indices, costs, m)
    best, factor, k = -math.inf, 0.1, min(n_out, m)
    for step in range(max_steps):
        reduced = costs - csr @ lam
        chosen = reduced < 0.0
        top = np.argpartition(lam, m - k)[m - k:] if k else np.zeros(0, dtype=np.int64)
        value = float(lam.sum()) - float(lam[top].sum()) + float(reduced[chosen].sum())
        best = max(best, value)
        sub = 1.0 - members @ chosen.astype(np.float64)
        sub[top] -= 1.0
        norm = float(sub @ sub)
        if norm == 0.0 or time.perf_counter() >= deadline:
            break
        lam = np.maximum(lam + factor * max(target - value, 0.0) / norm * sub, 0.0)
        if step % 20 == 19:
            factor *= 0.7
    return best


_PRICE_ABOVE = 200_000  # sets: above this, and above 5 per element, work on a priced core
_PER_ELEMENT = 5
_CORE_THRESHOLD = -0.0  # sets of negative reduced cost join the core (the Lagrangian solution)
_CORE_STEPS = 300


def lagrangian_cover(csr: sp.csr_matrix, costs: np.ndarray, start_cover: np.ndarray, deadline: float,
                     integral: bool, *, seed: int | None = 0, price_above: int = _PRICE_ABOVE,
                     n_out: int = 0, max_restarts: int | None = None) -> LagrangianRun:
    """The Lagrangian heuristic on the whole instance, or, for many sets (more than 200,000
    and more than 5 per element), on a core priced from it (Caprara, Fischetti, Toth 1999):
    the sets of reduced cost below 0.1 and each element's 5 cheapest by reduced cost. The
    subgradient phase runs on the core; every 300 steps all sets are priced at the core's
    best multipliers, which gives the bound of the whole instance (only such bounds are
    reported: a core's own bound is not one) and the next core; this stops when pricing
    adds no set or the time is up. Column fixing (:func:`_fix_and_search`) then runs on
    the last core. Any cover of a core is a cover of the instance. (On rail507 and rail582,
    55,000 to 63,000 sets, a core found the best covers 6 times later than the whole
    instance, hence the threshold ``price_above``.) ``n_out``: how many elements may stay
    uncovered (set cover with outliers; the bound then leaves out the ``n_out`` largest
    multipliers). ``max_restarts``: column fixing's restarts (None: until ``deadline``, or 3
    without one).
    """
    n, m = csr.shape
    if n <= price_above or n <= _PER_ELEMENT * m:
        return _fix_and_search(csr, costs, start_cover, deadline, integral, seed=seed, n_out=n_out,
                               max_restarts=max_restarts)
    start = time.perf_counter()
    indptr, indices = csr.indptr.astype(np.int64), csr.indices.astype(np.int64)
    csc = csr.tocsc()
    eptr, eidx = csc.indptr.astype(np.int64), csc.indices.astype(np.int64)
    best_sel = np.asarray(start_cover, dtype=np.int64)
    best_val = float(costs[best_sel].sum())
    lam = dual_start(indptr, indices, costs, m)
    reduced = np.empty(n)
    bound, best_lam = -np.inf, lam.copy()
    in_core = np.zeros(n, dtype=np.bool_)
    steps = covers = prices = 0
    t_best = 0.0
    while True:
        full = LK.lagrangian_value(indptr, indices, costs, lam, reduced)  # pricing: every set
        if n_out:
            full -= LK.outlier_share(lam, n_out, np.zeros(m, dtype=np.bool_))
        prices += 1
        if full > bound:
            bound, best_lam = full, lam.copy()
        before = int(in_core.sum())
        LK.core_columns(eptr, eidx, reduced, _PER_ELEMENT, _CORE_THRESHOLD, in_core)
        in_core[best_sel] = True
        grew = int(in_core.sum()) > before
        if _meets(bound, best_val, integral) or (not grew and prices > 1) or time.perf_counter() >= deadline:
            break
        core = np.flatnonzero(in_core)
        sub = csr[core]
        at = np.searchsorted(core, best_sel)
        run = subgradient_phase(sub, costs[core], at, deadline, integral, lam, max_steps=_CORE_STEPS,
                                n_out=n_out)
        steps, covers = steps + run.steps, covers + run.covers
        if run.value < best_val - 1e-9:
            best_sel, best_val, t_best = core[run.selection], run.value, time.perf_counter() - start
        lam = run.multipliers
    core = np.flatnonzero(in_core)
    rest = _fix_and_search(csr[core], costs[core], np.searchsorted(core, best_sel), deadline, integral,
                           seed=seed, lam_start=best_lam, n_out=n_out, max_restarts=max_restarts)
    if rest.value < best_val - 1e-9:
        best_sel, best_val, t_best = core[rest.selection], rest.value, time.perf_counter() - start
    bound = float(math.ceil(bound - 1e-6)) if integral else float(bound)
    return LagrangianRun(best_sel, best_val, min(bound, best_val), best_lam, steps + rest.steps,
                         covers + rest.covers, t_best, _meets(bound, best_val, integral),
                         core_size=core.shape[0], pricings=prices)


def lagrangian_bound(S: sp.csr_matrix, costs: np.ndarray, target: float, deadline: float, integral: bool,
                     *, n_out: int = 0, max_steps: int = 3000) -> tuple[float, int]:
    """The Lagrangian bound alone (no covers): subgradient steps from the dual start, aimed
    at ``target`` (an incumbent's cost), until ``deadline`` (``time.perf_counter`` seconds),
    ``max_steps``, convergence, or a bound that proves ``target`` optimal; ``n_out`` elements
    may stay uncovered. ``(bound, steps)``, the bound not rounded (-inf before any step)."""
    n, m = S.shape
    indptr, indices = S.indptr.astype(np.int64), S.indices.astype(np.int64)
    costs = np.ascontiguousarray(costs, dtype=np.float64)
    lam = dual_start(indptr, indices, costs, m)
    best_lam = lam.copy()
    state = np.array([-np.inf, 2.0, 0.0, 0.0])  # best bound, step factor, stalls, steps
    reduced, s = np.empty(n), np.empty(m)
    while state[3] < max_steps:
        going = LK.subgradient_steps(indptr, indices, costs, lam, best_lam, float(target), _STEPS_PER_BATCH,
                                     state, reduced, s, n_out)
        if not going or _meets(state[0], target, integral) or time.perf_counter() >= deadline:
            break
    return (float(state[0]) if math.isfinite(state[0]) else -math.inf), int(state[3])


def _meets(bound: float, value: float, integral: bool) -> bool:
    """Whether a lower bound proves a cover of cost ``value`` optimal."""
    return math.isfinite(bound) and (math.ceil(bound - 1e-6) if integral else bound) >= value - 1e-9


def _fix_and_search(csr: sp.csr_matrix, costs: np.ndarray, start_cover: np.ndarray, deadline: float,
                    integral: bool, *, seed: int | None = 0, lam_start: np.ndarray | None = None,
                    n_out: int = 0, max_restarts: int | None = None) -> LagrangianRun:
    """Phase 1 and 2 on the whole instance (:func:`subgradient_phase`: the bound and
    Lagrangian greedy covers), then, while time is left (``deadline`` in
    ``time.perf_counter`` seconds) and the bound does not prove the best cover optimal,
    column fixing (phase 3 of Caprara, Fischetti, Toth 1999): fix the first sets of the
    Lagrangian greedy cover until they cover a fraction ``pi`` of the elements (``pi`` from
    0.3, times 1.1 each time), solve what remains the same way, and complete; when all is
    fixed, start again from multipliers perturbed by up to 10% (``seed``). Each restart after
    the first is a refinement (section 4 of the paper): it starts with the best cover's sets
    of smallest ``delta_j`` fixed (:func:`_refinement_order`, at the first phase's
    multipliers) up to a fraction ``pi'`` of the elements (0.3 at first, times 1.1 after a
    restart that finds nothing better, divided by 1.1 after one that does; past 0.9 it
    starts again at 0.3 and alternates with the best cover's sets in random order). Without
    a deadline, fixing runs 3 restarts (``max_restarts``, if given, in any case). Only the
    first phase's bound is a bound on the whole instance. (rail507, 10 s, seeds 0-9: the
    refinement found the optimum 174 with 5 seeds; perturbation alone with none.)
    """
    start = time.perf_counter()
    first = subgradient_phase(csr, costs, start_cover, deadline, integral, lam_start, n_out=n_out)
    best_sel, best_val, t_best = first.selection, first.value, first.seconds_to_best
    if first.proved:
        return first
    rng = np.random.default_rng(seed)
    steps, covers = first.steps, first.covers
    restarts = 0
    lam0 = first.multipliers
    n, m = csr.shape
    indptr, indices = csr.indptr.astype(np.int64), csr.indices.astype(np.int64)
    if max_restarts is None:
        max_restarts = 1 << 62 if math.isfinite(deadline) else 3
    pi_refine, shuffled = _PI_MIN, False
    while time.perf_counter() < deadline and restarts < max_restarts:
        lam = lam0 * rng.uniform(0.9, 1.1, size=m) if restarts else lam0.copy()
        fixed = np.zeros(0, dtype=np.int64)
        if restarts:
            order = rng.permutation(best_sel) if shuffled else _refinement_order(csr, costs, best_sel, lam0)
            fixed = _covering_prefix(csr, order, pi_refine)
        improved_from = best_val
        pi = 0.3
        while time.perf_counter() < deadline:
            covered = np.zeros(m, dtype=bool)
            if fixed.shape[0]:
                covered[csr[fixed].indices] = True
            left = np.flatnonzero(~covered)
            if left.shape[0] <= n_out:
                break
            sub, keep_sets = _restrict(csr, left)
            sub_costs = costs[keep_sets]
            sub_start = cover_with(sub, sub_costs, lam[left], n_out)
            run = subgradient_phase(sub, sub_costs, sub_start, deadline, integral, lam[left], max_steps=300,
                                    n_out=n_out)
            steps, covers = steps + run.steps, covers + run.covers
            if run.bound + float(costs[fixed].sum()) >= best_val - 1e-9:
                break  # the fixed sets cannot lead below the best cover
            whole = np.concatenate([fixed, keep_sets[run.selection]])
            whole = whole[_drop_redundant(indptr, indices, costs, whole, m, n_out)]
            value = float(costs[whole].sum())
            if value < best_val - 1e-9:
                best_sel, best_val, t_best = whole, value, time.perf_counter() - start
                if _meets(first.bound, best_val, integral):
                    return LagrangianRun(best_sel, best_val, first.bound, first.multipliers, steps, covers,
                                         t_best, True)
            # fix the first sets of the residual's Lagrangian greedy cover, up to pi of its elements
            order = cover_with(sub, sub_costs, run.multipliers, n_out)
            target = max(1, int(pi * left.shape[0]))
            hit = np.zeros(sub.shape[1], dtype=bool)
            take = []
            for j in order:
                take.append(j)
                hit[sub.indices[sub.indptr[j]:sub.indptr[j + 1]]] = True
                if hit.sum() >= target:
                    break
            fixed = np.concatenate([fixed, keep_sets[np.asarray(take, dtype=np.int64)]])
            lam[left] = run.multipliers
            pi = min(1.0, pi * 1.1)
        if restarts:  # the refinement's share of the best cover kept: less after a failure
            pi_refine *= _ALPHA
            if best_val < improved_from - 1e-9:
                pi_refine = max(pi_refine / (_ALPHA * _ALPHA), _PI_MIN)
            elif pi_refine > _PI_MAX:
                pi_refine, shuffled = _PI_MIN, not shuffled
        restarts += 1
    return LagrangianRun(best_sel, best_val, first.bound, first.multipliers, steps, covers, t_best, False)


_PI_MIN, _PI_MAX, _ALPHA = 0.3, 0.9, 1.1  # refinement: the share of elements the fixed sets cover


def _refinement_order(csr: sp.csr_matrix, costs: np.ndarray, cover: np.ndarray, lam: np.ndarray
                      ) -> np.ndarray:
    """The sets of ``cover`` by increasing ``delta_j = max(r_j, 0) + sum_{i in S_j} lam_i (k_i -
    1) / k_i``, ``r_j`` the reduced cost at ``lam`` and ``k_i`` how many sets of the cover hold
    element ``i``: the sets the multipliers find cheapest to keep come first (the refinement
    of Caprara, Fischetti, Toth 1999, section 4)."""
    rows = csr[cover]
    k = np.bincount(rows.indices, minlength=csr.shape[1]).astype(np.float64)
    share = np.where(k > 0, lam * (k - 1.0) / np.maximum(k, 1.0), 0.0)
    delta = np.maximum(costs[cover] - rows @ lam, 0.0) + rows @ share
    return cover[np.argsort(delta, kind="stable")]


def _covering_prefix(csr: sp.csr_matrix, order: np.ndarray, pi: float) -> np.ndarray:
    """The first sets of ``order`` until they cover a fraction ``pi`` of the elements."""
    hit = np.zeros(csr.shape[1], dtype=bool)
    target = pi * csr.shape[1]
    for t, j in enumerate(order):
        hit[csr.indices[csr.indptr[j]:csr.indptr[j + 1]]] = True
        if hit.sum() >= target:
            return np.asarray(order[:t + 1], dtype=np.int64)
    return np.asarray(order, dtype=np.int64)


def _restrict(csr: sp.csr_matrix, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The instance on the elements ``rows`` only: the sets holding one of them, restricted
    to them and renumbered; ``(matrix, the kept sets' ids)``."""
    sub = csr[:, rows].tocsr()
    keep = np.flatnonzero(np.diff(sub.indptr) > 0)
    return sub[keep], keep


def cover_with(S: sp.csr_matrix, costs: np.ndarray, lam: np.ndarray, n_out: int = 0) -> np.ndarray:
    """The Lagrangian greedy cover at ``lam``, in the order greedy took its sets."""
    n, m = S.shape
    csc = S.tocsc()
    sel = np.empty(n, dtype=np.int64)
    k = LK.lagrangian_greedy(S.indptr.astype(np.int64), S.indices.astype(np.int64),
                             csc.indptr.astype(np.int64), csc.indices.astype(np.int64), costs, lam,
                             np.ones(n, dtype=np.bool_), sel, np.zeros(m, dtype=np.int64), n_out)
    return sel[:max(k, 0)].copy()


def _drop_redundant(indptr: np.ndarray, indices: np.ndarray, costs: np.ndarray, sel: np.ndarray, m: int,
                    n_out: int) -> np.ndarray:
    """:func:`._lagrangian_kernels.drop_redundant` trying the costliest sets first (ties: in
    the cover's order); a keep mask over ``sel``."""
    order = np.argsort(-costs[sel], kind="stable").astype(np.int64)
    return LK.drop_redundant(indptr, indices, sel, order, m, n_out)


def subgradient_phase(csr: sp.csr_matrix, costs: np.ndarray, start_cover: np.ndarray, deadline: float,
                       integral: bool, lam_start: np.ndarray | None, *, max_steps: int = _MAX_STEPS,
                       n_out: int = 0) -> LagrangianRun:
    """Subgradient optimization of the Lagrangian bound, with a Lagrangian-cost greedy cover
    (plus redundant-set removal) every few steps; stops at ``deadline``, at convergence,
    after ``max_steps`` steps, or when the bound (rounded up for integral costs) meets the
    best cover, which is then proven optimal. ``start_cover`` is a cover to begin from (its
    cost is the first step target); ``lam_start`` the first multipliers (None: the dual
    start)."""
    start = time.perf_counter()
    indptr = csr.indptr.astype(np.int64)
    indices = csr.indices.astype(np.int64)
    n, m = csr.shape
    csc = csr.tocsc()
    eptr, eidx = csc.indptr.astype(np.int64), csc.indices.astype(np.int64)
    best_sel = np.asarray(start_cover, dtype=np.int64)
    best_val = float(costs[best_sel].sum())
    t_best = 0.0
    lam = dual_start(indptr, indices, costs, m) if lam_start is None else np.array(lam_start, float)
    best_lam = lam.copy()
    state = np.array([-np.inf, 2.0, 0.0, 0.0])
    reduced, s = np.empty(n), np.empty(m)
    sel = np.empty(n, dtype=np.int64)
    covers, batch = 0, 0
    proved = False
    while True:
        going = LK.subgradient_steps(indptr, indices, costs, lam, best_lam, best_val, _STEPS_PER_BATCH,
                                     state, reduced, s, n_out)
        batch += 1
        if batch % _HEURISTIC_EVERY == 0 or not going:
            covered = np.zeros(m, dtype=np.int64)
            k = LK.lagrangian_greedy(indptr, indices, eptr, eidx, costs, best_lam, np.ones(n, dtype=np.bool_),
                                     sel, covered, n_out)
            covers += 1
            if k > 0:
                cover = sel[:k].copy()
                cover = cover[_drop_redundant(indptr, indices, costs, cover, m, n_out)]
                value = float(costs[cover].sum())
                if value < best_val - 1e-9:
                    best_sel, best_val, t_best = cover, value, time.perf_counter() - start
        if _meets(state[0], best_val, integral):
            proved = True
            break
        if not going or state[3] >= max_steps or time.perf_counter() >= deadline:
            break
    bound = float(state[0])
    if integral:
        bound = float(math.ceil(bound - 1e-6))
    return LagrangianRun(best_sel, best_val, min(bound, best_val), best_lam, int(state[3]), covers, t_best,
                         proved)
