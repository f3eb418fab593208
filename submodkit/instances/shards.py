"""Sharded instances on storage: a problem split into parts that workers open one by one.

:func:`shard_file` streams an instance file into ``n_parts`` shards plus a manifest in
bounded memory (the file is never held whole: see :mod:`~submodkit.instances._chunks`);
:func:`write_shards` does the same from a problem in memory; :func:`open_shards` returns a
lazy, picklable :class:`Shards` handle from which a worker loads only its own part.

Items and partition
    The items are the sets of a set system, the edges of a graph (sharded by edge, for
    matching core-sets), the rows of a point set, or, with ``problem="max-cover"`` on a
    graph, the vertices with their closed neighbourhoods (``Graph.to_set_system()``). Item
    ``i`` keeps its global id ``i``, its position in the file. With ``rule="random"`` it
    goes to part ``owner[i]`` where ``owner = partition_owners(n_items, n_parts=n_parts, seed=seed)``,
    that is ``numpy.random.default_rng(seed).integers(0, n_parts, size=n_items)``, the
    draw of :func:`submodkit.coresets.distributed.randgreedi` (and of the EDCS and diversity
    core-sets): a run in memory with the same ``(n_items, n_parts, seed)`` sees exactly
    the same parts. Owners are drawn block by block from one generator, which gives the
    same sequence as one draw (NumPy's bounded integers consume the bit stream item by item;
    tested). ``seed=None`` draws a seed from fresh entropy and records it in the manifest.
    ``rule="contiguous"``: part ``p`` holds items ``bounds[p] .. bounds[p+1] - 1`` with
    ``bounds = numpy.linspace(0, n_items, n_parts + 1).astype(int64)`` (the blocks of
    ``greedi`` without a seed).

On-disk layout (why: a worker maps exactly the bytes of its part, with no parsing, no
decompression and no pickles; plain ``.npy`` files can be memory-mapped, checked with
``sha256sum`` and read by any NumPy; one folder per part keeps a part's files together for
copying to the machine that processes it)::

    DIR/manifest.json            format, kind, counts, partition rule and seed, checksums
    DIR/element_weights.npy      set systems whose element weights are not constant and
                                 more than 1024 (else inline in the manifest)
    DIR/part-00000/ids.npy       int64 global ids of the part's items, increasing
    DIR/part-00000/indptr.npy    set systems: int64 CSR row pointer (len = items + 1)
    DIR/part-00000/indices.npy   set systems: global element ids (int32 below 2^31)
    DIR/part-00000/costs.npy     set systems: float64 cost per set
    DIR/part-00000/labels.npy    set systems with labels (vertex ids of compacted graphs)
    DIR/part-00000/data.npy      set systems whose incidence values are not all ones
    DIR/part-00000/edges.npy     graphs: (m, 2) int64 global vertex ids
    DIR/part-00000/weights.npy   graphs: float64 edge weights
    DIR/part-00000/features.npy  points: (rows, dim) float64 (float32 kept)

Every ``.npy`` has a 128-byte header (format 1.0). The output appears at ``DIR`` in one
rename of a temporary sibling folder once complete: an interrupted run leaves nothing.

Memory of :func:`shard_file`: a few times ``chunk_bytes`` for parsing and write buffers,
plus per-set or per-vertex arrays where the format needs them (owners of the columns of an
element-major ``scp`` file; a flag per element id to count the elements of a FIMI or rail
file; owners and degrees of vertices for ``problem="max-cover"``), never anything per
incidence, edge or point. Element-major input (``scp``) and closed neighbourhoods are
transposed through per-part spill files on disk (see :mod:`~submodkit.instances._shard_store`).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_seed
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._chunks import DEFAULT_CHUNK_BYTES, SeenIds, is_gzip, most_text_ids
from submodkit.instances._shard_sources import (
    CostBlock,
    ProblemSource,
    Source,
    detect_format,
    source_for,
)
from submodkit.instances._shard_store import (
    HEADER_BYTES,
    PART_DIR,
    BucketSets,
    RowParts,
    SetParts,
    Staging,
    Store,
    StoredFile,
    as_location,
    file_entry,
    file_size,
    open_binary,
    raw_blocks,
    read_npy_header,
    route,
    sha256_of,
)
from submodkit.instances.problems import SPARE_IDS, Graph, PointSet, SetSystem, from_file

FORMAT = "submodkit-shards"
FORMAT_VERSION = 1
RULES = ("random", "contiguous")
PROBLEMS = (None, "max-cover")
MAX_PARTS = 1 << 16
KINDS = ("SetSystem", "Graph", "PointSet")
MANIFEST = "manifest.json"
_INLINE_WEIGHTS = 1024
_OWNERS_RULE = {
    "random": "numpy.random.default_rng(seed).integers(0, n_parts, size=n_items)",
    "contiguous": "bounds = numpy.linspace(0, n_items, n_parts + 1).astype(int64); items bounds[p] .. "
                  "bounds[p + 1] - 1 in part p",
}

Problem = SetSystem | Graph | PointSet


# --- partition ------------------------------------------------------------------------


def _check_partition(n_parts: object, rule: object, seed: object) -> tuple[int, str, int | None]:
    n_parts = check_int("n_parts", n_parts, minimum=1)
    if n_parts > MAX_PARTS:
        raise InvalidParameterError("n_parts", n_parts, f"an integer in [1, {MAX_PARTS}]")
    rule = check_choice("rule", rule, RULES)
    return n_parts, rule, check_seed(seed)


def partition_owners(n_items: int, *, n_parts: int, seed: int | None = None,
                     rule: str = "random") -> np.ndarray:
    """The part of each item (int64 array of length ``n_items``).

    Parameters
    ----------
    n_items : int
        Number of items.
    n_parts : int, keyword-only
        Number of parts (1 to 65536).
    seed : int, optional, keyword-only
        Seed of the random rule (None: fresh entropy).
    rule : {"random", "contiguous"}, default "random"
        ``"random"``: ``numpy.random.default_rng(seed).integers(0, n_parts,
        size=n_items)``, the draw of ``randgreedi`` with the same seed; ``"contiguous"``:
        blocks split at ``linspace(0, n_items, n_parts + 1)``.

    Returns
    -------
    ndarray of int64, shape (n_items,)
        ``owner`` with ``owner[i]`` the part of item ``i``.

    Raises
    ------
    InvalidParameterError
        For ``n_parts`` out of range or an unknown rule.

    Examples
    --------
    >>> partition_owners(6, n_parts=3, rule="contiguous").tolist()
    [0, 0, 1, 1, 2, 2]
    >>> bool((partition_owners(1000, n_parts=4, seed=7)
    ...       == np.random.default_rng(7).integers(0, 4, size=1000)).all())
    True

    References
    ----------
    .. [1] Barbosa, Ene, Nguyen, Ward, "The power of randomization: distributed submodular
       maximization on massive datasets", ICML 2015 (the random partition).
    .. [2] Mirrokni, Zadimoghaddam, "Randomized composable core-sets for distributed
       submodular maximization", STOC 2015.
    """
    n_items = check_int("n_items", n_items)
    n_parts, rule, seed = _check_partition(n_parts, rule, seed)
    return _Owners(n_parts, rule, seed, n_items).take(n_items)


class _Owners:
    """Owners drawn block by block, the same sequence as one :func:`partition_owners` call."""

    def __init__(self, n_parts: int, rule: str, seed: int | None, n_items: int | None):
        self.n_parts, self.rule, self.done = n_parts, rule, 0
        self.rng = np.random.default_rng(seed) if rule == "random" else None
        if rule == "contiguous":
            if n_items is None:  # pragma: no cover - callers count first
                raise ValueError("the contiguous rule needs the number of items")
            self.bounds = np.linspace(0, n_items, n_parts + 1).astype(np.int64)

    def take(self, count: int) -> np.ndarray:
        if self.rng is not None:
            out = self.rng.integers(0, self.n_parts, size=count)
        else:
            pos = self.done + np.arange(count, dtype=np.int64)
            out = np.searchsorted(self.bounds, pos, side="right").astype(np.int64) - 1
        self.done += count
        return out


def _local_index(owners: np.ndarray, n_parts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(local, order, bounds)``: the rank of each item in its part, and the items of part
    ``p`` (increasing) as ``order[bounds[p]:bounds[p + 1]]``."""
    order = np.argsort(owners, kind="stable")
    bounds = np.searchsorted(owners[order], np.arange(n_parts + 1))
    local = np.empty(owners.size, dtype=np.int64)
    local[order] = np.arange(owners.size, dtype=np.int64) - np.repeat(bounds[:-1], np.diff(bounds))
    return local, order, bounds


