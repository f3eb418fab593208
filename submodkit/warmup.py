"""`warmup`: compile every Numba kernel of submodkit once, into the per-user cache, so the
first real call of each family loads compiled code instead of compiling (for images and CI:
``submodkit warmup``); and `CompileClock`, the seconds a block spends compiling."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp


class CompileClock:
    """Seconds spent compiling Numba kernels while the block runs (nested compilations, a
    kernel compiling the kernels it calls, count once), and how many top-level compilations.
    Only the thread that entered the block counts: a kernel compiling in a background thread
    (`submodkit._background`) is not the block's (though a kernel the block calls meanwhile
    waits for Numba's lock, uncounted).

    ``on_first``, when given, is called once, as the first compilation starts (the command
    line prints "compiling kernels (first run only)" from it). Loading a kernel from the
    cache is not a compilation.

    Examples
    --------
    >>> with CompileClock() as clock:
    ...     pass
    >>> clock.seconds, clock.count
    (0.0, 0)
    """

    def __init__(self, on_first: Callable[[], None] | None = None) -> None:
        self.seconds = 0.0
        self.count = 0
        self._depth = 0
        self._t0 = 0.0
        self._on_first = on_first
        self._listener: Any = None
        self._hook: _OnImport | None = None
        self._thread = threading.get_ident()

    def __enter__(self) -> CompileClock:
        self._thread = threading.get_ident()
        if "numba" in sys.modules:
            self._register()
        else:  # register when Numba is first imported: a run that never needs it never pays
            self._hook = _OnImport("numba", self._register)  # its 0.2 s import
            sys.meta_path.insert(0, self._hook)
        return self

    def _register(self) -> None:
        from numba.core import event

        clock = self

        class _Listener(event.Listener):
            def on_start(self, ev) -> None:
                if threading.get_ident() != clock._thread:
                    return
                if clock._depth == 0:
                    clock._t0 = time.perf_counter()
                    if clock._on_first is not None:
                        first, clock._on_first = clock._on_first, None
                        first()
                clock._depth += 1

            def on_end(self, ev) -> None:
                if threading.get_ident() != clock._thread:
                    return
                clock._depth -= 1
                if clock._depth == 0:
                    clock.seconds += time.perf_counter() - clock._t0
                    clock.count += 1

        self._listener = _Listener()
        event.register("numba:compile", self._listener)

    def __exit__(self, *exc) -> bool:
        if self._hook is not None and self._hook in sys.meta_path:
            sys.meta_path.remove(self._hook)
        if self._listener is not None:
            from numba.core import event

            event.unregister("numba:compile", self._listener)
            self._listener = None
        return False


class _OnImport:
    """A meta-path finder that runs ``callback`` right after module ``name`` is imported (and
    then steps aside): the standard finders load it, this only wraps the loader."""

    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name, self.callback = name, callback

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        import importlib.machinery

        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader, callback = spec.loader, self.callback

        class _Loader:
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                loader.exec_module(module)
                callback()

        spec.loader = _Loader()
        return spec


def _where_supported(call: Callable[[], Any]) -> None:
    """Run ``call``; an algorithm refusing an objective it does not support compiles nothing."""
    from submodkit.errors import InvalidParameterError

    try:
        call()
    except InvalidParameterError:
        pass


def _submodular() -> None:
    from submodkit import (
        Coverage,
        FacilityLocation,
        FeatureBased,
        GraphCut,
        Knapsack,
        LogDeterminant,
        PartitionMatroid,
        ProbabilisticCoverage,
        SaturatedCoverage,
        distorted_greedy,
        double_greedy,
        maximize,
        random_greedy,
        submodular_cover,
    )
    from submodkit.instances import random_points, random_set_system
    from submodkit.objectives import pairwise_similarity
    from submodkit.objectives.kernels import PARALLEL_MIN_WORK, fill_gains

    system = random_set_system(40, 30, 0.2, seed=0, weighted=True)
    points = random_points(40, 3, seed=0).features
    similarity = pairwise_similarity(points)
    objectives = [Coverage.from_set_system(system), FacilityLocation.from_features(points),
                  FacilityLocation.from_features(points, n_neighbors=5), FacilityLocation(similarity,
                  dtype=np.float32), FeatureBased(np.abs(points)), GraphCut(similarity),
                  SaturatedCoverage(similarity), ProbabilisticCoverage(system.sets.toarray() * 0.5),
                  LogDeterminant.from_features(points, max_size=40)]
    for f in objectives:
        for algorithm in ("lazy", "naive", "stochastic", "threshold"):
            maximize(f, 5, algorithm=algorithm, seed=0)
        maximize(f, constraint=Knapsack(np.linspace(1, 2, f.n), 4.0))
        maximize(f, constraint=PartitionMatroid(np.arange(f.n) % 3, [2, 2, 2]))
        for call in (lambda f=f: random_greedy(f, 5, seed=0), lambda f=f: double_greedy(f, seed=0),
                     lambda f=f: distorted_greedy(f, np.full(f.n, 0.01), 5)):
            _where_supported(call)
    submodular_cover(objectives[0], costs=np.linspace(1, 2, objectives[0].n))
    from submodkit.solvers.submodular import _compression_kernels as C
    from submodkit.solvers.submodular.categorical_compression import ALGORITHMS, compress_counts, sorted_table

    counts = np.arange(1.0, 21.0).reshape(10, 2)
    for algorithm in ALGORITHMS:
        compress_counts(counts, 3, algorithm=algorithm)
    C.optimal_cuts(sorted_table(counts)[2], 3, False)  # the full program (the tests' reference)
    maximize(objectives[1], 5, backend="numpy")
    from submodkit.solvers.submodular.exact import _greedy_facility

    _greedy_facility(sp.csr_matrix(similarity), 5)  # the exact model's warm start
    f = objectives[1]  # the multi-threaded gains of large candidate sets
    fill_gains(f.kernel_args(), f.new_state(), np.arange(f.n), np.empty(f.n), PARALLEL_MIN_WORK)


def _streaming() -> None:
    from submodkit import Coverage, StreamingMaximizer
    from submodkit.instances import random_set_system
    from submodkit.solvers.submodular import stream_file

    f = Coverage.from_set_system(random_set_system(40, 30, 0.2, seed=0))
    for algorithm in ("sieve++", "sieve"):
        sm = StreamingMaximizer(f, 5, algorithm=algorithm)
        sm.update(np.arange(f.n))
        sm.solution()
    dm = StreamingMaximizer(f, 5, algorithm="dynamic", seed=0)  # insertions and deletions
    dm.update(np.arange(f.n))
    dm.delete(dm.solution().selection)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sets.dat"
        path.write_text("\n".join(" ".join(map(str, range(i, i + 4))) for i in range(30)) + "\n")
        stream_file(path, 3)


def _set_cover() -> None:
    from submodkit import set_cover
    from submodkit.instances import bundled, read_instance, tile_set_system
    from submodkit.solvers.cover.lagrangian import lagrangian_cover
    from submodkit.solvers.cover.reduction import reduce_set_cover

    inst = read_instance(bundled("scp41"))
    set_cover(inst, lower_bound="dual-fitting")
    set_cover(inst, algorithm="lagrangian")
    set_cover(inst, algorithm="lagrangian", outliers=0.05, time_limit=1.0)
    set_cover(inst, algorithm="exact", time_limit=5.0)
    reduce_set_cover(inst.sets.tocsr(), np.asarray(inst.costs, dtype=np.float64))
    big = tile_set_system(inst, 2, (1.0,))  # 4,000 sets over 400 elements: the priced core
    S = big.sets.tocsr().astype(np.float64)
    costs = np.asarray(big.costs, dtype=np.float64)
    start = set_cover(big, lower_bound=None).selection
    lagrangian_cover(S, costs, start, time.perf_counter() + 2.0, True, price_above=1_000)


def _diversity() -> None:
    from submodkit import diversify, exact_remote_cycle, tsp_tour
    from submodkit.instances import random_points
    from submodkit.solvers.diversity import (
        exact_max_min_diversity,
        exact_max_sum_diversity,
        exact_sum_min_diversity,
    )

    X = random_points(30, 3, seed=0).features
    for objective in ("max-min", "max-sum", "sum-min", "remote-tree", "remote-star", "remote-cycle"):
        diversify(X, 4, objective, seed=0)
    diversify(X.astype(np.float32), 4, "max-min", seed=0)
    diversify(X, 4, "max-sum", algorithm="local-search", seed=0)
    diversify(X, 4, "max-min", algorithm="gist", quality=np.ones(30), seed=0)
    exact_max_min_diversity(X[:12], 3, time_limit=5.0)
    for method in ("branch-and-bound", "russian-doll"):
        exact_max_sum_diversity(X[:14], 4, time_limit=5.0, algorithm=method)
    exact_sum_min_diversity(X[:14], 4, time_limit=5.0, algorithm="branch-and-bound")
    Y = random_points(80, 2, seed=1).features  # stopped by its time limit: the frontier's bound
    exact_sum_min_diversity(Y, 12, time_limit=0.05, algorithm="branch-and-bound")
    exact_remote_cycle(X[:8], 4)
    tour_distances = np.linalg.norm(X[:10, None, :] - X[None, :10, :], axis=-1)
    tsp_tour(tour_distances)  # Held-Karp
    tsp_tour(tour_distances, held_karp_max=4)  # local search
    diversify(X, 4, "max-min", metric="cosine", seed=0)


def _matching() -> None:
    from submodkit import (
        b_matching,
        max_weight_assignment,
        max_weight_matching,
        online_matching,
        position_auction,
    )
    from submodkit.instances import random_graph, random_online

    g = random_graph(30, 80, seed=0, weighted=True)
    for algorithm in ("exact", "greedy", "path-growing", "augment"):
        max_weight_matching(g, algorithm=algorithm, seed=0)
    max_weight_matching(random_graph(30, 80, seed=0), algorithm="exact")  # equal weights: Edmonds
    max_weight_matching(g, algorithm="exact", maxcardinality=True)
    w = np.random.default_rng(0).random((8, 10))
    max_weight_assignment(w)
    b_matching(w, 2, 1)
    position_auction(np.sort(w, axis=1)[:, ::-1])
    inst = random_online(20, 10, 0.3, seed=0)
    for algorithm in ("ranking", "greedy", "balance"):
        online_matching(inst, algorithm=algorithm, seed=0)
    online_matching(inst, algorithm="two-choices", order="iid", seed=0)


def _allocation() -> None:
    from submodkit import (
        Coverage,
        allocate,
        dual_mirror_descent,
        fair_allocation,
        online_fair_allocation,
        online_welfare,
    )
    from submodkit.instances import random_allocation_instance, random_packing_instance
    from submodkit.instances.pages import random_page_instance
    from submodkit.solvers.allocation.online import ALLOCATE
    from submodkit.solvers.allocation.pages import RULES, allocate_pages

    inst = random_allocation_instance(200, 5, density=0.4, seed=0)
    for algorithm in ALLOCATE:
        allocate(inst, algorithm=algorithm, seed=0, forecast=inst)  # forecast: "hedged" plans from one
    allocate(inst, algorithm="dual-mirror-descent", mirror="multiplicative", seed=0)
    allocate(inst, algorithm="greedy", order="random", seed=0)
    packing = random_packing_instance(100, 3, 2, seed=0)
    dual_mirror_descent(packing, seed=0)
    dual_mirror_descent(packing, seed=0, regularizer="max-min", lam=0.1)
    online_welfare([Coverage([[0, 1], [1, 2], [2]]), Coverage([[0], [1, 2], [0, 2]])])
    fair_allocation(inst, max_rounds=40)
    fair_allocation(inst, alpha=2.0, max_rounds=40)
    online_fair_allocation(inst, max_rounds=40)
    pages = random_page_instance(20, 6, seed=0)
    for algorithm in RULES:
        allocate_pages(pages, algorithm=algorithm)


def _coresets() -> None:
    from submodkit import Coverage, select_features
    from submodkit import coresets as C
    from submodkit.instances import random_graph, random_points, random_set_system, write_shards

    system = random_set_system(60, 40, 0.15, seed=0)
    f = Coverage.from_set_system(system)
    C.greedi(f, 4, n_parts=3)
    C.randgreedi(f, 4, n_parts=3, seed=0)
    C.bicriteria_greedi(f, 4, n_parts=3, seed=0)
    C.adaptive_maximize(f, 4, seed=0)
    C.sketch_maximize(f, 4, seed=0)
    C.sketch_set_cover(f, seed=0)
    g = random_graph(40, 120, seed=0)
    C.edcs_coreset_matching(g, n_parts=3, seed=0)
    C.edcs_vertex_cover(g, n_parts=3, seed=0)
    C.matching_coreset(g, n_parts=3, seed=0)
    X = random_points(60, 3, seed=0).features
    C.diversity_coreset(X, 4, n_parts=3, seed=0)
    C.diversity_coreset(X, 4, "max-sum", n_parts=3, seed=0)
    select_features(X, (X[:, 0] > 0.5).astype(int), 2, n_parts=2, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        shards = write_shards(system, Path(tmp) / "shards", n_parts=3, seed=0)
        C.randgreedi(shards, 4, seed=0)
        C.sketch_set_cover(shards, seed=0)
        C.adaptive_maximize(shards, 4, seed=0)
        from submodkit.solvers.submodular import stream_shards

        stream_shards(shards, 4)


TASKS: dict[str, Callable[[], None]] = {
    "submodular maximization": _submodular,
    "streaming": _streaming,
    "set cover": _set_cover,
    "diversity": _diversity,
    "matching": _matching,
    "online allocation": _allocation,
    "core-sets and shards": _coresets,
}
"""What `warmup` runs: tiny instances through every family, so every kernel compiles."""


def warmup(progress: bool = True) -> dict[str, Any]:
    """Compile (or load from the cache) every Numba kernel, by running each family of
    :data:`TASKS` on tiny instances.

    Parameters
    ----------
    progress : bool, default True
        A tqdm bar over the families on stderr.

    Returns
    -------
    dict
        ``compiled`` (top-level compilations: 0 when everything was cached), ``compile_seconds``,
        ``seconds``, ``cache`` (the cache folder, ``NUMBA_CACHE_DIR``) and ``families``.

    Examples
    --------
    >>> list(TASKS)[:3]  # what runs (``warmup()`` itself: about 60 s cold, 1.5 s cached)
    ['submodular maximization', 'streaming', 'set cover']
    """
    import os

    start = time.perf_counter()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(TASKS), desc="warmup", unit=" family", file=sys.stderr)
    with CompileClock() as clock:
        for name, task in TASKS.items():
            if bar is not None:
                bar.set_postfix_str(name)
            task()
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return {"compiled": clock.count, "compile_seconds": round(clock.seconds, 3),
            "seconds": round(time.perf_counter() - start, 3), "cache": os.environ.get("NUMBA_CACHE_DIR"),
            "families": list(TASKS)}
