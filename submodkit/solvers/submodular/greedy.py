"""`maximize`: greedy maximization of a submodular objective under a constraint.

``maximize`` validates its arguments once, then runs the entry of `MAXIMIZE` (a table of
`~submodkit.guarantees.Algorithm` entries, name -> entry) that ``algorithm`` names, or the
one `AUTO` chooses. Adding an algorithm is one entry: ``maximize``, the command line
(:mod:`submodkit.verification.problems`), ``verify`` and the README's algorithm table read it.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_selection, make_rng
from submodkit.constraints import Cardinality, Knapsack, Matroid, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import CONSTRAINT_KINDS, Algorithm, guarantee, table
from submodkit.objectives import kinds as K
from submodkit.objectives import numpy_kernels as NK
from submodkit.objectives.base import Objective
from submodkit.results import Guarantee, Solution
from submodkit.solvers.submodular.greedy_numpy import lazy_greedy_numpy

BACKENDS = ("auto", "numba", "numpy")
NUMPY_MAX_WORK = 4_000_000
"""``backend="auto"`` may run naive / lazy greedy in numpy when the objective stores at
most this many entries (``objective.nnz``) ..."""
NUMPY_MAX_SCAN = 20_000_000
"""... and ``k * n`` (each numpy step scans the n keys) is at most this."""
_QUAD = (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR)
NUMBA_STARTUP = 0.3
"""Seconds Numba's first kernel call costs in a process (LLVM start-up, cache hit or not)."""
_numpy_seconds = [0.0]  # time spent in the numpy path in this process (ski rental)


_NUMBA: list = []  # [(kernels, greedy_kernels)] once imported


def _numba():
    """The Numba kernel modules, imported on first use (Numba's import costs 0.3 s)."""
    if _NUMBA:
        return _NUMBA[0]
    from submodkit.objectives import kernels
    from submodkit.solvers.submodular import _kernels as greedy_kernels

    _NUMBA.append((kernels, greedy_kernels))
    return _NUMBA[0]


def _nonmonotone():
    """:mod:`.nonmonotone`, imported on first use: it defines Numba kernels, and importing
    Numba (0.15 s) is what a small run on the numpy path must not pay."""
    from submodkit.solvers.submodular import nonmonotone

    return nonmonotone


_CONSTS: dict[int, tuple] = {}
_CONSTS_MAX_N = 1 << 17


