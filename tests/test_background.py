"""`submodkit._background`: kernels loaded in a background thread for calls under a time
limit (their callers' fallbacks are tested in tests/solvers/*/test_time_limits.py)."""

from __future__ import annotations


def test_kernel_loader_knows_loaded_and_cached_kernels(tmp_path):
    """`KernelLoader.cached` reads Numba's on-disk index: a compiled, cached kernel is found in
    a fresh process, a kernel never compiled into that cache is not."""
    import os
    import subprocess
    import sys

    code = """
from submodkit._background import KernelLoader
from submodkit.solvers.cover.reduction import REDUCTION_KERNELS, _warm_reduction
assert not REDUCTION_KERNELS.loaded()
print(REDUCTION_KERNELS.cached(), REDUCTION_KERNELS.ready())
_warm_reduction()
missing = KernelLoader(REDUCTION_KERNELS.module, "no_such_kernel", print, "x")
print(REDUCTION_KERNELS.loaded(), missing.cached())
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["False", "False", "True", "False"]  # an empty cache, then compiled
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert again.stdout.split()[:2] == ["True", "True"]  # in the cache: a load away


def test_a_cache_written_for_another_cpu_is_not_a_load_away(tmp_path):
    """An index that Numba would not load (here: written for another CPU name) is not
    `cached`: a caller under a time limit would otherwise call the kernel and compile it in
    its own thread, unbounded."""
    import os
    import subprocess
    import sys

    code = """
from submodkit.solvers.cover.reduction import REDUCTION_KERNELS, _warm_reduction
print(REDUCTION_KERNELS.cached())
_warm_reduction()
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    env.pop("NUMBA_CPU_NAME", None)
    env.pop("NUMBA_CPU_FEATURES", None)
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    other = subprocess.run([sys.executable, "-c", code], env={**env, "NUMBA_CPU_NAME": "generic"},
                           capture_output=True, text=True, timeout=300)
    outputs = [run.stdout.split() for run in (first, again, other)]
    assert outputs == [["False"], ["True"], ["False"]]
