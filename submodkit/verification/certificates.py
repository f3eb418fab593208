"""Certificates: proven bounds on OPT when the exact optimum is out of reach.

``certify(solution, target)`` returns the tightest bound it can prove and the ratio that
bound certifies for this run:

- maximization (coverage, facility location, any monotone submodular objective): the
  greedy a-posteriori bound ``OPT <= f(S) + sum of the top feasible gains``
  (``Solution.upper_bound``), and the LP relaxation of the exact model (GLOP);
- set cover (minimization): the LP relaxation (GLOP) and the dual-fitting bound
  ``OPT >= greedy cost / H(d)`` (Chvatal 1979);
- online allocation: the assignment LP (GLOP), an upper bound on the offline optimum.

For maximization ``certified_ratio = value / bound <= value / OPT``; for minimization
``certified_ratio = value / bound >= value / OPT``: the true ratio is at least as good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import harmonic

_LP_SLACK = 1e-7  # relative margin for the LP solver's tolerances


@dataclass(frozen=True)
class Certificate:
    """A proven bound on OPT and the ratio it certifies.

    Attributes
    ----------
    kind
        which bound is the tightest (``"a-posteriori"``, ``"lp"``, ``"dual-fitting"``).
    bound
        its value (upper bound on OPT for maximization, lower bound for minimization).
    certified_ratio
        ``value / bound``: at most the true ratio (maximization) or at
        least it (minimization).
    sense
        ``"max"`` or ``"min"``.
    bounds
        every bound computed, by kind.

    Examples
    --------
    >>> from submodkit import Coverage, maximize
    >>> cov = Coverage([[0, 1, 2], [2, 3], [3, 4]])
    >>> certify(maximize(cov, k=2), cov, k=2).kind in ("a-posteriori", "lp")
    True

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, Math. Programming 14 (1978).
    """

    kind: str
    bound: float
    certified_ratio: float
    sense: str = "max"
    bounds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        word = "at least" if self.sense == "max" else "at most"
        return f"certified ratio {word} {self.certified_ratio:.4f} ({self.kind} bound {self.bound:g})"


def _ratio(value: float, bound: float, sense: str) -> float:
    if bound <= 0:
        return 1.0 if value <= 0 or sense == "max" else float("inf")
    return float(value / bound)


def certify(solution: Any, target: Any, *, k: int | None = None, constraint: Any = None) -> Certificate:
    """Prove a bound on OPT for ``solution`` on ``target`` and return the certified ratio.

    Parameters
    ----------
    solution
        a :class:`~submodkit.results.Solution` (from ``maximize``, ``set_cover``,
        streaming, core-sets, sketches) or an ``AllocationSolution``.
    target
        what it solved: a ``Coverage`` or ``FacilityLocation`` objective, a
        ``SetSystem`` / set matrix (set cover), or an ``AllocationInstance``.
    k, constraint
        the maximization constraint (cardinality ``k``, ``Knapsack``,
        ``PartitionMatroid``) for the LP bound.

    Returns
    -------
    :class:`Certificate` with the tightest of the bounds that apply.

    Examples
    --------
    >>> from submodkit import Coverage, maximize
    >>> cov = Coverage([[0, 1, 2], [2, 3], [3, 4]])
    >>> certify(maximize(cov, k=2), cov, k=2).certified_ratio
    1.0

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978) (the a-posteriori bound).
    .. [2] Vazirani, "Approximation Algorithms", Springer (2001) (LP and dual-fitting bounds).
    """
    from submodkit.instances.allocation import AllocationInstance
    from submodkit.instances.problems import SetSystem
    from submodkit.objectives import Coverage, FacilityLocation
    from submodkit.results import AllocationSolution
    from submodkit.solvers.allocation.offline import offline_optimum

    if isinstance(solution, AllocationSolution) or isinstance(target, AllocationInstance):
        if not isinstance(target, AllocationInstance):
            raise InvalidParameterError("target", target, "the AllocationInstance that was solved")
        opt = offline_optimum(target, integer_capacities=target.unit_consumption)
        if opt.value is None:
            raise InvalidParameterError("target", target.name, "an instance whose LP GLOP solves")
        bound = float(opt.value) * (1 + _LP_SLACK)
        return Certificate("lp", bound, _ratio(solution.value, bound, "max"), "max", {"lp": bound})

    value = float(solution.value)
    if getattr(solution, "sense", "max") == "min":
        from submodkit.objectives.coverage import as_set_matrix
        from submodkit.solvers.cover.exact import set_cover_lp_bound

        if isinstance(target, SetSystem):
            csr, costs = target.sets, target.costs
        else:
            csr, costs = as_set_matrix(target), None
        bounds = {"lp": float(set_cover_lp_bound(csr, costs)) * (1 - _LP_SLACK)}
        d = int(np.diff(csr.indptr).max()) if csr.shape[0] else 1
        bounds["dual-fitting"] = value / harmonic(d)
        kind = max(bounds, key=bounds.get)
        return Certificate(kind, bounds[kind], _ratio(value, bounds[kind], "min"), "min", bounds)

    from submodkit.solvers.cover.exact import max_cover_lp_bound
    from submodkit.solvers.submodular.exact import facility_location_lp_bound

    if isinstance(constraint, Cardinality):
        k, constraint = constraint.k, None
    bounds: dict[str, float] = {}
    if solution.upper_bound is not None:
        bounds["a-posteriori"] = float(solution.upper_bound)
    if isinstance(target, SetSystem):
        target = Coverage.from_set_system(target)
    if isinstance(target, Coverage) and (k is not None or constraint is not None):
        kw: dict[str, Any] = {"k": k}
        if isinstance(constraint, Knapsack):
            kw.update(costs=constraint.costs, budget=constraint.budget)
        elif isinstance(constraint, PartitionMatroid):
            kw.update(groups=constraint.groups, capacities=constraint.capacities)
        bounds["lp"] = float(max_cover_lp_bound(target.sets, target.w, **kw)) * (1 + _LP_SLACK)
    elif isinstance(target, FacilityLocation) and k is not None and constraint is None:
        from submodkit.verification.verify import _weighted_similarity

        bounds["lp"] = float(facility_location_lp_bound(_weighted_similarity(target), k)) * (1 + _LP_SLACK)
    if not bounds:
        raise InvalidParameterError(
            "solution", solution.algorithm,
            "a solution with an a-posteriori bound, or a Coverage / FacilityLocation target with k")
    kind = min(bounds, key=bounds.get)
    bound = max(bounds[kind], value)
    return Certificate(kind, bound, _ratio(value, bound, "max"), "max", bounds)
