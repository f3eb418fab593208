"""Batches of runs over folders of instance files: every (instance, algorithm, k, seed, time
limit) solved by ``submodkit solve`` in its own process, rows appended to a CSV or Parquet
table that a rerun resumes from, and a report with performance profiles.

Rooms: :mod:`.runs` (the runs of a batch and one isolated run), :mod:`.runner`
(`run_batch`: the pool, resumption, progress), :mod:`.store` (the results table),
:mod:`.report` (ratios, summary, Dolan-More profiles, plots).
"""

from submodkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "run_batch": ".runner",
    "BatchOutcome": ".runner",
    "expand_inputs": ".runs",
    "expand_runs": ".runs",
    "run_one": ".runs",
    "Instance": ".runs",
    "RunSpec": ".runs",
    "ResultTable": ".store",
    "read_optima": ".report",
    "with_ratio": ".report",
    "profile_ratios": ".report",
    "performance_profile": ".report",
    "summary": ".report",
    "write_report": ".report",
})
