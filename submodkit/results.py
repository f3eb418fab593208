"""The result types: every public solver returns a :class:`Result` subclass with the same core
fields (``value``, ``algorithm``, ``guarantee``, ``upper_bound`` / ``lower_bound``, ``sense``,
``status``, ``stats``) and one :meth:`Result.to_dict` that the command line's ``--json``
prints unchanged; :class:`Guarantee` is the approximation guarantee a run carries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Guarantee:
    """An approximation guarantee that a run provably achieves.

    Solvers do not build these by hand: :func:`submodkit.guarantees.guarantee` instantiates
    the registry entry (:data:`submodkit.guarantees.GUARANTEES`) of an algorithm for one
    run's parameters (some ratios depend on ``k`` or ``epsilon``), and the run carries it
    as ``Result.guarantee``.

    Parameters
    ----------
    ratio : float
        The factor: ``ALG >= ratio * OPT`` for maximization (``ratio <= 1``) or
        ``ALG <= ratio * OPT`` for minimization (``ratio >= 1``). 0 when the source proves
        only an asymptotic or regret statement (no finite-instance ratio).
    statement : str
        The guarantee as written in the literature, e.g. ``"1 - 1/e"``.
    source : str
        The paper that proves it.
    kind : str, default "worst-case"
        ``"worst-case"``, ``"expectation"`` (over the algorithm's own randomness),
        ``"high-probability"`` or ``"asymptotic"``.
    sense : {"max", "min"}, default "max"
        Maximization or minimization.
    conditions : tuple of str, default ()
        What the guarantee assumes (``"monotone"``, ``"submodular"``, ...).

    Examples
    --------
    >>> from submodkit.results import Guarantee
    >>> g = Guarantee(ratio=0.75, statement="1 - (1 - 1/k)^k", source="Nemhauser, Wolsey, Fisher 1978")
    >>> g.holds(4.0, opt=5.0), g.holds(3.0, opt=5.0)
    (True, False)
    >>> print(g)
    1 - (1 - 1/k)^k (worst-case; Nemhauser, Wolsey, Fisher 1978)

    References
    ----------
    The source of every guarantee is its entry of :data:`submodkit.guarantees.GUARANTEES`.
    """

    ratio: float
    statement: str
    source: str
    kind: str = "worst-case"
    sense: str = "max"
    conditions: tuple[str, ...] = ()

    def holds(self, alg: float, opt: float, tol: float = 1e-9) -> bool:
        """Whether ``alg`` meets this guarantee against the optimum ``opt``, up to a relative
        tolerance ``tol`` (scaled by ``max(1, |opt|)``)."""
        scale = tol * max(1.0, abs(opt))
        if self.sense == "max":
            return alg >= self.ratio * opt - scale
        return alg <= self.ratio * opt + scale

    def __str__(self) -> str:
        return f"{self.statement} ({self.kind}; {self.source})"

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON-ready dict of the fields (a non-finite ratio becomes None)."""
        return {
            "ratio": json_safe(self.ratio),
            "statement": self.statement,
            "kind": self.kind,
            "sense": self.sense,
            "conditions": list(self.conditions),
            "source": self.source,
        }


@dataclass(kw_only=True)
class Result:
    """What every public solver returns: the same core fields under the same names.

    The subclasses add the answer itself (a selection, a matching, an assignment, a tour,
    an allocation); ``to_dict`` gives the one JSON shape that the command line's ``--json``
    prints. All fields are keyword-only.

    Parameters
    ----------
    value : float or None
        Objective value of the answer (for minimization problems, its cost), or None when
        no answer was found (an exact solver stopped before its first incumbent).
    algorithm : str
        The algorithm (or exact backend) that produced it.
    guarantee : Guarantee, optional
        The ratio this run provably achieves, or None when none applies.
    upper_bound : float, optional
        A proven upper bound on the optimum, or None.
    lower_bound : float, optional
        A proven lower bound on the optimum, or None.
    sense : {"max", "min"}, default "max"
        Maximization or minimization.
    status : str, default "feasible"
        ``"optimal"`` (proven), ``"feasible"``, ``"timeout"`` (a limit stopped it; value and
        bounds are the best known), ``"infeasible"`` or ``"approximate"`` (a first-order
        solver's answer, see its bounds).
    stats : dict, optional
        Counters and timings (``seconds``, ``evaluations``, ...).

    Attributes
    ----------
    bound : float or None
        The proven bound on the far side of ``value`` (``upper_bound`` when maximizing,
        ``lower_bound`` when minimizing).
    optimal : bool
        ``status == "optimal"``.
    gap : float or None
        Relative gap between ``value`` and ``bound``.
    certified_ratio : float or None
        The ratio the bound certifies for this run.

    Examples
    --------
    >>> from submodkit.results import Result
    >>> r = Result(value=3.0, algorithm="example", upper_bound=4.0)
    >>> r.bound, r.gap, r.certified_ratio, r.optimal
    (4.0, 0.25, 0.75, False)
    >>> r.to_dict()["upper_bound"], r.to_dict()["status"]
    (4, 'feasible')

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES`.
    """

    value: float | None
    algorithm: str
    guarantee: Guarantee | None = None
    upper_bound: float | None = None
    lower_bound: float | None = None
    sense: str = "max"
    status: str = "feasible"
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def bound(self) -> float | None:
        """The proven bound on the optimum on the far side of ``value``: the upper bound for
        maximization, the lower bound for minimization."""
        return self.upper_bound if self.sense == "max" else self.lower_bound

    @property
    def optimal(self) -> bool:
        """Whether the run proved its answer optimal (``status == "optimal"``)."""
        return self.status == "optimal"

    @property
    def gap(self) -> float | None:
        """Relative gap between value and bound, or None when either is missing."""
        if self.value is None or self.bound is None:
            return None
        return abs(self.bound - self.value) / max(abs(self.value), abs(self.bound), 1e-12)

    @property
    def certified_ratio(self) -> float | None:
        """The ratio the bound certifies for this very run, or None: ``value / upper_bound``
        (<= 1) for maximization, ``value / lower_bound`` (>= 1) for minimization."""
        if self.value is None:
            return None
        if self.sense == "max":
            if self.upper_bound is None:
                return None
            if self.upper_bound <= 0:
                return 1.0
            return min(1.0, self.value / self.upper_bound)
        if self.lower_bound is None or self.lower_bound <= 0:
            return None if self.value > 0 else 1.0
        return max(1.0, self.value / self.lower_bound)

    def _payload(self) -> dict[str, Any]:
        """The fields a subclass adds to :meth:`to_dict`."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON-ready dict (the command line's ``--json`` prints it unchanged):
        ``algorithm``, ``value``, the subclass's own fields, the bounds, ``sense``,
        ``status``, ``guarantee`` and ``stats``; NaN and infinities become None."""
        return {
            "algorithm": self.algorithm,
            "value": _num(self.value),
            **json_safe(self._payload()),
            "upper_bound": _num(self.upper_bound),
            "lower_bound": _num(self.lower_bound),
            "bound": _num(self.bound),
            "sense": self.sense,
            "status": self.status,
            "guarantee": None if self.guarantee is None else self.guarantee.to_dict(),
            "stats": {k: _num(v) if isinstance(v, float) else json_safe(v) for k, v in self.stats.items()},
        }


def _no_indices() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass(kw_only=True)
class Solution(Result):
    """A chosen subset: what the set-function solvers return (approximations and exact).

    ``value`` is f(selection) (for set cover, the cost of the cover, ``sense="min"``);
    ``upper_bound`` / ``lower_bound`` are proven bounds on the optimum where the solver
    has one (the greedy a-posteriori bound, an LP or Lagrangian bound, the solver's bound).

    Parameters
    ----------
    selection : ndarray of int64
        Chosen indices, in the order they were chosen (sorted for exact solvers).
    gains : ndarray of float64
        Marginal gain of each chosen index when it was chosen (for set cover, the number of
        newly covered elements); empty for exact solvers.
    **fields
        The core fields of :class:`Result` (``value``, ``algorithm``, ``guarantee``,
        ``upper_bound``, ``lower_bound``, ``sense``, ``status``, ``stats``).

    Examples
    --------
    >>> from submodkit.results import Solution
    >>> sol = Solution(selection=[0, 2], gains=[3.0, 2.0], value=5.0, algorithm="lazy", upper_bound=6.0)
    >>> len(sol), round(sol.certified_ratio, 3)
    (2, 0.833)
    >>> exact = Solution.from_exact(5.0, 5.0, "optimal", [0, 2], "cp-sat")
    >>> exact.optimal, exact.lower_bound, exact.to_dict()["selection"]
    (True, 5.0, [0, 2])

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES`.
    """

    selection: np.ndarray = field(default_factory=_no_indices)
    gains: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def from_exact(cls, value: float | None, bound: float | None, status: str, selection: np.ndarray,
                   solver: str, parameters: dict[str, Any] | None = None, seconds: float = 0.0,
                   sense: str = "max") -> Solution:
        """An exact solver's answer: ``bound`` is the proven bound on the far side of
        ``value`` (upper for ``sense="max"``); ``solver`` becomes ``algorithm`` and the
        solver ``parameters`` and ``seconds`` go to ``stats``. Proven optima claim ratio 1."""
        upper, lower = (bound, value) if sense == "max" else (value, bound)
        if value is None:
            upper, lower = (bound, None) if sense == "max" else (None, bound)
        return cls(selection=np.asarray(selection, dtype=np.int64), value=value, algorithm=solver,
                   upper_bound=upper, lower_bound=lower, sense=sense, status=status,
                   stats={"parameters": dict(parameters or {}), "seconds": seconds})

    def __len__(self) -> int:
        return len(self.selection)

    def _payload(self) -> dict[str, Any]:
        return {"selection": [int(i) for i in self.selection], "gains": [_num(g) for g in self.gains]}


@dataclass(kw_only=True)
class MatchingSolution(Result):
    """A matching in a general graph (``value`` is its weight).

    Parameters
    ----------
    pairs : ndarray of int64, shape (k, 2)
        Matched vertices, ``u < v``, sorted by ``u``.
    n_nodes : int
        Number of vertices of the graph.
    nodes : list, optional
        The original node labels (networkx input), index -> label; None otherwise.
    **fields
        The core fields of :class:`Result`.

    Attributes
    ----------
    mate : ndarray of int64
        ``mate[v]`` = v's partner, or -1.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.results import MatchingSolution
    >>> m = MatchingSolution(pairs=np.array([[0, 1], [2, 3]]), n_nodes=5, value=4.0, algorithm="exact")
    >>> len(m), m.mate.tolist(), sorted(m.matching())
    (2, [1, 0, 3, 2, -1], [(0, 1), (2, 3)])

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES` (``"matching-*"``).
    """

    pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    n_nodes: int = 0
    nodes: list | None = None

    @classmethod
    def from_mate(cls, graph: Any, mate: np.ndarray, algorithm: str, guarantee: Guarantee | None, status: str,
                  stats: dict[str, Any]) -> MatchingSolution:
        """The matching ``mate`` (``mate[v]`` = v's partner or -1) of ``graph``, an
        :class:`~submodkit.instances.edges.EdgeList` (``u < v`` sorted), with its weight."""
        n = graph.n
        idx = np.flatnonzero(mate > np.arange(n))
        pairs = np.stack([idx, mate[idx]], axis=1).astype(np.int64).reshape(-1, 2)
        weight = 0.0
        if pairs.size:
            key = graph.u * n + graph.v
            pos = np.searchsorted(key, pairs[:, 0] * n + pairs[:, 1])
            weight = float(graph.w[pos].sum())
        return cls(pairs=pairs, value=weight, algorithm=algorithm, guarantee=guarantee, n_nodes=n,
                   status=status, nodes=graph.nodes, stats=stats)

    @property
    def mate(self) -> np.ndarray:
        """``mate[v]`` = v's partner, or -1 when v is unmatched: an array of ``n_nodes``
        entries (for a graph of huge, sparse vertex ids, read ``pairs`` or ``matching()``)."""
        m = np.full(self.n_nodes, -1, np.int64)
        m[self.pairs[:, 0]] = self.pairs[:, 1]
        m[self.pairs[:, 1]] = self.pairs[:, 0]
        return m

    def matching(self) -> set:
        """The matching as a set of label pairs (original networkx labels when given)."""
        if self.nodes is None:
            return {(int(u), int(v)) for u, v in self.pairs}
        return {(self.nodes[u], self.nodes[v]) for u, v in self.pairs}

    def __len__(self) -> int:
        return int(self.pairs.shape[0])

    def _payload(self) -> dict[str, Any]:
        return {"pairs": self.pairs.tolist(), "cardinality": len(self)}


@dataclass(kw_only=True)
class AssignmentSolution(Result):
    """A bipartite assignment: ``rows[i]`` is assigned to ``cols[i]``; ``value`` is the total
    weight (cost when minimizing).

    Parameters
    ----------
    rows, cols : ndarray of int64
        The assigned pairs.
    payments : ndarray of float64, optional
        Per-row payments (position auctions: VCG prices), or None.
    **fields
        The core fields of :class:`Result`.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.results import AssignmentSolution
    >>> a = AssignmentSolution(rows=np.array([0, 1]), cols=np.array([1, 0]), value=5.0, algorithm="lsa")
    >>> len(a), a.to_dict()["pairs"]
    (2, [[0, 1], [1, 0]])

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES`.
    """

    rows: np.ndarray = field(default_factory=_no_indices)
    cols: np.ndarray = field(default_factory=_no_indices)
    payments: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def _payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pairs": np.stack([self.rows, self.cols], axis=1).tolist()}
        if self.payments is not None:
            out["payments"] = [_num(p) for p in self.payments]
        return out


@dataclass(kw_only=True)
class OnlineMatchingSolution(Result):
    """One online bipartite (b-)matching run: ``value`` is the number of matched arrivals and
    ``upper_bound`` the offline optimum of the realized arrivals (so ``certified_ratio`` is
    the run's exact competitive ratio).

    Parameters
    ----------
    arrivals : ndarray of int64
        Type (row) of each arrival, in arrival order.
    assigned : ndarray of int64
        Offline vertex given to each arrival, or -1.
    order : str, default "adversarial"
        The arrival order (``"adversarial"``, ``"random"``, ...).
    **fields
        The core fields of :class:`Result`.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.results import OnlineMatchingSolution
    >>> r = OnlineMatchingSolution(arrivals=np.array([0, 1]), assigned=np.array([1, -1]), value=1.0,
    ...                            upper_bound=2.0, algorithm="greedy")
    >>> r.certified_ratio, r.to_dict()["assigned"]
    (0.5, [1, -1])

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES` (``"online-*"``).
    """

    arrivals: np.ndarray = field(default_factory=_no_indices)
    assigned: np.ndarray = field(default_factory=_no_indices)
    order: str = "adversarial"

    def _payload(self) -> dict[str, Any]:
        return {"order": self.order, "ratio": _num(self.certified_ratio), "assigned": self.assigned.tolist()}


@dataclass(kw_only=True)
class AllocationSolution(Result):
    """An allocation of arrivals to advertisers (agents, actions): what the online
    allocation, packing and welfare algorithms and the offline optimum return.

    Parameters
    ----------
    assignment : ndarray of int64, optional
        Advertiser (agent, action) of each arrival, -1 for none; for orders ``"given"`` and
        ``"random"`` indexed by the instance's rows, for ``"iid"`` by stream position. None
        for an LP optimum (see ``x``).
    arrivals : ndarray of int64, optional
        The instance row of each processed arrival, in processing order (None for offline
        optima).
    used : ndarray of float64, optional
        Budget used per resource (online packing), or None.
    agent_values : ndarray of float64, optional
        Value each agent receives (welfare), or None.
    x : ndarray of float64, optional
        The LP value of each eligible entry (offline LP optimum), or None.
    duals : ndarray of float64, optional
        The advertisers' budget / capacity duals (offline LP optimum), or None.
    **fields
        The core fields of :class:`Result`.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.results import AllocationSolution
    >>> opt = AllocationSolution.offline(2.0, "optimal", "lp", 0.0, bound=2.0)
    >>> opt.algorithm, opt.lower_bound, opt.upper_bound
    ('lp', 2.0, 2.0)
    >>> online = AllocationSolution(assignment=np.array([0, -1, 1]), value=2.0, algorithm="greedy")
    >>> online.to_dict()["assigned"]
    2

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES` (``"alloc-*"``,
    ``"packing-*"``, ``"welfare-*"``).
    """

    assignment: np.ndarray | None = None
    arrivals: np.ndarray | None = None
    used: np.ndarray | None = None
    agent_values: np.ndarray | None = None
    x: np.ndarray | None = None
    duals: np.ndarray | None = None

    @classmethod
    def offline(cls, value: float | None, status: str, solver: str, seconds: float,
                duals: np.ndarray | None = None, x: np.ndarray | None = None,
                assignment: np.ndarray | None = None, bound: float | None = None) -> AllocationSolution:
        """An offline optimum (LP, IP or flow): ``value`` is a feasible value (a lower bound
        on the optimum), ``bound`` a proven upper bound; ``solver`` becomes ``algorithm``."""
        return cls(value=value, algorithm=solver, status=status, upper_bound=bound,
                   lower_bound=value if value is not None and status != "infeasible" else None,
                   assignment=assignment, x=x, duals=duals, stats={"seconds": seconds})

    def _payload(self) -> dict[str, Any]:
        if self.assignment is None:
            return {}
        return {"assigned": int(np.count_nonzero(self.assignment >= 0))}


@dataclass(kw_only=True)
class Compression(Result):
    """A compression of a categorical feature: every category of the vocabulary mapped to one
    of a few buckets (``value`` is the mutual information between the bucket and the label,
    in bits; ``upper_bound`` a proven bound on the best compression's).

    Parameters
    ----------
    categories : ndarray
        The vocabulary, in the order of ``buckets``.
    buckets : ndarray of int64
        The bucket of each category; buckets are numbered by increasing rate of the positive
        label.
    thresholds : ndarray of float64
        The rates of the positive label at which the buckets change: a category whose rate
        is at most ``thresholds[b]`` (and above ``thresholds[b - 1]``) is in bucket b.
    **fields
        The core fields of :class:`Result`.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.results import Compression
    >>> c = Compression(categories=np.array(["a", "b", "c"]), buckets=np.array([1, 0, 1]),
    ...                 thresholds=np.array([0.2]), value=0.5, algorithm="greedy")
    >>> c.n_buckets, c.apply(["c", "b", "z"]).tolist()
    (2, [1, 0, -1])

    References
    ----------
    The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES` (``"compression-*"``).
    """

    categories: np.ndarray = field(default_factory=lambda: np.zeros(0))
    buckets: np.ndarray = field(default_factory=_no_indices)
    thresholds: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_buckets(self) -> int:
        """The number of buckets used (at most the number asked for)."""
        return int(self.buckets.max()) + 1 if self.buckets.size else 0

    def apply(self, values) -> np.ndarray:
        """The bucket of each of ``values`` (-1 for a category outside the vocabulary)."""
        order = np.argsort(self.categories, kind="stable")
        keys = self.categories[order]
        vals = np.asarray(values)
        pos = np.clip(np.searchsorted(keys, vals), 0, max(keys.size - 1, 0))
        if keys.size == 0:
            return np.full(vals.shape, -1, dtype=np.int64)
        found = keys[pos] == vals
        return np.where(found, self.buckets[order][pos], -1).astype(np.int64)

    def _payload(self) -> dict[str, Any]:
        return {"n_buckets": self.n_buckets, "thresholds": [_num(t) for t in self.thresholds],
                "buckets": {str(c): int(b)
                            for c, b in zip(self.categories.tolist(), self.buckets.tolist(), strict=True)}}


@dataclass(kw_only=True)
class Tour(Result):
    """A closed tour through positions ``0..k-1`` of a distance matrix (``value`` is its
    weight; ``sense`` is ``"min"``; ``lower_bound`` a proven bound on the optimal tour;
    ``status`` ``"optimal"`` when proven).

    Parameters
    ----------
    order : ndarray of int64
        The positions in tour order, starting at 0.
    sense : str, default "min"
        Tours are minimized.
    **fields
        The core fields of :class:`Result`.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.results import Tour
    >>> t = Tour(order=np.array([0, 2, 1]), value=3.0, lower_bound=3.0, status="optimal", algorithm="exact")
    >>> t.bound, t.certified_ratio, t.to_dict()["order"]
    (3.0, 1.0, [0, 2, 1])

    References
    ----------
    The remote-cycle guarantees that use tours: :data:`submodkit.guarantees.GUARANTEES`
    (``"gmm-remote-cycle"``).
    """

    order: np.ndarray = field(default_factory=_no_indices)
    sense: str = "min"

    def _payload(self) -> dict[str, Any]:
        return {"order": self.order.tolist()}


def _num(x: Any) -> Any:
    """JSON-safe number: ints stay ints, integral floats below 2^53 become ints, NaN/inf
    (and floats too large to represent) become None."""
    if x is None:
        return None
    if isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_):
        return int(x)
    try:
        x = float(x)
    except OverflowError:
        return None
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def json_safe(value: Any) -> Any:
    """``value`` with every float JSON-safe, recursively.

    NaN and infinities become None (strict JSON has no such numbers), numpy scalars and
    arrays become Python numbers and lists, tuples become lists. Finite floats are kept as
    they are.

    Parameters
    ----------
    value : object
        A number, array, or nested dict / list / tuple of them.

    Returns
    -------
    object
        The same structure, accepted by ``json.dumps(..., allow_nan=False)``.

    Examples
    --------
    >>> json_safe({"ratio": float("inf"), "values": (1.5, float("nan"))})
    {'ratio': None, 'values': [1.5, None]}
    """
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
