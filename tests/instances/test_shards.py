"""Sharded instances: round trips against the in-memory readers (every format, plain and
gzip, chunk boundaries everywhere), the partition rules, checksums, atomic writes, lazy and
picklable handles, errors naming file and line, and memory that does not grow with the file."""

from __future__ import annotations

import gzip
import json
import pickle
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import Graph, PointSet, SetSystem, Similarity, bundled, read_instance, save
from submodkit.instances import _shard_store as store_mod
from submodkit.instances._chunks import SeenIds, line_values
from submodkit.instances._shard_store import BucketSets, SetParts, Store
from submodkit.instances.problems import SPARE_IDS
from submodkit.instances.shards import (
    MANIFEST,
    Shards,
    _Owners,
    open_shards,
    partition_owners,
    shard_file,
    write_shards,
)


def ascii_ints(values: np.ndarray, seps: np.ndarray) -> bytes:
    """Decimal text of non-negative ``values``, each followed by its separator byte (vectorized)."""
    values = np.asarray(values, dtype=np.int64)
    lens = np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), values, side="right") + 1
    ends = np.cumsum(lens + 1) - 1
    out = np.empty(int(ends[-1]) + 1 if values.size else 0, dtype=np.uint8)
    out[ends] = seps
    for d in range(int(lens.max()) if values.size else 0):
        has = lens > d
        out[ends[has] - 1 - d] = 48 + (values[has] // 10**d) % 10
    return out.tobytes()


def fimi_text(n_sets: int, universe: int, mean: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 2 * mean + 1, n_sets)
    items = rng.integers(0, universe, int(sizes.sum()))
    seps = np.full(items.size, ord(" "), dtype=np.uint8)
    ends = np.cumsum(sizes)[sizes > 0] - 1
    seps[ends] = ord("\n")
    text = ascii_ints(items, seps)
    # empty lines for the empty sets: rebuild line by line only where a set is empty
    lines = text.split(b"\n")
    out, k = [], 0
    for z in sizes.tolist():
        if z:
            out.append(lines[k])
            k += 1
        else:
            out.append(b"")
    return b"\n".join(out) + b"\n"


def same_problem(a, b) -> None:
    assert type(a) is type(b)
    if isinstance(a, SetSystem):
        assert a.sets.shape == b.sets.shape
        for field in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(a.sets, field), getattr(b.sets, field)), field
        assert np.array_equal(a.costs, b.costs)
        assert np.array_equal(a.weights, b.weights)
        assert (a.labels is None) == (b.labels is None)
        if a.labels is not None:
            assert np.array_equal(a.labels, b.labels)
    elif isinstance(a, Graph):
        assert a.n_nodes == b.n_nodes
        assert np.array_equal(a.edges, b.edges)
        assert np.array_equal(a.weights, b.weights)
    else:
        assert a.features.dtype == b.features.dtype
        assert np.array_equal(a.features, b.features)


def owners_of(shards: Shards) -> np.ndarray:
    owner = np.full(shards.n_items, -1, dtype=np.int64)
    for p in range(len(shards)):
        owner[shards.ids(p)] = p
    return owner


# --- text files of every format -------------------------------------------------------


def _texts(tmp: Path) -> dict[str, bytes]:
    rng = np.random.default_rng(1)
    e = rng.integers(0, 40, (300, 2))
    w = rng.random(300)
    pts = rng.standard_normal((150, 3))
    fimi = fimi_text(200, 60, 4, seed=2)
    fimi += b"7 3 3 7 1\n\n\n5 2"  # unsorted, duplicated items; empty sets; a last line without newline
    np.save(tmp / "_p.npy", pts.astype(np.float32))
    return {
        "t.dat": fimi,
        "scp41.txt": gzip.decompress(bundled("scp41").read_bytes()),
        "rail507.txt": gzip.decompress(bundled("rail507").read_bytes()),
        "g.txt": ("# Nodes: 45 Edges: 300\n"
                  + "\n".join(f"{u} {v} {x:.4f}" for (u, v), x in zip(e, w, strict=True)) + "\n").encode(),
        "g2.txt": ("% comment\n" + "\n".join(f"{u}\t{v}  # c" for u, v in e) + "\n").encode(),
        "g.edge": ("c a graph\np edge 41 300\n"
                   + "\n".join(f"e {u + 1} {v + 1} {k}"
                               for (u, v), k in zip(e, rng.integers(1, 9, 300), strict=True))).encode(),
        "p.csv": ("x,y,z\n" + "\n".join(",".join(repr(float(x)) for x in r) for r in pts) + "\n").encode(),
        "p.txt": ("# points\n" + "\n".join(" ".join(f"{x:.6g}" for x in r) for r in pts)).encode(),
        "p.npy": (tmp / "_p.npy").read_bytes(),
    }


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    tmp = tmp_path_factory.mktemp("texts")
    return tmp, _texts(tmp)


