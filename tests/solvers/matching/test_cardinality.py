"""Exact maximum-cardinality matching (Edmonds, union-find blossoms) against networkx, the
weighted blossom in unit-weight mode, and brute force; validity of every matching returned."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from submodkit.instances.edges import as_edge_list
from submodkit.solvers.matching._blossom import blossom_matching
from submodkit.solvers.matching._cardinality import (
    edmonds_cardinality,
    greedy_min_degree,
    max_cardinality_matching,
)
from submodkit.solvers.matching.general import max_weight_matching


def _csr(g):
    ptr, nbr, _, _ = g.csr()
    return ptr, nbr


def _check_matching(g, mate):
    n = g.n
    assert mate.shape == (n,)
    keys = set(zip(g.u.tolist(), g.v.tolist(), strict=True))
    for v in range(n):
        m = int(mate[v])
        if m >= 0:
            assert int(mate[m]) == v
            assert (min(v, m), max(v, m)) in keys
    return int((mate >= 0).sum()) // 2


def _blossom_size(g):
    if g.u.size == 0:
        return 0
    mate, _, _ = blossom_matching(g.n, g.u, g.v, np.ones(g.u.size), True)
    return int((mate >= 0).sum()) // 2


def _random_maximal(g, rng):
    """A random maximal matching: a bad start, so that Edmonds' phase does the work."""
    mate = np.full(g.n, -1, np.int64)
    for k in rng.permutation(g.u.size):
        a, b = g.u[k], g.v[k]
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
    return mate


def _edges_of(G):
    return np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)


def _families(rng, count):
    """Small graphs: G(n, p), odd cycles, triangle chains, stars, bipartite, blossom nests."""
    out = []
    for _ in range(count):
        kind = rng.integers(8)
        n = int(rng.integers(1, 22))
        if kind == 0:
            G = nx.gnp_random_graph(n, float(rng.random()), seed=int(rng.integers(2**31)))
        elif kind == 1:
            G = nx.cycle_graph(2 * int(rng.integers(1, 10)) + 1)
        elif kind == 2:  # chain of triangles sharing nothing, joined by single edges
            t = int(rng.integers(1, 7))
            G = nx.Graph()
            for i in range(t):
                G.add_edges_from([(3 * i, 3 * i + 1), (3 * i + 1, 3 * i + 2), (3 * i, 3 * i + 2)])
                if i:
                    G.add_edge(3 * i - 1 - int(rng.integers(3)), 3 * i + int(rng.integers(3)))
        elif kind == 3:  # stars with random extra edges among leaves
            G = nx.star_graph(max(1, n - 1))
            for _ in range(int(rng.integers(4))):
                a, b = rng.integers(1, max(2, n), 2)
                if a != b:
                    G.add_edge(int(a), int(b))
        elif kind == 4:
            a = int(rng.integers(1, 11))
            G = nx.bipartite.random_graph(a, int(rng.integers(1, 11)), float(rng.random()),
                                          seed=int(rng.integers(2**31)))
        elif kind == 5:  # odd cycles glued at vertices and joined by paths (nested blossoms)
            G = nx.Graph()
            nxt = 0
            prev = None
            for _ in range(int(rng.integers(1, 5))):
                k = 2 * int(rng.integers(1, 4)) + 1
                cyc = list(range(nxt, nxt + k))
                nx.add_cycle(G, cyc)
                if prev is not None:
                    G.add_edge(int(rng.choice(prev)), int(rng.choice(cyc)))
                    if rng.random() < 0.5:
                        G.add_edge(int(rng.choice(prev)), int(rng.choice(cyc)))
                prev = cyc
                nxt += k
        elif kind == 6:  # sparse graphs: many degree-1 and degree-2 vertices
            G = nx.gnm_random_graph(n, int(rng.integers(0, 2 * n + 1)), seed=int(rng.integers(2**31)))
        else:  # Petersen-like and wheels
            G = nx.petersen_graph() if rng.random() < 0.3 else nx.wheel_graph(max(1, n))
        out.append(nx.convert_node_labels_to_integers(G))
    return out


def test_equals_networkx_and_blossom_on_small_graphs():
    rng = np.random.default_rng(0)
    for G in _families(rng, 1500):
        g = as_edge_list(_edges_of(G), n_nodes=G.number_of_nodes())
        sol = max_weight_matching(g, maxcardinality=True)
        want = len(nx.max_weight_matching(G, maxcardinality=True))
        assert len(sol) == want, (sorted(G.edges()), len(sol), want)
        assert sol.value == want
        assert _check_matching(g, sol.mate) == want
        assert _blossom_size(g) == want
        if g.u.size:
            assert sol.stats["kernel"] == "cardinality"
            assert sol.guarantee.ratio == 1.0


def test_edmonds_phase_from_bad_starts():
    """Edmonds' phase alone, from the empty matching and from random maximal matchings."""
    rng = np.random.default_rng(1)
    for G in _families(rng, 1500):
        g = as_edge_list(_edges_of(G), n_nodes=G.number_of_nodes())
        want = len(nx.max_weight_matching(G, maxcardinality=True))
        ptr, nbr = _csr(g)
        for start in (np.full(g.n, -1, np.int64), _random_maximal(g, rng)):
            mate = start.copy()
            edmonds_cardinality(g.n, ptr, nbr, mate)
            assert _check_matching(g, mate) == want, sorted(G.edges())


