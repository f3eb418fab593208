"""Vertex ids at the EDCS entry points (the EDCS, its matching and vertex-cover core-sets):
memory follows the edges present, answers come back in the original ids, and graphs the
kernels cannot take are refused before any kernel reads them."""

import numpy as np
import pytest

from submodkit.coresets.edcs import edcs, edcs_coreset_matching, edcs_size_bounds
from submodkit.coresets.edcs_vertex_cover import edcs_vertex_cover
from submodkit.errors import InvalidParameterError
from submodkit.instances.edges import EdgeList
from submodkit.solvers.cover.vertex_cover import is_vertex_cover


def test_huge_ids_give_the_answers_of_the_same_graph_relabelled():
    """Ids up to 2**62 allocated per-vertex arrays of that size (numpy's "array is too big");
    the EDCS, its bounds, the matching and the cover are now those of the graph relabelled
    onto small ids (the default beta, from the number of vertices, is given explicitly)."""
    rng = np.random.default_rng(3)
    small = np.array([(a, b) for a in range(80) for b in range(a + 1, 80) if rng.random() < 0.2])
    ids = np.sort(rng.choice(2**62, size=80, replace=False))
    big = ids[small]
    assert edcs(big, beta=6).tolist() == edcs(small, beta=6).tolist()
    assert edcs_size_bounds(big, beta=6, seed=1) == edcs_size_bounds(small, beta=6, seed=1)
    m, ref = edcs_coreset_matching(big, beta=8, seed=1), edcs_coreset_matching(small, beta=8, seed=1)
    assert m.pairs.tolist() == ids[ref.pairs].tolist() and m.value == ref.value
    c, ref_c = edcs_vertex_cover(big, beta=8, seed=1), edcs_vertex_cover(small, beta=8, seed=1)
    assert c.selection.tolist() == ids[ref_c.selection].tolist() and c.lower_bound == ref_c.lower_bound
    assert c.gains.tolist() == ref_c.gains.tolist() and is_vertex_cover(big, c.selection)


@pytest.mark.parametrize("graph", [EdgeList(2, np.array([0]), np.array([7]), np.array([1.0])),
                                   EdgeList(3, np.array([-1]), np.array([2]), np.array([1.0]))])
def test_an_edge_list_handed_in_is_checked_before_the_kernels(graph):
    """An EdgeList passed through unchecked: an edge (0, 7) of a 2-vertex graph was read out
    of bounds by the EDCS kernel (it answered an empty EDCS)."""
    for call in (lambda g: edcs(g, beta=2), lambda g: edcs_coreset_matching(g, seed=0),
                 lambda g: edcs_vertex_cover(g, seed=0)):
        with pytest.raises(InvalidParameterError, match="graph="):
            call(graph)
