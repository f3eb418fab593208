"""The Pyomo/HiGHS backend against the OR-Tools models and brute force; LP/MPS export."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("pyomo")
highspy = pytest.importorskip("highspy")

from submodkit.instances.generators import random_set_system  # noqa: E402
from submodkit.mip.pyomo import (  # noqa: E402
    export_model,
    pyomo_facility_location,
    pyomo_max_cover,
    pyomo_set_cover,
)
from submodkit.solvers.cover.exact import exact_max_cover, exact_set_cover  # noqa: E402
from submodkit.solvers.submodular.exact import exact_facility_location  # noqa: E402


def _instance(seed, n=9, m=11, p=0.3):
    rng = np.random.default_rng(seed)
    dense = (rng.random((n, m)) < p).astype(float)
    dense[rng.integers(0, n, size=m), np.arange(m)] = 1.0  # every element coverable
    return dense, rng


def _covered(dense, w, sel):
    return float(w[dense[list(sel)].max(axis=0) > 0].sum()) if sel else 0.0


def _subsets(n):
    for r in range(n + 1):
        yield from itertools.combinations(range(n), r)


@pytest.mark.parametrize("seed", range(4))
def test_set_cover_agrees(seed):
    dense, rng = _instance(seed)
    costs = rng.integers(1, 10, size=dense.shape[0]).astype(float)
    best = min(costs[list(s)].sum() for s in _subsets(dense.shape[0]) if dense[list(s)].sum(0).all())
    r = pyomo_set_cover(dense, costs)
    assert r.algorithm == "pyomo-highs" and r.status == "optimal" and r.sense == "min"
    assert r.value == pytest.approx(best) and r.bound == pytest.approx(best)
    assert dense[r.selection].sum(0).all()
    assert exact_set_cover(dense, costs).value == pytest.approx(r.value)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("constraint", ["k", "knapsack", "matroid", "k+matroid"])
def test_max_cover_agrees(seed, constraint):
    dense, rng = _instance(seed)
    n = dense.shape[0]
    w = rng.random(dense.shape[1]) * 10.0  # float weights
    kw: dict = {}
    feasible = lambda s: True  # noqa: E731
    if "k" in constraint.split("+"):
        kw["k"] = 3
    if constraint == "knapsack":
        costs = rng.integers(1, 6, size=n).astype(float)
        kw.update(costs=costs, budget=7.0)
        feasible = lambda s: costs[list(s)].sum() <= 7.0  # noqa: E731
    if "matroid" in constraint:
        groups = rng.integers(0, 3, size=n)
        kw.update(groups=groups, capacities=np.array([1, 2, 1]))
        feasible = lambda s: all(np.sum(groups[list(s)] == g) <= c for g, c in enumerate([1, 2, 1]))  # noqa: E731
    k = kw.get("k", n)
    best = max(_covered(dense, w, s) for s in _subsets(n) if len(s) <= k and feasible(s))
    r = pyomo_max_cover(dense, w, **kw)
    assert r.status == "optimal"
    assert r.value == pytest.approx(best, rel=1e-7)
    assert _covered(dense, w, tuple(r.selection)) == pytest.approx(r.value)
    assert exact_max_cover(dense, w, **kw).value == pytest.approx(r.value, rel=1e-7)


@pytest.mark.parametrize("seed", range(3))
def test_facility_location_agrees(seed):
    rng = np.random.default_rng(seed)
    sim = rng.random((8, 12)) * (rng.random((8, 12)) < 0.6)
    best = max(sim[list(s)].max(axis=0).sum() for r in range(1, 4)
               for s in itertools.combinations(range(8), r))
    r = pyomo_facility_location(sp.csr_matrix(sim), 3)
    assert r.status == "optimal" and r.value == pytest.approx(best, rel=1e-7)
    assert exact_facility_location(sim, 3).value == pytest.approx(r.value, rel=1e-7)


def test_infeasible_and_empty():
    assert pyomo_set_cover([[1, 0], [1, 0]]).status == "infeasible"
    assert pyomo_facility_location([[1.0, 2.0]], 0).value == 0.0
    assert pyomo_max_cover([[1, 1]], [0, 0], k=1).value == 0.0


def test_time_limit_reports_timeout_and_bound():
    ss = random_set_system(300, 400, density=0.05, seed=1, weighted=True)
    r = pyomo_max_cover(ss.sets, ss.weights, k=30, time_limit=0.3)
    assert r.status in ("timeout", "optimal")
    if r.status == "timeout" and r.value is not None and r.bound is not None:
        assert r.bound >= r.value


@pytest.mark.parametrize("model", ["set-cover", "max-cover", "facility-location"])
def test_a_model_too_large_for_the_limit_is_not_built(model):
    """Building a Pyomo model and handing it to HiGHS come before HiGHS's clock: a set cover of
    60,000 sets (480,000 nonzeros) took 4-5 s under a limit of 1 s, and facility location on
    350 points 5-6 s, with no solution. Now the model is not built when its estimated build
    exceeds half of the time left (the OR-Tools models' rule): a timeout with the reason, in
    time."""
    import time

    rng = np.random.default_rng(0)
    if model == "facility-location":
        call = lambda: pyomo_facility_location(rng.random((350, 350)), 10, time_limit=1.0)  # noqa: E731
    else:
        cols = rng.integers(0, 500, size=(60_000, 8))
        sets = sp.csr_matrix((np.ones(cols.size), cols.ravel(), np.arange(0, cols.size + 1, 8)),
                             shape=(60_000, 500))
        call = (lambda: pyomo_set_cover(sets, time_limit=1.0)) if model == "set-cover" else \
            (lambda: pyomo_max_cover(sets, k=20, time_limit=1.0))
    start = time.perf_counter()
    r = call()
    assert time.perf_counter() - start < 1.0 + 0.5
    assert r.status == "timeout" and r.value is None and r.bound is None
    assert r.stats["parameters"]["reason"].startswith("not built")


@pytest.mark.parametrize("ext", ["lp", "mps"])
@pytest.mark.parametrize("problem", ["set-cover", "max-cover", "facility-location"])
def test_export_parses_back_to_the_optimum(tmp_path, ext, problem):
    dense, rng = _instance(7)
    if problem == "set-cover":
        costs = rng.integers(1, 10, size=dense.shape[0]).astype(float)
        args, kw, opt = (dense, costs), {}, exact_set_cover(dense, costs).value
    elif problem == "max-cover":
        w = rng.integers(1, 10, size=dense.shape[1]).astype(float)
        groups = rng.integers(0, 2, size=dense.shape[0])
        kw = {"k": 3, "groups": groups, "capacities": np.array([2, 2])}
        args, opt = (dense, w), exact_max_cover(dense, w, **kw).value
    else:
        sim = rng.integers(0, 5, size=(6, 9)).astype(float)
        args, kw, opt = (sim,), {"k": 2}, exact_facility_location(sim, 2).value
    path = export_model(tmp_path / f"model.{ext}", problem, *args, **kw)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(opt)


def test_export_rejects_unknown_suffix(tmp_path):
    from submodkit.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError):
        export_model(tmp_path / "m.txt", "set-cover", [[1]])
