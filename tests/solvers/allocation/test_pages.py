"""Whole-page allocation: the page's exact choice against brute force, the integer program
against brute force, feasibility of every online placement, and the page rule beating the
slot rule where the page's constraints bind."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.instances.pages import PageInstance, random_page_instance
from submodkit.solvers.allocation import _page_kernels as K
from submodkit.solvers.allocation.pages import allocate_pages, page_optimum, page_value


def _brute_page(ads, vals, prices, theta, cats, per_category, excl):
    best = 0.0
    for k in range(1, min(len(theta), len(ads)) + 1):
        for combo in itertools.combinations(range(len(ads)), k):
            chosen = [ads[i] for i in combo]
            if any(excl[a, b] for a, b in itertools.combinations(chosen, 2)):
                continue
            if max(np.bincount(cats[chosen])) > per_category:
                continue
            ordered = sorted(combo, key=lambda i: -vals[i])  # by value into the slots
            best = max(best, sum(vals[i] * theta[s] - prices[ads[i]] for s, i in enumerate(ordered)))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_best_page_is_exact(seed):
    rng = np.random.default_rng(seed)
    n_ads, m = 10, int(rng.integers(1, 9))
    ads = rng.choice(n_ads, m, replace=False)
    vals = np.sort(rng.lognormal(0, 0.6, m))[::-1]
    prices = rng.uniform(0, 1.0, n_ads)
    theta = 0.7 ** np.arange(int(rng.integers(1, 5)))
    cats = rng.integers(0, 3, n_ads)
    excl = (rng.random((n_ads, n_ads)) < 0.2).astype(np.uint8)
    excl = np.maximum(excl, excl.T)
    per = int(rng.integers(1, 3))
    out = np.empty(theta.size, dtype=np.int64)
    iu = np.argwhere(np.triu(excl, 1))
    keys = np.unique(iu[:, 0] * n_ads + iu[:, 1]).astype(np.int64)
    k, gain = K.best_page(ads, vals, prices, theta, cats, per, keys, out)
    assert gain == pytest.approx(_brute_page(ads, vals, prices, theta, cats, per, excl), abs=1e-9)
    chosen = ads[out[:k]]
    assert len(set(chosen)) == k and all(not excl[a, b] for a, b in itertools.combinations(chosen, 2))


@pytest.mark.parametrize("seed", range(12))
def test_branch_and_bound_page_against_every_combination(seed):
    """Larger pages (up to 13 ads, 6 slots, dense exclusions, prices near the values, where the
    bound prunes least): the branch and bound's gain is the best over every combination."""
    rng = np.random.default_rng(100 + seed)
    n_ads, m, slots = 30, int(rng.integers(6, 14)), int(rng.integers(2, 7))
    ads = rng.choice(n_ads, m, replace=False)
    vals = np.sort(rng.lognormal(0, 0.3, m))[::-1]
    prices = rng.uniform(0.5, 1.0, n_ads)
    theta = 0.9 ** np.arange(slots)
    cats, per = rng.integers(0, 4, n_ads), int(rng.integers(1, 3))
    excl = np.triu(rng.random((n_ads, n_ads)) < 0.3, 1)
    keys = np.unique(np.argwhere(excl) @ np.array([n_ads, 1])).astype(np.int64)
    excl = excl | excl.T
    best = 0.0
    for k in range(1, slots + 1):
        for combo in itertools.combinations(range(m), k):
            chosen = ads[list(combo)]
            if any(excl[a, b] for a, b in itertools.combinations(chosen, 2)):
                continue
            if np.bincount(cats[chosen]).max() > per:
                continue
            best = max(best, sum(vals[i] * theta[s] - prices[ads[i]] for s, i in enumerate(combo)))
    out = np.empty(slots, dtype=np.int64)
    k, gain = K.best_page(ads, vals, prices, theta, cats, per, keys, out)
    assert gain == pytest.approx(best, rel=1e-12, abs=1e-12)
    chosen = ads[out[:k]]
    assert np.all(np.diff(out[:k]) > 0) and not any(excl[a, b] for a, b in itertools.combinations(chosen, 2))
    assert k == 0 or np.bincount(cats[chosen]).max() <= per
    assert sum(vals[out[s]] * theta[s] - prices[ads[out[s]]] for s in range(k)) == pytest.approx(gain)


