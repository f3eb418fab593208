"""Readers: real OR-Library / SNAP / matching files, bad input with file and line, detection."""

from __future__ import annotations

import gzip
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import (
    Graph,
    PointSet,
    SetSystem,
    bundled,
    bundled_names,
    load_bundled,
    read_edgelist,
    read_fimi,
    read_instance,
    read_matching_solution,
    read_orlib_rail,
    read_orlib_scp,
    read_points,
)

# name: (rows m, columns n, optimum from the literature)
ORLIB = {
    "scp41": (200, 1000, 429),
    "scp51": (200, 2000, 253),
    "scp54": (200, 2000, 242),
    "scpa1": (300, 3000, 253),
    "scpa2": (300, 3000, 252),
    "scpb1": (300, 3000, 69),
    "rail507": (507, 63009, 174),
    "rail582": (582, 55515, 211),
}


def write(tmp_path: Path, name: str, text: str, gz: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def raises_at(path: Path, line: int | None, reader, match: str | None = None):
    """Call ``reader(path)``: it must raise InstanceFormatError naming the file and line."""
    with pytest.raises(InstanceFormatError) as info:
        reader(path)
    err = info.value
    msg = str(err)
    assert path.name in msg
    assert err.line == line, msg
    if line is not None:
        assert f"{path.name}:{line}:" in msg
    if match is not None:
        assert re.search(match, msg), msg
    return err


def check_set_system(s: SetSystem, n_sets: int, n_elements: int) -> None:
    assert s.sets.shape == (n_sets, n_elements)
    assert s.sets.has_sorted_indices
    assert np.all(s.sets.data == 1.0)
    coo = s.sets.tocoo()
    keys = coo.row.astype(np.int64) * n_elements + coo.col
    assert np.unique(keys).size == keys.size  # no duplicates
    assert s.costs.shape == (n_sets,) and s.costs.dtype == np.float64
    assert s.weights.shape == (n_elements,) and np.all(s.weights == 1.0)
    assert np.all(s.costs >= 0)


# --- real files ----------------------------------------------------------------------


def naive_orlib(path: Path, rail: bool) -> tuple[np.ndarray, set[tuple[int, int]]]:
    """A slow, obviously correct parser: (costs, {(set, element)})."""
    t = [float(x) for x in gzip.open(path).read().split()]
    m, n = int(t[0]), int(t[1])
    pairs = set()
    if rail:
        costs, p = [], 2
        for j in range(n):
            costs.append(t[p])
            c = int(t[p + 1])
            pairs.update((j, int(i) - 1) for i in t[p + 2 : p + 2 + c])
            p += 2 + c
    else:
        costs, p = t[2 : 2 + n], 2 + n
        for i in range(m):
            c = int(t[p])
            pairs.update((int(j) - 1, i) for j in t[p + 1 : p + 1 + c])
            p += 1 + c
    assert p == len(t)
    return np.array(costs), pairs


@pytest.mark.parametrize("name", sorted(ORLIB))
def test_orlib_files(shared_data: Path, name: str) -> None:
    path = shared_data / "orlib-scp" / f"{name}.txt.gz"
    m, n, _ = ORLIB[name]
    s = read_instance(path)
    check_set_system(s, n, m)
    assert s.name == name and s.meta["format"] == ("rail" if "rail" in name else "scp")
    same = (read_orlib_rail if "rail" in name else read_orlib_scp)(path)
    assert (same.sets != s.sets).nnz == 0
    costs, pairs = naive_orlib(path, rail="rail" in name)
    np.testing.assert_array_equal(s.costs, costs)
    coo = s.sets.tocoo()
    assert set(zip(coo.row.tolist(), coo.col.tolist(), strict=True)) == pairs
    if name.startswith("scp"):  # every row of the scp instances is covered
        assert np.all(np.diff(s.sets.tocsc().indptr) > 0)


def test_scp41_structure(shared_data: Path) -> None:
    s = read_orlib_scp(shared_data / "orlib-scp" / "scp41.txt.gz")
    assert (s.n_sets, s.n_elements) == (1000, 200)
    assert s.nnz == 4009
    # costs run from 1 to 100; the first row (line 86) has 17 columns: 91 214 230 ...
    assert s.costs[:3].tolist() == [1.0, 1.0, 1.0] and s.costs[-1] == 100.0
    first_row = s.sets.tocsc()[:, 0].indices
    assert first_row.size == 17 and first_row[:3].tolist() == [90, 213, 229]
    rail = read_orlib_rail(shared_data / "orlib-scp" / "rail507.txt.gz")
    assert (rail.n_elements, rail.n_sets) == (507, 63009)
    # first column: '2 7 42 43 44 318 319 422 423'
    assert rail.costs[0] == 2
    assert rail.sets[0].indices.tolist() == [41, 42, 43, 317, 318, 421, 422]


def test_facebook_edge_list(shared_data: Path) -> None:
    g = read_instance(shared_data / "snap" / "facebook_combined.txt.gz")
    assert isinstance(g, Graph)
    assert (g.n_nodes, g.n_edges) == (4039, 88234)
    assert g.edges.dtype == np.int64 and g.edges.min() == 0 and g.edges.max() == 4038
    assert g.edges[0].tolist() == [0, 1] and np.all(g.weights == 1.0)
    assert g.meta["format"] == "edgelist"
    assert read_edgelist(shared_data / "snap" / "facebook_combined.txt.gz").n_edges == 88234


@pytest.mark.parametrize("stem", ["random_n1000_m10000", "chain_n1000", "triangles_n1002"])
def test_matching_edge_and_out(shared_data: Path, stem: str) -> None:
    g = read_instance(shared_data / "matching" / f"{stem}.edge.gz")
    assert g.meta["format"] == "dimacs"
    header = gzip.open(shared_data / "matching" / f"{stem}.edge.gz").readline().split()
    assert g.n_nodes == int(header[2]) and g.n_edges == int(header[3])
    assert g.edges.min() >= 0 and g.edges.max() < g.n_nodes
    total, pairs = read_matching_solution(shared_data / "matching" / f"{stem}.out.gz")
    assert pairs.shape[1] == 2 and pairs.min() >= 0 and pairs.max() < g.n_nodes
    assert np.unique(pairs).size == pairs.size  # a matching: no shared vertex
    weight = {}
    for (u, v), w in zip(g.edges.tolist(), g.weights.tolist(), strict=True):
        key = (min(u, v), max(u, v))
        weight[key] = max(w, weight.get(key, w))
    assert sum(weight[(min(u, v), max(u, v))] for u, v in pairs.tolist()) == total


def test_all_matching_files_read(shared_data: Path) -> None:
    for path in sorted((shared_data / "matching").glob("*.edge.gz")):
        g = read_edgelist(path)
        total, pairs = read_matching_solution(path.with_name(path.name.replace(".edge", ".out")))
        assert g.n_edges > 0 and total > 0 and pairs.size > 0


# --- bundled files (always available) --------------------------------------------------


def test_bundled() -> None:
    assert {"scp41", "rail507"} <= set(bundled_names())
    assert bundled("scp41").name == "scp41.txt.gz"
    assert bundled("scp41.txt.gz") == bundled("scp41")
    s = load_bundled("scp41")
    check_set_system(s, 1000, 200)
    r = load_bundled("rail507")
    check_set_system(r, 63009, 507)
    assert r.costs.sum() == 122425.0
    with pytest.raises(InvalidParameterError, match="scp41"):
        bundled("scp99")


# --- small files: structure ----------------------------------------------------------------


SCP = "2 3\n 1 2 3\n2 1 2\n2 3 2\n"  # rows {1,2} and {3,2}; costs 1 2 3


def test_scp_small(tmp_path: Path) -> None:
    s = read_orlib_scp(write(tmp_path, "tiny.scp", SCP))
    check_set_system(s, 3, 2)
    assert s.sets.toarray().tolist() == [[1, 0], [1, 1], [0, 1]]
    assert s.costs.tolist() == [1.0, 2.0, 3.0] and s.name == "tiny"


def test_scp_line_breaks_meaningless_duplicates_and_uncovered(tmp_path: Path) -> None:
    text = "3 3 1\n2.5\n3 3 1 1 2 0 1 3"  # row 1: cols 1 1 2 (dup), row 2: none, row 3: col 3
    s = read_orlib_scp(write(tmp_path, "x.scp.gz", text, gz=True))
    assert s.sets.toarray().tolist() == [[1, 0, 0], [1, 0, 0], [0, 0, 1]]
    assert s.costs.tolist() == [1.0, 2.5, 3.0]


def test_rail_small(tmp_path: Path) -> None:
    s = read_orlib_rail(write(tmp_path, "rail_tiny.txt", "3 2\n1 2 1 3\n2.5 1 2\n"))
    assert s.sets.toarray().tolist() == [[1, 0, 1], [0, 1, 0]]
    assert s.costs.tolist() == [1.0, 2.5]


def test_fimi_small(tmp_path: Path) -> None:
    s = read_fimi(write(tmp_path, "t.dat", "1 3 3\n\n0 5\n"))
    assert s.sets.toarray().tolist() == [[0, 1, 0, 1, 0, 0], [0] * 6, [1, 0, 0, 0, 0, 1]]
    assert s.costs.tolist() == [1.0] * 3
    assert read_fimi(write(tmp_path, "u.dat", "2 1\r\n4")).n_sets == 2  # CRLF, no final newline


def test_snap_small(tmp_path: Path) -> None:
    g = read_edgelist(write(tmp_path, "g.txt", "# Nodes: 10 Edges: 2\n% c\n0 1\n\n3 2 # x\n"))
    assert g.edges.tolist() == [[0, 1], [3, 2]] and g.n_nodes == 10
    w = read_edgelist(write(tmp_path, "w.txt", "0 1 2.5\n1 2 0\n"))
    assert w.weights.tolist() == [2.5, 0.0] and w.n_nodes == 3


def test_dimacs_small(tmp_path: Path) -> None:
    g = read_edgelist(write(tmp_path, "g.edge", "c hi\np edge 4 2\ne 1 2 5\nc mid\ne 4 3 7\n"))
    assert g.edges.tolist() == [[0, 1], [3, 2]] and g.weights.tolist() == [5.0, 7.0]
    assert g.n_nodes == 4
    u = read_edgelist(write(tmp_path, "u.edge", "p edge 3 1\ne 1 3\n"))
    assert u.weights.tolist() == [1.0]
    e = read_edgelist(write(tmp_path, "e.edge", "p edge 3 0\n"))
    assert e.n_edges == 0 and e.n_nodes == 3


def test_matching_solution_small(tmp_path: Path) -> None:
    total, pairs = read_matching_solution(write(tmp_path, "a.out", "s 12\nm 1 2\nm 4 3\n"))
    assert total == 12.0 and pairs.tolist() == [[0, 1], [3, 2]]
    total, pairs = read_matching_solution(write(tmp_path, "b.out", "s 0\n"))
    assert total == 0 and pairs.shape == (0, 2)


def test_points_small(tmp_path: Path) -> None:
    p = read_points(write(tmp_path, "p.csv", "x,y\n# c\n1,2.5\n-3, 4e1 # t\n"))
    assert isinstance(p, PointSet)
    assert p.features.tolist() == [[1.0, 2.5], [-3.0, 40.0]] and p.meta["columns"] == ["x", "y"]
    q = read_points(write(tmp_path, "q.tsv", "1\t2\t3\n4\t5\t6\n"))
    assert q.features.shape == (2, 3) and q.features.dtype == np.float64


# --- bad input: file name and line number ------------------------------------------------


SCP_BAD = {
    # name: (text, line, pattern in message)
    "truncated": ("2 3\n1 2 3\n2 1 2\n2 3\n", 4, "2 rows, file ends in row 2"),
    "truncated-costs": ("2 3\n1 2\n", 2, "3 column costs"),
    "non-numeric": ("2 3\n1 2 3\n2 1 x\n1 3\n", 3, "expected a number, found 'x'"),
    "index-too-big": ("2 3\n1 2 3\n2 1 2\n1 4\n", 4, r"column index: an integer in \[1, 3\]"),
    "index-zero": ("2 3\n1 2 3\n2 0 2\n1 3\n", 3, r"column index: an integer in \[1, 3\]"),
    "index-float": ("2 3\n1 2 3\n2 1.5 2\n1 3\n", 3, "column index"),
    "negative-cost": ("2 3\n1 -2 3\n2 1 2\n1 3\n", 2, "non-negative"),
    "nan-cost": ("2 3\n1 nan 3\n2 1 2\n1 3\n", 2, "finite"),
    "inf-cost": ("2 3\n\n1 2 inf\n2 1 2\n1 3\n", 3, "finite"),
    "empty-rows": ("0 3\n1 2 3\n", 1, "non-empty set system"),
    "empty-columns": ("\n2 0\n0 0\n", 2, "non-empty set system"),
    "empty-file": ("", 1, "header"),
    "bad-header": ("2.5 3\n", 1, "header: m"),
    "negative-count": ("2 3\n1 2 3\n-1\n1 3\n", 3, "count of row 1"),
    "extra-tokens": ("2 3\n1 2 3\n2 1 2\n1 3\n7\n", 5, "end of file after 2 rows"),
    "huge-header": ("99999999999 3\n1 2 3\n1 1\n", 3, "99999999999 rows of at least 1"),
}


@pytest.mark.parametrize("case", sorted(SCP_BAD))
@pytest.mark.parametrize("gz", [False, True])
def test_scp_bad_input(tmp_path: Path, case: str, gz: bool) -> None:
    text, line, pattern = SCP_BAD[case]
    path = write(tmp_path, f"bad_{case}.txt" + (".gz" if gz else ""), text, gz)
    raises_at(path, line, read_orlib_scp, pattern)


RAIL_BAD = {
    "truncated": ("3 2\n1 2 1 3\n2 2 2\n", 3, "2 columns, file ends in column 2"),
    "truncated-record": ("3 2\n1 2 1 3\n2\n", 3, "file ends in column 2"),
    "non-numeric": ("3 2\n1 2 1 3\n2 1 two\n", 3, "found 'two'"),
    "index-too-big": ("3 2\n1 2 1 3\n2 1 4\n", 3, r"row index: an integer in \[1, 3\]"),
    "index-zero": ("3 2\n1 2 0 3\n2 1 2\n", 2, "row index"),
    "negative-cost": ("3 2\n1 2 1 3\n-2 1 2\n", 3, "column cost: a non-negative"),
    "nan-cost": ("3 2\n1 2 1 3\nNaN 1 2\n", 3, "finite"),
    "empty": ("3 0\n", 1, "non-empty set system"),
    "extra-tokens": ("3 2\n1 2 1 3\n2 1 2\n9 9\n", 4, "end of file after 2 columns"),
}


@pytest.mark.parametrize("case", sorted(RAIL_BAD))
def test_rail_bad_input(tmp_path: Path, case: str) -> None:
    text, line, pattern = RAIL_BAD[case]
    raises_at(write(tmp_path, f"rail_{case}.txt.gz", text, True), line, read_orlib_rail, pattern)


FIMI_BAD = {
    "non-numeric": ("1 2\n3 a\n", 2, "found 'a'"),
    "negative-item": ("1 2\n\n3 -1\n", 3, "item: an integer"),
    "float-item": ("1 2.5\n", 1, "item: an integer"),
    "nan": ("1 2\n2 nan\n", 2, "finite"),
    "empty-file": ("", 1, "non-empty set system"),
    "blank-file": ("\n\n\n", 1, "non-empty set system"),
}


@pytest.mark.parametrize("case", sorted(FIMI_BAD))
def test_fimi_bad_input(tmp_path: Path, case: str) -> None:
    text, line, pattern = FIMI_BAD[case]
    raises_at(write(tmp_path, f"{case}.dat", text), line, read_fimi, pattern)


SNAP_BAD = {
    "non-numeric": ("0 1\n1 b\n", 2, "found 'b'"),
    "negative-id": ("# c\n0 1\n-1 2\n", 3, "vertex id"),
    "float-id": ("0 1\n1.5 2\n", 2, "vertex id"),
    "truncated-line": ("0 1\n1 2\n3\n", 3, "2 fields per line"),
    "too-many-fields": ("0 1 1 1\n", 1, "edge"),
    "mixed-widths": ("0 1\n1 2 3\n", 2, "2 fields per line"),
    "nan-weight": ("0 1 1\n1 2 nan\n", 2, "finite"),
    "negative-weight": ("0 1 1\n1 2 -3\n", 2, "edge weight: a non-negative"),
    "empty": ("# only a comment\n", 1, "at least one edge"),
}


@pytest.mark.parametrize("case", sorted(SNAP_BAD))
def test_snap_bad_input(tmp_path: Path, case: str) -> None:
    text, line, pattern = SNAP_BAD[case]
    raises_at(write(tmp_path, f"{case}.txt", text), line, read_edgelist, pattern)


DIMACS_BAD = {
    "too-few-edges": ("p edge 3 3\ne 1 2 1\ne 2 3 1\n", 1, "M = 3 edges"),
    "too-many-edges": ("p edge 3 1\ne 1 2 1\ne 2 3 1\n", 3, "M = 1 edges"),
    "id-too-big": ("p edge 3 2\ne 1 2 1\ne 2 4 1\n", 3, r"vertex id \(1-based\)"),
    "id-zero": ("c x\np edge 3 2\ne 0 2 1\ne 2 3 1\n", 3, r"vertex id \(1-based\)"),
    "non-numeric": ("p edge 3 2\ne 1 2 1\ne 2 3 w\n", 3, "found 'w'"),
    "nan-weight": ("p edge 3 2\ne 1 2 nan\ne 2 3 1\n", 2, "finite"),
    "negative-weight": ("p edge 3 2\ne 1 2 1\ne 2 3 -1\n", 3, "edge weight"),
    "missing-e": ("p edge 3 2\ne 1 2 1\n2 3 1\n", 3, "an edge line"),
    "truncated-line": ("p edge 3 2\ne 1 2 1\ne 2\n", 3, "fields per line"),
    "bad-header": ("p edge x 2\ne 1 2 1\n", 1, "integers N, M"),
    "empty-graph": ("p edge 0 0\n", 1, "N >= 1"),
}


@pytest.mark.parametrize("case", sorted(DIMACS_BAD))
def test_dimacs_bad_input(tmp_path: Path, case: str) -> None:
    text, line, pattern = DIMACS_BAD[case]
    raises_at(write(tmp_path, f"{case}.edge.gz", text, True), line, read_edgelist, pattern)
    raises_at(tmp_path / f"{case}.edge.gz", line, read_instance, pattern)


def test_dimacs_header_must_come_first(tmp_path: Path) -> None:
    path = write(tmp_path, "late.edge", "e 1 2 1\np edge 3 1\n")
    raises_at(path, 1, lambda p: read_instance(p, format="dimacs"), "DIMACS header")


OUT_BAD = {
    "no-total": ("m 1 2\n", 1, "'s TOTAL'"),
    "bad-pair": ("s 3\nm 1 2\nm 0 3\n", 3, "matched pair"),
    "non-numeric": ("s 3\nm 1 x\n", 2, "matched pair"),
    "nan-total": ("s nan\n", 1, "TOTAL"),
    "empty": ("", 1, "'s TOTAL'"),
}


@pytest.mark.parametrize("case", sorted(OUT_BAD))
def test_matching_solution_bad_input(tmp_path: Path, case: str) -> None:
    text, line, pattern = OUT_BAD[case]
    raises_at(write(tmp_path, f"{case}.out", text), line, read_matching_solution, pattern)


POINTS_BAD = {
    "non-numeric": ("1,2\n3,x\n", 2, "found 'x'"),
    "nan": ("# c\n1 2\n3 nan\n", 3, "finite"),
    "inf": ("1 2\n3 -inf\n", 2, "finite"),
    "ragged": ("1,2,3\n4,5,6\n7,8\n", 3, "3 fields per line"),
    "empty-field": ("1,2\n3,,4\n", 2, "a number between commas"),
    "trailing-comma": ("1,2\n3,4,\n", 2, "a number between commas"),
    "empty": ("# nothing\n\n", 1, "at least one point"),
    "header-width": ("a,b,c\n1,2\n", 1, "header with 2 column names"),
}


@pytest.mark.parametrize("case", sorted(POINTS_BAD))
def test_points_bad_input(tmp_path: Path, case: str) -> None:
    text, line, pattern = POINTS_BAD[case]
    raises_at(write(tmp_path, f"{case}.csv", text), line, read_points, pattern)


def test_missing_file(tmp_path: Path) -> None:
    for reader in (
        read_orlib_scp,
        read_orlib_rail,
        read_fimi,
        read_edgelist,
        read_points,
        read_matching_solution,
        read_instance,
    ):
        with pytest.raises(FileNotFoundError):
            reader(tmp_path / "nope.txt")


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt.gz"
    path.write_bytes(gzip.compress(SCP.encode())[:-6])
    raises_at(path, None, read_orlib_scp, "gzip")


def test_tokenizer_blocks(tmp_path: Path, monkeypatch) -> None:
    """The vectorized integer parser works block by block: boundaries must not matter."""
    from submodkit.instances import _text

    path = write(tmp_path, "scp_blocks.txt", "3 4\n10 20 30 40\n2 1 4\n1 2\n3 1 3 4\n")
    expected = read_orlib_scp(path)
    for block in (1, 2, 3, 5):
        monkeypatch.setattr(_text, "_BLOCK", block)
        got = read_orlib_scp(path)
        assert (got.sets != expected.sets).nnz == 0
        assert got.costs.tolist() == [10.0, 20.0, 30.0, 40.0]
    big = " ".join(str(10**17 + i) for i in range(7))
    assert _text.Tokens("x", big.encode()).values.tolist() == [10**17 + i for i in range(7)]


# --- detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "kind", "fmt"),
    [
        ("scp_tiny.txt", SCP, SetSystem, "scp"),
        ("instance.txt", "2 3\n 1 2 3 2 1 2\n 2 3 2\n", SetSystem, "scp"),
        ("rail_x.txt", "3 2\n1 2 1 3\n2 1 2\n", SetSystem, "rail"),
        ("crew.txt", "3 3\n1 2 1 3\n2 1 2\n1 3 1 2 3\n", SetSystem, "rail"),
        ("baskets.dat", "1 2 3\n4\n", SetSystem, "fimi"),
        ("edges.txt", "0 1\n1 2\n2 0\n", Graph, "edgelist"),
        ("edges.tsv.gz", "# SNAP\n0\t1\n", PointSet, "points"),
        ("net.txt.gz", "# Nodes\n0 1\n", Graph, "edgelist"),
        ("weighted.txt", "0 1 3\n1 2 4\n", Graph, "edgelist"),
        ("graph.txt", "c x\np edge 2 1\ne 1 2 3\n", Graph, "dimacs"),
        ("g.edge", "p edge 2 1\ne 1 2\n", Graph, "dimacs"),
        ("pts.csv", "1.5,2\n3,4\n", PointSet, "points"),
        ("pts.txt", "1.5 2 0.25\n3 4 5\n", PointSet, "points"),
        ("pts2.txt", "1,2\n3,4\n", PointSet, "points"),
    ],
)
def test_read_instance_detects(tmp_path: Path, name, text, kind, fmt) -> None:
    path = write(tmp_path, name, text, gz=name.endswith(".gz"))
    obj = read_instance(path)
    assert isinstance(obj, kind) and obj.meta["format"] == fmt


