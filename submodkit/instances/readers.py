"""Readers of instance files: OR-Library set cover, FIMI, edge lists, points.

Every reader opens ``.gz`` files transparently, parses with vectorized numpy, and
raises :class:`~submodkit.errors.InstanceFormatError` naming the file, the 1-based line
and what was expected when the file does not follow its format. A missing file raises
``FileNotFoundError``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice
from submodkit.errors import InstanceFormatError
from submodkit.instances._shard_store import read_npy_header
from submodkit.instances._text import Tokens, instance_name, read_bytes, shown
from submodkit.instances.problems import (
    MAX_IDS,
    SPARE_IDS,
    Graph,
    PointSet,
    SetSystem,
    first_too_large_row,
    from_file,
    point_magnitude_limit,
)

FORMATS = ("scp", "rail", "fimi", "edgelist", "dimacs", "points", "native")

_INT_MAX = MAX_IDS  # counts in headers
_ID_MAX = MAX_IDS - 1  # ids
_COMMENT = re.compile(rb"[#%][^\n]*")
_HASH_COMMENT = re.compile(rb"#[^\n]*")
_SNAP_NODES = re.compile(rb"(?m)^[ \t]*#[^\n]*?Nodes:[ \t]*(\d+)")  # at line starts: linear
_INTEGER = re.compile(rb"[+-]?\d+")
_EMPTY_CSV_FIELD = re.compile(rb"(?m)(^[ \t]*,|,[ \t]*,|,[ \t]*\r?$)")


def _set_system(
    set_idx: np.ndarray,
    elem_idx: np.ndarray,
    n_sets: int,
    n_elements: int,
    costs: np.ndarray,
    path: str | os.PathLike,
    fmt: str,
) -> SetSystem:
    """CSR (n_sets, n_elements) with data ones, sorted indices and no duplicates."""
    sets = sp.csr_matrix((np.ones(set_idx.size), (set_idx, elem_idx)), shape=(n_sets, n_elements))
    sets.sum_duplicates()
    sets.sort_indices()
    sets.data[:] = 1.0
    return from_file(
        path,
        SetSystem,
        sets=sets,
        costs=np.ascontiguousarray(costs, dtype=np.float64),
        weights=np.ones(n_elements),
        name=instance_name(path),
        meta={"source": str(path), "format": fmt},
    )


def _unused_ids(ids: np.ndarray, n: int) -> int:
    """How many of the ids ``0 .. n-1`` occur nowhere in ``ids``; exact up to SPARE_IDS, and
    some number above it otherwise (so only the comparison with SPARE_IDS is meaningful).
    Memory follows ``ids``: nothing of size ``n`` is allocated unless n <= len(ids) + SPARE_IDS."""
    if n <= SPARE_IDS:
        return 0
    if n > ids.size + SPARE_IDS:
        return n - ids.size
    return n - int(np.count_nonzero(np.bincount(ids, minlength=n)))


def _walk_records(tok: Tokens, start: int, n_records: int, head: int, what: str):
    """Walk ``n_records`` records of the form ``head`` tokens (the last one a count) + entries.

    Returns (record starts, counts, positions of all entries, end position).
    """
    values = tok.values
    n_tok = len(tok)
    if start + n_records * head > n_tok:  # cannot fit, even with empty records
        raise tok.error(
            n_tok,
            f"{n_records} {what}s of at least {head} numbers each "
            f"(as the header says), file ends after {n_tok} numbers",
        )
    starts = [0] * n_records
    vals = values.tolist() if n_records > 64 else values  # Python ints: a faster walk
    integral = tok.is_integral
    pos = start
    for r in range(n_records):
        if pos + head > n_tok:
            raise tok.error(n_tok, f"{n_records} {what}s, file ends in {what} {r + 1}")
        c = vals[pos + head - 1]
        if c < 0 or (not integral and c != int(c)):
            raise tok.error(pos + head - 1, f"count of {what} {r + 1}: a non-negative integer")
        starts[r] = pos
        pos += head + int(c)
    if pos > n_tok:
        raise tok.error(n_tok, f"{n_records} {what}s, file ends in {what} {n_records}")
    if pos < n_tok:
        raise tok.error(pos, f"end of file after {n_records} {what}s")
    starts = np.array(starts, dtype=np.int64)
    counts = values[starts + head - 1].astype(np.int64)
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    entries = np.repeat(starts + head - offsets, counts) + np.arange(total, dtype=np.int64)
    return starts, counts, entries


def _header(tok: Tokens, first: str, second: str) -> tuple[int, int]:
    if len(tok) == 0:
        raise InstanceFormatError(tok.path, 1, f"a header '{first} {second}'", "an empty file")
    a = tok.integer_at(0, 0, _INT_MAX, f"header: {first}")
    b = tok.integer_at(1, 0, _INT_MAX, f"header: {second}")
    if a == 0 or b == 0:
        raise InstanceFormatError(
            tok.path,
            tok.line(0),
            "a non-empty set system (header with rows and columns > 0)",
            f"'{a} {b}'",
        )
    return a, b


def read_orlib_scp(path: str | os.PathLike) -> SetSystem:
    """Read an OR-Library set-cover file (``scp41`` ... ``scpnrh5``).

    Format (whitespace separated, line breaks meaningless): ``m n``, the ``n`` column
    costs, then for each of the ``m`` rows its number of covering columns followed by
    those columns (1-based). Columns become sets, rows elements: the result has
    ``n_sets = n``, ``n_elements = m``, ``costs`` from the file and unit weights.
    A row covered by no column is accepted (set cover then reports it infeasible).

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).

    Returns
    -------
    SetSystem
        Named after the file; ``meta`` records the source and format.

    Raises
    ------
    InstanceFormatError
        Naming the file, the 1-based line and what was expected.
    FileNotFoundError
        For a missing file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "tiny.txt"
    >>> _ = path.write_text("3 2\\n1 2\\n1 1\\n2 1 2\\n1 2\\n")  # 3 rows, 2 columns of costs 1, 2
    >>> s = read_orlib_scp(path)
    >>> s, s.costs.tolist(), s.sets.toarray().astype(int).tolist()
    (SetSystem(name='tiny', n_sets=2, n_elements=3, nnz=4), [1.0, 2.0], [[1, 1, 0], [0, 1, 1]])
    >>> from submodkit.instances import bundled
    >>> read_orlib_scp(bundled("scp41"))
    SetSystem(name='scp41', n_sets=1000, n_elements=200, nnz=4009)
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Beasley, "OR-Library: distributing test problems by electronic mail", J. Oper.
       Res. Soc. 41 (1990).
    .. [2] Beasley, "An algorithm for set covering problem", European J. Oper. Res. 31
       (1987) (the scp4* .. scp6* instances).
    """
    tok = Tokens(path, read_bytes(path))
    m, n = _header(tok, "m (rows)", "n (columns)")
    if len(tok) < 2 + n:
        raise tok.error(len(tok), f"{n} column costs after the header")
    costs = tok.check_nonnegative(np.arange(2, 2 + n), "column cost")
    _, counts, entries = _walk_records(tok, 2 + n, m, 1, "row")
    cols = tok.check_integers(entries, 1, n, "column index") - 1
    rows = np.repeat(np.arange(m, dtype=np.int64), counts)
    return _set_system(cols, rows, n, m, costs, path, "scp")


def read_orlib_rail(path: str | os.PathLike) -> SetSystem:
    """Read an OR-Library railway crew-scheduling file (``rail507``, ``rail582``, ...).

    Format: ``m n``, then for each of the ``n`` columns ``cost count row row ...``
    (rows 1-based; parsed as a token stream). Columns become sets, rows elements. At most
    :data:`SPARE_IDS` rows may be in no column (a header ``m`` far beyond the rows the
    columns cover is refused).

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).

    Returns
    -------
    SetSystem
        ``n_sets = n``, ``n_elements = m``, the columns' costs, unit weights.

    Raises
    ------
    InstanceFormatError
        Naming the file, the 1-based line and what was expected.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "rail-tiny.txt"
    >>> _ = path.write_text("3 2\\n1 2 1 2\\n2 2 2 3\\n")
    >>> s = read_orlib_rail(path)
    >>> s, s.costs.tolist(), s.sets.toarray().astype(int).tolist()
    (SetSystem(name='rail-tiny', n_sets=2, n_elements=3, nnz=4), [1.0, 2.0], [[1, 1, 0], [0, 1, 1]])
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Beasley, "OR-Library: distributing test problems by electronic mail", J. Oper.
       Res. Soc. 41 (1990).
    .. [2] Ceria, Nobili, Sassano, "A Lagrangian-based heuristic for large-scale set
       covering problems", Math. Programming 81 (1998) (the rail instances).
    """
    tok = Tokens(path, read_bytes(path))
    m, n = _header(tok, "m (rows)", "n (columns)")
    starts, counts, entries = _walk_records(tok, 2, n, 2, "column")
    costs = tok.check_nonnegative(starts, "column cost")
    rows = tok.check_integers(entries, 1, m, "row index") - 1
    if _unused_ids(rows, m) > SPARE_IDS:  # a header m far beyond the rows the columns cover
        raise tok.error(0, f"m (rows) = {m} close to the rows the columns cover (at most {SPARE_IDS} "
                           "rows in no column)", f"{m} rows, {rows.size} row entries")
    cols = np.repeat(np.arange(n, dtype=np.int64), counts)
    return _set_system(cols, rows, n, m, costs, path, "rail")


def _line_count(data: bytes) -> int:
    """Number of lines: a final newline ends the last line rather than starting a new one."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def read_fimi(path: str | os.PathLike) -> SetSystem:
    """Read a FIMI transaction file (``.dat``): one set per line, items are element ids.

    Items are non-negative integers, ``n_elements = max item + 1``; an empty line is an
    empty set. Duplicated items in a line are merged. Costs and weights are ones. Ids that
    occur in no line are elements in no set: at most 65,536 of them (:data:`SPARE_IDS`), so
    that memory follows the items in the file (renumber sparse item ids).

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).

    Returns
    -------
    SetSystem
        One set per line.

    Raises
    ------
    InstanceFormatError
        For an empty file, a token that is not a non-negative integer, or too sparse ids.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "tiny.dat"
    >>> _ = path.write_text("0 1 2\\n2 3\\n\\n1\\n")
    >>> s = read_fimi(path)
    >>> s
    SetSystem(name='tiny', n_sets=4, n_elements=4, nnz=6)
    >>> s.sets.toarray().astype(int).tolist()
    [[1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 0, 0]]
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Goethals, Zaki, "Advances in frequent itemset mining implementations: report on
       FIMI'03", SIGKDD Explorations 6 (2004).
    """
    data = read_bytes(path)
    tok = Tokens(path, data)
    if len(tok) == 0:
        raise InstanceFormatError(path, 1, "a non-empty set system (at least one item)", "an empty file")
    items = tok.check_integers(np.arange(len(tok)), 0, _ID_MAX, "item")
    top = int(np.argmax(items))
    n_elements = int(items[top]) + 1
    if _unused_ids(items, n_elements) > SPARE_IDS:
        raise tok.error(top, f"item ids close to the number of items (ids 0..max item are the elements; "
                             f"at most {SPARE_IDS} of them in no line: renumber sparse ids)")
    lines = tok.lines()
    n_sets = _line_count(data)
    return _set_system(lines - 1, items, n_sets, n_elements, np.ones(n_sets), path, "fimi")


