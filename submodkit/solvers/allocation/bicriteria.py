"""Bicriteria online matching: maximize the weight and the cardinality of one allocation.

Advertisers have capacities; each arrival is eligible for some of them with a weight (a
value) and is assigned at once, or not at all. Two objectives compete: the total weight of
the kept assignments (with free disposal: an advertiser keeps its ``capacity`` best values)
and their number. ``allocate(instance, algorithm="bicriteria", tradeoff=p, seed=s)`` runs
the random mixture of the two greedy rules that this module analyses:

- with probability p (a coin per arrival, from ``seed``), the **weight rule**: the eligible
  advertiser with the largest gain in kept weight (the value, less the smallest kept value
  of a full advertiser, which is disposed);
- otherwise the **cardinality rule**: BALANCE, the eligible advertiser with room and the
  largest free fraction of its capacity;
- when the chosen rule gains nothing (no positive weight gain; no advertiser with room), the
  other rule decides.

Guarantee (proved here; any arrival order, any capacities, in expectation over the coins)::

    E[weight] >= p / (1 + p) * max weight,    E[cardinality] >= (1 - p) / (2 - p) * max cardinality

(the weight bound needs free disposal; the cardinality bound does not).

Proof. With free disposal, advertiser a's kept weight is ``w_a(S) = `` the sum of the
``C_a`` largest values of the arrivals assigned to it (a weighted uniform-matroid rank:
monotone submodular) and its count is ``c_a(S) = min(|S|, C_a)`` (monotone submodular); the
algorithm's heap keeps exactly the top ``C_a``, so its weight is ``sum_a w_a(S_a)`` and its
cardinality ``sum_a c_a(S_a)``. Fix an optimal allocation O for one objective, say f (w or
c), and write ``m_i`` for the marginal value under f of arrival i at its advertiser in O
given the algorithm's allocation just before i. Submodularity and monotonicity give
``f(O) <= f(S) + sum_i m_i`` (the classic argument of greedy's 1/2). Let ``g_i`` be the
increase of f when i is assigned; ``f(S) = sum_i g_i`` and ``g_i >= 0`` always (both
objectives are monotone). If i follows the rule of f, ``g_i >= m_i``: the weight rule takes
the largest weight gain, and BALANCE takes an advertiser with room, so ``g_i = 1 >= m_i``
(and when no eligible advertiser has room, ``m_i = 0``). The fall-back keeps this: it is
used only when the chosen rule's best gain, hence ``m_i`` for that objective, is 0. The coin
of i is independent of the history before i, which fixes ``m_i``, so
``E[g_i] >= q E[m_i]`` with q = p for the weight and q = 1 - p for the cardinality. Summing,
``E f(S) >= q (f(O) - E f(S))``, that is ``E f(S) >= q / (1 + q) f(O)``. QED.

At p = 1 this is greedy's 1/2 on the weight (deterministic); at p = 0, BALANCE alone, whose
own bound ``1 - 1/(1+1/b)^b`` is stronger than the 1/2 stated here.

What was reconstructed: Korula, Mirrokni and Zadimoghaddam (WINE 2013) was reachable by its
abstract only. It states, for large capacities, an algorithm with the curve
``(p (1 - e^(-1/p)), (1 - p)(1 - e^(-1/(1-p))))`` (``0.43, 0.43`` at p = 1/2) but not the
algorithm; this module's mixture is not that algorithm, its weaker curve is proved above, and
:func:`paper_curve` is plotted beside the measured pairs in BENCHMARKS.md, never claimed.

References
----------
.. [1] Korula, Mirrokni, Zadimoghaddam, "Bicriteria online matching: maximizing weight and
   cardinality", WINE 2013, LNCS 8289.
.. [2] Fisher, Nemhauser, Wolsey, "An analysis of approximations for maximizing submodular
   set functions II", Math. Prog. Study 8 (1978).
.. [3] Kalyanasundaram, Pruhs, "An optimal deterministic algorithm for online b-matching",
   Theoret. Comput. Sci. 233 (2000).
"""

from __future__ import annotations

import numpy as np

from submodkit.errors import InvalidParameterError
from submodkit.instances.allocation import AllocationInstance
from submodkit.solvers.allocation import _kernels as K


def bicriteria_pass(instance: AllocationInstance, rows: np.ndarray,
                    coins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the mixture over the arrival ``rows`` (instance rows in processing order) with one
    coin per position (1: the weight rule, 0: the cardinality rule).

    Returns ``(assign, gained)`` per position: the advertiser (-1: none, or disposed) and the
    kept value (0 where disposed). The caller checked ``instance`` (capacities); this checks
    the coins, the one input it adds."""
    if instance.kind != "capacity" or not instance.unit_consumption:
        raise InvalidParameterError("instance", instance.name or "instance",
                                    "capacities with unit consumption for the bicriteria matching")
    coins = np.ascontiguousarray(coins, dtype=np.int64)
    if coins.shape != rows.shape or (coins.size and (coins.min() < 0 or coins.max() > 1)):
        raise InvalidParameterError("coins", coins, f"{rows.size} values in {{0, 1}}")
    indptr, indices, vals, _ = instance.arrays()
    cap = np.minimum(np.floor(instance.budgets + 1e-9), max(rows.size, 1)).astype(np.int64)
    off = np.concatenate([[0], np.cumsum(cap)]).astype(np.int64)
    n = rows.size
    assign = np.full(n, -1, dtype=np.int64)
    gained = np.zeros(n)
    K.run_bicriteria(indptr, indices, vals, np.ascontiguousarray(rows, dtype=np.int64), coins, cap, off,
                     bool(instance.free_disposal), assign, gained, np.zeros(cap.size, dtype=np.int64),
                     np.empty(off[-1]), np.empty(off[-1], dtype=np.int64))
    gained[assign < 0] = 0.0
    return assign, gained


def proven_curve(tradeoff: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """The (weight, cardinality) ratios proved for the mixture: ``(p / (1 + p), (1 - p) / (2 - p))``.

    Examples
    --------
    >>> w, c = proven_curve(0.5)
    >>> round(float(w), 4), round(float(c), 4)
    (0.3333, 0.3333)
    """
    p = np.asarray(tradeoff, dtype=float)
    return p / (1.0 + p), (1.0 - p) / (2.0 - p)


def paper_curve(tradeoff: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """The curve the WINE 2013 abstract states for its (unreconstructed) algorithm, large
    capacities: ``(p (1 - e^(-1/p)), (1 - p)(1 - e^(-1/(1-p))))``; for plots only.

    Examples
    --------
    >>> w, c = paper_curve(0.5)
    >>> round(float(w), 4), round(float(c), 4)
    (0.4323, 0.4323)
    """
    p = np.asarray(tradeoff, dtype=float)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        w = np.where(p > 0, p * (1.0 - np.exp(-1.0 / np.where(p > 0, p, 1.0))), 0.0)
        q = 1.0 - p
        c = np.where(q > 0, q * (1.0 - np.exp(-1.0 / np.where(q > 0, q, 1.0))), 0.0)
    return w, c
