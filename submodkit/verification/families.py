"""The algorithm families of the verification suite.

Each family is one function ``fn(ctx) -> Iterable[Run]`` registered with
:func:`~submodkit.verification.suite.register_family`; adding a family is one such
function: build instances, run the algorithm, compare with ``ctx.exact(...)`` (or a known
optimum, or a certificate), ``yield ctx.run(...)``. ``requires`` names the modules the
family needs: a family whose modules do not import is skipped, not failed.
"""

from __future__ import annotations

import math

import numpy as np

from submodkit.objectives import Coverage
from submodkit.verification.suite import Context, register_family

ONE_MINUS_1_E = 1.0 - 1.0 / math.e

# Sizes of the tight instance families: (quick, full). At the largest size each family
# drives its algorithm's ratio to within TIGHT_TOL (0.02) of its bound (tests check both).
TIGHT_SIZES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "max-k-cover": ((2, 3, 5, 8, 11), tuple(range(2, 14))),  # k; 1 - (1-1/k)^k -> 1 - 1/e
    "set-cover": ((4, 8, 16), (4, 8, 16, 24, 36)),  # n; exactly H(n)
    "sieve": ((10, 100), (10, 50, 100, 200)),  # k
    "allocation": ((5, 10, 20), (10, 30, 60, 100)),  # n (advertisers)
    "ranking": ((8, 16, 64), (16, 64, 256)),  # n (upper-triangular)
    "greedy-online": ((8, 16, 64), (16, 64, 256)),  # n
    "balance": ((10, 50), (10, 50, 100)),  # n = b
    "gmm": ((4, 6, 10), (4, 6, 10, 20, 50)),  # k; exactly 1/2
}
RANKING_RANKS = (50, 200)  # random ranks per upper-triangular size (quick, full)


def tight_sizes(name: str, ctx: Context) -> tuple[int, ...]:
    return TIGHT_SIZES[name][1 if ctx.full else 0]

LITERATURE_SCP = {"scp41": 429, "scp51": 253, "scp54": 242, "scpa1": 253, "scpa2": 252, "scpb1": 69,
                  "rail507": 174, "rail582": 211}


def _random_cover(ctx: Context, seed: int, n: int, m: int, density: float = 0.15):
    from submodkit.instances.generators import random_set_system

    return random_set_system(n, m, density=density, seed=seed, weighted=True, ensure_covered=True)


# ----------------------------------------------------------------------------- greedy


@register_family("greedy", requires=("submodkit.solvers.submodular.greedy",))
def greedy_family(ctx: Context):
    """maximize(): naive/lazy/stochastic/threshold greedy (cardinality), lazy greedy under a
    knapsack and a partition matroid, on random weighted coverage and facility location;
    naive/lazy greedy on the tight max-k-cover instances."""
    from submodkit.constraints import Knapsack, PartitionMatroid
    from submodkit.instances.generators import greedy_tight_max_cover
    from submodkit.objectives import FacilityLocation
    from submodkit.solvers.submodular.greedy import maximize

    n, m, ks = (14, 40, (3, 5)) if not ctx.full else (30, 100, (4, 8))
    for seed in ctx.seeds:
        ss = _random_cover(ctx, seed, n, m)
        cov = Coverage.from_set_system(ss)
        rng = np.random.default_rng(1000 + seed)
        for k in ks:
            name = f"random-cover-{n}x{m}-k{k}-s{seed}"
            opt = ctx.exact("max-cover", name, ss.sets, ss.weights, k=k)
            for alg in ("naive", "lazy", "stochastic", "threshold"):
                sol = maximize(cov, k, algorithm=alg, seed=seed)
                yield ctx.run(alg, name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                              group="random coverage")
        costs = rng.integers(1, 6, size=n).astype(float)
        budget = float(2 * ks[0])
        name = f"random-cover-{n}x{m}-knapsack-s{seed}"
        opt = ctx.exact("max-cover", name, ss.sets, ss.weights, costs=costs, budget=budget)
        sol = maximize(cov, constraint=Knapsack(costs, budget))
        yield ctx.run("lazy (knapsack)", name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                      group="random coverage")
        groups = rng.integers(0, 3, size=n)
        caps = np.array([1, 2, 1])
        name = f"random-cover-{n}x{m}-matroid-s{seed}"
        opt = ctx.exact("max-cover", name, ss.sets, ss.weights, groups=groups, capacities=caps)
        sol = maximize(cov, constraint=PartitionMatroid(groups, caps))
        yield ctx.run("lazy (partition matroid)", name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                      group="random coverage")
        sol = maximize(cov, constraint=PartitionMatroid(groups, caps), algorithm="continuous-greedy",
                       seed=seed)
        yield ctx.run("continuous-greedy (partition matroid)", name, sol.value, opt, "exact", sol.guarantee,
                      seed=seed, group="random coverage")
        nf, mf = (n, m) if not ctx.full else (20, 50)
        sim = np.round(rng.random((nf, mf)) * (rng.random((nf, mf)) < 0.4) * 100.0)
        name = f"random-facility-{nf}x{mf}-k{ks[0]}-s{seed}"
        opt = ctx.exact("facility-location", name, sim, ks[0])
        sol = maximize(FacilityLocation(sim), ks[0])
        yield ctx.run("lazy (facility location)", name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                      group="random facility location")
    # greedy gets exactly 1 - (1 - 1/k)^k: within 0.02 of 1 - 1/e from k = 10 on
    for k in tight_sizes("max-k-cover", ctx):
        ss, k, opt = greedy_tight_max_cover(k)
        cov = Coverage.from_set_system(ss)
        for alg in ("naive", "lazy"):
            sol = maximize(cov, k, algorithm=alg)
            yield ctx.run(alg, ss.name, sol.value, opt, "construction", sol.guarantee,
                          group="tight max-k-cover (k = size)", tight_bound=ONE_MINUS_1_E, size=k)
    if ctx.full and ctx.data is not None and (ctx.data / "snap" / "facebook_combined.txt.gz").exists():
        yield from _facebook(ctx)


