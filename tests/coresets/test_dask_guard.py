"""``engine="dask"`` from a script without ``if __name__ == "__main__":`` fails with one
clear error, before any worker process starts (it used to print a 60-line traceback
ending in "Nanny failed to start")."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("distributed", reason="dask.distributed is an optional dependency")

BODY = """
from submodkit import Coverage, coresets
f = Coverage([[0, 1], [1, 2], [2, 3], [3, 4]])
{call}
"""


def test_unguarded_script_gets_one_clear_error(tmp_path):
    script = tmp_path / "unguarded.py"
    call = "coresets.randgreedi(f, 2, n_parts=2, engine='dask', seed=0)"
    script.write_text(textwrap.dedent(BODY.format(call=call)))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("submodkit.errors.InvalidParameterError: engine='dask'")
    assert 'if __name__ == "__main__"' in last and f"{script}, line 4" in last
    assert "Nanny" not in proc.stderr


def test_guard_detection_reads_the_script():
    import ast

    from submodkit.coresets.engines import _is_main_guard

    for src, guarded in [('if __name__ == "__main__":\n    x()', True),
                         ('if "__main__" == __name__:\n    x()', True),
                         ('if __name__ != "__main__":\n    x()', False),
                         ('if name == "__main__":\n    x()', False)]:
        assert _is_main_guard(ast.parse(src).body[0].test) is guarded
