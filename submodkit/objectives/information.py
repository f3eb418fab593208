"""Submodular information measures: mutual information, conditional gain and conditional
mutual information of facility location, graph cut, set cover, probabilistic set cover and
log-determinant, as submodlib defines them, for query-focused and privacy-preserving
selection.

Given a set function f, a query set Q and a private set P (fixed, outside the ground set),
the measures are functions of the selection A:

* mutual information ``I_f(A; Q) = f(A) + f(Q) - f(A u Q)`` (relevance to the query),
* conditional gain ``f(A | P) = f(A u P) - f(P)`` (what A adds beyond the private set),
* conditional mutual information ``I_f(A; Q | P) = f(A u P) + f(Q u P) - f(A u Q u P) - f(P)``,

with submodlib's parameters ``eta`` (query magnification) and ``nu`` (privacy hardness)
scaling the similarities to Q and P. Each class here is exactly one of submodkit's kernel
families on transformed data, so every optimizer runs on it unchanged: the facility-location
measures are facility location on a per-column monotone transform of the similarity
(``max(min(s, eta q_i) - nu p_i, 0)``), the graph-cut measures are a modular function and a
graph cut with a modular penalty, the set-cover measures are coverage with reweighted
elements, and the log-determinant measures are signed sums of log-determinants of Schur
complements (``KIND_LOGDET``).

Properties, stated per class and carried by ``monotone`` / ``submodular`` (solvers report a
guarantee only when both hold): the facility-location, set-cover and probabilistic
set-cover measures and GCMI are monotone submodular for every parameter; GCCG is submodular
and monotone exactly when its smallest gains are non-negative (computed); log-determinant CG
is submodular, and monotone when ``regularization >= 1``; log-determinant MI and CMI are
differences of log-determinants, not submodular in general (``submodular=False``: greedy
runs, with no guarantee claimed).

References
----------
.. [1] Iyer, Khargonkar, Bilmes, Asnani, "Generalized submodular information measures:
   theoretical properties, examples, optimization algorithms, and applications", IEEE Trans.
   Information Theory 68 (2022).
.. [2] Kothawade, Kaushal, Ramakrishnan, Bilmes, Iyer, "PRISM: A rich class of parameterized
   submodular information measures for guided data subset selection", AAAI 2022.
.. [3] Kaushal, Kothawade, Tomar, Iyer, Ramakrishnan, "How good is a video summary? A new
   benchmarking dataset and evaluation framework towards realistic video summarization",
   arXiv:2101.10514 (submodlib's definitions).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_matrix, check_real
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective
from submodkit.objectives.coverage import Coverage, ProbabilisticCoverage
from submodkit.objectives.facility_location import FacilityLocation
from submodkit.objectives.graph_cut import GraphCut
from submodkit.objectives.log_determinant import PSD_CHECK_MAX_N, LogDeterminant, check_kernel, schur_kernel
from submodkit.objectives.mixture import Mixture


def _cross(name: str, values, n: int):
    """A non-negative n x q similarity to the query or private set (q may be 0)."""
    shape = getattr(values, "shape", None) or np.shape(values)
    if len(shape) == 2 and shape[0] == n and shape[1] == 0:  # an empty set: nothing to compare with
        return np.zeros((n, 0))
    mat = check_matrix(name, values)
    if mat.shape[0] != n:
        raise InvalidParameterError(name, f"shape {mat.shape}", f"{n} rows (one per ground-set item)")
    return mat


def _row_max(mat) -> np.ndarray:
    """Largest entry of each row, 0 for an empty row or no column."""
    if mat.shape[1] == 0:
        return np.zeros(mat.shape[0])
    if sp.issparse(mat):
        return np.maximum(np.asarray(mat.max(axis=1).todense()).ravel(), 0.0)
    return mat.max(axis=1)


def _transformed(similarity, caps: np.ndarray | None, floor: np.ndarray | None):
    """``max(min(s[j, i], caps[i]) - floor[i], 0)`` for every entry (a non-decreasing map of
    each column, zero at zero), dense or CSR: ``max_{j in A}`` of the result is the same map
    of ``max_{j in A} s[j, i]``."""
    mat = check_matrix("similarity", similarity)
    if sp.issparse(mat):
        out = mat.copy()
        vals, cols = out.data, out.indices
        if caps is not None:
            vals = np.minimum(vals, caps[cols])
        if floor is not None:
            vals = np.maximum(vals - floor[cols], 0.0)
        out.data = vals
        out.eliminate_zeros()
        return out
    out = mat
    if caps is not None:
        out = np.minimum(out, caps[None, :])
    if floor is not None:
        out = np.maximum(out - floor[None, :], 0.0)
    return np.ascontiguousarray(out)


def _square(name: str, similarity) -> int:
    shape = getattr(similarity, "shape", None) or np.shape(similarity)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise InvalidParameterError(name, f"shape {tuple(shape)}", "a square n x n similarity")
    return int(shape[0])


class FacilityLocationMI(FacilityLocation):
    """Facility-location mutual information (submodlib's FLMI / FL1MI).

    ``I(A; Q) = sum_i min(max_{j in A} s[j, i], eta * max_{q in Q} s_Q[i, q])``: each point i
    is covered by A up to how well the query covers it. Equal to facility location on the
    similarity truncated column by column at ``eta * max_q s_Q[i, q]``, hence monotone
    submodular (greedy: 1 - 1/e).

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
        Non-negative ground-set similarity ``s[j, i]`` (rows candidates j, columns points i).
    query_similarity : array_like or scipy.sparse matrix, shape (n, q)
        Non-negative similarity of each ground-set item to each query.
    eta : float, default 1.0
        Query magnification (>= 0).

    Examples
    --------
    >>> S = np.array([[1.0, 0.2], [0.2, 1.0]])
    >>> f = FacilityLocationMI(S, [[0.9], [0.5]])
    >>> round(f.evaluate([0]), 6), round(f.evaluate([0, 1]), 6)
    (1.1, 1.4)

    References
    ----------
    .. [1] Iyer, Khargonkar, Bilmes, Asnani, IEEE Trans. Information Theory 68 (2022).
    """

    name = "facility-location-mi"

    def __init__(self, similarity, query_similarity, eta: float = 1.0):
        n = _square("similarity", similarity)
        q = _cross("query_similarity", query_similarity, n)
        self.eta = check_real("eta", eta, minimum=0.0)
        super().__init__(_transformed(similarity, self.eta * _row_max(q), None))


class FacilityLocationVMI(Mixture):
    """Facility-location variant mutual information (submodlib's FL2MI).

    ``I(A; Q) = sum_{q in Q} max_{j in A} s_Q[j, q] + eta * sum_{j in A} max_{q in Q} s_Q[j, q]``:
    facility location over the queries plus a modular relevance term. Monotone submodular.

    Parameters
    ----------
    query_similarity : array_like or scipy.sparse matrix, shape (n, q)
        Non-negative similarity of each ground-set item to each query.
    eta : float, default 1.0

    Examples
    --------
    >>> f = FacilityLocationVMI([[0.9, 0.1], [0.2, 0.8]], eta=0.5)
    >>> round(f.evaluate([0]), 6), round(f.evaluate([0, 1]), 6)
    (1.45, 2.55)
    """

    name = "facility-location-vmi"

    def __init__(self, query_similarity, eta: float = 1.0):
        q = check_matrix("query_similarity", query_similarity)
        self.eta = check_real("eta", eta, minimum=0.0)
        super().__init__([FacilityLocation(q)], modular=self.eta * _row_max(q))


class FacilityLocationCG(FacilityLocation):
    """Facility-location conditional gain (submodlib's FLCG).

    ``f(A | P) = sum_i max(max_{j in A} s[j, i] - nu * max_{p in P} s_P[i, p], 0)``: coverage
    of the points the private set does not already represent. Facility location on
    ``max(s[j, i] - nu m_i, 0)``: monotone submodular.

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
    private_similarity : array_like or scipy.sparse matrix, shape (n, p)
    nu : float, default 1.0
        Privacy hardness (>= 0).

    Examples
    --------
    >>> f = FacilityLocationCG([[1.0, 0.2], [0.2, 1.0]], [[0.9], [0.1]])
    >>> round(f.evaluate([0]), 6), round(f.evaluate([1]), 6)
    (0.2, 0.9)
    """

    name = "facility-location-cg"

    def __init__(self, similarity, private_similarity, nu: float = 1.0):
        n = _square("similarity", similarity)
        p = _cross("private_similarity", private_similarity, n)
        self.nu = check_real("nu", nu, minimum=0.0)
        super().__init__(_transformed(similarity, None, self.nu * _row_max(p)))


class FacilityLocationCMI(FacilityLocation):
    """Facility-location conditional mutual information (submodlib's FLCMI).

    ``I(A; Q | P) = sum_i max(min(max_{j in A} s[j, i], eta q_i) - nu p_i, 0)`` with
    ``q_i = max_{q in Q} s_Q[i, q]`` and ``p_i = max_{p in P} s_P[i, p]``. Facility location
    on ``max(min(s[j, i], eta q_i) - nu p_i, 0)``: monotone submodular.

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
    query_similarity : array_like or scipy.sparse matrix, shape (n, q)
    private_similarity : array_like or scipy.sparse matrix, shape (n, p)
    eta, nu : float, default 1.0

    Examples
    --------
    >>> f = FacilityLocationCMI([[1.0, 0.2], [0.2, 1.0]], [[0.9], [0.5]], [[0.1], [0.3]])
    >>> round(f.evaluate([0, 1]), 6)
    1.0
    """

    name = "facility-location-cmi"

    def __init__(self, similarity, query_similarity, private_similarity, eta: float = 1.0, nu: float = 1.0):
        n = _square("similarity", similarity)
        q = _cross("query_similarity", query_similarity, n)
        p = _cross("private_similarity", private_similarity, n)
        self.eta = check_real("eta", eta, minimum=0.0)
        self.nu = check_real("nu", nu, minimum=0.0)
        super().__init__(_transformed(similarity, self.eta * _row_max(q), self.nu * _row_max(p)))


class GraphCutMI(Objective):
    """Graph-cut mutual information (submodlib's GCMI): ``I(A; Q) = 2 lam sum_{j in A} sum_q s_Q[j, q]``.

    Modular (pure query relevance), hence monotone submodular; greedy is optimal for it.

    Parameters
    ----------
    query_similarity : array_like or scipy.sparse matrix, shape (n, q)
    lam : float, default 0.5
        The graph cut's ``lambda`` (submodlib fixes ``2 lam = 1``).

    Examples
    --------
    >>> GraphCutMI([[0.9, 0.1], [0.2, 0.8]]).evaluate([0, 1])
    2.0
    """

    name = "graph-cut-mi"

    def __init__(self, query_similarity, lam: float = 0.5):
        q = check_matrix("query_similarity", query_similarity)
        self.lam = check_real("lam", lam, minimum=0.0)
        relevance = 2.0 * self.lam * np.asarray(q.sum(axis=1)).ravel()
        super().__init__(kind=K.KIND_DENSE, agg=K.AGG_SUM, phi=K.PHI_IDENTITY,
                         matrix=relevance[:, None], w=np.ones(1), values_checked=True)


class GraphCutCG(GraphCut):
    """Graph-cut conditional gain (submodlib's GCCG).

    ``f(A | P) = f_lam(A) - 2 lam nu sum_{j in A} sum_{p in P} s_P[j, p]`` for the graph cut
    ``f_lam`` (:class:`~submodkit.objectives.GraphCut`). Submodular; monotone exactly when
    every gain stays non-negative with all other items selected (``monotone`` is computed).

    Parameters
    ----------
    similarity : array_like or scipy.sparse matrix, shape (n, n)
    private_similarity : array_like or scipy.sparse matrix, shape (n, p)
    lam : float, default 0.5
    nu : float, default 1.0

    Examples
    --------
    >>> f = GraphCutCG([[1.0, 0.5], [0.5, 1.0]], [[1.0], [0.0]], lam=0.5)
    >>> f.evaluate([0]), f.evaluate([1])
    (0.0, 1.0)
    """

    name = "graph-cut-cg"

    def __init__(self, similarity, private_similarity, lam: float = 0.5, nu: float = 1.0):
        n = _square("similarity", similarity)
        p = _cross("private_similarity", private_similarity, n)
        self.nu = check_real("nu", nu, minimum=0.0)
        lam = check_real("lam", lam, minimum=0.0)
        penalty = 2.0 * lam * self.nu * np.asarray(p.sum(axis=1)).ravel()
        super().__init__(similarity, lam=lam, modular=-penalty)


def _concepts(name: str, concepts, m: int) -> np.ndarray:
    ids = np.asarray(sorted(concepts) if isinstance(concepts, set | frozenset) else concepts)
    if ids.size and (ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= m):
        raise InvalidParameterError(name, concepts, f"concept ids in [0, {m})")
    mask = np.zeros(m, dtype=bool)
    mask[ids.astype(np.int64)] = True
    return mask


class SetCoverMI(Coverage):
    """Set-cover mutual information (submodlib's SCMI): ``I(A; Q) = w(gamma(A) n gamma(Q))``.

    The weight of the query's concepts that A covers: coverage with the other concepts'
    weights set to zero. Monotone submodular.

    Parameters
    ----------
    sets : scipy.sparse matrix, ndarray, or list of lists of int
        The concepts each candidate covers (as :class:`~submodkit.objectives.Coverage`).
    query_concepts : iterable of int
        ``gamma(Q)``, the concepts of the query.
    weights : array_like, optional
    n_elements : int, optional

    Examples
    --------
    >>> SetCoverMI([[0, 1], [1, 2, 3]], query_concepts={1, 3}).evaluate([0, 1])
    2.0
    """

    name = "set-cover-mi"

    def __init__(self, sets, query_concepts, weights=None, n_elements: int | None = None):
        super().__init__(sets, weights, n_elements)
        self.w = self.w * _concepts("query_concepts", query_concepts, self.state_size)
        self._check_kernel_arrays(values_checked=True)


class SetCoverCG(Coverage):
    """Set-cover conditional gain (submodlib's SCCG): ``f(A | P) = w(gamma(A) minus gamma(P))``.

    Monotone submodular.

    Parameters
    ----------
    sets : scipy.sparse matrix, ndarray, or list of lists of int
    private_concepts : iterable of int
        ``gamma(P)``, the concepts of the private set.
    weights : array_like, optional
    n_elements : int, optional

    Examples
    --------
    >>> SetCoverCG([[0, 1], [1, 2, 3]], private_concepts={1, 3}).evaluate([0, 1])
    2.0
    """

    name = "set-cover-cg"

    def __init__(self, sets, private_concepts, weights=None, n_elements: int | None = None):
        super().__init__(sets, weights, n_elements)
        self.w = self.w * ~_concepts("private_concepts", private_concepts, self.state_size)
        self._check_kernel_arrays(values_checked=True)


class SetCoverCMI(Coverage):
    """Set-cover conditional mutual information (submodlib's SCCMI):
    ``I(A; Q | P) = w((gamma(A) n gamma(Q)) minus gamma(P))``. Monotone submodular.

    Parameters
    ----------
    sets : scipy.sparse matrix, ndarray, or list of lists of int
    query_concepts, private_concepts : iterable of int
    weights : array_like, optional
    n_elements : int, optional

    Examples
    --------
    >>> SetCoverCMI([[0, 1], [1, 2, 3]], query_concepts={1, 3}, private_concepts={1}).evaluate([0, 1])
    1.0
    """

    name = "set-cover-cmi"

    def __init__(self, sets, query_concepts, private_concepts, weights=None, n_elements: int | None = None):
        super().__init__(sets, weights, n_elements)
        m = self.state_size
        keep = (_concepts("query_concepts", query_concepts, m)
                & ~_concepts("private_concepts", private_concepts, m))
        self.w = self.w * keep
        self._check_kernel_arrays(values_checked=True)


class ProbabilisticSetCoverMI(ProbabilisticCoverage):
    """Probabilistic set-cover mutual information (submodlib's PSCMI): probabilistic coverage
    of the query concepts only, ``sum_{u in gamma(Q)} w_u (1 - prod_{j in A} (1 - P[j, u]))``.
    Monotone submodular.

    Parameters
    ----------
    probabilities : array_like or scipy.sparse matrix, shape (n, m)
    query_concepts : iterable of int
    weights : array_like, optional

    Examples
    --------
    >>> ProbabilisticSetCoverMI([[0.5, 0.5], [0.5, 1.0]], query_concepts=[1]).evaluate([0])
    0.5
    """

    name = "probabilistic-set-cover-mi"

    def __init__(self, probabilities, query_concepts, weights=None):
        super().__init__(probabilities, weights)
        self.w = self.w * _concepts("query_concepts", query_concepts, self.state_size)
        self._check_kernel_arrays(values_checked=True)


class ProbabilisticSetCoverCG(ProbabilisticCoverage):
    """Probabilistic set-cover conditional gain (submodlib's PSCCG): probabilistic coverage of
    the concepts outside ``gamma(P)``. Monotone submodular.

    Parameters
    ----------
    probabilities : array_like or scipy.sparse matrix, shape (n, m)
    private_concepts : iterable of int
    weights : array_like, optional

    Examples
    --------
    >>> ProbabilisticSetCoverCG([[0.5, 0.5], [0.5, 1.0]], private_concepts=[1]).evaluate([0])
    0.5
    """

    name = "probabilistic-set-cover-cg"

    def __init__(self, probabilities, private_concepts, weights=None):
        super().__init__(probabilities, weights)
        self.w = self.w * ~_concepts("private_concepts", private_concepts, self.state_size)
        self._check_kernel_arrays(values_checked=True)


class ProbabilisticSetCoverCMI(ProbabilisticCoverage):
    """Probabilistic set-cover conditional mutual information (submodlib's PSCCMI):
    probabilistic coverage of the query concepts outside the private ones. Monotone submodular.

    Parameters
    ----------
    probabilities : array_like or scipy.sparse matrix, shape (n, m)
    query_concepts, private_concepts : iterable of int
    weights : array_like, optional

    Examples
    --------
    >>> ProbabilisticSetCoverCMI([[0.5, 0.5], [0.5, 1.0]], [0, 1], [1]).evaluate([0])
    0.5
    """

    name = "probabilistic-set-cover-cmi"

    def __init__(self, probabilities, query_concepts, private_concepts, weights=None):
        super().__init__(probabilities, weights)
        m = self.state_size
        keep = (_concepts("query_concepts", query_concepts, m)
                & ~_concepts("private_concepts", private_concepts, m))
        self.w = self.w * keep
        self._check_kernel_arrays(values_checked=True)


def _conditioned_psd(kernel: np.ndarray, regularization: float) -> bool:
    """Whether a conditioned (Schur-complement) kernel is positive semi-definite, as it is when
    the kernel, the cross-kernel and the fixed set's kernel come from one joint PSD kernel:
    checked by eigenvalues up to ``PSD_CHECK_MAX_N`` items, by the diagonal beyond (as
    :func:`check_kernel` trusts large kernels)."""
    n = kernel.shape[0]
    scale = max(1.0, float(np.abs(np.diagonal(kernel)).max(initial=0.0)))
    if n <= PSD_CHECK_MAX_N:
        return bool(n == 0 or np.linalg.eigvalsh(kernel)[0] >= -1e-9 * scale)
    return bool(np.diagonal(kernel).min(initial=0.0) >= -1e-9 * scale)


def _fixed_set(cross_name: str, cross, inner_name: str, inner, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The cross-kernel (n x q) and the kernel (q x q) of a query or private set, checked."""
    c = _dense_cross(cross_name, cross, n)
    m = check_kernel(inner_name, inner)
    if m.shape[0] != c.shape[1]:
        raise InvalidParameterError(inner_name, f"shape {m.shape}", f"shape ({c.shape[1]}, {c.shape[1]})")
    return c, m


def _dense_cross(name: str, values, rows: int, cols: int | None = None) -> np.ndarray:
    shape = getattr(values, "shape", None) or np.shape(values)
    if len(shape) == 2 and shape[0] == rows and shape[1] == 0 and cols in (None, 0):
        return np.zeros((rows, 0))
    mat = np.asarray(check_matrix(name, values, nonnegative=False).toarray()
                     if sp.issparse(values) else check_matrix(name, values, nonnegative=False))
    if mat.shape[0] != rows or (cols is not None and mat.shape[1] != cols):
        want = f"{rows} rows" if cols is None else f"shape ({rows}, {cols})"
        raise InvalidParameterError(name, f"shape {mat.shape}", want)
    return np.ascontiguousarray(mat, dtype=np.float64)


class LogDeterminantCG(LogDeterminant):
    """Log-determinant conditional gain (submodlib's LogDetCG).

    ``f(A | P) = log det(S_A - nu^2 S_{A,P} S_P^-1 S_{A,P}^T)``, every ``S`` with
    ``regularization`` on its diagonal: the log-volume A adds beyond the private set, a
    log-determinant of the Schur complement. Submodular (and monotone when
    ``regularization >= 1``, as :class:`LogDeterminant`) when that complement is positive
    semi-definite, as it is for ``nu <= 1`` and kernels that come from one joint PSD kernel:
    the flags are set only for ``nu <= 1`` and a complement found PSD (eigenvalues up to 500
    items, the diagonal beyond); otherwise no guarantee is reported.

    Parameters
    ----------
    kernel : array_like, shape (n, n)
        Ground-set kernel (symmetric positive semi-definite).
    private_kernel : array_like, shape (n, p)
        Kernel between the ground set and the private items.
    private_private_kernel : array_like, shape (p, p)
        Kernel among the private items.
    nu : float, default 1.0
    regularization : float, default 1.0
    max_size : int, optional

    Examples
    --------
    >>> L = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> f = LogDeterminantCG(L, [[1.0], [0.0]], [[1.0]])
    >>> bool(np.isclose(f.evaluate([0]), np.log(2.0 - 1.0 / 2.0)))
    True
    """

    name = "log-determinant-cg"

    def __init__(self, kernel, private_kernel, private_private_kernel, nu: float = 1.0,
                 regularization: float = 1.0, max_size: int | None = None):
        mat = check_kernel("kernel", kernel)
        n = mat.shape[0]
        cross, inner = _fixed_set("private_kernel", private_kernel,
                                  "private_private_kernel", private_private_kernel, n)
        self.nu = check_real("nu", nu, minimum=0.0)
        lam = check_real("regularization", regularization, minimum=0.0)
        cond = schur_kernel(mat, cross, inner, self.nu, lam)
        self._setup([cond], [1.0], lam, max_size, K.LOGDET_PRECOMPUTED, 0.0)
        # a log-determinant of a PSD kernel: only then submodular (and monotone for lam >= 1)
        valid = self.nu <= 1.0 and _conditioned_psd(cond, lam)
        self.submodular, self.monotone = valid, valid and lam >= 1.0


class LogDeterminantMI(LogDeterminant):
    """Log-determinant mutual information (submodlib's LogDetMI).

    ``I(A; Q) = log det(S_A) - log det(S_A - eta^2 S_{A,Q} S_Q^-1 S_{A,Q}^T)``, every ``S``
    with ``regularization`` on its diagonal (Gaussian mutual information between A and Q
    when the kernel is a covariance). Monotone for ``eta <= 1`` and a PSD conditioned kernel
    (conditioning never increases a variance; checked as for :class:`LogDeterminantCG`); a
    difference of log-determinants, not submodular in general: ``submodular=False``, and
    solvers claim no guarantee.

    Parameters
    ----------
    kernel : array_like, shape (n, n)
    query_kernel : array_like, shape (n, q)
    query_query_kernel : array_like, shape (q, q)
    eta : float, default 1.0
    regularization : float, default 1.0
    max_size : int, optional

    Examples
    --------
    >>> L = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> f = LogDeterminantMI(L, [[1.0], [0.0]], [[1.0]])
    >>> bool(np.isclose(f.evaluate([0]), np.log(2.0) - np.log(1.5)))
    True
    """

    name = "log-determinant-mi"

    def __init__(self, kernel, query_kernel, query_query_kernel, eta: float = 1.0,
                 regularization: float = 1.0, max_size: int | None = None):
        mat = check_kernel("kernel", kernel)
        n = mat.shape[0]
        cross, inner = _fixed_set("query_kernel", query_kernel, "query_query_kernel", query_query_kernel, n)
        self.eta = check_real("eta", eta, minimum=0.0)
        lam = check_real("regularization", regularization, minimum=0.0)
        stacked = np.empty((2 * n, n))
        stacked[:n] = mat
        schur_kernel(mat, cross, inner, self.eta, lam, out=stacked[n:])
        self._setup(stacked, [1.0, -1.0], lam, max_size, K.LOGDET_PRECOMPUTED, 0.0)
        self.monotone = self.eta <= 1.0 and _conditioned_psd(stacked[n:], lam)
        self.submodular = False


class LogDeterminantCMI(LogDeterminant):
    """Log-determinant conditional mutual information (submodlib's LogDetCMI).

    ``I(A; Q | P) = log det(T^P_A) - log det(T^{QP}_A)`` where ``T^X`` is the kernel
    conditioned on X (its Schur complement, the cross-kernels to Q scaled by ``eta`` and to P
    by ``nu``, ``regularization`` on every diagonal): what A tells about Q beyond P. A
    difference of log-determinants, not submodular in general (``submodular=False``);
    monotone when ``eta = nu <= 1``.

    Parameters
    ----------
    kernel : array_like, shape (n, n)
    query_kernel : array_like, shape (n, q)
    query_query_kernel : array_like, shape (q, q)
    private_kernel : array_like, shape (n, p)
    private_private_kernel : array_like, shape (p, p)
    query_private_kernel : array_like, shape (q, p)
    eta, nu : float, default 1.0
    regularization : float, default 1.0
    max_size : int, optional

    Examples
    --------
    >>> L = np.eye(2)
    >>> f = LogDeterminantCMI(L, [[0.5], [0.0]], [[1.0]], [[0.0], [0.5]], [[1.0]], [[0.0]])
    >>> bool(np.isclose(f.evaluate([0]), np.log(2.0) - np.log(2.0 - 0.25 / 2.0)))
    True
    """

    name = "log-determinant-cmi"

    def __init__(self, kernel, query_kernel, query_query_kernel, private_kernel, private_private_kernel,
                 query_private_kernel, eta: float = 1.0, nu: float = 1.0, regularization: float = 1.0,
                 max_size: int | None = None):
        mat = check_kernel("kernel", kernel)
        n = mat.shape[0]
        cq = _dense_cross("query_kernel", query_kernel, n)
        cp = _dense_cross("private_kernel", private_kernel, n)
        q, p = cq.shape[1], cp.shape[1]
        qq = check_kernel("query_query_kernel", query_query_kernel)
        pp = check_kernel("private_private_kernel", private_private_kernel)
        qp = _dense_cross("query_private_kernel", query_private_kernel, q, p)
        if qq.shape[0] != q or pp.shape[0] != p:
            raise InvalidParameterError("query_query_kernel / private_private_kernel",
                                        f"shapes {qq.shape}, {pp.shape}", f"({q}, {q}) and ({p}, {p})")
        self.eta = check_real("eta", eta, minimum=0.0)
        self.nu = check_real("nu", nu, minimum=0.0)
        lam = check_real("regularization", regularization, minimum=0.0)
        stacked = np.empty((2 * n, n))
        schur_kernel(mat, cp, pp, self.nu, lam, out=stacked[:n])
        cross = np.hstack([self.eta * cq, self.nu * cp])
        inner = np.block([[qq, qp], [qp.T, pp]])
        schur_kernel(mat, cross, inner, 1.0, lam, out=stacked[n:])
        self._setup(stacked, [1.0, -1.0], lam, max_size, K.LOGDET_PRECOMPUTED, 0.0)
        self.submodular = False
        # Both conditioned kernels are Schur complements of one joint kernel, positive
        # semi-definite (so conditioning on Q never raises a variance) when eta = nu <= 1
        # and the joint kernel is PSD (checked on the conditioned kernels).
        self.monotone = (self.eta == self.nu <= 1.0 and _conditioned_psd(stacked[:n], lam)
                         and _conditioned_psd(stacked[n:], lam))