def _rows(tok: Tokens, allowed: tuple[int, ...], what: str) -> tuple[np.ndarray, int]:
    """Group tokens by line; every non-empty line must hold the same number of tokens.

    Returns (token lines, tokens per line).
    """
    lines = tok.lines()
    first = np.ones(len(tok), dtype=bool)
    first[1:] = lines[1:] != lines[:-1]
    line_starts = np.flatnonzero(first)
    per_line = np.diff(np.append(line_starts, len(tok)))
    width = int(per_line[0])
    if width not in allowed:
        raise tok.error(0, what, f"{width} fields")
    bad = per_line != width
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise tok.error(
            int(line_starts[k]),
            f"{width} fields per line, like line {int(lines[0])} ({what})",
            f"{int(per_line[k])} fields",
        )
    return lines, width


def _graph(path, tok: Tokens, edges, n_nodes: int, weight_pos, fmt: str) -> Graph:
    """A Graph; weights are the tokens at ``weight_pos`` (ones when None)."""
    if weight_pos is None:
        weights = np.ones(edges.shape[0])
    else:
        weights = tok.check_nonnegative(weight_pos, "edge weight")
    return from_file(
        path,
        Graph,
        edges=np.ascontiguousarray(edges, dtype=np.int64),
        weights=weights,
        n_nodes=int(n_nodes),
        name=instance_name(path),
        meta={"source": str(path), "format": fmt},
    )


