"""Comment lines and numbers of any length are read in one pass: the header patterns match
at line starts only (a line of 80,000 '#' used to be scanned from each of its characters) and
AdX numbers have one way to split their digits (``\\d+\\.?\\d*`` had thousands on a long digit
run that then failed). These tests read such inputs and check the answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from submodkit.errors import InstanceFormatError
from submodkit.instances import read_edgelist
from submodkit.instances.adx import read_ads
from submodkit.instances.shards import shard_file


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("header, n_nodes", [
    ("# Directed graph\n# Nodes: 10 Edges: 2\n", 10),
    ("  # Nodes: 7\n", 7),  # indented comment
    ("#" * 200_000 + "\n", 4),  # a long comment line without a count
    ("#" * 200_000 + " Nodes: 9\n", 9),
])
def test_snap_declared_nodes(tmp_path, header, n_nodes):
    path = _write(tmp_path, "g.txt", header + "0 1\n3 2\n")
    assert read_edgelist(path).n_nodes == n_nodes
    chunked = shard_file(path, tmp_path / "parts", n_parts=1, seed=0, format="edgelist")
    assert chunked.n_nodes == n_nodes


def test_snap_count_is_a_header_comment_not_an_edge_comment(tmp_path):
    # "Nodes:" after data on a line is an inline comment, not the SNAP header
    path = _write(tmp_path, "g.txt", "0 1 # Nodes: 50\n3 2\n")
    assert read_edgelist(path).n_nodes == 4


@pytest.mark.parametrize("rho, value", [("0.5", 0.5), ("12.", 12.0), (".25", 0.25), ("1.5e-3", 1.5e-3)])
def test_adx_numbers(tmp_path, rho, value):
    path = _write(tmp_path, "pub1-ads.txt", f"advertiser: 1 rho: {rho}\n")
    assert read_ads(path).tolist() == [value]


def test_adx_long_digit_run_is_one_clear_error(tmp_path):
    path = _write(tmp_path, "pub1-ads.txt", "advertiser: 1 rho: " + "1" * 40_000 + "x\n")
    with pytest.raises(InstanceFormatError, match=r"pub1-ads.txt:1"):
        read_ads(path)
