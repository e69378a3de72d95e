"""Text strategies: Faker values, short codes, strings matching a pattern, numbered free text.

They share the fitting of a value to the column's length and letter case, and the ways a string
is kept unique (a number woven in, a fresh draw, or the n-th code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fixturekit.infer.strategy_base import PythonRef, Strategy, kwargs_source, lit


@dataclass(frozen=True)
class FakerValue(Strategy):
    """A Faker provider, fitted to a maximum length and letter case when the column needs it."""

    provider: str
    kwargs: tuple[tuple[str, Any], ...] = ()
    max_length: int | None = None
    case: str | None = None  # "lower" | "upper"
    min_length: int | None = None

    def _fit_args(self) -> str:
        args = ""
        if self.min_length is not None:
            args += f", min_length={self.min_length}"
        if self.max_length is not None:
            args += f", max_length={self.max_length}"
        if self.case:
            args += f", case={lit(self.case)}"
        return args

    def value_source(self) -> str:
        return f"fv.fake({lit(self.provider)}{kwargs_source(self.kwargs)}{self._fit_args()})"

    def source(self) -> str:
        from fixturekit.values.providers import PROVIDER_METHODS

        # factory.Faker knows only Faker's own providers; fixturekit's go through fv.fake
        if not self._fit_args() and self.provider not in PROVIDER_METHODS:
            return f"factory.Faker({lit(self.provider)}{kwargs_source(self.kwargs)})"
        return super().source()


@dataclass(frozen=True)
class UniqueFakerValue(FakerValue):
    """A Faker value made unique for each sequence number.

    With `weave` the number is written into the value (`jane.doe12@example.org`), which is
    unique by construction; fixed formats (country codes, IBANs, hashes) cannot take a number,
    so they are drawn again until unseen in this process.
    """

    weave: bool = True
    wrap: bool = False  # when the domain runs out, repeat a value (a get-or-create natural key)

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        how = "unique" if self.weave else "unique_draw"
        wrap = ", wrap=True" if self.wrap else ""
        args = f"{kwargs_source(self.kwargs)}{self._fit_args()}{wrap}"
        return f"fv.{how}({lit(self.provider)}, n{args})"

    def source(self) -> str:
        return f"factory.Sequence(lambda n: {self.value_source()})"


@dataclass(frozen=True)
class Code(Strategy):
    """A short code of fixed or bounded length over an alphabet (`String(3)` with no meaning)."""

    length: int
    alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    is_unique: bool = False
    wrap: bool = False  # start again after the last code (a get-or-create natural key)

    @property
    def unique(self) -> bool:  # type: ignore[override]
        return self.is_unique

    @property
    def capacity(self) -> int:
        return len(self.alphabet) ** self.length

    def value_source(self) -> str:
        alphabet = "" if self.alphabet == Code.alphabet else f", alphabet={lit(self.alphabet)}"
        if self.is_unique:
            wrap = ", wrap=True" if self.wrap else ""
            return f"fv.code(n, {self.length}{alphabet}{wrap})"
        return f"fv.code(None, {self.length}{alphabet})"


@dataclass(frozen=True)
class Matching(Strategy):
    """A string matching a regular expression (anchored), within a maximum length."""

    regex: str
    max_length: int | None = None
    is_unique: bool = False

    @property
    def unique(self) -> bool:  # type: ignore[override]
        return self.is_unique

    def value_source(self) -> str:
        extra = f", max_length={self.max_length}" if self.max_length else ""
        seq = ", n=n" if self.is_unique else ""
        return f"fv.matching({lit(self.regex)}{extra}{seq})"


@dataclass(frozen=True)
class UniqueText(Strategy):
    """A free-text value made unique: a realistic base plus the sequence number."""

    base: Strategy
    max_length: int | None = None

    unique: ClassVar[bool] = True

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.base.python_refs

    def value_source(self) -> str:
        extra = f", max_length={self.max_length}" if self.max_length else ""
        return f"fv.numbered({self.base.value_source()}, n{extra})"
