"""`allocate`: online budgeted / capacitated allocation (AdWords, display ads, dual methods).

Every algorithm decides each arrival on arrival, in one compiled pass
(:mod:`submodkit.solvers.allocation._kernels`). Guarantees (registry names
``alloc-*`` in :mod:`submodkit.guarantees`) hold for the arrival model they name.

``allocate`` validates its arguments once, then runs the entry of `ALLOCATE` (a table of
`~submodkit.guarantees.Algorithm` entries, name -> entry) that ``algorithm`` names; the
entry's guarantee is a function of the instance and the arrival order (`_Terms`).
"""

from __future__ import annotations

import math
import time
from functools import partial
from typing import NamedTuple

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_time_limit, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import Algorithm, guarantee, table
from submodkit.instances.allocation import AllocationInstance
from submodkit.mip.model import Deadline
from submodkit.results import AllocationSolution, Guarantee
from submodkit.solvers.allocation import _kernels as K
from submodkit.solvers.allocation.bicriteria import bicriteria_pass
from submodkit.solvers.allocation.offline import offline_optimum
from submodkit.solvers.allocation.passes import Pass as _Pass
from submodkit.solvers.allocation.passes import r_max as _r_max

ORDERS = ("given", "random", "iid")


def _unweighted(vals: np.ndarray) -> bool:
    return vals.size == 0 or bool(np.all(vals == vals[0]))


class _Terms(NamedTuple):
    """What the guarantees of an allocation run depend on: the instance and the order."""

    budget: bool  # budgeted (AdWords) rather than capacitated
    free_disposal: bool
    unit: bool  # every arrival consumes one unit
    unweighted: bool  # every value is the same
    order: str
    b: float | None  # balance's b (capacities >= b), when values are unweighted (unit or budgets)
    b_min: float  # the smallest capacity (unit consumption; else 1)
    r_max: float  # the largest bid / budget (budgets; else 0)

    @classmethod
    def of(cls, instance: AllocationInstance, order: str) -> _Terms:
        _, _, vals, _ = instance.arrays()
        budget = instance.kind == "budget"
        unit = instance.unit_consumption
        caps = np.floor(instance.budgets + 1e-9)
        b_min = float(caps[caps > 0].min()) if unit and np.any(caps > 0) else 1.0
        unweighted = _unweighted(vals)
        b = None  # balance's b: unit consumption, or budgets over the one value
        if unweighted and unit:
            b = b_min
        elif unweighted and budget:
            b = math.floor(float(instance.budgets.min()) / float(vals[0])) if vals.size else 1
        return cls(budget=budget, free_disposal=instance.free_disposal, unit=unit, unweighted=unweighted,
                   order=order, b=b, b_min=b_min, r_max=_r_max(instance, vals))


def _greedy_guarantee(t: _Terms) -> str | None:
    return "alloc-greedy" if t.budget or t.free_disposal or (t.unit and t.unweighted) else None


def _balance_guarantee(t: _Terms) -> str | None:
    return "alloc-balance" if t.b is not None and t.b >= 1 else None


def _msvv_guarantee(t: _Terms) -> str | None:
    return _balance_guarantee(t) or ("alloc-msvv" if t.budget else None)


def _primal_dual_guarantee(t: _Terms) -> str | None:
    if t.budget:
        return "alloc-primal-dual-budget"
    return "alloc-primal-dual" if t.free_disposal else None


def _training_guarantee(t: _Terms) -> str | None:
    return None if t.order == "given" else "alloc-dual-training"


def _bicriteria_guarantee(t: _Terms) -> str | None:
    return "alloc-bicriteria-weight" if t.unit and t.free_disposal and not t.budget else None


def _guarantee(entry: Algorithm, instance: AllocationInstance, order: str,
               params: _Params) -> Guarantee | None:
    """The guarantee of this run, or None when the instance is outside the algorithm's conditions."""
    t = _Terms.of(instance, order)
    key = entry.guarantee_key(t)
    return None if key is None else guarantee(key, b=t.b, n=t.b_min, r_max=t.r_max, epsilon=params.epsilon,
                                              tradeoff=params.tradeoff)


