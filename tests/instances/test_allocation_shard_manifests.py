"""An allocation shard folder's manifest is checked where it is opened: parts are files of
the folder, rows are integer counts, and anything else is one InstanceFormatError."""

from __future__ import annotations

import json

import pytest

from submodkit.coresets.proportional import distributed_proportional_allocation
from submodkit.errors import InstanceFormatError
from submodkit.instances.allocation import upper_triangular_instance
from submodkit.instances.allocation_shards import open_allocation_shards, write_allocation_shards


@pytest.fixture
def folder(tmp_path):
    write_allocation_shards(upper_triangular_instance(10), tmp_path / "s", n_parts=2)
    return tmp_path / "s"


def _edit(folder, change) -> None:
    path = folder / "manifest.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("change", [
    lambda d: d.update(parts=[]),  # a TypeError in the sums before
    lambda d: d.update(parts={"a": 1}),
    lambda d: d["parts"][0].update(rows=d["parts"][0]["rows"] + 0.7),  # was read as its integer part
    lambda d: d["parts"][0].update(rows=True),
    lambda d: d.update(n_arrivals=True),
    lambda d: d["parts"][0].update(file="../elsewhere/" + d["parts"][0]["file"]),  # read outside
    lambda d: d["parts"][0].update(file="/etc/passwd"),
    lambda d: d.update(budgets=[[1.0]]),
], ids=["no-parts", "parts-object", "fractional-rows", "bool-rows", "bool-arrivals", "escaping-file",
        "absolute-file", "budgets-2d"])
def test_bad_manifests_are_refused_where_opened(folder, change):
    _edit(folder, change)
    with pytest.raises(InstanceFormatError, match="manifest.json"):
        open_allocation_shards(folder)


def test_deep_json_is_refused(folder):
    (folder / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InstanceFormatError, match="manifest.json"):
        open_allocation_shards(folder)


def test_a_file_outside_the_folder_is_never_read(tmp_path, folder):
    # a valid part beside the folder: before, the manifest pointing at it was followed
    other = tmp_path / "other"
    write_allocation_shards(upper_triangular_instance(10), other, n_parts=2)
    _edit(folder, lambda d: d["parts"][0].update(file="../other/" + d["parts"][0]["file"]))
    with pytest.raises(InstanceFormatError, match="file name in the folder"):
        distributed_proportional_allocation(str(folder))
