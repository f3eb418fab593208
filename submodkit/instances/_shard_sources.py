"""Streaming sources for sharding: each instance format as a sequence of blocks of items.

A source reads its file in bounded memory (see :mod:`~submodkit.instances._chunks`) and
yields, in the file's item order:

- set systems: :class:`SetBlock` (consecutive sets: sizes, elements, costs), except the
  element-major OR-Library ``scp`` format, which yields :class:`CostBlock` (the column
  costs, i.e. the sets in order) and then :class:`IncidenceBlock` (set, element) pairs;
- graphs: :class:`EdgeBlock` (consecutive edges with weights);
- points: :class:`PointBlock` (consecutive rows).

It accepts what the in-memory reader of its format accepts and gives the same problem;
errors name the file, the line and what was expected. Totals that only the end of the
file reveals (the number of elements of a FIMI file, of vertices of an edge list) are
attributes set when the blocks are exhausted. ``blocks()`` may be called again (the file
is read again).
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._chunks import (
    ChunkTokens,
    RunningTotal,
    SeenIds,
    as_ints,
    byte_chunks,
    is_gzip,
    line_of,
    line_values,
    token_values,
)
from submodkit.instances._npz import read_member_data
from submodkit.instances._shard_store import read_npy_header
from submodkit.instances._text import instance_name, shown
from submodkit.instances.problems import (
    MAX_IDS,
    SPARE_IDS,
    Graph,
    PointSet,
    SetSystem,
    first_too_large_row,
    point_magnitude_limit,
)

_ID_MAX = MAX_IDS - 1
_COMMENT = re.compile(rb"[#%][^\n]*")
_HASH_COMMENT = re.compile(rb"#[^\n]*")
_SNAP_NODES = re.compile(rb"(?m)^[ \t]*#[^\n]*?Nodes:[ \t]*(\d+)")  # at line starts: linear
_EMPTY_CSV_FIELD = re.compile(rb"(?m)(^[ \t]*,|,[ \t]*,|,[ \t]*\r?$)")
_FIRST_CONTENT_LINE = re.compile(rb"(?m)^[^\n]*\S[^\n]*$")
_DIMACS_HEADER = re.compile(rb"(?m)^[ \t]*p[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]*\r?$")
_DIMACS_COMMENT = re.compile(rb"(?m)^[ \t]*c(?:[ \t\r][^\n]*)?$")
_DIMACS_EDGE = re.compile(rb"(?m)^[ \t]*e(?=[ \t])")
_NATIVE_MAGIC = "submodkit-instance"
_DEFLATE_RATIO = 1100  # deflate expands at most ~1032 times


@dataclass
class SetBlock:
    """Consecutive sets: ``sizes[i]`` elements each, ``indices`` their elements (sorted and
    distinct within a set), concatenated; ``costs`` one per set."""

    sizes: np.ndarray
    indices: np.ndarray
    costs: np.ndarray
    labels: np.ndarray | None = None
    data: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.sizes.size)


@dataclass
class CostBlock:
    """The costs of consecutive sets (element-major files list them before any incidence)."""

    costs: np.ndarray

    @property
    def n(self) -> int:
        return int(self.costs.size)


@dataclass
class IncidenceBlock:
    """Set ``sets[i]`` contains element ``elements[i]`` (global ids, any order)."""

    sets: np.ndarray
    elements: np.ndarray


@dataclass
class EdgeBlock:
    """Consecutive edges, ``(m, 2)`` int64 endpoints, with their weights."""

    edges: np.ndarray
    weights: np.ndarray

    @property
    def n(self) -> int:
        return int(self.weights.size)


@dataclass
class PointBlock:
    """Consecutive points (rows)."""

    features: np.ndarray

    @property
    def n(self) -> int:
        return int(self.features.shape[0])


@dataclass
class Source:
    """A streamed instance. ``kind``: SetSystem, Graph or PointSet; ``layout``: "sets",
    "incidences" (element-major set system), "edges" or "points"."""

    path: str
    chunk_bytes: int
    kind: str = ""
    layout: str = ""
    fmt: str = ""
    name: str = ""
    meta: dict = field(default_factory=dict)
    n_items: int | None = None  # known before the blocks are read, or None
    universe: int | None = None  # set systems: elements (a bound before, exact after)
    element_weights: np.ndarray | None = None  # None: all ones
    n_nodes: int | None = None
    dim: int | None = None
    dtype: str = "float64"
    has_labels: bool = False
    has_data: bool = False

    def __post_init__(self) -> None:
        self.name = self.name or instance_name(self.path)
        if not self.meta:
            self.meta = {"source": str(self.path), "format": self.fmt}

    def blocks(self) -> Iterator:  # pragma: no cover - every source defines it
        raise NotImplementedError

    def count_items(self) -> int:
        """The number of items (a pass over the file unless the header says)."""
        if self.n_items is None:
            self.n_items = sum(b.n for b in self.blocks() if not isinstance(b, IncidenceBlock))
        return self.n_items


def sort_rows(sizes: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort and deduplicate the elements of each row (rows of ``sizes`` elements each).

    Example:
        >>> s, i = sort_rows(np.array([3, 2]), np.array([5, 1, 5, 2, 0]))
        >>> s.tolist(), i.tolist()
        ([2, 2], [1, 5, 0, 2])
    """
    if indices.size < 2:
        return sizes, indices
    starts = np.cumsum(sizes) - sizes
    new_row = np.zeros(indices.size, dtype=bool)
    new_row[starts[sizes > 0]] = True
    if bool(np.all((indices[1:] > indices[:-1]) | new_row[1:])):
        return sizes, indices
    rows = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    span = int(indices.max()) + 1
    if sizes.size <= (2**63 - 1) // span:  # one int64 key per incidence: a fast sort
        keys = rows * span + indices
        keys.sort()
        keep = np.ones(keys.size, dtype=bool)
        keep[1:] = keys[1:] != keys[:-1]
        keys = keys[keep]
        rows = keys // span
        return np.bincount(rows, minlength=sizes.size).astype(np.int64), keys - rows * span
    idx = indices[np.lexsort((indices, rows))]
    keep = np.ones(idx.size, dtype=bool)
    keep[1:] = (idx[1:] != idx[:-1]) | new_row[1:]
    return np.bincount(rows[keep], minlength=sizes.size).astype(np.int64), idx[keep]


