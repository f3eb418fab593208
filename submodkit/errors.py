"""Exceptions raised for user input: every one is a ``ValueError`` that says what was expected."""

from __future__ import annotations


class SubmodkitError(ValueError):
    """Base class of the errors submodkit raises for bad user input."""


class InvalidParameterError(SubmodkitError):
    """A parameter has a value the algorithm cannot accept.

    The message names the parameter, the value received and what was expected.
    """

    def __init__(self, name: str, value: object, expected: str):
        self.name = name
        self.value = value
        self.expected = expected
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{name}={shown}: expected {expected}")


class InstanceFormatError(SubmodkitError):
    """An instance file does not follow its format.

    The message names the file, the line (1-based, when known) and what was expected.
    """

    def __init__(self, path: object, line: int | None, expected: str, found: str | None = None):
        self.path = str(path)
        self.line = line
        self.expected = expected
        self.found = found
        where = self.path if line is None else f"{self.path}:{line}"
        msg = f"{where}: expected {expected}"
        if found is not None:
            msg += f", found {found}"
        super().__init__(msg)
