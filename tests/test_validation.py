"""`check_matrix`: the fast path for C-contiguous float64 arrays keeps every check."""

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit._validation import check_matrix
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import GUARANTEES, guarantee


@pytest.mark.parametrize("layout", ["c", "f", "list", "int", "sparse"])
@pytest.mark.parametrize("bad, match", [(np.nan, "NaN or inf"), (np.inf, "NaN or inf"),
                                         (-np.inf, "NaN or inf"), (-2.0, "minimum -2.0")])
def test_check_matrix_rejects_on_every_layout(layout, bad, match):
    A = np.arange(12.0).reshape(3, 4)
    A[1, 2] = bad
    if layout == "int" and not np.isfinite(bad):
        return
    val = {"c": lambda: A, "f": lambda: np.asfortranarray(A), "list": A.tolist,
           "int": lambda: A.astype(np.int64), "sparse": lambda: sp.csr_matrix(A)}[layout]()
    with pytest.raises(InvalidParameterError, match=match):
        check_matrix("S", val)


def test_check_matrix_fast_path_semantics():
    A = np.arange(12.0).reshape(3, 4)
    assert check_matrix("S", A) is A  # no copy of a valid C-contiguous float64 array
    B = A.copy()
    B[0, 0] = np.inf
    assert check_matrix("S", B, allow_inf=True) is B
    B[0, 0] = -np.inf
    with pytest.raises(InvalidParameterError, match="minimum -inf"):
        check_matrix("S", B, allow_inf=True)
    assert check_matrix("S", B, allow_inf=True, nonnegative=False) is B
    B[0, 0] = np.nan
    with pytest.raises(InvalidParameterError, match="NaN"):
        check_matrix("S", B, allow_inf=True, nonnegative=False)
    C = -A
    assert check_matrix("S", C, nonnegative=False) is C
    C[2, 3] = np.inf  # +inf next to negative entries: the NaN/inf error comes first
    with pytest.raises(InvalidParameterError, match="NaN or inf"):
        check_matrix("S", C)
    with pytest.raises(InvalidParameterError, match="non-empty"):
        check_matrix("S", np.zeros((0, 3)))
    view = np.arange(24.0).reshape(4, 6)[:, ::2]  # not contiguous: copied
    out = check_matrix("S", view)
    assert out.flags.c_contiguous and np.array_equal(out, view)


def test_guarantee_cache_returns_the_registry_values():
    for k in (1, 2, 5, 100):
        g = guarantee("lazy", k=k)
        assert g == GUARANTEES["lazy"].at(k=k)
        assert guarantee("lazy", k=k) is g  # cached: Guarantee is frozen
    assert guarantee("lazy", k=2).ratio == pytest.approx(0.75)
    assert guarantee("stochastic", epsilon=0.2).ratio == pytest.approx(1 - 1 / np.e - 0.2)
    assert guarantee("greedy", k=3) != guarantee("lazy", k=3)  # keyed by name too
    assert guarantee("greedy", k=3).ratio == guarantee("lazy", k=3).ratio
    with pytest.raises(KeyError):
        guarantee("no-such-algorithm")


@pytest.mark.parametrize("seed", [True, False, -1, 1.5, "0", np.float64(2.0)])
def test_bad_seeds_are_rejected_everywhere(seed):
    from submodkit import Coverage, coresets, maximize
    from submodkit.solvers.submodular.nonmonotone import random_greedy

    f = Coverage([[0, 1], [1, 2], [2, 3], [3, 0]])
    calls = [
        lambda: maximize(f, 2, algorithm="stochastic", seed=seed),
        lambda: coresets.randgreedi(f, 2, n_parts=2, seed=seed),
        lambda: random_greedy(f, 2, seed=seed),
    ]
    for call in calls:
        with pytest.raises(InvalidParameterError, match="seed"):
            call()


def test_good_seeds_are_accepted_and_reproducible():
    from submodkit import Coverage, maximize

    f = Coverage([[0, 1], [1, 2], [2, 3], [3, 0], [0, 2]])
    for seed in (None, 0, np.int64(7), 2**70):
        a = maximize(f, 2, algorithm="stochastic", seed=seed)
        if seed is not None:
            assert np.array_equal(a.selection, maximize(f, 2, algorithm="stochastic", seed=seed).selection)


def test_partition_matroid_rejects_negative_groups():
    from submodkit.constraints import PartitionMatroid

    with pytest.raises(InvalidParameterError, match="group ids >= 0"):
        PartitionMatroid(groups=[0, -1, 1], capacities=[1, 1])


def test_coverage_rejects_fractional_ids_and_takes_the_universe_from_weights():
    from submodkit import Coverage

    with pytest.raises(InvalidParameterError, match="integer element ids"):
        Coverage([[0, 1.7], [1, 2]])
    f = Coverage([[0, 1], [1]], weights=[1.0, 2.0, 4.0])  # element 2 is in no set
    assert f.state_size == 3 and f.evaluate([0, 1]) == 3.0
    with pytest.raises(InvalidParameterError, match="n_elements=2"):
        Coverage([[0, 5]], weights=[1.0, 2.0])