def _facebook(ctx: Context):
    """Greedy max-k-cover on ego-Facebook (each node covers its closed neighbourhood):
    exact is out of reach, the ratio is certified by the LP and a-posteriori bounds."""
    import scipy.sparse as sp

    from submodkit.instances.readers import read_edgelist
    from submodkit.objectives import Coverage
    from submodkit.solvers.submodular.greedy import maximize
    from submodkit.verification.certificates import certify

    g = read_edgelist(ctx.data / "snap" / "facebook_combined.txt.gz")
    n = g.n_nodes
    e = g.edges
    rows = np.r_[e[:, 0], e[:, 1], np.arange(n)]
    cols = np.r_[e[:, 1], e[:, 0], np.arange(n)]
    adj = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    cov = Coverage(adj)
    for k in (2, 5):  # the 10 ego nodes cover the whole graph: k >= 10 is trivially optimal
        sol = maximize(cov, k)
        cert = certify(sol, cov, k=k)
        yield ctx.run("lazy", f"facebook-k{k}", sol.value, cert.bound, cert.kind, sol.guarantee,
                      certified=True, group="ego-Facebook (certificate)")


# ----------------------------------------------------------------------------- set cover


@register_family("set-cover", requires=("submodkit.solvers.cover.set_covering",))
def set_cover_family(ctx: Context):
    """set_cover(): greedy (with pruning) on random weighted set systems, on the tight
    H(n) instances, and (full) on the OR-Library instances with their literature optima;
    submodular_cover() of coverage (Wolsey's greedy) and adaptive_cover() (low adaptivity, unit
    costs, no claimed ratio) on the random ones."""
    from submodkit.coresets.adaptive import adaptive_cover
    from submodkit.instances.generators import greedy_tight_set_cover
    from submodkit.objectives import Coverage
    from submodkit.solvers.cover.set_covering import set_cover
    from submodkit.solvers.submodular.submodular_cover import submodular_cover

    n, m = (20, 30) if not ctx.full else (60, 120)
    for seed in ctx.seeds:
        from submodkit.instances.generators import random_set_system

        ss = random_set_system(n, m, density=0.12, seed=seed, costs="random", ensure_covered=True)
        name = f"random-scp-{n}x{m}-s{seed}"
        opt = ctx.exact("set-cover", name, ss.sets, ss.costs)
        sol = set_cover(ss, lower_bound=None)
        yield ctx.run(sol.algorithm, name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                      group="random weighted")
        cover = submodular_cover(Coverage(ss.sets), costs=ss.costs)  # Wolsey's greedy, f = coverage
        yield ctx.run(f"submodular-cover {cover.algorithm}", name, cover.value, opt, "exact", cover.guarantee,
                      seed=seed, group="submodular cover of all elements")
        unit = ctx.exact("set-cover", f"{name}-unit", ss.sets, np.ones(ss.n_sets))
        few = adaptive_cover(Coverage(ss.sets), epsilon=0.2, seed=seed)  # low adaptivity, unit costs
        yield ctx.run("adaptive-cover (unit costs)", f"{name}-unit", few.value, unit, "exact", few.guarantee,
                      seed=seed, group="submodular cover of all elements")
    for size in tight_sizes("set-cover", ctx):
        ss, opt = greedy_tight_set_cover(size)
        for prune in (False, True):
            sol = set_cover(ss, prune=prune, lower_bound=None)
            yield ctx.run(sol.algorithm, ss.name, sol.value, opt, "construction", sol.guarantee,
                          group="tight H(n) (n = size)", tight_bound=ss.meta["greedy_ratio"], size=size)
    if ctx.full and ctx.data is not None:
        from submodkit.instances import read_instance

        for inst, lit in LITERATURE_SCP.items():
            path = ctx.data / "orlib-scp" / f"{inst}.txt.gz"
            if not path.exists() or inst == "rail582":
                continue
            ss = read_instance(path)
            sol = set_cover(ss, lower_bound=None)
            if inst.startswith("scp"):
                res = ctx.exact("set-cover", inst, ss.sets, ss.costs)
                if res.optimal and abs(res.value - lit) > 1e-6:
                    ctx.errors.append(f"set-cover: exact optimum {res.value} of {inst} differs from the "
                                      f"literature's {lit}")
            yield ctx.run(sol.algorithm, inst, sol.value, lit, "literature", sol.guarantee,
                          group="OR-Library")
            if inst.startswith("rail"):
                from submodkit.verification.certificates import certify

                cert = certify(sol, ss)
                yield ctx.run(sol.algorithm, f"{inst} (certificate)", sol.value, cert.bound, cert.kind,
                              sol.guarantee, certified=True, group="OR-Library (certificate)")


# ----------------------------------------------------------------------------- streaming


