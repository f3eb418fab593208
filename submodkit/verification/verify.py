"""`verify`: run an approximation and an exact solver on the same instance and compare.

The problems it knows and their algorithms are the tables of
:mod:`submodkit.verification.problems` (`PROBLEMS`), which the command line reads too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_real, check_time_limit
from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.instances.problems import PointSet, SetSystem, Similarity
from submodkit.mip.model import Deadline
from submodkit.objectives import Coverage, FacilityLocation
from submodkit.objectives.base import Objective
from submodkit.results import Result, Solution
from submodkit.verification.problems import PROBLEMS, Options


@dataclass(kw_only=True)
class Verification(Result):
    """An algorithm's result next to the exact optimum of the same instance.

    ``value``, ``algorithm``, ``guarantee`` and ``sense`` are the algorithm's; the bounds and
    ``status`` are the exact solver's, so ``certified_ratio`` is ALG / (the exact bound), a
    ratio proven even when the exact solve stopped early.

    Attributes
    ----------
    problem
        the problem solved.
    solution
        what the algorithm returned.
    exact
        what the exact solver returned.
    ratio
        ALG / OPT when OPT was proven (<= 1 for maximization, >= 1 for
        minimization), else None.
    meets
        whether the run meets its guarantee (None when undecided: no guarantee, or
        OPT unknown and the bound too loose to decide).

    Examples
    --------
    >>> from submodkit import Coverage
    >>> from submodkit.verification.verify import verify
    >>> v = verify(Coverage([[0, 1, 2], [2, 3], [3, 4]]), problem="max-cover", k=2)
    >>> v.ratio, v.meets
    (1.0, True)

    References
    ----------
    .. [1] :func:`~submodkit.verification.verify.verify`.
    """

    problem: str
    solution: Result
    exact: Solution
    ratio: float | None = None
    meets: bool | None = None

    def _payload(self) -> dict[str, Any]:
        return {"problem": self.problem, "solution": self.solution.to_dict(), "exact": self.exact.to_dict(),
                "ratio": self.ratio, "certified_ratio": self.certified_ratio, "meets": self.meets}


def verify(
    target,
    *,
    problem: str | None = None,
    k: int | None = None,
    constraint: Cardinality | Knapsack | PartitionMatroid | None = None,
    algorithm: str | None = None,
    epsilon: float = 0.1,
    seed: int | None = None,
    outliers: float = 0.0,
    time_limit: float | None = None,
    solver: str = "auto",
    tol: float = 1e-9,
    progress: bool = False,
    solution: Solution | None = None,
) -> Verification:
    """Solve ``target`` with an approximation algorithm and exactly, and compare.

    Parameters
    ----------
    target : Objective, SetSystem, Similarity or PointSet
        An `Objective` (coverage and facility location are solved exactly by OR-Tools
        integer programs, any other objective by brute force on small instances) or a
        problem object: a `SetSystem` (``problem="set-cover"`` by default, or
        ``"max-cover"`` with ``k`` / a constraint), a `Similarity` or `PointSet` (facility
        location).
    problem : str, optional
        A name of `PROBLEMS` (``"set-cover"``, ``"max-cover"``, ``"facility-location"``,
        ``"submodular"``); default: from the target.
    k : int, optional
        Cardinality constraint (not for set cover).
    constraint : Cardinality, Knapsack or PartitionMatroid, optional
        For ``maximize``'s greedy family (naive or lazy greedy under knapsack / matroid).
    algorithm : str, optional
        A name of the problem's table in `PROBLEMS` (``"greedy"``, ``"exact"`` or
        ``"sketch"`` for set cover; any algorithm of :func:`~submodkit.maximize`, or
        ``"sieve"``, ``"sieve++"``, ``"greedi"``, ``"randgreedi"``, ``"bicriteria"``,
        ``"adaptive"``, ``"sketch"`` otherwise); default: the problem's (``"greedy"`` for
        set cover, ``"lazy"`` otherwise). The distributed ones run with their defaults
        (4 parts, here).
    epsilon : float, default 0.1
        Accuracy of the algorithms that take one.
    seed : int, optional
        Fixes the randomized algorithms.
    outliers : float in [0, 1), default 0.0
        Set cover with outliers: the fraction of the elements that may stay uncovered, for
        the algorithm and the integer program alike (set cover only).
    time_limit : float, optional
        Seconds for the whole call (the exact solve gets what the approximation left); on a
        timeout the exact result carries the better of the exact solver's bound and the
        solution's own a-posteriori bound.
    solver : str, default "auto"
        The exact solver's back end (``"cp-sat"``, ``"scip"``, ``"highs"``).
    tol : float, default 1e-9
        Tolerance of the guarantee check.
    progress : bool, default False
        Show the exact solver's incumbent and bound on stderr (tqdm).
    solution : Result, optional
        A result computed elsewhere (a streaming or distributed run, say) to check instead
        of running ``algorithm``.

    Returns
    -------
    Verification
        The algorithm's result next to the exact one: ``ratio`` (ALG / OPT when OPT was
        proven), ``certified_ratio`` (ALG / the exact bound) and ``meets`` (whether the run
        meets its guarantee; None when undecided).

    Examples
    --------
    >>> from submodkit import Coverage, verify
    >>> v = verify(Coverage([[0, 1], [1, 2], [2, 3], [0, 3]]), k=2)
    >>> v.ratio, v.meets
    (1.0, True)
    >>> v = verify(Coverage([[0, 1], [1, 2], [2, 3], [0, 3]]), k=2, algorithm="sieve")
    >>> v.algorithm, v.meets
    ('sieve-streaming', True)

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978): the greedy guarantee
       checked by default.
    .. [2] Chvatal, "A greedy heuristic for the set-covering problem", Math. Oper. Res. 4
       (1979): set cover's H(d).
    """
    problem = _infer_problem(target, problem, k, constraint)
    start = time.perf_counter()
    time_limit = check_time_limit(time_limit)
    outliers = check_real("outliers", outliers, minimum=0.0, maximum=1.0, strict_max=True)
    deadline = Deadline(time_limit, start)  # the exact solve gets what is left
    if outliers and problem != "set-cover":
        raise InvalidParameterError("outliers", outliers, "0 unless problem='set-cover'")
    if problem == "set-cover":
        work, solve_exactly = target, partial(_exact_set_cover, outliers=outliers)
    else:
        work, solve_exactly = _objective(target, problem), _exact_max
        if isinstance(constraint, Cardinality):
            k, constraint = constraint.k, None
    if solution is None:
        entry = PROBLEMS[problem].algorithm(algorithm)
        # the algorithm's own bound (set cover's) takes at most half the limit
        solution = entry.run(work, k, Options(constraint=constraint, epsilon=epsilon, seed=seed,
                                              outliers=outliers,
                                              time_limit=None if time_limit is None else time_limit / 2))
    sol = solution
    exact = solve_exactly(work, k, constraint, deadline, solver, progress)
    exact = with_solution_bound(exact, sol, _integral_objective(target, problem))
    ratio, _, meets = compare(sol, exact, tol)
    sol.stats.setdefault("verify_seconds", time.perf_counter() - start)
    return Verification(value=sol.value, algorithm=sol.algorithm, guarantee=sol.guarantee, sense=sol.sense,
                        upper_bound=exact.upper_bound, lower_bound=exact.lower_bound, status=exact.status,
                        stats={"exact_seconds": exact.stats.get("seconds")}, problem=problem, solution=sol,
                        exact=exact, ratio=ratio, meets=meets)


def with_solution_bound(exact: Solution, sol: Solution, integral: bool = False) -> Solution:
    """``exact`` with the best of its bound and the bounds the solution proves on the same
    optimum: its a-posteriori bound (``upper_bound`` when maximizing, ``lower_bound`` when
    minimizing: LP, Lagrangian, greedy or dual-fitting bounds) and ``value / ratio`` of a
    worst-case guarantee, so a timeout reports the best bound known from any source."""
    from submodkit.mip.model import merge_bound

    if exact.status == "optimal" or exact.status == "infeasible" or sol.sense != exact.sense:
        return exact
    bound = sol.upper_bound if exact.sense == "max" else sol.lower_bound
    exact = merge_bound(exact, bound, f"{sol.algorithm} a-posteriori bound", integral)
    g = sol.guarantee
    if g is not None and g.kind == "worst-case" and g.sense == exact.sense and g.ratio > 0:
        exact = merge_bound(exact, sol.value / g.ratio, f"{sol.algorithm} guarantee {g.statement}",
                            integral)
    return exact


def _integral_objective(target, problem: str) -> bool:
    """Whether every solution's value is an integer (bounds may then be rounded)."""
    from submodkit.mip.model import is_integral

    if problem == "set-cover":
        costs = target.costs if isinstance(target, SetSystem) else None
        return costs is None or is_integral(np.asarray(costs, dtype=np.float64))
    if isinstance(target, Coverage):
        return is_integral(np.asarray(target.w, dtype=np.float64))
    if isinstance(target, SetSystem) and problem == "max-cover":
        return target.weights is None or is_integral(np.asarray(target.weights, dtype=np.float64))
    return False


