"""Constraints for submodular maximization: cardinality, knapsack, partition matroid, and
general matroids (graphic, laminar, transversal, or a user's independence test)."""

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


class Matroid:
    """A matroid given by its independence test: greedy under it is 1/2 of the optimum for a
    monotone submodular objective (Fisher, Nemhauser, Wolsey 1978).

    Subclasses keep an incremental state (``_start``, ``_can_add``, ``_add``) so that greedy
    asks "may j join S?" in (amortized) constant or near-linear time; :class:`OracleMatroid`
    wraps a user's test. :func:`~submodkit.maximize` runs naive or lazy greedy under any of
    them (``constraint=``).

    Attributes
    ----------
    n : int
        Size of the ground set.

    Examples
    --------
    >>> from submodkit import Coverage, maximize
    >>> m = GraphicMatroid([(0, 1), (1, 2), (0, 2)])   # a triangle: at most two edges
    >>> maximize(Coverage([[0, 1], [1, 2], [0, 2]]), constraint=m).selection.tolist()
    [0, 1]

    References
    ----------
    .. [1] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Programming Study 8 (1978).
    .. [2] Oxley, "Matroid theory", Oxford University Press (2011).
    """

    n: int = 0

    def _start(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _can_add(self, state, j: int) -> bool:  # pragma: no cover
        raise NotImplementedError

    def _add(self, state, j: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def is_independent(self, selection) -> bool:
        """Whether ``selection`` (distinct indices) is independent.

        Examples
        --------
        >>> GraphicMatroid([(0, 1), (1, 2), (0, 2)]).is_independent([0, 1, 2])
        False
        """
        state = self._start()
        for j in np.asarray(selection, dtype=np.int64).tolist():
            if not 0 <= j < self.n or not self._can_add(state, j):
                return False
            self._add(state, j)
        return True

    @property
    def rank(self) -> int:
        """The size of a largest independent set (greedy in index order finds one)."""
        state, size = self._start(), 0
        for j in range(self.n):
            if self._can_add(state, j):
                self._add(state, j)
                size += 1
        return size

    def check_size(self, n: int) -> None:
        """Raise `InvalidParameterError` unless the matroid is over ``n`` candidates."""
        if self.n != n:
            raise InvalidParameterError("constraint", repr(self), f"a matroid over {n} candidates")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n})"