def arrival_rows(order: str, t: int, rng: np.random.Generator) -> np.ndarray:
    """Instance rows in processing order: ``"given"`` (0..t-1), ``"random"`` (a uniform
    permutation) or ``"iid"`` (t rows drawn uniformly with replacement)."""
    if order == "given":
        return np.arange(t, dtype=np.int64)
    if order == "random":
        return rng.permutation(t).astype(np.int64)
    return rng.integers(0, t, size=t).astype(np.int64)


def allocate(
    instance: AllocationInstance,
    *,
    algorithm: str = "greedy",
    order: str = "given",
    seed: int | None = None,
    epsilon: float = 0.1,
    eta: float | None = None,
    mirror: str = "gradient",
    scaling: str = "resource",
    tradeoff: float = 0.5,
    forecast: AllocationInstance | None = None,
    hedge: float = 0.5,
    time_limit: float | None = None,
) -> AllocationSolution:
    """Allocate the arrivals of ``instance`` online, each decided on arrival.

    Parameters
    ----------
    instance : AllocationInstance
        Advertisers with budgets (or capacities) and the arrivals' values.
    algorithm : str, default "greedy"
        A name of `ALLOCATE` (guarantee reported in ``guarantee``, None outside its
        conditions):

        - ``"greedy"``: the largest marginal gain (budgets: ``min(bid, remaining)``; free
          disposal: value minus the smallest kept value). 1/2 against adversarial order
          (Lehmann, Lehmann, Nisan 2001; Mehta et al. 2007 for AdWords).
        - ``"balance"``: the eligible advertiser with the largest remaining fraction
          (Kalyanasundaram, Pruhs 2000): ``1 - 1/(1+1/b)^b -> 1 - 1/e`` for unit values,
          capacities >= b.
        - ``"msvv"``: bid times ``1 - e^(f-1)``, f the spent fraction (Mehta, Saberi,
          Vazirani, Vazirani, J. ACM 2007): ``1 - 1/e`` as bids / budgets -> 0.
        - ``"primal-dual"``: display ads with free disposal, exponentially weighted duals
          (Feldman, Korula, Mirrokni, Muthukrishnan, Pal, WINE 2009): ``1 - 1/e_N``,
          ``e_N = (1+1/N)^N``, N the smallest capacity; budgets: Buchbinder, Jain, Naor,
          ESA 2007: ``(1 - 1/c)(1 - R)``, ``c = (1+R)^(1/R)``, R = max bid / budget.
        - ``"dual-training"``: the LP on the first ``epsilon`` fraction (budgets scaled by
          epsilon) gives prices alpha; afterwards the best ``v - alpha c >= 0`` (Feldman,
          Henzinger, Korula, Mirrokni, Stein, ESA 2010): ``1 - O(epsilon)`` in random
          order, large capacities. The training arrivals are not allocated.
        - ``"dual-resolve"``: greedy on the first ``epsilon`` fraction, then the prices of
          the LP of every arrival seen so far (budgets scaled to the fraction seen),
          re-solved at doubling times (as the dynamic learning of Agrawal, Wang, Ye,
          Operations Research 2014), a kept value replaced when the instance has free
          disposal. No ratio is claimed: the papers' ``1 - O(epsilon)`` is for variants that
          leave the first arrivals unallocated (and scale budgets down), which costs about
          ``epsilon`` of the value on the AdX data, where this variant keeps 0.994 to 0.999
          of the LP optimum in random order (BENCHMARKS.md).
        - ``"bicriteria"``: weight and cardinality at once (capacities): each arrival follows
          greedy with free disposal with probability ``tradeoff`` (a coin from ``seed``),
          else BALANCE; ``p / (1 + p)`` of the maximum weight and ``(1 - p) / (2 - p)`` of
          the maximum cardinality in expectation, any order (proved in
          :mod:`~submodkit.solvers.allocation.bicriteria`, reconstructed for Korula, Mirrokni,
          Zadimoghaddam, WINE 2013). The value is the weight; ``stats`` has the cardinality
          and its guarantee.
        - ``"hedged"``: traffic with spikes (capacities): ``hedge`` of each capacity (rounded
          to the nearest integer, halves up) follows a plan, the rest is open. An arrival
          goes to the plan when some advertiser with plan room has ``v - alpha_a >= 0``
          (alpha: the duals of the LP of ``forecast``, the traffic expected over the
          horizon, with the plan's capacities), else to the open part by MSVV's discounted
          value (a forecast of F arrivals for a horizon of T plans
          with capacities scaled by F / T). hedge = 1 trusts the forecast (a training-based
          algorithm), 0 ignores it (MSVV). No ratio is claimed: reconstructed for Esfandiari,
          Korula, Mirrokni, EC 2015, reachable by its abstract only (``"alloc-hedged"``).
        - ``"dual-mirror-descent"``: the best ``v - mu_a c > 0``, then a mirror-descent
          step on mu with the stochastic subgradient ``rho - c`` (rho = budgets / T), step
          ``eta / sqrt(T)`` (Balseiro, Lu, Mirrokni, Operations Research 2023, Algorithm 1
          and Theorem 1: regret ``C1 + C2 eta T + C3 / eta``, O(sqrt T) for i.i.d. arrivals
          with eta ~ 1/sqrt(T)). Duals are in units of the mean value.
    order : {"given", "random", "iid"}
        The arrival order: as given, a uniform permutation (``seed``), or T rows drawn
        with replacement (``seed``).
    seed : int, optional
        Fixes the random order.
    epsilon : float, default 0.1
        dual-training: the fraction of arrivals it trains on, in (0, 1); dual-resolve: the
        first prefix (allocated by greedy) before the first prices.
    eta : float, optional
        dual-mirror-descent: the step size; default 0.3 (gradient), 0.1 (multiplicative),
        measured on the AdX types (fitted log-log regret slopes 0.46..0.55 on pub1, pub2,
        pub3, pub5, pub7).
    mirror : {"gradient", "multiplicative"}
        dual-mirror-descent: projected gradient or multiplicative weights.
    scaling : {"resource", "none"}
        dual-mirror-descent: ``"resource"`` uses the weighted reference function
        ``sum_a rho_a h(mu_a)`` (step ``eta / (rho_a sqrt T)`` per advertiser; without it,
        advertisers with tiny rho never reach their price and the measured regret grows
        like T^0.8 on the AdX data).
    tradeoff : float, default 0.5
        bicriteria: the probability p, in [0, 1], that an arrival follows the weight rule.
    forecast : AllocationInstance, optional
        hedged (required): a sample of the traffic the forecast expects over the horizon of
        ``instance.n_arrivals`` arrivals (any size: its LP's capacities are scaled to it), over
        the same advertisers.
    hedge : float, default 0.5
        hedged: the share of each capacity reserved for the plan, in [0, 1].
    time_limit : float, optional
        Seconds (> 0) for the call, counted from its start; None: no limit (and then results
        are those of the call without it). Every arrival is still decided: the limit only
        cuts the LP solves short, never the compiled passes (O(nnz) each, not interruptible).

        - ``"dual-resolve"``: each re-solve gets the time left; at the limit (none left, or a
          re-solve that did not end optimal) re-solving stops and the remaining arrivals are
          decided with the last prices solved (``stats["resolving_stopped_at"]``: the arrival
          count), or by greedy when no re-solve ended (free disposal kept either way).
        - ``"dual-training"``: the training LP gets the time left; unsolved, the arrivals after
          the training prefix are decided by greedy (the prefix stays unallocated).
        - ``"hedged"``: the forecast's LP gets the time left; unsolved, there is no plan, and
          every arrival goes to the open part with the whole capacities (MSVV, as hedge = 0).
        - The other algorithms are one pass, run to its end whatever the limit.

        ``stats["time_limit_reached"]`` says whether the limit cut an LP short (the fallback
        taken is in ``stats["fallback"]``); the guarantee reported is the algorithm's (None for
        the three above, which claim no ratio).

    Returns
    -------
    AllocationSolution
        ``assignment`` (the advertiser of each arrival, -1 for none: in instance order, except
        with ``order="iid"``, where rows are drawn with replacement and ``assignment[i]`` is
        that of the i-th draw, row ``arrivals[i]``), ``arrivals`` (the rows in processing
        order), ``value``, ``guarantee``. Complexity
        O(nnz) per pass (free disposal: plus O(capacity) per kept assignment); ties go to
        the smallest advertiser index.

    Examples
    --------
    >>> inst = AllocationInstance([[1.0, 1.0], [1.0, 0.0]], budgets=[1, 1])
    >>> allocate(inst, algorithm="greedy").assignment.tolist()
    [0, -1]
    >>> sol = allocate(inst, algorithm="balance")
    >>> sol.value, sol.guarantee.statement
    (1.0, '1 - 1/(1+1/b)^b -> 1 - 1/e (unit values, capacities >= b)')

    References
    ----------
    .. [1] Mehta, Saberi, Vazirani, Vazirani, "AdWords and generalized online matching",
       J. ACM 54(5) (2007).
    .. [2] Kalyanasundaram, Pruhs, "An optimal deterministic algorithm for online
       b-matching", Theoret. Comput. Sci. 233 (2000).
    .. [3] Feldman, Korula, Mirrokni, Muthukrishnan, Pal, "Online ad assignment with free
       disposal", WINE 2009.
    .. [4] Buchbinder, Jain, Naor, "Online primal-dual algorithms for maximizing
       ad-auctions revenue", ESA 2007.
    .. [5] Feldman, Henzinger, Korula, Mirrokni, Stein, "Online stochastic packing applied
       to display ad allocation", ESA 2010.
    .. [6] Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for online
       allocation problems", Operations Research 71(1) (2023).
    .. [7] Agrawal, Wang, Ye, "A dynamic near-optimal algorithm for online linear
       programming", Operations Research 62(4) (2014).
    .. [8] Korula, Mirrokni, Zadimoghaddam, "Bicriteria online matching: maximizing weight
       and cardinality", WINE 2013.
    .. [9] Esfandiari, Korula, Mirrokni, "Online allocation with traffic spikes: mixing
       adversarial and stochastic models", EC 2015.
    """
    start_time = time.perf_counter()
    if not isinstance(instance, AllocationInstance):
        raise InvalidParameterError("instance", type(instance).__name__, "an AllocationInstance")
    check_choice("algorithm", algorithm, ALGORITHMS)
    check_choice("order", order, ORDERS)
    check_choice("mirror", mirror, ("gradient", "multiplicative"))
    check_choice("scaling", scaling, ("resource", "none"))
    epsilon = check_real("epsilon", epsilon, minimum=0, maximum=1, strict_min=True, strict_max=True)
    if eta is not None:
        eta = check_real("eta", eta, minimum=0, strict_min=True)
    tradeoff = check_real("tradeoff", tradeoff, minimum=0, maximum=1)
    hedge = check_real("hedge", hedge, minimum=0, maximum=1)
    if forecast is not None and (not isinstance(forecast, AllocationInstance) or forecast.kind != "capacity"
                                 or not forecast.unit_consumption
                                 or forecast.n_advertisers != instance.n_advertisers):
        raise InvalidParameterError("forecast", getattr(forecast, "name", type(forecast).__name__),
                                    f"a capacity AllocationInstance (unit consumption) over the same "
                                    f"{instance.n_advertisers} advertisers")
    check_int("seed", seed, allow_none=True)
    time_limit = check_time_limit(time_limit)
    deadline = Deadline(time_limit, start_time)
    entry = ALLOCATE[algorithm]
    t = instance.n_arrivals
    rng = make_rng(seed)
    rows = arrival_rows(order, t, rng)
    run = _Pass(instance, rows, rng)
    stats: dict = {"order": order, "seed": seed}
    if time_limit is not None:
        stats.update(time_limit=time_limit, time_limit_reached=False, fallback=None)
    params = _Params(epsilon, eta, mirror, scaling, tradeoff, forecast, hedge, deadline)
    assign, gained = entry.run(run, params, stats)
    if order == "random":
        assignment = np.full(t, -1, dtype=np.int64)
        assignment[rows] = assign
    else:
        assignment = assign
    value = float(gained.sum())
    if run.mode == K.MODE_BUDGET:
        value = float(
            np.minimum(
                np.bincount(assign[assign >= 0], weights=gained[assign >= 0], minlength=run.n_adv),
                instance.budgets,
            ).sum()
        )
    stats.update(
        seconds=time.perf_counter() - start_time,
        kernel_seconds=run.kernel_seconds,
        arrivals_per_second=t / run.kernel_seconds if run.kernel_seconds > 0 else float("inf"),
        assigned=int(np.count_nonzero(assign >= 0)),
        final_duals=run.dual.tolist() if run.n_adv <= 1000 else None,
    )
    return AllocationSolution(
        value=value,
        assignment=assignment,
        arrivals=rows,
        algorithm=algorithm,
        guarantee=_guarantee(entry, instance, order, params),
        stats=stats,
    )