def _consts(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(zeros(n), full(n, -1), arange(n), zeros(0, int64))``: the no-constraint arrays the
    kernels only read (never written, never returned), cached for small n."""
    hit = _CONSTS.get(n)
    if hit is None:
        hit = (np.zeros(n), np.full(n, -1, dtype=np.int64), np.arange(n, dtype=np.int64),
               np.zeros(0, dtype=np.int64))
        if n <= _CONSTS_MAX_N:
            if len(_CONSTS) >= 16:
                _CONSTS.clear()
            _CONSTS[n] = hit
    return hit


def numba_loaded() -> bool:
    """Whether Numba's lazy greedy kernel has already run (or been loaded) in this process."""
    mod = sys.modules.get("submodkit.solvers.submodular._kernels")
    return mod is not None and bool(mod.lazy_greedy.signatures)


def use_numpy(objective: Objective, backend: str = "auto", k: int | None = None) -> bool:
    """Whether ``backend`` resolves to the numpy kernels for ``objective`` (see ``maximize``).

    ``"auto"`` is a ski rental: numpy (slower per step, no start-up) for a small instance
    while Numba is not loaded and the numpy runs of this process have cost less than
    Numba's start-up ``NUMBA_STARTUP``; Numba afterwards, and for large instances. A
    log-determinant always runs in Numba under ``"auto"``: its Cholesky updates round
    differently in the two kernels, and near-ties would make the selection depend on what
    ran earlier in the process.
    """
    if backend == "numpy":
        return True
    if backend == "numba":
        return False
    if objective.kind == K.KIND_LOGDET:  # rounding differs: a selection must not depend on history
        return False
    steps = objective.n if k is None else min(k, objective.n)
    return (objective.nnz <= NUMPY_MAX_WORK and steps * objective.n <= NUMPY_MAX_SCAN
            and _numpy_seconds[0] < NUMBA_STARTUP and not numba_loaded())


def initial_gains(objective: Objective, cur: np.ndarray, numpy_path: bool) -> np.ndarray:
    """The gain of every candidate in the state ``cur``."""
    n = objective.n
    cand = _consts(n)[2]
    if numpy_path:
        return np.asarray(NK.gains(objective.kernel_args(), cur, cand), dtype=np.float64)
    K_, _ = _numba()
    out = np.empty(n, dtype=np.float64)
    K_.fill_gains(objective.kernel_args(), cur, cand, out, objective.nnz)
    return out


def state_of(objective: Objective, selection: np.ndarray, numpy_path: bool) -> np.ndarray:
    """The state after ``selection`` (distinct indices)."""
    if not numpy_path:
        return objective.state(selection)
    cur = objective.new_state()
    args = objective.kernel_args()
    for j in np.asarray(selection, dtype=np.int64).tolist():
        NK.commit(args, cur, j)
    return cur


def value_of(objective: Objective, selection: np.ndarray, numpy_path: bool) -> float:
    """f(selection)."""
    if not numpy_path:
        return float(objective.evaluate(selection))
    sel = np.asarray(selection, dtype=np.int64)
    return NK.value(objective.kernel_args(), objective.new_state(), sel)


def maximize(
    objective: Objective,
    k: int | None = None,
    *,
    constraint: Cardinality | Knapsack | PartitionMatroid | None = None,
    algorithm: str = "auto",
    epsilon: float = 0.1,
    seed: int | None = None,
    bound: bool = True,
    costs=None,
    initial=None,
    backend: str = "auto",
) -> Solution:
    """Maximize a submodular ``objective`` greedily under a constraint.

    Parameters
    ----------
    objective : Objective
        The set function f to maximize.
    k : int, optional
        Cardinality constraint ``|S| <= k``; None with a `Knapsack` or `PartitionMatroid`
        (a partition matroid may have ``k`` too), or for double greedy (unconstrained).
    constraint : Cardinality, Knapsack, PartitionMatroid or Matroid, optional
        ``Knapsack``: cost-benefit greedy and the best singleton, whichever is better,
        ``(1 - 1/e) / 2`` (Khuller, Moss, Naor 1999; Leskovec et al. 2007).
        ``PartitionMatroid``: greedy, 1/2 (Fisher, Nemhauser, Wolsey 1978). Any other
        :class:`~submodkit.constraints.Matroid` (graphic, laminar, transversal, or a user's
        independence test, ``OracleMatroid``): the same greedy through its independence
        test (:func:`~submodkit.solvers.submodular.matroid_greedy.matroid_greedy`), 1/2.
        All run naive or lazy greedy.
    algorithm : str, default "auto"
        A name of `MAXIMIZE` (guarantees for monotone submodular objectives):

        - ``"naive"``: classic greedy, ``1 - (1 - 1/k)^k >= 1 - 1/e`` under cardinality;
          O(nk) gain evaluations.
        - ``"lazy"``: the same selection with lazy evaluations (Minoux 1978).
        - ``"stochastic"``: each step takes the best of ``(n/k) ln(1/epsilon)`` random
          candidates; ``1 - 1/e - epsilon`` in expectation.
        - ``"threshold"``: decreasing thresholds; ``1 - 1/e - epsilon``. May stop with
          fewer than k elements.
        - ``"random-greedy"``: ``1/e`` in expectation for a non-negative submodular f
          under cardinality (:mod:`~submodkit.solvers.submodular.nonmonotone`).
        - ``"double-greedy"``: unconstrained (``k=None``), ``1/2`` in expectation.
        - ``"continuous-greedy"``: under a matroid (or k), ``ceil(rank/epsilon)`` steps of
          the continuous greedy with swap rounding
          (:func:`~submodkit.solvers.submodular.continuous_greedy.continuous_greedy`):
          ``>= 1 - 1/e - epsilon`` in expectation for weighted coverage (exact marginals);
          other objectives' marginals are sampled and get no ratio, only the certified
          ``upper_bound``.
        - ``"distorted-greedy"``: for ``g(S) - c(S)`` with ``costs=c``,
          ``>= (1 - 1/e) g(O) - c(O)``.

        ``"auto"`` picks a method whose guarantee holds for the objective given (`AUTO`):
        with ``costs``, distorted greedy for a monotone objective (random greedy with k,
        double greedy without, for a non-monotone one: no guarantee then); otherwise lazy
        greedy for a monotone objective or any knapsack/matroid constraint (no guarantee
        reported when non-monotone), random greedy for a non-monotone objective under a
        cardinality constraint, double greedy for one without any constraint
        (``k=None``). Guarantees needing non-negativity are reported only when it is
        certified (:func:`~submodkit.solvers.submodular.nonmonotone.certified_nonnegative`).
    epsilon : float, default 0.1
        Accuracy of stochastic and threshold greedy, in (0, 1).
    seed : int, optional
        Fixes the randomized algorithms (stochastic, random and double greedy).
    bound : bool, default True
        For a monotone objective, report ``upper_bound``: the a-posteriori bound
        ``OPT <= f(S_i) + max over feasible T of sum_{j in T} gain_j(S_i)`` (top-k gains,
        fractional knapsack, or top gains per group), the smaller of its values at the
        empty set and at the final selection.
    costs : array_like, optional
        Modular costs c >= 0: maximize ``f(S) - c(S)`` (random, double or distorted
        greedy).
    initial : array_like, optional
        Warm start (naive or lazy greedy, cardinality only): ``k`` more indices are chosen
        among the others, ``value`` is f(initial + selection), and no guarantee or bound is
        reported (both assume a start from the empty set).
    backend : {"auto", "numba", "numpy"}
        Naive and lazy greedy under a cardinality constraint (with or without ``initial``)
        also run in numpy (:mod:`submodkit.solvers.submodular.greedy_numpy`, a batched lazy
        greedy with the same selections; gains equal up to floating-point summation order).
        ``"auto"`` uses numpy when ``objective.nnz <= NUMPY_MAX_WORK``,
        ``k * n <= NUMPY_MAX_SCAN``, Numba's greedy kernels are not yet loaded in this
        process (their first call costs about 0.3 s, more than the whole numpy run on a
        small instance) and the numpy runs of this process have taken less than that
        start-up (ski rental: a long-running process then moves to the faster Numba
        kernels); else Numba. ``"numba"`` and ``"numpy"`` force one (``"numpy"`` is
        rejected for the other algorithms and constraints).

    Returns
    -------
    Solution
        ``selection`` in the order chosen (ties go to the smallest index), ``gains``,
        ``value``, ``algorithm``, ``guarantee`` (None for a non-monotone objective unless a
        non-monotone method certifies one) and ``upper_bound`` (None for a non-monotone
        objective).

    Raises
    ------
    InvalidParameterError
        For an unknown algorithm, or a parameter the chosen algorithm does not accept.

    Examples
    --------
    >>> from submodkit import Coverage, Knapsack, maximize
    >>> sol = maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2)
    >>> sol.selection.tolist(), sol.value, sol.algorithm
    ([0, 2], 5.0, 'lazy')
    >>> sol = maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), constraint=Knapsack([2, 1, 1], 2))
    >>> sol.selection.tolist(), sol.value, sol.algorithm
    ([1, 2], 3.0, 'lazy-cost-benefit')

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978).
    .. [2] Minoux, "Accelerated greedy algorithms for maximizing submodular set functions"
       (1978).
    .. [3] Mirzasoleiman, Badanidiyuru, Karbasi, Vondrak, Krause, "Lazier than lazy
       greedy", AAAI 2015.
    .. [4] Badanidiyuru, Vondrak, "Fast algorithms for maximizing submodular functions",
       SODA 2014.
    .. [5] Buchbinder, Feldman, Naor, Schwartz, "Submodular maximization with cardinality
       constraints", SODA 2014; "A tight linear time (1/2)-approximation for
       unconstrained submodular maximization", FOCS 2012.
    .. [6] Harshaw, Feldman, Ward, Karbasi, "Submodular maximization beyond
       non-negativity", ICML 2019.
    .. [7] Khuller, Moss, Naor, "The budgeted maximum coverage problem", IPL 70 (1999).
    .. [8] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing
       submodular set functions II", Math. Programming Study 8 (1978).
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    entry = MAXIMIZE.get(algorithm) if isinstance(algorithm, str) else None
    if entry is None and algorithm != "auto":
        check_choice("algorithm", algorithm, ALGORITHMS)
    if backend not in BACKENDS:
        check_choice("backend", backend, BACKENDS)
    if (constraint is None and costs is None and initial is None and type(k) is int and k >= 0
            and objective.n > 0):  # the lean path of naive / lazy greedy under cardinality
        lean = entry or _AUTO_WITH_K[objective.monotone and objective.submodular]
        if "backend" in lean.options:
            return _cardinality(objective, k, lean, bound, use_numpy(objective, backend, k))
    if isinstance(constraint, Cardinality):
        if k is not None and k != constraint.k:
            raise InvalidParameterError("k", k, f"None or the constraint's k={constraint.k}")
        k, constraint = constraint.k, None
    k = check_int("k", k, allow_none=True)
    if entry is None:
        entry = MAXIMIZE[_auto(_Call(objective.monotone and objective.submodular,
                                     constraint is not None, costs is not None, k is not None))]
    if costs is not None and "costs" not in entry.options:
        raise InvalidParameterError(
            "costs", "a vector", f"None with algorithm={entry.name!r} (costs need one of {_TAKE_COSTS})"
        )
    numpy_ok = "backend" in entry.options and constraint is None
    if backend == "numpy" and not numpy_ok:
        raise InvalidParameterError(
            "backend", backend, "'auto' or 'numba' (numpy runs naive / lazy greedy under cardinality)"
        )
    params = _Params(epsilon, seed, bound, costs, initial, numpy_ok and use_numpy(objective, backend, k))
    return entry.run(entry, objective, k, constraint, params)


class _Params(NamedTuple):
    """The options ``maximize`` passes on to an entry's ``run``."""

    epsilon: float
    seed: int | None
    bound: bool
    costs: Any
    initial: Any
    numpy_path: bool


# --------------------------------------------------------------------------- the greedy family


def _kind(constraint) -> str | None:
    """The kind of ``constraint`` (`CONSTRAINT_KINDS`); None for an object that is none."""
    if constraint is None:
        return "cardinality"
    if isinstance(constraint, Knapsack):
        return "knapsack"
    if isinstance(constraint, PartitionMatroid | Matroid):
        return "matroid"
    return None


@dataclass
class _Frame:
    """One greedy run's inputs and output arrays (the kernels read and fill them)."""

    objective: Objective
    args: tuple
    cur: np.ndarray
    candidates: np.ndarray
    kmax: int
    costs: np.ndarray
    budget: float
    groups: np.ndarray
    capacities: np.ndarray
    use_ratio: bool
    numpy_path: bool
    epsilon: float
    seed: int | None
    sel: np.ndarray
    gains: np.ndarray
    init: np.ndarray | None = None  # the initial gains, when the step computed them
    stale: np.ndarray | None = None  # upper bounds on the final gains left by naive / lazy greedy


def _exhaustive_step(f: _Frame, *, lazy: bool) -> tuple[int, float, int]:
    """Naive greedy (every remaining gain, each step) or lazy greedy (stale gains first)."""
    f.init = initial_gains(f.objective, f.cur, f.numpy_path)
    f.stale = np.full(f.objective.n, -np.inf)
    if f.numpy_path:
        f.sel, f.gains, more = lazy_greedy_numpy(
            f.args, f.cur, f.candidates, f.kmax, f.init, f.stale, naive=not lazy,
            monotone_submodular=f.objective.monotone and f.objective.submodular,
        )
        return f.sel.shape[0], float(f.gains.sum()), more
    G = _numba()[1]
    return (G.lazy_greedy if lazy else G.naive_greedy)(
        *f.args, f.cur, f.candidates, f.kmax, f.costs, f.budget, f.use_ratio, f.groups, f.capacities,
        math.inf, f.use_ratio, f.sel, f.gains, f.init, f.stale,
    )


def _stochastic_step(f: _Frame) -> tuple[int, float, int]:
    """Each step: the best of ``(n/k) ln(1/epsilon)`` random candidates."""
    n = f.objective.n
    sample = max(1, math.ceil(n / max(f.kmax, 1) * math.log(1.0 / f.epsilon)))
    uniforms = make_rng(f.seed).random(f.kmax * min(sample, n) + 1)
    return _numba()[1].stochastic_greedy(
        *f.args, f.cur, f.candidates, f.kmax, sample, uniforms, f.sel, f.gains
    )


def _threshold_step(f: _Frame) -> tuple[int, float, int]:
    """Decreasing thresholds, from the largest initial gain down by factors ``1 - epsilon``."""
    f.init = initial_gains(f.objective, f.cur, f.numpy_path)
    return _numba()[1].threshold_greedy(
        *f.args, f.cur, f.candidates, f.kmax, f.epsilon, f.sel, f.gains, f.init
    )


def _check_greedy(entry: Algorithm, objective: Objective, k: int | None, constraint,
                  p: _Params) -> tuple[str, float, np.ndarray | None]:
    """What a greedy-family entry accepts: ``(constraint kind, epsilon, initial)``, checked."""
    kind = _kind(constraint)
    if kind is None:
        raise InvalidParameterError(
            "constraint", constraint, "None, Cardinality, Knapsack, PartitionMatroid or a Matroid"
        )
    if constraint is None and k is None:
        raise InvalidParameterError("k", None, "an integer >= 0 (or a constraint)")
    if kind == "knapsack" and k is not None:
        raise InvalidParameterError(
            "k", k, "None with a Knapsack constraint (no guarantee is known for both)"
        )
    if kind not in entry.constraints:
        raise InvalidParameterError(
            "algorithm", entry.name, f"{_CONSTRAINED} with a knapsack or matroid constraint"
        )
    epsilon = p.epsilon
    if "epsilon" in entry.options:
        epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True,
                             strict_max=True)
    if constraint is not None:
        constraint.check_size(objective.n)
    initial = p.initial
    if initial is not None:
        initial = np.unique(check_selection("initial", initial, objective.n))
        if constraint is not None or "initial" not in entry.options:
            raise InvalidParameterError(
                "initial", "a warm start", "naive or lazy greedy under a cardinality constraint"
            )
    return kind, epsilon, initial


