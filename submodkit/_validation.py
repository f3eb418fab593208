"""One set of input checks used everywhere: they raise `InvalidParameterError`."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError


def check_int(name: str, value: object, *, minimum: int = 0, allow_none: bool = False) -> int | None:
    """An integer >= ``minimum`` (bools are rejected)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(name, value, f"an integer >= {minimum}")
    if value < minimum:
        raise InvalidParameterError(name, value, f"an integer >= {minimum}")
    return int(value)


def check_real(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_min: bool = False,
    strict_max: bool = False,
) -> float:
    """A finite real number within the given bounds."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    x = float(value) if ok else float("nan")
    lo = "" if minimum is None else (f"> {minimum}" if strict_min else f">= {minimum}")
    hi = "" if maximum is None else (f"< {maximum}" if strict_max else f"<= {maximum}")
    expected = "a finite number" + (" " + " and ".join(s for s in (lo, hi) if s) if lo or hi else "")
    if not ok or not np.isfinite(x):
        raise InvalidParameterError(name, value, expected)
    if minimum is not None and (x < minimum or (strict_min and x == minimum)):
        raise InvalidParameterError(name, value, expected)
    if maximum is not None and (x > maximum or (strict_max and x == maximum)):
        raise InvalidParameterError(name, value, expected)
    return x


def check_vector(
    name: str,
    values: object,
    length: int | None = None,
    *,
    nonnegative: bool = True,
    dtype=np.float64,
) -> np.ndarray:
    """A 1-D finite array (non-negative by default), copied to a contiguous ``dtype`` array."""
    if np.iscomplexobj(values):  # a cast would drop the imaginary parts silently
        raise InvalidParameterError(name, "complex numbers", "real numbers")
    try:
        arr = np.ascontiguousarray(np.asarray(values, dtype=dtype))
    except (TypeError, ValueError):
        raise InvalidParameterError(name, values, "a 1-D array of numbers") from None
    if arr.ndim != 1:
        raise InvalidParameterError(name, f"array of shape {arr.shape}", "a 1-D array")
    if length is not None and arr.shape[0] != length:
        raise InvalidParameterError(name, f"array of length {arr.shape[0]}", f"length {length}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise InvalidParameterError(f"{name}[{bad}]", arr[bad], "a finite number (no NaN or inf)")
    if nonnegative and arr.size and arr.min() < 0:
        bad = int(np.argmin(arr))
        raise InvalidParameterError(f"{name}[{bad}]", arr[bad], "a non-negative number")
    return arr


def check_seed(value: object, name: str = "seed") -> int | None:
    """``None`` (fresh entropy) or a non-negative integer seed; bools and negatives are rejected."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise InvalidParameterError(name, value, "None or a non-negative integer")
    return int(value)


def make_rng(seed: object, name: str = "seed") -> np.random.Generator:
    """``numpy.random.default_rng`` of a checked seed (see `check_seed`)."""
    return np.random.default_rng(check_seed(seed, name))


def check_csr_structure(name: str, indptr: np.ndarray, indices: np.ndarray, shape: tuple[int, int],
                        n_data: int | None = None) -> None:
    """Raise unless ``(indptr, indices)`` is a CSR structure of ``shape`` that no kernel can read
    out of bounds: ``indptr`` of length rows + 1 from 0, non-decreasing, ending at
    ``len(indices)`` (and at ``n_data`` when given), every column index in ``[0, cols)``."""
    rows, cols = int(shape[0]), int(shape[1])
    if indptr.ndim != 1 or indptr.shape[0] != rows + 1:
        raise InvalidParameterError(f"{name}.indptr", f"array of shape {indptr.shape}",
                                    f"length {rows + 1} (rows + 1)")
    if indices.ndim != 1:
        raise InvalidParameterError(f"{name}.indices", f"array of shape {indices.shape}", "a 1-D array")
    nnz = indices.shape[0]
    if indptr[0] != 0 or indptr[-1] != nnz:
        raise InvalidParameterError(f"{name}.indptr", f"[{indptr[0]}, ..., {indptr[-1]}]",
                                    f"0 first and {nnz} (the number of indices) last")
    if n_data is not None and n_data != nnz:
        raise InvalidParameterError(f"{name}.data", f"array of length {n_data}",
                                    f"length {nnz} (one value per index)")
    if rows and np.any(indptr[1:] < indptr[:-1]):
        row = int(np.flatnonzero(indptr[1:] < indptr[:-1])[0])
        raise InvalidParameterError(f"{name}.indptr[{row + 1}]", int(indptr[row + 1]),
                                    "a non-decreasing indptr")
    if nnz:
        lo, hi = int(indices.min()), int(indices.max())
        if lo < 0 or hi >= cols:
            bad = lo if lo < 0 else hi
            raise InvalidParameterError(f"{name}.indices", bad, f"column indices in [0, {cols})")