class _Params(NamedTuple):
    """The options ``allocate`` passes on to an entry's ``run`` (checked)."""

    epsilon: float
    eta: float | None
    mirror: str
    scaling: str
    tradeoff: float
    forecast: AllocationInstance | None
    hedge: float
    deadline: Deadline  # the call's time limit (``Deadline(None)``: none)


def _limited_lp(lp: AllocationInstance, deadline: Deadline, stats: dict,
                fallback: str) -> AllocationSolution | None:
    """``offline_optimum(lp)`` within what is left of ``deadline``. Without a limit its answer,
    whatever it is; under one, None when no time is left or the LP did not end optimal (its
    duals are then not trusted as prices): ``stats`` records that the limit was reached and
    ``fallback``, what the caller does instead."""
    left = deadline.left()
    if left is None:
        return offline_optimum(lp)
    opt = offline_optimum(lp, time_limit=left) if left > 0 else None
    if opt is not None and opt.status == "optimal" and opt.duals is not None:
        return opt
    stats.update(time_limit_reached=True, fallback=fallback)
    return None


# --------------------------------------------------------------------------- the runs
# Each takes (pass, params, stats), may add to stats, and returns the kernel's output.


def _one_pass(code: int, p: _Pass, params: _Params, stats: dict):
    """Greedy, balance and MSVV: no duals to prepare."""
    return p.kernel(code)


