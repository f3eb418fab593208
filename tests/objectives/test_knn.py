"""k-nearest-neighbour similarities: the tree against brute force, NN-descent's recall,
neighbour lists from scikit-learn, progress, and the selector reusing a similarity."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.objectives import knn_similarity, pairwise_similarity, similarity_from_neighbors


def _brute(X, metric, k):
    """Each column's k nearest rows: by euclidean distance, by cosine, or by correlation r
    (the nearest rows in the metric's distance; r^2 is the similarity kept)."""
    if metric == "euclidean":
        order = np.argsort(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1), axis=0, kind="stable")
    else:
        Z = X - X.mean(axis=1, keepdims=True) if metric == "correlation" else X
        Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
        order = np.argsort(-(Z @ Z.T), axis=0, kind="stable")
    keep = np.zeros((X.shape[0], X.shape[0]), dtype=bool)
    np.put_along_axis(keep, order[:k], True, axis=0)
    return keep


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "correlation"])
def test_tree_keeps_each_points_nearest_rows(metric):
    X = np.random.default_rng(1).random((60, 4))
    S = knn_similarity(X, metric, 5).toarray()
    kept = _brute(X, metric, 5)
    assert ((S != 0) <= kept).all()  # only neighbours are stored (a neighbour may have similarity 0)
    if metric != "euclidean":  # cosine and correlation keep the dense values on the kept pairs
        assert np.allclose(S[kept], pairwise_similarity(X, metric)[kept])


@pytest.mark.parametrize("metric, sk_metric", [("euclidean", "euclidean"), ("cosine", "cosine"),
                                               ("correlation", "correlation")])
def test_neighbour_lists_from_scikit_learn_give_the_same_similarity(metric, sk_metric):
    from sklearn.neighbors import NearestNeighbors

    X = np.random.default_rng(2).random((80, 5))
    dist, ind = NearestNeighbors(n_neighbors=6, metric=sk_metric, algorithm="brute").fit(X).kneighbors(X)
    ours = knn_similarity(X, metric, 6)
    theirs = similarity_from_neighbors(ind, dist, metric)
    assert np.allclose(ours.toarray(), theirs.toarray(), atol=1e-9)


def test_neighbour_lists_are_checked():
    with pytest.raises(InvalidParameterError, match="indices"):
        similarity_from_neighbors(np.array([[0, 5]]), np.array([[0.0, 1.0]]))
    with pytest.raises(InvalidParameterError, match="distances"):
        similarity_from_neighbors(np.array([[0]]), np.array([[-1.0]]))
    S = similarity_from_neighbors(np.array([[0, -1], [1, 0]]), np.array([[0.0, 9.0], [0.0, 1.0]]))
    assert S.nnz == 3  # the -1 slot is skipped


def test_nndescent_recall_against_the_tree():
    pytest.importorskip("pynndescent", reason="NN-descent needs pynndescent (the test extra has it)")
    X = np.random.default_rng(3).normal(size=(3000, 30))
    exact = knn_similarity(X, n_neighbors=10, method="kd-tree")
    approx = knn_similarity(X, n_neighbors=10, method="nndescent", seed=0)
    same = exact.multiply(approx != 0).nnz  # pairs both keep (a pair of similarity 0 aside)
    assert same / exact.nnz > 0.95
    assert approx.shape == (3000, 3000) and (approx.getnnz(axis=0) <= 10).all()


def test_progress_bar_and_threads(capsys):
    X = np.random.default_rng(4).random((500, 3))
    one = knn_similarity(X, n_neighbors=4, n_jobs=1)
    bar = knn_similarity(X, n_neighbors=4, progress=True)
    assert (one != bar).nnz == 0
    assert "k-NN (kd-tree)" in capsys.readouterr().err
    with pytest.raises(InvalidParameterError, match="n_jobs"):
        knn_similarity(X, n_jobs=0)


def test_the_selector_reuses_a_similarity_given_to_fit():
    pytest.importorskip("sklearn")
    from submodkit.selector import SubsetSelector

    X = np.random.default_rng(5).random((400, 3))
    S = knn_similarity(X, n_neighbors=8)
    given = SubsetSelector(12, n_neighbors=8).fit(X, similarity=S)
    built = SubsetSelector(12, n_neighbors=8).fit(X)
    assert given.ranking_.tolist() == built.ranking_.tolist()
    assert np.array_equal(given.subset_, X[given.ranking_])  # rows of X, not of the similarity
    with pytest.raises(InvalidParameterError, match="similarity"):
        SubsetSelector(3).fit(X, similarity=sp.identity(10, format="csr"))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_brute_force_equals_the_tree(metric, monkeypatch):
    from submodkit.objectives import similarity as SIM

    X = np.random.default_rng(6).random((700, 25))
    tree = knn_similarity(X, metric, 6, method="kd-tree")
    brute = knn_similarity(X, metric, 6, method="brute")  # scikit-learn's brute force
    assert abs(tree - brute).max() < 1e-9 and (tree != 0).nnz == (brute != 0).nnz
    monkeypatch.setattr(SIM, "_BRUTE_BLOCK", 5000)  # numpy blocks of 7 rows, as without scikit-learn
    numpy_only = SIM._numpy_brute(X if metric == "euclidean" else SIM._normalize_rows(X, False), 6, True)
    tree_lists = SIM._kd_tree(X if metric == "euclidean" else SIM._normalize_rows(X, False), 6, 1, False)
    assert np.array_equal(numpy_only[1], tree_lists[1])
    assert np.allclose(numpy_only[0], tree_lists[0], atol=1e-7)


def test_auto_takes_brute_force_in_high_dimension(monkeypatch):
    from submodkit.objectives import similarity as SIM

    called = []
    real = SIM._brute
    monkeypatch.setattr(SIM, "_brute", lambda *a: called.append(a[1]) or real(*a))
    X = np.random.default_rng(7).random((300, 30))
    knn_similarity(X, n_neighbors=5)
    assert called == [5]