def _frame(objective: Objective, k: int | None, constraint, kind: str, epsilon: float,
           initial: np.ndarray | None, p: _Params) -> _Frame:
    """The kernels' inputs: the constraint as arrays (no constraint: zero costs, no groups),
    the candidates (a warm start's indices left out) and the output buffers."""
    n = objective.n
    kmax = n if k is None else min(k, n)
    costs = np.zeros(n)
    budget = math.inf
    groups = np.full(n, -1, dtype=np.int64)
    capacities = np.zeros(0, dtype=np.int64)
    candidates = np.arange(n, dtype=np.int64)
    if kind == "knapsack":
        costs, budget = constraint.costs, constraint.budget
    elif kind == "matroid":
        groups, capacities = constraint.groups, constraint.capacities
        candidates = np.flatnonzero(groups >= 0).astype(np.int64)
    if initial is not None:
        candidates = np.setdiff1d(candidates, initial)
        kmax = min(kmax, candidates.size)
    most = kmax
    if kind == "knapsack":  # the cheapest items that fit: no selection is longer
        most = min(kmax, int(np.searchsorted(np.cumsum(np.sort(costs)), budget * (1 + 1e-9) + 1e-12,
                                             side="right")))
    elif kind == "matroid":
        most = min(kmax, int(capacities.sum()))
    objective.check_capacity(most + (0 if initial is None else initial.size))
    return _Frame(
        objective=objective, args=objective.kernel_args(),
        cur=objective.new_state() if initial is None else state_of(objective, initial, p.numpy_path),
        candidates=candidates, kmax=kmax, costs=costs, budget=budget, groups=groups,
        capacities=capacities, use_ratio=kind == "knapsack", numpy_path=p.numpy_path, epsilon=epsilon,
        seed=p.seed, sel=np.empty(kmax, dtype=np.int64), gains=np.empty(kmax, dtype=np.float64),
    )


