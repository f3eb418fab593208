"""submodkit's own instance format: every problem object, written and read back losslessly.

Two encodings of the same fields:

- ``.npz`` (``np.savez_compressed``, no pickles): arrays stored as they are, CSR matrices
  as ``<name>.indptr``, ``.indices``, ``.data``, ``.shape``; ``kind``, ``format_version``,
  ``name`` and ``meta`` (a JSON string) alongside.
- ``.json`` (optionally ``.json.gz``): human-readable, for small instances. Each array is
  ``{"dtype": ..., "shape": [...], "values": nested lists}``; a CSR matrix is
  ``{"format": "csr", "shape": [...], "indptr": array, "indices": array, "data": array}``.

``meta`` must be JSON-serializable (numpy scalars and arrays are converted to lists).
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._text import read_bytes
from submodkit.instances.problems import Graph, PointSet, SetSystem, Similarity

FORMAT_VERSION = 1
_MAGIC = "submodkit-instance"

Problem = SetSystem | PointSet | Similarity | Graph

# kind -> (class, array fields, matrix fields (dense or CSR), scalar int fields)
_SCHEMA: dict[str, tuple[type, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "SetSystem": (SetSystem, ("costs", "weights"), ("sets",), ()),
    "PointSet": (PointSet, ("features",), (), ()),
    "Similarity": (Similarity, (), ("matrix",), ()),
    "Graph": (Graph, ("edges", "weights"), (), ("n_nodes",)),
}


def _kind(problem: object) -> str:
    for kind, (cls, *_rest) in _SCHEMA.items():
        if type(problem) is cls:
            return kind
    raise InvalidParameterError(
        "problem", type(problem).__name__, "a SetSystem, PointSet, Similarity or Graph"
    )


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON-serializable")


def _meta_json(meta: dict) -> str:
    try:
        return json.dumps(meta, default=_json_default, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError("meta", meta, f"a JSON-serializable dict ({exc})") from None


def _suffix(path: str | os.PathLike) -> str:
    name = Path(path).name.lower()
    for suffix in (".npz", ".json.gz", ".json"):
        if name.endswith(suffix):
            return suffix
    return ""


def save(problem: Problem, path: str | os.PathLike) -> Path:
    """Write ``problem`` to ``path`` (``.npz``, ``.json`` or ``.json.gz``); returns the path.

    >>> import numpy as np, tempfile, os
    >>> from submodkit.instances import PointSet
    >>> p = os.path.join(tempfile.mkdtemp(), "pts.npz")
    >>> load(save(PointSet(np.eye(2)), p)).features
    array([[1., 0.],
           [0., 1.]])
    """
    kind = _kind(problem)
    suffix = _suffix(path)
    if not suffix:
        raise InvalidParameterError("path", str(path), "a path ending in .npz, .json or .json.gz")
    path = Path(path)
    if suffix == ".npz":
        with open(path, "wb") as fh:  # a file object: numpy must not append its own suffix
            np.savez_compressed(fh, **_to_npz(problem, kind))
    else:
        text = json.dumps(_to_json(problem, kind), indent=1, allow_nan=False)
        payload = text.encode("utf-8") + b"\n"
        path.write_bytes(gzip.compress(payload, mtime=0) if suffix == ".json.gz" else payload)
    return path


def load(path: str | os.PathLike) -> Problem:
    """Read a problem written by :func:`save` (malformed files: InstanceFormatError)."""
    suffix = _suffix(path)
    if suffix == ".npz" or (not suffix and Path(path).read_bytes()[:2] == b"PK"):
        return _load_npz(path)
    data = read_bytes(path)
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InstanceFormatError(path, None, "UTF-8 JSON text") from None
    except json.JSONDecodeError as exc:
        raise InstanceFormatError(path, exc.lineno, "valid JSON", exc.msg) from None
    return _from_json(path, doc)


# --- npz ---------------------------------------------------------------------------


def _npz_name(path, field: np.ndarray | None) -> str:
    """The ``name`` field: UTF-8 bytes (uint8 vector), or a string scalar (older files)."""
    if field is not None and field.ndim == 0:
        return str(field.item())
    if field is not None and field.ndim == 1 and field.dtype == np.uint8:
        try:
            return field.tobytes().decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise InstanceFormatError(path, None, "a field 'name': a string or UTF-8 bytes")


def _to_npz(problem: Problem, kind: str) -> dict[str, np.ndarray]:
    _, arrays, matrices, ints = _SCHEMA[kind]
    out: dict[str, np.ndarray] = {
        "magic": np.array(_MAGIC),
        "kind": np.array(kind),
        "format_version": np.array(FORMAT_VERSION),
        # UTF-8 bytes as uint8: numpy string scalars drop trailing NUL characters
        "name": np.frombuffer(problem.name.encode("utf-8"), dtype=np.uint8),
        "meta": np.array(_meta_json(problem.meta)),
    }
    for field in arrays:
        out[field] = np.asarray(getattr(problem, field))
    for field in ints:
        out[field] = np.array(int(getattr(problem, field)), dtype=np.int64)
    for field in matrices:
        mat = getattr(problem, field)
        if sp.issparse(mat):
            mat = mat.tocsr()
            out[f"{field}.format"] = np.array("csr")
            out[f"{field}.indptr"] = mat.indptr
            out[f"{field}.indices"] = mat.indices
            out[f"{field}.data"] = mat.data
            out[f"{field}.shape"] = np.array(mat.shape, dtype=np.int64)
        else:
            out[f"{field}.format"] = np.array("dense")
            out[field] = np.asarray(mat)
    return out


def _load_npz(path: str | os.PathLike) -> Problem:
    try:
        npz = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except Exception as exc:  # numpy raises many types for a bad archive
        raise InstanceFormatError(path, None, "a submodkit .npz archive", str(exc)) from None
    with npz:
        try:
            fields = {key: npz[key] for key in npz.files}
        except Exception as exc:
            raise InstanceFormatError(path, None, "readable .npz arrays", str(exc)) from None

    def scalar(key: str) -> Any:
        if key not in fields or fields[key].ndim != 0:
            raise InstanceFormatError(path, None, f"a scalar field {key!r}")
        return fields[key].item()

    if fields.get("magic") is None or scalar("magic") != _MAGIC:
        raise InstanceFormatError(path, None, f"a field 'magic' = {_MAGIC!r}")
    kind, version = _check_header(path, scalar("kind"), scalar("format_version"))
    _, arrays, matrices, ints = _SCHEMA[kind]
    try:
        meta = json.loads(scalar("meta"))
    except (TypeError, json.JSONDecodeError):
        raise InstanceFormatError(path, None, "field 'meta': a JSON object string") from None
    values: dict[str, Any] = {"name": _npz_name(path, fields.get("name")), "meta": meta}
    for field in arrays:
        if field not in fields:
            raise InstanceFormatError(path, None, f"an array field {field!r}")
        values[field] = fields[field]
    for field in ints:
        values[field] = _as_int(path, field, scalar(field))
    for field in matrices:
        fmt = scalar(f"{field}.format")
        if fmt == "csr":
            parts = [f"{field}.{p}" for p in ("indptr", "indices", "data", "shape")]
            missing = [p for p in parts if p not in fields]
            if missing:
                raise InstanceFormatError(path, None, f"CSR arrays {', '.join(missing)}")
            values[field] = _csr(path, field, *(fields[p] for p in parts))
        elif fmt == "dense" and field in fields:
            values[field] = fields[field]
        else:
            raise InstanceFormatError(path, None, f"matrix {field!r} stored as 'csr' or 'dense'")
    return _build(path, kind, values)


# --- json --------------------------------------------------------------------------


def _array_json(arr: np.ndarray) -> dict:
    arr = np.asarray(arr)
    if arr.dtype.kind not in "biuf":
        raise InvalidParameterError("array", arr.dtype, "a numeric array")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise InvalidParameterError("array", "an array with NaN or inf", "finite values for JSON")
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "values": arr.tolist()}


def _to_json(problem: Problem, kind: str) -> dict:
    _, arrays, matrices, ints = _SCHEMA[kind]
    doc: dict[str, Any] = {
        "format": _MAGIC,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "name": problem.name,
        "meta": json.loads(_meta_json(problem.meta)),
    }
    for field in arrays:
        doc[field] = _array_json(getattr(problem, field))
    for field in ints:
        doc[field] = int(getattr(problem, field))
    for field in matrices:
        mat = getattr(problem, field)
        if sp.issparse(mat):
            mat = mat.tocsr()
            doc[field] = {
                "format": "csr",
                "shape": [int(s) for s in mat.shape],
                "indptr": _array_json(mat.indptr),
                "indices": _array_json(mat.indices),
                "data": _array_json(mat.data),
            }
        else:
            doc[field] = {"format": "dense", "array": _array_json(np.asarray(mat))}
    return doc


def _array_from_json(path, field: str, obj: Any) -> np.ndarray:
    if not isinstance(obj, dict) or not {"dtype", "shape", "values"} <= obj.keys():
        raise InstanceFormatError(path, None, f"field {field!r}: an object with dtype, shape, values")
    try:
        dtype = np.dtype(obj["dtype"])
        if dtype.kind not in "biuf":
            raise TypeError(dtype)
        shape = tuple(int(s) for s in obj["shape"])
        arr = np.array(obj["values"], dtype=dtype)
        if arr.size == 0 and shape:
            arr = arr.reshape(shape)
        if arr.shape != shape:
            raise ValueError(f"shape {arr.shape} != {shape}")
    except (TypeError, ValueError, OverflowError) as exc:
        raise InstanceFormatError(path, None, f"field {field!r}: a numeric array", str(exc)) from None
    return arr


def _from_json(path, doc: Any) -> Problem:
    if not isinstance(doc, dict) or doc.get("format") != _MAGIC:
        raise InstanceFormatError(path, None, f'a JSON object with "format": {_MAGIC!r}')
    kind, _ = _check_header(path, doc.get("kind"), doc.get("format_version"))
    _, arrays, matrices, ints = _SCHEMA[kind]
    meta = doc.get("meta", {})
    if not isinstance(meta, dict) or not isinstance(doc.get("name", ""), str):
        raise InstanceFormatError(path, None, "'name' a string and 'meta' an object")
    values: dict[str, Any] = {"name": doc.get("name", kind), "meta": meta}
    for field in arrays:
        values[field] = _array_from_json(path, field, doc.get(field))
    for field in ints:
        values[field] = _as_int(path, field, doc.get(field))
    for field in matrices:
        obj = doc.get(field)
        fmt = obj.get("format") if isinstance(obj, dict) else None
        if fmt == "csr":
            values[field] = _csr(
                path,
                field,
                *(_array_from_json(path, f"{field}.{p}", obj.get(p)) for p in ("indptr", "indices", "data")),
                obj.get("shape"),
            )
        elif fmt == "dense":
            values[field] = _array_from_json(path, field, obj.get("array"))
        else:
            raise InstanceFormatError(path, None, f"matrix {field!r} with format 'csr' or 'dense'")
    return _build(path, kind, values)


# --- shared checks -----------------------------------------------------------------


def _check_header(path, kind: Any, version: Any) -> tuple[str, int]:
    if kind not in _SCHEMA:
        raise InstanceFormatError(path, None, f"kind one of {', '.join(_SCHEMA)}", repr(kind))
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise InstanceFormatError(
            path, None, f"format_version <= {FORMAT_VERSION} (upgrade submodkit?)", repr(version)
        )
    return kind, version


def _as_int(path, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise InstanceFormatError(path, None, f"field {field!r}: a non-negative integer", repr(value))
    return int(value)


def _csr(path, field: str, indptr, indices, data, shape) -> sp.csr_matrix:
    try:
        shape = tuple(int(s) for s in np.asarray(shape).ravel())
        if len(shape) != 2 or min(shape) < 0:
            raise ValueError(f"shape {shape}")
        mat = sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
        mat.check_format(full_check=True)
    except (TypeError, ValueError) as exc:
        raise InstanceFormatError(path, None, f"matrix {field!r}: a valid CSR matrix", str(exc)) from None
    if indptr.dtype == indices.dtype and indptr.dtype in (np.int32, np.int64):
        # scipy may have changed the index dtype: keep exactly what was stored
        mat.indptr, mat.indices = indptr, indices
    return mat


def _build(path, kind: str, v: dict[str, Any]) -> Problem:
    def bad(what: str, found: object) -> InstanceFormatError:
        return InstanceFormatError(path, None, what, str(found))

    if kind == "SetSystem":
        sets = v["sets"]
        if not sp.issparse(sets):
            raise bad("'sets': a CSR matrix", "a dense array")
        n_sets, n_el = sets.shape
        if v["costs"].shape != (n_sets,) or v["weights"].shape != (n_el,):
            raise bad(
                f"costs of shape ({n_sets},) and weights of shape ({n_el},)",
                f"{v['costs'].shape} and {v['weights'].shape}",
            )
        return SetSystem(sets, v["costs"], v["weights"], v["name"], v["meta"])
    if kind == "PointSet":
        if v["features"].ndim != 2:
            raise bad("'features': a 2-D array", f"shape {v['features'].shape}")
        return PointSet(v["features"], v["name"], v["meta"])
    if kind == "Similarity":
        if np.ndim(v["matrix"]) != 2:
            raise bad("'matrix': a 2-D array", f"shape {np.shape(v['matrix'])}")
        return Similarity(v["matrix"], v["name"], v["meta"])
    edges, weights, n = v["edges"], v["weights"], v["n_nodes"]
    if edges.ndim != 2 or edges.shape[1] != 2 or weights.shape != (edges.shape[0],):
        raise bad("edges of shape (m, 2) and weights of shape (m,)", f"{edges.shape} and {weights.shape}")
    if edges.size and (edges.min() < 0 or edges.max() >= n):
        raise bad(f"edge endpoints in [0, {n})", f"[{edges.min()}, {edges.max()}]")
    return Graph(edges, weights, n, v["name"], v["meta"])
