"""Time limits of the offline optima (allocation LP / IP / flow, packing, whole pages): the
limit is checked from the call's start, a stopped solve says "timeout", returns the best
feasible answer known (the solver's, else the online greedy / dual mirror descent), and an
upper bound only when one is proven (never below a value another solver reaches); and of
``allocate``: the LP (re-)solves stop at the limit and every arrival is still decided."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance, random_allocation_instance
from submodkit.instances.packing import random_packing_instance
from submodkit.instances.pages import random_page_instance
from submodkit.mip.model import ModelSize
from submodkit.solvers.allocation import offline
from submodkit.solvers.allocation.offline import _lp_matrix, evaluate, offline_optimum
from submodkit.solvers.allocation.online import allocate
from submodkit.solvers.allocation.packing import dual_mirror_descent, packing_optimum
from submodkit.solvers.allocation.pages import allocate_pages, page_optimum

BAD_LIMITS = (0, 0.0, -1.0, float("nan"), float("inf"), "1", True)


@pytest.fixture(scope="module")
def big():
    """Too large for GLOP or SCIP in a fraction of a second (GLOP: 2.5 s unloaded), with its
    integral optimum by the min-cost flow (which is also the LP's with integer capacities)."""
    inst = random_allocation_instance(50_000, 100, density=0.05, seed=3)
    return inst, offline_optimum(inst, True, solver="flow")


def _never_refuse(monkeypatch):
    """Let the solver run whatever the time left (no size estimate, no refusal)."""
    monkeypatch.setattr(offline, "refuse_model", lambda *args: None, raising=False)
    monkeypatch.setattr(ModelSize, "seconds", lambda self, backend: 0.0)


def _check_lp_point(inst, sol, integer_capacities):
    mat, obj, upper, _ = _lp_matrix(inst)
    if not integer_capacities:
        upper[inst.n_arrivals:] = inst.budgets
    assert sol.x is not None and sol.x.min() >= -1e-9 and sol.x.max() <= 1 + 1e-9
    assert np.all(mat @ sol.x <= upper * (1 + 1e-9) + 1e-6)
    assert sol.value == pytest.approx(float(obj @ sol.x), rel=1e-9)


@pytest.mark.parametrize("solver", ["glop", "pdlp"])
def test_an_lp_stopped_early_claims_no_false_bound(big, solver):
    inst, flow = big
    assert flow.status == "optimal"
    sol = offline_optimum(inst, solver=solver, time_limit=0.05, integer_capacities=True)
    assert sol.status == "timeout"
    assert sol.upper_bound is None or sol.upper_bound >= flow.value * (1 - 1e-9)
    assert 0 < sol.value <= flow.value * (1 + 1e-9)
    _check_lp_point(inst, sol, True)
    assert sol.certified_ratio is None or sol.certified_ratio <= 1.0


def test_glop_stopped_by_its_own_limit_certifies_its_point(big, monkeypatch):
    inst, flow = big
    _never_refuse(monkeypatch)
    sol = offline_optimum(inst, time_limit=0.5, integer_capacities=True)
    assert sol.status == "timeout" and "solver_status" in sol.stats  # GLOP ran and stopped
    assert sol.upper_bound is None or sol.upper_bound >= flow.value * (1 - 1e-9)
    assert 0 < sol.value <= flow.value * (1 + 1e-9)
    _check_lp_point(inst, sol, True)


@pytest.mark.parametrize(("solver", "force_solver"), [("scip", False), ("scip", True), ("cp_sat", True)])
def test_an_ip_stopped_early_returns_a_feasible_assignment(solver, force_solver, monkeypatch):
    inst = random_allocation_instance(30_000, 60, density=0.05, seed=3)  # SCIP: 45 s to optimality
    flow = offline_optimum(inst, True, solver="flow")
    if force_solver:  # the solver runs and is stopped: no incumbent, or the trivial one
        _never_refuse(monkeypatch)
    sol = offline_optimum(inst, True, solver=solver, time_limit=0.5 if force_solver else 0.05)
    assert sol.status == "timeout"
    assert ("solver_status" in sol.stats) == force_solver  # it ran, or was not started
    assert sol.assignment is not None and sol.value > 0
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value)
    assert sol.value <= flow.value * (1 + 1e-9)
    assert sol.upper_bound is None or sol.upper_bound >= flow.value * (1 - 1e-9)
    assert sol.upper_bound is None or sol.upper_bound < 1e19


