"""Tasks that run where a shard lives: each opens only its own part of a
:class:`~submodkit.instances.shards.Shards` folder and returns a small summary.

These are module-level functions of plain arguments (the picklable ``Shards`` handle, a part
index, numbers and small arrays), so a Dask worker imports them by name and retries them
after a worker failure: they are pure (same arguments, same answer) and write nothing.

What crosses the network, per part: to the worker, the handle (the manifest) and, for the
bound, the ids of the elements the selection covers; back, the part's local selection with
the rows of its selected sets (its core-set) and ``k`` gains.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from submodkit.coresets.engines import local_greedy
from submodkit.errors import InvalidParameterError
from submodkit.instances.shards import Shards, compact_ids
from submodkit.objectives import kernels as K
from submodkit.objectives.coverage import Coverage


@dataclass(frozen=True)
class CoreSet:
    """One part's greedy core-set: global ids of the selected items (in greedy order), their
    gains, the local value, gain evaluations, the part's item count, and the selected sets'
    rows (CSR over the global elements) so the second round needs no other data."""

    part: int
    ids: np.ndarray
    gains: np.ndarray
    value: float
    evaluations: int
    n_items: int
    indptr: np.ndarray
    indices: np.ndarray

    def rows(self, universe: int) -> sp.csr_matrix:
        """The selected sets' rows as a 0/1 CSR matrix over the ``universe`` elements."""
        return sp.csr_matrix((np.ones(self.indices.shape[0]), self.indices, self.indptr),
                             shape=(self.ids.shape[0], universe))

    @property
    def nbytes(self) -> int:
        """Bytes of array data this summary carries."""
        return int(self.ids.nbytes + self.gains.nbytes + self.indptr.nbytes + self.indices.nbytes)


@dataclass(frozen=True)
class PartCoverage:
    """Part ``i`` as a coverage function: ``f``, the global ids of its items, the global ids
    of its columns (``elements``; None when the columns are the global elements) and the
    folder's universe size.

    A part is compacted to the elements its sets touch (columns ``0 .. m - 1``, weights the
    folder's at those elements) when the universe exceeds 4 times its incidences: then the
    universe-length state and weights (16 bytes an element) would outweigh the part itself,
    and compacting costs a sort of its incidences. Otherwise the plain part is cheaper (the
    universe-length arrays are at most 64 bytes per incidence, and a compaction there would
    need a universe-length position table anyway)."""

    ids: np.ndarray
    f: Coverage
    elements: np.ndarray | None
    universe: int

    def residual(self, covered: np.ndarray | None) -> np.ndarray:
        """The state (residual weights of the part's elements) after the global elements
        ``covered``."""
        cur = self.f.new_state()
        if self.elements is None:
            if covered is not None:
                cur[covered] = 0.0
            return cur
        if covered is not None and covered.shape[0] and self.elements.shape[0]:
            at = np.searchsorted(self.elements, covered)
            hit = at < self.elements.shape[0]
            hit[hit] = self.elements[at[hit]] == covered[hit]
            cur[at[hit]] = 0.0
        return cur

    def rows(self, local: np.ndarray) -> sp.csr_matrix:
        """The rows of the part's items ``local`` over the global elements (0/1 CSR)."""
        sub = self.f.sets[local]
        columns = sub.indices if self.elements is None else self.elements[sub.indices]
        return sp.csr_matrix((np.ones(sub.indices.shape[0]), columns, sub.indptr),
                             shape=(sub.shape[0], self.universe))


def check_cover_shards(shards: Shards, n_parts: object = None, seed: object = None, *,
                       random_for: str | None = None) -> None:
    """Check, before any task runs, that ``shards`` is a set-system folder (max-cover) whose
    partition matches ``n_parts`` and ``seed`` (each None or the folder's), and, when
    ``random_for`` names an algorithm whose guarantee assumes it, that the partition is random."""
    shards.check_partition(n_parts, seed)
    if random_for is not None and shards.rule != "random":
        raise InvalidParameterError("shards", shards.rule,
                                    f"a random partition (shard with --seed) for {random_for}")
    if shards.kind != "SetSystem":
        raise InvalidParameterError("shards", shards.kind, "a set-system shard folder (max-cover); shard "
                                    "graphs with problem='max-cover'")


