"""Bad input to `submodkit batch` and `submodkit solve` is one line on stderr and exit status 2,
never a traceback: an unmatched quote in --solve-args, a time limit no timer can hold, and
--n-parts 0 for the distributed compression."""

from __future__ import annotations

import pytest

from submodkit.batch import Instance, expand_runs
from submodkit.cli import main
from submodkit.errors import InvalidParameterError
from submodkit.instances import bundled

SCP41 = str(bundled("scp41"))


def _one_line_error(capsys, code: int) -> str:
    captured = capsys.readouterr()
    assert code == 2, captured
    err = captured.err.strip()
    assert err.startswith("submodkit: error:") and "\n" not in err and "Traceback" not in err, err
    return err


def test_an_unmatched_quote_in_solve_args(tmp_path, capsys):
    code = main(["batch", SCP41, "--out", str(tmp_path / "o.csv"), "--solve-args", '"--epsilon'])
    assert "--solve-args" in _one_line_error(capsys, code)
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("limit", ["inf", "1e300", "nan", "0", "-1", "1,inf"])
def test_a_time_limit_must_be_finite_and_positive(tmp_path, capsys, limit):
    code = main(["batch", SCP41, "--out", str(tmp_path / "o.csv"), "--time-limit", limit])
    assert "time_limit" in _one_line_error(capsys, code)
    assert not (tmp_path / "o.csv").exists()  # rejected before any run


def test_expand_runs_checks_time_limits_and_kill_after():
    base = {"problem": "set-cover", "algorithms": ["greedy"], "ks": [None], "seeds": [None], "exact": False}
    inst = [Instance(SCP41, "scp41")]
    assert [s.time_limit for s in expand_runs(inst, time_limits=[None, 2], **base)] == [None, 2.0]
    for bad in (float("inf"), float("nan"), 1e300, 0.0, -1.0, "3"):
        with pytest.raises(InvalidParameterError, match="time_limit"):
            expand_runs(inst, time_limits=[bad], **base)
    with pytest.raises(InvalidParameterError, match="kill_after"):
        expand_runs(inst, time_limits=[None], kill_after=1e300, **base)


@pytest.fixture
def labelled(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("".join(f"v{i % 7},{(i * 3) % 2}\n" for i in range(60)))
    return path


def test_n_parts_zero_is_rejected_for_distributed_compression(labelled, capsys):
    code = main(["solve", str(labelled), "--problem", "compression", "--algorithm", "distributed",
                 "--k", "2", "--n-parts", "0"])
    assert "--n-parts" in _one_line_error(capsys, code)


def test_n_parts_none_is_the_default(labelled, capsys):
    code = main(["solve", str(labelled), "--problem", "compression", "--algorithm", "distributed",
                 "--k", "2", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
