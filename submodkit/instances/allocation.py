"""Online allocation instances (display ads with capacities, AdWords with budgets) and
their generators.

An :class:`AllocationInstance` has T arrivals (impressions, queries) and A advertisers
(resources). ``values[t, a]`` is the value of giving arrival t to advertiser a (0 or a
missing CSR entry: not eligible). Two kinds:

- ``"capacity"`` (display ads): advertiser a accepts at most ``floor(budgets[a])``
  arrivals (consumption 1 each); with ``free_disposal`` (the default) it may be given
  more and keeps its best ``floor(budgets[a])`` (Feldman et al., WINE 2009). A custom
  ``consumption`` matrix (the online packing form, hard capacities) is also accepted.
- ``"budget"`` (AdWords): consumption = value (the bid); advertiser a pays
  ``min(budget, sum of its bids)`` (budget-additive revenue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_matrix, check_real, check_vector, make_rng
from submodkit.errors import InvalidParameterError

KINDS = ("capacity", "budget")


@dataclass
class AllocationInstance:
    """T arrivals x A advertisers with budgets (or capacities).

    The data of online allocation (:func:`~submodkit.allocate`) and of its offline optimum
    (:func:`~submodkit.offline_optimum`); see the module docstring for the two kinds.

    Parameters
    ----------
    values : array_like or scipy.sparse matrix, shape (T, A)
        Dense float64 or CSR; 0 / missing = not eligible. Non-negative, finite.
    budgets : array_like of float, shape (A,)
        Budgets (kind ``"budget"``) or capacities (kind ``"capacity"``), > 0.
    kind : {"capacity", "budget"}, default "capacity"
        Display ads with capacities, or AdWords with budgets.
    consumption : array_like or sparse matrix, shape (T, A), optional
        None (1 per assignment for capacities, = value for budgets) or a matrix of the same
        shape as ``values`` (capacities only; hard constraints).
    free_disposal : bool, default True
        Capacities with unit consumption only: an advertiser may be over assigned and keeps
        its best ``floor(capacity)`` arrivals. Set to False for budgets and for a custom
        ``consumption``.
    name : str, default "allocation"
        A label.
    meta : dict, optional
        Free-form provenance.

    Attributes
    ----------
    n_arrivals, n_advertisers : int
        T and A.
    unit_consumption : bool
        Capacities with consumption 1 per assignment.

    Raises
    ------
    InvalidParameterError
        For an unknown kind, negative or non-finite values, non-positive budgets, or a
        consumption matrix with budgets or of the wrong shape.

    Examples
    --------
    >>> inst = AllocationInstance([[1.0, 2.0], [3.0, 0.0]], budgets=[1, 1])
    >>> inst.n_arrivals, inst.n_advertisers, inst.unit_consumption, inst.free_disposal
    (2, 2, True, True)
    >>> indptr, indices, values, consumption = inst.arrays()
    >>> indptr.tolist(), indices.tolist(), values.tolist()
    ([0, 2, 3], [0, 1, 0], [1.0, 2.0, 3.0])

    References
    ----------
    .. [1] Feldman, Korula, Mirrokni, Muthukrishnan, Pal, "Online ad assignment with free
       disposal", WINE 2009.
    .. [2] Mehta, Saberi, Vazirani, Vazirani, "AdWords and generalized online matching",
       J. ACM 54(5) (2007).
    """

    values: Any
    budgets: Any
    kind: str = "capacity"
    consumption: Any = None
    free_disposal: bool = True
    name: str = "allocation"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, KINDS)
        self.values = check_matrix("values", self.values)
        t, a = self.values.shape
        self.budgets = check_vector("budgets", self.budgets, a)
        if self.budgets.min() <= 0:
            bad = int(np.argmin(self.budgets))
            raise InvalidParameterError(f"budgets[{bad}]", self.budgets[bad], "a positive number")
        if self.consumption is not None:
            if self.kind == "budget":
                raise InvalidParameterError(
                    "consumption", "a matrix", "None for kind='budget' (consumption = bid)"
                )
            self.consumption = check_matrix("consumption", self.consumption)
            if self.consumption.shape != (t, a):
                raise InvalidParameterError(
                    "consumption", f"matrix of shape {self.consumption.shape}", f"shape {(t, a)}"
                )
            self.free_disposal = False
        if self.kind == "budget":
            self.free_disposal = False
        self.free_disposal = bool(self.free_disposal)
        self._csr: tuple | None = None

    @property
    def n_arrivals(self) -> int:
        """T, the number of arrivals (rows)."""
        return int(self.values.shape[0])

    @property
    def n_advertisers(self) -> int:
        """A, the number of advertisers (columns)."""
        return int(self.values.shape[1])

    @property
    def unit_consumption(self) -> bool:
        """Capacities with consumption 1 per assignment (no ``consumption`` matrix)."""
        return self.kind == "capacity" and self.consumption is None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, indices, values, consumption) of the eligible entries (value > 0), CSR.

        Built once and cached; indices sorted per arrival, all arrays contiguous
        (int64 / float64), as the kernels take them.
        """
        if self._csr is None:
            m = sp.csr_matrix(self.values)
            m.eliminate_zeros()
            m.sort_indices()
            if self.consumption is None:
                cons = np.ones_like(m.data) if self.kind == "capacity" else m.data.copy()
            else:
                rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
                c = self.consumption
                cons = np.asarray(c[rows, m.indices], dtype=np.float64).ravel()
            self._csr = (
                np.ascontiguousarray(m.indptr, dtype=np.int64),
                np.ascontiguousarray(m.indices, dtype=np.int64),
                np.ascontiguousarray(m.data, dtype=np.float64),
                np.ascontiguousarray(cons, dtype=np.float64),
            )
        return self._csr

    def take(self, rows: np.ndarray, budgets: np.ndarray | None = None) -> AllocationInstance:
        """The instance made of arrivals ``rows`` (in that order, repeats allowed).

        Parameters
        ----------
        rows : array_like of int
            The arrivals kept.
        budgets : array_like, optional
            New budgets (default: the same).

        Returns
        -------
        AllocationInstance
            Same kind, consumption rows, free disposal, name and a copy of ``meta``.
        """
        rows = np.asarray(rows, dtype=np.int64)
        vals = self.values[rows]
        cons = None if self.consumption is None else self.consumption[rows]
        return AllocationInstance(
            vals,
            self.budgets if budgets is None else budgets,
            kind=self.kind,
            consumption=cons,
            free_disposal=self.free_disposal,
            name=self.name,
            meta=dict(self.meta),
        )


