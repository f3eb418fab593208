"""diversify: guarantees against brute force, tight examples, matroids, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.constraints import PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.objectives import Coverage
from submodkit.solvers.diversity.dispersion import Points, diversify, diversity_value
from submodkit.solvers.diversity.exact import brute_force_diversity


def _points(seed, n=10, d=2):
    return np.random.default_rng(seed).random((n, d))


def _dist(X):
    return np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))


@pytest.mark.parametrize("objective", ["max-min", "max-sum", "remote-tree", "sum-min", "remote-star",
                                       "remote-cycle"])
@pytest.mark.parametrize("seed", range(6))
def test_ratio_against_brute_force(objective, seed):
    X = _points(seed, n=10, d=3)
    k = 2 + seed % 4
    sol = diversify(X, k, objective)
    opt = brute_force_diversity(X, k, objective).value
    assert len(sol.selection) == k == len(set(sol.selection.tolist()))
    assert sol.value == pytest.approx(diversity_value(_dist(X)[np.ix_(sol.selection, sol.selection)],
                                                      objective))
    assert sol.value <= opt + 1e-9
    if sol.guarantee is not None:
        assert sol.guarantee.holds(sol.value, opt)
    if sol.upper_bound is not None:
        assert opt <= sol.upper_bound + 1e-9


def test_values_on_a_line():
    X = np.array([[0.0], [1.0], [5.0], [9.0]])
    assert diversify(X, 3, "max-min").value == 4.0
    assert diversify(X, 3, "max-sum").value == 18.0
    assert diversify(X, 3, "remote-tree").value == 9.0
    assert diversify(X, 3, "remote-star").value == 9.0
    assert diversify(X, 3, "remote-cycle").value == 18.0
    assert diversify(X, 3, "sum-min").value == 13.0
    assert diversify(X, 1).value == 0.0 and len(diversify(X, 0).selection) == 0


def _farthest_point_reference(X, first, k):
    """The plain farthest-point loop in numpy (float64 sums in order): selection and
    distances to it."""
    X = X.astype(np.float64)
    sel = [first]
    mind = np.full(len(X), np.inf)
    for _ in range(k):
        mind = np.minimum(mind, np.sqrt(((X - X[sel[-1]]) ** 2).sum(1)))
        if len(sel) == min(k, len(X)):
            break
        rest = np.where(np.isin(np.arange(len(X)), sel), -np.inf, mind)
        sel.append(int(np.argmax(rest)))
    return np.array(sel), mind


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("data", "n"), [("clustered", 3000), ("clustered", 40000), ("gaussian", 40000),
                                         ("duplicates", 500)])
def test_gmm_pruned_kernel_is_the_plain_loop(data, n, dtype):
    # the Euclidean GMM kernel skips rows by the triangle inequality (clustered data: most
    # rows, once every cluster has a center) and keeps squared distances; n = 40,000 at
    # d = 64 takes the parallel path. Selection and distances are the plain loop's.
    from submodkit.objectives import distances as DS

    rng = np.random.default_rng(n)
    d = 64 if n > 5000 else 5
    if data == "clustered":
        X = (rng.standard_normal((30, d)) * 20)[rng.integers(30, size=n)] + rng.standard_normal((n, d))
    elif data == "gaussian":
        X = rng.standard_normal((n, d))
    else:  # 4 distinct points repeated: every point is at distance 0 once k > 4
        X = rng.integers(0, 2, (4, d))[rng.integers(4, size=n)].astype(float)
    X = X.astype(dtype)
    k = 60
    sel = np.empty(k, dtype=np.int64)
    mind = np.empty(n)
    cnt = DS.gmm(DS.METRIC_EUCLIDEAN, X, DS.EMPTY_MATRIX, 7, k, sel, mind)
    ref, ref_mind = _farthest_point_reference(X, 7, k)
    assert cnt == k
    np.testing.assert_array_equal(sel, ref)
    np.testing.assert_allclose(mind, ref_mind, rtol=1e-12, atol=1e-12)


def test_gmm_tight_example():
    # Points 0, 1, 2 on a line and k = 2 starting from the middle point is the 1/2 example;
    # started at the farthest point from 0 GMM is exact; a precomputed metric with ties
    # where any start is bad: d = 1 everywhere except d(a, b) = 2.
    D = np.ones((4, 4)) - np.eye(4)
    D[0, 3] = D[3, 0] = 2.0
    sol = diversify(D, 2, metric="precomputed", seed=1)
    assert sol.guarantee.holds(sol.value, 2.0)
    assert sol.upper_bound >= 2.0


def test_max_sum_local_search_and_matroid():
    for seed in range(5):
        X = _points(seed, n=11)
        groups = np.random.default_rng(seed).integers(0, 3, 11)
        pm = PartitionMatroid(groups, [1, 2, 2])
        sol = diversify(X, 4, "max-sum", constraint=pm)
        assert sol.algorithm == "max-sum-local-search" and sol.stats["local_optimum"]
        counts = np.bincount(groups[sol.selection], minlength=3)
        assert np.all(counts <= [1, 2, 2])
        opt = brute_force_diversity(X, 4, "max-sum", constraint=pm).value
        assert sol.guarantee.holds(sol.value, opt)
        ls = diversify(X, 4, "max-sum", algorithm="local-search")
        assert ls.value >= diversify(X, 4, "max-sum").value - 1e-12


@pytest.mark.parametrize("seed", range(5))
def test_quality_forms_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    X = rng.random((9, 2))
    w = rng.random(9) * 2
    cov = Coverage([list(rng.choice(6, 3, replace=False)) for _ in range(9)])
    for q in (w, cov):
        for objective, name in (("max-sum", "max-sum-greedy"), ("max-min", "gist")):
            sol = diversify(X, 3, objective, quality=q, lam=0.7)
            assert sol.algorithm == name
            opt = brute_force_diversity(X, 3, objective, quality=q, lam=0.7).value
            assert sol.value <= opt + 1e-9
            assert sol.guarantee.holds(sol.value, opt)
            assert sol.stats["quality"] + 0.7 * sol.stats["diversity"] == pytest.approx(sol.value)
        pm = PartitionMatroid(rng.integers(0, 2, 9), [2, 1])
        sol = diversify(X, 3, "max-sum", quality=q, constraint=pm, lam=0.7)
        opt = brute_force_diversity(X, 3, "max-sum", quality=q, lam=0.7, constraint=pm).value
        assert sol.guarantee.holds(sol.value, opt)


def test_gist_matches_greedy_without_diversity_and_gmm_like_with_flat_quality():
    rng = np.random.default_rng(3)
    X = rng.random((200, 4))
    w = rng.random(200)
    top = np.sort(np.argsort(-w)[:5])
    assert np.array_equal(np.sort(diversify(X, 5, quality=w, lam=0.0).selection), top)
    flat = diversify(X, 5, quality=np.zeros(200), lam=1.0)
    assert flat.value >= 0.5 * 0.9 * diversify(X, 5).upper_bound / 2


def test_metrics_agree_with_numpy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    Dc = np.maximum(0.0, 1.0 - Xn @ Xn.T)
    np.fill_diagonal(Dc, 0.0)
    cos = Points(X, "cosine")
    idx = np.arange(300)
    assert np.allclose(cos.block(idx), Dc, atol=1e-12)
    assert np.allclose(cos.row(7), Dc[7], atol=1e-12)
    a = diversify(X, 6, "max-sum", metric="cosine")
    assert a.guarantee is None  # 1 - cos is not a metric
    with pytest.raises(InvalidParameterError, match="triangle"):
        diversify(Dc, 6, "max-sum", metric="precomputed")
    e = diversify(X.astype(np.float32), 6)
    f = diversify(_dist(X), 6, metric="precomputed")
    assert e.value == pytest.approx(f.value, rel=1e-5)


def test_deterministic_with_seed():
    X = _points(0, n=500)
    assert np.array_equal(diversify(X, 7, seed=3).selection, diversify(X, 7, seed=3).selection)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: diversify(np.array([[0.0, np.nan], [1.0, 2.0]]), 1), r"X\[0\]"),
        (lambda: diversify(np.zeros((3, 2)), 4), "k=4: expected an integer <= n = 3"),
        (lambda: diversify(-np.ones((3, 3)), 2, metric="precomputed"), "non-negative"),
        (lambda: diversify(np.zeros((3, 2)), 2, objective="max-mean"), "objective"),
        (lambda: diversify(np.zeros((3, 2)), 2, metric="l1"), "metric"),
        (lambda: diversify(np.zeros((3, 2)), 2, algorithm="gist"), "algorithm"),
        (lambda: diversify(np.zeros((3, 2)), 2, "sum-min", quality=[1, 1, 1]), "quality"),
        (lambda: diversify(np.zeros((3, 2)), 2, quality=[1, -1, 1]), "non-negative"),
        (lambda: diversify(np.zeros((3, 2)), 2, lam=-1), "lam"),
        (lambda: diversify(np.zeros((2, 2)), 1, metric="cosine"), "zero vector"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(InvalidParameterError, match=match):
        call()


def test_non_metric_rejected_small_and_sampled():
    D = np.array([[0, 1, 5], [1, 0, 1], [5, 1, 0]], dtype=float)
    with pytest.raises(InvalidParameterError, match=r"triangle inequality"):
        diversify(D, 2, metric="precomputed")
    X = _points(1, n=400)
    big = _dist(X)
    ok = diversify(big, 3, metric="precomputed")
    assert "sampled" in ok.stats["metric_check"]
    big = big ** 3  # cubes of distances break the triangle inequality often
    with pytest.raises(InvalidParameterError, match="triangle"):
        diversify(big, 3, metric="precomputed")


# ----------------------------------------------------------------------------- issue 13


@pytest.mark.parametrize("objective", ["max-min", "max-sum", "sum-min", "remote-tree", "remote-star",
                                       "remote-cycle"])
def test_points_whose_distances_overflow_are_refused(objective):
    """1e308 coordinates gave inf distances, NaN objectives and 'cannot convert NaN to int'
    in sum-min: refused at the boundary, naming X and the limit."""
    X = np.array([[1e308, 0.0], [0.0, 1e308], [-1e308, 5.0]])
    with pytest.raises(InvalidParameterError, match=r"X=.*bounding box.*1e\+150"):
        diversify(X, 2, objective)
    with pytest.raises(InvalidParameterError, match="X="):
        brute_force_diversity(X, 2, objective)
    with pytest.raises(InvalidParameterError, match="X="):
        diversify(np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]) * 1e200, 2, objective)


def test_large_but_finite_coordinates_give_exact_distances():
    """float32 points are measured in float64 (1e38 apart: finite), and the sum-min LP scales
    distances beyond the LP solvers' range by a power of two, exactly."""
    p = Points(np.array([[1e38, 0.0], [-1e38, 1.0]], dtype=np.float32))
    assert np.isfinite(p.block(np.arange(2))).all() and p.block(np.arange(2))[0, 1] == pytest.approx(2e38)
    X = _points(3, n=12)
    small = diversify(X, 4, "sum-min", seed=0)
    big = diversify(X * 2.0**70, 4, "sum-min", seed=0)  # distances ~1e21
    assert big.algorithm == small.algorithm == "sum-min-lp"
    assert np.array_equal(big.selection, small.selection)
    assert big.value == pytest.approx(small.value * 2.0**70, rel=1e-12)
    assert big.upper_bound == pytest.approx(small.upper_bound * 2.0**70, rel=1e-9)


