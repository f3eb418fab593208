"""Writing shards: growing ``.npy`` files, one writer per problem kind, atomic staging.

Every array of a shard is a plain ``.npy`` file (format 1.0, C order, no pickles) in the
shard's folder. Files are written by appending large blocks while their final length is
unknown: a fixed 128-byte header is written first and rewritten with the real shape when
the file is closed, so no array is ever held whole in memory and no file is copied.
Buffered blocks are flushed (each file opened in append mode, written, closed: no file
handle stays open, whatever the number of parts) when they exceed ``flush_bytes``.

Sets that arrive element by element (OR-Library ``scp`` files are element-major; the closed
neighbourhoods of a graph arrive edge by edge) go through :class:`BucketSets`: each
(set, element) incidence is spilled as one int64 key to the bucket file of its range of
sets, then each bucket is sorted in memory (at most ``budget`` keys; a larger bucket is
split again by set range), deduplicated and appended to the part's CSR arrays. Memory is
bounded by the budget; disk traffic is one write and one read of 8 bytes per incidence.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
import threading
import uuid
from pathlib import Path

import numpy as np

from submodkit.errors import InvalidParameterError

HEADER_BYTES = 128
"""Length of the ``.npy`` header of every shard file (room for any 2-D shape)."""

PART_DIR = "part-{:05d}"


def npy_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    """A ``.npy`` format 1.0 header of exactly :data:`HEADER_BYTES` bytes."""
    body = repr({"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False,
                 "shape": tuple(int(s) for s in shape)}).encode("latin1")
    pad = HEADER_BYTES - 10 - len(body) - 1
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", HEADER_BYTES - 10) + body + b" " * pad + b"\n"


_HEADER_LOCK = threading.Lock()


def read_npy_header(fh) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Read the ``.npy`` magic and header of an open binary file: ``(shape, fortran_order,
    dtype)``, the file left at the first data byte (ValueError when unreadable).

    NumPy parses the header with :func:`ast.literal_eval`, and CPython 3.11's AST
    constructor keeps its recursion depth in state shared by threads (python/cpython#106905):
    two threads parsing at once can fail with ``SystemError: AST constructor recursion depth
    mismatch``. Shards are loaded by a thread pool, so every header parse goes through one
    lock (and the data is then mapped or read without ``numpy.load`` parsing it again).
    """
    with _HEADER_LOCK:
        version = np.lib.format.read_magic(fh)
        read = {(1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read is None:
            raise ValueError(f"unsupported .npy version {version}")
        try:
            return read(fh)
        except SystemError as err:  # the CPython bug above, should another caller race us
            raise ValueError(f"header not parsed ({err})") from None


class NpyAppender:
    """A ``.npy`` file of rows appended block by block (``width``: columns of a 2-D array)."""

    def __init__(self, path: Path, dtype, width: int | None = None):
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.width = width
        self.rows = 0
        self.pending: list[np.ndarray] = []
        self.pending_bytes = 0
        self.path.write_bytes(npy_header(self.dtype, self.shape))

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.rows,) if self.width is None else (self.rows, self.width)

    def append(self, arr: np.ndarray) -> None:
        arr = np.ascontiguousarray(arr, dtype=self.dtype)
        if arr.shape[0]:
            self.pending.append(arr)
            self.rows += int(arr.shape[0])
            self.pending_bytes += arr.nbytes

    def flush(self) -> None:
        if self.pending:
            with open(self.path, "ab") as fh:
                for arr in self.pending:
                    fh.write(memoryview(arr).cast("B"))
            self.pending.clear()
            self.pending_bytes = 0

    def close(self) -> None:
        self.flush()
        with open(self.path, "r+b") as fh:
            fh.write(npy_header(self.dtype, self.shape))

    def widen(self, dtype) -> None:
        """Convert what was written to the larger ``dtype`` (streamed, through a new file)."""
        self.flush()
        dtype = np.dtype(dtype)
        tmp = self.path.with_name(self.path.name + ".widen")
        step = 1 << 22
        with open(self.path, "rb") as src, open(tmp, "wb") as dst:
            src.seek(HEADER_BYTES)
            dst.write(npy_header(dtype, self.shape))
            while True:
                block = np.fromfile(src, dtype=self.dtype, count=step)
                if block.size == 0:
                    break
                dst.write(memoryview(block.astype(dtype)).cast("B"))
        os.replace(tmp, self.path)
        self.dtype = dtype


def raw_blocks(path: Path, dtype, block: int, offset: int = 0):
    """The raw array in ``path`` (from byte ``offset``) in blocks of ``block`` values."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        while True:
            arr = np.fromfile(fh, dtype=dtype, count=block)
            if arr.size == 0:
                return
            yield arr


class Store:
    """All files being written; flushes their buffers when they hold ``flush_bytes``."""

    def __init__(self, flush_bytes: int):
        self.flush_bytes = int(flush_bytes)
        self.files: list[NpyAppender] = []

    def file(self, path: Path, dtype, width: int | None = None) -> NpyAppender:
        f = NpyAppender(path, dtype, width)
        self.files.append(f)
        return f

    def maybe_flush(self) -> None:
        if sum(f.pending_bytes for f in self.files) >= self.flush_bytes:
            for f in self.files:
                f.flush()

    def drop(self, f: NpyAppender) -> None:
        self.files.remove(f)


def route(owners: np.ndarray, n_parts: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Group items by owner, keeping their order in each group.

    Returns ``(order, bounds)``: the items of part p are ``order[bounds[p]:bounds[p+1]]``
    (``order`` None: already grouped, the identity).
    """
    if owners.size < 2 or bool(np.all(owners[1:] >= owners[:-1])):
        return None, np.searchsorted(owners, np.arange(n_parts + 1))
    order = np.argsort(owners, kind="stable")
    return order, np.searchsorted(owners[order], np.arange(n_parts + 1))


def gather_rows(sizes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions, in a concatenation of rows of ``sizes``, of the rows taken in ``order``."""
    starts = np.cumsum(sizes) - sizes
    lens = sizes[order]
    offsets = np.cumsum(lens) - lens
    return np.repeat(starts[order] - offsets, lens) + np.arange(int(lens.sum()), dtype=np.int64)


def index_dtype(universe: int) -> np.dtype:
    """int32 for element ids below 2^31, else int64."""
    return np.dtype(np.int32 if universe <= np.iinfo(np.int32).max + 1 else np.int64)


class SetParts:
    """The parts of a set system written set by set: per part ``ids``, ``indptr``,
    ``indices`` (element ids, int32 while they fit), ``costs`` and optionally ``labels`` and
    ``data`` (incidence values, when not all ones)."""

    def __init__(self, store: Store, root: Path, n_parts: int, universe: int | None,
                 labels: bool = False, data: bool = False):
        self.n_parts = n_parts
        self.dtype = index_dtype(universe) if universe is not None else np.dtype(np.int32)
        self.parts = []
        for p in range(n_parts):
            d = root / PART_DIR.format(p)
            d.mkdir()
            files = {"ids": store.file(d / "ids.npy", np.int64),
                     "indptr": store.file(d / "indptr.npy", np.int64),
                     "indices": store.file(d / "indices.npy", self.dtype),
                     "costs": store.file(d / "costs.npy", np.float64)}
            if labels:
                files["labels"] = store.file(d / "labels.npy", np.int64)
            if data:
                files["data"] = store.file(d / "data.npy", np.float64)
            files["indptr"].append(np.zeros(1, dtype=np.int64))
            self.parts.append(files)
        self.offsets = np.zeros(n_parts, dtype=np.int64)
        self.counts = np.zeros(n_parts, dtype=np.int64)

    def add(self, first_id: int, owners: np.ndarray, sizes: np.ndarray, indices: np.ndarray,
            costs: np.ndarray, labels: np.ndarray | None = None, data: np.ndarray | None = None) -> None:
        """Sets ``first_id, first_id + 1, ...`` (``sizes`` elements each, ``indices``
        concatenated) to the parts ``owners``."""
        if indices.size and int(indices.max()) > np.iinfo(self.dtype).max:
            self.dtype = np.dtype(np.int64)
            for files in self.parts:
                files["indices"].widen(np.int64)
        ids = first_id + np.arange(sizes.size, dtype=np.int64)
        order, bounds = route(owners, self.n_parts)
        if order is not None:
            pos = gather_rows(sizes, order)
            ids, sizes, costs, indices = ids[order], sizes[order], costs[order], indices[pos]
            labels = None if labels is None else labels[order]
            data = None if data is None else data[pos]
        ends = np.cumsum(sizes)
        for p in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            a, b = int(bounds[p]), int(bounds[p + 1])
            lo = int(ends[a - 1]) if a else 0
            hi = int(ends[b - 1])
            files = self.parts[p]
            files["ids"].append(ids[a:b])
            files["indptr"].append(self.offsets[p] + ends[a:b] - lo)
            files["indices"].append(indices[lo:hi])
            files["costs"].append(costs[a:b])
            if labels is not None:
                files["labels"].append(labels[a:b])
            if data is not None:
                files["data"].append(data[lo:hi])
            self.offsets[p] += hi - lo
            self.counts[p] += b - a

    def close(self) -> None:
        for files in self.parts:
            for f in files.values():
                f.close()


class RowParts:
    """The parts of row items (edges with weights, points) written block by block: per part
    ``ids`` plus one file per field (``{name: (dtype, width)}``)."""

    def __init__(self, store: Store, root: Path, n_parts: int, fields: dict[str, tuple[object, int | None]]):
        self.n_parts = n_parts
        self.parts = []
        for p in range(n_parts):
            d = root / PART_DIR.format(p)
            d.mkdir()
            files = {"ids": store.file(d / "ids.npy", np.int64)}
            for name, (dtype, width) in fields.items():
                files[name] = store.file(d / f"{name}.npy", dtype, width)
            self.parts.append(files)
        self.counts = np.zeros(n_parts, dtype=np.int64)

    def add(self, first_id: int, owners: np.ndarray, **fields: np.ndarray) -> None:
        ids = first_id + np.arange(owners.size, dtype=np.int64)
        order, bounds = route(owners, self.n_parts)
        if order is not None:
            ids = ids[order]
            fields = {k: v[order] for k, v in fields.items()}
        for p in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            a, b = int(bounds[p]), int(bounds[p + 1])
            files = self.parts[p]
            files["ids"].append(ids[a:b])
            for k, v in fields.items():
                files[k].append(v[a:b])
            self.counts[p] += b - a

    def close(self) -> None:
        for files in self.parts:
            for f in files.values():
                f.close()


class BucketSets:
    """The CSR arrays of one part whose incidences arrive in any order (see the module).

    ``n_sets`` local sets over ``universe`` elements; ``self_elements`` (optional, one per
    local set) an element every set contains (a vertex in its closed neighbourhood).
    """

    def __init__(self, store: Store, part_dir: Path, spill_dir: Path, n_sets: int, universe: int,
                 expected: int, budget: int, self_elements: np.ndarray | None = None):
        self.store = store
        self.spill_dir = spill_dir
        self.n_sets = int(n_sets)
        self.universe = max(int(universe), 1)
        self.budget = max(int(budget), 1)
        self.self_elements = self_elements
        max_width = max(1, (2**63 - 1) // self.universe)  # (set - lo) * universe + element fits int64
        n_buckets = max(1, min(self.n_sets, -(-int(expected) // self.budget)))
        self.width = max(1, min(max_width, -(-self.n_sets // n_buckets)))
        n_buckets = max(1, -(-self.n_sets // self.width))
        self.spills: list[NpyAppender | None] = [None] * n_buckets
        self.indptr = store.file(part_dir / "indptr.npy", np.int64)
        self.indices = store.file(part_dir / "indices.npy", index_dtype(universe))
        self.indptr.append(np.zeros(1, dtype=np.int64))
        self.nnz = 0

    def _spill(self, b: int) -> NpyAppender:
        f = self.spills[b]
        if f is None:
            f = self.spills[b] = self.store.file(self.spill_dir / f"{uuid.uuid4().hex}.spill", np.int64)
        return f

    def add(self, sets: np.ndarray, elements: np.ndarray) -> None:
        """Incidences: local set ``sets[i]`` contains element ``elements[i]``."""
        if sets.size == 0:
            return
        bucket = sets // self.width
        keys = (sets - bucket * self.width) * self.universe + elements
        order, bounds = route(bucket, len(self.spills))
        if order is not None:
            keys = keys[order]
        for b in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            self._spill(b).append(keys[int(bounds[b]) : int(bounds[b + 1])])

    def close(self) -> None:
        """Sort each bucket in set order and append it to the part's CSR arrays."""
        for b, f in enumerate(self.spills):
            lo = b * self.width
            self._emit(f, lo, min(self.n_sets, lo + self.width))
        self.indptr.close()
        self.indices.close()

    def _emit(self, f: NpyAppender | None, lo: int, hi: int) -> None:
        count = 0
        if f is not None:
            f.close()
            self.store.drop(f)
            count = f.rows
        if count > self.budget and hi - lo > 1:
            self._split(f, lo, hi)
            return
        keys = np.zeros(0, dtype=np.int64)
        if f is not None:
            keys = np.fromfile(f.path, dtype=np.int64, offset=HEADER_BYTES)
            f.path.unlink()
        if self.self_elements is not None:
            own = np.arange(hi - lo, dtype=np.int64) * self.universe + self.self_elements[lo:hi]
            keys = np.concatenate([keys, own])
        keys.sort()
        if keys.size > 1:
            keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        rel = keys // self.universe
        sizes = np.bincount(rel, minlength=hi - lo)
        self.indptr.append(self.nnz + np.cumsum(sizes))
        self.indices.append(keys - rel * self.universe)
        self.nnz += int(keys.size)
        self.store.maybe_flush()

    def _split(self, f: NpyAppender, lo: int, hi: int) -> None:
        """A bucket beyond the budget: redistribute it over narrower set ranges, in order."""
        n_sub = min(hi - lo, 2 * (-(-f.rows // self.budget)))
        width = -(-(hi - lo) // n_sub)
        subs: list[NpyAppender | None] = [None] * (-(-(hi - lo) // width))
        for keys in raw_blocks(f.path, np.int64, 1 << 22, HEADER_BYTES):
            rel = keys // self.universe
            sub = rel // width
            keys = keys - sub * width * self.universe
            order, bounds = route(sub, len(subs))
            if order is not None:
                keys = keys[order]
            for s in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
                if subs[s] is None:
                    subs[s] = self.store.file(self.spill_dir / f"{uuid.uuid4().hex}.spill", np.int64)
                subs[s].append(keys[int(bounds[s]) : int(bounds[s + 1])])
            self.store.maybe_flush()
        f.path.unlink()
        for s, g in enumerate(subs):
            a = lo + s * width
            self._emit(g, a, min(hi, a + width))


def sha256_of(path: Path | StoredFile) -> str:
    """Hex sha256 of a file's bytes (a local path or a file under an fsspec URL)."""
    with open_binary(path) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class StoredFile(str):
    """A file or folder under an fsspec URL (``s3://bucket/shards``, ``file:///data/s``, ...):
    a string that joins like a path (``url / "manifest.json"``); read through fsspec, so a
    shard folder on object storage is opened where the workers can reach it."""

    def __truediv__(self, other: object) -> StoredFile:
        return StoredFile(self.rstrip("/") + "/" + str(other))

    @property
    def name(self) -> str:
        return self.rstrip("/").rsplit("/", 1)[-1]

    def filesystem(self):
        """``(fsspec filesystem, path within it)``."""
        try:
            from fsspec.core import url_to_fs
        except ImportError:
            raise InvalidParameterError("directory", str(self), "an installed fsspec for URLs "
                                        "(pip install 'submodkit[dask]')") from None
        try:
            return url_to_fs(str(self))
        except (ImportError, ValueError) as exc:
            raise InvalidParameterError("directory", str(self), f"a URL fsspec can open ({exc})") from None


def is_url(path: object) -> bool:
    """Whether ``path`` is an fsspec URL (``protocol://...``) rather than a local path."""
    return isinstance(path, str) and "://" in path


def as_location(path: object) -> Path | StoredFile:
    """A local ``Path``, or a :class:`StoredFile` for a URL."""
    return StoredFile(path) if is_url(path) else Path(path)


def open_binary(path: Path | StoredFile):
    """Open a local file or a file under an fsspec URL for reading bytes
    (FileNotFoundError when it is missing, either way)."""
    if isinstance(path, StoredFile):
        fs, inner = path.filesystem()
        return fs.open(inner, "rb")
    return open(path, "rb")


def file_size(path: Path | StoredFile) -> int:
    """Bytes of a local file or of a file under an fsspec URL (FileNotFoundError if missing)."""
    if isinstance(path, StoredFile):
        fs, inner = path.filesystem()
        return int(fs.size(inner))
    return path.stat().st_size


def file_entry(path: Path) -> dict:
    """The manifest's record of a written ``.npy`` file: bytes, sha256, dtype and shape."""
    with open(path, "rb") as fh:
        np.lib.format.read_magic(fh)
        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
    return {"bytes": path.stat().st_size, "sha256": sha256_of(path), "dtype": dtype.str,
            "shape": [int(s) for s in shape]}


class Staging:
    """A temporary folder beside ``out_dir`` that becomes ``out_dir`` in one rename, or
    disappears: an interrupted run leaves no half-written shard set."""

    def __init__(self, out_dir: str | os.PathLike, overwrite: bool):
        if is_url(out_dir):
            raise InvalidParameterError("out_dir", str(out_dir), "a local folder (shards are written "
                                        "locally, then copied to object storage, e.g. with fsspec's put; "
                                        "they are read from URLs)")
        self.out = Path(out_dir)
        self.overwrite = bool(overwrite)
        if self.out.exists() and not (self.overwrite and self.out.is_dir()):
            raise InvalidParameterError("out_dir", str(out_dir),
                                        "a path that does not exist yet (or overwrite=True for a folder)")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.partial-", dir=self.out.parent))

    def commit(self) -> None:
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{uuid.uuid4().hex}")
            os.rename(self.out, old)
        os.rename(self.tmp, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
