"""`StreamingMaximizer`: one-pass maximization under a cardinality constraint (sieve family)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from pathlib import Path

import numpy as np

from submodkit._validation import check_choice, check_int, check_real, check_selection
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.results import Solution
from submodkit.solvers.submodular import _streaming_kernels as SK

ALGORITHMS = {"sieve": "sieve-streaming", "sieve++": "sieve-streaming++"}
_FORMAT = "submodkit-streaming"
_VERSION = 1
_OBJECTIVE_ARRAYS = ("indptr", "indices", "data", "dense", "w", "b")


class StreamingMaximizer:
    """Maximize a monotone submodular ``objective`` over a stream of its items, in one pass.

    Algorithms (cardinality constraint ``k``):

    - ``"sieve++"`` (default): Sieve-Streaming++ (Kazemi, Mitrovic, Zadimoghaddam, Lattanzi,
      Karbasi, ICML 2019): ``1/2 - epsilon``; keeps ``O(k / epsilon)`` items; thresholds
      ``tau = (1 + epsilon)^i`` between ``max(LB, m) / (2k (1 + epsilon))`` and ``m``.
    - ``"sieve"``: Sieve-Streaming (Badanidiyuru, Mirzasoleiman, Karbasi, Krause, KDD 2014):
      ``1/2 - epsilon``; keeps ``O(k log(k) / epsilon)`` items; one set per guess
      ``v = (1 + epsilon)^i`` of OPT in ``[m, 2 k m]``.
    - ``"dynamic"``: insertions (``update``) and deletions (``delete``), ``1/2 - epsilon`` after
      every update; keeps every item present. The constructor then returns a
      :class:`~submodkit.solvers.submodular.dynamic.DynamicMaximizer` (keyword ``seed``).

    ``m`` is the largest singleton value seen so far and ``LB`` the best set value so far.
    Each arriving item costs one singleton evaluation plus one gain evaluation per live
    threshold: ``O(log(k) / epsilon)`` gain evaluations, each one kernel call of
    :mod:`submodkit.objectives.kernels`. Memory: ``O(log(k) / epsilon)`` state vectors of
    the objective (``states``, a 2-D array ``[n_slots, state_size]``) and the kept items.

    Items are processed one by one in arrival order, so the result does not depend on
    how the stream is cut into ``update`` calls. ``save`` / ``load`` keep the whole state
    in a ``.npz`` file, so a long stream survives a restart.

    Parameters
    ----------
    objective
        the objective whose items (indices ``0..n-1``) arrive.
    k
        the cardinality bound.
    algorithm
        ``"sieve++"``, ``"sieve"`` or ``"dynamic"`` (keyword-only).
    epsilon
        in (0, 1) (keyword-only).

    Examples
    --------
    >>> from submodkit import Coverage
    >>> sm = StreamingMaximizer(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2)
    >>> sm.update([0, 1]); sm.update([2])
    >>> sm.solution().value
    5.0

    References
    ----------
    .. [1] Kazemi, Mitrovic, Zadimoghaddam, Lattanzi, Karbasi, "Submodular streaming in all
       its glory: tight approximation, minimum memory and low adaptive complexity", ICML 2019.
    .. [2] Badanidiyuru, Mirzasoleiman, Karbasi, Krause, "Streaming submodular maximization:
       massive data summarization on the fly", KDD 2014.
    """

    def __new__(cls, objective: Objective | None = None, k: int | None = None, *, algorithm: str = "sieve++",
                epsilon: float = 0.1, **kw):
        # the arguments have defaults for pickle and copy, which call cls.__new__(cls) alone
        if algorithm == "dynamic":  # insertions and deletions: a DynamicMaximizer
            from submodkit.solvers.submodular.dynamic import DynamicMaximizer

            return DynamicMaximizer(objective, k, algorithm=algorithm, epsilon=epsilon, **kw)
        return super().__new__(cls)

    def __init__(self, objective: Objective, k: int, *, algorithm: str = "sieve++", epsilon: float = 0.1):
        if not isinstance(objective, Objective):
            raise InvalidParameterError("objective", objective, "a submodkit Objective")
        self.objective = objective
        self.k = check_int("k", k)
        objective.check_capacity(min(self.k, objective.n))
        self.algorithm = check_choice("algorithm", algorithm, (*ALGORITHMS, "dynamic"))
        self.epsilon = check_real(
            "epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True
        )
        self._log_base = math.log1p(self.epsilon)
        n_slots = _n_slots(self.k, self.epsilon)
        kk = max(self.k, 1)
        self._empty = objective.new_state()
        self._slot_exp = np.full(n_slots, np.iinfo(np.int64).min, dtype=np.int64)
        self._states = np.empty((n_slots, objective.state_size), dtype=np.float64)
        self._sizes = np.zeros(n_slots, dtype=np.int64)
        self._values = np.zeros(n_slots, dtype=np.float64)
        self._sels = np.zeros((n_slots, kk), dtype=np.int64)
        self._gains = np.zeros((n_slots, kk), dtype=np.float64)
        self._scal = np.zeros(3, dtype=np.float64)
        self._ints = np.zeros(7, dtype=np.int64)
        self._best_sel = np.zeros(kk, dtype=np.int64)
        self._best_gains = np.zeros(kk, dtype=np.float64)
        self.seconds = 0.0

    @property
    def n_slots(self) -> int:
        """Number of threshold slots (the most thresholds alive at once)."""
        return int(self._slot_exp.shape[0])

    @property
    def items_seen(self) -> int:
        return int(self._ints[SK.I_ITEMS])

    @property
    def max_singleton(self) -> float:
        """The largest singleton value seen so far."""
        return float(self._scal[SK.S_M])

    def kept_items(self) -> np.ndarray:
        """The items the stream keeps (in a live threshold's set or the best evicted set),
        increasing: the only ones a later answer can contain.

        Examples
        --------
        >>> from submodkit import Coverage
        >>> sm = StreamingMaximizer(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=1)
        >>> sm.update([0, 1, 2]); sm.kept_items().tolist()
        [0]
        """
        live = np.flatnonzero(self._slot_exp != _DEAD)
        best = int(self._ints[SK.I_BEST_SIZE])
        refs = [self._sels[s, : self._sizes[s]] for s in live] + [self._best_sel[:best]]
        return np.unique(np.concatenate(refs + [np.zeros(0, dtype=np.int64)]))

    def update(self, indices) -> None:
        """Process the items ``indices`` (indices of the objective), in order."""
        items = check_selection("indices", indices, self.objective.n)
        start = time.perf_counter()
        SK.sieve_update(
            *self.objective.kernel_args(), self._empty,
            items, self.k, self._log_base, self.algorithm == "sieve++",
            self._slot_exp, self._states, self._sizes, self._values, self._sels, self._gains,
            self._scal, self._ints, self._best_sel, self._best_gains,
        )
        self.seconds += time.perf_counter() - start

    def delete(self, indices) -> None:
        """Deletions need ``algorithm="dynamic"``: a sieve forgets the items it discards, so it
        cannot bring one back when a chosen item leaves.

        Raises
        ------
        InvalidParameterError
            Always, for the sieves.
        """
        raise InvalidParameterError("algorithm", self.algorithm,
                                    "'dynamic' to delete items (StreamingMaximizer(f, k, algorithm="
                                    "'dynamic'))")

    def _best(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The best kept set: the live slot of largest value (ties: smallest threshold),
        unless a set evicted earlier was strictly better."""
        live = np.flatnonzero(self._slot_exp != np.iinfo(np.int64).min)
        best_val, sel, gains = 0.0, np.zeros(0, dtype=np.int64), np.zeros(0)
        if live.size:
            order = live[np.lexsort((self._slot_exp[live], -self._values[live]))]
            s = int(order[0])
            best_val = float(self._values[s])
            sel, gains = self._sels[s, : self._sizes[s]], self._gains[s, : self._sizes[s]]
        if self._scal[SK.S_BEST] > best_val:
            size = int(self._ints[SK.I_BEST_SIZE])
            best_val = float(self._scal[SK.S_BEST])
            sel, gains = self._best_sel[:size], self._best_gains[:size]
        return sel.copy(), gains.copy(), best_val

    def solution(self) -> Solution:
        """The best set kept so far, with the guarantee ``1/2 - epsilon`` (monotone submodular)."""
        sel, gains, value = self._best()
        if self.objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
            value = float(self.objective.evaluate(sel))
        name = ALGORITHMS[self.algorithm]
        ok = self.objective.monotone and self.objective.submodular
        live = self._slot_exp != np.iinfo(np.int64).min
        return Solution(
            selection=sel,
            gains=gains,
            value=float(value),
            algorithm=name,
            guarantee=guarantee(name, epsilon=self.epsilon) if ok else None,
            stats={
                "evaluations": int(self._ints[SK.I_EVALS]),
                "items": self.items_seen,
                "thresholds": int(live.sum()),
                "stored_items": int(self._sizes[live].sum()),
                "peak_stored_items": int(self._ints[SK.I_PEAK]),
                "state_bytes": int(self._states.nbytes),
                "seconds": self.seconds,
                "n": self.objective.n,
            },
        )

    # --- persistence ---------------------------------------------------------------

    def save(self, path: str | os.PathLike, include_objective: bool = False) -> Path:
        """Write the whole streaming state to ``path`` (``.npz``, no pickles); returns the path.

        With ``include_objective=True`` the objective's kernel arrays are stored too, so
        :meth:`load` needs nothing else (the objective comes back as a plain
        :class:`~submodkit.objectives.base.Objective` with the same kernels and values).
        Otherwise pass the objective again to :meth:`load`; a fingerprint of its arrays
        is stored and checked. (An objective built from a problem can also be kept with
        :func:`submodkit.instances.save` and rebuilt from it before loading.)
        """
        path = Path(path)
        if not path.name.endswith(".npz"):
            raise InvalidParameterError("path", str(path), "a path ending in .npz")
        header = {
            "format": _FORMAT,
            "version": _VERSION,
            "k": self.k,
            "algorithm": self.algorithm,
            "epsilon": self.epsilon,
            "fingerprint": _fingerprint(self.objective),
            "seconds": self.seconds,
            "objective": None,
        }
        arrays = {
            "slot_exp": self._slot_exp, "states": self._states, "sizes": self._sizes,
            "values": self._values, "sels": self._sels, "gains": self._gains, "scal": self._scal,
            "ints": self._ints, "best_sel": self._best_sel, "best_gains": self._best_gains,
        }
        if include_objective:
            obj = self.objective
            header["objective"] = {
                "kind": obj.kind, "agg": obj.agg, "phi": obj.phi, "shape": list(obj.shape),
                "monotone": obj.monotone, "submodular": obj.submodular, "name": obj.name,
            }
            for name in _OBJECTIVE_ARRAYS:
                arrays[f"objective.{name}"] = getattr(obj, name)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, header=np.array(json.dumps(header)), **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, objective: Objective | None = None) -> StreamingMaximizer:
        """Restore a maximizer written by :meth:`save`.

        ``objective`` is required unless the file was saved with ``include_objective=True``;
        when given, it must be the objective the stream ran on (its fingerprint is checked).

        Every array is checked against the invariants the kernel relies on (shapes, dtypes,
        sizes and indices in range, live thresholds forming the ring buffer's range, finite
        values) and the kept sets are replayed through the objective: their states, gains
        and values must be what the stream computed. A file that fails raises
        `InstanceFormatError` naming the field.
        """
        try:
            with np.load(path, allow_pickle=False) as npz:
                fields = {key: npz[key] for key in npz.files}
            header = json.loads(fields["header"].item())
        except FileNotFoundError:
            raise
        except Exception:  # numpy raises many types for a file that is not an .npz archive
            header = {}
        if (not isinstance(header, dict) or header.get("format") != _FORMAT
                or not isinstance(header.get("version"), int) or header["version"] > _VERSION):
            raise InvalidParameterError("path", str(path), "a file written by StreamingMaximizer.save")

        def bad(field: str, expected: str, found: object = None) -> InstanceFormatError:
            return InstanceFormatError(path, None, f"field {field!r}: {expected}",
                                       None if found is None else str(found))

        if objective is None and header.get("objective") is None:
            raise InvalidParameterError(
                "objective", None, "the stream's objective (the file was saved without it)"
            )
        if objective is not None and _fingerprint(objective) != header.get("fingerprint"):
            raise InvalidParameterError("objective", objective, "the objective the saved stream ran on")
        try:
            if objective is None:
                objective = _objective_from(header["objective"], fields)
            k = check_int("k", header.get("k"))
            epsilon = check_real("epsilon", header.get("epsilon"), minimum=0.0, maximum=1.0,
                                 strict_min=True, strict_max=True)
            # the arrays' sizes follow from k and epsilon: check them before allocating any
            expected = {"sels": (_n_slots(k, epsilon), max(k, 1)),
                        "states": (_n_slots(k, epsilon), objective.state_size)}
            for name, shape in expected.items():
                if name in fields and fields[name].shape != shape:
                    raise bad(name, f"shape {shape} (from k, epsilon and the objective)", fields[name].shape)
            sm = cls(objective, k, algorithm=header.get("algorithm"), epsilon=epsilon)
            seconds = check_real("seconds", header.get("seconds"), minimum=0.0)
        except InvalidParameterError as err:
            raise bad(err.name, err.expected, repr(err.value)) from None
        for name in _STATE_ARRAYS:
            fresh = getattr(sm, "_" + name)
            arr = fields.get(name)
            if arr is None:
                raise bad(name, "present")
            if arr.shape != fresh.shape or arr.dtype.kind != fresh.dtype.kind:
                raise bad(name, f"a {fresh.dtype} array of shape {fresh.shape}", f"{arr.dtype} {arr.shape}")
            setattr(sm, "_" + name, np.ascontiguousarray(arr, dtype=fresh.dtype))
        sm.seconds = seconds
        problem = _state_problem(sm)
        if problem is not None:
            raise bad(*problem)
        return sm