def test_the_integrality_loop_checks_the_deadline(monkeypatch):
    inst = random_allocation_instance(2_000, 20, density=0.2, seed=1)
    _never_refuse(monkeypatch)
    sol = offline_optimum(inst, True, time_limit=1e-9)
    assert sol.status == "timeout" and "while the model was built" in sol.stats["not_solved"]
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value)
    assert sol.upper_bound >= offline_optimum(inst).value * (1 - 1e-9)  # the prices' bound, valid


def test_the_greedy_fallback_keeps_hard_budgets():
    inst = random_allocation_instance(3_000, 20, density=0.3, kind="budget", load=0.3, seed=2)
    for integral in (False, True):
        sol = offline_optimum(inst, integral, time_limit=1e-9)
        assert sol.status == "timeout" and sol.stats["incumbent"].startswith("greedy")
        rows = np.flatnonzero(sol.assignment >= 0)
        cols = sol.assignment[rows]
        bids = np.asarray(sp.csr_matrix(inst.values)[rows, cols]).ravel()
        spent = np.bincount(cols, weights=bids, minlength=inst.n_advertisers)
        assert np.all(spent <= inst.budgets * (1 + 1e-9) + 1e-9)
        assert sol.value == pytest.approx(bids.sum()) and sol.value > 0


def test_flow_checks_its_limit_and_validates_it():
    inst = random_allocation_instance(2_000, 20, density=0.2, seed=1)
    full = offline_optimum(inst, True, solver="flow", time_limit=60)
    assert full.status == "optimal"
    sol = offline_optimum(inst, True, solver="flow", time_limit=1e-9)
    assert sol.status == "timeout" and sol.upper_bound is None
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value)
    assert 0 < sol.value <= full.value
    for bad in BAD_LIMITS:
        for kwargs in ({"solver": "flow"}, {}):
            with pytest.raises(InvalidParameterError, match="time_limit"):
                offline_optimum(inst, True, time_limit=bad, **kwargs)


@pytest.mark.parametrize("integral", [False, True])
def test_packing_stopped_early_returns_dual_mirror_descent_and_no_false_bound(integral):
    inst = random_packing_instance(20_000, 5, 20, seed=3)
    dmd = dual_mirror_descent(inst)
    sol = packing_optimum(inst, integral=integral, time_limit=0.05)
    assert sol.status == "timeout"
    assert sol.assignment is not None and sol.value >= dmd.value * (1 - 1e-9)
    assert inst.objective(sol.assignment) == pytest.approx(sol.value)
    assert sol.upper_bound is None or sol.upper_bound >= dmd.value


def test_packing_fallback_with_the_regularizer_is_a_point_of_the_lp():
    inst = random_packing_instance(5_000, 4, 6, seed=1)
    sol = packing_optimum(inst, regularizer="max-min", lam=1.0, time_limit=1e-9)
    assert sol.status == "timeout" and sol.upper_bound is None
    assert sol.value == pytest.approx(inst.objective(sol.assignment, "max-min", 1.0))
    used = inst.consumption_matrix().T @ sol.x[:-1]
    assert sol.x[-1] == pytest.approx(inst.n_arrivals * float(np.min(used / inst.budgets)))
    assert sol.value == pytest.approx(float(inst.rewards @ sol.x[:-1]) + sol.x[-1])


def test_packing_validates_the_limit_before_any_work():
    inst = random_packing_instance(50, 3, 2, seed=1)
    for bad in BAD_LIMITS:
        with pytest.raises(InvalidParameterError, match="time_limit"):
            packing_optimum(inst, time_limit=bad)


