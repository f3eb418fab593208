"""Vertex ids and matrix indices at the matching entry points: memory follows the edges
present (huge or sparse ids are renumbered, answers come back in the original ids), and ids
the kernels cannot take (negative, beyond n, beyond float64's exact integers, beyond int64)
are refused with `InvalidParameterError` before any kernel reads them."""

import types

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.instances import Graph
from submodkit.instances.edges import EdgeList
from submodkit.instances.online import OnlineInstance
from submodkit.solvers.matching.assignment import b_matching, max_weight_assignment
from submodkit.solvers.matching.exact import matching_ilp
from submodkit.solvers.matching.general import ALGORITHMS, matching_weight, max_weight_matching
from submodkit.solvers.matching.online import online_matching

BIG = 10**12


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_huge_vertex_id_costs_memory_of_the_edges_only(algorithm):
    """An edge (0, 10**12) allocated arrays of 10**12 entries (MemoryError); now the ids that
    occur are renumbered and the pairs come back in the caller's ids."""
    edges = [(0, BIG, 3.0), (5, BIG, 2.0), (5, 7, 1.0)]
    sol = max_weight_matching(edges, algorithm=algorithm)
    assert sol.pairs.tolist() == [[0, BIG], [5, 7]]
    assert sol.value == 4.0 and sol.n_nodes == BIG + 1
    assert matching_weight(edges, sol.pairs) == 4.0


def test_ilp_and_maxcardinality_with_huge_ids():
    edges = [(0, BIG, 3.0), (5, BIG, 2.0), (5, 7, 1.0)]
    assert matching_ilp(edges).pairs.tolist() == [[0, BIG], [5, 7]]
    sol = max_weight_matching(edges, maxcardinality=True)
    assert sol.pairs.tolist() == [[0, BIG], [5, 7]] and sol.value == 4.0


def test_a_large_n_nodes_with_few_edges():
    sol = max_weight_matching([(1, 2, 1.0)], n_nodes=10**15)
    assert sol.pairs.tolist() == [[1, 2]] and sol.n_nodes == 10**15


@pytest.mark.parametrize("algorithm", ["exact", "greedy", "path-growing", "augment"])
def test_ids_beyond_int32_match_as_the_same_graph_renumbered(algorithm):
    rng = np.random.default_rng(0)
    ids = np.sort(rng.choice(2**40, size=40, replace=False)) + 2**31
    small = np.array([(a, b, float(rng.integers(1, 20))) for a in range(40) for b in range(a + 1, 40)
                      if rng.random() < 0.2])
    big = small.copy()
    big[:, :2] = ids[small[:, :2].astype(np.int64)]
    ref = max_weight_matching(small, algorithm=algorithm, seed=1)
    sol = max_weight_matching(big, algorithm=algorithm, seed=1)
    assert sol.value == ref.value
    assert sol.pairs.tolist() == ids[ref.pairs].tolist()


def test_a_graph_with_int64_ids():
    g = Graph(np.array([[2**60, 2**60 + 1], [3, 2**62 - 1]]), np.array([1.0, 2.0]), 2**62)
    sol = max_weight_matching(g)
    assert sol.pairs.tolist() == [[3, 2**62 - 1], [2**60, 2**60 + 1]] and sol.value == 3.0
    assert matching_weight(g, sol.pairs) == 3.0


@pytest.mark.parametrize("top", [2**53 + 2, 2**60, 2**63, 2.0**70])
def test_edge_array_ids_beyond_exact_floats_are_refused(top):
    """Edge arrays are read as float64: an id from 2**53 on may have been rounded (or cast
    beyond int64); it used to give a MemoryError, a numpy ValueError or an OverflowError."""
    with pytest.raises(InvalidParameterError, match="graph=.*2\\*\\*53"):
        max_weight_matching([(0, top, 1.0), (1, 2, 1.0)])
    with pytest.raises(InvalidParameterError, match="graph="):
        matching_ilp([(0, top, 1.0)])


@pytest.mark.parametrize("top", [2**53 + 1, 2**60 + 3, 2**63 - 1])
def test_integer_edge_arrays_keep_ids_beyond_exact_floats(top):
    """An integer edge array (NumPy int64, or a list of int tuples) is read exactly: ids from
    2**53 on were refused (read through float64, where 2**53 + 1 is 2**53)."""
    edges = np.array([[top - 1, top, 3], [top - 2, top - 1, 2], [0, top - 2, 2], [5, 6, 1]], dtype=np.int64)
    expected = [[0, top - 2], [5, 6], [top - 1, top]]
    for graph, weighted in ((edges, True), (edges.tolist(), True), (edges[:, :2], False)):
        for algorithm in ALGORITHMS:
            sol = max_weight_matching(graph, algorithm=algorithm)
            if weighted:
                assert sol.value == 6.0 and sol.pairs.tolist() == expected, algorithm
            else:  # unit weights: three disjoint edges
                assert sol.value == 3.0 and len(sol.pairs) == 3, algorithm
        assert matching_weight(graph, expected) == (6.0 if weighted else 3.0)
    assert matching_ilp(edges).value == 6.0
    with pytest.raises(InvalidParameterError, match="graph="):  # above int64: refused, not wrapped
        max_weight_matching(np.array([[0, 2**63]], dtype=np.uint64))


