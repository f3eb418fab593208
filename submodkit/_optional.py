"""Optional dependencies: which extra installs each, and one clear error, raised before any
work starts, when one is missing."""

from __future__ import annotations

import importlib.util
import sys

from submodkit.errors import InvalidParameterError

EXTRAS = {"matplotlib": "plots", "sklearn": "sklearn", "distributed": "dask", "dask": "dask",
          "pyomo": "pyomo", "highspy": "pyomo", "pyarrow": "parquet", "pynndescent": "ann"}
"""Module -> the extra of ``pyproject.toml`` that installs it."""


def missing(module: str) -> bool:
    """Whether ``module`` cannot be imported (without importing it).

    Examples
    --------
    >>> missing("numpy"), missing("no_such_module_here")
    (False, True)
    """
    if module in sys.modules:
        return sys.modules[module] is None
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def install_hint(module: str) -> str:
    """``pip install 'submodkit[extra]'`` for a module of :data:`EXTRAS`, else the module's own
    ``pip install``.

    Examples
    --------
    >>> install_hint("matplotlib")
    "pip install 'submodkit[plots]'"
    """
    extra = EXTRAS.get(module.split(".")[0])
    return f"pip install 'submodkit[{extra}]'" if extra else f"pip install {module.split('.')[0]}"


def require(module: str, parameter: str, value: object, purpose: str) -> None:
    """Raise `InvalidParameterError` naming ``parameter``, ``value``, what the module is for
    and the extra to install, when ``module`` is missing.

    Examples
    --------
    >>> require("numpy", "--report", "out", "plots")
    >>> try:
    ...     require("no_such_module_here", "--report", "out", "the plots")
    ... except ValueError as err:
    ...     print(str(err).split(": ", 1)[1])
    expected no_such_module_here for the plots (pip install no_such_module_here)
    """
    if missing(module):
        raise InvalidParameterError(parameter, value, f"{module} for {purpose} ({install_hint(module)})")
