"""Fair allocation of divisible goods to budgeted buyers: the proportionally fair
(Eisenberg-Gale) and alpha-fair allocations, offline and as supply arrives.

A market: goods t = 1..T (impressions, with supply ``s_t``), buyers a with budgets ``B_a``,
and ``v_at > 0`` the utility of a unit of good t to buyer a (the instance's values; zero:
not eligible). An allocation gives ``x_at >= 0`` with ``sum_a x_at <= s_t`` and buyer a the
utility ``u_a = sum_t v_at x_at``.

- :func:`fair_allocation` maximizes ``sum_a B_a log u_a`` (alpha = 1: the Eisenberg-Gale
  program, whose optimum is the Fisher-market equilibrium and the proportionally fair
  allocation) or ``sum_a B_a u_a^(1-alpha) / (1-alpha)`` (alpha-fairness: 0 is utilitarian, 1
  proportional, infinity max-min) by proportional response rounds, and certifies the answer:
  the prices that support the current utilities give a dual bound (convex duality), so every
  run reports the gap to the optimum, never an unproven claim of optimality.
- :func:`online_fair_allocation` allocates each good on arrival, irrevocably: the good goes
  to the buyers who would pay most for it in the market of the goods seen so far (the
  largest ``B_a v_at u_a^(-alpha)``), and that market's fair allocation is re-solved on a
  doubling schedule (or every ``resolve_every`` arrivals); buyers pay the market's price,
  scaled to the elapsed share of the horizon, capped at their budget (budget extraction).

Values are reported in utility units: the budget-weighted generalized mean of the utilities,
``M = (sum_a (B_a / B) u_a^(1-alpha))^(1/(1-alpha))`` (the weighted geometric mean at alpha =
1), so that ``M(x) / M(x*)`` is the fairness ratio of x (1 for the fair allocation; the
objective's gap maps to it exactly).

References
----------
.. [1] Eisenberg, Gale, "Consensus of subjective probabilities: the pari-mutuel method",
   Ann. Math. Statist. 30 (1959).
.. [2] Zhang, "Proportional response dynamics in the Fisher market", Theoret. Comput. Sci.
   412 (2011); Birnbaum, Devanur, Xiao, "Distributed algorithms via gradient descent for
   Fisher markets", EC 2011.
.. [3] Bateni, Chen, Ciocan, Mirrokni, "Fair resource allocation in a volatile marketplace",
   EC 2016; Operations Research 70(1) (2022).
.. [4] Mo, Walrand, "Fair end-to-end window-based congestion control", IEEE/ACM Trans.
   Netw. 8(5) (2000) (alpha-fairness).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from submodkit._validation import check_int, check_real, check_time_limit
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.allocation import AllocationInstance
from submodkit.results import AllocationSolution
from submodkit.solvers.allocation import _fair_kernels as K

_ROUNDS_PER_CHECK = 20


class _Market:
    """The checked arrays of a market: CSR over goods, budgets, supply, active buyers."""

    def __init__(self, instance: AllocationInstance, supply: Any, alpha: Any):
        if not isinstance(instance, AllocationInstance):
            raise InvalidParameterError("instance", type(instance).__name__, "an AllocationInstance")
        self.alpha = check_real("alpha", alpha, minimum=0, strict_min=True, maximum=1e3)
        if abs(self.alpha - 1.0) < 1e-6:  # 1/(1 - alpha) would lose every digit
            self.alpha = 1.0
        self.indptr, self.indices, self.vals, _ = instance.arrays()
        self.t, self.n = instance.n_arrivals, instance.n_advertisers
        self.budgets = np.ascontiguousarray(instance.budgets, dtype=np.float64)
        if not np.all(self.budgets > 0):
            raise InvalidParameterError("instance", "budgets", "positive budgets (the buyers' weights)")
        if supply is None:
            self.supply = np.ones(self.t)
        else:
            self.supply = np.ascontiguousarray(supply, dtype=np.float64)
            if self.supply.shape != (self.t,) or not np.all(np.isfinite(self.supply)) \
                    or np.any(self.supply < 0):
                raise InvalidParameterError("supply", supply, f"{self.t} finite non-negative amounts")
        if self.vals.size and not np.all(self.vals > 0):  # stored zeros: not eligible
            keep = self.vals > 0
            rows = np.repeat(np.arange(self.t), np.diff(self.indptr))[keep]
            self.indices, self.vals = self.indices[keep], self.vals[keep]
            counts = np.bincount(rows, minlength=self.t)
            self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.total_budget = float(self.budgets.sum())
        # utilities in units of the values' geometric mean: the fair allocation does not change
        # when they are scaled, and u^(-alpha) stays in range for large alpha
        self.scale = float(np.exp(np.mean(np.log(self.vals)))) if self.vals.size else 1.0
        self.vals = self.vals / self.scale

    def original(self, objective: float, active: np.ndarray) -> float:
        """An objective (or bound) in the internal units, in the instance's units."""
        if self.alpha == 1.0:
            return objective + float(np.sum(self.budgets * active)) * math.log(self.scale)
        return objective * self.scale ** (1.0 - self.alpha)

    def active(self, stop: int) -> np.ndarray:
        """Buyers eligible for a good of positive supply among the first ``stop`` goods."""
        end = self.indptr[stop]
        rows = np.repeat(np.arange(stop), np.diff(self.indptr[:stop + 1]))
        eligible = self.indices[:end][self.supply[rows] > 0]
        return (np.bincount(eligible, minlength=self.n) > 0).astype(np.int64)

    def mean(self, u: np.ndarray, active: np.ndarray) -> float:
        """The budget-weighted generalized mean of the active buyers' utilities."""
        if not active.any():
            return 0.0
        w = self.budgets * active
        w = w / w.sum() if w.sum() > 0 else w
        if np.any(u[active > 0] <= 0):
            return 0.0
        if self.alpha == 1.0:
            return float(np.exp(np.sum(w[active > 0] * np.log(u[active > 0]))))
        p = 1.0 - self.alpha
        return float(np.sum(w[active > 0] * u[active > 0] ** p) ** (1.0 / p))

    def mean_of_objective(self, value: float, active: np.ndarray) -> float:
        """The generalized mean of utilities whose objective is ``value`` (inf when the value
        is no bound, as an early dual can be)."""
        total = float(np.sum(self.budgets * active))
        if total == 0.0:
            return 0.0
        if self.alpha == 1.0:
            return math.exp(value / total) if np.isfinite(value) else math.inf
        inner = (1.0 - self.alpha) * value / total
        return inner ** (1.0 / (1.0 - self.alpha)) if inner > 0 and np.isfinite(value) else math.inf


