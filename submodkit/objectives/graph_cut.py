"""Graph cut: ``f(S) = sum_{i in V, j in S} s_ij - lam * sum_{i, j in S} s_ij``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_matrix, check_real
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective


class GraphCut(Objective):
    """Generalized graph cut (Lin and Bilmes, 2011; apricot's GraphCutSelection).

    ``f(S) = sum_{i in V} sum_{j in S} s_ij - lam * sum_{i in S} sum_{j in S} s_ij`` for a
    non-negative similarity ``s`` (symmetrized as ``(s + s^T) / 2`` inside the pair term).
    Submodular for ``lam >= 0``; monotone when every gain stays non-negative (always for a
    symmetric similarity with ``lam <= 1/2``): ``monotone`` is computed exactly from the
    smallest possible gains, and for a non-monotone cut the monotone greedy guarantees do
    not apply and solvers report none.

    Args:
        similarity: square non-negative matrix, dense or sparse.
        lam: the redundancy penalty ``lambda`` (>= 0).
    """

    name = "graph-cut"

    def __init__(self, similarity, lam: float = 0.5):
        mat = check_matrix("similarity", similarity)
        if mat.shape[0] != mat.shape[1]:
            raise InvalidParameterError("similarity", f"shape {mat.shape}", "a square matrix")
        lam = check_real("lam", lam, minimum=0.0)
        colsum = np.asarray(mat.sum(axis=0)).ravel()
        if sp.issparse(mat):
            sym = ((mat + mat.T) * 0.5).tocsr()
            sym.sort_indices()
            diag = mat.diagonal()
            kind = K.KIND_QUAD_CSR
        else:
            sym = np.ascontiguousarray((mat + mat.T) * 0.5)
            diag = np.diag(mat).copy()
            kind = K.KIND_QUAD_DENSE
        w = colsum - lam * diag
        b = np.full(mat.shape[0], 2.0 * lam)
        # Gains shrink as S grows; the smallest is with every other point selected.
        others = np.asarray(sym.sum(axis=0)).ravel() - diag
        monotone = bool(np.all(w - b * others >= -1e-12 * max(1.0, float(np.abs(w).max()))))
        super().__init__(kind=kind, matrix=sym, w=w, b=b, monotone=monotone, values_checked=True)
        self.lam = lam