# --- writing --------------------------------------------------------------------------


def shard_file(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    n_parts: int,
    seed: int | None = None,
    rule: str = "random",
    problem: str | None = None,
    format: str = "auto",
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    overwrite: bool = False,
) -> Shards:
    """Split an instance file into ``n_parts`` shards in ``out_dir``, reading it in bounded memory.

    The items keep their global ids (positions in the file); the layout and the memory
    bound are described in the module docstring. The output appears at ``out_dir`` in one
    rename once complete: an interrupted run leaves nothing.

    Parameters
    ----------
    path : str or path-like
        An instance file of any format :func:`~submodkit.instances.read_instance` reads
        (``scp``, ``rail``, ``fimi``, ``edgelist``, ``dimacs``, ``points`` text or ``.npy``,
        ``native``), plain or ``.gz`` (streamed, never decompressed whole).
    out_dir : str or path-like
        The folder to create (it must not exist, unless ``overwrite``).
    n_parts : int, keyword-only
        Number of parts, 1 to 65536.
    seed : int, optional, keyword-only
        Seed of the random partition (None: fresh entropy, recorded in the manifest).
    rule : {"random", "contiguous"}, default "random"
        ``"random"`` (each item to a uniformly random part, see :func:`partition_owners`)
        or ``"contiguous"`` (blocks of consecutive items).
    problem : {None, "max-cover"}, default None
        None (sets, edges or points, as the file holds them) or ``"max-cover"``: a graph
        becomes the set system of its vertices' closed neighbourhoods, sharded by vertex
        (as ``Graph.to_set_system()``; when more than 65,536 vertices are in no edge, as
        ``to_set_system(k=65536)``: the vertices in an edge plus the 65,536 smallest
        isolated ones, ``labels`` giving vertex ids).
    format : str, default "auto"
        ``"auto"`` (detected as by ``read_instance``) or a format name.
    chunk_bytes : int, default DEFAULT_CHUNK_BYTES
        Bytes of text parsed at a time (memory is a few times this).
    overwrite : bool, default False
        Replace an existing ``out_dir``.

    Returns
    -------
    Shards
        The handle of ``out_dir``.

    Raises
    ------
    FileNotFoundError
        For a missing file.
    InstanceFormatError
        For a file that does not follow its format.
    InvalidParameterError
        For an invalid partition, problem or format, or an existing ``out_dir`` without
        ``overwrite``.

    Examples
    --------
    >>> import tempfile, os
    >>> from submodkit.instances import bundled, read_instance
    >>> tmp = tempfile.TemporaryDirectory()
    >>> shards = shard_file(bundled("scp41"), os.path.join(tmp.name, "scp41"), n_parts=4, seed=0)
    >>> len(shards), shards.n_items, shards.universe, shards.part(0).problem.n_sets
    (4, 1000, 200, 228)
    >>> (shards.load_all().sets != read_instance(bundled("scp41")).sets).nnz
    0
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Barbosa, Ene, Nguyen, Ward, "The power of randomization: distributed submodular
       maximization on massive datasets", ICML 2015 (the random partition).
    .. [2] Mirrokni, Zadimoghaddam, "Randomized composable core-sets for distributed
       submodular maximization", STOC 2015.
    """
    n_parts, rule, seed = _check_partition(n_parts, rule, seed)
    problem = check_choice("problem", problem, PROBLEMS)
    chunk_bytes = check_int("chunk_bytes", chunk_bytes, minimum=1)
    from submodkit.instances.readers import FORMATS

    fmt = check_choice("format", format, ("auto", *FORMATS))
    size = os.stat(path).st_size  # FileNotFoundError for a missing file
    if fmt == "auto":
        fmt = detect_format(path)
    source = source_for(path, fmt, chunk_bytes)
    origin = {"file": Path(path).name, "format": fmt, "bytes": size, "gzip": is_gzip(path)}
    return _write(source, out_dir, n_parts, rule, seed, problem, chunk_bytes, overwrite, origin)


def write_shards(
    problem: Problem,
    out_dir: str | os.PathLike,
    *,
    n_parts: int,
    seed: int | None = None,
    rule: str = "random",
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    overwrite: bool = False,
) -> Shards:
    """Write a problem held in memory as ``n_parts`` shards in ``out_dir``.

    Parameters
    ----------
    problem : SetSystem, Graph or PointSet
        A SetSystem (sharded by set), Graph (by edge; call ``to_set_system()`` first to
        shard closed neighbourhoods by vertex) or PointSet (by row).
    out_dir, n_parts, seed, rule, chunk_bytes, overwrite
        As in :func:`shard_file` (all but ``out_dir`` keyword-only).

    Returns
    -------
    Shards
        The handle of ``out_dir``.

    Raises
    ------
    InvalidParameterError
        For an invalid partition or problem, or an existing ``out_dir`` without
        ``overwrite``.

    Examples
    --------
    >>> import tempfile, os
    >>> from submodkit.instances import PointSet
    >>> tmp = tempfile.TemporaryDirectory()
    >>> pts = PointSet(np.arange(12.0).reshape(6, 2))
    >>> s = write_shards(pts, os.path.join(tmp.name, "pts"), n_parts=2, rule="contiguous")
    >>> s.part(1).ids.tolist(), s.part(1).problem.features[0].tolist()
    ([3, 4, 5], [6.0, 7.0])
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Barbosa, Ene, Nguyen, Ward, "The power of randomization: distributed submodular
       maximization on massive datasets", ICML 2015 (the random partition).
    .. [2] Mirrokni, Zadimoghaddam, "Randomized composable core-sets for distributed
       submodular maximization", STOC 2015.
    """
    if not isinstance(problem, (SetSystem, Graph, PointSet)):
        raise InvalidParameterError("problem", type(problem).__name__,
                                    "a SetSystem, Graph or PointSet (PointSet(X) for an array of points)")
    n_parts, rule, seed = _check_partition(n_parts, rule, seed)
    chunk_bytes = check_int("chunk_bytes", chunk_bytes, minimum=1)
    source = ProblemSource("<memory>", chunk_bytes, problem=problem)
    origin = {"memory": type(problem).__name__}
    return _write(source, out_dir, n_parts, rule, seed, None, chunk_bytes, overwrite, origin)


