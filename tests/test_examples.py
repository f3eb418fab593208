"""The gallery's examples run (the documentation build runs them too): each on bundled or
generated data, in a fresh interpreter with a non-interactive matplotlib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path):
    pytest.importorskip("matplotlib", reason="the examples draw with matplotlib (the test extra has it)")
    r = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip()  # each example prints what it measured


def test_there_are_examples():
    assert len(EXAMPLES) >= 4