def _solve(m: _Market, stop: int, x: np.ndarray, tol: float, max_rounds: int,
           deadline: float | None) -> tuple[np.ndarray, float, float, np.ndarray, int, str]:
    """Proportional response on the first ``stop`` goods from ``x`` (in place) until the
    certified relative gap of the mean is at most tol; (u, primal, dual, prices, rounds, status)."""
    indptr = m.indptr[:stop + 1]
    end = int(indptr[-1])
    xs = x[:end]
    active = m.active(stop)
    eta = 1.0 if m.alpha == 1.0 else min(1.0, 1.0 / m.alpha)
    rounds, status, per_round = 0, "iteration limit", 0.0
    while True:
        u = K.utilities(indptr, m.indices[:end], m.vals[:end], xs, m.n)
        primal = K.objective(u, m.budgets, active, m.alpha)
        dual, prices = K.dual_bound(indptr, m.indices[:end], m.vals[:end], m.supply[:stop], m.budgets, active,
                                    m.alpha, u)
        lo, hi = m.mean(u, active), m.mean_of_objective(dual, active)
        if not active.any() or (np.isfinite(hi) and hi <= lo * (1.0 + tol)):
            status = "optimal"  # within tol, certified
            break
        if rounds >= max_rounds:
            break
        chunk = _ROUNDS_PER_CHECK
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                status = "timeout"
                break
            # no more rounds than the time left holds (one round first, to measure one)
            chunk = 1 if per_round == 0 else max(1, min(chunk, int(left / per_round)))
        tic = time.perf_counter()
        K.respond(indptr, m.indices[:end], m.vals[:end], m.supply[:stop], m.budgets, m.alpha, eta, xs, chunk)
        per_round = (time.perf_counter() - tic) / chunk
        rounds += chunk
    return u, primal, dual, prices, rounds, status


