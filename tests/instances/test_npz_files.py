"""The .npz instance files (pages, welfare, allocation parts): every kind of damage is one
InstanceFormatError naming the file, and a good file reads back what was written."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances.allocation_shards import read_allocation_shard
from submodkit.instances.pages import random_page_instance, read_pages, write_pages
from submodkit.instances.welfare import read_welfare, write_welfare


def _welfare(tmp_path):
    rng = np.random.default_rng(0)
    side = [(sp.csr_matrix(rng.random((4, 5)) < 0.5), rng.random(5)) for _ in range(2)]
    return write_welfare(tmp_path / "w.npz", side, side)


def _part(tmp_path):
    path = tmp_path / "part.npz"
    np.savez(path, indptr=np.array([0, 1, 3]), indices=np.array([2, 0, 1]))
    return path


READERS = {
    "pages": (lambda tmp: write_pages(random_page_instance(5, 4, seed=1), tmp / "p.npz"), read_pages),
    "welfare": (_welfare, read_welfare),
    "part": (_part, lambda path: read_allocation_shard(path, 2, 3)),
}


def _damaged(kind: str, good, tmp_path):
    bad = tmp_path / f"{kind}.npz"
    raw = good.read_bytes()
    if kind == "truncated":  # a zip whose central directory is cut off: BadZipFile inside np.load
        bad.write_bytes(raw[: len(raw) // 2])
    elif kind == "empty":
        bad.write_bytes(b"")
    elif kind == "text":
        bad.write_text("not an archive\n")
    elif kind == "npy":  # a bare array under an .npz name
        with open(bad, "wb") as fh:
            np.save(fh, np.arange(3))
    elif kind == "pickle":  # an object array needs pickles, which are refused
        np.savez(bad, indptr=np.array([object()], dtype=object))
    elif kind == "missing":
        pass
    else:  # rewrite the archive with one member forged
        import zipfile

        with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
            for i, info in enumerate(src.infolist()):
                data = src.read(info)
                if i == 0 and kind == "huge-header":  # a header claiming 1e11 float64 values
                    header = ("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"
                              .ljust(117) + "\n").encode("latin1")
                    data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data[-8:]
                elif i == 0 and kind == "no-header":  # a member that is not a .npy
                    data = b"just bytes"
                dst.writestr(info.filename, data)
        if kind in ("encrypted", "compression"):
            raw = bytearray(bad.read_bytes())
            at = raw.find(b"PK\x03\x04")  # the first local header: flags at +6, method at +8
            if kind == "encrypted":
                raw[at + 6] |= 1
                central = raw.find(b"PK\x01\x02")
                raw[central + 8] |= 1
            else:
                raw[at + 8:at + 10] = (99).to_bytes(2, "little")
                central = raw.find(b"PK\x01\x02")
                raw[central + 10:central + 12] = (99).to_bytes(2, "little")
            bad.write_bytes(bytes(raw))
    return bad


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("kind", ["truncated", "empty", "text", "npy", "pickle", "missing", "huge-header",
                                  "no-header", "encrypted", "compression"])
def test_damaged_npz_is_one_clear_error(tmp_path, reader, kind):
    """Every damage is one InstanceFormatError naming the file; a header claiming 800 GB is
    refused before any memory is taken."""
    write, read = READERS[reader]
    good = write(tmp_path)
    read(good)  # the good file reads
    bad = _damaged(kind, good, tmp_path)
    with pytest.raises(InstanceFormatError, match=bad.name):
        read(bad)


def test_allocation_part_structure_is_checked(tmp_path):
    path = _part(tmp_path)
    csr = read_allocation_shard(path, 2, 3)
    assert csr.toarray().tolist() == [[0, 0, 1], [1, 1, 0]]
    with pytest.raises(InstanceFormatError, match="advertiser indices in"):
        read_allocation_shard(path, 2, 2)  # index 2 is out of range for 2 advertisers
    with pytest.raises(InstanceFormatError, match="offsets"):
        read_allocation_shard(path, 3, 3)  # the manifest says 3 rows
    np.savez(path, indptr=np.array([0, 2, 1]), indices=np.array([0, 1]))
    with pytest.raises(InstanceFormatError, match="non-decreasing"):
        read_allocation_shard(path, 2, 3)
    np.savez(path, indptr=np.array([0.0, 1.0, 2.0]), indices=np.array([0, 1]))
    with pytest.raises(InstanceFormatError, match="integer indptr"):
        read_allocation_shard(path, 2, 3)


def test_welfare_without_items_is_a_format_error(tmp_path):
    path = _welfare(tmp_path)
    data = dict(np.load(path))
    data["items"] = np.array(0)
    np.savez(path, **data)
    with pytest.raises(InstanceFormatError, match="each >= 1"):
        read_welfare(path)
    with pytest.raises(InvalidParameterError, match="at least one item"):  # nor written
        write_welfare(tmp_path / "none.npz", [(sp.csr_matrix((0, 3)), np.ones(3))],
                      [(sp.csr_matrix((0, 3)), np.ones(3))])
