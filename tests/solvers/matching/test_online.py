"""Online bipartite matching: competitive ratios on tight and random instances."""

import math

import numpy as np
import pytest

from submodkit.errors import InvalidParameterError
from submodkit.instances.online import greedy_tight_online, random_online, upper_triangular
from submodkit.solvers.matching.online import offline_optimum, online_matching


def test_ranking_on_upper_triangular_approaches_bound():
    inst = upper_triangular(150)
    ratios = [online_matching(inst, algorithm="ranking", seed=s).certified_ratio for s in range(300)]
    bound = 1 - 1 / math.e
    assert abs(np.mean(ratios) - bound) < 0.02  # tight: mean close to 1 - 1/e (+O(1/n))
    assert np.mean(ratios) >= bound - 0.01


def test_greedy_tight_is_one_half():
    for n in (10, 11, 100):
        res = online_matching(greedy_tight_online(n), algorithm="greedy")
        assert res.upper_bound == n and res.value == math.ceil(n / 2)
        assert res.guarantee.holds(res.value, res.upper_bound)


@pytest.mark.parametrize("order", ["adversarial", "random", "iid"])
@pytest.mark.parametrize("algorithm", ["greedy", "ranking", "balance"])
def test_random_instances_meet_guarantees(algorithm, order):
    ratios = []
    for s in range(40):
        cap = 3 if algorithm == "balance" else 1
        inst = random_online(40, 25, 0.08, capacities=cap, seed=s)
        res = online_matching(inst, algorithm=algorithm, order=order, seed=s)
        assert res.value <= res.upper_bound
        loads = np.bincount(res.assigned[res.assigned >= 0], minlength=25)
        assert np.all(loads <= cap)
        if res.guarantee.kind == "worst-case":
            assert res.guarantee.holds(res.value, res.upper_bound)
        ratios.append(res.certified_ratio)
    assert np.mean(ratios) >= res.guarantee.ratio - 0.02


def test_balance_guarantee_formula():
    inst = random_online(10, 5, 0.5, capacities=4, seed=0)
    g = online_matching(inst, algorithm="balance").guarantee
    assert g.ratio == pytest.approx(1 - (1 + 1 / 4) ** -4)


def test_offline_optimum_and_errors():
    adj = upper_triangular(5).adjacency
    assert offline_optimum(adj, np.arange(5), np.ones(5, np.int64)) == 5
    with pytest.raises(InvalidParameterError):
        online_matching(upper_triangular(3), algorithm="nope")
    with pytest.raises(InvalidParameterError):
        online_matching(upper_triangular(3), order="sorted")
    assert online_matching(np.eye(3), algorithm="greedy").value == 3


def test_two_suggested_matchings_are_matchings():
    from submodkit.solvers.matching.online import two_suggested_matchings

    for s in range(10):
        inst = random_online(60, 60, 0.05, seed=s)
        blue, red = two_suggested_matchings(inst.adjacency, np.ones(60))
        adj = inst.adjacency.toarray()
        for col in (blue, red):
            got = col[col >= 0]
            assert np.unique(got).size == got.size  # each offline vertex once per colour
            assert np.all(adj[np.flatnonzero(col >= 0), got] > 0)
        assert not np.any((blue >= 0) & (blue == red))


@pytest.mark.parametrize(
    "make", [lambda s: random_online(100, 100, 0.03, seed=s), lambda s: upper_triangular(100)]
)
def test_two_choices_iid_meets_067(make):
    runs = [online_matching(make(s), algorithm="two-choices", order="iid", seed=s) for s in range(40)]
    assert runs[0].guarantee.ratio == 0.67
    mean_alg = np.mean([r.value for r in runs])
    mean_opt = np.mean([r.upper_bound for r in runs])
    assert mean_alg >= 0.67 * mean_opt - 0.02 * mean_opt  # E[ALG] >= 0.67 E[OPT], with tolerance
    with pytest.raises(InvalidParameterError):
        online_matching(make(0), algorithm="two-choices", order="random")


def test_online_instances_are_checked_at_the_boundary():
    """A capacity of 2^31 made the int32 max-flow report an optimum of 0 (and a ratio of 1);
    a stored zero was matched as an edge; n_arrivals=0 under iid drew n_types arrivals."""
    import scipy.sparse as sp

    from submodkit.instances.online import OnlineInstance

    huge = OnlineInstance(sp.csr_matrix(np.ones((3, 1))), np.array([2**31]))
    big = online_matching(huge, algorithm="greedy")
    assert big.value == 3 and big.upper_bound == 3
    adj = sp.csr_matrix((np.array([0.0, 1.0]), np.array([0, 1]), np.array([0, 1, 2])), shape=(2, 2))
    zero = online_matching(OnlineInstance(adj, np.array([1, 1])), algorithm="greedy")
    assert zero.assigned.tolist() == [-1, 1] and zero.upper_bound == 1
    for adjacency, caps in [(sp.csr_matrix(-np.ones((2, 2))), np.array([1, 1])),
                            (sp.csr_matrix(np.ones((2, 2))), np.array([1.5, 1]))]:
        with pytest.raises(InvalidParameterError):
            online_matching(OnlineInstance(adjacency, caps))
    none = online_matching(OnlineInstance(sp.csr_matrix(np.ones((3, 2))), np.array([1, 1]), n_arrivals=0),
                           order="iid", seed=0)
    assert none.value == 0 and len(none.assigned) == 0
