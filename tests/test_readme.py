"""The README's claims: its algorithm table is the registry's, and its quickstart runs."""

import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_algorithm_table_is_generated_from_the_registry():
    import importlib.util

    spec = importlib.util.spec_from_file_location("algorithm_table", ROOT / "scripts" / "algorithm_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    block = README.split("<!-- algorithm-table:start -->")[1].split("<!-- algorithm-table:end -->")[0]
    assert block.strip() == mod.table().strip()


def test_quickstart_runs_and_its_comments_hold():
    code = re.search(r"## Quickstart \(Python\)\n\n```python\n(.*?)```", README, re.S).group(1)
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)
    assert ns["sol"].selection.tolist() == [0, 2] and ns["sol"].value == 6.0
    v = ns["v"]
    assert (v.ratio, v.meets) == (1.0, True)
    assert v.guarantee.ratio == pytest.approx(0.75)
    assert ns["sol"].upper_bound >= 6.0
    assert np.isfinite(ns["sol"].guarantee.ratio)
    assert ns["stream"].solution().guarantee.statement.startswith("1/2 - epsilon")
    assert ns["max_weight_matching"](np.array([[0, 1, 5], [1, 2, 6], [2, 3, 5]])).value == 10.0
    assert ns["diversify"](ns["X"][:500], k=10, objective="max-min").guarantee.ratio == 0.5


def _table_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("algorithm_table", ROOT / "scripts" / "algorithm_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_guarantee_has_one_call_from_the_algorithm_tables():
    """The README's calls come from the dispatchers' tables; only the public functions that
    dispatch on their own are listed by hand (UNTABLED), and no guarantee has both."""
    from submodkit.guarantees import GUARANTEES

    mod = _table_script()
    calls = mod.calls()
    assert set(calls) == set(GUARANTEES)
    from_tables = {key for entry in mod._entries() for key in entry.calls}
    assert from_tables.isdisjoint(mod.UNTABLED) and from_tables | set(mod.UNTABLED) == set(GUARANTEES)
    assert len(from_tables) >= 30  # maximize, diversify, allocate, set cover, streaming, distributed


def test_an_entry_must_name_registered_guarantees():
    from submodkit.guarantees import Algorithm, table

    with pytest.raises(ValueError, match="not in GUARANTEES"):
        Algorithm("x", print, calls={"no-such-guarantee": "`x()`"})
    with pytest.raises(ValueError, match="constraints"):
        Algorithm("x", print, constraints=("polymatroid",))
    with pytest.raises(ValueError, match="duplicate"):
        table(Algorithm("x", print), Algorithm("x", print))
