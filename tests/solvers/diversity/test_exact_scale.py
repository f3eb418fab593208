"""Branch and bound for exact max-sum and sum-min diversity: against brute force, the MIP
models, and its anytime (time limit) behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.constraints import PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.solvers.diversity.exact import (
    brute_force_diversity,
    exact_max_sum_diversity,
    exact_sum_min_diversity,
)

EXACT = {"max-sum": exact_max_sum_diversity, "sum-min": exact_sum_min_diversity}


def _feasible(sel, pm, k):
    assert len(sel) == k and len(set(sel.tolist())) == k
    if pm is not None:
        assert np.all(pm.groups[sel] >= 0)
        assert np.all(np.bincount(pm.groups[sel], minlength=len(pm.capacities)) <= pm.capacities)


@pytest.mark.parametrize("objective", list(EXACT))
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("matroid", [False, True])
def test_branch_and_bound_equals_brute_force(objective, seed, matroid):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 15))
    X = rng.random((n, 2 + seed % 2))
    pm = PartitionMatroid(rng.integers(0, 4, n), [0, 1, 2, 2]) if matroid else None  # group 0 excluded
    methods = ("branch-and-bound", "russian-doll") if objective == "max-sum" else ("branch-and-bound",)
    for k in (2, 3, 5):
        b = brute_force_diversity(X, k, objective, constraint=pm)
        for method in methods:
            e = EXACT[objective](X, k, constraint=pm, algorithm=method)
            assert e.status == "optimal" and e.algorithm == "branch-and-bound"
            assert e.stats["parameters"].get("method", method) == method
            assert e.value == pytest.approx(b.value, rel=1e-9) and e.bound == e.value
            _feasible(e.selection, pm, len(b.selection))


@pytest.mark.parametrize("objective", list(EXACT))
def test_branch_and_bound_ties_and_precomputed(objective):
    # a regular structure with many equal distances (integers), and a precomputed matrix
    X = np.array([[i, j] for i in range(4) for j in range(3)], dtype=float)
    D = np.abs(X[:, None, :] - X[None, :, :]).sum(axis=2)  # l1: a metric
    for k in (3, 4):
        e = EXACT[objective](D, k, "precomputed")
        b = brute_force_diversity(D, k, objective, "precomputed")
        assert e.status == "optimal" and e.value == pytest.approx(b.value)
    if objective == "max-sum":
        e = exact_max_sum_diversity(D, 4, "precomputed", algorithm="russian-doll")
        assert e.value == pytest.approx(brute_force_diversity(D, 4, objective, "precomputed").value)


@pytest.mark.parametrize("objective", list(EXACT))
def test_branch_and_bound_equals_mip(objective):
    rng = np.random.default_rng(11)
    X = rng.random((32 if objective == "max-sum" else 24, 3))
    pm = PartitionMatroid(rng.integers(0, 3, len(X)), [2, 1, 2])
    for c, k in ((None, 5), (pm, 4)):
        bb = EXACT[objective](X, k, constraint=c)
        mip = EXACT[objective](X, k, constraint=c, algorithm="mip")
        assert bb.status == mip.status == "optimal"
        assert bb.stats["parameters"]["method"] == "branch-and-bound"
        assert mip.stats["parameters"]["method"] == "mip"
        assert bb.value == pytest.approx(mip.value, rel=1e-7)
        if objective == "max-sum":
            rd = exact_max_sum_diversity(X, k, constraint=c, algorithm="russian-doll")
            assert rd.status == "optimal" and rd.value == pytest.approx(mip.value, rel=1e-7)


@pytest.mark.parametrize("objective, method", [("max-sum", "branch-and-bound"),
                                               ("max-sum", "russian-doll"), ("sum-min", "auto")])
def test_time_limit_returns_feasible_selection_and_bound(objective, method):
    X = np.random.default_rng(0).random((400, 3))
    e = EXACT[objective](X, 10, time_limit=0.3, algorithm=method)
    assert e.status == "timeout"
    _feasible(e.selection, None, 10)
    assert e.bound >= e.value
    full = X[e.selection]
    from submodkit.solvers.diversity.dispersion import diversity_value

    d = np.sqrt(((full[:, None] - full[None]) ** 2).sum(-1))
    assert e.value == pytest.approx(diversity_value(d, objective))


def test_branch_and_bound_medium_instance_beats_heuristics():
    # exact on 120 points: at least the local-search / farthest-first starts, which it improves on
    from submodkit.solvers.diversity.dispersion import diversify

    X = np.random.default_rng(3).random((120, 3))
    e = exact_max_sum_diversity(X, 6)
    ls = diversify(X, 6, "max-sum", algorithm="local-search")
    assert e.status == "optimal" and e.value >= ls.value - 1e-9
    assert ls.guarantee.holds(ls.value, e.value)
    s = exact_sum_min_diversity(X, 5)
    assert s.status == "optimal" and s.value >= diversify(X, 5, "sum-min", algorithm="gmm").value - 1e-9


def test_method_is_a_deprecated_alias_of_algorithm():
    X = np.random.default_rng(3).random((9, 2))
    for fn in EXACT.values():
        with pytest.warns(DeprecationWarning, match="algorithm="):
            old = fn(X, 3, method="mip")
        new = fn(X, 3, algorithm="mip")
        assert old.value == pytest.approx(new.value) and old.status == new.status == "optimal"
        with pytest.raises(InvalidParameterError, match="deprecated"), pytest.warns(DeprecationWarning):
            fn(X, 3, algorithm="branch-and-bound", method="mip")


def test_unknown_algorithm_rejected():
    X = np.random.default_rng(0).random((6, 2))
    for fn in EXACT.values():
        with pytest.raises(InvalidParameterError, match="algorithm='qp'"):
            fn(X, 3, algorithm="qp")


@pytest.mark.parametrize("objective, method", [("max-sum", "branch-and-bound"),
                                               ("max-sum", "russian-doll"), ("sum-min", "auto")])
def test_timeout_bound_is_an_upper_bound_on_the_optimum(objective, method, monkeypatch):
    import submodkit.solvers.diversity.exact as ED

    X = np.random.default_rng(5).random((70, 3))
    k = 6 if objective == "max-sum" else 5
    opt = EXACT[objective](X, k, algorithm=method)
    assert opt.status == "optimal"
    monkeypatch.setattr(ED, "_CHUNK", 7)  # check the clock every 7 nodes
    seen = 0
    for limit in (1e-4, 3e-3, 1e-2):
        e = EXACT[objective](X, k, time_limit=limit, algorithm=method)
        if e.status == "timeout":
            seen += 1
            assert e.value <= opt.value + 1e-9 <= e.bound + 2e-9
            _feasible(e.selection, None, k)
    assert seen


def test_coarse_suffix_tables_stay_exact(monkeypatch):
    # past the memory budget only every step-th suffix is tabulated: a looser, valid bound
    import submodkit.solvers.diversity.exact as ED

    monkeypatch.setattr(ED, "_H_BUDGET", 300)
    rng = np.random.default_rng(9)
    X = rng.random((14, 2))
    pm = PartitionMatroid(rng.integers(0, 3, 14), [2, 1, 2])
    for objective, fn in EXACT.items():
        for c in (None, pm):
            e = fn(X, 5 if c is None else 4, constraint=c)
            b = brute_force_diversity(X, 5 if c is None else 4, objective, constraint=c)
            assert e.value == pytest.approx(b.value, rel=1e-9)
    e = exact_max_sum_diversity(X, 5, algorithm="russian-doll")
    assert e.value == pytest.approx(brute_force_diversity(X, 5, "max-sum").value, rel=1e-9)
