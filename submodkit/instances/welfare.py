"""Welfare instance files: items to agents with two coverage valuations each.

One ``.npz`` of plain arrays (no pickles): for each objective (``first``, ``second``) and
agent i, the items' element sets as CSR (``{objective}{i}_indptr``, ``{objective}{i}_indices``)
and the element weights (``{objective}{i}_weights``); ``agents`` and ``items`` as scalars.
Each valuation is a pair ``(sets, weights)`` (``sets``: items x elements, CSR 0/1), what
``Coverage(sets, weights=weights)`` takes; ``submodkit solve FILE --problem
bi-objective-welfare`` reads the file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._npz import is_csr_structure, load_npz

OBJECTIVES = ("first", "second")

Valuation = tuple[sp.csr_matrix, np.ndarray]
"""One agent's coverage valuation: its items' element sets (items x elements) and weights."""


def write_welfare(path: str | os.PathLike, first: Sequence[Valuation], second: Sequence[Valuation]) -> Path:
    """Write two coverage valuations per agent (the same agents and items) to ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> sets = sp.csr_matrix([[1, 0], [0, 1]])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a, b = read_welfare(write_welfare(pathlib.Path(d) / "w.npz", [(sets, [1.0, 2.0])],
    ...                                       [(sets, [1.0, 1.0])]))
    ...     len(a), a[0][0].shape, a[0][1].tolist()
    (1, (2, 2), [1.0, 2.0])
    """
    if len(first) != len(second) or not first:
        raise InvalidParameterError("second", f"{len(second)} agents",
                                    f"{len(first)} agents (>= 1) like first")
    items = sp.csr_matrix(first[0][0]).shape[0]
    if items < 1:
        raise InvalidParameterError("first", "valuations over 0 items", "at least one item")
    arrays: dict[str, np.ndarray] = {"agents": np.array(len(first)), "items": np.array(items)}
    for name, valuations in zip(OBJECTIVES, (first, second), strict=True):
        for i, (sets, weights) in enumerate(valuations):
            csr = sp.csr_matrix(sets)
            w = np.asarray(weights, dtype=np.float64)
            if csr.shape != (items, w.size):
                raise InvalidParameterError(f"{name}[{i}]", f"sets {csr.shape}, {w.size} weights",
                                            f"{items} items x one weight per element")
            csr.sort_indices()
            arrays[f"{name}{i}_indptr"] = csr.indptr.astype(np.int64)
            arrays[f"{name}{i}_indices"] = csr.indices.astype(np.int64)
            arrays[f"{name}{i}_weights"] = w
    path = Path(path)
    np.savez(path, **arrays)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def read_welfare(path: str | os.PathLike) -> tuple[list[Valuation], list[Valuation]]:
    """The two lists of valuations of a file of :func:`write_welfare`; a damaged or foreign
    file is an :class:`~submodkit.errors.InstanceFormatError` naming it.

    Examples
    --------
    >>> read_welfare("missing.npz")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    submodkit.errors.InstanceFormatError: missing.npz: expected a readable welfare file (.npz)
    """
    path = Path(path)
    data = load_npz(path, "a readable welfare file (.npz)")
    agents, items = data.get("agents"), data.get("items")
    scalars = agents is not None and items is not None and agents.ndim == 0 and items.ndim == 0
    if not scalars or agents.dtype.kind not in "iu" or items.dtype.kind not in "iu" or int(agents) < 1 \
            or int(items) < 1:
        raise InstanceFormatError(path, None, "integer scalars 'agents' and 'items' (each >= 1)")
    out: list[list[Valuation]] = []
    for name in OBJECTIVES:
        valuations = []
        for i in range(int(agents)):
            keys = [f"{name}{i}_{part}" for part in ("indptr", "indices", "weights")]
            if any(k not in data for k in keys):
                raise InstanceFormatError(path, None, f"the arrays {', '.join(keys)}")
            indptr, indices, weights = (data[k] for k in keys)
            with np.errstate(over="ignore"):  # a total that overflows is refused below
                ok = (weights.ndim == 1 and weights.dtype.kind == "f" and np.all(np.isfinite(weights))
                      and np.all(weights >= 0) and np.isfinite(np.sum(weights))
                      and is_csr_structure(indptr, indices, int(items), weights.size))
            if not ok:
                raise InstanceFormatError(path, None, f"{name}{i}: item sets as CSR over its {weights.size} "
                                          "elements with finite non-negative weights (a finite total)")
            sets = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(int(items), weights.size))
            valuations.append((sets, weights))
        out.append(valuations)
    return out[0], out[1]
