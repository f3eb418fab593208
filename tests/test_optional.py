"""A missing optional dependency gives one line naming the extra to install, before any work
starts (issue 20, item 6): each case hides one module from a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from submodkit._optional import EXTRAS

ROOT = Path(__file__).resolve().parents[1]
SCP41 = "scp41"


def _without(module: str, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
    code = (f"import sys; sys.modules[{module!r}] = None\n"
            "from submodkit.cli import main\nsys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


@pytest.mark.parametrize("module, argv, extra", [
    ("matplotlib", ["verify", "--suite", "quick", "--report", "rep"], "plots"),
    ("sklearn", ["verify", "--suite", "feature-selection"], "sklearn"),
    ("pyomo", ["verify", "--suite", "set-cover", "--backends", "ortools,pyomo"], "pyomo"),
    ("matplotlib", ["batch", SCP41, "--out", "r.csv", "--report", "rep"], "plots"),
    ("pyarrow", ["batch", SCP41, "--out", "r.parquet"], "parquet"),
    ("distributed", ["solve", SCP41, "--problem", "max-cover", "--k", "5", "--algorithm", "greedi",
                     "--engine", "dask"], "dask"),
])
def test_one_line_naming_the_extra_before_any_work(tmp_path, module, argv, extra):
    r = _without(module, *argv, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pip install 'submodkit[{extra}]'" in lines[0]
    assert r.stdout == "" and list(tmp_path.iterdir()) == []  # nothing ran, nothing written


def test_the_selector_without_scikit_learn_names_the_extra():
    code = "import sys; sys.modules['sklearn'] = None\nfrom submodkit import SubsetSelector"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "pip install 'submodkit[sklearn]'" in r.stderr.strip().splitlines()[-1]


def test_every_extra_named_exists_and_scikit_learn_floor_has_validate_data():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS.values()) <= set(extras)
    floor = next(d for d in extras["sklearn"] if d.startswith("scikit-learn"))
    assert floor == "scikit-learn>=1.6"  # sklearn.utils.validation.validate_data appeared in 1.6
    from sklearn.utils.validation import validate_data  # noqa: F401  (the installed one has it)
