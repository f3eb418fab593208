"""The model layer of the exact solvers, and its backends (OR-Tools; Pyomo + HiGHS).

Each model is built from plain arrays (a scipy CSR ``sets`` matrix, rows = sets, columns =
elements; or a similarity matrix) and solved with CP-SAT or a MIP backend (SCIP, HiGHS, CBC)
through ``pywraplp``; LP bounds use GLOP. Every function returns an
:class:`~submodkit.results.Solution` whose ``status`` is ``optimal``, ``feasible``,
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

Modules: :mod:`.model` (validation, the one linear model type, deadlines and model-size
checks, results), :mod:`.ortools` (CP-SAT, pywraplp MIP backends, GLOP), :mod:`.pyomo`
(the second, independent backend, and LP/MPS export). The problems' models live with their
families: :mod:`submodkit.solvers.cover.exact` (set cover, maximum coverage),
:mod:`submodkit.solvers.submodular.exact` (facility location),
:mod:`submodkit.solvers.diversity.exact`, :mod:`submodkit.solvers.matching.exact`.
"""
