"""Constraints for submodular maximization: cardinality, knapsack, partition matroid."""

from __future__ import annotations

import numpy as np

from submodkit._validation import check_int, check_real, check_vector
from submodkit.errors import InvalidParameterError


class Cardinality:
    """At most ``k`` elements: the constraint ``|S| <= k``.

    Passing ``constraint=Cardinality(k)`` to :func:`~submodkit.maximize` is the same as
    passing ``k``; greedy then guarantees ``1 - (1 - 1/k)^k >= 1 - 1/e`` for a monotone
    submodular objective (``GUARANTEES["greedy"]``).

    Parameters
    ----------
    k : int
        The largest number of elements a feasible set has, ``k >= 0``.

    Attributes
    ----------
    k : int
        The validated bound.

    Raises
    ------
    InvalidParameterError
        When ``k`` is not an integer ``>= 0``.

    Examples
    --------
    >>> from submodkit import Cardinality, Coverage, maximize
    >>> Cardinality(2)
    Cardinality(k=2)
    >>> maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), constraint=Cardinality(2)).selection.tolist()
    [0, 2]

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978).
    """

    def __init__(self, k: int):
        self.k = check_int("k", k)

    def __repr__(self) -> str:
        return f"Cardinality(k={self.k})"


class Knapsack:
    """Total cost at most ``budget``: ``sum_{j in S} costs[j] <= budget`` (costs >= 0).

    Under a knapsack constraint :func:`~submodkit.maximize` runs the cost-benefit greedy and
    keeps it or the best feasible singleton, whichever is better: ``(1 - 1/e) / 2`` for a
    monotone submodular objective (``GUARANTEES["knapsack-greedy"]``).

    Parameters
    ----------
    costs : array_like of float, shape (n,)
        Non-negative cost of each candidate.
    budget : float
        The largest total cost, ``>= 0``.

    Attributes
    ----------
    costs : ndarray of float64, shape (n,)
        The validated costs.
    budget : float
        The validated budget.

    Raises
    ------
    InvalidParameterError
        For negative or non-finite costs, or a negative budget.

    Examples
    --------
    >>> from submodkit import Coverage, Knapsack, maximize
    >>> kn = Knapsack([2, 1, 1], budget=2)
    >>> kn, kn.costs.tolist()
    (Knapsack(n=3, budget=2.0), [2.0, 1.0, 1.0])
    >>> maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), constraint=kn).selection.tolist()
    [1, 2]

    References
    ----------
    .. [1] Khuller, Moss, Naor, "The budgeted maximum coverage problem", Inform. Process.
       Lett. 70 (1999).
    .. [2] Leskovec, Krause, Guestrin, Faloutsos, VanBriesen, Glance, "Cost-effective
       outbreak detection in networks", KDD 2007 (CELF).
    """

    def __init__(self, costs, budget: float):
        self.costs = check_vector("costs", costs)
        self.budget = check_real("budget", budget, minimum=0.0)

    def check_size(self, n: int) -> None:
        """Raise `InvalidParameterError` unless there is one cost per candidate (``n``)."""
        if self.costs.shape[0] != n:
            raise InvalidParameterError(
                "costs", f"array of length {self.costs.shape[0]}", f"length {n} (one per candidate)"
            )

    def __repr__(self) -> str:
        return f"Knapsack(n={self.costs.shape[0]}, budget={self.budget})"


class PartitionMatroid:
    """At most ``capacities[g]`` elements from each group g.

    Under a partition matroid :func:`~submodkit.maximize` runs greedy restricted to the
    groups that still have room: 1/2 for a monotone submodular objective
    (``GUARANTEES["matroid-greedy"]``).

    Parameters
    ----------
    groups : array_like of int, shape (n,)
        The group of each candidate, integers in ``[0, G)`` (to exclude candidates, put them
        in a group of capacity 0).
    capacities : int or array_like of int
        Per-group capacity: one integer for every group, or one integer per group (at least
        ``G`` values).

    Attributes
    ----------
    groups : ndarray of int64, shape (n,)
        The validated group ids.
    capacities : ndarray of int64
        The capacity of each group.
    rank : int
        Largest feasible set size.

    Raises
    ------
    InvalidParameterError
        For group ids that are not non-negative integers, or capacities that are not
        non-negative integers, one per group.

    Examples
    --------
    >>> from submodkit import Coverage, PartitionMatroid, maximize
    >>> m = PartitionMatroid([0, 0, 1], capacities=1)
    >>> m, m.capacities.tolist(), m.rank
    (PartitionMatroid(n=3, groups=2), [1, 1], 2)
    >>> maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), constraint=m).selection.tolist()
    [0, 2]

    References
    ----------
    .. [1] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Programming Study 8 (1978).
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
        """Raise `InvalidParameterError` unless there is one group id per candidate (``n``)."""
        if self.groups.shape[0] != n:
            raise InvalidParameterError(
                "groups", f"array of length {self.groups.shape[0]}", f"length {n} (one per candidate)"
            )

    def __repr__(self) -> str:
        return f"PartitionMatroid(n={self.groups.shape[0]}, groups={self.capacities.shape[0]})"