# bundled OR-Library files are larger: chunks of a few KB still cut them in hundreds of places
CHUNKS = {"scp41.txt": (4096,), "rail507.txt": (65536,)}


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("name", ["t.dat", "scp41.txt", "rail507.txt", "g.txt", "g2.txt", "g.edge", "p.csv",
                                  "p.txt", "p.npy"])
def test_round_trip_every_format(texts, tmp_path, name, gz):
    folder, data = texts
    path = tmp_path / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(data[name]) if gz else data[name])
    (tmp_path / "plain").mkdir()
    plain = tmp_path / "plain" / name
    plain.write_bytes(data[name])
    expected = read_instance(plain)  # read_instance reads no .npy.gz: compare with the plain file
    for chunk in CHUNKS.get(name, (13, 1 << 20)):
        for rule, parts in (("random", 3), ("contiguous", 4)):
            out = tmp_path / f"out-{chunk}-{rule}"
            shards = shard_file(path, out, n_parts=parts, seed=11, rule=rule, chunk_bytes=chunk)
            got = shards.load_all()
            same_problem(expected, got)
            assert shards.manifest["source"]["gzip"] is gz
            if not name.endswith(".npy"):
                assert got.name == expected.name


def test_rail_records_laid_out_freely(tmp_path):
    """Columns split over lines, several on one line, one per line: the vectorized line path
    and the record-by-record walk take turns, the result is the reader's."""
    rng = np.random.default_rng(8)
    tokens = [b"40 3000\n"]
    for _ in range(3000):
        rows = np.sort(rng.choice(40, rng.integers(0, 6), replace=False)) + 1
        record = [str(rng.integers(1, 9)), str(rows.size), *map(str, rows)]
        layout = rng.integers(0, 3)
        if layout == 0:  # one per line
            tokens.append(" ".join(record).encode() + b"\n")
        elif layout == 1:  # split after the count
            tokens.append((" ".join(record[:2]) + "\n" + " ".join(record[2:]) + "\n").encode())
        else:  # joined with the next
            tokens.append(" ".join(record).encode() + b" ")
    path = tmp_path / "rail_free.txt"
    path.write_bytes(b"".join(tokens) + b"\n")
    expected = read_instance(path)
    for chunk in (50, 999, 1 << 20):
        shards = shard_file(path, tmp_path / f"out{chunk}", n_parts=3, seed=0, chunk_bytes=chunk)
        same_problem(expected, shards.load_all())


@pytest.mark.parametrize("name", ["g.txt", "g.edge"])
def test_max_cover_from_graph_is_closed_neighbourhoods(texts, tmp_path, name):
    _, data = texts
    path = tmp_path / name
    path.write_bytes(data[name])
    graph = read_instance(path)
    shards = shard_file(path, tmp_path / "out", n_parts=3, seed=4, problem="max-cover", chunk_bytes=64)
    assert shards.kind == "SetSystem" and shards.manifest["problem"] == "max-cover"
    same_problem(graph.to_set_system(), shards.load_all())
    assert np.array_equal(owners_of(shards), np.random.default_rng(4).integers(0, 3, size=graph.n_nodes))


