"""Whole-page optimization: fill each arriving page's slots with ads at once.

Pages arrive online (:class:`~submodkit.instances.pages.PageInstance`); each page's set of
ads must respect its constraints (at most ``per_category`` ads of a category, no excluded
pair, at most one ad per slot); ad a in slot s of page i is worth ``v_ia theta_s``; each ad
keeps its ``capacity`` best impressions (free disposal). :func:`allocate_pages` runs

- ``"page"``: the primal-dual rule over whole pages: at each ad's price (the exponentially
  weighted average of its kept values, Feldman, Korula, Mirrokni, Muthukrishnan, Pal 2009,
  kept up to date as impressions come and go: a level function of the kept values) the page
  takes the feasible set maximizing ``sum (v theta_s - price)``, found exactly;
- ``"slot"``: the same prices, the slots filled one at a time from the top (the slot-based
  algorithm the paper compares with);
- ``"greedy"``: the page's feasible set of largest gain in kept value (prices: the smallest
  kept value of a full ad).

:func:`page_optimum` is the offline optimum (an integer program, SCIP through OR-Tools).

No ratio is claimed for any of them: Devanur, Huang, Korula, Mirrokni and Yan (EC 2013, ACM
TEAC 2016) prove ``1 - 1/e - o(1)`` for their primal-dual algorithm with a level function, a
paper reachable here by its abstract only; the page rule above is a reconstruction from the
abstract and the display-ads primal-dual algorithm it extends, measured against the exact
optimum (tests, the verification suite, ``scripts/bench_pages.py``).

References
----------
.. [1] Devanur, Huang, Korula, Mirrokni, Yan, "Whole-page optimization and submodular welfare
   maximization with online bidders", EC 2013; ACM Trans. Econ. Comput. 4(3) (2016).
.. [2] Feldman, Korula, Mirrokni, Muthukrishnan, Pal, "Online ad assignment with free
   disposal", WINE 2009.
"""

from __future__ import annotations

import time

import numpy as np

from submodkit._background import KernelLoader
from submodkit._validation import check_choice, check_int, check_time_limit, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.pages import PageInstance
from submodkit.mip.model import MAX_COEFFICIENT, Deadline, ModelSize
from submodkit.mip.ortools import MIP_RELATIVE_GAP
from submodkit.results import AllocationSolution
from submodkit.solvers.allocation import _page_kernels as K
from submodkit.solvers.allocation._fallback import proposal_rounds
from submodkit.solvers.allocation.offline import checked_bound

RULES = {"page": (0, True), "slot": (1, True), "greedy": (0, False)}
"""``algorithm`` -> (the kernel's rule: 0 whole page, 1 slot by slot; whether prices are the
primal-dual ones)."""


def _check(instance: PageInstance) -> None:
    if not isinstance(instance, PageInstance):
        raise InvalidParameterError("instance", type(instance).__name__, "a PageInstance")


def page_value(instance: PageInstance, ads: np.ndarray, values: np.ndarray) -> float:
    """The kept value of a placement: per ad, the sum of its ``capacity`` best impression
    values (``ads[i, s]``: the ad in slot s of page i, -1 none; ``values[i, s]`` its value)."""
    _check(instance)
    mask = ads >= 0
    total = 0.0
    for ad in np.unique(ads[mask]):
        got = np.sort(values[ads == ad])[::-1]
        total += float(got[: instance.capacities[ad]].sum())
    return total


