"""Time limits of the offline optima (allocation LP / IP / flow, packing, whole pages): the
limit is checked from the call's start, a stopped solve says "timeout", returns the best
feasible answer known (the solver's, else the online greedy / dual mirror descent), and an
upper bound only when one is proven (never below a value another solver reaches)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import random_allocation_instance
from submodkit.instances.packing import random_packing_instance
from submodkit.instances.pages import random_page_instance
from submodkit.mip.model import ModelSize
from submodkit.solvers.allocation import offline
from submodkit.solvers.allocation.offline import _lp_matrix, evaluate, offline_optimum
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
    assert evaluate(inst, sol.assignment) == pytest.approx(sol.value) and sol.upper_bound is None


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
