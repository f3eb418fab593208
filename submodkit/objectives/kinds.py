"""Integer codes shared by the objectives and their kernels (Numba-free).

The objectives' classes and the numpy kernels import these names from here, so that
building an objective or running the small-instance numpy path never imports Numba;
:mod:`submodkit.objectives.kernels` re-exports them for the compiled kernels. The
meaning of each code is documented in :mod:`submodkit.objectives.kernels`.
"""

from __future__ import annotations

import numpy as np

KIND_DENSE = 0
KIND_CSR = 1
KIND_QUAD_DENSE = 2
KIND_QUAD_CSR = 3
KIND_COVERAGE = 4
KIND_MIX_DENSE = 5
KIND_MIX_CSR = 6
KIND_LOGDET = 7

LOGDET_PRECOMPUTED = 0
LOGDET_LINEAR = 1
LOGDET_RBF = 2
LOGDET_TINY = 1e-300
"""Floor of a residual variance before its logarithm (a singular selection scores -690)."""

AGG_SUM = 0
AGG_MAX = 1

PHI_IDENTITY = 0
PHI_SQRT = 1
PHI_LOG1P = 2
PHI_INVERSE = 3
PHI_MIN = 4
PHI_ONE_MINUS_EXP = 5

EMPTY_DENSE = np.zeros((0, 0), dtype=np.float64)
EMPTY_INDPTR = np.zeros(1, dtype=np.int64)
EMPTY_INDICES = np.zeros(0, dtype=np.int32)
EMPTY_DATA = np.zeros(0, dtype=np.float64)
EMPTY_DENSE32 = np.zeros((0, 0), dtype=np.float32)
EMPTY_DATA32 = np.zeros(0, dtype=np.float32)

PARALLEL_MIN_WORK = 1_000_000
