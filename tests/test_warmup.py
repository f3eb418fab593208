"""`submodkit warmup` compiles every kernel (checked in a fresh cache folder: each Numba
dispatcher of the package has a compiled signature afterwards, inline helpers aside), a
second run compiles nothing, and a command's first compilation is announced once and
reported as ``compile_seconds``."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest

CHECK = """
import importlib, json, pkgutil
import submodkit
from numba.core.registry import CPUDispatcher
from submodkit.warmup import warmup
out = warmup(progress=False)
missing = []
for m in pkgutil.walk_packages(submodkit.__path__, "submodkit."):
    mod = importlib.import_module(m.name)
    for name, v in vars(mod).items():
        if (isinstance(v, CPUDispatcher) and v.py_func.__module__ == mod.__name__ and not v.signatures
                and v.targetoptions.get("inline") != "always"):
            missing.append(f"{mod.__name__}.{name}")
print(json.dumps({"out": out, "missing": missing}))
"""


def _env(cache) -> dict:
    return {**os.environ, "NUMBA_CACHE_DIR": str(cache)}


@pytest.mark.filterwarnings("ignore")
def test_warmup_compiles_every_kernel_and_then_nothing(tmp_path):
    cache = tmp_path / "cache"
    first = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=_env(cache),
                           timeout=900)
    assert first.returncode == 0, first.stderr
    got = json.loads(first.stdout.strip().splitlines()[-1])
    assert got["missing"] == [] and got["out"]["compiled"] > 40
    again = subprocess.run([sys.executable, "-m", "submodkit", "warmup", "--json"], capture_output=True,
                           text=True, env=_env(cache), timeout=300)
    assert again.returncode == 0 and json.loads(again.stdout)["compiled"] == 0


def test_first_compilation_is_announced_once_and_timed(tmp_path):
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "submodkit", "solve", "scp41", "--algorithm", "lagrangian"]
    primary, replica = pty.openpty()  # stderr a terminal, as for a user at a prompt
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=replica, env=_env(cache), timeout=300)
    os.close(replica)
    err = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(primary)
    assert proc.returncode == 0
    assert err.decode().count("compiling kernels (first run only") == 1
    assert "compiling kernels, first run only)" in proc.stdout.decode()  # the seconds line says how much
    warm = subprocess.run(cmd + ["--json"], capture_output=True, text=True, env=_env(cache), timeout=300)
    assert json.loads(warm.stdout)["compile_seconds"] == 0.0 and warm.stderr == ""


def test_cache_folder_follows_the_sources_and_stale_ones_are_pruned(tmp_path):
    """Numba checks a cached kernel against its own file only: the cache folder is keyed by a
    stamp of every source file, and folders of other states unused for two weeks are removed."""
    import time

    import submodkit

    stamp = submodkit._sources_stamp()
    assert stamp == submodkit._sources_stamp() and len(stamp) == 16
    old, fresh = tmp_path / "old", tmp_path / "fresh"
    old.mkdir()
    fresh.mkdir()
    (old / "kernel.nbi").write_text("x")
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    submodkit._prune_stale_caches(str(tmp_path))
    assert not old.exists() and fresh.exists()


def test_compile_clock_counts_only_its_own_thread():
    """A kernel compiling in a background thread (`submodkit._background`) while the block
    runs does not count as the block's compile seconds; one compiling in the block does."""
    import threading

    from numba import njit

    from submodkit.warmup import CompileClock

    def fresh():  # a new dispatcher each time: it compiles (no cache)
        @njit
        def add(a, b):
            return a + b

        return add

    elsewhere = threading.Thread(target=lambda: fresh()(1, 2))
    with CompileClock() as clock:
        elsewhere.start()
        elsewhere.join()
    assert clock.count == 0 and clock.seconds == 0.0
    with CompileClock() as clock:
        assert fresh()(1.0, 2.0) == 3.0
    assert clock.count == 1 and clock.seconds > 0.0
