"""Engines that run one task per part of the data: local threads or Dask.

An engine is ``None`` or ``"threads"`` (a ``ThreadPoolExecutor`` in this process; the Numba
kernels release the GIL, so parts run in parallel), ``"dask"`` (a
``dask.distributed.LocalCluster`` with 2 worker processes, started and closed around the
call) or a ``dask.distributed.Client`` (the caller's cluster). The tasks are deterministic,
so every engine returns the same results, in the order of the parts.

Two ways to hand data to the tasks:

* :func:`map_parts` takes an in-memory objective: on Dask it is scattered to every worker
  once, so each worker holds all the data (parallel compute, no memory saved).
* :func:`map_shards` takes a :class:`~submodkit.instances.shards.Shards` handle: each task
  receives only the handle (the manifest) and a part index and reads that part from storage
  the workers can reach, so a worker holds one part at a time and only the tasks' small
  summaries travel. Dask retries a task whose worker died (the tasks are pure), up to
  ``distributed.scheduler.allowed-failures`` times.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from submodkit.errors import InvalidParameterError
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.solvers.submodular import _kernels as G

ENGINES = (None, "threads", "dask")


def local_greedy(
    objective: Objective, candidates: np.ndarray, k: int, initial: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Lazy greedy restricted to ``candidates``: ``(selection, gains, value, evaluations)``.

    Runs :func:`submodkit.solvers.submodular._kernels.lazy_greedy` directly (serial gains, so
    it is safe to call from several threads at once). Ties go to the smallest index.
    With ``initial`` (indices already chosen), greedy continues from ``f(initial)``: the
    candidates exclude them and ``value`` is the sum of the new gains (a coverage-like
    objective) or ``f(initial + selection) - f(initial)``. With ``start`` (a coverage-like
    objective's state, e.g. residual element weights of a selection held elsewhere), greedy
    continues from that state instead (not modified).
    """
    candidates = np.ascontiguousarray(candidates, dtype=np.int64)
    n = objective.n
    args = objective.kernel_args()
    if initial is not None and len(initial):
        initial = np.unique(np.asarray(initial, dtype=np.int64))
        candidates = np.ascontiguousarray(np.setdiff1d(candidates, initial), dtype=np.int64)
        cur = objective.state(initial)
    else:
        initial = None
        cur = objective.new_state() if start is None else np.array(start, dtype=np.float64)
    out = np.empty(candidates.shape[0], dtype=np.float64)
    K.gains_of(*args, cur, candidates, out)
    init = np.zeros(n, dtype=np.float64)
    init[candidates] = out
    kmax = min(int(k), candidates.shape[0])
    sel = np.empty(kmax, dtype=np.int64)
    gains = np.empty(kmax, dtype=np.float64)
    n_sel, value, evals = G.lazy_greedy(
        *args, cur, candidates, kmax, np.zeros(n), math.inf, False,
        np.full(n, -1, dtype=np.int64), np.zeros(0, dtype=np.int64), math.inf, False,
        sel, gains, init, np.empty(n),
    )
    sel, gains = sel[:n_sel].copy(), gains[:n_sel].copy()
    if objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
        if initial is None:
            value = float(objective.evaluate(sel))
        else:
            value = float(objective.evaluate(np.concatenate([initial, sel])) - objective.evaluate(initial))
    return sel, gains, float(value), int(evals) + candidates.shape[0]


def check_engine(engine: object) -> None:
    if engine in ENGINES or _is_client(engine):
        return
    raise InvalidParameterError("engine", engine, "None, 'threads', 'dask' or a dask.distributed.Client")


def _is_client(engine: object) -> bool:
    try:
        from distributed import Client
    except ImportError:  # dask is optional
        return False
    return isinstance(engine, Client)


def map_parts(
    fn: Callable, objective: Objective, parts: Sequence[np.ndarray], k: int, *, engine: object = None
) -> list:
    """``[fn(objective, part, k) for part in parts]``, run on ``engine``."""
    check_engine(engine)
    if engine is None or engine == "threads":
        workers = max(1, min(len(parts), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda part: fn(objective, part, k), parts))
    if engine == "dask":
        cluster, client = start_local_cluster()
        with cluster, client:
            return _dask_map(client, fn, objective, parts, k)
    return _dask_map(engine, fn, objective, parts, k)


