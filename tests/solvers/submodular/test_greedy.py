"""Greedy maximization: guarantees against brute force, bounds, and agreement of variants."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.constraints import Cardinality, Knapsack, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.objectives import Coverage, FacilityLocation, GraphCut
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.greedy import maximize
from tests.helpers import small_objectives


def _instances(seed):
    return small_objectives(seed, n=10)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 3, 4])
def test_cardinality_guarantee_and_bound(seed, k):
    for obj in _instances(seed):
        opt = brute_force_maximize(obj, k).value
        naive = maximize(obj, k, algorithm="naive")
        lazy = maximize(obj, k, algorithm="lazy")
        assert naive.selection.tolist() == lazy.selection.tolist()
        assert naive.value == pytest.approx(lazy.value)
        assert lazy.value == pytest.approx(obj.evaluate(lazy.selection))
        assert lazy.guarantee.ratio == pytest.approx(1 - (1 - 1 / k) ** k)
        assert lazy.value >= lazy.guarantee.ratio * opt - 1e-9
        assert lazy.upper_bound >= opt - 1e-9
        assert lazy.gains.sum() == pytest.approx(lazy.value)
        assert np.all(np.diff(lazy.gains) <= 1e-12)  # greedy gains never increase
        thr = maximize(obj, k, algorithm="threshold", epsilon=0.05)
        assert thr.value >= thr.guarantee.ratio * opt - 1e-9
        assert thr.upper_bound >= opt - 1e-9


def test_stochastic_expectation_and_determinism():
    rng = np.random.default_rng(5)
    obj = FacilityLocation(rng.random((30, 30)))
    k, eps = 4, 0.1
    opt = brute_force_maximize(obj, k).value
    runs = [maximize(obj, k, algorithm="stochastic", epsilon=eps, seed=s) for s in range(40)]
    mean = np.mean([r.value for r in runs])
    assert mean >= runs[0].guarantee.ratio * opt
    assert runs[0].guarantee.kind == "expectation"
    again = maximize(obj, k, algorithm="stochastic", epsilon=eps, seed=0)
    assert again.selection.tolist() == runs[0].selection.tolist()
    assert all(r.upper_bound >= opt - 1e-9 for r in runs)


def test_ties_go_to_smallest_index():
    obj = Coverage([[0], [1], [2], [0, 1, 2]])
    assert maximize(obj, 1).selection.tolist() == [3]
    obj = Coverage([[1], [0], [2]])
    for algorithm in ("naive", "lazy", "threshold"):
        assert maximize(obj, 2, algorithm=algorithm).selection.tolist() == [0, 1]


def test_greedy_tight_instance_reaches_its_bound():
    # Two optimal sets {0,1}, {2,3} (weights 1, each element); a greedy decoy first takes
    # {0, 2} plus a slightly heavier private element, then one optimal half: 1 - (1 - 1/2)^2.
    k = 2
    sets = [[0, 2, 4], [0, 1], [2, 3]]
    w = [1, 1, 1, 1, 0.001]
    obj = Coverage(sets, weights=w, n_elements=5)
    sol = maximize(obj, k)
    opt = brute_force_maximize(obj, k).value
    assert sol.selection.tolist()[0] == 0
    assert sol.value / opt == pytest.approx(3.001 / 4)
    assert sol.value / opt >= sol.guarantee.ratio


@pytest.mark.parametrize("seed", range(8))
def test_knapsack(seed):
    rng = np.random.default_rng(seed)
    for obj in _instances(seed)[:4]:
        costs = rng.integers(1, 6, obj.n).astype(float)
        budget = float(rng.integers(4, 12))
        con = Knapsack(costs, budget)
        opt = brute_force_maximize(obj, constraint=con).value
        for algorithm in ("naive", "lazy"):
            sol = maximize(obj, constraint=con, algorithm=algorithm)
            assert costs[sol.selection].sum() <= budget + 1e-9
            assert sol.value == pytest.approx(obj.evaluate(sol.selection))
            assert sol.value >= (1 - 1 / math.e) / 2 * opt - 1e-9
            assert sol.upper_bound >= opt - 1e-9


def test_knapsack_best_singleton_wins():
    obj = Coverage([[0], [1], [2, 3, 4, 5, 6, 7, 8, 9]])
    sol = maximize(obj, constraint=Knapsack([1, 1, 10], 10))
    assert sol.selection.tolist() == [2] and sol.algorithm == "lazy-best-singleton"


@pytest.mark.parametrize("seed", range(8))
def test_partition_matroid(seed):
    rng = np.random.default_rng(seed)
    for obj in _instances(seed)[:4]:
        groups = rng.integers(0, 3, obj.n)
        caps = rng.integers(1, 3, 3)
        con = PartitionMatroid(groups, caps)
        opt = brute_force_maximize(obj, constraint=con).value
        for algorithm in ("naive", "lazy"):
            sol = maximize(obj, constraint=con, algorithm=algorithm)
            assert np.all(np.bincount(groups[sol.selection], minlength=3) <= caps)
            assert len(sol.selection) == con.rank
            assert sol.value >= 0.5 * opt - 1e-9
            assert sol.upper_bound >= opt - 1e-9
        both = maximize(obj, 2, constraint=con)
        assert len(both.selection) <= 2
        assert both.value >= 0.5 * brute_force_maximize(obj, 2, constraint=con).value - 1e-9


def test_non_monotone_gets_no_guarantee():
    rng = np.random.default_rng(0)
    M = rng.random((8, 8))
    sol = maximize(GraphCut((M + M.T) / 2, lam=3.0), 3)
    assert sol.guarantee is None and sol.upper_bound is None


def test_cardinality_object_and_edge_cases():
    obj = Coverage([[0, 1], [1, 2]])
    assert maximize(obj, constraint=Cardinality(1)).selection.tolist() == [0]
    assert maximize(obj, 0).selection.tolist() == []
    assert maximize(obj, 10).selection.tolist() == [0, 1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k": -1},
        {"k": 1.5},
        {"k": True},
        {"k": None},
        {"k": 1, "algorithm": "fastest"},
        {"k": 1, "algorithm": "stochastic", "epsilon": 0.0},
        {"k": 1, "algorithm": "threshold", "epsilon": float("nan")},
        {"constraint": Knapsack([1, 1], 1), "algorithm": "stochastic"},
        {"constraint": Knapsack([1, 1, 1], 1)},
        {"k": 1, "constraint": Knapsack([1, 1], 1)},
    ],
)
def test_invalid_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        maximize(Coverage([[0, 1], [1, 2]]), **kwargs)


def test_invalid_constraint_values():
    with pytest.raises(InvalidParameterError):
        Knapsack([1, -1], 1)
    with pytest.raises(InvalidParameterError):
        Knapsack([1, 1], float("nan"))
    with pytest.raises(InvalidParameterError):
        PartitionMatroid([0, 1], [1])


@pytest.mark.parametrize("seed", range(3))
def test_warm_start_continues_greedy(seed):
    for obj in _instances(seed)[:4]:
        full = maximize(obj, 5, algorithm="lazy")
        warm = maximize(obj, 3, algorithm="naive", initial=full.selection[:2])
        assert warm.selection.tolist() == full.selection[2:].tolist()
        assert warm.value == pytest.approx(full.value)
        assert warm.guarantee is None and warm.upper_bound is None
    with pytest.raises(InvalidParameterError):
        maximize(obj, constraint=Knapsack(np.ones(obj.n), 2.0), initial=[0])


def test_lean_cardinality_path_equals_general_path():
    """maximize(f, k) (lean path) and maximize(f, constraint=Cardinality(k)) (general path)
    return identical solutions on both back ends."""
    rng = np.random.default_rng(11)
    A = rng.random((30, 9))
    for f in (FacilityLocation(A), FacilityLocation(sp.csr_matrix(A * (A > 0.5))), Coverage(A > 0.7)):
        for backend in ("numba", "numpy"):
            for alg in ("lazy", "naive"):
                for k in (0, 1, 5, 30, 40):
                    a = maximize(f, k, algorithm=alg, backend=backend)
                    b = maximize(f, constraint=Cardinality(k), algorithm=alg, backend=backend)
                    assert a.selection.tolist() == b.selection.tolist()
                    assert a.gains.tolist() == b.gains.tolist()
                    assert (a.value, a.upper_bound, a.algorithm) == (b.value, b.upper_bound, b.algorithm)
                    assert a.guarantee == b.guarantee
                    assert a.stats["evaluations"] == b.stats["evaluations"]


# --- issue 14: dispatch by the table of algorithm entries -----------------------------------------


def test_maximize_reads_its_table():
    from submodkit.guarantees import GUARANTEES
    from submodkit.solvers.submodular.greedy import ALGORITHMS, AUTO, MAXIMIZE

    assert ALGORITHMS == ("auto", *MAXIMIZE)
    assert [name for name, _ in AUTO] == ["distorted-greedy", "lazy", "random-greedy", "double-greedy"]
    for name, entry in MAXIMIZE.items():
        assert entry.name == name and entry.guarantee in GUARANTEES
        assert set(entry.calls) <= set(GUARANTEES) and entry.guarantee in entry.calls
        assert set(entry.requires) <= set(entry.options)


@pytest.mark.parametrize("seed", range(3))
def test_each_entry_reports_its_guarantee(seed):
    """Every entry runs under what it accepts and reports the guarantee its entry names."""
    from submodkit.guarantees import GUARANTEES
    from submodkit.solvers.submodular.greedy import CONSTRAINT_GUARANTEES, MAXIMIZE

    obj = Coverage((np.random.default_rng(seed).random((10, 12)) < 0.3).astype(float))  # non-negative
    costs = np.full(obj.n, 0.01)
    for name, entry in MAXIMIZE.items():
        kw = {"costs": costs} if "costs" in entry.requires else {}
        sol = maximize(obj, None if entry.needs_k is False else 3, algorithm=name, seed=seed, **kw)
        assert sol.algorithm == name
        assert sol.guarantee is not None and sol.guarantee.statement == GUARANTEES[entry.guarantee].statement
        for kind, con in (("knapsack", Knapsack(np.ones(obj.n), 2.0)),
                          ("matroid", PartitionMatroid(np.arange(obj.n) % 2, [1, 1]))):
            if kind in entry.constraints:
                sol = maximize(obj, constraint=con, algorithm=name)
                # continuous greedy keeps its own (better) ratio under a matroid
                key = entry.guarantee if name == "continuous-greedy" else CONSTRAINT_GUARANTEES[kind]
                assert sol.guarantee.statement == GUARANTEES[key].statement
            else:
                with pytest.raises(InvalidParameterError):
                    maximize(obj, constraint=con, algorithm=name)


@pytest.mark.parametrize("monotone", [True, False])
@pytest.mark.parametrize("constraint", [None, "knapsack", "matroid"])
@pytest.mark.parametrize("costs", [False, True])
@pytest.mark.parametrize("k", [None, 3])
def test_auto_is_the_first_row_of_AUTO_that_holds(monotone, constraint, costs, k):
    """algorithm="auto" runs what the AUTO table names (identical result, or the same error)."""
    from submodkit.solvers.submodular.greedy import AUTO, _Call

    rng = np.random.default_rng(1)
    M = rng.random((8, 8))
    f = FacilityLocation(rng.random((8, 6))) if monotone else GraphCut((M + M.T) / 2, lam=3.0)
    con = {"knapsack": Knapsack(np.ones(8), 3.0), "matroid": PartitionMatroid(np.arange(8) % 2, [1, 2]),
           None: None}[constraint]
    kw = {"constraint": con, "costs": np.full(8, 0.01) if costs else None, "seed": 0}
    name = next(n for n, holds in AUTO if holds(_Call(monotone, con is not None, costs, k is not None)))

    def run(algorithm):
        try:
            sol = maximize(f, k, algorithm=algorithm, **kw)
        except InvalidParameterError as err:
            return str(err)
        return sol.selection.tolist(), sol.value, sol.algorithm, sol.guarantee

    assert run("auto") == run(name)


def test_randomized_entries_follow_the_seed_and_the_others_ignore_it():
    from submodkit.solvers.submodular.greedy import MAXIMIZE

    obj = Coverage((np.random.default_rng(3).random((40, 30)) < 0.2).astype(float))
    costs = np.full(obj.n, 0.01)
    differs = set()
    for name, entry in MAXIMIZE.items():
        kw = {"costs": costs} if "costs" in entry.requires else {}
        k = None if entry.needs_k is False else 4
        runs = [maximize(obj, k, algorithm=name, seed=s, **kw).selection.tolist() for s in (0, 0, 1, 2, 3)]
        assert runs[0] == runs[1]  # a seed fixes it
        if not entry.randomized:
            assert all(r == runs[0] for r in runs), name
        elif any(r != runs[0] for r in runs):
            differs.add(name)
    assert differs  # the seed does change some randomized run