def test_read_instance_explicit_format(tmp_path: Path) -> None:
    path = write(tmp_path, "whatever.bin", "0 1\n1 2\n")
    assert read_instance(path, format="fimi").n_sets == 2
    assert read_instance(path, format="edgelist").n_edges == 2
    assert read_instance(path, format="points").features.shape == (2, 2)
    with pytest.raises(InvalidParameterError, match="format"):
        read_instance(path, format="xml")


def test_read_instance_unknown(tmp_path: Path) -> None:
    path = write(tmp_path, "mystery.txt", "hello world\n1 2 3\n")
    err = raises_at(path, None, read_instance, "tried")
    for fmt in ("scp", "rail", "fimi", "edgelist", "dimacs", "points", "native"):
        assert fmt in err.expected
    raises_at(write(tmp_path, "ragged.txt", "1 2 3\n4 5\n6\n"), None, read_instance, "tried")


def test_detected_errors_keep_line_numbers(tmp_path: Path) -> None:
    raises_at(write(tmp_path, "bad_scp41.txt", SCP_BAD["non-numeric"][0]), 3, read_instance)
    raises_at(write(tmp_path, "g.txt", "0 1\n1 2\n-2 3\n"), 3, read_instance, "vertex id")


# --- round trip through the scp / rail / fimi text formats (hypothesis) --------------------