@pytest.mark.parametrize("seed", range(6))
def test_ties_go_to_the_fewest_ads_then_the_first_in_value_order(seed):
    """Integer values, weights and prices make ties common (an ad worth exactly its price);
    the page chosen is the exhaustive search's: the fewest ads, then the first combination in
    value order, among the best."""
    rng = np.random.default_rng(200 + seed)
    n_ads = 12
    for _ in range(200):
        m, slots = int(rng.integers(1, 9)), int(rng.integers(1, 5))
        ads = rng.choice(n_ads, m, replace=False)
        vals = np.sort(rng.integers(1, 5, m).astype(float))[::-1]
        prices = rng.integers(0, 4, n_ads).astype(float)
        theta = np.ones(slots)
        cats, per = rng.integers(0, 3, n_ads), int(rng.integers(1, 3))
        excl = np.triu(rng.random((n_ads, n_ads)) < 0.2, 1)
        keys = np.unique(np.argwhere(excl) @ np.array([n_ads, 1])).astype(np.int64)
        excl = excl | excl.T
        best, best_combo = 0.0, ()
        for k in range(1, min(slots, m) + 1):
            for combo in itertools.combinations(range(m), k):
                chosen = ads[list(combo)]
                if any(excl[a, b] for a, b in itertools.combinations(chosen, 2)) \
                        or np.bincount(cats[chosen]).max() > per:
                    continue
                gain = sum(vals[i] * theta[s] - prices[ads[i]] for s, i in enumerate(combo))
                if gain > best * (1 + 1e-12):
                    best, best_combo = gain, combo
        out = np.empty(slots, dtype=np.int64)
        k, gain = K.best_page(ads, vals, prices, theta, cats, per, keys, out)
        assert gain == pytest.approx(best) and tuple(out[:k].tolist()) == best_combo


def _brute_optimum(inst: PageInstance) -> float:
    """Every placement of every page (tiny instances), valued with free disposal."""
    per_page = []
    for i in range(inst.n_pages):
        lo, hi = inst.values.indptr[i], inst.values.indptr[i + 1]
        ads, vals = inst.values.indices[lo:hi], inst.values.data[lo:hi]
        options = [()]
        for k in range(1, min(inst.n_slots, len(ads)) + 1):
            for perm in itertools.permutations(range(len(ads)), k):
                chosen = [ads[j] for j in perm]
                if any(inst.exclusion_matrix()[a, b] for a, b in itertools.combinations(chosen, 2)):
                    continue
                if max(np.bincount(inst.categories[chosen])) > inst.per_category:
                    continue
                options.append(tuple((ads[j], vals[j] * inst.slot_weights[s]) for s, j in enumerate(perm)))
        per_page.append(options)
    best = 0.0
    for pick in itertools.product(*per_page):
        ads = np.full((inst.n_pages, inst.n_slots), -1)
        values = np.zeros(ads.shape)
        for i, option in enumerate(pick):
            for s, (a, w) in enumerate(option):
                ads[i, s], values[i, s] = a, w
        best = max(best, page_value(inst, ads, values))
    return best


@pytest.mark.parametrize("seed", range(5))
def test_integer_program_and_online_rules_against_brute_force(seed):
    inst = random_page_instance(3, 4, slots=2, eligible=3, categories=2, exclusion_density=0.3, load=0.4,
                                seed=seed)
    opt = _brute_optimum(inst)
    ip = page_optimum(inst)
    assert ip.status == "optimal" and ip.value == pytest.approx(opt)
    for algorithm in ("page", "slot", "greedy"):
        sol = allocate_pages(inst, algorithm=algorithm)
        assert sol.value <= opt + 1e-9


@pytest.mark.parametrize("algorithm", ["page", "slot", "greedy"])
@pytest.mark.parametrize("seed", range(3))
def test_every_placement_respects_the_page(algorithm, seed):
    inst = random_page_instance(200, 15, slots=4, eligible=8, categories=3, per_category=2,
                                exclusion_density=0.15, seed=seed)
    sol = allocate_pages(inst, algorithm=algorithm, order="random", seed=seed)
    again = allocate_pages(inst, algorithm=algorithm, order="random", seed=seed)
    assert np.array_equal(sol.assignment, again.assignment)
    excl = inst.exclusion_matrix()
    for i, row in enumerate(sol.assignment):
        shown = row[row >= 0]
        assert np.all(row[: shown.size] >= 0)  # the top slots first
        assert len(set(shown)) == shown.size
        assert all(inst.values[i, a] > 0 for a in shown)
        assert not any(excl[a, b] for a, b in itertools.combinations(shown, 2))
        if shown.size:
            assert np.bincount(inst.categories[shown]).max() <= inst.per_category
        vals = sol.stats["slot_values"][i, : shown.size]
        assert np.all(np.diff(vals) <= 1e-12)  # higher values in higher slots
    assert sol.value == pytest.approx(page_value(inst, sol.assignment, sol.stats["slot_values"]))
    opt = page_optimum(inst, time_limit=60)
    assert sol.value <= opt.upper_bound + 1e-6 and sol.guarantee.ratio == 0.0


def test_the_page_rule_sees_what_the_slot_rule_cannot():
    """Ad 0 (worth 10) excludes ads 1 and 2 (worth 9 each), two equal slots: slot by slot takes
    ad 0 first and is stuck at 10; the whole page takes 1 and 2, 18 (the optimum)."""
    inst = PageInstance([[10.0, 9.0, 9.0]], slot_weights=[1.0, 1.0], capacities=[5, 5, 5],
                        exclusions=[[0, 1], [0, 2]])
    assert allocate_pages(inst, algorithm="slot").value == 10.0
    assert allocate_pages(inst, algorithm="page").value == 18.0 == page_optimum(inst).value


