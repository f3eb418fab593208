"""`maximize`: greedy maximization of a submodular objective under a constraint."""

from __future__ import annotations

import math
import time

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_selection
from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.solution import Guarantee, Solution
from submodkit.solvers import greedy_kernels as G
from submodkit.solvers import nonmonotone as NM

NM_ALGORITHMS = ("random-greedy", "double-greedy", "distorted-greedy")
ALGORITHMS = (
    "auto", "naive", "lazy", "stochastic", "threshold",
    "random-greedy", "double-greedy", "distorted-greedy",
)


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
    (:mod:`submodkit.solvers.nonmonotone`):

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
    (:func:`~submodkit.solvers.nonmonotone.certified_nonnegative`).

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

    Example:
        >>> from submodkit import Coverage, maximize
        >>> sol = maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2)
        >>> sol.selection.tolist(), sol.value
        ([0, 2], 5.0)
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    check_choice("algorithm", algorithm, ALGORITHMS)
    n = objective.n
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
    if algorithm in NM_ALGORITHMS:
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
    cur = objective.new_state() if initial is None else objective.state(initial)
    sel = np.empty(kmax, dtype=np.int64)
    gains = np.empty(kmax, dtype=np.float64)
    init = None
    stale = None  # upper bounds on the final gains left by naive / lazy greedy
    evals = 0
    if algorithm != "stochastic":
        init = np.empty(n, dtype=np.float64)
        K.fill_gains(args, cur, np.arange(n, dtype=np.int64), init, objective.nnz)
        evals = n
    name = algorithm
    if algorithm in ("naive", "lazy"):
        kernel = G.lazy_greedy if algorithm == "lazy" else G.naive_greedy
        use_ratio = isinstance(constraint, Knapsack)
        stale = np.full(n, -np.inf)
        n_sel, value, more = kernel(
            *args, cur, candidates, kmax, costs, budget, use_ratio, groups, capacities,
            math.inf, use_ratio, sel, gains, init, stale,
        )
    elif algorithm == "stochastic":
        sample = max(1, math.ceil(n / max(kmax, 1) * math.log(1.0 / epsilon)))
        uniforms = np.random.default_rng(seed).random(kmax * min(sample, n) + 1)
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
        value = float(objective.evaluate(sel))

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
        return Solution(
            selection=sel, gains=gains, value=objective.evaluate(np.concatenate([initial, sel])),
            algorithm=f"{algorithm}-warm-start", guarantee=None, stats=stats,
        )
    if bound and objective.monotone and objective.submodular:
        if constraint is None and init is not None:
            top, evaluated = _top_k_final_gains(objective, sel, init if stale is None else stale, kmax)
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
    return Solution(
        selection=sel,
        gains=gains,
        value=float(value),
        algorithm=name,
        guarantee=_guarantee(objective, algorithm, constraint, kmax, epsilon),
        upper_bound=upper,
        stats=stats,
    )


def _top_k_final_gains(objective: Objective, sel: np.ndarray, upper: np.ndarray, k: int):
    """Sum of the k largest gains w.r.t. the final selection, and the gains it evaluated.

    ``upper[j]`` bounds j's final gain (an initial gain, or lazy greedy's stale key: by
    submodularity gains only shrink), so candidates are evaluated in decreasing order of
    ``upper``, in growing chunks, until no candidate left outside can beat the k-th largest
    final gain found: usually a small fraction of the ground set.
    """
    n = objective.n
    if k == 0 or n == 0:
        return 0.0, 0
    cur = objective.state(sel)
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
        g = np.empty(idx.shape[0])
        K.fill_gains(args, cur, idx, g, objective.nnz * idx.shape[0] // max(n, 1))
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