def _n_slots(k: int, epsilon: float) -> int:
    """Ring-buffer slots: the most thresholds ``(1 + epsilon)^i`` alive at once, plus spares."""
    return int(math.ceil(math.log(2.0 * max(k, 1)) / math.log1p(epsilon))) + 4


_STATE_ARRAYS = ("slot_exp", "states", "sizes", "values", "sels", "gains", "scal", "ints",
                 "best_sel", "best_gains")
_DEAD = np.iinfo(np.int64).min


def _state_problem(sm: StreamingMaximizer) -> tuple[str, str, object] | None:
    """The first violated invariant of a loaded stream state as ``(field, expected, found)``,
    or None when the state is one the stream could have reached."""
    C, n, kk = sm.n_slots, sm.objective.n, sm._sels.shape[1]
    for name in ("states", "values", "gains", "scal", "best_gains"):
        arr = getattr(sm, "_" + name)
        if not np.isfinite(arr).all():
            return name, "finite values", "NaN or inf"
    if sm._scal.min() < 0 or sm._values.min(initial=0.0) < 0:
        return ("scal" if sm._scal.min() < 0 else "values"), "non-negative values", "a negative value"
    lo, hi, active, best_size = (int(sm._ints[i]) for i in (SK.I_LO, SK.I_HI, SK.I_ACTIVE, SK.I_BEST_SIZE))
    if active not in (0, 1) or sm._ints[SK.I_EVALS:].min() < 0:
        return "ints", "an active flag of 0 or 1 and non-negative counters", sm._ints.tolist()
    if not 0 <= best_size <= min(sm.k, kk):
        return "ints", f"a best-set size in [0, {min(sm.k, kk)}]", best_size
    if (sm._sizes.min() < 0) or (sm._sizes.max() > min(sm.k, kk)):
        return "sizes", f"set sizes in [0, {min(sm.k, kk)}]", sm._sizes.tolist()
    live = sm._slot_exp != _DEAD
    if active:
        if not (lo <= hi + 1 and hi - lo + 1 <= C):
            return "ints", f"a live threshold range [lo, hi] of at most {C} exponents", (lo, hi)
        expected = np.full(C, _DEAD, dtype=np.int64)
        span = np.arange(lo, hi + 1, dtype=np.int64)
        expected[span % C] = span
        if not np.array_equal(sm._slot_exp, expected):
            return "slot_exp", f"the exponents {lo}..{hi} in their ring slots (i mod {C})", "other values"
    elif live.any() or sm._sizes.any():
        return "slot_exp", "no live threshold before the first item", "live slots"
    if sm._sizes[~live].any():
        return "sizes", "empty sets in dead slots", sm._sizes.tolist()
    kernel_args = sm.objective.kernel_args()
    kind, agg, _, indptr, indices, data, dense = kernel_args[:7]
    tol = 1e-9 * max(1.0, float(sm._scal.max()))
    for slot in np.flatnonzero(live):
        size = int(sm._sizes[slot])
        sel = sm._sels[slot, :size]
        if size and (sel.min() < 0 or sel.max() >= n or np.unique(sel).size != size):
            return "sels", f"distinct item indices in [0, {n})", sel.tolist()
        cur = sm._empty.copy()
        for t, j in enumerate(sel):
            g = K.gain(*kernel_args, cur, j)
            if abs(g - sm._gains[slot, t]) > tol:
                return "gains", "the gains the kept items had when they were added", float(sm._gains[slot, t])
            K.commit(kind, agg, indptr, indices, data, dense, cur, j)
        if np.abs(cur - sm._states[slot]).max(initial=0.0) > tol:
            return "states", "the objective state of the kept items", f"slot {slot}"
        if abs(float(sm._gains[slot, :size].sum()) - sm._values[slot]) > tol * max(1, size):
            return "values", "the sum of the kept items' gains", float(sm._values[slot])
    best = sm._best_sel[:best_size]
    if best_size and (best.min() < 0 or best.max() >= n or np.unique(best).size != best_size):
        return "best_sel", f"distinct item indices in [0, {n})", best.tolist()
    if abs(float(sm._best_gains[:best_size].sum()) - sm._scal[SK.S_BEST]) > tol * max(1, best_size):
        return "scal", "a best value equal to the sum of the best set's gains", float(sm._scal[SK.S_BEST])
    if best_size and abs(sm.objective.evaluate(best) - sm._scal[SK.S_BEST]) > tol * max(1, best_size) \
            and sm.objective.kind not in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
        return "best_sel", "the best set whose value is stored", best.tolist()
    return None