def coverage_of_part(shards: Shards, i: int, *, cached: bool = False) -> PartCoverage:
    """Part ``i`` as a :class:`PartCoverage` (compacted to the elements its sets touch).

    With ``cached`` (algorithms of many rounds over the same parts: adaptive sampling), the
    worker process keeps recently used parts, least recently used first out, within a
    quarter of its Dask memory limit (256 MB without one); one-pass algorithms load and drop
    each part, so their memory stays one part at a time.
    """
    if shards.kind != "SetSystem":
        raise InvalidParameterError("shards", shards.kind, "a set-system shard folder (max-cover)")
    if not cached:
        return _load_part(shards, i)
    entry = shards.manifest["parts"][int(i)]["files"]["indices.npy"]
    key = (str(shards.directory), int(i), entry["sha256"])
    with _CACHE_LOCK:
        hit = _PART_CACHE.get(key)
        if hit is not None:
            _PART_CACHE.move_to_end(key)
            return hit[0]
    part = _load_part(shards, i)
    f = part.f
    size = int(part.ids.nbytes + f.indices.nbytes + f.indptr.nbytes + 16 * f.state_size)
    with _CACHE_LOCK:
        _PART_CACHE[key] = (part, size)
        budget = _cache_budget()
        while len(_PART_CACHE) > 1 and sum(v[1] for v in _PART_CACHE.values()) > budget:
            _PART_CACHE.popitem(last=False)
    return part


def _load_part(shards: Shards, i: int) -> PartCoverage:
    nnz = int(shards.manifest["parts"][int(i)]["files"]["indices.npy"]["shape"][0])
    shard = shards.part(i, compact=int(shards.universe) > 4 * nnz)
    f = Coverage.from_set_system(shard.problem)
    return PartCoverage(shard.ids, f, shard.elements, int(shards.universe))


_PART_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _cache_budget() -> int:
    """Bytes of parts a worker process may keep: a quarter of its Dask memory limit, else 256 MB."""
    try:
        from distributed import get_worker

        limit = get_worker().memory_manager.memory_limit
    except (ImportError, ValueError, AttributeError):
        limit = None
    return int(limit) // 4 if limit else 256 * 2**20


def greedy_core_set(shards: Shards, i: int, k: int, covered: np.ndarray | None = None,
                    chosen: np.ndarray | None = None) -> CoreSet:
    """Lazy greedy for ``k`` items on part ``i`` alone (the first round of GreeDi), or, given
    the ``covered`` elements of a selection held elsewhere and its items ``chosen`` (global
    ids), continuing from it over the part's other items (a round of bicriteria greedy)."""
    part = coverage_of_part(shards, i)
    f = part.f
    candidates = np.arange(f.n, dtype=np.int64)
    if chosen is not None and chosen.shape[0]:
        candidates = candidates[~np.isin(part.ids, chosen)]
    sel, gains, value, evals = local_greedy(f, candidates, k,
                                            start=None if covered is None else part.residual(covered))
    rows = part.rows(sel)
    return CoreSet(
        part=int(i),
        ids=part.ids[sel].astype(np.int64),
        gains=gains,
        value=float(value),
        evaluations=int(evals),
        n_items=int(f.n),
        indptr=rows.indptr.astype(np.int64),
        indices=rows.indices.astype(np.int64),
    )


