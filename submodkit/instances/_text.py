"""Fast numeric tokenization of instance text, with line numbers for error messages.

Files are read whole (gzip is detected by its magic bytes, whatever the name), split
into whitespace-separated tokens with numpy, and parsed in one vectorized pass when all
tokens are unsigned integers that fit in int64 (the common case), else token by token. The
1-based line of a token is computed only when asked (error paths, line-oriented formats).
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from submodkit.errors import InstanceFormatError

_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 11, 12, 13, 32]] = True  # the bytes that bytes.split() splits on
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[48:58] = True
_POW10 = 10 ** np.arange(19, dtype=np.int64)
_BLOCK = 1 << 20  # tokens parsed per vectorized block
_MAX_DIGITS = 19  # up to 19 digits an int64 sum cannot wrap twice: overflow shows as a negative
_EXACT = 2**53  # floats at or above this magnitude no longer hold every integer


def read_bytes(path: str | os.PathLike) -> bytes:
    """The content of ``path``, gunzipped when it is gzip data (missing file: FileNotFoundError).

    A damaged gzip stream (bad header, corrupt deflate body, truncated, bad CRC) raises
    InstanceFormatError naming the file.
    """
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            found = str(exc) or type(exc).__name__
            raise InstanceFormatError(path, None, "a valid gzip stream", found) from None
    return raw


def instance_name(path: str | os.PathLike) -> str:
    """The file name without ``.gz`` and without its last extension: ``scp41.txt.gz`` -> ``scp41``."""
    name = Path(path).name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def shown(token: bytes | str, limit: int = 40) -> str:
    """A token quoted for an error message."""
    text = token.decode("utf-8", "replace") if isinstance(token, bytes) else token
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


class Tokens:
    """The whitespace-separated numeric tokens of a text.

    Attributes:
        values: int64 array when every token is an unsigned integer that fits in int64,
            else float64 (non-finite values are rejected; see :meth:`check_integers` for
            integers beyond 2^53 in a float file).
        starts, ends: byte offsets of each token in ``data``.
    """

    def __init__(self, path: str | os.PathLike, data: bytes):
        self.path = str(path)
        self.data = data
        buf = np.frombuffer(data, dtype=np.uint8)
        solid = ~_SPACE[buf]
        edge = np.diff(solid.view(np.int8), prepend=np.int8(0), append=np.int8(0))
        self.starts = np.flatnonzero(edge == 1)
        self.ends = np.flatnonzero(edge == -1)
        self._newlines: np.ndarray | None = None
        n = self.starts.size
        lens = self.ends - self.starts
        if n == 0:
            self.values = np.zeros(0, dtype=np.int64)
        elif lens.max() <= _MAX_DIGITS and bool(_DIGIT[buf[solid]].all()):
            self.values = self._parse_digits(buf, solid, lens)
        else:
            self.values = self._parse_slowly()

    def __len__(self) -> int:
        return int(self.starts.size)

    def _parse_digits(self, buf: np.ndarray, solid: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """All tokens are runs of at most 19 digits: int64 values, vectorized; a value beyond
        int64 (the sum wraps to a negative) sends the whole text to the float parser."""
        n = lens.size
        values = np.empty(n, dtype=np.int64)
        for a in range(0, n, _BLOCK):  # blocks of tokens bound the temporary memory
            b = min(n, a + _BLOCK)
            seg = slice(int(self.starts[a]), int(self.ends[b - 1]))
            digits = buf[seg][solid[seg]].astype(np.int64) - 48
            block_lens = lens[a:b]
            last = np.cumsum(block_lens) - 1  # index in ``digits`` of each last digit
            exponent = np.repeat(last, block_lens) - np.arange(digits.size)
            first = last - block_lens + 1
            values[a:b] = np.add.reduceat(digits * _POW10[exponent], first)
            if values[a:b].min() < 0:
                return self._parse_slowly()
        return values

    def _parse_slowly(self) -> np.ndarray:
        tokens = self.data.split()
        try:
            if b"_" in self.data:  # float() reads 1_0 as 10: no number of these formats has one
                raise ValueError("_")
            values = np.array(list(map(float, tokens)), dtype=np.float64)
        except ValueError:
            for i, tok in enumerate(tokens):
                try:
                    float(b"_" if b"_" in tok else tok)
                except ValueError:
                    raise self.error(i, "a number", shown(tok)) from None
            raise  # pragma: no cover - float() failed on the list but on no single token
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.error(i, "a finite number (no NaN or inf)", self.text(i))
        return values

    @property
    def is_integral(self) -> bool:
        """Whether the values are stored as int64 (all tokens unsigned integers)."""
        return self.values.dtype.kind == "i"

    def text(self, i: int) -> str:
        """Token ``i`` quoted for a message."""
        return shown(self.data[self.starts[i] : self.ends[i]])

    def line(self, i: int) -> int:
        """1-based line of token ``i``; past the end: the line of the last token."""
        if self.starts.size == 0:
            return 1
        offset = self.starts[i] if i < self.starts.size else self.ends[-1] - 1
        return self.data.count(b"\n", 0, int(offset)) + 1

    def lines(self) -> np.ndarray:
        """1-based line of every token (int64 array), vectorized."""
        if self._newlines is None:
            self._newlines = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 10)
        return np.searchsorted(self._newlines, self.starts) + 1

    def error(self, i: int, expected: str, found: str | None = None) -> InstanceFormatError:
        """An InstanceFormatError located at token ``i`` (past the end: end of file)."""
        if found is None:
            found = self.text(i) if i < len(self) else "end of file"
        return InstanceFormatError(self.path, self.line(i), expected, found)

    def check_integers(self, positions: np.ndarray, lo: int, hi: int, what: str) -> np.ndarray:
        """The values at ``positions`` as int64, each an integer in ``[lo, hi]`` (``hi`` < 2^63).

        In a text of floats, integers of 2^53 or more are read again from their digits, so
        ids up to 2^62 stay exact whatever else the file holds.
        """
        vals = self.values[positions]
        if self.is_integral:
            bad = (vals < lo) | (vals > hi)
        else:
            bad = (vals < lo) | (vals > hi) | (vals != np.floor(vals))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise self.error(int(positions[k]), f"{what}: an integer in [{lo}, {hi}]")
        out = vals.astype(np.int64)
        if not self.is_integral:
            for k in np.flatnonzero(np.abs(vals) >= _EXACT).tolist():  # rare: huge ids
                i = int(positions[k])
                try:
                    exact = int(self.data[self.starts[i] : self.ends[i]])
                except ValueError:
                    raise self.error(i, f"{what}: an integer in [{lo}, {hi}] written with digits only "
                                        "(at or above 2^53)") from None
                if not lo <= exact <= hi:
                    raise self.error(i, f"{what}: an integer in [{lo}, {hi}]")
                out[k] = exact
        return out

    def check_nonnegative(self, positions: np.ndarray, what: str) -> np.ndarray:
        """The values at ``positions`` as float64, each >= 0, with a finite total (any sum a
        solver forms of them is then finite; the error points at the value where the running
        total overflows)."""
        vals = self.values[positions].astype(np.float64)
        bad = vals < 0
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise self.error(int(positions[k]), f"{what}: a non-negative number")
        if vals.size:
            with np.errstate(over="ignore"):  # the overflow is what is being checked
                running = np.cumsum(vals)
            if not np.isfinite(running[-1]):
                k = int(np.flatnonzero(~np.isfinite(running))[0])
                raise self.error(int(positions[k]), f"{what}s whose total is finite (below 1.8e308)",
                                 f"{self.text(int(positions[k]))}, where the running total overflows")
        return vals

    def integer_at(self, i: int, lo: int, hi: int, what: str) -> int:
        """Token ``i`` as an integer in ``[lo, hi]`` (past the end: a truncation error)."""
        if i >= len(self):
            raise self.error(i, what)
        return int(self.check_integers(np.array([i]), lo, hi, what)[0])