def _greedy(entry: Algorithm, objective: Objective, k: int | None, constraint, p: _Params, *,
            step: Callable[[_Frame], tuple[int, float, int]]) -> Solution:
    """Run a greedy-family entry: check what it accepts, then ``step`` (its kernel) in the
    shared frame (constraint arrays, warm start, knapsack best singleton, bound, result)."""
    kind, epsilon, initial = _check_greedy(entry, objective, k, constraint, p)
    n = objective.n
    if initial is None and constraint is None and "backend" in entry.options and n > 0:
        return _cardinality(objective, k, entry, p.bound, p.numpy_path)
    if isinstance(constraint, Matroid):
        from submodkit.solvers.submodular.matroid_greedy import matroid_greedy

        sol = matroid_greedy(objective, constraint, k, lazy=entry.name == "lazy")
        if objective.monotone and objective.submodular:
            sol.guarantee = guarantee("matroid-greedy")
        return sol
    start = time.perf_counter()
    f = _frame(objective, k, constraint, kind, epsilon, initial, p)
    n_sel, value, more = step(f)
    sel, gains = f.sel[:n_sel].copy(), f.gains[:n_sel].copy()
    if objective.kind in _QUAD:
        value = value_of(objective, sel, f.numpy_path)
    name = entry.name
    if kind == "knapsack":
        name, sel, gains, value = _best_singleton(entry.name, f, sel, gains, value)
    stats = {"evaluations": (0 if f.init is None else n) + int(more), "seconds": 0.0, "n": n}
    g = upper = None
    if initial is not None:  # no guarantee, no bound: both assume a start from the empty set
        name = f"{entry.name}-warm-start"
        value = value_of(objective, np.concatenate([initial, sel]), f.numpy_path)
    else:
        g = _guarantee(objective, entry, kind, f.kmax, epsilon)
        if p.bound and objective.monotone and objective.submodular:
            upper, evaluated = _upper_bound(f, k, constraint, sel, value)
            stats["evaluations"] += evaluated
    stats["seconds"] = time.perf_counter() - start
    if f.numpy_path:
        _numpy_seconds[0] += stats["seconds"]
    return Solution(selection=sel, gains=gains, value=float(value), algorithm=name, guarantee=g,
                    upper_bound=upper, stats=stats)


