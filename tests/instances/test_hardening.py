"""Issue 13 regressions for the readers, problem objects and native format: damaged gzip,
sizes that cannot fit, memory that must follow the data (not a header or a huge id), exact
ids up to 2^62, finite totals, problem objects that check their arrays once."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import (
    Graph,
    PointSet,
    SetSystem,
    Similarity,
    adx_types,
    load,
    read_edgelist,
    read_fimi,
    read_instance,
    read_orlib_rail,
    read_orlib_scp,
    read_points,
    save,
)
from submodkit.instances import problems as P
from submodkit.solvers.matching.general import solve_matching_file

NEAR62 = 2**62 - 3
SMALL_MB = 20.0


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def traced(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` and the peak traced memory in MB (its exception re-raised)."""
    tracemalloc.start()
    try:
        return fn(*args, **kwargs), tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def fails_small(fn, path: Path, line: int | None, match: str) -> InstanceFormatError:
    """``fn(path)`` raises InstanceFormatError at ``line`` matching ``match``, allocating little."""
    tracemalloc.start()
    try:
        with pytest.raises(InstanceFormatError, match=match) as info:
            fn(path)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert info.value.line == line and path.name in str(info.value), str(info.value)
    assert peak < SMALL_MB, f"{peak:.0f} MB traced"
    return info.value