@pytest.mark.parametrize("edges", [[(-1, 2, 1.0)], [(0.5, 2, 1.0)], [(0, np.nan, 1.0)],
                                   [(0, 1, np.nan)], [(0, 1, -1.0)], [(0, 1, np.inf)]])
def test_bad_endpoints_and_weights_are_refused(edges):
    for algorithm in ALGORITHMS:
        with pytest.raises(InvalidParameterError, match="graph="):
            max_weight_matching(edges, algorithm=algorithm)


@pytest.mark.parametrize("graph", [
    types.SimpleNamespace(edges=[[0, 5], [1, 2]], weights=[1.0, 1.0], n_nodes=3),  # id beyond n
    types.SimpleNamespace(edges=[[-4, 1], [1, 2]], weights=[1.0, 2.0], n_nodes=3),  # negative id
    EdgeList(2, np.array([0]), np.array([7]), np.array([1.0])),
    EdgeList(3, np.array([1, 0]), np.array([2, 1]), np.array([1.0, 1.0])),  # not sorted
    EdgeList(3, np.array([1]), np.array([0]), np.array([1.0])),  # u > v
    EdgeList(2, np.array([0]), np.array([1]), np.array([np.nan])),
])
@pytest.mark.parametrize("algorithm", ["exact", "greedy", "path-growing", "augment"])
def test_graphs_handed_in_as_objects_are_checked_before_the_kernels(graph, algorithm):
    """``as_edge_list`` passes an EdgeList and graph-like objects through: a negative id
    crashed the blossom kernel (segmentation fault), an id beyond n was read out of bounds
    by the greedy kernel (a wrong answer) or failed in numpy."""
    with pytest.raises(InvalidParameterError, match="graph="):
        max_weight_matching(graph, algorithm=algorithm)


def test_matching_weight_with_ids_above_three_billion():
    """The lookup key ``u * n + v`` overflowed int64 once n exceeded ~3e9: an edge of the
    graph was reported as not an edge."""
    edges = [(5 * 10**9, 6 * 10**9, 1.0), (4 * 10**9, 6 * 10**9 - 1, 2.0), (1, 2, 4.0)]
    assert matching_weight(edges, [(5 * 10**9, 6 * 10**9)]) == 1.0
    assert matching_weight(edges, [(4 * 10**9, 6 * 10**9 - 1), (2, 1)]) == 6.0
    with pytest.raises(InvalidParameterError, match="pairs="):
        matching_weight(edges, [(4 * 10**9, 6 * 10**9)])


@pytest.mark.parametrize("pairs", [[(0, 1.5)], [[0, np.nan]], [0, 1], [(-1, 0)],
                                   np.array([[0, 2**64 - 1]], dtype=np.uint64), [(0, 1), (1, 2)]])
def test_matching_weight_refuses_pairs_that_are_not_vertex_ids(pairs):
    """A fractional pair was truncated to an edge ((0, 1.5) -> (0, 1)) and weighed."""
    with pytest.raises(InvalidParameterError, match="pairs="):
        matching_weight([(0, 1, 1.0), (1, 2, 1.0)], pairs)


def test_online_instance_indices_are_checked_before_the_kernel():
    """A CSR adjacency with a column index beyond its shape reached the online kernel, which
    read and wrote the per-vertex load out of bounds (then scipy complained)."""
    adj = sp.csr_matrix((np.ones(2), np.array([0, 9]), np.array([0, 1, 2])), shape=(2, 2))
    with pytest.raises(InvalidParameterError, match="adjacency"):
        online_matching(OnlineInstance(adj, np.ones(2, np.int64)), algorithm="greedy")


def test_online_capacities_beyond_int64_bind_nothing():
    """A capacity of 1e30 was cast to int64 (a negative number): the vertex took nothing."""
    inst = OnlineInstance(sp.csr_matrix(np.ones((2, 2))), np.array([1.0, 1e30]))
    sol = online_matching(inst, algorithm="balance")
    assert sol.value == 2.0 and sol.upper_bound == 2.0


def test_b_matching_capacities_beyond_int64():
    """A capacity of 2**70 was cast to int64: the flow problem was unbalanced and OR-Tools
    aborted the process."""
    sol = b_matching([[1.0, 2.0]], row_capacity=[2**70])
    assert sol.value == 3.0 and sol.rows.tolist() == [0, 0] and sol.cols.tolist() == [0, 1]
    sol = b_matching([[1.0], [2.0]], col_capacity=1e30)
    assert sol.value == 3.0


def test_sparse_assignment_with_a_huge_number_of_columns():
    """Columns in no stored pair are never assigned: the kernel no longer allocates them."""
    w = sp.csr_matrix(([1.0, 2.0, 7.0], ([0, 1, 1], [5, BIG - 1, 5])), shape=(2, BIG))
    sol = max_weight_assignment(w)
    assert sol.rows.tolist() == [0, 1] and sol.cols.tolist() == [5, BIG - 1] and sol.value == 3.0
    short = sp.csr_matrix(([1.0, 2.0], ([0, 1], [5, 5])), shape=(2, BIG))  # both rows need column 5
    with pytest.raises(InvalidParameterError, match="weights="):
        max_weight_assignment(short)
