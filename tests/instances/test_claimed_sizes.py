"""Memory follows the data present, not what a file claims.

An ``.npz`` member whose zip64 entry (and ``.npy`` header) claim 10^11 float64 values
(800 GB) in a file of a few hundred bytes: every reader must say the file is damaged (one
line, exit status 2) instead of reserving the claimed size (a MemoryError, exit 1)."""

from __future__ import annotations

import struct
import zlib

import pytest

from submodkit.cli import main

CLAIM = 10**11  # float64 values


def _forged_npz(path, member: str, n: int = CLAIM) -> None:
    """One stored ``.npy`` member holding 16 bytes of data whose header and zip64 sizes
    claim ``n`` float64 values."""
    text = b"{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }" % n
    header = text + b" " * (63 - (10 + len(text)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
    data, name = npy + bytes(16), member.encode()
    size, crc, full = len(npy) + 8 * n, zlib.crc32(npy + bytes(16)), 0xFFFFFFFF
    local = (struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, full, full, len(name), 20) + name
             + struct.pack("<HHQQ", 1, 16, size, size) + data)
    central = (struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, full, full, len(name),
                           28, 0, 0, 0, 0, full) + name + struct.pack("<HHQQQ", 1, 24, size, size, 0))
    zip64_end = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), len(local))
    locator = struct.pack("<IIQI", 0x07064B50, 0, len(local) + len(central), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    path.write_bytes(local + central + zip64_end + locator + end)


@pytest.mark.parametrize("member, argv", [
    ("magic.npy", ["info"]),
    ("magic.npy", ["verify"]),
    ("magic.npy", ["shard", "--n-parts", "2", "--out", "{tmp}/parts"]),
    ("indptr.npy", ["solve", "--problem", "whole-page"]),
    ("indptr.npy", ["solve", "--problem", "bi-objective-welfare"]),
])
def test_a_forged_member_size_is_a_one_line_error(tmp_path, capsys, member, argv):
    path = tmp_path / "forged.npz"
    _forged_npz(path, member)
    command = [argv[0], str(path), *(a.format(tmp=tmp_path) for a in argv[1:])]
    code = main(command)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "forged.npz" in err and len(err.strip().splitlines()) == 1


def test_a_rail_header_claiming_more_rows_than_the_file_can_name(tmp_path):
    from submodkit.errors import InstanceFormatError
    from submodkit.instances.shards import stream_sets

    path = tmp_path / "big.rail"
    path.write_text("1000000000 2\n1 2 1 2\n1 1 3\n")  # 10^9 rows (8 GB of weights) in 27 bytes
    with pytest.raises(InstanceFormatError, match="rows"):
        stream_sets(path, format="rail")


def _shards(tmp_path):
    from submodkit.instances import random_set_system, write_shards

    write_shards(random_set_system(12, 8, density=0.4, seed=0), tmp_path / "s", n_parts=2, seed=0)
    return tmp_path / "s"


@pytest.mark.parametrize("edit, match", [
    (lambda d: d["totals"].update(elements=10**15), "totals.elements"),  # np.ones(10^15) before
    (lambda d: d["totals"].update(elements=-5), "counts"),
    (lambda d: d["totals"].update(incidences="x"), "counts"),
    (lambda d: d["element_weights"].update(constant="abc"), "constant"),
    (lambda d: d.update(seed=int("9" * 5000)), "valid JSON"),  # beyond Python's 4,300 digits
    # the rest went through (an internal error or a MemoryError when the folder was solved):
    (lambda d: d["totals"].update(elements=10**12, incidences=10**12), "totals.incidences"),  # 7 TiB
    (lambda d: d["parts"][0]["files"]["ids.npy"].update(sha256=5), "sha256"),
    (lambda d: d["parts"][0]["files"]["ids.npy"].update(shape="abc"), "shape"),
    (lambda d: d.update(element_weights={"values": ["a"] * d["totals"]["elements"]}), "finite numbers"),
    (lambda d: d.update(element_weights={"file": "x.npy"}), "element_weights"),
    (lambda d: d.update(element_weights={"file": "/etc/hostname", "bytes": 1, "sha256": "0" * 64,
                                         "dtype": "<f8", "shape": [8]}), "a name in the folder"),
    (lambda d: d.update(seed="abc"), "seed null or an integer"),  # these three were accepted
    (lambda d: d.update(seed=-5), "seed null or an integer"),
    (lambda d: d.update(rule="bogus"), "rule one of"),
])
def test_manifest_claims_are_checked_when_the_folder_is_opened(tmp_path, edit, match):
    import json
    import sys

    from submodkit.errors import InstanceFormatError
    from submodkit.instances import open_shards

    folder = _shards(tmp_path)
    doc = json.loads((folder / "manifest.json").read_text())
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # to make and write the forged integer
    try:
        edit(doc)
        (folder / "manifest.json").write_text(json.dumps(doc))
    finally:
        sys.set_int_max_str_digits(old)
    with pytest.raises(InstanceFormatError, match=match):
        open_shards(folder)


def test_set_costs_allocate_after_reading_the_parts(tmp_path):
    import json

    from submodkit.errors import InstanceFormatError
    from submodkit.instances import open_shards

    folder = _shards(tmp_path)
    doc = json.loads((folder / "manifest.json").read_text())
    extra = 10**13 - doc["n_items"]  # the claim moved into both totals (they agree), not the files
    doc["n_items"] += extra
    doc["parts"][0]["n_items"] += extra
    (folder / "manifest.json").write_text(json.dumps(doc))
    with pytest.raises(InstanceFormatError):
        open_shards(folder, verify=False).set_costs()


@pytest.mark.parametrize("columns", [10**11, 2**62])
def test_a_sparse_similarity_declaring_huge_columns_keeps_those_with_entries(tmp_path, capsys, columns):
    """A native Similarity file: a CSR matrix of 2 rows and 2 entries declaring 10^11 (or 2^62)
    columns loaded, then facility location allocated a weight per declared column (a
    MemoryError or numpy's "array is too big", exit 1). The columns without an entry add 0 to
    every value and are dropped."""
    import json

    import numpy as np
    import scipy.sparse as sp

    from submodkit.instances.problems import Similarity
    from submodkit.objectives import FacilityLocation

    sim = Similarity(sp.csr_matrix((np.array([2.0, 1.0]), np.array([7, columns - 1]), np.array([0, 1, 2])),
                                   shape=(2, columns)))
    assert sim.matrix.shape == (2, 2) and sim.meta["elements_without_entries"] == columns - 2
    assert FacilityLocation(sim.matrix).evaluate([0, 1]) == 3.0
    path = tmp_path / "wide.npz"  # the native format, written by hand with the declared shape
    np.savez_compressed(path, magic=np.array("submodkit-instance"), kind=np.array("Similarity"),
                        format_version=np.array(1), name=np.frombuffer(b"wide", np.uint8),
                        meta=np.array("{}"),
                        **{"matrix.format": np.array("csr"), "matrix.indptr": np.array([0, 1, 2]),
                           "matrix.indices": np.array([7, columns - 1]), "matrix.data": np.array([2.0, 1.0]),
                           "matrix.shape": np.array([2, columns])})
    assert main(["solve", str(path), "--k", "1", "--exact", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["value"] == 2.0 and out["exact"]["value"] == 2.0


@pytest.mark.parametrize(("fmt", "text"), [("rail", "3 2\n1 1e300 1 1\n2 2 2 3\n"),
                                            ("scp", "2 3\n1 2 3\n1e300 1 2\n2 2 3\n")])
def test_a_record_count_beyond_int64_is_one_line_without_warnings(tmp_path, capsys, fmt, text):
    """A count of 1e300 read by the streaming readers (sieve, shard) was cast to int64 with
    a RuntimeWarning: three lines on stderr before the error."""
    import warnings

    path = tmp_path / f"count.{fmt}"
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = str(tmp_path / "s")
        assert main(["shard", str(path), "--format", fmt, "--n-parts", "2", "--out", out]) == 2
        if fmt == "rail":
            sieve = ["--problem", "max-cover", "--algorithm", "sieve", "--k", "1"]
            assert main(["solve", str(path), *sieve]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == (2 if fmt == "rail" else 1)
    assert all(line.startswith(f"submodkit: error: {path}:") for line in err.strip().splitlines())