# --- gzip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage-body", "flipped", "truncated"])
def test_damaged_gzip_is_a_format_error(tmp_path, damage):
    text = b"3 4\n1 2 3 4\n2 1 2\n2 2 3\n2 3 4\n" * 20
    raw = bytearray(gzip.compress(text, mtime=0))
    if damage == "garbage-body":  # zlib.error before the fix
        raw = raw[:10] + b"\xff\xfe\xfd\xfc" * 8
    elif damage == "flipped":
        for i in range(len(raw) // 2, len(raw) // 2 + 6):
            raw[i] ^= 0xA5
    else:
        raw = raw[:-9]
    for name, reader in (("scp_x.txt.gz", read_orlib_scp), ("x.json.gz", load)):
        path = write(tmp_path, name, bytes(raw))
        with pytest.raises(InstanceFormatError, match="gzip"):
            reader(path)


# --- ids and declared sizes ----------------------------------------------------------------------


def test_ids_up_to_2_62_are_exact_in_integer_and_float_files(tmp_path):
    g = read_edgelist(write(tmp_path, "a.txt", f"{NEAR62} {NEAR62 + 1}\n0 1\n"))
    assert g.edges.tolist() == [[NEAR62, NEAR62 + 1], [0, 1]] and g.n_nodes == NEAR62 + 2
    # a weight column makes the text a float file: the big ids are read again from their digits
    w = read_edgelist(write(tmp_path, "b.txt", f"{NEAR62} {NEAR62 + 1} 2.5\n0 1 1\n"))
    assert w.edges.tolist() == [[NEAR62, NEAR62 + 1], [0, 1]] and w.weights.tolist() == [2.5, 1.0]
    f = read_fimi(write(tmp_path, "c.dat", "0 1\n2 3 4.0\n"))  # a float file with small items
    assert f.sets.toarray().tolist() == [[1, 1, 0, 0, 0], [0, 0, 1, 1, 1]]


@pytest.mark.parametrize(("text", "line", "match"), [
    (f"0 {2**62}\n", 1, r"vertex id .*\[0, 4611686018427387903\]"),
    (f"0 {2**63}\n", 1, "vertex id"),
    (f"0 {10**23}\n1 2\n", 1, "vertex id"),
    ("0 1 1\n0 4.6e18 1\n", 2, "digits only"),
    (f"# Nodes: {10**23} Edges: 1\n0 1\n", 1, r"'# Nodes: N' count: at most 2\^62"),
    ("# Nodes: " + "9" * 5000 + "\n0 1\n", 1, "Nodes"),
])
def test_snap_sizes_that_cannot_fit(tmp_path, text, line, match):
    fails_small(read_edgelist, write(tmp_path, "g.txt", text), line, match)


@pytest.mark.parametrize(("text", "line", "match"), [
    (f"p edge {10**23} 1\ne 1 2\n", 1, r"N >= 1 and M >= 0 \(both at most 2\^62\)"),
    (f"p edge 4 {10**12}\ne 1 2\n", 1, "M = 1000000000000 edges"),
])
def test_dimacs_sizes_that_cannot_fit(tmp_path, text, line, match):
    fails_small(read_edgelist, write(tmp_path, "g.edge", text), line, match)


@pytest.mark.parametrize(("text", "n_nodes"), [
    ("p edge 100000000 1\ne 1 2\n", 10**8),
    (f"p edge {10**12} 1\ne 1 {10**12}\n", 10**12),
    (f"# Nodes: {10**12}\n0 1\n", 10**12),
    ("1 20000000\n", 20_000_001),
])
def test_huge_vertex_counts_cost_nothing_until_used(tmp_path, text, n_nodes):
    name = "g.edge" if text.startswith("p") else "g.txt"
    g, peak = traced(read_edgelist, write(tmp_path, name, text))
    assert g.n_nodes == n_nodes and g.n_edges == 1 and peak < SMALL_MB
    with pytest.raises(InvalidParameterError, match="in no edge"):
        g.adjacency()  # n x n: refused, not allocated
    with pytest.raises(InvalidParameterError, match="set cover must take each one"):
        g.to_set_system()
    with pytest.raises(InvalidParameterError, match="k=-1"):
        g.to_set_system(k=-1)
    assert g.to_set_system(k=2).n_sets == 4  # the two ends of the edge, two isolated vertices


def test_rail_rows_header_checked_against_the_rows_covered(tmp_path):
    fails_small(read_orlib_rail, write(tmp_path, "rail_x.txt", f"{10**12} 2\n1 2 1 3\n2.5 1 2\n"), 1,
                r"m \(rows\) = 1000000000000 close to the rows the columns cover")
    # a few rows in no column stay accepted (set cover then reports them)
    s = read_orlib_rail(write(tmp_path, "rail_y.txt", "9 2\n1 2 1 3\n2.5 1 2\n"))
    assert s.n_elements == 9


@pytest.mark.parametrize(("text", "line"), [(f"1 3\n{10**12}\n", 2), ("1 20000000\n0 1\n", 1),
                                            (f"0\n{NEAR62}\n", 2)])
def test_fimi_sparse_item_ids_refused_before_allocating(tmp_path, text, line):
    fails_small(read_fimi, write(tmp_path, "x.dat", text), line, "item ids close to the number of items")


def test_fimi_gaps_up_to_spare_ids_keep_their_meaning(tmp_path):
    s = read_fimi(write(tmp_path, "x.dat", f"0 {P.SPARE_IDS}\n"))
    assert s.n_elements == P.SPARE_IDS + 1 and s.nnz == 2


def test_npy_header_checked_against_the_data(tmp_path):
    for shape in [(10**12, 2), (10**6, 10**6), (10**23, 2)]:
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": shape})
        path = write(tmp_path, "p.npy", buf.getvalue() + b"\0" * 32)
        fails_small(read_points, path, None, r"bytes of data for shape|unreadable header")
    np.save(tmp_path / "ok.npy", np.eye(3))
    path = write(tmp_path, "short.npy", (tmp_path / "ok.npy").read_bytes()[:-8])
    fails_small(read_points, path, None, "72 bytes of data")


# --- totals and magnitudes ---------------------------------------------------------------------


def test_costs_and_weights_need_a_finite_total(tmp_path):
    err = fails_small(read_orlib_scp, write(tmp_path, "scp_x.txt", "2 3\n1 1e308 1e308\n1 1\n2 2 3\n"), 2,
                      "column costs whose total is finite")
    assert "running total overflows" in str(err)
    fails_small(read_edgelist, write(tmp_path, "w.txt", "0 1 1e308\n2 3 1\n\n4 5 1e308\n"), 4,
                "edge weights whose total is finite")
    big = read_orlib_scp(write(tmp_path, "scp_y.txt", "2 3\n1 1e300 1\n1 1\n2 2 3\n"))
    assert big.costs.tolist() == [1.0, 1e300, 1.0]  # huge but finite totals are data


def test_points_whose_distances_would_overflow(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning on the way
        fails_small(read_points, write(tmp_path, "p.csv", "0,0\n1e300,1\n"), 2, "coordinates of magnitude")
        np.save(tmp_path / "q.npy", np.array([[0.0, 0.0], [1.0, 1.0], [-1e308, 1e308]]))
        fails_small(read_points, tmp_path / "q.npy", 3, "finite values of magnitude")
        np.save(tmp_path / "r.npy", np.array([[0.0, 1e20]], dtype=np.float32))
        fails_small(read_points, tmp_path / "r.npy", 1, "magnitude")
    ok = read_points(write(tmp_path, "ok.csv", "0,0\n1e150,-1e150\n"))
    assert ok.features[1].tolist() == [1e150, -1e150]


# --- problem objects -----------------------------------------------------------------------------


def test_problem_objects_check_their_arrays():
    csr = sp.csr_matrix(np.eye(2))
    bad = [
        (lambda: SetSystem(csr, [1.0, np.nan], [1.0, 1.0]), r"costs\[1\]"),
        (lambda: SetSystem(csr, [1.0, -1.0], [1.0, 1.0]), r"costs\[1\]"),
        (lambda: SetSystem(csr, [1.0, 1.0], [1.0]), "weights"),
        (lambda: SetSystem(csr, [1e308, 1e308], [1.0, 1.0]), r"costs \(total\)"),
        (lambda: SetSystem(np.eye(2), [1.0, 1.0], [1.0, 1.0]), "CSR"),
        (lambda: SetSystem(sp.csr_matrix((np.ones(1), np.array([5]), np.array([0, 1, 1])), shape=(2, 2)),
                           [1.0, 1.0], [1.0, 1.0]), "indices"),
        (lambda: SetSystem(csr, [1.0, 1.0], [1.0, 1.0], labels=[1]), "labels"),
        (lambda: PointSet(np.arange(3.0)), "2-D"),
        (lambda: PointSet(np.array([[np.nan, 0.0]])), r"features\[0\]"),
        (lambda: PointSet(np.array([[0.0, 0.0], [1e300, 0.0]])), r"features\[1\]"),
        (lambda: Similarity(np.array([[1.0, -0.5]])), "matrix"),
        (lambda: Similarity(sp.csc_matrix(np.eye(2))), "CSR"),
        (lambda: Graph(np.array([[0, 5]]), np.ones(1), 3), r"vertex ids in \[0, 3\)"),
        (lambda: Graph(np.array([[0, -1]]), np.ones(1), 3), "vertex ids"),
        (lambda: Graph(np.array([[0.0, 1.0]]), np.ones(1), 3), "integer array"),
        (lambda: Graph(np.array([[0, 1]]), np.ones(2), 3), "weights"),
        (lambda: Graph(np.array([[0, 1]]), [-1.0], 3), "non-negative"),
        (lambda: Graph(np.array([[0, 1], [1, 2]]), [1e308, 1e308], 3), "total"),
        (lambda: Graph(np.zeros((0, 2), np.int64), np.zeros(0), 2**62 + 1), "n_nodes"),
        (lambda: Graph(np.zeros((0, 2), np.int64), np.zeros(0), True), "n_nodes"),
    ]
    for build, match in bad:
        with pytest.raises(InvalidParameterError, match=match):
            build()


def closed_coverage(edges: list[tuple[int, int]], n: int, chosen) -> int:
    covered = set(chosen)
    for u, v in edges:
        if u in chosen:
            covered.add(v)
        if v in chosen:
            covered.add(u)
    return len(covered)


@pytest.mark.parametrize("seed", range(6))
def test_compacted_coverage_has_the_optimum_of_the_whole_graph(monkeypatch, seed):
    monkeypatch.setattr(P, "SPARE_IDS", 5)  # compaction when n_nodes > 2 m + 5
    rng = np.random.default_rng(seed)
    n = 16
    ids = rng.choice(n, size=5, replace=False)
    pairs = list(itertools.combinations(ids.tolist(), 2))
    edges = [pairs[i] for i in rng.choice(len(pairs), size=int(rng.integers(1, 5)), replace=False)]
    g = Graph(np.array(edges), np.ones(len(edges)), n)
    for k in (1, 2, 3, 5):
        s = g.to_set_system(k=k)
        assert s.labels is not None and s.n_sets < n and np.all(np.diff(s.labels) > 0)
        full = max(closed_coverage(edges, n, set(c)) for c in itertools.combinations(range(n), k))
        dense = s.sets.toarray() > 0
        best = max(int(dense[list(c)].any(axis=0).sum()) for c in itertools.combinations(range(s.n_sets), k))
        assert best == full
        # every set is the closed neighbourhood of its label in the whole graph
        for j, v in enumerate(s.labels.tolist()):
            assert {int(s.labels[e]) for e in np.flatnonzero(dense[j])} == \
                {v} | {b for a, b in edges if a == v} | {a for a, b in edges if b == v}


def test_matching_on_sparse_ids_maps_pairs_back(tmp_path):
    rng = np.random.default_rng(3)
    ids = np.sort(rng.choice(300_000, size=40, replace=False))
    pairs = rng.choice(40, size=(60, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    w = rng.integers(1, 50, size=len(pairs))
    text = "".join(f"{ids[a]} {ids[b]} {x}\n" for (a, b), x in zip(pairs, w, strict=True))
    path = write(tmp_path, "sparse.txt", text)
    warm = write(tmp_path, "warm.txt", "0 1 1\n1 2 2\n")  # distinct weights: the blossom kernel
    solve_matching_file(warm, algorithm="exact", format="edgelist")  # kernels loaded before tracing
    out, peak = traced(solve_matching_file, path, algorithm="exact", format="edgelist")
    reference = nx.Graph()
    for (a, b), x in zip(pairs, w, strict=True):  # heaviest of parallel edges, as the reader keeps
        if not reference.has_edge(a, b) or reference[a][b]["weight"] < x:
            reference.add_edge(int(a), int(b), weight=int(x))
    best = sum(reference[a][b]["weight"] for a, b in nx.max_weight_matching(reference))
    assert out["value"] == pytest.approx(best) and peak < SMALL_MB
    assert {tuple(p) for p in out["pairs"]} <= {tuple(sorted(map(int, (ids[a], ids[b])))) for a, b in pairs}
    assert out["stats"]["n_nodes"] == int(ids.max()) + 1


# --- native format --------------------------------------------------------------------------------


def _graph_npz(tmp_path: Path) -> Path:
    return save(Graph(np.array([[0, 1], [1, 2]]), np.ones(2), 3), tmp_path / "g.npz")


def test_npz_member_header_checked_before_allocating(tmp_path):
    src = _graph_npz(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "edges.npy":
                buf = io.BytesIO()
                np.lib.format.write_array_header_1_0(buf, {"descr": "<i8", "fortran_order": False,
                                                           "shape": (10**12, 2)})
                data = buf.getvalue() + b"\0" * 32
            zout.writestr(info.filename, data)
    fails_small(load, write(tmp_path, "bad.npz", out.getvalue()), None, "member 'edges'")


def test_npz_pickles_and_damage_refused(tmp_path):
    fields = dict(np.load(_graph_npz(tmp_path)))
    fields["edges"] = np.array([[1, "a"]], dtype=object)
    buf = io.BytesIO()
    np.savez(buf, **fields)
    fails_small(load, write(tmp_path, "pickle.npz", buf.getvalue()), None, "pickles")
    raw = _graph_npz(tmp_path).read_bytes()
    fails_small(load, write(tmp_path, "cut.npz", raw[: len(raw) // 2]), None, "npz archive")


@pytest.mark.parametrize(("change", "match"), [
    ({"kind": ["x"]}, "kind one of"),
    ({"kind": {"a": 1}}, "kind one of"),
    ({"n_nodes": 10**23}, r"'n_nodes': an integer in \[0, 2\^62\]"),
    ({"n_nodes": 5.0}, "n_nodes"),
    ({"weights": {"dtype": "<f8", "shape": "2", "values": [1, 1]}}, "a shape list"),
    ({"weights": {"dtype": ["<f8"], "shape": [2], "values": [1, 1]}}, "a dtype string"),
    ({"weights": {"dtype": "<f8", "shape": [10**23], "values": []}}, "a shape list"),
    ({"weights": {"dtype": "<f8", "shape": [2], "values": [1.0, -1.0]}}, r"field weights\[1\]"),
    ({"weights": {"dtype": "<f8", "shape": [2], "values": [1.0, None]}}, r"field weights\[1\]"),
    ({"edges": {"dtype": "<i8", "shape": [1, 2], "values": [[0, 10**30]]},
      "weights": {"dtype": "<f8", "shape": [1], "values": [1.0]}}, "numeric array"),
])
def test_json_wrong_types_and_values(tmp_path, change, match):
    path = save(Graph(np.array([[0, 1], [1, 2]]), np.ones(2), 3), tmp_path / "g.json")
    doc = {**json.loads(path.read_text()), **change}
    fails_small(load, write(tmp_path, "bad.json", json.dumps(doc)), None, match)


def test_json_nesting_and_csr_shapes(tmp_path):
    fails_small(load, write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000), None, "nested")
    path = save(SetSystem(sp.csr_matrix(np.eye(2)), np.ones(2), np.ones(2)), tmp_path / "s.json")
    doc = json.loads(path.read_text())
    for shape, match in (([2, 10**23], "shape of two sizes"), ({"a": 1}, "shape of two sizes"),
                         ([2], "shape of two sizes")):
        doc["sets"]["shape"] = shape
        fails_small(load, write(tmp_path, "bad.json", json.dumps(doc)), None, match)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_native_loader_names_file_and_field(tmp_path, suffix):
    path = save(SetSystem(sp.csr_matrix(np.eye(2)), np.ones(2), np.ones(2)), tmp_path / f"s{suffix}")
    if suffix == ".npz":
        fields = dict(np.load(path))
        fields["costs"] = np.array([1.0, np.nan])
        np.savez(path, **fields)
    else:
        doc = json.loads(path.read_text())
        doc["costs"]["values"] = [1.0, -2.0]
        path.write_text(json.dumps(doc))
    fails_small(load, path, None, r"field costs\[1\]")


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_labels_survive_round_trip(tmp_path, suffix):
    g = Graph(np.array([[1, 20_000_000], [3, 1]]), np.ones(2), 10**12)
    s = g.to_set_system(k=2)
    back = load(save(s, tmp_path / f"s{suffix}"))
    assert back.labels.tolist() == s.labels.tolist() == [0, 1, 2, 3, 20_000_000]
    assert (back.sets != s.sets).nnz == 0
    assert read_instance(save(PointSet(np.eye(2)), tmp_path / f"p{suffix}")).features.shape == (2, 2)


# --- AdX ----------------------------------------------------------------------------------------


def test_adx_missing_publisher_lists_those_present(tmp_path):
    from submodkit.instances import read_adx

    write(tmp_path, "pub1-ads.txt", "advertiser: 1 rho: 0.5\n")
    write(tmp_path, "pub1-sample.txt", "1\n")
    write(tmp_path, "pub3-ads.txt.gz", gzip.compress(b"advertiser: 1 rho: 0.5\n"))
    with pytest.raises(FileNotFoundError) as info:
        read_adx(tmp_path, "pub99")
    assert info.value.filename.endswith("pub99-ads.txt[.gz]")
    assert "pub1, pub3" in info.value.strerror


def test_adx_types_overflow_is_an_error_not_a_warning(tmp_path):
    write(tmp_path, "pub2-ads.txt", "advertiser: 1 rho: 0.5\n")
    write(tmp_path, "pub2-types.txt", "type: 1 prob: 1 advertisers: [1] mean: [1e300] cov: [1.0]\n")
    model = adx_types(tmp_path, "pub2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidParameterError, match="log-values"):
            model.sample(100, seed=0)