def _primal_dual(p: _Pass, params: _Params, stats: dict):
    """With free disposal, each advertiser's kept values in a segment tree."""
    return p.kernel(K.PRIMAL_DUAL, segments=p.mode == K.MODE_DISPOSAL)


def _dual_training(p: _Pass, params: _Params, stats: dict):
    """Prices from the LP of the first ``epsilon`` fraction of the arrivals (budgets scaled)."""
    start = max(1, int(math.ceil(params.epsilon * p.t)))
    train = p.instance.take(p.rows[:start], budgets=p.instance.budgets * (start / p.t))
    lp_start = time.perf_counter()
    opt = _limited_lp(train, params.deadline, stats, "greedy after the training prefix (the training LP "
                      "was not solved within the time limit)")
    if opt is None:  # the time limit: no prices
        stats.update(training_arrivals=start, training_lp_seconds=time.perf_counter() - lp_start)
        return p.kernel(K.GREEDY, start=start)
    if opt.duals is None:
        raise InvalidParameterError("epsilon", params.epsilon, "a training prefix whose LP GLOP solves")
    dual = np.zeros(p.n_adv)
    dual[:] = opt.duals
    stats.update(training_arrivals=start, training_lp_seconds=opt.stats["seconds"])
    return p.kernel(K.TRAINING, start=start, dual=dual)


