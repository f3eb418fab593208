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
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.solution import Solution
from submodkit.solvers import streaming_kernels as SK

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

    ``m`` is the largest singleton value seen so far and ``LB`` the best set value so far.
    Each arriving item costs one singleton evaluation plus one gain evaluation per live
    threshold: ``O(log(k) / epsilon)`` gain evaluations, each one kernel call of
    :mod:`submodkit.objectives.kernels`. Memory: ``O(log(k) / epsilon)`` state vectors of
    the objective (``states``, a 2-D array ``[n_slots, state_size]``) and the kept items.

    Items are processed one by one in arrival order, so the result does not depend on
    how the stream is cut into ``update`` calls. ``save`` / ``load`` keep the whole state
    in a ``.npz`` file, so a long stream survives a restart.

    Args:
        objective: the objective whose items (indices ``0..n-1``) arrive.
        k: the cardinality bound.
        algorithm: ``"sieve++"`` or ``"sieve"``.
        epsilon: in (0, 1).

    Example:
        >>> from submodkit import Coverage
        >>> sm = StreamingMaximizer(Coverage([[0, 1, 2], [2, 3], [3, 4]]), k=2)
        >>> sm.update([0, 1]); sm.update([2])
        >>> sm.solution().value
        5.0
    """

    def __init__(self, objective: Objective, k: int, algorithm: str = "sieve++", epsilon: float = 0.1):
        if not isinstance(objective, Objective):
            raise InvalidParameterError("objective", objective, "a submodkit Objective")
        self.objective = objective
        self.k = check_int("k", k)
        self.algorithm = check_choice("algorithm", algorithm, tuple(ALGORITHMS))
        self.epsilon = check_real(
            "epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True
        )
        self.log_base = math.log1p(self.epsilon)
        n_slots = int(math.ceil(math.log(2.0 * max(self.k, 1)) / self.log_base)) + 4
        kk = max(self.k, 1)
        self._empty = objective.new_state()
        self.slot_exp = np.full(n_slots, np.iinfo(np.int64).min, dtype=np.int64)
        self.states = np.empty((n_slots, objective.state_size), dtype=np.float64)
        self.sizes = np.zeros(n_slots, dtype=np.int64)
        self.values = np.zeros(n_slots, dtype=np.float64)
        self.sels = np.zeros((n_slots, kk), dtype=np.int64)
        self.gains = np.zeros((n_slots, kk), dtype=np.float64)
        self.scal = np.zeros(3, dtype=np.float64)
        self.ints = np.zeros(7, dtype=np.int64)
        self.best_sel = np.zeros(kk, dtype=np.int64)
        self.best_gains = np.zeros(kk, dtype=np.float64)
        self.seconds = 0.0

    @property
    def n_slots(self) -> int:
        """Number of threshold slots (the most thresholds alive at once)."""
        return int(self.slot_exp.shape[0])

    @property
    def items_seen(self) -> int:
        return int(self.ints[SK.I_ITEMS])

    @property
    def max_singleton(self) -> float:
        """The largest singleton value seen so far."""
        return float(self.scal[SK.S_M])

    def update(self, indices) -> None:
        """Process the items ``indices`` (indices of the objective), in order."""
        items = check_selection("indices", indices, self.objective.n)
        start = time.perf_counter()
        SK.sieve_update(
            *self.objective.kernel_args(), self._empty,
            items, self.k, self.log_base, self.algorithm == "sieve++",
            self.slot_exp, self.states, self.sizes, self.values, self.sels, self.gains,
            self.scal, self.ints, self.best_sel, self.best_gains,
        )
        self.seconds += time.perf_counter() - start

    def _best(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The best kept set: the live slot of largest value (ties: smallest threshold),
        unless a set evicted earlier was strictly better."""
        live = np.flatnonzero(self.slot_exp != np.iinfo(np.int64).min)
        best_val, sel, gains = 0.0, np.zeros(0, dtype=np.int64), np.zeros(0)
        if live.size:
            order = live[np.lexsort((self.slot_exp[live], -self.values[live]))]
            s = int(order[0])
            best_val = float(self.values[s])
            sel, gains = self.sels[s, : self.sizes[s]], self.gains[s, : self.sizes[s]]
        if self.scal[SK.S_BEST] > best_val:
            size = int(self.ints[SK.I_BEST_SIZE])
            best_val = float(self.scal[SK.S_BEST])
            sel, gains = self.best_sel[:size], self.best_gains[:size]
        return sel.copy(), gains.copy(), best_val

    def solution(self) -> Solution:
        """The best set kept so far, with the guarantee ``1/2 - epsilon`` (monotone submodular)."""
        sel, gains, value = self._best()
        if self.objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
            value = float(self.objective.evaluate(sel))
        name = ALGORITHMS[self.algorithm]
        ok = self.objective.monotone and self.objective.submodular
        live = self.slot_exp != np.iinfo(np.int64).min
        return Solution(
            selection=sel,
            gains=gains,
            value=float(value),
            algorithm=name,
            guarantee=guarantee(name, epsilon=self.epsilon) if ok else None,
            stats={
                "evaluations": int(self.ints[SK.I_EVALS]),
                "items": self.items_seen,
                "thresholds": int(live.sum()),
                "stored_items": int(self.sizes[live].sum()),
                "peak_stored_items": int(self.ints[SK.I_PEAK]),
                "state_bytes": int(self.states.nbytes),
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
            "slot_exp": self.slot_exp, "states": self.states, "sizes": self.sizes,
            "values": self.values, "sels": self.sels, "gains": self.gains, "scal": self.scal,
            "ints": self.ints, "best_sel": self.best_sel, "best_gains": self.best_gains,
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
        """
        try:
            with np.load(path, allow_pickle=False) as npz:
                fields = {key: npz[key] for key in npz.files}
            header = json.loads(fields["header"].item())
        except FileNotFoundError:
            raise
        except Exception:  # numpy raises many types for a file that is not an .npz archive
            header = {}
        if header.get("format") != _FORMAT or header.get("version", 99) > _VERSION:
            raise InvalidParameterError("path", str(path), "a file written by StreamingMaximizer.save")
        if objective is None:
            if header["objective"] is None:
                raise InvalidParameterError(
                    "objective", None, "the stream's objective (the file was saved without it)"
                )
            objective = _objective_from(header["objective"], fields)
        elif _fingerprint(objective) != header["fingerprint"]:
            raise InvalidParameterError("objective", objective, "the objective the saved stream ran on")
        sm = cls(objective, header["k"], header["algorithm"], header["epsilon"])
        for name in ("slot_exp", "states", "sizes", "values", "sels", "gains", "scal", "ints",
                     "best_sel", "best_gains"):
            arr = np.ascontiguousarray(fields[name])
            if arr.shape != getattr(sm, name).shape:
                raise InvalidParameterError(name, arr.shape, f"shape {getattr(sm, name).shape}")
            setattr(sm, name, arr)
        sm.seconds = float(header["seconds"])
        return sm


def _fingerprint(objective: Objective) -> str:
    h = hashlib.sha1()
    h.update(repr((objective.kind, objective.agg, objective.phi, tuple(objective.shape))).encode())
    for name in _OBJECTIVE_ARRAYS:
        h.update(np.ascontiguousarray(getattr(objective, name)).view(np.uint8).data)
    return h.hexdigest()


def _objective_from(meta: dict, fields: dict) -> Objective:
    obj = Objective.__new__(Objective)
    obj.kind, obj.agg, obj.phi = int(meta["kind"]), int(meta["agg"]), int(meta["phi"])
    obj.shape = tuple(int(s) for s in meta["shape"])
    for name in _OBJECTIVE_ARRAYS:
        setattr(obj, name, np.ascontiguousarray(fields[f"objective.{name}"]))
    obj.monotone, obj.submodular = bool(meta["monotone"]), bool(meta["submodular"])
    obj.name = str(meta["name"])
    return obj