def _fingerprint(objective: Objective) -> str:
    h = hashlib.sha1()
    h.update(repr((objective.kind, objective.agg, objective.phi, tuple(objective.shape))).encode())
    for name in _OBJECTIVE_ARRAYS:
        h.update(np.ascontiguousarray(getattr(objective, name)).view(np.uint8).data)
    return h.hexdigest()


def _objective_from(meta: object, fields: dict) -> Objective:
    """The objective stored by ``save(include_objective=True)``, checked like any other."""
    if not isinstance(meta, dict):
        raise InvalidParameterError("objective", type(meta).__name__, "an object with the objective's codes")
    missing = [f"objective.{name}" for name in _OBJECTIVE_ARRAYS if f"objective.{name}" not in fields]
    if missing or not {"kind", "agg", "phi", "shape"} <= meta.keys():
        raise InvalidParameterError("objective", ", ".join(missing) or sorted(meta),
                                    "every stored objective field")
    for code in ("kind", "agg", "phi"):
        if isinstance(meta[code], bool) or not isinstance(meta[code], int):
            raise InvalidParameterError(f"objective.{code}", meta[code], "an integer code")
    shape = meta["shape"]
    if not isinstance(shape, list) or len(shape) != 2 or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in shape):
        raise InvalidParameterError("objective.shape", shape, "two integers")
    arrays = {name: fields[f"objective.{name}"] for name in _OBJECTIVE_ARRAYS}
    return Objective.from_kernel_arrays(
        kind=meta["kind"], agg=meta["agg"], phi=meta["phi"], shape=shape, **arrays,
        monotone=bool(meta.get("monotone", False)), submodular=bool(meta.get("submodular", False)),
        name=str(meta.get("name", "objective")),
    )


