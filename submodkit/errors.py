"""Exceptions raised for user input: every one is a ``ValueError`` that says what was expected."""

from __future__ import annotations


class SubmodkitError(ValueError):
    """Base class of the errors submodkit raises for bad user input.

    A ``ValueError``: code that catches ``ValueError`` keeps working; the command line turns
    it into one line on stderr and exit status 2.

    Parameters
    ----------
    message : str
        What was wrong and what was expected.

    Examples
    --------
    >>> issubclass(InvalidParameterError, SubmodkitError), issubclass(SubmodkitError, ValueError)
    (True, True)

    References
    ----------
    .. [1] The scikit-learn convention of raising ``ValueError`` for bad parameters.
    """


class InvalidParameterError(SubmodkitError):
    """A parameter has a value the algorithm cannot accept.

    The message names the parameter, the value received and what was expected.

    Parameters
    ----------
    name : str
        The parameter.
    value : object
        What was received (shown by ``repr``, cut at 80 characters).
    expected : str
        What would have been accepted.

    Examples
    --------
    >>> str(InvalidParameterError("k", -1, "an integer >= 0"))
    'k=-1: expected an integer >= 0'

    References
    ----------
    .. [1] :class:`SubmodkitError`.
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

    Parameters
    ----------
    path : path-like
        The file.
    line : int or None
        The 1-based line, when known.
    expected : str
        What the format requires there.
    found : str, optional
        What the file has instead.

    Examples
    --------
    >>> str(InstanceFormatError("scp41.txt", 3, "an integer column count", "'x'"))
    "scp41.txt:3: expected an integer column count, found 'x'"

    References
    ----------
    .. [1] :class:`SubmodkitError`.
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
