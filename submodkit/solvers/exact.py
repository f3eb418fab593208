"""Exact solvers (OR-Tools) for validating approximations against true optima.

Each model is built from plain arrays (a scipy CSR ``sets`` matrix, rows = sets, columns =
elements; or a similarity matrix) and solved with CP-SAT or a MIP backend (SCIP, HiGHS, CBC)
through ``pywraplp``; LP bounds use GLOP. Every function returns an
:class:`~submodkit.solution.ExactResult` whose ``status`` is ``optimal``, ``feasible``,
``infeasible`` or ``timeout`` (a time limit never raises: the best value and bound found so
far are returned).

The ``"auto"`` backend per model was chosen by measurement on a 2-core machine
(``scripts/bench_exact.py``, 60 s limit):

- set cover: CP-SAT, one worker, ``linearization_level=2`` (OR-Library scp41..scpb1 proven
  in 0.15-1.9 s; two workers with CP-SAT's default portfolio found no lower bound at all);
  SCIP when costs are floats that do not scale exactly to integers;
- maximum coverage and facility location: SCIP (the best incumbent and bound when stopped
  early; float data native). HiGHS through ``pywraplp`` returns neither incumbent nor bound
  when stopped early, CBC overruns time limits.

Every model hands the solver a greedy solution as a hint (not HiGHS: a hint crashes it in
OR-Tools 9.15) and returns it, status ``timeout``, when the solver finds nothing before its
time limit.

Modules: :mod:`.exact_core` (validation, the linear model, results), :mod:`.exact_backends`
(CP-SAT, pywraplp MIP backends, GLOP), :mod:`.exact_cover` (set cover, max coverage, their
LP bounds), :mod:`.exact_facility` (facility location).
"""

from submodkit.solvers.exact_backends import cpsat_defaults
from submodkit.solvers.exact_core import SOLVERS
from submodkit.solvers.exact_cover import (
    exact_max_cover,
    exact_set_cover,
    max_cover_lp_bound,
    set_cover_lp_bound,
)
from submodkit.solvers.exact_facility import exact_facility_location, facility_location_lp_bound

__all__ = [
    "SOLVERS",
    "cpsat_defaults",
    "exact_facility_location",
    "exact_max_cover",
    "exact_set_cover",
    "facility_location_lp_bound",
    "max_cover_lp_bound",
    "set_cover_lp_bound",
]
