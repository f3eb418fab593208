"""No array handed to a kernel can make it read out of bounds.

Each objective is built from out-of-range arrays (scipy CSR with column indices >= the
number of columns or negative, a decreasing indptr, NaN data) and each tampered stream
file is loaded; every one must raise a clear error naming the field. The cases run in a
subprocess, so a regression that crashes the process (it used to: exit 139) fails the
test instead of killing the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit import Coverage, StreamingMaximizer
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.objectives import FacilityLocation

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np, scipy.sparse as sp
    from submodkit import Coverage, FacilityLocation, FeatureBased, SaturatedCoverage, GraphCut, maximize
    from submodkit.errors import SubmodkitError

    def bad_csr(indices, indptr=(0, 2, 3), data=None, shape=(2, 3)):
        data = np.ones(len(indices)) if data is None else np.asarray(data, float)
        m = sp.csr_matrix((data, np.arange(len(indices)) % shape[1],
                           np.linspace(0, len(indices), shape[0] + 1).astype(int)), shape=shape)
        m.indices = np.array(indices, dtype=np.int32)  # as a user may, past scipy's checks
        m.indptr = np.array(indptr, dtype=np.int32)
        return m

    cases = {
        "index = n": lambda: bad_csr([0, 3, 1]),
        "index = n + 1": lambda: bad_csr([0, 4, 1]),
        "index huge": lambda: bad_csr([0, 10**6, 1]),
        "index negative": lambda: bad_csr([0, -1, 1]),
        "indptr decreasing": lambda: bad_csr([0, 1, 2], indptr=(0, 3, 2)),
        "indptr past the end": lambda: bad_csr([0, 1, 2], indptr=(0, 2, 9)),
        "NaN data": lambda: bad_csr([0, 1, 2], data=[1, np.nan, 1]),
        "csc index out of range": lambda: sp.csc_matrix(
            (np.ones(3), np.array([0, 7, 1]), np.array([0, 2, 3])), shape=(3, 2)),
    }
    builders = {
        "Coverage": Coverage, "FacilityLocation": FacilityLocation,
        "FeatureBased": FeatureBased, "SaturatedCoverage": SaturatedCoverage,
    }
    out = {}
    for case, make in cases.items():
        for name, cls in builders.items():
            try:
                f = cls(make())
                # reached only if construction accepted the matrix: exercise the kernels
                out[f"{name}: {case}"] = ["accepted", float(f.evaluate([0, 1])),
                                          float(maximize(f, 2, backend="numba").value)]
            except SubmodkitError as err:
                out[f"{name}: {case}"] = ["error", str(err)]
    try:
        GraphCut(bad_csr([0, 5, 1], shape=(3, 3), indptr=(0, 2, 3, 3)))
        out["GraphCut"] = ["accepted"]
    except SubmodkitError as err:
        out["GraphCut"] = ["error", str(err)]
    print(json.dumps(out))
    """
)


def test_out_of_range_arrays_raise_clear_errors_in_every_objective():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    results = json.loads(proc.stdout)
    assert len(results) == 8 * 4 + 1
    for case, result in results.items():
        assert result[0] == "error", f"{case}: accepted, values {result[1:]}"
        message = result[1]
        assert "expected" in message, (case, message)
        if "NaN" in case:
            assert "finite" in message
        else:
            assert "indices" in message or "indptr" in message or "coords" in message, (case, message)


def test_objective_from_kernel_arrays_checks_every_field():
    f = Coverage([[0, 1], [1, 2]])
    args = dict(kind=f.kind, agg=f.agg, phi=f.phi, shape=f.shape, indptr=f.indptr, indices=f.indices,
                data=f.data, dense=f.dense, w=f.w, b=f.b)
    from submodkit.objectives import Objective

    same = Objective.from_kernel_arrays(**args)
    assert same.evaluate([0, 1]) == f.evaluate([0, 1]) == 3.0
    tampered = {
        "kind": 99, "phi": 17, "agg": 5,
        "indices": np.array([0, 1, 1, 7], dtype=np.int32),
        "indptr": np.array([0, 3, 2], dtype=np.int64),
        "w": np.ones(2),
        "b": np.ones(9),
        "shape": (3, 3),
    }
    for field, value in tampered.items():
        with pytest.raises(InvalidParameterError) as info:
            Objective.from_kernel_arrays(**{**args, field: value})
        assert info.value.name.split(".")[0] in (field, "matrix"), (field, str(info.value))


