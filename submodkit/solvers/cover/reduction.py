"""Set-cover reduction before any solve: sets forced by an element they alone hold, elements
implied by others, sets contained in a cheaper set, and sets costlier than the cheapest
other sets of their elements (Beasley 1987; Caprara, Fischetti, Toth 1999)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from submodkit._background import KernelLoader
from submodkit._validation import check_time_limit
from submodkit.errors import InvalidParameterError

_ROUNDS = 8
_CONTAINMENT_BUDGET = 400_000_000  # candidate memberships looked at per round by the containment test
_CONTAINMENT_PER_SECOND = 100_000_000  # under a time limit: the test looked at 3e8 a second on rail507


@dataclass(frozen=True)
class CoverReduction:
    """A set-cover instance reduced to the same optimum.

    Attributes
    ----------
    fixed : ndarray of int64
        Sets in every cover (each alone holds some element), original ids, sorted.
    sets : ndarray of int64
        The sets that stay (original ids, sorted); fixed and removed sets are not among them.
    elements : ndarray of int64
        The elements left to cover (original ids, sorted): neither covered by a fixed set
        nor implied by another element.
    stats : dict
        How many of each reduction applied (``sets_fixed``, ``elements_covered_by_fixed``,
        ``elements_dominated``, ``sets_contained``, ``sets_costlier_than_cheapest``,
        ``rounds``, ``containment_complete``, ``stopped_by_time``).
    """

    fixed: np.ndarray
    sets: np.ndarray
    elements: np.ndarray
    stats: dict = field(default_factory=dict)

    def matrix(self, csr: sp.csr_matrix) -> sp.csr_matrix:
        """The reduced instance: the kept sets on the kept elements, renumbered."""
        return csr[self.sets][:, self.elements].tocsr()

    def lift(self, selection: np.ndarray) -> np.ndarray:
        """A cover of the whole instance (original ids, sorted) from one of the reduced."""
        return np.sort(np.concatenate([self.fixed, self.sets[np.asarray(selection, dtype=np.int64)]]))


def reduce_set_cover(csr: sp.csr_matrix, costs: np.ndarray, *, n_out: int = 0,
                     time_limit: float | None = None) -> CoverReduction:
    """Reduce a set-cover instance without changing its optimum, in rounds until nothing
    changes (at most 8):

    1. an element held by one set forces that set (fixed; its elements are covered);
    2. an element ``i`` goes when another element ``v`` is held only by sets holding ``i``
       (a cover of ``v`` covers ``i``);
    3. a set goes when a cheaper set (or as cheap and larger, then lower id) holds all its
       elements left;
    4. a set goes when its cost exceeds that of the cheapest other set of each of its
       elements.

    Every removal keeps some optimal cover, so the optimum of the whole is the fixed sets'
    cost plus the optimum of the rest. With outliers (``n_out`` elements may stay
    uncovered) only 3 and 4 apply: 1 and 2 assume every element is covered.

    Parameters
    ----------
    csr : scipy.sparse.csr_matrix, shape (n_sets, n_elements)
        Membership (rows are sets; every element in some set).
    costs : ndarray of float64, shape (n_sets,)
        Set costs, >= 0.
    n_out : int, default 0
        Elements that may stay uncovered.
    time_limit : float or None, default None
        Seconds: no round starts after them, and the containment test (3) looks at no more
        candidates than about that time allows. What is removed by then is removed safely
        (``stats["stopped_by_time"]``).

    Returns
    -------
    CoverReduction
        The fixed sets, the sets and elements that stay, and counts.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> S = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 1, 1, 1]]))
    >>> r = reduce_set_cover(S, np.array([1.0, 1.0, 1.0, 1.5]))
    >>> r.fixed.tolist(), r.sets.tolist(), r.elements.tolist()  # solved by reduction alone
    ([0, 2], [], [])
    >>> r.stats["sets_fixed"], r.stats["elements_dominated"], r.stats["sets_contained"]
    (2, 1, 2)

    Element 0 forces set 0 (covering elements 0 and 1); element 2 is implied by element 3
    (the sets holding 3 hold 2); set 1 is left empty and set 3 holds what set 2 holds at a
    higher cost; then element 3 forces set 2.

    References
    ----------
    .. [1] Beasley, "An algorithm for set covering problem", European J. Oper. Res. 31
       (1987).
    .. [2] Caprara, Fischetti, Toth, "A heuristic method for the set covering problem",
       Operations Research 47 (1999).
    """
    start = time.perf_counter()
    time_limit = check_time_limit(time_limit)
    deadline = math.inf if time_limit is None else start + time_limit
    n, m = csr.shape
    from submodkit.solvers.cover import _reduction_kernels as RK  # Numba: imported when used

    indptr, indices = csr.indptr.astype(np.int64), csr.indices.astype(np.int64)
    csc = csr.tocsc()
    eptr, eidx = csc.indptr.astype(np.int64), csc.indices.astype(np.int64)
    costs = np.ascontiguousarray(costs, dtype=np.float64)
    set_alive = np.ones(n, dtype=np.bool_)
    element_alive = np.ones(m, dtype=np.bool_)
    fixed = np.zeros(n, dtype=np.bool_)
    set_size, element_size = np.empty(n, dtype=np.int64), np.empty(m, dtype=np.int64)
    set_stamp, element_stamp = np.full(n, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64)
    stats = {"sets_fixed": 0, "elements_dominated": 0, "sets_contained": 0, "sets_costlier_than_cheapest": 0,
             "rounds": 0, "containment_complete": True, "stopped_by_time": False}
    rows = n_out == 0
    if rows:
        refuse_uncoverable(indices, m)
    for _ in range(_ROUNDS):
        left = deadline - time.perf_counter()
        if left <= 0.0:
            stats["stopped_by_time"] = True
            break
        changed = 0
        if rows:
            got = RK.fix_single_sets(indptr, indices, eptr, eidx, set_alive, element_alive, fixed)
            if got < 0:  # every rule keeps a set of each element: this would be a bug
                raise RuntimeError("set-cover reduction left an element without a set")
            stats["sets_fixed"] += got
            changed += got
            RK.alive_counts(indptr, indices, eptr, eidx, set_alive, element_alive, set_size, element_size)
            got = RK.dominated_elements(indptr, indices, eptr, eidx, set_alive, element_alive, set_size,
                                        element_size, set_stamp)
            set_stamp[:] = -1
            stats["elements_dominated"] += got
            changed += got
        RK.alive_counts(indptr, indices, eptr, eidx, set_alive, element_alive, set_size, element_size)
        budget = _CONTAINMENT_BUDGET if time_limit is None else int(
            min(_CONTAINMENT_BUDGET, max(0.0, deadline - time.perf_counter()) * _CONTAINMENT_PER_SECOND))
        got, complete = RK.dominated_sets(indptr, indices, eptr, eidx, costs, set_alive, element_alive,
                                          set_size, element_size, element_stamp, budget)
        element_stamp[:] = -1
        stats["sets_contained"] += got
        stats["containment_complete"] &= bool(complete)
        changed += got
        got = RK.dominated_by_cheapest(indptr, indices, costs, set_alive, element_alive)
        stats["sets_costlier_than_cheapest"] += got
        changed += got
        stats["rounds"] += 1
        if not changed:
            break
    keep_elements = np.flatnonzero(element_alive)
    stats["elements_covered_by_fixed"] = int(m - keep_elements.shape[0] - stats["elements_dominated"])
    return CoverReduction(np.flatnonzero(fixed), np.flatnonzero(set_alive), keep_elements, stats)


def refuse_uncoverable(indices: np.ndarray, m: int, name: str = "csr") -> None:
    """Raise `InvalidParameterError` (naming ``name``) when one of the ``m`` elements is in no
    set (``indices``: the CSR's): no cover exists. The one check of every set-cover entry point.

    Examples
    --------
    >>> refuse_uncoverable(np.array([0, 1, 1]), 3, "sets")
    Traceback (most recent call last):
    ...
    submodkit.errors.InvalidParameterError: sets='element 2 in no set': expected every element in ...
    """
    if m:
        held = np.bincount(indices, minlength=m)
        if held.min() == 0:
            raise InvalidParameterError(name, f"element {int(np.argmin(held))} in no set",
                                        "every element in some set (no cover exists)")


def _warm_reduction() -> None:
    """The reduction's kernels on a four-set instance (their types do not depend on it)."""
    S = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1], [0, 0, 0, 1]], dtype=np.float64))
    reduce_set_cover(S, np.array([1.0, 1.0, 2.0, 1.0]))


REDUCTION_KERNELS = KernelLoader(
    "submodkit.solvers.cover._reduction_kernels",
    ("alive_counts", "fix_single_sets", "dominated_elements", "dominated_sets", "dominated_by_cheapest"),
    _warm_reduction, "submodkit-reduction-kernels")
"""The reduction's kernels, loaded in the background by a timed exact solve (`_background`)."""


def no_reduction(csr: sp.csr_matrix, why: str, *, n_out: int = 0) -> CoverReduction:
    """The instance as it is, as a `CoverReduction` (nothing fixed or removed;
    ``stats["skipped"]`` says why), after the one check of :func:`reduce_set_cover` that the
    caller relies on: without outliers, every element in some set.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> r = no_reduction(sp.csr_matrix(np.eye(2)), "an example")
    >>> r.sets.tolist(), r.elements.tolist(), r.stats["skipped"]
    ([0, 1], [0, 1], 'an example')
    """
    n, m = csr.shape
    if n_out == 0:
        refuse_uncoverable(csr.indices, m)
    return CoverReduction(np.zeros(0, dtype=np.int64), np.arange(n, dtype=np.int64),
                          np.arange(m, dtype=np.int64), {"skipped": why})
