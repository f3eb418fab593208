"""Feature selection by distributed diversity maximization (Zadeh et al., AAAI 2017)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.metrics import mutual_info_score

from submodkit.coresets.feature_selection import (
    combined_metric,
    discretize,
    feature_objective,
    mutual_information_distances,
    select_features,
)
from submodkit.errors import InvalidParameterError
from submodkit.objectives.distances import check_metric_space
from submodkit.solvers.diversity.exact import brute_force_diversity


def test_metric_against_sklearn_mutual_information():
    data = load_wine()
    codes = discretize(data.data, 8)
    D, rel = mutual_information_distances(data.data, data.target, bins=8)
    for i, j in [(0, 1), (3, 7), (5, 12)]:
        mi = mutual_info_score(codes[:, i], codes[:, j])
        joint = mutual_info_score(codes[:, i], codes[:, i]) + mutual_info_score(codes[:, j], codes[:, j]) - mi
        assert D[i, j] == pytest.approx(1.0 - mi / joint, abs=1e-9)
    assert rel == pytest.approx([mutual_info_score(codes[:, i], data.target) for i in range(13)], abs=1e-9)
    assert np.allclose(D, D.T) and D.min() >= 0 and D.max() <= 1
    assert "all" in check_metric_space(combined_metric(D, rel, 4, 0.5))


def test_metric_extremes():
    X = np.array([[0, 0, 0, 5], [0, 1, 0, 5], [1, 0, 1, 5], [1, 1, 1, 5]], dtype=float)
    D, _ = mutual_information_distances(X)
    assert D[0, 2] == 0.0  # identical columns
    assert D[0, 1] == pytest.approx(1.0)  # independent columns
    assert D[0, 3] == pytest.approx(1.0) and D[3, 3] == 0.0  # a constant column shares nothing


@pytest.mark.parametrize("loader, k", [(load_wine, 4), (load_wine, 6), (load_breast_cancer, 3)])
@pytest.mark.parametrize("lam", [0.3, 0.8])
def test_against_brute_force(loader, k, lam):
    data = load_wine() if loader is load_wine else load_breast_cancer()
    D, rel = mutual_information_distances(data.data, data.target)
    Dp = combined_metric(D, rel, k, lam)
    opt = brute_force_diversity(Dp, k, "max-sum", metric="precomputed").value
    for seed in range(3):
        sol = select_features(data.data, data.target, k, lam=lam, n_parts=3, seed=seed)
        assert len(set(sol.selection.tolist())) == k
        assert sol.value == pytest.approx(feature_objective(D, rel, sol.selection, lam))
        assert sol.value <= opt + 1e-9
        assert sol.guarantee.ratio == 0.25 and sol.guarantee.holds(sol.value, opt)
        assert sol.value >= 0.9 * opt  # measured: within 1% of the optimum here
        assert sol.stats["coreset_size"] <= 3 * k
    central = select_features(data.data, data.target, k, lam=lam, n_parts=1)
    assert central.guarantee.ratio == 0.5 and central.guarantee.holds(central.value, opt)


def test_engines_agree_and_deterministic():
    data = load_breast_cancer()
    a = select_features(data.data, data.target, 5, n_parts=4, engine="threads", seed=2)
    b = select_features(data.data, data.target, 5, n_parts=4, engine=None, seed=2)
    assert np.array_equal(a.selection, b.selection) and a.value == b.value
    c = select_features(data.data, None, 5, seed=2)
    assert c.stats["lam"] == 1.0 and c.stats["relevance"] == 0.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": 20}, "k=20"),
        ({"k": 2, "lam": 1.5}, "lam"),
        ({"k": 2, "n_parts": 0}, "n_parts"),
        ({"k": 2, "engine": "spark"}, "engine"),
        ({"k": 2, "bins": 1}, "bins"),
    ],
)
def test_bad_input(kwargs, match):
    data = load_wine()
    with pytest.raises(InvalidParameterError, match=match):
        select_features(data.data, data.target, **kwargs)
    with pytest.raises(InvalidParameterError, match="y"):
        select_features(data.data, data.target[:5], 2)
    with pytest.raises(InvalidParameterError, match="X"):
        select_features(np.array([[np.nan, 1.0]]), [0], 1)


@pytest.mark.parametrize("n_parts", [1, 2, 3])
def test_one_feature_is_the_most_relevant_one(n_parts):
    """k = 1 has no pairs: the objective is (1 - lam) relevance, and the exact answer is the
    most relevant feature (it was the part's first feature, whatever its relevance)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = np.column_stack([rng.random(200), rng.random(200), y + 0.01 * rng.random(200), rng.random(200)])
    sol = select_features(X, y, 1, n_parts=n_parts, seed=0)
    best = max(range(4), key=lambda j: select_features(X[:, [j]], y, 1, n_parts=1).value)
    assert sol.selection.tolist() == [best] == [2]
    assert sol.value == pytest.approx(select_features(X[:, [2]], y, 1, n_parts=1).value)