def test_page_optimum_at_the_limit_returns_the_greedy_pages():
    inst = random_page_instance(2_000, 100, seed=3)
    greedy = allocate_pages(inst, algorithm="greedy")
    sol = page_optimum(inst, time_limit=1e-6)
    assert sol.status == "timeout" and sol.stats["not_solved"]
    assert sol.value == pytest.approx(greedy.value) and sol.value > 0
    assert np.array_equal(sol.assignment, greedy.assignment)
    assert sol.upper_bound is None


def test_page_optimum_rejects_a_zero_limit():
    inst = random_page_instance(10, 8, seed=1)
    for bad in BAD_LIMITS:
        with pytest.raises(InvalidParameterError, match="time_limit"):
            page_optimum(inst, time_limit=bad)
    sol = page_optimum(inst, time_limit=60)
    assert sol.status == "optimal" and sol.upper_bound >= sol.value
    assert sol.upper_bound == pytest.approx(sol.value, rel=1e-8)


# --------------------------------------------------------------------------- the greedy fallback, cold

def _check_fallback(inst, sol):
    """A timeout's answer: a feasible assignment (hard capacities and budgets) worth its value."""
    assert sol.status == "timeout" and sol.assignment is not None and sol.value > 0
    rows = np.flatnonzero(sol.assignment >= 0)
    cols = sol.assignment[rows]
    spent = np.bincount(cols, weights=np.asarray(sp.csr_matrix(inst.values)[rows, cols]).ravel()
                        if inst.kind == "budget" else np.ones(rows.size), minlength=inst.n_advertisers)
    caps = inst.budgets if inst.kind == "budget" else np.floor(inst.budgets + 1e-9)
    assert np.all(spent <= caps * (1 + 1e-9) + 1e-9)
    assert sol.value == pytest.approx(float(np.asarray(sp.csr_matrix(inst.values)[rows, cols]).sum()))


@pytest.mark.parametrize(("kind", "load"), [("capacity", 0.5), ("capacity", 3.0), ("budget", 0.3)])
def test_without_the_greedy_kernel_the_fallback_is_numpy_proposals(kind, load, monkeypatch):
    # a cold process: the greedy's kernel is not loaded by the deadline (it took 0.4 to 0.55 s
    # to import Numba and load it after the deadline, about 2 s to compile with an empty cache)
    monkeypatch.setattr(offline.GREEDY_KERNEL, "loaded", lambda: False)
    monkeypatch.setattr(offline.GREEDY_KERNEL, "load", lambda: None)
    monkeypatch.setattr(offline.GREEDY_KERNEL, "cached", lambda: False)
    inst = random_allocation_instance(3_000, 20, density=0.3, kind=kind, load=load, seed=2)
    for integral in (False, True):
        sol = offline_optimum(inst, integral, time_limit=1e-9)
        assert sol.stats["incumbent"] == offline.PROPOSALS_INCUMBENT
        _check_fallback(inst, sol)
    flow = offline_optimum(inst, True, solver="flow", time_limit=1e-9) if kind == "capacity" else None
    if flow is not None:
        assert flow.stats["incumbent"] == offline.PROPOSALS_INCUMBENT
        _check_fallback(inst, flow)


@pytest.mark.parametrize("seed", range(4))
def test_proposals_are_feasible_maximal_and_near_the_greedy(seed):
    rng = np.random.default_rng(seed)
    kind = ("capacity", "budget")[seed % 2]
    inst = random_allocation_instance(2_000, 15, density=0.3, kind=kind, load=float(rng.uniform(0.2, 1.5)),
                                      seed=seed)
    mat, obj, upper, rows = _lp_matrix(inst)
    t = inst.n_arrivals
    x = offline._proposal_start(inst, upper[t:])
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert np.all(mat @ x <= upper * (1 + 1e-9) + 1e-9)  # one advertiser per arrival, within capacity
    _, indices, vals, cons = inst.arrays()
    used = np.bincount(indices, weights=x * cons, minlength=inst.n_advertisers)
    assigned = np.bincount(rows, weights=x, minlength=t) > 0
    fits = used[indices] + cons <= upper[t:][indices] * (1 + 1e-9) + 1e-9
    assert not np.any(~assigned[rows] & fits)  # maximal: no open arrival fits an advertiser
    greedy, _ = offline._greedy_start(inst, rows, upper[t:], offline.Deadline(None))
    assert obj @ x >= 0.97 * (obj @ greedy)


