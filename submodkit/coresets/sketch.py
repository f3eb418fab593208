"""Coverage sketches (Bateni, Esfandiari, Mirrokni, SPAA 2017): sample elements by hash, cap degrees."""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_selection, check_vector, make_rng
from submodkit.coresets.engines import check_engine, map_shards
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.shards import Shards
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
    *,
    seed=None,
    k: int | None = None,
    max_edges: int | None = None,
    delta: float = 1.0,
    engine: object = None,
) -> CoverageSketch:
    """Sketch a coverage instance (Bateni, Esfandiari, Mirrokni, "Almost optimal streaming
    algorithms for coverage problems", SPAA 2017; "Distributed coverage maximization via
    sketching").

    Elements are hashed to [0, 1) (:func:`element_hash`) and taken in increasing hash order
    while the sketch stays within ``max_edges`` incidences (default :func:`paper_budget`; the
    first element is always kept, so a budget below its degree holds that element's edges);
    with ``k`` given, each element keeps at most :func:`degree_cap` of its sets (chosen by a
    hash of the (set, element) pair). The result is a :class:`CoverageSketch` over the same
    sets. With the full budget, an alpha-approximation on the sketch is an
    ``(alpha - epsilon)``-approximation on the input with high probability (their Theorem);
    smaller budgets trade that guarantee for space: measure with
    ``scripts/bench_sketch.py``. Time ``O(nnz + m log m)``; space of the sketch
    ``O(size + m)``; it is a function of the element ids only, so it can be built from a
    stream of (set, element) edges or in one distributed round.

    ``coverage`` may be a set-system :class:`~submodkit.instances.shards.Shards` folder:
    each part, read where it lives (``engine``), sends the degrees of its elements hashed
    below a rate and then its incidences on the sampled elements (at most ``cap`` per
    element); the merged sketch is identical to the sketch of the whole (same elements,
    threshold and incidences), and ``sketch.stats`` gives the rounds and bytes sent.

    Example:
        >>> from submodkit import Coverage
        >>> sk = coverage_sketch(Coverage([[0, 1, 2], [2, 3], [3, 4]]), 0.1, seed=0)
        >>> sk.n, sk.size, sk.input_size
        (3, 7, 7)
    """
    if isinstance(coverage, Shards):
        return _sketch_of_shards(coverage, epsilon, seed, k=k, max_edges=max_edges, delta=delta,
                                 engine=engine)
    if not isinstance(coverage, Coverage):
        raise InvalidParameterError("coverage", coverage, "a submodkit Coverage or a Shards folder")
    epsilon, k, delta = _check_sketch_args(epsilon, k, delta)
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
    kept, threshold = _kept_elements(order, capped[order], h, budget, m)

    keep_col = np.zeros(m, dtype=bool)
    keep_col[kept] = True
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    mask = keep_col[indices]
    rows, cols = rows[mask], indices[mask].astype(np.int64)
    if cap is not None and deg[kept].max(initial=0) > cap:
        rows, cols = _apply_cap(rows, cols, capped[cols] < deg[cols], cap, pair_key)
    return _assemble(rows, cols, kept, n, m, coverage.w[kept], input_size, threshold, cap, budget, full,
                     epsilon)


def _check_sketch_args(epsilon, k, delta):
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    k = check_int("k", k, minimum=1, allow_none=True)
    delta = check_real("delta", delta, minimum=0.0, strict_min=True)
    return epsilon, k, delta


def _kept_elements(order: np.ndarray, capped_in_order: np.ndarray, h: np.ndarray, budget: int, m: int):
    """The sampled elements (increasing id) and the hash threshold: the longest prefix of
    ``order`` (elements by increasing hash) whose capped degrees fit in ``budget``."""
    cum = np.cumsum(capped_in_order)
    n_keep = max(1, int(np.searchsorted(cum, budget, side="right")))
    threshold = 1.0 if n_keep >= m else float(h[order[min(n_keep, order.shape[0]) - 1]])
    return np.sort(order[:n_keep]), threshold