def _declared_count(path, data: bytes, match: re.Match, group: int, what: str) -> int:
    """The integer of a header field, at most 2^62 (a larger one cannot be a size)."""
    digits = match.group(group)
    value = int(digits) if len(digits) <= 20 else None  # int() refuses > 4300 digits anyway
    if value is None or value > _INT_MAX:
        line = data.count(b"\n", 0, match.start()) + 1
        raise InstanceFormatError(path, line, f"{what}: at most 2^62 = {_INT_MAX}", shown(digits))
    return value


def _read_snap(path, data: bytes) -> Graph:
    declared = _SNAP_NODES.search(data)
    n_declared = 0 if declared is None else _declared_count(path, data, declared, 1, "'# Nodes: N' count")
    tok = Tokens(path, _COMMENT.sub(b"", data))
    if len(tok) == 0:
        raise InstanceFormatError(path, 1, "at least one edge 'U V' or 'U V W'", "no edges")
    _, width = _rows(tok, (2, 3), "an edge 'U V' or 'U V W'")
    pos = np.arange(len(tok)).reshape(-1, width)
    ends = tok.check_integers(pos[:, :2].ravel(), 0, _ID_MAX, "vertex id (0-based)")
    edges = ends.reshape(-1, 2)
    n_nodes = max(int(edges.max()) + 1, n_declared)
    w = None if width == 2 else pos[:, 2]
    return _graph(path, tok, edges, n_nodes, w, "edgelist")