def test_max_cover_with_sparse_vertex_ids_keeps_labels(tmp_path):
    """Ids up to 10^9 with 200 vertices: the vertices in an edge plus SPARE_IDS isolated ones,
    exactly ``Graph.to_set_system(k=SPARE_IDS)``."""
    rng = np.random.default_rng(3)
    ids = np.sort(rng.choice(10**9, 200, replace=False))
    edges = ids[rng.integers(0, 200, (400, 2))]
    path = tmp_path / "sparse.txt"
    path.write_text("\n".join(f"{u} {v}" for u, v in edges) + "\n")
    graph = read_instance(path)
    shards = shard_file(path, tmp_path / "out", n_parts=4, seed=0, problem="max-cover", chunk_bytes=500)
    expected = graph.to_set_system(k=SPARE_IDS)
    assert expected.labels is not None
    same_problem(expected, shards.load_all())


def test_native_formats_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    mat = sp.random(300, 2000, density=0.01, format="csr", random_state=6)
    mat.data = np.round(mat.data * 4) + 1  # incidence values that are not all ones: stored
    sets = SetSystem(mat, rng.random(300), rng.random(2000), name="weighted", meta={"a": 1},
                     labels=np.arange(300) * 7)
    graph = Graph(rng.integers(0, 50, (500, 2)), rng.random(500), 60, name="g")
    points = PointSet(rng.standard_normal((100, 4)), name="p")
    for problem in (sets, graph, points):
        for suffix in (".npz", ".json", ".json.gz"):
            path = save(problem, tmp_path / f"{problem.name}{suffix}")
            shards = shard_file(path, tmp_path / f"out-{problem.name}{suffix}", n_parts=3, seed=2,
                                chunk_bytes=333)
            got = shards.load_all()
            same_problem(problem, got)
            assert got.name == problem.name
    # weights beyond 1024 elements and not constant live in their own file
    assert (tmp_path / "out-weighted.npz" / "element_weights.npy").exists()
    assert "file" in open_shards(tmp_path / "out-weighted.npz").manifest["element_weights"]


def test_write_shards_from_memory(tmp_path):
    rng = np.random.default_rng(7)
    points = PointSet(rng.standard_normal((50, 3)).astype(np.float32), name="f32")
    shards = write_shards(points, tmp_path / "p", n_parts=4, seed=3)
    same_problem(points, shards.load_all())
    assert shards.part(0).problem.features.dtype == np.float32
    sets = read_instance(bundled("scp41"))
    shards = write_shards(sets, tmp_path / "s", n_parts=5, seed=1, chunk_bytes=100)
    same_problem(sets, shards.load_all())
    assert shards.manifest["element_weights"] == {"constant": 1.0}
    with pytest.raises(InvalidParameterError, match="SetSystem, Graph or PointSet"):
        write_shards(Similarity(np.eye(3)), tmp_path / "x", n_parts=2)


# --- partition ----------------------------------------------------------------------------


def test_random_partition_is_the_in_memory_draw(tmp_path):
    path = bundled("rail507")
    n = 63009
    for seed, parts in ((0, 16), (123, 7)):
        shards = shard_file(path, tmp_path / f"r{seed}", n_parts=parts, seed=seed, chunk_bytes=50_000)
        expected = np.random.default_rng(seed).integers(0, parts, size=n)
        assert np.array_equal(owners_of(shards), expected)
        assert np.array_equal(shards.owners(), expected)
        assert np.array_equal(partition_owners(n, n_parts=parts, seed=seed), expected)
        for p in range(parts):  # ids of a part increasing, sets as in memory
            shard = shards.part(p)
            assert np.array_equal(shard.ids, np.flatnonzero(expected == p))


def test_random_partition_drawn_by_blocks_equals_one_draw():
    rng = np.random.default_rng(0)
    for parts in (1, 2, 3, 16, 255, 65536):
        for seed in (0, 9):
            owners = _Owners(parts, "random", seed, None)
            sizes = rng.integers(0, 3000, 20)
            drawn = np.concatenate([owners.take(int(s)) for s in sizes])
            expected = np.random.default_rng(seed).integers(0, parts, size=int(sizes.sum()))
            assert np.array_equal(drawn, expected)


def test_contiguous_rule_gives_the_greedi_blocks(tmp_path):
    path = tmp_path / "t.dat"
    path.write_bytes(fimi_text(1001, 30, 3, seed=0))
    shards = shard_file(path, tmp_path / "c", n_parts=6, rule="contiguous", chunk_bytes=200)
    bounds = np.linspace(0, 1001, 7).astype(np.int64)
    for p in range(6):
        assert np.array_equal(shards.ids(p), np.arange(bounds[p], bounds[p + 1]))
    assert shards.seed is None and shards.rule == "contiguous"


