"""Instances: problem objects, file readers, the native format, generators, bundled files."""

from __future__ import annotations

from pathlib import Path

from submodkit.errors import InvalidParameterError
from submodkit.instances.adx import AdxTypes, adx_publishers, adx_types, read_adx
from submodkit.instances.allocation import (
    AllocationInstance,
    random_allocation_instance,
    upper_triangular_instance,
)
from submodkit.instances.allocation_shards import (
    AllocationShards,
    open_allocation_shards,
    write_allocation_shards,
)
from submodkit.instances.edges import EdgeList, as_edge_list
from submodkit.instances.generators import (
    gmm_tight_dispersion,
    greedy_tight_max_cover,
    greedy_tight_set_cover,
    random_graph,
    random_points,
    random_set_system,
    sieve_tight_stream,
    tile_set_system,
)
from submodkit.instances.native import load, save
from submodkit.instances.online import (
    OnlineInstance,
    balance_tight,
    greedy_tight_online,
    random_online,
    upper_triangular,
)
from submodkit.instances.packing import PackingInstance, random_packing_instance
from submodkit.instances.pages import PageInstance, random_page_instance, read_pages, write_pages
from submodkit.instances.problems import Graph, PointSet, SetSystem, Similarity
from submodkit.instances.readers import (
    FORMATS,
    read_edgelist,
    read_fimi,
    read_instance,
    read_matching_solution,
    read_orlib_rail,
    read_orlib_scp,
    read_points,
)
from submodkit.instances.shards import Shards, open_shards, shard_file, write_shards
from submodkit.instances.welfare import read_welfare, write_welfare

DATA_DIR = Path(__file__).resolve().parent / "data"


def _bundled_files() -> dict[str, Path]:
    files = sorted(p for p in DATA_DIR.iterdir() if p.is_file() and not p.name.startswith("."))
    names: dict[str, Path] = {}
    for p in files:
        names[p.name] = p
        stem = p.name[:-3] if p.name.endswith(".gz") else p.name
        names.setdefault(stem, p)
        names.setdefault(stem.split(".")[0], p)
    return names


def bundled_names() -> list[str]:
    """Short names of the instance files shipped with submodkit (``"scp41"``, ...).

    Returns
    -------
    list of str
        Sorted short names (the file names up to their first dot).

    Examples
    --------
    >>> bundled_names()
    ['rail507', 'scp41']
    """
    return sorted({p.name.split(".")[0] for p in _bundled_files().values()})


def bundled(name: str) -> Path:
    """Path of a bundled instance file, by short name (``"scp41"``) or file name.

    Parameters
    ----------
    name : str
        A short name (:func:`bundled_names`), a file name, or a file name without ``.gz``.

    Returns
    -------
    pathlib.Path
        The file in `DATA_DIR`.

    Raises
    ------
    InvalidParameterError
        For a name that is not bundled (the message lists those that are).

    Examples
    --------
    >>> bundled("scp41").name
    'scp41.txt.gz'

    References
    ----------
    .. [1] Beasley, "OR-Library: distributing test problems by electronic mail", J. Oper.
       Res. Soc. 41 (1990) (scp41, rail507).
    """
    files = _bundled_files() if DATA_DIR.is_dir() else {}
    if not isinstance(name, str) or name not in files:
        raise InvalidParameterError(
            "name", name, "a bundled instance: one of " + ", ".join(bundled_names() or ["(none)"])
        )
    return files[name]


def load_bundled(name: str):
    """Read a bundled instance (see :func:`bundled`) into its problem object.

    Parameters
    ----------
    name : str
        As for :func:`bundled`.

    Returns
    -------
    SetSystem, Graph or PointSet
        What :func:`read_instance` returns for the file.

    Examples
    --------
    >>> load_bundled("scp41")
    SetSystem(name='scp41', n_sets=1000, n_elements=200, nnz=4009)

    References
    ----------
    .. [1] Beasley, "OR-Library: distributing test problems by electronic mail", J. Oper.
       Res. Soc. 41 (1990).
    """
    return read_instance(bundled(name))


__all__ = [
    "OnlineInstance",
    "balance_tight",
    "gmm_tight_dispersion",
    "sieve_tight_stream",
    "greedy_tight_online",
    "random_online",
    "upper_triangular",
    "AdxTypes",
    "adx_publishers",
    "adx_types",
    "read_adx",
    "DATA_DIR",
    "FORMATS",
    "Graph",
    "PointSet",
    "SetSystem",
    "Similarity",
    "bundled",
    "bundled_names",
    "greedy_tight_max_cover",
    "greedy_tight_set_cover",
    "load",
    "load_bundled",
    "random_graph",
    "random_points",
    "random_set_system",
    "tile_set_system",
    "read_edgelist",
    "read_fimi",
    "read_instance",
    "read_matching_solution",
    "read_orlib_rail",
    "read_orlib_scp",
    "read_points",
    "save",
    "AllocationInstance",
    "random_allocation_instance",
    "AllocationShards",
    "open_allocation_shards",
    "write_allocation_shards",
    "upper_triangular_instance",
    "EdgeList",
    "as_edge_list",
    "PackingInstance",
    "random_packing_instance",
    "PageInstance",
    "random_page_instance",
    "read_pages",
    "write_pages",
    "read_welfare",
    "write_welfare",
    "Shards",
    "open_shards",
    "shard_file",
    "write_shards",
]
