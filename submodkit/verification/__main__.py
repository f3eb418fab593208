"""``python -m submodkit.verification --suite {quick,full,NAME} [--report DIR] [--backends ortools,pyomo]``.

Exit status 0 when the report is ok, 1 otherwise (2 for invalid arguments).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from submodkit.errors import InvalidParameterError
from submodkit.verification.suite import run_suite


def main(argv: list[str] | None = None) -> int:
    """Run the suite from command-line arguments; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m submodkit.verification", description=__doc__)
    p.add_argument("--suite", default="quick", help="quick, full, or one family's name")
    p.add_argument("--report", default=None, help="directory for report.md, runs.json and PNGs")
    p.add_argument("--backends", default="ortools", help="ortools or ortools,pyomo")
    p.add_argument("--seeds", type=int, default=None, help="number of seeds (default 5 quick, 10 full)")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    command = "python -m submodkit.verification " + shlex.join(argv)
    try:
        report = run_suite(
            args.suite,
            seeds=None if args.seeds is None else range(args.seeds),
            backends=tuple(b.strip() for b in args.backends.split(",") if b.strip()),
            progress=not args.no_progress,
            command=command,
        )
    except InvalidParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report)
    if args.report:
        print(f"report written to {report.write(args.report)}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
