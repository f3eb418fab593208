"""`max_weight_assignment` (LAPJV dense, LAPJVsp-style sparse) against scipy's solvers.

Optimal values must equal ``scipy.optimize.linear_sum_assignment`` (dense) and
``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` (sparse) on many random
instances: square and rectangular, varied density, integer weights with many ties, negative
and zero weights, both senses, instances with no full matching (scipy raises ValueError, we
raise InvalidParameterError). Every assignment is checked to be one: each row and column used
once, min(n, m) pairs, only allowed pairs, the value their sum.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from submodkit.errors import InvalidParameterError
from submodkit.results import AssignmentSolution
from submodkit.solvers.matching.assignment import max_weight_assignment


def _weights(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    if kind == "normal":
        return rng.normal(size=shape)
    if kind == "ties":  # a handful of values: plateaus of equal reduced costs
        return rng.integers(0, 3, shape).astype(float)
    if kind == "signed":  # negative, zero and positive integers
        return rng.integers(-5, 6, shape).astype(float)
    if kind == "wide":
        return rng.integers(0, 1000, shape).astype(float)
    if kind == "tiny-gaps":  # bids that differ in the last digits: long price wars
        return 1.0 + rng.integers(0, 4, shape) * 1e-12
    raise ValueError(kind)


def _check_valid(sol: AssignmentSolution, shape: tuple[int, int], allowed: np.ndarray, values: np.ndarray,
                 maximize: bool) -> None:
    n, m = shape
    assert isinstance(sol, AssignmentSolution) and sol.status == "optimal"
    assert sol.sense == ("max" if maximize else "min")
    assert sol.rows.dtype == np.int64 and sol.cols.dtype == np.int64
    assert sol.rows.size == sol.cols.size == min(n, m)
    assert np.all(np.diff(sol.rows) > 0)  # increasing, so each row once
    assert np.unique(sol.cols).size == sol.cols.size
    assert np.all((sol.rows >= 0) & (sol.rows < n)) and np.all((sol.cols >= 0) & (sol.cols < m))
    assert np.all(allowed[sol.rows, sol.cols])
    assert sol.value == pytest.approx(values[sol.rows, sol.cols].sum(), rel=1e-12, abs=1e-12)
    assert sol.upper_bound == sol.lower_bound == sol.value


def _scipy_dense(D: np.ndarray, maximize: bool) -> float | None:
    try:
        r, c = linear_sum_assignment(D, maximize=maximize)
    except ValueError:  # no assignment avoiding the forbidden entries
        return None
    return float(D[r, c].sum())


def _ours(W, maximize: bool):
    try:
        return max_weight_assignment(W, maximize=maximize)
    except InvalidParameterError as exc:
        assert "complete assignment" in str(exc)
        return None


KINDS = ["normal", "ties", "signed", "wide", "tiny-gaps"]


@pytest.mark.parametrize("seed", range(40))
def test_dense_equals_linear_sum_assignment(seed):
    rng = np.random.default_rng(seed)
    n, m = (int(a) for a in rng.integers(1, 40, 2))
    if seed % 4 == 0:
        m = n
    W = _weights(rng, (n, m), KINDS[seed % len(KINDS)])
    for maximize in (True, False):
        sol = max_weight_assignment(W, maximize=maximize)
        assert sol.value == pytest.approx(_scipy_dense(W, maximize), rel=1e-12, abs=1e-9)
        _check_valid(sol, W.shape, np.ones(W.shape, bool), W, maximize)


@pytest.mark.parametrize(("shape", "kind"), [
    ((200, 200), "normal"), ((200, 200), "ties"), ((257, 257), "wide"), ((150, 400), "signed"),
    ((400, 150), "normal"), ((300, 300), "tiny-gaps"), ((130, 131), "ties"),
])
def test_dense_larger_equals_linear_sum_assignment(shape, kind):
    # several blocks of 64 columns, re-bid budgets used up, tight-edge searches, transposition
    rng = np.random.default_rng(sum(shape))
    W = _weights(rng, shape, kind)
    for maximize in (True, False):
        sol = max_weight_assignment(W, maximize=maximize)
        assert sol.value == pytest.approx(_scipy_dense(W, maximize), rel=1e-12, abs=1e-9)
        _check_valid(sol, shape, np.ones(shape, bool), W, maximize)


@pytest.mark.parametrize("seed", range(30))
def test_dense_forbidden_entries_equal_linear_sum_assignment(seed):
    rng = np.random.default_rng(100 + seed)
    n, m = (int(a) for a in rng.integers(1, 30, 2))
    W = _weights(rng, (n, m), KINDS[seed % len(KINDS)])
    allowed = rng.random((n, m)) < rng.choice([0.1, 0.3, 0.6])
    for maximize in (True, False):
        D = np.where(allowed, W, -np.inf if maximize else np.inf)
        ref = _scipy_dense(D, maximize)
        sol = _ours(D, maximize)
        assert (sol is None) == (ref is None)
        if sol is not None:
            assert sol.value == pytest.approx(ref, rel=1e-12, abs=1e-9)
            _check_valid(sol, D.shape, allowed, D, maximize)


def _sparse(rng: np.random.Generator, shape: tuple[int, int], density: float, kind: str, nonzero: bool):
    """A random CSR matrix of the allowed pairs, its mask and its dense weights."""
    n, m = shape
    allowed = rng.random(shape) < density
    W = _weights(rng, shape, kind)
    if nonzero:  # scipy's sparse solver wants non-zero weights
        W = np.where(W == 0, 0.5, W)
    rows, cols = np.nonzero(allowed)
    return sp.csr_matrix((W[rows, cols], (rows, cols)), shape=shape), allowed, W


@pytest.mark.parametrize("seed", range(60))
def test_sparse_equals_min_weight_full_bipartite_matching(seed):
    rng = np.random.default_rng(200 + seed)
    n, m = (int(a) for a in rng.integers(1, 60, 2))
    if seed % 3 == 0:
        m = n
    density = float(rng.choice([0.02, 0.05, 0.1, 0.25, 0.5, 1.0]))
    A, allowed, W = _sparse(rng, (n, m), density, KINDS[seed % len(KINDS)], nonzero=True)
    for maximize in (True, False):
        try:
            r, c = min_weight_full_bipartite_matching(A, maximize=maximize)
            ref = float(A[r, c].sum())
        except ValueError:  # no full matching
            ref = None
        sol = _ours(A, maximize)
        assert (sol is None) == (ref is None)
        if sol is not None:
            assert sol.value == pytest.approx(ref, rel=1e-12, abs=1e-9)
            _check_valid(sol, (n, m), allowed, W, maximize)


@pytest.mark.parametrize(("n", "m", "per_row", "kind"), [(400, 400, 3, "normal"), (400, 400, 6, "ties"),
                                                         (300, 500, 4, "wide"), (500, 300, 8, "signed"),
                                                         (600, 600, 2, "tiny-gaps")])
def test_sparse_larger_equals_min_weight_full_bipartite_matching(n, m, per_row, kind):
    # a few pairs per row plus a full matching: long augmenting paths, levels of ties
    rng = np.random.default_rng(n + m + per_row)
    k = min(n, m)
    rows = np.concatenate([rng.permutation(n)[:k], np.repeat(np.arange(n), per_row)])
    cols = np.concatenate([rng.permutation(m)[:k], rng.integers(0, m, n * per_row)])
    allowed = np.zeros((n, m), bool)
    allowed[rows, cols] = True
    W = _weights(rng, (n, m), kind)
    W = np.where(W == 0, 0.25, W)  # scipy's sparse solver wants non-zero weights
    r0, c0 = np.nonzero(allowed)
    A = sp.csr_matrix((W[r0, c0], (r0, c0)), shape=(n, m))
    for maximize in (True, False):
        r, c = min_weight_full_bipartite_matching(A, maximize=maximize)
        sol = max_weight_assignment(A, maximize=maximize)
        assert sol.value == pytest.approx(float(A[r, c].sum()), rel=1e-12, abs=1e-9)
        _check_valid(sol, (n, m), allowed, W, maximize)


@pytest.mark.parametrize("seed", range(30))
def test_sparse_with_zero_weights_equals_dense_with_forbidden_entries(seed):
    # explicit zeros are pairs of weight 0; missing pairs are forbidden (scipy's sparse solver
    # does not take zero weights, so the oracle is linear_sum_assignment with infinities)
    rng = np.random.default_rng(300 + seed)
    n, m = (int(a) for a in rng.integers(1, 40, 2))
    density = float(rng.choice([0.05, 0.2, 0.5]))
    A, allowed, W = _sparse(rng, (n, m), density, ["signed", "ties"][seed % 2], nonzero=False)
    for maximize in (True, False):
        D = np.where(allowed, W, -np.inf if maximize else np.inf)
        ref = _scipy_dense(D, maximize)
        sol = _ours(A, maximize)
        assert (sol is None) == (ref is None)
        if sol is not None:
            assert sol.value == pytest.approx(ref, abs=1e-9)
            _check_valid(sol, (n, m), allowed, W, maximize)


def test_explicit_zero_is_a_pair_and_a_missing_entry_is_not():
    A = sp.csr_matrix((np.array([0.0, -1.0, -1.0]), (np.array([0, 0, 1]), np.array([0, 1, 0]))), shape=(2, 2))
    assert A.nnz == 3  # the zero is stored
    sol = max_weight_assignment(A)  # (0, 0) = 0 is allowed, (1, 1) is not: only (0,1), (1,0)
    assert sol.cols.tolist() == [1, 0] and sol.value == -2.0
    B = sp.csr_matrix(np.array([[5.0, 0.0], [0.0, 5.0]]))  # zeros not stored: missing
    with pytest.raises(InvalidParameterError, match="complete assignment"):
        max_weight_assignment(sp.csr_matrix(np.array([[5.0, 0.0], [3.0, 0.0]])))
    assert max_weight_assignment(B).value == 10.0


@pytest.mark.parametrize("maximize", [True, False])
def test_sparse_infinities(maximize):
    forbidden, wrong = (-np.inf, np.inf) if maximize else (np.inf, -np.inf)
    pairs = (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    A = sp.csr_matrix((np.array([forbidden, 2.0, 3.0, 4.0]), pairs), shape=(2, 2))
    sol = max_weight_assignment(A, maximize=maximize)  # a stored forbidden entry is no pair
    assert sol.cols.tolist() == [1, 0] and sol.value == 5.0
    A.data[0] = wrong
    with pytest.raises(InvalidParameterError):
        max_weight_assignment(A, maximize=maximize)
    only_forbidden = sp.csr_matrix((np.array([forbidden]), (np.array([0]), np.array([0]))), shape=(1, 1))
    with pytest.raises(InvalidParameterError, match="complete assignment"):
        max_weight_assignment(only_forbidden, maximize=maximize)


def test_sparse_formats_give_the_same_assignment():
    rng = np.random.default_rng(9)
    A, allowed, W = _sparse(rng, (30, 45), 0.2, "ties", nonzero=True)
    A = A + sp.eye(30, 45, format="csr")  # a full matching exists
    ref = max_weight_assignment(A)
    coo = A.tocoo()
    doubled = sp.coo_matrix((np.concatenate([coo.data / 2, coo.data / 2]),
                             (np.concatenate([coo.row, coo.row]), np.concatenate([coo.col, coo.col]))),
                            shape=A.shape)  # duplicates are summed
    wide = A.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    for variant in (A.tocsc(), coo, sp.csr_array(A), doubled, wide, A.T.T):
        sol = max_weight_assignment(variant)
        assert sol.value == pytest.approx(ref.value, rel=1e-12)
        _check_valid(sol, A.shape, A.toarray() != 0, A.toarray(), True)


def test_sparse_is_never_densified():
    # 200,000 x 200,000: a dense copy would take 320 GB; the stored pairs are 800,000
    n = 200_000
    rng = np.random.default_rng(0)
    perm = rng.permutation(n)
    extra_rows = np.repeat(np.arange(n), 3)
    extra_cols = rng.integers(0, n, 3 * n)
    extra_cols = np.where(extra_cols == perm[extra_rows], (extra_cols + 1) % n, extra_cols)
    rows = np.concatenate([np.arange(n), extra_rows])
    cols = np.concatenate([perm, extra_cols])
    data = np.concatenate([np.ones(n), rng.random(3 * n) * 0.3])  # even summed, an extra pair is < 1
    A = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
    sol = max_weight_assignment(A)  # so the permutation is the only optimum
    assert np.array_equal(sol.rows, np.arange(n)) and np.array_equal(sol.cols, perm)
    assert sol.value == n


@pytest.mark.parametrize("shape", [(1, 1), (7, 7), (70, 70), (5, 90), (90, 5)])
def test_all_ties(shape):
    # every assignment is optimal: any valid one, value min(n, m)
    for W in (np.ones(shape), sp.csr_matrix(np.ones(shape))):
        for maximize in (True, False):
            sol = max_weight_assignment(W, maximize=maximize)
            assert sol.value == min(shape)
            _check_valid(sol, shape, np.ones(shape, bool), np.ones(shape), maximize)


def test_no_full_matching():
    W = np.array([[1.0, -np.inf, -np.inf], [2.0, -np.inf, -np.inf], [3.0, 4.0, 5.0]])
    with pytest.raises(InvalidParameterError, match="complete assignment"):
        max_weight_assignment(W)
    with pytest.raises(InvalidParameterError, match="complete assignment"):
        max_weight_assignment(np.full((3, 3), np.inf), maximize=False)
    S = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [3.0, 4.0, 5.0]]))
    with pytest.raises(ValueError):
        min_weight_full_bipartite_matching(S)
    with pytest.raises(InvalidParameterError, match="complete assignment"):
        max_weight_assignment(S)
    empty_column = sp.csr_matrix(np.array([[1.0, 0.0], [2.0, 0.0]]))
    empty_row = sp.csr_matrix(np.array([[1.0, 2.0], [0.0, 0.0]]))
    two_rows_one_column = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]))
    for S in (empty_column, empty_row, two_rows_one_column, two_rows_one_column.T):
        for maximize in (True, False):
            with pytest.raises(InvalidParameterError, match="complete assignment"):
                max_weight_assignment(S, maximize=maximize)


def test_inputs_are_not_modified():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(20, 30))
    A = sp.csr_matrix(np.where(rng.random((30, 20)) < 0.3, rng.normal(size=(30, 20)), 0.0)) + sp.eye(30, 20)
    W0, A0 = W.copy(), A.copy()
    for maximize in (True, False):
        max_weight_assignment(W, maximize=maximize)
        max_weight_assignment(A, maximize=maximize)
    assert np.array_equal(W, W0)
    assert np.array_equal(A.data, A0.data) and np.array_equal(A.indices, A0.indices)
