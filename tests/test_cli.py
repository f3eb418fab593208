"""The submodkit command: outputs, JSON schema, and one-line errors with exit status 2."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from submodkit.cli import main

SCP_OK = "3 4\n1 2 3 4\n2 1 2\n2 2 3\n2 3 4\n"


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_bundled_set_cover_json(capsys):
    code, out, err = _run(capsys, "solve", "scp41", "--json")
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert set(obj) >= {"instance", "problem", "algorithm", "value", "selection", "guarantee",
                        "upper_bound", "exact", "ratio", "seconds"}
    assert obj["problem"] == "set-cover" and obj["exact"] is None
    assert obj["lower_bound"] <= 429 <= obj["value"] <= obj["guarantee"]["ratio"] * 429


def test_verify_bundled_scp41_reaches_literature_optimum(capsys):
    code, out, _ = _run(capsys, "verify", "scp41", "--json")
    obj = json.loads(out)
    assert code == 0
    assert obj["exact"]["status"] == "optimal" and obj["exact"]["value"] == 429
    assert obj["ratio"] == pytest.approx(obj["value"] / 429) and obj["meets_guarantee"] is True


def test_max_cover_on_set_cover_file_uses_columns_as_sets(tmp_path, capsys):
    f = tmp_path / "scp_tiny.txt"
    f.write_text(SCP_OK)
    code, out, _ = _run(capsys, "verify", str(f), "--problem", "max-cover", "--k", "1", "--json")
    obj = json.loads(out)
    # columns 2 and 3 (0-based 1, 2) each cover two rows: the tie goes to the smaller index
    assert code == 0 and obj["selection"] == [1] and obj["value"] == 2 and obj["exact"]["value"] == 2


def test_facility_location_on_points(tmp_path, capsys):
    f = tmp_path / "pts.csv"
    f.write_text("0,0\n0,1\n10,10\n10,11\n5,5\n")
    code, out, _ = _run(capsys, "verify", str(f), "--k", "2", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["problem"] == "facility-location"
    assert obj["exact"]["status"] == "optimal" and obj["meets_guarantee"] is True


def test_human_output(capsys):
    code, out, _ = _run(capsys, "solve", "scp41", "--quiet")
    assert code == 0 and "guarantee" in out and "H(d)" in out


BAD_FILES = {
    "truncated": ("3 4\n1 2 3 4\n2 1 2\n2 2\n", 4),
    "non-numeric": ("3 4\n1 2 x 4\n2 1 2\n2 2 3\n2 3 4\n", 2),
    "index-out-of-range": ("3 4\n1 2 3 4\n2 1 2\n2 2 9\n2 3 4\n", 4),
    "negative-cost": ("3 4\n1 -2 3 4\n2 1 2\n2 2 3\n2 3 4\n", 2),
    "nan": ("3 4\n1 nan 3 4\n2 1 2\n2 2 3\n2 3 4\n", 2),
    "empty": ("0 0\n", 1),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_one_line_exit_2(tmp_path, capsys, case):
    text, line = BAD_FILES[case]
    f = tmp_path / f"scp_{case}.txt"
    f.write_text(text)
    code, out, err = _run(capsys, "solve", str(f), "--format", "scp")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"scp_{case}.txt:{line}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["solve", "scp41", "--problem", "max-cover", "--k", "-1"],
        ["solve", "scp41", "--problem", "max-cover", "--k", "3", "--algorithm", "magic"],
        ["solve", "scp41", "--problem", "nonsense"],
        ["solve", "/no/such/file.txt"],
        ["solve", "scp41", "--k", "three"],
        ["frobnicate"],
    ],
)
def test_bad_parameters_one_line_exit_2(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_console_process_never_prints_a_traceback(tmp_path):
    f = tmp_path / "scp_bad.txt"
    f.write_text("3 4\n1 2 3\n")
    proc = subprocess.run([sys.executable, "-m", "submodkit.cli", "solve", str(f)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("submodkit: error:") and proc.stderr.count("\n") == 1


def test_diversity_on_a_point_file(tmp_path, capsys):
    import numpy as np

    f = tmp_path / "pts.npy"
    np.save(f, np.random.default_rng(0).normal(size=(30, 2)))
    code, out, _ = _run(capsys, "verify", str(f), "--problem", "max-min-diversity", "--k", "4", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["exact"]["status"] == "optimal"
    assert obj["value"] <= obj["exact"]["value"] and obj["meets_guarantee"] is True
    assert obj["ratio"] == pytest.approx(obj["value"] / obj["exact"]["value"])


@pytest.mark.parametrize("problem", ["remote-tree-diversity", "remote-star-diversity",
                                     "remote-cycle-diversity"])
def test_remote_diversity_problems_verified_by_enumeration(tmp_path, capsys, problem):
    import numpy as np

    from submodkit.solvers.diversity.exact import brute_force_diversity

    pts = np.random.default_rng(1).normal(size=(12, 2))
    f = tmp_path / "pts.npy"
    np.save(f, pts)
    code, out, _ = _run(capsys, "verify", str(f), "--problem", problem, "--k", "4", "--json")
    obj = json.loads(out)
    opt = brute_force_diversity(pts, 4, problem.removesuffix("-diversity")).value
    assert code == 0 and obj["exact"]["value"] == pytest.approx(opt)
    assert obj["value"] <= opt * (1 + 1e-9)
    if obj["guarantee"] is not None:  # remote-tree 1/4, remote-cycle 1/3; remote-star: none
        assert obj["meets_guarantee"] is True and obj["value"] >= obj["guarantee"]["ratio"] * opt


def test_allocation_on_adx_pub1(shared_data, capsys):
    code, out, _ = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "allocation",
                        "--publisher", "pub1", "--algorithm", "balance", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["lp_optimum"] == pytest.approx(91_998_781, abs=1)
    assert 0 < obj["ratio"] <= 1 and obj["ratio"] == pytest.approx(obj["value"] / obj["lp_optimum"])


def test_bicriteria_allocation_on_adx_pub1_reports_both_criteria(shared_data, capsys):
    code, out, _ = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "allocation",
                        "--publisher", "pub1", "--algorithm", "bicriteria", "--tradeoff", "0.25",
                        "--seed", "3", "--order", "random", "--json")
    obj = json.loads(out)
    card = obj["cardinality"]
    assert code == 0 and obj["guarantee"]["ratio"] == pytest.approx(0.25 / 1.25)
    assert card["guarantee"]["ratio"] == pytest.approx(0.75 / 1.75)
    assert card["value"] == obj["assigned"] and 0 < card["ratio"] <= 1 + 1e-9
    assert card["ratio"] == pytest.approx(card["value"] / card["optimum"])
    code, _, err = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "allocation",
                        "--publisher", "pub1", "--algorithm", "bicriteria", "--tradeoff", "2")
    assert code == 2 and "tradeoff" in err and "Traceback" not in err


def test_fair_allocation_on_adx_pub1(shared_data, capsys):
    code, out, _ = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "fair-allocation",
                        "--publisher", "pub1", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["algorithm"].startswith("online re-solving") and obj["guarantee"]["ratio"] == 0
    assert obj["fair_optimum"]["status"] == "optimal"
    assert 0.9 < obj["ratio"] <= 1 + 1e-9
    assert obj["ratio"] == pytest.approx(obj["value"] / obj["fair_optimum"]["bound"])
    assert 0.9 < obj["budget_extraction"] <= 1 + 1e-9
    code, out, _ = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "fair-allocation",
                        "--publisher", "pub1", "--algorithm", "offline", "--alpha", "2", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["ratio"] >= obj["guarantee"]["ratio"] and obj["budget_extraction"] is None
    code, _, err = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "fair-allocation",
                        "--publisher", "pub1", "--algorithm", "nope")
    assert code == 2 and "--algorithm" in err and "Traceback" not in err


def test_whole_page_file_against_its_optimum(tmp_path, capsys):
    from submodkit.instances.pages import random_page_instance, write_pages
    from submodkit.solvers.allocation.pages import page_optimum

    inst = random_page_instance(40, 8, exclusion_density=0.2, seed=3)
    path = write_pages(inst, tmp_path / "pages.npz")
    code, out, _ = _run(capsys, "verify", str(path), "--problem", "whole-page", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["exact"]["status"] == "optimal"
    assert obj["exact"]["value"] == pytest.approx(page_optimum(inst).value)
    assert 0 < obj["ratio"] <= 1 + 1e-9 and obj["guarantee"]["ratio"] == 0.0
    (tmp_path / "bad.npz").write_text("junk")
    code, _, err = _run(capsys, "solve", str(tmp_path / "bad.npz"), "--problem", "whole-page")
    assert code == 2 and "bad.npz" in err and "Traceback" not in err


def test_bi_objective_welfare_file_against_both_optima(tmp_path, capsys):
    import scipy.sparse as sp

    from submodkit.instances.welfare import write_welfare
    from submodkit.objectives import Coverage
    from submodkit.solvers.allocation.welfare import bi_objective_welfare, brute_force_welfare

    rng = np.random.default_rng(4)
    sides = [[(sp.csr_matrix(rng.random((7, 6)) < 0.35), rng.uniform(0.5, 2.0, 6)) for _ in range(3)]
             for _ in range(2)]
    path = write_welfare(tmp_path / "w.npz", *sides)
    code, out, _ = _run(capsys, "verify", str(path), "--problem", "bi-objective-welfare", "--tradeoff", "0.3",
                        "--seed", "2", "--json")
    obj = json.loads(out)
    first, second = ([Coverage(s, weights=w) for s, w in side] for side in sides)
    direct = bi_objective_welfare(first, second, tradeoff=0.3, seed=2)
    assert code == 0 and obj["value"] == pytest.approx(direct.value)
    assert obj["second_value"] == pytest.approx(direct.stats["second_value"])
    assert obj["exact"]["first"] == pytest.approx(brute_force_welfare(first)[0])
    assert obj["guarantee"]["ratio"] == pytest.approx(0.3 / 1.3)
    assert obj["second_guarantee"]["ratio"] == pytest.approx(0.7 / 1.7)
    (tmp_path / "bad.npz").write_bytes(b"PK junk")
    code, _, err = _run(capsys, "solve", str(tmp_path / "bad.npz"), "--problem", "bi-objective-welfare")
    assert code == 2 and "bad.npz" in err and "Traceback" not in err


def test_proportional_allocation_on_adx_pub1(shared_data, capsys):
    # offline and fractional on the cardinality problem (eligibility only): the ratio is to
    # that problem's LP, and the certified cover bound is at least the LP
    code, out, _ = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "allocation",
                        "--publisher", "pub1", "--algorithm", "proportional", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["algorithm"] == "proportional"
    assert 0.9 <= obj["ratio"] <= 1 + 1e-9 and obj["assigned"] == pytest.approx(obj["value"])
    assert obj["guarantee"]["kind"] == "asymptotic"


def test_matching_on_a_shared_graph_equals_its_optimum(shared_data, capsys):
    from submodkit.instances import read_matching_solution

    graph = shared_data / "matching" / "triangles_n1002.edge.gz"
    total, _ = read_matching_solution(shared_data / "matching" / "triangles_n1002.out.gz")
    code, out, _ = _run(capsys, "verify", str(graph), "--problem", "matching", "--algorithm", "greedy",
                        "--json")
    obj = json.loads(out)
    assert code == 0 and obj["exact"]["value"] == pytest.approx(total)
    assert obj["meets_guarantee"] is True and obj["value"] >= 0.5 * total


def test_verify_suite_exit_status_and_report(tmp_path, capsys):
    code, out, _ = _run(capsys, "verify", "--suite", "set-cover", "--json", "--report", str(tmp_path))
    obj = json.loads(out)
    assert code == 0 and obj["ok"] is True and obj["runs"] > 0 and obj["failures"] == 0
    assert "# Verification report" in (tmp_path / "report.md").read_text()


def test_verify_without_file_or_suite_is_a_one_line_error(capsys):
    code, out, err = _run(capsys, "verify")
    assert code == 2 and err.count("\n") == 1


# --- issue 13: strict JSON, the error contract, sparse graph ids ---------------------------------


def _strict(text: str) -> dict:
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_infinite_ratio_becomes_null_with_a_reason(tmp_path, capsys, monkeypatch):
    from dataclasses import replace

    import submodkit.verification.verify as verify_module

    # a minimization stopped with bound 0 (CP-SAT on rail582 did): value / 0 is not a number
    monkeypatch.setattr(verify_module, "with_solution_bound",
                        lambda exact, sol, integral=False: replace(exact, lower_bound=0.0, status="timeout"))
    f = tmp_path / "scp_tiny.txt"
    f.write_text(SCP_OK)
    code, out, _ = _run(capsys, "verify", str(f), "--json")
    obj = _strict(out)
    assert code == 0 and obj["ratio"] is None and "undefined" in obj["ratio_note"]


def test_json_helpers_are_strict():
    import math

    import numpy as np

    from submodkit.cli import _dumps
    from submodkit.results import Guarantee, Solution, json_safe

    stats = {"a": np.float64(np.inf), "b": [1.0, np.nan], "c": np.int64(3)}
    sol = Solution(selection=np.array([1]), gains=np.array([np.inf]), value=float("nan"), algorithm="x",
                   guarantee=Guarantee(float("inf"), "s", "src"), upper_bound=float("inf"), stats=stats)
    obj = _strict(json.dumps(sol.to_dict(), allow_nan=False))
    assert obj["value"] is None and obj["gains"] == [None] and obj["upper_bound"] is None
    assert obj["guarantee"]["ratio"] is None and obj["stats"] == {"a": None, "b": [1.0, None], "c": 3}
    shown = _strict(_dumps({"r": float("-inf"), "t": (np.float32(0.5), math.nan)}))
    assert shown == {"r": None, "t": [0.5, None]}
    assert json_safe({"x": 2.5, "y": np.arange(2)}) == {"x": 2.5, "y": [0, 1]}


@pytest.mark.parametrize("argv", [
    ["solve", "scp41", "--json"],
    ["solve", "scp41", "--problem", "max-cover", "--k", "5", "--json"],
    ["info", "scp41", "--json"],
])
def test_json_outputs_parse_strictly(capsys, argv):
    code, out, _ = _run(capsys, *argv)
    assert code == 0 and isinstance(_strict(out), dict)


def test_unexpected_exception_is_one_line_exit_1(capsys, monkeypatch):
    import submodkit.cli as cli

    def boom(args, exact):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "_solve", boom)
    monkeypatch.delenv("SUBMODKIT_DEBUG", raising=False)
    code, out, err = _run(capsys, "solve", "scp41")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("submodkit: internal error: RuntimeError: boom second line") and "report" in err
    monkeypatch.setenv("SUBMODKIT_DEBUG", "1")
    code, _, err = _run(capsys, "solve", "scp41")
    assert code == 1 and "Traceback (most recent call last)" in err
    assert "internal error" in err.splitlines()[-1]


def test_missing_publisher_lists_those_present(tmp_path, capsys):
    (tmp_path / "pub1-ads.txt").write_text("advertiser: 1 rho: 0.5\n")
    (tmp_path / "pub1-sample.txt").write_text("1\n")
    code, out, err = _run(capsys, "solve", str(tmp_path), "--problem", "allocation", "--publisher", "pub99")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "pub99-ads.txt[.gz]: no such file" in err and "pub1" in err and "None" not in err
    code, _, err = _run(capsys, "solve", str(tmp_path / "nope"), "--problem", "allocation",
                        "--publisher", "pub1")
    assert code == 2 and err.count("\n") == 1 and "nope: no such directory" in err


def test_graph_with_sparse_ids_keeps_the_file_ids(tmp_path, capsys):
    f = tmp_path / "g.txt"
    f.write_text("1 20000000\n5 7\n20000000 9\n")
    code, out, _ = _run(capsys, "solve", str(f), "--format", "edgelist", "--problem", "max-cover", "--k", "2",
                        "--json")
    obj = _strict(out)
    # vertex 20000000 covers {1, 9, itself}; then 5 or 7 covers two more
    assert code == 0 and obj["value"] == 5
    assert obj["selection"][0] == 20000000 and obj["selection"][1] in (5, 7)
    code, out, _ = _run(capsys, "solve", str(f), "--format", "edgelist", "--problem", "matching", "--json")
    obj = _strict(out)
    assert code == 0 and obj["value"] == 2 and sorted(map(tuple, obj["pairs"])) in (
        [(1, 20000000), (5, 7)], [(5, 7), (9, 20000000)])
    code, out, err = _run(capsys, "solve", str(f), "--format", "edgelist", "--problem", "set-cover")
    assert code == 2 and out == "" and err.count("\n") == 1 and "set cover must take each one" in err


# --- issue 14: the problem table and the algorithm tables -----------------------------------------


def test_problem_table_reads_the_algorithm_tables():
    from submodkit.cli import _PROBLEMS, PROBLEMS, _algorithm_help
    from submodkit.solvers.allocation.online import ALLOCATE
    from submodkit.solvers.diversity.dispersion import DIVERSIFY
    from submodkit.verification import problems

    assert PROBLEMS == tuple(_PROBLEMS)
    assert {p.removesuffix("-diversity") for p in PROBLEMS if p.endswith("-diversity")} == set(DIVERSIFY)
    for name, problem in problems.PROBLEMS.items():
        if name in _PROBLEMS:
            assert _PROBLEMS[name].algorithms() == (tuple(problem.algorithms), problem.default)
            assert _PROBLEMS[name].needs_k == problem.needs_k
    assert _PROBLEMS["allocation"].algorithms()[0] == (*ALLOCATE, "proportional")
    shown = _algorithm_help()
    for spec in _PROBLEMS.values():
        names, default = spec.algorithms()
        assert all(name in shown for name in names)
        assert default is None or f"{default} (default)" in shown


def test_help_lists_every_algorithm(capsys, monkeypatch):
    from submodkit.verification.problems import SUBMODULAR

    monkeypatch.setenv("COLUMNS", "4000")  # one line per option
    with pytest.raises(SystemExit):
        main(["solve", "--help"])
    out = capsys.readouterr().out
    assert "lazy (default)" in out and "dual-mirror-descent" in out and "remote-cycle-diversity: gmm" in out
    assert all(name in out for name in SUBMODULAR)


@pytest.mark.parametrize("algorithm", ["lazy", "naive", "stochastic", "threshold", "auto", "random-greedy",
                                       "sieve", "sieve++", "greedi", "randgreedi", "bicriteria", "adaptive",
                                       "sketch"])
def test_every_max_cover_algorithm_runs_from_the_table(tmp_path, capsys, algorithm):
    """--algorithm NAME runs the problem table's entry: the same result as its run."""
    from submodkit.instances import read_instance
    from submodkit.objectives import Coverage
    from submodkit.verification.problems import PROBLEMS, Options

    f = tmp_path / "scp_tiny.txt"
    f.write_text(SCP_OK)
    code, out, _ = _run(capsys, "verify", str(f), "--problem", "max-cover", "--k", "2", "--algorithm",
                        algorithm, "--seed", "0", "--json")
    obj = _strict(out)
    assert code == 0 and obj["exact"]["status"] == "optimal" and obj["meets_guarantee"] is not False
    target = Coverage.from_set_system(read_instance(f))
    sol = PROBLEMS["max-cover"].algorithm(algorithm).run(target, 2, Options(seed=0))
    assert (obj["algorithm"], obj["value"]) == (sol.algorithm, sol.value)
    assert obj["selection"] == sol.selection.tolist()


