"""Submodular cover (Wolsey's greedy): reaches the target, stays within its reported ratio of
the brute-force optimum, and on set cover is the classic greedy (scp41: 429 is the optimum)."""

import itertools

import numpy as np
import pytest

import submodkit as sk
from submodkit.errors import InvalidParameterError
from submodkit.instances import load_bundled
from submodkit.objectives.log_determinant import LogDeterminant, kernel_matrix
from submodkit.solvers.cover.set_covering import set_cover


def _cheapest(f, target, costs):
    """Brute force: the least cost of a set reaching ``target``."""
    n, best = f.n, np.inf
    for r in range(n + 1):
        for S in itertools.combinations(range(n), r):
            c = costs[list(S)].sum()
            if c < best and f.evaluate(list(S)) >= target - 1e-9:
                best = c
    return best


def _objectives(rng):
    n = 9
    sets = [sorted(set(rng.choice(10, size=int(rng.integers(1, 5)), replace=False).tolist()))
            for _ in range(n)]
    X = rng.random((n, 3))
    return [
        ("coverage", sk.Coverage(sets, n_elements=10)),
        ("weighted coverage", sk.Coverage(sets, weights=rng.integers(1, 5, 10).astype(float), n_elements=10)),
        ("facility location", sk.FacilityLocation(np.maximum(X @ X.T, 0.0))),
        ("log-determinant", LogDeterminant(kernel_matrix(X, kernel="rbf", gamma=2.0), max_size=n)),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_greedy_cover_within_its_ratio_of_brute_force(seed):
    rng = np.random.default_rng(seed)
    for name, f in _objectives(rng):
        full = f.evaluate(np.arange(f.n))
        for frac in (0.6, 0.9, 1.0):
            costs = rng.uniform(0.5, 2.0, f.n) if seed % 2 else np.ones(f.n)
            target = frac * full
            if name.endswith("coverage"):
                target = float(np.ceil(target))
            sol = sk.submodular_cover(f, target, costs=costs)
            assert sol.stats["covered"] >= target - 1e-9, name
            assert sol.stats["covered"] == pytest.approx(f.evaluate(sol.selection))
            assert sol.value == pytest.approx(costs[sol.selection].sum())
            opt = _cheapest(f, target, costs)
            assert sol.guarantee is not None and sol.sense == "min"
            assert opt <= sol.value + 1e-9
            assert sol.value <= sol.guarantee.ratio * opt + 1e-9, (name, frac)
            assert sol.lower_bound <= opt + 1e-9  # the reported bound is valid


def test_integer_coverage_gets_the_harmonic_bound():
    f = sk.Coverage([[0, 1, 2], [2, 3], [3, 4], [0, 4]])
    sol = sk.submodular_cover(f)
    assert sol.guarantee.ratio <= 1 + 1 / 2 + 1 / 3 + 1e-12
    assert sol.stats["covered"] == 5.0


def test_set_cover_is_the_coverage_case():
    scp = load_bundled("scp41")
    csr, costs = scp.sets, np.asarray(scp.costs, dtype=float)
    plain = sk.submodular_cover(sk.Coverage(csr), costs=costs, prune=False)
    pruned = sk.submodular_cover(sk.Coverage(csr), costs=costs)
    classic = set_cover(csr, costs=costs, algorithm="greedy")  # greedy, then redundant sets dropped
    assert plain.value == 463.0 and plain.algorithm == "greedy"  # Chvatal's greedy on scp41
    assert pruned.value == classic.value == 434.0 and pruned.algorithm == "greedy+prune"
    assert pruned.stats["covered"] == csr.shape[1]
    for sol in (plain, pruned):
        assert 429 <= sol.value <= sol.guarantee.ratio * 429  # 429: the OR-Library optimum
        assert sol.lower_bound <= 429


def test_bad_input_is_refused():
    f = sk.Coverage([[0, 1], [1, 2]])
    with pytest.raises(InvalidParameterError, match="target"):
        sk.submodular_cover(f, 4.0)
    with pytest.raises(InvalidParameterError, match="costs"):
        sk.submodular_cover(f, costs=[1.0, 0.0])
    with pytest.raises(InvalidParameterError, match="max_size"):
        sk.submodular_cover(LogDeterminant(np.eye(4), max_size=2))
