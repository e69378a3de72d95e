"""Strategies for columns that follow other columns of their row: an address's postcode and
country (its region, its locale), a company's domain, website and email (its name). Part of the
vocabulary of `fixturekit.infer.strategies` (`st.AddressPart`, `st.CompanyDerived`); the pass
that assigns them is `fixturekit.infer.entities`."""

from __future__ import annotations

from dataclasses import dataclass

from fixturekit.infer.strategy_base import Strategy, lit


@dataclass(frozen=True)
class AddressPart(Strategy):
    """A column of the row's address that must agree with the rest of it: the `postcode` of the
    region in attribute `region` (a ZIP code of the row's US state), or the locale's `country`
    (`form`: "name", "alpha-2" or "alpha-3")."""

    part: str  # "postcode" | "country"
    region: str | None = None
    form: str = "name"
    max_length: int | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.region,) if self.region else ()

    def _args(self) -> str:
        args = f", form={lit(self.form)}" if self.part == "country" else ""
        return args + (f", max_length={self.max_length}" if self.max_length else "")

    def value_source(self) -> str:
        if self.region:
            raise NotImplementedError("a postcode of the row's region needs the row; use source()")
        return f"fv.address({lit(self.part)}, None{self._args()})"

    def source(self) -> str:
        if not self.region:
            return super().source()
        call = f"fv.address({lit(self.part)}, o.{self.region}{self._args()})"
        return f"factory.LazyAttribute(lambda o: {call})"


@dataclass(frozen=True)
class CompanyDerived(Strategy):
    """A column of the row's company, built from the company's name in attribute `name`: its
    `domain` (`booker-ayers-nelson.com`), `website` (`https://www.booker-ayers-nelson.com`) or
    an `email` at that domain (`info@booker-ayers-nelson.com`)."""

    part: str  # "domain" | "website" | "email"
    name: str = "name"
    max_length: int | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.name,)

    def value_source(self) -> str:
        raise NotImplementedError("a company's column needs the row; use source()")

    def source(self) -> str:
        fit = f", max_length={self.max_length}" if self.max_length else ""
        return f"factory.LazyAttribute(lambda o: fv.company({lit(self.part)}, o.{self.name}{fit}))"