def _best_singleton(name: str, f: _Frame, sel, gains, value):
    """Knapsack: cost-benefit greedy, or the best feasible singleton when it is worth more."""
    feasible = np.flatnonzero(f.costs <= f.budget * (1 + 1e-12))
    if feasible.size:
        best = int(feasible[np.lexsort((feasible, -f.init[feasible]))[0]])
        if f.init[best] > value:
            return f"{name}-best-singleton", np.array([best]), np.array([f.init[best]]), float(f.init[best])
    return f"{name}-cost-benefit", sel, gains, value


def _upper_bound(f: _Frame, k: int | None, constraint, sel: np.ndarray, value: float) -> tuple[float, int]:
    """The a-posteriori bound on OPT (the smaller of its values at the empty set and at the
    selection) and the gains it evaluated."""
    objective = f.objective
    if constraint is None and f.init is not None:
        top, evaluated = _top_k_final_gains(
            objective, sel, f.init if f.stale is None else f.stale, f.kmax, f.numpy_path
        )
        bounds = [value + top, _gain_bound(f.init, k, constraint)]
    else:
        bounds = [value + _gain_bound(objective.gains(sel), k, constraint)]
        if f.init is not None:
            bounds.append(_gain_bound(f.init, k, constraint))
        evaluated = objective.n
    return max(value, min(bounds)), evaluated


