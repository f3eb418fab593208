"""Mixtures: values against the weighted sum of the components, and greedy on them."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.objectives import (
    Coverage,
    FacilityLocation,
    FeatureBased,
    GraphCut,
    ProbabilisticCoverage,
    SaturatedCoverage,
)
from submodkit.objectives import kernels as K
from submodkit.objectives.mixture import Mixture
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.greedy import maximize


def _components(seed, n=8, m=6, sparse=False):
    rng = np.random.default_rng(seed)
    A = rng.random((n, m))
    As = sp.csr_matrix(A * (rng.random((n, m)) < 0.5)) if sparse else A
    return [
        FacilityLocation(As),
        FeatureBased(As, "sqrt"),
        FeatureBased(A, "log"),
        SaturatedCoverage(As, alpha=0.3),
        ProbabilisticCoverage(A * 0.8),
        Coverage((rng.random((n, m)) < 0.3).astype(float), weights=rng.integers(1, 4, m)),
    ], rng


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("sparse", [False, True])
def test_values_and_gains_match_weighted_sum(seed, sparse):
    comps, rng = _components(seed, sparse=sparse)
    weights = rng.random(len(comps)) * 2
    modular = rng.normal(size=8)
    f = Mixture(comps, weights, modular=modular)
    assert f.kind == K.KIND_MIX_CSR  # coverage is CSR
    for r in range(0, 9, 2):
        for s in itertools.islice(itertools.combinations(range(8), r), 6):
            ref = sum(w * c.evaluate(s) for c, w in zip(comps, weights, strict=True)) + modular[list(s)].sum()
            assert f.evaluate(s) == pytest.approx(ref)
    sel = [1, 5]
    ref = [f.evaluate(sel + [j]) - f.evaluate(sel) if j not in sel else 0.0 for j in range(8)]
    np.testing.assert_allclose(f.gains(sel), ref, atol=1e-12)


def test_all_dense_uses_dense_kind_and_nested_mixtures_flatten():
    comps, _ = _components(0)
    dense = Mixture(comps[:3], [1.0, 2.0, 0.5])
    assert dense.kind == K.KIND_MIX_DENSE and dense.monotone and dense.submodular
    nested = Mixture([dense, comps[5]], [2.0, 1.0], modular=np.full(8, 0.25))
    s = [0, 3, 4]
    assert nested.evaluate(s) == pytest.approx(2 * dense.evaluate(s) + comps[5].evaluate(s) + 0.75)


@pytest.mark.parametrize("seed", range(4))
def test_greedy_on_mixture_meets_its_guarantee(seed):
    comps, rng = _components(seed)
    f = Mixture(comps, rng.random(len(comps)))
    opt = brute_force_maximize(f, 3).value
    lazy = maximize(f, 3)
    naive = maximize(f, 3, algorithm="naive")
    assert lazy.selection.tolist() == naive.selection.tolist()
    assert lazy.value >= lazy.guarantee.ratio * opt - 1e-9
    assert lazy.upper_bound >= opt - 1e-9


def test_negative_modular_is_non_monotone():
    comps, _ = _components(1)
    f = Mixture(comps[:2], modular=-np.ones(8))
    assert not f.monotone and not f.nonnegative
    assert maximize(f, 2, algorithm="lazy").guarantee is None


@pytest.mark.parametrize(
    "args",
    [
        lambda c: ([],),
        lambda c: ([c[0], GraphCut(np.ones((8, 8)))],),
        lambda c: ([c[0], FeatureBased(np.ones((5, 2)))],),
        lambda c: (c[:2], [1.0, -1.0]),
        lambda c: (c[:2], [1.0]),
        lambda c: (c[:2], None, np.ones(3)),
        lambda c: ([c[0], "f"],),
    ],
)
def test_invalid(args):
    comps, _ = _components(0)
    with pytest.raises(InvalidParameterError):
        Mixture(*args(comps))
