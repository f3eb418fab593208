"""submodkit's own instance format: every problem object, written and read back losslessly.

Two encodings of the same fields:

- ``.npz`` (``np.savez_compressed``, no pickles): arrays stored as they are, CSR matrices
  as ``<name>.indptr``, ``.indices``, ``.data``, ``.shape``; ``kind``, ``format_version``,
  ``name`` and ``meta`` (a JSON string) alongside.
- ``.json`` (optionally ``.json.gz``): human-readable, for small instances. Each array is
  ``{"dtype": ..., "shape": [...], "values": nested lists}``; a CSR matrix is
  ``{"format": "csr", "shape": [...], "indptr": array, "indices": array, "data": array}``.

``meta`` must be JSON-serializable (numpy scalars and arrays are converted to lists).

Loading checks sizes before allocating: an ``.npz`` member is read only when its ``.npy``
header agrees with the bytes the archive holds for it (and no member expands beyond what
deflate can produce from its compressed bytes); every problem then checks its arrays (see
:mod:`~submodkit.instances.problems`), a failure naming the file and the field.
"""

from __future__ import annotations

import gzip
import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._npz import read_member_data
from submodkit.instances._text import read_bytes, shown
from submodkit.instances.problems import MAX_IDS, Graph, PointSet, SetSystem, Similarity, from_file

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
# kind -> array fields written only when not None
_OPTIONAL: dict[str, tuple[str, ...]] = {"SetSystem": ("labels",)}
_DEFLATE_RATIO = 1100  # deflate expands at most ~1032 times: a bound on what a member may hold


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

    The encoding follows the suffix (see the module docstring): ``.npz`` stores the arrays
    as they are (compressed, no pickles), ``.json`` / ``.json.gz`` human-readable lists;
    :func:`load` reads either back losslessly.

    Parameters
    ----------
    problem : SetSystem, PointSet, Similarity or Graph
        The problem object; its ``meta`` must be JSON-serializable (numpy scalars and
        arrays are converted to lists).
    path : str or path-like
        Ending in ``.npz``, ``.json`` or ``.json.gz``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InvalidParameterError
        For another suffix or object, or (JSON) an array with NaN or inf.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from submodkit.instances import PointSet
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = os.path.join(tmp.name, "pts.npz")
    >>> load(save(PointSet(np.eye(2)), p)).features
    array([[1., 0.],
           [0., 1.]])
    >>> load(save(PointSet(np.eye(2), name="eye"), os.path.join(tmp.name, "pts.json")))
    PointSet(name='eye', shape=(2, 2))
    >>> tmp.cleanup()
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
    """Read a problem written by :func:`save`.

    Sizes are checked before anything is allocated, and the problem object checks its
    arrays (see the module docstring), so a malformed or hostile file raises
    InstanceFormatError rather than exhausting memory.

    Parameters
    ----------
    path : str or path-like
        A ``.npz``, ``.json`` or ``.json.gz`` file (a file without suffix is read as
        ``.npz`` when it starts like a zip archive, else as JSON).

    Returns
    -------
    SetSystem, PointSet, Similarity or Graph

    Raises
    ------
    InstanceFormatError
        For a malformed file, naming the file and the field.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from submodkit.instances import Graph
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = save(Graph(np.array([[0, 1]]), np.array([2.0]), 3), os.path.join(tmp.name, "g.json.gz"))
    >>> g = load(p)
    >>> g, g.weights.tolist()
    (Graph(name='graph', n_nodes=3, n_edges=1), [2.0])
    >>> tmp.cleanup()
    """
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
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InstanceFormatError(path, None, "valid JSON", str(exc)[:80]) from None
    except RecursionError:
        raise InstanceFormatError(path, None, "JSON nested at most a few hundred levels deep",
                                  "deeper nesting") from None
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
    for field in arrays + tuple(f for f in _OPTIONAL.get(kind, ()) if getattr(problem, f) is not None):
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


