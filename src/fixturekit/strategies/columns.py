"""The fourth rendering of every value strategy: a Hypothesis search strategy for one column.

The other three renderings (factory_boy source, the runtime declaration, bulk columns) live
beside the strategies and in `fixturekit.values.bulk`; this one is dispatched on the strategy's
class the same way. Every rendering is built from Hypothesis primitives so that examples shrink:

* numbers, dates, times, durations, UUIDs, bytes and codes map onto `st.integers`,
  `st.decimals`, `st.dates`, `st.text(alphabet=...)` and friends, bounded exactly as the
  factories bound them;
* pattern CHECKs become `st.from_regex` over a printable alphabet;
* realistic text (names, emails, cities) is `st.sampled_from` over a pool drawn once from the
  bulk rendering of the same strategy. The pool is sorted shortest first, so shrinking lands on
  a short, real-looking value, and every value already obeys the column's length and case;
* values placed relative to another column of the row (`ends_at > starts_at`) are that column's
  value plus a drawn number of steps, which shrinks to the smallest valid gap.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from hypothesis import strategies as hs

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.schema.model import INTEGER_RANGES, Column, Kind
from fixturekit.values.offsets import resolve as resolve_bound
from fixturekit.values.relative import time_of_seconds

POOL_SIZE = 256
# Characters a pattern may produce: printable ASCII, as the factories' own regex generator uses.
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))

SearchStrategy = hs.SearchStrategy


class NoHypothesisRendering(FixturekitError):
    """A column whose strategy has no Hypothesis form (a user's custom declaration)."""


Draw = Callable[[SearchStrategy], Any]


@dataclass(frozen=True)
class RowDependent:
    """A column whose values depend on other columns of the same row.

    `needs` are the attribute names read from the row; `draw(draw, row)` draws one value once
    they are known (a missing or NULL value means the relation does not bind). Drawing goes
    through strategies built once, not per row: building strategies is what costs in Hypothesis.
    """

    needs: tuple[str, ...]
    draw: Callable[[Draw, Mapping[str, Any]], Any]

    def given(self, row: Mapping[str, Any]) -> SearchStrategy:
        """A search strategy for one known row (for tests and interactive use)."""
        return hs.composite(lambda draw: self.draw(draw, row))()


ColumnStrategy = SearchStrategy | RowDependent


def today() -> dt.date:
    """The anchor of "now"-relative bounds: the start of today, as the factories use."""
    from fixturekit.values import anchor_day

    return anchor_day()


@singledispatch
def column_strategy(strategy: st.Strategy, column: Column | None = None) -> ColumnStrategy:
    """The Hypothesis rendering of `strategy` for `column` (the column gives types and limits)."""
    where = f" for column {column.name!r}" if column is not None else ""
    raise NoHypothesisRendering(
        f"The value strategy {type(strategy).__name__}{where} has no Hypothesis rendering.",
        hint="Pass the column as an override: objects(Model, column=st.just(value)).",
    )


@column_strategy.register
def _(strategy: st.Custom, column: Column | None = None) -> ColumnStrategy:
    name = column.name if column is not None else "?"
    raise NoHypothesisRendering(
        f"Column {name!r} has a custom factory declaration ({strategy.expression}); a "
        "Hypothesis strategy cannot be derived from arbitrary code.",
        hint=f"Pass it as an override: objects(Model, {name}=st.just(...)) or a strategy.",
    )


@column_strategy.register
def _(strategy: st.Literal, column: Column | None = None) -> ColumnStrategy:
    return hs.just(strategy.value)


@column_strategy.register
def _(strategy: st.NullValue, column: Column | None = None) -> ColumnStrategy:
    return hs.none()


@column_strategy.register
def _(strategy: st.Boolean, column: Column | None = None) -> ColumnStrategy:
    return hs.booleans()


@column_strategy.register
def _(strategy: st.IntRange, column: Column | None = None) -> ColumnStrategy:
    return hs.integers(strategy.low, strategy.high)


def _integer_ceiling(column: Column | None) -> int:
    if column is not None and column.kind in INTEGER_RANGES:
        return INTEGER_RANGES[column.kind][1]
    return INTEGER_RANGES[Kind.INTEGER][1]


@column_strategy.register
def _(strategy: st.SequenceInt, column: Column | None = None) -> ColumnStrategy:
    high = strategy.maximum if strategy.maximum is not None else _integer_ceiling(column)
    return hs.integers(strategy.start, high)


@column_strategy.register
def _(strategy: st.DecimalRange, column: Column | None = None) -> ColumnStrategy:
    return hs.decimals(
        strategy.low,
        strategy.high,
        places=strategy.places,
        allow_nan=False,
        allow_infinity=False,
    )


@column_strategy.register
def _(strategy: st.FloatRange, column: Column | None = None) -> ColumnStrategy:
    return hs.floats(strategy.low, strategy.high, allow_nan=False, allow_infinity=False)


def _choices(strategy: st.Choice) -> list[Any]:
    if strategy.enum_class is not None:
        enum_class = st.resolve_ref(strategy.enum_class)
        if strategy.values:
            return [enum_class[v] for v in strategy.values]
        return list(enum_class)
    return list(strategy.values)


@column_strategy.register
def _(strategy: st.Choice, column: Column | None = None) -> ColumnStrategy:
    # Weights describe realistic populations; a property test wants every value equally.
    return hs.sampled_from(_choices(strategy))


@column_strategy.register
def _(strategy: st.Code, column: Column | None = None) -> ColumnStrategy:
    return hs.text(alphabet=strategy.alphabet, min_size=strategy.length, max_size=strategy.length)


def _date_bound(bound: Any) -> dt.datetime:
    return resolve_bound(bound, today())


@column_strategy.register
def _(strategy: st.DateRange, column: Column | None = None) -> ColumnStrategy:
    low, high = _date_bound(strategy.start).date(), _date_bound(strategy.end).date()
    return hs.dates(min(low, high), max(low, high))


def _aware(timezone: bool) -> Callable[[dt.datetime], dt.datetime]:
    return (lambda v: v.replace(tzinfo=dt.UTC)) if timezone else (lambda v: v)


@column_strategy.register
def _(strategy: st.DateTimeRange, column: Column | None = None) -> ColumnStrategy:
    low, high = _date_bound(strategy.start), _date_bound(strategy.end)
    low, high = min(low, high), max(low, high)
    # Whole seconds: what every supported database keeps, so a value reads back equal.
    seconds = int((high - low).total_seconds())
    return hs.integers(0, seconds).map(
        lambda s: _aware(strategy.timezone)(low + dt.timedelta(seconds=s))
    )


@column_strategy.register
def _(strategy: st.SequenceDate, column: Column | None = None) -> ColumnStrategy:
    try:
        start = dt.datetime.fromisoformat(strategy.start)
    except ValueError:  # "today" or an offset, as inference writes it
        start = _date_bound(strategy.start)
    step = dt.timedelta(seconds=strategy.step_seconds)

    def nth(n: int) -> Any:
        value = start - n * step
        if not strategy.with_time:
            return value.date()
        return _aware(strategy.timezone)(value.replace(tzinfo=None))

    return hs.integers(0, 100_000).map(nth)


@column_strategy.register
def _(strategy: st.TimeOfDay, column: Column | None = None) -> ColumnStrategy:
    return hs.integers(strategy.low, strategy.high).map(time_of_seconds)


@column_strategy.register
def _(strategy: st.Duration, column: Column | None = None) -> ColumnStrategy:
    # A minute at least, as the factories draw it: a zero interval is rarely a realistic one.
    low, high = strategy.low, max(strategy.low, strategy.high_seconds)
    return hs.integers(low, high).map(lambda s: dt.timedelta(seconds=s))


@column_strategy.register
def _(strategy: st.DjangoPassword, column: Column | None = None) -> ColumnStrategy:
    from fixturekit import values as fv

    # The hash is made when drawn, once per text: Django's settings pick the hasher.
    return hs.just(strategy.raw).map(fv.django_password)


@column_strategy.register
def _(strategy: st.UuidValue, column: Column | None = None) -> ColumnStrategy:
    values = hs.uuids(version=4)
    return values.map(str) if strategy.as_string else values


@functools.cache
def _words() -> list[str]:
    from fixturekit.values.pools import words

    vocabulary = sorted({str(w) for w in words().values.tolist() if str(w).isalpha()})
    return sorted(vocabulary, key=len)[:200]


def _word() -> SearchStrategy:
    return hs.sampled_from(_words())


def _sentence() -> SearchStrategy:
    return hs.lists(_word(), min_size=4, max_size=4).map(lambda w: " ".join(w).capitalize() + ".")


@column_strategy.register
def _(strategy: st.JsonDocument, column: Column | None = None) -> ColumnStrategy:
    # The factories' document shape, with every value drawn by Hypothesis.
    if strategy.strings_only:
        return hs.fixed_dictionaries({"source": _word(), "label": _word(), "note": _sentence()})
    if strategy.array:
        return hs.lists(column_strategy(st.JsonDocument()), min_size=1, max_size=3)
    return hs.fixed_dictionaries(
        {
            "source": _word(),
            "score": hs.integers(0, 100),
            "active": hs.booleans(),
            "tags": hs.lists(_word(), max_size=3),
            "note": _sentence(),
        }
    )


@column_strategy.register
def _(strategy: st.BinaryValue, column: Column | None = None) -> ColumnStrategy:
    return hs.binary(min_size=strategy.length, max_size=strategy.length)


@column_strategy.register
def _(strategy: st.NetworkAddress, column: Column | None = None) -> ColumnStrategy:
    if strategy.form == "mac":
        octets = hs.lists(hs.integers(0, 255), min_size=6, max_size=6)
        return octets.map(lambda o: ":".join(f"{b:02x}" for b in o))
    if strategy.form == "cidr":
        return hs.tuples(hs.integers(0, 2**24 - 1), hs.integers(8, 24)).map(_network)
    return hs.ip_addresses(v=4).map(str)


def _network(parts: tuple[int, int]) -> str:
    import ipaddress

    address, prefix = parts
    network = ipaddress.ip_network((address << 8, prefix), strict=False)
    return str(network)


@column_strategy.register
def _(strategy: st.Matching, column: Column | None = None) -> ColumnStrategy:
    regex = strategy.regex
    if strategy.max_length:
        regex = bounded_repeats(regex, strategy.max_length)
    values = hs.from_regex(regex, fullmatch=True, alphabet=PRINTABLE)
    if strategy.max_length:
        limit = strategy.max_length
        values = values.filter(lambda v: len(v) <= limit)
    return values


def bounded_repeats(regex: str, limit: int) -> str:
    """`regex` with every open-ended repeat (`*`, `+`, `{m,}`) capped at `limit` repeats.

    A pattern CHECK on a VARCHAR(n) never needs more than n repeats; without the cap Hypothesis
    draws long strings that the length filter then throws away.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if regex[i + 1 : i + 2] == "]" or regex[i + 1 : i + 3] == "^]":
                out.append(regex[i : i + 2 + (regex[i + 1] == "^")])
                i += 2 + (regex[i + 1] == "^")
                continue
        elif char == "*":
            char = f"{{0,{limit}}}"
        elif char == "+" and out and not out[-1].endswith(("*", "+", "?", "}")):
            char = f"{{1,{limit}}}"
        elif char == "{":
            close = regex.find("}", i)
            body = regex[i + 1 : close] if close > 0 else ""
            if body.endswith(",") and body[:-1].isdigit():
                low = int(body[:-1])
                out.append(f"{{{low},{max(low, limit)}}}")
                i = close + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


@column_strategy.register
def _(strategy: st.ArrayOf, column: Column | None = None) -> ColumnStrategy:
    item_column = None
    if column is not None and column.type.item is not None:
        item_column = Column(column.name, column.type.item, nullable=False)
    item = column_strategy(strategy.item, item_column)
    if isinstance(item, RowDependent):
        raise NoHypothesisRendering(f"array items of {column.name if column else '?'} need a row")
    return hs.lists(item, min_size=strategy.min_items, max_size=strategy.max_items)


@column_strategy.register
def _(strategy: st.FakerValue, column: Column | None = None) -> ColumnStrategy:
    return hs.sampled_from(provider_pool(strategy, column))


@column_strategy.register
def _(strategy: st.UniqueText, column: Column | None = None) -> ColumnStrategy:
    # The pool holds distinct numbered values already: uniqueness within an example is kept by
    # the row strategies, which draw again when a value repeats.
    return hs.sampled_from(provider_pool(strategy, column))


def provider_pool(strategy: st.Strategy, column: Column | None) -> list[Any]:
    """Realistic values of `strategy`, from its bulk rendering, shortest first."""
    return list(_pool(strategy, column))


@functools.lru_cache(maxsize=512)
def _pool(strategy: st.Strategy, column: Column | None) -> tuple[Any, ...]:
    from fixturekit.values.bulk import BulkContext, bulk_values
    from fixturekit.values.pools import stable_hash

    ctx = BulkContext(
        seed=stable_hash("hypothesis", repr(strategy)),
        table="hypothesis",
        column=column,
        today=today(),
    )
    values = _python(bulk_values(strategy, POOL_SIZE, ctx))
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    if not distinct:
        raise NoHypothesisRendering(f"{strategy!r} produced no values to sample from")
    return tuple(sorted(distinct, key=lambda v: (len(str(v)), str(v))))


def _python(values: Any) -> list[Any]:
    from fixturekit.values.bulk import Decimals

    if isinstance(values, Decimals):
        return values.tolist()
    tolist = getattr(values, "tolist", None)
    return tolist() if tolist is not None else list(values)


# Sequence-numbered strategies draw their number from Hypothesis: small numbers shrink first.
@column_strategy.register
def _(strategy: st.UniqueFakerValue, column: Column | None = None) -> ColumnStrategy:
    return hs.sampled_from(provider_pool(strategy, column))


@column_strategy.register
def _(strategy: st.UniqueChoice, column: Column | None = None) -> ColumnStrategy:
    return hs.sampled_from(_choices(strategy))


def nullable(values: ColumnStrategy) -> ColumnStrategy:
    """NULL or a value; NULL first, so a failure shrinks to the row with fewest values set."""
    if isinstance(values, RowDependent):
        inner = values

        def draw_value(draw: Draw, row: Mapping[str, Any]) -> Any:
            return None if draw(_NULL) else inner.draw(draw, row)

        return RowDependent(inner.needs, draw_value)
    return hs.none() | values


_NULL = hs.booleans().map(lambda b: not b)  # shrinks to True: NULL


@column_strategy.register
def _(strategy: st.PersonName, column: Column | None = None) -> ColumnStrategy:
    from fixturekit.values.people import name_pairs

    first, last = (sorted(v.tolist(), key=len) for v in name_pairs())
    limit = strategy.max_length
    parts = {"first": hs.sampled_from(first), "last": hs.sampled_from(last)}
    values = parts.get(strategy.part)
    if values is None:  # the full name: a first and a last name
        values = hs.tuples(parts["first"], parts["last"]).map(" ".join)
    return values.map(lambda v: v[:limit] if limit else v)


_DOMAINS = hs.sampled_from(["gmail.com", "yahoo.com", "hotmail.com"])


@column_strategy.register
def _(strategy: st.PersonDerived, column: Column | None = None) -> ColumnStrategy:
    from fixturekit.values import people

    def draw_value(draw: Draw, row: Mapping[str, Any]) -> Any:
        first = row.get(strategy.first) if strategy.first else None
        last = row.get(strategy.last) if strategy.last else None
        if strategy.full and not (first or last):
            first, last = people.split_full(str(row.get(strategy.full) or ""))
        domain = draw(_DOMAINS) if strategy.part == "email" else ""
        value = people.natural(strategy.part, str(first or ""), str(last or ""), domain)
        # a second person of the same name in one example: the row strategies draw the
        # names again rather than number the value
        return people._fit(value, strategy.part, strategy.max_length, None)

    return RowDependent(strategy.sources, draw_value)


@column_strategy.register
def _(strategy: st.AddressPart, column: Column | None = None) -> ColumnStrategy:
    from fixturekit.values import places

    limit = strategy.max_length
    if strategy.part == "country":
        return hs.just(places.country(strategy.form, limit))
    digits = places.regions().digits

    def draw_value(draw: Draw, row: Mapping[str, Any]) -> Any:
        region = row.get(strategy.region) if strategy.region else None
        low, high = places.regions().bounds([region])
        if low[0] < 0:  # a region the locale does not know: any postcode of the locale
            low[0], high[0] = 10 ** (digits - 1), 10**digits - 1
        value = str(draw(hs.integers(int(low[0]), int(high[0])))).zfill(digits)
        return value[:limit] if limit else value

    return RowDependent(strategy.sources, draw_value)


@column_strategy.register
def _(strategy: st.CompanyDerived, column: Column | None = None) -> ColumnStrategy:
    from fixturekit.values import companies

    mailboxes = hs.sampled_from(companies.MAILBOXES)

    def draw_value(draw: Draw, row: Mapping[str, Any]) -> Any:
        domain = companies.domain_of(row.get(strategy.name))
        value = companies.derive(strategy.part, domain, draw(mailboxes))
        return companies.fit(value, strategy.part, strategy.max_length)

    return RowDependent(strategy.sources, draw_value)


# Values placed relative to (or derived from) another column of the row: registered there.
from fixturekit.strategies import row_values  # noqa: E402, F401


@column_strategy.register
def _(strategy: st.PolymorphicKey, column: Column | None = None) -> ColumnStrategy:
    # A factory makes the selected table's row for this key; a Hypothesis object has no
    # factory, so the column gets what its type alone gives it (as generic references do).
    if column is None:
        return hs.integers(min_value=1, max_value=2**31 - 1)
    from fixturekit.infer.rules import InferenceOptions, infer_column

    plain = infer_column(column, options=InferenceOptions(factory_object=False)).strategy
    return hs.none() if plain is None else column_strategy(plain, column)


# Files in a Django storage: content the ORM writes on save, registered there.
from fixturekit.strategies import files  # noqa: E402, F401
