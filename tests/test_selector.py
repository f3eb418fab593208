"""SubsetSelector: scikit-learn conventions, warm start, knapsack, errors."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from submodkit.constraints import Knapsack  # noqa: E402
from submodkit.errors import InvalidParameterError  # noqa: E402
from submodkit.objectives import FacilityLocation, pairwise_similarity, similarity  # noqa: E402
from submodkit.objectives.mixture import Mixture  # noqa: E402
from submodkit.selector import EXPECTED_FAILED_CHECKS, SubsetSampler, SubsetSelector  # noqa: E402
from submodkit.solvers.submodular.brute_force import brute_force_maximize  # noqa: E402
from submodkit.solvers.submodular.greedy import maximize  # noqa: E402

EXPECTED_FAILED = EXPECTED_FAILED_CHECKS  # declared by the selector, with their reasons


@parametrize_with_checks([SubsetSelector(5)], expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _X(seed=0, n=30, d=4):
    return np.random.default_rng(seed).random((n, d))


def test_fit_transform_attributes_and_pipeline():
    X = _X()
    sel = SubsetSelector(5, random_state=0)
    out = sel.fit_transform(X)
    ref = maximize(FacilityLocation(pairwise_similarity(X)), 5)
    assert sel.ranking_.tolist() == ref.selection.tolist()
    np.testing.assert_allclose(sel.gains_, ref.gains)
    np.testing.assert_array_equal(out, X[sel.ranking_])
    np.testing.assert_array_equal(sel.transform(X), out)
    assert sel.solution_.guarantee is not None and sel.n_features_in_ == 4
    pipe = Pipeline([("scale", MinMaxScaler()), ("select", SubsetSelector(4, objective="feature-based"))])
    assert pipe.fit_transform(X).shape == (4, 4)


def test_knapsack_sample_cost_is_a_budget():
    X = _X(1, n=10)
    costs = np.random.default_rng(1).random(10) + 0.2
    sel = SubsetSelector(1.5, metric="euclidean").fit(X, sample_cost=costs)
    assert costs[sel.ranking_].sum() <= 1.5 + 1e-12
    f = FacilityLocation(pairwise_similarity(X))
    opt = brute_force_maximize(f, constraint=Knapsack(costs, 1.5)).value
    assert sel.solution_.value >= sel.solution_.guarantee.ratio * opt - 1e-9


def test_initial_subset_warm_start():
    X = _X(2)
    f = FacilityLocation(pairwise_similarity(X))
    full = maximize(f, 6)
    warm = SubsetSelector(4, initial_subset=full.selection[:2]).fit(X)
    assert warm.ranking_.tolist() == full.selection[2:].tolist()  # greedy continues where it was
    np.testing.assert_allclose(warm.gains_, full.gains[2:])
    assert warm.solution_.value == pytest.approx(full.value)
    apricot = pytest.importorskip("apricot")
    # apricot's naive optimizer (its lazy one breaks an exact tie here the other way)
    a = apricot.FacilityLocationSelection(4, metric="precomputed", optimizer="naive",
                                          initial_subset=full.selection[:2]).fit(pairwise_similarity(X))
    assert list(a.ranking) == warm.ranking_.tolist()
    np.testing.assert_allclose(a.gains, warm.gains_)


def test_knn_mixture_and_graph_cut():
    X = _X(3, n=40)
    knn = SubsetSelector(5, n_neighbors=8).fit(X)
    assert len(knn.ranking_) == 5 and knn.solution_.guarantee is not None
    mix = SubsetSelector(5, objective="mixture", components=["facility-location", "feature-based"],
                         mixture_weights=[1.0, 2.0]).fit(X)
    assert isinstance(mix.solution_, type(knn.solution_)) and len(mix.ranking_) == 5
    sim = pairwise_similarity(X)
    from submodkit.objectives import FeatureBased

    ref = Mixture([FacilityLocation(sim), FeatureBased(X)], [1.0, 2.0])
    assert mix.solution_.value == pytest.approx(ref.evaluate(mix.ranking_))
    cut = SubsetSelector(5, objective="graph-cut", lam=1.0, algorithm="auto", random_state=0).fit(X)
    assert cut.solution_.algorithm == "random-greedy"
    assert cut.solution_.guarantee.ratio == pytest.approx(1 / np.e)


def test_dense_similarity_too_big_names_n_neighbors(monkeypatch):
    monkeypatch.setattr(similarity, "_available_bytes", lambda: 1000)
    with pytest.raises(InvalidParameterError, match="n_neighbors"):
        SubsetSelector(3).fit(_X())
    assert len(SubsetSelector(3, n_neighbors=5).fit(_X()).ranking_) == 3


@pytest.mark.parametrize(
    "params",
    [{"objective": "kmeans"}, {"metric": "manhattan"}, {"n_samples": -1}, {"algorithm": "best"},
     {"objective": "mixture", "components": ["graph-cut"]}, {"initial_subset": [99]}],
)
def test_invalid_parameters(params):
    with pytest.raises(InvalidParameterError):
        SubsetSelector(**{"n_samples": 3, **params}).fit(_X())


def test_n_samples_as_a_fraction_of_the_rows():
    X = np.random.default_rng(0).random((200, 4))
    by_fraction = SubsetSelector(0.1).fit(X)
    by_count = SubsetSelector(20).fit(X)
    assert by_fraction.ranking_.tolist() == by_count.ranking_.tolist() and len(by_fraction.ranking_) == 20
    assert len(SubsetSelector(0.001).fit(X).ranking_) == 1  # at least one row
    with pytest.raises(InvalidParameterError, match="partial_fit"):
        SubsetSelector(0.1).partial_fit(X)


def _labelled(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)
    return X, y


def test_fit_resample_in_an_imbalanced_learn_pipeline():
    """The selector shrinks the training rows (X and y together) inside a pipeline, and the
    pipeline predicts on every row: the classifier is the one fitted on the selected rows."""
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline", reason="imbalanced-learn (test extra)")
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y = _labelled()
    pipe = imblearn_pipeline.make_pipeline(StandardScaler(), SubsetSampler(SubsetSelector(50)),
                                           LogisticRegression())
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (300,)  # the sampler is skipped at predict time
    Xs = StandardScaler().fit_transform(X)
    X_sel, y_sel = SubsetSelector(50).fit_resample(Xs, y)
    assert X_sel.shape == (50, 4) and y_sel.shape == (50,)
    direct = LogisticRegression().fit(X_sel, y_sel)
    assert np.allclose(pipe[-1].coef_, direct.coef_)
    assert pipe.set_params(subsetsampler__selector__n_samples=30).fit(X, y)[1].selector_.ranking_.size == 30
    with pytest.raises(InvalidParameterError, match="y"):
        SubsetSelector(5).fit_resample(X, None)
    sampler = SubsetSampler(SubsetSelector(50)).fit(Xs, y)  # the sampler API's fit returns self
    assert sampler.selector_.ranking_.tolist() == SubsetSelector(50).fit(Xs).ranking_.tolist()


@pytest.mark.parametrize("call", ["select", "fit_resample", "sampler"])
def test_y_of_another_length_is_refused_before_selecting(call):
    X, y = _labelled()
    run = {"select": lambda: SubsetSelector(5).select(X, y[:100]),
           "fit_resample": lambda: SubsetSelector(5).fit_resample(X, y[:100]),
           "sampler": lambda: SubsetSampler(SubsetSelector(5)).fit_resample(X, y[:100])}[call]
    with pytest.raises(InvalidParameterError, match="one per row of X"):
        run()


def test_log_determinant_under_continuous_greedy():
    """Continuous greedy's sampled sets hold more than n_samples rows: the log-determinant is
    sized for every row, and the answer is n_samples distinct rows whose reported value is
    theirs and at most the brute-force optimum."""
    from submodkit.solvers.submodular.brute_force import brute_force_maximize

    X, _ = _labelled(14)
    sel = SubsetSelector(4, objective="log-determinant", algorithm="continuous-greedy", random_state=0).fit(X)
    assert sel.ranking_.size == 4 and len(set(sel.ranking_.tolist())) == 4
    full = sel._objective(X, None, None, 14)
    assert sel.solution_.value == pytest.approx(full.evaluate(sel.ranking_))
    assert sel.solution_.value <= brute_force_maximize(full, 4).value + 1e-9


def _fitted_state(sel):
    """The selector's attributes that are not constructor parameters."""
    params = set(sel.get_params(deep=False))
    return {k: v for k, v in vars(sel).items() if k not in params}