def _dual_resolve(p: _Pass, params: _Params, stats: dict):
    """Greedy on the first ``epsilon`` fraction, then prices re-solved at doubling times from
    every arrival seen so far (budgets scaled to the fraction seen); free disposal kept."""
    state = p.new_state()
    lo = max(1, int(math.ceil(params.epsilon * p.t)))
    p.segment(K.GREEDY, state, start=0, stop=lo)
    solves, lp_seconds, dual, stopped_at = 0, 0.0, None, None
    while lo < p.t:
        hi = min(p.t, 2 * lo)
        train = p.instance.take(p.rows[:lo], budgets=p.instance.budgets * (lo / p.t))
        lp_start = time.perf_counter()
        opt = _limited_lp(train, params.deadline, stats, "the last prices solved" if dual is not None
                          else "greedy (no re-solve ended within the time limit)")
        if opt is None:  # the time limit: the rest with the last prices (greedy before any)
            lp_seconds += time.perf_counter() - lp_start
            stopped_at = lo
            if dual is None:
                p.segment(K.GREEDY, state, start=lo, stop=p.t)
            else:
                p.segment(K.TRAINING, state, start=lo, stop=p.t, dual=dual, dispose=True)
            break
        if opt.duals is None:
            raise InvalidParameterError("epsilon", params.epsilon, "a training prefix whose LP GLOP solves")
        solves += 1
        lp_seconds += opt.stats["seconds"]
        dual = np.array(opt.duals, dtype=np.float64)
        p.segment(K.TRAINING, state, start=lo, stop=hi, dual=dual, dispose=True)
        lo = hi
    stats.update(lp_solves=solves, training_lp_seconds=lp_seconds, resolving_stopped_at=stopped_at)
    return p.result(state)


