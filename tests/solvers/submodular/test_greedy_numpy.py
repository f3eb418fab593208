"""The numpy path of maximize (batched lazy greedy) against the Numba kernels, and the
Numba-free import."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from submodkit.errors import InvalidParameterError
from submodkit.objectives import (
    Coverage,
    FacilityLocation,
    FeatureBased,
    GraphCut,
    Mixture,
    ProbabilisticCoverage,
    SaturatedCoverage,
)
from submodkit.solvers.submodular import greedy
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.greedy import maximize


def _with_duplicates(rng, A):
    """Copy some rows onto others: exact ties between distinct candidates."""
    if A.shape[0] > 1:
        src = rng.integers(0, A.shape[0], A.shape[0] // 2)
        dst = rng.integers(0, A.shape[0], A.shape[0] // 2)
        A[dst] = A[src]
    return A


def _objectives(seed):
    """Instances whose gains are exact in floating point (small integers, identity / min),
    plus real-valued ones where every tie comes from duplicated rows."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 25)), int(rng.integers(1, 20))
    ints = _with_duplicates(rng, rng.integers(0, 4, (n, m)).astype(float))
    real = _with_duplicates(rng, rng.random((n, m)) * (rng.random((n, m)) < 0.6))
    sym = rng.integers(0, 5, (n, n)).astype(float)
    sym = sym + sym.T
    return [
        FacilityLocation(ints), FacilityLocation(sp.csr_matrix(ints)), FacilityLocation(real),
        FeatureBased(real, "sqrt"), FeatureBased(sp.csr_matrix(real), "log"), FeatureBased(ints, "identity"),
        FeatureBased(real, "inverse"), SaturatedCoverage(ints, caps=np.full(m, 2.0)),
        SaturatedCoverage(sp.csr_matrix(real), alpha=0.3), Coverage(ints > 1),
        GraphCut(sym, lam=0.5), GraphCut(sp.csr_matrix(sym), lam=0.25),
        Mixture([FacilityLocation(real), FeatureBased(real)], [1.0, 0.5]),
        Mixture([Coverage(sp.csr_matrix(ints > 1)), FeatureBased(sp.csr_matrix(ints), "min1")], [1.0, 2.0],
                modular=-rng.integers(0, 3, n).astype(float)),
        ProbabilisticCoverage(real * 0.9),
    ], rng


def _same(a, b):
    assert a.selection.tolist() == b.selection.tolist()
    np.testing.assert_allclose(a.gains, b.gains, rtol=1e-12, atol=1e-12)
    assert a.value == pytest.approx(b.value, rel=1e-12, abs=1e-12)
    if a.upper_bound is None:
        assert b.upper_bound is None
    else:
        assert a.upper_bound == pytest.approx(b.upper_bound, rel=1e-12, abs=1e-12)
    assert a.guarantee == b.guarantee


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kfrac=st.floats(0.0, 1.2))
def test_numpy_path_matches_numba(seed, kfrac):
    objs, rng = _objectives(seed)
    k = int(kfrac * objs[0].n)
    init = rng.choice(objs[0].n, size=min(2, objs[0].n), replace=False)
    for f in objs:
        for alg in ("lazy", "naive"):
            _same(maximize(f, k, algorithm=alg, backend="numba"),
                  maximize(f, k, algorithm=alg, backend="numpy"))
            a = maximize(f, k, algorithm=alg, backend="numba", initial=init)
            b = maximize(f, k, algorithm=alg, backend="numpy", initial=init)
            assert a.selection.tolist() == b.selection.tolist()
            assert a.value == pytest.approx(b.value, rel=1e-12, abs=1e-12)


def test_numpy_path_guarantee_against_brute_force():
    for seed in range(4):
        objs, _ = _objectives(seed)
        for f in objs[:10]:
            k = min(3, f.n)
            sol = maximize(f, k, backend="numpy")
            opt = brute_force_maximize(f, k).value
            assert sol.value >= sol.guarantee.ratio * opt - 1e-9
            assert sol.upper_bound >= opt - 1e-9
            assert sol.value == pytest.approx(f.evaluate(sol.selection))


def test_duplicates_tie_to_smallest_index():
    A = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    for backend in ("numpy", "numba"):
        assert maximize(FacilityLocation(A), 2, backend=backend).selection.tolist() == [0, 2]
    f = Coverage([[1], [0], [2], [0, 1]])
    assert maximize(f, 2, backend="numpy").selection.tolist() == [3, 2]


def test_backend_validation_and_policy(monkeypatch):
    f = FacilityLocation(np.eye(4))
    with pytest.raises(InvalidParameterError, match="backend"):
        maximize(f, 2, backend="gpu")
    with pytest.raises(InvalidParameterError, match="backend"):
        maximize(f, 2, algorithm="threshold", backend="numpy")
    monkeypatch.setattr(greedy, "numba_loaded", lambda: False)
    monkeypatch.setattr(greedy, "_numpy_seconds", [0.0])
    assert greedy.use_numpy(f, "auto", 2)
    assert not greedy.use_numpy(f, "numba", 2)
    monkeypatch.setattr(greedy, "NUMPY_MAX_WORK", 3)
    assert not greedy.use_numpy(f, "auto", 2)  # too large
    assert greedy.use_numpy(f, "numpy", 2)
    monkeypatch.setattr(greedy, "NUMPY_MAX_WORK", 10**9)
    monkeypatch.setattr(greedy, "_numpy_seconds", [greedy.NUMBA_STARTUP])
    assert not greedy.use_numpy(f, "auto", 2)  # the rent has paid for Numba's start-up