def _cardinality(objective: Objective, k: int, entry: Algorithm, bound: bool, numpy_path: bool) -> Solution:
    """The lean path of ``maximize``: naive / lazy greedy under a cardinality constraint
    alone (no ``initial``, ``costs``), on either back end. Same results as the general path,
    with fewer checks (the caller has established them) and cached constant arrays."""
    start = time.perf_counter()
    n = objective.n
    kmax = min(k, n)
    objective.check_capacity(kmax)
    lazy = entry.name == "lazy"
    cur = objective.new_state()
    args = objective.kernel_args()
    stale = np.empty(n)
    if numpy_path:
        init = initial_gains(objective, cur, numpy_path)
        stale.fill(-np.inf)  # np.full without its Python overhead
        sel, gains, more = lazy_greedy_numpy(
            args, cur, _consts(n)[2], kmax, init, stale, naive=not lazy,
            monotone_submodular=objective.monotone and objective.submodular,
        )
        value = float(gains.sum())
    else:
        sel = np.empty(kmax, dtype=np.int64)
        gains = np.empty(kmax, dtype=np.float64)
        if objective.nnz < K.PARALLEL_MIN_WORK:  # one kernel call, initial gains included
            init = np.empty(n)
            n_sel, value, more = _numba()[1].cardinality_greedy(
                *args, cur, kmax, lazy, sel, gains, init, stale
            )
        else:  # initial gains on all threads, then the greedy kernel
            init = initial_gains(objective, cur, numpy_path)
            stale.fill(-np.inf)
            G = _numba()[1]
            kernel = G.lazy_greedy if lazy else G.naive_greedy
            zeros, groups, candidates, capacities = _consts(n)
            n_sel, value, more = kernel(
                *args, cur, candidates, kmax, zeros, math.inf, False, groups, capacities,
                math.inf, False, sel, gains, init, stale,
            )
        if n_sel < kmax:
            sel, gains = sel[:n_sel].copy(), gains[:n_sel].copy()
    if objective.kind in _QUAD:
        value = value_of(objective, sel, numpy_path)
    stats = {"evaluations": n + int(more), "seconds": 0.0, "n": n}
    upper = None
    monotone = objective.monotone and objective.submodular
    if bound and monotone:
        top, evaluated = _top_k_final_gains(objective, sel, stale, kmax, numpy_path)
        upper = max(value, min(value + top, _gain_bound(init, k, None)))
        stats["evaluations"] += evaluated
    seconds = time.perf_counter() - start
    stats["seconds"] = seconds
    if numpy_path:
        _numpy_seconds[0] += seconds
    return Solution(
        selection=sel, gains=gains, value=float(value), algorithm=entry.name,
        guarantee=guarantee(entry.guarantee, k=kmax) if monotone else None,
        upper_bound=upper, stats=stats,
    )


# --------------------------------------------------------------------------- non-monotone


def _check_nonmonotone(entry: Algorithm, objective: Objective, k: int | None, constraint) -> None:
    """What random, double and distorted greedy accept: no constraint beyond k, and k as
    the entry's ``needs_k`` says (random greedy needs it, double greedy takes none)."""
    if constraint is not None:
        raise InvalidParameterError(
            "constraint", constraint, f"None or Cardinality with algorithm={entry.name!r}"
        )
    method = entry.name.replace("-", " ")
    if entry.needs_k is False and k is not None and k < objective.n:
        raise InvalidParameterError("k", k, f"None ({method} is unconstrained)")
    if entry.needs_k and k is None:
        raise InvalidParameterError("k", None, f"an integer >= 0 for {method}")


def _random_greedy(entry, objective, k, constraint, p: _Params) -> Solution:
    _check_nonmonotone(entry, objective, k, constraint)
    return _nonmonotone().random_greedy(objective, k, costs=p.costs, seed=p.seed)


