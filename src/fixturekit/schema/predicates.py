"""What a parsed CHECK constraint says, as predicates the inference can satisfy.

`fixturekit.schema.checks.parse_check` turns SQL text into a `ParsedCheck`: a conjunction of the
predicates below plus the fragments it could not understand. Literal values stay as parsed from
SQL (int, Decimal, float, str, bool, None; a timedelta for an interval literal); the inference
converts them to the column's type.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

Literal = int | float | Decimal | str | bool | datetime.timedelta | None

COMPARISON_OPS = ("<", "<=", ">", ">=", "=", "<>")
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>"}


@dataclass(frozen=True)
class Compare:
    """`column op value`, e.g. `price > 0`. BETWEEN becomes two of these."""

    column: str
    op: str  # one of COMPARISON_OPS
    value: Literal


@dataclass(frozen=True)
class ColumnCompare:
    """`left op right` between two columns of the same row, e.g. `ends_at > starts_at`."""

    left: str
    op: str
    right: str


@dataclass(frozen=True)
class InSet:
    """`column IN (...)`, `column = ANY (ARRAY[...])`; `negated` for NOT IN."""

    column: str
    values: tuple[Literal, ...]
    negated: bool = False


@dataclass(frozen=True)
class Length:
    """`char_length(column) op n` (also length(), len(), character_length()).

    On an array column it counts items: `cardinality(a) op n`, `array_length(a, 1) op n`.
    """

    column: str
    op: str
    value: int


@dataclass(frozen=True)
class LetterCase:
    """`column = lower(column)` or `column = upper(column)`."""

    column: str
    case: str  # "lower" | "upper"


@dataclass(frozen=True)
class Pattern:
    """A regular expression the column must match (`~`, `REGEXP`, `LIKE` and `GLOB` converted).

    `regex` is a Python regular expression anchored at both ends.
    """

    column: str
    regex: str
    negated: bool = False
    source: str = ""  # the SQL operator and pattern as written


@dataclass(frozen=True)
class NotNull:
    column: str


@dataclass(frozen=True)
class JsonValid:
    """`json_valid(column)`: the column holds well-formed JSON (MariaDB adds it to JSON columns)."""

    column: str


@dataclass(frozen=True)
class NullOr:
    """`column IS NULL OR <predicate>`: the predicate holds whenever the column has a value."""

    column: str
    predicate: Predicate


Predicate = (
    Compare | ColumnCompare | InSet | Length | LetterCase | Pattern | NotNull | JsonValid | NullOr
)


@dataclass(frozen=True)
class ParsedCheck:
    """A CHECK constraint split at its top-level ANDs.

    `predicates` are the conjuncts understood; `unparsed` the conjuncts (SQL text) that were not.
    A check is fully understood when `unparsed` is empty.
    """

    sql: str
    predicates: tuple[Predicate, ...] = ()
    unparsed: tuple[str, ...] = ()
    columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def fully_parsed(self) -> bool:
        return not self.unparsed


def predicate_columns(predicate: Predicate) -> frozenset[str]:
    """Columns a predicate mentions."""
    if isinstance(predicate, ColumnCompare):
        return frozenset({predicate.left, predicate.right})
    if isinstance(predicate, NullOr):
        return frozenset({predicate.column}) | predicate_columns(predicate.predicate)
    return frozenset({predicate.column})
