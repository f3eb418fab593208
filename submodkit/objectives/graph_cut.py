"""Graph cut: ``f(S) = sum_{i in V, j in S} s_ij - lam * sum_{i, j in S} s_ij``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_matrix, check_real, check_vector
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

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
        Square non-negative matrix, dense or sparse.
    lam : float, default 0.5
        The redundancy penalty ``lambda`` (>= 0).
    modular : array_like of float, shape (n,), optional
        A modular term ``sum_{j in S} modular[j]`` added to f (any sign; a negative one is a
        penalty, as in :class:`~submodkit.objectives.information.GraphCutCG`).

    Attributes
    ----------
    lam : float
        The penalty.
    monotone : bool
        Whether every gain is non-negative (computed exactly).

    Raises
    ------
    InvalidParameterError
        For a matrix that is not square, non-negative and finite, or a negative ``lam``.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> f = GraphCut(S, lam=0.5)
    >>> f.evaluate([0]), f.evaluate([0, 2]), f.evaluate([0, 1]), f.monotone
    (1.5, 2.0, 2.0, True)
    >>> GraphCut(S, lam=1.0).monotone
    False

    References
    ----------
    .. [1] Lin, Bilmes, "A class of submodular functions for document summarization",
       ACL 2011.
    .. [2] Schreiber, Bilmes, Noble, "apricot: Submodular selection for data summarization
       in Python", JMLR 21 (2020).
    """

    name = "graph-cut"

    def __init__(self, similarity, lam: float = 0.5, modular=None):
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
        if modular is not None:
            w = w + check_vector("modular", modular, mat.shape[0], nonnegative=False)
        b = np.full(mat.shape[0], 2.0 * lam)
        # Gains shrink as S grows; the smallest is with every other point selected.
        others = np.asarray(sym.sum(axis=0)).ravel() - diag
        monotone = bool(np.all(w - b * others >= -1e-12 * max(1.0, float(np.abs(w).max()))))
        super().__init__(kind=kind, matrix=sym, w=w, b=b, monotone=monotone, values_checked=True)
        self.lam = lam


class SumRedundancy(GraphCut):
    """Sum redundancy (apricot's SumRedundancySelection): ``f(S) = -sum_{i, j in S} s_ij``.

    The redundancy penalty alone: apricot scores ``sum_{i, j in V} s_ij - sum_{i, j in S}
    s_ij``; the constant does not change any gain or selection, and submodkit keeps
    ``f(empty) = 0``. Submodular (the negative of a supermodular pairwise sum), not monotone
    (every gain is <= 0): solvers report no guarantee. Stored as a graph cut with ``lam = 1``
    and the modular term ``-sum_i s_ij`` (gain of j: ``-s_jj - 2 sum_{i in S} s_ij``).

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
        Square non-negative matrix, dense or sparse.

    Examples
    --------
    >>> S = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.1], [0.0, 0.1, 1.0]])
    >>> f = SumRedundancy(S)
    >>> f.evaluate([0, 1]), f.evaluate([0, 2]), f.monotone
    (-3.0, -2.0, False)

    References
    ----------
    .. [1] Schreiber, Bilmes, Noble, "apricot: Submodular selection for data summarization
       in Python", JMLR 21 (2020).
    """

    name = "sum-redundancy"

    def __init__(self, similarity):
        mat = check_matrix("similarity", similarity)
        if mat.shape[0] != mat.shape[1]:
            raise InvalidParameterError("similarity", f"shape {mat.shape}", "a square matrix")
        super().__init__(mat, lam=1.0, modular=-np.asarray(mat.sum(axis=0)).ravel())
