"""Bicriteria online matching and bi-objective online welfare: the exact expectation over
every coin sequence against the proved curves and the exact optima of each objective."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance, random_allocation_instance
from submodkit.objectives import Coverage, FacilityLocation
from submodkit.solvers.allocation.bicriteria import bicriteria_pass, paper_curve, proven_curve
from submodkit.solvers.allocation.offline import evaluate, offline_optimum
from submodkit.solvers.allocation.online import allocate
from submodkit.solvers.allocation.welfare import (
    bi_objective_welfare,
    brute_force_welfare,
    pareto_welfare,
    tight_welfare_instance,
    welfare_value,
)

TRADEOFFS = (0.0, 0.2, 0.5, 0.8, 1.0)


def _cardinality_instance(inst: AllocationInstance) -> AllocationInstance:
    return AllocationInstance(inst.values > 0, budgets=inst.budgets, free_disposal=inst.free_disposal)


def _exact_expectation(run, n: int, p: float) -> np.ndarray:
    """E[run(coins)] over the 2^n coin sequences with P(coin = 1) = p."""
    total = 0.0
    for coins in itertools.product((0, 1), repeat=n):
        k = sum(coins)
        total = total + p**k * (1 - p) ** (n - k) * np.asarray(run(np.array(coins)), dtype=float)
    return total


def _small_instance(seed: int, free_disposal: bool = True) -> AllocationInstance:
    rng = np.random.default_rng(seed)
    v = rng.integers(0, 5, size=(9, 3)).astype(float) * (rng.random((9, 3)) < 0.6)
    v[v.sum(1) == 0, rng.integers(0, 3)] = 1.0
    caps = rng.integers(1, 4, size=3).astype(float)
    return AllocationInstance(v, budgets=caps, free_disposal=free_disposal)


@pytest.mark.parametrize("seed", range(6))
def test_matching_expectation_meets_both_curves_exactly(seed):
    """Over all 2^9 coin sequences (exact expectation), in the given and a shuffled order,
    the weight is >= p/(1+p) of the maximum weight (exact flow) and the cardinality >=
    (1-p)/(2-p) of the maximum cardinality (LP of the unit instance, integral)."""
    inst = _small_instance(seed)
    opt_w = offline_optimum(inst).value  # min-cost flow: exact with free disposal
    opt_c = offline_optimum(_cardinality_instance(inst)).value
    for rows in (np.arange(9), np.random.default_rng(seed).permutation(9)):
        def run(coins, rows=rows):
            assign, gained = bicriteria_pass(inst, rows, coins)
            return gained.sum(), np.count_nonzero(assign >= 0)

        for p in TRADEOFFS:
            w, c = _exact_expectation(run, 9, p)
            need_w, need_c = proven_curve(p)
            assert w >= need_w * opt_w - 1e-9, (p, w, opt_w)
            assert c >= need_c * opt_c - 1e-9, (p, c, opt_c)


@pytest.mark.parametrize("seed", range(3))
def test_hard_capacities_keep_the_cardinality_curve(seed):
    """Without free disposal the cardinality bound still holds (exact expectation); the run
    reports no weight guarantee."""
    inst = _small_instance(seed, free_disposal=False)
    opt_c = offline_optimum(_cardinality_instance(inst)).value
    rows = np.arange(9)
    for p in TRADEOFFS:
        c = _exact_expectation(lambda coins: np.count_nonzero(bicriteria_pass(inst, rows, coins)[0] >= 0),
                               9, p)
        assert c >= proven_curve(p)[1] * opt_c - 1e-9
    sol = allocate(inst, algorithm="bicriteria", seed=0)
    assert sol.guarantee is None and sol.stats["cardinality_guarantee"]["ratio"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("seed", range(4))
def test_allocate_bicriteria_is_feasible_deterministic_and_reports_both(seed):
    inst = random_allocation_instance(600, 10, density=0.3, seed=seed, load=0.4)
    a = allocate(inst, algorithm="bicriteria", tradeoff=0.3, order="random", seed=seed)
    b = allocate(inst, algorithm="bicriteria", tradeoff=0.3, order="random", seed=seed)
    assert np.array_equal(a.assignment, b.assignment)
    assert evaluate(inst, a.assignment) == pytest.approx(a.value, rel=1e-9) == a.stats["weight"]
    kept = a.assignment[a.assignment >= 0]
    assert a.stats["cardinality"] == kept.size
    assert np.all(np.bincount(kept, minlength=10) <= np.floor(inst.budgets))
    assert a.guarantee.ratio == pytest.approx(0.3 / 1.3)
    assert a.stats["cardinality_guarantee"]["ratio"] == pytest.approx(0.7 / 1.7)
    # p = 1 is greedy with free disposal (deterministic), p = 0 is BALANCE
    g = allocate(inst, algorithm="greedy", order="random", seed=seed)
    assert np.array_equal(allocate(inst, algorithm="bicriteria", tradeoff=1.0, order="random",
                                   seed=seed).assignment, g.assignment)
    unit = _cardinality_instance(inst)
    bal = allocate(unit, algorithm="balance", order="random", seed=seed)
    assert np.array_equal(allocate(unit, algorithm="bicriteria", tradeoff=0.0, order="random",
                                   seed=seed).assignment, bal.assignment)


def test_conflict_instance_shows_the_trade_off():
    """Arrivals 0..C-1 are worth 1 at advertiser 0 and 0.01 at advertiser 1; arrivals
    C..2C-1 only fit advertiser 0 (0.01). Greedy on weight gets all the weight and half the
    cardinality; BALANCE three quarters of the cardinality; the mixture moves between."""
    c = 40
    v = np.zeros((2 * c, 2))
    v[:c, 0], v[:c, 1], v[c:, 0] = 1.0, 0.01, 0.01
    inst = AllocationInstance(v, budgets=[c, c])
    opt_c = offline_optimum(_cardinality_instance(inst)).value
    assert opt_c == 2 * c
    weight = allocate(inst, algorithm="bicriteria", tradeoff=1.0)
    assert weight.value == pytest.approx(c) and weight.stats["cardinality"] == c
    card = allocate(inst, algorithm="bicriteria", tradeoff=0.0)
    assert card.stats["cardinality"] == 3 * c // 2
    cards = [np.mean([allocate(inst, algorithm="bicriteria", tradeoff=p, seed=s).stats["cardinality"]
                      for s in range(20)]) for p in (0.0, 0.5, 1.0)]
    assert cards[0] > cards[1] > cards[2]


def test_bicriteria_rejects_budgets_and_bad_tradeoff():
    inst = random_allocation_instance(50, 3, kind="budget", seed=0)
    with pytest.raises(InvalidParameterError, match="capacities with unit consumption"):
        allocate(inst, algorithm="bicriteria")
    with pytest.raises(InvalidParameterError, match="tradeoff"):
        allocate(random_allocation_instance(50, 3, seed=0), algorithm="bicriteria", tradeoff=1.5)


def test_curves():
    w, c = proven_curve(np.array([0.0, 1.0]))
    assert w.tolist() == [0.0, 0.5] and c.tolist() == [0.5, 0.0]
    w, c = paper_curve(np.array([0.0, 0.5, 1.0]))
    assert w[2] == pytest.approx(1 - 1 / np.e) and c[0] == pytest.approx(1 - 1 / np.e)
    assert w[1] == pytest.approx(c[1]) == pytest.approx(0.5 * (1 - np.exp(-2)))
    assert np.all(paper_curve(np.linspace(0, 1, 11))[0] >= proven_curve(np.linspace(0, 1, 11))[0] - 1e-12)


# --------------------------------------------------------------------------- bi-objective welfare


def _valuations(seed: int, agents: int = 3, items: int = 7):
    rng = np.random.default_rng(seed)
    first = [Coverage([list(np.flatnonzero(rng.random(8) < 0.35)) for _ in range(items)], n_elements=8)
             for _ in range(agents)]
    second = [FacilityLocation(rng.random((items, 5))) for _ in range(agents)]
    return first, second


@pytest.mark.parametrize("seed", range(5))
def test_welfare_expectation_meets_both_curves_exactly(seed):
    """Coverage (first) and facility location (second) valuations, 3 agents x 7 items: the
    exact expectation over all 2^7 coin sequences meets both bounds against brute force."""
    first, second = _valuations(seed)
    opt1, _ = brute_force_welfare(first)
    opt2, _ = brute_force_welfare(second)
    order = np.random.default_rng(seed).permutation(7)

    def run(coins):
        sol = bi_objective_welfare(first, second, coins=coins, arrival=order)
        assert sol.value == pytest.approx(welfare_value(first, sol.assignment))
        assert sol.stats["second_value"] == pytest.approx(welfare_value(second, sol.assignment))
        return sol.value, sol.stats["second_value"]

    for p in TRADEOFFS:
        e1, e2 = _exact_expectation(run, 7, p)
        need1, need2 = proven_curve(p)
        assert e1 >= need1 * opt1 - 1e-9 and e2 >= need2 * opt2 - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_pareto_points_are_exact(seed):
    """Every assignment is weakly dominated by a returned point, no returned point dominates
    another, each is achieved, and the online outcome lies under the front."""
    first, second = _valuations(seed, agents=2, items=8)
    front = pareto_welfare(first, second)
    pairs = np.array([(welfare_value(first, a), welfare_value(second, a))
                      for a in itertools.product(range(2), repeat=8)])
    for f1, f2 in pairs:
        assert np.any((front[:, 0] >= f1 - 1e-9) & (front[:, 1] >= f2 - 1e-9))
    for i, (f1, f2) in enumerate(front):
        others = np.delete(front, i, axis=0)
        assert not np.any((others[:, 0] >= f1 - 1e-9) & (others[:, 1] >= f2 - 1e-9))
        assert np.any(np.all(np.abs(pairs - (f1, f2)) < 1e-9, axis=1))
    assert front[0, 0] == pytest.approx(brute_force_welfare(first)[0])
    assert front[-1, 1] == pytest.approx(brute_force_welfare(second)[0])
    sol = bi_objective_welfare(first, second, seed=seed)
    assert np.any((front[:, 0] >= sol.value - 1e-9) & (front[:, 1] >= sol.stats["second_value"] - 1e-9))


def test_welfare_mixture_extremes_and_tight_instance():
    first, second = _valuations(0)
    greedy_first = bi_objective_welfare(first, second, tradeoff=1.0, seed=0)
    assert greedy_first.guarantee.ratio == 0.5 and greedy_first.stats["second_guarantee"]["ratio"] == 0.0
    tight = tight_welfare_instance()  # greedy's 1/2 is attained at p = 1
    sol = bi_objective_welfare(tight, tight, tradeoff=1.0, seed=0)
    assert sol.value == 1.0 == 0.5 * brute_force_welfare(tight)[0]
    with pytest.raises(InvalidParameterError, match="second"):
        bi_objective_welfare(first, second[:2])
    with pytest.raises(InvalidParameterError, match="coins"):
        bi_objective_welfare(first, second, coins=[2] * 7)


@pytest.mark.parametrize("scale", [1e-13, 1e13])
def test_welfare_choices_do_not_depend_on_the_values_scale(scale):
    """Tolerances are relative: the same assignments and Pareto points (scaled) when every
    value is multiplied by 1e-13 or 1e13 (an absolute 1e-12 merged every point at 1e-13)."""
    rng = np.random.default_rng(4)
    sets = [[list(np.flatnonzero(rng.random(8) < 0.35)) for _ in range(7)] for _ in range(2)]
    weights = [rng.integers(1, 4, size=8).astype(float) for _ in range(2)]
    sims = [rng.random((7, 5)) for _ in range(2)]

    def valuations(s):
        return ([Coverage(sets[i], n_elements=8, weights=weights[i] * s) for i in range(2)],
                [FacilityLocation(sims[i] * s) for i in range(2)])

    first, second = valuations(1.0)
    small_first, small_second = valuations(scale)
    front, scaled_front = pareto_welfare(first, second), pareto_welfare(small_first, small_second)
    assert scaled_front.shape == front.shape and np.allclose(scaled_front / scale, front, rtol=1e-9)
    mixed = pareto_welfare(small_first, second)  # each objective rounded at its own scale
    assert mixed.shape == front.shape and np.allclose(mixed / [scale, 1.0], front, rtol=1e-9)
    assert np.array_equal(brute_force_welfare(small_first)[1], brute_force_welfare(first)[1])
    a = bi_objective_welfare(first, second, seed=1)
    b = bi_objective_welfare(small_first, small_second, seed=1)
    assert np.array_equal(a.assignment, b.assignment) and b.value == pytest.approx(a.value * scale)
