"""Set cover and set cover with outliers through the coverage sketch: covers, costs vs exact optima."""

import numpy as np
import pytest

from submodkit.coresets.sketch import sketch_set_cover
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import harmonic
from submodkit.instances import random_set_system, read_instance
from submodkit.objectives import Coverage
from submodkit.solvers.cover.exact import exact_set_cover


def _covered_fraction(cov: Coverage, sel) -> float:
    hit = np.zeros(cov.state_size, dtype=bool)
    hit[cov.indices] = True
    return cov.evaluate(sel) / float(cov.w[hit].sum())


@pytest.mark.parametrize("seed", range(3))
def test_full_budget_is_greedy_set_cover_within_harmonic_bound(seed):
    ss = random_set_system(40, 60, mean_set_size=6, seed=seed, ensure_covered=True)
    cov = Coverage.from_set_system(ss)
    sol = sketch_set_cover(cov, 0.1, seed=seed)
    assert sol.stats["compression"] == 1.0 and sol.stats["completion_sets"] == 0
    assert sol.stats["coverage"] == pytest.approx(1.0) == _covered_fraction(cov, sol.selection)
    opt = exact_set_cover(ss.sets)
    assert opt.optimal
    d = int(np.diff(cov.indptr).max())
    assert opt.value <= sol.value <= harmonic(d) * opt.value + 1e-9
    assert sol.sense == "min" and sol.guarantee is None


@pytest.mark.parametrize("outliers", [0.0, 0.1, 0.3])
def test_small_sketch_still_returns_a_cover_with_measured_coverage(outliers):
    cov = Coverage.from_set_system(random_set_system(300, 2000, mean_set_size=30, seed=5))
    sol = sketch_set_cover(cov, 0.1, seed=1, max_edges=1500, outliers=outliers)
    assert sol.stats["sketch_size"] <= 1500 < sol.stats["input_size"]
    assert sol.stats["coverage"] == pytest.approx(_covered_fraction(cov, sol.selection))
    assert sol.stats["coverage"] >= 1 - outliers - 1e-9
    assert sol.gains.sum() == pytest.approx(cov.evaluate(sol.selection))
    part = sketch_set_cover(cov, 0.1, seed=1, max_edges=1500, outliers=outliers, complete=False)
    assert part.stats["completion_sets"] == 0
    assert part.stats["coverage"] == pytest.approx(_covered_fraction(cov, part.selection))
    assert part.selection.tolist() == sol.selection[: len(part)].tolist()


def test_costs_and_rail582(shared_data):
    inst = read_instance(shared_data / "orlib-scp" / "rail582.txt.gz")
    cov = Coverage.from_set_system(inst)
    sol = sketch_set_cover(cov, 0.1, seed=0, costs=inst.costs)
    assert sol.stats["coverage"] == pytest.approx(1.0)
    assert sol.value == pytest.approx(float(np.asarray(inst.costs)[sol.selection].sum()))
    assert sol.value >= 211  # literature optimum of rail582


def test_invalid_parameters():
    cov = Coverage([[0, 1], [1, 2]])
    for kw in ({"outliers": 1.0}, {"outliers": -0.1}, {"epsilon": 0.0}, {"costs": [1.0, -1.0]},
               {"costs": [1.0]}):
        with pytest.raises(InvalidParameterError):
            sketch_set_cover(cov, **kw)
    with pytest.raises(InvalidParameterError):
        sketch_set_cover([[0, 1]])


def test_the_command_refuses_a_set_cover_without_a_cover(tmp_path):
    """`solve --problem set-cover --algorithm sketch` on a file with an element in no set
    answered an empty "cover" with status feasible (the sketch covers what is coverable);
    greedy, lagrangian and exact refuse such a file, and now so does the sketch, unless
    outliers are allowed."""
    import subprocess
    import sys

    path = tmp_path / "uncoverable.txt"
    path.write_text("2 3\n1 2 3\n1\n1\n0\n")  # OR-Library: element 2 is in no set
    run = subprocess.run([sys.executable, "-m", "submodkit", "solve", str(path), "--algorithm", "sketch"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "element 1 in no set" in run.stderr and "uncoverable.txt" in run.stderr
    ok = subprocess.run([sys.executable, "-m", "submodkit", "solve", str(path), "--algorithm", "sketch",
                         "--outliers", "0.5", "--json"], capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and '"value": 1' in ok.stdout