def _write(source: Source, out_dir, n_parts: int, rule: str, seed, problem, chunk_bytes: int,
           overwrite: bool, origin: dict) -> Shards:
    if problem == "max-cover" and source.kind == "PointSet":
        raise InvalidParameterError("problem", problem, "None for points (max-cover takes a set system "
                                    "or a graph)")
    if rule == "random" and seed is None:
        seed = int(np.random.SeedSequence().entropy)
    staging = Staging(out_dir, overwrite)
    try:
        store = Store(flush_bytes=max(2 * chunk_bytes, 1 << 20))
        build = _BUILDERS["max-cover" if problem == "max-cover" and source.kind == "Graph" else source.layout]
        totals, kind = build(source, staging.tmp, store, n_parts, rule, seed, chunk_bytes, origin)
        manifest = _manifest(source, staging.tmp, kind, n_parts, rule, seed, problem, totals, origin)
        (staging.tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, allow_nan=False) + "\n")
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    return open_shards(out_dir)


def _owners_for(source: Source, n_parts: int, rule: str, seed) -> _Owners:
    n_items = source.count_items() if rule == "contiguous" else source.n_items
    return _Owners(n_parts, rule, seed, n_items)


def _build_sets(source, root, store, n_parts, rule, seed, chunk_bytes, origin):
    owners = _owners_for(source, n_parts, rule, seed)
    parts = SetParts(store, root, n_parts, source.universe if source.fmt in ("native", "memory") else None,
                     labels=source.has_labels, data=source.has_data)
    first = 0
    for block in source.blocks():
        parts.add(first, owners.take(block.n), block.sizes, block.indices, block.costs, block.labels,
                  block.data)
        first += block.n
        store.maybe_flush()
    parts.close()
    return {"sets": first, "elements": int(source.universe), "incidences": int(parts.offsets.sum())}, \
        "SetSystem"


def _expected_incidences(origin: dict) -> int:
    """A generous estimate of a text file's incidences (tokens are >= 2 bytes each)."""
    size = int(origin.get("bytes", 0))
    return size * 3 if origin.get("gzip") else size // 2


