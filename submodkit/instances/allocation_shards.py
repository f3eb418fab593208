"""Allocation instances on storage, one file per impression shard: what a worker of the
distributed proportional allocation reads (its own shard, nothing else).

A shard folder holds ``manifest.json`` (``kind: "allocation-eligibility"``, the advertisers'
capacities, the number of impressions and one entry per part: file and rows) and one
``part-NNNNN.npz`` per part with the CSR arrays ``indptr`` and ``indices`` (int64, no
pickles) of its impressions' eligible advertisers.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._npz import is_csr_structure, load_npz
from submodkit.instances.allocation import AllocationInstance

KIND = "allocation-eligibility"


@dataclass(frozen=True)
class AllocationShards:
    """An allocation shard folder, opened: capacities and where each part lives.

    Attributes
    ----------
    folder : Path
    budgets : ndarray of float64
        The advertisers' capacities.
    n_arrivals : int
    paths : tuple of Path
        One file per part, in row order.
    rows : tuple of int
        Impressions per part.
    """

    folder: Path
    budgets: np.ndarray
    n_arrivals: int
    paths: tuple[Path, ...]
    rows: tuple[int, ...]

    @property
    def n_advertisers(self) -> int:
        return int(self.budgets.shape[0])

    @property
    def n_parts(self) -> int:
        return len(self.paths)


def write_allocation_shards(instance: AllocationInstance, out: str | os.PathLike, *, n_parts: int,
                            overwrite: bool = False) -> AllocationShards:
    """Write ``instance``'s eligibility in ``n_parts`` contiguous impression shards to the folder
    ``out`` (which must not exist, unless ``overwrite``).

    Parameters
    ----------
    instance : AllocationInstance
    out : path-like
    n_parts : int, keyword-only
        Shards of contiguous impressions (>= 1).
    overwrite : bool, default False, keyword-only

    Returns
    -------
    AllocationShards
        The folder, opened.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from submodkit.instances.allocation import upper_triangular_instance
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "shards"
    >>> shards = write_allocation_shards(upper_triangular_instance(10), out, n_parts=3)
    >>> shards.n_parts, shards.rows, shards.n_advertisers
    (3, (3, 3, 4), 10)
    """
    n_parts = check_int("n_parts", n_parts, minimum=1)
    folder = Path(out)
    if folder.exists():
        if not overwrite:
            raise InvalidParameterError("out", str(folder),
                                        "a folder that does not exist (or overwrite=True)")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    indptr, indices, _, _ = instance.arrays()
    t = instance.n_arrivals
    cuts = np.linspace(0, t, min(n_parts, max(t, 1)) + 1).astype(np.int64)
    parts = []
    for p, (lo, hi) in enumerate(zip(cuts[:-1], cuts[1:], strict=True)):
        name = f"part-{p:05d}.npz"
        np.savez(folder / name, indptr=(indptr[lo:hi + 1] - indptr[lo]).astype(np.int64),
                 indices=indices[indptr[lo]:indptr[hi]].astype(np.int64))
        parts.append({"file": name, "rows": int(hi - lo)})
    manifest = {"kind": KIND, "n_arrivals": int(t), "n_advertisers": instance.n_advertisers,
                "budgets": [float(b) for b in instance.budgets], "parts": parts}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return open_allocation_shards(folder)


def open_allocation_shards(folder: str | os.PathLike) -> AllocationShards:
    """Open a folder written by :func:`write_allocation_shards` (reads the manifest only).

    Raises
    ------
    InstanceFormatError
        A manifest that is not one (names the file and what was expected).
    """
    path = Path(folder) / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise InstanceFormatError(path, None, "an allocation shard folder's manifest.json",
                                  "no such file") from None
    except (ValueError, RecursionError) as exc:  # not UTF-8 / JSON, too deep, a 4,300+ digit integer
        raise InstanceFormatError(path, None, "a JSON manifest", str(exc)[:80]) from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        found = manifest.get("kind") if isinstance(manifest, dict) else manifest
        raise InstanceFormatError(path, None, f"kind {KIND!r}", repr(found))
    try:
        budgets = np.asarray(manifest["budgets"], dtype=np.float64)
        parts, n_arrivals = manifest["parts"], manifest["n_arrivals"]
    except (KeyError, TypeError, ValueError) as exc:
        raise InstanceFormatError(path, None, "budgets, parts (file, rows) and n_arrivals",
                                  repr(exc)) from None
    # every part a file of this folder (a plain name: nothing read from elsewhere) and its
    # rows an integer count, as write_allocation_shards writes them
    if not (isinstance(parts, list) and parts and all(
            isinstance(p, dict) and _is_count(p.get("rows")) and isinstance(p.get("file"), str)
            and Path(p["file"]).name == p["file"] and p["file"] not in ("", ".", "..") for p in parts)):
        raise InstanceFormatError(path, None, "parts: a non-empty list of {file: a file name in the folder, "
                                  "rows: an integer count}", repr(parts)[:80])
    if not _is_count(n_arrivals):
        raise InstanceFormatError(path, None, "n_arrivals: an integer count", repr(n_arrivals)[:80])
    rows = tuple(p["rows"] for p in parts)
    paths = tuple(Path(folder) / p["file"] for p in parts)
    budgets_ok = budgets.ndim == 1 and bool(np.all(np.isfinite(budgets))) and not np.any(budgets < 0)
    if not budgets_ok or sum(rows) != n_arrivals or any(r < 0 for r in rows):
        raise InstanceFormatError(path, None,
                                  "non-negative finite budgets and part rows summing to n_arrivals")
    return AllocationShards(Path(folder), budgets, n_arrivals, paths, rows)


def read_allocation_shard(path: str | os.PathLike, rows: int, n_advertisers: int) -> sp.csr_matrix:
    """One part's 0/1 eligibility matrix, checked against its manifest entry (``rows``
    impressions, advertiser indices below ``n_advertisers``) before anything uses it.

    Raises
    ------
    InstanceFormatError
        A file that is not the part it should be.
    """
    part = load_npz(path, "an .npz part", ("indptr", "indices"))
    indptr, indices = part["indptr"], part["indices"]
    if not is_csr_structure(indptr, indices, rows, n_advertisers):
        raise InstanceFormatError(path, None, f"integer indptr of {rows + 1} non-decreasing offsets from 0 "
                                  f"to {indices.size} and advertiser indices in [0, {n_advertisers})")
    return sp.csr_matrix((np.ones(indices.size), indices.astype(np.int64), indptr.astype(np.int64)),
                         shape=(rows, n_advertisers))


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