_DIMACS_HEADER = re.compile(rb"(?m)^[ \t]*p[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]*\r?$")
_DIMACS_COMMENT = re.compile(rb"(?m)^[ \t]*c(?:[ \t\r][^\n]*)?$")
_DIMACS_EDGE = re.compile(rb"(?m)^[ \t]*e(?=[ \t])")


def _read_dimacs(path, data: bytes) -> Graph:
    body = _DIMACS_COMMENT.sub(b"", data)
    header = _DIMACS_HEADER.search(body)
    first = re.search(rb"\S", body)
    if header is None or first is None or first.start() < header.start():
        line = 1 if first is None else body.count(b"\n", 0, first.start()) + 1
        raise InstanceFormatError(
            path, line, "a header line 'p edge N M' (DIMACS)", "end of file" if first is None else None
        )
    hline = body.count(b"\n", 0, header.start()) + 1
    try:
        n_nodes, n_edges = int(header.group(2)), int(header.group(3))
    except ValueError:
        raise InstanceFormatError(
            path, hline, "a header 'p edge N M' with integers N, M", shown(header.group(0).strip())
        ) from None
    if not 1 <= n_nodes <= _INT_MAX or not 0 <= n_edges <= _INT_MAX:
        raise InstanceFormatError(
            path, hline, "N >= 1 and M >= 0 (both at most 2^62) in 'p edge N M'",
            shown(header.group(0).strip())
        )
    body = body[: header.start()] + b" " * (header.end() - header.start()) + body[header.end() :]
    body, n_e = _DIMACS_EDGE.subn(b" ", body)
    tok = Tokens(path, body)
    if len(tok) == 0:
        if n_edges:
            raise InstanceFormatError(path, hline, f"{n_edges} edge lines 'e U V W'", "none")
        return from_file(
            path,
            Graph,
            np.zeros((0, 2), np.int64),
            np.zeros(0),
            n_nodes,
            instance_name(path),
            {"source": str(path), "format": "dimacs"},
        )
    lines, width = _rows(tok, (2, 3), "an edge line 'e U V' or 'e U V W'")
    n_lines = int(np.unique(lines).size)
    if n_lines != n_e:  # some data line did not start with 'e'
        for k, text in enumerate(data.split(b"\n")):
            stripped = text.strip()
            if stripped and stripped[:1] not in (b"c", b"p", b"e"):
                raise InstanceFormatError(path, k + 1, "an edge line 'e U V W'", shown(stripped))
        raise InstanceFormatError(path, None, "one 'e' per edge line")  # pragma: no cover
    pos = np.arange(len(tok)).reshape(-1, width)
    if pos.shape[0] != n_edges:
        where = tok.line(int(pos[n_edges, 0])) if pos.shape[0] > n_edges else hline
        raise InstanceFormatError(
            path,
            where,
            f"M = {n_edges} edges as declared by 'p edge {n_nodes} {n_edges}' on line {hline}",
            f"{pos.shape[0]} edges",
        )
    ends = tok.check_integers(pos[:, :2].ravel(), 1, n_nodes, "vertex id (1-based)")
    w = None if width == 2 else pos[:, 2]
    return _graph(path, tok, ends.reshape(-1, 2) - 1, n_nodes, w, "dimacs")