_COLD = """
import sys, time
from submodkit.instances.allocation import random_allocation_instance
from submodkit.solvers.allocation.offline import offline_optimum
inst = random_allocation_instance(50_000, 100, density=0.05, seed=3)
assert "submodkit.solvers.allocation._kernels" not in sys.modules
start = time.perf_counter()
sol = offline_optimum(inst, time_limit={limit})
print(time.perf_counter() - start, sol.status, sol.value)
"""


def test_a_cold_call_returns_within_its_limit(tmp_path):
    """A fresh process with an empty Numba cache (nothing loaded, nothing compiled): the LP is
    not done at the limit, and the fallback must not load or compile the greedy's kernel after
    it (it overran by about 2 s so)."""
    import os
    import subprocess
    import sys

    limit = 0.5
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", _COLD.format(limit=limit)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    seconds, status, value = run.stdout.split()
    assert status == "timeout" and float(value) > 0
    assert float(seconds) <= limit + 1.0, seconds  # the house margin (tests/solvers/test_time_limits.py)


# --------------------------------------------------------------------------- allocate under a limit

def _solves_then_stops(monkeypatch, solved: int) -> list:
    """``allocate``'s LPs: the first ``solved`` end optimal, the later ones at their limit."""
    from submodkit.solvers.allocation import online

    real, calls = online.offline_optimum, []

    def lp(instance, *args, time_limit=None, **kwargs):
        calls.append(time_limit)
        if len(calls) > solved:
            time_limit = 1e-9
        return real(instance, *args, time_limit=time_limit, **kwargs)

    monkeypatch.setattr(online, "offline_optimum", lp)
    return calls


def test_dual_resolve_without_a_solved_lp_is_greedy(monkeypatch):
    inst = random_allocation_instance(2_000, 10, density=0.3, seed=1, load=0.3)
    calls = _solves_then_stops(monkeypatch, 0)
    sol = allocate(inst, algorithm="dual-resolve", epsilon=0.05, time_limit=60)
    greedy = allocate(inst, algorithm="greedy")
    assert calls and 0 < calls[0] <= 60  # the call's limit reaches the LP
    assert sol.stats["time_limit_reached"] is True and sol.stats["lp_solves"] == 0
    assert sol.stats["resolving_stopped_at"] == 100 and sol.stats["fallback"].startswith("greedy")
    assert np.array_equal(sol.assignment, greedy.assignment) and sol.value == greedy.value
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value)


def test_dual_resolve_keeps_the_last_prices_after_the_limit(monkeypatch):
    rand = random_allocation_instance(2_000, 10, density=0.3, seed=1, load=0.3)
    inst = AllocationInstance(rand.values, budgets=rand.budgets, free_disposal=False)  # no assignment undone
    full = allocate(inst, algorithm="dual-resolve", epsilon=0.05)
    _solves_then_stops(monkeypatch, 2)  # solved at 100 and 200 arrivals, stopped at 400
    sol = allocate(inst, algorithm="dual-resolve", epsilon=0.05, time_limit=60)
    assert sol.stats["lp_solves"] == 2 and sol.stats["resolving_stopped_at"] == 400
    assert sol.stats["time_limit_reached"] is True and sol.stats["fallback"] == "the last prices solved"
    assert np.array_equal(sol.assignment[:400], full.assignment[:400])  # the same up to the stop
    assert not np.array_equal(sol.assignment, full.assignment)
    assert (sol.assignment[400:] >= 0).any()  # every arrival is still decided
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value)


