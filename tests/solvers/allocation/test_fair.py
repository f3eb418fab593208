"""Fair allocation: the certified proportionally fair / alpha-fair allocation against an
independent solver (scipy SLSQP on the same convex program), the Fisher-market equilibrium
conditions, and the online re-solving scheme against the offline optimum."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance, random_allocation_instance
from submodkit.solvers.allocation.fair import fair_allocation, online_fair_allocation


def _market(seed: int, goods: int = 5, buyers: int = 3) -> AllocationInstance:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.1, 2.0, size=(goods, buyers)) * (rng.random((goods, buyers)) < 0.7)
    v[v.sum(1) == 0, 0] = 1.0
    for a in range(buyers):  # every buyer eligible somewhere
        if v[:, a].sum() == 0:
            v[rng.integers(goods), a] = 1.0
    return AllocationInstance(v, budgets=rng.uniform(0.5, 2.0, size=buyers))


def _scipy_optimum(inst: AllocationInstance, alpha: float, supply: np.ndarray) -> float:
    """max sum_a B_a phi(u_a) over x >= 0, sum_a x_at <= s_t, by SLSQP (the objective)."""
    v = np.asarray(inst.values.todense()) if hasattr(inst.values, "todense") else np.asarray(inst.values)
    t, n = v.shape
    b = inst.budgets
    mask = v > 0

    def utilities(z):
        x = np.zeros((t, n))
        x[mask] = z
        return (v * x).sum(0)

    def negative(z):
        u = np.maximum(utilities(z), 1e-12)
        return -(b @ np.log(u)) if alpha == 1 else -(b @ u ** (1 - alpha)) / (1 - alpha)

    rows = np.nonzero(mask)[0]
    cons = [{"type": "ineq", "fun": lambda z, r=r: supply[r] - z[rows == r].sum()} for r in range(t)]
    z0 = np.concatenate([np.full(np.count_nonzero(mask[r]), supply[r] / np.count_nonzero(mask[r]))
                         for r in range(t)])
    res = minimize(negative, z0, bounds=[(0, None)] * z0.size, constraints=cons, method="SLSQP",
                   options={"ftol": 1e-12, "maxiter": 2000})
    return -res.fun


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("seed", range(6))
def test_certified_optimum_matches_an_independent_solver(seed, alpha):
    inst = _market(seed)
    supply = np.random.default_rng(seed).uniform(0.5, 2.0, size=inst.n_arrivals)
    sol = fair_allocation(inst, alpha=alpha, supply=supply, tol=1e-7)
    assert sol.status == "optimal"
    opt = _scipy_optimum(inst, alpha, supply)
    # the certificate brackets the independent optimum, and the allocation's objective meets it
    assert sol.stats["objective"] <= opt + 1e-6 <= sol.stats["dual"] + 2e-6
    assert sol.stats["objective"] == pytest.approx(opt, abs=1e-5 * max(1.0, abs(opt)))
    assert sol.value <= sol.upper_bound <= sol.value * (1 + 1e-7) + 1e-12
    # feasible: each good's supply split exactly among its eligible buyers
    indptr = inst.arrays()[0]
    assert np.allclose(np.add.reduceat(sol.x, indptr[:-1]), supply)


@pytest.mark.parametrize("seed", range(4))
def test_proportional_fairness_is_the_fisher_equilibrium(seed):
    """alpha = 1: every buyer spends its budget (sum_t p_t x_at = B_a), buys only goods of
    its best bang per buck v_at / p_t, and the prices extract the whole budgets."""
    inst = random_allocation_instance(60, 6, density=0.5, seed=seed)
    sol = fair_allocation(inst, tol=1e-9, max_rounds=200_000)
    indptr, indices, vals, _ = inst.arrays()
    rows = np.repeat(np.arange(inst.n_arrivals), np.diff(indptr))
    prices = sol.duals
    spend = np.bincount(indices, weights=prices[rows] * sol.x, minlength=6)
    assert np.allclose(spend, inst.budgets, rtol=1e-3)
    assert sol.stats["budget_extraction"] == pytest.approx(1.0, abs=1e-3)
    bang = vals / prices[rows]
    best = np.full(6, 0.0)
    np.maximum.at(best, indices, bang)
    bought = sol.x > 1e-3
    assert np.all(bang[bought] >= best[indices[bought]] * (1 - 1e-3))


def test_time_limit_and_iteration_limit_return_the_certified_gap():
    inst = random_allocation_instance(3000, 30, density=0.3, seed=1)
    sol = fair_allocation(inst, tol=1e-12, max_rounds=40)
    assert sol.status == "iteration limit" and sol.guarantee is None
    assert sol.value < sol.upper_bound and sol.stats["rounds"] == 40
    sol = fair_allocation(inst, tol=1e-12, time_limit=0.3)
    assert sol.status in ("timeout", "iteration limit") and sol.stats["seconds"] < 2.0
    assert sol.value <= sol.upper_bound


@pytest.mark.parametrize("seed", range(4))
def test_online_is_feasible_below_the_offline_bound_and_deterministic(seed):
    inst = random_allocation_instance(400, 8, density=0.4, seed=seed)
    supply = np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.2, size=400)))  # volatile
    offline = fair_allocation(inst, supply=supply)
    for every in (None, 25):
        sol = online_fair_allocation(inst, supply=supply, resolve_every=every)
        again = online_fair_allocation(inst, supply=supply, resolve_every=every)
        assert np.array_equal(sol.x, again.x)
        indptr = inst.arrays()[0]
        assert np.allclose(np.add.reduceat(sol.x, indptr[:-1]), supply)
        assert sol.value <= offline.upper_bound * (1 + 1e-9)
        assert 0.9 < sol.value / offline.upper_bound  # measured 0.98..0.99 on these
        assert 0 < sol.stats["budget_extraction"] <= 1 + 1e-9
        assert np.all(np.array(sol.stats["payments"]) <= inst.budgets + 1e-9)
        assert sol.guarantee.ratio == 0.0


def test_online_resolve_schedule_and_time_limit():
    inst = random_allocation_instance(400, 8, density=0.4, seed=3)
    indptr = inst.arrays()[0]
    # re-solved after arrivals 1, 2, 4, ..., 256 (doubling) or 1, 25, 50, ..., 400
    assert online_fair_allocation(inst).stats["resolves"] == 9
    assert online_fair_allocation(inst, resolve_every=25).stats["resolves"] == 17
    full = online_fair_allocation(inst)
    assert full.stats["resolving_stopped_at"] is None
    # a limit already spent (1e-9 s): one re-solve (the first arrival's), then every good still
    # allocated at that market's utilities
    sol = online_fair_allocation(inst, time_limit=1e-9)
    assert sol.stats["resolving_stopped_at"] == 1 and sol.stats["resolves"] == 1
    assert np.allclose(np.add.reduceat(sol.x, indptr[:-1]), 1.0)
    assert 0 < sol.value <= fair_allocation(inst).upper_bound * (1 + 1e-9)
    for bad in (-1.0, 0, 0.0, float("nan"), float("inf")):  # None or finite > 0, as every solver
        with pytest.raises(InvalidParameterError, match="time_limit"):
            online_fair_allocation(inst, time_limit=bad)
        with pytest.raises(InvalidParameterError, match="time_limit"):
            fair_allocation(inst, time_limit=bad)


def test_online_equals_offline_when_every_good_has_one_buyer():
    v = np.zeros((6, 3))
    v[np.arange(6), np.arange(6) % 3] = np.arange(1, 7)
    inst = AllocationInstance(v, budgets=[1.0, 2.0, 3.0])
    on, off = online_fair_allocation(inst), fair_allocation(inst)
    assert np.allclose(on.agent_values, off.agent_values) and on.value == pytest.approx(off.value)


def test_bad_input_is_a_clear_error():
    inst = _market(0)
    with pytest.raises(InvalidParameterError, match="supply"):
        fair_allocation(inst, supply=[1.0])
    with pytest.raises(InvalidParameterError, match="supply"):
        online_fair_allocation(inst, supply=[np.nan] * inst.n_arrivals)
    with pytest.raises(InvalidParameterError, match="alpha"):
        fair_allocation(inst, alpha=0)
    with pytest.raises(InvalidParameterError, match="positive"):
        fair_allocation(AllocationInstance([[1.0, 1.0]], budgets=[1.0, 0.0]))


def test_extreme_alpha_and_scales_stay_certified():
    """Utilities of 1e4 at alpha = 100 (u^-alpha would underflow without the internal scale),
    a first good with no supply, no active buyer at all, alpha a hair from 1."""
    sol = fair_allocation(AllocationInstance(np.array([[1, 1], [1, 0], [0, 1]]) * 1e4, budgets=[1.0, 1.0]),
                          alpha=100)
    assert sol.status == "optimal" and sol.value == pytest.approx(15000.0, rel=1e-3)
    assert np.isfinite(sol.upper_bound) and sol.upper_bound <= sol.value * (1 + 1e-3)
    sol = fair_allocation(AllocationInstance([[1e4, 0], [0, 1]], budgets=[1.0, 1.0]), alpha=100)
    assert np.allclose(sol.x, [1.0, 1.0])
    inst = AllocationInstance([[1.0, 1.0], [1.0, 0], [0, 1.0], [1.0, 1.0]], budgets=[1.0, 1.0])
    assert online_fair_allocation(inst, supply=[0, 1, 1, 1]).value > 0
    none = fair_allocation(AllocationInstance([[1.0, 1.0], [1.0, 0]], budgets=[1.0, 1.0]), supply=[0, 0])
    assert none.value == 0.0
    near = fair_allocation(_market(1), alpha=1 + 1e-13, tol=1e-7)
    exact = fair_allocation(_market(1), alpha=1.0, tol=1e-7)
    assert near.value == pytest.approx(exact.value) and near.value <= exact.upper_bound * (1 + 1e-9)