def test_cosine_of_huge_or_tiny_rows():
    X = np.array([[1e200, 0.0], [0.0, 1e200], [1e-200, 1e-200]])
    sol = diversify(X, 2, "max-min", metric="cosine")
    assert sol.value == pytest.approx(1.0)


def test_sum_min_lp_out_of_time_falls_back_without_a_guarantee():
    sol = diversify(_points(1, n=400, d=3), 5, "sum-min", time_limit=1e-3)
    assert sol.algorithm == "gmm" and sol.guarantee is None and "GMM instead" in sol.stats["lp"]


def test_overflowing_points_exit_2_with_one_line(tmp_path, capsys):
    from submodkit.cli import main

    f = tmp_path / "huge.npy"
    for scale, says in ((1e308, ""), (1e152, "bounding box")):  # the reader stops 1e308 itself
        np.save(f, np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5], [0.3, 0.4]]) * scale)
        for problem in ("sum-min-diversity", "max-min-diversity"):
            assert main(["solve", str(f), "--problem", problem, "--k", "2", "--exact"]) == 2
            out, err = capsys.readouterr()
            assert out == "" and len(err.strip().splitlines()) == 1 and says in err


# ----------------------------------------------------------------------------- issue 14: the table


def test_diversify_reads_its_table():
    from submodkit.guarantees import GUARANTEES
    from submodkit.solvers.diversity.dispersion import ALGORITHMS, DIVERSIFY, OBJECTIVES

    assert OBJECTIVES == tuple(DIVERSIFY) and ALGORITHMS == {o: tuple(t) for o, t in DIVERSIFY.items()}
    for algorithms in DIVERSIFY.values():
        for name, entry in algorithms.items():
            assert entry.name == name and (entry.guarantee is None or entry.guarantee in GUARANTEES)
            assert set(entry.calls) <= set(GUARANTEES)


