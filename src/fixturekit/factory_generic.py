"""The declaration behind `fv.polymorphic_key`: a polymorphic association's id, made real.

A table that points at one of several tables with a discriminator column and an id column,
with no foreign key (`and_(Task.discriminator == "crontab", foreign(Task.schedule_id) ==
Crontab.id)` in one relationship per target), gets a discriminator drawn from its literals and
an id that is the key of a new row of the table the discriminator selects, created by that
table's factory in the same session (built, not saved, when the row is only built). A value
the mapping does not list, or a discriminator set to None, leaves the id None.
"""

from __future__ import annotations

from typing import Any

from factory import enums
from factory.declarations import BaseDeclaration, _FactoryWrapper


class PolymorphicKey(BaseDeclaration):
    def __init__(self, selector: str, choices: dict[Any, tuple[str, str]]) -> None:
        super().__init__()
        self.selector = selector
        self.choices = {
            value: (_FactoryWrapper(path), key) for value, (path, key) in choices.items()
        }

    def evaluate(self, instance: Any, step: Any, extra: dict[str, Any]) -> Any:
        chosen = self.choices.get(getattr(instance, self.selector, None))
        if chosen is None:
            return None
        wrapper, key = chosen
        parent = step.recurse(wrapper.get(), extra)
        if step.builder.strategy != enums.CREATE_STRATEGY:
            return getattr(parent, key, None)
        return getattr(parent, key)


def polymorphic_key(selector: str, choices: dict[Any, tuple[str, str]]) -> PolymorphicKey:
    return PolymorphicKey(selector, choices)
