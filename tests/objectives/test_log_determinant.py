"""Log-determinant objective: values against numpy's slogdet, gains, every optimizer,
greedy's guarantee against brute force, features without an n x n kernel, bad input."""

import itertools
import math

import numpy as np
import pytest

import submodkit as sk
from submodkit.errors import InvalidParameterError
from submodkit.objectives import numpy_kernels as NK
from submodkit.objectives.log_determinant import LogDeterminant, kernel_matrix, schur_kernel


def _kernel(rng, n, d=4, kind="rbf"):
    X = rng.normal(size=(n, d))
    return X, kernel_matrix(X, kernel=kind, gamma=0.5)


def _logdet(L, S, lam):
    S = list(S)
    if not S:
        return 0.0
    sign, val = np.linalg.slogdet(L[np.ix_(S, S)] + lam * np.eye(len(S)))
    assert sign > 0
    return float(val)


@pytest.mark.parametrize("lam", [1.0, 0.25, 3.0])
@pytest.mark.parametrize("kind", ["rbf", "linear"])
def test_values_and_gains_match_slogdet(lam, kind):
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(2, 15))
        _, L = _kernel(rng, n, kind=kind)
        f = LogDeterminant(L, regularization=lam)
        S = rng.choice(n, size=int(rng.integers(0, n)), replace=False).tolist()
        assert f.evaluate(S) == pytest.approx(_logdet(L, S, lam), abs=1e-9)
        g = f.gains(S)
        for j in range(n):
            want = 0.0 if j in S else _logdet(L, S + [j], lam) - _logdet(L, S, lam)
            assert g[j] == pytest.approx(want, abs=1e-8)
        # the numpy kernels agree with the compiled ones
        cur = f.new_state()
        for j in S:
            NK.commit(f.kernel_args(), cur, j)
        np.testing.assert_allclose(cur, f.state(S), atol=1e-12)
        assert NK.value(f.kernel_args(), f.new_state(), np.asarray(S, dtype=np.int64)) == pytest.approx(
            f.evaluate(S), abs=1e-9)


@pytest.mark.parametrize("kernel", ["rbf", "linear", "cosine"])
def test_features_equal_the_precomputed_kernel(kernel):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(25, 5))
    f = LogDeterminant.from_features(X, kernel=kernel, gamma=0.3)
    g = LogDeterminant(kernel_matrix(X, kernel=kernel, gamma=0.3))
    assert f.dense.shape == (25, 5)  # no n x n matrix
    for _ in range(10):
        S = rng.choice(25, size=6, replace=False)
        assert f.evaluate(S) == pytest.approx(g.evaluate(S), abs=1e-9)
        np.testing.assert_allclose(f.gains(S), g.gains(S), atol=1e-9)
    assert sk.maximize(f, 8).value == pytest.approx(sk.maximize(g, 8).value, abs=1e-9)


def test_greedy_guarantee_against_brute_force():
    rng = np.random.default_rng(11)
    worst = 1.0
    for _ in range(20):
        n, k = int(rng.integers(6, 12)), int(rng.integers(2, 5))
        _, L = _kernel(rng, n, d=3)
        f = LogDeterminant(L)
        opt = max(_logdet(L, S, 1.0) for S in itertools.combinations(range(n), k))
        for backend in ("numpy", "numba"):
            sol = sk.maximize(f, k, algorithm="lazy", backend=backend)
            assert sol.value == pytest.approx(f.evaluate(sol.selection), abs=1e-9)
            assert sol.guarantee is not None
            assert sol.value >= (1 - (1 - 1 / k) ** k) * opt - 1e-9
            worst = min(worst, sol.value / opt)
        assert sk.brute_force_maximize(f, k).value == pytest.approx(opt, abs=1e-9)
    assert worst <= 1.0