def test_cold_small_run_never_imports_numba():
    code = (
        "import sys, numpy as np\n"
        "from submodkit.objectives import FacilityLocation, FeatureBased, SaturatedCoverage, Coverage\n"
        "from submodkit.solvers.submodular.greedy import maximize\n"
        "assert 'numba' not in sys.modules, 'import'\n"
        "X = np.random.default_rng(0).random((60, 8))\n"
        "for f in (FacilityLocation(X @ X.T), FeatureBased(X), SaturatedCoverage(X, alpha=0.2),\n"
        "          Coverage(X > 0.7)):\n"
        "    maximize(f, 5)\n"
        "    maximize(f, 5, initial=[1, 2])\n"
        "assert 'numba' not in sys.modules, 'maximize'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_batched_path_matches_numba(monkeypatch, seed):
    """With the small-instance shortcut off, the batched lazy loop gives the same results."""
    from submodkit.solvers.submodular import greedy_numpy

    objs, _ = _objectives(seed)
    small = {id(f): maximize(f, 6, algorithm="lazy", backend="numpy") for f in objs}
    monkeypatch.setattr(greedy_numpy, "SMALL_STEP_WORK", 0)
    for f in objs:
        batched = maximize(f, 6, algorithm="lazy", backend="numpy")
        _same(batched, maximize(f, 6, algorithm="lazy", backend="numba"))
        _same(batched, small[id(f)])


def test_small_path_evaluations_and_bounds():
    """The all-fresh loop: step 0 uses the initial gains, step s re-evaluates the n - s live
    candidates; its stale keys are the final gains of the candidates left."""
    rng = np.random.default_rng(5)
    f = FacilityLocation(rng.random((12, 7)))
    sol = maximize(f, 4, backend="numpy", bound=False)
    assert sol.stats["evaluations"] == 12 + sum(12 - s for s in range(1, 4))
    ref = maximize(f, 4, backend="numba", bound=False)
    _same(sol, ref)
    a, b = maximize(f, 4, backend="numpy"), maximize(f, 4, backend="numba")
    assert a.upper_bound == pytest.approx(b.upper_bound, rel=1e-12)


def test_a_saturated_objective_ties_at_zero_without_refreshing_everything():
    """FLMI stops gaining once the query is covered: the numpy path then knows every stale
    key of 0 is a fresh 0 (monotone submodular) and picks the smallest index, as Numba does,
    without re-evaluating every candidate at every step."""
    from submodkit.objectives.information import FacilityLocationMI
    from submodkit.objectives.log_determinant import kernel_matrix
    from submodkit.solvers.submodular.greedy import maximize

    rng = np.random.default_rng(0)
    X, Q = rng.normal(size=(400, 4)), rng.normal(size=(3, 4))
    f = FacilityLocationMI(kernel_matrix(X, kernel="rbf", gamma=0.3),
                           kernel_matrix(X, Q, kernel="rbf", gamma=0.3))
    fast = maximize(f, 60, algorithm="lazy", bound=False, backend="numpy")
    ref = maximize(f, 60, algorithm="lazy", bound=False, backend="numba")
    assert fast.selection.tolist() == ref.selection.tolist()
    assert np.count_nonzero(fast.gains) < 60  # it does saturate
    assert fast.stats["evaluations"] < 400 * 20  # not a refresh of every candidate at every step


def _tied_coverage(n_sets=20_000, universe=500, per_set=5, seed=0):
    """Many small unit-weight sets over a small universe (rail-like): thousands of equal
    stale keys, and a universe covered well before k."""
    rng = np.random.default_rng(seed)
    return Coverage([rng.choice(universe, per_set, replace=False) for _ in range(n_sets)])


def test_stale_batches_grow_within_a_step(monkeypatch):
    """When thousands of stale keys tie above the best fresh gain, the batch doubles round by
    round inside the step: a logarithmic number of vectorized gain calls per step, not one
    per ``batch`` candidates (rail507 at k = 50 made 2,764 calls, 1.5 s, with the growth
    applied once per step)."""
    from submodkit.objectives import numpy_kernels

    f = _tied_coverage(n_sets=60_000, per_set=8)
    calls = []
    real = numpy_kernels.gains
    monkeypatch.setattr(numpy_kernels, "gains", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    fast = maximize(f, 50, algorithm="lazy", backend="numpy", bound=False)
    ref = maximize(f, 50, algorithm="lazy", backend="numba", bound=False)
    assert fast.selection.tolist() == ref.selection.tolist()
    assert len(calls) <= 50 * 5  # 107 calls here; 937 with the growth applied once per step


def test_saturated_coverage_fills_the_last_steps_unevaluated():
    """Once every live key is 0 (monotone submodular), every gain is exactly 0: the steps
    left take the smallest live indices without an evaluation, as Numba's ties rule does."""
    f = _tied_coverage(n_sets=5_000, universe=60)
    fast = maximize(f, 400, algorithm="lazy", backend="numpy", bound=False)
    ref = maximize(f, 400, algorithm="lazy", backend="numba", bound=False)
    assert fast.selection.tolist() == ref.selection.tolist()
    assert fast.value == ref.value == 60
    zero = int(np.argmax(fast.gains == 0))
    assert zero > 0 and not fast.gains[zero:].any()
    # before the shortcut every step after saturation evaluated at least a batch
    assert fast.stats["evaluations"] <= 5_000 * (zero + 3)