def _same_state(a, b):
    return a.keys() == b.keys() and all(a[k] is b[k] for k in a)


@pytest.mark.parametrize("bad_call", [
    lambda sel: sel.fit(_X(1, d=6), sample_cost=np.ones(7)),  # X valid, sample_cost of the wrong length
    lambda sel: sel.fit(np.full((30, 6), np.nan)),  # X itself invalid
    lambda sel: sel.set_params(algorithm="no-such").fit(_X(1, d=6)),  # a parameter checked after X
    lambda sel: sel.fit(_X(1, d=6), similarity=np.ones((3, 3))),  # a similarity of the wrong shape
    lambda sel: sel.select(_X(1, d=6), np.zeros(5)),  # y of the wrong length
], ids=["sample_cost", "nan-X", "algorithm", "similarity", "select-y"])
def test_a_refit_that_fails_leaves_the_previous_fit_intact(bad_call):
    """validate_data set n_features_in_ from the failed call's X before the other checks ran:
    the selector was left with the old ranking_ and the new width, and transform refused the
    data it had been fitted on."""
    X = _X(0)
    sel = SubsetSelector(3).fit(X)
    before = _fitted_state(sel)
    with pytest.raises(ValueError):
        bad_call(sel)
    sel.set_params(algorithm="lazy")
    assert _same_state(_fitted_state(sel), before)  # the very same objects
    assert sel.n_features_in_ == 4
    assert np.array_equal(sel.transform(X), X[sel.ranking_])


def test_a_refit_that_fails_keeps_the_feature_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(_X(0), columns=list("abcd"))
    sel = SubsetSelector(3).fit(df)
    with pytest.raises(ValueError):
        sel.fit(np.full((30, 4), np.nan))
    assert sel.feature_names_in_.tolist() == list("abcd")
    assert sel.get_feature_names_out().tolist() == list("abcd")


def test_a_first_fit_that_fails_leaves_the_selector_unfitted():
    from sklearn.exceptions import NotFittedError

    sel = SubsetSelector(3)
    with pytest.raises(InvalidParameterError):
        sel.fit(_X(0), sample_cost=np.ones(2))
    assert not hasattr(sel, "n_features_in_")
    with pytest.raises(NotFittedError):
        sel.transform(_X(0))
