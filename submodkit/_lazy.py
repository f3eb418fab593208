"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists its public names and the submodule defining each; a name's submodule is
imported on first access. ``import submodkit`` and ``from submodkit import maximize`` then
load only what they touch (Numba and OR-Tools cost 0.3 to 0.5 s each to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def attach(package: str, exports: dict[str, str]) -> tuple[Callable, Callable, list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package``; ``exports`` maps each public
    name to the module (absolute, or relative to ``package`` when it starts with ".")
    that defines it. A name mapped to its own submodule (``{"coresets": ".coresets"}``
    with the same last component) returns the submodule itself."""
    names = sorted(exports)

    def __getattr__(name: str):
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(target, package) if target.startswith(".") else \
            importlib.import_module(target)
        value = module if module.__name__.rsplit(".", 1)[-1] == name and not hasattr(module, name) \
            else getattr(module, name)
        importlib.import_module(package).__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return names

    return __getattr__, __dir__, names
