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
from submodkit.objectives import Coverage


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


# --------------------------------------------------------------------------- GMM, Sieve, BALANCE


def _gmm_plain(X: np.ndarray, k: int) -> float:
    """Farthest-point greedy from the point farthest from point 0 (ties: smallest index)."""
    d = np.abs(X[:, None, 0] - X[None, :, 0])
    sel = [int(np.argmax(d[0]))]
    mind = d[sel[0]].copy()
    while len(sel) < k:
        sel.append(int(np.argmax(mind)))
        mind = np.minimum(mind, d[sel[-1]])
    return min(d[a, b] for a, b in itertools.combinations(sel, 2))


@pytest.mark.parametrize("k", [4, 6, 7])
def test_gmm_tight_dispersion_by_brute_force(k: int) -> None:
    from submodkit.instances.generators import gmm_tight_dispersion

    X, kk, opt = gmm_tight_dispersion(k)
    assert kk == k and X.shape == (2 * k - 1, 1)
    x = X[:, 0]
    best = max(np.diff(np.sort(x[list(c)])).min() for c in itertools.combinations(range(x.size), k))
    assert best == opt == 1.0
    assert _gmm_plain(X, k) == 0.5


@pytest.mark.parametrize("k", [1, 3, 5, 9, 17])
def test_gmm_tight_dispersion_rejects(k: int) -> None:
    from submodkit.instances.generators import gmm_tight_dispersion

    with pytest.raises(InvalidParameterError):
        gmm_tight_dispersion(k)


def _sieve_plus_plain(sets: list[set[int]], w: np.ndarray, k: int, eps: float) -> float:
    """Sieve-Streaming++ with every threshold (1+eps)^i in [m / (2k(1+eps)), m] kept for
    the whole stream (no lower-bound pruning): an upper bound on the pruned algorithm."""
    base = math.exp(math.log1p(eps))
    m = max(w[list(s)].sum() for s in sets)
    lo = math.ceil(math.log(m / (2 * k)) / math.log(base) - 1)
    hi = math.floor(math.log(m) / math.log(base))
    best = 0.0
    for i in range(lo, hi + 1):
        tau, covered, size, value = base**i, set(), 0, 0.0
        for s in sets:
            g = w[list(s - covered)].sum()
            if size < k and g > 0 and g >= tau:
                covered |= s
                size += 1
                value += g
        best = max(best, value)
    return best


@pytest.mark.parametrize("k", [3, 6, 12])
def test_sieve_tight_stream(k: int) -> None:
    from submodkit.instances.generators import sieve_tight_stream

    ss, kk, opt = sieve_tight_stream(k, epsilon=0.1)
    c = math.sqrt(1.1)
    assert kk == k and opt == pytest.approx(k * c)
    # OPT: no item is worth more than c, and the k optimal items reach k c
    singles = ss.sets @ ss.weights
    assert singles.max() <= c * (1 + 1e-12)
    opt_sel = ss.meta["optimal_selection"]
    covered = np.unique(ss.sets[opt_sel].indices)
    assert ss.weights[covered].sum() == pytest.approx(opt, rel=1e-12)
    assert (ss.weights >= 0).all()
    sets = [set(ss.sets[i].indices.tolist()) for i in range(ss.n_sets)]
    plain = _sieve_plus_plain(sets, ss.weights, k, 0.1)
    assert plain <= ss.meta["predicted_value"] * (1 + 1e-9)
    assert plain / opt <= 0.5 + 1.0 / k + 0.05


def test_sieve_tight_stream_for_sieve_and_rejects() -> None:
    from submodkit.instances.generators import sieve_tight_stream

    ss, k, opt = sieve_tight_stream(10, algorithm="sieve")
    assert ss.meta["predicted_ratio"] < 0.6 and ss.name == "sieve-tight-10"
    singles = ss.sets @ ss.weights
    assert singles.max() <= opt / k * (1 + 1e-12)
    covered = np.unique(ss.sets[ss.meta["optimal_selection"]].indices)
    assert ss.weights[covered].sum() == pytest.approx(opt, rel=1e-12)
    with pytest.raises(InvalidParameterError):
        sieve_tight_stream(1)
    with pytest.raises(InvalidParameterError):
        sieve_tight_stream(5, epsilon=0.0)
    with pytest.raises(InvalidParameterError):
        sieve_tight_stream(5, algorithm="greedy")


@pytest.mark.parametrize(("n", "b"), [(1, 1), (4, 3), (7, 2)])
def test_balance_tight(n: int, b: int) -> None:
    from submodkit.instances.online import balance_tight
    from submodkit.solvers.matching.online import offline_optimum

    inst = balance_tight(n, b)
    a = inst.adjacency.toarray()
    assert a.shape == (n * b, n) and (inst.capacities == b).all()
    for t in range(n * b):
        assert a[t].tolist() == [0] * (t // b) + [1] * (n - t // b)
    opt = offline_optimum(inst.adjacency.tocsr(), np.arange(n * b), inst.capacities)
    assert opt == n * b == inst.meta["optimum"]
    with pytest.raises(InvalidParameterError):
        balance_tight(0, 1)


@pytest.mark.parametrize("eps", [0.05, 0.2, 0.5])
@pytest.mark.parametrize("algorithm", ["sieve++", "sieve"])
def test_sieve_tight_stream_prediction_is_what_the_algorithm_gets(eps: float, algorithm: str) -> None:
    from submodkit.instances.generators import sieve_tight_stream
    from submodkit.solvers.submodular.streaming import StreamingMaximizer

    for k in (7, 13):
        ss, k, opt = sieve_tight_stream(k, epsilon=eps, algorithm=algorithm)
        sm = StreamingMaximizer(Coverage.from_set_system(ss), k, algorithm=algorithm, epsilon=eps)
        sm.update(np.arange(ss.n_sets))
        assert sm.solution().value == pytest.approx(ss.meta["predicted_value"], rel=1e-9)
        assert ss.meta["predicted_ratio"] >= 0.5 - eps  # the guarantee holds
