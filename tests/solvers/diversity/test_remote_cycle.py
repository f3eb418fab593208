"""Remote-cycle (tour weight) diversity: exact tours (Held-Karp, SCIP with subtour cuts)
against permutation brute force and known tours; GMM's 1/3 and the GMM core-set's 1/9
against the brute-force optimum; bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from submodkit.coresets.diversity import diversity_coreset
from submodkit.errors import InvalidParameterError
from submodkit.solvers.diversity._tour_kernels import cycle_weight
from submodkit.solvers.diversity.dispersion import diversify, diversity_value
from submodkit.solvers.diversity.exact import brute_force_diversity
from submodkit.solvers.diversity.remote_cycle import exact_remote_cycle
from submodkit.solvers.diversity.tsp import held_karp, solve_tour, tour_is_valid, tsp_tour


def _dist(X):
    return np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))


def _perm_tsp(D):
    m = D.shape[0]
    if m < 2:
        return 0.0
    return min(sum(D[p[i], p[(i + 1) % m]] for i in range(m))
               for p in ((0, *q) for q in itertools.permutations(range(1, m))))


def _graph_metric(rng, n):
    """Shortest-path metric of a random complete graph (a precomputed, non-Euclidean metric)."""
    W = rng.random((n, n)) * 3 + 0.1
    W = np.minimum(W, W.T)
    np.fill_diagonal(W, 0.0)
    for m in range(n):
        W = np.minimum(W, W[:, m:m + 1] + W[m:m + 1, :])
    return W


def _weight(D, order):
    return float(cycle_weight(D, np.arange(D.shape[0], dtype=np.int64), order))


@pytest.mark.parametrize("seed", range(12))
def test_held_karp_equals_permutation_brute_force(seed):
    rng = np.random.default_rng(seed)
    m = 2 + seed % 7
    D = _dist(rng.random((m, 3))) if seed % 2 else _graph_metric(rng, m)
    value, order = held_karp(D)
    assert tour_is_valid(order, m) and order[0] == 0
    assert value == pytest.approx(_perm_tsp(D), rel=1e-12)
    assert _weight(D, order) == pytest.approx(value, rel=1e-12)
    assert diversity_value(D, "remote-cycle") == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("m", [12, 18, 20])
def test_mip_equals_held_karp(m):
    rng = np.random.default_rng(m)
    D = _dist(rng.random((m, 2))) if m != 12 else _graph_metric(rng, m)
    hk_value, _ = held_karp(D)
    mip = solve_tour(D, 60.0, held_karp_max=3)
    assert mip.algorithm == "mip" and mip.optimal and tour_is_valid(mip.order, m)
    assert mip.value == pytest.approx(hk_value, rel=1e-9)
    assert mip.lower_bound == pytest.approx(mip.value) and _weight(D, mip.order) == pytest.approx(mip.value)


@pytest.mark.parametrize("m", [30, 40])
def test_mip_on_convex_position_is_the_hull(m):
    # points on a circle at random angles: the optimal tour visits them by angle
    rng = np.random.default_rng(m)
    ang = np.sort(rng.random(m) * 2 * np.pi)
    X = np.c_[np.cos(ang), np.sin(ang)] * 5
    D = _dist(X)
    perimeter = _weight(D, np.arange(m))
    t = tsp_tour(D)
    assert t.algorithm == "mip" and t.optimal
    assert t.value == pytest.approx(perimeter, rel=1e-9)
    # a random Euclidean instance: the MIP is at most the local-search start, its bound equal
    Y = rng.random((m, 2))
    r = tsp_tour(_dist(Y))
    assert r.optimal and r.lower_bound == pytest.approx(r.value) and tour_is_valid(r.order, m)


@pytest.mark.parametrize("m", [5, 8, 16, 24])
def test_regular_polygon_tour_is_its_perimeter(m):
    ang = 2 * np.pi * np.arange(m) / m
    X = np.c_[np.cos(ang), np.sin(ang)]
    t = tsp_tour(_dist(X))
    assert t.optimal and t.value == pytest.approx(2 * m * np.sin(np.pi / m), rel=1e-12)


def test_time_limit_returns_best_tour_not_exact():
    X = np.random.default_rng(3).random((90, 2))
    D = _dist(X)
    quick = tsp_tour(D, time_limit=1e-4)
    assert not quick.optimal and tour_is_valid(quick.order, 90)
    assert quick.lower_bound <= quick.value and _weight(D, quick.order) == pytest.approx(quick.value)
    sol = diversify(X, 90, "remote-cycle", time_limit=1e-4)
    assert sol.stats["value_exact"] is False and sol.stats["tour_lower_bound"] <= sol.value
    assert sol.upper_bound >= sol.value  # k = n: R = 0 and the bound is the tour found


def test_small_values():
    X = np.array([[0.0], [1.0], [5.0], [9.0]])
    assert diversify(X, 1, "remote-cycle").value == 0.0
    assert diversify(X, 2, "remote-cycle").value == 18.0
    assert diversify(X, 3, "remote-cycle").value == 18.0
    assert diversify(X, 4, "remote-cycle").value == 18.0
    assert len(diversify(X, 0, "remote-cycle").selection) == 0
    sq = np.array([[0.0, 0], [1, 0], [0.5, 0.5], [0, 1], [1, 1]])
    sol = diversify(sq, 4, "remote-cycle")
    assert sol.value == pytest.approx(4.0) and sorted(sol.selection.tolist()) == [0, 1, 3, 4]


@pytest.mark.parametrize("seed", range(40))
def test_gmm_one_third_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 13))
    k = int(rng.integers(2, min(n, 7) + 1))
    if seed % 4 == 3:
        X, metric = _graph_metric(rng, n), "precomputed"
        D = X
    else:
        X, metric = rng.random((n, 1 + seed % 3)), "euclidean"
        D = _dist(X)
    opt = exact_remote_cycle(X, k, metric).value
    sol = diversify(X, k, "remote-cycle", metric=metric, seed=seed if seed % 2 else None)
    assert sol.guarantee.ratio == pytest.approx(1 / 3) and sol.algorithm == "gmm"
    assert len(set(sol.selection.tolist())) == k
    assert sol.value <= opt + 1e-9 and sol.guarantee.holds(sol.value, opt)
    assert sol.value >= opt / 3 - 1e-9
    assert sol.upper_bound >= opt - 1e-9 and sol.upper_bound <= 3 * sol.value + 1e-9
    assert sol.stats["value_exact"]
    tour = sol.stats["tour"]
    assert sorted(tour.tolist()) == sorted(sol.selection.tolist())
    assert sum(D[tour[i], tour[(i + 1) % k]] for i in range(k)) == pytest.approx(sol.value)
    assert sol.value == pytest.approx(_perm_tsp(D[np.ix_(sol.selection, sol.selection)]))
    if seed < 8:
        assert brute_force_diversity(X, k, "remote-cycle", metric=metric).value == pytest.approx(opt)


@pytest.mark.parametrize("seed", range(12))
def test_gmm_coreset_one_ninth(seed):
    rng = np.random.default_rng(100 + seed)
    n = 14
    k = 3 + seed % 4
    X = rng.random((n, 2))
    opt = exact_remote_cycle(X, k).value
    labels = None if seed % 2 else np.argsort(np.argsort(X[:, 0])) * 3 // n  # adversarial: by x
    sol = diversity_coreset(X, k, "remote-cycle", n_parts=3, labels=labels, seed=seed)
    assert sol.guarantee.ratio == pytest.approx(1 / 9)
    assert sol.value <= opt + 1e-9 and sol.guarantee.holds(sol.value, opt)
    assert len(set(sol.selection.tolist())) == k
    assert diversity_coreset(X, k, "remote-cycle", algorithm="local-search", seed=seed).guarantee is None


def test_cosine_has_no_guarantee():
    X = np.random.default_rng(0).random((20, 4)) + 0.1
    sol = diversify(X, 5, "remote-cycle", metric="cosine")
    assert sol.guarantee is None and sol.upper_bound is None and sol.value > 0


def test_bad_input():
    X = np.random.default_rng(0).random((6, 2))
    with pytest.raises(InvalidParameterError, match="k"):
        diversify(X, 7, "remote-cycle")
    with pytest.raises(InvalidParameterError, match="k"):
        diversify(X, -1, "remote-cycle")
    with pytest.raises(InvalidParameterError, match="X"):
        diversify(np.array([[0.0, np.nan], [1, 1]]), 2, "remote-cycle")
    with pytest.raises(InvalidParameterError, match="time_limit"):
        diversify(X, 3, "remote-cycle", time_limit=0)
    with pytest.raises(InvalidParameterError, match="algorithm"):
        diversify(X, 3, "remote-cycle", algorithm="greedy")
    with pytest.raises(InvalidParameterError, match="quality"):
        diversify(X, 3, "remote-cycle", quality=np.ones(6))
    with pytest.raises(InvalidParameterError, match="dist"):
        tsp_tour(np.array([[0.0, 1.0], [2.0, 0.0]]))
    with pytest.raises(InvalidParameterError, match="dist"):
        tsp_tour(-np.ones((3, 3)))
    with pytest.raises(InvalidParameterError, match="held_karp_max"):
        tsp_tour(np.zeros((3, 3)), held_karp_max=30)
    with pytest.raises(InvalidParameterError, match="dist"):
        held_karp(np.zeros((25, 25)))
    with pytest.raises(InvalidParameterError, match="k"):
        exact_remote_cycle(np.random.default_rng(0).random((40, 2)), 12)
