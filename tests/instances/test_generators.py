"""Generators: reproducible random instances, and tight instances checked by brute force."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.instances import (
    Graph,
    PointSet,
    SetSystem,
    greedy_tight_max_cover,
    greedy_tight_set_cover,
    random_graph,
    random_points,
    random_set_system,
)


def greedy_max_cover(a: np.ndarray, w: np.ndarray, k: int) -> tuple[list[int], float]:
    """Plain greedy, ties to the smallest index (np.argmax): (selection, covered weight)."""
    covered = np.zeros(a.shape[1], dtype=bool)
    chosen = []
    for _ in range(k):
        gains = (a[:, ~covered] * w[~covered]).sum(axis=1)
        j = int(np.argmax(gains))
        chosen.append(j)
        covered |= a[j] > 0
    return chosen, float(w[covered].sum())


def greedy_set_cover(a: np.ndarray, costs: np.ndarray) -> tuple[list[int], float]:
    """Chvatal's greedy: least cost per newly covered element, ties to the smallest index."""
    covered = np.zeros(a.shape[1], dtype=bool)
    chosen = []
    while not covered.all():
        new = a[:, ~covered].sum(axis=1)
        ratio = np.where(new > 0, costs / np.maximum(new, 1), np.inf)
        j = int(np.argmin(ratio))
        chosen.append(j)
        covered |= a[j] > 0
    return chosen, float(costs[chosen].sum())


# --- random set systems --------------------------------------------------------------


def test_random_set_system_shape_and_reproducible() -> None:
    s = random_set_system(200, 300, density=0.05, seed=7, weighted=True, costs="random")
    assert isinstance(s, SetSystem) and s.sets.shape == (200, 300)
    assert s.sets.has_sorted_indices and np.all(s.sets.data == 1.0)
    assert abs(s.nnz / (200 * 300) - 0.05) < 0.01
    assert s.costs.min() >= 1 and s.costs.max() <= 100 and np.all(s.costs == np.round(s.costs))
    assert s.weights.min() >= 1 and s.weights.max() <= 10
    t = random_set_system(200, 300, density=0.05, seed=7, weighted=True, costs="random")
    assert (s.sets != t.sets).nnz == 0 and np.array_equal(s.costs, t.costs)
    u = random_set_system(200, 300, density=0.05, seed=8)
    assert (s.sets != u.sets).nnz > 0
    assert np.all(u.costs == 1) and np.all(u.weights == 1)


def test_random_set_system_mean_size_and_extremes() -> None:
    s = random_set_system(2000, 100_000, mean_set_size=20, seed=0)
    sizes = np.diff(s.sets.indptr)
    assert abs(sizes.mean() - 20) < 1
    assert random_set_system(3, 4, density=1.0, seed=0).nnz == 12
    assert random_set_system(3, 4, density=0.0, seed=0).nnz == 0


def test_random_set_system_ensure_covered() -> None:
    s = random_set_system(10, 500, density=0.01, seed=3, ensure_covered=True)
    assert np.all(np.diff(s.sets.tocsc().indptr) > 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_sets": 0, "n_elements": 3, "density": 0.1},
        {"n_sets": 3, "n_elements": 3},
        {"n_sets": 3, "n_elements": 3, "density": 0.1, "mean_set_size": 1},
        {"n_sets": 3, "n_elements": 3, "density": 1.5},
        {"n_sets": 3, "n_elements": 3, "mean_set_size": 4},
        {"n_sets": 3, "n_elements": 3, "density": 0.1, "costs": "free"},
    ],
)
def test_random_set_system_rejects(kwargs) -> None:
    with pytest.raises(InvalidParameterError):
        random_set_system(**kwargs)


# --- points and graphs ------------------------------------------------------------------


def test_random_points() -> None:
    p = random_points(100, 3, seed=1)
    assert isinstance(p, PointSet) and p.features.shape == (100, 3)
    assert np.array_equal(p.features, random_points(100, 3, seed=1).features)
    c = random_points(300, 2, seed=2, clusters=4)
    labels = np.array(c.meta["labels"])
    assert labels.shape == (300,) and set(labels.tolist()) <= {0, 1, 2, 3}
    centres = np.array([c.features[labels == i].mean(axis=0) for i in np.unique(labels)])
    spread = np.array([c.features[labels == i].std(axis=0).mean() for i in np.unique(labels)])
    assert np.all(spread < 1.5)  # unit-variance blobs
    assert centres.std() > 2  # far-apart centres
    with pytest.raises(InvalidParameterError):
        random_points(0, 2)


