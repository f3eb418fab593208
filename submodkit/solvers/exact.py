"""Exact solvers (OR-Tools) for validating approximations against true optima.

Each model is built from plain arrays (a scipy CSR ``sets`` matrix, rows = sets, columns =
elements; or a similarity matrix) and solved with CP-SAT or a MIP backend (SCIP, HiGHS, CBC)
through ``pywraplp``; LP bounds use GLOP. Every function returns an
:class:`~submodkit.solution.ExactResult` whose ``status`` is ``optimal``, ``feasible``,
``infeasible`` or ``timeout`` (a time limit never raises: the best value and bound found so
far are returned).

The ``"auto"`` backend per model was chosen by measurement (``scripts/bench_exact.py``):

- set cover and integer-weight coverage / facility location: CP-SAT with one worker and
  ``linearization_level=2``;
- non-integer (non-decimal) weights, costs or similarities: SCIP.

Modules: :mod:`.exact_core` (validation, backends), :mod:`.exact_cover` (set cover, max
coverage, their LP bounds), :mod:`.exact_facility` (facility location).
"""

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
    "exact_facility_location",
    "exact_max_cover",
    "exact_set_cover",
    "facility_location_lp_bound",
    "max_cover_lp_bound",
    "set_cover_lp_bound",
]
