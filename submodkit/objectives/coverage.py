"""Coverage functions: weighted, saturated and probabilistic coverage."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_matrix, check_real, check_vector
from submodkit.errors import InvalidParameterError
from submodkit.instances.problems import SetSystem
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective, check_storage


def as_set_matrix(sets, n_elements: int | None = None) -> sp.csr_matrix:
    """Sets as a 0/1 CSR matrix (rows are sets, columns elements).

    Accepts a scipy sparse matrix, a dense 0/1 array, or a list of integer lists (element
    ids ``>= 0``; ``n_elements`` columns, by default the largest id + 1). Any non-zero
    entry becomes 1, repeated ids count once and the column indices are sorted.

    Parameters
    ----------
    sets : scipy.sparse matrix, ndarray, or list of lists of int
        The sets.
    n_elements : int, optional
        Number of columns for a list of lists (must then exceed every id); for a matrix,
        its column count if given.

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(len(sets), n_elements)``, entries 1.0.

    Raises
    ------
    InvalidParameterError
        For negative, non-integer or too large (``>= 2**31``) ids, no set or no element, or
        an ``n_elements`` that disagrees with the data.

    Examples
    --------
    >>> as_set_matrix([[0, 1], [1, 2, 3], [3]]).toarray().astype(int).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1]]
    >>> as_set_matrix([[0], [2]], n_elements=4).shape
    (2, 4)
    """
    if sp.issparse(sets) or isinstance(sets, np.ndarray):
        mat = check_matrix("sets", sets)
        csr = sp.csr_matrix(mat)
        csr.eliminate_zeros()
        csr.data[:] = 1.0
        if n_elements is not None and n_elements != csr.shape[1]:
            raise InvalidParameterError("n_elements", n_elements, f"{csr.shape[1]} (the matrix's columns)")
    else:
        try:
            rows = [np.asarray(s).ravel() for s in sets]
        except (TypeError, ValueError):
            rows = None
        if rows is None or any(r.dtype.kind not in "iuf" and r.size for r in rows):
            raise InvalidParameterError(
                "sets", sets, "a CSR matrix, a 0/1 array or a list of integer lists"
            )
        if not rows:
            raise InvalidParameterError("sets", sets, "at least one set")
        lengths = np.array([r.size for r in rows], dtype=np.int64)
        flat = np.concatenate(rows) if lengths.sum() else np.zeros(0, dtype=np.int64)
        if flat.dtype.kind == "f":
            whole = np.isfinite(flat) & (flat == np.round(flat))
            if not whole.all():
                raise InvalidParameterError("sets", flat[~whole][0].item(), "integer element ids")
        if flat.size and flat.min() < 0:
            raise InvalidParameterError("sets", flat.min().item(), "non-negative element ids")
        if flat.size and flat.max() >= 2**31:
            raise InvalidParameterError("sets", flat.max().item(), "element ids < 2**31")
        flat = flat.astype(np.int64)
        m = int(flat.max()) + 1 if flat.size else 0
        if n_elements is not None:
            if flat.size and m > n_elements:
                raise InvalidParameterError("sets", m - 1, f"element ids < n_elements={n_elements}")
            m = n_elements
        if m == 0:
            raise InvalidParameterError("sets", sets, "at least one element")
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        csr = sp.csr_matrix((np.ones(flat.size), flat, indptr), shape=(len(rows), m))
        csr.sum_duplicates()
        csr.data[:] = 1.0
    csr.sort_indices()
    return csr


class Coverage(Objective):
    """Weighted coverage: ``f(S) = sum of w[u] over elements u covered by a set in S``.

    Monotone submodular: greedy maximization under ``|S| <= k`` is within
    ``1 - (1 - 1/k)^k >= 1 - 1/e`` of the optimum (Nemhauser, Wolsey, Fisher 1978), the
    best possible ratio in polynomial time unless P = NP (Feige 1998). Only the CSR
    structure is stored (4 bytes per incidence); the state is each element's residual
    weight, so a gain is one gather-sum over the row.

    Parameters
    ----------
    sets : scipy.sparse matrix, ndarray, or list of lists of int
        CSR matrix (rows are sets, columns elements), 0/1 array, or list of integer lists
        (see :func:`as_set_matrix`).
    weights : array_like of float, optional
        Element weights (non-negative), ones by default. Their length is the number of
        elements: an element in no set contributes nothing.
    n_elements : int, optional
        Number of elements when ``sets`` is a list (default: the length of ``weights``,
        else the largest id + 1).

    Attributes
    ----------
    sets : scipy.sparse.csr_matrix
        The sets as a 0/1 matrix, built on demand.

    Raises
    ------
    InvalidParameterError
        For ids or weights :func:`as_set_matrix` and the weights check reject, or weights
        whose length is not the number of elements.

    Examples
    --------
    >>> f = Coverage([[0, 1], [1, 2, 3], [3]])
    >>> f.evaluate([0, 2]), f.gains([0]).tolist()
    (3.0, [0.0, 2.0, 1.0])
    >>> Coverage([[0, 1], [1, 2, 3], [3]], weights=[1, 2, 1, 1]).evaluate([0, 2])
    4.0

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978).
    .. [2] Feige, "A threshold of ln n for approximating set cover", J. ACM 45 (1998).
    """

    name = "coverage"

    def __init__(self, sets, weights=None, n_elements: int | None = None):
        w = None if weights is None else check_vector("weights", weights)
        if w is not None and n_elements is None and not (sp.issparse(sets) or isinstance(sets, np.ndarray)):
            n_elements = w.shape[0]  # the weights define the universe
        csr = as_set_matrix(sets, n_elements)
        m = csr.shape[1]
        if w is None:
            w = np.ones(m)
        elif w.shape[0] != m:
            raise InvalidParameterError("weights", f"array of length {w.shape[0]}",
                                        f"length {m} (one per element)")
        super().__init__(kind=K.KIND_COVERAGE, agg=K.AGG_MAX, phi=K.PHI_IDENTITY, matrix=csr, w=w)


    @classmethod
    def from_set_system(cls, instance: SetSystem) -> Coverage:
        """The weighted coverage function of a :class:`~submodkit.instances.SetSystem`.

        Parameters
        ----------
        instance : SetSystem
            Its ``sets`` and ``weights`` become the objective's.

        Returns
        -------
        Coverage

        Examples
        --------
        >>> from submodkit.instances import random_set_system
        >>> Coverage.from_set_system(random_set_system(5, 8, density=0.5, seed=0)).n
        5
        """
        if not isinstance(instance, SetSystem):
            raise InvalidParameterError("instance", type(instance).__name__, "a SetSystem")
        return cls(instance.sets, weights=instance.weights)
    @property
    def sets(self) -> sp.csr_matrix:
        """The sets as a 0/1 CSR matrix (rows are sets), built on demand."""
        ones = np.ones(self.indices.shape[0])
        return sp.csr_matrix((ones, self.indices, self.indptr), shape=self.shape)


class SaturatedCoverage(Objective):
    """Saturated coverage: ``f(S) = sum_u w[u] * min(cap[u], sum_{j in S} A[j, u])``.

    With ``alpha``, ``cap[u] = alpha * sum_j A[j, u]`` (Lin and Bilmes, 2011, as in
    apricot); with ``caps``, the caps are given (multi-cover: each element counts up to
    ``cap[u]`` times). Monotone submodular.

    Parameters
    ----------
    matrix : array_like or scipy.sparse matrix, shape (n, m)
        Non-negative matrix (dense or sparse), rows are candidates.
    alpha : float, default 0.1
        Saturation fraction in (0, 1] (used when ``caps`` is None).
    caps : array_like of float, shape (m,), optional
        Per-column caps (non-negative).
    weights : array_like of float, shape (m,), optional
        Per-column weights, ones by default.
    dtype : numpy dtype, default numpy.float64
        Storage, ``numpy.float64`` or ``numpy.float32`` (half the memory).

    Attributes
    ----------
    caps : ndarray of float64
        The caps in use.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> SaturatedCoverage(A, caps=[1, 1]).evaluate([0, 1])
    2.0
    >>> f = SaturatedCoverage(A, alpha=0.5)
    >>> f.caps.tolist(), f.evaluate([0, 1])
    ([1.0, 1.5], 2.0)

    References
    ----------
    .. [1] Lin, Bilmes, "A class of submodular functions for document summarization",
       ACL 2011.
    .. [2] Schreiber, Bilmes, Noble, "apricot: Submodular selection for data summarization
       in Python", JMLR 21 (2020).
    """

    name = "saturated-coverage"

    def __init__(self, matrix, alpha: float = 0.1, caps=None, weights=None, dtype=np.float64):
        mat = check_storage("matrix", matrix, dtype)
        m = mat.shape[1]
        if caps is None:
            alpha = check_real("alpha", alpha, minimum=0.0, maximum=1.0, strict_min=True)
            colsum = np.asarray(mat.sum(axis=0, dtype=np.float64)).ravel()
            caps = alpha * colsum
        else:
            caps = check_vector("caps", caps, m)
        w = np.ones(m) if weights is None else check_vector("weights", weights, m)
        kind = K.KIND_CSR if sp.issparse(mat) else K.KIND_DENSE
        super().__init__(kind=kind, agg=K.AGG_SUM, phi=K.PHI_MIN, matrix=mat, w=w, b=caps, dtype=dtype,
                         values_checked=True)
        self.caps = self.b


class ProbabilisticCoverage(Objective):
    """Probabilistic coverage: ``f(S) = sum_u w[u] * (1 - prod_{j in S} (1 - P[j, u]))``.

    ``P[j, u]`` is the probability that candidate j covers element u, independently.
    Monotone submodular (El-Arini et al., 2009). Stored as ``-log(1 - P)`` summed, then
    ``1 - exp(-x)``.

    Parameters
    ----------
    probabilities : array_like or scipy.sparse matrix, shape (n, m)
        Entries in [0, 1], rows are candidates.
    weights : array_like of float, shape (m,), optional
        Per-element weights, ones by default.

    Raises
    ------
    InvalidParameterError
        For entries outside [0, 1] or weights of the wrong length.

    Examples
    --------
    >>> f = ProbabilisticCoverage([[0.5, 0.0], [0.5, 1.0]])
    >>> f.evaluate([0]), f.evaluate([0, 1])
    (0.5, 1.75)

    References
    ----------
    .. [1] El-Arini, Veda, Shahaf, Guestrin, "Turning down the noise in the blogosphere",
       KDD 2009.
    """

    name = "probabilistic-coverage"

    def __init__(self, probabilities, weights=None):
        mat = check_matrix("probabilities", probabilities)
        data = mat.data if sp.issparse(mat) else mat
        if data.size and data.max() > 1.0:
            raise InvalidParameterError(
                "probabilities", f"a matrix with maximum {data.max()}", "entries in [0, 1]"
            )
        m = mat.shape[1]
        w = np.ones(m) if weights is None else check_vector("weights", weights, m)
        with np.errstate(divide="ignore"):
            if sp.issparse(mat):
                mat = mat.copy()
                mat.data = -np.log1p(-mat.data)
            else:
                mat = -np.log1p(-mat)
        kind = K.KIND_CSR if sp.issparse(mat) else K.KIND_DENSE
        super().__init__(kind=kind, agg=K.AGG_SUM, phi=K.PHI_ONE_MINUS_EXP, matrix=mat, w=w,
                         values_checked=True)  # -log(1 - 1) = inf is meant