def test_seed_none_is_recorded(tmp_path):
    shards = shard_file(bundled("scp41"), tmp_path / "s", n_parts=3)
    seed = shards.seed
    assert isinstance(seed, int)
    assert np.array_equal(owners_of(shards), np.random.default_rng(seed).integers(0, 3, size=1000))


# --- storage: checksums, atomicity, laziness, pickling ------------------------------------


@pytest.fixture
def scp_shards(tmp_path) -> Shards:
    return shard_file(bundled("scp41"), tmp_path / "scp", n_parts=4, seed=0)


def test_tampered_shard_is_detected(scp_shards):
    target = scp_shards.files(2)["costs.npy"]
    costs = np.load(target)
    raw = bytearray(target.read_bytes())
    raw[-8] ^= 1  # the lowest mantissa bit of the last cost: a valid file, silently different
    target.write_bytes(bytes(raw))
    scp_shards.part(1)  # other parts load
    with pytest.raises(InstanceFormatError, match="sha256") as info:
        scp_shards.part(2)
    assert str(target) in str(info.value)
    unchecked = open_shards(scp_shards.directory, verify=False).part(2).problem.costs
    assert unchecked[-1] != costs[-1] and np.array_equal(unchecked[:-1], costs[:-1])
    # a change that breaks the data is refused by the problem's own checks, even unverified
    target = scp_shards.files(3)["indices.npy"]
    raw = bytearray(target.read_bytes())
    raw[-1] ^= 1
    target.write_bytes(bytes(raw))
    with pytest.raises(InstanceFormatError, match="part-00003.*column indices"):
        open_shards(scp_shards.directory, verify=False).part(3)


def test_truncated_or_missing_shard_files(scp_shards):
    target = scp_shards.files(0)["costs.npy"]
    target.write_bytes(target.read_bytes()[:-8])
    for verify in (True, False):
        with pytest.raises(InstanceFormatError, match="costs.npy"):
            open_shards(scp_shards.directory, verify=verify).part(0)
    scp_shards.files(3)["ids.npy"].unlink()
    with pytest.raises(InstanceFormatError, match="ids.npy.*no such file"):
        scp_shards.part(3)


def test_corrupt_or_mismatched_manifest(scp_shards, tmp_path):
    path = scp_shards.directory / MANIFEST
    doc = json.loads(path.read_text())
    cases = {
        "not json": "{",
        "wrong format": json.dumps(dict(doc, format="other")),
        "future version": json.dumps(dict(doc, format_version=99)),
        "a part missing": json.dumps(dict(doc, parts=doc["parts"][:3])),
        "counts disagree": json.dumps(dict(doc, n_items=999)),
        "path escape": json.dumps(dict(doc, parts=[dict(doc["parts"][0], dir="../x")] + doc["parts"][1:])),
    }
    for case, text in cases.items():
        path.write_text(text)
        with pytest.raises(InstanceFormatError, match="manifest.json"):
            open_shards(scp_shards.directory)
        assert case
    path.unlink()
    with pytest.raises(InstanceFormatError, match="manifest.json"):
        open_shards(scp_shards.directory)
    # shapes that disagree with the manifest are refused even without checksums
    path.write_text(json.dumps(doc))
    entry = doc["parts"][0]["files"]["costs.npy"]
    entry["shape"] = [entry["shape"][0] + 1]
    path.write_text(json.dumps(doc))
    with pytest.raises(InstanceFormatError, match="costs.npy"):
        open_shards(scp_shards.directory, verify=False).part(0)


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    calls = {"n": 0}
    flush = store_mod.NpyAppender.flush

    def failing(self):
        calls["n"] += 1
        if calls["n"] == 40:
            raise RuntimeError("disk full")
        flush(self)

    monkeypatch.setattr(store_mod.NpyAppender, "flush", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        shard_file(bundled("rail507"), tmp_path / "out", n_parts=4, seed=0, chunk_bytes=20_000)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    # a format error late in the file: no output either
    path = tmp_path / "t.dat"
    path.write_bytes(fimi_text(2000, 30, 3, seed=0) + b"1 2 x\n")
    with pytest.raises(InstanceFormatError):
        shard_file(path, tmp_path / "out", n_parts=4, chunk_bytes=300)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.dat"]


def test_existing_output_needs_overwrite(scp_shards):
    with pytest.raises(InvalidParameterError, match="out_dir"):
        shard_file(bundled("scp41"), scp_shards.directory, n_parts=2)
    again = shard_file(bundled("scp41"), scp_shards.directory, n_parts=2, seed=1, overwrite=True)
    assert len(again) == 2 and len(open_shards(scp_shards.directory)) == 2


def test_open_reads_only_the_manifest(scp_shards, monkeypatch):
    directory = scp_shards.directory
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: spy(self, *a, **k).read())
    shards = open_shards(directory)
    assert shards.n_items == 1000 and shards.universe == 200 and len(shards) == 4
    assert [Path(f).name for f in opened] == [MANIFEST]
    shards.part(1)
    touched = {Path(f).parent.name for f in opened[1:]}
    assert touched == {"part-00001"}


