"""Feature-based functions: ``f(S) = sum_u w[u] * phi(sum_{j in S} X[j, u])``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_vector
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective, check_storage

CONCAVE = {
    "sqrt": K.PHI_SQRT,
    "log": K.PHI_LOG1P,
    "inverse": K.PHI_INVERSE,
    "min1": K.PHI_MIN,
    "identity": K.PHI_IDENTITY,
}


class FeatureBased(Objective):
    """Feature-based submodular function (Wei, Iyer, Bilmes, 2014; apricot's FeatureBased).

    ``f(S) = sum_u w[u] * phi(sum_{j in S} X[j, u])`` with ``phi`` one of ``"sqrt"``,
    ``"log"`` (log(1 + x)), ``"inverse"`` (x / (1 + x) = 1 - 1/(1 + x)), ``"min1"``
    (min(1, x)) or ``"identity"`` (modular). Monotone submodular for non-negative X.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, m)
        Non-negative features, dense or sparse, one row per candidate.
    concave : {"sqrt", "log", "inverse", "min1", "identity"}, default "sqrt"
        The concave function.
    weights : array_like of float, shape (m,), optional
        Per-feature weights, ones by default.
    dtype : numpy dtype, default numpy.float64
        Storage, ``numpy.float64`` or ``numpy.float32`` (half the memory).

    Raises
    ------
    InvalidParameterError
        For an unknown concave function, negative or non-finite features, or weights of
        the wrong length.

    Examples
    --------
    >>> f = FeatureBased([[1.0, 0.0], [4.0, 0.0], [0.0, 1.0]])
    >>> round(f.evaluate([0, 1]), 4), f.evaluate([1, 2])
    (2.2361, 3.0)
    >>> FeatureBased([[1.0], [4.0]], concave="min1").evaluate([0, 1])
    1.0

    References
    ----------
    .. [1] Wei, Iyer, Bilmes, "Fast multi-stage submodular maximization", ICML 2014.
    .. [2] Schreiber, Bilmes, Noble, "apricot: Submodular selection for data summarization
       in Python", JMLR 21 (2020).
    """

    name = "feature-based"

    def __init__(self, X, concave: str = "sqrt", weights=None, dtype=np.float64):
        check_choice("concave", concave, tuple(CONCAVE))
        mat = check_storage("X", X, dtype)
        m = mat.shape[1]
        w = np.ones(m) if weights is None else check_vector("weights", weights, m)
        b = np.ones(m) if concave == "min1" else None
        kind = K.KIND_CSR if sp.issparse(mat) else K.KIND_DENSE
        super().__init__(kind=kind, agg=K.AGG_SUM, phi=CONCAVE[concave], matrix=mat, w=w, b=b,
                         dtype=dtype, values_checked=True)
        self.concave = concave
