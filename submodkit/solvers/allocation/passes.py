"""One compiled pass of an online allocation algorithm over the arrivals (:class:`Pass`),
shared by :func:`~submodkit.solvers.allocation.online.allocate` and by the offline solvers'
fallback at a time limit (:func:`greedy_assignment`)."""

from __future__ import annotations

import math
import time

import numpy as np

from submodkit.instances.allocation import AllocationInstance
from submodkit.solvers.allocation import _kernels as K


def kernel_mode(instance: AllocationInstance) -> int:
    """The kernel's mode of an instance: budgets, free disposal or hard capacities."""
    if instance.kind == "budget":
        return K.MODE_BUDGET
    return K.MODE_DISPOSAL if instance.free_disposal else K.MODE_HARD


def r_max(instance: AllocationInstance, vals: np.ndarray) -> float:
    """The largest bid / smallest budget of a budgeted instance (0 otherwise)."""
    return float(vals.max() / instance.budgets.min()) if instance.kind == "budget" and vals.size else 0.0


def segment_layout(
    indices: np.ndarray, vals: np.ndarray, n_adv: int, needed: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Primal-dual with free disposal: rank of each eligible entry among its advertiser's
    values (descending), and per advertiser a power-of-2 segment tree (offset, leaf count)."""
    if not needed:
        one = np.ones(n_adv, dtype=np.int64)
        return np.zeros(1, dtype=np.int64), np.zeros(n_adv + 1, dtype=np.int64), one
    order = np.lexsort((-vals, indices))
    counts = np.bincount(indices, minlength=n_adv).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    leafpos = np.empty(vals.size, dtype=np.int64)
    leafpos[order] = np.arange(vals.size, dtype=np.int64) - np.repeat(starts, counts)
    tsize = (2 ** np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)).astype(np.int64)
    toff = np.concatenate([[0], np.cumsum(2 * tsize)]).astype(np.int64)
    return leafpos, toff, tsize


class Pass:
    """One compiled pass over the arrivals: the instance's arrays, the arrival rows and
    what every algorithm shares; :meth:`kernel` runs it with an algorithm's own duals."""

    def __init__(self, instance: AllocationInstance, rows: np.ndarray, rng: np.random.Generator):
        self.instance = instance
        self.rows = rows
        self.rng = rng  # after the order: the randomized algorithms' own draws
        self.t = t = instance.n_arrivals
        self.indptr, self.indices, self.vals, self.cons = instance.arrays()
        self.n_adv = instance.n_advertisers
        self.budgets = np.ascontiguousarray(instance.budgets, dtype=np.float64)
        self.mode = kernel_mode(instance)
        cap = np.minimum(np.floor(instance.budgets + 1e-9), t).astype(np.int64)
        if self.mode != K.MODE_DISPOSAL:
            cap[:] = 0
        self.cap = cap
        self.off = np.concatenate([[0], np.cumsum(cap)]).astype(np.int64)
        self.vscale = float(self.vals.mean()) if self.vals.size else 1.0
        self.cscale = self.vscale if self.mode == K.MODE_BUDGET else (
            1.0 if instance.unit_consumption else float(self.cons.mean()))
        largest = r_max(instance, self.vals)
        self.bjn_c = (1.0 + largest) ** (1.0 / largest) if largest > 0 else math.e
        self.dual = np.zeros(self.n_adv)
        self.kernel_seconds = 0.0  # in the kernel, summed over segments

    def kernel(self, code: int, *, start: int = 0, dual: np.ndarray | None = None, step: float = 0.0,
               multiplicative: bool = False, stepw: np.ndarray | None = None,
               segments: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Run algorithm ``code`` of the kernel: ``(advertiser per processed arrival, gain)``.
        ``dual`` (updated in place, kept in ``self.dual``), ``step``, ``multiplicative`` and
        ``stepw`` are the dual methods'; ``segments`` the free-disposal primal-dual's."""
        state = self.new_state()
        self.segment(code, state, start=start, dual=dual, step=step, multiplicative=multiplicative,
                     stepw=stepw, segments=segments)
        return self.result(state)

    def new_state(self) -> tuple:
        """An empty allocation (see :func:`submodkit.solvers.allocation._kernels.new_state`)."""
        return K.new_state(self.t, self.budgets, self.off)

    def segment(self, code: int, state: tuple, *, start: int = 0, stop: int | None = None,
                dual: np.ndarray | None = None, step: float = 0.0, multiplicative: bool = False,
                stepw: np.ndarray | None = None, segments: bool = False, dispose: bool = False) -> None:
        """Continue ``state`` over positions ``start..stop-1`` with algorithm ``code``;
        ``dispose``: the training prices may replace a kept value (free disposal)."""
        if dual is not None:
            self.dual = dual
        stepw = np.ones(self.n_adv) if stepw is None else stepw
        leafpos, toff, tsize = segment_layout(self.indices, self.vals, self.n_adv, segments)
        kernel_start = time.perf_counter()
        K.run(
            code, self.mode, self.indptr, self.indices, self.vals, self.cons, self.rows, self.budgets,
            self.cap, self.off, start, self.dual, step, 1 if multiplicative else 0, self.vscale, self.cscale,
            self.bjn_c, stepw, leafpos, toff, tsize, self.t if stop is None else stop,
            bool(dispose and self.mode == K.MODE_DISPOSAL), *state,
        )
        self.kernel_seconds += time.perf_counter() - kernel_start

    def result(self, state: tuple) -> tuple[np.ndarray, np.ndarray]:
        """``(assign, gained)`` of a finished state: disposed positions gain nothing."""
        assign, gained = state[0], state[1]
        if self.mode == K.MODE_DISPOSAL:
            gained[assign < 0] = 0.0
        return assign, gained


def greedy_assignment(instance: AllocationInstance) -> np.ndarray:
    """The advertiser greedy gives each arrival in the given order (-1: none), as
    ``allocate(instance, algorithm="greedy")``."""
    run = Pass(instance, np.arange(instance.n_arrivals, dtype=np.int64), np.random.default_rng(0))
    return run.kernel(K.GREEDY)[0]