def test_dual_resolve_returns_within_its_limit():
    inst = random_allocation_instance(50_000, 100, density=0.05, seed=3)  # 3.4 s of LPs without a limit
    allocate(random_allocation_instance(50, 5, seed=0), algorithm="dual-resolve")  # kernels, OR-Tools loaded
    limit = 0.5
    start = time.perf_counter()
    sol = allocate(inst, algorithm="dual-resolve", epsilon=0.05, time_limit=limit)
    seconds = time.perf_counter() - start
    assert sol.stats["time_limit_reached"] is True and sol.stats["resolving_stopped_at"] is not None
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value) and sol.value > 0
    assert seconds <= limit + 1.0, seconds


def test_dual_training_without_its_lp_is_greedy_after_the_prefix():
    inst = random_allocation_instance(2_000, 10, density=0.3, seed=1, load=0.3)
    sol = allocate(inst, algorithm="dual-training", epsilon=0.2, time_limit=1e-9)
    assert sol.stats["time_limit_reached"] is True and sol.stats["fallback"].startswith("greedy after")
    assert np.all(sol.assignment[:400] == -1)  # the training arrivals stay unallocated
    rest = allocate(inst.take(np.arange(400, 2_000)), algorithm="greedy")
    assert np.array_equal(sol.assignment[400:], rest.assignment) and sol.value == pytest.approx(rest.value)


def test_hedged_without_the_forecast_lp_has_no_plan():
    inst = random_allocation_instance(2_000, 10, density=0.3, seed=1, load=0.3)
    sol = allocate(inst, algorithm="hedged", forecast=inst, hedge=0.7, time_limit=1e-9)
    msvv = allocate(inst, algorithm="hedged", forecast=inst, hedge=0.0)
    assert sol.stats["time_limit_reached"] is True and sol.stats["fallback"].startswith("no plan")
    assert sol.stats["plan_assigned"] == 0
    assert np.array_equal(sol.assignment, msvv.assignment) and sol.value == msvv.value


@pytest.mark.parametrize("algorithm", ["greedy", "dual-resolve", "dual-training", "hedged"])
def test_allocate_without_a_limit_or_with_a_loose_one_is_unchanged(algorithm):
    inst = random_allocation_instance(1_000, 8, density=0.3, seed=4, load=0.3)
    extra = {"forecast": inst} if algorithm == "hedged" else {}
    plain = allocate(inst, algorithm=algorithm, **extra)
    loose = allocate(inst, algorithm=algorithm, time_limit=600, **extra)
    assert "time_limit_reached" not in plain.stats and loose.stats["time_limit_reached"] is False
    assert np.array_equal(plain.assignment, loose.assignment) and plain.value == loose.value


def test_allocate_validates_its_limit():
    inst = random_allocation_instance(50, 3, seed=1)
    for bad in BAD_LIMITS:
        with pytest.raises(InvalidParameterError, match="time_limit"):
            allocate(inst, algorithm="dual-resolve", time_limit=bad)