def _infer_problem(target, problem, k, constraint) -> str:
    if problem is not None:
        return check_choice("problem", problem, tuple(PROBLEMS))
    if isinstance(target, SetSystem):
        return "set-cover" if k is None and constraint is None else "max-cover"
    if isinstance(target, Coverage):
        return "max-cover"
    if isinstance(target, (FacilityLocation, Similarity, PointSet)):
        return "facility-location"
    if isinstance(target, Objective):
        return "submodular"
    raise InvalidParameterError(
        "target", target, "an Objective, a SetSystem, a Similarity or a PointSet"
    )


def _objective(target, problem: str) -> Objective:
    if isinstance(target, Objective):
        return target
    if isinstance(target, SetSystem):
        if problem != "max-cover":
            raise InvalidParameterError("problem", problem, "'set-cover' or 'max-cover' for a SetSystem")
        return Coverage.from_set_system(target)
    if isinstance(target, (Similarity, PointSet)):
        return FacilityLocation.from_instance(target)
    raise InvalidParameterError("target", target, "an Objective or a problem object")


def _left(deadline: Deadline) -> float | None:
    left = deadline.left()
    return None if left is None else max(left, 1e-3)


def _exact_set_cover(target, k, constraint, deadline, solver, progress, *, outliers: float = 0.0) -> Solution:
    """Set cover's integer program, with outliers (``k`` and ``constraint`` do not apply)."""
    from submodkit.solvers.cover.exact import exact_set_cover

    csr, costs = (target.sets, target.costs) if isinstance(target, SetSystem) else (target, None)
    return exact_set_cover(csr, costs, outliers=outliers, time_limit=_left(deadline), solver=solver,
                           progress=progress)