def _build_incidences(source, root, store, n_parts, rule, seed, chunk_bytes, origin):
    owners = _owners_for(source, n_parts, rule, seed)
    head = RowParts(store, root, n_parts, {"costs": (np.float64, None)})
    owner_blocks: list[np.ndarray] = []
    buckets: list[BucketSets] | None = None
    first, nnz = 0, 0
    budget = max(4096, chunk_bytes // 8)

    def open_buckets():
        owner = np.concatenate(owner_blocks) if owner_blocks else np.zeros(0, dtype=np.int64)
        local, _, bounds = _local_index(owner, n_parts)
        expected = _expected_incidences(origin) // n_parts + 1
        spill = root / ".spill"
        spill.mkdir()
        return owner, local, [BucketSets(store, root / PART_DIR.format(p), spill,
                                         int(bounds[p + 1] - bounds[p]), source.universe, expected, budget)
                              for p in range(n_parts)]

    for block in source.blocks():
        if isinstance(block, CostBlock):
            o = owners.take(block.n)
            head.add(first, o, costs=block.costs)
            owner_blocks.append(o)
            first += block.n
            store.maybe_flush()
            continue
        if buckets is None:
            owner, local, buckets = open_buckets()
        p_of = owner[block.sets]
        order, bounds = route(p_of, n_parts)
        sets, elements = local[block.sets], block.elements
        if order is not None:
            sets, elements = sets[order], elements[order]
        for p in np.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            buckets[p].add(sets[bounds[p] : bounds[p + 1]], elements[bounds[p] : bounds[p + 1]])
        nnz += block.sets.size
        store.maybe_flush()
    if buckets is None:
        owner, local, buckets = open_buckets()
    head.close()
    for b in buckets:
        b.close()
    nnz = sum(b.nnz for b in buckets)
    _remove_spill(root)
    return {"sets": first, "elements": int(source.universe), "incidences": int(nnz)}, "SetSystem"


def _remove_spill(root: Path) -> None:
    spill = root / ".spill"
    if spill.exists():
        for f in spill.iterdir():
            f.unlink()
        spill.rmdir()


def _build_edges(source, root, store, n_parts, rule, seed, chunk_bytes, origin):
    owners = _owners_for(source, n_parts, rule, seed)
    parts = RowParts(store, root, n_parts, {"edges": (np.int64, 2), "weights": (np.float64, None)})
    first = 0
    for block in source.blocks():
        parts.add(first, owners.take(block.n), edges=block.edges, weights=block.weights)
        first += block.n
        store.maybe_flush()
    parts.close()
    return {"edges": first, "nodes": int(source.n_nodes)}, "Graph"


def _build_points(source, root, store, n_parts, rule, seed, chunk_bytes, origin):
    owners = _owners_for(source, n_parts, rule, seed)
    parts, first = None, 0
    for block in source.blocks():
        if parts is None:
            width = block.features.shape[1]
            parts = RowParts(store, root, n_parts, {"features": (np.dtype(source.dtype), width)})
        parts.add(first, owners.take(block.n), features=block.features)
        first += block.n
        store.maybe_flush()
    if parts is None:  # no rows (only an in-memory problem can have none)
        parts = RowParts(store, root, n_parts, {"features": (np.dtype(source.dtype), int(source.dim or 0))})
    parts.close()
    return {"points": first, "dim": int(source.dim), "dtype": np.dtype(source.dtype).name}, "PointSet"


def _build_max_cover(source, root, store, n_parts, rule, seed, chunk_bytes, origin):
    """Closed neighbourhoods of a graph, by vertex: the edges are read once into a binary
    spill file (and the vertices that occur counted), then routed to their vertices' parts."""
    spill = root / ".spill"
    spill.mkdir()
    edges_file = store.file(spill / "edges.bin", np.int64, 2)
    seen = SeenIds()
    n_edges = 0
    for block in source.blocks():
        edges_file.append(block.edges)
        seen.add(block.edges.ravel())
        n_edges += block.n
        store.maybe_flush()
    edges_file.close()
    store.drop(edges_file)
    n_nodes = int(source.n_nodes)
    touched = seen.sorted_ids()
    labels = None
    if n_nodes - touched.size > SPARE_IDS:
        labels = np.union1d(touched, _smallest_missing(touched, SPARE_IDS))
    n_items = n_nodes if labels is None else int(labels.size)
    del touched, seen
    owner = partition_owners(n_items, n_parts=n_parts, seed=seed, rule=rule)
    local, order, bounds = _local_index(owner, n_parts)
    head = RowParts(store, root, n_parts, {"costs": (np.float64, None)}
                    | ({} if labels is None else {"labels": (np.int64, None)}))
    step = max(1, chunk_bytes // 16)
    for a in range(0, n_items, step):
        extra = {} if labels is None else {"labels": labels[a : a + step]}
        b = min(n_items, a + step)
        head.add(a, owner[a:b], costs=np.ones(b - a), **extra)
        store.maybe_flush()
    head.close()
    budget = max(4096, chunk_bytes // 8)
    buckets = [BucketSets(store, root / PART_DIR.format(p), spill, int(bounds[p + 1] - bounds[p]), n_items,
                          (2 * n_edges + n_items) // n_parts + 1, budget,
                          self_elements=order[bounds[p] : bounds[p + 1]])
               for p in range(n_parts)]
    for block in raw_blocks(spill / "edges.bin", np.int64, 2 * step, HEADER_BYTES):
        u, v = block[0::2], block[1::2]
        if labels is not None:
            u, v = np.searchsorted(labels, u), np.searchsorted(labels, v)
        keep = u != v
        u, v = u[keep], v[keep]
        sets, elements = np.concatenate([u, v]), np.concatenate([v, u])
        order_b, bnd = route(owner[sets], n_parts)
        if order_b is not None:
            sets, elements = sets[order_b], elements[order_b]
        sets = local[sets]
        for p in np.flatnonzero(bnd[1:] > bnd[:-1]).tolist():
            buckets[p].add(sets[bnd[p] : bnd[p + 1]], elements[bnd[p] : bnd[p + 1]])
        store.maybe_flush()
    for b in buckets:
        b.close()
    _remove_spill(root)
    source.meta = {}  # as Graph.to_set_system
    totals = {"sets": n_items, "elements": n_items, "incidences": int(sum(b.nnz for b in buckets)),
              "graph_nodes": n_nodes, "graph_edges": n_edges}
    source.universe, source.element_weights, source.has_labels = n_items, None, labels is not None
    return totals, "SetSystem"


def _smallest_missing(ids: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` smallest non-negative integers not in the sorted distinct ``ids``.

    >>> _smallest_missing(np.array([0, 1, 3, 7]), 4).tolist()
    [2, 4, 5, 6]
    """
    bounds = np.concatenate([[-1], ids])
    gaps = np.append(bounds[1:] - bounds[:-1] - 1, count)  # free ids before each id, then after the last
    before = np.cumsum(gaps) - gaps
    take = np.clip(count - before, 0, gaps)
    return (np.repeat(bounds + 1 - before, take) + np.arange(int(take.sum()))).astype(np.int64)


_BUILDERS = {"sets": _build_sets, "incidences": _build_incidences, "edges": _build_edges,
             "points": _build_points, "max-cover": _build_max_cover}


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON-serializable")


def _manifest(source: Source, root: Path, kind: str, n_parts: int, rule: str, seed, problem, totals: dict,
              origin: dict) -> dict:
    parts = []
    for p in range(n_parts):
        d = root / PART_DIR.format(p)
        files = {f.name: file_entry(f) for f in sorted(d.iterdir())}
        count_file = {"SetSystem": "indices.npy", "Graph": "weights.npy", "PointSet": "features.npy"}[kind]
        parts.append({"dir": d.name, "n_items": files["ids.npy"]["shape"][0],
                      "count": files[count_file]["shape"][0], "files": files})
    try:
        meta = json.loads(json.dumps(source.meta, default=_json_default, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError("meta", source.meta, f"a JSON-serializable dict ({exc})") from None
    n_items = {"SetSystem": "sets", "Graph": "edges", "PointSet": "points"}[kind]
    doc: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind, "problem": problem,
        "name": source.name, "meta": meta, "source": origin, "n_parts": n_parts, "rule": rule,
        "seed": seed, "owners": _OWNERS_RULE[rule], "n_items": int(totals[n_items]), "totals": totals,
    }
    if kind == "SetSystem":
        doc["has_labels"] = bool(source.has_labels)
        doc["element_weights"] = _weights_entry(root, source.element_weights, int(totals["elements"]),
                                                int(totals["incidences"]))
    doc["parts"] = parts
    return doc


def _weights_entry(root: Path, weights: np.ndarray | None, universe: int, incidences: int) -> dict:
    """The manifest's element weights (``weights`` None: all ones). A constant stands for the
    universe only when at most SPARE_IDS elements are in no set (what `open_shards` accepts):
    beyond that the weights are written out, so that a reader's universe-length arrays follow
    bytes present on disk, not a number in the manifest."""
    few_unused = universe <= incidences + SPARE_IDS
    if weights is None:
        if few_unused:
            return {"constant": 1.0}
        weights = np.ones(universe)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.size and few_unused and bool(np.all(weights == weights[0])):
        return {"constant": float(weights[0])}
    if weights.size <= _INLINE_WEIGHTS:
        return {"values": weights.tolist()}
    np.save(root / "element_weights.npy", weights, allow_pickle=False)
    return {"file": "element_weights.npy", **file_entry(root / "element_weights.npy")}


# --- reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class Shard:
    """One part: the global ids of its items (increasing) and the problem they form.

    ``problem`` is a SetSystem (rows: the part's sets, columns: all the global elements),
    a Graph (the part's edges over all the global vertices) or a PointSet (the part's rows);
    its item ``j`` is the global item ``ids[j]``. Returned by :meth:`Shards.part`.

    Parameters
    ----------
    index : int
        The part's index.
    ids : ndarray of int64
        The global ids of its items, increasing.
    problem : SetSystem, Graph or PointSet
        The problem its items form.
    elements : ndarray of int64 or None
        For a compacted set-system part (``Shards.part(i, compact=True)``): the global id of
        each of its columns, increasing (column ``j`` of ``problem.sets`` is global element
        ``elements[j]``, its weight the folder's weight of that element); None: the columns
        are the global elements.

    Examples
    --------
    >>> import tempfile, os
    >>> from submodkit.instances import PointSet
    >>> tmp = tempfile.TemporaryDirectory()
    >>> shards = write_shards(PointSet(np.eye(3)), os.path.join(tmp.name, "p"), n_parts=2, rule="contiguous")
    >>> part = shards.part(0)
    >>> part.index, part.ids.tolist(), part.problem.features.tolist()
    (0, [0], [[1.0, 0.0, 0.0]])
    >>> tmp.cleanup()
    """

    index: int
    ids: np.ndarray
    problem: Problem
    elements: np.ndarray | None = None


def open_shards(directory: str | os.PathLike | Shards, *, verify: bool = True) -> Shards:
    """Open a folder written by :func:`shard_file` or :func:`write_shards`.

    Only ``manifest.json`` is read; a part is read (and its files checked against their
    sha256, unless ``verify=False``) when :meth:`Shards.part` asks for it.

    Parameters
    ----------
    directory : str, path-like or Shards
        The shard folder (or a :class:`Shards`, returned as is): a local path, or an fsspec
        URL (``s3://bucket/shards``, ``gcs://...``, ``file:///...``; the protocol's fsspec
        package installed) that the workers read their parts from.
    verify : bool, default True
        Check each file's sha256 the first time its part is loaded.

    Returns
    -------
    Shards
        The lazy handle.

    Raises
    ------
    InstanceFormatError
        For a missing or malformed ``manifest.json``.

    Examples
    --------
    >>> import tempfile, os
    >>> from submodkit.instances import Graph
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = os.path.join(tmp.name, "g")
    >>> _ = write_shards(Graph(np.array([[0, 1], [1, 2], [2, 3]]), np.ones(3), 4), d, n_parts=2, seed=1)
    >>> s = open_shards(d)
    >>> s.kind, s.n_items, s.n_nodes, [len(s.ids(i)) for i in range(len(s))]
    ('Graph', 3, 4, [1, 2])
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Mirrokni, Zadimoghaddam, "Randomized composable core-sets for distributed
       submodular maximization", STOC 2015 (why the partition is random).
    """
    if isinstance(directory, Shards):
        return directory
    directory = as_location(directory)
    path = directory / MANIFEST
    try:
        with open_binary(path) as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InstanceFormatError(path, None, "a shard folder's manifest.json (written by shard_file)",
                                  "no such file") from None
    try:
        doc = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, too deep, an integer of 4,300+ digits
        raise InstanceFormatError(path, getattr(exc, "lineno", None), "valid JSON", str(exc)[:80]) from None
    _check_manifest(path, doc)
    return Shards(directory, doc, verify=verify)


def _check_manifest(path: Path, doc: Any) -> None:
    def need(ok: bool, expected: str, found: object = None) -> None:
        if not ok:
            raise InstanceFormatError(path, None, expected, None if found is None else repr(found)[:80])

    need(isinstance(doc, dict) and doc.get("format") == FORMAT, f'a JSON object with "format": {FORMAT!r}')
    version = doc.get("format_version")
    need(isinstance(version, int) and not isinstance(version, bool) and 1 <= version <= FORMAT_VERSION,
         f"format_version <= {FORMAT_VERSION} (upgrade submodkit?)", version)
    need(doc.get("kind") in KINDS, "kind one of " + ", ".join(KINDS), doc.get("kind"))
    parts = doc.get("parts")
    n_parts = doc.get("n_parts")
    need(isinstance(n_parts, int) and isinstance(parts, list) and len(parts) == n_parts >= 1,
         "n_parts >= 1 and one 'parts' entry per part", n_parts)
    need(isinstance(doc.get("n_items"), int) and doc["n_items"] >= 0, "n_items: a count", doc.get("n_items"))
    totals = doc.get("totals")
    need(isinstance(totals, dict) and all(_is_count(v) or (key == "dtype" and isinstance(v, str))
                                          for key, v in totals.items()),
         "a 'totals' object of counts (integers >= 0; a points' dtype)", totals)
    need(isinstance(doc.get("meta"), dict) and isinstance(doc.get("name"), str), "'name' a string and 'meta' "
         "an object")
    need(doc.get("rule", RULES[0]) in RULES, "rule one of " + ", ".join(RULES), doc.get("rule"))
    seed = doc.get("seed")
    need(seed is None or _is_count(seed), "seed null or an integer >= 0 (the partition's)", seed)
    total = 0
    for p, part in enumerate(parts):
        ok = (isinstance(part, dict) and isinstance(part.get("dir"), str)
              and isinstance(part.get("files"), dict)
              and isinstance(part.get("n_items"), int) and "ids.npy" in part["files"]
              and _is_plain_name(part["dir"]))
        need(ok, f"parts[{p}]: a dir name, n_items and files (ids.npy, ...)", part)
        for name, entry in part["files"].items():
            need(Path(name).name == name and _is_file_entry(entry),
                 f"parts[{p}].files[{name!r}]: bytes (a count), sha256 (64 hex digits), dtype (a string), "
                 "shape (a list of counts)", entry)
        total += part["n_items"]
    need(total == doc["n_items"], f"parts holding n_items = {doc['n_items']} items in all", total)
    if doc["kind"] == "SetSystem":
        w = doc.get("element_weights")
        need(isinstance(w, dict) and len(w.keys() & {"constant", "values", "file"}) == 1,
             "element_weights: {constant}, {values} or {file, sha256, ...}", w)
        elements, incidences = totals.get("elements"), totals.get("incidences")
        need(_is_count(elements) and _is_count(incidences), "totals.elements and totals.incidences: counts")
        if all("indices.npy" in part["files"] for part in parts):  # the totals follow the part files
            listed = sum(math.prod(part["files"]["indices.npy"]["shape"]) for part in parts)
            need(incidences == listed, f"totals.incidences = the parts' indices.npy entries ({listed})",
                 incidences)
        if "file" in w:  # a file of this folder, checked like the parts' files
            need(_is_plain_name(w["file"]) and _is_file_entry(w),
                 "element_weights: {file (a name in the folder), bytes, sha256, dtype, shape}", w)
        if "constant" in w:  # no weights array: the universe is only a number, so it must follow the data
            c = w["constant"]
            need(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) and c >= 0,
                 "element_weights.constant: a finite number >= 0", c)
            need(elements <= incidences + SPARE_IDS,
                 f"totals.elements at most totals.incidences + {SPARE_IDS} (elements in no set) with "
                 "constant weights", elements)
        elif "values" in w:
            need(isinstance(w["values"], list) and len(w["values"]) == elements,
                 "element_weights.values: one weight per element (totals.elements)", elements)
            bad = next((v for v in w["values"] if isinstance(v, bool) or not isinstance(v, (int, float))
                        or not math.isfinite(v) or v < 0), None)
            need(bad is None, "element_weights.values: finite numbers >= 0", bad)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_plain_name(name: object) -> bool:
    """Whether ``name`` names an entry of the folder itself (no path, not ``.`` or ``..``)."""
    return isinstance(name, str) and Path(name).name == name and name not in ("", ".", "..")


def _is_file_entry(entry: object) -> bool:
    """Whether ``entry`` describes a file as the folder's writer does: its byte count, sha256
    (64 hex digits), NumPy dtype string and shape (a list of counts)."""
    if not isinstance(entry, dict) or not {"bytes", "sha256", "dtype", "shape"} <= entry.keys():
        return False
    digest, shape = entry["sha256"], entry["shape"]
    return (_is_count(entry["bytes"]) and isinstance(entry["dtype"], str) and isinstance(digest, str)
            and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
            and isinstance(shape, list) and all(_is_count(d) for d in shape))


class Shards:
    """A lazy handle on a shard folder (see :func:`open_shards`): nothing but the manifest is
    read until a part is asked for. Picklable: a worker that receives it (or the folder path)
    loads only its own part, from storage it can reach.

    Parameters
    ----------
    directory : path-like
        The folder.
    manifest : dict
        The parsed ``manifest.json``.
    verify : bool, default True
        Whether parts are checked against their sha256 on first load.

    Attributes
    ----------
    kind : str
        ``"SetSystem"``, ``"Graph"`` or ``"PointSet"``.
    n_parts, n_items, nnz : int
        Parts, items, and incidences / edges / points.
    universe, n_nodes, dim : int or None
        The size of the items' space, for the kind that has it.
    rule : str
    seed : int or None

    Examples
    --------
    >>> import pickle, tempfile, os
    >>> from submodkit.instances import random_set_system
    >>> tmp = tempfile.TemporaryDirectory()
    >>> system = random_set_system(10, 6, density=0.5, seed=0)
    >>> s = write_shards(system, os.path.join(tmp.name, "s"), n_parts=3, seed=0)
    >>> same = s.owners().tolist() == partition_owners(10, n_parts=3, seed=0).tolist()
    >>> s.kind, len(s), s.n_items, s.universe, same
    ('SetSystem', 3, 10, 6, True)
    >>> clone = pickle.loads(pickle.dumps(s))
    >>> [shard.ids.tolist() for shard in clone] == [s.ids(i).tolist() for i in range(3)]
    True
    >>> tmp.cleanup()
    """

    def __init__(self, directory: Path | StoredFile, manifest: dict, verify: bool = True):
        self.directory = as_location(str(directory)) if isinstance(directory, str) else Path(directory)
        self.manifest = manifest
        self.verify = bool(verify)
        self._verified: set[int] = set()
        self._weights: np.ndarray | None = None
        self._weights_verified = False

    def __getstate__(self) -> dict:
        return {"directory": str(self.directory), "manifest": self.manifest, "verify": self.verify}

    def __setstate__(self, state: dict) -> None:
        self.__init__(as_location(state["directory"]), state["manifest"], state["verify"])

    def __len__(self) -> int:
        return int(self.manifest["n_parts"])

    def __iter__(self):
        return (self.part(i) for i in range(len(self)))

    def __repr__(self) -> str:
        size = {"SetSystem": f"universe={self.universe}", "Graph": f"n_nodes={self.n_nodes}",
                "PointSet": f"dim={self.dim}"}[self.kind]
        return (f"Shards({str(self.directory)!r}, kind={self.kind}, n_parts={len(self)}, "
                f"n_items={self.n_items}, {size}, rule={self.rule})")

    @property
    def kind(self) -> str:
        """``"SetSystem"``, ``"Graph"`` or ``"PointSet"``."""
        return self.manifest["kind"]

    @property
    def n_parts(self) -> int:
        """Number of parts."""
        return len(self)

    @property
    def n_items(self) -> int:
        """Number of items: sets, edges or points."""
        return int(self.manifest["n_items"])

    @property
    def universe(self) -> int | None:
        """Number of elements of a set system (None for other kinds)."""
        return self.manifest["totals"].get("elements")

    @property
    def n_nodes(self) -> int | None:
        """Number of vertices of a graph (None for other kinds)."""
        return self.manifest["totals"].get("nodes")

    @property
    def dim(self) -> int | None:
        """Dimension of points (None for other kinds)."""
        return self.manifest["totals"].get("dim")

    @property
    def nnz(self) -> int:
        """Incidences of a set system, edges of a graph, points of a point set."""
        t = self.manifest["totals"]
        return int(t.get("incidences", t.get("edges", t.get("points", 0))))

    @property
    def rule(self) -> str:
        """The partition rule, ``"random"`` or ``"contiguous"``."""
        return self.manifest["rule"]

    @property
    def seed(self) -> int | None:
        """The seed of the random partition (as recorded in the manifest)."""
        return self.manifest["seed"]

    @property
    def paths(self) -> list[Path]:
        """The folder of each part."""
        return [self.directory / part["dir"] for part in self.manifest["parts"]]

    def files(self, i: int) -> dict[str, Path]:
        """The files of part ``i`` by name (``ids.npy``, ...)."""
        part = self.manifest["parts"][self._index(i)]
        return {name: self.directory / part["dir"] / name for name in part["files"]}

    def check_partition(self, n_parts: object = None, seed: object = None) -> None:
        """Check a core-set's ``n_parts`` and ``seed`` against this folder's partition: each
        may be None, else it must be the folder's (the partition is the shards', fixed when
        they were written).

        Raises
        ------
        InvalidParameterError
            Naming ``n_parts`` or ``seed``.
        """
        if n_parts is not None and check_int("n_parts", n_parts, minimum=1) != len(self):
            raise InvalidParameterError("n_parts", n_parts, f"None or the shard folder's {len(self)} parts")
        if seed is not None and (self.rule != "random" or check_seed(seed) != self.seed):
            raise InvalidParameterError("seed", seed, f"None or the folder's partition seed {self.seed!r}: "
                                        "the partition is the shards'")

    def owners(self) -> np.ndarray:
        """The part of every item (from the rule and seed: nothing is read)."""
        return partition_owners(self.n_items, n_parts=len(self), seed=self.seed, rule=self.rule)

    def _index(self, i: object) -> int:
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < len(self):
            raise InvalidParameterError("part", i, f"a part index in [0, {len(self)})")
        return int(i)

    def _check_file(self, path: Path | StoredFile, entry: dict) -> None:
        try:
            size = file_size(path)
        except FileNotFoundError:
            raise InstanceFormatError(path, None, "a shard file listed in manifest.json",
                                      "no such file") from None
        if size != entry["bytes"]:
            raise InstanceFormatError(path, None, f"{entry['bytes']} bytes (as in manifest.json)",
                                      f"{size} bytes")
        digest = sha256_of(path)
        if digest != entry["sha256"]:
            raise InstanceFormatError(path, None, f"sha256 {entry['sha256'][:16]}... (as in manifest.json)",
                                      f"{digest[:16]}... (the file was modified or damaged)")

    def _load(self, path: Path | StoredFile, entry: dict, mmap: bool) -> np.ndarray:
        remote = isinstance(path, StoredFile)
        try:
            with open_binary(path) as fh:
                shape, fortran, dtype = read_npy_header(fh)
                if dtype.hasobject or fortran or dtype.str != entry["dtype"] or list(shape) != entry["shape"]:
                    raise ValueError(f"dtype {dtype.str}, shape {list(shape)}")
                nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
                offset = fh.tell()
                present = fh.seek(0, os.SEEK_END) - offset
                if present != nbytes:
                    raise ValueError(f"{present} bytes of data, {nbytes} expected")
                if remote or not mmap or nbytes == 0:  # read into the array (no memory map)
                    fh.seek(offset)
                    arr = np.empty(shape, dtype=dtype)
                    got = fh.readinto(arr.reshape(-1).view(np.uint8)) if nbytes else 0
                    if got != nbytes:
                        raise ValueError(f"{got} bytes read, {nbytes} expected")
            if not remote and mmap and nbytes:
                arr = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=tuple(shape))
        except FileNotFoundError:
            raise InstanceFormatError(path, None, "a shard file listed in manifest.json",
                                      "no such file") from None
        except (ValueError, OSError, EOFError, SyntaxError, TypeError) as exc:
            raise InstanceFormatError(path, None, f"a .npy array of dtype {entry['dtype']} and shape "
                                      f"{entry['shape']} (as in manifest.json)", str(exc)[:80]) from None
        return arr

    def element_weights(self) -> np.ndarray:
        """The weight of every element of a set system (float64, length :attr:`universe`)."""
        if self._weights is None:
            w = self._weights_source(mmap=False)
            u = int(self.universe)
            self._weights = np.full(u, w) if isinstance(w, float) else np.asarray(w, dtype=np.float64)
        return self._weights

    def element_weights_at(self, elements: np.ndarray) -> np.ndarray:
        """The weights of the given elements (float64): reads only those entries of a
        weights file (memory-mapped where local), so a worker never holds the universe."""
        if self._weights is not None:
            return self._weights[elements]
        w = self._weights_source(mmap=True)
        return np.full(elements.shape[0], w) if isinstance(w, float) else np.asarray(w[elements], np.float64)

    def _weights_source(self, mmap: bool) -> float | np.ndarray:
        """The manifest's element weights: a constant, or an array of length :attr:`universe`
        (the file memory-mapped when ``mmap`` and local; checked against its sha256 once)."""
        if self.kind != "SetSystem":
            raise InvalidParameterError("shards", self.kind, "a set system (element weights)")
        w, u = self.manifest["element_weights"], int(self.universe)
        if "constant" in w:
            return float(w["constant"])
        if "values" in w:
            weights = np.asarray(w["values"], dtype=np.float64)
        else:
            path = self.directory / w["file"]
            if self.verify and not self._weights_verified:
                self._check_file(path, w)
                self._weights_verified = True
            weights = self._load(path, w, mmap=mmap and not isinstance(path, StoredFile))
        if weights.shape != (u,):
            raise InstanceFormatError(self.directory / MANIFEST, None,
                                      f"element_weights of length universe = {u}", str(weights.shape))
        return weights

    def ids(self, i: int) -> np.ndarray:
        """The global ids of part ``i``'s items (reads that one file)."""
        i = self._index(i)
        part = self.manifest["parts"][i]
        path = self.directory / part["dir"] / "ids.npy"
        if self.verify and i not in self._verified:
            self._check_file(path, part["files"]["ids.npy"])
        return self._load(path, part["files"]["ids.npy"], mmap=False)

    def set_costs(self) -> np.ndarray:
        """The cost of every set of a set system, by global id (float64, length
        :attr:`n_items`): reads only each part's ``ids.npy`` and ``costs.npy`` (8 bytes a set
        each), never the incidences.

        Raises
        ------
        InstanceFormatError
            For a missing, modified or malformed file, or ids that are not a partition.
        """
        if self.kind != "SetSystem":
            raise InvalidParameterError("shards", self.kind, "a set system (set costs)")
        read = []  # the parts' files first: memory follows the sets present, not n_items
        for i, part in enumerate(self.manifest["parts"]):
            entry = part["files"]["costs.npy"]
            path = self.directory / part["dir"] / "costs.npy"
            if self.verify and i not in self._verified:
                self._check_file(path, entry)
            ids, c = self.ids(i), self._load(path, entry, mmap=False)
            if ids.shape != c.shape or (ids.shape[0] and (ids.min() < 0 or ids.max() >= self.n_items)):
                raise InstanceFormatError(path, None, f"one cost per id of {part['dir']}", str(c.shape))
            read.append((ids, c))
        held = sum(ids.shape[0] for ids, _ in read)
        if held != self.n_items:
            raise InstanceFormatError(self.directory / MANIFEST, None,
                                      f"parts holding n_items = {self.n_items} sets", str(held))
        costs = np.full(self.n_items, np.nan)
        for ids, c in read:
            costs[ids] = c
        if not np.all(np.isfinite(costs)):
            raise InstanceFormatError(self.directory / MANIFEST, None,
                                      f"every set id 0 .. {self.n_items - 1} in one part with a finite cost")
        return costs

    def part(self, i: int, *, verify: bool | None = None, mmap: bool = False, compact: bool = False) -> Shard:
        """Load part ``i``: its items' global ids and their problem.

        Parameters
        ----------
        i : int
            The part index, ``0 <= i < len(self)``.
        verify : bool, optional
            Check the part's files against their sha256 (default: the handle's ``verify``;
            done once per part and handle).
        mmap : bool, default False
            Memory-map the arrays (read-only) instead of reading them.
        compact : bool, default False
            Set systems: number the part's columns by the elements its sets touch
            (``Shard.elements`` maps them back), so that memory follows the part's data,
            not the universe (the folder's weights are read at those elements only).

        Returns
        -------
        Shard

        Raises
        ------
        InstanceFormatError
            For a missing, modified or malformed file.
        """
        i = self._index(i)
        part = self.manifest["parts"][i]
        folder = self.directory / part["dir"]
        if (self.verify if verify is None else verify) and i not in self._verified:
            for name, entry in part["files"].items():
                self._check_file(folder / name, entry)
            self._verified.add(i)
        arrays = {name.removesuffix(".npy"): self._load(folder / name, entry, mmap)
                  for name, entry in part["files"].items()}
        ids = arrays["ids"]
        n_p = int(part["n_items"])
        if (ids.shape != (n_p,) or (n_p and (ids[0] < 0 or ids[-1] >= self.n_items))
                or bool(np.any(ids[1:] <= ids[:-1]))):
            raise InstanceFormatError(folder / "ids.npy", None,
                                      f"{n_p} increasing ids in [0, {self.n_items})")
        meta = dict(self.manifest["meta"], part=i, n_parts=len(self))
        if compact and self.kind == "SetSystem":
            problem, elements = _compact_set_part(self, folder, arrays, meta)
            return Shard(i, ids, problem, elements)
        problem = _PART_BUILDERS[self.kind](self, folder, arrays, meta)
        return Shard(i, ids, problem)

    def load_all(self) -> Problem:
        """The whole problem, items in global id order (for tests and small data: memory
        holds everything).

        Returns
        -------
        SetSystem, Graph or PointSet
            The problem the shards were written from.
        """
        shards = [self.part(i) for i in range(len(self))]
        ids = np.concatenate([s.ids for s in shards]) if shards else np.zeros(0, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        if not np.array_equal(ids[order], np.arange(self.n_items)):
            raise InstanceFormatError(self.directory / MANIFEST, None,
                                      f"every item id 0 .. {self.n_items - 1} in exactly one part")
        probs = [s.problem for s in shards]
        name, meta = self.manifest["name"], dict(self.manifest["meta"])
        if self.kind == "SetSystem":
            sets = sp.vstack([p.sets for p in probs], format="csr")[order]
            labels = None
            if self.manifest.get("has_labels"):
                labels = np.concatenate([p.labels for p in probs])[order]
            costs = np.concatenate([p.costs for p in probs])[order]
            return from_file(self.directory, SetSystem, sets, costs, self.element_weights(), name, meta,
                             labels=labels)
        if self.kind == "Graph":
            edges = np.concatenate([p.edges for p in probs])[order]
            weights = np.concatenate([p.weights for p in probs])[order]
            return from_file(self.directory, Graph, edges, weights, int(self.n_nodes), name, meta)
        features = np.concatenate([p.features for p in probs])[order]
        return from_file(self.directory, PointSet, features, name, meta)


def _set_part(shards: Shards, folder: Path, a: dict, meta: dict) -> SetSystem:
    n_p, u = a["ids"].shape[0], int(shards.universe)
    try:
        data = a["data"] if "data" in a else np.ones(a["indices"].shape[0])
        sets = sp.csr_matrix((data, a["indices"], a["indptr"]), shape=(n_p, u))
    except (ValueError, TypeError, OverflowError) as exc:
        raise InstanceFormatError(folder, None, "a valid CSR structure (indptr, indices)",
                                  str(exc)[:80]) from None
    return from_file(folder, SetSystem, sets, a["costs"], shards.element_weights(), shards.manifest["name"],
                     meta, labels=a.get("labels"))


def _compact_set_part(shards: Shards, folder: Path, a: dict, meta: dict) -> tuple[SetSystem, np.ndarray]:
    """A set-system part over the elements its sets touch, and their global ids."""
    n_p, u = a["ids"].shape[0], int(shards.universe)
    indices = np.asarray(a["indices"])
    if indices.shape[0] and (int(indices.min()) < 0 or int(indices.max()) >= u):
        raise InstanceFormatError(folder / "indices.npy", None, f"element ids in [0, {u})",
                                  f"{int(indices.min())} .. {int(indices.max())}")
    elements, local = compact_ids(indices, u)
    try:
        data = a["data"] if "data" in a else np.ones(indices.shape[0])
        sets = sp.csr_matrix((data, local, a["indptr"]), shape=(n_p, elements.shape[0]))
    except (ValueError, TypeError, OverflowError) as exc:
        raise InstanceFormatError(folder, None, "a valid CSR structure (indptr, indices)",
                                  str(exc)[:80]) from None
    weights = shards.element_weights_at(elements)
    problem = from_file(folder, SetSystem, sets, a["costs"], weights, shards.manifest["name"], meta,
                        labels=a.get("labels"))
    return problem, elements


def compact_ids(values: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``(distinct, local)``: the distinct ``values`` (in ``[0, bound)``) increasing, and each
    value's position among them. A table of ``bound`` positions when that is at most 4 per
    value (linear time), else a sort (memory of the values only)."""
    if values.shape[0] and bound <= 4 * values.shape[0]:
        seen = np.zeros(bound, dtype=np.bool_)
        seen[values] = True
        distinct = np.flatnonzero(seen).astype(np.int64)
        del seen
        position = np.empty(bound, dtype=np.int32 if distinct.shape[0] < 2**31 else np.int64)
        position[distinct] = np.arange(distinct.shape[0], dtype=position.dtype)
        return distinct, position[values].astype(np.int64)
    distinct, local = np.unique(values, return_inverse=True)
    return distinct.astype(np.int64), local.astype(np.int64).reshape(-1)


def _graph_part(shards: Shards, folder: Path, a: dict, meta: dict) -> Graph:
    return from_file(folder, Graph, a["edges"], a["weights"], int(shards.n_nodes), shards.manifest["name"],
                     meta)


def _points_part(shards: Shards, folder: Path, a: dict, meta: dict) -> PointSet:
    return from_file(folder, PointSet, a["features"], shards.manifest["name"], meta)


_PART_BUILDERS = {"SetSystem": _set_part, "Graph": _graph_part, "PointSet": _points_part}


@dataclass
class SetStream:
    """The sets of a set-system file as blocks, read ``chunk_bytes`` at a time: ``universe``
    and ``weights`` are known before the first block (see :func:`stream_sets`)."""

    source: Source
    universe: int
    weights: np.ndarray

    def blocks(self):
        """``(global ids, CSR rows over the universe)`` for consecutive sets, in file order."""
        first = 0
        for block in self.source.blocks():
            if isinstance(block, CostBlock):
                continue
            indptr = np.concatenate([[0], np.cumsum(block.sizes)]).astype(np.int64)
            rows = sp.csr_matrix((np.ones(block.indices.shape[0]), block.indices, indptr),
                                 shape=(block.n, self.universe))
            yield np.arange(first, first + block.n, dtype=np.int64), rows
            first += block.n


def stream_sets(
    path: str | os.PathLike, *, format: str = "auto", chunk_bytes: int | None = None
) -> SetStream:
    """Open a set-system file for streaming its sets in bounded memory.

    Parameters
    ----------
    path : str or path-like
        A FIMI, OR-Library ``rail`` or native ``.npz`` set-system file.
    format : str, default "auto"
    chunk_bytes : int, optional
        Bytes read at a time (default 4 MiB).

    Returns
    -------
    SetStream
        With the universe (from the header, or from a first pass over a FIMI file) and the
        element weights.

    Raises
    ------
    InstanceFormatError
        For an element-major (``scp``) file, a non-set-system file, or malformed content.

    Examples
    --------
    >>> from submodkit.instances import bundled
    >>> stream = stream_sets(bundled("rail507"))
    >>> stream.universe, sum(rows.shape[0] for _, rows in stream.blocks())
    (507, 63009)

    References
    ----------
    .. [1] Badanidiyuru, Mirzasoleiman, Karbasi, Krause, "Streaming submodular maximization:
       massive data summarization on the fly", KDD 2014 (the one-pass setting).
    """
    fmt = detect_format(path) if format == "auto" else format
    src = source_for(path, fmt, DEFAULT_CHUNK_BYTES if chunk_bytes is None else check_int(
        "chunk_bytes", chunk_bytes, minimum=1024))
    if src.kind != "SetSystem" or src.layout != "sets":
        raise InstanceFormatError(path, None, "a set-major set-system file to stream (FIMI, rail, native; "
                                  "an element-major scp file: shard it first)",
                                  f"{fmt} ({src.kind or 'problem'})")
    src.count_items()
    if src.universe is None:  # FIMI: the largest id is known at the end of a first pass
        for _ in src.blocks():
            pass
    u = int(src.universe)
    # every row is some column's: memory follows the file, not its header
    if fmt == "rail" and u > (most := most_text_ids(path)):
        raise InstanceFormatError(path, 1, f"at most {most} rows in a file of {os.stat(path).st_size} bytes "
                                  "(every row is covered by some column)", f"a header of {u} rows")
    w = np.ones(u) if src.element_weights is None else np.asarray(src.element_weights, dtype=np.float64)
    return SetStream(src, u, w)