def _is_dimacs(data: bytes) -> bool:
    for text in data[:65536].split(b"\n"):
        fields = text.split()
        if fields and fields[0] != b"c":
            return fields[0] == b"p"
    return False


def read_edgelist(path: str | os.PathLike) -> Graph:
    """Read a graph edge list.

    Two dialects, told apart by a ``p`` header line:

    - SNAP-style: ``U V`` or ``U V W`` per line, 0-based ids, ``#`` or ``%`` comments,
      ``n_nodes = max id + 1`` (or the ``# Nodes: N`` comment when larger).
    - DIMACS-like ``.edge``: ``c`` comments, ``p edge N M``, then ``e U V [W]`` lines with
      1-based ids; the number of edge lines must equal ``M``.

    Edge weights must be non-negative with a finite total; ones when absent. Edges are kept
    as given (no deduplication); ids are returned 0-based, at most 2^62. A large ``n_nodes``
    (a header, or sparse ids) allocates nothing: see :class:`Graph`.

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).

    Returns
    -------
    Graph

    Raises
    ------
    InstanceFormatError
        Naming the file, the 1-based line and what was expected.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmpdir = tempfile.TemporaryDirectory()
    >>> tmp = Path(tmpdir.name)
    >>> _ = (tmp / "snap.txt").write_text("# Nodes: 5\\n0 1\\n1 2\\n")
    >>> g = read_edgelist(tmp / "snap.txt")
    >>> g, g.edges.tolist()
    (Graph(name='snap', n_nodes=5, n_edges=2), [[0, 1], [1, 2]])
    >>> _ = (tmp / "tiny.edge").write_text("c a path\\np edge 3 2\\ne 1 2 5\\ne 2 3 1\\n")
    >>> g = read_edgelist(tmp / "tiny.edge")
    >>> g.edges.tolist(), g.weights.tolist()
    ([[0, 1], [1, 2]], [5.0, 1.0])
    >>> tmpdir.cleanup()

    References
    ----------
    .. [1] Leskovec, Krevl, "SNAP Datasets: Stanford large network dataset collection"
       (2014).
    .. [2] Johnson, Trick (eds.), "Cliques, coloring, and satisfiability: second DIMACS
       implementation challenge", DIMACS Series 26, AMS (1996).
    """
    data = read_bytes(path)
    if _is_dimacs(data):
        return _read_dimacs(path, data)
    return _read_snap(path, data)