def test_handle_pickles_small_and_loads_its_part(scp_shards):
    scp_shards.part(0)  # verified here: the state is not carried
    blob = pickle.dumps(scp_shards)
    assert len(blob) < 20_000
    other = pickle.loads(blob)
    assert other._verified == set()
    for i in range(len(other)):
        a, b = scp_shards.part(i), other.part(i)
        assert np.array_equal(a.ids, b.ids)
        same_problem(a.problem, b.problem)
    mapped = other.part(2, mmap=True)
    same_problem(scp_shards.part(2).problem, mapped.problem)
    assert open_shards(other) is other


# --- streaming internals --------------------------------------------------------------


def test_bucket_sets_transpose_with_splits(tmp_path):
    """Incidences in random order, buckets far beyond their budget: split, sorted, deduplicated."""
    rng = np.random.default_rng(0)
    n_sets, universe = 500, 3000
    sets = rng.integers(0, n_sets, 60_000)
    elements = rng.integers(0, universe, 60_000)
    store = Store(flush_bytes=1 << 14)
    (tmp_path / "p").mkdir()
    (tmp_path / "s").mkdir()
    own = rng.integers(0, universe, n_sets)
    buckets = BucketSets(store, tmp_path / "p", tmp_path / "s", n_sets, universe, expected=1, budget=1000,
                         self_elements=own)
    for a in range(0, sets.size, 7000):
        buckets.add(sets[a : a + 7000], elements[a : a + 7000])
        store.maybe_flush()
    buckets.close()
    rows = np.concatenate([sets, np.arange(n_sets)])
    cols = np.concatenate([elements, own])
    expected = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n_sets, universe))
    expected.sum_duplicates()
    expected.sort_indices()
    assert np.array_equal(np.load(tmp_path / "p" / "indptr.npy"), expected.indptr)
    assert np.array_equal(np.load(tmp_path / "p" / "indices.npy"), expected.indices)
    assert list((tmp_path / "s").iterdir()) == []


def test_set_parts_widen_indices_beyond_int32(tmp_path):
    store = Store(flush_bytes=1)
    parts = SetParts(store, tmp_path, 2, None)
    parts.add(0, np.array([0, 1]), np.array([2, 1]), np.array([1, 5, 7]), np.ones(2))
    parts.add(2, np.array([0, 1]), np.array([1, 1]), np.array([2**31 + 3, 4]), np.ones(2))
    parts.close()
    assert np.load(tmp_path / "part-00000" / "indices.npy").tolist() == [1, 5, 2**31 + 3]
    assert np.load(tmp_path / "part-00001" / "indices.npy").tolist() == [7, 4]
    assert np.load(tmp_path / "part-00000" / "indptr.npy").tolist() == [0, 2, 3]


