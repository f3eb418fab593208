"""One streaming pass over a shard folder: the answer of StreamingMaximizer on the whole
objective with the items in the same order, holding one part and the sieve's state."""

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
    shards = write_shards(system, tmp_path / "s", n_parts, seed=seed)
    order = np.concatenate([shards.ids(i) for i in range(n_parts) if len(shards.ids(i))])
    sm = StreamingMaximizer(Coverage.from_set_system(system), 12, algorithm, 0.1)
    sm.update(order)
    ref = sm.solution()
    sol = stream_shards(shards, 12, algorithm=algorithm)
    assert sol.selection.tolist() == ref.selection.tolist() and sol.value == ref.value
    assert sol.stats["evaluations"] == ref.stats["evaluations"] and sol.guarantee == ref.guarantee
    assert sol.stats["peak_kept_sets"] <= sm.n_slots * 12 + 12


def test_cli_and_errors(tmp_path, capsys):
    system = random_set_system(300, 200, mean_set_size=6, seed=7)
    shards = write_shards(system, tmp_path / "s", 3, seed=7)
    assert main(["solve", str(tmp_path / "s"), "--k", "5", "--algorithm", "sieve++", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["selection"] == stream_shards(shards, 5).selection.tolist()
    points = write_shards(PointSet(np.eye(3)), tmp_path / "p", 2, seed=0)
    with pytest.raises(InvalidParameterError, match="set-system"):
        stream_shards(points, 2)