def test_page_files_round_trip_and_damaged_files_are_clear(tmp_path):
    from submodkit.errors import InstanceFormatError
    from submodkit.instances.pages import read_pages, write_pages

    inst = random_page_instance(30, 8, seed=1, exclusion_density=0.2)
    back = read_pages(write_pages(inst, tmp_path / "p.npz"))
    assert (back.values != inst.values).nnz == 0 and np.array_equal(back.exclusions, inst.exclusions)
    assert allocate_pages(back).value == allocate_pages(inst).value
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(InstanceFormatError, match="bad.npz"):
        read_pages(tmp_path / "bad.npz")
    arrays = dict(np.load(tmp_path / "p.npz"))
    arrays["indices"] = arrays["indices"] + 100  # columns past the shape
    np.savez(tmp_path / "cols.npz", **arrays)
    with pytest.raises(InstanceFormatError, match="column indices within the shape"):
        read_pages(tmp_path / "cols.npz")
    arrays = dict(np.load(tmp_path / "p.npz"))
    arrays["capacities"] = arrays["capacities"][:3]
    np.savez(tmp_path / "caps.npz", **arrays)
    with pytest.raises(InstanceFormatError, match="capacities"):
        read_pages(tmp_path / "caps.npz")
    arrays = dict(np.load(tmp_path / "p.npz"))
    arrays["shape"] = np.array([arrays["shape"][0], 2**63], dtype=np.uint64)  # overflowed scipy
    np.savez(tmp_path / "shape.npz", **arrays)
    with pytest.raises(InstanceFormatError, match="CSR"):
        read_pages(tmp_path / "shape.npz")


def test_bad_pages_are_clear_errors():
    with pytest.raises(InvalidParameterError, match="non-increasing"):
        PageInstance([[1.0]], slot_weights=[0.5, 1.0], capacities=[1])
    with pytest.raises(InvalidParameterError, match="capacities"):
        PageInstance([[1.0]], slot_weights=[1.0], capacities=[0])
    with pytest.raises(InvalidParameterError, match="exclusions"):
        PageInstance([[1.0, 1.0]], slot_weights=[1.0], capacities=[1, 1], exclusions=[[0, 2]])
    with pytest.raises(InvalidParameterError, match="eligible ads per page"):
        PageInstance(np.ones((1, 30)), slot_weights=[1.0], capacities=np.ones(30))
    with pytest.raises(InvalidParameterError, match="algorithm"):
        allocate_pages(random_page_instance(5, 5, seed=0), algorithm="nope")


def test_crafted_capacities_and_duplicates_are_safe():
    import scipy.sparse as sp

    huge = PageInstance([[1.0, 2.0, 3.0]], slot_weights=[1.0], capacities=np.array([2**64 - 1, 2**63, 3],
                                                                                    dtype=np.uint64))
    assert huge.capacities.tolist() == [1, 1, 1]  # no ad keeps more than the pages' slots
    assert allocate_pages(huge, algorithm="page").value == 3.0
    twice = sp.csr_matrix((np.array([1.0, 2.0]), np.array([0, 0]), np.array([0, 2])), shape=(1, 2))
    with pytest.raises(InvalidParameterError, match="at most once per page"):
        PageInstance(twice, slot_weights=[1.0, 1.0], capacities=[1, 1])
    with pytest.raises(InvalidParameterError, match="categories"):
        PageInstance([[1.0, 1.0]], slot_weights=[1.0], capacities=[1, 1], categories=[0, np.inf])


@pytest.mark.parametrize("scale", [1e-13, 1e13])
@pytest.mark.parametrize("algorithm", ["page", "slot", "greedy"])
def test_placements_do_not_depend_on_the_values_scale(algorithm, scale):
    """Relative tolerances: values times 1e-13 or 1e13 place the same ads (an absolute 1e-12
    left every page empty at 1e-13)."""
    inst = random_page_instance(60, 8, exclusion_density=0.2, seed=2)
    scaled = PageInstance(inst.values * scale, slot_weights=inst.slot_weights, capacities=inst.capacities,
                          categories=inst.categories, per_category=inst.per_category,
                          exclusions=inst.exclusions)
    a = allocate_pages(inst, algorithm=algorithm)
    b = allocate_pages(scaled, algorithm=algorithm)
    assert a.stats["impressions"] > 0 and b.stats["impressions"] == a.stats["impressions"]
    assert b.value == pytest.approx(a.value * scale, rel=1e-9)


def test_page_optimum_refuses_values_beyond_the_solvers_range():
    """Values a MIP cannot take (SCIP: "invalid objective value", then a status that looked like
    a timeout) are one clear error; the greedy placement still takes them."""
    inst = PageInstance(np.array([[1e200, 2.0], [3.0, 1e200]]), slot_weights=[1.0], capacities=[1, 1])
    with pytest.raises(InvalidParameterError, match="SCIP's range"):
        page_optimum(inst, time_limit=2.0)
    assert allocate_pages(inst, algorithm="greedy").value == 2e200