def test_brute_force_tiny():
    rng = np.random.default_rng(2)
    for _ in range(300):
        n = int(rng.integers(2, 9))
        pairs = list(itertools.combinations(range(n), 2))
        e = np.array([p for p in pairs if rng.random() < 0.4], dtype=np.int64).reshape(-1, 2)
        best = 0
        for r in range(n // 2, 0, -1):
            if any(len(set(itertools.chain(*c))) == 2 * r for c in itertools.combinations(e.tolist(), r)):
                best = r
                break
        g = as_edge_list(e, n_nodes=n)
        ptr, nbr = _csr(g)
        mate = np.full(n, -1, np.int64)
        edmonds_cardinality(n, ptr, nbr, mate)
        assert _check_matching(g, mate) == best
        assert len(max_weight_matching(g, maxcardinality=True)) == best


def test_greedy_is_maximal():
    rng = np.random.default_rng(3)
    for G in _families(rng, 300):
        g = as_edge_list(_edges_of(G), n_nodes=G.number_of_nodes())
        ptr, nbr = _csr(g)
        mate = np.full(g.n, -1, np.int64)
        size = greedy_min_degree(g.n, ptr, nbr, mate)
        assert _check_matching(g, mate) == size
        assert not np.any((mate[g.u] < 0) & (mate[g.v] < 0))  # maximal


def test_larger_random_and_power_law():
    rng = np.random.default_rng(4)
    for n, m in ((300, 400), (500, 3000), (2000, 2500)):
        e = rng.integers(0, n, (m, 2))
        g = as_edge_list(e, n_nodes=n)
        sol = max_weight_matching(g, maxcardinality=True)
        assert _check_matching(g, sol.mate) == len(sol) == _blossom_size(g)
        G = nx.Graph()
        G.add_nodes_from(range(n))
        G.add_edges_from(zip(g.u.tolist(), g.v.tolist(), strict=True))
        assert len(sol) == len(nx.max_weight_matching(G, maxcardinality=True))
    # power law (Chung-Lu weights): hubs, many vertices left free, failed searches
    n = 3000
    w = (np.arange(n) + 1.0) ** (-1 / 0.7)
    p = w / w.sum()
    e = np.column_stack([rng.choice(n, 30000, p=p), rng.choice(n, 30000, p=p)])
    g = as_edge_list(e, n_nodes=n)
    sol = max_weight_matching(g, maxcardinality=True)
    assert sol.stats["failed_searches"] > 0
    assert _check_matching(g, sol.mate) == len(sol) == _blossom_size(g)


def test_dispatch_rule():
    tri = [(0, 1), (1, 2), (0, 2), (2, 3)]
    # equal positive weights, with or without maxcardinality: the cardinality kernel
    for w in (1.0, 2.5):
        for mc in (False, True):
            s = max_weight_matching([(a, b, w) for a, b in tri], maxcardinality=mc)
            assert s.stats["kernel"] == "cardinality" and len(s) == 2 and s.value == 2 * w
    assert max_weight_matching(np.array(tri)).stats["kernel"] == "cardinality"  # (m, 2): unit weights
    # unequal weights: the weighted blossom, unchanged
    s = max_weight_matching([(0, 1, 1), (1, 2, 3), (0, 2, 1), (2, 3, 1)])
    assert "kernel" not in s.stats and "stages" in s.stats
    # all-zero weights: empty optimum kept for maxcardinality=False, cardinality kernel otherwise
    z = [(a, b, 0.0) for a, b in tri]
    assert "stages" in max_weight_matching(z).stats
    s = max_weight_matching(z, maxcardinality=True)
    assert s.stats["kernel"] == "cardinality" and len(s) == 2
    # approximations are untouched
    assert "kernel" not in max_weight_matching(np.array(tri), algorithm="greedy").stats


def test_mate_array_kernel_direct():
    g = as_edge_list(np.array([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5)]))
    ptr, nbr = _csr(g)
    mate, greedy, found, failed, deleted = max_cardinality_matching(g.n, ptr, nbr)
    assert _check_matching(g, mate) == 3
    assert greedy + found == 3


@pytest.mark.parametrize("name", ["chain_n1000", "triangles_n1002", "random_n1000_m10000",
                                  "sparse_delta_n1004", "random_n4000_m10000"])
def test_shared_graphs_unit_weights(shared_data, name):
    from submodkit.instances import read_edgelist

    path = shared_data / "matching" / f"{name}.edge.gz"
    if not path.exists():
        pytest.skip(f"{path} missing")
    inst = read_edgelist(path)
    g = as_edge_list(np.asarray(inst.edges), n_nodes=inst.n_nodes)
    sol = max_weight_matching(g, maxcardinality=True)
    assert sol.stats["kernel"] == "cardinality"
    assert _check_matching(g, sol.mate) == len(sol) == _blossom_size(g)