def start_local_cluster(n_workers: int = 2, memory_limit: str | int | None = None):
    """``engine="dask"``: an ``n_workers``-process ``LocalCluster`` (one thread each; each
    worker paused, then restarted, near ``memory_limit`` bytes, e.g. ``"1GB"``; None: Dask's
    default share of this machine's memory) and a ``Client`` on it (close both).

    Raises `InvalidParameterError` before starting anything when called from a script's
    top-level code outside ``if __name__ == "__main__":``: Dask's worker processes re-import
    the script, which would start a cluster again in each of them ("Nanny failed to start").
    """
    import logging

    from submodkit._optional import require

    require("distributed", "engine", "dask", "the Dask engine")
    from distributed import Client, LocalCluster
    line = unguarded_main_line()
    if line is not None:
        raise InvalidParameterError(
            "engine", "dask",
            f"a call under `if __name__ == \"__main__\":` ({line[0]}, line {line[1]}, is not): Dask's "
            "worker processes re-import the script; guard the call, or pass a dask.distributed.Client",
        )
    limit = "auto" if memory_limit is None else memory_limit
    # Worker processes stay quiet: a task's exception is raised again in the caller's process
    # (with the CLI's one-line message), so the workers' copies of it, and their warnings about
    # tasks cancelled when the client closes, would only print noise before that message.
    cluster = LocalCluster(n_workers=n_workers, processes=True, threads_per_worker=1, dashboard_address=None,
                           memory_limit=limit, silence_logs=logging.CRITICAL)
    return cluster, Client(cluster)


def unguarded_main_line() -> tuple[str, int] | None:
    """``(script, line)`` when this call comes from a script's top-level code that is not
    inside ``if __name__ == "__main__":``, else None (interactive sessions, ``python -c``,
    modules, guarded calls)."""
    import ast
    import inspect
    import sys

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path or not str(path).endswith(".py"):
        return None
    frame = inspect.currentframe()
    while frame is not None and not (frame.f_code.co_name == "<module>" and frame.f_globals is vars(main)):
        frame = frame.f_back
    if frame is None:
        return None
    line = frame.f_lineno
    try:
        tree = ast.parse(open(path, "rb").read())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_guard(node.test) and node.lineno <= line <= node.end_lineno:
            return None
    return str(path), line


def _is_main_guard(test: object) -> bool:
    """``__name__ == "__main__"`` (either order)."""
    import ast

    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(consts) == 1


def _dask_map(client, fn: Callable, objective: Objective, parts, k: int) -> list:
    remote = client.scatter(objective, broadcast=True, hash=False)
    futures = [client.submit(fn, remote, part, k, pure=False) for part in parts]
    return client.gather(futures)


def map_shards(fn: Callable, shards, args: tuple = (), *, engine: object = None,
               per_part: dict[int, tuple] | None = None) -> list:
    """``[fn(shards, i, *args) for every non-empty part i]``, run on ``engine``, where the
    data lives: each call opens only part ``i``. With ``per_part``, part ``i`` gets
    ``fn(shards, i, *args, *per_part[i])`` (its own arguments, sent with its task only).

    Parameters
    ----------
    fn : callable
        A module-level function ``fn(shards, i, *args)`` (Dask workers import it by name).
    shards : Shards
        The open shard folder (picklable: only its manifest travels).
    args : tuple
        Further arguments, the same for every part (small: they are sent with each task,
        or once to each worker when they are NumPy arrays on Dask).
    engine : None, "threads", "dask" or dask.distributed.Client
    per_part : dict, optional
        Part index -> a tuple of further arguments for that part alone.

    Returns
    -------
    list
        One result per non-empty part, in part order.

    Examples
    --------
    >>> import tempfile, os
    >>> from submodkit.instances import PointSet, write_shards
    >>> tmp = tempfile.TemporaryDirectory()
    >>> s = write_shards(PointSet(np.eye(5)), os.path.join(tmp.name, "p"), n_parts=2, rule="contiguous")
    >>> map_shards(_part_size, s)
    [2, 3]
    >>> tmp.cleanup()
    """
    check_engine(engine)
    parts = [i for i, part in enumerate(shards.manifest["parts"]) if part["n_items"] > 0]
    own = {i: () for i in parts} if per_part is None else {i: tuple(per_part[i]) for i in parts}
    if engine is None or engine == "threads":
        workers = max(1, min(len(parts), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda i: fn(shards, i, *args, *own[i]), parts))
    if engine == "dask":
        cluster, client = start_local_cluster()
        with cluster, client:
            return _dask_map_shards(client, fn, shards, parts, args, own)
    return _dask_map_shards(engine, fn, shards, parts, args, own)


def _part_size(shards, i: int) -> int:
    return int(shards.manifest["parts"][i]["n_items"])


def _dask_map_shards(client, fn: Callable, shards, parts: list[int], args: tuple, own: dict) -> list:
    # the handle (its manifest grows with the number of parts) and large arrays go to each worker
    # once, not with every task
    handle = client.scatter(shards, broadcast=True, hash=False)
    sent = tuple(client.scatter(a, broadcast=True, hash=False)
                 if isinstance(a, np.ndarray) and a.nbytes > 4096 else a for a in args)
    futures = [client.submit(fn, handle, i, *sent, *own[i], pure=False) for i in parts]
    return client.gather(futures)
