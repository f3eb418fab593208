"""A solver stopped by its time limit before any solution has proven no bound. CP-SAT then
reports ``best_objective_bound`` 0 and SCIP a best bound of 0 whatever the model: for a
maximization worth thousands that would be a false upper bound."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from submodkit.mip.model import LinearModel
from submodkit.mip.ortools import solve_model


def _conflict_model(n: int = 3000, pairs: int = 6000, seed: int = 0) -> LinearModel:
    """Maximum-weight independent set of a random graph: weights 5..20, x_a + x_b <= 1."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, pairs)
    b = (a + 1 + rng.integers(0, n - 1, pairs)) % n
    rows = np.repeat(np.arange(pairs), 2)
    A = sp.csr_matrix((np.ones(2 * pairs), (rows, np.c_[a, b].ravel())), shape=(pairs, n))
    return LinearModel(c=rng.integers(5, 21, n).astype(float), A=A, row_lb=np.full(pairs, -np.inf),
                       row_ub=np.ones(pairs), integer=np.ones(n, dtype=bool), sense="max", n_select=n)


@pytest.mark.parametrize("backend", ["cp-sat", "scip"])
def test_a_solve_stopped_before_any_solution_reports_no_bound(backend):
    model = _conflict_model()
    raw = solve_model(model, backend, 1e-3, 1, None, False)
    assert raw.status in ("timeout", "optimal")
    # any one vertex is an independent set: the optimum is at least the largest weight
    floor = float(model.c.max())
    if raw.x is None:
        assert raw.bound is None
    else:
        assert raw.bound is None or raw.bound >= float(model.c @ raw.x) - 1e-6
    assert raw.bound is None or raw.bound >= floor
