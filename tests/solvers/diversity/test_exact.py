"""Exact diversity models (OR-Tools) against brute force, and algorithms against them."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.constraints import PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.solvers.diversity.dispersion import diversify
from submodkit.solvers.diversity.exact import (
    brute_force_diversity,
    exact_max_min_diversity,
    exact_max_sum_diversity,
    exact_sum_min_diversity,
)

EXACT = {
    "max-min": exact_max_min_diversity,
    "max-sum": exact_max_sum_diversity,
    "sum-min": exact_sum_min_diversity,
}


@pytest.mark.parametrize("objective", list(EXACT))
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("matroid", [False, True])
def test_exact_equals_brute_force(objective, seed, matroid):
    rng = np.random.default_rng(seed)
    X = rng.random((11, 2))
    pm = PartitionMatroid(rng.integers(0, 3, 11), [1, 2, 2]) if matroid else None
    e = EXACT[objective](X, 4, constraint=pm)
    b = brute_force_diversity(X, 4, objective, constraint=pm)
    assert e.status == "optimal"
    assert e.value == pytest.approx(b.value, rel=1e-7)
    if pm is not None:
        assert np.all(np.bincount(pm.groups[e.selection], minlength=3) <= pm.capacities)


def test_exact_integer_line():
    X = np.array([[0.0], [1.0], [5.0], [9.0]])
    assert exact_max_min_diversity(X, 3).value == 4.0
    assert exact_max_sum_diversity(X, 3).value == 18.0
    assert exact_sum_min_diversity(X, 3).value == 13.0
    assert exact_max_min_diversity(X, 1).value == 0.0


def test_algorithms_meet_guarantee_against_exact():
    rng = np.random.default_rng(7)
    X = rng.random((150, 3))
    opt = exact_max_min_diversity(X, 8)
    assert opt.status == "optimal"
    sol = diversify(X, 8)
    assert sol.guarantee.holds(sol.value, opt.value) and opt.value <= sol.upper_bound + 1e-12
    Y = X[:24]
    opt = exact_max_sum_diversity(Y, 5)
    for algo in ("greedy", "local-search"):
        sol = diversify(Y, 5, "max-sum", algorithm=algo)
        assert sol.guarantee.holds(sol.value, opt.value) and sol.value <= opt.value + 1e-9
    pm = PartitionMatroid(rng.integers(0, 4, 24), 2)
    opt = exact_max_sum_diversity(Y, 6, constraint=pm)
    sol = diversify(Y, 6, "max-sum", constraint=pm)
    assert sol.guarantee.holds(sol.value, opt.value)


def test_exact_bad_input():
    with pytest.raises(InvalidParameterError, match="k=5"):
        exact_max_min_diversity(np.zeros((3, 2)), 5)
    with pytest.raises(InvalidParameterError, match="triangle"):
        exact_max_sum_diversity(np.array([[0, 1, 5], [1, 0, 1], [5, 1, 0.0]]), 2, "precomputed")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("matroid", [False, True])
def test_glover_formulation_equals_brute_force(seed, matroid):
    rng = np.random.default_rng(seed)
    X = rng.random((11, 2))
    pm = PartitionMatroid(rng.integers(0, 3, 11), [1, 2, 2]) if matroid else None
    for k in (2, 4):
        g = exact_max_sum_diversity(X, k, constraint=pm, formulation="glover")
        b = brute_force_diversity(X, k, "max-sum", constraint=pm)
        assert g.status == "optimal" and g.stats["parameters"]["formulation"] == "glover"
        assert g.value == pytest.approx(b.value, rel=1e-7)
    with pytest.raises(InvalidParameterError, match="formulation"):
        exact_max_sum_diversity(X, 3, formulation="qp")


# ----------------------------------------------------------------------------- issue 13


@pytest.mark.parametrize("objective", ["remote-tree", "remote-cycle", "max-min"])
def test_enumeration_stops_at_its_time_limit(objective):
    X = np.random.default_rng(0).random((40, 2))
    r = brute_force_diversity(X, 5, objective, time_limit=0.05)
    assert r.status == "timeout" and r.value is not None and r.bound is None and len(r.selection) == 5
    done = brute_force_diversity(X[:9], 3, objective, time_limit=60)
    assert done.status == "optimal" and done.value == brute_force_diversity(X[:9], 3, objective).value


def test_mip_methods_refuse_distances_beyond_the_solvers_range():
    X = np.random.default_rng(1).random((8, 2)) * 1e18
    for objective in ("max-sum", "sum-min"):
        with pytest.raises(InvalidParameterError, match="algorithm='mip'"):
            EXACT[objective](X, 3, algorithm="mip")
        bb = EXACT[objective](X, 3)  # the branch and bound takes any finite distances
        assert bb.status == "optimal"
        assert bb.value == pytest.approx(brute_force_diversity(X, 3, objective).value, rel=1e-12)


@pytest.mark.parametrize("objective", list(EXACT))
def test_matrix_beyond_memory_returns_the_heuristic_with_a_bound(objective, monkeypatch):
    from submodkit.solvers.diversity import exact as XD

    monkeypatch.setattr(XD, "available_memory", lambda: 1e3)
    X = np.random.default_rng(2).random((12, 2))
    r = EXACT[objective](X, 4)
    opt = brute_force_diversity(X, 4, objective).value
    assert r.status == "feasible" and "GiB" in r.stats["parameters"]["not_solved"]
    assert r.value <= opt + 1e-9 <= r.bound + 2e-9
    assert EXACT[objective](X, 4, time_limit=5).status == "timeout"
