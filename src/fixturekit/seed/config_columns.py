"""A column's distribution as the seed configuration writes it, checked against the column.

`column_strategy` turns `{ weights = { a = 80, b = 20 } }`, `{ true = 0.9 }`,
`{ between = ["-2y", "today"] }` and the others into the strategy that replaces what inference
chose; `check_against_constraints` refuses values the column's CHECKs rule out, as the
inference itself reads them.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.schema.model import INTEGER_KINDS, INTEGER_RANGES, STRING_KINDS, Column, Kind, Table
from fixturekit.seed.distributions import Shaped
from fixturekit.values.offsets import BadBound, resolve

DISTRIBUTIONS = {
    "weights",
    "values",
    "true",
    "between",
    "normal",
    "lognormal",
    "value",
    "faker",
    "pattern",
}
COLUMN_KEYS = DISTRIBUTIONS | {"null"}


def _fail(message: str, hint: str | None = None) -> FixturekitError:
    return FixturekitError(message, hint=hint)


def weight(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"{where}: the weight {value!r} is not a number.")
    if value < 0 or value != value or value in (float("inf"), float("-inf")):
        raise _fail(f"{where}: the weight {value!r} must be a finite number >= 0.")
    return float(value)


def rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise _fail(f"{where}: {value!r} is not a rate between 0 and 1 (0.9 means 90%).")
    return float(value)


def literal_for(column: Column, value: Any, where: str) -> Any:
    """A TOML value (or weight key, always a string) converted to the column's type, checked."""
    kind = column.kind
    ctype = column.type
    try:
        if kind in INTEGER_KINDS:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value)
            low, high = INTEGER_RANGES[kind]
            if not low <= number <= high:
                raise _fail(f"{where}: {number} does not fit {ctype.describe()}.")
            return number
        if kind is Kind.NUMERIC:
            return decimal.Decimal(str(value))
        if kind is Kind.FLOAT:
            return float(value)
        if kind is Kind.BOOLEAN:
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise ValueError
        if kind is Kind.ENUM:
            labels = list(ctype.enum_values)
            if str(value) in labels:
                return str(value)
            if str(value) in ctype.enum_members:
                return labels[list(ctype.enum_members).index(str(value))]
            raise _fail(f"{where}: {value!r} is not a value of the enum ({', '.join(labels)}).")
        if kind is Kind.DATE:
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if kind is Kind.DATETIME:
            if isinstance(value, dt.datetime):
                return value
            return dt.datetime.fromisoformat(str(value))
        if kind in STRING_KINDS or kind in (Kind.UUID, Kind.INET, Kind.CIDR, Kind.MACADDR):
            text = str(value)
            if ctype.length is not None and len(text) > ctype.length:
                raise _fail(f"{where}: {text!r} is longer than {ctype.describe()} allows.")
            return text
        return value
    except (ValueError, decimal.InvalidOperation):
        raise _fail(
            f"{where}: {value!r} does not fit the column's type {ctype.describe()}."
        ) from None


def _number_bounds(column: Column, pair: Any, where: str) -> tuple[Any, Any]:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise _fail(f"{where}: between takes two bounds, e.g. between = [1, 100].")
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in pair):
        raise _fail(
            f"{where}: the bounds {pair!r} of a {column.type.describe()} column must be numbers."
        )
    low, high = (literal_for(column, v, where) for v in pair)
    if low > high:
        raise _fail(f"{where}: between [{pair[0]}, {pair[1]}] ends before it starts.")
    return low, high


