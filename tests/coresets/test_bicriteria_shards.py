"""Bicriteria distributed greedy on shards: one round is exactly the in-memory answer; more
rounds reuse the folder's partition, stay a correct greedy continuation, and claim no ratio."""

import numpy as np
import pytest

from submodkit.coresets import bicriteria_greedi
from submodkit.errors import InvalidParameterError
from submodkit.instances import open_shards, random_set_system, write_shards
from submodkit.objectives import Coverage
from submodkit.solvers.cover.exact import exact_max_cover


@pytest.mark.parametrize("n_parts,seed", [(1, 0), (4, 5), (9, 2)])
def test_one_round_on_shards_is_the_in_memory_answer(tmp_path, n_parts, seed):
    system = random_set_system(700, 900, mean_set_size=9, seed=seed)
    write_shards(system, tmp_path / "s", n_parts=n_parts, seed=seed)
    ref = bicriteria_greedi(Coverage.from_set_system(system), 8, n_parts=n_parts, epsilon=0.3, rounds=1,
                            seed=seed)
    sol = bicriteria_greedi(open_shards(tmp_path / "s"), 8, epsilon=0.3, rounds=1, seed=seed)
    assert sol.selection.tolist() == ref.selection.tolist()
    assert sol.value == ref.value and sol.gains.tolist() == ref.gains.tolist()
    assert sol.stats["union_sizes"] == ref.stats["union_sizes"]
    assert sol.guarantee == ref.guarantee and sol.upper_bound == pytest.approx(ref.upper_bound)
    # only core-sets travel: at most t sets per part, with their rows
    assert sol.stats["union_sizes"][0] <= sol.stats["items_per_round"] * n_parts
    assert sol.stats["bytes_core_sets"] > 0


def test_more_rounds_continue_greedily_and_claim_no_ratio(tmp_path):
    system = random_set_system(600, 800, mean_set_size=8, seed=11)
    f = Coverage.from_set_system(system)
    write_shards(system, tmp_path / "s", n_parts=4, seed=3)
    sol = bicriteria_greedi(open_shards(tmp_path / "s"), 6, epsilon=0.3, rounds=3, seed=3)
    t = sol.stats["items_per_round"]
    assert len(sol.selection) == 3 * t == len(set(sol.selection.tolist()))
    # the value is the input's f(S), and each round's value is f of the prefix chosen so far
    assert sol.value == f.evaluate(sol.selection)
    for r, v in enumerate(sol.stats["round_values"]):
        assert v == f.evaluate(sol.selection[: (r + 1) * t])
    assert np.all(sol.gains > 0) and sol.gains.sum() == sol.value
    assert sol.guarantee is None and "no ratio" in sol.stats["partition"]
    # the first round is the one-round answer
    one = bicriteria_greedi(open_shards(tmp_path / "s"), 6, epsilon=0.3, rounds=1, seed=3,
                            items_per_round=t)
    assert sol.selection[:t].tolist() == one.selection.tolist()


def test_one_round_meets_its_bicriteria_claim_against_exact_opt(tmp_path):
    for seed in range(4):
        system = random_set_system(40, 30, density=0.1, seed=seed)
        write_shards(system, tmp_path / f"b{seed}", n_parts=3, seed=seed)
        sol = bicriteria_greedi(open_shards(tmp_path / f"b{seed}"), 3, epsilon=0.2, rounds=1, seed=seed)
        opt = exact_max_cover(system.sets, system.weights, k=3).value
        assert sol.value >= (1 - 0.2) * opt - 1e-9
        # the a-posteriori bound is a bound on OPT_k, not clipped to f(S) (S has more than k items)
        assert opt - 1e-9 <= sol.upper_bound
        assert sol.stats["value_over_bound"] == pytest.approx(sol.value / sol.upper_bound)


def test_shard_folder_rules(tmp_path):
    system = random_set_system(60, 50, mean_set_size=4, seed=1)
    write_shards(system, tmp_path / "c", n_parts=3, rule="contiguous")
    write_shards(system, tmp_path / "r", n_parts=3, seed=4)
    with pytest.raises(InvalidParameterError, match="random partition"):
        bicriteria_greedi(open_shards(tmp_path / "c"), 3)
    with pytest.raises(InvalidParameterError, match="seed"):
        bicriteria_greedi(open_shards(tmp_path / "r"), 3, seed=9)
    with pytest.raises(InvalidParameterError, match="n_parts"):
        bicriteria_greedi(open_shards(tmp_path / "r"), 3, n_parts=5)
    with pytest.raises(InvalidParameterError, match="Shards"):
        bicriteria_greedi([[0, 1]], 1, n_parts=2)


@pytest.mark.parametrize("seed", range(6))
def test_later_rounds_never_choose_an_item_again(tmp_path, seed):
    """A small ground set that saturates: later rounds' candidates exclude S's items, so the
    selection stays distinct, as in memory (items gaining 0 came back before)."""
    system = random_set_system(12, 10, mean_set_size=3, seed=seed)
    f = Coverage.from_set_system(system)
    write_shards(system, tmp_path / "s", n_parts=2, seed=seed)
    sol = bicriteria_greedi(open_shards(tmp_path / "s"), 2, epsilon=0.5, rounds=3, seed=seed)
    assert len(sol.selection) == len(set(sol.selection.tolist()))
    assert sol.value == pytest.approx(f.evaluate(sol.selection))
    assert sol.upper_bound >= sol.value