def _exact_max(objective, k, constraint, deadline, solver, progress) -> Solution:
    from submodkit.solvers.cover.exact import exact_max_cover
    from submodkit.solvers.submodular.brute_force import brute_force_maximize
    from submodkit.solvers.submodular.exact import exact_facility_location

    if isinstance(objective, Coverage):
        kw: dict[str, Any] = {"k": k}
        if isinstance(constraint, Knapsack):
            kw.update(costs=constraint.costs, budget=constraint.budget)
        elif isinstance(constraint, PartitionMatroid):
            kw.update(groups=constraint.groups, capacities=constraint.capacities)
        return exact_max_cover(
            objective.sets, objective.w, time_limit=_left(deadline), solver=solver, progress=progress,
            **kw,
        )
    if isinstance(objective, FacilityLocation) and constraint is None and k is not None:
        similarity = _weighted_similarity(objective)
        return exact_facility_location(
            similarity, k, time_limit=_left(deadline), solver=solver, progress=progress
        )
    return brute_force_maximize(objective, k, constraint=constraint)


def _weighted_similarity(objective: FacilityLocation):
    """sim[j, u] * w[u]: facility location with element weights as an unweighted one."""
    if objective.sparse:
        mat = sp.csr_matrix((objective.data, objective.indices, objective.indptr), shape=objective.shape)
        return (mat @ sp.diags(objective.w)).tocsr()
    return objective.dense * objective.w[None, :]


def compare(sol: Solution, exact: Solution, tol: float = 1e-9):
    """``(ratio, certified_ratio, meets)`` of a solution against an exact result.

    ``ratio`` needs a proven optimum; ``certified_ratio`` uses the exact solver's bound;
    ``meets`` is None when undecided (see `Verification`).
    """
    g = sol.guarantee
    value = sol.value
    ratio = certified = meets = None
    if exact.status == "optimal" and exact.value is not None:
        ratio = _safe_ratio(value, exact.value)
        if g is not None:
            meets = g.holds(value, exact.value, tol)
    if exact.bound is not None:
        certified = _safe_ratio(value, exact.bound)
        if meets is None and g is not None and g.holds(value, exact.bound, tol):
            meets = True
    if ratio is not None and sol.sense == "max":
        ratio = min(ratio, 1.0) if abs(ratio - 1.0) < 1e-9 else ratio
    return ratio, certified, meets


def _safe_ratio(a: float, b: float) -> float:
    if b == 0:
        return 1.0 if a == 0 else float(np.inf)
    return float(a / b)