@register_family("streaming", requires=("submodkit.solvers.submodular.streaming",))
def streaming_family(ctx: Context):
    """StreamingMaximizer: Sieve-Streaming and Sieve-Streaming++ over random arrival orders of
    random weighted coverage, and on the adversarial streams of ``sieve_tight_stream``, one
    built against each algorithm's threshold rule (its ratio tends to 1/2); the fully dynamic
    structure after inserting everything and deleting its answer and a third of the rest."""
    from submodkit.instances.generators import sieve_tight_stream
    from submodkit.solvers.submodular.streaming import StreamingMaximizer

    n, m, k = (20, 50, 4) if not ctx.full else (40, 150, 6)
    for seed in ctx.seeds:
        ss = _random_cover(ctx, seed, n, m)
        cov = Coverage.from_set_system(ss)
        name = f"random-cover-{n}x{m}-k{k}-s{seed}"
        opt = ctx.exact("max-cover", name, ss.sets, ss.weights, k=k)
        order = np.random.default_rng(seed).permutation(n)
        for alg in ("sieve", "sieve++"):
            sm = StreamingMaximizer(cov, k, algorithm=alg, epsilon=0.1)
            sm.update(order)
            sol = sm.solution()
            yield ctx.run(sol.algorithm, name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                          group="random coverage, random order")
        # fully dynamic: everything inserted, then the first answer's items and a third of the
        # rest deleted; the optimum of what is left, exactly
        dm = StreamingMaximizer(cov, k, algorithm="dynamic", epsilon=0.1, seed=seed)
        dm.update(order)
        gone = np.union1d(dm.solution().selection, order[: n // 3])
        dm.delete(gone)
        left = np.setdiff1d(np.arange(n), gone)
        opt_left = ctx.exact("max-cover", f"{name}-after-deletions", ss.sets[left], ss.weights, k=k)
        sol = dm.solution()
        yield ctx.run(sol.algorithm, f"{name}-after-deletions", sol.value, opt_left, "exact", sol.guarantee,
                      seed=seed, group="random coverage, inserts then deletions")
    for kt in tight_sizes("sieve", ctx):
        for target in ("sieve++", "sieve"):
            ss, kt, opt = sieve_tight_stream(kt, epsilon=0.1, algorithm=target)
            cov = Coverage.from_set_system(ss)
            for alg in ("sieve++", "sieve"):
                sm = StreamingMaximizer(cov, kt, algorithm=alg, epsilon=0.1)
                sm.update(np.arange(ss.n_sets))
                sol = sm.solution()
                # the stream built against an algorithm's own rule is its tight family
                own = alg == target
                yield ctx.run(sol.algorithm, ss.name, sol.value, opt, "construction", sol.guarantee,
                              group=f"adversarial stream for {target} (k = size)", tight=own,
                              tight_bound=0.5 if own else None, size=kt)


# ----------------------------------------------------------------------------- core-sets


@register_family("distributed", requires=("submodkit.coresets.distributed", "submodkit.coresets.adaptive",
                                          "submodkit.coresets.bicriteria"))
def distributed_family(ctx: Context):
    """coresets.greedi (contiguous and random parts), coresets.randgreedi,
    coresets.adaptive_maximize (adaptive threshold sampling) and coresets.bicriteria_greedi
    (more than k items, compared with OPT_k) on random weighted coverage."""
    from submodkit.coresets.adaptive import adaptive_maximize
    from submodkit.coresets.bicriteria import bicriteria_greedi
    from submodkit.coresets.distributed import greedi, randgreedi

    n, m, k = (24, 60, 4) if not ctx.full else (50, 160, 6)
    for seed in ctx.seeds:
        ss = _random_cover(ctx, seed, n, m)
        cov = Coverage.from_set_system(ss)
        name = f"random-cover-{n}x{m}-k{k}-s{seed}"
        opt = ctx.exact("max-cover", name, ss.sets, ss.weights, k=k)
        for parts in (2, 3):
            sol = greedi(cov, k, n_parts=parts)
            yield ctx.run(f"greedi ({parts} parts)", name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                          group="random coverage")
            sol = randgreedi(cov, k, n_parts=parts, seed=seed)
            yield ctx.run(f"randgreedi ({parts} parts)", name, sol.value, opt, "exact", sol.guarantee,
                          seed=seed, group="random coverage")
        sol = adaptive_maximize(cov, k, epsilon=0.3, seed=seed)
        yield ctx.run("adaptive-threshold", name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                      group="random coverage")
        sol = bicriteria_greedi(cov, k, n_parts=2, epsilon=0.3, seed=seed)
        yield ctx.run("bicriteria-greedi (2 parts, vs OPT_k)", name, sol.value, opt, "exact", sol.guarantee,
                      seed=seed, group="random coverage")


@register_family("sketch", requires=("submodkit.coresets.sketch",))
def sketch_family(ctx: Context):
    """coresets.sketch_maximize (greedy on a coverage sketch, valued on the input)."""
    from submodkit.coresets.sketch import sketch_maximize

    n, m, k = (20, 60, 4) if not ctx.full else (40, 300, 6)
    for seed in ctx.seeds:
        ss = _random_cover(ctx, seed, n, m)
        cov = Coverage.from_set_system(ss)
        name = f"random-cover-{n}x{m}-k{k}-s{seed}"
        opt = ctx.exact("max-cover", name, ss.sets, ss.weights, k=k)
        sol = sketch_maximize(cov, k, epsilon=0.1, seed=seed)
        yield ctx.run("sketch-greedy", name, sol.value, opt, "exact", sol.guarantee, seed=seed,
                      group="random coverage")


# ----------------------------------------------------------------------------- allocation


@register_family("allocation", requires=("submodkit.solvers.allocation.online",))
def allocation_family(ctx: Context):
    """allocate(): greedy, BALANCE, MSVV, primal-dual on random capacity (unit and weighted,
    free disposal) and budget instances (and proportional allocation on the unit ones), and
    greedy / BALANCE on the upper-triangular tight instances, the bicriteria mixture (weight and
    cardinality, each against its exact optimum), the hedged allocation (a forecast from another
    draw; no ratio claimed); (full) the AdX pub1 sample. One
    report row per instance family."""
    from submodkit.guarantees import guarantee
    from submodkit.instances.allocation import (
        AllocationInstance,
        random_allocation_instance,
        upper_triangular_instance,
    )
    from submodkit.solvers.allocation.offline import brute_force_optimum, offline_optimum
    from submodkit.solvers.allocation.online import allocate
    from submodkit.solvers.allocation.proportional import (
        proportional_allocation,
        weighted_proportional_allocation,
    )

    t, a = (60, 5) if not ctx.full else (400, 10)

    def exact_lp(inst):  # totally unimodular with integer capacities: the LP is the optimum
        return offline_optimum(inst, integer_capacities=True).value

    for seed in ctx.seeds:
        inst = random_allocation_instance(t, a, density=0.5, unit_values=True, seed=seed)
        name = f"random-unit-{t}x{a}-s{seed}"
        opt = exact_lp(inst)
        for alg in ("greedy", "balance"):
            for order in ("given", "random"):
                sol = allocate(inst, algorithm=alg, order=order, seed=seed)
                yield ctx.run(f"{alg} ({order} order)", name, sol.value, opt, "exact (TU LP)",
                              sol.guarantee, seed=seed, group="random, unit values")
        sol = proportional_allocation(inst, epsilon=0.1)  # offline, fractional: to the LP
        yield ctx.run("proportional (fractional)", name, sol.value, offline_optimum(inst).value, "exact (LP)",
                      sol.guarantee, seed=seed, group="random, unit values")
        inst = random_allocation_instance(t, a, density=0.5, seed=seed)
        name = f"random-weighted-{t}x{a}-s{seed}"
        sol = weighted_proportional_allocation(inst, epsilon=0.1)
        yield ctx.run("weighted proportional (fractional)", name, sol.value, offline_optimum(inst).value,
                      "exact (LP)", sol.guarantee, seed=seed, group="random, weighted (fractional)")
        opt = exact_lp(inst)
        for alg in ("greedy", "primal-dual"):
            sol = allocate(inst, algorithm=alg, seed=seed)
            yield ctx.run(alg, name, sol.value, opt, "exact (TU LP)", sol.guarantee, seed=seed,
                          group="random, weighted (free disposal)")
        hard = AllocationInstance(inst.values, budgets=inst.budgets, free_disposal=False)
        forecast = random_allocation_instance(t, a, density=0.5, seed=seed + 100)
        for hedge in (0.0, 0.5, 1.0):  # no ratio claimed: reported against the exact optimum
            sol = allocate(hard, algorithm="hedged", forecast=forecast, hedge=hedge, order="random",
                           seed=seed)
            yield ctx.run(f"hedged {hedge:g} (forecast: another draw)", name, sol.value, opt, "exact (TU LP)",
                          sol.guarantee, seed=seed, group="random, weighted (hard capacities)")
        unit_opt = exact_lp(AllocationInstance(inst.values > 0, budgets=inst.budgets))
        for s in range(4):  # expectation over the coins: 4 coin seeds per instance
            sol = allocate(inst, algorithm="bicriteria", tradeoff=0.5, order="random", seed=s)
            yield ctx.run("bicriteria p=0.5: weight", name, sol.value, opt, "exact (TU LP)", sol.guarantee,
                          seed=s, group="random, weighted (free disposal)")
            yield ctx.run("bicriteria p=0.5: cardinality", name, sol.stats["cardinality"], unit_opt,
                          "exact (TU LP, unit values)",
                          guarantee("alloc-bicriteria-cardinality", tradeoff=0.5), seed=s,
                          group="random, weighted (free disposal)")
        tiny = random_allocation_instance(6, 3, density=0.67, kind="budget", seed=seed)
        name = f"tiny-budget-6x3-s{seed}"
        opt = brute_force_optimum(tiny)
        for alg in ("greedy", "msvv", "primal-dual"):
            sol = allocate(tiny, algorithm=alg, seed=seed)
            yield ctx.run(alg, name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                          group="tiny budgeted")
        inst = random_allocation_instance(t, a, density=0.5, kind="budget", seed=seed)
        name = f"random-budget-{t}x{a}-s{seed}"
        bound = offline_optimum(inst).value * (1 + 1e-7)
        for alg in ("greedy", "msvv", "primal-dual"):
            sol = allocate(inst, algorithm=alg, seed=seed)
            yield ctx.run(alg, name, sol.value, bound, "lp", sol.guarantee, seed=seed, certified=True,
                          group="random budgeted (LP bound)")
    # upper-triangular: greedy -> 1/2; BALANCE -> 1 - 1/(1 + 1/b)^b (its guarantee), and
    # -> 1 - 1/e with b = n
    for nn in tight_sizes("allocation", ctx):
        for b in (1, 4, nn):
            inst = upper_triangular_instance(nn, b)
            group = f"upper-triangular, b = {b}" if b != nn else "upper-triangular, b = n"
            for alg in ("greedy", "balance"):
                sol = allocate(inst, algorithm=alg)
                if alg == "greedy":
                    bound = 0.5
                elif b == nn:
                    bound = ONE_MINUS_1_E
                else:
                    bound = 1.0 - (1.0 + 1.0 / b) ** -b
                yield ctx.run(alg, inst.name, sol.value, nn * b, "construction", sol.guarantee,
                              group=f"{group} (n = size)", tight_bound=bound, size=nn)
    if ctx.full and ctx.data is not None and (ctx.data / "adx" / "pub1-sample.txt.gz").exists():
        from submodkit.instances.adx import read_adx

        inst = read_adx(ctx.data / "adx", "pub1")
        opt = exact_lp(inst)
        for alg in ("greedy", "primal-dual"):
            sol = allocate(inst, algorithm=alg)
            yield ctx.run(alg, "adx-pub1", sol.value, opt, "exact (TU LP)", sol.guarantee,
                          group="AdX pub1 sample")


# ----------------------------------------------------------------------------- later families


@register_family("matching", requires=("submodkit.solvers.matching.general",))
def matching_family(ctx: Context):
    """max_weight_matching(): greedy, path-growing and local augmentation against the exact
    blossom algorithm (itself checked against the integer program on small graphs)."""
    from submodkit.instances.generators import random_graph
    from submodkit.solvers.matching.general import max_weight_matching

    n, mm = (30, 90) if not ctx.full else (300, 1500)
    for seed in ctx.seeds:
        g = random_graph(n, mm, seed=seed, weighted=True)
        name = f"gnm-{n}-{mm}-s{seed}"
        opt = max_weight_matching(g, algorithm="exact").value
        if not ctx.full:
            from submodkit.solvers.matching.exact import matching_ilp

            ilp = matching_ilp(g)
            if abs(float(ilp.value) - opt) > 1e-6 * max(1.0, opt):
                ctx.errors.append(f"matching: blossom {opt} and ILP {ilp.value} disagree on {name}")
        for alg in ("greedy", "path-growing", "augment"):
            try:
                sol = max_weight_matching(g, algorithm=alg, seed=seed)
            except Exception:  # an algorithm name another helper has not written
                continue
            yield ctx.run(alg, name, sol.value, opt, "exact (blossom)", sol.guarantee, seed=seed,
                          group="random weighted G(n, m)")
        # unit weights: Edmonds' cardinality kernel against the integer program
        from submodkit.solvers.matching.exact import matching_ilp

        unit = np.column_stack([g.edges, np.ones(len(g.edges))])
        sol = max_weight_matching(unit, algorithm="exact")
        ilp_opt = float(matching_ilp(unit).value)
        yield ctx.run("exact (cardinality kernel)", name, sol.value, ilp_opt, "exact (integer program)",
                      sol.guarantee, seed=seed, group="random G(n, m), unit weights")


@register_family("online-matching",
                 requires=("submodkit.solvers.matching.online", "submodkit.instances.online"))
def online_matching_family(ctx: Context):
    """online_matching(): greedy, RANKING, BALANCE on random bipartite graphs; RANKING on the
    upper-triangular graph (its expected ratio over many random ranks -> 1 - 1/e), greedy on
    its relabelling (-> 1/2), BALANCE on the upper-triangular b-matching (-> 1 - 1/e)."""
    from submodkit.instances import online as GM
    from submodkit.solvers.matching.online import online_matching

    n = 20 if not ctx.full else 100
    for seed in ctx.seeds:
        inst = GM.random_online(n, n, 0.15, seed=seed)
        for alg in ("greedy", "ranking", "balance"):
            res = online_matching(inst, algorithm=alg, seed=seed)
            yield ctx.run(alg, f"random-online-{n}-s{seed}", res.value, res.upper_bound,
                          "exact (max matching)", res.guarantee, seed=seed, group="random bipartite")
    ranks = range(RANKING_RANKS[1 if ctx.full else 0])
    for nn in tight_sizes("ranking", ctx):
        inst = GM.upper_triangular(nn)
        for seed in ranks:
            res = online_matching(inst, algorithm="ranking", seed=seed)
            yield ctx.run("ranking", inst.name, res.value, res.upper_bound, "exact (max matching)",
                          res.guarantee,
                          seed=seed, group=f"upper-triangular (n = size), {len(ranks)} random ranks",
                          tight_bound=ONE_MINUS_1_E, size=nn)
    for nn in tight_sizes("greedy-online", ctx):
        inst = GM.greedy_tight_online(nn)
        res = online_matching(inst, algorithm="greedy")
        yield ctx.run("greedy", inst.name, res.value, res.upper_bound, "exact (max matching)", res.guarantee,
                      group="greedy-tight (n = size)", tight_bound=0.5, size=nn)
    for nn in tight_sizes("balance", ctx):
        inst = GM.balance_tight(nn, nn)
        res = online_matching(inst, algorithm="balance")
        yield ctx.run("balance", inst.name, res.value, res.upper_bound, "exact (max matching)", res.guarantee,
                      group="upper-triangular b-matching, b = n (n = size)",
                      tight_bound=ONE_MINUS_1_E, size=nn)


@register_family("diversity", requires=("submodkit.solvers.diversity.dispersion",
                                        "submodkit.solvers.diversity.exact"))
def diversity_family(ctx: Context):
    """diversify(): GMM (max-min), max-sum greedy, local search against brute force on small
    random point sets; GMM on the half-integer line of ``gmm_tight_dispersion`` (exactly 1/2)."""
    from submodkit.instances.generators import gmm_tight_dispersion
    from submodkit.solvers.diversity.dispersion import diversify
    from submodkit.solvers.diversity.exact import brute_force_diversity

    n, k = (12, 4) if not ctx.full else (20, 5)
    for seed in ctx.seeds:
        X = np.random.default_rng(seed).random((n, 2))
        for objective in ("max-min", "max-sum"):
            opt = brute_force_diversity(X, k, objective).value
            sol = diversify(X, k, objective, seed=seed)
            yield ctx.run(f"{sol.algorithm} ({objective})", f"points-{n}-k{k}-s{seed}", sol.value, opt,
                          "brute-force", sol.guarantee, seed=seed, group="random points in the square")
    for kt in tight_sizes("gmm", ctx):
        X, kt, opt = gmm_tight_dispersion(kt)
        kind = "construction"
        if kt <= 6:  # the construction's optimum, checked by brute force
            bf = brute_force_diversity(X, kt, "max-min").value
            if abs(bf - opt) > 1e-12:
                ctx.errors.append(f"diversity: brute force {bf} differs from the construction's {opt} "
                                  f"on gmm-tight-{kt}")
            kind = "construction, brute-force"
        sol = diversify(X, kt, "max-min")
        yield ctx.run(f"{sol.algorithm} (max-min)", f"gmm-tight-{kt}", sol.value, opt, kind, sol.guarantee,
                      group="tight half-integer line (k = size)", tight_bound=0.5, size=kt)


# ----------------------------------------------------------------------------- registry coverage
# Families and rows added so every GUARANTEES entry has at least one suite row.


def _best_distorted(g, costs, k: int) -> float:
    """max over |O| <= k of g(O) - c(O) / (1 - 1/e): distorted greedy's guarantee
    g(S) - c(S) >= (1 - 1/e) g(O) - c(O) is then value >= (1 - 1/e) * reference."""
    import itertools

    best = 0.0
    n = len(costs)
    for r in range(1, k + 1):
        for sub in itertools.combinations(range(n), r):
            best = max(best, g.evaluate(list(sub)) - costs[list(sub)].sum() / ONE_MINUS_1_E)
    return best


@register_family("nonmonotone", requires=("submodkit.solvers.submodular.nonmonotone",))
def nonmonotone_family(ctx: Context):
    """random_greedy (cardinality), double_greedy (randomized and deterministic,
    unconstrained) on small random graph cuts, and distorted_greedy on coverage minus a
    modular cost, against brute force; adaptive_nonmonotone_maximize (low adaptivity) on the
    graph cuts."""
    from submodkit.coresets.adaptive import adaptive_nonmonotone_maximize
    from submodkit.objectives import GraphCut
    from submodkit.solvers.submodular.brute_force import brute_force_maximize
    from submodkit.solvers.submodular.nonmonotone import distorted_greedy, double_greedy, random_greedy

    n, k = (10, 3) if not ctx.full else (14, 4)
    rng0 = np.random.default_rng(12345)
    w = np.triu(rng0.random((n, n)) * (rng0.random((n, n)) < 0.5), 1)
    f = GraphCut(w + w.T, lam=1.0)
    name = f"graph-cut-{n}"
    opt_k = brute_force_maximize(f, k).value
    opt = brute_force_maximize(f).value
    for seed in ctx.seeds:
        sol = random_greedy(f, k, seed=seed)
        yield ctx.run("random-greedy", f"{name}-k{k}", sol.value, opt_k, "brute-force", sol.guarantee,
                      seed=seed, group="random graph cut")
        sol = double_greedy(f, seed=seed)
        yield ctx.run("double-greedy", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group="random graph cut (unconstrained)")
    for seed in ctx.seeds:
        sol = adaptive_nonmonotone_maximize(f, k, epsilon=0.3, seed=seed)
        yield ctx.run("adaptive-nonmonotone (eps 0.3, no claim)", f"{name}-k{k}", sol.value, opt_k,
                      "brute-force", sol.guarantee, seed=seed, group="random graph cut")
    sol = double_greedy(f, deterministic=True)
    yield ctx.run("double-greedy (deterministic)", name, sol.value, opt, "brute-force", sol.guarantee,
                  group="random graph cut (unconstrained)")
    for seed in ctx.seeds:
        ss = _random_cover(ctx, seed, n, 30)
        g = Coverage.from_set_system(ss)
        costs = np.random.default_rng(seed).random(n) * g.evaluate(range(n)) / n * 1.5
        ref = _best_distorted(g, costs, k)
        sol = distorted_greedy(g, costs, k)
        yield ctx.run("distorted-greedy", f"cover-minus-cost-{n}-k{k}-s{seed}", sol.value, ref,
                      "brute-force (max g(O) - c(O)/(1-1/e))", sol.guarantee, seed=seed,
                      group="coverage minus modular cost")


@register_family("diversity-extra",
                 requires=("submodkit.solvers.diversity.dispersion", "submodkit.solvers.diversity.exact",
                           "submodkit.coresets.diversity", "submodkit.solvers.diversity.lp_rounding",
                           "submodkit.solvers.diversity.remote_cycle"))
def diversity_extra_family(ctx: Context):
    """diversify(): max-sum local search, GMM for remote-tree and remote-cycle, GIST (max-min plus a
    modular quality); diversity_coreset (GMM core-sets for max-min, remote-tree and remote-cycle,
    randomized core-sets for max-sum);
    sum_min_lp; all against brute force on small random point sets."""
    from submodkit.coresets.diversity import diversity_coreset
    from submodkit.solvers.diversity.dispersion import Points, diversify
    from submodkit.solvers.diversity.exact import brute_force_diversity
    from submodkit.solvers.diversity.lp_rounding import sum_min_lp
    from submodkit.solvers.diversity.remote_cycle import exact_remote_cycle

    n, k = (12, 4) if not ctx.full else (16, 5)
    group = "random points in the square"
    for seed in ctx.seeds:
        rng = np.random.default_rng(seed)
        X = rng.random((n, 2))
        name = f"points-{n}-k{k}-s{seed}"
        opt = brute_force_diversity(X, k, "max-sum").value
        sol = diversify(X, k, "max-sum", algorithm="local-search", seed=seed)
        yield ctx.run("max-sum-local-search", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group=group)
        sol = diversity_coreset(X, k, "max-sum", n_parts=2, algorithm="local-search", seed=seed)
        yield ctx.run("randomized core-set (max-sum)", name, sol.value, opt, "brute-force", sol.guarantee,
                      seed=seed, group=group)
        opt = brute_force_diversity(X, k, "remote-tree").value
        sol = diversify(X, k, "remote-tree", seed=seed)
        yield ctx.run("gmm (remote-tree)", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group=group)
        sol = diversity_coreset(X, k, "remote-tree", n_parts=3, seed=seed)
        yield ctx.run("gmm core-set (remote-tree)", name, sol.value, opt, "brute-force", sol.guarantee,
                      seed=seed, group=group)
        opt = exact_remote_cycle(X, k).value
        sol = diversify(X, k, "remote-cycle", seed=seed)
        yield ctx.run("gmm (remote-cycle)", name, sol.value, opt, "brute-force (Held-Karp per subset)",
                      sol.guarantee, seed=seed, group=group)
        sol = diversity_coreset(X, k, "remote-cycle", n_parts=3, seed=seed)
        yield ctx.run("gmm core-set (remote-cycle)", name, sol.value, opt,
                      "brute-force (Held-Karp per subset)", sol.guarantee, seed=seed, group=group)
        opt = brute_force_diversity(X, k, "max-min").value
        sol = diversity_coreset(X, k, "max-min", n_parts=3, seed=seed)
        yield ctx.run("gmm core-set (max-min)", name, sol.value, opt, "brute-force", sol.guarantee,
                      seed=seed, group=group)
        opt = brute_force_diversity(X, k, "sum-min").value
        sol = sum_min_lp(Points(X), k, seed=seed)
        yield ctx.run("sum-min-lp", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group=group)
        quality = rng.random(n) * 2
        opt = brute_force_diversity(X, k, "max-min", quality=quality, lam=0.7).value
        sol = diversify(X, k, "max-min", algorithm="gist", quality=quality, lam=0.7)
        yield ctx.run("gist (max-min + modular quality)", name, sol.value, opt, "brute-force",
                      sol.guarantee, seed=seed, group=group)


@register_family("feature-selection", requires=("submodkit.coresets.feature_selection", "sklearn"))
def feature_selection_family(ctx: Context):
    """select_features() (DDisMI: distributed max-sum diversity with a mutual-information
    metric) on the wine data set, against brute force over every k-subset of features."""
    from sklearn.datasets import load_wine

    from submodkit.coresets.feature_selection import (
        combined_metric,
        mutual_information_distances,
        select_features,
    )
    from submodkit.solvers.diversity.exact import brute_force_diversity

    data = load_wine()
    k, lam = 4, 0.5
    D, rel = mutual_information_distances(data.data, data.target)
    opt = brute_force_diversity(combined_metric(D, rel, k, lam), k, "max-sum", metric="precomputed").value
    for seed in ctx.seeds:
        sol = select_features(data.data, data.target, k, lam=lam, n_parts=3, seed=seed)
        yield ctx.run("ddismi (3 parts)", f"wine-k{k}", sol.value, opt, "brute-force", sol.guarantee,
                      seed=seed, group="wine (13 features)")


@register_family("compression", requires=("submodkit.solvers.submodular.categorical_compression",))
def compression_family(ctx: Context):
    """compress_counts() (greedy over the cut points, the exact program) and
    distributed_compress() on random label-count tables, against brute force over every map
    of the categories to at most m buckets."""
    from itertools import product

    from submodkit.coresets.categorical_compression import distributed_compress
    from submodkit.solvers.submodular.categorical_compression import compress_counts, mutual_information

    n, m = (7, 3) if not ctx.full else (8, 4)
    for seed in ctx.seeds:
        rng = np.random.default_rng(4000 + seed)
        counts = rng.integers(0, 40, size=(n, 2)).astype(float)
        counts[:, 1] = np.round(counts[:, 1] * rng.random(n))
        name = f"random-counts-{n}-m{m}-s{seed}"
        opt = max(mutual_information(counts, b) for b in product(range(m), repeat=n))
        for algorithm in ("greedy", "exact"):
            sol = compress_counts(counts, m, algorithm=algorithm)
            yield ctx.run(algorithm, name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                          group="random label counts")
        sol = distributed_compress(counts, m, n_parts=2, seed=seed)
        yield ctx.run("distributed (2 parts)", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group="random label counts")


@register_family("column-subset", requires=("submodkit.solvers.submodular.column_subset",))
def column_subset_family(ctx: Context):
    """column_subset() (greedy CSSP) and distributed_column_subset() (random parts, core-sets)
    against brute force over every k columns; no ratio is claimed (the paper's bound was
    reachable by its abstract only), the runs are reported."""
    from itertools import combinations

    from submodkit.coresets.column_subset import distributed_column_subset
    from submodkit.solvers.submodular.column_subset import column_subset, projection_value

    m, n, k = (8, 10, 3) if not ctx.full else (12, 14, 4)
    for seed in ctx.seeds:
        rng = np.random.default_rng(6000 + seed)
        A = rng.normal(size=(m, 4)) @ rng.normal(size=(4, n)) + 0.3 * rng.normal(size=(m, n))
        name = f"low-rank-{m}x{n}-k{k}-s{seed}"
        opt = max(projection_value(A, list(c)) for c in combinations(range(n), k))
        sol = column_subset(A, k, bound=False)
        yield ctx.run("greedy CSSP", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group="low rank + noise")
        sol = distributed_column_subset(A, k, n_parts=2, seed=seed, bound=False)
        yield ctx.run("distributed CSSP (2 parts)", name, sol.value, opt, "brute-force", sol.guarantee,
                      seed=seed, group="low rank + noise")


@register_family("procurement", requires=("submodkit.solvers.submodular.procurement",))
def procurement_family(ctx: Context):
    """procurement_auction() (descending offers, and posted prices in a random arrival order)
    on weighted coverage with random costs: welfare against the exact program's
    ``max f(O) - 2 c(O)`` (the bicriteria guarantee: at least half of it) and, reported, against
    the true optimum ``max f(O) - c(O)``."""
    from submodkit.solvers.submodular.procurement import procurement_auction

    n, m = (12, 30) if not ctx.full else (40, 120)
    for seed in ctx.seeds:
        rng = np.random.default_rng(5000 + seed)
        sets = (rng.random((n, m)) < 0.2).astype(int)
        weights = rng.integers(1, 6, size=m).astype(float)
        f = Coverage(sets, weights=weights)
        costs = np.round(rng.random(n) * f.gains((), np.arange(n)) * 0.7, 2)
        name = f"coverage-{n}x{m}-s{seed}"
        doubled = ctx.exact("coverage-profit", f"{name}-2c", sets, weights, 2 * costs)
        optimum = ctx.exact("coverage-profit", name, sets, weights, costs)
        for algorithm, order in (("descending", None), ("posted-price", rng.permutation(n))):
            sol = procurement_auction(f, costs, algorithm=algorithm, order=order)
            yield ctx.run(algorithm, name, sol.value, doubled, "exact (f - 2c)", sol.guarantee, seed=seed,
                          group="weighted coverage, random costs")
            yield ctx.run(f"{algorithm} (of the optimum)", name, sol.value, optimum, "exact", None,
                          seed=seed, group="weighted coverage, random costs")


@register_family("welfare", requires=("submodkit.solvers.allocation.welfare",))
def welfare_family(ctx: Context):
    """online_welfare(): greedy in the given order and in a random order on small random
    coverage valuations (3 agents, 7 items), against brute force over all assignments;
    bi_objective_welfare() with facility-location valuations as the second objective, each
    objective against its own brute-force optimum."""
    from submodkit.guarantees import guarantee
    from submodkit.objectives import Coverage, FacilityLocation
    from submodkit.solvers.allocation.welfare import bi_objective_welfare, brute_force_welfare, online_welfare

    a, n, m = 3, 7, 10
    for seed in ctx.seeds:
        rng = np.random.default_rng(seed)
        vals = [Coverage([list(np.flatnonzero(rng.random(m) < 0.3)) for _ in range(n)], n_elements=m)
                for _ in range(a)]
        opt, _ = brute_force_welfare(vals)
        name = f"random-coverage-{a}x{n}-s{seed}"
        sol = online_welfare(vals)
        yield ctx.run("welfare-greedy", name, sol.value, opt, "brute-force", sol.guarantee, seed=seed,
                      group="random coverage valuations")
        for s in range(4):
            sol = online_welfare(vals, order="random", seed=s)
            yield ctx.run("welfare-greedy (random order)", name, sol.value, opt, "brute-force",
                          sol.guarantee, seed=s, group="random coverage valuations")
        second = [FacilityLocation(rng.random((n, 4))) for _ in range(a)]
        opt2, _ = brute_force_welfare(second)
        for s in range(4):  # expectation over the coins
            sol = bi_objective_welfare(vals, second, tradeoff=0.5, seed=s)
            yield ctx.run("bi-objective p=0.5: coverage", name, sol.value, opt, "brute-force", sol.guarantee,
                          seed=s, group="coverage + facility-location valuations")
            yield ctx.run("bi-objective p=0.5: facility location", name, sol.stats["second_value"], opt2,
                          "brute-force", guarantee("welfare-bi-objective-second", tradeoff=0.5), seed=s,
                          group="coverage + facility-location valuations")


@register_family("fair", requires=("submodkit.solvers.allocation.fair",))
def fair_family(ctx: Context):
    """fair_allocation() (proportional fairness and alpha = 2) and online_fair_allocation()
    (re-solving) on random markets with volatile supply (a log-normal random walk), each
    against the certified dual bound on the fair optimum's mean utility."""
    from submodkit.instances.allocation import random_allocation_instance
    from submodkit.solvers.allocation.fair import fair_allocation, online_fair_allocation

    t, a = (300, 6) if not ctx.full else (2000, 20)
    for seed in ctx.seeds:
        inst = random_allocation_instance(t, a, density=0.4, seed=seed)
        supply = np.exp(np.cumsum(np.random.default_rng(seed).normal(0.0, 0.2, size=t)))
        name = f"random-market-{t}x{a}-s{seed}"
        for alpha in (1.0, 2.0):
            offline = fair_allocation(inst, alpha=alpha, supply=supply)
            yield ctx.run(f"fair (alpha={alpha:g})", name, offline.value, offline.upper_bound, "dual bound",
                          offline.guarantee, seed=seed, certified=True, group="random, volatile supply")
            online = online_fair_allocation(inst, alpha=alpha, supply=supply)
            yield ctx.run(f"online re-solving (alpha={alpha:g})", name, online.value, offline.upper_bound,
                          "dual bound", online.guarantee, seed=seed, certified=True,
                          group="random, volatile supply")


@register_family("pages", requires=("submodkit.solvers.allocation.pages",))
def pages_family(ctx: Context):
    """allocate_pages(): the whole-page primal-dual rule, the slot-by-slot rule and greedy on
    random pages with exclusions and category limits, in a random order, against the exact
    integer program (no ratio claimed: reported)."""
    from submodkit.instances.pages import random_page_instance
    from submodkit.solvers.allocation.pages import allocate_pages, page_optimum

    n, ads = (40, 10) if not ctx.full else (200, 20)
    for seed in ctx.seeds:
        inst = random_page_instance(n, ads, slots=3, eligible=6, exclusion_density=0.2, seed=seed)
        name = f"random-pages-{n}x{ads}-s{seed}"
        opt = page_optimum(inst, time_limit=60)
        optimal = opt.status == "optimal"
        reference = opt.value if optimal else opt.upper_bound
        for algorithm in ("page", "slot", "greedy"):
            sol = allocate_pages(inst, algorithm=algorithm, order="random", seed=seed)
            yield ctx.run(f"{algorithm} (random order)", name, sol.value, reference,
                          "exact (SCIP)" if optimal else "SCIP bound (timeout)", sol.guarantee, seed=seed,
                          certified=not optimal, group="random pages, exclusions")


@register_family("packing", requires=("submodkit.solvers.allocation.packing",))
def packing_family(ctx: Context):
    """dual_mirror_descent() on random i.i.d. packing instances, plain and with the max-min
    fairness regularizer, against the LP optimum (a bound: the guarantees are asymptotic
    regret bounds, reported only)."""
    from submodkit.instances.packing import random_packing_instance
    from submodkit.solvers.allocation.packing import dual_mirror_descent, packing_optimum

    t, na, nr = (200, 3, 2) if not ctx.full else (1000, 4, 3)
    for seed in ctx.seeds:
        inst = random_packing_instance(t, na, nr, seed=seed)
        name = f"random-packing-{t}x{na}x{nr}-s{seed}"
        bound = packing_optimum(inst).value * (1 + 1e-7)
        sol = dual_mirror_descent(inst, order="random", seed=seed)
        yield ctx.run("packing-dmd", name, sol.value, bound, "lp", sol.guarantee, seed=seed, certified=True,
                      group="random i.i.d. (LP bound)")
        bound = packing_optimum(inst, regularizer="max-min", lam=1.0).value * (1 + 1e-7)
        sol = dual_mirror_descent(inst, order="random", seed=seed, regularizer="max-min", lam=1.0)
        yield ctx.run("packing-dmd (max-min regularizer)", name, sol.value, bound, "lp", sol.guarantee,
                      seed=seed, certified=True, group="random i.i.d. (LP bound)")


@register_family("matching-extra",
                 requires=("submodkit.coresets.edcs", "submodkit.solvers.matching.online",
                           "submodkit.solvers.allocation.online"))
def matching_extra_family(ctx: Context):
    """edcs_coreset_matching / matching_coreset against the exact maximum matching;
    online_matching "two-choices" (i.i.d. arrivals, 20 seeds per graph) against the offline
    optimum of the realized arrivals; allocate "dual-training" / "dual-mirror-descent"
    (asymptotic guarantees: reported only) against the exact TU LP."""
    from submodkit.coresets.edcs import edcs_coreset_matching, matching_coreset
    from submodkit.instances import online as GM
    from submodkit.instances.allocation import random_allocation_instance
    from submodkit.instances.generators import random_graph
    from submodkit.solvers.allocation.offline import offline_optimum
    from submodkit.solvers.allocation.online import allocate
    from submodkit.solvers.matching.general import max_weight_matching
    from submodkit.solvers.matching.online import online_matching

    n, mm = (40, 160) if not ctx.full else (200, 1500)
    for seed in ctx.seeds:
        g = random_graph(n, mm, seed=seed, weighted=False)
        name = f"gnm-{n}-{mm}-s{seed}"
        opt = max_weight_matching(g, algorithm="exact").value
        sol = edcs_coreset_matching(g, n_parts=4, beta=8, seed=seed)
        yield ctx.run("edcs-coreset (4 parts)", name, sol.value, opt, "exact (blossom)", sol.guarantee,
                      seed=seed, group="random G(n, m), unweighted")
        sol = matching_coreset(g, n_parts=4, seed=seed)
        yield ctx.run("matching-coreset (4 parts)", name, sol.value, opt, "exact (blossom)", sol.guarantee,
                      seed=seed, group="random G(n, m), unweighted")
    inst = GM.random_online(60, 60, 0.05, seed=0)
    for s in range(20):
        res = online_matching(inst, algorithm="two-choices", order="iid", seed=s)
        yield ctx.run("two-choices (iid)", "random-online-60", res.value, res.upper_bound,
                      "exact (max matching of the arrivals)", res.guarantee, seed=s, group="random bipartite")
    t, a = (60, 5) if not ctx.full else (400, 10)
    for seed in ctx.seeds:
        inst = random_allocation_instance(t, a, density=0.5, seed=seed)
        name = f"random-weighted-{t}x{a}-s{seed}"
        opt = offline_optimum(inst, integer_capacities=True).value
        for alg in ("dual-training", "dual-mirror-descent"):
            sol = allocate(inst, algorithm=alg, order="random", seed=seed)
            yield ctx.run(alg, name, sol.value, opt, "exact (TU LP)", sol.guarantee, seed=seed,
                          group="random, weighted (free disposal)")


@register_family("vertex-cover", requires=("submodkit.coresets.edcs_vertex_cover",
                                           "submodkit.solvers.cover.vertex_cover"))
def vertex_cover_family(ctx: Context):
    """edcs_vertex_cover (EDCS core-sets, matching or exact cover of the forwarded edges) against
    the exact minimum vertex cover (CP-SAT), on random G(n, m)."""
    from submodkit.coresets.edcs_vertex_cover import edcs_vertex_cover
    from submodkit.instances.generators import random_graph
    from submodkit.solvers.cover.vertex_cover import exact_vertex_cover

    n, mm = (40, 160) if not ctx.full else (150, 1200)
    for seed in ctx.seeds:
        g = random_graph(n, mm, seed=seed, weighted=False)
        name = f"gnm-{n}-{mm}-s{seed}"
        opt = exact_vertex_cover(g, time_limit=60.0)
        for fc in ("matching", "exact"):
            sol = edcs_vertex_cover(g, n_parts=4, beta=6, seed=seed, forwarded_cover=fc)
            yield ctx.run(f"edcs-vertex-cover (4 parts, {fc})", name, sol.value, opt, "exact (CP-SAT)",
                          sol.guarantee, seed=seed, group="random G(n, m)")
