"""User-facing errors: each one is a message a person can act on, shown without a traceback."""

from __future__ import annotations


class FixturekitError(Exception):
    """Bad input or an unusable environment. The CLI prints the message and exits with `exit_code`.

    The message names the file, model, column or setting concerned and says what to do.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n{hint}")


class ModelsNotLoaded(FixturekitError):
    """The models named by the user could not be imported or contain nothing usable."""


class UnsatisfiableColumn(FixturekitError):
    """A column for which not even a type-valid value can be produced."""


class UnsafeDatabase(FixturekitError):
    """An operation would write to or drop a database fixturekit does not own."""
