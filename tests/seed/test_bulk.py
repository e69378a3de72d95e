"""The bulk rendering of every strategy: it exists, and its values obey the same constraints as
the one-value rendering (length, range, pattern, uniqueness), across chunks and at scale."""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
import ipaddress
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from fixturekit import values as fv
from fixturekit.infer import strategies as st
from fixturekit.schema.model import Column, ColumnType, Kind, PythonRef
from fixturekit.seed.distributions import Fixed, Segments, Shaped, WithNulls
from fixturekit.values.bulk import BulkContext, Decimals, bulk_values
from fixturekit.values.distinct import numbered

TODAY = dt.date(2025, 6, 1)
D = decimal.Decimal


def column(kind: Kind, **facets: Any) -> Column:
    return Column("value", ColumnType(kind, **facets), nullable=False)


def python_values(values: Any) -> list[Any]:
    """Bulk output as plain Python values, whatever its representation."""
    if isinstance(values, Decimals):
        return values.tolist()
    array = np.asarray(values)
    if array.dtype.kind == "M":
        unit = np.datetime_data(array.dtype)[0]
        return array.astype("datetime64[s]" if unit != "D" else "datetime64[D]").tolist()
    if array.dtype.kind == "m":
        return array.astype("timedelta64[s]").tolist()
    return array.tolist()


def in_range(low: Any, high: Any) -> Callable[[Any], bool]:
    return lambda v: low <= v <= high


def places(n: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, D) and -v.as_tuple().exponent == n


def uuid_text(v: Any) -> bool:
    return isinstance(v, (str, uuid.UUID)) and uuid.UUID(str(v)).version == 4


def matches(regex: str) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and re.fullmatch(regex, v) is not None