def _double_greedy(entry, objective, k, constraint, p: _Params) -> Solution:
    _check_nonmonotone(entry, objective, k, constraint)
    return _nonmonotone().double_greedy(objective, costs=p.costs, seed=p.seed)


def _distorted_greedy(entry, objective, k, constraint, p: _Params) -> Solution:
    _check_nonmonotone(entry, objective, k, constraint)
    return _nonmonotone().distorted_greedy(objective, p.costs, k)


def _continuous_greedy(entry, objective, k, constraint, p: _Params) -> Solution:
    """Continuous greedy with swap rounding: ``ceil(rank / epsilon)`` steps."""
    from submodkit.solvers.submodular.continuous_greedy import continuous_greedy

    if p.initial is not None:
        raise InvalidParameterError("initial", "a warm start", "naive or lazy greedy under a cardinality "
                                    "constraint")
    if constraint is not None and not isinstance(constraint, PartitionMatroid | Matroid):
        raise InvalidParameterError("constraint", constraint, "None (with k), a PartitionMatroid or a "
                                    "Matroid for algorithm='continuous-greedy'")
    return continuous_greedy(objective, k, constraint=constraint, epsilon=p.epsilon, seed=p.seed)


# --------------------------------------------------------------------------- the table

MAXIMIZE = table(
    Algorithm(
        "naive", partial(_greedy, step=partial(_exhaustive_step, lazy=False)), guarantee="greedy",
        calls={"greedy": '`maximize(f, k, algorithm="naive")`'},
        constraints=CONSTRAINT_KINDS, options=("initial", "backend"),
    ),
    Algorithm(
        "lazy", partial(_greedy, step=partial(_exhaustive_step, lazy=True)), guarantee="lazy",
        calls={"lazy": "`maximize(f, k)` (default)",
               "knapsack-greedy": "`maximize(f, constraint=Knapsack(costs, budget))`",
               "matroid-greedy": "`maximize(f, constraint=PartitionMatroid(groups, caps))`"},
        constraints=CONSTRAINT_KINDS, options=("initial", "backend"),
    ),
    Algorithm(
        "stochastic", partial(_greedy, step=_stochastic_step), guarantee="stochastic",
        calls={"stochastic": '`maximize(f, k, algorithm="stochastic", epsilon=e, seed=s)`'},
        options=("epsilon",), randomized=True,
    ),
    Algorithm(
        "threshold", partial(_greedy, step=_threshold_step), guarantee="threshold",
        calls={"threshold": '`maximize(f, k, algorithm="threshold", epsilon=e)`'},
        options=("epsilon",),
    ),
    Algorithm(
        "continuous-greedy", _continuous_greedy, guarantee="continuous-greedy",
        calls={"continuous-greedy":
               '`maximize(f, constraint=matroid, algorithm="continuous-greedy", epsilon=e, seed=s)`'},
        constraints=("cardinality", "matroid"), options=("epsilon",), randomized=True,
    ),
    Algorithm(
        "random-greedy", _random_greedy, guarantee="random-greedy",
        calls={"random-greedy": '`maximize(f, k)` (non-monotone f; or `algorithm="random-greedy", seed=s`)'},
        options=("costs",), randomized=True,
    ),
    Algorithm(
        "double-greedy", _double_greedy, guarantee="double-greedy",
        calls={"double-greedy":
               '`maximize(f)` (non-monotone f, no k; or `algorithm="double-greedy", seed=s`)'},
        options=("costs",), needs_k=False, randomized=True,
    ),
    Algorithm(
        "distorted-greedy", _distorted_greedy, guarantee="distorted-greedy",
        calls={"distorted-greedy": '`maximize(g, k, costs=c)` (`algorithm="distorted-greedy"`)'},
        options=("costs",), requires=("costs",), needs_k=None,
    ),
)
"""``maximize``'s algorithms, name -> `~submodkit.guarantees.Algorithm`. Each entry's ``run``
takes ``(entry, objective, k, constraint, params)``, after ``maximize`` has checked the
algorithm, the back end, ``costs`` and turned a `Cardinality` into ``k``; it checks the rest
of what it accepts itself. Under a knapsack or matroid constraint the greedy family reports
that constraint's greedy guarantee (`CONSTRAINT_GUARANTEES`)."""

ALGORITHMS = ("auto", *MAXIMIZE)
CONSTRAINT_GUARANTEES = {"knapsack": "knapsack-greedy", "matroid": "matroid-greedy"}
_TAKE_COSTS = tuple(name for name, e in MAXIMIZE.items() if "costs" in e.options)
_CONSTRAINED = " or ".join(repr(name) for name, e in MAXIMIZE.items() if set(e.constraints) - {"cardinality"})


