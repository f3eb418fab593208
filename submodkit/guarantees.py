"""The registry of approximation guarantees, and the entry type of the algorithm tables.

Every algorithm's guarantee is written here once; ``Solution.guarantee``, the docstrings
and the tests read it from here. ``GUARANTEES[name]`` describes the guarantee;
``guarantee(name, **params)`` instantiates it for one run (some ratios depend on k or
epsilon).

The dispatchers (``maximize``, ``diversify``, ``allocate``) and the problem table that
``verify`` and the command line share (:mod:`submodkit.verification.problems`) each hold a
table of `Algorithm` entries, name -> entry: the function that runs it, the key of its
guarantee here, what it accepts. The README's algorithm table is generated from those
tables (``scripts/algorithm_table.py``), so adding an algorithm is one entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from submodkit.results import Guarantee

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


def _continuous_greedy_ratio(steps: int, rank: int) -> float:
    """``1 - (1 - d (1-d)^(r-1))^T`` for T steps of size d = 1/T under a matroid of rank r."""
    d = 1.0 / max(int(steps), 1)
    return 1.0 - (1.0 - d * (1.0 - d) ** max(int(rank) - 1, 0)) ** max(int(steps), 1)


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
    "continuous-greedy": GuaranteeSpec(
        statement="1 - (1 - d (1-d)^(r-1))^T >= 1 - exp(-(1-d)^(r-1)), d = 1/T steps, r = rank, in "
                  "expectation, with exact marginals (weighted coverage); derived from the paper's analysis",
        source="Calinescu, Chekuri, Pal, Vondrak, SIAM J. Comput. 40(6) 2011; swap rounding: Chekuri, "
               "Vondrak, Zenklusen, FOCS 2010",
        ratio=lambda steps=1, rank=1, **_: _continuous_greedy_ratio(steps, rank),
        kind="expectation",
        conditions=("monotone", "submodular", "matroid"),
    ),
    "column-subset-greedy": GuaranteeSpec(
        statement="no a-priori ratio for k columns (the paper's 1 - epsilon needs O(k / (epsilon sigma)) "
                  "columns; reachable by its abstract only): each run certifies value / ||A_k||_F^2 against "
                  "the best rank-k approximation",
        source="Altschuler, Bhaskara, Fu, Mirrokni, Rostamizadeh, Zadimoghaddam, ICML 2016 (Greedy "
               "column subset selection)",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("column subset selection",),
    ),
    "adaptive-cover": GuaranteeSpec(
        statement="no a-priori ratio (the paper's cover extension was reachable by its abstract only): each "
                  "run certifies a lower bound on the fewest items reaching the target",
        source="Fahrbach, Mirrokni, Zadimoghaddam, SODA 2019 (threshold sampling); Wolsey 1982 (cover)",
        ratio=lambda **_: math.inf,
        kind="asymptotic",
        sense="min",
        conditions=("monotone", "submodular", "unit costs"),
    ),
    "compression-greedy": GuaranteeSpec(
        statement="1 - 1/e of the best compression's mutual information (greedy over the cut points of the "
                  "vocabulary sorted by positive rate; the paper was reachable by its abstract only: the "
                  "submodularity is its theorem, checked here by brute force, the oracle reconstructed)",
        source="Bateni, Chen, Esfandiari, Fu, Mirrokni, Rostamizadeh, ICML 2019; intervals optimal: "
               "Kurkoski, Yagi, IEEE Trans. Inf. Theory 60(8) 2014",
        ratio=lambda **_: 1.0 - 1.0 / E,
        conditions=("binary label", "mutual information"),
    ),
    "compression-exact": GuaranteeSpec(
        statement="optimal (dynamic program over the intervals of the sorted vocabulary)",
        source="Kurkoski, Yagi, IEEE Trans. Inf. Theory 60(8) 2014; divide and conquer under the quadrangle "
               "inequality (Iwata, Ozawa, ISIT 2014 use SMAWK)",
        ratio=lambda **_: 1.0,
        conditions=("binary label", "mutual information"),
    ),
    "procurement": GuaranteeSpec(
        statement="f(S) - c(S) >= f(O)/2 - c(O) for every O (ratio 1/2 on f(O) - 2c(O)); truthful, "
                  "individually rational, surplus f(S)/2 >= 0; any order of offers (reconstructed from the "
                  "abstract: the (1/2, 1) bicriteria, proved in the module)",
        source="Deng, Karbasi, Mirrokni, Paes Leme, Velegkas, Zuo 2024 (Procurement auctions via "
               "approximately optimal submodular optimization)",
        ratio=lambda **_: 0.5,
        conditions=("monotone", "submodular", "costs (bids)"),
    ),
    "set-cover-greedy": GuaranteeSpec(
        statement="H(d), d = largest set size",
        source="Johnson 1974; Lovasz 1975; Chvatal 1979 (weighted)",
        ratio=lambda d=1, **_: harmonic(d),
        sense="min",
        conditions=("set cover",),
    ),
    "submodular-cover-greedy": GuaranteeSpec(
        statement="1 + ln((t - f(empty)) / (t - f(S_{T-1}))) for target t (a posteriori); H(max_j f({j})) "
                  "for integer-valued f",
        source="Wolsey 1982, Combinatorica 2",
        ratio=lambda ratio=1.0, **_: ratio,
        sense="min",
        conditions=("monotone", "submodular"),
    ),
    "dynamic-threshold": GuaranteeSpec(
        statement="1 / (2 (1 + epsilon)) after every insertion and deletion (threshold greedy per guess of "
                  "OPT kept exact under updates; the paper's polylogarithmic level structure reconstructed "
                  "as one random priority order: the ratio is proved, the update cost measured)",
        source="Lattanzi, Mitrovic, Norouzi-Fard, Tarnawski, Zadimoghaddam, NeurIPS 2020 (Fully dynamic "
               "algorithm for constrained submodular optimization)",
        ratio=lambda epsilon=0.1, **_: 1.0 / (2.0 * (1.0 + epsilon)),
        conditions=("monotone", "submodular", "cardinality", "insertions and deletions"),
    ),
    "sieve-streaming": GuaranteeSpec(
        statement="1/2 - epsilon (one pass, O(k log(k) / epsilon) items kept)",
        source="Badanidiyuru, Mirzasoleiman, Karbasi, Krause, KDD 2014",
        ratio=lambda epsilon=0.1, **_: 0.5 - epsilon,
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "sieve-streaming++": GuaranteeSpec(
        statement="1/2 - epsilon (one pass, O(k / epsilon) items kept)",
        source="Kazemi, Mitrovic, Zadimoghaddam, Lattanzi, Karbasi, ICML 2019",
        ratio=lambda epsilon=0.1, **_: 0.5 - epsilon,
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "greedi": GuaranteeSpec(
        statement="(1 - 1/e)^2 / min(m, k) for m parts (any partition)",
        source="Mirzasoleiman, Karbasi, Sarkar, Krause, NIPS 2013",
        ratio=lambda k=1, n_parts=1, **_: (1.0 - 1.0 / E) ** 2 / max(1, min(int(n_parts), int(k))),
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "randgreedi": GuaranteeSpec(
        statement="(1 - 1/e) / 2, in expectation over the random partition",
        source="Barbosa, Ene, Nguyen, Ward, ICML 2015; Mirrokni, Zadimoghaddam, STOC 2015",
        ratio=lambda **_: (1.0 - 1.0 / E) / 2.0,
        kind="expectation",
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "sketch-greedy": GuaranteeSpec(
        statement="1 - 1/e - epsilon with high probability (greedy on a full-budget sketch)",
        source="Bateni, Esfandiari, Mirrokni, SPAA 2017",
        ratio=lambda epsilon=0.1, **_: 1.0 - 1.0 / E - epsilon,
        kind="high-probability",
        conditions=("coverage", "cardinality"),
    ),
    "gmm": GuaranteeSpec(
        statement="1/2 (max-min dispersion, farthest-point greedy)",
        source="Gonzalez 1985, TCS 38; Ravi, Rosenkrantz, Tayi 1994, Oper. Res. 42",
        ratio=lambda **_: 0.5,
        conditions=("metric", "cardinality"),
    ),
    "gmm-remote-tree": GuaranteeSpec(
        statement="1/4 (remote-tree: minimum spanning tree weight, farthest-point greedy)",
        source="Halldorsson, Iwano, Katoh, Tokuyama 1999, SIAM J. Discrete Math. 12 (Finding subsets "
               "maximizing minimum structures)",
        ratio=lambda **_: 0.25,
        conditions=("metric", "cardinality"),
    ),
    "max-sum-greedy": GuaranteeSpec(
        statement="1/2 (max-sum dispersion, optionally plus a monotone submodular quality)",
        source="Borodin, Lee, Ye, PODS 2012; Birnbaum, Goldman 2009; Hassin, Rubinstein, Tamir 1997",
        ratio=lambda **_: 0.5,
        conditions=("metric", "cardinality", "quality monotone submodular"),
    ),
    "max-sum-local-search": GuaranteeSpec(
        statement="1/2 at a local optimum (max-sum dispersion under a matroid, optional quality)",
        source="Abbassi, Mirrokni, Thakur, KDD 2013; Borodin, Lee, Ye, PODS 2012",
        ratio=lambda **_: 0.5,
        conditions=("metric", "matroid", "quality monotone submodular"),
    ),
    "gist": GuaranteeSpec(
        statement="1/2 - epsilon (max-min diversity plus a monotone submodular utility)",
        source="Fahrbach, Ramalingam, Zadimoghaddam, et al., NeurIPS 2025 (arXiv 2405.18754)",
        ratio=lambda epsilon=0.05, **_: 0.5 - epsilon,
        conditions=("metric", "cardinality", "quality monotone submodular"),
    ),
    "gmm-coreset": GuaranteeSpec(
        statement="1/6 (max-min: GMM core-sets of size k per part (1/3), then GMM on the union (1/2))",
        source="Indyk, Mahabadi, Mahdian, Mirrokni, PODS 2014",
        ratio=lambda **_: 1.0 / 6.0,
        conditions=("metric", "cardinality", "any partition"),
    ),
    "matching-exact": GuaranteeSpec(
        statement="optimal (maximum-weight matching)",
        source="Edmonds 1965; Galil, ACM Computing Surveys 18 (1986), O(n^3) primal-dual",
        ratio=lambda **_: 1.0,
        conditions=("matching", "general graph"),
    ),
    "matching-greedy": GuaranteeSpec(
        statement="1/2",
        source="Avis 1983, Networks 13 (greedy by weight)",
        ratio=lambda **_: 0.5,
        conditions=("matching", "non-negative weights"),
    ),
    "matching-path-growing": GuaranteeSpec(
        statement="1/2, linear time",
        source="Drake, Hougardy, Inform. Process. Lett. 85 (2003)",
        ratio=lambda **_: 0.5,
        conditions=("matching", "non-negative weights"),
    ),
    "matching-augment": GuaranteeSpec(
        statement=("2/3 once no 2-augmentation centered at a vertex has positive gain (their lemma: "
                   "disjoint centered 2-augmentations gain >= 2/3 w(M*) - w(M))"),
        source="Pettie, Sanders, Inform. Process. Lett. 91 (2004); Drake, Hougardy 2003",
        ratio=lambda **_: 2.0 / 3.0,
        conditions=("matching", "non-negative weights", "local optimum reached"),
    ),
    "alloc-greedy": GuaranteeSpec(
        statement="1/2 (largest marginal gain; budget-additive, free disposal or unit values)",
        source="Lehmann, Lehmann, Nisan, EC 2001; Mehta, Saberi, Vazirani, Vazirani, J. ACM 2007",
        ratio=lambda **_: 0.5,
        conditions=("adversarial order", "online allocation"),
    ),
    "alloc-balance": GuaranteeSpec(
        statement="1 - 1/(1+1/b)^b -> 1 - 1/e (unit values, capacities >= b)",
        source="Kalyanasundaram, Pruhs, Theor. Comput. Sci. 233 (2000)",
        ratio=lambda b=1, **_: 1.0 - (1.0 + 1.0 / max(1.0, float(b))) ** (-max(1.0, float(b))),
        conditions=("adversarial order", "unit values"),
    ),
    "alloc-msvv": GuaranteeSpec(
        statement="1 - 1/e as max bid / budget -> 0",
        source="Mehta, Saberi, Vazirani, Vazirani, J. ACM 54(5) 2007 (AdWords)",
        ratio=lambda **_: 1.0 - 1.0 / E,
        kind="asymptotic",
        conditions=("adversarial order", "bids small relative to budgets"),
    ),
    "alloc-proportional": GuaranteeSpec(
        statement="1 - epsilon of the maximum fractional b-matching after O(log n / epsilon^2) rounds (the "
                  "abstract's claim; update rule reconstructed, so reported only; each run certifies a cover "
                  "bound)",
        source="Agrawal, Zadimoghaddam, Mirrokni, ICML 2018 (Proportional allocation)",
        ratio=lambda epsilon=0.1, **_: 1.0 - epsilon,
        kind="asymptotic",
        conditions=("capacities", "unit values (cardinality)"),
    ),
    "alloc-proportional-weighted": GuaranteeSpec(
        statement="1 - epsilon of the maximum weighted fractional b-matching, certified by the run's own "
                  "dual bound (attached only when the run stops certified; the split rule is reconstructed: "
                  "the abstract names the weighted extension, not its rule)",
        source="reconstructed for Agrawal, Zadimoghaddam, Mirrokni, ICML 2018 (Proportional allocation); "
               "the certificate: LP duality, derived in submodkit.solvers.allocation.proportional",
        ratio=lambda epsilon=0.1, **_: 1.0 - epsilon,
        conditions=("capacities", "values (weighted)"),
    ),
    "alloc-primal-dual": GuaranteeSpec(
        statement="1 - 1/e_N, e_N = (1+1/N)^N, N = smallest capacity",
        source="Feldman, Korula, Mirrokni, Muthukrishnan, Pal, WINE 2009",
        ratio=lambda n=1, **_: 1.0 - 1.0 / (1.0 + 1.0 / max(1.0, float(n))) ** max(1.0, float(n)),
        conditions=("adversarial order", "display ads with free disposal"),
    ),
    "alloc-primal-dual-budget": GuaranteeSpec(
        statement="(1 - 1/c)(1 - R), c = (1+R)^(1/R), R = max bid / budget",
        source="Buchbinder, Jain, Naor, ESA 2007",
        ratio=lambda r_max=0.0, **_: (
            (1.0 - 1.0 / (1.0 + r_max) ** (1.0 / r_max)) * (1.0 - r_max) if 0 < r_max < 1
            else (1.0 - 1.0 / E if r_max == 0 else 0.0)
        ),
        conditions=("adversarial order", "budgeted allocation (AdWords)"),
    ),
    "alloc-bicriteria-weight": GuaranteeSpec(
        statement="p / (1 + p) of the maximum weight, in expectation, p = tradeoff (with (1 - p) / (2 - p) "
                  "of the maximum cardinality: alloc-bicriteria-cardinality); each arrival follows the "
                  "weight rule (greedy with free disposal) with probability p, else BALANCE; any order. "
                  "Proved in submodkit.solvers.allocation.bicriteria: the paper was reachable by its "
                  "abstract only; its curve (p(1 - e^(-1/p)), (1-p)(1 - e^(-1/(1-p)))) for large "
                  "capacities is plotted against the measured pairs, not claimed",
        source="reconstructed for Korula, Mirrokni, Zadimoghaddam, WINE 2013 (Bicriteria online matching: "
               "maximizing weight and cardinality); greedy's 1/2 argument: Fisher, Nemhauser, Wolsey 1978",
        ratio=lambda tradeoff=0.5, **_: float(tradeoff) / (1.0 + float(tradeoff)),
        kind="expectation",
        conditions=("any order", "capacities (unit consumption)", "free disposal"),
    ),
    "alloc-bicriteria-cardinality": GuaranteeSpec(
        statement="(1 - p) / (2 - p) of the maximum cardinality, in expectation, p = tradeoff (the second "
                  "criterion of alloc-bicriteria-weight; proved in submodkit.solvers.allocation.bicriteria)",
        source="reconstructed for Korula, Mirrokni, Zadimoghaddam, WINE 2013 (Bicriteria online matching)",
        ratio=lambda tradeoff=0.5, **_: (1.0 - float(tradeoff)) / (2.0 - float(tradeoff)),
        kind="expectation",
        conditions=("any order", "capacities (unit consumption)"),
    ),
    "alloc-hedged": GuaranteeSpec(
        statement="no ratio claimed: a plan from the forecast's LP prices on a hedge share of each capacity, "
                  "MSVV on the rest (reconstructed: the paper, reachable by its abstract only, proves bounds "
                  "as a function of the stochastic share for its own mixed algorithm); measured on AdX "
                  "streams with injected spikes against both pure algorithms",
        source="reconstructed for Esfandiari, Korula, Mirrokni, EC 2015 (Online allocation with traffic "
               "spikes: mixing adversarial and stochastic models)",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("capacities (unit consumption)", "a forecast of the stochastic traffic"),
    ),
    "pages-primal-dual": GuaranteeSpec(
        statement="no ratio claimed: the paper's 1 - 1/e - o(1) is for its primal-dual algorithm with a "
                  "level function (reachable by its abstract only); the page rule here (each page takes the "
                  "feasible set of ads maximizing value minus the display-ads prices, found exactly) is a "
                  "reconstruction, measured against the exact integer program",
        source="reconstructed for Devanur, Huang, Korula, Mirrokni, Yan, EC 2013 / ACM TEAC 4(3) 2016 "
               "(Whole-page optimization and submodular welfare maximization with online bidders); prices: "
               "Feldman, Korula, Mirrokni, Muthukrishnan, Pal, WINE 2009",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("pages with slots", "per-page constraints", "capacities, free disposal"),
    ),
    "alloc-dual-training": GuaranteeSpec(
        statement="1 - O(epsilon) (no finite-instance ratio: reported ratio 0)",
        source="Feldman, Henzinger, Korula, Mirrokni, Stein, ESA 2010",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("random order or i.i.d. arrivals", "large capacities"),
    ),
    "alloc-dual-mirror-descent": GuaranteeSpec(
        statement="regret O(sqrt T) i.i.d.; OPT/alpha - O(sqrt T) adversarial (reported ratio 0)",
        source="Balseiro, Lu, Mirrokni, Operations Research 71(1) 2023",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("i.i.d. arrivals (regret)", "adversarial (1/alpha)"),
    ),
    "online-greedy": GuaranteeSpec(
        statement="1/2 (any maximal matching)",
        source="Karp, Vazirani, Vazirani, STOC 1990 (folklore bound for greedy)",
        ratio=lambda **_: 0.5,
        conditions=("online bipartite matching", "any arrival order"),
    ),
    "online-ranking": GuaranteeSpec(
        statement="1 - 1/e",
        source="Karp, Vazirani, Vazirani, STOC 1990; Birnbaum, Mathieu, SIGACT News 2008",
        ratio=lambda **_: 1.0 - 1.0 / E,
        kind="expectation",
        conditions=("online bipartite matching", "unit capacities", "adversarial order"),
    ),
    "online-balance": GuaranteeSpec(
        statement="1 - 1/(1 + 1/b)^b -> 1 - 1/e, b = smallest capacity",
        source="Kalyanasundaram, Pruhs, Theoret. Comput. Sci. 233 (2000)",
        ratio=lambda b=1, **_: 1.0 - (1.0 + 1.0 / max(1, int(b))) ** (-max(1, int(b))),
        conditions=("online b-matching", "adversarial order"),
    ),
    "edcs-coreset": GuaranteeSpec(
        statement="2/3 - epsilon (a 3/2 + epsilon approximation) w.h.p., beta = O(log n / eps^2)",
        source="Assadi, Bateni, Bernstein, Mirrokni, Stein, SODA 2019 (Coresets meet EDCS)",
        ratio=lambda epsilon=0.0, **_: max(0.0, 2.0 / 3.0 - float(epsilon)),
        kind="expectation",
        conditions=("maximum-cardinality matching", "random edge partition", "beta large enough"),
    ),
    "matching-coreset": GuaranteeSpec(
        statement="1/3 (maximum matching per part, random partition)",
        source="Assadi, Khanna, SPAA 2017",
        ratio=lambda **_: 1.0 / 3.0,
        kind="expectation",
        conditions=("maximum-cardinality matching", "random edge partition"),
    ),
    "online-two-choices": GuaranteeSpec(
        statement=("0.67 in expectation vs the offline optimum of the realized arrivals: n arrivals "
                   "i.i.d. uniform over n known types, unit capacities (two suggested matchings "
                   "from a max flow with capacity 2 per vertex)"),
        source="Feldman, Mehta, Mirrokni, Muthukrishnan, FOCS 2009",
        ratio=lambda **_: 0.67,
        kind="expectation",
        conditions=("online bipartite matching", "known i.i.d. types", "unit capacities"),
    ),
    "random-greedy": GuaranteeSpec(
        statement="1/e for non-negative submodular f (1 - 1/e if monotone), in expectation",
        source="Buchbinder, Feldman, Naor, Schwartz, SODA 2014 (cardinality constraints)",
        ratio=lambda monotone=False, **_: 1.0 - 1.0 / E if monotone else 1.0 / E,
        kind="expectation",
        conditions=("non-negative", "submodular", "cardinality"),
    ),
    "double-greedy": GuaranteeSpec(
        statement="1/2, in expectation (randomized double greedy)",
        source="Buchbinder, Feldman, Naor, Schwartz, FOCS 2012 (tight linear-time 1/2)",
        ratio=lambda **_: 0.5,
        kind="expectation",
        conditions=("non-negative", "submodular", "unconstrained"),
    ),
    "double-greedy-deterministic": GuaranteeSpec(
        statement="1/3 (deterministic double greedy)",
        source="Buchbinder, Feldman, Naor, Schwartz, FOCS 2012",
        ratio=lambda **_: 1.0 / 3.0,
        conditions=("non-negative", "submodular", "unconstrained"),
    ),
    "distorted-greedy": GuaranteeSpec(
        statement="g(S) - c(S) >= (1 - 1/e) g(O) - c(O) (ratio on g; c modular, non-negative)",
        source="Harshaw, Feldman, Ward, Karbasi, ICML 2019 (Submodular maximization beyond non-negativity)",
        ratio=lambda **_: 1.0 - 1.0 / E,
        conditions=("g monotone submodular non-negative", "c modular non-negative", "cardinality"),
    ),
    "bicriteria-greedi": GuaranteeSpec(
        statement="(1 - epsilon) OPT_k in expectation with O(r k / epsilon^(1/r)) items, r rounds "
        "(the paper's claim; this implementation's rounds are reconstructed from its abstract with "
        "ceil(k / epsilon^(1/r)) items per round, and checked against exact OPT_k)",
        source="Epasto, Mirrokni, Zadimoghaddam, SPAA 2017 (Bicriteria distributed submodular maximization)",
        ratio=lambda epsilon=0.1, **_: 1.0 - epsilon,
        kind="expectation",
        conditions=("monotone", "submodular", "random partition", "compared with OPT_k"),
    ),
    "adaptive-nonmonotone": GuaranteeSpec(
        statement="0.039 - epsilon for non-negative submodular f, O(log n) adaptive rounds (the paper's "
                  "claim; reachable by its abstract: steps and constants read from the authors' code, "
                  "checked against brute force, not re-derived)",
        source="Fahrbach, Mirrokni, Zadimoghaddam, ICML 2019 (Non-monotone submodular maximization with "
               "nearly optimal adaptivity and query complexity)",
        ratio=lambda epsilon=0.3, **_: max(0.0, 0.039 - epsilon),
        kind="expectation",
        conditions=("non-negative", "submodular", "cardinality"),
    ),
    "adaptive-threshold": GuaranteeSpec(
        statement="1 - 1/e - epsilon in expectation (threshold sampling after an O(log n)-round "
                  "OPT estimate; O(log n / epsilon^2) adaptive rounds)",
        source="Fahrbach, Mirrokni, Zadimoghaddam, SODA 2019 (Submodular maximization with nearly "
               "optimal approximation, adaptivity and query complexity)",
        ratio=lambda epsilon=0.1, **_: 1.0 - 1.0 / E - epsilon,
        kind="expectation",
        conditions=("monotone", "submodular", "cardinality"),
    ),
    "sum-min-lp": GuaranteeSpec(
        statement="1/8 (sum-min diversity: LP relaxation within 2 of OPT, randomized rounding; the "
        "rounding is reconstructed from the paper's outline and checked against brute force, "
        "2 LP is a proven bound on every run)",
        source="Bhaskara, Ghadiri, Mirrokni, Svensson, NeurIPS 2016 (Linear relaxations for finding "
               "diverse elements in metric spaces)",
        ratio=lambda **_: 0.125,
        kind="expectation",
        conditions=("metric", "cardinality"),
    ),
    "randomized-coreset-max-sum": GuaranteeSpec(
        statement="1/2 - epsilon in expectation for large k "
        "(asymptotically 1/2; size-k core-sets of a random partition)",
        source="Epasto, Mirrokni, Zadimoghaddam, SPAA 2019 (Scalable diversity maximization via small-size "
               "composable core-sets)",
        ratio=lambda epsilon=0.1, **_: 0.5 - epsilon,
        kind="expectation",
        conditions=("metric", "cardinality", "random partition", "asymptotic in k"),
    ),
    "ddismi": GuaranteeSpec(
        statement="1/4 with high probability (distributed greedy for max-sum diversity, random partition; "
                  "feature selection with a mutual-information metric)",
        source="Zadeh, Ghadiri, Mirrokni, Zadimoghaddam, AAAI 2017 (Scalable feature selection via "
               "distributed diversity maximization)",
        ratio=lambda **_: 0.25,
        kind="high-probability",
        conditions=("metric", "cardinality", "random partition"),
    ),
    "packing-dmd": GuaranteeSpec(
        statement="regret O(sqrt T) against the hindsight optimum for i.i.d. arrivals (reported ratio 0)",
        source="Balseiro, Lu, Mirrokni, Operations Research 71(1) 2023 (The best of many worlds)",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("online packing", "i.i.d. arrivals"),
    ),
    "packing-dmd-regularized": GuaranteeSpec(
        statement="regret O(sqrt T) against the regularized optimum (max-min fairness) for i.i.d. arrivals "
                  "(reported ratio 0)",
        source="Balseiro, Lu, Mirrokni, ICML 2021 (Regularized online allocation problems: fairness "
               "and beyond)",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("online packing", "i.i.d. arrivals", "max-min fairness regularizer"),
    ),
    "welfare-greedy": GuaranteeSpec(
        statement="1/2 (each item to the largest marginal gain, any arrival order)",
        source="Fisher, Nemhauser, Wolsey, Math. Prog. Study 8 (1978); Lehmann, Lehmann, Nisan, EC 2001",
        ratio=lambda **_: 0.5,
        conditions=("monotone", "submodular", "online welfare", "adversarial order"),
    ),
    "welfare-greedy-random-order": GuaranteeSpec(
        statement="0.505 in expectation over a uniformly random arrival order",
        source="Korula, Mirrokni, Zadimoghaddam, STOC 2015 (Online submodular welfare maximization: "
               "greedy beats 1/2 in random order)",
        ratio=lambda **_: 0.505,
        kind="expectation",
        conditions=("monotone", "submodular", "online welfare", "random order"),
    ),
    "welfare-bi-objective-first": GuaranteeSpec(
        statement="p / (1 + p) of the best welfare under the first valuations, in expectation, p = tradeoff "
                  "(with (1 - p) / (2 - p) under the second: welfare-bi-objective-second); each item goes to "
                  "the largest marginal gain of the first valuations with probability p, else of the second; "
                  "any order (proved in submodkit.solvers.allocation.welfare; the paper was reachable by its "
                  "abstract only, so its algorithm and curve are not claimed)",
        source="reconstructed for Esfandiari, Korula, Mirrokni, NeurIPS 2016 (Bi-objective online matching "
               "and submodular allocations); greedy's argument: Fisher, Nemhauser, Wolsey 1978",
        ratio=lambda tradeoff=0.5, **_: float(tradeoff) / (1.0 + float(tradeoff)),
        kind="expectation",
        conditions=("monotone", "submodular", "online welfare", "two valuations per agent", "any order"),
    ),
    "welfare-bi-objective-second": GuaranteeSpec(
        statement="(1 - p) / (2 - p) of the best welfare under the second valuations, in expectation (the "
                  "second criterion of welfare-bi-objective-first)",
        source="reconstructed for Esfandiari, Korula, Mirrokni, NeurIPS 2016 (Bi-objective online matching "
               "and submodular allocations)",
        ratio=lambda tradeoff=0.5, **_: (1.0 - float(tradeoff)) / (2.0 - float(tradeoff)),
        kind="expectation",
        conditions=("monotone", "submodular", "online welfare", "two valuations per agent", "any order"),
    ),
    "fair-certified": GuaranteeSpec(
        statement="the budget-weighted generalized mean of utilities within 1 + tol of the alpha-fair "
                  "optimum's (the Eisenberg-Gale optimum at alpha = 1), certified by a dual bound from the "
                  "supporting prices (status optimal; else the gap reached is reported)",
        source="Eisenberg, Gale 1959 (the program); Zhang, Theoret. Comput. Sci. 412 (2011) (proportional "
               "response); the certificate: convex duality, derived in submodkit.solvers.allocation.fair",
        ratio=lambda tol=1e-4, **_: 1.0 / (1.0 + float(tol)),
        conditions=("divisible goods", "budgets", "linear utilities"),
    ),
    "fair-resolve": GuaranteeSpec(
        statement="no ratio claimed: the paper's 0.64 of the proportionally fair allocation (Gaussian "
                  "supply processes; 0.47 in the EC 2016 version) is for its scheme, reachable by its "
                  "abstract only; this re-solving scheme is a reconstruction, measured against the offline "
                  "fair allocation",
        source="reconstructed for Bateni, Chen, Ciocan, Mirrokni, EC 2016 / Operations Research 70(1) 2022 "
               "(Fair resource allocation in a volatile marketplace)",
        ratio=lambda **_: 0.0,
        kind="asymptotic",
        conditions=("divisible goods", "budgets", "linear utilities", "online supply"),
    ),
    "gmm-remote-cycle": GuaranteeSpec(
        statement="1/3 (remote-cycle: minimum travelling salesman tour weight, farthest-point greedy)",
        source="Halldorsson, Iwano, Katoh, Tokuyama 1999, SIAM J. Discrete Math. 12 (Finding subsets "
               "maximizing minimum structures)",
        ratio=lambda **_: 1.0 / 3.0,
        conditions=("metric", "cardinality"),
    ),
    "gmm-coreset-remote-cycle": GuaranteeSpec(
        statement="1/9 (remote-cycle: GMM core-sets of size k per part (1/3, derived here as for "
                  "max-min), then GMM on the union (1/3))",
        source="Indyk, Mahabadi, Mahdian, Mirrokni, PODS 2014 (composable core-sets for the remote-* "
               "family); Halldorsson, Iwano, Katoh, Tokuyama 1999 (GMM 1/3)",
        ratio=lambda **_: 1.0 / 9.0,
        conditions=("metric", "cardinality", "any partition"),
    ),
    "gmm-coreset-remote-tree": GuaranteeSpec(
        statement="(k - 1) / (8 (3k - 2)) (remote-tree: GMM core-sets of size k per part "
                  "((k - 1) / (2 (3k - 2)), derived here), then GMM on the union (1/4)); 1/32 at k = 2, "
                  "-> 1/24",
        source="Indyk, Mahabadi, Mahdian, Mirrokni, PODS 2014 (composable core-sets for the remote-* "
               "family); Halldorsson, Iwano, Katoh, Tokuyama 1999 (GMM 1/4); constant derived in "
               "submodkit.coresets.diversity",
        ratio=lambda k=2, **_: (int(k) - 1) / (8.0 * (3 * int(k) - 2)) if int(k) >= 2 else 0.0,
        conditions=("metric", "cardinality", "any partition"),
    ),
    "edcs-vertex-cover": GuaranteeSpec(
        statement=("c + p (beta - b) / b, b = ceil(beta_minus / 2), p n_parts, c = 2 (maximal-matching cover "
                   "of the forwarded edges) or 1 (exact), derived here for any partition; valid cover, ratio "
                   "also certified a posteriori by a matching lower bound; the paper's (3 + eps) in "
                   "expectation is for its construction, not re-derived here"),
        source=("derived in submodkit.coresets.edcs_vertex_cover (EDCS: Bernstein, Stein, ICALP 2015; "
                "core-sets: Assadi, Bateni, Bernstein, Mirrokni, Stein, SODA 2019)"),
        ratio=lambda n_parts=1, beta=2, beta_minus=1, exact=False, **_: (
            (1.0 if exact else 2.0) + int(n_parts) * (int(beta) - (int(beta_minus) + 1) // 2)
            / ((int(beta_minus) + 1) // 2)),
        sense="min",
        conditions=("vertex cover", "any edge partition"),
    ),
    "matching-cardinality-exact": GuaranteeSpec(
        statement="optimal (maximum-cardinality matching; all weights equal)",
        source="Edmonds, Canad. J. Math. 17 (1965), O(n m alpha(n)) BFS with blossom contraction",
        ratio=lambda **_: 1.0,
        conditions=("matching", "general graph", "equal weights"),
    ),
}


_CACHE: dict[tuple, Guarantee] = {}
_CACHE_MAX = 4096


def guarantee(name: str, **params) -> Guarantee:
    """The guarantee of algorithm ``name`` for a run with these parameters.

    Ratios are pure functions of the parameters and `Guarantee` is frozen, so instances
    are cached per ``(name, params)`` (hashable parameters only).

    Parameters
    ----------
    name : str
        A key of :data:`GUARANTEES` (the algorithm's registry entry).
    **params
        What the ratio depends on (``k``, ``n_parts``, ``epsilon``, ...).

    Returns
    -------
    Guarantee
        The ratio, its statement, kind (worst-case, expectation), conditions and source.

    Examples
    --------
    >>> g = guarantee("greedi", k=10, n_parts=4)
    >>> round(g.ratio, 4), g.kind
    (0.0999, 'worst-case')

    References
    ----------
    .. [1] Each entry's ``source`` names its paper (see the algorithm table in the README).
    """
    try:
        key = (name, *sorted(params.items()))
        hit = _CACHE.get(key)
    except TypeError:  # unhashable parameter: no caching
        return GUARANTEES[name].at(**params)
    if hit is None:
        hit = GUARANTEES[name].at(**params)
        if GUARANTEES.get(name) is not None and len(_CACHE) < _CACHE_MAX:
            _CACHE[key] = hit
    return hit


CONSTRAINT_KINDS = ("cardinality", "knapsack", "matroid")
"""The constraint kinds an `Algorithm` may accept: ``"cardinality"`` (``k``, or no
constraint at all), ``"knapsack"`` (a `~submodkit.constraints.Knapsack`) and ``"matroid"``
(a `~submodkit.constraints.PartitionMatroid`)."""


@dataclass(frozen=True, eq=False)
class Algorithm:
    """One entry of an algorithm table: what ``algorithm=name`` runs and what it promises.

    A dispatcher (``maximize``, ``diversify``, ``allocate``, the problem tables of
    :mod:`submodkit.verification.problems`) validates its call once, looks the entry up by
    name and calls its ``run``; the README's algorithm table, the command line's
    ``--algorithm`` and ``verify`` read the same entries.

    Parameters
    ----------
    name : str
        The value of ``algorithm=`` that selects it.
    run : callable
        The function that runs it; its signature is the table's own (each table documents
        it).
    guarantee : str or callable, optional
        The key in `GUARANTEES` it reports; or a function of the run's parameters that
        returns the key (None when the run is outside every guarantee's conditions); None
        when it never reports one.
    calls : mapping, optional
        Guarantee key -> a call that gets that guarantee (the README's algorithm table shows
        the first call of each key).
    constraints : tuple of str, default ("cardinality",)
        The constraint kinds it accepts (`CONSTRAINT_KINDS`).
    options : tuple of str, optional
        The keyword parameters it reads beyond the table's common ones.
    requires : tuple of str, optional
        The options it cannot run without (a subset of ``options``).
    needs_k : bool or None, default True
        True when it needs ``k`` (or a constraint that bounds the selection), False when it
        takes none (unconstrained, or no cardinality at all), None when ``k`` is optional.
    randomized : bool, default False
        Whether it draws random numbers (``seed`` fixes them).
    exact : bool, default False
        Whether it solves the problem to optimality (an integer program, say).
    auto_max_n : int, optional
        The automatic choice picks it only for instances of at most this many items.

    Raises
    ------
    ValueError
        For a guarantee key that is not in `GUARANTEES`, an unknown constraint kind, or a
        requirement that is not an option.

    Examples
    --------
    >>> a = Algorithm("lazy", print, guarantee="lazy", calls={"lazy": "`maximize(f, k)`"})
    >>> a.guarantee_key(), GUARANTEES[a.guarantee_key()].statement
    ('lazy', '1 - (1 - 1/k)^k >= 1 - 1/e (same selection as greedy)')
    >>> Algorithm("x", print, guarantee="no-such-guarantee")
    Traceback (most recent call last):
    ...
    ValueError: algorithm 'x': guarantees ['no-such-guarantee'] are not in GUARANTEES
    """

    name: str
    run: Callable[..., Any]
    guarantee: str | Callable[..., str | None] | None = None
    calls: Mapping[str, str] = field(default_factory=dict)
    constraints: tuple[str, ...] = ("cardinality",)
    options: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    needs_k: bool | None = True
    randomized: bool = False
    exact: bool = False
    auto_max_n: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "calls", MappingProxyType(dict(self.calls)))
        fixed = (self.guarantee,) if isinstance(self.guarantee, str) else ()
        unknown = [key for key in (*self.calls, *fixed) if key not in GUARANTEES]
        if unknown:
            raise ValueError(f"algorithm {self.name!r}: guarantees {unknown} are not in GUARANTEES")
        bad = [kind for kind in self.constraints if kind not in CONSTRAINT_KINDS]
        if bad or not set(self.requires) <= set(self.options):
            raise ValueError(f"algorithm {self.name!r}: constraints {bad}, requires {self.requires} "
                             f"not among its options {self.options}")

    def guarantee_key(self, *args, **params) -> str | None:
        """The key of this run's guarantee: ``guarantee`` itself, or its value at the run's
        parameters (``args``, ``params``: what the table's guarantee functions take)."""
        if self.guarantee is None or isinstance(self.guarantee, str):
            return self.guarantee
        return self.guarantee(*args, **params)


def table(*entries: Algorithm) -> Mapping[str, Algorithm]:
    """A read-only algorithm table, name -> entry.

    Parameters
    ----------
    *entries : Algorithm
        The entries, in the order of the error messages' choices (and of the automatic
        choice where a dispatcher says so).

    Returns
    -------
    Mapping[str, Algorithm]
        A read-only mapping (`types.MappingProxyType`).

    Raises
    ------
    ValueError
        When two entries have the same name.

    Examples
    --------
    >>> list(table(Algorithm("a", print), Algorithm("b", print)))
    ['a', 'b']
    """
    out = {e.name: e for e in entries}
    if len(out) != len(entries):
        raise ValueError(f"duplicate algorithm names in {[e.name for e in entries]}")
    return MappingProxyType(out)