def upper_triangular_instance(n: int, b: int = 1, kind: str = "capacity") -> AllocationInstance:
    """The classic tight instance for greedy and BALANCE: n advertisers, capacity b each.

    Phase k = 0..n-1 brings b unit-value arrivals eligible for advertisers 0..n-1-k, so
    the optimum (phase k to advertiser n-1-k) is n*b; greedy with smallest-index ties gets
    about n*b/2, BALANCE about ``(1 - (1-1/n)^n) n b`` (Kalyanasundaram, Pruhs 2000;
    Karp, Vazirani, Vazirani 1990).

    Parameters
    ----------
    n : int
        Number of advertisers (and of phases), >= 1.
    b : int, default 1
        Capacity of each advertiser and arrivals per phase, >= 1.
    kind : {"capacity", "budget"}, default "capacity"
        The instance's kind (no free disposal).

    Returns
    -------
    AllocationInstance
        ``n b`` arrivals, unit values, named ``"upper-triangular-{n}x{b}"``.

    Examples
    --------
    >>> from submodkit import allocate, offline_optimum
    >>> inst = upper_triangular_instance(3)
    >>> inst.values.toarray().tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    >>> allocate(inst, algorithm="greedy").value, offline_optimum(inst).value
    (2.0, 3.0)

    References
    ----------
    .. [1] Karp, Vazirani, Vazirani, "An optimal algorithm for on-line bipartite matching",
       STOC 1990.
    .. [2] Kalyanasundaram, Pruhs, "An optimal deterministic algorithm for online
       b-matching", Theoret. Comput. Sci. 233 (2000).
    """
    n = check_int("n", n, minimum=1)
    b = check_int("b", b, minimum=1)
    rows, cols = [], []
    for k in range(n):
        for j in range(b):
            r = k * b + j
            rows.extend([r] * (n - k))
            cols.extend(range(n - k))
    vals = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n * b, n))
    return AllocationInstance(
        vals, np.full(n, float(b)), kind=kind, free_disposal=False, name=f"upper-triangular-{n}x{b}"
    )


