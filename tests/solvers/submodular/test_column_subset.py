"""Greedy column subset selection: its value is the projection it claims, it never beats the
brute-force optimum nor the best rank-k approximation (the certificate), it is the classic
greedy (checked against a direct implementation that projects explicitly), and the
distributed core-set version runs on threads and Dask with the same certificate."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

import submodkit as sk
from submodkit.coresets import distributed_column_subset
from submodkit.errors import InvalidParameterError
from submodkit.solvers.submodular.column_subset import projection_value, rank_k_value


def _naive_greedy(A, k):
    """Greedy CSSP by explicit projections: the reference."""
    sel = []
    for _ in range(k):
        best, val = None, -1.0
        for j in range(A.shape[1]):
            if j in sel:
                continue
            v = projection_value(A, sel + [j])
            if v > val + 1e-12:
                best, val = j, v
        sel.append(best)
    return sel


def _matrix(rng, m, n):
    low = rng.normal(size=(m, 3)) @ rng.normal(size=(3, n))  # a strong rank-3 part
    return low + 0.3 * rng.normal(size=(m, n))


@pytest.mark.parametrize("seed", range(12))
def test_greedy_matches_the_reference_and_respects_the_optimum(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(5, 15)), int(rng.integers(4, 10))
    A = _matrix(rng, m, n)
    for k in (1, 2, 3):
        sol = sk.column_subset(A, k)
        assert sol.selection.tolist() == _naive_greedy(A, k)
        assert sol.value == pytest.approx(projection_value(A, sol.selection), rel=1e-9)
        assert sol.gains.sum() == pytest.approx(sol.value, rel=1e-9)
        opt = max(projection_value(A, S) for S in itertools.combinations(range(n), k))
        assert sol.value <= opt + 1e-9
        assert opt <= sol.upper_bound * (1 + 1e-9)  # ||A_k||^2 bounds every k columns
        assert sol.upper_bound == pytest.approx(rank_k_value(A, k))
        s = np.linalg.svd(A, compute_uv=False)
        assert sol.stats["svd_residual"] == pytest.approx(float((s[k:] ** 2).sum()), abs=1e-8)
        assert sol.stats["residual"] == pytest.approx(float(np.linalg.norm(A) ** 2 - sol.value), abs=1e-8)


def test_rank_deficient_and_sparse_inputs():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(20, 2)) @ rng.normal(size=(2, 8))  # rank 2
    sol = sk.column_subset(A, 5)
    assert len(sol.selection) == 2  # nothing is left after two columns
    assert sol.value == pytest.approx(np.linalg.norm(A) ** 2)
    S = sp.random(30, 12, density=0.3, random_state=2, format="csr")
    assert sk.column_subset(S, 3).selection.tolist() == sk.column_subset(S.toarray(), 3).selection.tolist()


@pytest.mark.parametrize("engine", ["threads", None])
def test_distributed_core_sets(engine):
    rng = np.random.default_rng(3)
    A = _matrix(rng, 40, 60)
    central = sk.column_subset(A, 6)
    dist = distributed_column_subset(A, 6, n_parts=4, core_size=12, engine=engine, seed=0)
    again = distributed_column_subset(A, 6, n_parts=4, core_size=12, engine=engine, seed=0)
    assert dist.selection.tolist() == again.selection.tolist()  # deterministic for a seed
    assert len(set(dist.selection.tolist())) == 6
    assert dist.value == pytest.approx(projection_value(A, dist.selection))
    assert dist.value <= dist.upper_bound == pytest.approx(central.upper_bound)
    assert dist.value >= 0.8 * central.value  # the core-sets keep most of greedy's value here
    assert dist.stats["union"] <= 4 * 12


def test_distributed_on_dask():
    pytest.importorskip("distributed")
    rng = np.random.default_rng(4)
    A = _matrix(rng, 25, 30)
    threads = distributed_column_subset(A, 4, n_parts=3, seed=1)
    dask = distributed_column_subset(A, 4, n_parts=3, seed=1, engine="dask")
    assert dask.selection.tolist() == threads.selection.tolist()


def test_bad_input():
    with pytest.raises(InvalidParameterError):
        sk.column_subset(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(InvalidParameterError):
        sk.column_subset(np.eye(3), 1, algorithm="svd")
    with pytest.raises(InvalidParameterError, match="core_size"):
        distributed_column_subset(np.eye(4), 3, core_size=2)
