"""Benchmark: one streaming pass (Sieve-Streaming++) over a shard folder or a set-major text
file (FIMI, rail) larger than the memory the process may use.

Runs ``submodkit solve DIR --problem max-cover --k K --algorithm sieve++ --json`` inside a
cgroup-v1 memory controller limited to ``--cap-mb`` (RAM and swap; the page cache of the
files read counts against it and is reclaimed), and reports the folder's size, the cap, wall
time, sets per second, the process's peak resident memory (``/usr/bin/time``'s maximum RSS),
the cgroup's fail count, and the answer. Needs root and ``/sys/fs/cgroup/memory``.

    python scripts/bench_shard.py --incidences 2e8 --universe 5000 --n-parts 64 \\
        --workdir /work/bench --keep-shards /work/bench/shards200m_u5k
    python scripts/bench_stream_shards.py /work/bench/shards200m_u5k --cap-mb 350 --k 50
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("shards")
    p.add_argument("--cap-mb", type=int, default=350)
    p.add_argument("--k", type=int, default=50)
    p.add_argument("--algorithm", default="sieve++")
    args = p.parse_args()
    group = Path("/sys/fs/cgroup/memory/submodkit-bench")
    group.mkdir(exist_ok=True)
    limit = str(args.cap_mb * 1024 * 1024)
    files = [group / "memory.limit_in_bytes", group / "memory.memsw.limit_in_bytes"]
    try:  # RAM + swap must stay >= RAM: lowering sets RAM first, raising sets RAM + swap first
        for f in files:
            f.write_text(limit)
    except OSError:
        for f in files[::-1]:
            f.write_text(limit)
    target = Path(args.shards)
    data = sum(f.stat().st_size for f in target.rglob("*.npy")) if target.is_dir() else target.stat().st_size
    exe = shutil.which("submodkit")
    cmd = (
        f"echo $$ > {group}/cgroup.procs && exec /usr/bin/time -f 'maxrss_kb %M' {exe} solve {args.shards} "
        f"--problem max-cover --k {args.k} --algorithm {args.algorithm} --json"
    )
    t = time.perf_counter()
    run = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    manifest = (json.loads((target / "manifest.json").read_text()) if target.is_dir()
                else {"n_items": None, "totals": {"incidences": None}})
    rss = [int(line.split()[1]) for line in run.stderr.splitlines() if line.startswith("maxrss_kb")]
    out = json.loads(run.stdout) if run.returncode == 0 else {"error": run.stderr.strip()[-300:]}
    report = {
        "data_mb": round(data / 1e6),
        "cap_mb": args.cap_mb,
        "data_over_cap": round(data / 1e6 / args.cap_mb, 2),
        "returncode": run.returncode,
        "seconds": round(seconds, 2),
        "sets_per_s": round(manifest["n_items"] / seconds) if manifest["n_items"] else None,
        "incidences": manifest["totals"]["incidences"],
        "peak_rss_mb": round(rss[0] / 1024) if rss else None,
        "cgroup_failcnt": int((group / "memory.failcnt").read_text()),
        "value": out.get("value"),
        "kept_sets_peak": out.get("peak_kept_sets"),
    }
    print(json.dumps(report))
    return 0 if run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
