"""Bipartite assignment against scipy, b-matching against an LP/brute force, VCG by brute force."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from submodkit.errors import InvalidParameterError
from submodkit.solvers.matching._kernels import _cancel_negative_cycles
from submodkit.solvers.matching.assignment import b_matching, max_weight_assignment, position_auction


@pytest.mark.parametrize("seed", range(30))
def test_assignment_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(1, 12, 2)
    W = rng.normal(size=(a, b)) if seed % 2 else rng.integers(-5, 30, (a, b)).astype(float)
    for maximize in (True, False):
        r, c = linear_sum_assignment(W, maximize=maximize)
        sol = max_weight_assignment(W, maximize=maximize)
        assert sol.value == pytest.approx(W[r, c].sum(), abs=1e-9)
        assert len(sol.rows) == min(a, b)
        assert np.unique(sol.rows).size == sol.rows.size and np.unique(sol.cols).size == sol.cols.size
        assert sol.value == pytest.approx(W[sol.rows, sol.cols].sum())


def test_assignment_forbidden_and_errors():
    W = np.array([[1.0, -np.inf], [-np.inf, 2.0]])
    assert max_weight_assignment(W).value == 3.0
    with pytest.raises(InvalidParameterError):
        max_weight_assignment([[np.nan]])
    with pytest.raises(InvalidParameterError):
        max_weight_assignment([[-np.inf, -np.inf], [1.0, 2.0]])


def _brute_b_matching(W, rc, cc):
    edges = [(i, j) for i in range(W.shape[0]) for j in range(W.shape[1]) if W[i, j] > 0]
    best = 0.0
    for mask in range(1 << len(edges)):
        chosen = [edges[k] for k in range(len(edges)) if mask >> k & 1]
        ri = np.bincount([e[0] for e in chosen], minlength=W.shape[0])
        ci = np.bincount([e[1] for e in chosen], minlength=W.shape[1])
        if np.all(ri <= rc) and np.all(ci <= cc):
            best = max(best, sum(W[e] for e in chosen))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_b_matching_brute_force(seed):
    rng = np.random.default_rng(seed)
    W = rng.integers(0, 9, (3, 4)).astype(float) * (rng.random((3, 4)) < 0.8)
    if seed % 3 == 0:
        W = W / 10.0 + 0.05 * (W > 0)
    rc, cc = rng.integers(0, 3, 3), rng.integers(1, 3, 4)
    sol = b_matching(W, rc, cc)
    assert sol.value == pytest.approx(_brute_b_matching(W, rc, cc))
    assert np.all(np.bincount(sol.rows, minlength=3) <= rc)
    assert np.all(np.bincount(sol.cols, minlength=4) <= cc)


def test_b_matching_unit_equals_assignment():
    rng = np.random.default_rng(7)
    W = rng.integers(1, 50, (20, 30)).astype(float)
    assert b_matching(W).value == max_weight_assignment(W).value


def _welfare(V):
    n, k = V.shape
    best = 0.0
    for perm in itertools.permutations(range(n), min(n, k)):  # perm[s] = bidder at position s
        best = max(best, sum(V[perm[s], s] for s in range(min(n, k))))
    return best


@pytest.mark.parametrize("seed", range(15))
def test_vcg_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    if seed % 2:  # separable click-through-rate model
        V = np.outer(rng.integers(1, 20, n), np.sort(rng.random(k))[::-1])
    else:
        V = rng.integers(0, 10, (n, k)).astype(float)
    sol = position_auction(V)
    W = _welfare(V)
    assert sol.value == pytest.approx(W)
    got = np.zeros(n)
    got[sol.rows] = V[sol.rows, sol.cols]
    for i in range(n):
        without = _welfare(np.delete(V, i, axis=0)) if n > 1 else 0.0
        assert sol.payments[i] == pytest.approx(without - (W - got[i]), abs=1e-9)
        assert -1e-9 <= sol.payments[i] <= got[i] + 1e-9  # individually rational


def test_b_matching_is_optimal_on_float_weights_that_round_alike():
    # rounded to 9 significant digits the two diagonals tie; only the float weights tell
    a, b = 1.0000000001 / 3, 1 / 3
    sol = b_matching([[a, b], [b, a]])
    assert sol.rows.tolist() == [0, 1] and sol.cols.tolist() == [0, 1]
    assert sol.value == 2 * a
    assert sol.stats["cycles_cancelled"] >= 1 and sol.stats["max_gap"] < 1e-14


@pytest.mark.parametrize("seed", range(8))
def test_b_matching_near_ties_equal_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    W = (1.0 + rng.integers(0, 3, (3, 4)) * 1e-11 + rng.random((3, 4)) * 1e-13) * (rng.random((3, 4)) < 0.85)
    rc, cc = rng.integers(1, 3, 3), rng.integers(1, 3, 4)
    sol = b_matching(W, rc, cc)
    best = _brute_b_matching(W, rc, cc)
    assert sol.value >= best - sol.stats["max_gap"]
    assert np.all(np.bincount(sol.rows, minlength=3) <= rc)
    assert np.all(np.bincount(sol.cols, minlength=4) <= cc)


def test_b_matching_repair_from_scratch_equals_the_flow_start():
    # cycle cancelling alone, from the empty matching, reaches the same optimum value
    rng = np.random.default_rng(3)
    W = rng.random((40, 50)) * (rng.random((40, 50)) < 0.3)
    rc, cc = rng.integers(1, 4, 40), rng.integers(1, 3, 50)
    sol = b_matching(W, rc, cc)
    ii, jj = np.nonzero(W > 0)
    x = np.zeros(ii.size, np.int8)
    _cancel_negative_cycles(40, 50, ii.astype(np.int64), jj.astype(np.int64), W[ii, jj], x, rc, cc, 1e-15)
    assert W[ii, jj][x > 0].sum() == pytest.approx(sol.value, abs=1e-9)


def test_sparse_assignment_uses_only_stored_pairs():
    import scipy.sparse as sp
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    # dense reading (missing = 0) would pick (0, 1) and (1, 0) for weight 0 + 0 > -5 - 5
    W = sp.csr_matrix(np.array([[-5.0, 0.0], [0.0, -5.0]]))
    W.eliminate_zeros()
    sol = max_weight_assignment(W)
    assert sol.rows.tolist() == [0, 1] and sol.cols.tolist() == [0, 1] and sol.value == -10.0
    rng = np.random.default_rng(5)
    for _ in range(20):
        A = sp.random(8, 11, density=0.4, random_state=rng, format="csr") + sp.eye(8, 11, format="csr")
        ours = max_weight_assignment(A, maximize=False)
        r, c = min_weight_full_bipartite_matching(A)
        assert ours.value == pytest.approx(A[r, c].sum())
        assert all(A[i, j] != 0 for i, j in zip(ours.rows, ours.cols, strict=True))
    with pytest.raises(InvalidParameterError, match="complete assignment"):
        max_weight_assignment(sp.csr_matrix(np.array([[1.0, 0.0], [2.0, 0.0]])))


@pytest.mark.parametrize("shape", [(0, 0), (2, 0), (0, 3)])
def test_empty_assignment(shape):
    from scipy.optimize import linear_sum_assignment

    sol = max_weight_assignment(np.zeros(shape))
    r, c = linear_sum_assignment(np.zeros(shape))
    assert sol.rows.size == r.size == 0 and sol.cols.size == c.size == 0 and sol.value == 0.0
