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