def allocate_pages(
    instance: PageInstance,
    *,
    algorithm: str = "page",
    order: str = "given",
    seed: int | None = None,
) -> AllocationSolution:
    """Fill each page's slots on arrival (whole-page optimization).

    Parameters
    ----------
    instance : PageInstance
    algorithm : {"page", "slot", "greedy"}, default "page"
        See the module: the primal-dual rule over whole pages, the slot-by-slot rule at the
        same prices, or the greedy gain in kept value.
    order : {"given", "random"}
        The pages' arrival order (``"random"``: a permutation from ``seed``).
    seed : int, optional

    Returns
    -------
    AllocationSolution
        ``value`` (the ads' kept value: each ad's ``capacity`` best impressions),
        ``assignment`` (per page and slot, the ad; -1 empty), ``stats["slot_values"]`` (per
        page and slot, the impression's value), ``guarantee`` (the registry's
        ``"pages-primal-dual"``: no ratio claimed). Complexity: per page
        ``sum_{k <= slots} C(m, k)`` sets of its m eligible ads (page rule), plus O(C log C)
        per impression to update an ad's price.

    Examples
    --------
    >>> inst = PageInstance([[3.0, 2.0, 1.0]], slot_weights=[1.0, 0.5], capacities=[1, 1, 1],
    ...                     exclusions=[[0, 1]])
    >>> sol = allocate_pages(inst)
    >>> sol.assignment.tolist(), sol.value  # ads 0 and 1 exclude each other
    ([[0, 2]], 3.5)

    References
    ----------
    .. [1] Devanur, Huang, Korula, Mirrokni, Yan, EC 2013 / ACM TEAC 4(3) (2016).
    .. [2] Feldman, Korula, Mirrokni, Muthukrishnan, Pal, WINE 2009.
    """
    _check(instance)
    check_choice("algorithm", algorithm, tuple(RULES))
    check_choice("order", order, ("given", "random"))
    check_int("seed", seed, allow_none=True)
    start = time.perf_counter()
    n = instance.n_pages
    rows = make_rng(seed).permutation(n) if order == "random" else np.arange(n)
    v = instance.values
    caps = instance.capacities
    off = np.concatenate([[0], np.cumsum(caps)]).astype(np.int64)
    ads = np.full((n, instance.n_slots), -1, dtype=np.int64)
    values = np.zeros((n, instance.n_slots))
    rule, priced = RULES[algorithm]
    K.run_pages(rule, priced, v.indptr.astype(np.int64), v.indices.astype(np.int64), v.data,
                rows.astype(np.int64), instance.slot_weights, instance.categories, instance.per_category,
                instance.exclusion_keys(), caps, off, ads, values)
    return AllocationSolution(
        value=page_value(instance, ads, values), assignment=ads, arrivals=rows.astype(np.int64),
        algorithm=f"{algorithm} ({order})",
        guarantee=guarantee("pages-primal-dual"),
        stats={"seconds": time.perf_counter() - start, "order": order, "seed": seed, "slot_values": values,
               "impressions": int(np.count_nonzero(ads >= 0))},
    )


GREEDY_INCUMBENT = "greedy placement (allocate_pages)"
PROPOSALS_INCUMBENT = ("one ad per page, in its first slot, by rounds of proposals (the greedy's kernel was "
                       "not loaded by the time limit)")


def _warm_pages() -> None:
    """The pages kernel on a one-page instance (its types do not depend on the instance or
    the rule)."""
    allocate_pages(PageInstance([[1.0]], slot_weights=[1.0], capacities=[1]), algorithm="greedy")


PAGE_KERNEL = KernelLoader("submodkit.solvers.allocation._page_kernels", "run_pages", _warm_pages,
                           "submodkit-pages-kernel")
"""The greedy placement's kernel, loaded in the background under a time limit (`_fallback`)."""


def _proposal_pages(instance: PageInstance, deadline: Deadline) -> AllocationSolution:
    """A placement in NumPy alone: at most one ad per page, in the first (heaviest) slot,
    chosen by :func:`~submodkit.solvers.allocation._fallback.proposal_rounds` (each page
    proposes its most valuable ad with impressions left, each ad accepts its best
    proposals within its capacity). One ad breaks no category limit or exclusion."""
    v = instance.values
    theta = float(instance.slot_weights[0])
    x = proposal_rounds(v.indptr.astype(np.int64), v.data * theta, np.arange(v.nnz + 1),
                        v.indices.astype(np.int64), np.ones(v.nnz), instance.capacities.astype(np.float64),
                        deadline)
    taken = np.flatnonzero(x)
    pages = np.searchsorted(v.indptr, taken, side="right") - 1
    ads = np.full((instance.n_pages, instance.n_slots), -1, dtype=np.int64)
    values = np.zeros(ads.shape)
    ads[pages, 0] = v.indices[taken]
    values[pages, 0] = v.data[taken] * theta
    return AllocationSolution(value=page_value(instance, ads, values), assignment=ads,
                              algorithm="proposals (one ad per page)", stats={"slot_values": values})


