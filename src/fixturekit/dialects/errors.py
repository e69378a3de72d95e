"""What a failed statement says, in dialect-independent terms.

Each dialect module reads its driver's error into a `DatabaseError`: the kind of failure (a
category that SQLSTATEs, MySQL error numbers and SQLite messages all map onto), the constraint,
table and column when the server names them, and the server's own message. Verification maps
these back to the schema model; nothing here knows about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Failure(StrEnum):
    CHECK = "check"
    NOT_NULL = "not-null"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign-key"
    TOO_LONG = "too-long"  # a string longer than its column
    OUT_OF_RANGE = "out-of-range"  # a number or date the type cannot hold
    INVALID_VALUE = "invalid-value"  # a value the type does not accept at all
    OTHER = "other"


# SQLSTATE classes and codes shared by PostgreSQL and the standard.
SQLSTATE_FAILURES = {
    "23514": Failure.CHECK,
    "23502": Failure.NOT_NULL,
    "23505": Failure.UNIQUE,
    "23503": Failure.FOREIGN_KEY,
    "22001": Failure.TOO_LONG,
    "22003": Failure.OUT_OF_RANGE,
    "22008": Failure.OUT_OF_RANGE,
    "22P02": Failure.INVALID_VALUE,
    "22007": Failure.INVALID_VALUE,
    "22023": Failure.INVALID_VALUE,
    "42804": Failure.INVALID_VALUE,  # datatype mismatch: a value of the wrong type
    "22P05": Failure.INVALID_VALUE,
}


@dataclass(frozen=True)
class DatabaseError:
    failure: Failure
    message: str  # the server's own words, first line
    sqlstate: str | None = None
    constraint: str | None = None
    table: str | None = None
    columns: tuple[str, ...] = ()
    type_name: str | None = None  # the SQL type a value was refused by, when the server says

    @property
    def signature(self) -> tuple[str, str | None, str | None, tuple[str, ...]]:
        """Same signature, same problem: how the repair loop sees that a change did not help."""
        return (self.failure.value, self.constraint, self.table, self.columns)


def driver_error(exc: BaseException) -> Any:
    """The DBAPI exception inside a SQLAlchemy one (or a Django one, which chains it)."""
    orig = getattr(exc, "orig", None)
    if orig is not None:
        return orig
    if type(exc).__module__ == "django.db.utils" and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def first_line(exc: BaseException) -> str:
    text = str(driver_error(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
