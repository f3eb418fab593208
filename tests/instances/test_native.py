"""Native format: lossless round trips of every problem class, malformed files rejected."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import (
    Graph,
    PointSet,
    SetSystem,
    Similarity,
    load,
    load_bundled,
    random_graph,
    random_set_system,
    read_instance,
    save,
)

SUFFIXES = [".npz", ".json", ".json.gz"]


def assert_same_array(a, b) -> None:
    if sp.issparse(a) or sp.issparse(b):
        assert sp.issparse(a) and sp.issparse(b)
        assert a.shape == b.shape and a.format == b.format == "csr"
        for part in ("indptr", "indices", "data"):
            assert_same_array(getattr(a, part), getattr(b, part))
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def assert_same_problem(a, b) -> None:
    assert type(a) is type(b)
    assert a.name == b.name and a.meta == b.meta
    fields = {
        SetSystem: ("sets", "costs", "weights"),
        PointSet: ("features",),
        Similarity: ("matrix",),
        Graph: ("edges", "weights"),
    }[type(a)]
    for field in fields:
        assert_same_array(getattr(a, field), getattr(b, field))
    if isinstance(a, Graph):
        assert a.n_nodes == b.n_nodes


def round_trip(problem, suffix: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"problem{suffix}"
        assert save(problem, path) == path and path.exists()
        back = load(path)
        assert_same_problem(problem, read_instance(path))
    assert_same_problem(problem, back)
    return back


finite = st.floats(-1e6, 1e6, allow_nan=False, width=64)
nonneg = st.floats(0, 1e6, allow_nan=False, width=64)
names = st.text(max_size=12)
metas = st.dictionaries(
    st.text(max_size=5),
    st.one_of(st.integers(-10, 10), st.text(max_size=5), st.lists(st.integers(0, 5), max_size=3)),
    max_size=3,
)


@st.composite
def csr_matrices(draw, elements=nonneg):
    shape = draw(st.tuples(st.integers(0, 6), st.integers(0, 6)))
    dense = draw(hnp.arrays(np.float64, shape, elements=elements))
    mask = draw(hnp.arrays(np.bool_, shape))
    mat = sp.csr_matrix(np.where(mask, dense, 0.0))
    if draw(st.booleans()):
        mat.indptr = mat.indptr.astype(np.int64)
        mat.indices = mat.indices.astype(np.int64)
    return mat


@st.composite
def problems(draw):
    kind = draw(st.sampled_from(["set", "points", "dense", "csr", "graph"]))
    name, meta = draw(names), draw(metas)
    if kind == "set":
        sets = draw(csr_matrices(st.just(1.0)))
        costs = draw(hnp.arrays(np.float64, sets.shape[0], elements=nonneg))
        weights = draw(hnp.arrays(np.float64, sets.shape[1], elements=nonneg))
        return SetSystem(sets, costs, weights, name, meta)
    if kind == "points":
        dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
        shape = draw(st.tuples(st.integers(0, 5), st.integers(1, 4)))
        elements = (
            st.integers(-100, 100) if dtype == np.int64 else st.floats(-1e6, 1e6, allow_nan=False, width=32)
        )
        return PointSet(draw(hnp.arrays(dtype, shape, elements=elements)), name, meta)
    if kind == "dense":
        shape = draw(st.tuples(st.integers(1, 5), st.integers(1, 5)))
        return Similarity(draw(hnp.arrays(np.float64, shape, elements=nonneg)), name, meta)
    if kind == "csr":
        return Similarity(draw(csr_matrices()), name, meta)
    n = draw(st.integers(1, 6))
    m = draw(st.integers(0, 8))
    edges = draw(hnp.arrays(np.int64, (m, 2), elements=st.integers(0, n - 1)))
    weights = draw(hnp.arrays(np.float64, m, elements=nonneg))  # a Graph's weights are >= 0
    return Graph(edges, weights, n, name, meta)


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from(SUFFIXES))
def test_round_trip_hypothesis(problem, suffix: str) -> None:
    round_trip(problem, suffix)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_round_trip_examples(suffix: str) -> None:
    s = random_set_system(30, 20, density=0.2, seed=1, weighted=True, costs="random")
    s.meta["note"] = np.int64(3)  # numpy scalars are stored as plain numbers
    back = round_trip(s, suffix)
    assert back.sets.has_sorted_indices and type(back.meta["note"]) is int
    round_trip(random_graph(10, 20, seed=2, weighted=True), suffix)
    round_trip(PointSet(np.arange(12.0).reshape(4, 3), "p", {"columns": ["a", "b", "c"]}), suffix)
    round_trip(Similarity(np.eye(3)), suffix)
    round_trip(Similarity(sp.random(5, 7, density=0.3, format="csr", random_state=3)), suffix)
    round_trip(PointSet(np.zeros((0, 2))), suffix)


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("name", ["\x00", "a\x00", "caf\u00e9 \u2603", ""])
def test_names_survive_round_trip(suffix: str, name: str) -> None:
    # numpy string scalars drop trailing NUL characters: the .npz name is stored as UTF-8 bytes
    round_trip(SetSystem(sp.csr_matrix((2, 3)), np.ones(2), np.ones(3), name, {}), suffix)


def test_round_trip_bundled(tmp_path: Path) -> None:
    rail = load_bundled("rail507")
    save(rail, tmp_path / "rail507.npz")
    assert_same_problem(rail, load(tmp_path / "rail507.npz"))


def test_json_is_readable(tmp_path: Path) -> None:
    path = save(PointSet(np.array([[1.0, 2.0]]), "p"), tmp_path / "p.json")
    doc = json.loads(path.read_text())
    assert doc["kind"] == "PointSet" and doc["format_version"] == 1
    assert doc["features"]["values"] == [[1.0, 2.0]]
    assert path.read_text().count("\n") > 5  # indented


def test_save_rejects(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="path"):
        save(PointSet(np.eye(2)), tmp_path / "p.txt")
    with pytest.raises(InvalidParameterError, match="problem"):
        save(np.eye(2), tmp_path / "p.npz")
    with pytest.raises(InvalidParameterError, match="meta"):
        save(PointSet(np.eye(2), meta={"f": object()}), tmp_path / "p.json")
    with pytest.raises(InvalidParameterError):
        save(PointSet(np.array([[np.nan]])), tmp_path / "p.json")


def good_doc() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = save(SetSystem(sp.csr_matrix(np.eye(2)), np.ones(2), np.ones(2)), Path(tmp) / "s.json")
        return json.loads(path.read_text())


def broken_docs():
    doc = good_doc()
    yield "not-an-object", [1, 2]
    yield "wrong-magic", {**doc, "format": "other"}
    yield "wrong-kind", {**doc, "kind": "Matrix"}
    yield "future-version", {**doc, "format_version": 99}
    yield "negative-version", {**doc, "format_version": -5}  # was accepted
    yield "version-zero", {**doc, "format_version": 0}
    yield "missing-costs", {k: v for k, v in doc.items() if k != "costs"}
    yield "bad-dtype", {**doc, "costs": {**doc["costs"], "dtype": "<U3"}}
    yield "bad-shape", {**doc, "costs": {**doc["costs"], "shape": [3]}}
    yield "costs-length", {**doc, "costs": {"dtype": "<f8", "shape": [3], "values": [1, 1, 1]}}
    bad_csr = json.loads(json.dumps(doc))
    bad_csr["sets"]["indices"]["values"] = [0, 5]
    yield "csr-index-out-of-range", bad_csr
    dense_sets = json.loads(json.dumps(doc))
    dense_sets["sets"] = {"format": "dense", "array": doc["costs"]}
    yield "dense-sets", dense_sets
    yield "bad-name", {**doc, "name": 3}


@pytest.mark.parametrize(("case", "doc"), list(broken_docs()))
def test_load_rejects_malformed_json(tmp_path: Path, case: str, doc) -> None:
    path = tmp_path / f"{case}.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InstanceFormatError) as info:
        load(path)
    assert path.name in str(info.value)


def test_load_json_syntax_error_has_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json.gz"
    path.write_bytes(gzip.compress(b'{\n "format": "submodkit-instance",\n "kind": \n}\n'))
    with pytest.raises(InstanceFormatError) as info:
        load(path)
    assert info.value.line == 4 and "broken.json.gz:4" in str(info.value)


def npz_fields(tmp_path: Path) -> dict:
    path = save(Graph(np.array([[0, 1]]), np.ones(1), 2), tmp_path / "g.npz")
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


@pytest.mark.parametrize(
    "change",
    [
        {"magic": np.array("nope")},
        {"kind": np.array("Tree")},
        {"format_version": np.array(7)},
        {"format_version": np.array(-5)},  # was accepted
        {"meta": np.array("{not json")},
        {"edges": np.array([[0, 5]])},
        {"n_nodes": np.array(-1)},
        {"weights": np.ones(3)},
    ],
)
def test_load_rejects_malformed_npz(tmp_path: Path, change: dict) -> None:
    fields = {**npz_fields(tmp_path), **change}
    path = tmp_path / "bad.npz"
    np.savez(path, **fields)
    with pytest.raises(InstanceFormatError, match="bad.npz"):
        load(path)


def test_load_rejects_garbage(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"this is not a zip")
    with pytest.raises(InstanceFormatError, match="junk.npz"):
        load(tmp_path / "junk.npz")
    fields = npz_fields(tmp_path)
    del fields["edges"]
    np.savez(tmp_path / "short.npz", **fields)
    with pytest.raises(InstanceFormatError, match="short.npz.*edges"):
        load(tmp_path / "short.npz")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


def test_load_rejects_npz_with_encrypted_entries(tmp_path: Path, capsys) -> None:
    import zipfile

    from submodkit.cli import main

    plain = save(Graph(np.array([[0, 1]]), np.ones(1), 2), tmp_path / "g.npz")
    path = tmp_path / "enc.npz"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        for info in dst.filelist:  # the central directory says "encrypted": zipfile raises RuntimeError
            info.flag_bits |= 0x1
    with pytest.raises(InstanceFormatError, match="enc.npz: expected a submodkit .npz archive, found an "
                                                  "encrypted entry"):
        load(path)
    assert main(["info", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "enc.npz" in err and "encrypted" in err
