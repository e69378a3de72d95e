"""Strategies that exist only as a factory_boy declaration, with no one-value form: a
declaration the user wrote in configuration, and a polymorphic key, which names the generated
module's factories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fixturekit.infer.strategy_base import Strategy, lit


@dataclass(frozen=True)
class Custom(Strategy):
    """A factory_boy declaration written by the user (configuration overrides)."""

    expression: str

    def value_source(self) -> str:
        raise NotImplementedError("a custom declaration has no one-value form")

    def source(self) -> str:
        return self.expression


@dataclass(frozen=True)
class PolymorphicKey(Strategy):
    """The id half of a polymorphic association (a discriminator plus an id, no foreign key):
    the key of a new row of the table the row's discriminator selects, made by that table's
    factory. `choices` holds (discriminator value, factory class name, key attribute)."""

    selector: str  # the discriminator's attribute
    choices: tuple[tuple[Any, str, str], ...]

    def value_source(self) -> str:
        raise NotImplementedError("a polymorphic key is a row's key, made per row")

    def source(self) -> str:
        pairs = ", ".join(
            f'{lit(value)}: (f"{{__name__}}.{factory}", {lit(attribute)})'
            for value, factory, attribute in self.choices
        )
        return f"fv.polymorphic_key({lit(self.selector)}, {{{pairs}}})"

    def declaration(self) -> Any:
        # the factories it names are the generated module's: there is no stand-alone form
        raise NotImplementedError("a polymorphic key names the generated module's factories")