def stream_shards(shards, k: int, *, algorithm: str = "sieve++", epsilon: float = 0.1) -> Solution:
    """One pass of Sieve-Streaming(++) over a set-system shard folder, part after part.

    Each part is read alone (its items in increasing global id, the parts in order); the
    objective the kernels see is the coverage of the sets the algorithm keeps plus the
    current part's sets, renumbered after each part, so memory is the algorithm's state
    (its threshold states over the elements and at most ``k`` sets per threshold) plus one
    part, never the folder. The answer is the one :class:`StreamingMaximizer` gives on the
    whole objective with the items arriving in the same order.

    Parameters
    ----------
    shards : Shards
        A set-system shard folder (:func:`~submodkit.instances.open_shards`).
    k : int
        Cardinality.
    algorithm : {"sieve++", "sieve"}, keyword-only
    epsilon : float, default 0.1, keyword-only

    Returns
    -------
    Solution
        The selection as global set ids, its value and the guarantee ``1/2 - epsilon``;
        ``stats["peak_kept_sets"]`` is the most sets held between parts.

    Examples
    --------
    >>> import tempfile, os
    >>> from submodkit.instances import random_set_system, write_shards
    >>> tmp = tempfile.TemporaryDirectory()
    >>> shards = write_shards(random_set_system(50, 40, density=0.1, seed=0), os.path.join(tmp.name, "s"),
    ...                       n_parts=3, seed=0)
    >>> len(stream_shards(shards, 5).selection)
    5
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Kazemi, Mitrovic, Zadimoghaddam, Lattanzi, Karbasi, "Submodular streaming in all
       its glory", ICML 2019.
    .. [2] Badanidiyuru, Mirzasoleiman, Karbasi, Krause, "Streaming submodular
       maximization: massive data summarization on the fly", KDD 2014.
    """
    from submodkit.instances.shards import Shards

    if not isinstance(shards, Shards) or shards.kind != "SetSystem":
        raise InvalidParameterError("shards", type(shards).__name__, "a set-system shard folder")
    start = time.perf_counter()
    blocks = ((shard.ids, shard.problem.sets) for shard in (
        shards.part(i) for i in range(len(shards)) if shards.manifest["parts"][i]["n_items"]))
    sol = _sieve_over_blocks(blocks, int(shards.universe), shards.element_weights(), k, algorithm, epsilon,
                             str(shards.directory))
    sol.stats.update({"n_parts": len(shards), "seconds": time.perf_counter() - start,
                      "shards": str(shards.directory)})
    return sol