# --- token streams: OR-Library scp and rail ------------------------------------------


class _TokenStream:
    """The numeric tokens of a file whose line breaks mean nothing, consumed front to back.

    ``buf[pos:]`` holds the tokens not consumed yet (global index ``base + pos`` onwards);
    ``line_starts`` the global indices of the first tokens of the lines read (of chunks that
    end with a newline), candidate record starts for :func:`_records`. The line of a token
    is found, for an error message only, by reading the file again.
    """

    def __init__(self, path: str, chunk_bytes: int):
        self.path = path
        self.chunk_bytes = chunk_bytes
        self.chunks = byte_chunks(path, chunk_bytes, mode="token")
        self.buf = np.zeros(0, dtype=np.int64)
        self.base = 0  # global index of buf[0]
        self.pos = 0
        self.eof = False
        self.line_starts = np.zeros(0, dtype=np.int64)

    @property
    def index(self) -> int:
        """Global index of the next token."""
        return self.base + self.pos

    def available(self) -> np.ndarray:
        return self.buf[self.pos :]

    def fill(self) -> bool:
        """Append the next chunk's tokens; False at the end of the file."""
        while not self.eof:
            chunk = next(self.chunks)
            self.eof = chunk.final
            starts = None
            if chunk.data.endswith(b"\n"):
                vals, sizes = line_values(self.path, chunk.data, chunk.first_line, n_lines=chunk.n_lines)
                starts = (np.cumsum(sizes) - sizes)[sizes > 0]
            else:
                vals = token_values(self.path, chunk.data, chunk.first_line)
            if vals.size:
                rest = self.buf[self.pos :]
                self.base += self.pos
                self.pos = 0
                self.buf = np.concatenate([rest, vals]) if rest.size else vals
                kept = self.line_starts[self.line_starts >= self.base]
                if starts is not None:
                    kept = np.concatenate([kept, starts + self.base + rest.size])
                self.line_starts = kept
                return True
        return False

    def candidates(self) -> np.ndarray:
        """Line starts among the tokens not consumed, as positions in ``available()``."""
        return self.line_starts[self.line_starts >= self.index] - self.index

    def consume(self, count: int) -> None:
        self.pos += int(count)

    def take(self, count: int) -> np.ndarray:
        """Up to ``count`` next tokens (fewer only at the end of the file)."""
        while self.buf.size - self.pos < count and self.fill():
            pass
        out = self.buf[self.pos : self.pos + count]
        self.pos += out.size
        return out

    def line(self, index: int) -> tuple[int, str]:
        """Line and quoted text of token ``index`` (past the end: the last token's line,
        'end of file')."""
        seen, last = 0, 1
        for chunk in byte_chunks(self.path, self.chunk_bytes, mode="token"):
            tok = ChunkTokens(self.path, chunk.data, chunk.first_line)
            if index < seen + len(tok):
                return tok.line(index - seen), tok.text(index - seen)
            seen += len(tok)
            if len(tok):
                last = tok.line(len(tok) - 1)
        return last, "end of file"

    def error(self, index: int, expected: str, found: str | None = None) -> InstanceFormatError:
        line, text = self.line(index)
        return InstanceFormatError(self.path, line, expected, text if found is None else found)

    def where(self, first: int, positions: np.ndarray | None = None):
        """``f(i)``: the line of the token at ``first + positions[i]`` (or ``first + i``)."""
        def f(i: int) -> int:
            return self.line(first + (i if positions is None else int(positions[i])))[0]
        return f


def _header(ts: _TokenStream, first: str, second: str) -> tuple[int, int]:
    head = ts.take(2)
    if head.size == 0:
        raise InstanceFormatError(ts.path, 1, f"a header '{first} {second}'", "an empty file")
    vals = []
    for i, what in enumerate((f"header: {first}", f"header: {second}")):
        if i >= head.size:
            raise ts.error(i, what, "end of file")
        vals.append(int(as_ints(ts.path, head[i : i + 1], 0, MAX_IDS, what, ts.where(i))[0]))
    if vals[0] == 0 or vals[1] == 0:
        raise ts.error(0, "a non-empty set system (header with rows and columns > 0)",
                       f"'{vals[0]} {vals[1]}'")
    return vals[0], vals[1]


def _records(ts: _TokenStream, n_records: int, head: int, what: str):
    """Blocks of the ``n_records`` records ``head`` tokens (the last a count) + entries.

    Yields ``(heads, counts, entries, entry_index)``: ``heads`` (r, head) values, ``counts``
    int64, ``entries`` the entry values concatenated, ``entry_index(i)`` the global token
    index of entry ``i`` (for errors). The file must end after the last record.
    """
    done = 0
    while done < n_records:
        vals = ts.available()
        starts: list[int] = []
        pos, n_vals = 0, vals.size
        integral = vals.dtype.kind in "iu"
        fast = _line_records(vals, ts.candidates(), head, n_records - done)
        if fast.size:  # records one per line: verified in one vectorized pass
            pos = int(fast[-1])
            fast = fast[:-1]
            done += fast.size
        while done + len(starts) < n_records and pos + head <= n_vals:
            c = vals.item(pos + head - 1)
            if c < 0 or (not integral and c != int(c)):
                raise ts.error(ts.index + pos + head - 1,
                               f"count of {what} {done + len(starts) + 1}: a non-negative integer")
            end = pos + head + int(c)
            if end > n_vals:
                break
            starts.append(pos)
            pos = end
        if not starts and not fast.size:
            if not ts.fill():
                raise ts.error(ts.index + n_vals, f"{n_records} {what}s, file ends in {what} {done + 1}",
                               "end of file")
            continue
        first = ts.index
        st = np.concatenate([fast, np.array(starts, dtype=np.int64)])
        counts = vals[st + head - 1].astype(np.int64)
        offsets = np.cumsum(counts) - counts
        entry_pos = np.repeat(st + head - offsets, counts) + np.arange(int(counts.sum()), dtype=np.int64)
        heads = vals[st[:, None] + np.arange(head)]
        ts.consume(pos)
        done += len(starts)
        yield heads, counts, vals[entry_pos], ts.where(first, entry_pos), ts.where(first, st)
    if ts.available().size or ts.fill():
        raise ts.error(ts.index, f"end of file after {n_records} {what}s")


