"""Fuzz the ``submodkit`` command with malformed instance files and bad options.

Every reader (OR-Library scp and rail, FIMI ``.dat``, SNAP edge list, DIMACS ``.edge``,
points ``.csv`` / ``.npy``, native ``.npz`` / ``.json`` / ``.json.gz``, AdX publisher
directory) gets truncated, corrupted, gzip-damaged, oversized-header, non-finite, huge,
negative and out-of-range variants, each run through ``submodkit solve ... --json`` for
every ``--problem`` that applies to its kind, in a subprocess with a wall-time cap and an
address-space cap. Each run is classified:

- ``exit2-one-line``: the contract (status 2, one stderr line ``submodkit: error: ...``);
- ``ok``: status 0 with strict JSON on stdout and nothing on stderr, acceptable only for
  cases marked valid (sparse ids, huge but finite numbers: a correct answer is fine);
- ``traceback``, ``other-exit``, ``killed/oom/timeout``, ``memory-over-bound`` (peak RSS
  above ``--mem-bound-mb``), ``warnings-before-error`` (extra stderr lines),
  ``invalid-json`` (status 0 but stdout is not strict JSON).

Usage (the checkout under test is imported: run from its root, it goes first on the path)::

    python scripts/fuzz_cli.py --repo /work/pristine      # counts before the fixes
    python scripts/fuzz_cli.py --repo .                   # counts after
    python scripts/fuzz_cli.py --repo . --filter snap/ --verbose

The case list is also used in-process by ``tests/test_fuzz_cli.py`` (see :func:`cases`,
:func:`runs`, :func:`materialize`, :func:`classify`).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIVERSITY = (
    "max-min-diversity", "max-sum-diversity", "sum-min-diversity", "remote-tree-diversity",
    "remote-star-diversity", "remote-cycle-diversity",
)
SET_PROBLEMS = ("set-cover", "max-cover", "facility-location")
GRAPH_PROBLEMS = ("matching", "max-cover", "set-cover", "facility-location")
POINT_PROBLEMS = ("facility-location", *DIVERSITY)
NEEDS_K = ("max-cover", "facility-location", *DIVERSITY)

CLASSES = (
    "exit2-one-line", "ok", "traceback", "other-exit", "killed/oom/timeout", "memory-over-bound",
    "warnings-before-error", "invalid-json",
)
GOOD = ("exit2-one-line", "ok")

BIG = 10**12
HUGE = 10**23
NEAR62 = 2**62 - 3
FORTY = "1" + "2" * 39  # a 40-digit number


@dataclass(frozen=True)
class Case:
    """One malformed input.

    Attributes:
        name: ``reader/variant``.
        files: (relative path, content) pairs written under the case's directory.
        target: the FILE argument, relative to that directory.
        problems: the ``--problem`` values to run it with.
        extra: more arguments.
        valid: whether a correct answer (status 0, strict JSON) is acceptable too.
        command: ``solve`` or ``verify``.
    """

    name: str
    files: tuple[tuple[str, bytes], ...]
    target: str
    problems: tuple[str, ...]
    extra: tuple[str, ...] = ()
    valid: bool = False
    command: str = "solve"


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _gz_garbage_body(data: bytes) -> bytes:
    """A gzip header followed by bytes that are no deflate stream (``zlib.error``)."""
    return _gz(data)[:10] + b"\xff\xfe\xfd\xfc" * 8


def _gz_flipped(data: bytes) -> bytes:
    raw = bytearray(_gz(data * 4))
    mid = 10 + (len(raw) - 18) // 2
    for i in range(mid, min(mid + 6, len(raw) - 8)):
        raw[i] ^= 0xA5
    return bytes(raw)


def _generic(prefix: str, name: str, valid: bytes, problems, extra=(),
             lines_format: bool = False) -> list[Case]:
    """Format-independent damage: truncation, corrupted bytes, damaged gzip. In a
    ``lines_format`` (one record per line, no header) a truncated file may still be valid."""
    at = len(valid) * 3 // 4  # inside the data, past any header or comment
    variants = {
        "empty": (name, b""),
        "truncated-half": (name, valid[: len(valid) // 2]),
        "truncated-last": (name, valid.rstrip()[:-1]),
        "binary-garbage": (name, bytes(range(256)) * 3),
        "nul-bytes": (name, valid[:at] + b"\x00\x00\xff" + valid[at + 3:]),
        "utf8-junk": (name, valid[:at] + "\u00e9\u20ac\u2603".encode() + valid[at:]),
        "gzip-garbage-body": (name + ".gz", _gz_garbage_body(valid)),
        "gzip-flipped": (name + ".gz", _gz_flipped(valid)),
        "gzip-truncated": (name + ".gz", _gz(valid)[:-9]),
        "gzip-empty-member": (name + ".gz", b"\x1f\x8b"),
    }
    return [
        Case(f"{prefix}/{v}", ((fname, data),), fname, tuple(problems), tuple(extra),
             valid=lines_format and v.startswith("truncated"))
        for v, (fname, data) in variants.items()
    ]


def _text_cases(prefix: str, name: str, problems, texts: dict[str, str | bytes], valid=(),
                extra=()) -> list[Case]:
    out = []
    for v, text in texts.items():
        data = text.encode() if isinstance(text, str) else text
        out.append(Case(f"{prefix}/{v}", ((name, data),), name, tuple(problems), tuple(extra),
                        valid=v in valid))
    return out


# --- OR-Library scp / rail, FIMI ------------------------------------------------------------

SCP_OK = "3 4\n1 2 3 4\n2 1 2\n2 2 3\n2 3 4\n"
RAIL_OK = "3 2\n1 2 1 3\n2.5 1 2\n"
FIMI_OK = "1 3 3\n\n0 5\n2 4\n"


def _scp_cases() -> list[Case]:
    texts = {
        "rows-1e12": f"{BIG} 4\n1 2 3 4\n2 1 2\n",
        "cols-1e12": f"3 {BIG}\n1 2 3 4\n2 1 2\n",
        "rows-1e23": f"{HUGE} 4\n1 2 3 4\n",
        "cols-near-2^62": f"3 {NEAR62}\n1 2 3 4\n",
        "header-float": "3.5 4\n1 2 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "header-negative": "-3 4\n1 2 3 4\n",
        "cost-nan": "3 4\n1 nan 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "cost-inf": "3 4\n1 inf 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "cost-1e400": "3 4\n1 1e400 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "cost-negative": "3 4\n1 -2 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "cost-1e300": "3 4\n1 1e300 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "cost-all-1e308": "3 4\n1e308 1e308 1e308 1e308\n2 1 2\n2 2 3\n2 3 4\n",
        "cost-40-digits": f"3 4\n1 {FORTY} 3 4\n2 1 2\n2 2 3\n2 3 4\n",
        "count-1e12": f"3 4\n1 2 3 4\n{BIG} 1 2\n2 2 3\n2 3 4\n",
        "count-negative": "3 4\n1 2 3 4\n-2 1 2\n2 2 3\n2 3 4\n",
        "col-zero": "3 4\n1 2 3 4\n2 0 2\n2 2 3\n2 3 4\n",
        "col-out-of-range": "3 4\n1 2 3 4\n2 1 9\n2 2 3\n2 3 4\n",
        "col-near-2^62": f"3 4\n1 2 3 4\n2 1 {NEAR62}\n2 2 3\n2 3 4\n",
        "col-40-digits": f"3 4\n1 2 3 4\n2 1 {FORTY}\n2 2 3\n2 3 4\n",
        "col-fraction": "3 4\n1 2 3 4\n2 1 1.5\n2 2 3\n2 3 4\n",
        "trailing-junk": SCP_OK + "7 7 7\n",
        "text": "hello world\n",
    }
    valid = ("cost-1e300", "cost-40-digits")
    return (_text_cases("scp", "scp_x.txt", SET_PROBLEMS, texts, valid)
            + _generic("scp", "scp_x.txt", SCP_OK.encode(), SET_PROBLEMS))


def _rail_cases() -> list[Case]:
    texts = {
        "rows-1e12": f"{BIG} 2\n1 2 1 3\n2.5 1 2\n",
        "rows-1e12-row-1e12": f"{BIG} 2\n1 2 1 {BIG}\n2.5 1 2\n",
        "rows-near-2^62": f"{NEAR62} 2\n1 2 1 3\n2.5 1 2\n",
        "rows-1e23": f"{HUGE} 2\n1 2 1 3\n2.5 1 2\n",
        "cols-1e12": f"3 {BIG}\n1 2 1 3\n2.5 1 2\n",
        "cost-nan": "3 2\nnan 2 1 3\n2.5 1 2\n",
        "cost-negative": "3 2\n-1 2 1 3\n2.5 1 2\n",
        "cost-1e300": "3 2\n1e300 2 1 3\n2.5 1 2\n",
        "cost-40-digits": f"3 2\n{FORTY} 2 1 3\n2.5 1 2\n",
        "count-1e12": f"3 2\n1 {BIG} 1 3\n2.5 1 2\n",
        "count-fraction": "3 2\n1 1.5 1 3\n2.5 1 2\n",
        "row-zero": "3 2\n1 2 0 3\n2.5 1 2\n",
        "row-out-of-range": "3 2\n1 2 1 4\n2.5 1 2\n",
        "row-near-2^62": f"3 2\n1 2 1 {NEAR62}\n2.5 1 2\n",
        "row-negative": "3 2\n1 2 1 -3\n2.5 1 2\n",
        "trailing-junk": RAIL_OK + "9\n",
    }
    valid = ("cost-1e300", "cost-40-digits")
    return (_text_cases("rail", "rail_x.txt", SET_PROBLEMS, texts, valid)
            + _generic("rail", "rail_x.txt", RAIL_OK.encode(), SET_PROBLEMS))


def _fimi_cases() -> list[Case]:
    texts = {
        "item-1e12": f"1 3\n{BIG}\n",
        "item-20000000": "1 20000000\n0 1\n",
        "item-near-2^62": f"1 {NEAR62}\n",
        "item-2^63": f"1 {2**63}\n",
        "item-1e23": f"1 {HUGE}\n",
        "item-40-digits": f"1 {FORTY}\n",
        "item-negative": "1 -3\n",
        "item-fraction": "1 2.5\n",
        "item-nan": "1 nan\n",
        "item-inf": "1 inf\n",
        "items-only-blank": "\n\n\n",
        "text": "apple banana\n",
    }
    return (_text_cases("fimi", "x.dat", SET_PROBLEMS, texts)
            + _generic("fimi", "x.dat", FIMI_OK.encode(), SET_PROBLEMS, lines_format=True))


# --- graphs ------------------------------------------------------------------------------------

SNAP_OK = "# Nodes: 5 Edges: 3\n0 1\n1 2\n3 4\n"
DIMACS_OK = "c x\np edge 4 2\ne 1 2 5\ne 4 3 7\n"


def _snap_cases() -> list[Case]:
    texts = {
        "nodes-1e23": f"# Nodes: {HUGE} Edges: 1\n0 1\n",
        "nodes-1e12": f"# Nodes: {BIG} Edges: 1\n0 1\n",
        "nodes-2^63": f"# Nodes: {2**63} Edges: 1\n0 1\n",
        "edge-1-20000000": "1 20000000\n",
        "ids-near-2^62": f"{NEAR62} {NEAR62 + 1}\n0 1\n",
        "id-2^63": f"0 {2**63}\n1 2\n",
        "id-1e23": f"0 {HUGE}\n1 2\n",
        "id-40-digits": f"0 {FORTY}\n1 2\n",
        "id-negative": "0 -1\n1 2\n",
        "id-fraction": "0 1.5\n1 2\n",
        "weight-nan": "0 1 nan\n1 2 1\n",
        "weight-inf": "0 1 inf\n1 2 1\n",
        "weight-negative": "0 1 -2\n1 2 1\n",
        "weight-1e300": "0 1 1e300\n1 2 1e300\n2 3 1\n",
        "weight-1e308-pair": "0 1 1e308\n2 3 1e308\n1 2 1\n",
        "weight-40-digits": f"0 1 {FORTY}\n1 2 1\n",
        "ragged": "0 1\n1 2 3 4\n",
        "one-field": "0\n1\n",
        "text": "# c\na b\n",
    }
    valid = ("nodes-1e12", "edge-1-20000000", "ids-near-2^62", "weight-1e300", "weight-1e308-pair",
             "weight-40-digits")
    extra = ("--format", "edgelist")  # "0 1.5" lines would otherwise be detected as points
    return (_text_cases("snap", "g.txt", GRAPH_PROBLEMS, texts, valid, extra)
            + _generic("snap", "g.txt", SNAP_OK.encode(), GRAPH_PROBLEMS, extra))


def _dimacs_cases() -> list[Case]:
    texts = {
        "nodes-1e8": "p edge 100000000 1\ne 1 2\n",
        "nodes-1e12": f"p edge {BIG} 1\ne 1 2\n",
        "nodes-near-2^62": f"p edge {NEAR62} 1\ne 1 {NEAR62}\n",
        "nodes-1e23": f"p edge {HUGE} 1\ne 1 2\n",
        "edges-1e12": f"p edge 4 {BIG}\ne 1 2\n",
        "edges-negative": "p edge 4 -1\ne 1 2\n",
        "header-float": "p edge 4.5 1\ne 1 2\n",
        "id-zero": "p edge 4 1\ne 0 2\n",
        "id-out-of-range": "p edge 4 1\ne 1 5\n",
        "id-1e23": f"p edge 4 1\ne 1 {HUGE}\n",
        "weight-nan": "p edge 4 1\ne 1 2 nan\n",
        "weight-negative": "p edge 4 1\ne 1 2 -5\n",
        "weight-1e300": "p edge 4 2\ne 1 2 1e300\ne 3 4 1e300\n",
        "weight-40-digits": f"p edge 4 1\ne 1 2 {FORTY}\n",
        "missing-e": "p edge 4 2\ne 1 2\n3 4\n",
        "no-header": "e 1 2\n",
    }
    valid = ("nodes-1e8", "nodes-1e12", "nodes-near-2^62", "weight-1e300", "weight-40-digits")
    return (_text_cases("dimacs", "g.edge", GRAPH_PROBLEMS, texts, valid)
            + _generic("dimacs", "g.edge", DIMACS_OK.encode(), GRAPH_PROBLEMS))


# --- points ------------------------------------------------------------------------------------

CSV_OK = "0,0\n0,1\n10,10\n10,11\n5,5\n"


def _csv_cases() -> list[Case]:
    texts = {
        "nan": "0,0\n0,nan\n10,10\n10,11\n",
        "inf": "0,0\n0,inf\n10,10\n10,11\n",
        "1e400": "0,0\n0,1e400\n10,10\n10,11\n",
        "1e300": "0,0\n0,1e300\n10,10\n-1e300,11\n",
        "1e308": "1e308,1e308\n-1e308,-1e308\n1e308,-1e308\n-1e308,1e308\n0,0\n",
        "40-digits": f"0,0\n0,{FORTY}\n10,10\n10,11\n",
        "ragged": "0,0\n0,1,2\n10,10\n",
        "empty-field": "0,0\n0,\n10,10\n",
        "header-only": "x,y\n",
        "text": "a,b\nc,d\n",
    }
    valid = ("1e300", "1e308", "40-digits")
    return (_text_cases("csv", "p.csv", POINT_PROBLEMS, texts, valid)
            + _generic("csv", "p.csv", CSV_OK.encode(), POINT_PROBLEMS, lines_format=True))


def _npy_header(shape, descr="<f8", payload: bytes = b"\0" * 32) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + payload


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def _npy_cases() -> list[Case]:
    ok = np.array([[0, 0], [0, 1], [10, 10], [10, 11], [5, 5]], dtype=np.float64)
    nan = ok.copy()
    nan[1, 1] = np.nan
    variants = {
        "header-1e12-rows": _npy_header((BIG, 2)),
        "header-1e6-square": _npy_header((10**6, 10**6)),
        "header-1e23": _npy_header((HUGE, 2)),
        "header-negative": _npy_header((-5, 2)),
        "header-object": _npy_header((2, 2), descr="|O"),
        "truncated-data": _npy(ok)[:-20],
        "extra-data": _npy(ok) + b"\0" * 64,
        "bad-magic": b"\x93NUMPX" + _npy(ok)[6:],
        "pickle": _npy(np.array([[1, "a"]], dtype=object)),
        "nan": _npy(nan),
        "1e300": _npy(ok * 1e300),
        "1e308": _npy(np.array([[1e308, 1e308], [-1e308, -1e308], [1e308, -1e308], [0, 0]])),
        "one-d": _npy(np.arange(5.0)),
        "three-d": _npy(np.zeros((2, 2, 2))),
        "empty": _npy(np.zeros((0, 2))),
        "complex": _npy(ok.astype(np.complex128)),
        "strings": _npy(np.array([["a", "b"]])),
        "bool": _npy(np.ones((3, 2), dtype=bool)),
        "garbage": bytes(range(256)),
    }
    valid = ("1e300", "1e308", "bool", "extra-data")
    return [Case(f"npy/{v}", (("p.npy", data),), "p.npy", POINT_PROBLEMS, valid=v in valid)
            for v, data in variants.items()]


# --- native ------------------------------------------------------------------------------------

_MAGIC = "submodkit-instance"


def _npz_fields(kind: str, **fields) -> dict[str, np.ndarray]:
    base = {
        "magic": np.array(_MAGIC), "kind": np.array(kind), "format_version": np.array(1),
        "name": np.frombuffer(b"x", dtype=np.uint8), "meta": np.array("{}"),
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def _npz(fields: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **fields)
    return buf.getvalue()


def _graph_fields(edges=((0, 1), (1, 2), (3, 4)), weights=(1.0, 2.0, 3.0), n_nodes=5, **kw):
    edges = edges if isinstance(edges, np.ndarray) else np.array(edges, dtype=np.int64)
    fields = {"edges": edges.reshape(-1, 2),
              "weights": np.array(weights, dtype=np.float64), "n_nodes": np.array(n_nodes, dtype=np.int64)}
    fields.update(kw)
    return _npz_fields("Graph", **fields)


def _setsystem_fields(indptr=(0, 2, 3, 5), indices=(0, 1, 1, 0, 2), shape=(3, 3), costs=(1.0, 2.0, 1.0),
                      weights=(1.0, 1.0, 1.0), data=None, **kw):
    indices = np.array(indices, dtype=np.int64)
    fields = {
        "sets.format": np.array("csr"), "sets.indptr": np.array(indptr, dtype=np.int64),
        "sets.indices": indices,
        "sets.data": np.ones(indices.size) if data is None else np.array(data, dtype=np.float64),
        "sets.shape": np.array(shape, dtype=np.int64), "costs": np.array(costs, dtype=np.float64),
        "weights": np.array(weights, dtype=np.float64),
    }
    fields.update(kw)
    return _npz_fields("SetSystem", **fields)


def _points_fields(features=((0.0, 0.0), (0.0, 1.0), (10.0, 10.0), (5.0, 5.0))):
    return _npz_fields("PointSet", features=np.array(features, dtype=np.float64))


def _similarity_fields(matrix=((1.0, 0.5), (0.5, 1.0))):
    return _npz_fields("Similarity", **{"matrix.format": np.array("dense"),
                                        "matrix": np.array(matrix, dtype=np.float64)})


def _zip_member_with_header(fields: dict[str, np.ndarray], member: str, shape) -> bytes:
    """An .npz whose member ``member`` has an .npy header claiming ``shape`` (little data)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, arr in fields.items():
            data = _npy_header(shape, descr=np.asarray(arr).dtype.str) if key == member else _npy(arr)
            zf.writestr(key + ".npy", data)
    return buf.getvalue()


