"""EDCS: the defining degree conditions, and core-set ratios against the exact maximum matching."""

import networkx as nx
import numpy as np
import pytest

from submodkit.coresets.edcs import edcs, edcs_coreset_matching, matching_coreset
from submodkit.errors import InvalidParameterError
from submodkit.instances.edges import as_edge_list


def _random_edges(seed, n=80, m=600):
    rng = np.random.default_rng(seed)
    e = np.sort(rng.integers(0, n, (m, 2)), axis=1)
    e = np.unique(e[e[:, 0] != e[:, 1]], axis=0)
    return e


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("beta,beta_minus", [(2, 1), (6, 5), (10, 7)])
def test_edcs_conditions(seed, beta, beta_minus):
    e = _random_edges(seed)
    g = as_edge_list(e)
    h = edcs(e, beta, beta_minus)
    in_h = np.zeros(g.u.size, bool)
    in_h[h] = True
    deg = np.bincount(np.concatenate([g.u[h], g.v[h]]), minlength=g.n)
    s = deg[g.u] + deg[g.v]
    assert np.all(s[in_h] <= beta)
    assert np.all(s[~in_h] >= beta_minus)


@pytest.mark.parametrize("seed", range(8))
def test_coreset_ratios(seed):
    e = _random_edges(seed, n=120, m=900)
    opt = len(nx.max_weight_matching(nx.Graph([tuple(x) for x in e]), maxcardinality=True))
    sol = edcs_coreset_matching(e, n_parts=4, beta=8, seed=seed)
    assert np.unique(sol.pairs).size == sol.pairs.size
    assert len(sol) <= opt
    assert len(sol) >= (2 / 3) * opt  # (3/2 + eps) approximation, observed well above
    assert sol.stats["coreset_edges"] < len(e)
    mm = matching_coreset(e, n_parts=4, seed=seed)
    assert opt / 3 <= len(mm) <= opt


def test_edcs_rejects_bad_parameters():
    with pytest.raises(InvalidParameterError):
        edcs([(0, 1)], beta=3, beta_minus=3)
    with pytest.raises(InvalidParameterError):
        edcs([(0, 1)], beta=1)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("beta,beta_minus", [(4, 3), (8, 5), (16, 15)])
def test_size_bounds_contain_every_part_edcs(seed, beta, beta_minus):
    from submodkit.coresets.edcs import _partition, edcs_size_bounds

    e = _random_edges(seed, n=60, m=1500)
    g = as_edge_list(e)
    b = edcs_size_bounds(e, n_parts=3, beta=beta, beta_minus=beta_minus, seed=seed)
    groups = _partition(g, 3, seed)
    forced = np.zeros(g.u.size, bool)
    for part in groups:  # forced edges are in H, checked edge by edge
        sub = np.column_stack([g.u[part], g.v[part]])
        h = edcs(as_edge_list(sub, n_nodes=g.n), beta, beta_minus)
        d = np.bincount(sub.ravel(), minlength=g.n)
        f = d[g.u[part]] + d[g.v[part]] < beta_minus + 2
        assert np.all(np.isin(np.flatnonzero(f), h))
        forced[part[f]] = True
    assert b["forced_edges"] == forced.sum()
    sol = edcs_coreset_matching(e, n_parts=3, beta=beta, beta_minus=beta_minus, seed=seed)
    assert b["forced_edges"] <= sol.stats["coreset_edges"] <= b["max_edges"] <= len(e)


def test_size_bounds_sparse_graph_keeps_everything():
    from submodkit.coresets.edcs import edcs_size_bounds

    path = [(i, i + 1) for i in range(50)]  # degrees <= 2: every edge forced for beta_minus >= 3
    b = edcs_size_bounds(path, n_parts=2, beta=4, seed=0)
    assert b == {"n_edges": 50, "forced_edges": 50, "max_edges": 50}
    assert edcs_coreset_matching(path, n_parts=2, beta=4, seed=0).stats["coreset_edges"] == 50
    with pytest.raises(InvalidParameterError):
        edcs_size_bounds(path, beta=3, beta_minus=5)


@pytest.mark.parametrize("engine", ["threads", "dask"])
def test_engines_give_the_same_coresets(engine):
    pytest.importorskip("distributed") if engine == "dask" else None
    e = _random_edges(3, n=100, m=1200)
    ref = edcs_coreset_matching(e, n_parts=3, beta=6, seed=5)
    sol = edcs_coreset_matching(e, n_parts=3, beta=6, seed=5, engine=engine)
    assert np.array_equal(sol.pairs, ref.pairs)
    assert sol.stats == {**ref.stats, "seconds": sol.stats["seconds"]}
    mm = matching_coreset(e, n_parts=3, seed=5, engine=engine)
    assert np.array_equal(mm.pairs, matching_coreset(e, n_parts=3, seed=5).pairs)


@pytest.mark.parametrize("epsilon", [0, -1, "a", float("nan")])
def test_edcs_matching_refuses_an_invalid_epsilon(epsilon):
    """epsilon = 0 divided by zero, a string raised TypeError, and -1 reported a ratio of 5/3."""
    with pytest.raises(InvalidParameterError, match="epsilon"):
        edcs_coreset_matching([(0, 1), (1, 2), (2, 3)], epsilon=epsilon)
