"""Parity with apricot and submodlib on scikit-learn's digits, precomputed similarity.

The stored reference (tests/data/digits_apricot_k40.json, made with apricot-select 0.6.1's
lazy optimizer) always runs; the live comparisons skip when the libraries are absent.
"""

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402

from submodkit.objectives import FacilityLocation, FeatureBased, SaturatedCoverage, pairwise_similarity  # noqa: E402
from submodkit.selector import SubsetSelector  # noqa: E402
from submodkit.solvers.submodular.greedy import maximize  # noqa: E402

REF = json.loads((Path(__file__).parent / "data" / "digits_apricot_k40.json").read_text())
K = REF["k"]


@pytest.fixture(scope="module")
def digits():
    X = load_digits().data
    S = pairwise_similarity(X, "correlation")
    C = np.where(S > np.quantile(S, 0.95), S, 0.0)
    return X, S, C


def _ours(digits):
    X, S, C = digits
    return {
        "facility-location": maximize(FacilityLocation(S), K, algorithm="lazy"),
        "feature-based-sqrt": maximize(FeatureBased(X, "sqrt"), K, algorithm="lazy"),
        "max-coverage": maximize(SaturatedCoverage(C, caps=np.ones(C.shape[1])), K, algorithm="lazy"),
    }


def test_similarity_matches_apricot_conventions(digits):
    X, S, _ = digits
    assert np.allclose(S, np.corrcoef(X) ** 2)  # apricot's "correlation"
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)[:200, :200]
    assert np.allclose(pairwise_similarity(X[:200], "euclidean"), D.max() - D)  # apricot's "euclidean"


@pytest.mark.parametrize("name", ["facility-location", "feature-based-sqrt", "max-coverage"])
def test_stored_apricot_reference(digits, name):
    sol = _ours(digits)[name]
    assert sol.selection.tolist() == REF[name]["ranking"]
    np.testing.assert_allclose(sol.gains, REF[name]["gains"], rtol=1e-9, atol=1e-9)


def test_selector_reproduces_reference(digits):
    X, S, C = digits
    fl = SubsetSelector(K, metric="precomputed").fit(S)
    assert fl.ranking_.tolist() == REF["facility-location"]["ranking"]
    fb = SubsetSelector(K, objective="feature-based").fit(X)
    assert fb.ranking_.tolist() == REF["feature-based-sqrt"]["ranking"]
    cov = SubsetSelector(K, objective="coverage").fit(C)
    assert cov.ranking_.tolist() == REF["max-coverage"]["ranking"]
    np.testing.assert_allclose(cov.gains_, REF["max-coverage"]["gains"], rtol=1e-9)


def test_live_apricot(digits):
    apricot = pytest.importorskip("apricot")
    X, S, C = digits
    ours = _ours(digits)
    runs = {
        "facility-location":
            apricot.FacilityLocationSelection(K, metric="precomputed", optimizer="lazy").fit(S),
        "feature-based-sqrt": apricot.FeatureBasedSelection(K, concave_func="sqrt", optimizer="lazy").fit(X),
        "max-coverage": apricot.MaxCoverageSelection(K, optimizer="lazy").fit(C),
    }
    for name, sel in runs.items():
        assert ours[name].selection.tolist() == list(sel.ranking), name
        np.testing.assert_allclose(ours[name].gains, sel.gains, rtol=1e-9, atol=1e-9)


def test_live_submodlib(digits):
    submodlib = pytest.importorskip("submodlib")
    _, S, _ = digits
    f = submodlib.FacilityLocationFunction(n=S.shape[0], mode="dense", sijs=S, separate_rep=False)
    res = f.maximize(budget=K, optimizer="LazyGreedy", stopIfZeroGain=False, stopIfNegativeGain=False,
                     show_progress=False)
    ours = _ours(digits)["facility-location"]
    assert [int(r[0]) for r in res] == ours.selection.tolist()
    np.testing.assert_allclose([r[1] for r in res], ours.gains, rtol=1e-5)  # submodlib works in float32


def test_float32_and_numpy_path_keep_the_reference(digits):
    X, S, C = digits
    ours = _ours(digits)
    S32 = pairwise_similarity(X, "correlation", dtype=np.float32)
    for name, f in (("facility-location", FacilityLocation(S32, dtype=np.float32)),
                    ("feature-based-sqrt", FeatureBased(X, "sqrt", dtype=np.float32)),
                    ("max-coverage", SaturatedCoverage(C, caps=np.ones(C.shape[1]), dtype=np.float32))):
        for backend in ("numpy", "numba"):
            sol = maximize(f, K, algorithm="lazy", backend=backend)
            assert sol.selection.tolist() == ours[name].selection.tolist()
            np.testing.assert_allclose(sol.gains, ours[name].gains, rtol=1e-5)
    for name, f in (("facility-location", FacilityLocation(S)),
                    ("feature-based-sqrt", FeatureBased(X, "sqrt")),
                    ("max-coverage", SaturatedCoverage(C, caps=np.ones(C.shape[1])))):
        sol = maximize(f, K, algorithm="lazy", backend="numpy")
        assert sol.selection.tolist() == ours[name].selection.tolist() == REF[name]["ranking"]
        np.testing.assert_allclose(sol.gains, ours[name].gains, rtol=1e-12)
