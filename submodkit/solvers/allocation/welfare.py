"""Online submodular welfare maximization: items arrive, each goes to one agent at once.

Agent i has a monotone submodular valuation ``f_i`` over the items (any submodkit
:class:`~submodkit.objectives.base.Objective` on the item ground set: coverage, budget-
additive as ``SaturatedCoverage(bids[:, None], caps=[budget])``, facility location, ...).
Welfare = ``sum_i f_i(S_i)``. :func:`online_welfare` is the greedy rule (each arriving
item to the agent with the largest marginal gain): 1/2 for any order (Fisher, Nemhauser,
Wolsey 1978; Lehmann, Lehmann, Nisan 2001), 0.505 in expectation for a uniformly random
order (Korula, Mirrokni, Zadimoghaddam, STOC 2015).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from submodkit._validation import check_choice, check_int, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as OK
from submodkit.objectives.base import Objective
from submodkit.results import AllocationSolution


def _check_valuations(valuations: Sequence[Objective]) -> int:
    if not isinstance(valuations, (list, tuple)) or not valuations:
        raise InvalidParameterError("valuations", type(valuations).__name__, "a non-empty list of Objectives")
    n = None
    for i, f in enumerate(valuations):
        if not isinstance(f, Objective):
            raise InvalidParameterError(f"valuations[{i}]", type(f).__name__, "a submodkit Objective")
        if n is None:
            n = f.n
        elif f.n != n:
            raise InvalidParameterError(f"valuations[{i}]", f"{f.n} items", f"{n} items like valuations[0]")
    return int(n)


def welfare_value(valuations: Sequence[Objective], assignment: Any) -> float:
    """``sum_i f_i({items assigned to i})`` for an assignment (agent per item, -1 none).

    Parameters
    ----------
    valuations : sequence of Objective
        One monotone submodular valuation per agent, over the same items.
    assignment : array_like of int, shape (items,)
        The agent of each item, or -1.

    Returns
    -------
    float
        The welfare.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1], [1], [2]])
    >>> welfare_value([f, f], [0, 0, 1])
    3.0

    References
    ----------
    .. [1] Lehmann, Lehmann, Nisan, "Combinatorial auctions with decreasing marginal
       utilities", Games Econ. Behav. 55 (2006)."""
    n = _check_valuations(valuations)
    a = np.asarray(assignment, dtype=np.int64)
    if a.shape != (n,) or (a.size and (a.min() < -1 or a.max() >= len(valuations))):
        raise InvalidParameterError("assignment", a, f"{n} agent indices in [-1, {len(valuations)})")
    return float(sum(f.evaluate(np.flatnonzero(a == i)) for i, f in enumerate(valuations)))


def online_welfare(
    valuations: Sequence[Objective], order: str = "given", *, seed: int | None = None, arrival: Any = None
) -> AllocationSolution:
    """Online greedy for submodular welfare: each arriving item to the largest marginal gain.

    ``order``: ``"given"`` (items 0..n-1, or the sequence ``arrival``) or ``"random"`` (a
    uniform permutation from ``seed``). Ties go to the smallest agent index; an item with
    gain 0 for everyone stays unassigned (monotone valuations: no loss).

    Guarantee: 1/2 for any arrival order (Fisher, Nemhauser, Wolsey, Math. Prog. Study 8,
    1978; Lehmann, Lehmann, Nisan, EC 2001), and 0.505 in expectation over a random order
    (Korula, Mirrokni, Zadimoghaddam, "Online submodular welfare maximization: greedy
    beats 1/2 in random order", STOC 2015); None unless every valuation is monotone
    submodular. Complexity: n * A marginal gains (one kernel call each).

    Parameters
    ----------
    valuations : sequence of Objective
        One valuation per agent over the same items.
    order : {"given", "random"}
    seed : int, optional, keyword-only
    arrival : array_like of int, optional
        The arrival sequence for ``order="given"``.

    Returns
    -------
    AllocationSolution
        ``assignment`` (agent per item, -1 none), the welfare as ``value``, ``agent_values``.

    Examples
    --------
    >>> from submodkit.objectives import Coverage
    >>> agents = [Coverage([[0], [0]], n_elements=1), Coverage([[0], []], n_elements=1)]
    >>> online_welfare(agents).assignment.tolist()  # the tight example: 1 of OPT 2
    [0, -1]

    References
    ----------
    .. [1] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Prog. Study 8 (1978).
    .. [2] Korula, Mirrokni, Zadimoghaddam, "Online submodular welfare maximization: greedy
       beats 1/2 in random order", STOC 2015.
    """
    n = _check_valuations(valuations)
    check_choice("order", order, ("given", "random"))
    check_int("seed", seed, allow_none=True)
    start = time.perf_counter()
    if order == "random":
        rows = make_rng(seed).permutation(n).astype(np.int64)
    elif arrival is not None:
        rows = np.asarray(arrival, dtype=np.int64)
        if rows.shape != (n,) or not np.array_equal(np.sort(rows), np.arange(n)):
            raise InvalidParameterError("arrival", rows, f"a permutation of 0..{n - 1}")
    else:
        rows = np.arange(n, dtype=np.int64)
    args = [f.kernel_args() for f in valuations]
    states = [f.new_state() for f in valuations]
    assignment = np.full(n, -1, dtype=np.int64)
    values = np.zeros(len(valuations))
    for j in rows:
        best, best_gain = -1, 0.0
        for i, a in enumerate(args):
            g = OK.gain(*a, states[i], int(j))
            if g > best_gain + 1e-12:
                best, best_gain = i, g
        if best >= 0:
            kind, agg, _, indptr, indices, data, dense, _, _ = args[best]
            OK.commit(kind, agg, indptr, indices, data, dense, states[best], int(j))
            assignment[j] = best
            values[best] += best_gain
    ok = all(f.monotone and f.submodular for f in valuations)
    name = "welfare-greedy-random-order" if order == "random" else "welfare-greedy"
    return AllocationSolution(
        value=float(values.sum()),
        assignment=assignment,
        agent_values=values,
        arrivals=rows,
        algorithm=f"online-greedy ({order} order)",
        guarantee=guarantee(name) if ok else None,
        stats={"seconds": time.perf_counter() - start, "order": order, "seed": seed, "gains": n * len(args)},
    )


def brute_force_welfare(valuations: Sequence[Objective]) -> tuple[float, np.ndarray]:
    """The optimal welfare and an optimal assignment over all A^n assignments (A^n <= 2^16)."""
    n = _check_valuations(valuations)
    a = len(valuations)
    if n * np.log2(max(a, 2)) > 16.5:
        raise InvalidParameterError("valuations", f"{n} items x {a} agents", "A^n <= 2^16")
    best, arg = -np.inf, None
    for combo in itertools.product(range(a), repeat=n):
        v = welfare_value(valuations, combo)
        if v > best + 1e-12:
            best, arg = v, np.array(combo, dtype=np.int64)
    return float(best), arg


def tight_welfare_instance() -> list[Objective]:
    """Greedy's 1/2 is tight: item 0 is worth 1 to both agents (tie: agent 0), item 1 is
    worth 1 only to agent 0 but covers the same element as item 0; OPT = 2, greedy = 1."""
    from submodkit.objectives import Coverage

    return [Coverage([[0], [0]], n_elements=1), Coverage([[0], []], n_elements=1)]