def read_matching_solution(path: str | os.PathLike) -> tuple[float, np.ndarray]:
    """Read a matching solution ``.out`` file: ``s TOTAL`` then ``m U V`` lines (1-based).

    ``c`` lines are comments; the matching solvers' reference outputs use this format.

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).

    Returns
    -------
    total : float
        The total weight the file states.
    pairs : ndarray of int64, shape (k, 2)
        The matched pairs, 0-based endpoints.

    Raises
    ------
    InstanceFormatError
        For a missing or non-finite ``s TOTAL`` first line, or a malformed pair.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "tiny.out"
    >>> _ = path.write_text("c solved\\ns 6\\nm 1 2\\nm 3 4\\n")
    >>> total, pairs = read_matching_solution(path)
    >>> total, pairs.tolist()
    (6.0, [[0, 1], [2, 3]])
    >>> tmp.cleanup()
    """
    data = read_bytes(path)
    total = None
    pairs: list[tuple[int, int]] = []
    for k, text in enumerate(data.split(b"\n"), start=1):
        fields = text.split()
        if not fields or fields[0] == b"c":
            continue
        if total is None:
            total = _float_or_none(fields[1]) if len(fields) == 2 and fields[0] == b"s" else None
            if total is None:
                raise InstanceFormatError(
                    path, k, "a first line 's TOTAL' (a finite number)", shown(text.strip())
                )
            continue
        pair = _int_or_none(fields[1:]) if len(fields) == 3 and fields[0] == b"m" else None
        if pair is None or min(pair) < 1:
            raise InstanceFormatError(path, k, "a matched pair 'm U V' (1-based)", shown(text.strip()))
        pairs.append((pair[0] - 1, pair[1] - 1))
    if total is None:
        raise InstanceFormatError(path, 1, "a line 's TOTAL'", "end of file")
    return total, np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _float_or_none(field: bytes) -> float | None:
    try:
        value = float(field)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _int_or_none(fields: list[bytes]) -> list[int] | None:
    try:
        return [int(f) for f in fields]
    except ValueError:
        return None


def read_points(path: str | os.PathLike) -> PointSet:
    """Read a numeric matrix, one point per line (``.csv``, ``.tsv``, ``.txt``), or a
    2-D numeric NumPy array (``.npy``, no pickles).

    Fields are separated by commas or whitespace; ``#`` starts a comment. A first line
    whose fields are all non-numeric is taken as a header (kept in ``meta["columns"]``).
    Every row must have the same number of finite values, of magnitude at most
    :func:`~submodkit.instances.problems.point_magnitude_limit`.

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).

    Returns
    -------
    PointSet

    Raises
    ------
    InstanceFormatError
        For an empty field, no numbers, rows of different lengths, a coordinate beyond the
        limit, or a header of the wrong width.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "pts.csv"
    >>> _ = path.write_text("x,y\\n0,1\\n2,3\\n")
    >>> p = read_points(path)
    >>> p, p.features.tolist(), p.meta["columns"]
    (PointSet(name='pts', shape=(2, 2)), [[0.0, 1.0], [2.0, 3.0]], ['x', 'y'])
    >>> tmp.cleanup()
    """
    if str(path).lower().endswith(".npy"):
        return _read_npy(path)
    data = _HASH_COMMENT.sub(b"", read_bytes(path))
    columns = None
    first = re.search(rb"(?m)^[^\n]*\S[^\n]*$", data)
    if first is not None:
        fields = [f.strip() for f in re.split(rb"[,\s]+", first.group(0).strip())]
        if fields and not any(_is_number(f) for f in fields):
            columns = [f.decode("utf-8", "replace") for f in fields]
            data = data[: first.start()] + data[first.end() :]  # keeps its newline
    if b"," in data:
        bad = _EMPTY_CSV_FIELD.search(data)
        if bad is not None:
            line = data.count(b"\n", 0, bad.start()) + 1
            raise InstanceFormatError(path, line, "a number between commas", "an empty field")
        data = data.replace(b",", b" ")
    tok = Tokens(path, data)
    if len(tok) == 0:
        raise InstanceFormatError(path, 1, "at least one point (a line of numbers)", "no numbers")
    _, width = _rows(tok, tuple(range(1, len(tok) + 1)), "a point")
    features = tok.values.astype(np.float64).reshape(-1, width)
    row = first_too_large_row(features)
    if row is not None:
        raise tok.error(row * width, f"coordinates of magnitude at most "
                                     f"{point_magnitude_limit(features.dtype, width):.3g} "
                                     "(squared distances must be finite)", "a point beyond it")
    meta = {"source": str(path), "format": "points"}
    if columns is not None:
        if len(columns) != width:
            raise InstanceFormatError(path, 1, f"a header with {width} column names", f"{len(columns)}")
        meta["columns"] = columns
    return from_file(path, PointSet, features=features, name=instance_name(path), meta=meta)


