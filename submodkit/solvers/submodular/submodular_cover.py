"""Submodular cover: the cheapest set whose value reaches a target (Wolsey's greedy)."""

from __future__ import annotations

import math
import time

import numpy as np

from submodkit._validation import check_real, check_vector
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee, harmonic
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution

_TOL = 1e-9


def submodular_cover(
    objective: Objective,
    target: float | None = None,
    *,
    costs=None,
    algorithm: str = "greedy",
    prune: bool = True,
) -> Solution:
    """The cheapest set S with ``f(S) >= target``, by Wolsey's greedy.

    Repeatedly adds the item with the largest gain per unit cost, the gain truncated at what
    is left to reach the target (``min(f(S + j), t) - f(S)``: Wolsey's greedy on the
    submodular ``min(f, t)``; lazy evaluations, Minoux) until ``f(S)`` reaches the target
    (``f(V)`` by default: cover everything f can cover).
    For a monotone submodular f the cost is within ``1 + ln(lambda)`` of the optimum,
    ``lambda = (t - f(empty)) / (t - f(S_{T-1}))`` with t the target and ``S_{T-1}`` greedy's
    set before its last pick (computed from the run), and within ``H(d)``, d the largest
    singleton value, when f is integer-valued (coverage with integer weights and an integer
    target): the smaller of the two is reported. Set cover is the case f = coverage.

    Parameters
    ----------
    objective : Objective
        A monotone submodular set function (others get no guarantee).
    target : float, optional
        The value to reach, at most ``f(V)``; ``f(V)`` by default.
    costs : array_like of float, shape (n,), optional
        Positive item costs, ones by default (then the cost is ``|S|``).
    algorithm : {"greedy"}, default "greedy"
    prune : bool, default True
        Then drop redundant items, latest first: an item whose removal keeps ``f(S)`` at
        the target (the cost only falls, so the guarantee stands; ``algorithm`` becomes
        ``"greedy+prune"``).

    Returns
    -------
    Solution
        ``selection`` in the order chosen, ``gains`` (value added by each), ``value`` the
        cost of S (``sense="min"``), ``lower_bound`` greedy's cost (before pruning) divided
        by the guarantee's ratio (a proven bound on the optimum), ``stats`` with ``covered``
        (f(S)), ``target`` and ``evaluations``.

    Raises
    ------
    InvalidParameterError
        For a target above ``f(V)``, non-positive costs, or an objective whose state cannot
        hold the items the cover needs (a log-determinant's ``max_size``).

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1, 2], [2, 3], [3, 4], [0, 4]])
    >>> sol = submodular_cover(f)
    >>> sol.selection.tolist(), sol.value, sol.stats["covered"]
    ([0, 2], 2.0, 5.0)
    >>> round(sol.guarantee.ratio, 4), round(sol.lower_bound, 4)   # H(3), 2 / H(3)
    (1.8333, 1.0909)

    References
    ----------
    .. [1] Wolsey, "An analysis of the greedy algorithm for the submodular set covering
       problem", Combinatorica 2 (1982).
    .. [2] Minoux, "Accelerated greedy algorithms for maximizing submodular set functions"
       (1978).
    """
    from submodkit.objectives.kernels import fill_gains
    from submodkit.solvers.submodular import _kernels as G

    start = time.perf_counter()
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    if algorithm != "greedy":
        raise InvalidParameterError("algorithm", algorithm, "'greedy'")
    n = objective.n
    c = np.ones(n) if costs is None else check_vector("costs", costs, n)
    if n and c.min() <= 0.0:
        raise InvalidParameterError("costs", float(c.min()), "positive costs")
    goal = cover_target(objective, target)
    args = objective.kernel_args()
    cur = objective.new_state()
    cand = np.arange(n, dtype=np.int64)
    init = np.empty(n)
    fill_gains(args, cur, cand, init, objective.nnz)
    kmax = min(n, objective.max_selection)
    sel, gains = np.empty(kmax, dtype=np.int64), np.empty(kmax)
    stop = goal - _TOL * max(1.0, goal)  # the value greedy stops at (and Wolsey's target)
    n_sel, covered, evals = G.lazy_cover(*args, cur, c, stop, kmax, sel, gains, init)
    sel, gains = sel[:n_sel].copy(), gains[:n_sel].copy()
    covered = float(objective.evaluate(sel)) if objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR) \
        else float(covered)
    if covered < goal - 1e-6 * max(1.0, goal):
        raise InvalidParameterError(
            "target", goal, f"a value greedy can reach: it stopped at {covered:.6g} after {n_sel} items"
            + (" (the objective's max_size)" if n_sel == objective.max_selection < n else ""))
    last_before = covered - float(gains[-1]) if n_sel else 0.0  # f(S_{T-1}), before pruning
    greedy_cost = float(c[sel].sum())  # OPT >= greedy_cost / ratio (the bound reported)
    name = "greedy"
    if prune and n_sel > 1:
        sel, gains, covered = _prune(objective, sel, gains, goal, covered)
        name = "greedy+prune"
    cost = float(c[sel].sum())
    gtee = None
    if objective.monotone and objective.submodular and n_sel:
        before_last = last_before
        lam = stop / max(stop - before_last, _TOL * max(1.0, goal))
        ratio = 1.0 + math.log(max(lam, 1.0))
        integral = (objective.kind == K.KIND_COVERAGE and np.all(objective.w == np.round(objective.w))
                    and goal == round(goal))
        d = float(init.max(initial=0.0))
        if integral and d <= 1e6:  # beyond, ln d + 0.58 > 1 + ln(lambda) nearly always: skip the sum
            ratio = min(ratio, harmonic(int(round(d))))
        gtee = guarantee("submodular-cover-greedy", ratio=ratio)
    return Solution(
        selection=sel, gains=gains, value=cost, algorithm=name, guarantee=gtee, sense="min",
        lower_bound=greedy_cost / gtee.ratio if gtee is not None else None,
        stats={"covered": covered, "target": float(goal), "evaluations": int(evals) + n,
               "seconds": time.perf_counter() - start, "n": n},
    )


def cover_target(objective: Objective, target: float | None) -> float:
    """The checked target of a cover: ``f(V)`` when None (which needs an objective that can
    hold every item), else a non-negative number at most ``f(V)``."""
    n = objective.n
    reachable = objective.evaluate(np.arange(n)) if objective.max_selection >= n else None
    if target is None:
        if reachable is None:
            raise InvalidParameterError("target", None, "a target (f(V) needs max_size = n)")
        return float(reachable)
    goal = check_real("target", target, minimum=0.0)
    if reachable is not None and goal > reachable * (1 + _TOL) + _TOL:
        raise InvalidParameterError("target", goal, f"at most f(V) = {reachable:.6g}")
    return goal


def _prune(objective: Objective, sel: np.ndarray, gains: np.ndarray, goal: float, covered: float):
    """Drop items latest first while ``f`` stays at the goal; gains recomputed in the order kept."""
    keep = list(sel.tolist())
    floor = goal - 1e-9 * max(1.0, goal)
    for j in sel[::-1].tolist():
        rest = [i for i in keep if i != j]
        if rest and objective.evaluate(rest) >= floor:
            keep = rest
    kept = np.asarray(keep, dtype=np.int64)
    if kept.size == sel.size:
        return sel, gains, covered
    values = [objective.evaluate(kept[: t + 1]) for t in range(kept.size)]
    return kept, np.diff(np.concatenate([[0.0], values])), float(values[-1])
