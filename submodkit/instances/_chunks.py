"""Bounded-memory reading of instance text: byte chunks, their numeric tokens, ids seen.

A file (gzip data is decompressed as a stream, never whole) is read in chunks of about
``chunk_bytes`` bytes cut after a newline (or, for token-stream formats whose lines mean
nothing, after any whitespace when a chunk holds no newline), so no token is ever split.
Each chunk is parsed in C: ``numpy.fromstring(text, sep=" ")`` (about 25 million tokens
per second here), with every newline replaced by a sentinel token first so that the number
of tokens on each line comes out of the same pass. Anything that fast path does not accept
exactly (a token that is not a plain number, NaN or inf, an int64 overflow, a sentinel
clash) sends the chunk to :class:`~submodkit.instances._text.Tokens`, the in-memory
readers' tokenizer, which parses what they accept and raises their errors; so a chunk
gives the same values either way, and errors name the file and the 1-based line.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from submodkit.errors import InstanceFormatError
from submodkit.instances._text import Tokens
from submodkit.instances.problems import SPARE_IDS

DEFAULT_CHUNK_BYTES = 4 << 20
"""Bytes of text read at a time; parse temporaries are a small multiple of it."""

_GZIP_MAGIC = b"\x1f\x8b"
_INT64_MAX = np.iinfo(np.int64).max
_EXACT = 2**53  # floats at or above this magnitude no longer hold every integer
_WHITESPACE = (b" ", b"\n", b"\t", b"\r", b"\x0b", b"\x0c")


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


_INFLATE_RATIO = 1100  # deflate expands at most ~1032 times


def most_text_ids(path: str | os.PathLike) -> int:
    """The most distinct ids a text file of this size can name: each takes at least two
    bytes (a digit and a separator) of the decompressed text, which is at most ~1032 times a
    gzip file. A header claiming more ids than this (ids that must each appear) claims data
    that is not there."""
    size = os.stat(path).st_size
    return (size * _INFLATE_RATIO if is_gzip(path) else size) // 2 + 1


class _Reader:
    """``read(n)`` on a plain or gzip file; a damaged gzip stream raises InstanceFormatError."""

    def __init__(self, path: str | os.PathLike):
        self.path = path
        self.raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.gz = self.raw.read(2) == _GZIP_MAGIC
        self.raw.seek(0)
        self.fh = gzip.GzipFile(fileobj=self.raw, mode="rb") if self.gz else self.raw

    def read(self, n: int) -> bytes:
        try:
            return self.fh.read(n)
        except (OSError, EOFError, zlib.error) as exc:
            if not self.gz:
                raise
            raise InstanceFormatError(self.path, None, "a valid gzip stream",
                                      str(exc) or type(exc).__name__) from None

    def close(self) -> None:
        if self.gz:
            self.fh.close()
        self.raw.close()


@dataclass
class Chunk:
    """Whole lines (or whole tokens) of a file.

    Attributes:
        data: the bytes; in ``"line"`` mode they end with a newline (one is added to a last
            line that has none, which changes no line count: see ``read_fimi``).
        first_line: 1-based line number of ``data[0]``.
        final: whether this is the last chunk (it may be empty).
        n_lines: number of newlines in ``data``.
    """

    data: bytes
    first_line: int
    final: bool
    n_lines: int = -1


def byte_chunks(path: str | os.PathLike, chunk_bytes: int, mode: str = "line") -> Iterator[Chunk]:
    """The file as consecutive chunks of about ``chunk_bytes`` bytes; the last one has
    ``final=True`` (possibly empty).

    ``mode="line"``: each chunk ends after a newline (a line longer than ``chunk_bytes`` makes
    its chunk longer). ``mode="token"``: a chunk without a newline is cut after its last
    whitespace byte instead, so even a file of one long line streams.

    Example:
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> _ = open(p, "wb").write(b"1 2\\n3\\n4 5")
        >>> [(c.data, c.first_line, c.final) for c in byte_chunks(p, 4)]
        [(b'1 2\\n', 1, False), (b'3\\n', 2, False), (b'4 5\\n', 3, True)]
    """
    reader = _Reader(path)
    try:
        pending = b""
        line = 1
        while True:
            new = reader.read(chunk_bytes)
            data = pending + new if pending else new
            if not new:
                if data and mode == "line" and not data.endswith(b"\n"):
                    data += b"\n"
                yield Chunk(data, line, True, data.count(b"\n"))
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0 and mode == "token":
                cut = max(data.rfind(w) for w in _WHITESPACE) + 1
            if cut == 0:
                pending = data
                continue
            chunk, pending = (data, b"") if cut == len(data) else (data[:cut], data[cut:])
            n_lines = chunk.count(b"\n")
            yield Chunk(chunk, line, False, n_lines)
            line += n_lines
    finally:
        reader.close()


class ChunkTokens(Tokens):
    """:class:`~submodkit.instances._text.Tokens` of a chunk whose first byte is on line
    ``first_line`` of its file: lines (and so errors) are the file's."""

    def __init__(self, path: str | os.PathLike, data: bytes, first_line: int = 1):
        self.first_line = int(first_line)
        super().__init__(path, data)

    def line(self, i: int) -> int:
        return super().line(i) + self.first_line - 1

    def lines(self) -> np.ndarray:
        return super().lines() + (self.first_line - 1)