def _bicriteria(p: _Pass, params: _Params, stats: dict):
    """One coin per arrival (1 with probability ``tradeoff``: the weight rule), then the pass."""
    coins = (p.rng.random(p.t) < params.tradeoff).astype(np.int64)
    kernel_start = time.perf_counter()
    assign, gained = bicriteria_pass(p.instance, p.rows, coins)
    p.kernel_seconds += time.perf_counter() - kernel_start
    g = guarantee("alloc-bicriteria-cardinality", tradeoff=params.tradeoff)
    stats.update(tradeoff=params.tradeoff, weight=float(gained.sum()),
                 cardinality=int(np.count_nonzero(assign >= 0)), weight_rule_arrivals=int(coins.sum()),
                 cardinality_guarantee=g.to_dict() if p.instance.unit_consumption else None)
    return assign, gained


def _hedged(p: _Pass, params: _Params, stats: dict):
    """The plan's prices from the forecast's LP (its capacities the plan's share), then one pass."""
    inst = p.instance
    if params.forecast is None:
        raise InvalidParameterError("forecast", None, "an AllocationInstance of the expected traffic for "
                                    "algorithm='hedged'")
    if inst.kind != "capacity" or not inst.unit_consumption:
        raise InvalidParameterError("instance", inst.name or "instance",
                                    "capacities with unit consumption for the hedged allocation")
    cap = np.floor(inst.budgets + 1e-9).astype(np.int64)
    cap_plan = np.floor(params.hedge * cap + 0.5).astype(np.int64)  # the plan's share, halves rounded up
    prices = np.zeros(p.n_adv)
    lp_seconds = 0.0
    if cap_plan.any():
        scale = params.forecast.n_arrivals / max(p.t, 1)  # a forecast sample of any size
        plan = params.forecast.take(np.arange(params.forecast.n_arrivals),  # no plan room: a token budget
                                    budgets=np.maximum(cap_plan * scale, 1e-9))
        lp_start = time.perf_counter()
        opt = _limited_lp(plan, params.deadline, stats, "no plan: every arrival to the open part (MSVV, the "
                          "whole capacities; the forecast's LP was not solved within the time limit)")
        if opt is None:  # the time limit: no plan
            cap_plan[:] = 0
            lp_seconds = time.perf_counter() - lp_start
        elif opt.duals is None:
            raise InvalidParameterError("forecast", params.forecast.name, "a forecast whose LP GLOP solves")
        else:
            prices[:] = opt.duals
            lp_seconds = opt.stats["seconds"]
    assign = np.full(p.t, -1, dtype=np.int64)
    gained = np.zeros(p.t)
    used_plan, used_open = np.zeros(p.n_adv, dtype=np.int64), np.zeros(p.n_adv, dtype=np.int64)
    kernel_start = time.perf_counter()
    K.run_hedged(p.indptr, p.indices, p.vals, p.rows, prices, cap_plan, cap - cap_plan, assign, gained,
                 used_plan, used_open)
    p.kernel_seconds += time.perf_counter() - kernel_start
    stats.update(hedge=params.hedge, forecast_lp_seconds=lp_seconds, plan_assigned=int(used_plan.sum()),
                 open_assigned=int(used_open.sum()), plan_prices=prices.tolist() if p.n_adv <= 1000 else None)
    return assign, gained


