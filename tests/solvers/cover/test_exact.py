"""Exact OR-Tools models against brute force, literature optima and their own contracts."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.instances import read_instance
from submodkit.solvers.cover.exact import (
    exact_max_cover,
    exact_set_cover,
    max_cover_lp_bound,
    set_cover_lp_bound,
)
from submodkit.solvers.submodular.exact import exact_facility_location, facility_location_lp_bound
from tests.conftest import SHARED_DATA

BACKENDS = ["cp-sat", "scip", "highs"]
DATA = SHARED_DATA / "orlib-scp"


def random_sets(seed, n_sets=10, n_el=14, p=0.3):
    rng = np.random.default_rng(seed)
    dense = (rng.random((n_sets, n_el)) < p).astype(float)
    return sp.csr_matrix(dense), rng


def subsets(n, max_size=None):
    top = n if max_size is None else min(n, max_size)
    for r in range(top + 1):
        yield from itertools.combinations(range(n), r)


def covered_weight(dense, w, sel):
    if not sel:
        return 0.0
    return float(w[dense[list(sel)].max(axis=0) > 0].sum())


# ----------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("solver", BACKENDS + ["auto"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_set_cover_equals_brute_force(solver, seed):
    sets, rng = random_sets(seed, n_sets=11, n_el=10, p=0.35)
    dense = sets.toarray()
    dense[rng.integers(0, 11, size=10), np.arange(10)] = 1  # every element coverable
    costs = rng.integers(1, 10, size=11).astype(float)
    best = min(costs[list(s)].sum() for s in subsets(11) if dense[list(s)].sum(0).all())
    r = exact_set_cover(dense, costs, solver=solver)
    assert r.status == "optimal" and r.sense == "min"
    assert r.value == pytest.approx(best) and r.bound == pytest.approx(best)
    assert dense[r.selection].sum(0).all()


@pytest.mark.parametrize("solver", BACKENDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_max_k_cover_equals_brute_force(solver, weighted):
    for seed in range(3):
        sets, rng = random_sets(seed, n_sets=12)
        dense = sets.toarray()
        w = rng.integers(1, 20, size=dense.shape[1]).astype(float) if weighted else None
        ww = np.ones(dense.shape[1]) if w is None else w
        for k in (0, 2, 3):
            best = max(covered_weight(dense, ww, s) for s in itertools.combinations(range(12), k))
            r = exact_max_cover(sets, w, k=k, solver=solver)
            assert r.status == "optimal"
            assert r.value == pytest.approx(best) and r.bound == pytest.approx(best)
            assert len(r.selection) <= k
            assert covered_weight(dense, ww, tuple(r.selection)) == pytest.approx(r.value)


@pytest.mark.parametrize("solver", ["auto", "cp-sat", "scip", "highs"])
def test_max_cover_float_weights(solver):
    """Random float weights: MIP backends natively, CP-SAT via its floating-point objective."""
    sets, rng = random_sets(7, n_sets=10)
    dense = sets.toarray()
    w = rng.random(dense.shape[1])
    best = max(covered_weight(dense, w, s) for s in itertools.combinations(range(10), 3))
    r = exact_max_cover(sets, w, k=3, solver=solver)
    assert r.status == "optimal"
    assert r.value == pytest.approx(best, rel=1e-6)
    if solver == "auto":
        assert r.algorithm == "scip"


@pytest.mark.parametrize("solver", BACKENDS)
def test_budgeted_cover_equals_brute_force(solver):
    for seed in range(3):
        sets, rng = random_sets(10 + seed, n_sets=11)
        dense = sets.toarray()
        w = rng.integers(1, 9, size=dense.shape[1]).astype(float)
        costs = rng.integers(1, 6, size=11) / 10.0  # decimals: CP-SAT scales them by 10
        budget = 0.9
        best = max(covered_weight(dense, w, s) for s in subsets(11)
                   if costs[list(s)].sum() <= budget + 1e-9)
        r = exact_max_cover(sets, w, costs=costs, budget=budget, solver=solver)
        assert r.status == "optimal" and r.value == pytest.approx(best)
        assert costs[r.selection].sum() <= budget + 1e-9
        # with a cardinality constraint on top
        best2 = max(covered_weight(dense, w, s) for s in subsets(11, 2)
                    if costs[list(s)].sum() <= budget + 1e-9)
        r2 = exact_max_cover(sets, w, k=2, costs=costs, budget=budget, solver=solver)
        assert r2.value == pytest.approx(best2) and len(r2.selection) <= 2


@pytest.mark.parametrize("solver", BACKENDS)
def test_partition_matroid_cover_equals_brute_force(solver):
    for seed in range(3):
        sets, rng = random_sets(20 + seed, n_sets=12)
        dense = sets.toarray()
        groups = rng.integers(0, 3, size=12)
        caps = np.array([1, 2, 1])

        def ok(s, groups=groups, caps=caps):
            return np.all(np.bincount(groups[list(s)], minlength=3) <= caps)

        best = max(covered_weight(dense, np.ones(14), s) for s in subsets(12, 4) if ok(s))
        r = exact_max_cover(sets, groups=groups, capacities=caps, solver=solver)
        assert r.status == "optimal" and r.value == pytest.approx(best) and ok(r.selection)
        best3 = max(covered_weight(dense, np.ones(14), s) for s in subsets(12, 3) if ok(s))
        r3 = exact_max_cover(sets, k=3, groups=groups, capacities=caps, solver=solver)
        assert r3.value == pytest.approx(best3) and ok(r3.selection)


@pytest.mark.parametrize("solver", ["auto", "cp-sat", "scip", "highs"])
@pytest.mark.parametrize("integer", [True, False])
def test_facility_location_equals_brute_force(solver, integer):
    rng = np.random.default_rng(3)
    sim = rng.random((10, 15)) * (rng.random((10, 15)) < 0.6)
    if integer:
        sim = np.round(sim * 50)
    for k in (1, 2, 3):
        best = max(sim[list(s)].max(axis=0).sum() for s in itertools.combinations(range(10), k))
        for matrix in (sim, sp.csr_matrix(sim)):
            r = exact_facility_location(matrix, k, solver=solver)
            assert r.status == "optimal" and len(r.selection) <= k
            assert r.value == pytest.approx(best, rel=1e-6)
            assert r.bound >= r.value - 1e-9
    assert exact_facility_location(sim, 0).value == 0.0


def test_lp_bounds_bracket_the_optimum():
    sets, rng = random_sets(5, n_sets=12, n_el=10, p=0.4)
    dense = sets.toarray()
    dense[rng.integers(0, 12, size=10), np.arange(10)] = 1
    costs = rng.integers(1, 10, size=12)
    opt = exact_set_cover(dense, costs).value
    lb = set_cover_lp_bound(dense, costs)
    assert lb <= opt + 1e-9 and lb > 0
    w = rng.random(10)
    for kw in ({"k": 3}, {"costs": costs, "budget": 8}, {"groups": np.arange(12) % 3,
                                                         "capacities": 1}):
        ub = max_cover_lp_bound(dense, w, **kw)
        assert ub >= exact_max_cover(dense, w, **kw).value - 1e-9
    sim = rng.random((8, 12))
    assert facility_location_lp_bound(sim, 2) >= exact_facility_location(sim, 2).value - 1e-9


# ----------------------------------------------------------------------------- statuses


def test_infeasible_set_cover_detected_up_front():
    dense = np.array([[1, 0, 1], [1, 0, 0]])
    for solver in ("auto", "scip"):
        r = exact_set_cover(dense, solver=solver)
        assert r.status == "infeasible" and r.value is None and len(r.selection) == 0
        assert "no set" in r.stats["parameters"]["reason"]
    assert set_cover_lp_bound(dense) == math.inf


@pytest.mark.parametrize("solver", ["cp-sat", "scip"])
def test_time_limit_returns_timeout_with_consistent_bounds(solver):
    rng = np.random.default_rng(0)
    sets = sp.random(400, 300, density=0.03, random_state=rng, format="csr")
    w = rng.random(300)
    r = exact_max_cover(sets, w, k=25, time_limit=0.05, solver=solver)
    assert r.status in {"timeout", "optimal"}
    assert r.value is not None  # the solver's incumbent, or the greedy hint it was given
    assert len(r.selection) <= 25
    assert r.value == pytest.approx(covered_weight(sets.toarray(), w, tuple(r.selection)))
    if r.bound is not None:  # None when stopped before the first bound (loaded machine)
        assert r.value <= r.bound + 1e-9
    costs = rng.integers(1, 100, size=400)
    cover = exact_set_cover(sets, costs, time_limit=0.05, solver=solver)
    if cover.status != "infeasible":
        assert cover.status in {"timeout", "optimal"} and cover.value is not None
        assert (sets[cover.selection] != 0).sum(axis=0).min() >= 1
        if cover.bound is not None:
            assert cover.bound <= cover.value + 1e-9


def test_result_records_parameters():
    sets, _ = random_sets(1)
    r = exact_max_cover(sets, k=2, solver="cp-sat", time_limit=5)
    assert r.stats["parameters"]["num_workers"] == 1 and r.stats["parameters"]["linearization_level"] == 2
    # the limit is the whole call's; CP-SAT's own clock gets what is left after the build
    # less the share kept for the bound
    assert r.stats["parameters"]["time_limit"] == 5 and 3 < r.stats["parameters"]["max_time_in_seconds"] <= 5
    r = exact_max_cover(sets, k=2, solver="scip", params="limits/gap = 0")
    assert r.stats["parameters"]["backend"] == "scip" and r.stats["parameters"]["solver_specific"]


def test_decimal_and_float_data_on_cp_sat():
    dense = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]])
    r = exact_set_cover(dense, [0.25, 0.1, 0.3, 0.15], solver="cp-sat")
    assert r.value == pytest.approx(0.25) and r.status == "optimal"
    assert "proved_by" in r.stats["parameters"]  # the Lagrangian bound met the cover: no solve
    # a triangle: the LP (and Lagrangian) bound 0.375 is below the optimum 0.5, CP-SAT runs
    triangle = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    r = exact_set_cover(triangle, [0.25, 0.25, 0.25], solver="cp-sat")
    assert r.value == pytest.approx(0.5) and r.status == "optimal"
    assert "scaled by 100" in r.stats["parameters"]["objective"]
    with pytest.raises(InvalidParameterError):  # knapsack row CP-SAT cannot scale exactly
        exact_max_cover(dense, costs=[1 / 3, 0.2, 0.2, 0.2], budget=0.5, solver="cp-sat")
    r = exact_max_cover(dense, costs=[1 / 3, 0.2, 0.2, 0.2], budget=0.5)  # auto: SCIP
    assert r.value == 4 and r.algorithm == "scip"


def test_two_cp_sat_workers_use_measured_portfolio():
    sets, _ = random_sets(4)
    r = exact_max_cover(sets, k=3, solver="cp-sat", threads=2)
    assert r.status == "optimal" and r.stats["parameters"]["subsolvers"] == ["max_lp", "core"]
    assert r.value == exact_max_cover(sets, k=3, solver="scip").value


def test_greedy_hint_is_returned_when_the_solver_finds_nothing():
    from submodkit.mip.model import RawResult, finish

    raw = RawResult(None, 12.4, "timeout", {})
    r = finish(raw, lambda sel: float(len(sel)), "max", True, "highs", {}, 1.0,
               fallback=np.array([3, 5]))
    assert r.status == "timeout" and r.value == 2.0 and list(r.selection) == [3, 5]
    assert r.bound == 12 and "greedy" in r.stats["parameters"]["incumbent"]
    bogus = finish(RawResult(np.ones(3), 0.0, "timeout", {}), lambda sel: 3.0, "max", True,
                   "highs", {}, 1.0)
    assert bogus.bound is None and bogus.status == "timeout"  # a bound below the value: dropped


@pytest.mark.parametrize(
    "call",
    [
        lambda s: exact_max_cover(s, k=-1),
        lambda s: exact_max_cover(s, k=2.5),
        lambda s: exact_max_cover(s, np.full(14, np.nan), k=2),
        lambda s: exact_max_cover(s, -np.ones(14), k=2),
        lambda s: exact_max_cover(s, np.ones(13), k=2),
        lambda s: exact_max_cover(s, costs=np.ones(10)),
        lambda s: exact_max_cover(s, costs=-np.ones(10), budget=2),
        lambda s: exact_max_cover(s, costs=np.ones(10), budget=-1),
        lambda s: exact_max_cover(s, groups=np.zeros(10, dtype=int)),
        lambda s: exact_max_cover(s, groups=np.zeros(9, dtype=int), capacities=[1]),
        lambda s: exact_max_cover(s, groups=np.full(10, 3), capacities=[1, 1]),
        lambda s: exact_max_cover(s, k=2, solver="gurobi"),
        lambda s: exact_max_cover(s, k=2, time_limit=0),
        lambda s: exact_max_cover(s, k=2, threads=0),
        lambda s: exact_set_cover(s, costs=[1.0] * 9),
        lambda s: exact_set_cover(s, costs=[np.nan] * 10),
        lambda s: exact_set_cover(np.ones(5)),
        lambda s: exact_facility_location(-s.toarray(), 2),
        lambda s: exact_facility_location(s, -1),
        lambda s: set_cover_lp_bound(s, costs=[-1.0] * 10),
        lambda s: max_cover_lp_bound(s, k=-2),
    ],
)
def test_invalid_parameters_raise(call):
    sets, _ = random_sets(0)
    with pytest.raises(InvalidParameterError):
        call(sets)


# ----------------------------------------------------------------------------- OR-Library


def _load(name):
    path = DATA / f"{name}.txt.gz"
    if not path.exists():
        pytest.skip(f"OR-Library data not found at {DATA} (shared data folder absent)")
    problem = read_instance(path)
    return problem.sets, problem.costs


@pytest.mark.parametrize(
    "name,optimum",
    [("scp41", 429), ("scp51", 253), ("scpa1", 253), ("scp54", 242), ("scpa2", 252),
     ("scpb1", 69)],
)
def test_orlib_optimum(name, optimum):
    sets, costs = _load(name)
    r = exact_set_cover(sets, costs, time_limit=60)
    assert r.status == "optimal", r
    assert r.value == optimum and r.bound == optimum
    assert np.asarray(sets[r.selection].sum(axis=0)).ravel().min() >= 1
    assert set_cover_lp_bound(sets, costs) <= optimum + 1e-6


# ----------------------------------------------------------------------------- issue 13


@pytest.mark.parametrize("huge", [1e300, 10**39, 1e16])
def test_coefficients_beyond_the_solvers_range_are_refused_by_name(huge):
    """1e300 or a 40-digit cost made GLOP/SCIP reject the model with a RuntimeError, and 1e19
    next to 1 made CP-SAT claim a wrong optimum: refused up front, naming the entry and limit."""
    dense = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 0]])
    for call in (lambda: exact_set_cover(dense, [huge, 1, 1, 2]),
                 lambda: exact_set_cover(dense, [huge, 1, 1, 2], solver="cp-sat"),
                 lambda: set_cover_lp_bound(dense, [huge, 1, 1, 2])):
        with pytest.raises(InvalidParameterError, match=r"costs\[0\].*1e\+15"):
            call()
    with pytest.raises(InvalidParameterError, match=r"weights\[2\]"):
        exact_max_cover(dense, [1, 1, huge], k=1)
    with pytest.raises(InvalidParameterError, match="similarity"):
        exact_facility_location(dense * float(huge), 1)
    from submodkit.solvers.cover.set_covering import set_cover

    with pytest.raises(InvalidParameterError, match=r"costs\[0\]"):
        set_cover(dense, [huge, 1, 1, 2])
    r = exact_set_cover(dense, [1e15, 1, 1, 2])  # the limit itself is fine
    assert r.value == 3 and r.status == "optimal"


def test_huge_cost_file_exits_2_with_one_line(tmp_path, capsys):
    from submodkit.cli import main

    f = tmp_path / "scp_huge.txt"
    f.write_text("3 4\n1234567890123456789012345678901234567890 1 1 2\n2 1 4\n2 1 2\n2 2 3\n")
    for extra in ([], ["--exact"]):
        assert main(["solve", str(f), "--format", "scp", *extra]) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1 and "costs[0]" in err


def test_budget_above_the_total_cost_is_capped_losslessly():
    sets, _ = random_sets(4)
    costs = np.arange(1.0, 11.0)
    for solver in ("scip", "cp-sat"):
        a = exact_max_cover(sets, costs=costs, budget=1e300, solver=solver)
        b = exact_max_cover(sets, solver=solver)
        assert a.status == b.status == "optimal" and a.value == b.value


def test_a_solver_optimal_claim_against_its_own_bound_is_not_trusted():
    from submodkit.mip.model import RawResult, finish

    raw = RawResult(np.array([1.0, 0.0, 1.0]), 0.0, "optimal", {})
    r = finish(raw, lambda sel: 4.0, "min", False, "cp-sat", {}, 0.0)
    assert r.status == "feasible" and r.stats["parameters"]["solver_status"] == "optimal"
    raw = RawResult(np.array([1.0, 0.0, 1.0]), 4.0 - 1e-9, "optimal", {})
    assert finish(raw, lambda sel: 4.0, "min", False, "cp-sat", {}, 0.0).status == "optimal"


def test_merge_bound_keeps_the_best_valid_bound():
    from submodkit.mip.model import merge_bound
    from submodkit.results import Solution

    r = Solution.from_exact(10.0, None, "timeout", np.array([0]), "scip", {}, 0.0, "max")
    r = merge_bound(r, 12.7, "lp", integral=True)
    assert r.bound == 12 and r.status == "timeout" and r.stats["parameters"]["bound_source"] == "lp"
    assert merge_bound(r, 13.0, "worse").bound == 12  # a looser bound changes nothing
    assert merge_bound(r, 9.0, "wrong").bound == 12  # below the value in hand: not a bound
    done = merge_bound(r, 10.0 + 1e-12, "tight")
    assert done.bound == pytest.approx(10.0) and done.status == "optimal"


def _brute_max_cover(dense, w, k):
    return max(covered_weight(dense, w, list(s)) for s in subsets(dense.shape[0], k))


@pytest.mark.parametrize("seed", range(8))
def test_lagrangian_bounds_are_valid_and_meet_the_lp(seed):
    """Every iterate of the subgradient method bounds the optimum; at convergence the bound is
    close to the LP bound (the Lagrangian dual of these relaxations equals the LP)."""
    from submodkit.mip.model import Deadline, as_binary_csr, max_cover_args
    from submodkit.solvers.cover import exact as C
    from submodkit.solvers.submodular import exact as F

    sets, rng = random_sets(seed, n_sets=9, n_el=16)
    dense = sets.toarray()
    S = as_binary_csr(sets, "sets")
    if (dense.sum(axis=0) > 0).all():
        c = rng.integers(1, 6, 9).astype(float)
        opt = min(c[list(s)].sum() for s in subsets(9) if dense[list(s)].sum(axis=0).min() > 0)
        lb, _ = C.set_cover_lagrangian(S, c, opt, Deadline(5.0), False)
        assert lb <= opt + 1e-9 and lb >= set_cover_lp_bound(sets, c) * (1 - 0.02)
    w = rng.random(16) * 3
    k = int(rng.integers(1, 4))
    for limits in ({"k": k}, {"k": k, "groups": rng.integers(0, 3, 9), "capacities": 1},
                   {"costs": c if (dense.sum(axis=0) > 0).all() else np.ones(9), "budget": 4.0}):
        args = max_cover_args(sets, w, limits.get("k"), limits.get("costs"), limits.get("budget"),
                                 limits.get("groups"), limits.get("capacities"))
        model, _, rows = C._max_cover_model(*args)
        wc = model.c[9:]
        opt = exact_max_cover(sets, w, **limits).value
        ub, _ = C.max_cover_lagrangian(rows, wc, wc.copy(), args[2:], opt, Deadline(5.0), False)
        assert ub >= opt - 1e-9 and ub >= max_cover_lp_bound(sets, w, **limits) - 1e-9
    sim = rng.random((9, 12)) * (rng.random((9, 12)) < 0.6)
    csr = sp.csr_matrix(sim)
    greedy, cover = F._greedy_facility(csr, 3)
    opt = exact_facility_location(sim, 3).value
    ub, _ = F.facility_location_lagrangian(csr, 3, cover, opt, Deadline(5.0), False)
    lp = facility_location_lp_bound(sim, 3)
    assert opt - 1e-9 <= ub and lp - 1e-9 <= ub <= lp * 1.02 + 1e-9
    greedy_value = float(sim[greedy].max(axis=0).sum())
    gains = np.maximum(sim - cover[None, :], 0).sum(axis=1)
    assert ub <= greedy_value + np.sort(gains)[-3:].sum() + 1e-9  # never above the a-posteriori bound


def test_a_model_too_large_for_memory_is_replaced_by_greedy_and_a_bound(monkeypatch):
    """The 2,000-point facility-location model (4 million variables) was built until the
    process was killed at 7.9 GB: its size is now estimated first, and a model that does not
    fit is not built; the greedy answer comes back with a Lagrangian bound."""
    from submodkit.mip import model as exact_core

    monkeypatch.setattr(exact_core, "available_memory", lambda: 1e5)
    sim = np.random.default_rng(1).random((8, 10))  # greedy is not optimal here
    r = exact_facility_location(sim, 3)
    opt = max(float(sim[list(s)].max(axis=0).sum()) for s in itertools.combinations(range(8), 3))
    assert r.status == "feasible" and "GiB" in r.stats["parameters"]["not_solved"]
    assert r.value <= opt + 1e-9 <= r.bound + 2e-9
    r = exact_facility_location(sim, 3, time_limit=5)
    assert r.status == "timeout" and r.bound >= opt - 1e-9
    sets, _ = random_sets(2)
    r = exact_max_cover(sets, k=2)
    assert r.status in ("feasible", "optimal") and "not_solved" in r.stats["parameters"]
    assert r.bound >= _brute_max_cover(sets.toarray(), np.ones(14), 2) - 1e-9


# ----------------------------------------------------------------------------- reduced-cost fixing


@pytest.mark.parametrize("integral", [True, False])
@pytest.mark.parametrize("seed", range(20))
def test_priced_in_sets_hold_an_optimum(seed, integral):
    """For any multipliers >= 0 and any cover, the sets kept by reduced-cost fixing (plus
    that cover) hold an optimum of the whole: brute force on them equals brute force."""
    from submodkit.solvers.cover.exact import priced_in

    sets, rng = random_sets(100 + seed, n_sets=11, n_el=9, p=0.35)
    dense = sets.toarray()
    dense[rng.integers(0, 11, size=9), np.arange(9)] = 1
    costs = rng.integers(1, 6, size=11).astype(float) if integral else rng.uniform(0.5, 5.0, size=11)
    optimum = min(costs[list(s)].sum() for s in subsets(11) if dense[list(s)].sum(0).all())
    cover = np.flatnonzero(dense.any(axis=1))  # some cover (every nonempty set)
    lam = rng.uniform(0.0, 1.5, size=9) * (seed % 4 != 0)  # zeros too
    keep = priced_in(sp.csr_matrix(dense), costs, cover, lam, integral)
    assert set(cover.tolist()) <= set(keep.tolist())
    kept = dense[keep]
    best_kept = min(costs[keep][list(s)].sum() for s in subsets(keep.shape[0]) if kept[list(s)].sum(0).all())
    assert best_kept == pytest.approx(optimum)


def test_cp_sat_stops_at_an_incumbent_meeting_a_known_bound():
    """With the optimum given as a bound proven elsewhere, CP-SAT stops at the first
    incumbent of that value (parameters say so) and the answer is optimal; a known bound
    below the optimum never stops it early."""
    from submodkit.mip.model import LinearModel
    from submodkit.mip.ortools import solve_cpsat

    sets, rng = random_sets(7, n_sets=14, n_el=12, p=0.3)
    dense = sets.toarray()
    dense[rng.integers(0, 14, size=12), np.arange(12)] = 1
    costs = rng.integers(1, 9, size=14).astype(float)
    optimum = min(costs[list(s)].sum() for s in subsets(14) if dense[list(s)].sum(0).all())
    A = sp.csr_matrix(dense.T)
    for known, stops in ((optimum, True), (optimum - 1, False)):
        model = LinearModel(c=costs, A=A, row_lb=np.ones(12), row_ub=np.full(12, np.inf),
                            integer=np.ones(14, dtype=bool), sense="min", n_select=14, known_bound=known)
        raw = solve_cpsat(model, None, 1, None, False)
        sel = np.flatnonzero(raw.x > 0.5)
        assert dense[sel].sum(0).all() and costs[sel].sum() == pytest.approx(optimum)
        assert ("stopped" in raw.parameters) == stops