def test_fast_and_exact_tokenizers_agree():
    rng = np.random.default_rng(0)
    texts = [b"1 2\n\n3 4 5\n", b"0.5 1e-3 2\n-1.25 +3\n", b"1 2 3 \r\n4\t5\n", b"007 10 2\n",
             " ".join(repr(float(x)) for x in rng.standard_normal(500)).encode() + b"\n"]
    from submodkit.errors import InstanceFormatError
    from submodkit.instances._chunks import ChunkTokens

    for text in texts:
        for prefer in ("int", "float"):
            vals, sizes = line_values("f", text, 1, prefer=prefer)
            tok = ChunkTokens("f", text)
            assert np.array_equal(vals.astype(np.float64), tok.values.astype(np.float64))
            assert np.array_equal(sizes, np.bincount(tok.lines() - 1, minlength=text.count(b"\n")))
    for prefer in ("int", "float"):  # both refuse Python's 1_0 (float() reads it as 10)
        with pytest.raises(InstanceFormatError, match="f:1: expected a number, found '1_0'"):
            line_values("f", b"007 1_0 2\n", 1, prefer=prefer)


def test_seen_ids_memory_follows_the_data():
    seen = SeenIds(spare=10)
    seen.add(np.array([5, 10**12, 5]))
    assert seen.flags.size <= 2 * (3 + 10) and seen.distinct() == 2
    seen.add(np.arange(100))
    assert seen.distinct() == 101 and seen.sorted_ids()[-1] == 10**12


def test_seen_ids_in_many_chunks_of_a_wide_universe():
    """Ids up to 50x the count added so far (a file whose universe is larger than its first
    chunks): the large ids are buffered and merged as their set doubles, and every answer
    is np.unique's."""
    rng = np.random.default_rng(4)
    seen, everything = SeenIds(spare=100), []
    for size in (3, 2000, 1, 50_000, 0, 7000, 120_000, 40):
        ids = rng.integers(0, 2_000_000, size=size)
        seen.add(ids)
        everything.append(ids)
        truth = np.unique(np.concatenate(everything))
        assert seen.distinct() == truth.size and np.array_equal(seen.sorted_ids(), truth)
        assert seen.max == (truth[-1] if truth.size else -1)
    assert seen.flags.size <= 2 * (seen.added + 100)


# --- errors ---------------------------------------------------------------------------------


BAD_FILES = {
    "bad.dat": b"1 2\n" * 3000 + b"3 x 4\n",  # a bad token on line 3001
    "bad2.dat": b"1 2\n" * 3000 + b"3 -4\n",
    "scp_bad.txt": b"3 2\n1 1\n" + b"1 1\n" * 2 + b"1 3\n",  # column 3 of 2
    "scp_short.txt": b"3 2\n1 1\n1 1\n1 2\n",  # 3 rows announced, file ends in row 3
    "rail_bad.txt": b"2 2\n1 2 1 2\n1 1 3\n",  # row 3 of 2
    "rail_long.txt": b"2 2\n1 2 1 2\n1 1 1\n5\n",  # a token after the last column
    "g.txt": b"0 1\n" * 2000 + b"1 2 3\n",  # width changes on line 2001
    "g_neg.txt": b"0 1 0.5\n" * 2000 + b"1 2 -3\n",
    "g.edge": b"c x\np edge 4 3\ne 1 2\ne 2 3\ne 3 4\ne 1 4\n",  # more edges than M
    "g2.edge": b"c x\ne 1 2\np edge 4 1\n",  # data before the header
    "g3.edge": b"p edge 4 3\ne 1 2\n2 3\ne 3 4\n",  # a line without 'e'
    "p.csv": b"1,2\n" * 2000 + b"3,,4\n",
    "p2.csv": b"1 2\n" * 2000 + b"3 4 5\n",
    "p3.csv": b"1 2\n" * 2000 + b"3 nan\n",
}