class GraphicMatroid(Matroid):
    """The forests of a graph: candidate j is edge ``edges[j]``, a set is independent when its
    edges hold no cycle (union-find state, near-constant time per test).

    Parameters
    ----------
    edges : array_like of int, shape (n, 2)
        The endpoints of each candidate's edge (vertex ids >= 0).

    Examples
    --------
    >>> m = GraphicMatroid([(0, 1), (1, 2), (0, 2), (2, 3)])
    >>> m.rank, m.is_independent([0, 1, 3]), m.is_independent([0, 1, 2])
    (3, True, False)

    References
    ----------
    .. [1] Oxley, "Matroid theory", Oxford University Press (2011).
    """

    def __init__(self, edges):
        arr = np.asarray(edges)
        bad_ids = arr.size and (not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0)
        if arr.ndim != 2 or arr.shape[1] != 2 or bad_ids:
            raise InvalidParameterError("edges", f"array of shape {arr.shape}",
                                        "(n, 2) non-negative vertex ids")
        self.edges = np.ascontiguousarray(arr, dtype=np.int64)
        self.n = int(arr.shape[0])
        labels, self._ends = np.unique(self.edges, return_inverse=True)  # vertices relabelled 0..V-1
        self._ends = self._ends.reshape(self.edges.shape)
        self.n_vertices = int(labels.size)

    def _start(self):
        return list(range(self.n_vertices))

    @staticmethod
    def _find(parent, x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def _can_add(self, parent, j):
        u, v = self._ends[j]
        return self._find(parent, int(u)) != self._find(parent, int(v))

    def _add(self, parent, j):
        u, v = self._ends[j]
        parent[self._find(parent, int(u))] = self._find(parent, int(v))


class LaminarMatroid(Matroid):
    """At most ``capacities[i]`` candidates from each set ``sets[i]`` of a laminar family (any
    two sets are disjoint or nested), which generalizes the partition matroid.

    Parameters
    ----------
    n : int
        Size of the ground set.
    sets : list of lists of int
        The family (candidates in no set are unconstrained).
    capacities : array_like of int
        One non-negative capacity per set.

    Raises
    ------
    InvalidParameterError
        For a family that is not laminar, ids outside ``[0, n)`` or bad capacities.

    Examples
    --------
    >>> m = LaminarMatroid(4, [[0, 1, 2], [0, 1]], [2, 1])
    >>> m.is_independent([0, 2]), m.is_independent([0, 1]), m.rank
    (True, False, 3)

    References
    ----------
    .. [1] Oxley, "Matroid theory", Oxford University Press (2011), laminar matroids.
    """

    def __init__(self, n: int, sets, capacities):
        self.n = check_int("n", n)
        family = [sorted(set(int(x) for x in s)) for s in sets]
        caps = check_vector("capacities", capacities, len(family))
        if np.any(caps != np.round(caps)):
            raise InvalidParameterError("capacities", capacities, "non-negative integers")
        for i, s in enumerate(family):
            if s and (s[0] < 0 or s[-1] >= self.n):
                raise InvalidParameterError(f"sets[{i}]", s, f"ids in [0, {self.n})")
        as_sets = [set(s) for s in family]
        for a in range(len(as_sets)):
            for b in range(a + 1, len(as_sets)):
                x, y = as_sets[a], as_sets[b]
                if x & y and not (x <= y or y <= x):
                    raise InvalidParameterError("sets", f"sets {a} and {b} overlap", "a laminar family")
        self.sets = family
        self.capacities = caps.astype(np.int64)
        self._containing = [[i for i, s in enumerate(as_sets) if j in s] for j in range(self.n)]

    def _start(self):
        return np.zeros(len(self.sets), dtype=np.int64)

    def _can_add(self, counts, j):
        return all(counts[i] < self.capacities[i] for i in self._containing[j])

    def _add(self, counts, j):
        for i in self._containing[j]:
            counts[i] += 1


class TransversalMatroid(Matroid):
    """The sets of candidates that can be matched to distinct slots: candidate j may take any
    slot of ``allowed[j]`` (a bipartite graph; each slot holds one candidate, or
    ``slot_capacities[s]``). A test is one augmenting-path search (Kuhn), O(edges).

    Parameters
    ----------
    allowed : list of lists of int
        The slots each candidate may take.
    slot_capacities : array_like of int, optional
        Candidates each slot holds, ones by default.

    Examples
    --------
    >>> m = TransversalMatroid([[0], [0], [0, 1]])
    >>> m.is_independent([0, 2]), m.is_independent([0, 1]), m.rank
    (True, False, 2)

    References
    ----------
    .. [1] Edmonds, Fulkerson, "Transversals and matroid partition", J. Res. NBS 69B (1965).
    """

    def __init__(self, allowed, slot_capacities=None):
        self.allowed = [sorted(set(int(s) for s in row)) for row in allowed]
        self.n = len(self.allowed)
        flat = [s for row in self.allowed for s in row]
        if flat and min(flat) < 0:
            raise InvalidParameterError("allowed", min(flat), "slot ids >= 0")
        self.n_slots = max(flat) + 1 if flat else 0
        caps = np.ones(self.n_slots) if slot_capacities is None else check_vector(
            "slot_capacities", slot_capacities, self.n_slots)
        if np.any(caps != np.round(caps)):
            raise InvalidParameterError("slot_capacities", slot_capacities, "non-negative integers")
        self.slot_capacities = caps.astype(np.int64)

    def _start(self):
        return [[] for _ in range(self.n_slots)]  # the candidates each slot holds

    def _augment(self, holders, j, seen) -> bool:
        """Find an augmenting path from candidate j and apply it: a breadth-first search over
        slots (no recursion: long paths are fine), each full slot leading on through the
        slots its holders may move to."""
        from collections import deque

        parent: dict[int, tuple[int, int] | None] = {}
        queue: deque[int] = deque()
        for s in self.allowed[j]:
            if s not in seen:
                seen.add(s)
                parent[s] = None
                queue.append(s)
        while queue:
            s = queue.popleft()
            if len(holders[s]) < self.slot_capacities[s]:  # free: shift the movers along the path
                into: tuple = ("append", s)
                while True:
                    p = parent[s]
                    mover = j if p is None else holders[p[0]][p[1]]
                    if into[0] == "append":
                        holders[into[1]].append(mover)
                    else:
                        holders[into[1]][into[2]] = mover
                    if p is None:
                        return True
                    into, s = ("set", p[0], p[1]), p[0]
            for pos, other in enumerate(holders[s]):
                for t in self.allowed[other]:
                    if t not in seen:
                        seen.add(t)
                        parent[t] = (s, pos)
                        queue.append(t)
        return False

    def _can_add(self, holders, j):
        trial = [list(h) for h in holders]
        return self._augment(trial, j, set())

    def _add(self, holders, j):
        self._augment(holders, j, set())


class OracleMatroid(Matroid):
    """A matroid given by a user's independence test ``is_independent(list_of_indices)``.

    The test is trusted to define a matroid (the greedy guarantee needs it); each greedy
    question calls it once on ``S + [j]``.

    Parameters
    ----------
    n : int
        Size of the ground set.
    is_independent : callable
        ``f(list of int) -> bool``.

    Examples
    --------
    >>> m = OracleMatroid(4, lambda s: len(s) <= 2)
    >>> m.rank
    2

    References
    ----------
    .. [1] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Programming Study 8 (1978).
    """

    def __init__(self, n: int, is_independent):
        if not callable(is_independent):
            raise InvalidParameterError("is_independent", is_independent, "a callable on a list of indices")
        self.n = check_int("n", n)
        self._test = is_independent

    def _start(self):
        return []

    def _can_add(self, chosen, j):
        return bool(self._test(chosen + [j]))

    def _add(self, chosen, j):
        chosen.append(j)
