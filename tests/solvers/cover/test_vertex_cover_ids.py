"""Vertex ids at the vertex-cover entry points: memory follows the edges present (huge or
sparse ids are renumbered, covers come back in the original ids), and graphs the kernels
cannot take are refused with `InvalidParameterError` before any kernel reads them."""

import types

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.instances import Graph
from submodkit.instances.edges import EdgeList
from submodkit.solvers.cover.vertex_cover import exact_vertex_cover, is_vertex_cover, maximal_matching_cover


def _relabelled(seed: int, top: int):
    """A random graph on 30 vertices, and the same graph with its ids spread up to ``top``."""
    rng = np.random.default_rng(seed)
    small = np.array([(a, b) for a in range(30) for b in range(a + 1, 30) if rng.random() < 0.15])
    ids = np.sort(rng.choice(top - 2**31, size=30, replace=False)) + 2**31
    return small, ids[small], ids


@pytest.mark.parametrize("top", [10**12, 2**62])
def test_huge_ids_cover_as_the_same_graph_relabelled(top):
    """Ids up to 2**62 allocated arrays of that many vertices (MemoryError or numpy's "array
    is too big"); the covers are now those of the relabelled graph, in the caller's ids."""
    small, big, ids = _relabelled(0, top)
    cover, lb = maximal_matching_cover(big)
    ref_cover, ref_lb = maximal_matching_cover(small)
    assert cover.tolist() == ids[ref_cover].tolist() and lb == ref_lb
    assert is_vertex_cover(big, cover) and not is_vertex_cover(big, cover[1:])
    exact, ref = exact_vertex_cover(big), exact_vertex_cover(small)
    assert exact.status == ref.status == "optimal" and exact.value == ref.value
    assert exact.selection.tolist() == ids[ref.selection].tolist() and is_vertex_cover(big, exact.selection)


def test_a_graph_declaring_many_vertices():
    g = Graph(np.array([[3, 10**15], [10**15, 10**15 + 1]]), np.ones(2), 10**16)
    cover, lb = maximal_matching_cover(g)
    assert cover.tolist() == [3, 10**15] and lb == 1
    assert exact_vertex_cover(g).selection.tolist() == [10**15]


def test_float_edge_arrays_with_ids_beyond_exact_floats_are_refused():
    """A float edge array's ids from 2**53 on were rounded to a neighbour id (2**53 + 1 read
    as 2**53) and covered the wrong vertex."""
    with pytest.raises(InvalidParameterError, match="graph=.*2\\*\\*53"):
        maximal_matching_cover([(0, 2**53 + 1, 1.0), (2**53, 2**53 + 1, 1.0)])
    cover, _ = maximal_matching_cover(np.array([[0, 2**53 + 1], [2**53, 2**53 + 1]]))  # integers: exact
    assert cover.tolist() == [0, 2**53 + 1] or cover.tolist() == [2**53, 2**53 + 1]


@pytest.mark.parametrize("graph", [
    types.SimpleNamespace(edges=[[0, 500_000], [1, 2]], weights=[1.0, 1.0], n_nodes=3),  # id beyond n
    types.SimpleNamespace(edges=[[-4, 1], [1, 2]], weights=[1.0, 2.0], n_nodes=3),  # negative id
    EdgeList(2, np.array([0]), np.array([7]), np.array([1.0])),
    EdgeList(3, np.array([1]), np.array([0]), np.array([1.0])),  # u > v
])
def test_graphs_handed_in_as_objects_are_checked_before_the_kernels(graph):
    """An EdgeList or graph-like object passed through unchecked: an edge (0, 500000) of a
    3-vertex graph was left out of the greedy cover (a cover that is not one)."""
    for call in (maximal_matching_cover, exact_vertex_cover, lambda g: is_vertex_cover(g, [0, 1])):
        with pytest.raises(InvalidParameterError, match="graph="):
            call(graph)
