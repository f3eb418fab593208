"""Numpy kernels against the Numba kernels, float32 storage, and the dense-size error."""

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.objectives import (
    Coverage,
    FacilityLocation,
    FeatureBased,
    GraphCut,
    Mixture,
    ProbabilisticCoverage,
    SaturatedCoverage,
    knn_similarity,
    pairwise_similarity,
    similarity,
)
from submodkit.objectives import numpy_kernels as NK
from submodkit.solvers.submodular.greedy import maximize


def _all_kinds(rng):
    A = rng.random((12, 9)) * (rng.random((12, 9)) < 0.5)
    S = rng.random((12, 12))
    return [
        FacilityLocation(A), FacilityLocation(sp.csr_matrix(A)), FeatureBased(A, "sqrt"),
        FeatureBased(sp.csr_matrix(A), "log"), FeatureBased(A, "inverse"), FeatureBased(A, "min1"),
        SaturatedCoverage(A, alpha=0.3), Coverage(A > 0.3, weights=rng.random(9)),
        ProbabilisticCoverage(A * 0.9), GraphCut(S, lam=0.7), GraphCut(sp.csr_matrix(S), lam=0.3),
        Mixture([FacilityLocation(A), FeatureBased(A), Coverage(A > 0.5)], [1.0, 0.5, 2.0],
                modular=-rng.random(12)),
        Mixture([FacilityLocation(sp.csr_matrix(A)), FeatureBased(A, "min1")], [1.0, 0.5]),
    ]


@pytest.mark.parametrize("seed", range(3))
def test_gains_commit_value_match_numba(seed):
    rng = np.random.default_rng(seed)
    for f in _all_kinds(rng):
        sel = rng.choice(f.n, size=4, replace=False)
        args = f.kernel_args()
        cur = f.new_state()
        for j in sel:
            NK.commit(args, cur, int(j))
        np.testing.assert_allclose(cur, f.state(sel), rtol=1e-12, atol=1e-12)
        cand = np.arange(f.n, dtype=np.int64)
        expect = f.gains(sel)
        got = NK.gains(args, cur, cand)
        got[sel] = 0.0
        np.testing.assert_allclose(got, expect, rtol=1e-10, atol=1e-12)
        assert NK.value(args, f.new_state(), np.concatenate([sel, sel[:1]])) == pytest.approx(f.evaluate(sel))


def test_pairwise_float32_is_the_rounded_float64():
    X = np.random.default_rng(0).random((1500, 7))  # more rows than one block
    for metric in ("euclidean", "cosine", "correlation"):
        s64 = pairwise_similarity(X, metric)
        s32 = pairwise_similarity(X, metric, dtype=np.float32)
        assert s32.dtype == np.float32
        np.testing.assert_array_equal(s32, s64.astype(np.float32))
    sq = np.einsum("ij,ij->i", X, X)
    D = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (X @ X.T), 0.0)
    np.fill_diagonal(D, 0.0)
    np.testing.assert_array_equal(pairwise_similarity(X, "euclidean"), D.max() - D)


def test_float32_storage_same_selection_half_memory():
    rng = np.random.default_rng(3)
    X = rng.random((300, 10))
    f64 = FacilityLocation.from_features(X)
    f32 = FacilityLocation.from_features(X, dtype=np.float32)
    assert f32.dense.dtype == np.float32 and f32.dense.nbytes * 2 == f64.dense.nbytes
    k64 = FacilityLocation.from_features(X, n_neighbors=8)
    k32 = FacilityLocation.from_features(X, n_neighbors=8, dtype=np.float32)
    assert k32.data.dtype == np.float32
    for a, b in ((f64, f32), (k64, k32), (FeatureBased(X), FeatureBased(X, dtype=np.float32))):
        for backend in ("numpy", "numba"):
            sa, sb = maximize(a, 20, backend=backend), maximize(b, 20, backend=backend)
            assert sa.selection.tolist() == sb.selection.tolist()
            np.testing.assert_allclose(sa.gains, sb.gains, rtol=1e-5)
    with pytest.raises(InvalidParameterError, match="dtype"):
        FacilityLocation(X @ X.T, dtype=np.int32)
    with pytest.raises(InvalidParameterError):
        FacilityLocation(-np.ones((3, 3), dtype=np.float32), dtype=np.float32)


def test_dense_too_big_names_n_neighbors(monkeypatch):
    X = np.random.default_rng(0).random((100, 3))
    monkeypatch.setattr(similarity, "_available_bytes", lambda: 2 * 4 * 100 * 100 + 10)
    pairwise_similarity(X, dtype=np.float32)  # fits in float32 ...
    with pytest.raises(InvalidParameterError, match="n_neighbors"):
        pairwise_similarity(X)  # ... not in float64
    assert knn_similarity(X, n_neighbors=5).nnz == 500


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("unit", [True, False])
def test_blocked_facility_location_gains_are_bitwise_those_of_one_block(monkeypatch, dtype, unit):
    """Large batches are computed in cache-sized blocks of rows: same bits as one block."""
    from submodkit.objectives import FacilityLocation

    NKm = NK
    rng = np.random.default_rng(3)
    A = rng.random((200, 300))
    w = None if unit else rng.random(300) + 0.5
    f = FacilityLocation(A, weights=w, dtype=dtype)
    args = f.kernel_args()
    cur = f.new_state()
    NKm.commit(args, cur, 7)
    cands = [np.arange(200, dtype=np.int64), rng.permutation(200)[:150].astype(np.int64),
             np.arange(1, 200, dtype=np.int64)]
    blocked = [NKm.gains(args, cur, c) for c in cands]
    monkeypatch.setattr(NKm, "BLOCK", 10**9)
    for c, g in zip(cands, blocked, strict=True):
        ref = NKm.gains(args, cur, c)
        assert g.dtype == np.float64 and g.tobytes() == ref.tobytes()
        assert NKm.gains(args, cur, c, NKm.unit_weights(args[7])).tobytes() == ref.tobytes()