def shorter(n: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= n


class Example:
    """A strategy, the column it fills, the check every value must pass, and whether the
    values must all differ. `one` is False where a strategy has no one-value form (it needs
    its row, or is seed-only)."""

    def __init__(
        self,
        strategy: st.Strategy,
        col: Column,
        check: Callable[[Any], bool],
        unique: bool = False,
        one: bool = True,
        others: dict | None = None,
    ) -> None:
        self.strategy, self.column, self.check = strategy, col, check
        self.unique, self.one, self.others = unique, one, others or {}


STRING = column(Kind.STRING, length=40)
ENUM = column(
    Kind.ENUM,
    enum_values=("free", "pro"),
    enum_members=("FREE", "PRO"),
    enum_class=PythonRef("tests_enum", "Plan"),
)
N = 3000
SECOND = 10_500  # a second chunk ends here: unique examples hold at least this many values
before = np.datetime64("2025-01-01T00:00:00") + np.arange(N).astype("timedelta64[h]")

EXAMPLES: dict[type, list[Example]] = {
    st.FakerValue: [
        Example(st.FakerValue("name", max_length=12), STRING, shorter(12)),
        Example(st.FakerValue("email"), STRING, matches(r"[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]+")),
        Example(st.FakerValue("phone_number", max_length=20), STRING, shorter(20)),
        Example(st.FakerValue("country_code", case="lower"), STRING, matches(r"[a-z]{2}")),
        Example(
            st.FakerValue("word", min_length=6, max_length=9), STRING, lambda v: 6 <= len(v) <= 9
        ),
        Example(st.FakerValue("iban"), STRING, matches(r"[A-Z]{2}\d{2}[A-Z0-9]+")),
    ],
    st.UniqueFakerValue: [
        Example(
            st.UniqueFakerValue("email", max_length=24),
            STRING,
            lambda v: len(v) <= 24 and v.count("@") == 1,
            unique=True,
        ),
        Example(
            st.UniqueFakerValue("user_name", case="lower"),
            STRING,
            lambda v: v == v.lower(),
            unique=True,
        ),
        Example(
            st.UniqueFakerValue("bothify", (("letters", "ABC"), ("text", "??-####")), weave=False),
            STRING,
            matches(r"[ABC]{2}-\d{4}"),
            unique=True,
        ),
        Example(
            st.UniqueFakerValue("sha256", weave=False),
            STRING,
            matches(r"[0-9a-f]{64}"),
            unique=True,
        ),
        Example(
            st.UniqueFakerValue("phone_number", weave=False),
            STRING,
            matches(r"[0-9x().+-]{10,}"),
            unique=True,
        ),
    ],
    st.Code: [
        Example(st.Code(3), STRING, matches(r"[A-Z]{3}")),
        Example(st.Code(6, "abc123", True), STRING, matches(r"[abc123]{6}"), unique=True),
    ],
    st.SequenceInt: [
        Example(
            st.SequenceInt(10, SECOND + 10),
            column(Kind.INTEGER),
            in_range(10, SECOND + 10),
            unique=True,
        )
    ],
    st.IntRange: [Example(st.IntRange(-5, 5), column(Kind.INTEGER), in_range(-5, 5))],
    st.DecimalRange: [
        Example(
            st.DecimalRange(D("0.01"), D("999.99"), 2),
            column(Kind.NUMERIC, precision=5, scale=2),
            lambda v: places(2)(v) and D("0.01") <= v <= D("999.99"),
        ),
        Example(
            st.DecimalRange(D("-1.5"), D("1.5"), 3),
            column(Kind.NUMERIC, scale=3),
            lambda v: places(3)(v) and -D("1.5") <= v <= D("1.5"),
        ),
    ],
    st.FloatRange: [Example(st.FloatRange(0.5, 2.5), column(Kind.FLOAT), in_range(0.5, 2.5))],
    st.Choice: [
        Example(st.Choice(("a", "b", "c"), weights=(8, 1, 1)), STRING, lambda v: v in "abc"),
        Example(
            st.Choice((), PythonRef("fixturekit.schema.model", "Kind")),
            STRING,
            lambda v: v in Kind.__members__,
            one=False,
        ),
    ],
    st.UniqueChoice: [
        Example(
            st.UniqueChoice(tuple(range(SECOND))),
            column(Kind.INTEGER),
            in_range(0, SECOND - 1),
            unique=True,
        )
    ],
    st.Literal: [Example(st.Literal("fixed"), STRING, lambda v: v == "fixed")],
    st.Boolean: [Example(st.Boolean(0.9), column(Kind.BOOLEAN), lambda v: isinstance(v, bool))],
    st.DateRange: [
        Example(
            st.DateRange("2020-01-01", "2020-12-31"),
            column(Kind.DATE),
            in_range(dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
        )
    ],
    st.DateTimeRange: [
        Example(
            st.DateTimeRange("2021-03-01", "2021-03-02"),
            column(Kind.DATETIME),
            lambda v: dt.datetime(2021, 3, 1) <= v.replace(tzinfo=None) <= dt.datetime(2021, 3, 2),
        )
    ],
    st.TimeOfDay: [Example(st.TimeOfDay(), column(Kind.TIME), lambda v: isinstance(v, dt.time))],
    st.Duration: [
        Example(
            st.Duration(2),
            column(Kind.INTERVAL),
            in_range(dt.timedelta(seconds=60), dt.timedelta(days=2)),
        )
    ],
    st.UuidValue: [Example(st.UuidValue(), column(Kind.UUID), uuid_text, unique=True)],
    st.JsonDocument: [
        Example(
            st.JsonDocument(),
            column(Kind.JSON),
            lambda v: (
                set(json.loads(v) if isinstance(v, str) else v)
                == {"source", "score", "active", "tags", "note"}
            ),
        )
    ],
    st.BinaryValue: [
        Example(
            st.BinaryValue(8), column(Kind.BINARY), lambda v: isinstance(v, bytes) and len(v) == 8
        )
    ],
    st.NetworkAddress: [
        Example(
            st.NetworkAddress("inet"),
            column(Kind.INET),
            lambda v: ipaddress.ip_address(v).version == 4,
        ),
        Example(
            st.NetworkAddress("cidr"),
            column(Kind.CIDR),
            lambda v: ipaddress.ip_network(v, strict=True).version == 4,
        ),
        Example(
            st.NetworkAddress("mac"), column(Kind.MACADDR), matches(r"([0-9a-f]{2}:){5}[0-9a-f]{2}")
        ),
    ],
    st.Matching: [
        Example(st.Matching(r"^[A-Z]{3}-\d{3}$"), STRING, matches(r"[A-Z]{3}-\d{3}")),
        Example(
            st.Matching(r"^TR-[A-Za-z0-9]{4,8}$", 10, True),
            STRING,
            lambda v: matches(r"TR-[A-Za-z0-9]{4,8}")(v) and len(v) <= 10,
            unique=True,
        ),
    ],
    st.UniqueText: [
        Example(st.UniqueText(st.FakerValue("company"), 14), STRING, shorter(14), unique=True)
    ],
    st.ArrayOf: [
        Example(
            st.ArrayOf(st.IntRange(1, 3), 1, 4),
            column(Kind.ARRAY, item=ColumnType(Kind.INTEGER)),
            lambda v: 1 <= len(v) <= 4 and all(1 <= i <= 3 for i in v),
        )
    ],
    st.Relative: [
        Example(
            st.Relative("before", ">", st.DateTimeRange()),
            column(Kind.DATETIME),
            lambda v: v is not None,
            one=False,
            others={"before": before},
        )
    ],
    st.FromColumn: [
        Example(
            st.FromColumn("name", "slugify", 10),
            STRING,
            matches(r"[a-z0-9-]{1,10}"),
            one=False,
            others={"name": np.array(["Jane Doe Smith"] * N, dtype=object)},
        )
    ],
    st.NullValue: [Example(st.NullValue(), STRING, lambda v: v is None)],
    st.SequenceDate: [
        Example(
            st.SequenceDate("2024-05-01", 86400),
            column(Kind.DATE),
            lambda v: v <= dt.date(2024, 5, 1),
            unique=True,
        )
    ],
    st.PersonName: [
        Example(st.PersonName("first", pairs=True), STRING, lambda v: v.isalpha(), unique=False),
        Example(st.PersonName("full", max_length=20), STRING, shorter(20)),
    ],
    st.PersonDerived: [
        Example(
            st.PersonDerived("email", first="first", last="last", is_unique=True, key="t.e"),
            STRING,
            matches(r"jane\.doe(_\d+)?@[a-z0-9.-]+\.[a-z]+"),
            unique=True,
            one=False,
            others={
                "first": np.array(["Jane"] * SECOND, dtype=object),
                "last": np.array(["Doe"] * SECOND, dtype=object),
            },
        ),
        Example(
            st.PersonDerived("display", full="full", max_length=12),
            STRING,
            lambda v: v in ("Jane D.",),
            one=False,
            others={"full": np.array(["Dr. Jane Doe"] * SECOND, dtype=object)},
        ),
    ],
    st.AddressPart: [
        Example(
            st.AddressPart("postcode", region="state"),
            STRING,
            lambda v: re.fullmatch(r"\d{5}", v) is not None and 90001 <= int(v) <= 96162,
            one=False,
            others={"state": np.array(["CA", "California"] * (SECOND // 2), dtype=object)},
        ),
        Example(st.AddressPart("postcode"), STRING, matches(r"\d{5}")),
        Example(st.AddressPart("country", form="alpha-3"), STRING, lambda v: v == "USA"),
        Example(st.AddressPart("country"), STRING, lambda v: v == "United States"),
    ],
    st.CompanyDerived: [
        Example(
            st.CompanyDerived("website", name="company"),
            STRING,
            lambda v: v == "https://www.booker-ayers-nelson.com",
            one=False,
            others={"company": np.array(["Booker, Ayers and Nelson"] * SECOND, dtype=object)},
        ),
        Example(
            st.CompanyDerived("email", name="company", max_length=16),
            STRING,
            lambda v: re.fullmatch(r"[a-z]+@[a-z]+\.com", v) is not None and len(v) <= 16,
            one=False,
            others={"company": np.array(["Holloway Ltd"] * SECOND, dtype=object)},
        ),
    ],
    st.Custom: [
        Example(
            st.Custom("factory.Sequence(lambda n: f'row-{n}')"),
            STRING,
            matches(r"row-\d+"),
            unique=True,
            one=False,
        )
    ],
}
SEED_ONLY: dict[type, list[Example]] = {
    Shaped: [
        Example(
            Shaped("lognormal", 25.0, 0.8, 1.0, 500.0, 2),
            column(Kind.NUMERIC, scale=2),
            lambda v: D(1) <= v <= D(500),
            one=False,
        )
    ],
    WithNulls: [
        Example(
            WithNulls(st.IntRange(1, 2), 0.5),
            column(Kind.INTEGER),
            lambda v: v is None or v in (1, 2),
            one=False,
        )
    ],
    Fixed: [
        Example(
            Fixed(("x", Fixed.MISSING) * (N // 2), st.Literal("y")),
            STRING,
            lambda v: v in ("x", "y"),
            one=False,
        )
    ],
    Segments: [
        Example(
            Segments((("manager", 10),), "employee"),
            STRING,
            lambda v: v in ("manager", "employee"),
            one=False,
        )
    ],
}


# The modules whose strategies `st` gathers (coherent's are not among them: their examples are
# above, but this check has never covered them).
STRATEGY_MODULES = tuple(
    f"fixturekit.infer.{name}"
    for name in (
        "strategy_base",
        "text_strategies",
        "number_strategies",
        "choice_strategies",
        "type_strategies",
        "person_strategies",
        "declaration_strategies",
        "temporal",
    )
)


def strategy_classes() -> list[type]:
    return [
        obj
        for _name, obj in inspect.getmembers(st, inspect.isclass)
        if issubclass(obj, st.Strategy)
        and obj is not st.Strategy
        and obj.__module__ in STRATEGY_MODULES
    ]


# Strategies whose bulk rendering needs a configured framework, rendered in a child process
# by the test named here.
TESTED_ELSEWHERE = {
    st.DjangoPassword: "tests/readers/test_django_rules.py::"
    "test_seeded_users_log_in_with_the_default_password",
    # factories only (seeding keeps the generic form): a key per row, made by a factory
    st.PolymorphicKey: "tests/generate/test_real_schemas.py::"
    "test_scalar_defaults_and_polymorphic_reference",
}


def render(example: Example, count: int = N, start: int = 0, seed: int = 7) -> list[Any]:
    others = {name: values[:count] for name, values in example.others.items()}
    ctx = BulkContext(
        seed=seed, table="t", column=example.column, start=start, today=TODAY, columns=others
    )
    values = bulk_values(example.strategy, count, ctx)
    assert len(values) == count
    return python_values(values)


def test_every_strategy_class_has_a_bulk_rendering_and_an_example():
    base = bulk_values.dispatch(object)
    for cls in strategy_classes() + list(SEED_ONLY):
        assert bulk_values.dispatch(cls) is not base, f"{cls.__name__} has no bulk rendering"
        known = cls in EXAMPLES or cls in SEED_ONLY or cls in TESTED_ELSEWHERE
        assert known, f"{cls.__name__} has no example here"


def all_examples() -> list[Example]:
    return [e for examples in (*EXAMPLES.values(), *SEED_ONLY.values()) for e in examples]


@pytest.mark.parametrize(
    "example", all_examples(), ids=lambda e: re.sub(r" at 0x[0-9a-f]+", "", repr(e.strategy))[:60]
)
def test_bulk_values_obey_the_constraints_of_one_values(example: Example):
    values = render(example) + render(example, 500, start=SECOND - 500)
    bad = [v for v in values if not example.check(v)]
    assert not bad, f"bulk values failing the check: {bad[:5]}"
    if example.unique:
        assert len(set(map(str, values))) == len(values), "bulk values repeat"
    if example.one:
        one = [example.strategy.one(n) for n in range(40)]
        if isinstance(example.strategy, st.Choice) and example.column.kind is Kind.ENUM:
            one = [m.name for m in one]
        bad = [v for v in one if not example.check(v)]
        assert not bad, f"one-value rendering fails the same check: {bad[:5]}"


def test_enum_members_become_the_columns_labels():
    strategy = st.Choice(("PRO",), PythonRef("fixturekit.schema.model", "Kind"))
    ctx = BulkContext(column=ENUM)
    assert set(python_values(bulk_values(strategy, 50, ctx))) == {"pro"}


def test_values_are_deterministic_per_seed_table_column_and_chunk():
    example = EXAMPLES[st.FakerValue][1]
    assert render(example) == render(example)
    assert render(example) != render(example, seed=8)
    other_column = Example(example.strategy, Column("other", STRING.type), example.check)
    assert render(example) != render(other_column)


def test_unique_emails_at_ten_million_rows_come_from_row_numbers():
    # Rows spread over 10 million row numbers: distinct whatever names and domains repeat.
    strategy = st.UniqueFakerValue("email", max_length=40)
    rng = np.random.default_rng(3)
    seen: set[str] = set()
    total = 0
    for start in sorted(rng.choice(10_000_000 - 2_000, 40, replace=False).tolist()):
        ctx = BulkContext(seed=1, table="users", column=STRING, start=start)
        chunk = bulk_values(strategy, 2_000, ctx).tolist()
        seen.update(chunk)
        total += len(chunk)
        assert all(len(v) <= 40 for v in chunk)
    assert len(seen) == total


def test_numbered_keeps_the_row_number_as_the_trailing_digits():
    bases = np.array(["a1", "a", "a12", "x-9", "9", "", "jane.doe@x.org", "long" * 9], dtype=object)
    for n in ([1, 21, 2, 9, 99, 0, 5, 123456], [12, 1, 21, 90, 9, 100, 55, 7]):
        out = numbered(bases, np.array(n), 12)
        assert all(len(v) <= 12 for v in out)
        for value, number in zip(out, n, strict=True):
            local = value.split("@")[0]
            assert re.search(r"(\d+)$", local).group(1) == str(number)


def test_unique_codes_fail_loudly_past_their_capacity():
    from fixturekit.values.bulk import BulkError

    ctx = BulkContext(column=STRING, start=10)
    with pytest.raises(BulkError, match="past the"):
        bulk_values(st.Code(1, "AB", True), 5, ctx)


def test_importing_bulk_modules_leaves_the_one_value_functions_alone():
    import fixturekit.values.distinct
    import fixturekit.values.fixed_unique  # noqa: F401

    assert callable(fv.unique) and callable(fv.numbered) and callable(fv.code)


def test_prices_have_a_long_tail():
    strategy = st.DecimalRange(D("1"), D("500"), 2)
    values = np.array([float(v) for v in render(Example(strategy, STRING, bool), 20_000)])
    assert np.median(values) < values.mean() < 100  # many cheap items, a few expensive ones


@pytest.mark.parametrize("op", [">", ">=", "<", "<="])
def test_relative_values_keep_their_order_with_the_other_column(op: str):
    compare = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}[op]
    others = {
        "stamp": (before, st.DateTimeRange()),
        "day": (before.astype("datetime64[D]"), st.DateRange()),
        "count": (np.arange(N, dtype=np.int64), st.IntRange(0, 10)),
        "price": (
            Decimals(np.arange(N, dtype=np.int64) * 7, 2),
            st.DecimalRange(D("0"), D("9"), 2),
        ),
    }
    for name, (other, fallback) in others.items():
        ctx = BulkContext(column=Column("v", STRING.type), columns={name: other})
        values = bulk_values(st.Relative(name, op, fallback), N, ctx)
        if isinstance(values, Decimals):
            assert compare(values.units, other.units).all(), name
        else:
            assert compare(values, other).all(), name


def test_relative_falls_back_where_the_other_column_is_null():
    other = np.ma.MaskedArray(np.arange(10, dtype=np.int64), mask=[True] * 5 + [False] * 5)
    ctx = BulkContext(column=Column("v", STRING.type), columns={"n": other})
    values = bulk_values(st.Relative("n", ">", st.IntRange(100, 200)), 10, ctx)
    assert all(100 <= v <= 200 for v in values[:5]) and (values[5:] > np.arange(5, 10)).all()


def test_emails_derived_from_names_use_the_names():
    names = np.array(["Jane Doe", "Émile Zola"], dtype=object)
    ctx = BulkContext(column=STRING, columns={"name": names})
    values = bulk_values(st.FromColumn("name", "email_from"), 2, ctx).tolist()
    assert values[0].startswith("jane.doe@") and values[1].startswith("emile.zola@")
