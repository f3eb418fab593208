"""Compiled kernels loaded in a background thread, for calls under a time limit.

A call under a time limit that needs a Numba kernel only for a fallback (an incumbent, a
start, a bound) cannot spend a first run's compile seconds after its deadline: importing
Numba and loading a kernel from the cache takes 0.2 to 0.6 s in a fresh process, compiling
it into an empty cache 2 to 8 s, and neither can be interrupted. Such a call starts a
:class:`KernelLoader` as it begins, uses the kernel only if it is loaded when needed (waiting
at most until the deadline) and otherwise answers without it, in NumPy. The loading thread
is not a daemon: a process that ends before the kernel is compiled waits for it at exit, so
that the cache is filled once (the call itself has returned in time). A process forked while
it compiles inherits Numba's compiler lock held by no thread and hangs at its first kernel:
fork (``multiprocessing``'s fork start method) only after such a call's process has no
compilation running, or use the spawn or forkserver start methods. While it compiles, the
calling thread's own first call of any kernel, even one loaded from the cache, waits for that
compilation (Numba compiles and loads under one lock): callers use their kernels only once
`KernelLoader.ready` (loaded, or in the on-disk cache for this Numba version, source and
CPU).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import sys
import threading
from collections.abc import Callable
from typing import Protocol


class Deadline(Protocol):
    """What `KernelLoader.wait` reads of a :class:`~submodkit.mip.model.Deadline`."""

    end: float | None

    def left(self) -> float | None: ...


class KernelLoader:
    """Loads compiled kernels in a background thread.

    Parameters
    ----------
    module : str
        The module defining the kernels (imported by ``warm``, not here).
    kernels : str or tuple of str
        The kernels' names in ``module``: they count as loaded once each has a compiled
        signature.
    warm : callable
        Runs the kernels once on a tiny input (their types must not depend on the instance).
        An exception leaves them unloaded; the untimed call that later needs them reports it.
    name : str
        The thread's name.

    Examples
    --------
    >>> loader = KernelLoader("math", "sqrt", lambda: None, "example")
    >>> loader.loaded()  # math.sqrt has no ``signatures``: never counts as loaded
    False
    """

    def __init__(self, module: str, kernels: str | tuple[str, ...], warm: Callable[[], object],
                 name: str) -> None:
        self.module, self.warm, self.name = module, warm, name
        self.kernels = (kernels,) if isinstance(kernels, str) else tuple(kernels)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def loaded(self) -> bool:
        """Whether the kernels are compiled or loaded in this process."""
        module = sys.modules.get(self.module)
        for name in self.kernels:
            kernel = getattr(module, name, None)  # None while the module is being imported
            if kernel is None or not getattr(kernel, "signatures", ()):
                return False
        return True

    def cached(self) -> bool:
        """Whether each kernel has an entry in Numba's on-disk cache that this process can
        load: an index written by this Numba version for the kernel's current source and
        bytecode, compiled for this CPU (name and features, as Numba's JIT codegen keys it).
        Such a kernel is a load (0.2 to 0.6 s in a fresh process), not a compilation, away;
        an index written by another Numba version, for edited source or on another CPU is
        not (Numba recompiles). Imports the kernels' module (and Numba); False when Numba's
        cache layout is not the one known (``numba.core.caching``)."""
        try:
            module = importlib.import_module(self.module)
            host = _host_magic()
            return all(_loadable(getattr(module, name), host) for name in self.kernels)
        except Exception:  # another layout, an import deadlock between threads: not known cached
            return False

    def ready(self) -> bool:
        """Whether the kernels are loaded or a load away (`cached`): a caller under a time
        limit may then call them directly."""
        return self.loaded() or self.cached()

    def _run(self) -> None:
        with contextlib.suppress(Exception):
            self.warm()

    def load(self) -> threading.Thread | None:
        """Start loading in the background unless loaded (one thread at a time; again when the
        last one ended without the kernel, as in a forked process). Returns the thread (None:
        loaded)."""
        if self.loaded():
            return None
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                # not a daemon: the cache is written before the process ends
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=False)
                self._thread.start()
            return self._thread

    def wait(self, deadline: Deadline) -> bool:
        """Whether the kernels may be used now: always without a limit (an untimed call loads
        or compiles them itself); under a limit, once loaded, waiting for the loading thread
        at most until the deadline, or for `CACHED_LOAD_SECONDS` when they are `cached`."""
        if deadline.end is None or self.loaded():
            return True
        thread = self.load()
        if thread is not None:
            left = max(0.0, deadline.left() or 0.0)
            thread.join(timeout=max(left, CACHED_LOAD_SECONDS) if self.cached() else left)
        return self.loaded()


CACHED_LOAD_SECONDS = 0.75
"""How long `KernelLoader.wait` waits, past the deadline if need be, for kernels found in the
on-disk cache (loading them took 0.2 to 0.6 s here; the better answer is worth that much,
within the house margin of a second past a time limit)."""


def _host_magic() -> tuple[str, str]:
    """The CPU name and feature string Numba's JIT codegen puts in a cache key here
    (``JITCPUCodegen.magic_tuple`` without the target triple)."""
    import llvmlite.binding as ll
    from numba.core import codegen, config

    name = config.CPU_NAME if config.CPU_NAME is not None else ll.get_host_cpu_name()
    features = config.CPU_FEATURES if config.CPU_FEATURES is not None else codegen.get_host_cpu_features()
    return name, features


def _loadable(kernel, host: tuple[str, str]) -> bool:
    """Whether ``kernel``'s cache index (read as Numba reads it: empty when written by another
    Numba version or for another source stamp) holds an overload compiled from the kernel's
    bytecode for the ``host`` CPU."""
    index = kernel._cache._cache_file._load_index()
    code = hashlib.sha256(kernel.py_func.__code__.co_code).hexdigest()
    return any(tuple(key[1][1:]) == host and key[2][0] == code for key in index)

