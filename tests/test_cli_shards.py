"""``submodkit shard`` and ``submodkit solve`` on a shard folder: the commands of issue 15 on
small data, equal to the in-memory answer, with one-line errors."""

import json

import numpy as np
import pytest

import submodkit
from submodkit import coresets
from submodkit.cli import main
from submodkit.instances import random_set_system
from submodkit.objectives import Coverage


def _json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def big_dat(tmp_path):
    """A FIMI transaction file (one set per line: its element ids) and the set system it holds."""
    system = random_set_system(2500, 3000, mean_set_size=11, seed=21)
    path = tmp_path / "big.dat"
    sets = system.sets
    path.write_text(
        "".join(
            " ".join(map(str, sets.indices[sets.indptr[j] : sets.indptr[j + 1]])) + "\n"
            for j in range(system.n_sets)
        )
    )
    read = submodkit.read_instance(path)
    assert read.n_sets == system.n_sets and read.nnz == system.nnz
    return read, path


def test_shard_then_solve_equals_memory_and_python(big_dat, tmp_path, capsys):
    system, path = big_dat
    out = tmp_path / "shards"
    info = _json(capsys, "shard", str(path), "--n-parts", "16", "--seed", "0", "--out", str(out), "--json")
    assert info["n_parts"] == 16 and info["n_items"] == system.n_sets and info["nnz"] == system.nnz
    assert sum(info["part_sizes"]) == system.n_sets
    threads = _json(
        capsys,
        "solve",
        str(out),
        "--problem",
        "max-cover",
        "--k",
        "30",
        "--algorithm",
        "randgreedi",
        "--json",
    )
    ref = coresets.randgreedi(Coverage.from_set_system(system), 30, n_parts=16, seed=0)
    assert threads["selection"] == ref.selection.tolist() and threads["value"] == ref.value
    assert threads["upper_bound"] == pytest.approx(ref.upper_bound)
    # the command of the issue, on a real 2-process LocalCluster with 1 GB per worker
    pytest.importorskip("distributed")
    dask = _json(
        capsys,
        "solve",
        str(out),
        "--problem",
        "max-cover",
        "--k",
        "30",
        "--algorithm",
        "randgreedi",
        "--engine",
        "dask",
        "--workers",
        "2",
        "--worker-memory",
        "1GB",
        "--json",
    )
    assert dask["selection"] == threads["selection"] and dask["engine"] == "client"
    # and in Python, on the caller's client
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, memory_limit="1GB", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        sol = coresets.randgreedi(submodkit.open_shards(out), 30, engine=client, seed=0)
        assert sol.selection.tolist() == dask["selection"]
        # --scheduler: an existing cluster
        again = _json(
            capsys,
            "solve",
            str(out),
            "--k",
            "30",
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            "--json",
        )
        assert again["selection"] == dask["selection"]


def test_contiguous_shards_default_to_greedi(big_dat, tmp_path, capsys):
    system, path = big_dat
    out = tmp_path / "c"
    assert main(["shard", str(path), "--n-parts", "3", "--rule", "contiguous", "--out", str(out)]) == 0
    assert "3 parts" in capsys.readouterr().out
    res = _json(capsys, "solve", str(out), "--k", "12", "--json")
    ref = coresets.greedi(Coverage.from_set_system(system), 12, n_parts=3)
    assert res["algorithm"] == "greedi" and res["selection"] == ref.selection.tolist()


