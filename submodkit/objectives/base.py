"""`Objective`: a set function held as the arrays its compiled kernels read."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_matrix, check_selection
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kinds as K

_F64, _F32 = np.dtype(np.float64), np.dtype(np.float32)


def _kernels():
    """The Numba kernels, imported on first use (importing Numba costs about 0.3 s)."""
    from submodkit.objectives import kernels

    return kernels


def check_storage(name: str, values, dtype=np.float64):
    """`check_matrix` for a storage dtype: float64 (the default), or float32 kept as float32
    (half the memory; no float64 copy of a float32 input is made)."""
    if dtype is not np.float64 and dtype is not _F64 and np.dtype(dtype) not in (_F64, _F32):
        raise InvalidParameterError("dtype", dtype, "numpy.float64 or numpy.float32")
    return check_matrix(name, values, dtype=dtype)


class Objective:
    """A set function over the ground set ``{0, ..., n-1}``, encoded for the kernels.

    Subclasses only build arrays; evaluation and gains are the shared kernels of
    :mod:`submodkit.objectives.kernels`. Attributes ``monotone`` and ``submodular`` say
    which guarantees apply; solvers read them.
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
        self.w = np.ascontiguousarray(w, dtype=np.float64)
        self.b = np.zeros(self.w.shape) if b is None else np.ascontiguousarray(b, dtype=np.float64)
        self.monotone = bool(monotone)
        self.submodular = bool(submodular)

    @property
    def n(self) -> int:
        """Size of the ground set (the number of candidates)."""
        return int(self.shape[0])

    @property
    def sparse(self) -> bool:
        return self.kind in (K.KIND_CSR, K.KIND_QUAD_CSR, K.KIND_COVERAGE)

    @property
    def state_size(self) -> int:
        """Length of the state vector the kernels update (elements, or candidates)."""
        return int(self.shape[1])

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
        return np.zeros(self.state_size, dtype=np.float64)

    def state(self, selection=()) -> np.ndarray:
        """The state after selecting ``selection``."""
        sel = check_selection("selection", selection, self.n)
        cur = self.new_state()
        kind, agg, _, indptr, indices, data, dense, _, _ = self.kernel_args()
        commit = _kernels().commit
        for j in sel:
            commit(kind, agg, indptr, indices, data, dense, cur, j)
        return cur

    def evaluate(self, selection=()) -> float:
        """f(selection); repeated indices count once."""
        sel = check_selection("selection", selection, self.n)
        return float(_kernels().evaluate_selection(*self.kernel_args(), self.new_state(), sel))

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
        if self.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
            kind, agg, _, indptr, indices, data, dense, _, _ = self.kernel_args()
            seen = set()
            for j in sel:
                if j not in seen:
                    seen.add(int(j))
                    KK.commit(kind, agg, indptr, indices, data, dense, cur, j)
        else:
            KK.evaluate_selection(*self.kernel_args(), cur, sel)
        out = np.empty(cand.shape[0], dtype=np.float64)
        KK.fill_gains(self.kernel_args(), cur, cand, out, self.nnz)
        if sel.size:
            out[np.isin(cand, sel)] = 0.0
        return out

    def __call__(self, selection=()) -> float:
        return self.evaluate(selection)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n}, state_size={self.state_size}, nnz={self.nnz})"
