"""General matroids: each type's independence test against its definition, and greedy under
each within 1/2 of the brute-force optimum over the independent sets (Fisher, Nemhauser,
Wolsey 1978), the same picks lazily and naively, and the partition matroid's kernel path
reproduced through an oracle."""

import itertools

import networkx as nx
import numpy as np
import pytest

import submodkit as sk
from submodkit.constraints import GraphicMatroid, LaminarMatroid, OracleMatroid, TransversalMatroid
from submodkit.errors import InvalidParameterError


def _subsets(n):
    for r in range(n + 1):
        yield from itertools.combinations(range(n), r)


def _graphic(rng, n):
    edges = [tuple(sorted(rng.choice(5, size=2, replace=False).tolist())) for _ in range(n)]
    return GraphicMatroid(edges), edges


def test_graphic_independence_is_acyclicity():
    rng = np.random.default_rng(0)
    m, edges = _graphic(rng, 8)
    for S in _subsets(8):
        g = nx.MultiGraph()
        g.add_nodes_from(range(5))
        g.add_edges_from(edges[j] for j in S)
        forest = nx.is_forest(g) if g.number_of_edges() else True
        assert m.is_independent(S) == forest


def test_transversal_independence_is_a_matching():
    rng = np.random.default_rng(1)
    allowed = [rng.choice(4, size=int(rng.integers(1, 3)), replace=False).tolist() for _ in range(7)]
    m = TransversalMatroid(allowed)
    for S in _subsets(7):
        g = nx.Graph()
        g.add_nodes_from(("c", j) for j in S)
        g.add_edges_from((("c", j), ("s", s)) for j in S for s in allowed[j])
        matched = len(nx.bipartite.maximum_matching(g, top_nodes=[("c", j) for j in S])) // 2 if S else 0
        assert m.is_independent(S) == (matched == len(S))


def test_laminar_independence_counts_every_set():
    m = LaminarMatroid(6, [[0, 1, 2, 3], [0, 1], [4, 5]], [3, 1, 1])
    for S in _subsets(6):
        s = set(S)
        want = len(s & {0, 1, 2, 3}) <= 3 and len(s & {0, 1}) <= 1 and len(s & {4, 5}) <= 1
        assert m.is_independent(S) == want
    with pytest.raises(InvalidParameterError, match="laminar"):
        LaminarMatroid(4, [[0, 1], [1, 2]], [1, 1])


@pytest.mark.parametrize("seed", range(8))
def test_greedy_is_half_of_the_optimum_under_every_matroid(seed):
    rng = np.random.default_rng(seed)
    n = 8
    sets = [sorted(set(rng.choice(10, size=int(rng.integers(1, 4)), replace=False).tolist()))
            for _ in range(n)]
    f = sk.Coverage(sets, weights=rng.uniform(0.5, 2.0, 10), n_elements=10)
    matroids = [
        _graphic(rng, n)[0],
        TransversalMatroid([rng.choice(3, size=int(rng.integers(1, 3)), replace=False).tolist()
                            for _ in range(n)]),
        LaminarMatroid(n, [list(range(5)), [0, 1], [5, 6, 7]], [2, 1, 1]),
        OracleMatroid(n, lambda s: len(s) <= 3),
    ]
    for m in matroids:
        independent = [S for S in _subsets(n) if m.is_independent(S)]
        opt = max(f.evaluate(list(S)) for S in independent)
        lazy = sk.maximize(f, constraint=m)
        naive = sk.maximize(f, constraint=m, algorithm="naive")
        assert lazy.selection.tolist() == naive.selection.tolist()
        assert m.is_independent(lazy.selection)
        assert lazy.value == pytest.approx(f.evaluate(lazy.selection))
        assert lazy.guarantee is not None and lazy.guarantee.ratio == 0.5
        assert lazy.value >= 0.5 * opt - 1e-9
        assert lazy.value <= opt + 1e-9
        assert len(lazy.selection) <= m.rank


def test_an_oracle_partition_matroid_gives_the_kernel_path_selection():
    rng = np.random.default_rng(3)
    X = rng.random((30, 4))
    f = sk.FacilityLocation(X @ X.T)
    groups = rng.integers(0, 4, 30)
    caps = [2, 1, 3, 2]
    kernel = sk.maximize(f, constraint=sk.PartitionMatroid(groups, caps))
    oracle = OracleMatroid(30, lambda s: all(np.sum(groups[s] == g) <= c for g, c in enumerate(caps)))
    assert sk.maximize(f, constraint=oracle).selection.tolist() == kernel.selection.tolist()


def test_bad_matroids_are_refused():
    with pytest.raises(InvalidParameterError):
        GraphicMatroid([(0, -1)])
    with pytest.raises(InvalidParameterError, match="matroid over"):
        sk.maximize(sk.Coverage([[0], [1]]), constraint=OracleMatroid(3, lambda s: True))
    with pytest.raises(InvalidParameterError):
        sk.maximize(sk.Coverage([[0], [1]]), constraint=OracleMatroid(2, lambda s: True),
                    algorithm="stochastic")


def test_long_augmenting_paths_and_large_vertex_ids():
    chain = TransversalMatroid([[i, i + 1] for i in range(3000)] + [[0]])
    assert chain.is_independent(range(3001)) and chain.rank == 3001
    shared = TransversalMatroid([[0], [0], [0, 1], [1]], slot_capacities=[2, 1])
    assert shared.is_independent([0, 1, 2]) and not shared.is_independent([0, 1, 2, 3])
    assert GraphicMatroid([(0, 10**12), (10**12, 5), (5, 0)]).rank == 2
