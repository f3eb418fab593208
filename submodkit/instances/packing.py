"""Online packing instances (Balseiro, Lu, Mirrokni): several resources consumed per
decision, one action (or none) per arrival, and their generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_vector, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance


def _index_array(name: str, a: Any, size: int | None = None) -> np.ndarray:
    arr = np.ascontiguousarray(a, dtype=np.int64)
    if arr.ndim != 1 or (size is not None and arr.size != size):
        raise InvalidParameterError(name, f"shape {arr.shape}", f"a 1-d array of {size} integers")
    return arr


@dataclass
class PackingInstance:
    """T arrivals, each with its actions (reward and sparse consumption vector); m budgets.

    The data of online packing: per arrival the algorithm takes one of its actions (or
    none), earning its reward and consuming resources, within the budgets
    (:func:`~submodkit.dual_mirror_descent`, :func:`~submodkit.packing_optimum`). Arrays
    are CSR-like.

    Parameters
    ----------
    action_ptr : array_like of int, shape (T + 1,)
        Arrival t's actions are ``action_ptr[t]:action_ptr[t+1]``.
    rewards : array_like of float, shape (K,)
        Reward of each action, >= 0.
    cons_ptr, cons_idx, cons_val : array_like
        Action k consumes ``cons_val[e]`` of resource ``cons_idx[e]`` for e in
        ``cons_ptr[k]:cons_ptr[k+1]`` (values >= 0). Entries naming the same resource twice
        for one action are summed (the stored arrays then list each resource once per action,
        in increasing order).
    budgets : array_like of float, shape (m,)
        Budgets, > 0.
    name : str, default "packing"
    meta : dict, optional

    Attributes
    ----------
    n_arrivals, n_actions, n_resources : int
        T, K and m.

    Raises
    ------
    InvalidParameterError
        For pointers that are not CSR pointers, negative rewards or consumptions,
        resources out of range, or non-positive budgets.

    Examples
    --------
    >>> inst = PackingInstance.from_dense([[3.0, 2.0]], [[[1.0, 1.0], [1.0, 0.0]]], [1.0, 1.0])
    >>> inst.n_arrivals, inst.n_actions, inst.n_resources
    (1, 2, 2)
    >>> inst.consumption_matrix().toarray().tolist(), inst.objective([0]), inst.objective([1])
    ([[1.0, 1.0], [1.0, 0.0]], 3.0, 2.0)

    References
    ----------
    .. [1] Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for online
       allocation problems", Operations Research 71(1) (2023).
    """

    action_ptr: Any
    rewards: Any
    cons_ptr: Any
    cons_idx: Any
    cons_val: Any
    budgets: Any
    name: str = "packing"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.budgets = check_vector("budgets", self.budgets)
        if self.budgets.size == 0 or self.budgets.min() <= 0:
            raise InvalidParameterError("budgets", self.budgets, "a non-empty vector of positive numbers")
        self.action_ptr = _index_array("action_ptr", self.action_ptr)
        self.rewards = check_vector("rewards", self.rewards)
        k = self.rewards.size
        if self.action_ptr.size < 1 or self.action_ptr[0] != 0 or self.action_ptr[-1] != k or np.any(
            np.diff(self.action_ptr) < 0
        ):
            raise InvalidParameterError("action_ptr", "not a CSR pointer", f"0 .. {k}, non-decreasing")
        if np.any(self.rewards < 0):
            raise InvalidParameterError("rewards", "a negative reward", "rewards >= 0")
        self.cons_ptr = _index_array("cons_ptr", self.cons_ptr, k + 1)
        self.cons_val = check_vector("cons_val", self.cons_val)
        self.cons_idx = _index_array("cons_idx", self.cons_idx, self.cons_val.size)
        ptr = self.cons_ptr
        if ptr[0] != 0 or ptr[-1] != self.cons_val.size or np.any(np.diff(ptr) < 0):
            raise InvalidParameterError("cons_ptr", "not a CSR pointer", f"0 .. {self.cons_val.size}")
        if np.any(self.cons_val < 0):
            raise InvalidParameterError("cons_val", "a negative consumption", "consumptions >= 0")
        m = self.budgets.size
        if self.cons_idx.size and (self.cons_idx.min() < 0 or self.cons_idx.max() >= m):
            raise InvalidParameterError("cons_idx", "a resource out of range", f"indices in [0, {m})")
        # an action naming a resource twice consumes the sum: merge such entries here, once, so
        # every solver may test one entry against the room left (0.6 + 0.6 entered separately
        # each fit a room of 1, and dual mirror descent took the action)
        merged = sp.csr_matrix((self.cons_val, self.cons_idx, self.cons_ptr), shape=(k, m))
        if not merged.has_canonical_format:
            merged.sum_duplicates()
            self.cons_ptr = merged.indptr.astype(np.int64)
            self.cons_idx = merged.indices.astype(np.int64)
            self.cons_val = np.ascontiguousarray(merged.data, dtype=np.float64)

    @classmethod
    def from_dense(cls, rewards: Any, consumption: Any, budgets: Any, **kw) -> PackingInstance:
        """From ``rewards`` (T, K) and ``consumption`` (T, K, m): every arrival has K actions.

        ``budgets`` (m,) and the keywords (``name``, ``meta``) are passed on.
        """
        r = np.asarray(rewards, dtype=np.float64)
        c = np.asarray(consumption, dtype=np.float64)
        if r.ndim != 2 or c.ndim != 3 or c.shape[:2] != r.shape:
            raise InvalidParameterError(
                "consumption", f"shape {c.shape}", f"(T, K, m) with (T, K) = {r.shape} as rewards"
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(c))):
            raise InvalidParameterError("rewards", "NaN or inf", "finite rewards and consumptions")
        t, k, m = c.shape
        flat = sp.csr_matrix(c.reshape(t * k, m))
        return cls(
            np.arange(0, t * k + 1, k), r.ravel(), flat.indptr, flat.indices, flat.data, budgets, **kw
        )

    @classmethod
    def from_allocation(cls, instance: AllocationInstance) -> PackingInstance:
        """One action per eligible advertiser, consuming its consumption on that advertiser only.

        Hard budgets (no free disposal); budget-kind instances consume their bids.
        """
        indptr, indices, vals, cons = instance.arrays()
        budgets = instance.budgets
        if instance.unit_consumption:
            budgets = np.floor(budgets + 1e-9)
            budgets = np.maximum(budgets, 1e-9)
        return cls(
            indptr, vals, np.arange(vals.size + 1), indices, cons, budgets, name=instance.name,
            meta=dict(instance.meta),
        )

    @property
    def n_arrivals(self) -> int:
        """T, the number of arrivals."""
        return int(self.action_ptr.size - 1)

    @property
    def n_actions(self) -> int:
        """K, the number of actions over all arrivals."""
        return int(self.rewards.size)

    @property
    def n_resources(self) -> int:
        """m, the number of resources (budgets)."""
        return int(self.budgets.size)

    def consumption_matrix(self) -> sp.csr_matrix:
        """(K, m) consumption of each action."""
        return sp.csr_matrix(
            (self.cons_val, self.cons_idx, self.cons_ptr), shape=(self.n_actions, self.n_resources)
        )

    def objective(self, choice: np.ndarray, regularizer: str | None = None, lam: float = 0.0) -> float:
        """Reward of ``choice`` (action per arrival, -1 none) plus the regularizer; checks feasibility.

        With ``regularizer="max-min"`` the value gains ``lam * T * min_j used_j / budgets_j``
        (the max-min fairness regularizer of Balseiro, Lu, Mirrokni, ICML 2021).

        Raises
        ------
        InvalidParameterError
            For a choice of the wrong shape, an action of another arrival, or budgets
            exceeded.
        """
        choice = np.asarray(choice, dtype=np.int64)
        if choice.shape != (self.n_arrivals,):
            raise InvalidParameterError("choice", choice.shape, f"({self.n_arrivals},) action indices")
        rows = np.flatnonzero(choice >= 0)
        ks = choice[rows]
        if np.any((ks < self.action_ptr[rows]) | (ks >= self.action_ptr[rows + 1])):
            raise InvalidParameterError("choice", "an action of another arrival", "arrival t's own actions")
        used = np.asarray(self.consumption_matrix()[ks].sum(axis=0)).ravel() if ks.size else np.zeros(
            self.n_resources
        )
        if np.any(used > self.budgets * (1 + 1e-9) + 1e-9):
            raise InvalidParameterError("choice", "budgets exceeded", "a feasible choice")
        value = float(self.rewards[ks].sum())
        if regularizer == "max-min":
            value += lam * self.n_arrivals * float(np.min(used / self.budgets))
        return value


def random_packing_instance(
    n_arrivals: int,
    n_actions: int,
    n_resources: int,
    *,
    density: float = 0.5,
    load: float = 0.3,
    n_types: int | None = None,
    seed: int | None = None,
) -> PackingInstance:
    """Random packing instance: each arrival has ``n_actions`` actions with rewards in (0, 1]
    consuming each resource with probability ``density`` (uniform (0, 1]); budgets ``load``
    times the expected consumption of one action per arrival. With ``n_types``, arrivals
    are i.i.d. draws from that many fixed types (values jittered by +-50%).

    Parameters
    ----------
    n_arrivals, n_actions, n_resources : int
        T, actions per arrival, m (>= 1).
    density : float, default 0.5
        Probability that an action consumes a resource, in (0, 1].
    load : float, default 0.3
        Budgets as a fraction of the expected consumption (> 0; each budget at least 1e-3).
    n_types : int, optional
        Number of arrival types (i.i.d. arrivals).
    seed : int, optional
        The random seed.

    Returns
    -------
    PackingInstance
        Named ``"random-packing"``, ``n_actions`` actions per arrival.

    Examples
    --------
    >>> from submodkit import dual_mirror_descent, packing_optimum
    >>> inst = random_packing_instance(20, 2, 2, seed=0)
    >>> inst.n_arrivals, inst.n_actions, inst.n_resources
    (20, 40, 2)
    >>> online, best = dual_mirror_descent(inst, seed=0), packing_optimum(inst)
    >>> online.value <= best.value, best.status
    (True, 'optimal')

    References
    ----------
    .. [1] Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for online
       allocation problems", Operations Research 71(1) (2023).
    """
    t = check_int("n_arrivals", n_arrivals, minimum=1)
    k = check_int("n_actions", n_actions, minimum=1)
    m = check_int("n_resources", n_resources, minimum=1)
    density = check_real("density", density, minimum=0, maximum=1, strict_min=True)
    load = check_real("load", load, minimum=0, strict_min=True)
    rng = make_rng(seed)
    if n_types is None:
        r = 1.0 - rng.random((t, k))
        c = (1.0 - rng.random((t, k, m))) * (rng.random((t, k, m)) < density)
    else:
        n_types = check_int("n_types", n_types, minimum=1)
        trng = np.random.default_rng(None if seed is None else seed + 7919)
        base_r = 1.0 - trng.random((n_types, k))
        base_c = (1.0 - trng.random((n_types, k, m))) * (trng.random((n_types, k, m)) < density)
        types = rng.integers(0, n_types, size=t)
        r = base_r[types] * rng.uniform(0.5, 1.5, size=(t, k))
        c = base_c[types]
    budgets = np.maximum(1e-3, load * c.mean(axis=(0, 1)) * t)
    return PackingInstance.from_dense(r, c, budgets, name="random-packing")
