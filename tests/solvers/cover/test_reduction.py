"""Set-cover reduction keeps the optimum: brute force on the reduced instance (plus the fixed
sets) equals brute force on the whole, with and without outliers, on instances built to
have ties (equal sets, equal elements, equal costs)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.instances import read_instance
from submodkit.solvers.cover.reduction import reduce_set_cover
from tests.conftest import SHARED_DATA
from tests.helpers import set_cover_optimum

DATA = SHARED_DATA / "orlib-scp"


def _instance(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(6, 12)), int(rng.integers(4, 10))
    dense = rng.random((n, m)) < rng.uniform(0.2, 0.5)
    dense[rng.integers(0, n, size=m), np.arange(m)] = True
    if seed % 3 == 0:  # a repeated set and a repeated element
        dense[n - 1] = dense[0]
        dense[:, m - 1] = dense[:, 0]
    costs = rng.integers(0 if seed % 5 == 0 else 1, 4, size=n).astype(float)
    return dense, costs


@pytest.mark.parametrize("seed", range(60))
def test_reduction_keeps_theset_cover_optimum(seed):
    dense, costs = _instance(seed)
    red = reduce_set_cover(sp.csr_matrix(dense), costs)
    fixed_cost = float(costs[red.fixed].sum())
    rest = dense[red.sets][:, red.elements]
    assert rest.any(axis=0).all()  # what is left can still be covered
    assert fixed_cost + set_cover_optimum(rest, costs[red.sets]) == set_cover_optimum(dense, costs)
    # a cover of the reduced instance lifts to a cover of the whole
    full = red.lift(np.arange(red.sets.shape[0]))
    assert dense[full].any(axis=0).all()
    assert red.stats["sets_fixed"] == red.fixed.shape[0]


@pytest.mark.parametrize("seed", range(30))
def test_reduction_with_outliers_keeps_theset_cover_optimum(seed):
    dense, costs = _instance(seed)
    n_out = 1 + seed % 2
    red = reduce_set_cover(sp.csr_matrix(dense), costs, n_out=n_out)
    assert red.fixed.shape[0] == 0 and red.elements.shape[0] == dense.shape[1]  # rows untouched
    kept = set_cover_optimum(dense[red.sets], costs[red.sets], n_out)
    assert kept == set_cover_optimum(dense, costs, n_out)


def test_each_rule_on_a_small_case():
    # element 0 is only in set 0 (fixed); element 3 is only in sets holding element 2
    # (element 2 goes); set 3 holds what set 2 holds, at a higher cost (set 3 goes)
    dense = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]])
    red = reduce_set_cover(sp.csr_matrix(dense), np.array([1.0, 1.0, 1.0, 2.0, 5.0]))
    assert red.fixed.tolist() == [0, 2] and red.elements.tolist() == []
    assert red.stats["sets_costlier_than_cheapest"] >= 1  # set 4 costs 5 > 1 + 1 + 1 + 1
    assert red.stats["sets_contained"] >= 1


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data/orlib-scp is absent")
def test_rail507_reduces_by_two_thirds():
    inst = read_instance(DATA / "rail507.txt.gz")
    red = reduce_set_cover(inst.sets, inst.costs)
    assert red.sets.shape[0] < inst.n_sets / 2 and red.fixed.shape[0] > 0
    assert red.stats["containment_complete"]


@pytest.mark.parametrize("algorithm", ["lagrangian", "exact"])
def test_an_instance_the_reduction_solves_alone(algorithm):
    from submodkit.solvers.cover.set_covering import set_cover

    dense = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 1, 1, 1]])
    r = set_cover(dense, [1.0, 1.0, 1.0, 1.5], algorithm=algorithm)
    assert r.selection.tolist() == [0, 2] and r.value == 2.0 and r.lower_bound == 2.0
    assert r.status == "optimal" and r.stats["reduction"]["sets_fixed"] == 2


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("algorithm", ["lagrangian", "exact"])
def test_reduced_solves_match_brute_force(seed, algorithm):
    from submodkit.solvers.cover.set_covering import set_cover

    dense, costs = _instance(seed)
    costs = np.maximum(costs, 1.0)
    r = set_cover(dense, costs, algorithm=algorithm)
    opt = set_cover_optimum(dense, costs)
    assert dense[r.selection].any(axis=0).all() and r.value == float(costs[r.selection].sum())
    assert r.lower_bound <= opt + 1e-9 <= r.value + 1e-9
    if algorithm == "exact" or r.status == "optimal":
        assert r.value == opt