def _apply_cap(rows, cols, over, cap: int, pair_key):
    """Keep, for each element of ``cols[over]``, its ``cap`` incidences of smallest
    (set, element) hash; the others as they are."""
    r_o, c_o = rows[over], cols[over]
    pair = _pair_hash(r_o, c_o, pair_key)
    srt = np.lexsort((pair, c_o))
    c_s = c_o[srt]
    first = np.searchsorted(c_s, c_s, side="left")
    take = srt[(np.arange(c_s.shape[0]) - first) < cap]
    return np.concatenate([rows[~over], r_o[take]]), np.concatenate([cols[~over], c_o[take]])


def _assemble(rows, cols, kept, n, m, weights, input_size, threshold, cap, budget, full, epsilon):
    remap = np.full(m, -1, dtype=np.int64)
    remap[kept] = np.arange(kept.shape[0])
    mat = sp.csr_matrix(
        (np.ones(rows.shape[0]), (rows, remap[cols])), shape=(n, kept.shape[0])
    )
    mat.sort_indices()
    sketch = CoverageSketch(mat, weights=weights, n_elements=kept.shape[0])
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


# --- the sketch of a shard folder: two map rounds, merged at the client ------------------


def _sketch_of_shards(shards: Shards, epsilon, seed, *, k, max_edges, delta, engine) -> CoverageSketch:
    """The sketch of a set-system shard folder, identical to the sketch of the whole.

    Round 1 (repeated with a doubled rate until enough): each part returns the degrees of
    its elements hashed below a rate ``r``; the client sums them, and the elements in
    increasing hash order whose capped degrees fit the budget are the sketch's (the same
    prefix as in memory: the rate only limits what is sent). Round 2: each part returns its
    incidences on those elements, at most ``cap`` per element (smallest pair hash, with
    the global set id); the client keeps the global ``cap`` smallest per element.
    """
    if shards.kind != "SetSystem":
        raise InvalidParameterError("shards", shards.kind, "a set-system shard folder")
    epsilon, k, delta = _check_sketch_args(epsilon, k, delta)
    check_engine(engine)
    n, m, input_size = shards.n_items, int(shards.universe), shards.nnz
    full = paper_budget(n, epsilon, delta)
    budget = full if max_edges is None else check_int("max_edges", max_edges, minimum=1)
    cap = None if k is None else degree_cap(n, k, epsilon)
    elem_key, pair_key = _keys(seed)
    h = _hash_ids(np.arange(m), elem_key)
    rate = min(1.0, 1.5 * budget / max(input_size, 1) + 1e-3)
    rounds = 0
    while True:
        rounds += 1
        found = map_shards(_part_degrees, shards, (elem_key, rate), engine=engine)
        deg = np.zeros(m, dtype=np.int64)
        for ids, counts in found:
            np.add.at(deg, ids, counts)
        capped = deg if cap is None else np.minimum(deg, cap)
        pool = np.flatnonzero(h <= rate) if rate < 1.0 else np.arange(m)
        if rate >= 1.0 or int(capped[pool].sum()) > budget:
            break
        rate = min(1.0, 2 * rate)
    order = pool[np.argsort(h[pool], kind="stable")]
    kept, threshold = _kept_elements(order, capped[order], h, budget, m)
    over_cap = np.zeros(0, dtype=np.int64) if cap is None else kept[deg[kept] > cap]
    parts = map_shards(_part_incidences, shards, (kept, over_cap, cap or 0, pair_key), engine=engine)
    rows = np.concatenate([r for r, _ in parts] + [np.zeros(0, dtype=np.int64)])
    cols = np.concatenate([c for _, c in parts] + [np.zeros(0, dtype=np.int64)])
    if over_cap.shape[0]:
        over = np.zeros(m, dtype=bool)
        over[over_cap] = True
        rows, cols = _apply_cap(rows, cols, over[cols], cap, pair_key)
    sketch = _assemble(rows, cols, kept, n, m, shards.element_weights()[kept], input_size, threshold, cap,
                       budget, full, epsilon)
    sketch.stats = {"rounds": rounds + 1, "bytes_degrees": int(sum(a.nbytes + b.nbytes for a, b in found)),
                    "bytes_incidences": int(sum(a.nbytes + b.nbytes for a, b in parts))}
    return sketch