def _shape_params(spec: Any, names: tuple[str, str], where: str) -> tuple[float, float]:
    if not isinstance(spec, Mapping) or set(spec) != set(names):
        raise _fail(f"{where}: write {{ {names[0]} = ..., {names[1]} = ... }}.")
    values = []
    for name in names:
        value = spec[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(f"{where}: {name} = {value!r} is not a number.")
        values.append(float(value))
    return values[0], values[1]


def _places(column: Column) -> int:
    return column.type.scale if column.type.scale is not None else 2


def _type_range(column: Column) -> tuple[Any, Any]:
    from fixturekit.infer.numbers import type_bounds

    return type_bounds(column)


def column_strategy(
    column: Column, spec: Mapping[str, Any], unique: bool, where: str
) -> st.Strategy | None:
    """The strategy a column's distribution stands for, or None when it only sets `null`."""
    unknown = set(spec) - COLUMN_KEYS
    if unknown:
        raise _fail(
            f"{where}: unknown key {sorted(unknown)[0]!r}.",
            hint="A column takes one of: " + ", ".join(sorted(DISTRIBUTIONS)) + ", plus null.",
        )
    chosen = [k for k in spec if k in DISTRIBUTIONS]
    if len(chosen) > 1 and not (
        set(chosen) <= {"normal", "between"} or set(chosen) <= {"lognormal", "between"}
    ):
        raise _fail(f"{where}: give one distribution, not {', '.join(chosen)}.")
    if not chosen:
        return None
    kind = column.kind
    number = kind in INTEGER_KINDS or kind in (Kind.NUMERIC, Kind.FLOAT)
    temporal = kind in (Kind.DATE, Kind.DATETIME)

    def needs(condition: bool, what: str) -> None:
        if not condition:
            raise _fail(f"{where}: {what} does not fit the column's type {column.type.describe()}.")

    if unique and not {"faker", "pattern"} >= set(chosen):
        raise _fail(
            f"{where}: the column is unique; a distribution would repeat values.",
            hint="Leave unique columns to fixturekit, or give them `faker` or `pattern`.",
        )
    if "weights" in spec:
        weights = spec["weights"]
        if not isinstance(weights, Mapping) or not weights:
            raise _fail(f"{where}: weights must map values to numbers, e.g. {{ a = 80, b = 20 }}.")
        values = tuple(literal_for(column, k, f"{where} weights.{k}") for k in weights)
        numbers = tuple(weight(w, f"{where} weights.{k}") for k, w in weights.items())
        if sum(numbers) <= 0:
            raise _fail(f"{where}: the weights add up to 0.")
        return st.Choice(values, weights=numbers)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise _fail(f"{where}: values must be a non-empty list.")
        return st.Choice(tuple(literal_for(column, v, f"{where} values") for v in values))
    if "true" in spec:
        needs(kind is Kind.BOOLEAN, "a true rate")
        return st.Boolean(rate(spec["true"], f"{where} true"))
    if "value" in spec:
        return st.Literal(literal_for(column, spec["value"], f"{where} value"))
    if "faker" in spec:
        needs(kind in STRING_KINDS, "a Faker provider")
        from fixturekit.values.pools import has_provider

        provider = str(spec["faker"])
        if not has_provider(provider):
            raise _fail(f"{where}: Faker has no provider {provider!r}.")
        cls = st.UniqueFakerValue if unique else st.FakerValue
        return cls(provider, max_length=column.type.length)
    if "pattern" in spec:
        needs(kind in STRING_KINDS, "a pattern")
        try:
            re.compile(str(spec["pattern"]))
        except re.error as exc:
            raise _fail(
                f"{where}: pattern {spec['pattern']!r} is not a regular expression: {exc}."
            ) from None
        return st.Matching(str(spec["pattern"]), column.type.length, unique)
    if "normal" in spec or "lognormal" in spec:
        needs(number, "a normal or log-normal shape")
        shape = "normal" if "normal" in spec else "lognormal"
        names = ("mean", "sd") if shape == "normal" else ("median", "sigma")
        a, b = _shape_params(spec[shape], names, f"{where} {shape}")
        if b <= 0:
            raise _fail(f"{where} {shape}: {names[1]} must be > 0.")
        if shape == "lognormal" and a <= 0:
            raise _fail(f"{where} lognormal: the median must be > 0.")
        low, high = (
            _number_bounds(column, spec["between"], f"{where} between")
            if "between" in spec
            else _type_range(column)
        )
        places = 0 if kind in INTEGER_KINDS else (_places(column) if kind is Kind.NUMERIC else None)
        return Shaped(shape, a, b, float(low), float(high), places)
    # between
    bounds = spec["between"]
    if temporal:
        if not (isinstance(bounds, list) and len(bounds) == 2):
            raise _fail(f'{where}: between takes two bounds, e.g. between = ["-2y", "today"].')
        text = [b.isoformat() if isinstance(b, (dt.date, dt.datetime)) else str(b) for b in bounds]
        anchor = dt.date(2000, 1, 1)
        try:
            start, end = (resolve(t, anchor) for t in text)
        except BadBound as exc:
            raise _fail(f"{where} between: {exc}.") from None
        if start > end:
            raise _fail(f"{where}: between {text} ends before it starts.")
        if kind is Kind.DATE:
            return st.DateRange(text[0], text[1])
        return st.DateTimeRange(text[0], text[1], column.type.timezone)
    needs(number, "a numeric range")
    low, high = _number_bounds(column, bounds, f"{where} between")
    if kind in INTEGER_KINDS:
        return st.IntRange(int(low), int(high))
    if kind is Kind.NUMERIC:
        return st.DecimalRange(
            decimal.Decimal(str(low)), decimal.Decimal(str(high)), _places(column)
        )
    return st.FloatRange(float(low), float(high))


def check_against_constraints(
    table: Table, column: Column, strategy: st.Strategy, where: str
) -> None:
    """Refuse distributions the column's CHECKs (as the inference reads them) rule out."""
    from fixturekit.infer.constraints import narrow

    narrowing = narrow(column, table, ())
    values: list[Any] = []
    if isinstance(strategy, st.Choice):
        values = list(strategy.values)
    elif isinstance(strategy, st.Literal):
        values = [strategy.value]
    elif isinstance(strategy, (st.IntRange, st.DecimalRange, st.FloatRange, Shaped)):
        values = [strategy.low, strategy.high]
    for value in values:
        if value is None:
            continue
        problem = None
        shown = repr(value) if isinstance(value, str) else str(value)
        try:
            if narrowing.allowed is not None and value not in narrowing.allowed:
                problem = f"{shown} is not among the values its CHECK allows"
            elif value in narrowing.excluded:
                problem = f"{shown} is excluded by a CHECK"
            elif narrowing.low is not None and (
                value < narrowing.low or (value == narrowing.low and not narrowing.low_inclusive)
            ):
                problem = f"{shown} is below the CHECK bound {narrowing.low}"
            elif narrowing.high is not None and (
                value > narrowing.high or (value == narrowing.high and not narrowing.high_inclusive)
            ):
                problem = f"{shown} is above the CHECK bound {narrowing.high}"
        except TypeError:
            problem = None
        if problem:
            raise _fail(f"{where}: {problem} ({'; '.join(narrowing.sources)}).")
