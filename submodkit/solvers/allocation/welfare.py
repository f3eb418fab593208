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

from submodkit._validation import check_choice, check_int, check_real, make_rng
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
    rows = _arrival_rows(n, order, make_rng(seed), arrival)
    agents = _Agents(valuations)
    assignment = np.full(n, -1, dtype=np.int64)
    for j in rows:
        best, _ = agents.best(int(j))
        if best >= 0:
            agents.commit(best, int(j))
            assignment[j] = best
    values = agents.values
    ok = all(f.monotone and f.submodular for f in valuations)
    name = "welfare-greedy-random-order" if order == "random" else "welfare-greedy"
    return AllocationSolution(
        value=float(values.sum()),
        assignment=assignment,
        agent_values=values,
        arrivals=rows,
        algorithm=f"online-greedy ({order} order)",
        guarantee=guarantee(name) if ok else None,
        stats={"seconds": time.perf_counter() - start, "order": order, "seed": seed,
               "gains": n * len(valuations)},
    )


def _arrival_rows(n: int, order: str, rng: np.random.Generator, arrival: Any) -> np.ndarray:
    """The items in arrival order: a permutation from ``rng``, ``arrival``, or 0..n-1."""
    if order == "random":
        return rng.permutation(n).astype(np.int64)
    if arrival is not None:
        rows = np.asarray(arrival, dtype=np.int64)
        if rows.shape != (n,) or not np.array_equal(np.sort(rows), np.arange(n)):
            raise InvalidParameterError("arrival", rows, f"a permutation of 0..{n - 1}")
        return rows
    return np.arange(n, dtype=np.int64)


class _Agents:
    """The agents' valuations with their current sets: the largest marginal gain of an item
    (one kernel call per agent; ties to the smallest index) and the commit of an item."""

    def __init__(self, valuations: Sequence[Objective]):
        self.args = [f.kernel_args() for f in valuations]
        self.states = [f.new_state() for f in valuations]
        self.values = np.zeros(len(valuations))

    def gain(self, agent: int, item: int) -> float:
        return float(OK.gain(*self.args[agent], self.states[agent], item))

    def best(self, item: int) -> tuple[int, float]:
        """The agent with the largest positive gain for ``item`` (-1 when none) and that gain."""
        best, best_gain = -1, 0.0
        for i in range(len(self.args)):
            g = self.gain(i, item)
            if g > best_gain * (1.0 + 1e-12):  # relative: the same choice at any scale of the values
                best, best_gain = i, g
        return best, best_gain

    def commit(self, agent: int, item: int) -> None:
        self.values[agent] += self.gain(agent, item)
        kind, agg, _, indptr, indices, data, dense, _, _ = self.args[agent]
        OK.commit(kind, agg, indptr, indices, data, dense, self.states[agent], item)


