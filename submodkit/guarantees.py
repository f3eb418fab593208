"""The registry of approximation guarantees.

Every algorithm's guarantee is written here once; ``Solution.guarantee``, the docstrings
and the tests read it from here. ``GUARANTEES[name]`` describes the guarantee;
``guarantee(name, **params)`` instantiates it for one run (some ratios depend on k or
epsilon).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from submodkit.solution import Guarantee

E = math.e


def harmonic(d: int) -> float:
    """H(d) = 1 + 1/2 + ... + 1/d (H(0) = 1, so the ratio stays meaningful)."""
    return float(sum(1.0 / i for i in range(1, max(1, int(d)) + 1)))


@dataclass(frozen=True)
class GuaranteeSpec:
    """A guarantee as a function of the run's parameters."""

    statement: str
    source: str
    ratio: Callable[..., float]
    kind: str = "worst-case"
    sense: str = "max"
    conditions: tuple[str, ...] = ("monotone", "submodular")

    def at(self, **params) -> Guarantee:
        return Guarantee(
            ratio=float(self.ratio(**params)),
            statement=self.statement,
            source=self.source,
            kind=self.kind,
            sense=self.sense,
            conditions=self.conditions,
        )


def _greedy_k(k: int = 1, **_) -> float:
    k = max(1, int(k))
    return 1.0 - (1.0 - 1.0 / k) ** k


GUARANTEES: dict[str, GuaranteeSpec] = {
    "greedy": GuaranteeSpec(
        statement="1 - (1 - 1/k)^k >= 1 - 1/e",
        source="Nemhauser, Wolsey, Fisher 1978, Math. Programming 14",
        ratio=_greedy_k,
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "lazy": GuaranteeSpec(
        statement="1 - (1 - 1/k)^k >= 1 - 1/e (same selection as greedy)",
        source="Minoux 1978 (lazy evaluations); Nemhauser, Wolsey, Fisher 1978",
        ratio=_greedy_k,
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "stochastic": GuaranteeSpec(
        statement="1 - 1/e - epsilon, in expectation",
        source="Mirzasoleiman, Badanidiyuru, Karbasi, Vondrak, Krause, AAAI 2015",
        ratio=lambda epsilon=0.1, **_: 1.0 - 1.0 / E - epsilon,
        kind="expectation",
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "threshold": GuaranteeSpec(
        statement="1 - 1/e - epsilon",
        source="Badanidiyuru, Vondrak, SODA 2014",
        ratio=lambda epsilon=0.1, **_: 1.0 - 1.0 / E - epsilon,
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "knapsack-greedy": GuaranteeSpec(
        statement="(1 - 1/e) / 2 (max of cost-benefit greedy and best singleton)",
        source="Khuller, Moss, Naor 1999; Leskovec et al., KDD 2007 (CELF)",
        ratio=lambda **_: (1.0 - 1.0 / E) / 2.0,
        conditions=("monotone", "submodular", "knapsack"),
    ),
    "matroid-greedy": GuaranteeSpec(
        statement="1/2",
        source="Fisher, Nemhauser, Wolsey 1978, Math. Programming Study 8",
        ratio=lambda **_: 0.5,
        conditions=("monotone", "submodular", "matroid"),
    ),
    "set-cover-greedy": GuaranteeSpec(
        statement="H(d), d = largest set size",
        source="Johnson 1974; Lovasz 1975; Chvatal 1979 (weighted)",
        ratio=lambda d=1, **_: harmonic(d),
        sense="min",
        conditions=("set cover",),
    ),
}


def guarantee(name: str, **params) -> Guarantee:
    """The guarantee of algorithm ``name`` for a run with these parameters."""
    return GUARANTEES[name].at(**params)
