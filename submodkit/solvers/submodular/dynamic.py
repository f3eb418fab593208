"""Fully dynamic submodular maximization: a cardinality-constrained solution kept up to date
under insertions and deletions of items (after Lattanzi, Mitrovic, Norouzi-Fard, Tarnawski,
Zadimoghaddam, NeurIPS 2020)."""

from __future__ import annotations

import math
import time

import numpy as np

from submodkit._validation import check_int, check_real, check_selection, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective
from submodkit.objectives.kernels import commit_all, gain
from submodkit.results import Solution
from submodkit.solvers.submodular import _streaming_kernels as SK


class DynamicMaximizer:
    """Keep a ``1/2 - epsilon`` solution of ``max f(S), |S| <= k`` while items are inserted
    and deleted (``StreamingMaximizer(f, k, algorithm="dynamic")`` makes one).

    Every item present gets a random priority when it is inserted. For each guess
    ``v = (1 + epsilon)^i`` of OPT with ``m <= v <= k m`` (m the largest singleton value
    present), the level keeps exactly the set that threshold greedy would build from scratch:
    the items present, in priority order, each added while fewer than k are chosen and its
    gain is at least ``v / (2k)``. An update changes a level only from the priority where it
    acts: inserting an item that the level would reject there, or deleting an item it had
    rejected, changes nothing (one gain evaluation, or none); otherwise the level is rebuilt
    from that priority on (the chosen items before it kept, the items after it scanned
    again). Levels enter and leave as m changes; a new level is built from scratch.

    Guarantee (every state, for monotone submodular f): the best level has ``f(S) >= OPT /
    (2 (1 + epsilon))``. At the guess ``v <= OPT <= (1 + epsilon) v``, either k items were
    chosen, each adding at least ``v / 2k``, or every item present was rejected with a gain
    below ``v / 2k`` against the final set, so ``OPT <= f(S) + v / 2``. The NeurIPS 2020
    algorithm arranges the levels so that an update costs polylogarithmically many
    evaluations amortized; that paper was reachable by its abstract only, and this structure
    (one priority order, rebuilt suffixes) is a reconstruction: an update scans, in
    expectation over the priorities, the items after a random point of the order when it
    hits a chosen item, which happens for about a k / n share of random updates. The
    measured cost against recomputing from scratch is in BENCHMARKS.md.

    Parameters
    ----------
    objective : Objective
        The items are its indices ``0..n-1``; monotone submodular for the guarantee.
    k : int
    algorithm : {"dynamic"}, keyword-only
    epsilon : float, default 0.1, keyword-only
    seed : int, optional, keyword-only
        The priorities.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> dm = DynamicMaximizer(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2, seed=0)
    >>> dm.update([0, 1, 2]); dm.solution().value
    5.0
    >>> dm.delete([0]); dm.solution().selection.tolist(), dm.solution().value
    ([2, 1], 3.0)

    References
    ----------
    .. [1] Lattanzi, Mitrovic, Norouzi-Fard, Tarnawski, Zadimoghaddam, "Fully dynamic
       algorithm for constrained submodular optimization", NeurIPS 2020.
    .. [2] Badanidiyuru, Mirzasoleiman, Karbasi, Krause, "Streaming submodular maximization:
       massive data summarization on the fly", KDD 2014 (the thresholds).
    """

    def __init__(self, objective: Objective, k: int, *, algorithm: str = "dynamic", epsilon: float = 0.1,
                 seed: object = None):
        if not isinstance(objective, Objective):
            raise InvalidParameterError("objective", objective, "a submodkit Objective")
        if algorithm != "dynamic":
            raise InvalidParameterError("algorithm", algorithm, "'dynamic'")
        self.objective = objective
        self.k = check_int("k", k)
        objective.check_capacity(min(self.k, objective.n))
        self.algorithm = "dynamic"
        self.epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True,
                                  strict_max=True)
        n = objective.n
        self._rng = make_rng(seed)
        self._args = objective.kernel_args()
        self._empty = objective.new_state()
        self._active = np.zeros(n, dtype=bool)
        self._prio = np.full(n, np.inf)
        self._single = np.zeros(n)
        self._order = np.zeros(0, dtype=np.int64)  # the items present, by increasing priority
        self._sorted = np.zeros(0)  # their priorities
        self._levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # exponent -> (chosen, gains)
        self._out = np.zeros(max(self.k, 1), dtype=np.int64)
        self._out_gains = np.zeros(max(self.k, 1))
        self.evaluations = 0
        self.rebuilt = 0
        self.updates = 0
        self.seconds = 0.0

    # --- the levels ------------------------------------------------------------------

    def _tau(self, i: int) -> float:
        return (1.0 + self.epsilon) ** i / (2.0 * self.k)

    def _after(self, p: float) -> np.ndarray:
        return self._order[np.searchsorted(self._sorted, p, side="right"):]

    def _scan(self, prefix: np.ndarray, first: int | None, candidates: np.ndarray, tau: float, room: int):
        """Threshold greedy from the state of ``prefix`` (+ ``first``) over ``candidates``."""
        a = self._args
        cur = self._empty.copy()
        commit_all(a[0], a[1], a[3], a[4], a[5], a[6], cur, prefix)
        head, head_gain = np.zeros(0, dtype=np.int64), np.zeros(0)
        if first is not None:
            head_gain = np.array([gain(*a, cur, first)])
            commit_all(a[0], a[1], a[3], a[4], a[5], a[6], cur, np.array([first], dtype=np.int64))
            head = np.array([first], dtype=np.int64)
        added, evals = SK.threshold_pass(*a, cur, candidates, tau, room, self._out, self._out_gains)
        self.evaluations += int(evals)
        self.rebuilt += 1
        return np.concatenate([head, self._out[:added]]), np.concatenate([head_gain, self._out_gains[:added]])

    def _sync(self) -> None:
        """Levels for exactly the guesses ``m <= (1 + eps)^i <= k m`` (m: largest singleton present)."""
        present = self._single[self._active]
        m = float(present.max(initial=0.0))
        if m <= 0.0 or self.k == 0:
            self._levels.clear()
            return
        base = math.log1p(self.epsilon)
        lo = math.floor(math.log(m) / base)
        hi = math.ceil(math.log(self.k * m) / base)
        for i in [i for i in self._levels if not lo <= i <= hi]:
            del self._levels[i]
        for i in range(lo, hi + 1):
            if i not in self._levels:
                none = np.zeros(0, dtype=np.int64)
                self._levels[i] = self._scan(none, None, self._order, self._tau(i), self.k)

    def rebuild(self) -> None:
        """Build every level again from scratch over the items present (what recomputing
        after each update would cost); the levels come out as they were."""
        start = time.perf_counter()
        self._levels.clear()
        self._sync()
        self.seconds += time.perf_counter() - start

    # --- updates ---------------------------------------------------------------------

    def update(self, indices) -> None:
        """Insert the items ``indices`` (not present), in order."""
        self.insert(indices)

    def insert(self, indices) -> None:
        """Insert the items ``indices`` (each must not be present), in order."""
        items = check_selection("indices", indices, self.objective.n)
        start = time.perf_counter()
        for e in items.tolist():
            if self._active[e]:
                raise InvalidParameterError("indices", e, "items not present (insert each once)")
            p = float(self._rng.random())
            at = int(np.searchsorted(self._sorted, p))
            self._order = np.insert(self._order, at, e)
            self._sorted = np.insert(self._sorted, at, p)
            self._active[e], self._prio[e] = True, p
            self._single[e] = gain(*self._args, self._empty, e)
            self.evaluations += 1
            for i, (chosen, gains) in list(self._levels.items()):
                c = int(np.searchsorted(self._prio[chosen], p))
                if c >= self.k:
                    continue
                cur = self._empty.copy()
                a = self._args
                commit_all(a[0], a[1], a[3], a[4], a[5], a[6], cur, chosen[:c])
                self.evaluations += 1
                if gain(*a, cur, e) < self._tau(i):
                    continue  # rejected where it stands: nothing after it changes
                new, new_gains = self._scan(chosen[:c], e, self._after(p), self._tau(i), self.k - c - 1)
                self._levels[i] = (np.concatenate([chosen[:c], new]), np.concatenate([gains[:c], new_gains]))
            self._sync()
            self.updates += 1
        self.seconds += time.perf_counter() - start

    def delete(self, indices) -> None:
        """Delete the items ``indices`` (each must be present), in order."""
        items = check_selection("indices", indices, self.objective.n)
        start = time.perf_counter()
        for e in items.tolist():
            if not self._active[e]:
                raise InvalidParameterError("indices", e, "items present (delete each once)")
            p = self._prio[e]
            at = int(np.searchsorted(self._sorted, p))
            self._order = np.delete(self._order, at)
            self._sorted = np.delete(self._sorted, at)
            self._active[e], self._prio[e] = False, np.inf
            for i, (chosen, gains) in list(self._levels.items()):
                hit = np.flatnonzero(chosen == e)
                if not hit.size:
                    continue  # it was rejected: nothing depended on it
                c = int(hit[0])
                new, new_gains = self._scan(chosen[:c], None, self._after(p), self._tau(i), self.k - c)
                self._levels[i] = (np.concatenate([chosen[:c], new]), np.concatenate([gains[:c], new_gains]))
            self._sync()
            self.updates += 1
        self.seconds += time.perf_counter() - start

    # --- answers ---------------------------------------------------------------------

    @property
    def items_seen(self) -> int:
        return int(self._active.sum())

    @property
    def n_slots(self) -> int:
        return len(self._levels)

    @property
    def max_singleton(self) -> float:
        return float(self._single[self._active].max(initial=0.0))

    def kept_items(self) -> np.ndarray:
        """Every item present (a deletion may bring any of them into the answer)."""
        return np.flatnonzero(self._active)

    def solution(self) -> Solution:
        """The best level's set, with the guarantee ``1 / (2 (1 + epsilon))`` (monotone
        submodular)."""
        best, best_gains, value = np.zeros(0, dtype=np.int64), np.zeros(0), 0.0
        for i in sorted(self._levels):
            chosen, gains = self._levels[i]
            if gains.sum() > value:
                best, best_gains, value = chosen, gains, float(gains.sum())
        if self.objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
            value = float(self.objective.evaluate(best))
        ok = self.objective.monotone and self.objective.submodular
        return Solution(
            selection=best.copy(), gains=best_gains.copy(), value=value, algorithm="dynamic-threshold",
            guarantee=guarantee("dynamic-threshold", epsilon=self.epsilon) if ok else None,
            stats={"evaluations": self.evaluations, "updates": self.updates, "rebuilt": self.rebuilt,
                   "thresholds": len(self._levels), "items": self.items_seen, "seconds": self.seconds,
                   "n": self.objective.n},
        )

    def save(self, path, include_objective: bool = False):
        """Not for the dynamic structure (it keeps every item present): a sieve's state saves."""
        raise InvalidParameterError("algorithm", "dynamic",
                                    "a sieve ('sieve++' or 'sieve') to save the state")