def bi_objective_welfare(
    first: Sequence[Objective],
    second: Sequence[Objective],
    *,
    tradeoff: float = 0.5,
    order: str = "given",
    seed: int | None = None,
    arrival: Any = None,
    coins: Any = None,
) -> AllocationSolution:
    """Online allocation for two welfare objectives at once: each agent has two valuations.

    Each arriving item, with probability ``tradeoff`` (a coin per item from ``seed``), goes to
    the agent with the largest marginal gain under the ``first`` valuations, otherwise under
    the ``second``; when the chosen objective gains nothing anywhere, the other decides.

    Guarantee, for monotone submodular valuations, any arrival order, in expectation over the
    coins: ``p / (1 + p)`` of the best welfare under ``first`` and ``(1 - p) / (2 - p)`` of
    the best under ``second`` (each optimum on its own), p = ``tradeoff``. Proof: fix an
    optimal allocation O for one objective f and let ``m_j`` be the marginal value under f of
    item j at its agent in O, given the allocation just before j; submodularity and
    monotonicity give ``f(O) <= f(S) + sum_j m_j`` (greedy's 1/2 argument). The increase
    ``g_j`` of f when j is placed is >= 0 always and >= ``m_j`` when j follows f's rule (the
    fall-back is used only when f's best gain, so ``m_j``, is 0). The coin of j is independent
    of the history that fixes ``m_j``: ``E g_j >= q E m_j`` (q = p, or 1 - p), so
    ``E f(S) >= q (f(O) - E f(S))``. QED. Reconstructed: Esfandiari, Korula and Mirrokni
    (NeurIPS 2016) was reachable by its abstract only (which names no algorithm or curve);
    this mixture and its curve are this module's, and the offline Pareto points of
    :func:`pareto_welfare` are the yardstick the benchmark measures it against.

    Parameters
    ----------
    first, second : sequence of Objective
        One valuation per agent for each objective, over the same items and agents.
    tradeoff : float, default 0.5
        p, the probability that an item follows the first objective, in [0, 1].
    order : {"given", "random"}
    seed : int, optional
        Fixes the coins (and the random order).
    arrival : array_like of int, optional
        The arrival sequence for ``order="given"``.
    coins : array_like of {0, 1}, optional
        One coin per arrival position (1: the first objective) instead of drawing them: the
        exact expectation over all coins is a sum over these (the tests use it).

    Returns
    -------
    AllocationSolution
        ``value`` and ``agent_values`` under the first valuations; ``stats["second_value"]``,
        ``stats["second_agent_values"]`` and ``stats["second_guarantee"]`` for the second;
        ``guarantee``: the first objective's (None unless every valuation is monotone
        submodular).

    Examples
    --------
    >>> from submodkit.objectives import Coverage
    >>> clicks = [Coverage([[0], [1]], n_elements=2), Coverage([[0], []], n_elements=2)]
    >>> reach = [Coverage([[0], []], n_elements=1), Coverage([[0], [0]], n_elements=1)]
    >>> sol = bi_objective_welfare(clicks, reach, coins=[1, 0])
    >>> sol.assignment.tolist(), sol.value, sol.stats["second_value"]
    ([0, 1], 1.0, 2.0)

    References
    ----------
    .. [1] Esfandiari, Korula, Mirrokni, "Bi-objective online matching and submodular
       allocations", NeurIPS 2016.
    .. [2] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Prog. Study 8 (1978).
    """
    n = _check_valuations(first)
    if _check_valuations(second) != n or len(second) != len(first):
        raise InvalidParameterError("second", f"{len(second)} agents x {second[0].n} items",
                                    f"{len(first)} agents x {n} items like first")
    tradeoff = check_real("tradeoff", tradeoff, minimum=0, maximum=1)
    check_choice("order", order, ("given", "random"))
    check_int("seed", seed, allow_none=True)
    start = time.perf_counter()
    rng = make_rng(seed)
    rows = _arrival_rows(n, order, rng, arrival)
    if coins is None:
        draws = (rng.random(n) < tradeoff).astype(np.int64)
    else:
        draws = np.asarray(coins, dtype=np.int64)
        if draws.shape != (n,) or (n and (draws.min() < 0 or draws.max() > 1)):
            raise InvalidParameterError("coins", coins, f"{n} values in {{0, 1}}")
    objectives = (_Agents(second), _Agents(first))  # indexed by the coin
    assignment = np.full(n, -1, dtype=np.int64)
    for pos, j in enumerate(rows):
        rule = int(draws[pos])
        best, _ = objectives[rule].best(int(j))
        if best < 0:
            best, _ = objectives[1 - rule].best(int(j))
        if best >= 0:
            for agents in objectives:
                agents.commit(best, int(j))
            assignment[j] = best
    ok = all(f.monotone and f.submodular for f in (*first, *second))
    values, second_values = objectives[1].values, objectives[0].values
    return AllocationSolution(
        value=float(values.sum()),
        assignment=assignment,
        agent_values=values,
        arrivals=rows,
        algorithm=f"bi-objective greedy mixture (p = {tradeoff:g}, {order} order)",
        guarantee=guarantee("welfare-bi-objective-first", tradeoff=tradeoff) if ok else None,
        stats={"seconds": time.perf_counter() - start, "order": order, "seed": seed, "tradeoff": tradeoff,
               "second_value": float(second_values.sum()), "second_agent_values": second_values.tolist(),
               "first_rule_items": int(draws.sum()),
               "second_guarantee": guarantee("welfare-bi-objective-second", tradeoff=tradeoff).to_dict()
               if ok else None},
    )


