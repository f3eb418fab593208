"""Fully dynamic maximization: after every insertion and deletion each level is exactly the
threshold greedy a from-scratch run would build over the items present (in the same priority
order), the answer is within 1 / (2 (1 + epsilon)) of the brute-force optimum of the items
present, and the sieves refuse deletions with a clear error."""

import itertools

import numpy as np
import pytest

from submodkit import Coverage, StreamingMaximizer
from submodkit.errors import InvalidParameterError
from submodkit.objectives import FacilityLocation
from submodkit.solvers.submodular.dynamic import DynamicMaximizer


def _scratch(f, order, tau, k):
    """Threshold greedy over ``order``, by plain evaluations."""
    chosen, value = [], 0.0
    for e in order:
        if len(chosen) >= k:
            break
        g = f.evaluate(np.array(chosen + [e], dtype=np.int64)) - value
        if g >= tau - 1e-12:
            chosen.append(int(e))
            value += g
    return chosen


def _opt(f, present, k):
    return max((f.evaluate(np.array(S, dtype=np.int64)) for r in range(min(k, len(present)) + 1)
                for S in itertools.combinations(present, r)), default=0.0)


def _objectives(seed):
    rng = np.random.default_rng(seed)
    sets = [rng.choice(40, size=int(rng.integers(1, 8)), replace=False).tolist() for _ in range(12)]
    yield Coverage(sets, weights=rng.integers(1, 4, size=40).astype(float))
    yield FacilityLocation(rng.random((12, 12)))


@pytest.mark.parametrize("seed", range(4))
def test_levels_equal_a_from_scratch_run_and_the_ratio_holds_after_every_update(seed):
    rng = np.random.default_rng(seed)
    for f in _objectives(seed):
        k, eps = 3, 0.2
        dm = StreamingMaximizer(f, k, algorithm="dynamic", epsilon=eps, seed=seed)
        assert isinstance(dm, DynamicMaximizer)
        present: set[int] = set()
        for _ in range(40):
            absent = sorted(set(range(12)) - present)
            if absent and (not present or rng.random() < 0.6):
                e = int(rng.choice(absent))
                dm.update([e])
                present.add(e)
            else:
                e = int(rng.choice(sorted(present)))
                dm.delete([e])
                present.discard(e)
            assert sorted(dm.kept_items().tolist()) == sorted(present)
            for i, (chosen, _) in dm._levels.items():
                assert chosen.tolist() == _scratch(f, dm._order.tolist(), dm._tau(i), k)
            sol = dm.solution()
            assert sol.value == pytest.approx(f.evaluate(sol.selection))
            assert set(sol.selection.tolist()) <= present and len(sol) <= k
            assert sol.value >= _opt(f, sorted(present), k) / (2 * (1 + eps)) - 1e-9
            assert sol.guarantee.ratio == pytest.approx(1 / (2 * (1 + eps)))


def test_deleting_the_answer_brings_back_what_was_rejected():
    f = Coverage([[0, 1, 2, 3], [0, 1, 2]])
    for seed in range(5):
        dm = DynamicMaximizer(f, 1, epsilon=0.05, seed=seed)
        dm.update([0, 1])
        dm.delete([0])
        assert dm.solution().selection.tolist() == [1] and dm.solution().value == 3.0
        dm.update([0])
        assert dm.solution().value >= 4.0 / 2.1


def test_errors():
    f = Coverage([[0, 1], [1, 2]])
    dm = DynamicMaximizer(f, 1, seed=0)
    dm.update([0])
    with pytest.raises(InvalidParameterError, match="not present"):
        dm.update([0])
    with pytest.raises(InvalidParameterError, match="present"):
        dm.delete([1])
    with pytest.raises(InvalidParameterError, match="sieve"):
        dm.save("x.npz")
    sieve = StreamingMaximizer(f, 1)
    sieve.update([0, 1])
    with pytest.raises(InvalidParameterError, match="dynamic"):
        sieve.delete([0])
