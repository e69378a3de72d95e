"""Person strategies: the row's person's name, and the columns built from it (full or display
name, login, e-mail), so that one row describes one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from fixturekit.infer.strategy_base import Strategy, lit


@dataclass(frozen=True)
class PersonName(Strategy):
    """One person's first, last or full name: the anchor the row's other person columns read.

    With `pairs`, seeding draws (first, last) pairs as a bijection of the row number over the
    pairs of names, so that logins and emails built from them are unique without a number
    until the pairs run out (`fixturekit.values.people`). Factories draw from Faker.
    """

    part: str  # "first" | "last" | "full"
    pairs: bool = False
    max_length: int | None = None

    _PROVIDERS: ClassVar[dict[str, str]] = {
        "first": "first_name",
        "last": "last_name",
        "full": "name",
    }

    def value_source(self) -> str:
        fit = f", max_length={self.max_length}" if self.max_length else ""
        return f"fv.fake({lit(self._PROVIDERS[self.part])}{fit})"


@dataclass(frozen=True)
class PersonDerived(Strategy):
    """A column describing the row's person, built from its names: full or display name,
    login, email. `first`/`last` (or `full` alone) are the attribute names it reads.

    Unique values get a number only when the person's natural value is already taken.
    """

    part: str  # "full" | "display" | "username" | "email"
    first: str | None = None
    last: str | None = None
    full: str | None = None
    max_length: int | None = None
    is_unique: bool = False
    key: str = ""  # table.column: unique values are remembered per column

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s in (self.first, self.last, self.full) if s)

    def value_source(self) -> str:
        raise NotImplementedError("a person's column needs the row; use source()")

    def source(self) -> str:
        names = ", ".join(f"o.{s}" if s else "None" for s in (self.first, self.last, self.full))
        extra = f", max_length={self.max_length}" if self.max_length else ""
        if self.is_unique:
            extra += f", unique={lit(self.key)}"
        return f"factory.LazyAttribute(lambda o: fv.person({lit(self.part)}, {names}{extra}))"
