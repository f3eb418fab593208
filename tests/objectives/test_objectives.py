"""Objectives: values against direct numpy formulas, and submodularity / monotonicity."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from submodkit.errors import InvalidParameterError
from submodkit.objectives import (
    Coverage,
    FacilityLocation,
    FeatureBased,
    GraphCut,
    ProbabilisticCoverage,
    SaturatedCoverage,
    knn_similarity,
    pairwise_similarity,
)


def _direct(name, M, w, S, extra=None):
    """The objective's value computed straight from its definition."""
    S = sorted(set(S))
    if name == "coverage":
        return float(w[(M[S] > 0).any(axis=0)].sum()) if S else 0.0
    if name == "facility":
        return float((w * M[S].max(axis=0)).sum()) if S else 0.0
    if name.startswith("feature-"):
        x = M[S].sum(axis=0)
        phi = {"sqrt": np.sqrt, "log": np.log1p, "inverse": lambda v: v / (1 + v),
               "min1": lambda v: np.minimum(1, v), "identity": lambda v: v}[name[8:]]
        return float((w * phi(x)).sum())
    if name == "saturated":
        caps = extra * M.sum(axis=0)
        return float((w * np.minimum(caps, M[S].sum(axis=0))).sum())
    if name == "probabilistic":
        return float((w * (1 - np.prod(1 - M[S], axis=0))).sum())
    if name == "graph-cut":
        return float(M[:, S].sum() - extra * M[np.ix_(S, S)].sum())
    raise AssertionError(name)


def _make(name, rng, n=8, m=10, sparse=False):
    M = rng.random((n, m)) * (rng.random((n, m)) < 0.6)
    w = rng.random(m) + 0.1
    extra = None
    mat = sp.csr_matrix(M) if sparse else M
    if name == "coverage":
        M = (M > 0).astype(float)
        obj = Coverage(sp.csr_matrix(M) if sparse else M, weights=w)
    elif name == "facility":
        obj = FacilityLocation(mat, weights=w)
    elif name.startswith("feature-"):
        obj = FeatureBased(mat, concave=name[8:], weights=w)
    elif name == "saturated":
        extra = 0.3
        obj = SaturatedCoverage(mat, alpha=extra, weights=w)
    elif name == "probabilistic":
        obj = ProbabilisticCoverage(mat, weights=w)
    else:
        M = rng.random((n, n))
        M = (M + M.T) / 2
        w = None
        extra = float(rng.choice([0.0, 0.25, 0.5, 1.0, 2.0]))
        obj = GraphCut(sp.csr_matrix(M) if sparse else M, lam=extra)
    return obj, M, w, extra


NAMES = ["coverage", "facility", "feature-sqrt", "feature-log", "feature-inverse", "feature-min1",
         "feature-identity", "saturated", "probabilistic", "graph-cut"]


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_value_matches_definition(name, sparse):
    rng = np.random.default_rng(7)
    for _ in range(5):
        obj, M, w, extra = _make(name, rng, sparse=sparse)
        for size in range(0, 6):
            S = rng.choice(obj.n, size=size, replace=False)
            assert obj.evaluate(S) == pytest.approx(_direct(name, M, w, S, extra), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_gains_are_differences(name):
    rng = np.random.default_rng(3)
    obj, M, w, extra = _make(name, rng)
    S = [1, 4]
    g = obj.gains(S)
    for j in range(obj.n):
        expected = 0.0 if j in S else obj.evaluate(S + [j]) - obj.evaluate(S)
        assert g[j] == pytest.approx(expected, abs=1e-9)
    assert obj.gains(S, candidates=[0, 2]) == pytest.approx(g[[0, 2]])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    name=st.sampled_from(NAMES),
    sparse=st.booleans(),
    data=st.data(),
)
def test_submodular_and_monotone(seed, name, sparse, data):
    rng = np.random.default_rng(seed)
    obj, *_ = _make(name, rng, sparse=sparse)
    n = obj.n
    B = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n - 1))
    A = [x for x in B if data.draw(st.booleans())]
    j = data.draw(st.integers(0, n - 1).filter(lambda x: x not in B))
    tol = 1e-9
    gain_a = obj.evaluate(A + [j]) - obj.evaluate(A)
    gain_b = obj.evaluate(B + [j]) - obj.evaluate(B)
    assert gain_a >= gain_b - tol  # diminishing returns
    if obj.monotone:
        assert obj.evaluate(B) >= obj.evaluate(A) - tol
        assert gain_b >= -tol


def test_graph_cut_monotone_flag_is_exact():
    rng = np.random.default_rng(0)
    M = rng.random((6, 6))
    M = (M + M.T) / 2
    assert GraphCut(M, lam=0.5).monotone
    big = GraphCut(M, lam=5.0)
    assert not big.monotone
    # the flag is justified: some gain is negative
    full = list(range(6))
    assert min(big.evaluate(full) - big.evaluate(full[:j] + full[j + 1:]) for j in full) < 0


def test_coverage_inputs_agree():
    lists = [[0, 2], [1], [2, 3, 3]]
    dense = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 1]])
    a, b, c = Coverage(lists), Coverage(dense), Coverage(sp.csr_matrix(dense))
    for S in ([0], [0, 1], [2], [0, 1, 2]):
        assert a.evaluate(S) == b.evaluate(S) == c.evaluate(S)
    assert Coverage(lists).evaluate([0, 0, 0]) == 2.0


def test_facility_location_from_features_dense_and_knn():
    rng = np.random.default_rng(1)
    X = rng.random((40, 3))
    for metric in ("euclidean", "cosine", "correlation"):
        dense = pairwise_similarity(X, metric)
        assert dense.min() >= 0 and np.allclose(dense, dense.T)
        knn = knn_similarity(X, metric, n_neighbors=40).toarray()
        if metric != "euclidean":  # full kNN equals the dense matrix
            assert np.allclose(knn, dense, atol=1e-9)
    # kNN keeps exactly the nearest rows of each column
    sim = knn_similarity(X, "euclidean", n_neighbors=5)
    assert sim.shape == (40, 40) and np.all(np.diff(sim.tocsc().indptr) == 5)
    fl = FacilityLocation.from_features(X, n_neighbors=5)
    assert fl.sparse and fl.evaluate(range(40)) > 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Coverage([[0, 1]], weights=[1.0, np.nan]),
        lambda: Coverage([[0, -1]]),
        lambda: Coverage([]),
        lambda: FacilityLocation([[1.0, -0.5]]),
        lambda: FacilityLocation(np.full((2, 2), np.nan)),
        lambda: FeatureBased([[1.0]], concave="cube"),
        lambda: ProbabilisticCoverage([[1.5]]),
        lambda: SaturatedCoverage([[1.0]], alpha=0.0),
        lambda: GraphCut(np.ones((2, 3))),
        lambda: GraphCut(np.ones((2, 2)), lam=-1),
    ],
)
def test_bad_input_is_rejected(make):
    with pytest.raises(InvalidParameterError):
        make()


def test_selection_out_of_range_is_rejected():
    with pytest.raises(InvalidParameterError, match="indices in"):
        Coverage([[0], [1]]).evaluate([2])
