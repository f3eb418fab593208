"""Coverage sketches: construction invariants, and greedy on the sketch against greedy on the input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submodkit.coresets.sketch import (
    CoverageSketch,
    EdgeStreamSketch,
    coverage_sketch,
    degree_cap,
    element_hash,
    paper_budget,
    sketch_maximize,
)
from submodkit.errors import InvalidParameterError
from submodkit.instances import random_set_system, read_instance
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.greedy import maximize


def _skewed(n_sets=3000, n_elements=40000, seed=0):
    """Set sizes spread over two orders of magnitude (as in real coverage data)."""
    rng = np.random.default_rng(seed)
    sizes = np.minimum((rng.pareto(1.2, n_sets) + 1) * 20, n_elements // 4).astype(int)
    rows = [rng.choice(n_elements, s, replace=False) for s in sizes]
    return Coverage(rows, n_elements=n_elements)


_SMALL = Coverage(
    (np.random.default_rng(5).random((60, 300)) < np.linspace(0.01, 0.3, 60)[:, None]).astype(float)
)


def test_full_budget_keeps_the_input():
    f = Coverage.from_set_system(random_set_system(60, 200, mean_set_size=10, seed=1))
    sk = coverage_sketch(f, 0.2, seed=3)
    assert isinstance(sk, CoverageSketch) and sk.full_budget
    assert sk.size == sk.input_size == f.nnz and sk.threshold == 1.0
    assert sk.n == f.n
    assert (sk.sets != f.sets[:, sk.elements]).nnz == 0
    sol = sketch_maximize(f, 5, 0.2, seed=3)
    assert sol.selection.tolist() == maximize(f, 5).selection.tolist()
    assert sol.guarantee.ratio == pytest.approx(1 - (1 - 1 / 5) ** 5)


def test_sampling_threshold_budget_and_degree_cap():
    f = _skewed()
    budget = f.nnz // 20
    sk = coverage_sketch(f, 0.1, seed=7, k=200, max_edges=budget)
    assert sk.size <= budget and not sk.full_budget
    h = element_hash(np.arange(f.state_size), seed=7)
    deg = np.bincount(f.indices, minlength=f.state_size)
    # exactly the elements hashed at or below the threshold are sampled
    assert np.array_equal(sk.elements, np.flatnonzero(h <= sk.threshold))
    cap = degree_cap(f.n, 200, 0.1)
    assert sk.degree_cap == cap == math.ceil(f.n * math.log(10) / (0.1 * 200))
    kept_deg = np.bincount(sk.indices, minlength=sk.state_size)
    assert np.array_equal(kept_deg, np.minimum(deg[sk.elements], cap))
    # every kept incidence is an incidence of the input
    sub = f.sets[:, sk.elements]
    assert (sk.sets.multiply(sub) != sk.sets).nnz == 0
    # the same seed gives the same sketch, another seed another one
    again = coverage_sketch(f, 0.1, seed=7, k=200, max_edges=budget)
    assert np.array_equal(again.indices, sk.indices) and np.array_equal(again.elements, sk.elements)
    assert not np.array_equal(coverage_sketch(f, 0.1, seed=8, max_edges=budget).elements, sk.elements)


def test_scaled_sketch_value_estimates_coverage():
    f = _skewed(seed=2)
    sk = coverage_sketch(f, 0.1, seed=1, max_edges=f.nnz // 10)
    rng = np.random.default_rng(0)
    ratios = []
    for _ in range(5):  # about 1,000 sampled covered elements each: 4 standard deviations
        sel = rng.choice(f.n, 300, replace=False)
        ratios.append(sk.evaluate(sel) / sk.threshold / f.evaluate(sel))
    assert ratios == pytest.approx(np.ones(5), abs=0.13)


@pytest.mark.parametrize("seed", range(3))
def test_greedy_on_sketch_close_to_greedy_on_input(seed):
    f = _skewed(seed=seed)
    for k, frac in [(10, 10), (30, 20)]:
        full = maximize(f, k)
        sol = sketch_maximize(f, k, 0.1, seed=seed, max_edges=f.nnz // frac)
        assert sol.stats["compression"] >= frac * 0.95
        assert sol.guarantee is None  # below the analysed budget: no proven ratio
        assert sol.value == pytest.approx(f.evaluate(sol.selection))
        assert sol.gains.sum() == pytest.approx(sol.value)
        assert sol.value >= 0.95 * full.value


def test_against_exact_optimum_small():
    rng = np.random.default_rng(4)
    f = Coverage((rng.random((12, 400)) < 0.1).astype(float))
    opt = brute_force_maximize(f, 3).value
    vals = [sketch_maximize(f, 3, 0.1, seed=s, max_edges=f.nnz // 3).value for s in range(10)]
    assert np.mean(vals) >= (1 - 1 / math.e - 0.1) * opt


def test_ego_facebook(shared_data):
    g = read_instance(shared_data / "snap" / "facebook_combined.txt.gz")
    f = Coverage.from_set_system(g.to_set_system())
    full = maximize(f, 5).value
    vals = [sketch_maximize(f, 5, 0.1, seed=s, max_edges=f.nnz // 20) for s in range(3)]
    assert min(v.stats["compression"] for v in vals) >= 19
    assert np.mean([v.value for v in vals]) >= 0.9 * full


def _edges(sk):
    coo = sk.sets.tocoo()
    return sorted(zip(coo.row.tolist(), sk.elements[coo.col].tolist(), strict=True))


@settings(max_examples=25, deadline=None)
@given(
    order_seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(0, 3000), max_size=6),
    budget=st.integers(150, 3000),
    k=st.sampled_from([None, 40, 200]),  # degree caps: none, 13, 3
)
def test_edge_stream_sketch_equals_offline_sketch(order_seed, cuts, budget, k):
    f = _SMALL
    coo = f.sets.tocoo()
    rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
    rng = np.random.default_rng(order_seed)
    perm = rng.permutation(rows.size)
    repeat = rng.integers(0, rows.size, size=200)  # repeated edges count once
    rows, cols = np.concatenate([rows[perm], rows[repeat]]), np.concatenate([cols[perm], cols[repeat]])
    es = EdgeStreamSketch(f.n, 0.2, seed=11, k=k, max_edges=budget)
    for part_r, part_c in zip(np.split(rows, sorted(cuts)), np.split(cols, sorted(cuts)), strict=True):
        es.add_edges(part_r, part_c)
        assert es.size <= budget
    off = coverage_sketch(f, 0.2, seed=11, k=k, max_edges=budget)
    assert _edges(es.sketch()) == _edges(off)
    assert es.sketch().degree_cap == off.degree_cap
    if k == 200:
        assert np.bincount(off.indices).max() <= 3


def test_paper_budget_formula():
    n, eps = 1000, 0.1
    assert paper_budget(n, eps) == math.ceil(24 * n * math.log(1 / eps) * math.log(n) / (0.9 * eps**3))


@pytest.mark.parametrize(
    "kwargs",
    [{"epsilon": 0.0}, {"epsilon": 1.0}, {"epsilon": float("nan")}, {"epsilon": 0.1, "k": 0},
     {"epsilon": 0.1, "max_edges": 0}, {"epsilon": 0.1, "delta": -1.0}],
)
def test_invalid_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        coverage_sketch(Coverage([[0, 1], [1, 2]]), **kwargs)
    with pytest.raises(InvalidParameterError):
        coverage_sketch([[0, 1]], 0.1)
