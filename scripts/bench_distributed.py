"""Benchmark: RandGreeDi (and GreeDi) on a shard folder, on a 2-worker Dask LocalCluster
whose per-worker memory limit is below the data size.

Each worker reads only its own parts from the folder; what crosses between the processes is
the handle (the manifest), the parts' core-sets (ids and rows of at most ``k`` sets each),
the covered elements of the final selection for the bound, and ``k`` gains per part. The
script reports, for a cold run (fresh workers: imports and the Numba cache load) and a warm
one (same workers again): wall time, the peak resident memory of each worker and of the
client during the run (``VmHWM``, reset before each run through ``/proc/self/clear_refs``),
the bytes of those summaries (array payloads), the bytes that actually crossed between the
processes (``wire_mb``: the loopback interface's transmit counter over the run, Dask's
protocol, pickles and heartbeats included), the data size on disk, and the value against the
a-posteriori bound. With ``--check-memory`` it also loads the whole folder in this process
and checks that the in-memory ``randgreedi`` with the same partition gives the same selection
(only for folders that fit in memory).

Make a folder first, e.g. (about 7 GB of text, 4 GB of index data in 32 parts)::

    python scripts/bench_shard.py --incidences 1e9 --universe 10000000 --n-parts 32 \\
        --workdir /work/bench --keep --keep-shards /work/bench/shards1b
    python scripts/bench_distributed.py /work/bench/shards1b --k 100 --worker-memory 2GB

    python scripts/bench_shard.py --incidences 20e6 --n-parts 16 --keep-shards /work/bench/shards20m
    python scripts/bench_distributed.py /work/bench/shards20m --k 100 --check-memory
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def reset_peak() -> None:
    """Reset this process's resident high-water mark (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def solve(data, k: int, algorithm: str, seed, max_edges: int, engine=None, n_parts=None, max_residual=None):
    from submodkit import coresets

    if algorithm == "sketch":  # the hash seed: 0
        return coresets.sketch_maximize(data, k, 0.1, seed=0, max_edges=max_edges, engine=engine)
    if algorithm == "sketch-set-cover":  # unit costs, the whole input covered
        return coresets.sketch_set_cover(data, 0.1, seed=0, max_edges=max_edges, engine=engine,
                                         max_residual=max_residual)
    if algorithm == "adaptive":  # epsilon 0.3, sampling seed 0
        return coresets.adaptive_maximize(data, k, 0.3, engine=engine, seed=0)
    if algorithm == "bicriteria":  # one round, 2k items: (1 - 1/2) OPT_k in expectation, the paper's claim
        return coresets.bicriteria_greedi(data, k, n_parts=n_parts, epsilon=0.5, rounds=1, engine=engine,
                                          seed=seed)
    return getattr(coresets, algorithm)(data, k, n_parts=n_parts, engine=engine, seed=seed)


def loopback_bytes() -> int:
    """Bytes sent through the loopback interface so far (``lo`` in /proc/net/dev): every byte
    the client, the scheduler and the workers of a LocalCluster send each other, Dask's
    protocol, pickles and heartbeats included (nothing else runs on it during a run)."""
    for line in Path("/proc/net/dev").read_text().splitlines():
        name, _, counters = line.partition(":")
        if name.strip() == "lo":
            return int(counters.split()[8])  # transmit bytes
    return 0


def run(client, shards, k: int, algorithm: str, seed, max_edges: int, max_residual=None) -> dict:
    client.run(reset_peak)
    reset_peak()
    wire_before = loopback_bytes()
    t = time.perf_counter()
    sol = solve(shards, k, algorithm, seed, max_edges, engine=client, max_residual=max_residual)
    seconds = time.perf_counter() - t
    # the sketch's value is exact on the input; it reports no bound
    stats = ("bytes_core_sets", "bytes_bound", "union_size", "union_sizes", "sketch_size", "bytes_degrees",
             "bytes_incidences", "completion_sets", "residual_sets", "bytes_residual", "coverage",
             "completion", "value_over_bound", "adaptive_rounds", "queries", "bytes_pool", "bytes_rows")
    workers = client.run(peak_mb)
    wire = loopback_bytes() - wire_before
    return {
        "algorithm": algorithm,
        "seconds": round(seconds, 2),
        "value": sol.value,
        "upper_bound": sol.upper_bound,
        "certified_ratio": None if sol.certified_ratio is None else round(sol.certified_ratio, 4),
        "worker_peak_mb": [round(v) for v in workers.values()],
        "client_peak_mb": round(peak_mb()),
        "wire_mb": round(wire / 1e6, 2),
        **{key: sol.stats[key] for key in stats if key in sol.stats},
        "selection_head": sol.selection[:5].tolist(),
        "_selection": sol.selection.tolist(),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("shards", help="a shard folder of a set system (submodkit shard / bench_shard.py)")
    p.add_argument("--k", type=int, default=100)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--worker-memory", default="2GB")
    p.add_argument("--algorithm", default="randgreedi",
                   choices=("randgreedi", "greedi", "sketch", "bicriteria", "adaptive", "sketch-set-cover"))
    p.add_argument("--max-edges", type=int, default=20_000_000, help="sketch: incidences kept")
    p.add_argument("--max-residual", type=int, default=None,
                   help="sketch-set-cover: incidences of the completion's residual the client accepts")
    p.add_argument("--check-memory", action="store_true", help="compare with the in-memory run (small data)")
    args = p.parse_args()

    from dask.utils import parse_bytes
    from distributed import Client, LocalCluster

    from submodkit.instances import open_shards

    shards = open_shards(args.shards)
    data_mb = sum(f.stat().st_size for f in Path(args.shards).rglob("*.npy")) / 1e6
    seed = shards.seed if args.algorithm in ("randgreedi", "bicriteria") else None
    head = {
        "shards": args.shards,
        "sets": shards.n_items,
        "incidences": shards.nnz,
        "elements": shards.universe,
        "parts": shards.n_parts,
        "data_mb": round(data_mb),
        "workers": args.workers,
        "worker_memory_mb": round(parse_bytes(args.worker_memory) / 1e6),
        "k": args.k,
    }
    print(json.dumps(head), flush=True)
    t = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.workers,
            processes=True,
            threads_per_worker=1,
            memory_limit=args.worker_memory,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter() - t
        runs = []
        for label in ("cold", "warm"):
            r = run(client, shards, args.k, args.algorithm, seed, args.max_edges, args.max_residual)
            r["run"] = label
            runs.append(r)
            print(json.dumps({key: v for key, v in r.items() if not key.startswith("_")}), flush=True)
        assert runs[0]["_selection"] == runs[1]["_selection"]
    print(json.dumps({"cluster_start_s": round(start, 2)}))
    if args.check_memory:
        from submodkit.objectives import Coverage

        f = Coverage.from_set_system(shards.load_all())
        t = time.perf_counter()
        ref = solve(f, args.k, args.algorithm, seed, args.max_edges, n_parts=shards.n_parts)
        same = ref.selection.tolist() == runs[0]["_selection"] and ref.value == runs[0]["value"]
        print(
            json.dumps(
                {
                    "in_memory_seconds": round(time.perf_counter() - t, 2),
                    "in_memory_value": ref.value,
                    "same_selection_and_value": same,
                    "in_memory_peak_mb": round(peak_mb()),
                }
            )
        )
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
