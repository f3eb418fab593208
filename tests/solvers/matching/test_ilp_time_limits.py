"""matching_ilp under a time limit: validated at the boundary, keyword-only, the deadline counted
from the call's start (model build and both solves of ``maxcardinality``), status "timeout" when
the limit stopped it, with the best matching known and only a bound a solver proved."""

import inspect
import math

import numpy as np
import pytest

import submodkit.mip.ortools as mip_ortools
from submodkit.errors import InvalidParameterError
from submodkit.instances.generators import random_graph
from submodkit.solvers.matching.exact import matching_ilp
from submodkit.solvers.matching.general import matching_weight, max_weight_matching


def _valid(graph, sol):
    assert np.unique(sol.pairs.ravel()).size == sol.pairs.size
    assert matching_weight(graph, sol.pairs) == pytest.approx(sol.value)


def test_parameters_after_the_graph_are_keyword_only():
    params = list(inspect.signature(matching_ilp).parameters.values())
    assert params[0].name == "graph"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    with pytest.raises(TypeError):
        matching_ilp([(0, 1, 1.0)], False, 1.0)


@pytest.mark.parametrize("limit", [0, 0.0, -1, float("nan"), float("inf"), "1", True])
def test_time_limit_is_validated(limit):
    with pytest.raises(InvalidParameterError):
        matching_ilp([(0, 1, 2), (1, 2, 3)], time_limit=limit)


@pytest.mark.parametrize("solver", ["scip", "cp-sat"])
def test_a_tiny_limit_times_out_with_the_greedy_matching(solver):
    # int(0.0005 * 1000) == 0 used to mean "no limit" to SCIP: 4 s to the optimum
    g = random_graph(3000, 30000, seed=3, weighted=True)
    sol = matching_ilp(g, solver=solver, time_limit=0.0005)
    assert sol.status == "timeout" and sol.guarantee is None
    # the solver proved nothing: the bound is half of each vertex's heaviest edge (it was None)
    assert sol.stats["bound_from"] == "half of each vertex's heaviest edge"
    assert sol.upper_bound >= max_weight_matching(g).value
    _valid(g, sol)
    assert sol.value >= max_weight_matching(g, algorithm="greedy").value


def test_maxcardinality_tiny_limit_claims_nothing():
    g = random_graph(3000, 30000, seed=3, weighted=True)
    sol = matching_ilp(g, maxcardinality=True, time_limit=0.0005)
    assert sol.status == "timeout" and sol.guarantee is None
    # a bound on every matching's weight, so on the heaviest of maximum cardinality too
    assert sol.upper_bound >= max_weight_matching(g, maxcardinality=True).value
    _valid(g, sol)
    assert len(sol) > 0


def test_a_stopped_solver_reports_timeout_not_feasible():
    # SCIP does not prove this one in 2 s (3.4 s unloaded): it stops with an incumbent, which
    # was reported "feasible"; the model may also be refused on a loaded machine
    g = random_graph(3000, 30000, seed=3, weighted=True)
    sol = matching_ilp(g, solver="scip", time_limit=2.0)
    assert sol.status in ("timeout", "optimal")
    _valid(g, sol)
    if sol.status == "timeout":
        assert sol.upper_bound is None or sol.upper_bound >= sol.value
    else:
        assert sol.upper_bound == sol.value


def test_the_second_solve_gets_only_what_is_left(monkeypatch):
    limits = []
    real = mip_ortools.solve_model

    def spy(model, backend, time_limit, *args):
        limits.append(time_limit)
        return real(model, backend, time_limit, *args)

    monkeypatch.setattr(mip_ortools, "solve_model", spy)
    g = random_graph(30, 80, seed=1, weighted=True)
    sol = matching_ilp(g, maxcardinality=True, time_limit=30.0)
    assert sol.status == "optimal"
    assert sol.value == max_weight_matching(g, maxcardinality=True).value
    assert len(limits) == 2 and limits[0] < 30.0 and limits[1] < limits[0]


def test_optimal_runs_report_their_bound():
    g = random_graph(40, 120, seed=2, weighted=True)
    ref = max_weight_matching(g).value
    for solver in ("cp-sat", "scip"):
        sol = matching_ilp(g, solver=solver, time_limit=30.0)
        assert sol.status == "optimal" and sol.value == pytest.approx(ref)
        assert sol.upper_bound == sol.value and sol.guarantee.ratio == 1.0
    assert matching_ilp(np.zeros((0, 3))).status == "optimal"


def test_max_weight_matching_ilp_times_out_too():
    g = random_graph(3000, 30000, seed=3, weighted=True)
    sol = max_weight_matching(g, algorithm="ilp", time_limit=0.0005)
    assert sol.status == "timeout" and sol.value > 0 and not math.isnan(sol.value)



def test_max_weight_matching_counts_reading_the_graph(monkeypatch):
    """The limit of ``max_weight_matching(algorithm="ilp")`` starts at the call: what reading
    the graph took is not given to the solver again."""
    import time

    import submodkit.solvers.matching.general as G

    read, given = G.read_graph, []

    def slow_read(*args, **kwargs):
        time.sleep(0.5)  # a graph that takes longer to read than the whole limit
        return read(*args, **kwargs)

    def recording_ilp(g, *, maxcardinality, time_limit):
        given.append(time_limit)
        return matching_ilp(g, maxcardinality=maxcardinality, time_limit=time_limit)

    monkeypatch.setattr(G, "read_graph", slow_read)
    monkeypatch.setattr(G, "matching_ilp", recording_ilp)
    graph = np.array([[0, 1, 2.0], [1, 2, 3.0]])
    sol = G.max_weight_matching(graph, algorithm="ilp", time_limit=0.3)
    assert given == [1e-3]  # nothing left of 0.3 s after 0.5 s of reading: the least the ILP takes
    _valid(graph, sol)


def test_a_matching_model_the_solver_can_take_in_time_is_handed_to_it():
    """50,000 edges under 2 s: the model reaches CP-SAT's clock in ~0.3 s (measured), so it is
    built and solved; the generic CP-SAT estimate (1.8 s, over half of what is left) refused
    it and returned the greedy matching without trying."""
    g = random_graph(20000, 50000, seed=0, weighted=True)
    sol = matching_ilp(g, time_limit=2.0)
    weight = sol.stats["parameters"]["weight"]
    assert "not_solved" not in weight and weight["backend"] == "cp-sat"
    assert sol.status in ("timeout", "optimal") and sol.value > 0
    _valid(g, sol)