def union_coverage(core_sets: list[CoreSet], shards: Shards) -> PartCoverage:
    """The union of the core-sets, items in increasing global id, as a coverage function over
    the elements its rows touch (weights read at those elements only): the only data the
    second round sees, and memory that follows it, not the universe."""
    universe = int(shards.universe)
    ids = np.concatenate([c.ids for c in core_sets] + [np.zeros(0, dtype=np.int64)])
    rows = [c.rows(universe) for c in core_sets]
    stacked = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, universe))
    order = np.argsort(ids, kind="stable")
    ids, keep = np.unique(ids[order], return_index=True)
    stacked = stacked[order[keep]]
    elements, local = compact_ids(stacked.indices.astype(np.int64), universe)
    sets = sp.csr_matrix((np.ones(local.shape[0]), local, stacked.indptr),
                         shape=(ids.shape[0], elements.shape[0]))
    f = Coverage(sets, weights=shards.element_weights_at(elements), n_elements=elements.shape[0])
    return PartCoverage(ids, f, elements, universe)


def top_gains(
    shards: Shards, i: int, covered: np.ndarray, selected: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest gains on part ``i`` with respect to a selection that covers the
    elements ``covered`` (selected items, global ids ``selected``, count 0), and the ``k``
    largest singleton values: one pass over the part each, for the bound
    ``OPT_k <= min(f(S) + top-k gains at S, top-k singleton values)``."""
    part = coverage_of_part(shards, i)
    f = part.f
    items = np.arange(f.n, dtype=np.int64)
    empty = f.new_state()  # coverage state: residual element weights
    cur = part.residual(covered)
    g = np.empty(f.n, dtype=np.float64)
    K.fill_gains(f.kernel_args(), cur, items, g, f.nnz)
    g[np.isin(part.ids, selected, assume_unique=True)] = 0.0
    g0 = np.empty(f.n, dtype=np.float64)
    K.fill_gains(f.kernel_args(), empty, items, g0, f.nnz)
    return top_k(g, k), top_k(g0, k)


def top_k(g: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` largest of ``max(g, 0)``, in decreasing order."""
    g = np.maximum(g, 0.0)
    kk = min(int(k), g.shape[0])
    return np.sort(np.partition(g, g.shape[0] - kk)[g.shape[0] - kk :])[::-1].copy() if kk else np.zeros(0)


def survivors(shards: Shards, i: int, covered: np.ndarray, tau: float, wanted: np.ndarray) -> np.ndarray:
    """The items among ``wanted`` (increasing global ids, all of part ``i``) whose gain with
    respect to a selection covering the elements ``covered`` is at least ``tau`` (one
    threshold filter of adaptive sampling, evaluated where the part lives)."""
    part = coverage_of_part(shards, i, cached=True)
    local = np.searchsorted(part.ids, wanted).astype(np.int64)
    g = np.empty(local.shape[0], dtype=np.float64)
    K.gains_of(*part.f.kernel_args(), part.residual(covered), local, g)
    return wanted[g >= tau]


def max_gain(shards: Shards, i: int, covered: np.ndarray) -> float:
    """The largest gain on part ``i`` with respect to a selection covering ``covered``."""
    part = coverage_of_part(shards, i, cached=True)
    f = part.f
    g = np.empty(f.n, dtype=np.float64)
    K.fill_gains(f.kernel_args(), part.residual(covered), np.arange(f.n, dtype=np.int64), g, f.nnz)
    return float(g.max(initial=0.0))


def part_rows(shards: Shards, i: int, wanted: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
    """The rows (CSR over the global elements) of the items ``wanted`` (increasing global ids,
    all of part ``i``): ``(wanted, rows)``."""
    part = coverage_of_part(shards, i, cached=True)
    ids = part.ids
    local = np.searchsorted(ids, wanted)
    if np.any(local >= ids.shape[0]) or not np.array_equal(ids[np.minimum(local, ids.shape[0] - 1)], wanted):
        raise InvalidParameterError("wanted", "...", f"ids of part {i}")
    return wanted, part.rows(local)
