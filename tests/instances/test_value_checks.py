"""Values that would overflow, lose their imaginary part or their fraction, or crash a reader
with the wrong type are refused where they are read, with the file named."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import Graph, Similarity, random_points
from submodkit.instances.adx import read_ads, read_adx, read_types
from submodkit.instances.native import load, save
from submodkit.instances.pages import PageInstance
from submodkit.instances.shards import shard_file
from submodkit.instances.welfare import read_welfare, write_welfare


def test_native_npz_graph_with_string_edges(tmp_path):
    path = save(Graph(np.array([[0, 1], [1, 2]]), np.ones(2), 3), tmp_path / "g.npz")
    fields = dict(np.load(path))
    fields["edges"] = np.array([["a", "b"], ["b", "c"]])
    np.savez(path, **fields)
    with pytest.raises(InstanceFormatError, match="integer edges"):
        load(path)


def test_native_json_integers_keep_their_fractions(tmp_path):
    doc = {"format": "submodkit-instance", "format_version": 1, "kind": "Graph", "n_nodes": 3,
           "edges": {"dtype": "int64", "shape": [2, 2], "values": [[0, 1.5], [1, 2]]},
           "weights": {"dtype": "float64", "shape": [2], "values": [1, 2]}}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InstanceFormatError, match="non-integral"):
        load(path)  # was read as the edge (0, 1)
    doc["edges"]["values"] = [[0, 1.0], [1, 2]]  # integral floats are integers
    path.write_text(json.dumps(doc))
    assert load(path).edges.tolist() == [[0, 1], [1, 2]]


def test_welfare_counts_must_be_scalars(tmp_path):
    sets = sp.csr_matrix([[1, 0], [0, 1]])
    path = write_welfare(tmp_path / "w.npz", [(sets, [1.0, 2.0])], [(sets, [1.0, 1.0])])
    fields = dict(np.load(path))
    fields["agents"] = np.array([[1]])
    np.savez(path, **fields)
    with pytest.raises(InstanceFormatError, match="integer scalars"):
        read_welfare(path)


def test_welfare_weights_with_an_infinite_total(tmp_path):
    sets = sp.csr_matrix([[1, 0], [0, 1]])
    path = write_welfare(tmp_path / "w.npz", [(sets, [1e308, 1e308])], [(sets, [1.0, 1.0])])
    with pytest.raises(InstanceFormatError, match="finite total"):
        read_welfare(path)


def test_adx_totals_must_be_finite(tmp_path):
    ads = tmp_path / "pub1-ads.txt"
    ads.write_text("advertiser: 1 rho: 1e308\nadvertiser: 2 rho: 1e308\n")
    with pytest.raises(InstanceFormatError, match="pub1-ads.txt:2: expected rho values whose total"):
        read_ads(ads)
    ads.write_text("advertiser: 1 rho: 1e307\nadvertiser: 2 rho: 1e307\n")
    (tmp_path / "pub1-sample.txt").write_text("1,2\n" * 20)
    with pytest.raises(InstanceFormatError, match="times the 20 impressions"):
        read_adx(tmp_path, "pub1")  # capacities rho * T overflow
    types = tmp_path / "pub1-types.txt"
    types.write_text("type: 1 prob: 1e308 advertisers: [1] mean: [0.0] cov: [1.0]\n"
                     "type: 2 prob: 1e308 advertisers: [2] mean: [0.0] cov: [1.0]\n")
    with pytest.raises(InstanceFormatError, match="probabilities whose total is finite"):
        read_types(types, 2)


def test_points_npy_without_columns_is_refused(tmp_path):
    path = tmp_path / "p.npy"
    np.save(path, np.zeros((10**6, 0)))  # a million rows of no bytes
    with pytest.raises(InstanceFormatError, match="at least one column"):
        shard_file(path, tmp_path / "parts", n_parts=2, seed=0)
    np.save(path, random_points(20, 2, seed=0).features)
    assert shard_file(path, tmp_path / "ok", n_parts=2, seed=0).n_items == 20


def test_similarity_with_an_infinite_total():
    with pytest.raises(InvalidParameterError, match="total"):
        Similarity(np.full((2, 2), 1e308))
    assert Similarity(np.full((2, 2), 1e300)).matrix.shape == (2, 2)


def test_pages_refuse_complex_and_overflowing_values():
    with pytest.raises(InvalidParameterError, match="complex"):
        PageInstance(np.array([[3.0 + 1j, 2.0]]), slot_weights=[1.0], capacities=[1, 1])
    with pytest.raises(InvalidParameterError, match="total"):
        PageInstance(np.array([[1e308, 1e308]]), slot_weights=[1.0], capacities=[1, 1])


def test_complex_vectors_are_refused_not_cast():
    with pytest.raises(InvalidParameterError, match="complex"):
        Graph(np.array([[0, 1]]), np.array([1.0 + 2j]), 2)
