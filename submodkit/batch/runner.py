"""`run_batch`: every run of a batch, in parallel, each in its own process, rows appended to
the results table as runs finish, the runs already in the table skipped."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from submodkit._validation import check_int
from submodkit.batch.report import FAILED, with_ratio
from submodkit.batch.runs import RunSpec, run_one
from submodkit.batch.store import ResultTable


@dataclass
class BatchOutcome:
    """What a call of :func:`run_batch` did."""

    ran: int
    skipped: int
    failed: int
    rows: list[dict[str, Any]]
    seconds: float

    def __str__(self) -> str:
        return (f"{self.ran} runs done ({self.failed} failed), {self.skipped} skipped (already in the "
                f"table), {self.seconds:.1f} s")


def run_batch(
    runs: Sequence[RunSpec],
    out: str | os.PathLike,
    *,
    jobs: int = 1,
    client: Any = None,
    optima: dict[str, float] | None = None,
    progress: bool | None = None,
    run: Callable[[RunSpec], dict[str, Any]] = run_one,
) -> BatchOutcome:
    """Run every spec not yet in the results table ``out`` and append its row.

    Each run is ``submodkit solve ... --json`` in a child process (:func:`~.runs.run_one`):
    a run that fails, crashes or overruns is recorded with its status and message and never
    stops the batch. Rows are written as runs finish, so a batch killed halfway resumes
    where it stopped when the same command runs again (the runs in flight when it was
    killed run again).

    Parameters
    ----------
    runs : sequence of RunSpec
        The runs (:func:`~.runs.expand_runs`).
    out : str or Path
        The results table (``.csv``, or ``.parquet`` with pyarrow), created or extended.
    jobs : int, default 1
        Runs at the same time on this machine (each its own process). One at a time is
        what timings on a small machine can be trusted with.
    client : distributed.Client, optional
        Run on a Dask cluster instead (its workers must see the instance files); ``jobs``
        is then the number of runs submitted at once.
    optima : dict, optional
        Known optima by instance name: each row's ratio is to its instance's optimum.
    progress : bool, optional
        A progress bar on a terminal, a line per finished run otherwise (default: when
        stderr is a terminal, the bar; else the lines).
    run : callable, default run_one
        What runs one spec (tests pass a stand-in).

    Returns
    -------
    BatchOutcome
        Counts, and every row of the table (old and new).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from submodkit.batch.runs import Instance, expand_runs
    >>> from submodkit.instances import bundled
    >>> specs = expand_runs([Instance(str(bundled("scp41")), "scp41")], problem="set-cover",
    ...                     algorithms=["greedy"], ks=[None], seeds=[None], time_limits=[None], exact=False)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "runs.csv"
    >>> first = run_batch(specs, out, progress=False)
    >>> first.ran, run_batch(specs, out, progress=False).skipped  # the rerun skips it
    (1, 1)
    >>> first.rows[0]["value"], first.rows[0]["ratio"], first.rows[0]["ratio_to"]
    (434.0, 1.0117, 'optimum (literature)')
    """
    jobs = check_int("jobs", jobs, minimum=1)
    start = time.perf_counter()
    table = ResultTable(out)
    done = table.done()
    todo = [s for s in runs if s.run_id not in done]
    todo = list({s.run_id: s for s in todo}.values())  # the same run listed twice runs once
    skipped = len(runs) - len(todo)
    show = _Progress(len(todo), sys.stderr.isatty() if progress is None else progress,
                     lines=progress is None and not sys.stderr.isatty())
    failed = 0
    executor: Executor = client.get_executor(pure=False) if client is not None else ThreadPoolExecutor(jobs)
    pending: dict[Any, RunSpec] = {}
    queue = list(reversed(todo))
    try:
        while queue or pending:
            while queue and len(pending) < jobs:
                spec = queue.pop()
                pending[executor.submit(run, spec)] = spec
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                spec = pending.pop(fut)
                try:
                    row = fut.result()
                except Exception as err:  # the runner itself failed (a lost Dask worker): record it
                    row = {"run_id": spec.run_id, "instance": spec.instance.name, "path": spec.instance.path,
                           "problem": spec.problem, "algorithm_requested": spec.algorithm, "k": spec.k,
                           "seed": spec.seed, "time_limit": spec.time_limit, "exact": spec.exact,
                           "status": "crashed", "error": f"{type(err).__name__}: {err}"}
                row = with_ratio(row, optima)
                table.append(row)
                failed += row.get("status") in FAILED
                show.update(spec, row)
    finally:
        for fut in pending:
            fut.cancel()
        if client is None:
            executor.shutdown(wait=False, cancel_futures=True)
        show.close()
    return BatchOutcome(len(todo), skipped, failed, table.rows, time.perf_counter() - start)


class _Progress:
    """A tqdm bar on a terminal; otherwise one line per finished run (logs and CI)."""

    def __init__(self, total: int, bar: bool, lines: bool) -> None:
        self.total, self.count, self.lines = total, 0, lines
        self.bar = None
        if bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="batch", unit=" run", file=sys.stderr)

    def update(self, spec: RunSpec, row: dict[str, Any]) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{spec.instance.name} {row.get('status')}")
        elif self.lines:
            what = row.get("error") if row.get("status") in FAILED else f"value {row.get('value')}"
            print(f"batch [{self.count}/{self.total}] {spec.describe()}: {row.get('status')}, {what} "
                  f"({row.get('wall_seconds')} s)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