def random_sets(draw, n_sets: int, n_elements: int) -> list[list[int]]:
    return [sorted(draw(st.sets(st.integers(0, n_elements - 1), max_size=n_elements))) for _ in range(n_sets)]


@st.composite
def set_systems(draw):
    n_sets = draw(st.integers(1, 8))
    n_elements = draw(st.integers(1, 8))
    sets = random_sets(draw, n_sets, n_elements)
    costs = draw(st.lists(st.integers(0, 1000), min_size=n_sets, max_size=n_sets))
    seps = draw(st.lists(st.sampled_from([" ", "\n", "  ", "\t", " \n "]), min_size=1))
    return sets, n_elements, costs, seps


def join(tokens: list, seps: list[str]) -> str:
    return "".join(f"{t}{seps[i % len(seps)]}" for i, t in enumerate(tokens))


@settings(max_examples=60, deadline=None)
@given(set_systems())
def test_scp_rail_fimi_round_trip(case) -> None:
    sets, n_el, costs, seps = case
    n = len(sets)
    expected = np.zeros((n, n_el))
    for j, s in enumerate(sets):
        expected[j, s] = 1
    scp = [n_el, n, *costs]
    for i in range(n_el):
        cols = [j + 1 for j in range(n) if i in sets[j]]
        scp += [len(cols), *cols]
    rail = [n_el, n]
    for j, s in enumerate(sets):
        rail += [costs[j], len(s), *[i + 1 for i in s]]
    with tempfile.TemporaryDirectory() as tmp:
        check_text_formats(Path(tmp), sets, costs, seps, scp, rail, expected)


