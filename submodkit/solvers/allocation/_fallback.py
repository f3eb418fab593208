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

import numpy as np

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
