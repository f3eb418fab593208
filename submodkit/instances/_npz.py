"""Reading the plain-array ``.npz`` files of the instance writers (pages, welfare, allocation
parts): the archive opened once without pickles, its damage reported as one
:class:`~submodkit.errors.InstanceFormatError`, and CSR structure checked before any array is
handed on."""

from __future__ import annotations

import os
import zipfile
import zlib

import numpy as np

from submodkit.errors import InstanceFormatError


def load_npz(path: str | os.PathLike, what: str,
             names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of the archive at ``path`` (those in ``names``, else all), read without
    pickles; a missing, truncated or foreign file, or a missing name, raises
    ``InstanceFormatError(path, None, what, ...)``."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if not hasattr(loaded, "files"):  # a bare .npy array, not an archive
            raise InstanceFormatError(path, None, what, "a single .npy array")
        with loaded as z:
            present = [name for name in (z.files if names is None else names) if name in z.files]
            arrays = {name: z[name] for name in present}
    except InstanceFormatError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise InstanceFormatError(path, None, what, type(exc).__name__) from None
    missing = [] if names is None else [name for name in names if name not in arrays]
    if missing:
        raise InstanceFormatError(path, None, f"{what} with the arrays {', '.join(names)}",
                                  f"no {', '.join(missing)}")
    return arrays


def is_csr_structure(indptr: np.ndarray, indices: np.ndarray, n_rows: int, n_cols: int) -> bool:
    """Whether ``indptr``, ``indices`` are the integer structure of an ``n_rows x n_cols``
    CSR matrix: ``n_rows + 1`` offsets from 0, non-decreasing, ending at the number of
    entries, and column indices in ``[0, n_cols)``."""
    return (indptr.dtype.kind in "iu" and indices.dtype.kind in "iu" and indptr.ndim == 1
            and indices.ndim == 1 and indptr.size == n_rows + 1 and indptr[0] == 0
            and bool(np.all(indptr[1:] >= indptr[:-1])) and indptr[-1] == indices.size
            and (indices.size == 0 or (indices.min() >= 0 and indices.max() < n_cols)))
