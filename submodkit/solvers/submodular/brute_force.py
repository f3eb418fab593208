"""Exhaustive search over small ground sets: the reference every other solver is checked against."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from submodkit._validation import check_int
from submodkit.constraints import Knapsack, Matroid, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution

MAX_SUBSETS = 2_000_000


def brute_force_maximize(
    objective: Objective,
    k: int | None = None,
    *,
    constraint: Knapsack | PartitionMatroid | Matroid | None = None,
    max_subsets: int = MAX_SUBSETS,
) -> Solution:
    """The exact maximum of ``objective`` over every feasible subset (ties: first found).

    Enumerates all subsets of size at most ``k`` (every size for a non-monotone
    objective, only size ``min(k, n)`` for a monotone one under a pure cardinality
    constraint), by increasing size then lexicographically, and keeps the best feasible
    one. The reference every other solver is checked against; O(C(n, k)) evaluations.

    Parameters
    ----------
    objective : Objective
        The set function.
    k : int, optional
        Largest subset size (default n).
    constraint : Knapsack, PartitionMatroid or Matroid, optional
        Subsets that break it are skipped (a `~submodkit.constraints.Matroid` through its
        independence test; a `~submodkit.constraints.Cardinality` is not read: pass ``k``).
    max_subsets : int, default MAX_SUBSETS (2,000,000)
        Refuse to enumerate more subsets than this.

    Returns
    -------
    Solution
        ``algorithm="brute-force"``, ``status="optimal"``, ``value`` = ``upper_bound`` =
        ``lower_bound`` = the maximum, ``selection`` the maximizer (sorted),
        ``stats["parameters"]["subsets"]`` the number enumerated.

    Raises
    ------
    InvalidParameterError
        When there are more than ``max_subsets`` subsets, or for a negative ``k``.

    Examples
    --------
    >>> from submodkit import Coverage, Knapsack
    >>> f = Coverage([[0, 1, 2], [2, 3], [3, 4]])
    >>> r = brute_force_maximize(f, 2)
    >>> r.selection.tolist(), r.value, r.status, r.stats["parameters"]
    ([0, 2], 5.0, 'optimal', {'subsets': 3})
    >>> brute_force_maximize(f, constraint=Knapsack([2, 1, 1], 2)).value
    3.0

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978) (the optimum greedy is
       measured against).
    """
    n = objective.n
    k = n if k is None else check_int("k", k)
    k = min(k, n)
    objective.check_capacity(k)
    pure_cardinality = constraint is None and objective.monotone
    sizes = [k] if pure_cardinality else range(k + 1)
    count = sum(math.comb(n, s) for s in sizes)
    if count > max_subsets:
        raise InvalidParameterError(
            "objective", f"{count} subsets to enumerate", f"at most {max_subsets} (a smaller instance)"
        )
    start = time.perf_counter()
    args = objective.kernel_args()
    best_val, best = -math.inf, ()
    costs = constraint.costs if isinstance(constraint, Knapsack) else None
    for s in sizes:
        for subset in itertools.combinations(range(n), s):
            if costs is not None and costs[list(subset)].sum() > constraint.budget * (1 + 1e-12):
                continue
            if isinstance(constraint, PartitionMatroid) and not _fits_partition(subset, constraint):
                continue
            if isinstance(constraint, Matroid) and not constraint.is_independent(subset):
                continue
            val = K.evaluate_selection(*args, objective.new_state(), np.asarray(subset, dtype=np.int64))
            if val > best_val:
                best_val, best = val, subset
    return Solution.from_exact(
        value=float(best_val),
        bound=float(best_val),
        status="optimal",
        selection=np.asarray(best, dtype=np.int64),
        solver="brute-force",
        parameters={"subsets": int(count)},
        seconds=time.perf_counter() - start,
    )


def _fits_partition(subset, pm: PartitionMatroid) -> bool:
    g = pm.groups[list(subset)]
    if np.any(g < 0):
        return False
    return bool(np.all(np.bincount(g, minlength=pm.capacities.shape[0]) <= pm.capacities))
