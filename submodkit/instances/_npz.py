"""Reading the plain-array ``.npz`` files of the instance writers (pages, welfare, allocation
parts): each ``.npy`` member's header is read and checked against the bytes its zip entry
holds before any memory is taken (memory follows the data present, not what a header
claims), object arrays (pickles) are refused, any damage is one
:class:`~submodkit.errors.InstanceFormatError` naming the file, and CSR structure is checked
before any array is handed on."""

from __future__ import annotations

import math
import os
import zipfile
import zlib

import numpy as np

from submodkit.errors import InstanceFormatError
from submodkit.instances._shard_store import read_npy_header

# what a damaged or foreign archive raises while it is opened and read: not a zip, a CRC or
# deflate error, an unsupported compression method, an encrypted entry, a bad .npy header
_DAMAGE = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


_CHUNK = 1 << 24  # bytes read at a time from a member


def read_member_data(fh, nbytes: int) -> bytearray:
    """Up to ``nbytes`` from the open member ``fh``, 16 MiB at a time: memory grows with the
    bytes the archive really holds, never with the size that a header or a (zip64) entry
    claims. Fewer bytes come back when the member ends first; the caller checks the length."""
    buf = bytearray()
    while len(buf) < nbytes:
        chunk = fh.read(min(nbytes - len(buf), _CHUNK))
        if not chunk:
            break
        buf += chunk
    return buf


def load_npz(path: str | os.PathLike, what: str,
             names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of the archive at ``path`` (those in ``names``, else every ``.npy``
    member); a missing, truncated, foreign or forged file, or a missing name, raises
    ``InstanceFormatError(path, None, what, ...)``."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename[:-4]: info for info in archive.infolist()
                       if info.filename.endswith(".npy")}
            wanted = list(members) if names is None else [name for name in names if name in members]
            arrays = {name: _member(archive, members[name], path, what) for name in wanted}
    except InstanceFormatError:
        raise
    except _DAMAGE as exc:
        raise InstanceFormatError(path, None, what, type(exc).__name__) from None
    missing = [] if names is None else [name for name in names if name not in arrays]
    if missing:
        raise InstanceFormatError(path, None, f"{what} with the arrays {', '.join(names)}",
                                  f"no {', '.join(missing)}")
    return arrays


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path, what: str) -> np.ndarray:
    """One ``.npy`` member, its header's size checked against the entry's before reading."""
    with archive.open(info) as fh:
        shape, fortran, dtype = read_npy_header(fh)
        if dtype.hasobject:
            raise InstanceFormatError(path, None, what,
                                      f"{info.filename}: an object array (pickles are refused)")
        need = math.prod(shape) * dtype.itemsize
        if need > info.file_size:
            raise InstanceFormatError(path, None, what, f"{info.filename}: a header claiming {need} bytes "
                                      f"in an entry of {info.file_size}")
        data = read_member_data(fh, need)
    if len(data) != need:
        raise InstanceFormatError(path, None, what, f"{info.filename}: {len(data)} of {need} bytes")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def is_csr_structure(indptr: np.ndarray, indices: np.ndarray, n_rows: int, n_cols: int) -> bool:
    """Whether ``indptr``, ``indices`` are the integer structure of an ``n_rows x n_cols``
    CSR matrix: ``n_rows + 1`` offsets from 0, non-decreasing, ending at the number of
    entries, and column indices in ``[0, n_cols)``."""
    return (indptr.dtype.kind in "iu" and indices.dtype.kind in "iu" and indptr.ndim == 1
            and indices.ndim == 1 and indptr.size == n_rows + 1 and indptr[0] == 0
            and bool(np.all(indptr[1:] >= indptr[:-1])) and indptr[-1] == indices.size
            and (indices.size == 0 or (indices.min() >= 0 and indices.max() < n_cols)))
