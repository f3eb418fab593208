"""Log-determinant: ``f(S) = log det(L_S + lam I)``, diversity by volume (DPP MAP inference)."""

from __future__ import annotations

import numpy as np

from submodkit._validation import check_int, check_real
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective

DEFAULT_MAX_SIZE = 512
"""Largest selection a log-determinant's state holds unless ``max_size`` says otherwise."""
PSD_CHECK_MAX_N = 500
"""Kernels up to this size are checked positive semi-definite (an O(n^3) eigenvalue scan)."""
_KERNELS = {"linear": K.LOGDET_LINEAR, "cosine": K.LOGDET_LINEAR, "rbf": K.LOGDET_RBF}


def check_kernel(name: str, kernel, *, psd: bool | None = None) -> np.ndarray:
    """A dense, finite, symmetric kernel matrix as a C-contiguous float64 array.

    Parameters
    ----------
    name : str
        The parameter's name, for error messages.
    kernel : array_like, shape (n, n)
        The kernel.
    psd : bool, optional
        Check positive semi-definiteness (eigenvalues >= -1e-9 times the largest); by default
        only for ``n <= PSD_CHECK_MAX_N`` (the check costs O(n^3)).

    Returns
    -------
    ndarray of float64, shape (n, n)

    Raises
    ------
    InvalidParameterError
        For a sparse, non-square, non-finite, asymmetric or indefinite matrix.

    Examples
    --------
    >>> check_kernel("L", [[2.0, 1.0], [1.0, 2.0]]).shape
    (2, 2)
    """
    if hasattr(kernel, "toarray") and not isinstance(kernel, np.ndarray):
        raise InvalidParameterError(name, "a sparse matrix", "a dense kernel (log-determinants are dense)")
    try:
        mat = np.ascontiguousarray(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(name, type(kernel).__name__, "a numeric square matrix") from None
    if mat.ndim != 2 or mat.shape[0] != mat.shape[1]:
        raise InvalidParameterError(name, f"shape {mat.shape}", "a square matrix")
    lo, hi = (float(mat.min()), float(mat.max())) if mat.size else (0.0, 0.0)
    if not np.isfinite(lo + hi):
        raise InvalidParameterError(name, "a matrix with NaN or inf", "finite entries")
    scale = max(1.0, abs(lo), abs(hi))
    if mat.size and _asymmetry(mat) > 1e-9 * scale:
        raise InvalidParameterError(name, "an asymmetric matrix", "a symmetric kernel")
    if (mat.shape[0] <= PSD_CHECK_MAX_N if psd is None else psd) and mat.size:
        low = float(np.linalg.eigvalsh(mat)[0])
        if low < -1e-9 * scale:
            raise InvalidParameterError(name, f"smallest eigenvalue {low:.3g}",
                                        "a positive semi-definite kernel")
    return mat


def _asymmetry(mat: np.ndarray, block: int = 512) -> float:
    """``max |M - M^T|`` over tiles below the diagonal against their mirror images: half the
    reads of ``abs(M - M.T)`` and no n x n temporary (a transposed n x n read is slow)."""
    n, worst = mat.shape[0], 0.0
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        for lo2 in range(0, hi, block):
            hi2 = min(n, lo2 + block)
            worst = max(worst, float(np.abs(mat[lo:hi, lo2:hi2] - mat[lo2:hi2, lo:hi].T).max()))
    return worst


def schur_kernel(kernel: np.ndarray, cross: np.ndarray, inner: np.ndarray, scale: float,
                 regularization: float, out: np.ndarray | None = None) -> np.ndarray:
    """``L - scale^2 C (M + lam I)^-1 C^T``: the kernel of the candidates conditioned on a
    fixed set whose kernel is ``M`` and cross-kernel ``C``, so that
    ``log det(schur_S + lam I) = log det over (S plus the set) - log det over the set``.

    Parameters
    ----------
    kernel : ndarray, shape (n, n)
    cross : ndarray, shape (n, q)
    inner : ndarray, shape (q, q)
    scale : float
        Multiplies the cross-kernel (submodlib's ``magnificationEta`` / ``privacyHardness``).
    regularization : float
        ``lam``, added to the diagonal of ``M``.
    out : ndarray, shape (n, n), optional
        Where to write it (a block of a stacked kernel: no n x n temporary).

    Returns
    -------
    ndarray, shape (n, n)

    Examples
    --------
    >>> L = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> schur_kernel(L, np.array([[1.0], [0.0]]), np.array([[1.0]]), 1.0, 0.0).tolist()
    [[1.0, 1.0], [1.0, 2.0]]
    """
    q = inner.shape[0]
    out = np.empty_like(kernel) if out is None else out
    if q == 0:
        out[...] = kernel
        return out
    chol = np.linalg.cholesky(inner + regularization * np.eye(q))
    half = np.linalg.solve(chol, cross.T)  # q x n: chol^-1 C^T
    np.matmul(half.T, half, out=out)
    out *= -(scale * scale)
    out += kernel
    return out


class LogDeterminant(Objective):
    """Log-determinant ``f(S) = log det(L_S + lam I)`` of a positive semi-definite kernel L.

    The log-volume spanned by the selected items: diversity, and the MAP objective of a
    determinantal point process (DPP) with kernel ``L + lam I``. Submodular (a log-determinant
    of a positive definite matrix); monotone when ``regularization >= 1``, since each gain is
    the logarithm of a residual variance that is at least ``lam`` (``lam = 1`` is
    ``log det(I + L_S)``, the normalised DPP form; ``lam = 0`` is ``log det(L_S)``, the
    unnormalised one, which is not monotone and scores a singular selection -690 per missing
    dimension, the logarithm of 1e-300, rather than minus infinity). The greedy
    guarantees of monotone submodular maximization then hold (``f(empty) = 0``).

    Gains and commits are the incremental Cholesky factorization of Chen, Zhang, Zhou (2018):
    a gain is read in O(1) from the residual variances, adding the t-th item costs O(n t)
    (O(n t + n d) from features), so greedy selects k items in O(n k^2) without ever
    factoring a k x k matrix again. Every optimizer runs on it (the state holds the
    Cholesky rows: ``n (max_size + 1)`` floats).

    Parameters
    ----------
    kernel : array_like, shape (n, n)
        Symmetric positive semi-definite similarity (dense). Checked positive semi-definite
        when ``n <= 500`` (an O(n^3) eigenvalue scan; larger kernels are trusted).
    regularization : float, default 1.0
        ``lam >= 0``, added to the diagonal (submodlib's ``lambdaVal``).
    max_size : int, optional
        The largest selection the objective will be asked about, ``min(n, 512)`` by default;
        the state (and memory) grows with it.

    Attributes
    ----------
    regularization : float
    max_size : int

    Raises
    ------
    InvalidParameterError
        For a kernel that is not square, finite, symmetric (and, up to n = 500, positive
        semi-definite), a
        negative regularization, or ``max_size`` outside ``[0, n]``.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> f = LogDeterminant(L)
    >>> bool(np.isclose(f.evaluate([0, 1]), np.linalg.slogdet(L[:2, :2] + np.eye(2))[1]))
    True
    >>> [round(float(g), 4) for g in f.gains([0])]
    [0.0, 0.4669, 0.6931]
    >>> f.monotone, LogDeterminant(L, regularization=0.0).monotone
    (True, False)

    References
    ----------
    .. [1] Chen, Zhang, Zhou, "Fast greedy MAP inference for determinantal point process to
       improve recommendation diversity", NeurIPS 2018.
    .. [2] Kulesza, Taskar, "Determinantal point processes for machine learning",
       Foundations and Trends in Machine Learning 5 (2012).
    .. [3] Iyer, Khargonkar, Bilmes, Asnani, "Generalized submodular information measures:
       theoretical properties, examples, optimization algorithms, and applications", IEEE
       Trans. Information Theory 68 (2022) (submodlib's log-determinant family).
    """

    name = "log-determinant"

    def __init__(self, kernel, regularization: float = 1.0, max_size: int | None = None):
        mat = check_kernel("kernel", kernel)
        lam = check_real("regularization", regularization, minimum=0.0)
        self._setup([mat], [1.0], lam, max_size, K.LOGDET_PRECOMPUTED, 0.0)

    @property
    def regularization(self) -> float:
        """``lam``, added to the diagonal (kept in ``b[0]``, which the kernels read)."""
        return float(self.b[0])

    @property
    def max_size(self) -> int:
        """The largest selection the state holds (``max_selection``)."""
        return self.max_selection

    def _setup(self, kernels, signs: list, lam: float, max_size, code: int, gamma: float,
               features: np.ndarray | None = None) -> None:
        """Fill the kernel arrays (``KIND_LOGDET``) from validated kernels (a list, or the R
        kernels already stacked in one (R n, n) array) and check them."""
        if features is None:
            if isinstance(kernels, np.ndarray):
                dense = kernels
            else:
                dense = kernels[0] if len(kernels) == 1 else np.ascontiguousarray(np.vstack(kernels))
            n = dense.shape[1]
            diag = np.concatenate([np.diagonal(dense[r * n : (r + 1) * n]) for r in range(len(signs))])
            self.shape = (n, n)
        else:
            n = features.shape[0]
            dense = features
            if code == K.LOGDET_LINEAR:
                diag = np.einsum("ij,ij->i", features, features)
            else:
                diag = np.ones(n)
            self.shape = features.shape
        cap = min(n, DEFAULT_MAX_SIZE) if max_size is None else check_int("max_size", max_size)
        if cap > n:
            raise InvalidParameterError("max_size", cap, f"an integer in [0, n={n}]")
        self.kind, self.agg, self.phi = K.KIND_LOGDET, code, K.PHI_IDENTITY
        self.indptr, self.indices = K.EMPTY_INDPTR, K.EMPTY_INDICES
        self.data = np.array([gamma, *signs], dtype=np.float64)
        self.dense = dense
        self.w = np.ascontiguousarray(diag + lam, dtype=np.float64)
        self.b = np.array([lam, cap], dtype=np.float64)
        self.monotone = bool(lam >= 1.0) and all(s > 0 for s in signs)
        self.submodular = True
        self._check_kernel_arrays(values_checked=True)

    @classmethod
    def from_features(
        cls, X, kernel: str = "rbf", gamma: float | None = None, regularization: float = 1.0,
        max_size: int | None = None,
    ) -> LogDeterminant:
        """Log-determinant of a kernel computed from the rows of X on demand (no n x n matrix).

        Memory is the features plus the state (``n (max_size + 1)`` floats); adding an item
        costs O(n d) kernel work on top of the Cholesky update.

        Parameters
        ----------
        X : array_like, shape (n, d)
            The points, one per row.
        kernel : {"rbf", "linear", "cosine"}, default "rbf"
            ``exp(-gamma ||x_i - x_j||^2)``, ``x_i . x_j``, or the linear kernel of the rows
            scaled to unit length.
        gamma : float, optional
            RBF width, ``1 / d`` by default (scikit-learn's).
        regularization : float, default 1.0
        max_size : int, optional

        Returns
        -------
        LogDeterminant

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [3.0, 3.0]])
        >>> f = LogDeterminant.from_features(X, kernel="rbf", gamma=1.0)
        >>> g = LogDeterminant(np.exp(-((X[:, None] - X[None]) ** 2).sum(-1)))
        >>> bool(np.isclose(f.evaluate([0, 1, 2]), g.evaluate([0, 1, 2])))
        True
        """
        from submodkit._validation import check_matrix

        if kernel not in _KERNELS:
            raise InvalidParameterError("kernel", kernel, f"one of {sorted(_KERNELS)}")
        feats = np.ascontiguousarray(check_matrix("X", X, nonnegative=False), dtype=np.float64)
        if kernel == "cosine":
            norms = np.linalg.norm(feats, axis=1, keepdims=True)
            feats = np.ascontiguousarray(feats / np.where(norms > 0.0, norms, 1.0))
        d = feats.shape[1]
        g = 1.0 / max(d, 1) if gamma is None else check_real("gamma", gamma, minimum=0.0, strict_min=True)
        obj = cls.__new__(cls)
        lam = check_real("regularization", regularization, minimum=0.0)
        obj._setup([], [1.0], lam, max_size, _KERNELS[kernel], float(g), features=feats)
        return obj


def kernel_matrix(X, Y=None, kernel: str = "rbf", gamma: float | None = None) -> np.ndarray:
    """The positive semi-definite kernel between the rows of X and of Y (X by default):
    ``"rbf"`` ``exp(-gamma ||x - y||^2)`` (gamma ``1 / d`` by default), ``"linear"`` ``x . y``,
    ``"cosine"`` the linear kernel of rows scaled to unit length.

    Parameters
    ----------
    X : array_like, shape (n, d)
    Y : array_like, shape (q, d), optional
    kernel : {"rbf", "linear", "cosine"}, default "rbf"
    gamma : float, optional

    Returns
    -------
    ndarray of float64, shape (n, q)

    Examples
    --------
    >>> kernel_matrix(np.array([[0.0], [1.0]]), kernel="rbf", gamma=1.0).round(4).tolist()
    [[1.0, 0.3679], [0.3679, 1.0]]
    """
    from submodkit._validation import check_matrix

    if kernel not in _KERNELS:
        raise InvalidParameterError("kernel", kernel, f"one of {sorted(_KERNELS)}")
    A = np.asarray(check_matrix("X", X, nonnegative=False), dtype=np.float64)
    B = A if Y is None else np.asarray(check_matrix("Y", Y, nonnegative=False), dtype=np.float64)
    if B.shape[1] != A.shape[1]:
        raise InvalidParameterError("Y", f"shape {B.shape}", f"{A.shape[1]} columns, as X")
    if kernel == "cosine":
        A = A / np.where((na := np.linalg.norm(A, axis=1, keepdims=True)) > 0.0, na, 1.0)
        B = B / np.where((nb := np.linalg.norm(B, axis=1, keepdims=True)) > 0.0, nb, 1.0)
    if kernel != "rbf":
        return np.ascontiguousarray(A @ B.T)
    g = (1.0 / max(A.shape[1], 1) if gamma is None
         else check_real("gamma", gamma, minimum=0.0, strict_min=True))
    from submodkit.objectives.similarity import squared_distances

    D = squared_distances(A, B)
    if Y is None:
        np.fill_diagonal(D, 0.0)  # exactly 1 on the diagonal, as the kernel from features
    return np.exp(-g * D)
