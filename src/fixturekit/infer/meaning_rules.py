"""Rules by what a column's name means (`email`, `country_code`, `price`, `birth_date`), fitted
to its type, length and CHECK bounds: strings, numbers, dates, times and durations. Step 6 of
the order in fixturekit.infer.rules; numbers and dates with no rule for their name still get a
value here, within what the type and CHECKs allow, flagged.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import Narrowing
from fixturekit.infer.decision import Decision
from fixturekit.infer.meanings import FIXED_FORMAT, MIN_REALISTIC_LENGTH, PLAUSIBLE, PROVIDERS
from fixturekit.infer.names import (
    COMPANY_TABLES,
    DEPARTMENT_TABLES,
    PERSON_TABLES,
    PLACE_TABLES,
    PRODUCT_TABLES,
    match_name,
)
from fixturekit.infer.names import normalise as normalise_name
from fixturekit.infer.numbers import duration_range, numeric_range, time_range, type_bounds
from fixturekit.infer.templates import fit_to_length
from fixturekit.schema.model import INTEGER_KINDS, STRING_KINDS, Column, Kind, Table


def string_by_meaning(
    column: Column, table: Table | None, narrowing: Narrowing, unique: bool
) -> Decision | None:
    meaning, reason = None, ""
    semantic = column.type.kind in STRING_KINDS and column.semantic
    if semantic:
        # Django declares FilePathField as "file": a file's name, which Faker calls
        # "file_name" (FileField columns get content to store: fixturekit.infer.files)
        meaning = {"ip": "ipv4", "file": "file_name"}.get(semantic, semantic)
        reason = f"declared as {semantic}"
    else:
        rule = match_name(column.name, column.kind)
        if rule is None:
            return None
        meaning, reason = rule.meaning, rule.reason
    max_length = narrowing.max_length
    flags: list[str] = []
    provider_meaning = meaning
    kwargs: dict = {}
    if meaning == "name":
        table_name = normalise_name(table.name) if table else ""
        if PERSON_TABLES.search(table_name):
            provider_meaning, reason = "full_name", f"a person's name ({table.name} holds people)"
        elif COMPANY_TABLES.search(table_name):
            provider_meaning, reason = "company", f"a company name ({table.name} holds companies)"
        elif PLACE_TABLES.search(table_name):
            provider_meaning, reason = "city", f"a place name ({table.name} holds places)"
        elif PRODUCT_TABLES.search(table_name):
            provider_meaning, reason = "product_name", f"a product name ({table.name} sells)"
        elif DEPARTMENT_TABLES.search(table_name):
            provider_meaning, reason = "department", f"a department ({table.name} groups)"
        else:
            provider_meaning, reason = "catch_phrase", "a short product-style name"
    if meaning == "country":
        if max_length is not None and max_length <= 3:
            provider_meaning = "country_code"
            kwargs = {"representation": "alpha-3"} if max_length == 3 else {}
            reason = f"ISO 3166 alpha-{max_length} country code (upper case)"
        else:
            provider_meaning, reason = "country", "country name"
    elif meaning == "currency":
        if (max_length is not None and max_length <= 3) or max_length is None:
            provider_meaning, reason = "currency_code", "ISO 4217 currency code (upper case)"
        else:
            provider_meaning = "currency_name"
    elif meaning == "language":
        provider_meaning = "locale" if (max_length or 10) >= 5 else "language_code"
    elif meaning == "state" and max_length is not None and max_length <= 3:
        provider_meaning = "state_abbr"
    elif meaning == "color" and max_length == 7:
        provider_meaning = "hex_color"
    elif meaning == "hexdigest":
        provider_meaning = {32: "md5", 40: "sha1"}.get(max_length or 64, "sha256")
    if provider_meaning in PROVIDERS:
        provider, kwargs = PROVIDERS[provider_meaning][0], dict(PROVIDERS[provider_meaning][1])
    else:
        provider = provider_meaning
    if meaning in ("paragraph", "long_text") and max_length is not None and max_length < 60:
        provider, kwargs = "sentence", {"nb_words": 4}
    if not unique or meaning in FIXED_FORMAT:  # numbered values fit themselves (fv.numbered)
        provider, kwargs, fitted = fit_to_length(provider, kwargs, max_length)
        reason = f"{reason} ({fitted})" if fitted else reason
    minimum = MIN_REALISTIC_LENGTH.get(meaning)
    if minimum and max_length is not None and max_length < minimum:
        flags.append(f"{max_length} characters is too short for a real {meaning}: values are cut")
    if meaning == "uuid" and not unique and (max_length is None or max_length >= 36):
        return Decision(st.UuidValue(as_string=True), reason)
    args = dict(
        kwargs=tuple(sorted(kwargs.items())),
        max_length=max_length,
        case=narrowing.case,
        min_length=narrowing.min_length,
    )
    if unique:
        weave = meaning not in FIXED_FORMAT
        return Decision(
            st.UniqueFakerValue(provider, weave=weave, **args),
            reason + (", numbered to stay unique" if weave else ", drawn unique"),
            flags,
        )
    return Decision(st.FakerValue(provider, **args), reason, flags)


def number_by_meaning(column: Column, narrowing: Narrowing, unique: bool) -> Decision | None:
    if column.kind not in INTEGER_KINDS | {Kind.NUMERIC, Kind.FLOAT}:
        return None
    rule = match_name(column.name, column.kind)
    meaning = rule.meaning if rule else None
    plausible = PLAUSIBLE.get(meaning) if meaning else None
    if meaning == "money" and column.kind in INTEGER_KINDS and "cent" in column.name.lower():
        plausible = (100, 50_000)
    bounded = narrowing.low is not None or narrowing.high is not None
    low, high = numeric_range(column, narrowing, plausible)
    if rule:
        reason = rule.reason
    elif bounded:
        reason = "within the CHECK bounds"
    else:
        reason = "a number the type holds"
    flags = [] if (rule or bounded) else ["no rule for this name: any number the type holds"]
    if column.kind in INTEGER_KINDS:
        if unique:
            start = max(int(low), 1) if int(high) >= 1 else int(low)
            return Decision(
                st.SequenceInt(start, int(type_bounds(column)[1]) if not bounded else int(high)),
                "unique: counts up",
                [],
            )
        return Decision(st.IntRange(int(low), int(high)), reason, flags)
    if column.kind is Kind.NUMERIC:
        places = column.type.scale if column.type.scale is not None else 2
        flags = flags + (["unique decimal: random values may collide"] if unique else [])
        return Decision(st.DecimalRange(Decimal(low), Decimal(high), places), reason, flags)
    flags = flags + (["unique float: random values may collide"] if unique else [])
    return Decision(st.FloatRange(float(low), float(high)), reason, flags)


def time_by_meaning(column: Column, narrowing: Narrowing, unique: bool) -> Decision | None:
    kind = column.kind
    if kind not in (Kind.DATE, Kind.DATETIME, Kind.TIME, Kind.INTERVAL):
        return None
    if kind is Kind.TIME:
        low, high = time_range(column, narrowing)
        if (low, high) == (0, 86399):
            return Decision(st.TimeOfDay(), "a time of day")
        return Decision(st.TimeOfDay(low, high), "a time of day within the CHECK bounds")
    if kind is Kind.INTERVAL:
        low, high = duration_range(column, narrowing)
        if (low, high) == (60, 30 * 86400):
            return Decision(st.Duration(), "a duration of up to 30 days")
        return Decision(st.Duration(30, low, high), "a duration within the CHECK bounds")
    rule = match_name(column.name, kind)
    meaning = rule.meaning if rule else None
    start, end, reason = "-2y", "today" if kind is Kind.DATE else "now", "in the last two years"
    if meaning == "birth_date":
        start, end, reason = "-90y", "-18y", "an adult's date of birth"
    elif meaning == "future":
        start, end = ("today", "+1y") if kind is Kind.DATE else ("now", "+1y")
        reason = "within the next year"
    elif rule:
        reason = f"{rule.reason}: in the last two years"
    if isinstance(narrowing.low, datetime.date):
        start = narrowing.low
    if isinstance(narrowing.high, datetime.date):
        end = narrowing.high
    if unique:
        # "today", resolved when values are made: generated code does not change from one
        # day to the next, and values stay the same all day.
        return Decision(
            st.SequenceDate(
                "today",
                86400 if kind is Kind.DATE else 1,
                kind is Kind.DATETIME,
                column.type.timezone,
            ),
            "unique: one step apart, counting back",
        )
    if kind is Kind.DATE:
        return Decision(st.DateRange(start, end), reason)
    return Decision(st.DateTimeRange(start, end, column.type.timezone), reason)
