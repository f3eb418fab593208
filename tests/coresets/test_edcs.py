"""EDCS: the defining degree conditions, and core-set ratios against the exact maximum matching."""

import networkx as nx
import numpy as np
import pytest

from submodkit.coresets.edcs import edcs, edcs_coreset_matching, matching_coreset
from submodkit.errors import InvalidParameterError
from submodkit.solvers.matching import as_edge_list


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
    sol = edcs_coreset_matching(e, parts=4, beta=8, seed=seed)
    assert np.unique(sol.pairs).size == sol.pairs.size
    assert len(sol) <= opt
    assert len(sol) >= (2 / 3) * opt  # (3/2 + eps) approximation, observed well above
    assert sol.stats["coreset_edges"] < len(e)
    mm = matching_coreset(e, parts=4, seed=seed)
    assert opt / 3 <= len(mm) <= opt


def test_edcs_rejects_bad_parameters():
    with pytest.raises(InvalidParameterError):
        edcs([(0, 1)], beta=3, beta_minus=3)
    with pytest.raises(InvalidParameterError):
        edcs([(0, 1)], beta=1)
