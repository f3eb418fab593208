"""One streaming pass over a shard folder or a set-major file read in chunks: the answer
of StreamingMaximizer on the whole objective with the items in the same order, holding one
part (or chunk) and the sieve's state."""

import json

import numpy as np
import pytest

from submodkit.cli import main
from submodkit.errors import InvalidParameterError
from submodkit.instances import PointSet, random_set_system, write_shards
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.streaming import StreamingMaximizer, stream_shards


@pytest.mark.parametrize(
    "n_parts,seed,algorithm", [(1, 0, "sieve++"), (4, 1, "sieve++"), (9, 2, "sieve"), (40, 3, "sieve++")]
)
def test_same_as_the_whole_stream(tmp_path, n_parts, seed, algorithm):
    system = random_set_system(1500, 900, mean_set_size=8, seed=seed)
    shards = write_shards(system, tmp_path / "s", n_parts=n_parts, seed=seed)
    order = np.concatenate([shards.ids(i) for i in range(n_parts) if len(shards.ids(i))])
    sm = StreamingMaximizer(Coverage.from_set_system(system), 12, algorithm=algorithm, epsilon=0.1)
    sm.update(order)
    ref = sm.solution()
    sol = stream_shards(shards, 12, algorithm=algorithm)
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
    assert sol.stats["evaluations"] == ref.stats["evaluations"] and sol.guarantee == ref.guarantee
    assert sol.stats["peak_kept_sets"] <= sm.n_slots * 12 + 12


def test_cli_and_errors(tmp_path, capsys):
    system = random_set_system(300, 200, mean_set_size=6, seed=7)
    shards = write_shards(system, tmp_path / "s", n_parts=3, seed=7)
    assert main(["solve", str(tmp_path / "s"), "--k", "5", "--algorithm", "sieve++", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["selection"] == stream_shards(shards, 5).selection.tolist()
    points = write_shards(PointSet(np.eye(3)), tmp_path / "p", n_parts=2, seed=0)
    with pytest.raises(InvalidParameterError, match="set-system"):
        stream_shards(points, 2)


def _fimi(path, system):
    sets = system.sets
    path.write_text(
        "".join(
            " ".join(map(str, sets.indices[sets.indptr[j] : sets.indptr[j + 1]])) + "\n"
            for j in range(system.n_sets)
        )
    )
    return path


def _whole_stream(instance, k, algorithm="sieve++"):
    sm = StreamingMaximizer(Coverage.from_set_system(instance), k, algorithm=algorithm, epsilon=0.1)
    sm.update(np.arange(instance.n_sets))
    return sm.solution()


@pytest.mark.parametrize("chunk", [1024, 5000, 1 << 20])
def test_stream_file_equals_the_whole_stream(tmp_path, chunk):
    from submodkit import read_instance
    from submodkit.instances import bundled
    from submodkit.solvers.submodular.streaming import stream_file

    path = _fimi(tmp_path / "x.dat", random_set_system(2000, 1500, mean_set_size=9, seed=chunk % 7))
    for p in (path, bundled("rail507")):
        ref = _whole_stream(read_instance(p), 15)
        sol = stream_file(p, 15, chunk_bytes=chunk)
        assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
        assert sol.stats["evaluations"] == ref.stats["evaluations"]


def test_stream_file_memory_does_not_grow_with_the_file(tmp_path):
    """tracemalloc peak for a file of N sets and of 4N sets, read 16 KiB at a time: the
    sieve's state and one chunk, not the file."""
    import tracemalloc

    from submodkit.solvers.submodular.streaming import stream_file

    peaks = []
    for n in (4000, 16000):
        path = _fimi(tmp_path / f"f{n}.dat", random_set_system(n, 3000, mean_set_size=10, seed=1))
        stream_file(path, 10, chunk_bytes=16384)  # compile and warm outside the measurement
        tracemalloc.start()
        stream_file(path, 10, chunk_bytes=16384)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks


def test_cli_streams_set_major_files(tmp_path, capsys):
    from submodkit import read_instance

    path = _fimi(tmp_path / "x.dat", random_set_system(500, 300, mean_set_size=6, seed=2))
    assert (
        main(["solve", str(path), "--problem", "max-cover", "--k", "8", "--algorithm", "sieve++", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["streamed"] and out["selection"] == _whole_stream(read_instance(path), 8).selection.tolist()
    # element-major scp: read whole (the in-memory path), same algorithm
    assert (
        main(["solve", "scp41", "--problem", "max-cover", "--k", "8", "--algorithm", "sieve++", "--json"])
        == 0
    )
    assert "streamed" not in json.loads(capsys.readouterr().out)


def test_stream_file_refuses_element_major_files():
    from submodkit.errors import InstanceFormatError
    from submodkit.instances import bundled
    from submodkit.solvers.submodular.streaming import stream_file

    with pytest.raises(InstanceFormatError, match="shard it first"):
        stream_file(bundled("scp41"), 5)