def stream_file(
    path: str | os.PathLike, k: int, *, algorithm: str = "sieve++", epsilon: float = 0.1,
    format: str = "auto", chunk_bytes: int | None = None,
) -> Solution:
    """One pass of Sieve-Streaming(++) over the sets of a set-system file, read in chunks.

    The sets arrive in file order, ``chunk_bytes`` of text at a time; memory is one chunk
    plus the sieve's state (as in :func:`stream_shards`), never the file. The answer is the
    one :class:`StreamingMaximizer` gives on the whole objective with the items in file order.
    Set-major formats only: FIMI (``.dat``; its universe is learnt by a first pass, as the
    file says it only at the end), OR-Library ``rail`` (the header gives it) and the native
    ``.npz``; element-major ``scp`` files list sets only at the end of the file, so shard
    them first (``submodkit shard``) and use :func:`stream_shards`.

    Parameters
    ----------
    path : str or path-like
        The instance file.
    k : int
        Cardinality.
    algorithm : {"sieve++", "sieve"}, keyword-only
    epsilon : float, default 0.1, keyword-only
    format : str, default "auto", keyword-only
        The file format (detected by default).
    chunk_bytes : int, optional, keyword-only
        Bytes of text read at a time (default 4 MiB).

    Returns
    -------
    Solution
        The selection (set ids: positions in the file), value and guarantee
        ``1/2 - epsilon``.

    Examples
    --------
    >>> from submodkit.instances import bundled
    >>> len(stream_file(bundled("rail507"), 10).selection)
    10

    References
    ----------
    .. [1] Kazemi, Mitrovic, Zadimoghaddam, Lattanzi, Karbasi, "Submodular streaming in all
       its glory", ICML 2019.
    """
    from submodkit.instances.shards import stream_sets

    start = time.perf_counter()
    stream = stream_sets(path, format=format, chunk_bytes=chunk_bytes)
    sol = _sieve_over_blocks(stream.blocks(), stream.universe, stream.weights, k, algorithm, epsilon,
                             str(path))
    sol.stats.update({"seconds": time.perf_counter() - start, "file": str(path)})
    return sol