def _part_degrees(shards: Shards, i: int, elem_key, rate: float):
    """Part ``i``'s elements hashed at most ``rate`` and their degrees in the part."""
    indices = shards.part(i).problem.sets.indices
    ids, counts = np.unique(indices, return_counts=True)
    keep = _hash_ids(ids, elem_key) <= rate
    return ids[keep].astype(np.int64), counts[keep].astype(np.int64)


def _part_incidences(shards: Shards, i: int, kept: np.ndarray, over_cap: np.ndarray, cap: int, pair_key):
    """Part ``i``'s incidences on the ``kept`` elements as (global set id, element) pairs;
    for the elements in ``over_cap``, only the part's ``cap`` of smallest pair hash."""
    shard = shards.part(i)
    sets = shard.problem.sets
    m = sets.shape[1]
    keep_col = np.zeros(m, dtype=bool)
    keep_col[kept] = True
    mask = keep_col[sets.indices]
    rows = np.repeat(shard.ids, np.diff(sets.indptr))[mask]
    cols = sets.indices[mask].astype(np.int64)
    if over_cap.shape[0]:
        over = np.zeros(m, dtype=bool)
        over[over_cap] = True
        rows, cols = _apply_cap(rows, cols, over[cols], cap, pair_key)
    return rows.astype(np.int64), cols


class EdgeStreamSketch:
    """The coverage sketch built from (set, element) edges arriving in any order, in batches.

    Keeps only the edges :func:`coverage_sketch` would keep: elements hashed below a threshold
    that only decreases, at most ``degree_cap`` edges per element (smallest pair hashes), and at
    most ``max_edges`` edges in all (the highest-hashed elements are dropped when the budget
    is exceeded; the lowest-hashed element stays, so a budget below its degree holds its
    edges). Space ``O(max_edges)`` whatever the stream's length; each batch costs
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
        *,
        seed=None,
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
    *,
    seed=None,
    max_edges: int | None = None,
    engine: object = None,
) -> Solution:
    """Max k-cover through a sketch: lazy greedy on :func:`coverage_sketch`, valued on the input.

    ``coverage`` may be a set-system shard folder: the sketch is built part by part where
    the parts live (identical to the sketch of the whole), and the selection is valued on the
    input from its sets' rows, fetched from their parts.

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
    sk = coverage_sketch(coverage, epsilon, seed=seed, k=max(k, 1), max_edges=max_edges, engine=engine)
    sol = maximize(sk, k, bound=False)
    gains = _gains_on_input(coverage, sol.selection, engine)
    value = float(gains.sum())
    whole = sk.size == sk.input_size and sk.threshold >= 1.0
    if whole:
        g = guarantee("lazy", k=min(k, sk.n))
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
            **getattr(sk, "stats", {}),
        },
    )


def _gains_on_input(coverage, selection: np.ndarray, engine) -> np.ndarray:
    """The gains of ``selection`` on the input, in selection order (for shards, from the
    selected sets' rows, fetched from the parts that hold them)."""
    return _commit_on_input(coverage, selection, engine)[0]


def _commit_on_input(coverage, selection: np.ndarray, engine) -> tuple[np.ndarray, np.ndarray]:
    """``(gains of selection on the input in selection order, coverage state after it)``;
    for shards the state is over the global elements and only the selected rows are fetched."""
    selection = np.asarray(selection, dtype=np.int64)
    if isinstance(coverage, Shards):
        weights = coverage.element_weights()
        universe = int(coverage.universe)
        if not len(selection):
            return np.zeros(0), np.array(weights, dtype=np.float64)
        found = map_shards(_part_rows, coverage, (np.sort(selection),), engine=engine)
        ids = np.concatenate([a for a, _ in found] + [np.zeros(0, dtype=np.int64)])
        rows = sp.vstack([r for _, r in found], format="csr")
        at = {int(j): t for t, j in enumerate(ids)}
        coverage = Coverage(rows[[at[int(j)] for j in selection]], weights=weights, n_elements=universe)
        selection = np.arange(len(selection), dtype=np.int64)
    args = coverage.kernel_args()
    cur = coverage.new_state()
    gains = np.empty(len(selection))
    for t, j in enumerate(selection):  # the gains on the input, in selection order
        gains[t] = K.gain(*args, cur, j)
        K.commit(args[0], args[1], args[3], args[4], args[5], args[6], cur, j)
    return gains, cur


