"""Benchmark: ``shard_file`` throughput and peak memory on generated text set systems.

Generates a set-system text file with about ``--incidences`` incidences (FIMI ``.dat``: one
set per line; or OR-Library ``rail``: ``cost count rows...`` per column), written in blocks
so that generating needs little memory either, then shards it in a child process and
reports wall time, incidences per second, MB of text per second and the child's peak
resident memory: ``VmHWM`` of the child's own address space (``/proc/self/status``; the
child's ``ru_maxrss`` would include the parent's memory at the fork), once right after the
imports (the interpreter with NumPy and SciPy) and once at the end, and, when
``/usr/bin/time`` exists, its "Maximum resident set size" as a cross-check. Sets have
uniformly random sizes in ``[1, 2 * mean - 1]`` with distinct sorted elements drawn
uniformly from ``--universe``.

    python scripts/bench_shard.py --incidences 20_000_000                # ~150 MB of text
    python scripts/bench_shard.py --incidences 200_000_000 --format rail  # ~1.5 GB
    python scripts/bench_shard.py --incidences 1e9 --keep                 # ~7 GB, --keep: reuse it
    python scripts/bench_shard.py --incidences 200_000_000 --gzip         # streamed through gzip

Files go to ``--workdir`` (default: a folder under the system temporary directory); the
generated input is deleted at the end unless ``--keep``, the shards always.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def ascii_ints(values: np.ndarray, seps: np.ndarray) -> bytes:
    """Decimal text of non-negative ``values``, each followed by its separator byte."""
    values = np.asarray(values, dtype=np.int64)
    lens = np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), values, side="right") + 1
    ends = np.cumsum(lens + 1) - 1
    out = np.empty(int(ends[-1]) + 1 if values.size else 0, dtype=np.uint8)
    out[ends] = seps
    for d in range(int(lens.max()) if values.size else 0):
        has = lens > d
        out[ends[has] - 1 - d] = 48 + (values[has] // 10**d) % 10
    return out.tobytes()


def random_sets(rng: np.random.Generator, n_sets: int, mean: int, universe: int):
    """Sizes and sorted distinct elements of ``n_sets`` random sets."""
    sizes = rng.integers(1, 2 * mean, n_sets)
    rows = np.repeat(np.arange(n_sets, dtype=np.int64), sizes)
    keys = rows * universe + rng.integers(0, universe, rows.size)
    keys.sort()
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    rows = keys // universe
    return np.bincount(rows, minlength=n_sets), keys - rows * universe


def generate(path: Path, fmt: str, incidences: int, mean: int, universe: int, seed: int, gz: bool) -> int:
    """Write the file (gzip level 1 when ``gz``); returns its number of incidences."""
    rng = np.random.default_rng(seed)
    n_sets = max(1, incidences // mean)
    block = max(1, 4_000_000 // mean)
    total = 0
    with (gzip.open(path, "wb", compresslevel=1) if gz else open(path, "wb")) as fh:
        if fmt == "rail":
            fh.write(f"{universe} {n_sets}\n".encode())
        for a in range(0, n_sets, block):
            sizes, items = random_sets(rng, min(block, n_sets - a), mean, universe)
            total += items.size
            if fmt == "fimi":
                values, ends = items, np.cumsum(sizes) - 1
            else:  # cost, count, then the rows (1-based), one column per line
                heads = np.stack([rng.integers(1, 100, sizes.size), sizes], axis=1)
                starts = np.cumsum(sizes) - sizes
                values = np.insert(items + 1, np.repeat(starts, 2), heads.ravel())
                ends = np.cumsum(sizes + 2) - 1
            seps = np.full(values.size, ord(" "), dtype=np.uint8)
            seps[ends] = ord("\n")
            fh.write(ascii_ints(values, seps))
    return total


def peak_rss_kb() -> int:
    """High-water resident set of this process's address space (kB)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(args) -> None:
    """Shard the file; print one JSON line (run in a separate process)."""
    from submodkit.instances.shards import shard_file

    base = peak_rss_kb()
    start = time.perf_counter()
    shards = shard_file(args.child, args.out, n_parts=args.n_parts, seed=0, chunk_bytes=args.chunk_bytes)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "incidences": shards.nnz, "sets": shards.n_items,
                      "elements": shards.universe, "base_rss_kb": base, "peak_rss_kb": peak_rss_kb()}))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidences", type=float, default=20e6)
    p.add_argument("--format", choices=("fimi", "rail"), default="fimi")
    p.add_argument("--mean", type=int, default=20, help="mean set size")
    p.add_argument("--universe", type=int, default=1_000_000)
    p.add_argument("--n-parts", type=int, default=16)
    p.add_argument("--chunk-bytes", type=int, default=None)
    p.add_argument("--workdir", default=None)
    p.add_argument("--keep", action="store_true", help="keep (and reuse) the generated input")
    p.add_argument("--gzip", action="store_true", help="write the input gzip-compressed (level 1)")
    p.add_argument("--keep-shards", default=None, metavar="DIR",
                   help="write the shards to DIR and keep them (for scripts/bench_distributed.py)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.chunk_bytes is None:
        from submodkit.instances._chunks import DEFAULT_CHUNK_BYTES

        args.chunk_bytes = DEFAULT_CHUNK_BYTES
    if args.child:
        child(args)
        return 0
    work = Path(args.workdir or Path(tempfile.gettempdir()) / "submodkit-bench-shard")
    work.mkdir(parents=True, exist_ok=True)
    n = int(args.incidences)
    suffix = (".dat" if args.format == "fimi" else ".rail.txt") + (".gz" if args.gzip else "")
    src = work / f"sets-{n}-{args.mean}-{args.universe}{suffix}"
    t = time.perf_counter()
    if not (args.keep and src.exists()):
        generate(src, args.format, n, args.mean, args.universe, seed=0, gz=args.gzip)
        print(f"generated {src.name}: {src.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
    out = Path(args.keep_shards) if args.keep_shards else work / "shards"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", str(src), "--out", str(out), "--n-parts", str(args.n_parts),
           "--chunk-bytes", str(args.chunk_bytes)]
    timed = Path("/usr/bin/time").exists()
    run = subprocess.run((["/usr/bin/time", "-v"] if timed else []) + cmd, capture_output=True, text=True,
                         check=True)
    res = json.loads(run.stdout.strip().splitlines()[-1])
    time_v = None
    for line in run.stderr.splitlines():
        if "Maximum resident set size" in line:
            time_v = round(int(line.split(":")[1]) / 1024, 1)
    size = src.stat().st_size
    out_bytes = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    report = {
        "format": args.format + (".gz" if args.gzip else ""), "file_mb": round(size / 1e6, 1),
        "incidences": res["incidences"],
        "sets": res["sets"], "elements": res["elements"], "parts": args.n_parts,
        "chunk_bytes": args.chunk_bytes,
        "seconds": round(res["seconds"], 2), "incidences_per_s": round(res["incidences"] / res["seconds"]),
        "text_mb_per_s": round(size / 1e6 / res["seconds"], 1),
        "peak_rss_mb": round(res["peak_rss_kb"] / 1024, 1), "time_v_max_rss_mb": time_v,
        "rss_after_imports_mb": round(res["base_rss_kb"] / 1024, 1), "shards_mb": round(out_bytes / 1e6, 1),
    }
    print(json.dumps(report))
    if not args.keep_shards:
        shutil.rmtree(out, ignore_errors=True)
    if not args.keep:
        os.remove(src)
    return 0


if __name__ == "__main__":
    sys.exit(main())