def _sieve_over_blocks(blocks, u: int, w: np.ndarray, k: int, algorithm: str, epsilon: float, where: str):
    """Sieve over ``(global ids, CSR rows)`` blocks: the kernels see the kept sets plus the
    current block, renumbered after each block."""
    import scipy.sparse as sp

    from submodkit.objectives.coverage import Coverage

    kept_ids = np.zeros(0, dtype=np.int64)
    kept_rows = sp.csr_matrix((0, u))
    sm, peak, n = None, 0, 0
    for ids, sets in blocks:
        rows = sp.vstack([kept_rows, sets], format="csr")
        f = Coverage(rows, weights=w, n_elements=u)
        if sm is None:
            sm = StreamingMaximizer(f, k, algorithm=algorithm, epsilon=epsilon)
        sm.objective = f
        sm.update(np.arange(kept_ids.shape[0], f.n, dtype=np.int64))
        all_ids = np.concatenate([kept_ids, np.asarray(ids, dtype=np.int64)])
        kept = _renumber_kept(sm)
        kept_ids, kept_rows = all_ids[kept], rows[kept]
        peak = max(peak, int(kept.shape[0]))
        n += int(sets.shape[0])
    if sm is None:
        raise InvalidParameterError("data", where, "at least one set")
    sol = sm.solution()
    sol.selection = kept_ids[sol.selection]
    sol.stats.update({"n": n, "peak_kept_sets": peak})
    return sol


def _renumber_kept(sm: StreamingMaximizer) -> np.ndarray:
    """The items the sieve still refers to (live slots and the best evicted set), increasing;
    its references are renumbered to positions in that array."""
    live = np.flatnonzero(sm._slot_exp != _DEAD)
    best = int(sm._ints[SK.I_BEST_SIZE])
    kept = sm.kept_items()
    for s in live:
        sm._sels[s, : sm._sizes[s]] = np.searchsorted(kept, sm._sels[s, : sm._sizes[s]])
    sm._best_sel[:best] = np.searchsorted(kept, sm._best_sel[:best])
    return kept