def test_the_command_passes_its_limit_to_allocate(shared_data, capsys, monkeypatch):
    # `solve --problem allocation --time-limit T` ran allocate without a limit (dual-resolve on
    # pub3: 4.0 s with --time-limit 0.5)
    import json

    from submodkit.cli import main
    from submodkit.solvers.allocation import online

    real, limits = online.allocate, []

    def stopped(instance, *args, time_limit=None, **kwargs):
        limits.append(time_limit)
        return real(instance, *args, time_limit=1e-9, **kwargs)  # no time for any LP

    monkeypatch.setattr(online, "allocate", stopped)
    code = main(["solve", str(shared_data / "adx"), "--problem", "allocation", "--publisher", "pub1",
                 "--algorithm", "dual-resolve", "--time-limit", "30", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    obj = json.loads(out)
    assert limits and 0 < limits[0] < 30  # a share of what is left: the offline LP follows
    assert obj["time_limit_reached"] is True and obj["fallback"].startswith("greedy")


# --------------------------------------------------------------------------- packing and pages, cold

@pytest.mark.parametrize("seed", range(4))
def test_packing_proposals_are_feasible_and_maximal(seed):
    from submodkit.solvers.allocation._fallback import proposal_rounds

    inst = random_packing_instance(3_000, 8, 4, seed=seed)
    x = proposal_rounds(inst.action_ptr, inst.rewards, inst.cons_ptr, inst.cons_idx, inst.cons_val,
                        inst.budgets)
    assert set(np.unique(x)) <= {0.0, 1.0}
    arrival_of = np.repeat(np.arange(inst.n_arrivals), np.diff(inst.action_ptr))
    assert np.bincount(arrival_of, weights=x, minlength=inst.n_arrivals).max() <= 1  # one action each
    cmat = inst.consumption_matrix()  # (K, m)
    used = cmat.T @ x
    assert np.all(used <= inst.budgets * (1 + 1e-9) + 1e-9)
    served = np.bincount(arrival_of, weights=x, minlength=inst.n_arrivals) > 0
    left = inst.budgets * (1 + 1e-9) + 1e-9 - used
    over = (cmat.multiply(1.0 / np.maximum(left, 1e-300)) > 1).tocsr()  # an entry beyond the room left
    fits = np.diff(over.indptr) == 0
    assert not np.any(~served[arrival_of] & fits & (inst.rewards > 0))  # maximal
    assert inst.rewards @ x > 0


def _cold(monkeypatch, loader):
    """A process where ``loader``'s kernel never loads by the deadline."""
    monkeypatch.setattr(loader, "loaded", lambda: False)
    monkeypatch.setattr(loader, "load", lambda: None)
    monkeypatch.setattr(loader, "cached", lambda: False)


@pytest.mark.parametrize("regularizer", [None, "max-min"])
def test_packing_without_the_dmd_kernel_returns_numpy_proposals(regularizer, monkeypatch):
    from submodkit.solvers.allocation import packing

    _cold(monkeypatch, packing.DMD_KERNEL)
    inst = random_packing_instance(5_000, 6, 5, seed=4)
    sol = packing_optimum(inst, regularizer=regularizer, lam=1.0, time_limit=1e-9)
    assert sol.status == "timeout" and sol.stats["incumbent"] == packing.PROPOSALS_INCUMBENT
    # a bound from resource prices without the regularizer (none is derived with it)
    assert sol.value > 0 and (sol.upper_bound is None) == (regularizer is not None)
    if regularizer is None:
        assert sol.upper_bound >= packing_optimum(inst).value * (1 - 1e-9)
    assert sol.value == pytest.approx(inst.objective(sol.assignment, regularizer, 1.0))  # feasible
    k = inst.n_actions
    assert np.array_equal(np.flatnonzero(sol.x[:k]), np.sort(sol.assignment[sol.assignment >= 0]))


def test_pages_without_the_greedy_kernel_return_one_ad_per_page(monkeypatch):
    from submodkit.solvers.allocation import pages

    _cold(monkeypatch, pages.PAGE_KERNEL)
    monkeypatch.setattr(pages.PAGE_KERNEL, "wait", lambda deadline: False)
    inst = random_page_instance(3_000, 60, seed=5)
    sol = page_optimum(inst, time_limit=1e-6)
    assert sol.status == "timeout" and sol.stats["incumbent"] == pages.PROPOSALS_INCUMBENT
    ads = sol.assignment
    assert np.all(ads[:, 1:] == -1) and np.count_nonzero(ads[:, 0] >= 0) > 0
    placed = np.flatnonzero(ads[:, 0] >= 0)
    assert np.all(inst.values[placed, ads[placed, 0]].A1 > 0)  # eligible
    assert np.all(np.bincount(ads[placed, 0], minlength=inst.n_ads) <= inst.capacities)
    values = np.zeros(ads.shape)
    values[placed, 0] = inst.values[placed, ads[placed, 0]].A1 * inst.slot_weights[0]
    assert sol.value == pytest.approx(values.sum())
    # each page's ad is its best one with room left when it proposed: not beaten by more than
    # the greedy, and never worth less than half of it here
    assert sol.value >= 0.5 * allocate_pages(inst, algorithm="greedy").value


_COLD_OPTIMUM = """
import sys, time
from submodkit.instances.{family} import {generator}
from submodkit.solvers.allocation.{family} import {optimum}
inst = {generator}{args}
assert "{kernels}" in sys.modules and not getattr(sys.modules["{kernels}"], "{kernel}").signatures
start = time.perf_counter()
sol = {optimum}(inst, time_limit={limit})
print(time.perf_counter() - start, sol.status, sol.value, repr(sol.stats["incumbent"]).replace(" ", "_"))
"""


@pytest.mark.parametrize(("family", "generator", "args", "optimum", "kernel"), [
    ("packing", "random_packing_instance", "(20_000, 50, 5, seed=0)", "packing_optimum", "dmd_packing"),
    ("pages", "random_page_instance", "(5_000, 200, seed=0)", "page_optimum", "run_pages"),
])
def test_a_cold_packing_or_pages_call_returns_within_its_limit(family, generator, args, optimum, kernel,
                                                               tmp_path):
    """A fresh process with an empty Numba cache: the fallback's kernel compiles in the
    background (2.5 s for dual mirror descent, 7 s for the pages), so the answer at the limit
    is NumPy's proposals (before: 3.8 s and 8.0 s for a limit of 0.3 s)."""
    import os
    import subprocess
    import sys

    limit = 0.5
    kernels = f"submodkit.solvers.allocation._{'packing' if family == 'packing' else 'page'}_kernels"
    code = _COLD_OPTIMUM.format(family=family, generator=generator, args=args, optimum=optimum, limit=limit,
                                kernels=kernels, kernel=kernel)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    seconds, status, value, incumbent = run.stdout.split()
    assert status == "timeout" and float(value) > 0 and "proposals" in incumbent
    assert float(seconds) <= limit + 1.0, seconds  # the house margin (tests/solvers/test_time_limits.py)
    assert any(tmp_path.rglob("*.nbi")), "the background thread did not fill the cache before the exit"


def test_proposals_keep_a_small_resource_beside_a_huge_one():
    """The acceptance test's running sums mixed resources: beside a consumption of 1e17, two
    units on a resource of room 1 rounded to fitting (both were taken)."""
    from submodkit.solvers.allocation._fallback import proposal_rounds

    x = proposal_rounds(np.array([0, 1, 2, 3]), np.array([3.0, 2.0, 1.0]), np.array([0, 1, 2, 3]),
                        np.array([0, 1, 1]), np.array([1e17, 1.0, 1.0]), np.array([1e17, 1.0]))
    assert x.tolist() == [1.0, 1.0, 0.0]


@pytest.mark.parametrize("problem", ["allocation", "packing"])
def test_a_solve_stopped_before_its_solver_still_bounds_the_optimum(problem):
    """A model not built in the time left (or a solver without a bound) left ``upper_bound``
    None; the answer now carries the Lagrangian bound of resource prices (NumPy subgradient
    steps): above the LP optimum, never below, and tight once the steps have time."""
    if problem == "allocation":
        inst = random_allocation_instance(3000, 20, seed=4)
        run = lambda limit: offline_optimum(inst, time_limit=limit)  # noqa: E731
        lp = offline_optimum(inst).value
    else:
        inst = random_packing_instance(3000, 5, 8, seed=0, load=0.3)
        run = lambda limit: packing_optimum(inst, time_limit=limit)  # noqa: E731
        lp = packing_optimum(inst).value
    sol = run(1e-6)  # nothing built: the fallback's point and the bound at the first prices
    assert sol.status == "timeout" and sol.upper_bound is not None and sol.value <= lp
    assert sol.upper_bound >= lp * (1 - 1e-9) and "prices" in sol.stats["bound_from"]
    from submodkit.solvers.allocation._fallback import price_bound

    if problem == "packing":  # given time, the steps close in on the LP (within 0.01% here)
        tight = price_bound(inst.action_ptr, inst.rewards, inst.consumption_matrix(), inst.budgets,
                            sol.value)
        assert lp * (1 - 1e-9) <= tight <= lp * 1.001