def _part_rows(shards: Shards, i: int, selected: np.ndarray):
    """The global ids and rows of part ``i``'s sets among ``selected`` (increasing)."""
    shard = shards.part(i)
    local = np.flatnonzero(np.isin(shard.ids, selected, assume_unique=True))
    return shard.ids[local].astype(np.int64), shard.problem.sets[local]


def _part_coverable(shards: Shards, i: int) -> np.ndarray:
    """Which global elements part ``i``'s sets cover, as a packed bit mask."""
    hit = np.zeros(int(shards.universe), dtype=bool)
    hit[shards.part(i).problem.sets.indices] = True
    return np.packbits(hit)


def _part_residual(shards: Shards, i: int, uncovered: np.ndarray, limit: int, costs: np.ndarray | None):
    """Part ``i``'s share of the completion pass: ``(global ids, rows, whole)``.

    Its sets that still cover an element of ``uncovered`` (increasing global ids), with their
    rows restricted to those elements, when they hold at most ``limit`` incidences
    (``whole=True``: all the completion pass needs from this part); else a core-set: the
    sets greedy (per unit cost) picks on the part alone to cover every uncovered element the
    part can cover (``whole=False``), so memory at the client stays bounded.
    """
    shard = shards.part(i)
    sets = shard.problem.sets
    keep_col = np.zeros(sets.shape[1], dtype=bool)
    keep_col[uncovered] = True
    mask = keep_col[sets.indices]
    row_of = np.repeat(np.arange(sets.shape[0]), np.diff(sets.indptr))
    counts = np.bincount(row_of[mask], minlength=sets.shape[0])
    live = np.flatnonzero(counts > 0)
    indptr = np.concatenate([[0], np.cumsum(counts[live])]).astype(np.int64)
    indices = sets.indices[mask].astype(np.int64)  # row-major, so the live rows' kept entries in order
    rows = sp.csr_matrix((np.ones(indices.shape[0]), indices, indptr), shape=(live.shape[0], sets.shape[1]))
    ids = shard.ids[live].astype(np.int64)
    if indices.shape[0] <= limit:
        return ids, rows, True
    weights = shards.element_weights()
    cur = np.zeros(weights.shape[0])
    cur[uncovered] = weights[uncovered]
    part = Coverage(rows, weights=weights, n_elements=weights.shape[0])
    reachable = float(cur[np.unique(indices)].sum())
    sel, _ = _greedy_to_target(part, reachable - 1e-9 * max(1.0, reachable),
                               None if costs is None else np.ascontiguousarray(costs[ids]), cur)
    sel = np.sort(sel)
    return ids[sel], rows[sel], False


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
    coverage: Coverage | Shards,
    epsilon: float = 0.1,
    *,
    seed=None,
    outliers: float = 0.0,
    costs=None,
    max_edges: int | None = None,
    complete: bool = True,
    engine: object = None,
    max_residual: int | None = None,
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

    ``coverage`` may be a set-system shard folder (:func:`~submodkit.instances.open_shards`),
    run on ``engine``: the sketch is built part by part (identical to the sketch of the
    whole); the parts send a bit mask of the elements they cover, the selected sets' rows,
    and, for the completion pass, only their sets that still cover an uncovered element,
    restricted to those elements. When that share exceeds ``max_residual / parts``
    incidences (default: the larger of the sketch's budget and 4 M), a part sends instead the
    sets its own greedy picks to cover what it can (a core-set), so the client never holds
    more than about ``max_residual`` incidences plus those covers. With every share within
    the limit the answer is the in-memory one (``stats["completion"] == "exact"``); else it
    is still a cover of the input, by greedy over the union of shares and local covers.
    ``costs`` (one per set, by global id) is given in memory either way (each worker receives
    it once); None: unit costs.

    Example:
        >>> from submodkit import Coverage
        >>> sol = sketch_set_cover(Coverage([[0, 1, 2], [2, 3], [3, 4], [4]]), seed=0)
        >>> sol.selection.tolist(), sol.stats["coverage"]
        ([0, 2], 1.0)
    """
    start = time.perf_counter()
    outliers = check_real("outliers", outliers, minimum=0.0, maximum=1.0, strict_max=True)
    if not isinstance(coverage, (Coverage, Shards)):
        raise InvalidParameterError("coverage", type(coverage).__name__, "a submodkit Coverage or a "
                                    "set-system shard folder (submodkit.open_shards)")
    check_engine(engine)
    if costs is not None:
        costs = np.ascontiguousarray(check_vector("costs", costs, _n_sets(coverage)), dtype=np.float64)
    if max_residual is not None:
        max_residual = check_int("max_residual", max_residual, minimum=1)
    sk = coverage_sketch(coverage, epsilon, seed=seed, max_edges=max_edges, engine=engine)
    tol = 1e-9
    w_sk, w_in = _coverable_weight(sk, None), _coverable_weight(coverage, engine)
    sel, _ = _greedy_to_target(sk, (1 - outliers) * w_sk - tol * max(1.0, w_sk), costs, sk.new_state())
    gains, cur = _commit_on_input(coverage, sel, engine)
    covered = float(gains.sum())
    sketch_cov = covered / w_in if w_in > 0 else 1.0
    extra = np.zeros(0, dtype=np.int64)
    stats: dict = {}
    if complete:
        target = (1 - outliers) * w_in - tol * max(1.0, w_in)
        if covered < target:
            limit = max(sk.budget, 4_000_000) if max_residual is None else max_residual
            extra, more, stats = _complete(coverage, target - covered, costs, cur, engine, limit)
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
            **getattr(sk, "stats", {}),
            **stats,
        },
    )


def _n_sets(coverage: Coverage | Shards) -> int:
    return coverage.n_items if isinstance(coverage, Shards) else coverage.n


def _coverable_weight(coverage: Coverage | Shards, engine) -> float:
    """The weight of the elements some set covers (for shards, a map-reduce of bit masks)."""
    if isinstance(coverage, Shards):
        masks = map_shards(_part_coverable, coverage, (), engine=engine)
        m = int(coverage.universe)
        hit = np.unpackbits(np.bitwise_or.reduce(masks), count=m).astype(bool) if masks else np.zeros(m, bool)
        return float(coverage.element_weights()[hit].sum())
    hit = np.zeros(coverage.state_size, dtype=bool)
    hit[coverage.indices] = True
    return float(coverage.w[hit].sum())


def _complete(coverage: Coverage | Shards, needed: float, costs, cur: np.ndarray, engine, max_residual: int):
    """The completion pass: greedy from state ``cur`` until ``needed`` more weight is covered;
    ``(added sets, their gains, stats)``. On shards it runs on the residual instance (the
    sets that still cover an uncovered element, restricted to those elements), whose greedy
    choices are the whole input's (the others gain nothing), when each part's share holds at
    most ``max_residual / parts`` incidences; a part with more sends its local greedy cover instead
    (a core-set: the union still covers everything coverable, but the choice may differ
    from the in-memory one; ``stats["completion"]`` says which happened)."""
    if not isinstance(coverage, Shards):
        extra, more = _greedy_to_target(coverage, needed, costs, cur)
        return extra, more, {}
    uncovered = np.flatnonzero(cur > 0).astype(np.int64)
    limit = max(1, int(max_residual) // max(1, len(coverage)))
    found = map_shards(_part_residual, coverage, (uncovered, limit, costs), engine=engine)
    ids = np.concatenate([a for a, _, _ in found] + [np.zeros(0, dtype=np.int64)])
    order = np.argsort(ids, kind="stable")  # increasing global id: greedy breaks ties as in memory
    ids, rows = ids[order], sp.vstack([r for _, r, _ in found], format="csr")[order]
    residual = Coverage(rows, weights=coverage.element_weights(), n_elements=int(coverage.universe))
    local, more = _greedy_to_target(residual, needed, None if costs is None else costs[ids], cur)
    sent = int(uncovered.nbytes) * len(found) + int(sum(a.nbytes + r.indices.nbytes + r.indptr.nbytes
                                                        for a, r, _ in found))
    whole = sum(1 for *_, w in found if w)
    return ids[local], more, {"residual_sets": int(ids.shape[0]), "bytes_residual": sent,
                              "completion": "exact" if whole == len(found) else
                              f"core-sets ({len(found) - whole} of {len(found)} parts sent local covers)"}
