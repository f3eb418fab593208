"""Low-adaptivity maximization: threshold sampling of Fahrbach, Mirrokni, Zadimoghaddam (SODA 2019)."""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, make_rng
from submodkit.coresets import _adaptive_kernels as AK
from submodkit.coresets import _shard_tasks as T
from submodkit.coresets.distributed import bound_on_shards, upper_bound_at
from submodkit.coresets.engines import check_engine, map_shards, start_local_cluster
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.shards import Shards
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.objectives.coverage import Coverage
from submodkit.results import Solution
from submodkit.solvers.submodular.submodular_cover import cover_target


def _gains_task(objective: Objective, cur: np.ndarray, cand: np.ndarray) -> np.ndarray:
    out = np.empty(cand.shape[0], dtype=np.float64)
    K.gains_of(*objective.kernel_args(), cur, cand, out)
    return out


def _paths_task(objective, cur, pool, sizes, uniforms, n_paths, tau) -> tuple[np.ndarray, int]:
    good = np.zeros(sizes.shape[0], dtype=np.int64)
    q = AK.sample_prefix_paths(
        *objective.kernel_args(), cur, pool, sizes, uniforms, n_paths, tau, good,
        cur.copy(), np.empty(pool.shape[0], dtype=np.int64),
    )
    return good, int(q)


def _path_chunks(cur, pool, sizes, uniforms, n_paths, tau, workers) -> list[tuple]:
    """REDUCED-MEAN's ``n_paths`` paths split into one task per worker (each with its own
    slice of the uniforms, so the counts do not depend on the split)."""
    t_max = int(sizes[-1])
    per = np.diff(np.linspace(0, n_paths, min(workers, n_paths) + 1).astype(np.int64))
    chunks, at = [], 0
    for c in per:
        chunks.append((cur, pool, sizes, uniforms[at * t_max:(at + c) * t_max], int(c), tau))
        at += c
    return chunks


class _Runner:
    """Evaluates one adaptive round's independent queries in parallel (threads or Dask), on
    an objective in memory. :class:`_ShardRunner` offers the same methods on a shard folder."""

    def __init__(self, objective: Objective, engine: object):
        self.objective = objective
        self.n = objective.n
        self.certified = objective.monotone and objective.submodular
        self.workers = max(1, os.cpu_count() or 1)
        self.client = self.cluster = self.pool = None
        if engine is None or engine == "threads":
            self.pool = ThreadPoolExecutor(max_workers=self.workers)
            return
        if engine == "dask":
            self.cluster, self.client = start_local_cluster()
        else:
            self.client = engine
        self.remote = self.client.scatter(objective, broadcast=True, hash=False)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or 1)

    def _map(self, fn, chunks):
        if self.pool is not None:
            return list(self.pool.map(lambda c: fn(self.objective, *c), chunks))
        futures = [self.client.submit(fn, self.remote, *c, pure=False) for c in chunks]
        return self.client.gather(futures)

    def gains(self, cur: np.ndarray, cand: np.ndarray) -> np.ndarray:
        if cand.shape[0] < 4096 or self.workers == 1:
            return _gains_task(self.objective, cur, cand)
        parts = np.array_split(cand, self.workers)
        return np.concatenate(self._map(_gains_task, [(cur, p) for p in parts]))

    def new_state(self) -> np.ndarray:
        return self.objective.new_state()

    def max_gain(self, cur: np.ndarray) -> float:
        """One round: the largest singleton gain at ``cur``."""
        return float(self.gains(cur, np.arange(self.n, dtype=np.int64)).max(initial=0.0))

    def survivors(self, cur: np.ndarray, pool: np.ndarray, tau: float) -> np.ndarray:
        """One round: the items of ``pool`` whose gain at ``cur`` is at least ``tau``."""
        return pool[self.gains(cur, pool) >= tau]

    def commit(self, cur: np.ndarray, block: np.ndarray) -> list[float]:
        """Add ``block`` in its order to the state ``cur``; each item's marginal gain."""
        args = self.objective.kernel_args()
        gains = []
        for j in block:
            gains.append(float(K.gain(*args, cur, j)))
            K.commit(args[0], args[1], args[3], args[4], args[5], args[6], cur, j)
        return gains

    def value(self, run: _Run) -> float:
        return float(self.objective.evaluate(np.asarray(run.sel, dtype=np.int64)))

    def upper_bound(self, run: _Run, k: int, value: float) -> float:
        return upper_bound_at(self.objective, np.asarray(run.sel, dtype=np.int64), k)

    def paths(self, cur, pool, sizes, uniforms, n_paths, tau) -> tuple[np.ndarray, int]:
        chunks = _path_chunks(cur, pool, sizes, uniforms, n_paths, tau, self.workers)
        out = self._map(_paths_task, chunks) if len(chunks) > 1 else [_paths_task(self.objective, *chunks[0])]
        return sum(g for g, _ in out), sum(q for _, q in out)

    def extra_stats(self) -> dict:
        return {}

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        if self.cluster is not None:
            self.client.close()
            self.cluster.close()