def _first_incumbent(instance: PageInstance, deadline: Deadline) -> tuple[AllocationSolution, str]:
    """The placement a timed call starts from: the greedy one when its kernel is loaded or
    cached, else
    `_proposal_pages` while `PAGE_KERNEL` loads in the background (`page_optimum` then runs
    the greedy too if it loads by the deadline)."""
    if PAGE_KERNEL.ready():  # loaded, or in the on-disk cache (then loaded now)
        return allocate_pages(instance, algorithm="greedy"), GREEDY_INCUMBENT
    PAGE_KERNEL.load()
    return _proposal_pages(instance, deadline), PROPOSALS_INCUMBENT


def page_optimum(instance: PageInstance, *, time_limit: float | None = None) -> AllocationSolution:
    """The offline optimum of whole-page allocation: an integer program (SCIP via OR-Tools).

    Variables ``x[i, a, s]`` (ad a in slot s of page i, for eligible pairs): at most one ad
    per slot and one slot per ad on a page, the page's category limit and exclusions, at most
    ``capacity`` impressions per ad (with free disposal the best kept set is such a set);
    maximize ``sum v_ia theta_s x``. SCIP stops at a relative gap of 1e-9.

    Parameters
    ----------
    instance : PageInstance
    time_limit : float, optional
        Seconds (> 0) for the whole call, counted from its start: the greedy placement
        (:func:`allocate_pages`, ``algorithm="greedy"``) first, then the model's construction
        (which stops when the limit passes), then SCIP with what is left, less the estimated
        time to hand the model over (:class:`~submodkit.mip.model.ModelSize`). At the limit
        the better of SCIP's best placement and the greedy one is returned, with SCIP's
        bound when it has one. When the greedy's compiled kernel is not loaded (a fresh
        process: about 0.2 s to load it from the cache, 7 s to compile it into an empty one),
        it loads in the background and the first placement is one ad per page by NumPy's
        rounds of proposals; the greedy one is computed too if the kernel loads by the limit
        (``stats["incumbent"]`` says which placement was returned).

    Returns
    -------
    AllocationSolution
        ``value`` (the best placement found), ``upper_bound`` (SCIP's proven bound, or None
        when it has none), ``status`` ("optimal" or "timeout"; "feasible" when SCIP stops
        without proving optimality and without a limit), ``assignment`` as in
        :func:`allocate_pages`; ``stats["incumbent"]`` when the placement is greedy's,
        ``stats["not_solved"]`` when SCIP did not run.

    Examples
    --------
    >>> inst = PageInstance([[3.0, 2.0, 1.0]], slot_weights=[1.0, 0.5], capacities=[1, 1, 1],
    ...                     exclusions=[[0, 1]])
    >>> page_optimum(inst).value
    3.5

    References
    ----------
    .. [1] Achterberg, "SCIP: solving constraint integer programs", Math. Prog. Comput. 1
       (2009).
    """
    from ortools.linear_solver import pywraplp

    _check(instance)
    top = float(instance.values.data.max(initial=0.0)) * float(instance.slot_weights[0])
    if top > MAX_COEFFICIENT:  # SCIP would reject the objective ("invalid objective value")
        raise InvalidParameterError("instance", f"values x slot weights up to {top:.3g}",
                                    f"at most {MAX_COEFFICIENT:g} for the exact model (SCIP's range); "
                                    "allocate_pages takes any finite values")
    time_limit = check_time_limit(time_limit)
    deadline = Deadline(time_limit)
    start = deadline.start
    incumbent = None if time_limit is None else _first_incumbent(instance, deadline)

    greedy_tried = False  # the greedy after proposals: waited for and run at most once

    def best_incumbent() -> tuple[AllocationSolution, str]:
        nonlocal incumbent, greedy_tried
        if incumbent is None:  # no limit
            incumbent = allocate_pages(instance, algorithm="greedy"), GREEDY_INCUMBENT
        elif incumbent[1] == PROPOSALS_INCUMBENT and not greedy_tried:
            greedy_tried = True
            if not PAGE_KERNEL.wait(deadline):
                return incumbent
            greedy = allocate_pages(instance, algorithm="greedy")
            if greedy.value >= incumbent[0].value:
                incumbent = greedy, GREEDY_INCUMBENT
        return incumbent

    def fallback(status: str, bound: float | None, why: str | None) -> AllocationSolution:
        sol, name = best_incumbent()
        result = AllocationSolution.offline(sol.value, status, "scip", time.perf_counter() - start,
                                            assignment=sol.assignment, bound=checked_bound(bound, sol.value))
        result.stats["incumbent"] = name
        if why is not None:
            result.stats["not_solved"] = why
        return result

    solver = pywraplp.Solver.CreateSolver("SCIP")
    v, theta = instance.values, instance.slot_weights
    x: dict[tuple[int, int, int], object] = {}
    per_ad: dict[int, list] = {}
    objective = solver.Objective()
    excl = instance.exclusions
    for i in range(instance.n_pages):
        if deadline.expired():
            return fallback("timeout", None, "not solved: the limit passed while the model was built")
        lo, hi = v.indptr[i], v.indptr[i + 1]
        page_ads = v.indices[lo:hi]
        for e in range(lo, hi):
            a = int(v.indices[e])
            for s in range(instance.n_slots):
                var = solver.BoolVar(f"x{i}_{a}_{s}")
                x[i, a, s] = var
                per_ad.setdefault(a, []).append(var)
                objective.SetCoefficient(var, float(v.data[e] * theta[s]))
        for s in range(instance.n_slots):
            solver.Add(sum(x[i, int(a), s] for a in page_ads) <= 1)
        on = {int(a): sum(x[i, int(a), s] for s in range(instance.n_slots)) for a in page_ads}
        for a in on:
            solver.Add(on[a] <= 1)
        for a, b in excl[np.isin(excl[:, 0], page_ads) & np.isin(excl[:, 1], page_ads)]:
            solver.Add(on[int(a)] + on[int(b)] <= 1)
        for c in np.unique(instance.categories[page_ads]):
            members = [on[int(a)] for a in page_ads if instance.categories[a] == c]
            if len(members) > instance.per_category:
                solver.Add(sum(members) <= instance.per_category)
    for a, vars_ in per_ad.items():
        solver.Add(sum(vars_) <= int(instance.capacities[a]))
    objective.SetMaximization()
    if time_limit is not None:  # the limit counts the model's construction too
        # each variable sits in its slot's, its ad's page and capacity rows, and maybe more
        size = ModelSize(solver.NumVariables(), solver.NumConstraints(), 3 * solver.NumVariables())
        left = deadline.left() - size.seconds("scip")
        if left < 0.01:
            return fallback("timeout", None, f"not solved: {max(deadline.left(), 0.0):.2f} s left after "
                                             "the model was built")
        solver.SetTimeLimit(max(1, int(left * 1000)))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, MIP_RELATIVE_GAP)
    status = solver.Solve(params)
    optimal = status == pywraplp.Solver.OPTIMAL
    done = "optimal" if optimal else ("timeout" if time_limit is not None else "feasible")
    best_bound = float(objective.BestBound())
    bound = best_bound if abs(best_bound) < 1e19 else None  # 1e20: SCIP has none
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):  # no placement from SCIP
        return fallback(done, bound, None)
    ads = np.full((instance.n_pages, instance.n_slots), -1, dtype=np.int64)
    values = np.zeros(ads.shape)
    for (i, a, s), var in x.items():
        if var.solution_value() > 0.5:
            ads[i, s] = a
            values[i, s] = v[i, a] * theta[s]
    value = page_value(instance, ads, values)
    if not optimal and incumbent is not None and best_incumbent()[0].value > value:
        return fallback(done, bound, None)
    bound = checked_bound(bound, value)
    return AllocationSolution.offline(value, done, "scip", time.perf_counter() - start, assignment=ads,
                                      bound=value if optimal and bound is None else bound)
