"""What an offline optimum returns when its solver stops at a time limit, in time.

The offline optima of this room (:func:`~submodkit.solvers.allocation.offline.offline_optimum`,
:func:`~submodkit.solvers.allocation.packing.packing_optimum`,
:func:`~submodkit.solvers.allocation.pages.page_optimum`) answer a solve stopped at its limit
with the room's online heuristic, a compiled kernel. In a fresh process that kernel is not
loaded: importing Numba and loading it from the cache takes about 0.6 s, compiling it with an
empty cache 2 to 8 s, time a call cannot spend after its deadline. So a call under a limit
starts loading the kernel in a background thread (:class:`~submodkit._background.KernelLoader`)
while it builds and solves its model (the solvers release the GIL while they solve), and when
the kernel is not loaded by the deadline it answers with :func:`proposal_rounds` instead,
NumPy only.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from submodkit.mip.model import Deadline

PROPOSAL_ROUNDS = 100
"""At most this many rounds in :func:`proposal_rounds` (measured on random allocation
instances: 1 to 8)."""


def proposal_rounds(action_ptr: np.ndarray, rewards: np.ndarray, cons_ptr: np.ndarray, cons_idx: np.ndarray,
                    cons_val: np.ndarray, room: np.ndarray, deadline: Deadline | None = None) -> np.ndarray:
    """A packing point in NumPy alone: each arrival takes at most one action, and the actions
    taken consume at most ``room`` of every resource.

    In rounds, each arrival not yet served proposes its action of largest reward (> 0; ties
    to the smallest index) among those that fit the room left on each of their resources;
    the proposals are considered by reward, largest first (ties: arrival order), and a
    proposal is accepted when, on each of its resources, the proposals considered so far
    (accepted or not) fit the room left; the others propose again next round. Each round
    is O(open actions and their consumptions) and accepts at least its first proposal; the
    rounds end when no open arrival has an action that fits (the point is then maximal),
    after `PROPOSAL_ROUNDS`, or after the round during which ``deadline`` passed. No ratio is
    claimed: an offline heuristic, on random allocation instances within 1% of the online
    greedy with capacities and 0 to 65% above it with hard budgets; on random packing
    instances (several resources per action) about 30% below dual mirror descent, whose
    prices account for the resources.

    Parameters
    ----------
    action_ptr : ndarray of int64, shape (n_arrivals + 1,)
        Arrival t's actions are ``action_ptr[t]:action_ptr[t + 1]``.
    rewards : ndarray of float64, shape (n_actions,)
    cons_ptr : ndarray of int64, shape (n_actions + 1,)
        Action k consumes ``cons_val[cons_ptr[k]:cons_ptr[k + 1]]`` of the resources
        ``cons_idx[...]`` (each resource at most once per action).
    cons_idx : ndarray of int64
    cons_val : ndarray of float64, >= 0
    room : ndarray of float64, shape (n_resources,)
        What each resource holds (with a relative tolerance of 1e-9).
    deadline : Deadline, optional
        No round starts after it (the first always runs).

    Returns
    -------
    ndarray of float64, shape (n_actions,)
        1.0 for the actions taken, else 0.0.

    Examples
    --------
    >>> import numpy as np
    >>> # two arrivals, each with one action on resource 0 (room 1); the second is worth more
    >>> x = proposal_rounds(np.array([0, 1, 2]), np.array([1.0, 2.0]), np.array([0, 1, 2]),
    ...                     np.array([0, 0]), np.array([1.0, 1.0]), np.array([1.0]))
    >>> x.tolist()
    [0.0, 1.0]
    """
    n_actions = rewards.size
    arrival_of = np.repeat(np.arange(action_ptr.size - 1), np.diff(action_ptr))
    action_of = np.repeat(np.arange(n_actions), np.diff(cons_ptr))  # the action of each consumption
    left = room * (1 + 1e-9) + 1e-9
    x = np.zeros(n_actions)
    open_actions = np.flatnonzero(rewards > 0)  # by arrival, then index
    for _ in range(PROPOSAL_ROUNDS):
        if not open_actions.size:
            break
        entries = _entries_of(open_actions, cons_ptr)
        too_big = cons_val[entries] > left[cons_idx[entries]]
        fits = np.bincount(action_of[entries[too_big]], minlength=n_actions)[open_actions] == 0
        open_actions = open_actions[fits]
        if not open_actions.size:
            break
        arrival, reward = arrival_of[open_actions], rewards[open_actions]
        head = np.r_[True, arrival[1:] != arrival[:-1]]
        group = np.cumsum(head) - 1  # the arrival of each open action, numbered 0..
        best = np.flatnonzero(reward == np.maximum.reduceat(reward, np.flatnonzero(head))[group])
        at = best[np.r_[True, group[best[1:]] != group[best[:-1]]]]  # each arrival's best open action
        at = at[np.argsort(-reward[at], kind="stable")]  # proposals: by reward, largest first
        proposals = open_actions[at]
        entries = _entries_of(proposals, cons_ptr)
        rank = np.repeat(np.arange(proposals.size), np.diff(cons_ptr)[proposals])
        by_resource = np.lexsort((rank, cons_idx[entries]))
        resource = cons_idx[entries][by_resource]
        share = cons_val[entries][by_resource] / np.maximum(left[resource], 1e-300)  # of the room left
        # one running sum over all resources, of shares (each <= 1): a resource's prefix keeps
        # its precision whatever the scale of the others (raw amounts lost it: 1e17 beside 1)
        total = np.cumsum(share)
        first = np.r_[True, resource[1:] != resource[:-1]] if resource.size else np.zeros(0, dtype=bool)
        before = (total - share)[first][np.cumsum(first) - 1]  # the resource's total before its first
        over = total - before > 1.0 + 1e-12
        rejected = np.bincount(rank[by_resource][over], minlength=proposals.size) > 0
        taken = proposals[~rejected]
        x[taken] = 1.0
        taken_entries = _entries_of(taken, cons_ptr)
        left -= np.bincount(cons_idx[taken_entries], weights=cons_val[taken_entries], minlength=left.size)
        served = np.zeros(group[-1] + 1, dtype=bool)
        served[group[at[~rejected]]] = True
        open_actions = open_actions[~served[group]]  # a served arrival proposes no more
        if deadline is not None and deadline.expired():
            break
    return x


def _entries_of(actions: np.ndarray, cons_ptr: np.ndarray) -> np.ndarray:
    """The consumption entries of ``actions``, action by action."""
    counts = cons_ptr[actions + 1] - cons_ptr[actions]
    offsets = np.repeat(cons_ptr[actions] - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(int(counts.sum()))


def price_bound(action_ptr: np.ndarray, rewards: np.ndarray, consumption: sp.csr_matrix, budgets: np.ndarray,
                target: float, deadline: Deadline | None = None, max_steps: int = 200) -> float:
    """An upper bound on the packing LP (hence on every packing point) in NumPy alone, for a
    solve stopped before its solver proved one: for resource prices ``p >= 0``,

        L(p) = sum_t max(0, max_{k of t} (r_k - p . c_k)) + p . B

    is at least the LP's value (weak duality: each arrival takes at most one unit of its
    actions). From ``p = 0`` (every arrival's best reward), projected subgradient steps
    (Polyak's step towards ``target``, a known point's value, its factor halved every 20
    steps without progress) until ``deadline`` (the first evaluation, one pass over the
    actions, always runs) or ``max_steps``; the least ``L(p)`` is returned. One step is two
    sparse products.

    Parameters
    ----------
    action_ptr : ndarray of int64, shape (n_arrivals + 1,)
        Arrival t's actions are ``action_ptr[t]:action_ptr[t + 1]``.
    rewards : ndarray of float64, shape (n_actions,)
    consumption : scipy.sparse.csr_matrix, shape (n_actions, n_resources)
    budgets : ndarray of float64, shape (n_resources,)
    target : float
        The value of a known feasible point (a lower bound on the optimum).
    deadline : Deadline, optional
    max_steps : int, default 200

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> # two arrivals with one action each on one resource of budget 1: the LP takes 1 unit
    >>> bound = price_bound(np.array([0, 1, 2]), np.array([3.0, 2.0]), sp.csr_matrix(np.ones((2, 1))),
    ...                     np.array([1.0]), 3.0)
    >>> 3.0 <= bound < 3.0 + 1e-6
    True
    """
    n_actions = rewards.size
    heads = action_ptr[:-1][np.diff(action_ptr) > 0]  # the first action of each arrival with actions
    if n_actions == 0 or heads.size == 0:
        return 0.0
    arrival = np.repeat(np.arange(heads.size), np.diff(np.append(heads, n_actions)))
    p = np.zeros(budgets.size)
    best, factor, stale = math.inf, 1.0, 0
    for _ in range(max_steps):
        reduced = rewards - consumption @ p
        top = np.maximum.reduceat(reduced, heads)
        value = float(np.maximum(top, 0.0).sum() + p @ budgets)
        progress = value < best - 1e-9 * max(1.0, abs(value))
        best = min(best, value)
        stale = 0 if progress else stale + 1
        if stale >= 20:
            factor, stale = factor / 2, 0
        if deadline is not None and deadline.expired():
            break
        # the subgradient: B minus what each arrival's best action (when worth taking) consumes
        chosen = (reduced == top[arrival]) & (top[arrival] > 0)
        first = np.flatnonzero(chosen)
        first = first[np.r_[True, arrival[first[1:]] != arrival[first[:-1]]]] if first.size else first
        grad = budgets - np.asarray(consumption[first].sum(axis=0)).ravel()
        grad[(p <= 0) & (grad > 0)] = 0.0  # projected: a zero price cannot fall
        norm = float(grad @ grad)
        if norm <= 0 or value <= target:
            break
        p = np.maximum(p - factor * (value - target) / norm * grad, 0.0)
    return best