@pytest.mark.parametrize(
    "extra,needle",
    [
        (["--algorithm", "lazy"], "randgreedi, greedi, bicriteria, adaptive, sketch"),
        (["--problem", "matching"], "max-cover or set-cover"),
        (["--problem", "set-cover", "--algorithm", "greedi"], "sketch for set-cover"),
        (["--exact"], "core-sets"),
        (["--n-parts", "5"], "n_parts"),
        (["--seed", "9"], "seed"),
        (["--engine", "dask", "--worker-memory", "lots"], "2GB"),
        (["--engine", "mpi"], "threads or dask"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--engine dask"),
        (["--engine", "dask", "--workers", "0"], ">= 1"),
    ],
)
def test_shard_folder_errors_are_one_line(big_dat, tmp_path, capsys, extra, needle):
    _, path = big_dat
    out = tmp_path / "s"
    assert main(["shard", str(path), "--n-parts", "4", "--seed", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["solve", str(out), "--k", "5", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err


def test_shard_errors_are_one_line(big_dat, tmp_path, capsys):
    _, path = big_dat
    assert main(["shard", str(path), "--n-parts", "0", "--out", str(tmp_path / "x")]) == 2
    assert main(["shard", str(tmp_path / "missing.dat"), "--n-parts", "2", "--out", str(tmp_path / "y")]) == 2
    assert main(["shard", str(path), "--n-parts", "2", "--out", str(tmp_path / "z"), "--rule", "zigzag"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("submodkit: error:") for line in err)
    assert not (tmp_path / "x").exists() and not (tmp_path / "z").exists()


def test_sketch_on_a_shard_folder_equals_memory(big_dat, tmp_path, capsys):
    from submodkit.coresets import sketch_maximize

    system, path = big_dat
    out = tmp_path / "s"
    assert main(["shard", str(path), "--n-parts", "5", "--seed", "2", "--out", str(out)]) == 0
    capsys.readouterr()
    res = _json(capsys, "solve", str(out), "--k", "10", "--algorithm", "sketch", "--seed", "3", "--max-edges",
                "5000", "--json")
    ref = sketch_maximize(Coverage.from_set_system(system), 10, 0.1, seed=3, max_edges=5000)
    assert res["selection"] == ref.selection.tolist() and res["value"] == ref.value
    assert res["sketch_size"] <= 5000


def test_damaged_shard_on_dask_is_one_line_and_workers_stay_quiet(big_dat, tmp_path, capfd):
    """The worker processes share the terminal: a task that fails on a damaged shard must not
    print the workers' own log lines (Compute Failed, cancelled tasks) before the CLI's line."""
    pytest.importorskip("distributed")
    _, path = big_dat
    out = tmp_path / "s"
    assert main(["shard", str(path), "--n-parts", "4", "--seed", "1", "--out", str(out)]) == 0
    damaged = out / "part-00002" / "indices.npy"
    damaged.write_bytes(damaged.read_bytes()[:40])
    capfd.readouterr()
    assert main(["solve", str(out), "--k", "5", "--engine", "dask", "--workers", "2"]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "part-00002/indices.npy" in err and "bytes" in err


def test_bicriteria_on_a_shard_folder_equals_memory(big_dat, tmp_path, capsys):
    system, path = big_dat
    out = tmp_path / "s"
    assert main(["shard", str(path), "--n-parts", "5", "--seed", "2", "--out", str(out)]) == 0
    capsys.readouterr()
    res = _json(capsys, "solve", str(out), "--k", "7", "--algorithm", "bicriteria", "--rounds", "1",
                "--epsilon", "0.4", "--json")
    ref = coresets.bicriteria_greedi(Coverage.from_set_system(system), 7, n_parts=5, epsilon=0.4, rounds=1,
                                     seed=2)
    assert res["selection"] == ref.selection.tolist() and res["value"] == ref.value
    assert res["guarantee"]["ratio"] == pytest.approx(0.6)


def test_set_cover_on_a_shard_folder_equals_memory(tmp_path, capsys):
    """scp41 (its costs 1 to 100 travel from the parts' costs files): the sketch cover on
    shards is the in-memory one, and a valid cover of every element."""
    path = submodkit.instances.bundled("scp41")
    system = submodkit.read_instance(path)
    out = tmp_path / "s"
    assert main(["shard", str(path), "--n-parts", "3", "--seed", "4", "--out", str(out)]) == 0
    capsys.readouterr()
    res = _json(capsys, "solve", str(out), "--problem", "set-cover", "--max-edges", "1500", "--seed", "4",
                "--json")
    ref = coresets.sketch_set_cover(Coverage.from_set_system(system), 0.1, seed=4, max_edges=1500,
                                    costs=system.costs)
    assert res["selection"] == ref.selection.tolist() and res["value"] == ref.value
    assert res["coverage"] == 1.0 and res["guarantee"] is None
    covered = np.unique(system.sets[res["selection"]].indices)
    assert covered.shape[0] == system.n_elements and res["value"] >= 429  # scp41's optimum