def random_allocation_instance(
    n_arrivals: int,
    n_advertisers: int,
    *,
    density: float = 0.1,
    kind: str = "capacity",
    load: float = 0.5,
    seed: int | None = None,
    unit_values: bool = False,
) -> AllocationInstance:
    """A random instance: each arrival eligible for ~density * A advertisers (at least one),
    values uniform in (0, 1] (or all 1), budgets so that the total is ``load`` times the
    total demand (capacities: ``load * T / A`` each, at least 1).

    Each budget (capacity) is that share times a uniform factor in [0.5, 1.5) (capacities
    rounded down, budgets at least 1e-3).

    Parameters
    ----------
    n_arrivals, n_advertisers : int
        T and A (>= 1).
    density : float, default 0.1
        Fraction of advertisers each arrival is eligible for, in (0, 1]
        (``max(1, round(density * A))`` of them).
    kind : {"capacity", "budget"}, default "capacity"
    load : float, default 0.5
        Total budget as a fraction of the total demand.
    seed : int, optional
        The random seed.
    unit_values : bool, default False
        All values 1 instead of uniform in (0, 1].

    Returns
    -------
    AllocationInstance
        Named ``"random-allocation"``.

    Examples
    --------
    >>> inst = random_allocation_instance(6, 3, density=0.5, seed=0)
    >>> inst.n_arrivals, inst.n_advertisers, inst.values.getnnz(axis=1).tolist(), inst.budgets.tolist()
    (6, 3, [2, 2, 2, 2, 2, 2], [1.0, 1.0, 1.0])
    """
    n_arrivals = check_int("n_arrivals", n_arrivals, minimum=1)
    n_advertisers = check_int("n_advertisers", n_advertisers, minimum=1)
    density = check_real("density", density, minimum=0, maximum=1, strict_min=True)
    rng = make_rng(seed)
    k = max(1, int(round(density * n_advertisers)))
    if k == n_advertisers:
        indices = np.tile(np.arange(n_advertisers, dtype=np.int64), n_arrivals)
    else:
        keys = rng.random((n_arrivals, n_advertisers))
        indices = np.sort(np.argpartition(keys, k - 1, axis=1)[:, :k], axis=1).ravel().astype(np.int64)
    data = np.ones(indices.size) if unit_values else 1.0 - rng.random(indices.size)
    indptr = np.arange(0, indices.size + 1, k, dtype=np.int64)
    vals = sp.csr_matrix((data, indices, indptr), shape=(n_arrivals, n_advertisers))
    if kind == "capacity":
        budgets = np.maximum(
            1.0, np.floor(load * n_arrivals / n_advertisers * (0.5 + rng.random(n_advertisers)))
        )
    else:
        demand = np.bincount(indices, weights=data, minlength=n_advertisers) / k
        budgets = np.maximum(1e-3, load * demand * (0.5 + rng.random(n_advertisers)))
    return AllocationInstance(vals, budgets, kind=kind, name="random-allocation")
