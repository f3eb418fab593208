"""SubsetSelector.partial_fit (streaming), dtype and backend options."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from submodkit.errors import InvalidParameterError  # noqa: E402
from submodkit.objectives import FacilityLocation, FeatureBased, SaturatedCoverage  # noqa: E402
from submodkit.selector import SubsetSelector  # noqa: E402
from submodkit.solvers.submodular.brute_force import brute_force_maximize  # noqa: E402
from submodkit.solvers.submodular.streaming import StreamingMaximizer  # noqa: E402


def _X(seed=0, n=120, d=5):
    return np.random.default_rng(seed).random((n, d))


def _stream(f, k, eps=0.1):
    sm = StreamingMaximizer(f, k, epsilon=eps)
    sm.update(np.arange(f.n))
    return sm.solution()


@pytest.mark.parametrize("cuts", [[120], [1] * 120, [37, 37, 37, 9], [5, 100, 15]])
def test_partial_fit_feature_based_and_coverage_match_one_stream(cuts):
    X = _X()
    for objective, f in (("feature-based", FeatureBased(X, "sqrt")),
                         ("coverage", SaturatedCoverage(X, caps=np.full(X.shape[1], 1.5)))):
        sel = SubsetSelector(6, objective=objective, threshold=1.5)
        lo = 0
        for c in cuts:
            sel.partial_fit(X[lo:lo + c])
            lo += c
        ref = _stream(f, 6)
        assert sel.ranking_.tolist() == ref.selection.tolist()
        assert sel.solution_.value == pytest.approx(ref.value)
        np.testing.assert_array_equal(sel.subset_, X[sel.ranking_])
        assert sel.solution_.guarantee is not None


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "correlation"])
def test_partial_fit_facility_location_over_a_reference_set(metric):
    X = _X(1)
    ref = X[:25]
    sel = SubsetSelector(4, metric=metric, reference=ref)
    for lo in range(0, 120, 40):
        sel.partial_fit(X[lo:lo + 40])
    if metric == "euclidean":
        D = ((X[:, None, :] - ref[None, :, :]) ** 2).sum(-1)
        R = ((ref[:, None, :] - ref[None, :, :]) ** 2).sum(-1)
        sim = np.maximum(R.max() - D, 0.0)
    else:
        Z = X - X.mean(1, keepdims=True) if metric == "correlation" else X
        Zr = ref - ref.mean(1, keepdims=True) if metric == "correlation" else ref
        unit = Z / np.linalg.norm(Z, axis=1, keepdims=True)
        C = unit @ (Zr / np.linalg.norm(Zr, axis=1, keepdims=True)).T
        sim = np.maximum(C, 0.0) if metric == "cosine" else C * C
    f = FacilityLocation(sim)
    expect = _stream(f, 4)
    assert sel.ranking_.tolist() == expect.selection.tolist()
    assert sel.solution_.value == pytest.approx(f.evaluate(sel.ranking_))
    # no reference: the first batch is the reference set
    first = SubsetSelector(4, metric=metric).partial_fit(X[:30]).partial_fit(X[30:])
    again = SubsetSelector(4, metric=metric, reference=X[:30]).partial_fit(X)
    assert first.ranking_.tolist() == again.ranking_.tolist()


def test_partial_fit_guarantee_against_brute_force():
    for seed in range(3):
        X = _X(seed, n=12, d=4)
        sel = SubsetSelector(3, objective="feature-based", epsilon=0.1)
        for lo in range(0, 12, 5):
            sel.partial_fit(X[lo:lo + 5])
        opt = brute_force_maximize(FeatureBased(X), 3).value
        assert sel.solution_.value >= (0.5 - 0.1) * opt - 1e-9


def test_partial_fit_errors_and_fit_restarts():
    X = _X()
    with pytest.raises(InvalidParameterError):
        SubsetSelector(3, objective="graph-cut").partial_fit(X)
    sel = SubsetSelector(3, objective="feature-based").partial_fit(X[:50])
    with pytest.raises(ValueError):
        sel.partial_fit(X[:10, :3])  # another number of features
    sel.fit(X)  # fit starts over (a batch selection of the whole X)
    assert sel.ranking_.tolist() == SubsetSelector(3, objective="feature-based").fit(X).ranking_.tolist()
    sel.partial_fit(X[:50])
    assert sel.ranking_.max() < 50  # a new stream


def test_dtype_and_backend_options():
    X = _X(2, n=80)
    base = SubsetSelector(8).fit(X)
    for kw in ({"dtype": np.float32}, {"backend": "numpy"}, {"backend": "numba"},
               {"dtype": np.float32, "n_neighbors": 10}):
        other = SubsetSelector(8, **kw).fit(X)
        if "n_neighbors" not in kw:
            assert other.ranking_.tolist() == base.ranking_.tolist()
    assert SubsetSelector(8, dtype=np.float32).fit(X).ranking_.size == 8
    with pytest.raises(InvalidParameterError):
        SubsetSelector(3, backend="gpu").fit(X)
    # numpy backend with an algorithm numpy does not run: falls back to Numba
    assert SubsetSelector(3, backend="numpy", algorithm="threshold").fit(X).ranking_.size <= 3


@pytest.mark.parametrize("copy_with", ["pickle", "deepcopy"])
def test_a_stream_survives_pickle_and_copy(copy_with):
    """A selector pickled or copied after partial_fit continues the same stream."""
    import copy
    import pickle

    X = _X(3)
    sel = SubsetSelector(6, objective="feature-based").partial_fit(X[:40])
    other = pickle.loads(pickle.dumps(sel)) if copy_with == "pickle" else copy.deepcopy(sel)
    sel.partial_fit(X[40:])
    other.partial_fit(X[40:])
    assert other.ranking_.tolist() == sel.ranking_.tolist()
    assert other.solution_.value == sel.solution_.value


def test_a_first_batch_that_cannot_be_a_reference_is_refused():
    """Without reference=, the first batch is facility location's reference set: one row, or
    rows all alike under the euclidean metric, would make every later gain zero."""
    X = _X(4)
    with pytest.raises(InvalidParameterError, match="first batch"):
        SubsetSelector(5).partial_fit(X[:1])
    with pytest.raises(InvalidParameterError, match="identical"):
        SubsetSelector(5).partial_fit(np.repeat(X[:1], 4, axis=0))
    sel = SubsetSelector(5, reference=X[:30]).partial_fit(X[:1]).partial_fit(X[1:])  # a reference given
    assert 1 <= sel.ranking_.size <= 5


def test_log_determinant_selections_do_not_depend_on_what_ran_before():
    """backend="auto" runs a log-determinant in Numba whether or not Numba was loaded."""
    from submodkit.objectives import LogDeterminant
    from submodkit.solvers.submodular.greedy import use_numpy

    X = _X(5, n=40)
    assert not use_numpy(LogDeterminant(X @ X.T + np.eye(40), max_size=5), "auto", 5)
    assert use_numpy(LogDeterminant(X @ X.T + np.eye(40), max_size=5), "numpy", 5)


def test_n_samples_fractions_and_the_algorithms_a_selector_runs():
    """A fraction in (0, 1] of any float type; double greedy (no size limit) is refused with
    a message naming the algorithms a selector runs."""
    X = _X(6, n=40)
    assert SubsetSelector(1.0, objective="feature-based").fit(X).ranking_.size == 40
    assert SubsetSelector(np.float32(0.25)).fit(X).ranking_.size == 10
    quarter = SubsetSelector(np.float64(0.25)).fit(X).ranking_
    assert quarter.tolist() == SubsetSelector(10).fit(X).ranking_.tolist()
    with pytest.raises(InvalidParameterError, match="lazy"):
        SubsetSelector(5, algorithm="double-greedy").fit(X)


def _fitted_state(sel):
    params = set(sel.get_params(deep=False))
    return {k: v for k, v in vars(sel).items() if k not in params}


def test_a_batch_that_fails_leaves_the_stream_as_it_was():
    """A batch of another width is refused, and the stream goes on as if it had not come."""
    X = _X(0, n=40)
    ref = SubsetSelector(4, objective="feature-based").partial_fit(X[:20]).partial_fit(X[20:])
    sel = SubsetSelector(4, objective="feature-based").partial_fit(X[:20])
    before = _fitted_state(sel)
    with pytest.raises(ValueError):
        sel.partial_fit(_X(1, n=5, d=7))
    after = _fitted_state(sel)
    assert after.keys() == before.keys() and all(after[k] is before[k] for k in before)
    assert sel.n_features_in_ == 5
    sel.partial_fit(X[20:])
    assert sel.ranking_.tolist() == ref.ranking_.tolist()


def test_a_partial_fit_that_fails_keeps_the_previous_fit():
    """partial_fit on a selector fitted by fit() with an objective that cannot stream set
    n_features_in_ from the batch before refusing the objective."""
    X = _X(0, n=30)
    sel = SubsetSelector(3, objective="graph-cut").fit(X)
    ranking = sel.ranking_.tolist()
    with pytest.raises(InvalidParameterError, match="objective"):
        sel.partial_fit(_X(1, n=5, d=8))
    assert sel.n_features_in_ == 5 and sel.ranking_.tolist() == ranking
    assert np.array_equal(sel.transform(X), X[ranking])
    sel.set_params(objective="feature-based")  # a stream can still start after the failure
    sel.partial_fit(X[:10])
    assert sel.n_features_in_ == 5 and len(sel.ranking_) == 3
