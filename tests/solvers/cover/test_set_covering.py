"""Set cover: greedy within H(d) of brute force, valid lower bounds, literature optima."""


import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.errors import InvalidParameterError
from submodkit.guarantees import harmonic
from submodkit.instances.problems import SetSystem
from submodkit.solvers.cover.set_covering import set_cover
from tests.helpers import set_cover_optimum


def _random_instance(rng, n=9, m=10):
    A = rng.random((n, m)) < 0.3
    A[rng.integers(0, n, m), np.arange(m)] = True  # every element coverable
    return A.astype(float), rng.integers(1, 10, n).astype(float)


@pytest.mark.parametrize("seed", range(25))
def test_greedy_within_harmonic_and_bounds_valid(seed):
    rng = np.random.default_rng(seed)
    A, costs = _random_instance(rng)
    opt = set_cover_optimum(A, costs)
    d = int(A.sum(axis=1).max())
    for prune in (False, True):
        for lb in ("lp", "dual-fitting"):
            sol = set_cover(A, costs, prune=prune, lower_bound=lb)
            assert A[sol.selection].any(axis=0).all()  # a cover
            assert sol.value == pytest.approx(costs[sol.selection].sum())
            assert sol.value <= harmonic(d) * opt + 1e-9
            assert sol.guarantee.ratio == pytest.approx(harmonic(d))
            assert sol.lower_bound <= opt + 1e-7
            assert sol.certified_ratio >= 1.0
    exact = set_cover(A, costs, algorithm="exact")
    assert exact.value == pytest.approx(opt) and exact.status == "optimal"


def test_pruning_never_costs_more():
    rng = np.random.default_rng(11)
    for _ in range(20):
        A, costs = _random_instance(rng, n=14, m=16)
        assert set_cover(A, costs, prune=True).value <= set_cover(A, costs, prune=False).value + 1e-9


def test_greedy_picks_best_ratio_first():
    # set 0 covers 4 elements for 4 (ratio 1), set 1 covers 2 for 1 (ratio 2)
    sol = set_cover([[0, 1, 2, 3], [0, 1], [2, 3]], costs=[4.0, 1.0, 1.0], prune=False)
    assert sol.selection.tolist() == [1, 2] and sol.value == 2.0


def test_set_system_input_uses_its_costs():
    csr = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=float))
    ss = SetSystem(csr, costs=np.array([1.0, 1.0, 5.0]), weights=np.ones(3))
    assert set_cover(ss).value == 2.0


def test_uncoverable_element_is_a_clear_error():
    with pytest.raises(InvalidParameterError, match="element 2 in no set"):
        set_cover(np.array([[1.0, 1.0, 0.0]]))


@pytest.mark.parametrize("kwargs", [{"costs": [1.0, -1.0]}, {"costs": [1.0, np.nan]},
                                    {"algorithm": "magic"}, {"lower_bound": "guess"}])
def test_invalid_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        set_cover([[0], [1]], **kwargs)


@pytest.mark.parametrize("name,opt", [("scp41", 429), ("scp51", 253), ("scpa1", 253)])
def test_greedy_certificate_on_orlib(shared_data, name, opt):
    from submodkit.instances import read_instance

    ss = read_instance(shared_data / "orlib-scp" / f"{name}.txt.gz")
    sol = set_cover(ss)
    assert sol.lower_bound <= opt <= sol.value
    assert sol.value <= sol.guarantee.ratio * opt


@pytest.mark.parametrize("seed", range(10))
def test_numpy_greedy_picks_what_the_numba_kernel_picks(seed):
    """Small instances in a fresh process take the numpy greedy (no Numba start-up): the same
    sets in the same order as the lazy kernel, ties to the smallest index, outliers too."""
    from submodkit.instances.generators import random_set_system
    from submodkit.objectives import Coverage
    from submodkit.objectives.kernels import fill_gains
    from submodkit.solvers.cover.greedy import greedy_numpy
    from submodkit.solvers.submodular import _kernels as G

    rng = np.random.default_rng(seed)
    ss = random_set_system(60, 90, density=0.08, seed=seed, costs="random", ensure_covered=True)
    costs = np.round(np.asarray(ss.costs), 0) if seed % 2 else np.ones(60)  # ties when rounded or unit
    for n_out in (0, int(rng.integers(1, 10))):
        target = float(90 - n_out) - 0.5
        f = Coverage(ss.sets)
        args, cur = f.kernel_args(), f.new_state()
        init = np.empty(60)
        fill_gains(args, cur, np.arange(60), init, f.nnz)
        sel, gains = np.empty(60, dtype=np.int64), np.empty(60)
        n_sel, _, _ = G.lazy_greedy(*args, cur, np.arange(60), 60, costs, np.inf, True,
                                    np.full(60, -1, dtype=np.int64), np.zeros(0, dtype=np.int64), target,
                                    True, sel, gains, init, np.empty(60))
        got, got_gains, _ = greedy_numpy(ss.sets, costs, target)
        assert got.tolist() == sel[:n_sel].tolist()
        np.testing.assert_allclose(got_gains, gains[:n_sel])
