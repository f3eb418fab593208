"""The problems ``verify`` and the command line solve, each with its table of algorithms.

`PROBLEMS` maps a problem name to a `Problem`: its table of algorithms (name ->
`~submodkit.guarantees.Algorithm`), the one used when none is named, whether it needs ``k``
and its sense. Max-cover, facility location and any other submodular objective share one
table, `SUBMODULAR`: every algorithm of :func:`~submodkit.maximize` (its table `MAXIMIZE`,
run through ``maximize``, which checks the rest) and the one-pass and distributed ones
(streaming, GreeDi, RandGreeDi, bicriteria GreeDi, adaptive sampling, the coverage
sketch). Set cover has `SET_COVER`. An entry added here or to `MAXIMIZE` is runnable by
``verify(..., algorithm=name)`` and ``submodkit solve --algorithm name`` and is listed in the
README's algorithm table.

Every ``run`` here takes ``(target, k, options)``: the problem's target (an `Objective`,
or for set cover the sets), the cardinality ``k`` (None for set cover) and the `Options`
of the call, of which it reads the ones its entry lists in ``options``.

Example:
    >>> from submodkit import Coverage
    >>> entry = PROBLEMS["max-cover"].algorithm("sieve")
    >>> entry.guarantee, entry.run(Coverage([[0, 1, 2], [2, 3], [3, 4]]), 2, Options()).value
    ('sieve-streaming', 5.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from types import MappingProxyType
from typing import Any

import numpy as np

from submodkit._validation import check_choice
from submodkit.constraints import Knapsack, PartitionMatroid
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import CONSTRAINT_KINDS, Algorithm, table
from submodkit.instances.problems import SetSystem
from submodkit.objectives import Coverage
from submodkit.results import Result
from submodkit.solvers.cover.reduction import refuse_uncoverable
from submodkit.solvers.cover.set_covering import set_cover
from submodkit.solvers.submodular.greedy import MAXIMIZE, maximize


@dataclass(frozen=True)
class Options:
    """The parameters of one call, for whichever entry runs (each reads its own).

    Attributes
    ----------
    constraint : Knapsack or PartitionMatroid, optional
        For ``maximize``'s greedy family only.
    epsilon : float
        Accuracy (stochastic, threshold, streaming, bicriteria, adaptive, sketches).
    seed : int, optional
        Fixes the randomized algorithms.
    n_parts : int
        Parts of the distributed algorithms.
    engine : optional
        Where the distributed algorithms run (None: here; "threads", "dask").
    rounds : int
        Rounds of bicriteria GreeDi.
    max_edges : int, optional
        Incidences a sketch keeps (None: its analysed size).
    outliers : float
        Fraction of the elements the set-cover sketch may leave uncovered.
    time_limit : float, optional
        Seconds for set cover (its bound, or the exact solve).
    solver : str
        Set cover's LP / MIP back end.
    """

    constraint: Knapsack | PartitionMatroid | None = None
    epsilon: float = 0.1
    seed: int | None = None
    n_parts: int = 4
    engine: Any = None
    rounds: int = 2
    max_edges: int | None = None
    outliers: float = 0.0
    time_limit: float | None = None
    solver: str = "auto"


@dataclass(frozen=True)
class Problem:
    """A problem: its algorithms and how to call them.

    Attributes
    ----------
    algorithms : Mapping[str, Algorithm]
        Name -> `~submodkit.guarantees.Algorithm`; each ``run`` takes
        ``(target, k, options)``.
    default : str
        The algorithm used when none is named.
    needs_k : bool
        Whether a call needs ``k`` (or a constraint).
    sense : str
        ``"max"`` or ``"min"``.
    """

    algorithms: Mapping[str, Algorithm]
    default: str
    needs_k: bool = True
    sense: str = "max"

    def algorithm(self, name: str | None = None) -> Algorithm:
        """The entry ``name`` selects (None: the default).

        Raises `InvalidParameterError`, listing the problem's algorithms, for an unknown
        name.

        Examples
        --------
        >>> PROBLEMS["set-cover"].algorithm().guarantee
        'set-cover-greedy'
        >>> PROBLEMS["set-cover"].algorithm("lazy")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        submodkit.errors.InvalidParameterError: algorithm='lazy': expected one of 'greedy', ..., 'sketch'
        """
        name = self.default if name is None else name
        return self.algorithms[check_choice("algorithm", name, tuple(self.algorithms))]


# --------------------------------------------------------------------------- the runs


def _coresets():
    """:mod:`submodkit.coresets`, imported on first use: its package imports every core-set
    module (matching, diversity; 40 ms) that a greedy or set-cover run does not need, and the
    command line pays its imports on every call."""
    from submodkit import coresets

    return coresets


def _via_maximize(algorithm: str, objective, k: int | None, o: Options) -> Result:
    """An algorithm of ``maximize`` (which checks k, the constraint and epsilon)."""
    return maximize(objective, k, constraint=o.constraint, algorithm=algorithm, epsilon=o.epsilon,
                    seed=o.seed)


def _cardinality_only(algorithm: str, o: Options) -> None:
    if o.constraint is not None:
        raise InvalidParameterError(
            "constraint", o.constraint, f"None or Cardinality with algorithm={algorithm!r}"
        )


def _stream(algorithm: str, objective, k: int, o: Options) -> Result:
    """One pass over the items in index order (``"dynamic"``: every item inserted; deletions
    are for the Python API)."""
    _cardinality_only(algorithm, o)
    from submodkit.solvers.submodular.streaming import StreamingMaximizer  # Numba: imported when used

    extra = {"seed": o.seed} if algorithm == "dynamic" else {}
    stream = StreamingMaximizer(objective, k, algorithm=algorithm, epsilon=o.epsilon, **extra)
    stream.update(np.arange(objective.n))
    return stream.solution()


def _greedi(objective, k: int, o: Options) -> Result:
    _cardinality_only("greedi", o)
    return _coresets().greedi(objective, k, n_parts=o.n_parts, engine=o.engine, seed=o.seed)


def _randgreedi(objective, k: int, o: Options) -> Result:
    _cardinality_only("randgreedi", o)
    return _coresets().randgreedi(objective, k, n_parts=o.n_parts, engine=o.engine, seed=o.seed)


def _bicriteria(objective, k: int, o: Options) -> Result:
    _cardinality_only("bicriteria", o)
    return _coresets().bicriteria_greedi(objective, k, n_parts=o.n_parts, epsilon=o.epsilon, rounds=o.rounds,
                                         engine=o.engine, seed=o.seed)


def _adaptive(objective, k: int, o: Options) -> Result:
    _cardinality_only("adaptive", o)
    return _coresets().adaptive_maximize(objective, k, o.epsilon, engine=o.engine, seed=o.seed)


def _adaptive_nonmonotone(objective, k: int, o: Options) -> Result:
    _cardinality_only("adaptive-nonmonotone", o)
    return _coresets().adaptive_nonmonotone_maximize(objective, k, o.epsilon, engine=o.engine, seed=o.seed)


def _sketch(objective, k: int, o: Options) -> Result:
    _cardinality_only("sketch", o)
    if not isinstance(objective, Coverage):
        raise InvalidParameterError("algorithm", "sketch", "a coverage problem (max-cover)")
    return _coresets().sketch_maximize(objective, k, o.epsilon, seed=o.seed, max_edges=o.max_edges)


def _set_cover(algorithm: str, sets, k: None, o: Options) -> Result:
    return set_cover(sets, algorithm=algorithm, outliers=o.outliers, time_limit=o.time_limit, solver=o.solver,
                     seed=0 if o.seed is None else o.seed)


def _sketch_set_cover(sets, k: None, o: Options) -> Result:
    coverage, costs = (Coverage.from_set_system(sets), sets.costs) if isinstance(sets, SetSystem) \
        else (Coverage(sets), None)
    if not o.outliers:  # a set cover, as set_cover reads it (the sketch covers what is coverable)
        refuse_uncoverable(coverage.indices, coverage.state_size, "sets")
    return _coresets().sketch_set_cover(coverage, o.epsilon, seed=o.seed, outliers=o.outliers, costs=costs,
                                        max_edges=o.max_edges)


# --------------------------------------------------------------------------- the tables

SUBMODULAR = table(
    Algorithm("auto", partial(_via_maximize, "auto"), constraints=CONSTRAINT_KINDS, needs_k=None,
              randomized=True),
    *(replace(entry, run=partial(_via_maximize, name)) for name, entry in MAXIMIZE.items()),
    Algorithm("sieve", partial(_stream, "sieve"), guarantee="sieve-streaming",
              calls={"sieve-streaming": '`StreamingMaximizer(f, k, algorithm="sieve", epsilon=e)`'},
              options=("epsilon",)),
    Algorithm("sieve++", partial(_stream, "sieve++"), guarantee="sieve-streaming++",
              calls={"sieve-streaming++": "`StreamingMaximizer(f, k, epsilon=e)` (`update`, `solution`)"},
              options=("epsilon",)),
    Algorithm("dynamic", partial(_stream, "dynamic"), guarantee="dynamic-threshold",
              calls={"dynamic-threshold": '`StreamingMaximizer(f, k, algorithm="dynamic", seed=s)` '
                                          '(`update`, `delete`, `solution`)'},
              options=("epsilon",), randomized=True),
    Algorithm("greedi", _greedi, guarantee="greedi",
              calls={"greedi": "`coresets.greedi(f, k, n_parts=m, engine=None)`"},
              options=("n_parts", "engine")),
    Algorithm("randgreedi", _randgreedi, guarantee="randgreedi",
              calls={"randgreedi": "`coresets.randgreedi(f, k, n_parts=m, engine=None, seed=s)`"},
              options=("n_parts", "engine"), randomized=True),
    Algorithm("bicriteria", _bicriteria, guarantee="bicriteria-greedi",
              calls={"bicriteria-greedi":
                     "`coresets.bicriteria_greedi(f, k, n_parts=m, epsilon=e, rounds=r, seed=s)`"},
              options=("epsilon", "n_parts", "engine", "rounds"), randomized=True),
    Algorithm("adaptive", _adaptive, guarantee="adaptive-threshold",
              calls={"adaptive-threshold":
                     "`coresets.adaptive_maximize(f, k, epsilon=e, engine=None, seed=s)`"},
              options=("epsilon", "engine"), randomized=True),
    Algorithm("adaptive-nonmonotone", _adaptive_nonmonotone, guarantee="adaptive-nonmonotone",
              calls={"adaptive-nonmonotone":
                     "`coresets.adaptive_nonmonotone_maximize(f, k, epsilon=e, seed=s)`"},
              options=("epsilon", "engine"), randomized=True),
    Algorithm("sketch", _sketch, guarantee="sketch-greedy",
              calls={"sketch-greedy": "`coresets.sketch_maximize(coverage, k, epsilon, seed=s)`"},
              options=("epsilon", "max_edges"), randomized=True),
)
"""Max-cover, facility location and any submodular objective: ``maximize``'s algorithms (and
its ``"auto"``) and the one-pass and distributed ones."""

SET_COVER = table(
    Algorithm("greedy", partial(_set_cover, "greedy"), guarantee="set-cover-greedy",
              calls={"set-cover-greedy": "`set_cover(sets, costs)`"},
              options=("time_limit", "solver", "outliers"), needs_k=False),
    Algorithm("lagrangian", partial(_set_cover, "lagrangian"), options=("time_limit", "outliers"),
              needs_k=False, randomized=True),
    Algorithm("exact", partial(_set_cover, "exact"), options=("time_limit", "solver", "outliers"),
              needs_k=False, exact=True),
    Algorithm("sketch", _sketch_set_cover, options=("epsilon", "outliers", "max_edges"), needs_k=False,
              randomized=True),
)
"""Set cover: greedy (H(d)), Lagrangian relaxation (a bound and covers; no ratio claimed,
optimal when the bound meets the cover), the integer program, and the sketch (no ratio
reported)."""

PROBLEMS: Mapping[str, Problem] = MappingProxyType({
    "set-cover": Problem(SET_COVER, default="greedy", needs_k=False, sense="min"),
    "max-cover": Problem(SUBMODULAR, default="lazy"),
    "facility-location": Problem(SUBMODULAR, default="lazy"),
    "submodular": Problem(SUBMODULAR, default="lazy"),
})
"""The problems ``verify`` checks and the command line's ``--problem`` solves on set and
point files."""