def _dual_mirror_descent(p: _Pass, params: _Params, stats: dict):
    """Step ``eta / sqrt(T)``, per advertiser ``1 / rho_a`` times that with resource scaling."""
    multiplicative = params.mirror == "multiplicative"
    eta = (0.1 if multiplicative else 0.3) if params.eta is None else params.eta
    step = eta / math.sqrt(p.t)
    stepw = (p.t * p.cscale) / p.budgets if params.scaling == "resource" else None
    stats.update(eta=step, mirror=params.mirror)
    return p.kernel(K.DMD, dual=np.ones(p.n_adv) if multiplicative else None, step=step,
                    multiplicative=multiplicative, stepw=stepw)


# --------------------------------------------------------------------------- the table

ALLOCATE = table(
    Algorithm("greedy", partial(_one_pass, K.GREEDY), guarantee=_greedy_guarantee,
              calls={"alloc-greedy": '`allocate(inst, algorithm="greedy")`'}, needs_k=False),
    Algorithm("balance", partial(_one_pass, K.BALANCE), guarantee=_balance_guarantee,
              calls={"alloc-balance": '`allocate(inst, algorithm="balance")`'}, needs_k=False),
    Algorithm("msvv", partial(_one_pass, K.MSVV), guarantee=_msvv_guarantee,
              calls={"alloc-msvv": '`allocate(inst, algorithm="msvv")`'}, needs_k=False),
    Algorithm("primal-dual", _primal_dual, guarantee=_primal_dual_guarantee,
              calls={"alloc-primal-dual": '`allocate(inst, algorithm="primal-dual")` (capacities)',
                     "alloc-primal-dual-budget": '`allocate(inst, algorithm="primal-dual")` (budgets)'},
              needs_k=False),
    Algorithm("dual-training", _dual_training, guarantee=_training_guarantee,
              calls={"alloc-dual-training": '`allocate(inst, algorithm="dual-training", order="random")`'},
              options=("epsilon",), needs_k=False),
    Algorithm("dual-resolve", _dual_resolve, guarantee=lambda t: None, options=("epsilon",), needs_k=False),
    Algorithm("bicriteria", _bicriteria, guarantee=_bicriteria_guarantee,
              calls={"alloc-bicriteria-weight": '`allocate(inst, algorithm="bicriteria", tradeoff=p, '
                                                'seed=s)`',
                     "alloc-bicriteria-cardinality": '`allocate(inst, algorithm="bicriteria", tradeoff=p, '
                                                     'seed=s)` (`stats["cardinality"]`)'},
              options=("tradeoff",), needs_k=False, randomized=True),
    Algorithm("hedged", _hedged, guarantee="alloc-hedged",
              calls={"alloc-hedged": '`allocate(inst, algorithm="hedged", forecast=f, hedge=h)`'},
              options=("forecast", "hedge"), requires=("forecast",), needs_k=False),
    Algorithm("dual-mirror-descent", _dual_mirror_descent, guarantee="alloc-dual-mirror-descent",
              calls={"alloc-dual-mirror-descent": '`allocate(inst, algorithm="dual-mirror-descent")`'},
              options=("eta", "mirror", "scaling"), needs_k=False),
)
"""``allocate``'s algorithms, name -> `~submodkit.guarantees.Algorithm`. Each ``run`` takes
``(pass, params, stats)`` and runs the kernel once; each ``guarantee`` is a key or a function
of the run's `_Terms` (None outside every guarantee's conditions)."""

ALGORITHMS = tuple(ALLOCATE)
