"""Procurement auctions: the welfare guarantee f(S) - c(S) >= f(O)/2 - c(O) against brute force
and the exact program (weighted coverage minus cost), truthfulness by perturbing every seller's
bid, individual rationality, non-negative surplus, and the adversarial arrival order."""

import itertools

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.objectives import Coverage, FacilityLocation
from submodkit.solvers.cover.exact import exact_coverage_profit
from submodkit.solvers.submodular.nonmonotone import distorted_greedy
from submodkit.solvers.submodular.procurement import procurement_auction, seller_utility

MECHANISMS = ("descending", "posted-price")


def _instance(seed, n=9, m=20):
    rng = np.random.default_rng(seed)
    sets = (rng.random((n, m)) < 0.25).astype(int)
    weights = rng.integers(1, 5, size=m).astype(float)
    f = Coverage(sets, weights=weights)
    costs = np.round(rng.random(n) * f.gains((), np.arange(n)) * 0.8, 2)
    return f, sets, weights, costs


def _best(f, costs, scale):
    """max over every O of f(O) - scale * c(O)."""
    n = f.n
    return max(f.evaluate(np.array(O, dtype=np.int64)) - scale * costs[list(O)].sum()
               for r in range(n + 1) for O in itertools.combinations(range(n), r))


@pytest.mark.parametrize("seed", range(6))
def test_welfare_guarantee_against_brute_force_and_the_exact_program(seed):
    f, sets, weights, costs = _instance(seed)
    opt = _best(f, costs, 1.0)
    assert exact_coverage_profit(sets, weights, costs).value == pytest.approx(opt)
    target = _best(f, costs, 2.0)  # the guarantee: value >= max_O f(O)/2 - c(O) = target / 2
    rng = np.random.default_rng(seed)
    for algorithm in MECHANISMS:
        for order in (None, rng.permutation(f.n), np.arange(f.n)[::-1]):
            if algorithm == "descending" and order is not None:
                continue
            sol = procurement_auction(f, costs, algorithm=algorithm, order=order)
            assert sol.value >= 0.5 * target - 1e-9 and sol.value <= opt + 1e-9
            assert sol.value == pytest.approx(f.evaluate(sol.selection) - costs[sol.selection].sum())
            assert np.all(sol.payments >= costs[sol.selection] - 1e-12)  # individually rational
            assert sol.stats["surplus"] == pytest.approx(sol.stats["f"] / 2) and sol.stats["surplus"] >= 0
            assert sol.guarantee.ratio == 0.5


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("algorithm", MECHANISMS)
def test_truthful_no_seller_gains_by_misreporting(seed, algorithm):
    f, _, _, costs = _instance(seed, n=8)
    order = np.random.default_rng(seed).permutation(f.n) if algorithm == "posted-price" else None
    for seller in range(f.n):
        truthful = seller_utility(f, costs, seller, costs[seller], algorithm=algorithm, order=order)
        assert truthful >= 0.0
        for lie in (0.0, 0.5, 0.9, 1.1, 2.0, 10.0):
            bids = costs.copy()
            bids[seller] = max(0.0, costs[seller] * lie + (lie - 1.0) * 0.05)  # relative and absolute lies
            assert seller_utility(f, bids, seller, costs[seller], algorithm=algorithm, order=order) \
                <= truthful + 1e-12


def test_the_half_is_tight_for_the_posted_price():
    """Two sellers of the same item: the first arrives with cost just above half its value and
    is refused; the second, identical, is refused too: welfare 0 while buying one gives
    v - c. With c -> v/2 the guarantee f(O)/2 - c(O) -> 0 is met with equality."""
    f = Coverage([[0], [0]], weights=[10.0])
    sol = procurement_auction(f, [5.01, 5.01], algorithm="posted-price")
    assert sol.value == 0.0 and len(sol) == 0
    assert max(10.0 / 2 - 5.01, 0.0) <= sol.value + 1e-12


def test_distorted_greedy_the_non_truthful_benchmark_is_not_worse_than_its_bound():
    f, sets, weights, costs = _instance(3, n=10)
    opt = exact_coverage_profit(sets, weights, costs)
    auction = procurement_auction(f, costs)
    greedy = distorted_greedy(f, costs, f.n)
    assert auction.value <= opt.value + 1e-9 and greedy.value <= opt.value + 1e-9


def test_other_objectives_and_errors():
    rng = np.random.default_rng(0)
    f = FacilityLocation(rng.random((12, 12)))
    bids = rng.random(12) * 0.3
    sol = procurement_auction(f, bids)
    assert sol.value >= 0.5 * _best(f, bids, 2.0) - 1e-12
    with pytest.raises(InvalidParameterError, match="bids"):
        procurement_auction(f, -np.ones(12))
    with pytest.raises(InvalidParameterError, match="order"):
        procurement_auction(f, np.ones(12), algorithm="posted-price", order=[0, 0, 1])
    with pytest.raises(InvalidParameterError, match="algorithm"):
        procurement_auction(f, np.ones(12), algorithm="vcg")


def test_cli_procurement_on_scp41(capsys):
    import json

    from submodkit.cli import main

    assert main(["verify", "scp41", "--problem", "procurement", "--element-value", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exact"]["status"] == "optimal" and out["value"] <= out["exact"]["value"] + 1e-9
    assert out["surplus"] == pytest.approx(out["f"] / 2) and len(out["payments"]) == len(out["selection"])
    assert main(["solve", "scp41", "--problem", "procurement", "--element-value", "0"]) == 2