def pareto_welfare(first: Sequence[Objective], second: Sequence[Objective]) -> np.ndarray:
    """The offline Pareto points of two welfare objectives, exactly, over all A^n assignments
    (A^n <= 2^16): the (first, second) welfare pairs no other assignment improves in both
    (one per pair, sorted by the first, descending).

    Parameters
    ----------
    first, second : sequence of Objective
        One valuation per agent for each objective, over the same items.

    Returns
    -------
    ndarray, shape (points, 2)
        The Pareto points (first welfare, second welfare).

    Examples
    --------
    >>> from submodkit.objectives import Coverage
    >>> clicks = [Coverage([[0], [1]], n_elements=2), Coverage([[0], []], n_elements=2)]
    >>> reach = [Coverage([[0], []], n_elements=1), Coverage([[0], [0]], n_elements=1)]
    >>> pareto_welfare(clicks, reach).tolist()
    [[2.0, 1.0], [1.0, 2.0]]

    References
    ----------
    .. [1] Esfandiari, Korula, Mirrokni, "Bi-objective online matching and submodular
       allocations", NeurIPS 2016 (the offline Pareto points as the yardstick).
    """
    n = _check_valuations(first)
    if _check_valuations(second) != n or len(second) != len(first):
        raise InvalidParameterError("second", f"{len(second)} agents", f"{len(first)} agents over {n} items")
    a = len(first)
    if n * np.log2(max(a, 2)) > 16.5:
        raise InvalidParameterError("valuations", f"{n} items x {a} agents", "A^n <= 2^16")
    pairs = np.array([(welfare_value(first, c), welfare_value(second, c))
                      for c in itertools.product(range(a), repeat=n)])
    # duplicates found at 12 digits of each objective's own scale; the values returned are exact
    scale = np.maximum(np.abs(pairs).max(axis=0), np.finfo(float).tiny)
    _, first_seen = np.unique(np.round(pairs / scale, 12), axis=0, return_index=True)
    pairs = pairs[first_seen][::-1]  # first descending, then second descending
    front, best_second = [], -np.inf
    for f1, f2 in pairs:
        if f2 > best_second + 1e-12 * scale[1]:
            front.append((f1, f2))
            best_second = f2
    return np.array(front)


def brute_force_welfare(valuations: Sequence[Objective]) -> tuple[float, np.ndarray]:
    """The optimal welfare and an optimal assignment over all A^n assignments (A^n <= 2^16)."""
    n = _check_valuations(valuations)
    a = len(valuations)
    if n * np.log2(max(a, 2)) > 16.5:
        raise InvalidParameterError("valuations", f"{n} items x {a} agents", "A^n <= 2^16")
    best, arg = -np.inf, None
    for combo in itertools.product(range(a), repeat=n):
        v = welfare_value(valuations, combo)
        if arg is None or v > best + 1e-12 * abs(best):  # relative: any scale of the values
            best, arg = v, np.array(combo, dtype=np.int64)
    return float(best), arg


def tight_welfare_instance() -> list[Objective]:
    """Greedy's 1/2 is tight: item 0 is worth 1 to both agents (tie: agent 0), item 1 is
    worth 1 only to agent 0 but covers the same element as item 0; OPT = 2, greedy = 1."""
    from submodkit.objectives import Coverage

    return [Coverage([[0], [0]], n_elements=1), Coverage([[0], []], n_elements=1)]
