"""Strategies for column types whose values have a shape of their own: UUIDs, JSON documents,
bytes, network addresses, arrays of another strategy, and Django password hashes.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixturekit.infer.strategy_base import PythonRef, Strategy, lit


@dataclass(frozen=True)
class DjangoPassword(Strategy):
    """A Django password hash, as `set_password` stores it, of a known text (`raw`)."""

    raw: str = "password"

    def value_source(self) -> str:
        return f"fv.django_password({lit(self.raw)})"


@dataclass(frozen=True)
class UuidValue(Strategy):
    as_string: bool = False

    def value_source(self) -> str:
        return "str(uuid.uuid4())" if self.as_string else "uuid.uuid4()"

    def source(self) -> str:
        if self.as_string:
            return 'factory.Faker("uuid4")'
        return 'factory.Faker("uuid4", cast_to=None)'


@dataclass(frozen=True)
class JsonDocument(Strategy):
    strings_only: bool = False  # hstore: every value a string
    array: bool = False  # a JSON array of such objects (a MutableList column)

    def value_source(self) -> str:
        if self.array:
            return "fv.json_array()"
        return "fv.json_document(strings_only=True)" if self.strings_only else "fv.json_document()"


@dataclass(frozen=True)
class BinaryValue(Strategy):
    length: int = 16

    def value_source(self) -> str:
        return f"fv.binary({self.length})"

    def source(self) -> str:
        return f'factory.Faker("binary", length={self.length})'


@dataclass(frozen=True)
class NetworkAddress(Strategy):
    """An IPv4 address (`inet`), network (`cidr`) or MAC address (`mac`)."""

    form: str = "inet"

    def value_source(self) -> str:
        return f"fv.network_address({lit(self.form)})"

    def source(self) -> str:
        if self.form == "inet":
            return 'factory.Faker("ipv4")'
        if self.form == "mac":
            return 'factory.Faker("mac_address")'
        return super().source()


@dataclass(frozen=True)
class ArrayOf(Strategy):
    item: Strategy
    min_items: int = 0
    max_items: int = 3

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.item.python_refs

    def value_source(self) -> str:
        return (
            f"[{self.item.value_source()} for _ in "
            f"range(fv.integer({self.min_items}, {self.max_items}))]"
        )