def check_matrix(
    name: str, values: object, *, nonnegative: bool = True, allow_inf: bool = False, dtype=np.float64
):
    """A finite 2-D matrix: dense C-contiguous, or CSR with sorted indices, of ``dtype``
    (float64 by default; float32 storage keeps a float32 input without a float64 copy)."""
    dtype = np.dtype(dtype)
    if (type(values) is np.ndarray and values.dtype == dtype and values.ndim == 2
            and values.flags.c_contiguous and values.size):
        return _check_dense_fast(name, values, nonnegative, allow_inf)
    if sp.issparse(values):
        _check_sparse_structure(name, values)
        try:
            mat = sp.csr_matrix(values, dtype=dtype, copy=True)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(name, type(values).__name__,
                                        f"a valid sparse matrix ({exc})") from None
        check_csr_structure(name, mat.indptr, mat.indices, mat.shape, mat.data.shape[0])
        mat.sum_duplicates()
        mat.sort_indices()
        data = mat.data
        shape = mat.shape
    else:
        try:
            mat = np.ascontiguousarray(np.asarray(values, dtype=dtype))
        except (TypeError, ValueError):
            raise InvalidParameterError(name, values, "a 2-D array of numbers") from None
        if mat.ndim != 2:
            raise InvalidParameterError(name, f"array of shape {mat.shape}", "a 2-D array")
        data = mat.ravel()
        shape = mat.shape
    if shape[0] == 0 or shape[1] == 0:
        raise InvalidParameterError(name, f"matrix of shape {shape}", "a non-empty matrix")
    bad = np.isnan(data) if allow_inf else ~np.isfinite(data)
    if bad.any():
        raise InvalidParameterError(name, "a matrix with NaN or inf", "finite entries")
    if nonnegative and data.size and data.min() < 0:
        raise InvalidParameterError(name, f"a matrix with minimum {data.min()}", "non-negative entries")
    return mat


def _check_sparse_structure(name: str, values) -> None:
    """Index arrays of any scipy sparse input in range, before scipy's compiled conversions
    (which trust them) touch it."""
    fmt = values.format
    rows, cols = values.shape
    if fmt == "csr":
        check_csr_structure(name, values.indptr, values.indices, (rows, cols), values.data.shape[0])
    elif fmt == "csc":
        check_csr_structure(name, values.indptr, values.indices, (cols, rows), values.data.shape[0])
    elif fmt == "coo":
        for axis, (idx, size) in enumerate(zip(values.coords, (rows, cols), strict=True)):
            if idx.size and (idx.min() < 0 or idx.max() >= size):
                raise InvalidParameterError(f"{name}.coords[{axis}]", int(idx.max() if idx.min() >= 0
                                            else idx.min()), f"indices in [0, {size})")
    elif hasattr(values, "check_format"):
        try:
            values.check_format(full_check=True)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(name, fmt, f"a valid sparse matrix ({exc})") from None


_F64 = np.dtype(np.float64)


def _check_dense_fast(name: str, mat: np.ndarray, nonnegative: bool, allow_inf: bool) -> np.ndarray:
    """`check_matrix` for a non-empty C-contiguous ndarray of the target dtype: two reductions, no
    temporaries (min propagates NaN and sees -inf; max sees +inf), same errors."""
    lo = mat.min()
    if lo != lo:  # NaN
        raise InvalidParameterError(name, "a matrix with NaN or inf", "finite entries")
    if not allow_inf and (lo == -np.inf or mat.max() == np.inf):
        raise InvalidParameterError(name, "a matrix with NaN or inf", "finite entries")
    if nonnegative and lo < 0:
        raise InvalidParameterError(name, f"a matrix with minimum {lo}", "non-negative entries")
    return mat


def check_time_limit(value: object) -> float | None:
    """``None`` (no limit) or a finite number of seconds > 0."""
    if value is None:
        return None
    return check_real("time_limit", value, minimum=0.0, strict_min=True)


def check_selection(name: str, selection: object, n: int) -> np.ndarray:
    """Indices in ``[0, n)`` as an int64 array."""
    try:
        arr = np.asarray(selection if selection is not None else [], dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(name, selection, "a sequence of integer indices") from None
    arr = arr.ravel()
    if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr))):
        raise InvalidParameterError(name, selection, "integer indices")
    idx = arr.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise InvalidParameterError(name, selection, f"indices in [0, {n})")
    return idx


def check_choice(name: str, value: object, choices) -> str:
    if value not in choices:
        raise InvalidParameterError(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value  # type: ignore[return-value]


def algorithm_alias(algorithm: str, method: str | None, default: str, stacklevel: int = 3) -> str:
    """``algorithm``, or its deprecated alias ``method`` when given (a DeprecationWarning);
    both given and different (``algorithm`` not left at ``default``) is an error."""
    if method is None:
        return algorithm
    import warnings

    warnings.warn("method= is deprecated, use algorithm= (the same choices)", DeprecationWarning,
                  stacklevel=stacklevel)
    if algorithm not in (default, method):
        raise InvalidParameterError("method", method, f"left out when algorithm={algorithm!r} is given "
                                    "(method is the deprecated name of algorithm)")
    return method