def _npy_header(path: str | os.PathLike) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order, dtype and data offset from a ``.npy`` header, checked against the
    bytes that follow it before anything of that shape is allocated."""
    with open(path, "rb") as fh:
        try:
            shape, fortran, dtype = read_npy_header(fh)
        except (ValueError, OSError, EOFError, SyntaxError, TypeError) as err:
            raise InstanceFormatError(path, None, "a NumPy .npy array",
                                      f"an unreadable header ({err})") from None
        offset = fh.tell()
        fh.seek(0, os.SEEK_END)
        present = fh.tell() - offset
    if dtype.hasobject or dtype.kind not in "biuf" or len(shape) != 2 or shape[0] <= 0 or shape[1] < 0:
        raise InstanceFormatError(path, None, "a non-empty 2-D numeric array (no pickles)",
                                  f"shape {shape}, dtype {dtype}")
    declared = int(np.prod([int(s) for s in shape], dtype=object)) * dtype.itemsize
    if declared > present:
        raise InstanceFormatError(path, None, f"{declared} bytes of data for shape {shape} ({dtype})",
                                  f"{present} bytes")
    return shape, fortran, dtype, offset


def _read_npy(path: str | os.PathLike) -> PointSet:
    # the header is parsed once (under read_npy_header's lock) and the data read after it
    shape, fortran, dtype, offset = _npy_header(path)
    count = int(shape[0]) * int(shape[1])
    arr = np.fromfile(path, dtype=dtype, count=count, offset=offset)
    arr = arr.reshape(shape, order="F" if fortran else "C")
    row = first_too_large_row(arr)
    if row is not None:
        raise InstanceFormatError(path, row + 1, "finite values of magnitude at most "
                                  f"{point_magnitude_limit(arr.dtype, arr.shape[1]):.3g}",
                                  "NaN, inf or a value beyond it")
    features = np.ascontiguousarray(arr if arr.dtype == np.float32 else arr.astype(np.float64))
    meta = {"source": str(path), "format": "points"}
    return from_file(path, PointSet, features=features, name=instance_name(path), meta=meta)


def _is_number(field: bytes) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


_NATIVE_SUFFIXES = (".npz", ".json", ".json.gz")


def _detect(path: str | os.PathLike) -> str:
    """The format of ``path``, from its name, else from its first lines."""
    name = Path(path).name.lower()
    if name.endswith(_NATIVE_SUFFIXES):
        return "native"
    base = name[:-3] if name.endswith(".gz") else name
    if base.endswith(".dat"):
        return "fimi"
    if base.endswith(".edge"):
        return "dimacs"
    if base.endswith((".csv", ".tsv", ".npy")):
        return "points"
    if "rail" in base:
        return "rail"
    if "scp" in base:
        return "scp"
    return _sniff(path, read_bytes(path))


def _sniff(path, data: bytes) -> str:
    head = data[:65536]
    if _is_dimacs(head):
        return "dimacs"
    text_lines = head.split(b"\n")
    if len(head) < len(data):
        text_lines = text_lines[:-1]  # possibly cut in the middle
    commented = any(t.lstrip()[:1] in (b"#", b"%") for t in text_lines[:50])
    rows = [t.split() for t in (_COMMENT.sub(b"", t) for t in text_lines)]
    rows = [r for r in rows if r][:50]
    if rows:
        numeric = all(_is_number(f) for r in rows for f in r)
        integral = numeric and all(f.isdigit() for r in rows for f in r)
        widths = {len(r) for r in rows}
        if any(b"," in f for r in rows for f in r):
            return "points"
        ids = all(_INTEGER.fullmatch(f) for r in rows for f in r[:2])
        if numeric and ids and widths in ({2}, {3}) and (commented or len(rows) > 1):
            return "edgelist"
        if integral and len(rows[0]) == 2 and len(rows) > 1:
            rail_like = all(int(r[1]) == len(r) - 2 for r in rows[1:] if len(r) >= 2)
            if rail_like and len(rows) > 2:
                return "rail"
            return "scp"
        if numeric and len(widths) == 1:
            return "points"
    raise InstanceFormatError(
        path,
        None,
        "a recognizable instance (tried by name and content: " + ", ".join(FORMATS) + ")",
        "no format matched; pass format= explicitly",
    )


def read_instance(path: str | os.PathLike, format: str = "auto"):
    """Read any supported instance file into a problem object.

    ``format`` is ``"auto"`` or one of ``"scp"``, ``"rail"``, ``"fimi"``, ``"edgelist"``,
    ``"dimacs"``, ``"points"``, ``"native"``. Auto-detection uses the name first (``.npz``
    / ``.json``: native; ``.dat``: FIMI; ``.edge``: DIMACS; ``.csv`` / ``.tsv``: points;
    ``rail`` or ``scp`` in the name), then the content (a ``p`` line: DIMACS; lines of 2-3
    integers: SNAP edge list; a 2-number header then records ``cost count rows...``: rail;
    a 2-number header then numbers: scp; a constant number of numbers per line: points).
    A ``.txt`` file of 2 or 3 integer columns is read as an edge list: pass
    ``format="points"`` for integer points.

    Parameters
    ----------
    path : str or path-like
        The file (``.gz`` opened transparently).
    format : str, default "auto"
        ``"auto"`` or one of `FORMATS`.

    Returns
    -------
    SetSystem, Graph, PointSet, Similarity or another problem object
        What the format holds (native files hold any problem object, see
        :func:`~submodkit.instances.native.load`).

    Raises
    ------
    InstanceFormatError
        When no format matches, or the file does not follow its format.
    InvalidParameterError
        For an unknown ``format``.

    Examples
    --------
    >>> from submodkit.instances import bundled
    >>> read_instance(bundled("scp41"))
    SetSystem(name='scp41', n_sets=1000, n_elements=200, nnz=4009)

    References
    ----------
    .. [1] Beasley, "OR-Library: distributing test problems by electronic mail", J. Oper.
       Res. Soc. 41 (1990).
    .. [2] Goethals, Zaki, "Advances in frequent itemset mining implementations: report on
       FIMI'03", SIGKDD Explorations 6 (2004).
    .. [3] Leskovec, Krevl, "SNAP Datasets: Stanford large network dataset collection"
       (2014).
    """
    fmt = check_choice("format", format, ("auto", *FORMATS))
    if fmt == "auto":
        fmt = _detect(path)
    if fmt == "native":
        from submodkit.instances.native import load

        return load(path)
    if fmt in ("edgelist", "dimacs"):
        data = read_bytes(path)
        if fmt == "dimacs" and not _is_dimacs(data):
            raise InstanceFormatError(path, 1, "a DIMACS header line 'p edge N M'")
        return _read_dimacs(path, data) if fmt == "dimacs" else _read_snap(path, data)
    reader = {"scp": read_orlib_scp, "rail": read_orlib_rail, "fimi": read_fimi, "points": read_points}[fmt]
    return reader(path)
