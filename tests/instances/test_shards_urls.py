"""Shard folders under fsspec URLs: the parts are read through fsspec (here ``file://`` and
``memory://``; ``s3://`` and the like where their packages are installed), with the same
answers and the same one-line errors as local folders."""

import pickle

import numpy as np
import pytest

from submodkit.cli import main
from submodkit.coresets import randgreedi, sketch_set_cover
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import open_shards, random_set_system, write_shards
from submodkit.instances._shard_store import StoredFile

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def folder(tmp_path):
    system = random_set_system(400, 300, mean_set_size=7, seed=8)
    write_shards(system, tmp_path / "s", n_parts=3, seed=6)
    return tmp_path / "s"


def _copy_to_memory(folder, root):
    fs = fsspec.filesystem("memory")
    for path in folder.rglob("*"):
        if path.is_file():
            fs.pipe(f"{root}/{path.relative_to(folder).as_posix()}", path.read_bytes())
    return fs


def test_file_and_memory_urls_give_the_local_answers(folder):
    local = open_shards(folder)
    ref = randgreedi(local, 9, seed=6)
    cover = sketch_set_cover(local, 0.2, seed=1, max_edges=300)
    url = folder.resolve().as_uri()  # file:///...
    remote = open_shards(url)
    assert isinstance(remote.directory, StoredFile)
    assert isinstance(pickle.loads(pickle.dumps(remote)).directory, StoredFile)  # what a worker gets
    assert randgreedi(remote, 9, seed=6).selection.tolist() == ref.selection.tolist()
    _copy_to_memory(folder, "/urltest/s")
    mem = open_shards("memory:///urltest/s")
    assert randgreedi(mem, 9, seed=6).selection.tolist() == ref.selection.tolist()
    assert sketch_set_cover(mem, 0.2, seed=1, max_edges=300).selection.tolist() == cover.selection.tolist()
    for i in range(len(local)):
        a, b = local.part(i), mem.part(i)
        assert np.array_equal(a.ids, b.ids) and (a.problem.sets != b.problem.sets).nnz == 0
    assert np.array_equal(mem.set_costs(), local.set_costs())


def test_damaged_or_missing_files_under_a_url(folder):
    fs = _copy_to_memory(folder, "/urltest/d")
    fs.pipe("/urltest/d/part-00001/indices.npy", b"\x93NUMPY\x01\x00")
    with pytest.raises(InstanceFormatError, match="part-00001/indices.npy: expected .* bytes"):
        open_shards("memory:///urltest/d").part(1)
    fs.rm("/urltest/d/part-00002/ids.npy")
    with pytest.raises(InstanceFormatError, match="no such file"):
        open_shards("memory:///urltest/d").part(2)
    # the same size, other bytes: the sha256 catches it
    good = folder / "part-00000" / "costs.npy"
    data = bytearray(good.read_bytes())
    data[-1] ^= 1
    fs.pipe("/urltest/d/part-00000/costs.npy", bytes(data))
    with pytest.raises(InstanceFormatError, match="sha256"):
        open_shards("memory:///urltest/d").part(0)
    with pytest.raises(InstanceFormatError, match="manifest.json"):
        open_shards("memory:///urltest/none")
    with pytest.raises(InvalidParameterError, match="URL fsspec can open"):
        open_shards("nosuchprotocol://bucket/shards")
    with pytest.raises(InvalidParameterError, match="a local folder"):  # written locally, read from URLs
        write_shards(random_set_system(5, 5, density=0.5, seed=0), "memory:///urltest/out", n_parts=2, seed=0)


def test_cli_solves_a_url_on_a_two_process_cluster(folder, capsys):
    pytest.importorskip("distributed")
    url = folder.resolve().as_uri()
    assert main(["solve", url, "--k", "9", "--engine", "dask", "--workers", "2", "--worker-memory", "1GB",
                 "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["selection"] == randgreedi(open_shards(folder), 9, seed=6).selection.tolist()
    assert main(["solve", "nosuchprotocol://b/s", "--k", "3"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