@pytest.mark.parametrize(("n", "m"), [(50, 100), (10, 40), (10, 45), (1, 0), (2000, 5000)])
def test_random_graph_is_simple(n: int, m: int) -> None:
    g = random_graph(n, m, seed=5, weighted=True)
    assert isinstance(g, Graph) and g.n_nodes == n and g.n_edges == m
    u, v = g.edges[:, 0], g.edges[:, 1]
    assert np.all(u < v) and (m == 0 or v.max() < n)
    assert np.unique(u * n + v).size == m  # no duplicate edges
    assert g.weights.shape == (m,) and (m == 0 or g.weights.min() >= 1)
    h = random_graph(n, m, seed=5, weighted=True)
    assert np.array_equal(g.edges, h.edges) and np.array_equal(g.weights, h.weights)


def test_random_graph_rejects_too_many_edges() -> None:
    with pytest.raises(InvalidParameterError, match="n\\(n-1\\)/2 = 45"):
        random_graph(10, 46)


# --- tight instances --------------------------------------------------------------------


@pytest.mark.parametrize("k", range(1, 14))
def test_greedy_tight_max_cover(k: int) -> None:
    system, kk, opt = greedy_tight_max_cover(k)
    assert kk == k and system.n_sets == 2 * k and system.n_elements == (k + 1) * k
    a, w = system.sets.toarray(), system.weights
    assert np.all(w == np.round(w))  # integer weights: every value below is exact
    assert opt == w.sum() == k ** (k + 1)
    # the optimal sets (columns) cover everything
    assert np.all(a[system.meta["optimal_selection"]].sum(axis=0) == 1)
    chosen, value = greedy_max_cover(a, w, k)
    assert chosen == system.meta["greedy_selection"] == list(range(k))
    assert value == system.meta["greedy_value"] == k ** (k + 1) - k * (k - 1) ** k
    assert Fraction(int(value), int(opt)) == 1 - Fraction(k - 1, k) ** k
    assert value / opt == pytest.approx(1 - (1 - 1 / k) ** k, rel=1e-15)


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_greedy_tight_max_cover_opt_by_brute_force(k: int) -> None:
    system, _, opt = greedy_tight_max_cover(k)
    a, w = system.sets.toarray(), system.weights
    best = max(w[a[list(s)].any(axis=0)].sum() for s in itertools.combinations(range(2 * k), k))
    assert best == opt


def test_greedy_tight_max_cover_ratio_approaches_1_minus_1_over_e() -> None:
    system, k, opt = greedy_tight_max_cover(13)
    assert abs(system.meta["greedy_value"] / opt - (1 - 1 / math.e)) < 0.015
    with pytest.raises(InvalidParameterError, match="k <= 13"):
        greedy_tight_max_cover(14)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 20, 36])
def test_greedy_tight_set_cover(n: int) -> None:
    system, opt = greedy_tight_set_cover(n)
    a, costs = system.sets.toarray(), system.costs
    assert system.n_sets == n + 1 and system.n_elements == n
    assert np.all(costs == np.round(costs))
    chosen, paid = greedy_set_cover(a, costs)
    assert chosen == system.meta["greedy_selection"] == list(range(n - 1, -1, -1))
    harmonic = sum(Fraction(1, i) for i in range(1, n + 1))
    assert Fraction(int(paid)) == Fraction(int(opt)) * harmonic
    assert paid == system.meta["greedy_value"]
    assert paid / opt == pytest.approx(float(harmonic), rel=1e-15)
    assert costs[system.meta["optimal_selection"]].sum() == opt
    # greedy also wins ties when it compares new elements per unit cost
    covered = np.zeros(n, dtype=bool)
    for j in chosen:
        new = a[:, ~covered].sum(axis=1)
        assert int(np.argmax(new / costs)) == j
        covered |= a[j] > 0


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 8])
def test_greedy_tight_set_cover_opt_by_brute_force(n: int) -> None:
    system, opt = greedy_tight_set_cover(n)
    a, costs = system.sets.toarray().astype(bool), system.costs
    best = min(
        costs[list(s)].sum()
        for r in range(1, n + 2)
        for s in itertools.combinations(range(n + 1), r)
        if a[list(s)].any(axis=0).all()
    )
    assert best == opt


def test_greedy_tight_set_cover_limit() -> None:
    with pytest.raises(InvalidParameterError, match="n <= 36"):
        greedy_tight_set_cover(37)
