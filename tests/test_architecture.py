"""The house rules, checked on the source: one-way data flow, no import cycles, one API
grammar, one result family.

Data flows instances -> objectives -> solvers -> coresets -> verification, with the CLI
and the selector on top; a module may import only from its own layer or the layers below
it (``mip`` sits beside ``objectives``, and never imports it). Function-local imports count
too: they are still dependencies.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import submodkit
import submodkit.solvers

PACKAGE = Path(submodkit.__file__).resolve().parent

# the rank of each top-level room: imports may only go to an equal or lower rank
RANKS = {
    "errors": 0, "_validation": 0, "_lazy": 0, "_optional": 0, "_background": 0, "results": 0,
    "guarantees": 0, "constraints": 0,
    "instances": 1,
    "objectives": 2, "mip": 2,
    "solvers": 3,
    "coresets": 4,
    "verification": 5,
    "selector": 6, "cli": 6, "batch": 6, "warmup": 6, "__init__": 7, "__main__": 7,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = ["submodkit", *rel.parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> set[str]:
    """The submodkit modules ``module`` imports (anywhere in its code), as module names."""
    tree = ast.parse(MODULES[module].read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("submodkit") and name != module and name != "submodkit":
                found.add(name)
    return found


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


GRAPH = {m: _imports(m) for m in MODULES}


def test_every_room_has_a_rank():
    assert {_room(m) for m in MODULES} <= set(RANKS), {_room(m) for m in MODULES} - set(RANKS)


def test_no_import_runs_back_up_the_data_flow():
    upward = sorted(
        f"{m} -> {t}" for m, targets in GRAPH.items() for t in targets
        if RANKS[_room(t)] > RANKS[_room(m)]
    )
    assert not upward, "imports that run back up the data flow:\n" + "\n".join(upward)


def test_mip_does_not_import_objectives():
    bad = sorted(f"{m} -> {t}" for m, ts in GRAPH.items() if _room(m) == "mip" for t in ts
                 if _room(t) == "objectives")
    assert not bad, bad


def test_no_import_cycles():
    # package __init__ modules re-export their children: an edge child -> its own package
    # is not a dependency of the child on its siblings, so it is left out
    def edges(m):
        return {t for t in GRAPH[m] if not (m.startswith(t + ".") and MODULES[t].name == "__init__.py")}

    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for m in MODULES:
        if m not in index:
            visit(m)
    assert not cycles, f"import cycles: {cycles}"


def test_solvers_has_no_loose_modules():
    loose = sorted(p.name for p in (PACKAGE / "solvers").glob("*.py") if p.name != "__init__.py")
    assert not loose, loose


GRAMMAR = ("algorithm", "seed", "time_limit", "engine", "n_parts")  # keyword-only wherever they appear
# other spellings of a grammar word: a public signature uses the grammar's word instead
SYNONYMS = {"method": "algorithm", "random_state": "seed", "timeout": "time_limit", "parts": "n_parts",
            "num_parts": "n_parts"}
# (public name, parameter or "*" for all) -> why the grammar does not apply there
GRAMMAR_EXEMPT = {
    ("SubsetSelector", "*"): "a scikit-learn estimator: its constructor follows sklearn conventions",
    ("Run", "*"): "a record dataclass: its fields are positional by construction",
    ("TightRow", "*"): "a record dataclass: its fields are positional by construction",
    ("map_parts", "parts"): "the sequence of index arrays itself, not their count",
}
GRAMMAR_MODULES = ("submodkit", "submodkit.coresets", "submodkit.instances", "submodkit.verification",
                   *(f"submodkit.solvers.{m.name}" for m in pkgutil.iter_modules(submodkit.solvers.__path__)
                     if m.ispkg))


def _public_callables():
    for name in submodkit.__all__:
        obj = getattr(submodkit, name)
        if inspect.isfunction(obj):
            yield name, obj


def _grammar_callables():
    """Every public function, and every public class's own ``__init__``/``__new__``, of the
    package and its public subpackages, once per object."""
    seen = set()
    for modname in GRAMMAR_MODULES:
        module = importlib.import_module(modname)
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj):
                yield name, obj
            elif inspect.isclass(obj):
                for attr in ("__init__", "__new__"):
                    fn = obj.__dict__.get(attr)
                    if isinstance(fn, staticmethod):
                        fn = fn.__func__
                    if inspect.isfunction(fn):
                        yield f"{name}.{attr}", fn


@pytest.mark.parametrize("name,fn", list(_grammar_callables()), ids=lambda x: x if isinstance(x, str) else "")
def test_grammar_keywords_are_keyword_only(name, fn):
    public = name.split(".")[0]
    if (public, "*") in GRAMMAR_EXEMPT:
        return
    params = inspect.signature(fn).parameters
    for param in params.values():
        if (public, param.name) in GRAMMAR_EXEMPT:
            continue
        if param.name in GRAMMAR:
            assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {param.name} is not keyword-only"
        word = SYNONYMS.get(param.name)
        # a deprecated alias beside the grammar's word (``method`` next to ``algorithm``) may stay
        assert word is None or word in params, f"{name}: `{param.name}` is spelled `{word}` in this library"


def test_grammar_exemptions_are_still_needed():
    names = {n.split(".")[0] for n, _ in _grammar_callables()}
    stale = sorted(key for key in GRAMMAR_EXEMPT if key[0] not in names)
    assert not stale, f"exemptions for names no longer public: {stale}"


def test_solvers_return_results():
    from submodkit.results import Result

    returning = []
    for name, fn in _public_callables():
        ann = inspect.signature(fn).return_annotation
        if isinstance(ann, str):
            ann = eval(ann, vars(inspect.getmodule(fn)))  # noqa: S307 - our own annotations
        if isinstance(ann, type) and issubclass(ann, Result):
            returning.append(name)
    # every public function taking `algorithm` solves something: it returns a Result
    for name, fn in _public_callables():
        if "algorithm" in inspect.signature(fn).parameters:
            assert name in returning, f"{name} takes algorithm= but does not return a Result"
    assert len(returning) >= 20, returning


@pytest.mark.parametrize("name", sorted(submodkit.__all__))
def test_public_docstrings_follow_the_networkx_layout(name):
    """Every public function and class documents its parameters (classes: or attributes),
    returns (functions), a runnable example (collected as a doctest) and its references."""
    obj = getattr(submodkit, name)
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return
    doc = inspect.getdoc(obj) or ""
    needed = ["Examples", "References"]
    needed += ["Parameters", "Returns"] if inspect.isfunction(obj) else []
    missing = [s for s in needed if f"{s}\n--" not in doc]
    if inspect.isclass(obj) and "Parameters\n--" not in doc and "Attributes\n--" not in doc:
        missing.append("Parameters or Attributes")
    assert not missing, f"{name}: no {', '.join(missing)} section"
