"""Time limits in the diversity room: each call returns near its limit with status
``timeout``, the best selection / tour it has, and only proven bounds.

The margins are generous (the wall clock of a shared 2-core machine); what is asserted
first is the status and the bound, which do not depend on the load."""

from __future__ import annotations

import time

import numpy as np
import pytest

from submodkit import diversify, tsp_tour
from submodkit.errors import InvalidParameterError
from submodkit.instances import random_points
from submodkit.solvers.diversity.dispersion import Points
from submodkit.solvers.diversity.exact import exact_sum_min_diversity
from submodkit.solvers.diversity.lp_rounding import sum_min_lp

MARGIN = 1.5  # seconds beyond the limit, for a loaded machine


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    """Compile the kernels first: what is timed is the solve, not Numba's first compile."""
    X = random_points(40, 2, seed=0).features
    diversify(X, 20, "remote-cycle", time_limit=5.0)
    tsp_tour(_distances(12, 0), held_karp_max=12)


def _distances(n: int, seed: int) -> np.ndarray:
    X = random_points(n, 2, seed=seed).features
    return np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)


def test_tsp_tour_stops_at_its_limit_with_the_local_search_tour():
    D = _distances(300, 1)
    t0 = time.perf_counter()
    tour = tsp_tour(D, time_limit=0.2)
    assert time.perf_counter() - t0 < 0.2 + MARGIN
    assert tour.status == "timeout"  # 300 points are not proven in 0.2 s
    assert sorted(tour.order.tolist()) == list(range(300))
    assert tour.value == pytest.approx(sum(D[a, b] for a, b in zip(tour.order, np.roll(tour.order, -1),
                                                                    strict=True)))
    assert tour.lower_bound <= tour.value


def test_held_karp_looks_at_the_clock():
    D = _distances(22, 2)  # 2^21 x 21 table: seconds of work
    t0 = time.perf_counter()
    tour = tsp_tour(D, time_limit=0.1, held_karp_max=22)
    assert time.perf_counter() - t0 < 0.1 + MARGIN
    assert tour.status == "timeout" and sorted(tour.order.tolist()) == list(range(22))
    assert tour.lower_bound == 0.0


def test_remote_cycle_reports_a_cut_tour_as_timeout():
    X = random_points(5000, 2, seed=1).features
    t0 = time.perf_counter()
    sol = diversify(X, 100, "remote-cycle", time_limit=0.2)
    assert time.perf_counter() - t0 < 0.2 + MARGIN
    assert sol.status == "timeout" and sol.stats["value_exact"] is False
    assert len(sol.selection) == 100


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_sum_min_lp_rejects_bad_limits(bad):
    X = random_points(50, 2, seed=0).features
    with pytest.raises(InvalidParameterError, match="time_limit"):
        sum_min_lp(Points(X), 5, time_limit=bad)


def test_sum_min_lp_returns_gmm_without_a_bound_when_the_lp_is_cut():
    X = random_points(1000, 2, seed=1).features
    sol = sum_min_lp(Points(X), 30, time_limit=0.3)  # the LP takes seconds at 1,000 points
    assert sol.status == "timeout" and sol.algorithm == "gmm"
    assert sol.upper_bound is None and sol.guarantee is None and "lp" in sol.stats
    assert len(set(sol.selection.tolist())) == 30
    fallback = diversify(X, 30, "sum-min", algorithm="lp", time_limit=0.3)
    assert fallback.status == "timeout" and fallback.guarantee is None and fallback.upper_bound is None


def test_sum_min_mip_at_a_timeout_keeps_its_start_and_no_false_bound():
    X = random_points(400, 2, seed=2).features
    feasible = diversify(X, 30, "sum-min").value
    sol = exact_sum_min_diversity(X, 30, algorithm="mip", time_limit=1.0)
    assert sol.status == "timeout"
    assert sol.value is not None and len(sol.selection) == 30  # the farthest-first start at least
    assert sol.upper_bound is None or sol.upper_bound >= max(feasible, sol.value) - 1e-9