def test_set_cover_takes_only_its_own_algorithms(tmp_path, capsys):
    f = tmp_path / "scp_tiny.txt"
    f.write_text(SCP_OK)
    code, out, err = _run(capsys, "solve", str(f), "--algorithm", "lazy")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "algorithm='lazy': expected one of 'greedy', 'lagrangian', 'exact', 'sketch'" in err
    for algorithm in ("greedy", "lagrangian", "exact", "sketch"):
        code, out, _ = _run(capsys, "solve", str(f), "--algorithm", algorithm, "--seed", "0", "--json")
        assert code == 0 and _strict(out)["value"] >= 4  # the optimum is 4 (columns 1 and 3)


def test_version_module_entry_and_typed_marker():
    import importlib.resources
    import subprocess
    import sys

    import submodkit

    out = subprocess.run([sys.executable, "-m", "submodkit", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"submodkit {submodkit.__version__}"
    assert (importlib.resources.files("submodkit") / "py.typed").is_file()


def test_a_closed_pipe_ends_quietly():
    """``submodkit ... | head``: the reader leaves early; no "Broken pipe" line on stderr."""
    import subprocess
    import sys

    code = ("import sys; from submodkit.cli import main; sys.exit(main(['solve', 'rail507', '--problem', "
            "'max-cover', '--k', '20000', '--json']))")
    out = subprocess.run(f'"{sys.executable}" -c "{code}" | head -c 5', shell=True, capture_output=True,
                         text=True, executable="/bin/bash")
    assert out.stdout == '{"ins' and out.stderr == ""


def test_unknown_format_names_the_flag(tmp_path, capsys):
    f = tmp_path / "junk.xyz"
    f.write_text("hello world\n")
    code, out, err = _run(capsys, "info", str(f))
    assert code == 2 and out == "" and "pass --format" in err and "format=" not in err


def test_weighted_dimacs_defaults_to_matching_and_info_on_folders(tmp_path, capsys):
    edge = tmp_path / "g.edge"
    edge.write_text("p edge 4 3\ne 1 2 5\ne 2 3 1\ne 3 4 5\n")
    code, out, _ = _run(capsys, "solve", str(edge), "--json")
    assert code == 0 and _strict(out)["problem"] == "matching" and _strict(out)["value"] == 10
    assert _strict(out)["pairs"] == [[0, 1], [2, 3]] and _strict(out)["vertex_ids"].startswith("0-based")
    plain = tmp_path / "g.txt"  # unweighted (SNAP): coverage
    plain.write_text("0 1\n1 2\n2 3\n")
    code, out, _ = _run(capsys, "solve", str(plain), "--k", "1", "--json")
    assert code == 0 and _strict(out)["problem"] == "max-cover"
    # info on an AdX folder lists its publishers; on a shard folder, its manifest
    adx = tmp_path / "adx"
    adx.mkdir()
    for name in ("pub1-adx.txt.gz", "pub2-adx.txt.gz", "pub10-adx.txt"):
        (adx / name).write_bytes(b"")
    code, out, _ = _run(capsys, "info", str(adx), "--json")
    assert code == 0 and _strict(out)["publishers"] == "pub1,pub2,pub10"
    assert main(["shard", "scp41", "--n-parts", "3", "--seed", "1", "--out", str(tmp_path / "s")]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "info", str(tmp_path / "s"), "--json")
    assert code == 0 and _strict(out)["n_parts"] == 3 and _strict(out)["n_items"] == 1000
    code, out, err = _run(capsys, "info", str(tmp_path))
    assert code == 2 and "AdX folder" in err and err.count("\n") == 1


def test_outliers_reach_the_exact_model_and_verify(capsys):
    # scp41 with 10% of its elements uncovered: 238, proven both by the Lagrangian bound and
    # by CP-SAT; `verify` compared a cover with outliers against the full cover's 429
    code, out, _ = _run(capsys, "solve", "scp41", "--algorithm", "exact", "--outliers", "0.1", "--json")
    solved = _strict(out)
    assert code == 0 and solved["status"] == "optimal" and solved["value"] == 238
    code, out, _ = _run(capsys, "verify", "scp41", "--outliers", "0.1", "--json")
    checked = _strict(out)
    assert code == 0 and checked["exact"]["value"] == 238 and checked["exact"]["status"] == "optimal"
    assert checked["value"] >= 238 and checked["ratio"] >= 1.0
    for command in (["verify", "scp41", "--problem", "max-cover", "--k", "5"],  # --outliers is set cover's
                    ["solve", "scp41", "--problem", "max-cover"],
                    ["solve", "scp41", "--problem", "matching"]):
        code, out, err = _run(capsys, *command, "--outliers", "0.1")
        assert code == 2 and out == "" and "outliers" in err and err.count("\n") == 1, command


def test_long_runs_print_periodic_lines_when_stderr_is_not_a_terminal():
    import os

    env = {**os.environ, "SUBMODKIT_HEARTBEAT": "0.2,0.2"}
    cmd = [sys.executable, "-m", "submodkit", "verify", "rail507", "--time-limit", "2"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 0 and len(lines) >= 3
    assert all(line.startswith("submodkit: still ") and line.endswith(" s)") for line in lines)
    assert any("solving exactly" in line for line in lines)  # the phase follows the command
    quiet = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True, env=env, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == ""
    short = subprocess.run([sys.executable, "-m", "submodkit", "solve", "scp41"], capture_output=True,
                           text=True, timeout=120)  # default: nothing in the first 10 s
    assert short.returncode == 0 and short.stderr == ""


def test_verify_says_which_bound_gave_the_ratio(tmp_path, capsys):
    code, out, _ = _run(capsys, "verify", "scp41", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["ratio_from"] == "the proven optimum"
    points = tmp_path / "p.csv"
    np.savetxt(points, np.random.default_rng(0).random((300, 5)), delimiter=",")
    code, out, _ = _run(capsys, "verify", str(points), "--problem", "facility-location", "--k", "10",
                        "--time-limit", "1", "--solver", "scip", "--json")
    obj = json.loads(out)
    assert code == 0
    if obj["exact"]["status"] == "optimal":
        assert obj["ratio_from"] == "the proven optimum"
    else:  # the best bound from any source, named; the ratio divides by it
        assert obj["ratio_from"].startswith("the best bound: ")
        assert obj["ratio"] == pytest.approx(obj["value"] / obj["exact"]["bound"], rel=1e-6)
        assert obj["ratio"] >= obj["value"] / obj["upper_bound"] - 1e-9  # never worse than its own bound


def test_a_problem_needing_k_defaults_to_10_and_says_so(capsys):
    code, out, _ = _run(capsys, "solve", "scp41", "--problem", "max-cover", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["k"] == 10 and obj["k_default"] is True and len(obj["selection"]) == 10
    code, out, _ = _run(capsys, "solve", "scp41", "--problem", "max-cover")
    assert code == 0 and "k          10  (the default; --k K to choose)" in out
    code, out, _ = _run(capsys, "solve", "scp41", "--problem", "max-cover", "--k", "4", "--json")
    obj = json.loads(out)
    assert obj["k"] == 4 and "k_default" not in obj and len(obj["selection"]) == 4


@pytest.mark.parametrize("problem", [["--problem", "matching"], []])
def test_matching_ilp_gets_the_commands_time_limit(tmp_path, capsys, problem):
    # with --problem given the file went straight to the matching runner, whose clock was never
    # started: the ILP ran without a limit (13 s on a 10,000-vertex instance at --time-limit 0.5)
    path = tmp_path / "g.edge"
    path.write_text("p edge 4 3\ne 1 2 5\ne 2 3 7\ne 3 4 5\n")
    code, out, err = _run(capsys, "solve", str(path), *problem, "--algorithm", "ilp", "--time-limit", "5",
                          "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert obj["problem"] == "matching" and obj["value"] == 10
    assert 0 < obj["stats"]["parameters"]["time_limit"] <= 5
    code, _, err = _run(capsys, "solve", str(path), *problem, "--algorithm", "ilp", "--time-limit", "-1")
    assert code == 2 and "time_limit" in err and len(err.strip().splitlines()) == 1


def test_the_time_limit_counts_from_the_commands_start(tmp_path, capsys, monkeypatch):
    # the clock started in the problem's runner, after parsing and the imports before it (Numba's
    # 0.25 s among them): a cold `--time-limit 1` printed 0.95 s and ended 1.33 s after launch
    import submodkit.cli as cli

    real = cli._parser()

    class SlowParser:
        def parse_args(self, argv):
            time.sleep(0.6)  # what the imports cost before the runner
            return real.parse_args(argv)

    monkeypatch.setattr(cli, "_parser", lambda: SlowParser())
    path = tmp_path / "g.edge"
    path.write_text("p edge 4 3\ne 1 2 5\ne 2 3 7\ne 3 4 5\n")
    code, out, err = _run(capsys, "solve", str(path), "--algorithm", "ilp", "--time-limit", "5", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert obj["value"] == 10 and obj["seconds"] >= 0.6
    assert 0 < obj["stats"]["parameters"]["time_limit"] <= 5 - 0.6


def test_a_graph_file_is_read_once(tmp_path, capsys, monkeypatch):
    # the command read the file to learn its kind, then the matching runner read it again
    import submodkit.instances as instances

    real, reads = instances.read_instance, []
    monkeypatch.setattr(instances, "read_instance", lambda *a, **kw: reads.append(a) or real(*a, **kw))
    path = tmp_path / "g.edge"
    path.write_text("p edge 4 3\ne 1 2 5\ne 2 3 7\ne 3 4 5\n")
    code, out, err = _run(capsys, "verify", str(path), "--algorithm", "greedy", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert obj["problem"] == "matching" and obj["value"] == 7 and obj["exact"]["value"] == 10
    assert obj["instance"] == "g" and len(reads) == 1


def test_allocation_claims_no_ratio_without_a_proven_bound(shared_data, capsys, monkeypatch):
    # an LP stopped by --time-limit: its value (the greedy allocation's) was printed as the bound
    # and the ratio came out 1.0 (the LP optimum of pub1 is 0.06% higher)
    import submodkit.solvers.allocation.offline as offline

    real, limits = offline.offline_optimum, []

    def stopped_at_once(instance, *args, time_limit=None, **kwargs):
        limits.append(time_limit)
        return real(instance, *args, time_limit=1e-3, **kwargs)  # no time to build: greedy, no bound

    monkeypatch.setattr(offline, "offline_optimum", stopped_at_once)
    code, out, err = _run(capsys, "solve", str(shared_data / "adx"), "--problem", "allocation",
                          "--publisher", "pub1", "--time-limit", "30", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert limits and 0 < limits[0] <= 30  # the command's limit reaches the LP
    assert obj["exact"]["status"] == "timeout" and obj["exact"]["bound"] >= obj["exact"]["value"]
    assert obj["lp_optimum"] is None  # the bound is the prices' (price_bound), not the optimum
    assert obj["ratio"] is None or obj["ratio"] <= 1.0


def test_procurement_ratio_is_to_a_proven_value_only(capsys, monkeypatch):
    # an exact program stopped by the limit: its value (the auction's own selection, given as the
    # hint) was divided into the auction's value, printing ratio 1.0 with nothing proven
    import submodkit.solvers.cover.exact as cover_exact

    real = cover_exact.exact_coverage_profit

    def stopped(*args, time_limit=None, **kwargs):
        return real(*args, time_limit=1e-3, **kwargs)

    monkeypatch.setattr(cover_exact, "exact_coverage_profit", stopped)
    code, out, err = _run(capsys, "verify", "scp41", "--problem", "procurement", "--json")
    assert code == 0, err
    obj = json.loads(out)
    exact = obj["exact"]
    if exact["status"] != "optimal":  # then only a proven bound may give a ratio
        assert (obj["ratio"] is None) == (exact["bound"] is None)
        if exact["bound"] is not None:
            assert obj["ratio"] == pytest.approx(obj["value"] / exact["bound"])
    assert obj["ratio"] is None or obj["ratio"] <= 1 + 1e-9


@pytest.mark.parametrize("seeds", ["99999999999999999999999", "10000000000", "100001", "0", "1e23"])
def test_verify_suite_seed_count_is_bounded_when_parsed(capsys, seeds):
    # 10^10 seeds filled the memory (MemoryError, or the OOM killer) and 10^23 overflowed, status 1;
    # parsing alone: nothing runs, whatever the code
    from submodkit.cli import _parser

    with pytest.raises(SystemExit) as info:
        _parser().parse_args(["verify", "--suite", "quick", "--seeds", seeds])
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "--seeds" in err and "1 to 100000" in err
    assert _parser().parse_args(["verify", "--suite", "quick", "--seeds", "100000"]).seeds == 100000


def test_adx_ids_of_thousands_of_digits_exit_2_with_file_and_line(tmp_path, capsys):
    # int() of 4,300 digits and more raised its own ValueError: "internal error", status 1
    ads = "advertiser: 1 rho: 0.5\nadvertiser: " + "7" * 5000 + " rho: 0.2\n"
    (tmp_path / "pub1-ads.txt").write_text(ads)
    (tmp_path / "pub1-sample.txt").write_text("1,2\n")
    code, out, err = _run(capsys, "solve", str(tmp_path), "--problem", "allocation", "--publisher", "pub1")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "pub1-ads.txt:2: expected advertiser id 2" in err


def test_orlib_tokens_with_underscores_are_refused(tmp_path, capsys):
    # Python's int() and float() read 1_0 as 10: the file was read as if it said 10
    from submodkit.errors import InstanceFormatError
    from submodkit.instances.readers import read_orlib_scp

    path = tmp_path / "scp_us.txt"
    path.write_text("3 10\n1 1 1 1 1 1 1 1 1 1\n2 1 2\n2 2 3\n2 3 1_0\n")
    with pytest.raises(InstanceFormatError) as info:
        read_orlib_scp(path)
    assert info.value.line == 5 and "scp_us.txt:5: expected a number, found '1_0'" in str(info.value)
    code, out, err = _run(capsys, "info", str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "scp_us.txt:5" in err