def test_every_optimizer_runs_and_reports_true_values():
    rng = np.random.default_rng(5)
    X, L = _kernel(rng, 40, d=3)
    f = LogDeterminant(L, max_size=12)
    runs = [
        sk.maximize(f, 8, algorithm="naive"),
        sk.maximize(f, 8, algorithm="stochastic", seed=1),
        sk.maximize(f, 8, algorithm="threshold"),
        sk.maximize(f, constraint=sk.Knapsack(np.full(40, 1.0), 6.0)),
        sk.maximize(f, constraint=sk.PartitionMatroid(np.arange(40) % 4, [2, 2, 2, 2])),
        sk.random_greedy(f, 6, seed=2),
        sk.adaptive_maximize(f, 6, seed=3),
        sk.coresets.greedi(f, 6, n_parts=4, seed=0),
    ]
    stream = sk.StreamingMaximizer(f, 6)
    stream.update(np.arange(40))
    runs.append(stream.solution())
    lazy = sk.maximize(f, 8, algorithm="lazy").value
    for sol in runs:
        sel = np.asarray(sol.selection)
        assert len(set(sel.tolist())) == sel.size <= 12
        assert sol.value == pytest.approx(f.evaluate(sel), rel=1e-9, abs=1e-9), sol.algorithm
        assert sol.value <= lazy + 1e-9 or sel.size > 6


def test_max_size_is_enforced_at_the_boundary():
    rng = np.random.default_rng(0)
    _, L = _kernel(rng, 20)
    f = LogDeterminant(L, max_size=5)
    assert f.state_size == 1 + 20 * 6
    with pytest.raises(InvalidParameterError, match="max_size"):
        sk.maximize(f, 6)
    with pytest.raises(InvalidParameterError, match="max_size"):
        f.evaluate(list(range(6)))
    with pytest.raises(InvalidParameterError, match="max_size"):
        sk.StreamingMaximizer(f, 6)
    with pytest.raises(InvalidParameterError, match="max_size"):
        sk.maximize(f, constraint=sk.Knapsack(np.ones(20), 7.0))
    assert f.evaluate([1, 1, 2, 3, 4, 5]) == pytest.approx(_logdet(L, [1, 2, 3, 4, 5], 1.0))
    sk.maximize(f, constraint=sk.Knapsack(np.ones(20), 5.0))  # at most 5 items fit: accepted


def test_monotone_only_with_regularization_at_least_one():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(12, 2))
    L = kernel_matrix(X, kernel="linear")  # rank 2: a third item adds log(lam) < 0 for lam < 1
    f = LogDeterminant(L, regularization=0.1)
    assert not f.monotone and f.submodular
    sol = sk.maximize(f, 6)
    assert sol.guarantee is None
    assert min(f.gains([0, 1, 2])[3:]) < 0  # gains do turn negative
    assert LogDeterminant(L).monotone


def test_singular_selection_scores_the_floor_not_nan():
    L = np.ones((3, 3))  # rank one
    f = LogDeterminant(L, regularization=0.0)
    v = f.evaluate([0, 1])
    assert math.isfinite(v) and v < -600


def test_schur_kernel_conditions_on_a_set():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(9, 3))
    J = kernel_matrix(X, kernel="rbf", gamma=0.4)
    V, Q = list(range(6)), [6, 7, 8]
    T = schur_kernel(J[np.ix_(V, V)], J[np.ix_(V, Q)], J[np.ix_(Q, Q)], 1.0, 1.0)
    for S in ([0], [1, 4], [0, 2, 5]):
        want = _logdet(J, S + Q, 1.0) - _logdet(J, Q, 1.0)
        assert _logdet(T, S, 1.0) == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("bad, match", [
    (np.array([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (np.array([[1.0, 2.0], [2.0, 1.0]]), "semi-definite"),
    (np.ones((2, 3)), "square"),
    (np.array([[np.nan, 0.0], [0.0, 1.0]]), "finite"),
])
def test_bad_kernels_are_refused(bad, match):
    with pytest.raises(InvalidParameterError, match=match):
        LogDeterminant(bad)


def test_bad_parameters_are_refused():
    L = np.eye(3)
    with pytest.raises(InvalidParameterError):
        LogDeterminant(L, regularization=-1.0)
    with pytest.raises(InvalidParameterError):
        LogDeterminant(L, max_size=4)
    with pytest.raises(InvalidParameterError):
        LogDeterminant.from_features(np.ones((3, 2)), kernel="poly")