def _npz_member(path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member, its header checked against the member's size before allocating."""
    key = info.filename.removesuffix(".npy")
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        read = {(1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read is None:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran, dtype = read(fh)
        if dtype.hasobject:
            raise ValueError("object arrays (pickles) are not read")
        count = int(np.prod([int(s) for s in shape], dtype=object))
        nbytes = count * dtype.itemsize
        offset = fh.tell()
        if offset + nbytes != info.file_size or info.file_size > _DEFLATE_RATIO * info.compress_size + 4096:
            raise ValueError(f"member {key!r}: header shape {shape} ({dtype}) needs {nbytes} bytes, "
                             f"the archive holds {info.file_size - offset}")
        raw = read_member_data(fh, nbytes)  # memory follows the bytes present, not the claim
        if len(raw) != nbytes or fh.read(1):  # reading to the end checks the CRC
            raise ValueError(f"member {key!r}: {len(raw)} bytes of data, {nbytes} expected")
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _npz_fields(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` archive (no pickles; memory follows the archive's bytes)."""
    try:
        with zipfile.ZipFile(path) as zf:
            fields = {}
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    raise ValueError(f"member {info.filename!r} is not a .npy array")
                fields[info.filename.removesuffix(".npy")] = _npz_member(path, zf, info)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, TypeError, SyntaxError,
            NotImplementedError, OverflowError, RuntimeError) as exc:
        found = str(exc) or type(exc).__name__
        if isinstance(exc, RuntimeError) and "encrypted" in found:  # zipfile names the entry by its repr
            found = "an encrypted entry (password required)"
        raise InstanceFormatError(path, None, "a submodkit .npz archive", found) from None
    return fields


def _load_npz(path: str | os.PathLike) -> Problem:
    fields = _npz_fields(path)

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
    except (TypeError, ValueError, RecursionError):  # ValueError: not JSON, or an integer of 4,300+ digits
        meta = None
    if not isinstance(meta, dict):
        raise InstanceFormatError(path, None, "field 'meta': a JSON object string")
    values: dict[str, Any] = {"name": _npz_name(path, fields.get("name")), "meta": meta}
    for field in arrays:
        if field not in fields:
            raise InstanceFormatError(path, None, f"an array field {field!r}")
        values[field] = fields[field]
    for field in _OPTIONAL.get(kind, ()):
        values[field] = fields.get(field)
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
    for field in arrays + tuple(f for f in _OPTIONAL.get(kind, ()) if getattr(problem, f) is not None):
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
    dtype, shape, values = obj["dtype"], obj["shape"], obj["values"]
    if (not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(values, list)
            or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_IDS for s in shape)):
        raise InstanceFormatError(path, None, f"field {field!r}: a dtype string, a shape list of sizes "
                                  "(at most 2^62) and a values list", shown(json.dumps(obj)[:60]))
    try:
        dtype = np.dtype(dtype)
        if dtype.kind not in "biuf":
            raise TypeError(f"dtype {dtype}")
        arr = np.array(values, dtype=dtype)
        if dtype.kind in "biu":  # the cast would truncate 1.5 to 1 (and make 2 True) silently
            raw = np.array(values)
            if raw.dtype.kind == "f" and raw.size and not np.array_equal(raw, arr):
                raise ValueError(f"non-integral values for dtype {dtype}")
            if dtype.kind == "b" and raw.size and not np.all((raw == 0) | (raw == 1)):
                raise ValueError("values other than 0 and 1 for dtype bool")
        if arr.size == 0 and shape:
            arr = arr.reshape(shape)
        if arr.shape != tuple(shape):
            raise ValueError(f"shape {list(arr.shape)} != {shape}")
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise InstanceFormatError(path, None, f"field {field!r}: a numeric array", str(exc)[:200]) from None
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
    for field in _OPTIONAL.get(kind, ()):
        values[field] = None if doc.get(field) is None else _array_from_json(path, field, doc[field])
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
    if not isinstance(kind, str) or kind not in _SCHEMA:
        raise InstanceFormatError(path, None, f"kind one of {', '.join(_SCHEMA)}", repr(kind))
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
        raise InstanceFormatError(
            path, None, f"format_version from 1 to {FORMAT_VERSION} (above: upgrade submodkit?)",
            repr(version)
        )
    return kind, version


def _as_int(path, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value <= MAX_IDS:
        raise InstanceFormatError(path, None, f"field {field!r}: an integer in [0, 2^62]", shown(repr(value)))
    return int(value)


def _csr(path, field: str, indptr, indices, data, shape) -> sp.csr_matrix:
    sizes = shape if isinstance(shape, list) else np.asarray(shape).ravel().tolist()
    if (len(sizes) != 2 or not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes)
            or not all(0 <= s <= MAX_IDS for s in sizes)):
        raise InstanceFormatError(path, None, f"matrix {field!r}: a shape of two sizes in [0, 2^62]",
                                  shown(repr(shape)))
    try:
        mat = sp.csr_matrix((data, indices, indptr), shape=tuple(sizes), copy=False)
        mat.check_format(full_check=True)
    except (TypeError, ValueError, OverflowError) as exc:
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
        return from_file(path, SetSystem, sets, v["costs"], v["weights"], v["name"], v["meta"],
                         labels=v.get("labels"))
    if kind == "PointSet":
        if v["features"].ndim != 2:
            raise bad("'features': a 2-D array", f"shape {v['features'].shape}")
        return from_file(path, PointSet, v["features"], v["name"], v["meta"])
    if kind == "Similarity":
        if np.ndim(v["matrix"]) != 2:
            raise bad("'matrix': a 2-D array", f"shape {np.shape(v['matrix'])}")
        return from_file(path, Similarity, v["matrix"], v["name"], v["meta"])
    edges, weights, n = v["edges"], v["weights"], v["n_nodes"]
    if edges.ndim != 2 or edges.shape[1] != 2 or weights.shape != (edges.shape[0],):
        raise bad("edges of shape (m, 2) and weights of shape (m,)", f"{edges.shape} and {weights.shape}")
    if edges.dtype.kind not in "iu" or weights.dtype.kind not in "iuf":
        raise bad("integer edges and real weights", f"{edges.dtype} and {weights.dtype}")
    if edges.size and (edges.min() < 0 or edges.max() >= n):
        raise bad(f"edge endpoints in [0, {n})", f"[{edges.min()}, {edges.max()}]")
    return from_file(path, Graph, edges, weights, n, v["name"], v["meta"])