@pytest.mark.parametrize("objective", ["max-min", "max-sum", "sum-min", "remote-tree", "remote-star",
                                       "remote-cycle"])
def test_every_entry_reports_its_table_guarantee(objective):
    from submodkit.guarantees import GUARANTEES
    from submodkit.solvers.diversity.dispersion import DIVERSIFY

    X = _points(4, n=12)
    for name, entry in DIVERSIFY[objective].items():
        kw = {"quality": np.linspace(0, 1, 12)} if "quality" in entry.requires else {}
        if "matroid" in entry.constraints:
            kw["constraint"] = PartitionMatroid(np.arange(12) % 3, [1, 1, 2])
        sol = diversify(X, 4, objective, algorithm=name, seed=0, **kw)
        if entry.guarantee is None:
            assert sol.guarantee is None
        else:
            assert sol.guarantee.statement == GUARANTEES[entry.guarantee].statement


def test_default_is_the_first_entry_that_accepts_the_call():
    from submodkit.solvers.diversity.dispersion import DIVERSIFY

    X = _points(5, n=12)
    q = np.linspace(0, 1, 12)
    matroid = PartitionMatroid(np.arange(12) % 3, [1, 1, 2])
    assert diversify(X, 3).algorithm == "gmm" and diversify(X, 3, quality=q).algorithm == "gist"
    assert diversify(X, 3, "max-sum").algorithm == "max-sum-greedy"
    assert diversify(X, 3, "max-sum", constraint=matroid).algorithm == "max-sum-local-search"
    assert diversify(X, 3, "sum-min").algorithm == "sum-min-lp"
    lp = DIVERSIFY["sum-min"]["lp"]
    assert lp.auto_max_n == 1000
    big = _points(6, n=lp.auto_max_n + 1)
    assert diversify(big, 3, "sum-min").algorithm == "gmm"  # past auto_max_n: the next entry


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"algorithm": "gmm", "quality": [1.0] * 5}, r"algorithm='gmm': expected 'gist' with a quality term"),
        ({"algorithm": "gist"}, r"algorithm='gist': expected 'gmm' without a quality term"),
        ({"objective": "max-sum", "algorithm": "greedy",
          "constraint": PartitionMatroid([0, 0, 1, 1, 1], [1, 1])},
         r"algorithm='greedy': expected 'local-search' under a matroid"),
        ({"objective": "sum-min", "constraint": PartitionMatroid([0, 0, 1, 1, 1], [1, 1])},
         r"expected None for this objective \(partition matroids: objective='max-sum'\)"),
        ({"objective": "remote-tree", "quality": [1.0] * 5},
         r"expected None for this objective \(quality: objective='max-min' or 'max-sum'\)"),
    ],
)
def test_errors_name_the_entries_that_accept_the_call(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        diversify(_points(7, n=5), 2, **kwargs)
