"""Fuzz the command line: every reader and every ``--problem`` fed malformed files.

The cases are those of ``scripts/fuzz_cli.py`` (truncated, corrupted bytes, damaged gzip,
oversized headers, non-finite, huge, negative and out-of-range values, nested and mistyped
JSON, bad options). Each run goes through ``submodkit.cli.main`` in this process and must
end with status 2 and exactly one stderr line (no traceback, no warning), or, for the cases
that are valid but extreme (sparse ids, huge finite numbers), with status 0 and strict JSON;
either way with a small peak of traced memory (tracemalloc sees numpy's allocations). The
cases whose arrays reach compiled kernels also run in a subprocess under an address-space
cap, where a crash cannot take the test session down. ``verify`` cases (exact solvers) are
left to the script.
"""

from __future__ import annotations

import importlib.util
import sys
import tracemalloc
import warnings
from pathlib import Path

import pytest

from submodkit.cli import main

_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz_cli.py"
_spec = importlib.util.spec_from_file_location("fuzz_cli", _SCRIPT)
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_cli"] = fuzz  # dataclasses look their module up
_spec.loader.exec_module(fuzz)

PEAK_MB = 40.0  # tiny files: far below what the pre-fix code allocated (GBs, or TiBs attempted)
CASES = [c for c in fuzz.cases() if c.command == "solve"]
# arrays that compiled kernels index: a regression could crash the process, so also in a subprocess
KERNEL_CASES = ("npz/sets-index-out-of-range", "npz/sets-indptr-decreasing", "npz/graph-id-out-of-range",
                "json/csr-index-out-of-range", "npz/graph-n-nodes-1e12", "dimacs/nodes-1e8")
RUNS = [pytest.param(r, id=r.label) for r in fuzz.runs(CASES)]


def _run_in_process(argv: list[str], capsys) -> tuple[int, str, str, float, list]:
    tracemalloc.start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out, err = capsys.readouterr()
    return code, out, err, peak, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def case_dirs(tmp_path_factory) -> dict:
    """Every case written once; and one valid run of each kind of problem, untraced, so that
    imports and compiled-kernel loading are not counted against the first malformed run."""
    root = tmp_path_factory.mktemp("fuzz")
    warm = root / "warm"
    warm.mkdir()
    (warm / "scp_ok.txt").write_text(fuzz.SCP_OK)
    (warm / "p.csv").write_text(fuzz.CSV_OK)
    (warm / "g.edge").write_text(fuzz.DIMACS_OK)
    for argv in (["scp_ok.txt"], ["scp_ok.txt", "--problem", "max-cover", "--k", "2"],
                 ["p.csv", "--k", "2"], ["p.csv", "--problem", "max-min-diversity", "--k", "2"],
                 ["g.edge", "--problem", "matching"]):
        main(["solve", str(warm / argv[0]), "--quiet", *argv[1:]])
    return {c.name: fuzz.materialize(c, root) for c in CASES}


@pytest.mark.parametrize("run", RUNS)
def test_malformed_input_exits_2_with_one_line(run, case_dirs, capsys):
    directory = case_dirs[run.case.name]
    code, out, err, peak, caught = _run_in_process(run.argv(directory), capsys)
    outcome = fuzz.classify(code, out, err, run.case.valid)
    label = f"{run.label}: status {code}, stderr {err[-300:]!r}"
    assert outcome in fuzz.GOOD, f"{outcome}: {label}"
    assert not caught, f"warnings {caught}: {label}"
    assert peak < PEAK_MB, f"peak traced memory {peak:.0f} MB: {label}"
    if code == 2:
        assert "Traceback" not in err and err.startswith("submodkit: error:"), label


@pytest.mark.parametrize("name", KERNEL_CASES)
def test_kernel_facing_cases_in_a_subprocess(name, tmp_path):
    case = next(c for c in CASES if c.name == name)
    directory = fuzz.materialize(case, tmp_path)
    repo = Path(__file__).resolve().parents[1]
    for run in fuzz.runs([case]):
        code, out, err, peak_mb, _, timed_out = fuzz._run_process(repo, run.argv(directory), 120.0, 3 << 30)
        outcome = fuzz.classify(code, out, err, case.valid, timed_out=timed_out)
        assert outcome in fuzz.GOOD, f"{outcome}: {run.label}: status {code}, stderr {err[-300:]!r}"


def test_the_cases_cover_every_reader_and_problem():
    prefixes = {c.name.split("/")[0] for c in CASES}
    assert prefixes >= {"scp", "rail", "fimi", "snap", "dimacs", "csv", "npy", "npz", "json", "json.gz",
                        "adx", "options"}
    problems = {p for c in CASES for p in c.problems}
    assert problems >= {"set-cover", "max-cover", "facility-location", "matching", "allocation",
                        *fuzz.DIVERSITY}


def test_classify():
    assert fuzz.classify(2, "", "submodkit: error: x.txt:3: expected a number\n", False) == "exit2-one-line"
    assert fuzz.classify(2, "", "RuntimeWarning: overflow\nsubmodkit: error: x\n", False) == \
        "warnings-before-error"
    assert fuzz.classify(1, "", "Traceback (most recent call last):\n  ...\nValueError: x\n", False) == \
        "traceback"
    assert fuzz.classify(0, '{"ratio": Infinity}', "", True) == "invalid-json"
    assert fuzz.classify(0, '{"ratio": null}', "", True) == "ok"
    assert fuzz.classify(0, '{"ratio": null}', "", False) == "other-exit"
    assert fuzz.classify(-9, "", "", False) == "killed/oom/timeout"
    assert fuzz.classify(2, "", "submodkit: error: x\n", False, peak_mb=900, mem_bound_mb=450) == \
        "memory-over-bound"