def _next_resolve(done: int, every: int | None) -> int:
    """The arrival count after ``done`` at which the online scheme re-solves its market: 1,
    then the powers of two (or the multiples of ``every``)."""
    if done < 1:
        return 1
    return 1 << done.bit_length() if every is None else (done // every + 1) * every


def _equal_split(m: _Market) -> np.ndarray:
    """Every good split equally among its eligible buyers (the proportional response's start)."""
    counts = np.diff(m.indptr)
    return np.repeat(m.supply / np.maximum(counts, 1), counts)


def fair_allocation(
    instance: AllocationInstance,
    *,
    alpha: float = 1.0,
    supply: Any = None,
    tol: float = 1e-4,
    max_rounds: int = 100_000,
    time_limit: float | None = None,
) -> AllocationSolution:
    """The proportionally fair (alpha = 1) or alpha-fair allocation of divisible goods, with
    a certified gap.

    Proportional response rounds (each good split in proportion to ``x_at (B_a v_at
    u_a^(-alpha))^eta``, eta = min(1, 1/alpha); at alpha = 1 the dynamics of Zhang 2011, which
    converge to the Eisenberg-Gale optimum) until the dual bound certifies the generalized
    mean of utilities within ``tol`` of the optimum's.

    Guarantee: ``value >= upper_bound / (1 + tol)`` with ``upper_bound`` proven (convex
    duality: the prices ``p_t = max_a B_a v_at u_a^(-alpha)`` and ``beta_a = min_t p_t / v_at``
    bound the program by ``sum_t p_t s_t + sum_a sup_u (phi_a(u) - beta_a u)``); ``status``
    is "optimal" when certified, else "iteration limit" or "timeout" with the bound reached.
    Complexity: O(nnz) per round.

    Parameters
    ----------
    instance : AllocationInstance
        Goods as arrivals (rows), buyers as advertisers; values are utilities per unit (zero:
        not eligible), budgets the buyers' budgets (weights of the program).
    alpha : float, default 1.0
        The fairness exponent, in (0, 1000]: 1 is proportional fairness (Eisenberg-Gale).
    supply : array_like, optional
        The amount of each good (default 1 each).
    tol : float, default 1e-4
        The relative gap of the generalized mean at which to stop.
    max_rounds : int, default 100000
    time_limit : float, optional
        Seconds (> 0); stops with the best certified gap so far.

    Returns
    -------
    AllocationSolution
        ``x`` (the amount of each eligible entry, CSR order of ``instance.arrays()``),
        ``agent_values`` (utilities), ``value`` (the budget-weighted generalized mean of the
        utilities, the geometric mean at alpha = 1), ``upper_bound`` (the certified bound
        on the optimum's mean), ``duals`` (the prices of the goods), ``stats`` (objective,
        dual bound, rounds, budget extraction ``sum_t p_t s_t / sum_a B_a``).

    Examples
    --------
    >>> from submodkit.instances.allocation import AllocationInstance
    >>> market = AllocationInstance([[1.0, 1.0], [1.0, 0.0]], budgets=[1.0, 1.0])
    >>> sol = fair_allocation(market, tol=1e-6)
    >>> [round(float(u), 2) for u in sol.agent_values]  # good 0 to buyer 1, good 1 to buyer 0
    [1.0, 1.0]
    >>> sol.status, round(sol.stats["budget_extraction"], 3)
    ('optimal', 1.0)

    References
    ----------
    .. [1] Eisenberg, Gale, Ann. Math. Statist. 30 (1959).
    .. [2] Zhang, "Proportional response dynamics in the Fisher market", Theoret. Comput.
       Sci. 412 (2011).
    """
    start = time.perf_counter()
    m = _Market(instance, supply, alpha)
    tol = check_real("tol", tol, minimum=0, strict_min=True)
    check_int("max_rounds", max_rounds, minimum=0)
    time_limit = check_time_limit(time_limit)
    deadline = None if time_limit is None else start + time_limit
    x = _equal_split(m)
    u, primal, dual, prices, rounds, status = _solve(m, m.t, x, tol, max_rounds, deadline)
    active = m.active(m.t)
    value, bound = m.scale * m.mean(u, active), m.scale * m.mean_of_objective(dual, active)
    return AllocationSolution(
        value=value, algorithm=f"proportional response (alpha = {m.alpha:g})", status=status,
        upper_bound=max(bound, value), lower_bound=value, x=x, agent_values=u * m.scale,
        duals=prices * m.scale ** (1.0 - m.alpha),
        guarantee=guarantee("fair-certified", tol=tol) if status == "optimal" else None,
        stats={"seconds": time.perf_counter() - start, "rounds": rounds,
               "objective": m.original(primal, active), "dual": m.original(dual, active), "alpha": m.alpha,
               "budget_extraction": float(prices @ m.supply) / m.total_budget if m.alpha == 1.0 else None,
               "efficiency": float(u.sum()) * m.scale},
    )


def online_fair_allocation(
    instance: AllocationInstance,
    *,
    alpha: float = 1.0,
    supply: Any = None,
    resolve_every: int | None = None,
    tol: float = 1e-3,
    max_rounds: int = 2_000,
    time_limit: float | None = None,
) -> AllocationSolution:
    """Allocate each good on arrival by re-solving the fair program over the goods seen so far.

    Each arriving good goes to the buyers who would pay most for it in the market of the goods
    seen so far: the largest ``B_a v_at u_a^(-alpha)``, u the buyers' utilities in that market
    (ties share equally; a buyer with nothing yet comes first); the good then joins the market
    (the winners' u grow). After the
    arrival counts 1, 2, 4, 8, ... (or every ``resolve_every`` arrivals) the market's fair
    allocation is re-solved warm (:func:`fair_allocation`'s rounds, ``tol``, ``max_rounds``)
    and its utilities replace u. Buyers pay their bid for the good in that market (at alpha =
    1, ``B_a v_at x_at / u_a`` with u_a including the good: the proportional-response bid),
    scaled by n / T for the n of T goods seen (the market holds the whole budgets), capped at
    what is left of their budget; ``stats["budget_extraction"]`` is the share of the budgets
    paid (alpha = 1 only).

    Guarantee: no ratio is claimed (the registry's ``"fair-resolve"``, ratio 0). Bateni, Chen,
    Ciocan and Mirrokni prove 0.64 of the proportionally fair allocation for their re-solving
    scheme when the supply follows Gaussian processes (0.47 in the EC 2016 version); the paper
    was reachable by its abstract only, so the scheme here is a reconstruction, and its ratio
    is measured against the offline :func:`fair_allocation` (the verification suite and
    ``scripts/bench_fair.py``).

    Parameters
    ----------
    instance : AllocationInstance
        Goods (rows) in arrival order; values, budgets as in :func:`fair_allocation`.
    alpha : float, default 1.0
    supply : array_like, optional
        The amount of each good (default 1 each): volatile supply is this sequence.
    resolve_every : int, optional
        Re-solve every this many arrivals (default: at doubling arrival counts).
    tol, max_rounds
        Each re-solve's stopping rule.
    time_limit : float, optional
        Seconds (> 0) for the re-solves: a re-solve running at the limit stops there, and later
        arrivals are allocated at the last market's utilities without re-solving
        (``stats["resolving_stopped_at"]``, the arrival count; None when every re-solve ran).
        Every good is still allocated: what follows the limit is one pass over the rest.

    Returns
    -------
    AllocationSolution
        As :func:`fair_allocation` (``value``: the generalized mean of the final utilities),
        with ``stats["resolves"]``, ``stats["budget_extraction"]``, ``stats["payments"]`` and
        ``stats["resolving_stopped_at"]``.

    Examples
    --------
    >>> from submodkit.instances.allocation import AllocationInstance
    >>> market = AllocationInstance([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]], budgets=[1.0, 1.0])
    >>> sol = online_fair_allocation(market)
    >>> [round(float(u), 3) for u in sol.agent_values]
    [1.5, 1.5]

    References
    ----------
    .. [1] Bateni, Chen, Ciocan, Mirrokni, "Fair resource allocation in a volatile
       marketplace", EC 2016; Operations Research 70(1) (2022).
    """
    start = time.perf_counter()
    m = _Market(instance, supply, alpha)
    if resolve_every is not None:
        check_int("resolve_every", resolve_every, minimum=1)
    tol = check_real("tol", tol, minimum=0, strict_min=True)
    check_int("max_rounds", max_rounds, minimum=0)
    time_limit = check_time_limit(time_limit)
    deadline = None if time_limit is None else start + time_limit
    stopped_at = None
    x_market = np.zeros(m.vals.size)  # the re-solved market's allocation (warm start)
    x = np.zeros(m.vals.size)  # the irrevocable online allocation
    u_market = np.zeros(m.n)
    paid = np.zeros(m.n)
    resolves, done = 0, 0
    while done < m.t:  # the arrivals up to the next re-solve in one kernel call
        point = _next_resolve(done, resolve_every)
        stop = m.t if stopped_at is not None else min(m.t, point)
        K.arrive(m.indptr, m.indices, m.vals, m.supply, m.budgets, m.alpha, m.t, done, stop, u_market, x,
                 paid, x_market)
        done = stop
        if stopped_at is None and done == point:
            u_market, _, _, _, _, status = _solve(m, done, x_market, tol, max_rounds, deadline)
            resolves += 1
            if status == "timeout" or (deadline is not None and time.perf_counter() > deadline):
                stopped_at = done  # past the time limit: the market stays as last solved
    u = K.utilities(m.indptr, m.indices, m.vals, x, m.n)
    active = m.active(m.t)
    return AllocationSolution(
        value=m.scale * m.mean(u, active), algorithm=f"online re-solving (alpha = {m.alpha:g})", x=x,
        agent_values=u * m.scale,
        guarantee=guarantee("fair-resolve"),
        stats={"seconds": time.perf_counter() - start, "resolves": resolves, "alpha": m.alpha,
               "resolving_stopped_at": stopped_at,
               "objective": m.original(K.objective(u, m.budgets, active, m.alpha), active),
               "budget_extraction": float(paid.sum()) / m.total_budget if m.alpha == 1.0 else None,
               "payments": paid.tolist() if m.alpha == 1.0 and m.n <= 1000 else None,
               "efficiency": float(u.sum()) * m.scale},
    )