def _native_npz_cases() -> list[Case]:
    g_ok = _graph_fields()
    s_ok = _setsystem_fields()
    variants: dict[str, tuple[bytes, tuple[str, ...]]] = {
        "graph-n-nodes-1e12": (_npz(_graph_fields(n_nodes=BIG)), GRAPH_PROBLEMS),
        "graph-n-nodes-2^63-1": (_npz(_graph_fields(n_nodes=2**63 - 1)), GRAPH_PROBLEMS),
        "graph-n-nodes-negative": (_npz(_graph_fields(n_nodes=-1)), GRAPH_PROBLEMS),
        "graph-ids-sparse": (_npz(_graph_fields(edges=((1, 20_000_000),), weights=(1.0,),
                                                n_nodes=20_000_001)), GRAPH_PROBLEMS),
        "graph-id-out-of-range": (_npz(_graph_fields(edges=((0, 7),), weights=(1.0,))), GRAPH_PROBLEMS),
        "graph-id-negative": (_npz(_graph_fields(edges=((0, -1),), weights=(1.0,))), GRAPH_PROBLEMS),
        "graph-weight-nan": (_npz(_graph_fields(weights=(1.0, np.nan, 1.0))), GRAPH_PROBLEMS),
        "graph-weight-negative": (_npz(_graph_fields(weights=(1.0, -1.0, 1.0))), GRAPH_PROBLEMS),
        "graph-weight-1e308": (_npz(_graph_fields(weights=(1e308, 1e308, 1e308))), GRAPH_PROBLEMS),
        "graph-edges-float": (_npz(_graph_fields(edges=np.array([[0.5, 1.0]]), weights=(1.0,))),
                              GRAPH_PROBLEMS),
        "graph-edges-3-columns": (_npz(_graph_fields(edges=np.zeros((2, 3), np.int64), weights=(1.0, 1.0))),
                                  GRAPH_PROBLEMS),
        "graph-member-header-1e12": (_zip_member_with_header(g_ok, "edges", (BIG, 2)), GRAPH_PROBLEMS),
        "sets-cost-nan": (_npz(_setsystem_fields(costs=(1.0, np.nan, 1.0))), SET_PROBLEMS),
        "sets-cost-negative": (_npz(_setsystem_fields(costs=(1.0, -1.0, 1.0))), SET_PROBLEMS),
        "sets-cost-1e308": (_npz(_setsystem_fields(costs=(1e308, 1e308, 1e308))), SET_PROBLEMS),
        "sets-weight-inf": (_npz(_setsystem_fields(weights=(1.0, np.inf, 1.0))), SET_PROBLEMS),
        "sets-weight-negative": (_npz(_setsystem_fields(weights=(1.0, -1.0, 1.0))), SET_PROBLEMS),
        "sets-index-out-of-range": (_npz(_setsystem_fields(indices=(0, 1, 1, 0, 9))), SET_PROBLEMS),
        "sets-indptr-decreasing": (_npz(_setsystem_fields(indptr=(0, 3, 2, 5))), SET_PROBLEMS),
        "sets-shape-1e12": (_npz(_setsystem_fields(shape=(3, BIG))), SET_PROBLEMS),
        "sets-shape-2^63-1": (_npz(_setsystem_fields(shape=(3, 2**63 - 1))), SET_PROBLEMS),
        "sets-data-nan": (_npz(_setsystem_fields(data=(1, 1, np.nan, 1, 1))), SET_PROBLEMS),
        "sets-member-header-1e12": (_zip_member_with_header(s_ok, "costs", (BIG,)), SET_PROBLEMS),
        "points-nan": (_npz(_points_fields(((0.0, np.nan), (1.0, 1.0)))), POINT_PROBLEMS),
        "points-1e308": (_npz(_points_fields(((1e308, 1e308), (-1e308, -1e308), (1e308, -1e308),
                                              (0.0, 0.0)))), POINT_PROBLEMS),
        "points-one-d": (_npz(_npz_fields("PointSet", features=np.arange(3.0))), POINT_PROBLEMS),
        "similarity-negative": (_npz(_similarity_fields(((1.0, -0.5), (0.5, 1.0)))), ("facility-location",)),
        "similarity-nan": (_npz(_similarity_fields(((1.0, np.nan), (0.5, 1.0)))), ("facility-location",)),
        "kind-bogus": (_npz(_npz_fields("Bogus")), ("",)),
        "meta-not-json": (_npz(_graph_fields(meta=np.array("{"))), GRAPH_PROBLEMS),
        "pickle-member": (_npz({**g_ok, "edges": np.array([[object(), 1]], dtype=object)}), GRAPH_PROBLEMS),
        "corrupt-zip": (_npz(g_ok)[:40] + b"\xff" * 40 + _npz(g_ok)[80:], GRAPH_PROBLEMS),
        "truncated-zip": (_npz(g_ok)[: len(_npz(g_ok)) // 2], GRAPH_PROBLEMS),
    }
    valid = ("graph-n-nodes-1e12", "graph-ids-sparse", "graph-weight-1e308", "sets-cost-1e308")
    return [Case(f"npz/{v}", (("x.npz", data),), "x.npz", problems, valid=v in valid)
            for v, (data, problems) in variants.items()]


def _array(values, dtype="<f8"):
    arr = np.asarray(values)
    return {"dtype": dtype, "shape": list(arr.shape), "values": arr.tolist()}


def _json_graph(**over) -> dict:
    doc = {"format": _MAGIC, "format_version": 1, "kind": "Graph", "name": "g", "meta": {},
           "edges": _array([[0, 1], [1, 2], [3, 4]], "<i8"), "weights": _array([1.0, 2.0, 3.0]),
           "n_nodes": 5}
    doc.update(over)
    return doc


def _json_sets(**over) -> dict:
    doc = {"format": _MAGIC, "format_version": 1, "kind": "SetSystem", "name": "s", "meta": {},
           "sets": {"format": "csr", "shape": [3, 3], "indptr": _array([0, 2, 3, 5], "<i8"),
                    "indices": _array([0, 1, 1, 0, 2], "<i8"), "data": _array([1.0] * 5)},
           "costs": _array([1.0, 2.0, 1.0]), "weights": _array([1.0, 1.0, 1.0])}
    doc.update(over)
    return doc


def _native_json_cases() -> list[Case]:
    def js(doc) -> bytes:
        return json.dumps(doc).encode()

    nested = b"[" * 200_000 + b"]" * 200_000
    variants: dict[str, tuple[bytes, tuple[str, ...]]] = {
        "nested-arrays": (nested, ("",)),
        "nested-objects": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, ("",)),
        "nested-values": (js(_json_graph(weights={"dtype": "<f8", "shape": [3],
                                                  "values": [[[[[[1.0]]]]]] * 3})), GRAPH_PROBLEMS),
        "kind-list": (js(_json_graph(kind=["x"])), ("",)),
        "kind-object": (js(_json_graph(kind={"a": 1})), ("",)),
        "version-string": (js(_json_graph(format_version="1")), ("",)),
        "version-float": (js(_json_graph(format_version=1.5)), ("",)),
        "format-list": (js(_json_graph(format=[_MAGIC])), ("",)),
        "top-level-list": (js([1, 2, 3]), ("",)),
        "edges-not-object": (js(_json_graph(edges=[[0, 1]])), GRAPH_PROBLEMS),
        "dtype-object": (js(_json_graph(weights=_array([1.0, 2.0, 3.0], "|O"))), GRAPH_PROBLEMS),
        "dtype-list": (js(_json_graph(weights={"dtype": ["<f8"], "shape": [3], "values": [1, 2, 3]})),
                       GRAPH_PROBLEMS),
        "shape-string": (js(_json_graph(weights={"dtype": "<f8", "shape": "3", "values": [1, 2, 3]})),
                         GRAPH_PROBLEMS),
        "shape-1e12": (js(_json_graph(weights={"dtype": "<f8", "shape": [BIG], "values": []})),
                       GRAPH_PROBLEMS),
        "shape-1e23": (js(_json_graph(weights={"dtype": "<f8", "shape": [HUGE], "values": []})),
                       GRAPH_PROBLEMS),
        "values-strings": (js(_json_graph(weights={"dtype": "<f8", "shape": [3], "values": ["a", "b", "c"]})),
                           GRAPH_PROBLEMS),
        "values-huge-int": (js(_json_graph(edges={"dtype": "<i8", "shape": [1, 2], "values": [[0, 10**30]]},
                                           weights=_array([1.0]))), GRAPH_PROBLEMS),
        "values-NaN": (json.dumps(_json_graph(weights={"dtype": "<f8", "shape": [3],
                                                       "values": [1.0, float("nan"), 2.0]})).encode(),
                       GRAPH_PROBLEMS),
        "values-Infinity": (json.dumps(_json_graph(weights={"dtype": "<f8", "shape": [3],
                                                            "values": [1.0, float("inf"), 2.0]})).encode(),
                            GRAPH_PROBLEMS),
        "n-nodes-1e23": (js(_json_graph(n_nodes=HUGE)), GRAPH_PROBLEMS),
        "n-nodes-1e12": (js(_json_graph(n_nodes=BIG)), GRAPH_PROBLEMS),
        "n-nodes-string": (js(_json_graph(n_nodes="5")), GRAPH_PROBLEMS),
        "n-nodes-float": (js(_json_graph(n_nodes=5.0)), GRAPH_PROBLEMS),
        "n-nodes-negative": (js(_json_graph(n_nodes=-5)), GRAPH_PROBLEMS),
        "name-list": (js(_json_graph(name=["g"])), GRAPH_PROBLEMS),
        "meta-list": (js(_json_graph(meta=[1])), GRAPH_PROBLEMS),
        "csr-shape-1e23": (js(_json_sets(sets={**_json_sets()["sets"], "shape": [3, HUGE]})), SET_PROBLEMS),
        "csr-shape-wrong": (js(_json_sets(sets={**_json_sets()["sets"], "shape": [3]})), SET_PROBLEMS),
        "csr-shape-object": (js(_json_sets(sets={**_json_sets()["sets"], "shape": {"a": 1}})), SET_PROBLEMS),
        "csr-not-object": (js(_json_sets(sets=[1, 2])), SET_PROBLEMS),
        "csr-index-out-of-range": (js(_json_sets(sets={**_json_sets()["sets"],
                                                       "indices": _array([0, 1, 1, 0, 7], "<i8")})),
                                   SET_PROBLEMS),
        "costs-negative": (js(_json_sets(costs=_array([1.0, -2.0, 1.0]))), SET_PROBLEMS),
        "costs-1e308": (js(_json_sets(costs=_array([1e308, 1e308, 1e308]))), SET_PROBLEMS),
        "costs-wrong-length": (js(_json_sets(costs=_array([1.0, 2.0]))), SET_PROBLEMS),
        "invalid-utf8": (b'{"format": "\xff\xfe"}', ("",)),
        "invalid-json": (b'{"format": ', ("",)),
    }
    valid = ("n-nodes-1e12", "costs-1e308")
    out = [Case(f"json/{v}", (("x.json", data),), "x.json", problems, valid=v in valid)
           for v, (data, problems) in variants.items()]
    graph = js(_json_graph())
    out += [
        Case("json.gz/garbage-body", (("x.json.gz", _gz_garbage_body(graph)),), "x.json.gz", GRAPH_PROBLEMS),
        Case("json.gz/flipped", (("x.json.gz", _gz_flipped(graph)),), "x.json.gz", GRAPH_PROBLEMS),
        Case("json.gz/truncated", (("x.json.gz", _gz(graph)[:-9]),), "x.json.gz", GRAPH_PROBLEMS),
        Case("json.gz/nested", (("x.json.gz", _gz(nested)),), "x.json.gz", ("",)),
    ]
    return out


# --- AdX ---------------------------------------------------------------------------------------

ADS_OK = "advertiser: 1 rho: 0.5\nadvertiser: 2 rho: 0.5\n"
SAMPLE_OK = "1,0\n0,2\n3,4\n2,2\n"
TYPES_OK = ("type: 1 prob: 0.5 advertisers: [1] mean: [0.0] cov: [1.0]\n"
            "type: 2 prob: 0.5 advertisers: [1, 2] mean: [0.0, 1.0] cov: [1.0, 0.1, 1.0]\n")


def _adx_cases() -> list[Case]:
    def case(v, files: dict[str, bytes | str], extra=("--publisher", "pub1"), valid=False) -> Case:
        items = tuple((f"adx/{k}", d.encode() if isinstance(d, str) else d) for k, d in files.items())
        return Case(f"adx/{v}", items, "adx", ("allocation",), tuple(extra), valid=valid)

    ok = {"pub1-ads.txt": ADS_OK, "pub1-sample.txt": SAMPLE_OK}
    types = {"pub2-ads.txt": ADS_OK, "pub2-types.txt": TYPES_OK}
    return [
        case("publisher-pub99", ok, ("--publisher", "pub99")),
        case("publisher-path", ok, ("--publisher", "../pub1")),
        case("publisher-zero", ok, ("--publisher", "pub0")),
        case("publisher-missing", ok, ()),
        case("ads-missing", {"pub1-sample.txt": SAMPLE_OK}),
        case("sample-nan", {**ok, "pub1-sample.txt": "1,nan\n0,2\n"}),
        case("sample-inf", {**ok, "pub1-sample.txt": "1,inf\n0,2\n"}),
        case("sample-negative", {**ok, "pub1-sample.txt": "1,-2\n0,2\n"}),
        case("sample-1e300", {**ok, "pub1-sample.txt": "1e300,1e300\n1e300,2\n"}, valid=True),
        case("sample-40-digits", {**ok, "pub1-sample.txt": f"{FORTY},1\n0,2\n"}, valid=True),
        case("sample-ragged", {**ok, "pub1-sample.txt": "1,0,3\n0,2\n"}),
        case("sample-empty-field", {**ok, "pub1-sample.txt": "1,\n0,2\n"}),
        case("sample-text", {**ok, "pub1-sample.txt": "a,b\n"}),
        case("sample-empty", {**ok, "pub1-sample.txt": ""}),
        case("sample-gzip-garbage", {"pub1-ads.txt": ADS_OK,
                                     "pub1-sample.txt.gz": _gz_garbage_body(SAMPLE_OK.encode())}),
        case("sample-gzip-flipped", {"pub1-ads.txt": ADS_OK,
                                     "pub1-sample.txt.gz": _gz_flipped(SAMPLE_OK.encode())}),
        case("ads-rho-nan", {**ok, "pub1-ads.txt": "advertiser: 1 rho: nan\nadvertiser: 2 rho: 0.5\n"}),
        case("ads-rho-1e400", {**ok, "pub1-ads.txt": "advertiser: 1 rho: 1e400\nadvertiser: 2 rho: 0.5\n"}),
        case("ads-id-1e23", {**ok, "pub1-ads.txt": f"advertiser: {HUGE} rho: 0.5\n"}),
        case("ads-gzip-garbage", {"pub1-ads.txt.gz": _gz_garbage_body(ADS_OK.encode()),
                                  "pub1-sample.txt": SAMPLE_OK}),
        case("ads-binary", {**ok, "pub1-ads.txt": bytes(range(256))}),
        case("types-mean-1e300",
             {**types, "pub2-types.txt": TYPES_OK.replace("mean: [0.0]", "mean: [1e300]")},
             ("--publisher", "pub2")),
        case("types-cov-nan", {**types, "pub2-types.txt": TYPES_OK.replace("cov: [1.0]", "cov: [nan]")},
             ("--publisher", "pub2")),
        case("types-prob-negative", {**types, "pub2-types.txt": TYPES_OK.replace("prob: 0.5", "prob: -1", 1)},
             ("--publisher", "pub2")),
        case("types-advertiser-9", {**types, "pub2-types.txt": TYPES_OK.replace("[1]", "[9]", 1)},
             ("--publisher", "pub2")),
        case("types-truncated", {**types, "pub2-types.txt": TYPES_OK[:50]}, ("--publisher", "pub2")),
        case("types-gzip-garbage", {"pub2-ads.txt": ADS_OK,
                                    "pub2-types.txt.gz": _gz_garbage_body(TYPES_OK.encode())},
             ("--publisher", "pub2")),
    ]


# --- options -----------------------------------------------------------------------------------


def _option_cases() -> list[Case]:
    scp = (("scp_ok.txt", SCP_OK.encode()),)
    pts = (("p.csv", CSV_OK.encode()),)
    graph = (("g.edge", DIMACS_OK.encode()),)
    ads = (("adx/pub1-ads.txt", ADS_OK.encode()), ("adx/pub1-sample.txt", SAMPLE_OK.encode()))
    rows = [
        ("seed-negative", scp, ("max-cover",), ("--seed", "-1", "--algorithm", "stochastic")),
        ("seed-2^70", scp, ("max-cover",), ("--seed", str(2**70), "--algorithm", "stochastic")),
        ("k-negative", scp, ("max-cover",), ("--k", "-1")),
        ("k-1e12", scp, ("max-cover",), ("--k", str(BIG))),
        ("k-1e23", scp, ("max-cover",), ("--k", str(HUGE))),
        ("epsilon-nan", scp, ("max-cover",), ("--epsilon", "nan", "--algorithm", "stochastic")),
        ("epsilon-negative", scp, ("max-cover",), ("--epsilon", "-1", "--algorithm", "threshold")),
        ("epsilon-inf", scp, ("max-cover",), ("--epsilon", "inf", "--algorithm", "sieve")),
        ("time-limit-negative", scp, ("set-cover",), ("--time-limit", "-1", "--algorithm", "exact")),
        ("time-limit-nan", scp, ("set-cover",), ("--time-limit", "nan", "--algorithm", "exact")),
        ("parts-zero", scp, ("max-cover",), ("--n-parts", "0", "--algorithm", "greedi")),
        ("parts-1e12", scp, ("max-cover",), ("--n-parts", str(BIG), "--algorithm", "greedi")),
        ("rounds-negative", scp, ("max-cover",), ("--rounds", "-2", "--algorithm", "bicriteria")),
        ("max-edges-negative", scp, ("max-cover",), ("--max-edges", "-1", "--algorithm", "sketch")),
        ("outliers-2", scp, ("set-cover",), ("--outliers", "2", "--algorithm", "sketch")),
        ("algorithm-unknown", scp, ("max-cover",), ("--algorithm", "magic")),
        ("engine-unknown", scp, ("max-cover",), ("--engine", "spark", "--algorithm", "greedi")),
        ("solver-unknown", scp, ("set-cover",), ("--solver", "cplex", "--algorithm", "exact")),
        ("format-unknown", scp, ("set-cover",), ("--format", "xml")),
        ("format-mismatch", scp, ("set-cover",), ("--format", "dimacs")),
        ("metric-unknown", pts, ("facility-location", "max-min-diversity"), ("--metric", "nonsense")),
        ("n-neighbors-negative", pts, ("facility-location",), ("--n-neighbors", "-3")),
        ("n-neighbors-1e12", pts, ("facility-location",), ("--n-neighbors", str(BIG))),
        ("diversity-k-1e12", pts, DIVERSITY, ("--k", str(BIG))),
        ("matching-algorithm-unknown", graph, ("matching",), ("--algorithm", "magic")),
        ("matching-seed-negative", graph, ("matching",), ("--algorithm", "augment", "--seed", "-1")),
        ("points-as-set-cover", pts, ("set-cover", "max-cover", "matching"), ()),
        ("graph-as-diversity", graph, DIVERSITY, ()),
        ("order-unknown", ads, ("allocation",), ("--publisher", "pub1", "--order", "sideways")),
        ("mirror-unknown", ads, ("allocation",), ("--publisher", "pub1", "--algorithm", "dual-mirror-descent",
                                                  "--mirror", "bent")),
        ("eta-nan", ads, ("allocation",), ("--publisher", "pub1", "--algorithm", "dual-mirror-descent",
                                           "--eta", "nan")),
        ("lp-solver-unknown", ads, ("allocation",), ("--publisher", "pub1", "--lp-solver", "cplex")),
        ("allocation-seed-negative", ads, ("allocation",), ("--publisher", "pub1", "--order", "random",
                                                            "--seed", "-1")),
    ]
    # legal: a big seed, k or k-NN >= n, more parts than items (only the non-empty parts exist)
    valid = ("seed-2^70", "k-1e12", "k-1e23", "n-neighbors-1e12", "parts-1e12")
    out = []
    for v, files, problems, extra in rows:
        target = "adx" if files is ads else files[0][0]
        out.append(Case(f"options/{v}", files, target, problems, extra, valid=v in valid))
    return out


def _verify_cases() -> list[Case]:
    """Huge but finite numbers through the exact solvers (``verify``): an answer or exit 2."""
    rows = [
        ("scp-cost-1e300", "scp_x.txt", "3 4\n1 1e300 3 4\n2 1 2\n2 2 3\n2 3 4\n", SET_PROBLEMS),
        ("scp-cost-40-digits", "scp_x.txt", f"3 4\n1 {FORTY} 3 4\n2 1 2\n2 2 3\n2 3 4\n", SET_PROBLEMS),
        ("csv-1e300", "p.csv", "0,0\n0,1e300\n10,10\n-1e300,11\n", ("facility-location", *DIVERSITY[:3])),
        ("csv-1e308", "p.csv", "1e308,1e308\n-1e308,-1e308\n1e308,-1e308\n-1e308,1e308\n0,0\n",
         ("facility-location", *DIVERSITY[:3])),
        ("snap-weight-1e308", "g.txt", "0 1 1e308\n2 3 1e308\n1 2 1\n", ("matching",)),
        ("adx-sample-1e300", None, None, ("allocation",)),
    ]
    out = []
    for v, name, text, problems in rows:
        if name is None:
            files = (("adx/pub1-ads.txt", ADS_OK.encode()),
                     ("adx/pub1-sample.txt", b"1e300,1e300\n1e300,2\n"))
            out.append(Case(f"verify/{v}", files, "adx", problems, ("--publisher", "pub1"), valid=True,
                            command="verify"))
        else:
            out.append(Case(f"verify/{v}", ((name, text.encode()),), name, problems, valid=True,
                            command="verify"))
    return out


def cases() -> list[Case]:
    """Every fuzz case (deterministic)."""
    return (_scp_cases() + _rail_cases() + _fimi_cases() + _snap_cases() + _dimacs_cases()
            + _csv_cases() + _npy_cases() + _native_npz_cases() + _native_json_cases() + _adx_cases()
            + _option_cases() + _verify_cases())


@dataclass(frozen=True)
class Run:
    case: Case
    problem: str

    @property
    def label(self) -> str:
        return f"{self.case.name} [{self.problem or 'default'}]"

    def argv(self, directory: str | os.PathLike) -> list[str]:
        argv = [self.case.command, str(Path(directory) / self.case.target), "--json", "--quiet"]
        if self.problem:
            argv += ["--problem", self.problem]
        if self.problem in NEEDS_K and "--k" not in self.case.extra:
            argv += ["--k", "2"]
        return argv + list(self.case.extra)


def runs(selected: list[Case] | None = None) -> list[Run]:
    """One run per case and ``--problem``."""
    return [Run(c, p) for c in (cases() if selected is None else selected) for p in c.problems]


def materialize(case: Case, root: str | os.PathLike) -> Path:
    """Write the case's files under ``root/<safe name>``; returns that directory."""
    d = Path(root) / case.name.replace("/", "__").replace("^", "p")
    for rel, data in case.files:
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return d


def _raise_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def strict_json(text: str) -> bool:
    """Whether ``text`` is one strict JSON document (no NaN / Infinity)."""
    try:
        json.loads(text, parse_constant=_raise_constant)
    except ValueError:
        return False
    return True


def classify(returncode: int | None, stdout: str, stderr: str, valid: bool, *, peak_mb: float = 0.0,
             mem_bound_mb: float = float("inf"), timed_out: bool = False) -> str:
    """The outcome class of one run (see the module docstring)."""
    if timed_out or returncode is None or returncode < 0:
        return "killed/oom/timeout"
    if "Traceback (most recent call last)" in stderr:
        return "traceback"
    if peak_mb > mem_bound_mb:
        return "memory-over-bound"
    lines = stderr.splitlines()
    if returncode == 2:
        if len(lines) == 1 and lines[0].startswith("submodkit: error:") and not stdout.strip():
            return "exit2-one-line"
        if len(lines) > 1 and lines[-1].startswith("submodkit: error:"):
            return "warnings-before-error"
        return "other-exit"
    if returncode == 0 and valid:
        if lines:
            return "warnings-before-error"
        return "ok" if strict_json(stdout) else "invalid-json"
    return "other-exit"


# --- subprocess runner -------------------------------------------------------------------------


@dataclass
class Result:
    run: Run
    outcome: str
    returncode: int | None
    seconds: float
    peak_mb: float
    stderr: str
    stdout: str


def _run_process(repo: Path, argv: list[str], timeout: float, as_limit: int) -> tuple:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))

    env = dict(os.environ, PYTHONPATH=str(repo), PYTHONHASHSEED="0")
    env.pop("SUBMODKIT_DEBUG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "submodkit.cli", *argv], cwd=repo, env=env,
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL, preexec_fn=limit,
                                start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return proc.returncode, stdout, stderr, usage.ru_maxrss / 1024, seconds, timed_out


def _check_import(repo: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(repo))
    out = subprocess.run([sys.executable, "-c", "import submodkit; print(submodkit.__file__)"], cwd=repo,
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(out).resolve().is_relative_to(repo.resolve()):
        raise SystemExit(f"submodkit imported from {out}, not from {repo}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]),
                    help="checkout whose submodkit is run (default: this one)")
    ap.add_argument("--filter", default="", help="only cases whose name contains this")
    ap.add_argument("--timeout", type=float, default=60.0, help="wall-time cap per run (s)")
    ap.add_argument("--as-limit-mb", type=int, default=4096, help="address-space cap per run (MB)")
    ap.add_argument("--mem-bound-mb", type=float, default=450.0,
                    help="peak RSS above this: memory-over-bound")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json-out", help="write every result here")
    ap.add_argument("--verbose", action="store_true", help="print every run")
    ap.add_argument("--list", action="store_true", help="list the runs and exit")
    args = ap.parse_args(argv)
    repo = Path(args.repo).resolve()
    todo = [r for r in runs() if args.filter in r.case.name]
    if args.list:
        for r in todo:
            print(r.label)
        print(f"{len(todo)} runs")
        return 0
    print(f"submodkit: {_check_import(repo)}; {len(todo)} runs", flush=True)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="fuzz_cli_") as tmp:
        dirs = {c.name: materialize(c, tmp) for c in {r.case.name: r.case for r in todo}.values()}

        def one(r: Run) -> Result:
            rc, out, err, peak, secs, timed_out = _run_process(
                repo, r.argv(dirs[r.case.name]), args.timeout, args.as_limit_mb << 20)
            outcome = classify(rc, out, err, r.case.valid, peak_mb=peak, mem_bound_mb=args.mem_bound_mb,
                               timed_out=timed_out)
            res = Result(r, outcome, rc, secs, peak, err.replace(tmp, "<tmp>"), out[:2000])
            if args.verbose:
                print(f"{outcome:22s} {secs:6.2f}s {peak:7.0f}MB  {r.label}", flush=True)
            return res

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(one, todo))
    counts = Counter(r.outcome for r in results)
    print("\noutcome classes:")
    for cls in CLASSES:
        print(f"  {cls:24s} {counts.get(cls, 0)}")
    print(f"  {'total':24s} {len(results)}")
    bad = [r for r in results if r.outcome not in GOOD]
    if bad:
        print(f"\nfailing runs ({len(bad)}):")
        for r in bad:
            tail = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
            shown = tail[-1] if tail else f"(no stderr; stdout {r.stdout[:80]!r})"
            print(f"  {r.outcome:22s} rc={r.returncode} {r.seconds:5.1f}s {r.peak_mb:6.0f}MB  "
                  f"{r.run.label}: {shown[:160]}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps([
            {"case": r.run.case.name, "problem": r.run.problem, "outcome": r.outcome,
             "returncode": r.returncode,
             "seconds": round(r.seconds, 3), "peak_mb": round(r.peak_mb, 1), "stderr": r.stderr[-4000:]}
            for r in results], indent=1))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
