"""Blocked distance kernels against numpy (several blocks, float32 and float64)."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.objectives import distances as DS


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gmm_matches_numpy_reference(dtype):
    X = np.random.default_rng(0).random((9000, 3)).astype(dtype)  # 3 blocks of 4096
    code, P, D = DS.as_points(X, "euclidean")
    sel = np.empty(6, dtype=np.int64)
    mind = np.empty(9000)
    assert DS.gmm(code, P, D, 5, 6, sel, mind) == 6
    Y = X.astype(np.float64)
    ref = [5]
    dmin = np.full(9000, np.inf)
    for _ in range(5):
        dmin = np.minimum(dmin, np.linalg.norm(Y - Y[ref[-1]], axis=1))
        ref.append(int(np.argmax(dmin)))
    assert sel.tolist() == ref
    last = np.minimum(dmin, np.linalg.norm(Y - Y[ref[-1]], axis=1))
    assert np.allclose(mind, last, rtol=1e-5)


def test_metric_check_reports_mode():
    X = np.random.default_rng(1).random((50, 2))
    D = np.linalg.norm(X[:, None] - X[None], axis=-1)
    assert "all" in DS.check_metric_space(D)
    with pytest.raises(InvalidParameterError, match="triangle"):
        DS.check_metric_space(D ** 2)
    with pytest.raises(InvalidParameterError, match="diagonal"):
        DS.as_points(D + 1.0, "precomputed")
    with pytest.raises(InvalidParameterError, match="symmetric"):
        DS.as_points(np.triu(D), "precomputed")