def check_text_formats(d: Path, sets, costs, seps, scp, rail, expected) -> None:
    for reader, tokens in ((read_orlib_scp, scp), (read_orlib_rail, rail)):
        path = d / "x.txt"
        path.write_text(join(tokens, seps))
        got = reader(path)
        np.testing.assert_array_equal(got.sets.toarray(), expected)
        np.testing.assert_array_equal(got.costs, costs)
    fimi = "\n".join(" ".join(map(str, s)) for s in sets) + "\n"
    (d / "x.dat").write_text(fimi)
    width = max((max(s) + 1 for s in sets if s), default=0)
    if width == 0:  # no item at all: an empty set system
        raises_at(d / "x.dat", 1, read_fimi, "non-empty")
        return
    got = read_fimi(d / "x.dat")
    np.testing.assert_array_equal(got.sets.toarray(), expected[:, :width])


def test_points_npy(tmp_path: Path) -> None:
    arr = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.save(tmp_path / "p.npy", arr)
    ps = read_points(tmp_path / "p.npy")
    assert ps.features.dtype == np.float32 and np.array_equal(ps.features, arr)
    assert ps.name == "p"
    assert isinstance(read_instance(tmp_path / "p.npy"), type(ps))
    np.save(tmp_path / "i.npy", np.arange(6).reshape(3, 2))
    assert read_points(tmp_path / "i.npy").features.dtype == np.float64
    bad = arr.copy()
    bad[2, 1] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    with pytest.raises(InstanceFormatError, match=r"nan.npy:3: expected finite values"):
        read_points(tmp_path / "nan.npy")
    np.save(tmp_path / "flat.npy", np.arange(3.0))
    with pytest.raises(InstanceFormatError, match="2-D numeric array"):
        read_points(tmp_path / "flat.npy")
    (tmp_path / "junk.npy").write_bytes(b"not an array")
    with pytest.raises(InstanceFormatError, match="NumPy .npy array"):
        read_points(tmp_path / "junk.npy")
