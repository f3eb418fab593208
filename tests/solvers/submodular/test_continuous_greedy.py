"""Continuous greedy with swap rounding: against brute-force optima under matroids (the
derived ratio on F(x) on every run, on the rounded value in the mean), the certified upper
bound, greedy's 1/2 tight example, the rounding's marginals and the multilinear extension
against its exact value."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from submodkit import Coverage, FacilityLocation, maximize
from submodkit.constraints import GraphicMatroid, LaminarMatroid, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.continuous_greedy import (
    _Partition,
    continuous_greedy,
    max_weight_basis,
    multilinear_extension,
    swap_round,
)

E = np.e


def _coverage(seed, n=10, m=14):
    rng = np.random.default_rng(seed)
    sets = [sorted(set(rng.integers(0, m, size=rng.integers(1, 5)).tolist())) for _ in range(n)]
    return Coverage(sets, weights=rng.integers(1, 10, size=m).astype(float))


def _brute_force(f, matroid):
    """The best independent set (every subset enumerated)."""
    return brute_force_maximize(f, constraint=matroid).value


def _matroids(seed, n):
    rng = np.random.default_rng(100 + seed)
    groups = rng.integers(0, 3, size=n)
    yield "partition", PartitionMatroid(groups, [1, 2, 1]), _Partition(PartitionMatroid(groups, [1, 2, 1]))
    edges = rng.integers(0, 5, size=(n, 2))
    g = GraphicMatroid(edges)
    yield "graphic", g, g
    lam = LaminarMatroid(n, [list(range(n // 2)), list(range(n)), [0, 1, 2]], [2, 4, 1])
    yield "laminar", lam, lam


@pytest.mark.parametrize("seed", range(4))
def test_against_brute_force_under_matroids(seed):
    # weighted coverage: exact marginals, so F(x) itself clears the derived ratio on every
    # run (deterministic), the rounded value does in expectation (mean over seeds), and the
    # certified upper bound is at least the optimum
    f = _coverage(seed)
    for name, constraint, as_matroid in _matroids(seed, f.n):
        opt = _brute_force(f, as_matroid)
        values = []
        for s in range(5):
            sol = continuous_greedy(f, constraint=constraint, seed=s)
            assert sol.stats["marginals"] == "exact" and sol.guarantee is not None
            assert sol.guarantee.ratio >= 1 - 1 / E - 0.1
            assert as_matroid.is_independent(sol.selection), name
            assert sol.value == pytest.approx(f.evaluate(sol.selection))
            assert sol.stats["fractional_value"] >= sol.guarantee.ratio * opt - 1e-9, name
            assert sol.value <= opt + 1e-9
            assert sol.upper_bound >= opt - 1e-9, name
            values.append(sol.value)
        assert np.mean(values) >= sol.guarantee.ratio * opt, (name, values, opt)


def test_sampled_marginals_certify_a_bound_but_claim_no_ratio():
    rng = np.random.default_rng(4)
    f = FacilityLocation(np.round(rng.random((9, 12)) * 10))
    m = PartitionMatroid(np.arange(9) % 3, [1, 1, 2])
    opt = _brute_force(f, _Partition(m))
    values = []
    for s in range(4):
        sol = continuous_greedy(f, constraint=m, seed=s)
        assert sol.guarantee is None and sol.stats["marginals"] == "sampled"
        assert sol.value <= opt + 1e-9 <= sol.upper_bound + 2e-9
        values.append(sol.value)
    assert np.mean(values) >= (1 - 1 / E) * opt


def test_cardinality_is_the_uniform_matroid():
    f = _coverage(7)
    sol = continuous_greedy(f, 3, seed=0)
    assert len(sol.selection) == 3
    best = max(f.evaluate(list(s)) for s in itertools.combinations(range(f.n), 3))
    assert sol.upper_bound >= best - 1e-9 and sol.value <= best + 1e-9


def test_greedy_tight_example():
    # r groups of two: item a_i covers {u_i, v_i} with u_i heavy and v_i light, item b_i
    # covers {w_i}; a group of its own holds c_i covering {u_i}. Greedy takes every a_i
    # (gain 1 + eps) and then nothing (the c_i add 0): about half of the optimum b_i + c_i
    r = 4
    sets, weights = [], []
    groups = []
    for i in range(r):
        u, v, w = 3 * i, 3 * i + 1, 3 * i + 2
        weights += [1.0, 0.01, 1.0]
        sets += [[u, v], [w]]
        groups += [i, i]
    for i in range(r):
        sets.append([3 * i])
        groups.append(r + i)
    f = Coverage(sets, weights=weights)
    m = PartitionMatroid(groups, [1] * (2 * r))
    opt = 2.0 * r + 0.0  # b_i + c_i in every group
    greedy = maximize(f, constraint=m)
    assert greedy.value == pytest.approx(r * 1.01)  # about 1/2 of the optimum
    # continuous greedy's 1 - 1/e holds in expectation: the mean over seeds clears it, far
    # above greedy's half
    sols = [continuous_greedy(f, constraint=m, epsilon=0.05, seed=s) for s in range(12)]
    ratio = sols[0].guarantee.ratio
    assert ratio >= 1 - 1 / E - 0.05
    assert all(s.stats["fractional_value"] >= ratio * opt for s in sols)
    assert np.mean([s.value for s in sols]) >= ratio * opt > 1.2 * greedy.value
    via_maximize = [maximize(f, constraint=m, algorithm="continuous-greedy", seed=s) for s in range(12)]
    assert np.mean([s.value for s in via_maximize]) >= via_maximize[0].guarantee.ratio * opt


def test_swap_round_keeps_the_marginals():
    # E[1{j in S}] = x_j, x the average of the bases (checked within 4 standard errors)
    g = GraphicMatroid([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (1, 3)])
    bases = [[0, 1, 2], [3, 4, 1], [5, 0, 4], [2, 3, 5]]
    x = np.zeros(6)
    for b in bases:
        x[b] += 0.25
    trials = 2000
    counts = np.zeros(6)
    for s in range(trials):
        out = swap_round(g, bases, seed=s)
        assert g.is_independent(out) and len(out) == 3
        counts[out] += 1
    se = np.sqrt(x * (1 - x) / trials)
    assert np.all(np.abs(counts / trials - x) <= 4 * se + 1e-12), (counts / trials, x)


def _exact_extension(f, x):
    """F(x) by summing over all 2^n subsets."""
    n = len(x)
    total = 0.0
    for mask in range(2**n):
        s = [j for j in range(n) if mask >> j & 1]
        total += np.prod([x[j] if j in s else 1 - x[j] for j in range(n)]) * f.evaluate(s)
    return total


def test_multilinear_extension_against_the_exact_sum():
    # coverage: closed form, equal to the 2^n sum; facility location: sampled, within 4 SE
    x = np.linspace(0.1, 0.9, 7)
    f = _coverage(3, n=7, m=9)
    value, grad = multilinear_extension(f, x)
    assert value == pytest.approx(_exact_extension(f, x), rel=1e-12)
    for j in (0, 3, 6):  # dF/dx_j = F(x with x_j = 1) - F(x with x_j = 0)
        hi, lo = x.copy(), x.copy()
        hi[j], lo[j] = 1.0, 0.0
        assert grad[j] == pytest.approx(_exact_extension(f, hi) - _exact_extension(f, lo), rel=1e-9)
    g = FacilityLocation(np.random.default_rng(0).random((7, 5)))
    value, grad = multilinear_extension(g, x, samples=4000, seed=0)
    spread = g.evaluate(list(range(7)))
    assert abs(value - _exact_extension(g, x)) <= 4 * spread / np.sqrt(4000)
    hi, lo = x.copy(), x.copy()
    hi[3], lo[3] = 1.0, 0.0
    assert abs(grad[3] - (_exact_extension(g, hi) - _exact_extension(g, lo))) <= 8 * spread / np.sqrt(4000)


def test_max_weight_basis_is_optimal():
    g = GraphicMatroid([(0, 1), (1, 2), (0, 2), (2, 3), (3, 0)])
    w = np.array([5.0, 1.0, 4.0, 3.0, 2.0])
    best = max(sum(w[list(s)]) for r in range(4) for s in itertools.combinations(range(5), r)
               if g.is_independent(list(s)))
    assert sum(w[max_weight_basis(g, w)]) == best


def test_determinism_and_errors():
    f = _coverage(1)
    m = PartitionMatroid(np.arange(f.n) % 3, [1, 1, 1])
    a = continuous_greedy(f, constraint=m, seed=5)
    b = continuous_greedy(f, constraint=m, seed=5)
    assert a.selection.tolist() == b.selection.tolist() and a.value == b.value
    with pytest.raises(InvalidParameterError, match="k=3"):
        continuous_greedy(f, 3, constraint=m)
    with pytest.raises(InvalidParameterError, match="k=None"):
        continuous_greedy(f)
    with pytest.raises(InvalidParameterError, match="steps"):
        continuous_greedy(f, 2, steps=0)
    with pytest.raises(InvalidParameterError, match="epsilon"):
        continuous_greedy(f, 2, epsilon=0.0)
    with pytest.raises(InvalidParameterError, match="probabilities"):
        multilinear_extension(f, np.full(f.n, 1.5))