def _line_records(vals: np.ndarray, cand: np.ndarray, head: int, limit: int) -> np.ndarray:
    """Record starts among the candidates ``cand`` (positions in ``vals``, the first 0): the
    longest prefix of them in which each record (``head`` tokens, the last a count, then the
    entries) ends exactly where the next candidate starts, at most ``limit`` records.

    Returns the starts of those records followed by the end of the last one (empty: none).
    Anything not verified is left to the exact record-by-record walk.
    """
    cand = cand[cand + head <= vals.size]
    if cand.size == 0 or cand[0] != 0:
        return cand[:0]
    counts = vals[cand + head - 1]
    valid = counts >= 0 if vals.dtype.kind in "iu" else (counts >= 0) & (counts == np.floor(counts))
    valid &= counts <= vals.size  # more entries than tokens present: not a record here (nor an int64)
    ends = cand + head + np.where(valid, counts, -head).astype(np.int64)
    nxt = np.append(cand[1:], vals.size)
    chained = valid & (ends == nxt)
    f = int(np.argmin(chained)) if not chained.all() else chained.size
    f = min(f, limit)
    if f == 0:
        return cand[:0]
    return np.append(cand[:f], ends[f - 1])


class ScpSource(Source):
    """OR-Library set cover (element-major): costs, then per row its covering columns."""

    def __post_init__(self) -> None:
        self.kind, self.layout, self.fmt = "SetSystem", "incidences", "scp"
        super().__post_init__()

    def count_items(self) -> int:
        ts = _TokenStream(self.path, self.chunk_bytes)
        self.universe, self.n_items = _header(ts, "m (rows)", "n (columns)")
        return self.n_items

    def blocks(self):
        ts = _TokenStream(self.path, self.chunk_bytes)
        m, n = _header(ts, "m (rows)", "n (columns)")
        self.universe, self.n_items = m, n
        total, got = RunningTotal(), 0
        while got < n:
            first = ts.index
            vals = ts.take(min(n - got, max(1, self.chunk_bytes // 2)))
            if vals.size == 0:
                raise ts.error(ts.index, f"{n} column costs after the header", "end of file")
            yield CostBlock(total.check(self.path, vals, "column cost", ts.where(first)))
            got += vals.size
        row = 0
        for _, counts, entries, entry_where, _ in _records(ts, m, 1, "row"):
            cols = as_ints(self.path, entries, 1, n, "column index", entry_where) - 1
            rows = row + np.repeat(np.arange(counts.size, dtype=np.int64), counts)
            row += counts.size
            yield IncidenceBlock(cols, rows)


class RailSource(Source):
    """OR-Library railway crew scheduling (set-major): per column its cost, count, rows."""

    def __post_init__(self) -> None:
        self.kind, self.layout, self.fmt = "SetSystem", "sets", "rail"
        super().__post_init__()

    def count_items(self) -> int:
        ts = _TokenStream(self.path, self.chunk_bytes)
        self.universe, self.n_items = _header(ts, "m (rows)", "n (columns)")
        return self.n_items

    def blocks(self):
        ts = _TokenStream(self.path, self.chunk_bytes)
        m, n = _header(ts, "m (rows)", "n (columns)")
        self.universe, self.n_items = m, n
        seen, total, nnz = SeenIds(), RunningTotal(), 0
        for heads, counts, entries, entry_where, head_where in _records(ts, n, 2, "column"):
            costs = total.check(self.path, heads[:, 0], "column cost", head_where)
            rows = as_ints(self.path, entries, 1, m, "row index", entry_where) - 1
            seen.add(rows)
            nnz += rows.size
            sizes, rows = sort_rows(counts, rows)
            yield SetBlock(sizes, rows, costs)
        if m - seen.distinct() > SPARE_IDS:  # a header m far beyond the rows the columns cover
            raise ts.error(0, f"m (rows) = {m} close to the rows the columns cover (at most {SPARE_IDS} "
                              "rows in no column)", f"{m} rows, {nnz} row entries")


# --- line formats: FIMI, SNAP, DIMACS, point text -------------------------------------


class FimiSource(Source):
    """FIMI transactions: one set per line (empty lines are empty sets)."""

    def __post_init__(self) -> None:
        self.kind, self.layout, self.fmt = "SetSystem", "sets", "fimi"
        super().__post_init__()

    def blocks(self):
        seen = SeenIds()
        top_line, n_sets = 1, 0
        for chunk in byte_chunks(self.path, self.chunk_bytes, "line"):
            if not chunk.data:
                continue
            vals, sizes = line_values(self.path, chunk.data, chunk.first_line, n_lines=chunk.n_lines)
            where = line_of(sizes, chunk.first_line)
            items = as_ints(self.path, vals, 0, _ID_MAX, "item", where)
            if items.size and int(items.max()) > seen.max:
                top_line = where(int(np.argmax(items)))
            seen.add(items)
            sizes, items = sort_rows(sizes, items)
            n_sets += sizes.size
            yield SetBlock(sizes, items, np.ones(sizes.size))
        if seen.added == 0:
            raise InstanceFormatError(self.path, 1, "a non-empty set system (at least one item)",
                                      "an empty file")
        self.universe, self.n_items = seen.max + 1, n_sets
        if self.universe - seen.distinct() > SPARE_IDS:
            raise InstanceFormatError(
                self.path, top_line, f"item ids close to the number of items (ids 0..max item are the "
                f"elements; at most {SPARE_IDS} of them in no line: renumber sparse ids)",
                repr(str(seen.max)))


def _rows_of_width(path, sizes: np.ndarray, first_line: int, width: int | None, first_width_line: int,
                   allowed, what: str) -> tuple[int, int, np.ndarray]:
    """Check that every non-empty line has the same number of tokens as the file's first.

    Returns ``(width, first_width_line, lines)`` with ``lines`` the file lines of the
    non-empty lines of this chunk.
    """
    full = np.flatnonzero(sizes)
    lines = first_line + full
    if full.size == 0:
        return width, first_width_line, lines
    if width is None:
        width, first_width_line = int(sizes[full[0]]), int(lines[0])
        if width not in allowed:
            raise InstanceFormatError(path, first_width_line, what, f"{width} fields")
    bad = sizes[full] != width
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InstanceFormatError(path, int(lines[k]), f"{width} fields per line, like line "
                                  f"{first_width_line} ({what})", f"{int(sizes[full[k]])} fields")
    return width, first_width_line, lines


class _EdgeSource(Source):
    def __post_init__(self) -> None:
        self.kind, self.layout = "Graph", "edges"
        super().__post_init__()

    def _edges(self, vals: np.ndarray, lines: np.ndarray, width: int, lo: int, total: RunningTotal):
        """Edges (0-based) and weights of one chunk's rows of ``width`` values."""
        rows = vals.reshape(-1, width)

        def where_row(i: int) -> int:
            return int(lines[i // 2])

        what = "vertex id (1-based)" if lo == 1 else "vertex id (0-based)"
        hi = self.n_nodes if lo == 1 else _ID_MAX
        ends = as_ints(self.path, rows[:, :2].ravel(), lo, hi, what, where_row).reshape(-1, 2) - lo
        if width == 2:
            weights = np.ones(rows.shape[0])
        else:
            weights = total.check(self.path, rows[:, 2], "edge weight", lambda i: int(lines[i]))
        return ends, weights


class SnapSource(_EdgeSource):
    """SNAP edge list: ``U V [W]`` per line, 0-based, ``#``/``%`` comments."""

    def __post_init__(self) -> None:
        self.fmt = "edgelist"
        super().__post_init__()

    def blocks(self):
        declared, width, wline, top = None, None, 0, -1
        total, n_edges = RunningTotal(), 0
        for chunk in byte_chunks(self.path, self.chunk_bytes, "line"):
            data = chunk.data
            if declared is None:
                found = _SNAP_NODES.search(data)
                if found is not None:
                    declared = _declared(self.path, data, found, chunk.first_line)
            if b"#" in data or b"%" in data:
                data = _COMMENT.sub(b"", data)
            if not data:
                continue
            vals, sizes = line_values(self.path, data, chunk.first_line, n_lines=chunk.n_lines)
            width, wline, lines = _rows_of_width(self.path, sizes, chunk.first_line, width, wline, (2, 3),
                                                 "an edge 'U V' or 'U V W'")
            if lines.size == 0:
                continue
            edges, weights = self._edges(vals, lines, width, 0, total)
            top = max(top, int(edges.max()))
            n_edges += weights.size
            yield EdgeBlock(edges, weights)
        if width is None:
            raise InstanceFormatError(self.path, 1, "at least one edge 'U V' or 'U V W'", "no edges")
        self.n_items = n_edges
        self.n_nodes = max(top + 1, declared or 0)


def _declared(path, data: bytes, match: re.Match, first_line: int) -> int:
    digits = match.group(1)
    value = int(digits) if len(digits) <= 20 else None
    if value is None or value > MAX_IDS:
        line = first_line + data.count(b"\n", 0, match.start())
        raise InstanceFormatError(path, line, f"'# Nodes: N' count: at most 2^62 = {MAX_IDS}", shown(digits))
    return value


class DimacsSource(_EdgeSource):
    """DIMACS ``.edge``: ``c`` comments, ``p edge N M``, then ``e U V [W]`` (1-based)."""

    def __post_init__(self) -> None:
        self.fmt = "dimacs"
        super().__post_init__()

    def _header(self, chunk, body: bytes) -> tuple[bytes, bool]:
        """Find the header in ``body`` (comments removed); returns the body with it blanked,
        and whether it was found (False: only blank lines so far)."""
        first = re.search(rb"\S", body)
        if first is None:
            return body, False
        header = _DIMACS_HEADER.search(body)
        if header is None or first.start() < header.start():
            raise InstanceFormatError(self.path, chunk.first_line + body.count(b"\n", 0, first.start()),
                                      "a header line 'p edge N M' (DIMACS)")
        self.hline = chunk.first_line + body.count(b"\n", 0, header.start())
        text = shown(header.group(0).strip())
        try:
            n_nodes, n_edges = int(header.group(2)), int(header.group(3))
        except ValueError:
            raise InstanceFormatError(self.path, self.hline, "a header 'p edge N M' with integers N, M",
                                      text) from None
        if not 1 <= n_nodes <= MAX_IDS or not 0 <= n_edges <= MAX_IDS:
            raise InstanceFormatError(self.path, self.hline,
                                      "N >= 1 and M >= 0 (both at most 2^62) in 'p edge N M'", text)
        self.n_nodes, self.n_items = n_nodes, n_edges
        return body[: header.start()] + b" " * (header.end() - header.start()) + body[header.end():], True

    def count_items(self) -> int:
        for chunk in byte_chunks(self.path, self.chunk_bytes, "line"):
            _, found = self._header(chunk, _DIMACS_COMMENT.sub(b"", chunk.data))
            if found:
                return self.n_items
        raise InstanceFormatError(self.path, 1, "a header line 'p edge N M' (DIMACS)", "end of file")

    def blocks(self):
        started, width, wline, count = False, None, 0, 0
        total = RunningTotal()
        for chunk in byte_chunks(self.path, self.chunk_bytes, "line"):
            body = _DIMACS_COMMENT.sub(b"", chunk.data)
            if not started:
                body, started = self._header(chunk, body)
                if not started:
                    continue
            body, n_e = _DIMACS_EDGE.subn(b" ", body)
            vals, sizes = line_values(self.path, body, chunk.first_line, n_lines=chunk.n_lines)
            width, wline, lines = _rows_of_width(self.path, sizes, chunk.first_line, width, wline, (2, 3),
                                                 "an edge line 'e U V' or 'e U V W'")
            if lines.size != n_e:  # some data line did not start with 'e'
                for k, text in enumerate(chunk.data.split(b"\n")):
                    stripped = text.strip()
                    if stripped and stripped[:1] not in (b"c", b"p", b"e"):
                        raise InstanceFormatError(self.path, chunk.first_line + k, "an edge line 'e U V W'",
                                                  shown(stripped))
                raise InstanceFormatError(self.path, chunk.first_line, "one 'e' per edge line")
            if lines.size == 0:
                continue
            if count + lines.size > self.n_items:
                raise InstanceFormatError(
                    self.path, int(lines[self.n_items - count]),
                    f"M = {self.n_items} edges as declared by 'p edge {self.n_nodes} {self.n_items}' on line "
                    f"{self.hline}", f"more than {self.n_items} edges")
            edges, weights = self._edges(vals, lines, width, 1, total)
            count += weights.size
            yield EdgeBlock(edges, weights)
        if not started:
            raise InstanceFormatError(self.path, 1, "a header line 'p edge N M' (DIMACS)", "end of file")
        if count != self.n_items:
            raise InstanceFormatError(
                self.path, self.hline, f"M = {self.n_items} edges as declared by 'p edge {self.n_nodes} "
                f"{self.n_items}' on line {self.hline}", f"{count} edges")


def _is_number(text: bytes) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class PointTextSource(Source):
    """Points as text: one point per line, fields separated by commas or whitespace, ``#``
    comments, an optional header line of column names."""

    def __post_init__(self) -> None:
        self.kind, self.layout, self.fmt = "PointSet", "points", "points"
        super().__post_init__()

    def blocks(self):
        width, wline, started, columns, n_points = None, 0, False, None, 0
        for chunk in byte_chunks(self.path, self.chunk_bytes, "line"):
            data = _HASH_COMMENT.sub(b"", chunk.data) if b"#" in chunk.data else chunk.data
            if not started:
                first = _FIRST_CONTENT_LINE.search(data)
                if first is None:
                    continue
                started = True
                fields = [f.strip() for f in re.split(rb"[,\s]+", first.group(0).strip())]
                if fields and not any(_is_number(f) for f in fields):
                    columns = [f.decode("utf-8", "replace") for f in fields]
                    data = data[: first.start()] + data[first.end():]
            if b"," in data:
                bad = _EMPTY_CSV_FIELD.search(data)
                if bad is not None:
                    raise InstanceFormatError(self.path, chunk.first_line + data.count(b"\n", 0, bad.start()),
                                              "a number between commas", "an empty field")
                data = data.replace(b",", b" ")
            vals, sizes = line_values(self.path, data, chunk.first_line, prefer="float",
                                      n_lines=chunk.n_lines)
            width, wline, lines = _rows_of_width(self.path, sizes, chunk.first_line, width, wline,
                                                 range(1, 1 << 62), "a point")
            if lines.size == 0:
                continue
            features = vals.astype(np.float64).reshape(-1, width)
            row = first_too_large_row(features)
            if row is not None:
                raise InstanceFormatError(self.path, int(lines[row]), "coordinates of magnitude at most "
                                          f"{point_magnitude_limit(features.dtype, width):.3g} "
                                          "(squared distances must be finite)", "a point beyond it")
            n_points += features.shape[0]
            yield PointBlock(features)
        if width is None:
            raise InstanceFormatError(self.path, 1, "at least one point (a line of numbers)", "no numbers")
        if columns is not None:
            if len(columns) != width:
                raise InstanceFormatError(self.path, 1, f"a header with {width} column names",
                                          f"{len(columns)}")
            self.meta["columns"] = columns
        self.n_items, self.dim = n_points, width


# --- binary: .npy points and the native .npz -------------------------------------------


def _read_npy_header(path, fh) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        return read_npy_header(fh)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as err:
        raise InstanceFormatError(path, None, "a NumPy .npy array", f"an unreadable header ({err})") from None


class NpySource(Source):
    """A 2-D numeric ``.npy`` array of points (memory-mapped; ``.npy.gz`` streamed)."""

    def __post_init__(self) -> None:
        self.kind, self.layout, self.fmt = "PointSet", "points", "points"
        super().__post_init__()
        self.gz = is_gzip(self.path)
        if self.gz:
            import gzip

            with gzip.open(self.path, "rb") as fh:
                shape, self.fortran, dtype = _read_npy_header(self.path, fh)
                present = None
        else:
            with open(self.path, "rb") as fh:
                shape, self.fortran, dtype = _read_npy_header(self.path, fh)
                self.offset = fh.tell()
                present = fh.seek(0, os.SEEK_END) - self.offset
        if dtype.hasobject or dtype.kind not in "biuf" or len(shape) != 2 or shape[0] == 0 or shape[1] == 0:
            # no columns: rows that hold no bytes, however many the header claims
            raise InstanceFormatError(self.path, None, "a non-empty 2-D numeric array with at least one "
                                      "column (no pickles)",
                                      f"shape {shape}, dtype {dtype}")
        declared = int(np.prod([int(s) for s in shape], dtype=object)) * dtype.itemsize
        if present is not None and declared > present:
            raise InstanceFormatError(self.path, None, f"{declared} bytes of data for shape {shape} "
                                      f"({dtype})", f"{present} bytes")
        if self.gz and self.fortran and shape[1] > 1:
            raise InstanceFormatError(self.path, None, "a C-order array (a gzip stream of a Fortran-order "
                                      "array cannot be read row by row)", "Fortran order")
        self.shape, self.src_dtype = (int(shape[0]), int(shape[1])), dtype
        self.n_items, self.dim = self.shape
        self.dtype = "float32" if dtype == np.float32 else "float64"

    def _raw_blocks(self, rows: int):
        n, d = self.shape
        if not self.gz:
            arr = np.memmap(self.path, dtype=self.src_dtype, mode="r", offset=self.offset,
                            shape=self.shape, order="F" if self.fortran else "C")
            for a in range(0, n, rows):
                yield np.array(arr[a : a + rows])
            del arr
            return
        import gzip

        with gzip.open(self.path, "rb") as fh:
            _read_npy_header(self.path, fh)
            for a in range(0, n, rows):
                count = min(rows, n - a) * d
                raw = fh.read(count * self.src_dtype.itemsize)
                block = np.frombuffer(raw, dtype=self.src_dtype)
                if block.size != count:
                    raise InstanceFormatError(self.path, None, f"{n * d} values for shape {self.shape}",
                                              f"the stream ends after {a * d + block.size}")
                yield block.reshape(-1, d)

    def blocks(self):
        rows = max(1, self.chunk_bytes // max(1, self.dim * 8))
        a = 0
        for raw in self._raw_blocks(rows):
            row = first_too_large_row(raw)
            if row is not None:
                raise InstanceFormatError(self.path, a + row + 1, "finite values of magnitude at most "
                                          f"{point_magnitude_limit(raw.dtype, self.dim):.3g}",
                                          "NaN, inf or a value beyond it")
            a += raw.shape[0]
            yield PointBlock(np.ascontiguousarray(raw, dtype=self.dtype))


class _Npz:
    """Members of a submodkit ``.npz`` archive: small ones read whole, large ones streamed by
    rows; each ``.npy`` header checked against the bytes the archive holds for it."""

    def __init__(self, path):
        self.path = path
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise self.bad(str(exc)) from None
        self.infos = {}
        for info in self.zf.infolist():
            if not info.filename.endswith(".npy"):
                raise self.bad(f"member {info.filename!r} is not a .npy array")
            self.infos[info.filename.removesuffix(".npy")] = info

    def bad(self, found: str) -> InstanceFormatError:
        return InstanceFormatError(self.path, None, "a submodkit .npz archive", found or "unreadable")

    def has(self, key: str) -> bool:
        return key in self.infos

    def _open(self, key: str):
        info = self.infos.get(key)
        if info is None:
            raise InstanceFormatError(self.path, None, f"an array field {key!r}")
        fh = self.zf.open(info)
        shape, fortran, dtype = _read_npy_header(self.path, fh)
        if dtype.hasobject:
            fh.close()
            raise self.bad(f"member {key!r}: object arrays (pickles) are not read")
        count = int(np.prod([int(s) for s in shape], dtype=object))
        nbytes = count * dtype.itemsize
        bomb = info.file_size > _DEFLATE_RATIO * info.compress_size + 4096
        if fh.tell() + nbytes != info.file_size or bomb:
            fh.close()
            raise self.bad(f"member {key!r}: header shape {shape} ({dtype}) needs {nbytes} bytes, "
                           f"the archive holds {info.file_size - fh.tell()}")
        return fh, tuple(int(s) for s in shape), fortran, dtype

    def shape(self, key: str) -> tuple[tuple[int, ...], np.dtype]:
        fh, shape, _, dtype = self._open(key)
        fh.close()
        return shape, dtype

    def _read(self, fh, count: int, dtype: np.dtype, key: str) -> np.ndarray:
        try:
            raw = read_member_data(fh, count * dtype.itemsize)  # memory follows the bytes present
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise self.bad(f"member {key!r}: {exc}") from None
        if len(raw) != count * dtype.itemsize:
            raise self.bad(f"member {key!r}: truncated")
        return np.frombuffer(raw, dtype=dtype)

    def array(self, key: str) -> np.ndarray:
        fh, shape, fortran, dtype = self._open(key)
        with fh:
            count = int(np.prod(shape, dtype=object))
            arr = self._read(fh, count, dtype, key)
        return arr.reshape(shape, order="F" if fortran else "C")

    def scalar(self, key: str):
        if not self.has(key):
            raise InstanceFormatError(self.path, None, f"a scalar field {key!r}")
        arr = self.array(key)
        if arr.ndim != 0:
            raise InstanceFormatError(self.path, None, f"a scalar field {key!r}")
        return arr.item()

    def rows(self, key: str, rows: int):
        """The member's rows in blocks of ``rows`` (a Fortran-order member is read whole)."""
        fh, shape, fortran, dtype = self._open(key)
        with fh:
            if not shape:
                raise InstanceFormatError(self.path, None, f"field {key!r}: an array", "a scalar")
            width = int(np.prod(shape[1:], dtype=object))
            if fortran and width > 1:
                arr = self._read(fh, shape[0] * width, dtype, key).reshape(shape, order="F")
                for a in range(0, shape[0], rows):
                    yield np.ascontiguousarray(arr[a : a + rows])
                return
            for a in range(0, shape[0], rows):
                r = min(rows, shape[0] - a)
                yield self._read(fh, r * width, dtype, key).reshape((r, *shape[1:]))

    def close(self) -> None:
        self.zf.close()


class NativeSource(Source):
    """submodkit's ``.npz`` format: a SetSystem, Graph or PointSet, streamed member by member
    (per-set and per-element arrays are read whole; incidences, edges and points in blocks)."""

    def __post_init__(self) -> None:
        self.fmt = "native"
        super().__post_init__()
        z = _Npz(self.path)
        try:
            self._header(z)
        finally:
            z.close()

    def _header(self, z: _Npz) -> None:
        from submodkit.instances.native import FORMAT_VERSION

        if not z.has("magic") or z.scalar("magic") != _NATIVE_MAGIC:
            raise InstanceFormatError(self.path, None, f"a field 'magic' = {_NATIVE_MAGIC!r}")
        kind, version = z.scalar("kind"), z.scalar("format_version")
        if kind not in ("SetSystem", "Graph", "PointSet"):
            raise InstanceFormatError(self.path, None, "kind SetSystem, Graph or PointSet (a Similarity "
                                      "matrix is not sharded)", repr(kind))
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise InstanceFormatError(self.path, None, f"format_version <= {FORMAT_VERSION} (upgrade "
                                      "submodkit?)", repr(version))
        self.kind = kind
        self.layout = {"SetSystem": "sets", "Graph": "edges", "PointSet": "points"}[kind]
        name = z.array("name") if z.has("name") else None
        if name is not None and name.ndim == 1 and name.dtype == np.uint8:
            self.name = name.tobytes().decode("utf-8", "replace")
        elif name is not None and name.ndim == 0:
            self.name = str(name.item())
        try:
            meta = json.loads(z.scalar("meta"))
        except (TypeError, ValueError, RecursionError):  # ValueError: not JSON, or a 4,300+ digit integer
            meta = None
        if not isinstance(meta, dict):
            raise InstanceFormatError(self.path, None, "field 'meta': a JSON object string")
        self.meta = meta
        if kind == "SetSystem":
            if z.scalar("sets.format") != "csr":
                raise InstanceFormatError(self.path, None, "matrix 'sets' stored as 'csr'")
            shape = z.array("sets.shape").ravel().tolist()
            if len(shape) != 2 or not all(0 <= int(s) <= MAX_IDS for s in shape):
                raise InstanceFormatError(self.path, None, "matrix 'sets': a shape of two sizes in [0, 2^62]",
                                          repr(shape))
            self.n_items, self.universe = int(shape[0]), int(shape[1])
            self.has_labels = z.has("labels")
            # one pass over the incidence values: stored only when some value is not 1
            from submodkit._validation import check_vector

            for block in z.rows("sets.data", max(1, self.chunk_bytes // 8)):
                self._checked(lambda b=block: check_vector("sets.data", b))
                self.has_data = self.has_data or bool(np.any(block != 1))
        elif kind == "Graph":
            (m, *rest), _ = z.shape("edges")
            self.n_items, self.n_nodes = int(m), int(z.scalar("n_nodes"))
            if rest != [2] or not 0 <= self.n_nodes <= MAX_IDS:
                raise InstanceFormatError(self.path, None, "edges of shape (m, 2) and n_nodes in [0, 2^62]",
                                          f"{[m, *rest]} and {self.n_nodes}")
        else:
            shape, dtype = z.shape("features")
            if len(shape) != 2 or dtype.kind not in "biuf":
                raise InstanceFormatError(self.path, None, "'features': a 2-D numeric array",
                                          f"shape {shape}, dtype {dtype}")
            self.n_items, self.dim = shape
            self.dtype = dtype.str

    def _checked(self, build):
        try:
            return build()
        except InvalidParameterError as err:
            raise InstanceFormatError(self.path, None, f"field {err.name}: {err.expected}",
                                      repr(err.value)[:80]) from None

    def blocks(self):
        z = _Npz(self.path)
        try:
            yield from {"sets": self._sets, "edges": self._edges, "points": self._points}[self.layout](z)
        finally:
            z.close()

    def _sets(self, z: _Npz):
        from submodkit._validation import check_vector

        n, u = self.n_items, self.universe
        indptr = z.array("sets.indptr")
        (nnz,), idx_dtype = z.shape("sets.indices")
        (n_data,), _ = z.shape("sets.data")
        if indptr.dtype.kind not in "iu" or idx_dtype.kind not in "iu":
            raise InstanceFormatError(self.path, None, "matrix 'sets': integer indptr and indices")
        indptr = indptr.astype(np.int64)
        if indptr.ndim != 1 or indptr.size != n + 1 or indptr[0] != 0 or indptr[-1] != nnz or n_data != nnz \
                or (n and np.any(indptr[1:] < indptr[:-1])):
            raise InstanceFormatError(self.path, None, "matrix 'sets': a valid CSR structure "
                                      f"(indptr of length {n + 1} from 0, non-decreasing, to {nnz})")
        costs = self._checked(lambda: check_vector("costs", z.array("costs"), n))
        weights = self._checked(lambda: check_vector("weights", z.array("weights"), u))
        for name, vec in (("costs", costs), ("weights", weights)):
            with np.errstate(over="ignore"):
                if vec.size and not np.isfinite(vec.sum()):
                    raise InstanceFormatError(self.path, None, f"field {name} (total): a finite total")
        labels = self._checked(lambda: check_vector("labels", z.array("labels"), n, dtype=np.int64)) \
            if self.has_labels else None
        step = max(1, self.chunk_bytes // 8)
        self.element_weights = None if bool(np.all(weights == 1.0)) else weights
        indices_rows = z.rows("sets.indices", step)
        data_rows = z.rows("sets.data", step) if self.has_data else None
        take_idx, take_data = _Taker(indices_rows), _Taker(data_rows) if data_rows is not None else None
        a = 0
        while a < n:
            b = int(np.searchsorted(indptr, indptr[a] + step, side="right")) - 1
            b = min(n, max(b, a + 1))
            count = int(indptr[b] - indptr[a])
            idx = take_idx.take(count).astype(np.int64)
            if idx.size and (idx.min() < 0 or idx.max() >= u):
                raise InstanceFormatError(self.path, None, f"matrix 'sets': column indices in [0, {u})",
                                          str(int(idx.min() if idx.min() < 0 else idx.max())))
            data = None if take_data is None else take_data.take(count).astype(np.float64)
            yield SetBlock(np.diff(indptr[a : b + 1]), idx, costs[a:b],
                           None if labels is None else labels[a:b], data)
            a = b

    def _edges(self, z: _Npz):
        from submodkit._validation import check_vector

        (m,), _ = z.shape("weights")
        if m != self.n_items:
            raise InstanceFormatError(self.path, None, "edges of shape (m, 2) and weights of shape (m,)",
                                      f"{self.n_items} and {m}")
        step = max(1, self.chunk_bytes // 24)
        total = 0.0
        for edges, weights in zip(z.rows("edges", step), z.rows("weights", step), strict=True):
            if edges.dtype.kind not in "iu":
                raise InstanceFormatError(self.path, None, "field edges: an integer array of shape (m, 2)",
                                          str(edges.dtype))
            if edges.size and (edges.min() < 0 or edges.max() >= self.n_nodes):
                raise InstanceFormatError(self.path, None, f"edge endpoints in [0, {self.n_nodes})",
                                          f"[{edges.min()}, {edges.max()}]")
            w = self._checked(lambda w=weights: check_vector("weights", w))
            with np.errstate(over="ignore"):
                total += float(w.sum())
            if not np.isfinite(total):
                raise InstanceFormatError(self.path, None, "field weights (total): a finite total")
            yield EdgeBlock(edges.astype(np.int64), w)

    def _points(self, z: _Npz):
        rows = max(1, self.chunk_bytes // max(1, self.dim * 8))
        for block in z.rows("features", rows):
            self._checked(lambda b=block: PointSet(b))
            yield PointBlock(block)


class _Taker:
    """Exactly ``count`` next values of a stream of 1-D blocks."""

    def __init__(self, blocks):
        self.blocks = blocks
        self.buf = np.zeros(0)
        self.pos = 0

    def take(self, count: int) -> np.ndarray:
        parts, need = [], count
        while need:
            if self.pos == self.buf.size:
                self.buf, self.pos = next(self.blocks), 0
            got = self.buf[self.pos : self.pos + need]
            parts.append(got)
            self.pos += got.size
            need -= got.size
        return np.concatenate(parts) if len(parts) != 1 else parts[0]


# --- problems already in memory ---------------------------------------------------------


@dataclass
class ProblemSource(Source):
    """An in-memory SetSystem, Graph or PointSet as blocks (for :func:`write_shards`)."""

    problem: object = None

    def __post_init__(self) -> None:
        p = self.problem
        self.name, self.meta, self.fmt = p.name, dict(p.meta), "memory"
        if isinstance(p, SetSystem):
            self.kind, self.layout = "SetSystem", "sets"
            self.n_items, self.universe = p.n_sets, p.n_elements
            self.has_labels = p.labels is not None
            self.has_data = bool(np.any(p.sets.data != 1))
            self.element_weights = None if bool(np.all(p.weights == 1.0)) else p.weights
        elif isinstance(p, Graph):
            self.kind, self.layout = "Graph", "edges"
            self.n_items, self.n_nodes = p.n_edges, p.n_nodes
        elif isinstance(p, PointSet):
            self.kind, self.layout = "PointSet", "points"
            self.n_items, self.dim = p.features.shape
            self.dtype = "float32" if p.features.dtype == np.float32 else p.features.dtype.str
        else:
            raise InvalidParameterError("problem", type(p).__name__, "a SetSystem, Graph or PointSet")

    def blocks(self):
        p, step = self.problem, max(1, self.chunk_bytes // 8)
        if self.layout == "sets":
            indptr = p.sets.indptr.astype(np.int64)
            a = 0
            while a < self.n_items:
                b = min(self.n_items, max(a + 1, int(np.searchsorted(indptr, indptr[a] + step, "right")) - 1))
                lo, hi = int(indptr[a]), int(indptr[b])
                yield SetBlock(np.diff(indptr[a : b + 1]), p.sets.indices[lo:hi].astype(np.int64),
                               p.costs[a:b], None if p.labels is None else p.labels[a:b],
                               p.sets.data[lo:hi] if self.has_data else None)
                a = b
        elif self.layout == "edges":
            for a in range(0, self.n_items, step):
                yield EdgeBlock(p.edges[a : a + step], p.weights[a : a + step])
        else:
            rows = max(1, step // max(1, self.dim))
            for a in range(0, self.n_items, rows):
                yield PointBlock(p.features[a : a + rows])


SOURCES = {"scp": ScpSource, "rail": RailSource, "fimi": FimiSource, "edgelist": SnapSource,
           "dimacs": DimacsSource}


def source_for(path: str | os.PathLike, fmt: str, chunk_bytes: int) -> Source:
    """The streaming source of ``path`` in format ``fmt`` (a name of ``readers.FORMATS``)."""
    path = str(path)
    if fmt == "points":
        low = path.lower()
        if low.endswith((".npy", ".npy.gz")):
            return NpySource(path, chunk_bytes)
        return PointTextSource(path, chunk_bytes)
    if fmt == "native":
        low = path.lower()
        if low.endswith((".json", ".json.gz")):
            from submodkit.instances.native import load

            problem = load(path)
            if not isinstance(problem, SetSystem | Graph | PointSet):
                raise InstanceFormatError(path, None, "kind SetSystem, Graph or PointSet (a Similarity "
                                          "matrix is not sharded)", type(problem).__name__)
            src = ProblemSource(path, chunk_bytes, problem=problem)
            src.fmt = "native"
            return src
        return NativeSource(path, chunk_bytes)
    return SOURCES[fmt](path, chunk_bytes)


def detect_format(path: str | os.PathLike) -> str:
    """The format of ``path`` by the rules of ``read_instance(format="auto")``: the name
    first, then the first 64 KiB of its (decompressed) content."""
    from submodkit.instances import readers

    name = Path(path).name.lower()
    base = name[:-3] if name.endswith(".gz") else name
    if name.endswith((".npz", ".json", ".json.gz")):
        return "native"
    by_name = (("dat", "fimi"), ("edge", "dimacs"), ("csv", "points"), ("tsv", "points"), ("npy", "points"))
    for suffix, fmt in by_name:
        if base.endswith("." + suffix):
            return fmt
    if "rail" in base:
        return "rail"
    if "scp" in base:
        return "scp"
    head = b""
    for chunk in byte_chunks(path, 65537, "token"):
        head = chunk.data
        break
    return readers._sniff(path, head)