def _saved_stream(tmp_path) -> tuple:
    rng = np.random.default_rng(0)
    f = Coverage(sp.random(40, 30, density=0.2, random_state=1, format="csr"), weights=rng.random(30) + 0.1)
    stream = StreamingMaximizer(f, k=5, algorithm="sieve++", epsilon=0.2)
    stream.update(rng.permutation(40))
    path = stream.save(tmp_path / "state.npz", include_objective=True)
    with np.load(path) as npz:
        fields = {key: npz[key] for key in npz.files}
    return stream, path, fields


def _tamper(tmp_path, fields: dict, **changes) -> str:
    new = {**fields, **changes}
    path = tmp_path / "tampered.npz"
    with open(path, "wb") as fh:
        np.savez(fh, **new)
    return str(path)


def test_stream_state_round_trips(tmp_path):
    stream, path, _ = _saved_stream(tmp_path)
    back = StreamingMaximizer.load(path)
    assert back.solution().value == stream.solution().value
    assert np.array_equal(back.solution().selection, stream.solution().selection)


TAMPERED_STREAM_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from submodkit import StreamingMaximizer
    from submodkit.errors import SubmodkitError
    path = sys.argv[1]
    try:
        sm = StreamingMaximizer.load(path)
        sm.update(np.arange(sm.objective.n))
        print(json.dumps(["accepted", sm.solution().value]))
    except SubmodkitError as err:
        print(json.dumps(["error", type(err).__name__, str(err)]))
    """
)


def _tampered_cases(fields: dict) -> dict:
    header = json.loads(fields["header"].item())
    sels = fields["sels"].copy()
    live = np.flatnonzero(fields["sizes"] > 0)
    sels[live[0], 0] = 10**9
    states = fields["states"].copy()
    states[live[0], 0] = np.nan
    states2 = fields["states"].copy()
    states2[live[0]] += 0.5
    sizes = fields["sizes"].copy()
    sizes[0] = -3
    indices = fields["objective.indices"].copy()
    indices[3] = 10**6
    indptr = fields["objective.indptr"].copy()
    indptr[2] = 10**7
    gains = fields["gains"].copy()
    gains[live[0], 0] *= 3
    ints = fields["ints"].copy()
    ints[0] = -(2**62)
    return {
        "sels": {"sels": sels},
        "states": {"states": states},
        "states ": {"states": states2},
        "sizes": {"sizes": sizes},
        "indices": {"objective.indices": indices},
        "indptr": {"objective.indptr": indptr},
        "w": {"objective.w": fields["objective.w"][:-3]},
        "gains": {"gains": gains},
        "ints": {"ints": ints},
        "kind": {"header": np.array(json.dumps({**header, "objective": {**header["objective"],
                                                                          "kind": 42}}))},
        "k": {"header": np.array(json.dumps({**header, "k": 10**9}))},
    }


def test_tampered_stream_state_is_refused_naming_the_field(tmp_path):
    _, _, fields = _saved_stream(tmp_path)
    for field, changes in _tampered_cases(fields).items():
        path = _tamper(tmp_path, fields, **changes)
        proc = subprocess.run([sys.executable, "-c", TAMPERED_STREAM_SCRIPT, path],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{field}: exit {proc.returncode}: {proc.stderr[-1500:]}"
        result = json.loads(proc.stdout)
        assert result[0] == "error", f"tampered {field!r} was accepted (value {result[1]})"
        assert field.strip() in result[2], (field, result[2])


def test_tampered_stream_errors_are_instance_format_errors(tmp_path):
    _, _, fields = _saved_stream(tmp_path)
    sizes = fields["sizes"].copy()
    sizes[0] = -1
    with pytest.raises(InstanceFormatError, match="sizes"):
        StreamingMaximizer.load(_tamper(tmp_path, fields, sizes=sizes))


def test_facility_location_sparse_index_equal_to_n_is_rejected():
    m = sp.csr_matrix((np.ones(2), np.array([0, 2]), np.array([0, 1, 2])), shape=(2, 2))
    with pytest.raises(InvalidParameterError, match=r"indices.*\[0, 2\)"):
        FacilityLocation(m)
