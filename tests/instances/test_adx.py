"""AdX readers: the shared data (when present) and malformed files."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances import adx_types, read_adx


def _write(d, name, text, gz=True):
    path = d / (name + (".txt.gz" if gz else ".txt"))
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


@pytest.fixture
def tiny(tmp_path):
    _write(tmp_path, "pub9-ads", "advertiser: 1 rho: 0.5\nadvertiser: 2 rho: 0.25\n")
    _write(tmp_path, "pub9-sample", "0,3.5\n2,0\n1.5,4\n0,1\n", gz=False)
    _write(
        tmp_path,
        "pub9-types",
        "type: 1 prob: 0.75 advertisers: [1, 2] mean: [1.0, 2.0] cov: [0.1, 0.05, 0.2]\n"
        "type: 2 prob: 0.25 advertisers: [2] mean: [0.5] cov: [0.01]\n",
    )
    return tmp_path


def test_read_tiny(tiny):
    inst = read_adx(tiny, "pub9")
    assert inst.values.shape == (4, 2)
    assert inst.values[2].tolist() == [1.5, 4.0]  # values exactly as in the file
    assert inst.budgets.tolist() == [2.0, 1.0]  # rho * T, T = 4
    assert inst.kind == "capacity"


def test_types_tiny(tiny):
    model = adx_types(tiny, 9)
    assert model.n_types == 2
    assert np.allclose(model.covs[0], [[0.1, 0.05], [0.05, 0.2]])
    inst = model.sample(20000, seed=1)
    assert inst.budgets.tolist() == [10000.0, 5000.0]
    rows1 = np.diff(inst.values.indptr) == 2
    assert abs(rows1.mean() - 0.75) < 0.02
    logs = np.log(inst.values[rows1].toarray())
    assert np.allclose(logs.mean(0), [1.0, 2.0], atol=0.02)
    assert np.allclose(np.cov(logs.T), [[0.1, 0.05], [0.05, 0.2]], atol=0.01)
    assert np.array_equal(
        model.sample(50, seed=3).values.toarray(), model.sample(50, seed=3).values.toarray()
    )


@pytest.mark.parametrize(
    "name,text,line",
    [
        ("pub9-sample", "0,3.5\n2,0,1\n", 2),  # ragged row
        ("pub9-sample", "0,3.5\n2,x\n", 2),
        ("pub9-sample", "0,3.5\n2,-1\n", 2),  # negative value
        ("pub9-sample", "0,3.5\nnan,1\n", 2),
        ("pub9-ads", "advertiser: 1 rho: 0.5\nadvertiser: 3 rho: 0.1\n", 2),
        ("pub9-ads", "advertiser: 1 rho: 0.5\nadvertiser: 2 rho: -0.1\n", 2),
        ("pub9-types", "type: 1 prob: 1 advertisers: [1, 2] mean: [1.0] cov: [0.1, 0, 0.1]\n", 1),
        ("pub9-types", "type: 1 prob: 1 advertisers: [5] mean: [1.0] cov: [0.1]\n", 1),
    ],
)
def test_bad_files(tiny, name, text, line):
    path = _write(tiny, name, text)
    with pytest.raises(InstanceFormatError) as err:
        if name.endswith("types"):
            adx_types(tiny, "pub9")
        else:
            read_adx(tiny, "pub9")
    assert err.value.line == line
    assert err.value.path.endswith(path.name) or "sample" in err.value.path


def test_bad_publisher(tiny):
    with pytest.raises(InvalidParameterError):
        read_adx(tiny, "publisher-one")
    with pytest.raises(FileNotFoundError):
        read_adx(tiny, "pub8")


def test_shared_adx(shared_data):
    d = shared_data / "adx"
    inst = read_adx(d, "pub1")
    assert inst.values.shape == (100000, 6)
    assert inst.values[0].tolist() == [0, 0, 0, 0, 0, 3428.5]
    assert inst.budgets[0] == pytest.approx(0.0022107376566585 * 100000)
    sizes = {1: (6, 10), 2: (12, 7), 3: (17, 13), 4: (17, 15), 5: (29, 27), 6: (98, 173), 7: (101, 406)}
    for pub, (a, t) in sizes.items():
        model = adx_types(d, pub)
        assert (model.n_advertisers, model.n_types) == (a, t)
        assert model.probs.sum() == pytest.approx(1.0, abs=1e-4)
    sampled = read_adx(d, "pub2", n_samples=1000, seed=0)  # no sample file: drawn from the types
    assert sampled.values.shape == (1000, 12) and sampled.meta["sampled_from_types"]


@pytest.mark.parametrize(
    "name,text,line",
    [
        ("pub9-ads", "advertiser: 1 rho: 0.5\nadvertiser: " + "2" * 5000 + " rho: 0.25\n", 2),
        ("pub9-types", "type: 1 prob: 1 advertisers: [1] mean: [0] cov: [1]\n\n"
                       "type: " + "2" * 5000 + " prob: 1 advertisers: [2] mean: [0] cov: [1]\n", 3),
    ],
)
def test_ids_of_thousands_of_digits_are_format_errors(tiny, name, text, line):
    path = _write(tiny, name, text, gz=False)  # int() refuses 4,300 digits and more: no ValueError of its own
    (tiny / (name + ".txt.gz")).unlink(missing_ok=True)
    with pytest.raises(InstanceFormatError) as err:
        adx_types(tiny, "pub9") if name.endswith("types") else read_adx(tiny, "pub9")
    assert err.value.line == line and f"{path.name}:{line}: expected" in str(err.value)
    assert len(str(err.value)) < 200  # the id is cut in the message


@pytest.mark.parametrize(
    "text,line,says",
    [
        ("0,3.5\n1,\n2,0\n", 2, "an empty field"),  # the comma count is right, a value is missing
        ("0,3.5\n1 2,3\n", 2, "'1 2'"),  # a space between two values
        ("0,3.5\n2,0\n1_0,2\n", 3, "'1_0'"),  # float() takes it as 10
        ("0,3.5\n1e308,1e308\n2,0\n", 2, "total is finite"),
    ],
)
def test_sample_errors_name_the_line(tiny, text, line, says):
    path = _write(tiny, "pub9-sample", text, gz=False)
    with pytest.raises(InstanceFormatError) as err:
        read_adx(tiny, "pub9")
    assert err.value.line == line and f"{path.name}:{line}: expected" in str(err.value)
    assert says in str(err.value)


def test_types_errors_name_the_line(tiny):
    path = _write(tiny, "pub9-types", "type: 1 prob: 1e308 advertisers: [1] mean: [0] cov: [1]\n\n"
                                      "type: 2 prob: 1e308 advertisers: [2] mean: [0] cov: [1]\n")
    with pytest.raises(InstanceFormatError, match=f"{path.name}:3: expected probabilities whose total"):
        adx_types(tiny, "pub9")
    _write(tiny, "pub9-types", "type: 1 prob: 1 advertisers: [1] mean: [0] cov: [1, 0, 1_0]\n")
    with pytest.raises(InstanceFormatError, match=f"{path.name}:1: expected numbers in the cov list"):
        adx_types(tiny, "pub9")
    _write(tiny, "pub9-types", "type: 1 prob: 1 advertisers: [1] mean: [0] cov: [1]\n\n"
                               "type: 2 prob: 1 advertisers: [2] mean: [800] cov: [0.1]\n")
    model = adx_types(tiny, "pub9")  # a mean of 800: exp overflows when sampled
    with pytest.raises(InvalidParameterError, match=f"{path.name}:3: pub9 type 2=.*log-values"):
        model.sample(50, seed=0)