# read_instance names line 1 for a DIMACS file whose first data line is not 'p'; the line
# of that data line (2) is more precise
LINE_OVERRIDES = {"g2.edge": 2}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_errors_name_file_and_line_as_the_reader(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(InstanceFormatError) as expected:
        read_instance(path)
    line = LINE_OVERRIDES.get(name, expected.value.line)
    for gz in (False, True):
        target = path
        if gz:
            target = tmp_path / (name + ".gz")
            target.write_bytes(gzip.compress(BAD_FILES[name]))
        with pytest.raises(InstanceFormatError) as got:
            shard_file(target, tmp_path / "out", n_parts=3, seed=0, chunk_bytes=1000)
        assert got.value.line == line, (str(got.value), str(expected.value))
        assert target.name in str(got.value)
        assert not (tmp_path / "out").exists()


def test_damaged_gzip_and_unsupported_inputs(tmp_path):
    path = tmp_path / "t.dat.gz"
    path.write_bytes(gzip.compress(fimi_text(3000, 50, 5, seed=0))[:-200])
    with pytest.raises(InstanceFormatError, match="gzip"):
        shard_file(path, tmp_path / "out", n_parts=2, chunk_bytes=4096)
    sim = save(Similarity(np.eye(3)), tmp_path / "sim.npz")
    with pytest.raises(InstanceFormatError, match="Similarity"):
        shard_file(sim, tmp_path / "out", n_parts=2)
    with pytest.raises(FileNotFoundError):
        shard_file(tmp_path / "missing.dat", tmp_path / "out", n_parts=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sim.npz", "t.dat.gz"]


@pytest.mark.parametrize("kwargs", [{"n_parts": 0}, {"n_parts": 1 << 17}, {"rule": "striped"}, {"seed": -1},
                                    {"problem": "set-cover"}, {"format": "xml"}, {"chunk_bytes": 0}])
def test_bad_parameters(tmp_path, kwargs):
    args = {"n_parts": 2} | kwargs
    with pytest.raises(InvalidParameterError, match=next(iter(kwargs))):
        shard_file(bundled("scp41"), tmp_path / "out", **args)
    assert not (tmp_path / "out").exists()


def test_max_cover_of_points_is_refused(texts, tmp_path):
    _, data = texts
    path = tmp_path / "p.csv"
    path.write_bytes(data["p.csv"])
    with pytest.raises(InvalidParameterError, match="problem"):
        shard_file(path, tmp_path / "out", n_parts=2, problem="max-cover")
    with pytest.raises(InvalidParameterError, match="part"):
        shard_file(path, tmp_path / "ok", n_parts=2).part(2)


# --- bounded memory -------------------------------------------------------------------------


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", ["fimi", "scp", "max-cover"])
def test_peak_memory_does_not_grow_with_the_file(tmp_path, kind):
    """Ten times the incidences (2 MB vs 20 MB of text), same sets / elements / vertices: the
    peak of traced allocations stays the same (chunks of 256 KB)."""
    rng = np.random.default_rng(0)
    peaks = []
    for scale in (1, 10):
        path = tmp_path / f"{kind}{scale}.{'dat' if kind == 'fimi' else 'txt'}"
        if kind == "fimi":  # the same 20,000 elements, ten times the sets
            path.write_bytes(fimi_text(40_000 * scale, 20_000, 8, seed=scale))
            problem = None
        elif kind == "scp":  # rows are elements: more rows, same 5,000 columns
            m, n = 7_000 * scale, 5_000
            counts = rng.integers(1, 100, m)
            cols = rng.integers(1, n + 1, int(counts.sum()))
            head = f"{m} {n}\n".encode() + b" ".join(b"1" for _ in range(n)) + b"\n"
            seps = np.full(cols.size + m, ord(" "), dtype=np.uint8)
            values = np.insert(cols, np.cumsum(counts) - counts, counts)
            path.write_bytes(head + ascii_ints(values, seps))
            path = path.rename(path.with_name(f"scp{scale}.txt"))
            problem = None
        else:  # the same 20,000 vertices, ten times the edges
            edges = rng.integers(0, 20_000, (150_000 * scale, 2)).ravel()
            seps = np.tile(np.array([ord(" "), ord("\n")], dtype=np.uint8), edges.size // 2)
            path.write_bytes(ascii_ints(edges, seps))
            problem = "max-cover"
        size = path.stat().st_size
        out = tmp_path / f"out{scale}"
        peaks.append(_peak(lambda p=path, o=out, pr=problem: shard_file(p, o, n_parts=4, seed=0, problem=pr,
                                                                        chunk_bytes=1 << 18)))
        assert size > (1_500_000 if scale == 1 else 15_000_000)
    assert peaks[1] < 1.25 * peaks[0] + 2**20, peaks
