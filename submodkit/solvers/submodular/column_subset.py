"""Column subset selection: k columns of A whose span captures the most of A (greedy CSSP)."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_matrix
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.results import Solution

_BLOCK = 512


def as_column_matrix(name: str, A) -> np.ndarray:
    """A finite real matrix (dense, float64, Fortran order: columns contiguous).

    Parameters
    ----------
    name : str
        The parameter's name, for error messages.
    A : array_like or scipy.sparse matrix, shape (m, n)

    Returns
    -------
    ndarray of float64, shape (m, n)

    Examples
    --------
    >>> as_column_matrix("A", [[1, 2], [3, 4]]).flags.f_contiguous
    True
    """
    mat = check_matrix(name, A, nonnegative=False)
    dense = mat.toarray() if sp.issparse(mat) else mat
    return np.asfortranarray(dense, dtype=np.float64)


def greedy_columns(A: np.ndarray, columns: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedy CSSP among ``columns`` of A, judged on those columns: ``(selection, gains)``,
    gains the squared Frobenius norm of ``A[:, columns]`` each pick adds to its projection.

    The residual Gram matrix ``E = R^T R`` (R = the candidates' matrix minus its projection on
    the chosen columns) is never formed: each candidate keeps ``f_j = ||E e_j||^2`` and
    ``g_j = E_jj`` (gain ``f_j / g_j``), updated after each pick by a rank-one correction
    that costs one product with the matrix and one with its transpose, O(m n + n t) at step t
    (Farahat, Ghodsi, Kamel 2013); the initial ``f`` costs ``min(m, n)^2 max(m, n)``.

    Parameters
    ----------
    A : ndarray, shape (m, n)
    columns : ndarray of int64
        The candidate columns (a core-set's part, or all).
    k : int

    Returns
    -------
    selection : ndarray of int64
        Column indices of A.
    gains : ndarray of float64
    """
    B = A if columns.size == A.shape[1] else np.asfortranarray(A[:, columns])
    n = B.shape[1]
    norms = np.einsum("ij,ij->j", B, B)
    g = norms.copy()
    f = np.empty(n)
    if B.shape[0] < n:  # ||B^T b_j||^2 = b_j^T (B B^T) b_j through the smaller m x m Gram matrix
        C = B @ B.T
        for lo in range(0, n, _BLOCK):
            f[lo : lo + _BLOCK] = np.einsum("ij,ij->j", B[:, lo : lo + _BLOCK], C @ B[:, lo : lo + _BLOCK])
    else:
        for lo in range(0, n, _BLOCK):  # one block of the n x n Gram matrix at a time
            block = B.T @ B[:, lo : lo + _BLOCK]
            f[lo : lo + _BLOCK] = np.einsum("ij,ij->j", block, block)
    steps = min(k, n)
    omegas = np.zeros((steps, n))
    top = float(norms.max(initial=0.0))
    alive = norms > 1e-12 * top
    sel, gains = [], []
    for t in range(steps):
        score = np.where(alive, f / np.where(alive, g, 1.0), -np.inf)
        best = int(np.argmax(score))
        if not np.isfinite(score[best]) or score[best] <= 0.0:
            break
        W = omegas[:t]
        delta = B.T @ B[:, best] - W.T @ W[:, best]
        omega = delta / np.sqrt(delta[best])
        e_omega = B.T @ (B @ omega) - W.T @ (W @ omega)
        f = f - 2.0 * omega * e_omega + float(omega @ omega) * omega * omega
        g = g - omega * omega
        omegas[t] = omega
        sel.append(best)
        gains.append(float(score[best]))
        alive[best] = False
        alive &= g > 1e-10 * norms  # what is left of a column, relative to the column
    return columns[np.asarray(sel, dtype=np.int64)], np.asarray(gains, dtype=np.float64)


def projection_value(A: np.ndarray, selection) -> float:
    """``||P_S A||_F^2``: the squared Frobenius norm of A's projection on columns S.

    Examples
    --------
    >>> A = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    >>> round(projection_value(A, [2]), 6)
    3.0
    """
    return float(prefix_gains(A, selection).sum())


def prefix_gains(A: np.ndarray, selection) -> np.ndarray:
    """What each column of ``selection`` adds to ``||P_S A||_F^2``, in order: one QR of the
    chosen columns (its i-th vector spans what column i adds to the ones before it).

    Examples
    --------
    >>> A = np.array([[1.0, 1.0], [0.0, 1.0]])
    >>> prefix_gains(A, [0, 1]).round(6).tolist()
    [2.0, 1.0]
    """
    S = np.asarray(selection, dtype=np.int64)
    if S.size == 0:
        return np.zeros(0)
    Q, R = np.linalg.qr(A[:, S])
    scale = max(1.0, float(np.abs(R).max(initial=0.0)))
    out = np.einsum("ij,ij->i", Q.T @ A, Q.T @ A)
    out[np.abs(np.diag(R)) <= 1e-10 * scale] = 0.0  # a column in the span of the earlier ones
    return out


