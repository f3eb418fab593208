"""Result types shared by every solver: `Guarantee`, `Solution` and `ExactResult`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Guarantee:
    """An approximation guarantee that a run provably achieves.

    Attributes:
        ratio: the factor, ``ALG >= ratio * OPT`` for maximization (``ratio <= 1``) or
            ``ALG <= ratio * OPT`` for minimization (``ratio >= 1``).
        statement: the guarantee as written in the literature, e.g. ``"1 - 1/e"``.
        kind: ``"worst-case"`` or ``"expectation"`` (over the algorithm's own randomness).
        sense: ``"max"`` or ``"min"``.
        conditions: what the guarantee assumes (``"monotone"``, ``"submodular"``, ...).
        source: the paper that proves it.
    """

    ratio: float
    statement: str
    source: str
    kind: str = "worst-case"
    sense: str = "max"
    conditions: tuple[str, ...] = ()

    def holds(self, alg: float, opt: float, tol: float = 1e-9) -> bool:
        """Whether ``alg`` meets this guarantee against the optimum ``opt``."""
        scale = tol * max(1.0, abs(opt))
        if self.sense == "max":
            return alg >= self.ratio * opt - scale
        return alg <= self.ratio * opt + scale

    def __str__(self) -> str:
        return f"{self.statement} ({self.kind}; {self.source})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ratio": json_safe(self.ratio),
            "statement": self.statement,
            "kind": self.kind,
            "sense": self.sense,
            "conditions": list(self.conditions),
            "source": self.source,
        }


@dataclass
class Solution:
    """What an approximation algorithm returns.

    Attributes:
        selection: chosen indices, in the order they were chosen.
        gains: marginal gain of each chosen index when it was chosen (for set cover,
            the number of newly covered elements).
        value: objective value of the selection (for set cover, its total cost).
        algorithm: the algorithm's name.
        guarantee: the ratio this run provably achieves, or None when none applies
            (for example greedy on a non-monotone function).
        upper_bound: a-posteriori upper bound on OPT (maximization), or None.
        lower_bound: a-posteriori lower bound on OPT (minimization), or None.
        status: ``"feasible"``, ``"optimal"`` (when proven) or ``"timeout"``.
        stats: counters: ``evaluations`` (marginal-gain evaluations), ``seconds``, ...
    """

    selection: np.ndarray
    gains: np.ndarray
    value: float
    algorithm: str
    guarantee: Guarantee | None
    upper_bound: float | None = None
    lower_bound: float | None = None
    sense: str = "max"
    status: str = "feasible"
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def certified_ratio(self) -> float | None:
        """The ratio the a-posteriori bound certifies for this very run, or None.

        ``value / upper_bound`` for maximization, ``value / lower_bound`` (>= 1) for
        minimization.
        """
        if self.sense == "max":
            if self.upper_bound is None:
                return None
            if self.upper_bound <= 0:
                return 1.0
            return min(1.0, self.value / self.upper_bound)
        if self.lower_bound is None or self.lower_bound <= 0:
            return None if self.value > 0 else 1.0
        return max(1.0, self.value / self.lower_bound)

    def __len__(self) -> int:
        return len(self.selection)

    def to_dict(self) -> dict[str, Any]:
        return result_dict(
            self.algorithm, self.value, self.guarantee, self.stats,
            selection=[int(i) for i in self.selection], gains=[_num(g) for g in self.gains],
            upper_bound=_num(self.upper_bound), lower_bound=_num(self.lower_bound), sense=self.sense,
            status=self.status,
        )


@dataclass
class ExactResult:
    """What an exact solver returns.

    Attributes:
        value: objective value of the best solution found, or None when none was found.
        bound: best proven bound on the optimum (upper for maximization, lower for
            minimization), or None.
        status: ``"optimal"``, ``"feasible"`` (stopped early with a solution),
            ``"infeasible"`` or ``"timeout"`` (time limit hit; value/bound are the best so far).
        selection: chosen indices of the best solution found (sorted).
        solver: the backend used (``"cp-sat"``, ``"scip"``, ``"highs"``, ...).
        parameters: the solver parameters actually used.
        seconds: wall-clock time of the solve.
        sense: ``"max"`` or ``"min"``.
    """

    value: float | None
    bound: float | None
    status: str
    selection: np.ndarray
    solver: str
    parameters: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    sense: str = "max"

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def gap(self) -> float | None:
        """Relative gap between value and bound, or None when either is missing."""
        if self.value is None or self.bound is None:
            return None
        denom = max(abs(self.value), abs(self.bound), 1e-12)
        return abs(self.bound - self.value) / denom

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _num(self.value),
            "bound": _num(self.bound),
            "status": self.status,
            "selection": [int(i) for i in self.selection],
            "solver": self.solver,
            "parameters": json_safe(self.parameters),
            "seconds": json_safe(self.seconds),
        }


@dataclass
class MatchingSolution:
    """A matching and how it was found.

    Attributes:
        pairs: int64 array (k, 2) of matched vertices, ``u < v``, sorted by ``u``.
        weight: total weight of the matched edges.
        algorithm: the algorithm's name.
        guarantee: the ratio this run provably achieves (1 for the exact algorithms).
        n_nodes: number of vertices of the graph.
        status: ``"optimal"`` (exact) or ``"feasible"``.
        nodes: the original node labels (networkx input), index -> label; None otherwise.
        stats: counters (``seconds``, ``stages``, ``passes``, ...).
    """

    pairs: np.ndarray
    weight: float
    algorithm: str
    guarantee: Guarantee | None
    n_nodes: int = 0
    status: str = "feasible"
    nodes: list | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float:
        return self.weight

    @property
    def mate(self) -> np.ndarray:
        """``mate[v]`` = v's partner, or -1 when v is unmatched."""
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

    def to_dict(self) -> dict[str, Any]:
        return result_dict(self.algorithm, self.weight, self.guarantee, self.stats,
                           pairs=self.pairs.tolist(), cardinality=len(self), status=self.status)

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
        return cls(pairs, weight, algorithm, guarantee, n, status, graph.nodes, stats)


def result_dict(algorithm: str, value: Any, guarantee: Guarantee | None, stats: dict | None = None,
                **payload: Any) -> dict[str, Any]:
    """The JSON shape every result type shares: ``algorithm``, ``value``, its own ``payload``
    fields, ``guarantee`` and (when given) ``stats``, with numbers made JSON-safe (see
    :func:`json_safe`: ``json.dumps(..., allow_nan=False)`` accepts the result)."""
    out: dict[str, Any] = {"algorithm": algorithm, "value": _num(value), **json_safe(payload),
                           "guarantee": None if guarantee is None else guarantee.to_dict()}
    if stats is not None:
        out["stats"] = {k: _num(v) if isinstance(v, float) else json_safe(v) for k, v in stats.items()}
    return out


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
    """``value`` with every float JSON-safe, recursively: NaN and infinities become None
    (strict JSON has no such numbers), numpy scalars and arrays become Python numbers and
    lists, tuples become lists. Finite floats are kept as they are.

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