class _Call(NamedTuple):
    """What ``algorithm="auto"`` looks at."""

    monotone: bool  # the objective is monotone submodular
    constrained: bool  # a knapsack or matroid constraint
    costs: bool  # modular costs are subtracted
    k: bool  # a cardinality k is given


AUTO: tuple[tuple[str, Callable[[_Call], bool]], ...] = (
    ("distorted-greedy", lambda c: c.costs and c.monotone and not c.constrained),
    ("lazy", lambda c: c.monotone or c.constrained),  # the only one under knapsack / matroid
    ("random-greedy", lambda c: c.k),
    ("double-greedy", lambda c: True),
)
"""``algorithm="auto"``: the first entry of `MAXIMIZE` whose condition holds for the call."""


def _auto(call: _Call) -> str:
    return next(name for name, holds in AUTO if holds(call))


_AUTO_WITH_K = {m: MAXIMIZE[_auto(_Call(m, False, False, True))] for m in (False, True)}
"""``"auto"`` under a cardinality k alone (the lean path's shortcut), by monotonicity."""


def _top_k_final_gains(objective: Objective, sel: np.ndarray, upper: np.ndarray, k: int,
                       numpy_path: bool = False):
    """Sum of the k largest gains w.r.t. the final selection, and the gains it evaluated.

    ``upper[j]`` bounds j's final gain (an initial gain, or lazy greedy's stale key: by
    submodularity gains only shrink), so candidates are evaluated in decreasing order of
    ``upper``, in growing chunks, until no candidate left outside can beat the k-th largest
    final gain found: usually a small fraction of the ground set.
    """
    n = objective.n
    if k == 0 or n == 0:
        return 0.0, 0
    cur = state_of(objective, sel, numpy_path)
    args = objective.kernel_args()
    order_key = upper.copy()
    order_key[sel] = -np.inf  # selected: gain 0 by definition
    size = min(n, max(16 * k, 1024))
    while True:
        if size >= n:
            idx = np.arange(n, dtype=np.int64)
            rest_max = -np.inf
        else:  # the `size` largest keys, then the largest key left outside them
            part = np.argpartition(-order_key, size)
            idx = part[:size].astype(np.int64)
            rest_max = order_key[part[size]]
        if numpy_path:
            g = np.asarray(NK.gains(args, cur, idx), dtype=np.float64)
        else:
            g = np.empty(idx.shape[0])
            _numba()[0].fill_gains(args, cur, idx, g, objective.nnz * idx.shape[0] // max(n, 1))
        g[order_key[idx] == -np.inf] = 0.0
        np.maximum(g, 0.0, out=g)
        kk = min(k, g.shape[0])
        top = np.partition(g, g.shape[0] - kk)[g.shape[0] - kk :]
        if size >= n or (kk == k and rest_max <= top.min()):
            return float(top.sum()), int(idx.shape[0])
        size *= 4


def _gain_bound(g: np.ndarray, k: int | None, constraint) -> float:
    """max over feasible T of sum_{j in T} g_j (relaxed): the a-posteriori gain bound."""
    g = np.maximum(g, 0.0)
    bounds = []
    if k is not None:
        kk = min(k, g.shape[0])
        top = np.partition(g, g.shape[0] - kk)[g.shape[0] - kk :] if kk else g[:0]
        bounds.append(float(top.sum()))
    if isinstance(constraint, Knapsack):
        bounds.append(_fractional_knapsack(g, constraint.costs, constraint.budget))
    elif isinstance(constraint, PartitionMatroid):
        total = 0.0
        grp = constraint.groups
        for gid, cap in enumerate(constraint.capacities):
            vals = np.sort(g[grp == gid])[::-1]
            total += float(vals[:cap].sum())
        bounds.append(total)
    return min(bounds)


def _fractional_knapsack(values: np.ndarray, costs: np.ndarray, budget: float) -> float:
    free = costs <= 0
    total = float(values[free].sum())
    v, c = values[~free], costs[~free]
    order = np.argsort(-(v / c), kind="stable")
    cum = np.cumsum(c[order])
    full = np.searchsorted(cum, budget, side="right")
    total += float(v[order[:full]].sum())
    if full < order.size:
        left = budget - (cum[full - 1] if full else 0.0)
        total += float(v[order[full]] * left / c[order[full]])
    return total


def _guarantee(objective: Objective, entry: Algorithm, kind: str, k: int, epsilon: float) -> Guarantee | None:
    """A greedy-family run's guarantee: the constraint's greedy guarantee, or the entry's own."""
    if not (objective.monotone and objective.submodular):
        return None
    return guarantee(CONSTRAINT_GUARANTEES.get(kind, entry.guarantee), k=k, epsilon=epsilon)