def rank_k_value(A: np.ndarray, k: int) -> float:
    """``||A_k||_F^2 = sum of the k largest squared singular values``: what the best rank-k
    approximation captures, an upper bound on what any k columns capture.

    Examples
    --------
    >>> rank_k_value(np.diag([3.0, 2.0, 1.0]), 2)
    13.0
    """
    m, n = A.shape
    r = min(m, n)
    if k <= 0:
        return 0.0
    if k >= r:
        return float(np.einsum("ij,ij->", A, A))
    if r <= 500 or k > r // 4:
        s = np.linalg.svd(A, compute_uv=False)
    else:
        from scipy.sparse.linalg import svds

        s = svds(A, k=k, return_singular_vectors=False)
    s = np.sort(s)[::-1][:k]
    return float(np.sum(s * s))


def column_subset(A, k: int, *, algorithm: str = "greedy", bound: bool = True) -> Solution:
    """Choose k columns of A whose span captures the most of A: maximize ``||P_S A||_F^2``,
    equivalently minimize the reconstruction error ``||A - P_S A||_F^2`` (the column subset
    selection problem, CSSP).

    Greedy adds the column that captures the most of what is left (Altschuler, Bhaskara, Fu,
    Mirrokni, Rostamizadeh, Zadimoghaddam 2016 prove it within ``1 - epsilon`` of the best k
    columns when it may take O(k / (epsilon sigma)) columns, sigma the smallest squared
    singular value of the optimal columns, normalized; that paper was reachable here by its
    abstract only, so its constants are not reproduced and no a-priori ratio is claimed: the
    guarantee ``"column-subset-greedy"`` says so, with ratio 0).
    The objective is not submodular in general. What is reported and earned is a certificate:
    ``upper_bound = ||A_k||_F^2`` (the best rank-k approximation captures at least as much as
    any k columns), so ``value / upper_bound`` is a proven lower bound on greedy's ratio.

    Parameters
    ----------
    A : array_like or scipy.sparse matrix, shape (m, n)
        The matrix (densified: m n floats).
    k : int
        Columns to choose.
    algorithm : {"greedy"}, default "greedy"
    bound : bool, default True
        Compute the rank-k certificate (an SVD: ``svds`` for large matrices).

    Returns
    -------
    Solution
        ``selection`` (column indices, in the order chosen), ``gains`` (what each adds),
        ``value = ||P_S A||_F^2``, ``upper_bound = ||A_k||_F^2``; ``stats`` with ``residual``
        (``||A - P_S A||_F^2``), ``svd_residual`` (``||A - A_k||_F^2``) and ``total``
        (``||A||_F^2``).

    Raises
    ------
    InvalidParameterError
        For a non-finite matrix, a negative k or an unknown algorithm.

    Examples
    --------
    >>> A = np.array([[2.0, 1.9, 0.0], [0.0, 0.3, 1.0]])
    >>> sol = column_subset(A, 1)   # the middle column explains the most
    >>> sol.selection.tolist(), round(sol.value, 4), round(sol.upper_bound, 4)
    ([1], 7.627, 7.6595)

    References
    ----------
    .. [1] Altschuler, Bhaskara, Fu, Mirrokni, Rostamizadeh, Zadimoghaddam, "Greedy column
       subset selection: new bounds and distributed algorithms", ICML 2016.
    .. [2] Farahat, Ghodsi, Kamel, "Efficient greedy feature selection for unsupervised
       learning", Knowledge and Information Systems 35 (2013).
    .. [3] Boutsidis, Mahoney, Drineas, "An improved approximation algorithm for the column
       subset selection problem", SODA 2009.
    """
    start = time.perf_counter()
    if algorithm != "greedy":
        raise InvalidParameterError("algorithm", algorithm, "'greedy'")
    M = as_column_matrix("A", A)
    k = check_int("k", k)
    sel, gains = greedy_columns(M, np.arange(M.shape[1], dtype=np.int64), k)
    return _solution(M, sel, gains, k, "greedy", bound, start)


def _solution(M: np.ndarray, sel: np.ndarray, gains: np.ndarray, k: int, name: str, bound: bool,
              start: float, **stats) -> Solution:
    total = float(np.einsum("ij,ij->", M, M))
    value = float(gains.sum())
    upper = rank_k_value(M, k) if bound else None
    return Solution(
        selection=sel, gains=gains, value=value, algorithm=name, guarantee=guarantee("column-subset-greedy"),
        upper_bound=upper,
        stats={"residual": max(total - value, 0.0), "total": total,
               "svd_residual": None if upper is None else max(total - upper, 0.0),
               "seconds": time.perf_counter() - start, "n": M.shape[1], **stats},
    )