def _fromstring(text: bytes, dtype) -> np.ndarray | None:
    try:
        return np.fromstring(text, dtype=dtype, sep=" ")
    except ValueError:  # a token that is not a plain number of this dtype
        return None


def _fast_lines(data: bytes, n_lines: int, floats: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """Values and tokens per line in one C pass, a sentinel token marking each newline, or
    None when the chunk needs the exact tokenizer."""
    if floats:
        if b"n" in data or b"N" in data:  # nan, inf: the sentinel must be unambiguous
            return None
        vals = _fromstring(data.replace(b"\n", b" nan "), np.float64)
        if vals is None:
            return None
        marks = np.isnan(vals)
        if np.isinf(vals).any():  # an overflow such as 1e400: the exact path reports it
            return None
    else:
        if b"-" in data:
            return None
        vals = _fromstring(data.replace(b"\n", b" -1 "), np.int64)
        if vals is None or (vals.size and vals.max() == _INT64_MAX):  # a saturated overflow
            return None
        marks = vals < 0
    ends = np.flatnonzero(marks)
    if ends.size != n_lines:
        return None
    sizes = np.diff(ends, prepend=-1) - 1
    return vals[~marks], sizes


def line_values(path: str | os.PathLike, data: bytes, first_line: int,
                prefer: str = "int", n_lines: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """The numeric tokens of ``data`` (whole lines, ending with a newline) and the number of
    tokens on each of its lines.

    Returns ``(values, sizes)``: ``values`` int64 when every token is an integer (tried first
    with ``prefer="int"``), else float64 (finite); ``sizes`` int64, one per line (empty
    lines give 0). A token that is not a finite number raises InstanceFormatError at its line.
    ``n_lines``: the number of newlines in ``data`` when known (else counted).

    Example:
        >>> line_values("f", b"1 2\\n\\n3 4.5 6\\n", 1)
        (array([1. , 2. , 3. , 4.5, 6. ]), array([2, 0, 3]))
    """
    n_lines = data.count(b"\n") if n_lines < 0 else n_lines
    for floats in ((False, True) if prefer == "int" else (True,)):
        fast = _fast_lines(data, n_lines, floats)
        if fast is not None:
            return fast
    tok = ChunkTokens(path, data, first_line)
    sizes = np.bincount(tok.lines() - first_line, minlength=n_lines).astype(np.int64)
    return tok.values, sizes


def token_values(path: str | os.PathLike, data: bytes, first_line: int) -> np.ndarray:
    """The numeric tokens of ``data`` (whole tokens, line breaks meaningless): int64 when all
    are integers, else float64 (finite); a bad token raises InstanceFormatError at its line."""
    vals = _fromstring(data, np.int64)
    if vals is not None and vals.size == 1 and vals[0] == 0 and not data.strip():
        return vals[:0]  # numpy parses a blank text as one 0
    if vals is not None and not (vals.size and vals.max() == _INT64_MAX):
        return vals
    vals = _fromstring(data, np.float64)
    if vals is not None and np.isfinite(vals).all():
        return vals
    return ChunkTokens(path, data, first_line).values


def line_of(sizes: np.ndarray, first_line: int) -> Callable[[int], int]:
    """``f(i)``: the 1-based file line of token ``i`` of a chunk with ``sizes`` tokens per line."""
    ends = np.cumsum(sizes)

    def where(i: int) -> int:
        return first_line + int(np.searchsorted(ends, i, side="right"))

    return where


def shown_value(value: float | int) -> str:
    """A parsed value quoted for an error message."""
    v = float(value)
    return repr(str(int(v)) if v.is_integer() and abs(v) < _EXACT else repr(v))


def as_ints(path, values: np.ndarray, lo: int, hi: int, what: str, where: Callable[[int], int]) -> np.ndarray:
    """``values`` as int64, each an integer in ``[lo, hi]``; else InstanceFormatError at the
    line ``where(i)`` of the first bad one. Floats must be below 2^53 (exactly integers)."""
    if values.dtype.kind in "iu":
        bad = (values < lo) | (values > hi)
    else:
        bad = (values < lo) | (values > hi) | (values != np.floor(values)) | (np.abs(values) >= _EXACT)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        extra = "" if values.dtype.kind in "iu" else " (below 2^53 in a file with decimal numbers)"
        raise InstanceFormatError(path, where(i), f"{what}: an integer in [{lo}, {hi}]{extra}",
                                  shown_value(values[i]))
    return values.astype(np.int64, copy=False)


class RunningTotal:
    """Non-negative values whose running total stays finite, checked block by block."""

    def __init__(self) -> None:
        self.total = 0.0

    def check(self, path, values: np.ndarray, what: str, where: Callable[[int], int]) -> np.ndarray:
        """``values`` as float64, each >= 0, the total so far finite (else InstanceFormatError
        at the value where it stops being so)."""
        vals = np.asarray(values, dtype=np.float64)
        if vals.size == 0:
            return vals
        bad = ~(vals >= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InstanceFormatError(path, where(i), f"{what}: a non-negative number", shown_value(vals[i]))
        with np.errstate(over="ignore"):  # the overflow is what is being checked
            running = self.total + np.cumsum(vals)
        if not np.isfinite(running[-1]):
            i = int(np.flatnonzero(~np.isfinite(running))[0])
            raise InstanceFormatError(path, where(i), f"{what}s whose total is finite (below 1.8e308)",
                                      f"{shown_value(vals[i])}, where the running total overflows")
        self.total = float(running[-1])
        return vals


class SeenIds:
    """Which non-negative ids occur, in memory that follows the data rather than the ids'
    size: one flag per id below the largest id + 1 and below twice ``added + spare``
    (``added``: ids added so far, repeats included), and the distinct larger ids in a sorted
    array.

    Example:
        >>> s = SeenIds(spare=4)
        >>> s.add(np.array([3, 1, 10**15, 3]))
        >>> s.distinct(), s.max, s.sorted_ids().tolist()
        (3, 1000000000000000, [1, 3, 1000000000000000])
    """

    def __init__(self, spare: int = SPARE_IDS):
        self.spare = int(spare)
        self.flags = np.zeros(0, dtype=bool)
        self.high = np.zeros(0, dtype=np.int64)  # sorted, distinct, all >= flags.size
        self.pending: list[np.ndarray] = []  # larger ids not merged into ``high`` yet
        self.n_pending = 0
        self.added = 0
        self.max = -1

    def _merge(self) -> None:
        """Fold the pending large ids into ``high`` (sorted, distinct)."""
        if self.pending:
            self.high = np.unique(np.concatenate([self.high, *self.pending]))
            self.pending, self.n_pending = [], 0

    def add(self, ids: np.ndarray) -> None:
        """Record ``ids`` (non-negative int64)."""
        if ids.size == 0:
            return
        self.added += int(ids.size)
        self.max = max(self.max, int(ids.max()))
        limit = min(self.added + self.spare, self.max + 1)
        if limit > self.flags.size:  # at most twice the limit, so that growth is amortized
            self._merge()
            size = min(self.max + 1, max(limit, 2 * self.flags.size))
            flags = np.zeros(size, dtype=bool)
            flags[: self.flags.size] = self.flags
            moved = self.high < size
            flags[self.high[moved]] = True
            self.flags, self.high = flags, self.high[~moved]
        low = ids < self.flags.size
        if low.all():
            self.flags[ids] = True
            return
        self.flags[ids[low]] = True
        above = ids[~low]
        self.pending.append(above)
        self.n_pending += int(above.size)
        if self.n_pending > max(self.high.size, 1 << 20):  # merging as often as ``high`` doubles: amortized
            self._merge()

    def distinct(self) -> int:
        """How many distinct ids were added."""
        self._merge()
        return int(np.count_nonzero(self.flags)) + int(self.high.size)

    def sorted_ids(self) -> np.ndarray:
        """The distinct ids added, sorted (int64)."""
        self._merge()
        return np.concatenate([np.flatnonzero(self.flags).astype(np.int64), self.high])