class _ShardRunner:
    """The queries of adaptive sampling on a set-system shard folder: filters and singleton
    gains run where each part lives (each task gets the covered elements and its own slice
    of the pool); REDUCED-MEAN's paths run at the client on the rows of the elements they
    reach (fetched from their parts: at most ``samples x`` prefix length), so the answer is
    the in-memory one for the same seed. The client holds the pool (8 bytes per item) and
    the coverage state (8 bytes per element)."""

    def __init__(self, shards: Shards, engine: object):
        T.check_cover_shards(shards)
        self.shards = shards
        self.n = shards.n_items
        self.certified = True  # coverage: monotone submodular
        self.weights = shards.element_weights()
        self.universe = int(shards.universe)
        owners = shards.owners()  # small integers: a stable sort of them is a radix sort
        self.owners = owners.astype(np.uint16) if len(shards) <= 65535 else owners
        self.parts = [i for i, part in enumerate(shards.manifest["parts"]) if part["n_items"] > 0]
        self.cluster = None
        self.engine = engine
        if engine == "dask":  # one cluster for every round
            self.cluster, self.engine = start_local_cluster()
        self.workers = max(1, os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self.bytes = {"pool": 0, "rows": 0}

    def new_state(self) -> np.ndarray:
        return self.weights.copy()

    def _covered(self, cur: np.ndarray) -> np.ndarray:
        return np.flatnonzero(cur != self.weights).astype(np.int64)

    def _split(self, ids: np.ndarray) -> dict[int, tuple]:
        """Increasing global ids -> each part's own (increasing) slice."""
        own = self.owners[ids]
        order = np.argsort(own, kind="stable")
        ids, own = ids[order], own[order]
        bounds = np.searchsorted(own, np.arange(len(self.shards) + 1))
        self.bytes["pool"] += int(ids.nbytes)
        return {i: (ids[bounds[i]:bounds[i + 1]],) for i in self.parts}

    def max_gain(self, cur: np.ndarray) -> float:
        gains = map_shards(T.max_gain, self.shards, (self._covered(cur),), engine=self.engine)
        return max(gains, default=0.0)

    def survivors(self, cur: np.ndarray, pool: np.ndarray, tau: float) -> np.ndarray:
        found = map_shards(T.survivors, self.shards, (self._covered(cur), float(tau)), engine=self.engine,
                           per_part=self._split(pool))
        return np.sort(np.concatenate(found + [np.zeros(0, dtype=np.int64)]))

    def _rows(self, items: np.ndarray) -> Coverage:
        """The coverage function of ``items`` (increasing global ids), from their parts."""
        found = map_shards(T.part_rows, self.shards, (), engine=self.engine, per_part=self._split(items))
        ids = np.concatenate([a for a, _ in found] + [np.zeros(0, dtype=np.int64)])
        rows = sp.vstack([r for _, r in found], format="csr")[np.argsort(ids, kind="stable")]
        self.bytes["rows"] += int(rows.indices.nbytes + rows.indptr.nbytes)
        return Coverage(rows, weights=self.weights, n_elements=self.universe)

    def paths(self, cur, pool, sizes, uniforms, n_paths, tau) -> tuple[np.ndarray, int]:
        a, t_max = pool.shape[0], int(sizes[-1])
        visited = np.zeros(a, dtype=np.bool_)
        AK.prefix_positions(a, t_max, uniforms, n_paths, visited)
        at = np.flatnonzero(visited)
        reached = self._rows(pool[at])  # the paths run here, on threads, over the reached rows
        mapped = np.zeros(a, dtype=np.int64)  # pool positions never reached are never queried
        mapped[at] = np.arange(at.shape[0])
        chunks = _path_chunks(cur, mapped, sizes, uniforms, n_paths, tau, self.workers)
        out = list(self.pool.map(lambda c: _paths_task(reached, *c), chunks))
        return sum(g for g, _ in out), sum(q for _, q in out)

    def commit(self, cur: np.ndarray, block: np.ndarray) -> list[float]:
        items = np.sort(block)
        f = self._rows(items)
        args = f.kernel_args()
        gains = []
        for j in np.searchsorted(items, block):
            gains.append(float(K.gain(*args, cur, j)))
            K.commit(args[0], args[1], args[3], args[4], args[5], args[6], cur, j)
        return gains

    def value(self, run: _Run) -> float:
        return float(sum(run.gains))

    def upper_bound(self, run: _Run, k: int, value: float) -> float:
        bound, sent = bound_on_shards(self.shards, value, self._covered(run.cur),
                                      np.asarray(run.sel, dtype=np.int64), k, self.engine)
        self.bytes["bound"] = sent
        return bound

    def extra_stats(self) -> dict:
        return {"shards": str(self.shards.directory), "bytes_pool": self.bytes["pool"],
                "bytes_rows": self.bytes["rows"], "bytes_bound": self.bytes.get("bound", 0)}

    def close(self) -> None:
        self.pool.shutdown()
        if self.cluster is not None:
            self.engine.close()
            self.cluster.close()


_RUNNERS = {Objective: _Runner, Shards: _ShardRunner}


def sampling_parameters(epsilon: float) -> tuple[float, float, float]:
    """Split ``epsilon`` into ``(eps_thr, eps_hat, delta)`` for :func:`adaptive_maximize`.

    Thresholds decrease by ``1 - eps_thr`` (``eps_thr = epsilon / 4``); the total failure
    probability is ``delta = epsilon / 4``; ``eps_hat`` (REDUCED-MEAN's accuracy) is the largest
    value in ``(0, 1/4]`` with ``1 - exp(-(1 - eps_thr)(1 - 2 eps_hat) / (1 + eps_hat)) - delta
    >= 1 - 1/e - epsilon``: a block chosen by REDUCED-MEAN has expected gain at least
    ``(1 - 2 eps_hat) / (1 + eps_hat) * tau`` per element (Fahrbach, Mirrokni, Zadimoghaddam,
    SODA 2019, whose THRESHOLD-SAMPLING takes ``eps_hat = epsilon / 3``, i.e. ``1 - 3 eps_hat``:
    spending the whole budget on the tighter form allows ~1.7x larger ``eps_hat``, ~3x fewer samples).
    """
    eps_thr = delta = epsilon / 4.0
    target = 1.0 - 1.0 / math.e - epsilon

    def ok(e: float) -> bool:
        return 1.0 - math.exp(-(1.0 - eps_thr) * (1.0 - 2.0 * e) / (1.0 + e)) - delta >= target

    lo, hi = 0.0, 0.25
    if ok(hi):
        return eps_thr, hi, delta
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return eps_thr, lo, delta


def _sample_count(n: int, kmax: int, e_hat: float, delta: float) -> tuple[int, int, int]:
    """THRESHOLD-SAMPLING's iteration cap ``r``, grid size ``m`` and REDUCED-MEAN samples for
    failure probability ``delta``: ``ceil(2 ln(2 / d') / e_hat^2)`` (Hoeffding at half the gap
    ``eps_hat / 2`` on each side of REDUCED-MEAN's cut ``1 - 1.5 eps_hat``), ``d' = delta /
    (2 r (m + 1))`` (a union bound over the ``r (m + 1)`` estimates of one call)."""
    r = max(1, math.ceil(math.log(2 * max(n, 1) / delta) / -math.log1p(-e_hat)))
    m = max(1, math.ceil(math.log(max(kmax, 2)) / math.log1p(e_hat)))
    d_hat = delta / (2 * r * (m + 1))
    return r, m, math.ceil(2 * math.log(2 / d_hat) / e_hat**2)


class _Run:
    """One THRESHOLD-SAMPLING state: the selection, its kernel state and counters."""

    def __init__(self, runner: _Runner | _ShardRunner):
        self.cur = runner.new_state()
        self.selected = np.zeros(runner.n, dtype=bool)
        self.sel: list[int] = []
        self.gains: list[float] = []
        self.value = 0.0
        self.rounds = self.queries = self.iterations = 0
        self.pool = np.zeros(0, dtype=np.int64)

    def threshold_sampling(self, runner, tau, kmax, e_hat, r_max, m_sizes, ell, rng, target=math.inf,
                           min_pool=0) -> bool:
        """Algorithm THRESHOLD-SAMPLING at threshold ``tau``; True when it ends exhausted (every
        unselected element has gain ``< tau``), which certifies ``OPT <= f(S) + k tau``.
        With a ``target``, it also stops (False) once ``f(S)`` reaches it; with ``min_pool``,
        once fewer than ``min_pool`` (but some) candidates pass the filter, kept in ``pool``."""
        pool = np.flatnonzero(~self.selected).astype(np.int64)
        for _ in range(r_max):
            queried = int(pool.shape[0])
            pool = runner.survivors(self.cur, pool, tau)  # one adaptive round: filter
            self.rounds += 1
            self.queries += queried
            left = kmax - len(self.sel)
            if pool.shape[0] == 0:
                return True
            if pool.shape[0] < min_pool:
                self.pool = pool
                return False
            if left == 0:
                return False
            self.iterations += 1
            cap = min(pool.shape[0], left)
            grid = np.floor((1 + e_hat) ** np.arange(m_sizes + 1))
            sizes = np.unique(np.minimum(grid, cap)).astype(np.int64)
            uniforms = rng.random(ell * int(sizes[-1]))
            good, q = runner.paths(self.cur, pool, sizes, uniforms, ell, tau)  # one round: REDUCED-MEAN
            self.rounds += 1
            self.queries += q
            reduced = np.flatnonzero(good / ell <= 1 - 1.5 * e_hat)
            t = int(sizes[reduced[0]] if reduced.size else sizes[-1])
            block = rng.choice(pool, size=min(t, left), replace=False)
            gains = runner.commit(self.cur, block)  # commit the block; each element's marginal gain
            for j, gj in zip(block, gains, strict=True):
                self.gains.append(gj)
                self.value += gj
                self.selected[j] = True
                self.sel.append(int(j))
            if len(self.sel) >= kmax or self.value >= target:
                return False
            pool = pool[~self.selected[pool]]
        return False


def _bracket_opt(runner, d, kmax, rng, n) -> tuple[float, float, int, int]:
    """``L <= OPT <= U`` with ``U / L`` a constant in expectation, in ``O(log n)`` adaptive rounds.

    THRESHOLD-SAMPLING (``eps_hat = 1/4``) from the empty set at ``tau_i = g_i / (2k)`` for the
    guesses ``g_i = d 2^i`` of OPT, ``i = 0..ceil(log2 k)`` (OPT lies in ``[d, k d]``); the runs
    are independent, so they take the rounds of the longest one (here they run one after the
    other; ``adaptive_rounds`` counts the parallel schedule). ``L = max(d, f(S_i))`` (a feasible
    value); ``U = min(k d, f(S_i) + k tau_i)`` over the runs that ended exhausted. For the guess
    ``g <= OPT < 2g``: exhausted gives ``f(S) >= OPT / 2``; full gives ``E f(S) >= k tau / 2 >=
    OPT / 8``, and the runs at ``4g`` or above cannot fill ``k`` in expectation, so end exhausted
    with ``U <= OPT + 2g``. Both bounds hold deterministically; only the ratio is probabilistic.
    This is the role of the OPT estimate before EXHAUSTIVE-MAXIMIZATION in Fahrbach et al. (their
    BINARY-SEARCH-MAXIMIZATION narrows ``[d, k d]`` by binary search; side-by-side guesses trade
    its ``O(log log k)`` sequential steps for ``O(log k)`` times the queries of one run).
    """
    e0 = 0.25
    r0, m0, ell0 = _sample_count(n, kmax, e0, 0.1)
    lower, upper = d, kmax * d
    rounds = queries = 0
    for i in range(math.ceil(math.log2(max(kmax, 1))) + 1):
        tau = d * 2.0**i / (2 * kmax)
        run = _Run(runner)
        exhausted = run.threshold_sampling(runner, tau, kmax, e0, r0, m0, ell0, rng)
        rounds, queries = max(rounds, run.rounds), queries + run.queries
        lower = max(lower, run.value)
        if exhausted:
            upper = min(upper, run.value + kmax * tau)
    return lower, max(upper, lower), rounds, queries


def adaptive_maximize(
    objective: Objective | Shards,
    k: int,
    epsilon: float = 0.1,
    *,
    samples: int | None = None,
    preprocess: bool = True,
    engine: object = None,
    seed: int | None = None,
) -> Solution:
    """Low-adaptivity maximization under a cardinality constraint: THRESHOLD-SAMPLING and
    REDUCED-MEAN of Fahrbach, Mirrokni, Zadimoghaddam ("Submodular maximization with nearly
    optimal approximation, adaptivity and query complexity", SODA 2019), after an estimate of OPT.

    1. Singletons (1 round): ``d = max f({e})``.
    2. OPT bracket (``preprocess=True``, ``O(log n)`` rounds, see :func:`_bracket_opt`):
       ``L <= OPT <= U``, ``U / L = O(1)`` in expectation. Without it, ``L = d``, ``U = k d``.
    3. Thresholds ``tau`` from ``min(d, U / k)`` down by ``1 - eps_thr``; each runs
       THRESHOLD-SAMPLING (per iteration one filter round keeping the candidates with gain
       ``>= tau``, and one round estimating, for every prefix size ``t = floor((1 + eps_hat)^i)``
       at once, the fraction of good elements after a random ``(t-1)``-subset; a uniform random
       block of the first size where REDUCED-MEAN says true is added). Stop when ``k`` items are
       chosen or ``tau < max(L, f(S)) / (e k)``: then every item has gain ``< tau``, so
       ``f(S) > OPT - k tau >= (1 - 1/e) OPT``.

    Guarantee: ``1 - 1/e - epsilon`` in expectation for monotone submodular ``f``
    (``"adaptive-threshold"``; ``epsilon`` split by :func:`sampling_parameters`). Adaptivity:
    ``O(log n)`` for steps 1-2 plus ``O(log(e U / L) / eps_thr)`` thresholds of
    ``O(log(n) / eps_hat)`` rounds each, i.e. ``O(log(n) / epsilon^2)`` when ``U / L = O(1)``
    (without ``preprocess``: ``O(log(n) log(k) / epsilon^2)``). ``stats["adaptive_rounds"]`` and
    ``stats["queries"]`` count them (the gain evaluations of the filters and of REDUCED-MEAN).
    Default ``samples``: the Hoeffding count of :func:`_sample_count` with the failure budget
    ``delta = epsilon / 4`` split over the thresholds (n = 100,000, k = 50: ~1,030 at
    ``epsilon = 0.3`` and ~11,400 at ``0.1``, against 2,466 and ~27,900 with the paper's
    ``eps_hat = epsilon / 3``; the paper's REDUCED-MEAN states ``16 ln(2/d') / eps_hat^2``); a
    smaller ``samples`` trades the guarantee for speed (``guarantee`` is then None).
    ``upper_bound``: the smaller of ``U`` and ``f(S)`` plus the ``k`` largest gains w.r.t. S
    (a posteriori, one more pass, not counted).
    Each round's queries run in parallel on ``engine`` (None/"threads": the GIL-free Numba
    kernels on a thread pool; "dask" or a ``Client``). Deterministic for a seed on every engine.

    Parameters
    ----------
    objective : Objective
        Monotone submodular.
    k : int
        Cardinality.
    epsilon : float, default 0.1
        The guarantee is ``1 - 1/e - epsilon``.
    samples : int, optional
        Samples per REDUCED-MEAN estimate (default: the Hoeffding count above).
    preprocess : bool, default True
        Bracket OPT first (fewer thresholds).
    engine : None, "threads", "dask" or dask.distributed.Client, keyword-only
    seed : int, optional, keyword-only

    Returns
    -------
    Solution
        Selection, value, guarantee, ``upper_bound``; ``stats`` has the adaptive rounds and
        queries.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> sol = adaptive_maximize(Coverage([[0, 1, 2], [2, 3], [3, 4], [5]]), k=2, epsilon=0.3, seed=0)
    >>> sol.value
    5.0

    References
    ----------
    .. [1] Fahrbach, Mirrokni, Zadimoghaddam, "Submodular maximization with nearly optimal
       approximation, adaptivity and query complexity", SODA 2019.
    """
    runner_type = _RUNNERS.get(type(objective)) or next(
        (cls for base, cls in _RUNNERS.items() if isinstance(objective, base)), None)
    if runner_type is None:
        raise InvalidParameterError("objective", objective, "a submodkit Objective or a set-system shard "
                                    "folder (submodkit.open_shards)")
    k = check_int("k", k)
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    samples = check_int("samples", samples, minimum=1, allow_none=True)
    check_engine(engine)
    eps_thr, e_hat, delta = sampling_parameters(epsilon)
    rng = make_rng(seed)
    start = time.perf_counter()
    stats = {"adaptive_rounds": 0, "queries": 0, "thresholds": 0, "iterations": 0, "preprocessing_rounds": 0}
    lower = upper = 0.0
    ell = samples
    ell_default = 0
    runner = runner_type(objective, engine)
    n = runner.n
    kmax = min(k, n)
    if isinstance(objective, Objective):
        objective.check_capacity(kmax)
    run = _Run(runner)
    try:
        d = runner.max_gain(run.cur)
        stats["adaptive_rounds"] += 1
        stats["queries"] += n
        if kmax > 0 and d > 0:
            lower, upper = d, kmax * d
            if preprocess and kmax > 1:
                lower, upper, r_pre, q_pre = _bracket_opt(runner, d, kmax, rng, n)
                stats["preprocessing_rounds"] = r_pre
                stats["adaptive_rounds"] += r_pre
                stats["queries"] += q_pre
            tau = min(d, upper / kmax)
            n_thr = 1 + max(0, math.ceil(math.log(tau * math.e * kmax / lower) / -math.log1p(-eps_thr)))
            r_max, m_sizes, ell_default = _sample_count(n, kmax, e_hat, delta / n_thr)
            ell = ell_default if samples is None else samples
            while len(run.sel) < kmax and tau >= max(lower, run.value) / (math.e * kmax):
                stats["thresholds"] += 1
                run.threshold_sampling(runner, tau, kmax, e_hat, r_max, m_sizes, ell, rng)
                tau *= 1 - eps_thr
        claim = (ell or 0) >= ell_default  # a smaller ``samples`` than the analysis needs: no guarantee
        selection = np.asarray(run.sel, dtype=np.int64)
        value = runner.value(run)
        ok = runner.certified
        upper_bound = None
        if ok:
            upper_bound = runner.upper_bound(run, kmax, value)
            if upper > 0:
                upper_bound = min(upper_bound, upper)
    finally:
        runner.close()
    stats["adaptive_rounds"] += run.rounds
    stats["queries"] += run.queries
    stats["iterations"] = run.iterations
    stats.update({
        "evaluations": stats["queries"], "seconds": time.perf_counter() - start, "n": n,
        "samples": int(ell) if ell is not None else 0, "epsilon": epsilon, "eps_hat": e_hat,
        "opt_lower": lower, "opt_upper": upper,
        "engine": engine if isinstance(engine, str) or engine is None else "client",
        **runner.extra_stats(),
    })
    return Solution(
        selection=selection,
        gains=np.asarray(run.gains, dtype=np.float64),
        value=value,
        algorithm="adaptive-threshold",
        guarantee=guarantee("adaptive-threshold", epsilon=epsilon) if ok and claim else None,
        upper_bound=upper_bound,
        stats=stats,
    )


def adaptive_cover(
    objective: Objective,
    target: float | None = None,
    epsilon: float = 0.1,
    *,
    samples: int | None = None,
    engine: object = None,
    seed: int | None = None,
) -> Solution:
    """Submodular cover in few adaptive rounds: the fewest items S with ``f(S) >= target``, by
    THRESHOLD-SAMPLING (Fahrbach, Mirrokni, Zadimoghaddam, SODA 2019) at thresholds ``tau``
    from the largest singleton value down by ``1 - epsilon / 4``, each run until every item's
    gain is below ``tau`` or the target is reached; the items added after the target was
    reached (the tail of the last block) are dropped.

    Each threshold is ``O(log(n) / eps_hat)`` adaptive rounds (a filter and one REDUCED-MEAN
    estimate per iteration, all of a round's queries in parallel on ``engine``), and there
    are ``O(log(d / g) / epsilon)`` thresholds, d the largest singleton value and g the
    smallest gain the cover needs. The paper states its cover extension in a part that was
    not reachable here (abstract only), so no ratio is claimed: an item added at ``tau`` has
    expected gain close to ``tau`` while every gain is below ``tau / (1 - epsilon / 4)``,
    which is Wolsey's greedy with approximate choices in expectation, not per run. What each
    run earns is a certificate, ``lower_bound`` on the fewest items: the most of (a) the
    fewest singleton values summing to the target, and (b) for every threshold that ended
    exhausted at S, ``ceil((target - f(S)) / tau)`` (every item then adds less than ``tau``
    to S, so fewer items cannot close the gap).

    Parameters
    ----------
    objective : Objective
        Monotone submodular, ``f(empty) = 0``.
    target : float, optional
        The value to reach, at most ``f(V)`` (``f(V)`` by default).
    epsilon : float, default 0.1
        Threshold decrease ``1 - epsilon / 4`` and REDUCED-MEAN's accuracy, as in
        :func:`adaptive_maximize`.
    samples : int, optional
        Samples per REDUCED-MEAN estimate (default: the Hoeffding count).
    engine : None, "threads", "dask" or dask.distributed.Client, keyword-only
    seed : int, optional, keyword-only

    Returns
    -------
    Solution
        ``selection``, ``gains``, ``value = |S|`` (``sense="min"``), ``lower_bound`` (the
        certificate above); ``stats`` with ``covered`` (f(S)), ``target``,
        ``adaptive_rounds``, ``queries`` and ``thresholds``.

    Raises
    ------
    InvalidParameterError
        A target above ``f(V)``, an objective that is not a submodkit Objective.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> sol = adaptive_cover(Coverage([[0, 1, 2], [2, 3], [3, 4], [0, 4]]), seed=0)
    >>> sol.value, sol.stats["covered"], sol.lower_bound
    (2.0, 5.0, 2.0)

    References
    ----------
    .. [1] Fahrbach, Mirrokni, Zadimoghaddam, "Submodular maximization with nearly optimal
       approximation, adaptivity and query complexity", SODA 2019.
    .. [2] Wolsey, "An analysis of the greedy algorithm for the submodular set covering
       problem", Combinatorica 2 (1982).
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    samples = check_int("samples", samples, minimum=1, allow_none=True)
    check_engine(engine)
    start = time.perf_counter()
    n = objective.n
    objective.check_capacity(n)
    goal = cover_target(objective, target)
    stop = goal - 1e-9 * max(1.0, goal)
    eps_thr, e_hat, delta = sampling_parameters(epsilon)
    rng = make_rng(seed)
    runner = _Runner(objective, engine)
    run = _Run(runner)
    thresholds = 0
    try:
        singles = runner.gains(run.cur, np.arange(n, dtype=np.int64))
        run.rounds += 1
        run.queries += n
        top = np.cumsum(np.sort(singles)[::-1])
        lower = float(min(np.searchsorted(top, stop) + 1, n)) if stop > 0 else 0.0
        tau = float(singles.max(initial=0.0))
        if stop > 0 and tau > 0:
            n_thr = 1 + math.ceil(math.log(tau * n / max(stop, 1e-300)) / -math.log1p(-eps_thr))
            r_max, m_sizes, ell_default = _sample_count(n, n, e_hat, delta / n_thr)
            ell = ell_default if samples is None else samples
            while run.value < stop:
                thresholds += 1
                exhausted = run.threshold_sampling(runner, tau, n, e_hat, r_max, m_sizes, ell, rng,
                                                   target=stop)
                if run.value >= stop:
                    break
                if exhausted:
                    lower = max(lower, float(math.ceil((stop - run.value) / tau - 1e-9)))
                    if tau * n < stop - run.value:  # every item adds less than the gap / n: unreachable
                        raise InvalidParameterError("target", goal, f"a value reachable from {run.value:.6g}")
                tau *= 1 - eps_thr
    finally:
        runner.close()
    gains = np.asarray(run.gains, dtype=np.float64)
    reached = np.flatnonzero(np.cumsum(gains) >= stop)
    size = int(reached[0]) + 1 if reached.size else len(run.sel)
    selection = np.asarray(run.sel[:size], dtype=np.int64)
    covered = float(objective.evaluate(selection))
    return Solution(
        selection=selection, gains=gains[:size], value=float(size), algorithm="adaptive-cover",
        guarantee=guarantee("adaptive-cover"), sense="min", lower_bound=lower,
        stats={"covered": covered, "target": float(goal), "adaptive_rounds": run.rounds,
               "queries": run.queries, "evaluations": run.queries, "thresholds": thresholds,
               "iterations": run.iterations, "dropped": len(run.sel) - size,
               "seconds": time.perf_counter() - start, "n": n, "epsilon": epsilon},
    )


def _unconstrained_max(runner: _Runner, pool: np.ndarray, k: int, sets: int,
                       rng) -> tuple[np.ndarray, float]:
    """UNCONSTRAINED-MAX on ``pool`` cut to k items: the best of ``sets`` uniformly random
    subsets (each item in with probability 1/2; one round, the sets evaluated independently),
    then its best prefix of at most k items in a random order (one more round)."""
    best, best_value = np.zeros(0, dtype=np.int64), 0.0
    for _ in range(sets):
        half = pool[rng.random(pool.shape[0]) < 0.5]
        value = float(runner.objective.evaluate(half))
        if value > best_value:
            best, best_value = half, value
    order = rng.permutation(best)[:k]
    prefix = np.cumsum(runner.commit(runner.new_state(), order))  # f of each prefix
    cut = int(np.argmax(prefix)) + 1 if prefix.size and prefix.max() > 0 else 0
    return order[:cut], float(prefix[cut - 1]) if cut else 0.0


def adaptive_nonmonotone_maximize(
    objective: Objective,
    k: int,
    epsilon: float = 0.3,
    *,
    samples: int | None = None,
    engine: object = None,
    seed: int | None = None,
) -> Solution:
    """Non-monotone submodular maximization under a cardinality constraint in O(log n)
    adaptive rounds: ADAPTIVE-NONMONOTONE-MAX of Fahrbach, Mirrokni, Zadimoghaddam (ICML 2019).

    With ``d`` the best singleton value and ``eps_hat = epsilon / 6``, for each guess
    ``tau_i = (1 + eps_hat)^i d / (7 k)``, ``i = 0..ceil(ln(k) (1 / eps_hat + 1/2))``
    (independent, so in parallel: the rounds reported are those of the longest), THRESHOLD-
    SAMPLING runs from the empty set at ``tau_i`` but stops as soon as fewer than ``3k``
    candidates pass the filter (every block is then a random part of at least 3k candidates,
    so each item enters S with probability at most 1/3, which is what non-monotone f needs).
    When it stopped that way, UNCONSTRAINED-MAX on the remaining candidates A (the best of
    ``ceil(ln(1 / delta) / ln(1 + 4 eps_hat / 3))`` random halves of A, then its best prefix of
    at most k items in a random order) replaces S if better. The best S over the guesses is
    returned.

    Guarantee: ``0.039 - epsilon`` for non-negative submodular f (``"adaptive-nonmonotone"``),
    the paper's claim. The paper was reachable by its abstract; the steps and constants above
    (1/7, 3k, the halves, the prefix) are read from the authors' published code, and the ratio
    is checked here against brute force, not re-derived. The claim means something only for
    ``epsilon < 0.039``, where REDUCED-MEAN's Hoeffding count runs to millions of samples; the
    default ``epsilon = 0.3`` (about 12,000 samples per estimate) therefore carries no
    guarantee (``guarantee`` is None), nor does a ``samples`` below the Hoeffding count: what
    such runs achieve is measured (the verification suite and the benchmark, against brute
    force and random greedy).

    Parameters
    ----------
    objective : Objective
        Non-negative submodular (monotone or not).
    k : int
        Cardinality.
    epsilon : float, default 0.3
    samples : int, optional
        Samples per REDUCED-MEAN estimate (default: the Hoeffding count for ``eps_hat``).
    engine : None, "threads", "dask" or dask.distributed.Client, keyword-only
    seed : int, optional, keyword-only

    Returns
    -------
    Solution
        ``selection``, ``value``, ``guarantee``; ``stats`` with ``adaptive_rounds`` (the
        longest guess, plus the singleton round), ``queries`` (all guesses), ``guesses`` and
        ``from`` (``"threshold"`` or ``"unconstrained"``: where the answer came from).

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit.objectives import GraphCut
    >>> w = np.array([[0, 1, 1, 0], [1, 0, 0, 1], [1, 0, 0, 1], [0, 1, 1, 0]], dtype=float)
    >>> sol = adaptive_nonmonotone_maximize(GraphCut(w, lam=1.0), 2, samples=64, seed=0)
    >>> sol.value
    4.0

    References
    ----------
    .. [1] Fahrbach, Mirrokni, Zadimoghaddam, "Non-monotone submodular maximization with
       nearly optimal adaptivity and query complexity", ICML 2019.
    .. [2] Feige, Mirrokni, Vondrak, "Maximizing non-monotone submodular functions", SIAM J.
       Comput. 40(4), 2011 (a random half is within 1/4 unconstrained).
    """
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    k = check_int("k", k)
    epsilon = check_real("epsilon", epsilon, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    samples = check_int("samples", samples, minimum=1, allow_none=True)
    check_engine(engine)
    start = time.perf_counter()
    n = objective.n
    kmax = min(k, n)
    objective.check_capacity(n)
    e_hat = epsilon / 6.0
    delta = epsilon / 4.0
    guesses = math.ceil(math.log(max(kmax, 1)) * (1.0 / e_hat + 0.5)) + 1
    r_max, m_sizes, ell_default = _sample_count(n, max(kmax, 1), e_hat, delta / (2 * guesses))
    ell = ell_default if samples is None else samples
    halves = math.ceil(math.log(2 * guesses / delta) / math.log1p(4.0 * e_hat / 3.0))
    rng = make_rng(seed)
    runner = _Runner(objective, engine)
    best, best_value, origin = np.zeros(0, dtype=np.int64), 0.0, "threshold"
    rounds = queries = 0
    try:
        d = runner.max_gain(runner.new_state()) if kmax > 0 else 0.0
        if d > 0:
            for i in range(guesses):
                tau = (1.0 + e_hat) ** i * d / (7.0 * kmax)
                run = _Run(runner)
                run.threshold_sampling(runner, tau, kmax, e_hat, r_max, m_sizes, ell, rng, min_pool=3 * kmax)
                used = run.rounds
                queries += run.queries
                value = float(objective.evaluate(np.asarray(run.sel, dtype=np.int64)))
                if value > best_value:
                    best, best_value, origin = np.asarray(run.sel, dtype=np.int64), value, "threshold"
                if run.pool.shape[0]:
                    U, u_value = _unconstrained_max(runner, run.pool, kmax, halves, rng)
                    used += 2
                    queries += halves + min(kmax, run.pool.shape[0])
                    if u_value > best_value:
                        best, best_value, origin = U.astype(np.int64), u_value, "unconstrained"
                rounds = max(rounds, used)
    finally:
        runner.close()
    value = float(objective.evaluate(best))
    claim = (samples is None or samples >= ell_default) and epsilon < 0.039
    return Solution(
        selection=best, gains=np.zeros(0), value=value, algorithm="adaptive-nonmonotone",
        guarantee=guarantee("adaptive-nonmonotone", epsilon=epsilon) if claim else None,
        stats={"adaptive_rounds": rounds + 1, "queries": queries + n, "evaluations": queries + n,
               "guesses": guesses, "samples": int(ell), "halves": halves, "from": origin,
               "seconds": time.perf_counter() - start, "n": n, "epsilon": epsilon},
    )
