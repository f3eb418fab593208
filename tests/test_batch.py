"""`submodkit batch`: isolated runs (an error, a crash, a kill are rows, never the end of the
batch), resumption after a hard kill (CSV and Parquet), ratios and Dolan-More profiles against
hand computations, and the command's errors."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import pytest

from submodkit.batch import (
    Instance,
    ResultTable,
    expand_inputs,
    expand_runs,
    performance_profile,
    profile_ratios,
    read_optima,
    run_batch,
    summary,
    with_ratio,
)
from submodkit.batch.report import markdown
from submodkit.batch.runs import RunSpec
from submodkit.instances import bundled
from tests.conftest import SHARED_DATA

SCP41 = str(bundled("scp41"))


def _specs(instances, algorithms, **kw):
    base = {"problem": "set-cover", "ks": [None], "seeds": [None], "time_limits": [None], "exact": False}
    base.update(kw)
    return expand_runs(instances, algorithms=algorithms, **base)


# ----------------------------------------------------------------------------- isolation


def test_an_error_a_crash_and_a_kill_are_rows_and_the_batch_goes_on(tmp_path, monkeypatch):
    bad = tmp_path / "broken.txt"
    bad.write_text("p edge 3 2\ne 1 9\n")  # a DIMACS header promising two edges, then one
    good = Instance(SCP41, "scp41")
    specs = _specs([good, Instance(str(bad), "broken")], ["greedy"])
    rail = Instance(str(bundled("rail507")), "rail507")
    # killed long before it ends (starting Python alone takes longer)
    slow = RunSpec(rail, "set-cover", "exact", None, None, 30.0, False, kill_after=0.2)
    crash = RunSpec(good, "set-cover", "lagrangian", None, None, None, False)
    real_argv = RunSpec.argv

    def argv(self):  # one run's process aborts (SIGABRT): a real crash of a child
        if self.run_id == crash.run_id:
            return [sys.executable, "-c", "import os; os.abort()"]
        return real_argv(self)

    monkeypatch.setattr(RunSpec, "argv", argv)
    out = tmp_path / "runs.csv"
    outcome = run_batch([*specs, slow, crash], out, progress=False)
    rows = {r["instance"] + "/" + str(r["algorithm_requested"]): r for r in outcome.rows}
    assert outcome.ran == 4 and outcome.failed == 3 and len(ResultTable(out).rows) == 4
    assert rows["scp41/greedy"]["value"] == 434.0 and rows["scp41/greedy"]["ratio"] == round(434 / 429, 4)
    assert rows["broken/greedy"]["status"] == "error" and "broken.txt" in rows["broken/greedy"]["error"]
    assert rows["rail507/exact"]["status"] == "killed" and rows["rail507/exact"]["value"] is None
    assert rows["scp41/lagrangian"]["status"] == "crashed"
    assert "signal 6" in rows["scp41/lagrangian"]["error"]
    assert all(r["peak_rss_mb"] is None or r["peak_rss_mb"] > 0 for r in outcome.rows)


def test_a_runner_that_raises_is_recorded_as_crashed(tmp_path):
    def broken(spec):
        raise RuntimeError("worker lost")

    outcome = run_batch(_specs([Instance(SCP41, "scp41")], ["greedy"]), tmp_path / "r.csv", progress=False,
                        run=broken)
    assert outcome.failed == 1 and outcome.rows[0]["status"] == "crashed"
    assert "worker lost" in outcome.rows[0]["error"]


# ----------------------------------------------------------------------------- resumption


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_batch_killed_halfway_resumes_and_loses_nothing(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow", reason="Parquet tables need pyarrow (the test extra installs it)")
    out = tmp_path / f"runs{suffix}"
    cmd = [sys.executable, "-m", "submodkit", "batch", SCP41, "--problem", "set-cover", "--algorithm",
           "greedy,lagrangian", "--seeds", "4", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    before: list = []
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists():
            try:
                before = ResultTable(out).rows
            except Exception:  # a Parquet file being replaced: look again
                before = []
            if len(before) >= 2:
                break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and its runs, mid-flight
    proc.wait()
    assert 2 <= len(before) < 8, "the batch should have been killed halfway"
    kept = ResultTable(out).rows
    assert len(kept) >= len(before)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} skipped" in done.stdout
    rows = ResultTable(out).rows
    assert len(rows) == 8 and len({r["run_id"] for r in rows}) == 8
    assert rows[: len(kept)] == kept  # the rows written before the kill are untouched
    assert {(r["algorithm_requested"], r["seed"]) for r in rows} == {
        (a, float(s)) for a in ("greedy", "lagrangian") for s in range(4)}
    assert all(r["value"] == (434.0 if r["algorithm_requested"] == "greedy" else 429.0) for r in rows)


def test_a_row_cut_by_a_kill_is_dropped_on_opening(tmp_path):
    out = tmp_path / "runs.csv"
    table = ResultTable(out)
    table.append({"run_id": "a", "instance": "x", "value": 1.0})
    with open(out, "a") as f:
        f.write("b,y,")  # a kill in the middle of a row
    again = ResultTable(out)
    assert again.done() == {"a"}
    again.append({"run_id": "c", "instance": "z", "value": 2.0})
    assert [r["run_id"] for r in ResultTable(out).rows] == ["a", "c"]


# ----------------------------------------------------------------------------- ratios and profiles


def _row(instance, algorithm, value, seconds, status="feasible", problem="set-cover", **kw):
    return {"instance": instance, "problem": problem, "algorithm": algorithm,
            "algorithm_requested": algorithm, "value": value, "seconds": seconds, "status": status, **kw}


def test_profiles_against_a_hand_computation():
    rows = [
        _row("p1", "A", 10.0, 1.0), _row("p1", "B", 12.0, 0.5), _row("p1", "exact", 10.0, 8.0, "optimal"),
        _row("p2", "A", 30.0, 2.0), _row("p2", "B", 20.0, 4.0), _row("p2", "exact", 20.0, 60.0, "timeout"),
        _row("p3", "A", None, 1.0, "crashed"), _row("p3", "B", 5.0, 1.0),
        _row("p3", "exact", 4.0, 2.0, "optimal"),
    ]
    time_r = profile_ratios(rows, "time")
    # p1: best 0.5 (B) -> A 2, B 1, exact 16; p2: exact timed out (not solved) -> A 1, B 2, exact inf;
    # p3: A crashed -> A inf, B 1, exact 2
    key = ("p1", "set-cover", None, None), ("p2", "set-cover", None, None), ("p3", "set-cover", None, None)
    assert [time_r["A"][k] for k in key] == [2.0, 1.0, math.inf]
    assert [time_r["B"][k] for k in key] == [1.0, 2.0, 1.0]
    assert [time_r["exact"][k] for k in key] == [16.0, math.inf, 2.0]
    quality = profile_ratios(rows, "quality")
    # best values 10, 20 (the timed-out exact run's incumbent counts for quality), 4
    assert [quality["A"][k] for k in key] == [1.0, 1.5, math.inf]
    assert [quality["B"][k] for k in key] == [1.2, 1.0, 1.25]
    assert [quality["exact"][k] for k in key] == [1.0, 1.0, 1.0]
    prof = performance_profile(time_r, [1, 2, 16])
    assert prof == {"A": [1 / 3, 2 / 3, 2 / 3], "B": [2 / 3, 1.0, 1.0], "exact": [0.0, 1 / 3, 2 / 3]}
    # a known optimum is the reference of the quality ratio, for maximization as best / value
    rows = [_row("m", "A", 8.0, 1.0, problem="max-cover", optimum=10.0),
            _row("m", "B", 9.0, 1.0, problem="max-cover")]
    quality = profile_ratios(rows, "quality")
    assert quality["A"][("m", "max-cover", None, None)] == 1.25
    assert quality["B"][("m", "max-cover", None, None)] == pytest.approx(10 / 9)


def test_summary_against_a_hand_computation():
    rows = [with_ratio(r, {"p1": 10.0, "p2": 20.0}) for r in (
        _row("p1", "A", 11.0, 1.0), _row("p2", "A", 30.0, 4.0), _row("p1", "A", None, 9.0, "killed"))]
    (line,) = summary(rows)
    assert line["runs"] == 3 and line["solved"] == 2 and line["failed"] == 1
    assert line["mean_ratio"] == 1.3 and line["worst_ratio"] == 1.5
    assert line["geomean_seconds"] == 2.0  # sqrt(1 * 4): the killed run has no value
    text = markdown(rows, "submodkit batch ...")
    assert "| set-cover | A | 3 | 2 | 1 | 1.3 | 1.5 | 2.0 |" in text and "## Failed runs" in text


def test_ratio_references_in_order():
    base = {"instance": "mine", "problem": "max-cover", "value": 8.0}
    assert with_ratio(base, {"mine": 10.0})["ratio_to"] == "optimum (table)"
    got = with_ratio({**base, "exact_status": "optimal", "exact_value": 9.0})
    assert got["ratio"] == round(8 / 9, 4) and got["ratio_to"] == "optimum (exact)"
    got = with_ratio({**base, "upper_bound": 12.0, "exact_bound": 11.0, "exact_status": "timeout"})
    assert got["ratio"] == round(8 / 11, 4) and got["ratio_to"] == "bound" and got["optimum"] is None
    got = with_ratio({"instance": "scp41", "problem": "set-cover", "value": 434.0, "lower_bound": 400.0})
    assert got["optimum"] == 429.0 and got["ratio_to"] == "optimum (literature)"
    assert with_ratio({**base, "value": None})["ratio"] is None


def test_read_optima(tmp_path):
    p = tmp_path / "optima.csv"
    p.write_text("instance,optimum\n# a comment\nscp41,429\nfoo 3.5\n")
    assert read_optima(p) == {"scp41": 429.0, "foo": 3.5}
    p.write_text("scp41 429\nfoo\n")
    with pytest.raises(ValueError, match="optima.csv:2"):
        read_optima(p)


# ----------------------------------------------------------------------------- inputs


def test_expanding_folders_and_globs(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "a.out").write_text("s 1")
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "shards").mkdir()
    (tmp_path / "shards" / "manifest.json").write_text("{}")
    adx = tmp_path / "adx"
    adx.mkdir()
    for pub in ("pub1", "pub2", "pub10"):
        (adx / f"{pub}-adx.txt.gz").write_bytes(b"")
    names = [i.name for i in expand_inputs([str(tmp_path)], None)]
    assert names == ["a", "shards"]  # companions skipped; adx is a folder of its own kind
    pubs = expand_inputs([str(adx)], "allocation")
    assert [(i.name, i.publisher) for i in pubs] == [("adx/pub1", "pub1"), ("adx/pub2", "pub2"),
                                                     ("adx/pub10", "pub10")]
    assert [i.publisher for i in expand_inputs([str(adx)], None, ["pub2"])] == ["pub2"]
    with pytest.raises(ValueError, match="pub9"):
        expand_inputs([str(adx)], None, ["pub9"])
    assert [i.name for i in expand_inputs([str(tmp_path / "*.txt"), str(tmp_path / "a.txt")], None)] == ["a"]
    with pytest.raises(ValueError, match="glob"):
        expand_inputs([str(tmp_path / "*.nothing")], None)


# ----------------------------------------------------------------------------- the command


def _cli(*argv, cwd=None):
    return subprocess.run([sys.executable, "-m", "submodkit", "batch", *argv], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.mark.parametrize("argv, says", [
    (["no/such/file", "--out", "r.csv"], "no/such/file"),
    ([SCP41, "--out", "r.txt"], ".csv or .parquet"),
    ([SCP41, "--out", "r.csv", "--seeds", "0"], "--seeds"),
    ([SCP41, "--out", "r.csv", "--k", "two"], "--k"),
    ([SCP41, "--out", "r.csv", "--solve-args", "--json"], "--solve-args"),
    ([SCP41, "--out", "r.csv", "--jobs", "0"], "--jobs"),
    (["--out", "r.csv"], "INPUT"),
    (["--out", "missing.csv", "--report", "rep"], "rows to report on"),
])
def test_bad_batch_commands_exit_2_with_one_line(tmp_path, argv, says):
    r = _cli(*argv, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and says in r.stderr
    assert not (tmp_path / "r.csv").exists()  # nothing ran


def test_the_command_writes_the_table_and_the_report(tmp_path):
    pytest.importorskip("matplotlib", reason="the report's plots need matplotlib (the test extra has it)")
    r = _cli(SCP41, str(bundled("rail507")), "--problem", "set-cover", "--algorithm", "greedy,lagrangian",
             "--time-limit", "0.5,2", "--out", "runs.csv", "--report", "rep", "--jobs", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "8 runs done (0 failed)" in r.stdout
    assert r.stderr.count("batch [") == 8  # a line per run when stderr is not a terminal
    rows = ResultTable(tmp_path / "runs.csv").rows
    assert len(rows) == 8 and all(r["ratio_to"] == "optimum (literature)" for r in rows)
    assert all(r["ratio"] >= 1.0 and r["lower_bound"] <= r["optimum"] for r in rows)
    for name in ("report.md", "profile_time.png", "profile_quality.png", "ratios.png", "anytime.png"):
        assert (tmp_path / "rep" / name).stat().st_size > 0
    again = _cli("--out", "runs.csv", "--report", "rep2", "--json", cwd=tmp_path)  # report from the table
    assert again.returncode == 0 and '"rows": 8' in again.stdout


needs_data = pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data is absent")


@needs_data
def test_matching_graphs_and_adx_publishers(tmp_path):
    graph = SHARED_DATA / "matching" / "chain_n1000.edge.gz"
    out = tmp_path / "runs.csv"
    specs = expand_runs([Instance(str(graph), "chain_n1000")], problem="matching", algorithms=["greedy"],
                        ks=[None], seeds=[None], time_limits=[None], exact=True)
    publishers = expand_inputs([str(SHARED_DATA / "adx")], "allocation", ["pub1"])
    specs += expand_runs(publishers, problem="allocation", algorithms=["greedy"], ks=[None], seeds=[None],
                         time_limits=[None], exact=False)
    rows = {r["instance"]: r for r in run_batch(specs, out, progress=False).rows}
    optimum = 500000.0  # chain_n1000.out.gz: "s 500000"
    m = rows["chain_n1000"]
    assert m["exact_value"] == optimum and m["ratio"] == round(m["value"] / optimum, 4) < 1
    a = rows["adx/pub1"]
    assert a["ratio_to"] == "optimum (exact)" and 0.9 < a["ratio"] <= 1.0


def test_on_the_dask_engine_with_bundled_names(tmp_path):
    pytest.importorskip("distributed", reason="--engine dask needs dask.distributed (the test extra has it)")
    r = _cli("scp41", "--algorithm", "greedy,lagrangian", "--engine", "dask", "--workers", "1", "--jobs", "2",
             "--out", "runs.csv", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = ResultTable(tmp_path / "runs.csv").rows
    assert sorted(r["value"] for r in rows) == [429.0, 434.0]  # lagrangian proves 429; greedy 434
    assert all(r["problem"] == "set-cover" for r in rows)  # the file's own problem


@pytest.mark.parametrize("content, name", [(b"garbage", "runs.csv"),
                                           (b"run_id,instance\nabc,x\n", "runs.csv"),
                                           (b"not parquet", "runs.parquet")])
def test_someone_elses_file_is_refused_and_left_as_it_was(tmp_path, content, name):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow", reason="Parquet tables need pyarrow (the test extra installs it)")
    out = tmp_path / name
    out.write_bytes(content)
    with pytest.raises(ValueError, match="a results table written by submodkit batch"):
        ResultTable(out)
    assert out.read_bytes() == content


def _limit_memory():  # an old unbounded --seeds would take all the memory there is: 3 GB, then MemoryError
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.parametrize("seeds", ["99999999999999999999999", "10000000000"])
def test_seed_counts_beyond_the_maximum_exit_2_with_one_line(tmp_path, seeds):
    # were an OverflowError (range() of 10^23) and a MemoryError (a list of 10^10 seeds), status 1
    r = subprocess.run([sys.executable, "-m", "submodkit", "batch", "scp41", "--out", "r.csv", "--seeds",
                        seeds], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       preexec_fn=_limit_memory)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "--seeds" in r.stderr and "1 to 100000" in r.stderr
    assert not (tmp_path / "r.csv").exists()  # nothing ran


def test_seed_count_maximum_is_checked_when_parsed():
    from submodkit.cli import _seeds
    from submodkit.errors import InvalidParameterError

    assert _seeds("100000") == list(range(100000)) and _seeds("3,7") == [3, 7]
    with pytest.raises(InvalidParameterError, match="1 to 100000"):
        _seeds("100001")
