"""Coverage sketches (Bateni, Esfandiari, Mirrokni, SPAA 2017): sample elements by hash, cap degrees."""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_selection, check_vector, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as K
from submodkit.objectives.coverage import Coverage
from submodkit.results import Solution

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer (a fixed bijection of uint64 with good avalanche)."""
    with np.errstate(over="ignore"):
        z = x + _M1
        z = (z ^ (z >> np.uint64(30))) * _M2
        z = (z ^ (z >> np.uint64(27))) * _M3
        return z ^ (z >> np.uint64(31))


def _unit(h: np.ndarray) -> np.ndarray:
    """uint64 hashes to floats in [0, 1)."""
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def _keys(seed) -> tuple[np.uint64, np.uint64]:
    """The two hash keys of a seed: element hash, (set, element) pair hash."""
    a, b = make_rng(seed).integers(0, 2**63, size=2, dtype=np.int64)
    return np.uint64(a), np.uint64(b)


def _hash_ids(ids: np.ndarray, key: np.uint64) -> np.ndarray:
    return _unit(_mix(np.asarray(ids, dtype=np.uint64) ^ key))


def _pair_hash(sets: np.ndarray, elements: np.ndarray, key: np.uint64) -> np.ndarray:
    return _mix(_mix(np.asarray(sets, dtype=np.uint64) ^ key) ^ np.asarray(elements, dtype=np.uint64))


def element_hash(ids: np.ndarray, seed=None) -> np.ndarray:
    """A seeded hash of element ids into [0, 1): the same id always gets the same value, so the
    sketch can be built from edges arriving in any order or on any machine."""
    return _hash_ids(ids, _keys(seed)[0])


def paper_budget(n_sets: int, epsilon: float, delta: float = 1.0) -> int:
    """Edge budget of the sketch in the analysis: ``24 delta n ln(1/eps) ln(n) / ((1 - eps) eps^3)``.

    Conservative (it exceeds most inputs at eps = 0.1); pass ``max_edges`` to go smaller.
    """
    n = max(int(n_sets), 2)
    bound = 24.0 * delta * n * math.log(1 / epsilon) * math.log(n) / ((1 - epsilon) * epsilon**3)
    return int(math.ceil(bound))


def degree_cap(n_sets: int, k: int, epsilon: float) -> int:
    """Edges kept per element: ``ceil(n ln(1/eps) / (eps k))``."""
    return int(math.ceil(n_sets * math.log(1 / epsilon) / (epsilon * max(k, 1))))


class CoverageSketch(Coverage):
    """A :class:`Coverage` over the same sets and a hash-sampled subset of the elements.

    Extra attributes: ``size`` (incidences kept), ``input_size`` (incidences of the input),
    ``compression`` (``input_size / size``), ``threshold`` (elements with hash <= it were
    sampled; the sketch's coverage scaled by ``1 / threshold`` estimates the input's),
    ``degree_cap`` (sets kept per element, or None), ``budget`` (the edge budget),
    ``full_budget`` (whether the budget reached :func:`paper_budget`, where the guarantee
    holds), ``elements`` (original ids of the sampled elements, column order).
    """

    name = "coverage-sketch"


def coverage_sketch(
    coverage: Coverage,
    epsilon: float,
    seed=None,
    *,
    k: int | None = None,
    max_edges: int | None = None,
    delta: float = 1.0,
) -> CoverageSketch:
    """Sketch a coverage instance (Bateni, Esfandiari, Mirrokni, "Almost optimal streaming
    algorithms for coverage problems", SPAA 2017; "Distributed coverage maximization via
    sketching").

    Elements are hashed to [0, 1) (:func:`element_hash`) and taken in increasing hash order
    while the sketch stays within ``max_edges`` incidences (default :func:`paper_budget`);
    with ``k`` given, each element keeps at most :func:`degree_cap` of its sets (chosen by a
    hash of the (set, element) pair). The result is a :class:`CoverageSketch` over the same
    sets. With the full budget, an alpha-approximation on the sketch is an
    ``(alpha - epsilon)``-approximation on the input with high probability (their Theorem);
    smaller budgets trade that guarantee for space: measure with
    ``scripts/bench_sketch.py``. Time ``O(nnz + m log m)``; space of the sketch
    ``O(size + m)``; it is a function of the element ids only, so it can be built from a
    stream of (set, element) edges or in one distributed round.

    Example:
        >>> from submodkit import Coverage
        >>> sk = coverage_sketch(Coverage([[0, 1, 2], [2, 3], [3, 4]]), 0.1, seed=0)
        >>> sk.n, sk.size, sk.input_size
        (3, 7, 7)
    """
    if not isinstance(coverage, Coverage):
        raise InvalidParameterError("coverage", coverage, "a submodkit Coverage")
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    k = check_int("k", k, minimum=1, allow_none=True)
    delta = check_real("delta", delta, minimum=0.0, strict_min=True)
    n, m = coverage.shape
    indptr, indices = coverage.indptr, coverage.indices
    input_size = int(indices.shape[0])
    full = paper_budget(n, epsilon, delta)
    budget = full if max_edges is None else check_int("max_edges", max_edges, minimum=1)
    cap = None if k is None else degree_cap(n, k, epsilon)

    elem_key, pair_key = _keys(seed)
    h = _hash_ids(np.arange(m), elem_key)
    deg = np.bincount(indices, minlength=m)
    capped = deg if cap is None else np.minimum(deg, cap)
    total = int(capped.sum())
    order = None
    if total > budget:  # sort only the elements likely to fit: those hashed below ~1.5x the rate
        pool = np.flatnonzero(h <= min(1.0, 1.5 * budget / total + 1e-3))
        if int(capped[pool].sum()) > budget:
            order = pool[np.argsort(h[pool], kind="stable")]
    if order is None:
        order = np.argsort(h, kind="stable")
    cum = np.cumsum(capped[order])
    n_keep = max(1, int(np.searchsorted(cum, budget, side="right")))
    threshold = 1.0 if n_keep >= m else float(h[order[min(n_keep, order.shape[0]) - 1]])
    kept = np.sort(order[:n_keep])

    keep_col = np.zeros(m, dtype=bool)
    keep_col[kept] = True
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    mask = keep_col[indices]
    rows, cols = rows[mask], indices[mask].astype(np.int64)
    if cap is not None and deg[kept].max(initial=0) > cap:
        over = capped[cols] < deg[cols]
        r_o, c_o = rows[over], cols[over]
        pair = _pair_hash(r_o, c_o, pair_key)
        srt = np.lexsort((pair, c_o))
        c_s = c_o[srt]
        first = np.searchsorted(c_s, c_s, side="left")
        take = srt[(np.arange(c_s.shape[0]) - first) < cap]
        rows = np.concatenate([rows[~over], r_o[take]])
        cols = np.concatenate([cols[~over], c_o[take]])
    remap = np.full(m, -1, dtype=np.int64)
    remap[kept] = np.arange(kept.shape[0])
    mat = sp.csr_matrix(
        (np.ones(rows.shape[0]), (rows, remap[cols])), shape=(n, kept.shape[0])
    )
    mat.sort_indices()
    sketch = CoverageSketch(mat, weights=coverage.w[kept], n_elements=kept.shape[0])
    sketch.size = int(sketch.indices.shape[0])
    sketch.input_size = input_size
    sketch.compression = input_size / max(sketch.size, 1)
    sketch.threshold = threshold
    sketch.degree_cap = cap
    sketch.budget = budget
    sketch.full_budget = budget >= full
    sketch.elements = kept
    sketch.epsilon = epsilon
    return sketch


class EdgeStreamSketch:
    """The coverage sketch built from (set, element) edges arriving in any order, in batches.

    Keeps only the edges :func:`coverage_sketch` would keep: elements hashed below a threshold
    that only decreases, at most ``degree_cap`` edges per element (smallest pair hashes), and at
    most ``max_edges`` edges in all (the highest-hashed elements are dropped when the budget
    is exceeded). Space ``O(max_edges)`` whatever the stream's length; each batch costs
    ``O((kept + batch) log(kept + batch))``. The final sketch has exactly the edges of
    ``coverage_sketch`` on the whole input with the same seed, whatever the order and the
    batches (unit element weights; repeated edges count once).

    Example:
        >>> es = EdgeStreamSketch(3, 0.1, seed=0)
        >>> es.add_edges([0, 0, 1, 2], [0, 1, 1, 4]); es.add_edges([1], [2])
        >>> sk = es.sketch()
        >>> sk.size, sk.elements.tolist()
        (5, [0, 1, 2, 4])
    """

    def __init__(
        self,
        n_sets: int,
        epsilon: float,
        seed=None,
        *,
        k: int | None = None,
        max_edges: int | None = None,
        delta: float = 1.0,
    ):
        self.n_sets = check_int("n_sets", n_sets, minimum=1)
        self.epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True,
                                  strict_max=True)
        k = check_int("k", k, minimum=1, allow_none=True)
        delta = check_real("delta", delta, minimum=0.0, strict_min=True)
        self.full = paper_budget(self.n_sets, self.epsilon, delta)
        self.budget = self.full if max_edges is None else check_int("max_edges", max_edges, minimum=1)
        self.degree_cap = None if k is None else degree_cap(self.n_sets, k, self.epsilon)
        self._elem_key, self._pair_key = _keys(seed)
        self.threshold = math.inf  # elements with hash < threshold are admitted
        self._sets = np.zeros(0, dtype=np.int64)
        self._elems = np.zeros(0, dtype=np.int64)
        self.edges_seen = 0

    @property
    def size(self) -> int:
        """Edges kept now."""
        return int(self._sets.shape[0])

    def add_edges(self, sets, elements) -> None:
        """Feed the edges ``(sets[t], elements[t])``: set ``sets[t]`` contains ``elements[t]``."""
        r = check_selection("sets", sets, self.n_sets)
        c = check_selection("elements", elements, 2**32)
        if r.shape != c.shape:
            raise InvalidParameterError("elements", f"{c.shape[0]} elements", f"{r.shape[0]}, one per set")
        self.edges_seen += int(r.shape[0])
        keep = _hash_ids(c, self._elem_key) < self.threshold
        r = np.concatenate([self._sets, r[keep]])
        c = np.concatenate([self._elems, c[keep]])
        _, first = np.unique(c * self.n_sets + r, return_index=True)  # repeated edges count once
        r, c = r[first], c[first]
        if self.degree_cap is not None and r.shape[0]:
            srt = np.lexsort((_pair_hash(r, c, self._pair_key), c))
            c_s = c[srt]
            rank = np.arange(c_s.shape[0]) - np.searchsorted(c_s, c_s, side="left")
            take = np.sort(srt[rank < self.degree_cap])
            r, c = r[take], c[take]
        if r.shape[0] > self.budget:
            ids, counts = np.unique(c, return_counts=True)
            h = _hash_ids(ids, self._elem_key)
            order = np.argsort(h, kind="stable")
            cum = np.cumsum(counts[order])
            n_keep = max(1, int(np.searchsorted(cum, self.budget, side="right")))
            if n_keep < ids.shape[0]:
                self.threshold = float(h[order[n_keep]])
                mask = _hash_ids(c, self._elem_key) < self.threshold
                r, c = r[mask], c[mask]
        self._sets, self._elems = r, c

    def sketch(self) -> CoverageSketch:
        """The sketch so far, as a :class:`CoverageSketch` over the ``n_sets`` sets (unit weights;
        ``input_size`` counts the edges seen, repeats included)."""
        kept, cols = np.unique(self._elems, return_inverse=True)
        mat = sp.csr_matrix(
            (np.ones(self._sets.shape[0]), (self._sets, cols.ravel())),
            shape=(self.n_sets, max(1, kept.shape[0])),
        )
        mat.sort_indices()
        sk = CoverageSketch(mat, n_elements=max(1, kept.shape[0]))
        sk.size = int(sk.indices.shape[0])
        sk.input_size = self.edges_seen
        sk.compression = self.edges_seen / max(sk.size, 1)
        sk.threshold = min(1.0, self.threshold)
        sk.degree_cap = self.degree_cap
        sk.budget = self.budget
        sk.full_budget = self.budget >= self.full
        sk.elements = kept
        sk.epsilon = self.epsilon
        return sk


def sketch_maximize(
    coverage: Coverage,
    k: int,
    epsilon: float = 0.1,
    seed=None,
    *,
    max_edges: int | None = None,
) -> Solution:
    """Max k-cover through a sketch: lazy greedy on :func:`coverage_sketch`, valued on the input.

    Guarantee ``1 - 1/e - epsilon`` with high probability when the sketch had the full
    budget (``"sketch-greedy"``); greedy's own when the sketch kept the whole input; None
    (no proven ratio) when ``max_edges`` cut the sketch below the analysed size.

    Example:
        >>> from submodkit import Coverage
        >>> sketch_maximize(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2, seed=0).value
        5.0
    """
    from submodkit.solvers.submodular.greedy import maximize

    start = time.perf_counter()
    k = check_int("k", k)
    sk = coverage_sketch(coverage, epsilon, seed, k=max(k, 1), max_edges=max_edges)
    sol = maximize(sk, k, bound=False)
    args = coverage.kernel_args()
    cur = coverage.new_state()
    gains = np.empty(len(sol))
    for t, j in enumerate(sol.selection):  # the gains on the input, in selection order
        gains[t] = K.gain(*args, cur, j)
        K.commit(args[0], args[1], args[3], args[4], args[5], args[6], cur, j)
    value = float(gains.sum())
    whole = sk.size == sk.input_size and sk.threshold >= 1.0
    if whole:
        g = guarantee("lazy", k=min(k, coverage.n))
    else:
        g = guarantee("sketch-greedy", epsilon=epsilon) if sk.full_budget else None
    return Solution(
        selection=sol.selection,
        gains=gains,
        value=float(value),
        algorithm="sketch-greedy",
        guarantee=g,
        stats={
            "evaluations": sol.stats["evaluations"],
            "seconds": time.perf_counter() - start,
            "sketch_size": sk.size,
            "input_size": sk.input_size,
            "compression": sk.compression,
            "threshold": sk.threshold,
            "sketch_value": sol.value,
            "full_budget": sk.full_budget,
        },
    )


def _greedy_to_target(objective: Coverage, target: float, costs: np.ndarray | None, cur: np.ndarray):
    """Lazy greedy (ratio greedy with ``costs``) from state ``cur`` until the covered weight
    reaches ``target``: ``(selection, gains)``; ``cur`` is updated in place."""
    from submodkit.solvers.submodular import _kernels as G

    n = objective.n
    args = objective.kernel_args()
    cand = np.arange(n, dtype=np.int64)
    init = np.empty(n)
    K.gains_of(*args, cur, cand, init)
    use_ratio = costs is not None
    c = np.zeros(n) if costs is None else costs
    sel = np.empty(n, dtype=np.int64)
    gains = np.empty(n)
    n_sel, _, _ = G.lazy_greedy(
        *args, cur, cand, n, c, math.inf, use_ratio, np.full(n, -1, dtype=np.int64),
        np.zeros(0, dtype=np.int64), float(target), True, sel, gains, init, np.empty(n),
    )
    return sel[:n_sel].copy(), gains[:n_sel].copy()


def sketch_set_cover(
    coverage: Coverage,
    epsilon: float = 0.1,
    seed=None,
    *,
    outliers: float = 0.0,
    costs=None,
    max_edges: int | None = None,
    complete: bool = True,
) -> Solution:
    """Set cover, or set cover with outliers, through a coverage sketch (Bateni, Esfandiari,
    Mirrokni, SPAA 2017).

    Greedy (most newly covered weight per unit cost, lazy) runs on :func:`coverage_sketch`
    until the sets chosen cover a ``1 - outliers`` fraction of the sketch's coverable weight;
    then the choice is valued on the input (``stats["sketch_coverage"]``, the fraction of the
    input's coverable weight it covers). With ``complete=True`` a second pass over the input
    continues the same greedy until ``1 - outliers`` of the input is covered, so the result
    is always a cover of the input (all but an ``outliers`` fraction of its coverable weight);
    ``stats["completion_sets"]`` says how many sets that pass added. ``value`` is the total
    cost (``sense="min"``), ``gains`` the input weight each set newly covered.
    No approximation ratio is reported (``guarantee=None``): the sketch's set-cover analysis
    assumes guessed solution sizes that this function does not enumerate; compare with
    :func:`submodkit.solvers.cover.set_covering.set_cover` in ``scripts/bench_sketch.py``.
    Time ``O(nnz)`` for the sketch, greedy on the sketch, and ``O(nnz)`` for the valuation
    and completion pass.

    Example:
        >>> from submodkit import Coverage
        >>> sol = sketch_set_cover(Coverage([[0, 1, 2], [2, 3], [3, 4], [4]]), seed=0)
        >>> sol.selection.tolist(), sol.stats["coverage"]
        ([0, 2], 1.0)
    """
    start = time.perf_counter()
    outliers = check_real("outliers", outliers, minimum=0.0, maximum=1.0, strict_max=True)
    if not isinstance(coverage, Coverage):
        raise InvalidParameterError("coverage", coverage, "a submodkit Coverage")
    if costs is not None:
        costs = np.ascontiguousarray(check_vector("costs", costs, coverage.n), dtype=np.float64)
    sk = coverage_sketch(coverage, epsilon, seed, max_edges=max_edges)
    tol = 1e-9

    def coverable(obj: Coverage) -> float:
        hit = np.zeros(obj.state_size, dtype=bool)
        hit[obj.indices] = True
        return float(obj.w[hit].sum())

    w_sk, w_in = coverable(sk), coverable(coverage)
    sel, _ = _greedy_to_target(sk, (1 - outliers) * w_sk - tol * max(1.0, w_sk), costs, sk.new_state())
    cur = coverage.new_state()
    args = coverage.kernel_args()
    gains = np.empty(sel.shape[0])
    for t, j in enumerate(sel):
        gains[t] = K.gain(*args, cur, j)
        K.commit(args[0], args[1], args[3], args[4], args[5], args[6], cur, j)
    covered = float(gains.sum())
    sketch_cov = covered / w_in if w_in > 0 else 1.0
    extra = np.zeros(0, dtype=np.int64)
    if complete:
        target = (1 - outliers) * w_in - tol * max(1.0, w_in)
        if covered < target:
            extra, more = _greedy_to_target(coverage, target - covered, costs, cur)
            gains = np.concatenate([gains, more])
            covered += float(more.sum())
    selection = np.concatenate([sel, extra]).astype(np.int64)
    value = float(len(selection)) if costs is None else float(costs[selection].sum())
    return Solution(
        selection=selection,
        gains=gains,
        value=value,
        algorithm="sketch-set-cover" if outliers == 0 else "sketch-set-cover-outliers",
        guarantee=None,
        sense="min",
        stats={
            "seconds": time.perf_counter() - start,
            "sketch_size": sk.size,
            "input_size": sk.input_size,
            "compression": sk.compression,
            "sketch_sets": int(sel.shape[0]),
            "completion_sets": int(extra.shape[0]),
            "sketch_coverage": sketch_cov,
            "coverage": covered / w_in if w_in > 0 else 1.0,
            "outliers": outliers,
            "full_budget": sk.full_budget,
        },
    )
