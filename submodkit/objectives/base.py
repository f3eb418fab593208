"""`Objective`: a set function held as the arrays its compiled kernels read."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_csr_structure, check_matrix, check_selection
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kinds as K

_F64, _F32 = np.dtype(np.float64), np.dtype(np.float32)
_KINDS = frozenset((K.KIND_DENSE, K.KIND_CSR, K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR, K.KIND_COVERAGE,
                    K.KIND_MIX_DENSE, K.KIND_MIX_CSR, K.KIND_LOGDET))
_SPARSE_KINDS = frozenset((K.KIND_CSR, K.KIND_QUAD_CSR, K.KIND_COVERAGE, K.KIND_MIX_CSR))
_PHIS = frozenset((K.PHI_IDENTITY, K.PHI_SQRT, K.PHI_LOG1P, K.PHI_INVERSE, K.PHI_MIN,
                   K.PHI_ONE_MINUS_EXP))


def _kernels():
    """The Numba kernels, imported on first use (importing Numba costs about 0.3 s)."""
    from submodkit.objectives import kernels

    return kernels


def check_storage(name: str, values, dtype=np.float64):
    """`check_matrix` for a storage dtype: float64 (the default), or float32 kept as float32.

    float32 halves the memory; no float64 copy of a float32 input is made.

    Parameters
    ----------
    name : str
        The parameter's name, for error messages.
    values : array_like or sparse matrix
        A finite, non-negative matrix.
    dtype : numpy dtype, default numpy.float64
        ``numpy.float64`` or ``numpy.float32``.

    Returns
    -------
    ndarray or scipy.sparse.csr_matrix
        The validated matrix in ``dtype``.

    Raises
    ------
    InvalidParameterError
        For another dtype, or a matrix with negative or non-finite entries.

    Examples
    --------
    >>> import numpy as np
    >>> check_storage("X", [[1, 2], [3, 4]], dtype=np.float32).dtype
    dtype('float32')
    """
    if dtype is not np.float64 and dtype is not _F64 and np.dtype(dtype) not in (_F64, _F32):
        raise InvalidParameterError("dtype", dtype, "numpy.float64 or numpy.float32")
    return check_matrix(name, values, dtype=dtype)


def _float_storage(values, ndim: int) -> np.ndarray:
    """A contiguous float32 array when ``values`` is float32, else float64, of ``ndim`` dimensions."""
    arr = np.asarray(values)
    if arr.ndim != ndim:
        raise ValueError(f"an array of {ndim} dimensions, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float32 if arr.dtype == _F32 else np.float64)


class Objective:
    """A set function over the ground set ``{0, ..., n-1}``, encoded for the kernels.

    Subclasses only build arrays; evaluation and gains are the shared kernels of
    :mod:`submodkit.objectives.kernels`. Attributes ``monotone`` and ``submodular`` say
    which guarantees apply; solvers read them. Every objective checks its arrays once, at
    construction, so that no kernel can read out of bounds.

    Parameters
    ----------
    kind : int
        The family code (``KIND_DENSE``, ``KIND_CSR``, ``KIND_QUAD_DENSE``,
        ``KIND_QUAD_CSR``, ``KIND_COVERAGE``, ``KIND_MIX_DENSE``, ``KIND_MIX_CSR``; see
        :mod:`submodkit.objectives.kernels`).
    agg : int, default AGG_SUM
        ``AGG_SUM`` or ``AGG_MAX``: how a column aggregates the selected rows.
    phi : int, default PHI_IDENTITY
        The concave function's code.
    matrix : ndarray or scipy.sparse matrix
        The data, rows are candidates.
    w : ndarray
        Per-column weights (per-candidate for the quadratic kinds).
    b : ndarray, optional
        Per-column parameters (caps of ``PHI_MIN``, the quadratic coefficients, the
        mixtures' layout); zeros by default.
    monotone, submodular : bool, default True
        What the objective is (solvers report guarantees only when they hold).
    dtype : numpy dtype, default numpy.float64
        Storage of the matrix, ``numpy.float64`` or ``numpy.float32``.
    values_checked : bool, default False
        Skip the finiteness scan of a matrix `check_matrix` has already seen.

    Attributes
    ----------
    n : int
        Size of the ground set.
    state_size : int
        Length of the kernels' state vector.
    nnz : int
        Stored entries of the matrix.
    monotone, submodular : bool
        Read by the solvers to choose an algorithm and report a guarantee.

    Raises
    ------
    InvalidParameterError
        For arrays that break an invariant of the kernels (unknown codes, CSR structure,
        shapes, lengths of ``w`` and ``b``, non-finite values).

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1], [1, 2, 3], [3]])
    >>> f, f.n, f.monotone, f.submodular
    (Coverage(n=3, state_size=4, nnz=6), 3, True, True)
    >>> f([0, 2]), f.evaluate([0, 2]), f.gains([0]).tolist()
    (3.0, 3.0, [0.0, 2.0, 1.0])

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978).
    .. [2] Krause, Golovin, "Submodular function maximization", in Tractability, Cambridge
       University Press (2014).
    """

    name = "objective"

    def __init__(
        self,
        *,
        kind: int,
        agg: int = K.AGG_SUM,
        phi: int = K.PHI_IDENTITY,
        matrix: np.ndarray | sp.csr_matrix,
        w: np.ndarray,
        b: np.ndarray | None = None,
        monotone: bool = True,
        submodular: bool = True,
        dtype=np.float64,
        values_checked: bool = False,
    ):
        self.kind = int(kind)
        self.agg = int(agg)
        self.phi = int(phi)
        if dtype is not np.float64:
            dtype = np.dtype(dtype)
            if dtype not in (np.float64, np.float32):
                raise InvalidParameterError("dtype", dtype, "numpy.float64 or numpy.float32")
        single = dtype is not np.float64 and dtype == np.float32
        if type(matrix) is np.ndarray:
            self.indptr, self.indices = K.EMPTY_INDPTR, K.EMPTY_INDICES
            self.data = K.EMPTY_DATA32 if single else K.EMPTY_DATA
            self.dense = np.ascontiguousarray(matrix, dtype=dtype)
            self.shape = self.dense.shape
        elif sp.issparse(matrix):
            csr = matrix if isinstance(matrix, sp.csr_matrix) else sp.csr_matrix(matrix)
            self.indptr = np.ascontiguousarray(csr.indptr, dtype=np.int64)
            self.indices = np.ascontiguousarray(csr.indices, dtype=np.int32)
            self.data = np.ascontiguousarray(csr.data, dtype=dtype)
            self.dense = K.EMPTY_DENSE32 if single else K.EMPTY_DENSE
            self.shape = csr.shape
        else:
            self.indptr, self.indices = K.EMPTY_INDPTR, K.EMPTY_INDICES
            self.data = K.EMPTY_DATA32 if single else K.EMPTY_DATA
            self.dense = np.ascontiguousarray(matrix, dtype=dtype)
            self.shape = self.dense.shape
        if self.kind == K.KIND_COVERAGE:
            self.data = K.EMPTY_DATA  # implicit ones
        self.w = np.ascontiguousarray(w, dtype=np.float64)
        self.b = np.zeros(self.w.shape) if b is None else np.ascontiguousarray(b, dtype=np.float64)
        self.monotone = bool(monotone)
        self.submodular = bool(submodular)
        self._check_kernel_arrays(values_checked)

    def _check_kernel_arrays(self, values_checked: bool = False) -> None:
        """Raise `InvalidParameterError` unless the arrays satisfy every invariant the kernels
        rely on, so that no kernel can read out of bounds: known codes, the CSR structure or
        dense shape of the matrix, ``w`` and ``b`` of the lengths the kind reads, finite values.
        Every objective passes here once, at construction (subclasses and loaded files alike);
        ``values_checked`` skips the finiteness scan of a matrix that `check_matrix` has seen.
        """
        if self.kind not in _KINDS:
            raise InvalidParameterError("kind", self.kind, f"one of the kind codes {sorted(_KINDS)}")
        if self.kind == K.KIND_LOGDET:
            self._check_logdet_arrays(values_checked)
            return
        if self.agg not in (K.AGG_SUM, K.AGG_MAX):
            raise InvalidParameterError("agg", self.agg, f"{K.AGG_SUM} (sum) or {K.AGG_MAX} (max)")
        if self.phi not in _PHIS:
            raise InvalidParameterError("phi", self.phi, f"one of the concave-function codes {sorted(_PHIS)}")
        if len(self.shape) != 2 or min(self.shape) < 0:
            raise InvalidParameterError("shape", self.shape, "two non-negative sizes")
        n, m = int(self.shape[0]), int(self.shape[1])
        if self.kind in _SPARSE_KINDS:
            check_csr_structure("matrix", self.indptr, self.indices, (n, m),
                                None if self.kind == K.KIND_COVERAGE else self.data.shape[0])
            values = self.data
        else:
            if self.dense.ndim != 2 or self.dense.shape != (n, m):
                raise InvalidParameterError("matrix", f"array of shape {self.dense.shape}", f"shape {(n, m)}")
            values = self.dense
        if self.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR) and n != m:
            raise InvalidParameterError("matrix", f"shape {(n, m)}", "a square matrix (pairwise kinds)")
        if not values_checked and values.size and not np.isfinite(values.min() + values.max()):
            raise InvalidParameterError("matrix", "a matrix with NaN or inf", "finite entries")
        if self.w.ndim != 1 or self.w.shape[0] != m:
            raise InvalidParameterError("w", f"array of shape {self.w.shape}", f"length {m} (one per column)")
        b_len = 2 * m + n if self.kind in (K.KIND_MIX_DENSE, K.KIND_MIX_CSR) else m
        if self.b.ndim != 1 or self.b.shape[0] != b_len:
            raise InvalidParameterError("b", f"array of shape {self.b.shape}", f"length {b_len}")
        for name, arr in (("w", self.w), ("b", self.b)):
            if arr.size and not np.isfinite(arr).all():
                raise InvalidParameterError(name, "an array with NaN or inf", "finite entries")
        if self.kind in (K.KIND_MIX_DENSE, K.KIND_MIX_CSR) and m:
            codes = self.b[m : 2 * m]
            if not np.isin(codes, list(_PHIS)).all():
                raise InvalidParameterError("b", "mixture column codes", "concave-function codes")

    def _check_logdet_arrays(self, values_checked: bool) -> None:
        """The invariants of ``KIND_LOGDET`` (see :mod:`submodkit.objectives.kernels`)."""
        codes = (K.LOGDET_PRECOMPUTED, K.LOGDET_LINEAR, K.LOGDET_RBF)
        if self.agg not in codes or self.phi != K.PHI_IDENTITY:
            raise InvalidParameterError("agg", self.agg, "a log-determinant kernel code (0, 1 or 2)")
        if len(self.shape) != 2 or min(self.shape) < 0:
            raise InvalidParameterError("shape", self.shape, "two non-negative sizes")
        n, m = int(self.shape[0]), int(self.shape[1])
        if self.data.ndim != 1 or self.data.shape[0] < 2 or not np.isfinite(self.data).all():
            raise InvalidParameterError("data", f"array of shape {self.data.shape}",
                                        "[gamma, sign of each kernel], finite")
        n_kernels = self.data.shape[0] - 1
        want = (n_kernels * n, n) if self.agg == K.LOGDET_PRECOMPUTED else (n, m)
        if self.agg != K.LOGDET_PRECOMPUTED and n_kernels != 1:
            raise InvalidParameterError("data", f"{n_kernels} kernels", "one kernel from features")
        if self.dense.ndim != 2 or self.dense.shape != want or (self.agg == K.LOGDET_PRECOMPUTED and m != n):
            raise InvalidParameterError("matrix", f"array of shape {self.dense.shape}", f"shape {want}")
        if not values_checked and self.dense.size and not np.isfinite(self.dense.min() + self.dense.max()):
            raise InvalidParameterError("matrix", "a matrix with NaN or inf", "finite entries")
        if self.w.ndim != 1 or self.w.shape[0] != n_kernels * n or not np.isfinite(self.w).all():
            raise InvalidParameterError("w", f"array of shape {self.w.shape}",
                                        f"length {n_kernels * n} (each kernel's diagonal), finite")
        if (self.b.ndim != 1 or self.b.shape[0] != 2 or not np.isfinite(self.b).all()
                or self.b[1] != int(self.b[1]) or not 0 <= self.b[1] <= max(n, 0)):
            raise InvalidParameterError("b", self.b, "[regularization, capacity] with 0 <= capacity <= n")

    @classmethod
    def from_kernel_arrays(
        cls, *, kind: int, agg: int, phi: int, shape, indptr, indices, data, dense, w, b,
        monotone: bool = True, submodular: bool = True, name: str = "objective",
    ) -> Objective:
        """An objective from the raw arrays its kernels read (as :meth:`kernel_args` returns
        them, e.g. read back from a file), checked like every other objective: arrays that
        would make a kernel read out of bounds raise `InvalidParameterError` naming the field.
        """
        obj = cls.__new__(cls)
        for field, arr in (("indptr", indptr), ("indices", indices)):
            arr = np.asarray(arr)
            if arr.dtype.kind not in "iu" or (arr.size and (arr.min() < 0 or arr.max() >= 2**62)):
                raise InvalidParameterError(field, f"{arr.dtype} array", "non-negative integer indices")
        if np.asarray(indices).size and np.asarray(indices).max() >= 2**31:
            raise InvalidParameterError("indices", int(np.asarray(indices).max()), "column indices < 2**31")
        try:
            obj.kind, obj.agg, obj.phi = int(kind), int(agg), int(phi)
            obj.shape = tuple(int(s) for s in shape)
            obj.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
            obj.indices = np.ascontiguousarray(indices, dtype=np.int32)
            obj.data, obj.dense = _float_storage(data, 1), _float_storage(dense, 2)
            obj.w = np.ascontiguousarray(w, dtype=np.float64)
            obj.b = np.ascontiguousarray(b, dtype=np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidParameterError("arrays", type(exc).__name__,
                                        f"numeric kernel arrays ({exc})") from None
        obj.monotone, obj.submodular, obj.name = bool(monotone), bool(submodular), str(name)
        obj._check_kernel_arrays()
        return obj

    @property
    def n(self) -> int:
        """Size of the ground set (the number of candidates)."""
        return int(self.shape[0])

    @property
    def sparse(self) -> bool:
        """Whether the matrix is stored as CSR."""
        return self.kind in (K.KIND_CSR, K.KIND_QUAD_CSR, K.KIND_COVERAGE)

    @property
    def state_size(self) -> int:
        """Length of the state vector the kernels update (elements, or candidates; for a
        log-determinant, the count, the residual variances and the Cholesky rows)."""
        if self.kind == K.KIND_LOGDET:
            return 1 + self.w.shape[0] * (1 + self.max_selection)
        return int(self.shape[1])

    @property
    def max_selection(self) -> int:
        """The largest selection the state can hold: ``n``, except for log-determinants
        (their ``max_size``, which sizes the Cholesky rows of the state)."""
        if self.kind == K.KIND_LOGDET:
            return int(self.b[1])
        return self.n

    @property
    def nnz(self) -> int:
        """Stored entries of the matrix (the cost of one pass over the data)."""
        return int(self.indices.shape[0]) if self.sparse else int(self.dense.size)

    def kernel_args(self) -> tuple:
        """``(kind, agg, phi, indptr, indices, data, dense, w, b)``, as the kernels take them."""
        return (
            self.kind, self.agg, self.phi,
            self.indptr, self.indices, self.data, self.dense, self.w, self.b,
        )

    def new_state(self) -> np.ndarray:
        """The state of the empty selection (residual weights for coverage, else zeros)."""
        if self.kind == K.KIND_COVERAGE:
            return self.w.copy()
        cur = np.zeros(self.state_size, dtype=np.float64)
        if self.kind == K.KIND_LOGDET:
            cur[1 : 1 + self.w.shape[0]] = self.w
        return cur

    def state(self, selection=()) -> np.ndarray:
        """The state after selecting ``selection``."""
        sel = self._distinct(check_selection("selection", selection, self.n))
        cur = self.new_state()
        kind, agg, _, indptr, indices, data, dense, _, _ = self.kernel_args()
        _kernels().commit_all(kind, agg, indptr, indices, data, dense, cur, sel)
        return cur

    def evaluate(self, selection=()) -> float:
        """f(selection); repeated indices count once."""
        sel = check_selection("selection", selection, self.n)
        if self.kind == K.KIND_LOGDET:
            self._distinct(sel)
        return float(_kernels().evaluate_selection(*self.kernel_args(), self.new_state(), sel))

    def check_capacity(self, count: int, name: str = "k") -> None:
        """Raise `InvalidParameterError` when a solver may select more than
        :attr:`max_selection` items (a log-determinant built with a smaller ``max_size``).

        Parameters
        ----------
        count : int
            The most items the solver may select.
        name : str, default "k"
            The parameter to name in the message.

        Examples
        --------
        >>> from submodkit import Coverage
        >>> Coverage([[0], [1]]).check_capacity(2)
        """
        if count > self.max_selection:
            raise InvalidParameterError(
                name, count, f"at most {self.max_selection} items: this {self.name} holds max_size="
                f"{self.max_selection} (build it with a larger max_size)")

    def _distinct(self, sel: np.ndarray) -> np.ndarray:
        """``sel`` without repeats (first occurrences, in order); raises
        `InvalidParameterError` when it is longer than :attr:`max_selection`."""
        _, first = np.unique(sel, return_index=True)
        if first.shape[0] != sel.shape[0]:
            sel = sel[np.sort(first)]
        self.check_capacity(sel.shape[0], "selection")
        return sel

    def gains(self, selection=(), candidates=None) -> np.ndarray:
        """Marginal gains f(S + j) - f(S) for each candidate j (all by default).

        Candidates already in S get gain 0.
        """
        sel = check_selection("selection", selection, self.n)
        if candidates is None:
            cand = np.arange(self.n, dtype=np.int64)
        else:
            cand = check_selection("candidates", candidates, self.n)
        cur = self.new_state()
        KK = _kernels()
        if self.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR, K.KIND_LOGDET):
            kind, agg, _, indptr, indices, data, dense, _, _ = self.kernel_args()
            KK.commit_all(kind, agg, indptr, indices, data, dense, cur, self._distinct(sel))
        else:
            KK.evaluate_selection(*self.kernel_args(), cur, sel)
        out = np.empty(cand.shape[0], dtype=np.float64)
        KK.fill_gains(self.kernel_args(), cur, cand, out, self.nnz)
        if sel.size:
            out[np.isin(cand, sel)] = 0.0
        return out

    def __call__(self, selection=()) -> float:
        """f(selection), as :meth:`evaluate`."""
        return self.evaluate(selection)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n}, state_size={self.state_size}, nnz={self.nnz})"
