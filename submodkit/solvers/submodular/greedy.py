"""`maximize`: greedy maximization of a submodular objective under a constraint."""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_selection, make_rng
from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kinds as K
from submodkit.objectives import numpy_kernels as NK
from submodkit.objectives.base import Objective
from submodkit.results import Guarantee, Solution
from submodkit.solvers.submodular.greedy_numpy import lazy_greedy_numpy

NM_ALGORITHMS = ("random-greedy", "double-greedy", "distorted-greedy")
ALGORITHMS = (
    "auto", "naive", "lazy", "stochastic", "threshold",
    "random-greedy", "double-greedy", "distorted-greedy",
)
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
    Numba's start-up ``NUMBA_STARTUP``; Numba afterwards, and for large instances.
    """
    if backend == "numpy":
        return True
    if backend == "numba":
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

    Algorithms and the guarantees they report (for monotone submodular objectives):

    - ``"naive"``: classic greedy, ``1 - (1 - 1/k)^k >= 1 - 1/e`` under cardinality
      (Nemhauser, Wolsey, Fisher 1978); O(nk) gain evaluations.
    - ``"lazy"``: the same selection with lazy evaluations (Minoux 1978); the default.
    - ``"stochastic"``: each step takes the best of ``(n/k) ln(1/epsilon)`` random
      candidates; ``1 - 1/e - epsilon`` in expectation (Mirzasoleiman et al., AAAI 2015).
    - ``"threshold"``: decreasing thresholds; ``1 - 1/e - epsilon`` (Badanidiyuru and
      Vondrak, SODA 2014). May stop with fewer than k elements.

    Non-monotone objectives, and ``f(S) - c(S)`` with modular ``costs``
    (:mod:`submodkit.solvers.submodular.nonmonotone`):

    - ``"random-greedy"``: ``1/e`` in expectation for non-negative submodular f under
      cardinality (Buchbinder, Feldman, Naor, Schwartz, SODA 2014).
    - ``"double-greedy"``: unconstrained (``k=None``), ``1/2`` in expectation
      (Buchbinder, Feldman, Naor, Schwartz, FOCS 2012).
    - ``"distorted-greedy"``: for ``g(S) - c(S)`` with ``costs=c``,
      ``>= (1 - 1/e) g(O) - c(O)`` (Harshaw, Feldman, Ward, Karbasi, ICML 2019).

    ``algorithm="auto"`` (the default) picks a method whose guarantee holds for the
    objective given: with ``costs``, distorted greedy for a monotone objective (random
    greedy with k, double greedy without, for a non-monotone one: no guarantee then);
    otherwise lazy greedy for a monotone objective or any knapsack/matroid constraint
    (no guarantee reported when non-monotone), random greedy for a non-monotone objective
    under a cardinality constraint, double greedy for one without any constraint
    (``k=None``). Guarantees needing non-negativity are reported only when it is certified
    (:func:`~submodkit.solvers.submodular.nonmonotone.certified_nonnegative`).

    Constraints: cardinality ``k``; ``Knapsack`` (cost-benefit greedy and the best
    singleton, whichever is better: ``(1 - 1/e) / 2``, Khuller-Moss-Naor 1999, Leskovec
    et al. 2007); ``PartitionMatroid`` (greedy, 1/2, Fisher-Nemhauser-Wolsey 1978),
    optionally with ``k`` too. Knapsack and partition matroids use naive or lazy greedy.

    For a monotone objective, ``upper_bound`` is the a-posteriori bound
    ``OPT <= f(S_i) + max over feasible T of sum_{j in T} gain_j(S_i)`` (top-k gains,
    fractional knapsack, or top gains per group), the smaller of its values at the empty
    set and at the final selection. For a non-monotone objective the guarantee and the
    bound are None.

    ``initial`` (naive or lazy greedy, cardinality only) warm-starts from those indices:
    ``k`` more are chosen among the others, ``value`` is f(initial + selection), and no
    guarantee or bound is reported (both assume a start from the empty set).

    Ties go to the smallest index; a seed fixes the stochastic algorithm.

    ``backend``: naive and lazy greedy under a cardinality constraint (with or without
    ``initial``) also run in numpy (:mod:`submodkit.solvers.submodular.greedy_numpy`, a batched lazy
    greedy with the same selections; gains equal up to floating-point summation order).
    ``"auto"`` (default) uses numpy when ``objective.nnz <= NUMPY_MAX_WORK``,
    ``k * n <= NUMPY_MAX_SCAN``, Numba's greedy kernels are not yet loaded in this process
    (their first call costs about 0.3 s, more than the whole numpy run on a small
    instance) and the numpy runs of this process have taken less than that start-up
    (ski rental: a long-running process then moves to the faster Numba kernels); else
    Numba. ``"numba"`` and
    ``"numpy"`` force one (``"numpy"`` is rejected for the other algorithms and
    constraints).

    Example:
        >>> from submodkit import Coverage, maximize
        >>> sol = maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2)
        >>> sol.selection.tolist(), sol.value
        ([0, 2], 5.0)
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    if algorithm not in ALGORITHMS:
        check_choice("algorithm", algorithm, ALGORITHMS)
    if backend not in BACKENDS:
        check_choice("backend", backend, BACKENDS)
    n = objective.n
    if (constraint is None and costs is None and initial is None and type(k) is int and k >= 0
            and (algorithm in ("lazy", "naive") or (algorithm == "auto" and objective.monotone
                                                     and objective.submodular))
            and objective.n > 0):
        return _cardinality(objective, k, "naive" if algorithm == "naive" else "lazy", bound,
                            use_numpy(objective, backend, k))
    if isinstance(constraint, Cardinality):
        if k is not None and k != constraint.k:
            raise InvalidParameterError("k", k, f"None or the constraint's k={constraint.k}")
        k, constraint = constraint.k, None
    k = check_int("k", k, allow_none=True)
    monotone = objective.monotone and objective.submodular
    if algorithm == "auto":
        if costs is not None and constraint is None:
            algorithm = "distorted-greedy" if monotone else (
                "random-greedy" if k is not None else "double-greedy")
        elif monotone or constraint is not None:
            algorithm = "lazy"
        else:
            algorithm = "random-greedy" if k is not None else "double-greedy"
    if costs is not None and algorithm not in NM_ALGORITHMS:
        raise InvalidParameterError(
            "costs", "a vector", f"None with algorithm={algorithm!r} (costs need one of {NM_ALGORITHMS})"
        )
    numpy_ok = algorithm in ("naive", "lazy") and constraint is None
    if backend == "numpy" and not numpy_ok:
        raise InvalidParameterError(
            "backend", backend, "'auto' or 'numba' (numpy runs naive / lazy greedy under cardinality)"
        )
    numpy_path = numpy_ok and use_numpy(objective, backend, k)
    if algorithm in NM_ALGORITHMS:
        from submodkit.solvers.submodular import nonmonotone as NM

        if constraint is not None:
            raise InvalidParameterError(
                "constraint", constraint, f"None or Cardinality with algorithm={algorithm!r}"
            )
        if algorithm == "double-greedy":
            if k is not None and k < n:
                raise InvalidParameterError("k", k, "None (double greedy is unconstrained)")
            return NM.double_greedy(objective, costs=costs, seed=seed)
        if algorithm == "distorted-greedy":
            return NM.distorted_greedy(objective, costs, k)
        if k is None:
            raise InvalidParameterError("k", None, "an integer >= 0 for random greedy")
        return NM.random_greedy(objective, k, costs=costs, seed=seed)
    if constraint is not None and not isinstance(constraint, (Knapsack, PartitionMatroid)):
        raise InvalidParameterError(
            "constraint", constraint, "None, Cardinality, Knapsack or PartitionMatroid"
        )
    if constraint is None and k is None:
        raise InvalidParameterError("k", None, "an integer >= 0 (or a constraint)")
    if isinstance(constraint, Knapsack) and k is not None:
        raise InvalidParameterError(
            "k", k, "None with a Knapsack constraint (no guarantee is known for both)"
        )
    if constraint is not None and algorithm not in ("naive", "lazy"):
        raise InvalidParameterError(
            "algorithm", algorithm, "'naive' or 'lazy' with a knapsack or matroid constraint"
        )
    if algorithm in ("stochastic", "threshold"):
        epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True,
                             strict_max=True)
    if constraint is not None:
        constraint.check_size(n)
    if initial is not None:
        initial = np.unique(check_selection("initial", initial, n))
        if constraint is not None or algorithm not in ("naive", "lazy"):
            raise InvalidParameterError(
                "initial", "a warm start", "naive or lazy greedy under a cardinality constraint"
            )
    elif constraint is None and algorithm in ("naive", "lazy") and n > 0:
        return _cardinality(objective, k, algorithm, bound, numpy_path)

    start = time.perf_counter()
    kmax = n if k is None else min(k, n)
    costs = np.zeros(n)
    budget = math.inf
    groups = np.full(n, -1, dtype=np.int64)
    capacities = np.zeros(0, dtype=np.int64)
    if isinstance(constraint, Knapsack):
        costs, budget = constraint.costs, constraint.budget
    elif isinstance(constraint, PartitionMatroid):
        groups, capacities = constraint.groups, constraint.capacities
    candidates = np.arange(n, dtype=np.int64)
    if isinstance(constraint, PartitionMatroid):
        candidates = np.flatnonzero(groups >= 0).astype(np.int64)
    if initial is not None:
        candidates = np.setdiff1d(candidates, initial)
        kmax = min(kmax, candidates.size)

    args = objective.kernel_args()
    cur = objective.new_state() if initial is None else state_of(objective, initial, numpy_path)
    sel = np.empty(kmax, dtype=np.int64)
    gains = np.empty(kmax, dtype=np.float64)
    init = None
    stale = None  # upper bounds on the final gains left by naive / lazy greedy
    evals = 0
    if algorithm != "stochastic":
        init = initial_gains(objective, cur, numpy_path)
        evals = n
    name = algorithm
    if not numpy_path:
        _, G = _numba()
    if numpy_path:
        stale = np.full(n, -np.inf)
        sel, gains, more = lazy_greedy_numpy(
            args, cur, candidates, kmax, init, stale, naive=algorithm == "naive"
        )
        n_sel, value = sel.shape[0], float(gains.sum())
    elif algorithm in ("naive", "lazy"):
        kernel = G.lazy_greedy if algorithm == "lazy" else G.naive_greedy
        use_ratio = isinstance(constraint, Knapsack)
        stale = np.full(n, -np.inf)
        n_sel, value, more = kernel(
            *args, cur, candidates, kmax, costs, budget, use_ratio, groups, capacities,
            math.inf, use_ratio, sel, gains, init, stale,
        )
    elif algorithm == "stochastic":
        sample = max(1, math.ceil(n / max(kmax, 1) * math.log(1.0 / epsilon)))
        uniforms = make_rng(seed).random(kmax * min(sample, n) + 1)
        n_sel, value, more = G.stochastic_greedy(
            *args, cur, candidates, kmax, sample, uniforms, sel, gains
        )
    else:
        n_sel, value, more = G.threshold_greedy(
            *args, cur, candidates, kmax, epsilon, sel, gains, init
        )
    evals += more
    sel, gains = sel[:n_sel].copy(), gains[:n_sel].copy()
    if objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
        value = value_of(objective, sel, numpy_path)

    if isinstance(constraint, Knapsack):
        name = f"{algorithm}-cost-benefit"
        feasible = np.flatnonzero(costs <= budget * (1 + 1e-12))
        if feasible.size:
            best = int(feasible[np.lexsort((feasible, -init[feasible]))[0]])
            if init[best] > value:
                sel, gains, value = np.array([best]), np.array([init[best]]), float(init[best])
                name = f"{algorithm}-best-singleton"

    stats = {"evaluations": int(evals), "seconds": 0.0, "n": n}
    upper = None
    if initial is not None:
        stats["seconds"] = time.perf_counter() - start
        if numpy_path:
            _numpy_seconds[0] += stats["seconds"]
        return Solution(
            selection=sel, gains=gains,
            value=value_of(objective, np.concatenate([initial, sel]), numpy_path),
            algorithm=f"{algorithm}-warm-start", guarantee=None, stats=stats,
        )
    if bound and objective.monotone and objective.submodular:
        if constraint is None and init is not None:
            top, evaluated = _top_k_final_gains(
                objective, sel, init if stale is None else stale, kmax, numpy_path
            )
            bounds = [value + top, _gain_bound(init, k, constraint)]
        else:
            final = objective.gains(sel)
            bounds = [value + _gain_bound(final, k, constraint)]
            if init is not None:
                bounds.append(_gain_bound(init, k, constraint))
            evaluated = n
        upper = max(value, min(bounds))
        stats["evaluations"] += evaluated
    stats["seconds"] = time.perf_counter() - start
    if numpy_path:
        _numpy_seconds[0] += stats["seconds"]
    return Solution(
        selection=sel,
        gains=gains,
        value=float(value),
        algorithm=name,
        guarantee=_guarantee(objective, algorithm, constraint, kmax, epsilon),
        upper_bound=upper,
        stats=stats,
    )


def _cardinality(objective: Objective, k: int, algorithm: str, bound: bool, numpy_path: bool) -> Solution:
    """The lean path of ``maximize``: naive / lazy greedy under a cardinality constraint
    alone (no ``initial``, ``costs``), on either back end. Same results as the general path,
    with fewer checks (the caller has established them) and cached constant arrays."""
    start = time.perf_counter()
    n = objective.n
    kmax = min(k, n)
    cur = objective.new_state()
    args = objective.kernel_args()
    stale = np.empty(n)
    if numpy_path:
        init = initial_gains(objective, cur, numpy_path)
        stale.fill(-np.inf)  # np.full without its Python overhead
        sel, gains, more = lazy_greedy_numpy(
            args, cur, _consts(n)[2], kmax, init, stale, naive=algorithm == "naive"
        )
        value = float(gains.sum())
    else:
        sel = np.empty(kmax, dtype=np.int64)
        gains = np.empty(kmax, dtype=np.float64)
        if objective.nnz < K.PARALLEL_MIN_WORK:  # one kernel call, initial gains included
            init = np.empty(n)
            n_sel, value, more = _numba()[1].cardinality_greedy(
                *args, cur, kmax, algorithm == "lazy", sel, gains, init, stale
            )
        else:  # initial gains on all threads, then the greedy kernel
            init = initial_gains(objective, cur, numpy_path)
            stale.fill(-np.inf)
            G = _numba()[1]
            kernel = G.lazy_greedy if algorithm == "lazy" else G.naive_greedy
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
        selection=sel, gains=gains, value=float(value), algorithm=algorithm,
        guarantee=guarantee("greedy" if algorithm == "naive" else "lazy", k=kmax) if monotone else None,
        upper_bound=upper, stats=stats,
    )


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


def _guarantee(objective, algorithm, constraint, k, epsilon) -> Guarantee | None:
    if not (objective.monotone and objective.submodular):
        return None
    if isinstance(constraint, Knapsack):
        return guarantee("knapsack-greedy")
    if isinstance(constraint, PartitionMatroid):
        return guarantee("matroid-greedy")
    if algorithm in ("naive", "lazy"):
        return guarantee("greedy" if algorithm == "naive" else "lazy", k=k)
    return guarantee(algorithm, epsilon=epsilon)
