"""Constraints for submodular maximization: cardinality, knapsack, partition matroid."""

from __future__ import annotations

import numpy as np

from submodkit._validation import check_int, check_real, check_vector
from submodkit.errors import InvalidParameterError


class Cardinality:
    """At most ``k`` elements."""

    def __init__(self, k: int):
        self.k = check_int("k", k)

    def __repr__(self) -> str:
        return f"Cardinality(k={self.k})"


class Knapsack:
    """Total cost at most ``budget``: ``sum_{j in S} costs[j] <= budget`` (costs >= 0)."""

    def __init__(self, costs, budget: float):
        self.costs = check_vector("costs", costs)
        self.budget = check_real("budget", budget, minimum=0.0)

    def check_size(self, n: int) -> None:
        if self.costs.shape[0] != n:
            raise InvalidParameterError(
                "costs", f"array of length {self.costs.shape[0]}", f"length {n} (one per candidate)"
            )

    def __repr__(self) -> str:
        return f"Knapsack(n={self.costs.shape[0]}, budget={self.budget})"


class PartitionMatroid:
    """At most ``capacities[g]`` elements from each group g.

    Args:
        groups: the group of each candidate, integers in ``[0, G)`` (to exclude candidates,
            put them in a group of capacity 0).
        capacities: per-group capacity (an integer, or one integer per group).
    """

    def __init__(self, groups, capacities):
        groups = np.asarray(groups)
        if groups.ndim != 1 or (groups.size and not np.issubdtype(groups.dtype, np.integer)):
            raise InvalidParameterError("groups", groups, "a 1-D array of integer group ids")
        self.groups = np.ascontiguousarray(groups, dtype=np.int64)
        if self.groups.size and self.groups.min() < 0:
            raise InvalidParameterError(
                "groups", int(self.groups.min()), "group ids >= 0 (a group of capacity 0 excludes candidates)"
            )
        n_groups = int(self.groups.max()) + 1 if self.groups.size else 0
        if np.ndim(capacities) == 0:
            cap = check_int("capacities", capacities)
            caps = np.full(n_groups, cap, dtype=np.int64)
        else:
            caps = check_vector("capacities", capacities, dtype=np.float64)
            if np.any(caps != np.round(caps)):
                raise InvalidParameterError("capacities", capacities, "non-negative integers")
            caps = caps.astype(np.int64)
            if caps.shape[0] < n_groups:
                raise InvalidParameterError(
                    "capacities", f"{caps.shape[0]} values", f"one per group ({n_groups} groups)"
                )
        self.capacities = np.ascontiguousarray(caps)

    @property
    def rank(self) -> int:
        """Largest feasible set size: the sum over groups of min(capacity, group size)."""
        sizes = np.bincount(self.groups[self.groups >= 0], minlength=self.capacities.shape[0])
        return int(np.minimum(sizes, self.capacities).sum())

    def check_size(self, n: int) -> None:
        if self.groups.shape[0] != n:
            raise InvalidParameterError(
                "groups", f"array of length {self.groups.shape[0]}", f"length {n} (one per candidate)"
            )

    def __repr__(self) -> str:
        return f"PartitionMatroid(n={self.groups.shape[0]}, groups={self.capacities.shape[0]})"
