"""Inference: (column, table context) -> a value strategy with a reason.

The order of decisions, for one column:
1. columns the database or the ORM fills (autoincrement keys, computed, discriminators);
2. user overrides from configuration;
   a factory's default object (fixturekit.infer.defaults): usable-object flags, model defaults;
3. closed domains: CHECK `IN (...)`, enums, booleans;
4. relations to another column of the row (`ends_at > starts_at`, `updated_at` after
   `created_at`);
5. patterns from CHECKs (`~`, `LIKE`, `REGEXP`);
6. what the name means (`email`, `country_code`, `price`), fitted to type and constraints;
7. what the type alone allows, flagged for a person to look at.
Every decision carries its reason; fall-throughs carry a flag.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from fixturekit.errors import UnsatisfiableColumn
from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import Narrowing, coerce, narrow
from fixturekit.infer.defaults import column_keys, factory_default
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
from fixturekit.infer.plan import FieldPlan
from fixturekit.infer.relations import leave_room_for_later_columns, relation_choice
from fixturekit.infer.secrets import secret_flags, secret_plan
from fixturekit.infer.templates import fit_to_length
from fixturekit.schema.model import (
    INTEGER_KINDS,
    STRING_KINDS,
    Column,
    DefaultForm,
    Kind,
    Schema,
    Table,
)
from fixturekit.schema.predicates import Predicate


@dataclass
class InferenceOptions:
    """User configuration that changes inference (from `[tool.fixturekit.generate]`)."""

    # "table.column" or "Model.attribute" -> factory_boy declaration source
    overrides: dict[str, str] = field(default_factory=dict)
    # "Model.relationship" or "table.relationship" -> (min, max) children created with a parent
    children: dict[str, tuple[int, int]] = field(default_factory=dict)
    # leave nullable columns empty instead of filling them
    nullable_empty: bool = False
    # a factory's default object: model defaults kept, usable-object flags set (seeding turns
    # this off and draws every column)
    factory_object: bool = True
    # draw values for columns that have defaults: True for every column, or their keys
    # ("table.column" / "Model.attribute")
    fill_defaults: bool | frozenset[str] = False
    # say in a unique login's or e-mail's reason how many pairs of names it has before a
    # number shows (reading Faker's names for the count): seeding, which shows no reasons,
    # leaves that to its worker process
    count_name_pairs: bool = True

    def fills_default(self, column: Column, table: Table | None) -> bool:
        if isinstance(self.fill_defaults, bool):
            return self.fill_defaults
        return any(key in self.fill_defaults for key in column_keys(column, table))


@dataclass
class _Choice:
    strategy: st.Strategy
    reason: str
    flags: list[str] = field(default_factory=list)


def _fits_length(value, narrowing: Narrowing) -> bool:
    if not isinstance(value, str):
        return True
    if narrowing.max_length is not None and len(value) > narrowing.max_length:
        return False
    return narrowing.min_length is None or len(value) >= narrowing.min_length


def _closed_domain(column: Column, narrowing: Narrowing, unique: bool) -> _Choice | None:
    ctype = column.type
    if narrowing.allowed is not None:
        values = [v for v in narrowing.allowed if v not in narrowing.excluded]
        values = [v for v in values if _fits_length(v, narrowing)]
        if column.kind is Kind.ENUM and ctype.enum_values:
            values = [v for v in values if v in ctype.enum_values]
        if not values:
            raise UnsatisfiableColumn(
                f"{column.name}: no value of its IN/= CHECK fits the column "
                f"({', '.join(narrowing.sources)}).",
                hint="Fix the constraint or override the column in [tool.fixturekit.generate].",
            )
        if column.kind is Kind.ENUM and ctype.enum_class is not None:
            members = [ctype.enum_members[ctype.enum_values.index(v)] for v in values]
            cls = st.UniqueChoice if unique else st.Choice
            return _Choice(
                cls(tuple(members), ctype.enum_class), "one of the values the CHECK allows"
            )
        cls = st.UniqueChoice if unique else st.Choice
        return _Choice(cls(tuple(values)), "one of the values the CHECK allows")
    if ctype.enum_values and column.kind is not Kind.ENUM:  # e.g. integer `choices`
        values = [coerce(v, column) for v in ctype.enum_values]
        values = [v for v in values if v not in narrowing.excluded]
        if values:
            cls = st.UniqueChoice if unique else st.Choice
            return _Choice(cls(tuple(values)), f"one of its {len(values)} declared choices")
    if column.kind is Kind.ENUM:
        labels = [v for v in ctype.enum_values if v not in narrowing.excluded]
        if not labels:
            raise UnsatisfiableColumn(f"{column.name}: the enum {ctype.describe()} has no values.")
        cls = st.UniqueChoice if unique else st.Choice
        if ctype.enum_class is not None and ctype.enum_members:
            members = tuple(ctype.enum_members[ctype.enum_values.index(v)] for v in labels)
            if len(members) == len(ctype.enum_values):
                members = ()
            return _Choice(
                cls(members, ctype.enum_class), f"a member of the enum {ctype.enum_class.name}"
            )
        return _Choice(cls(tuple(labels)), f"one of the enum's {len(labels)} values")
    if column.kind is Kind.BOOLEAN:
        if unique:
            return _Choice(
                st.UniqueChoice((True, False)),
                "unique boolean: at most two rows",
                ["unique boolean column: only two rows can exist"],
            )
        rule = match_name(column.name, Kind.BOOLEAN)
        if rule and rule.meaning == "mostly_true":
            return _Choice(st.Boolean(0.9), f"{rule.reason}: true 90% of the time")
        if rule and rule.meaning == "mostly_false":
            return _Choice(st.Boolean(0.1), f"{rule.reason}: true 10% of the time")
        return _Choice(st.Boolean(), "a boolean")
    return None


def _pattern(column: Column, narrowing: Narrowing, unique: bool) -> _Choice | None:
    if not narrowing.patterns or column.kind not in STRING_KINDS:
        return None
    first = narrowing.patterns[0]
    flags = [f"also must match {p.source or p.regex}: not checked" for p in narrowing.patterns[1:]]
    return _Choice(
        st.Matching(first.regex, narrowing.max_length, unique),
        f"matches the CHECK pattern {first.source or first.regex}",
        flags,
    )


def _string_meaning(
    column: Column, table: Table | None, narrowing: Narrowing, unique: bool
) -> _Choice | None:
    meaning, reason = None, ""
    semantic = column.type.kind in STRING_KINDS and column.semantic
    if semantic:
        # Django declares FileField as "file": a storage-relative name (Django's storages refuse
        # absolute paths), which Faker calls "file_name"
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
        return _Choice(st.UuidValue(as_string=True), reason)
    args = dict(
        kwargs=tuple(sorted(kwargs.items())),
        max_length=max_length,
        case=narrowing.case,
        min_length=narrowing.min_length,
    )
    if unique:
        weave = meaning not in FIXED_FORMAT
        return _Choice(
            st.UniqueFakerValue(provider, weave=weave, **args),
            reason + (", numbered to stay unique" if weave else ", drawn unique"),
            flags,
        )
    return _Choice(st.FakerValue(provider, **args), reason, flags)


def _numeric(column: Column, narrowing: Narrowing, unique: bool) -> _Choice | None:
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
            return _Choice(
                st.SequenceInt(start, int(type_bounds(column)[1]) if not bounded else int(high)),
                "unique: counts up",
                [],
            )
        return _Choice(st.IntRange(int(low), int(high)), reason, flags)
    if column.kind is Kind.NUMERIC:
        places = column.type.scale if column.type.scale is not None else 2
        flags = flags + (["unique decimal: random values may collide"] if unique else [])
        return _Choice(st.DecimalRange(Decimal(low), Decimal(high), places), reason, flags)
    flags = flags + (["unique float: random values may collide"] if unique else [])
    return _Choice(st.FloatRange(float(low), float(high)), reason, flags)


def _temporal(column: Column, narrowing: Narrowing, unique: bool) -> _Choice | None:
    kind = column.kind
    if kind not in (Kind.DATE, Kind.DATETIME, Kind.TIME, Kind.INTERVAL):
        return None
    if kind is Kind.TIME:
        low, high = time_range(column, narrowing)
        if (low, high) == (0, 86399):
            return _Choice(st.TimeOfDay(), "a time of day")
        return _Choice(st.TimeOfDay(low, high), "a time of day within the CHECK bounds")
    if kind is Kind.INTERVAL:
        low, high = duration_range(column, narrowing)
        if (low, high) == (60, 30 * 86400):
            return _Choice(st.Duration(), "a duration of up to 30 days")
        return _Choice(st.Duration(30, low, high), "a duration within the CHECK bounds")
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
        return _Choice(
            st.SequenceDate(
                "today",
                86400 if kind is Kind.DATE else 1,
                kind is Kind.DATETIME,
                column.type.timezone,
            ),
            "unique: one step apart, counting back",
        )
    if kind is Kind.DATE:
        return _Choice(st.DateRange(start, end), reason)
    return _Choice(st.DateTimeRange(start, end, column.type.timezone), reason)


def _by_type(column: Column, table: Table | None, narrowing: Narrowing, unique: bool) -> _Choice:
    kind, ctype = column.kind, column.type
    max_length = narrowing.max_length
    if kind is Kind.UUID:
        return _Choice(st.UuidValue(), "a random UUID")
    if kind is Kind.JSON:
        return _Choice(
            st.JsonDocument(),
            "a small JSON object",
            ["JSON shape unknown: a small generic object is generated"],
        )
    if kind is Kind.BINARY:
        return _Choice(st.BinaryValue(min(ctype.length or 16, 16)), "random bytes")
    if kind is Kind.INET:
        return _Choice(st.NetworkAddress("inet"), "an IPv4 address")
    if kind is Kind.CIDR:
        return _Choice(st.NetworkAddress("cidr"), "an IPv4 network")
    if kind is Kind.MACADDR:
        return _Choice(st.NetworkAddress("mac"), "a MAC address")
    if kind is Kind.ARRAY and ctype.item is not None:
        item_column = Column(name=column.name, type=ctype.item, nullable=False)
        item = infer_column(item_column, None, options=InferenceOptions(factory_object=False))
        if item.strategy is None:
            unknown = _text_for_unknown(item_column, False)
            item = FieldPlan(item_column, unknown.strategy, unknown.reason, tuple(unknown.flags))
        rule = match_name(column.name, Kind.ARRAY)
        low = narrowing.min_length or 0
        high = max(low, 3) if narrowing.max_length is None else narrowing.max_length
        if low > high:
            raise UnsatisfiableColumn(
                f"{column.name}: its CHECKs want from {low} to {high} items.",
                hint="Fix the constraint, or override the column in [tool.fixturekit.generate].",
            )
        size = f"up to {high} items" if low == 0 else f"{low} to {high} items"
        if low == high:
            size = f"{low} item{'s' if low != 1 else ''}"
        reason = f"a list of {size} ({item.reason})"
        if (low, high) != (0, 3):
            reason += "; item count within its CHECK"
        flags = [] if rule or not item.flags else list(item.flags)
        return _Choice(st.ArrayOf(item.strategy, low, high), reason, flags)
    if kind in STRING_KINDS:
        if max_length is not None and max_length <= 4:
            alphabet = (
                "abcdefghijklmnopqrstuvwxyz"
                if narrowing.case == "lower"
                else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            )
            code = st.Code(max_length, alphabet, unique)
            flags = (
                []
                if re.search(r"code|abbr|iso|symbol", column.name, re.I)
                else ["no rule for this name: a short code of letters"]
            )
            return _Choice(code, f"a {max_length}-letter code", flags)
        if kind is Kind.TEXT:
            provider = ("paragraph", (("nb_sentences", 2),))
            if max_length is not None and max_length < 60:
                provider = ("sentence", (("nb_words", 4),))
            args = dict(
                kwargs=provider[1],
                max_length=max_length,
                case=narrowing.case,
                min_length=narrowing.min_length,
            )
            if unique:
                return _Choice(st.UniqueFakerValue(provider[0], **args), "free text, numbered")
            return _Choice(st.FakerValue(provider[0], **args), "free text")
        args = dict(max_length=max_length, case=narrowing.case, min_length=narrowing.min_length)
        flag = ["no rule for this name: a plain word is generated"]
        if unique:
            return _Choice(
                st.UniqueFakerValue("word", **args), "a word, numbered to stay unique", flag
            )
        return _Choice(st.FakerValue("word", **args), "a word", flag)
    return _text_for_unknown(column, unique)


def _text_for_unknown(column: Column, unique: bool) -> _Choice:
    """A type no rule knows gets text, flagged: many types take a text literal (tsvector,
    ltree, a domain over text), and one column must not stop the rest of the file."""
    flag = (
        f"no rule for the type {column.type.describe()}: a text value is generated; if the "
        "database rejects it, give the column an override (tool.fixturekit.generate.overrides)"
    )
    if unique:
        return _Choice(st.UniqueFakerValue("word"), "type unknown: a word, numbered", [flag])
    return _Choice(st.FakerValue("word"), "type unknown: a word", [flag])


def _override_for(column: Column, table: Table | None, options: InferenceOptions) -> str | None:
    if table is None or not options.overrides:
        return None
    for key in column_keys(column, table):
        if key in options.overrides:
            return options.overrides[key]
    return None


def _shaped(column: Column, narrowing: Narrowing, unique: bool) -> _Choice | None:
    """Types that demand a value shape of their own (BIT strings, YEAR, hstore)."""
    shape = column.type.shape
    if shape == "bits":
        length = column.type.length or 1
        regex = (
            f"^[01]{{{length}}}$"
            if column.type.sql.upper().startswith("BIT")
            else (f"^[01]{{1,{length}}}$")
        )
        return _Choice(st.Matching(regex, None, unique), f"a string of {length} bits")
    if shape == "year":
        low, high = numeric_range(column, narrowing, PLAUSIBLE["year"])
        return _Choice(st.IntRange(int(low), int(high)), "a recent year")
    if shape == "string_map":
        return _Choice(st.JsonDocument(strings_only=True), "a small map of strings (hstore)")
    if shape == "json_object":
        return _Choice(st.JsonDocument(), "a small JSON object (the attribute takes only dicts)")
    if shape == "json_array":
        return _Choice(
            st.JsonDocument(array=True),
            "a short JSON array of small objects (the attribute takes only lists)",
        )
    return None


def _default_per_row(column: Column) -> bool:
    """A default that gives each row its own value (`lambda: str(uuid4())`, `gen_random_uuid()`),
    so a text key can be left to it; one constant would collide on the second row."""
    default = column.default
    return default is not None and default.form is not DefaultForm.SCALAR


def _constant_sole_key(column: Column, table: Table | None) -> bool:
    """The whole primary key filled by one constant (`default=1`): left to it, the second row
    collides. Drawn instead, so a CHECK that pins the same value (`version_info_id = 1`) makes
    the table a single-row one (get-or-create) and any other key gets distinct values."""
    default = column.default
    return (
        table is not None
        and table.primary_key == (column.name,)
        and default is not None
        and default.form is DefaultForm.SCALAR
        and not column.autoincrement
    )


def _standalone(column: Column, table: Table | None, narrowing: Narrowing, unique: bool) -> _Choice:
    for step in (_shaped, _closed_domain, _pattern):
        choice = step(column, narrowing, unique)
        if choice is not None:
            return choice
    if column.kind in STRING_KINDS:
        choice = _string_meaning(column, table, narrowing, unique)
        if choice is not None:
            return choice
    for step in (_numeric, _temporal):
        choice = step(column, narrowing, unique)
        if choice is not None:
            return choice
    return _by_type(column, table, narrowing, unique)


def infer_column(
    column: Column,
    table: Table | None = None,
    schema: Schema | None = None,
    predicates: tuple[Predicate, ...] = (),
    options: InferenceOptions | None = None,
    unique: bool | None = None,
) -> FieldPlan:
    """Decide how `column` gets its values. Raises UnsatisfiableColumn when nothing can fit."""
    options = options or InferenceOptions()
    if column.computed:
        return FieldPlan(column, None, "computed by the database")
    if not column.mapped and options.factory_object:  # seeding inserts rows, not objects
        return FieldPlan(column, None, "not mapped by the model class: left to its default")
    if column.discriminator:
        return FieldPlan(column, None, "set by the ORM from the class (polymorphic identity)")
    if column.autoincrement and column.kind in INTEGER_KINDS | {Kind.NUMERIC}:
        return FieldPlan(column, None, "assigned by the database")
    if (
        column.primary_key
        and column.has_default
        and (column.kind is not Kind.STRING or _default_per_row(column))
        and not _constant_sole_key(column, table)
    ):
        return FieldPlan(column, None, "primary key filled by its default")
    override = _override_for(column, table, options)
    if override is not None:
        return FieldPlan(column, st.Custom(override), "set in configuration")
    secret = secret_plan(column, options)
    if secret is not None:
        return secret
    if unique is None:
        unique = table.is_unique_alone(column.name) if table is not None else column.unique
    if options.factory_object:
        fill = options.fills_default(column, table)
        chosen = factory_default(column, table, fill, unique)
        if chosen is not None:
            return chosen
    if column.kind is Kind.UNKNOWN and (column.nullable or column.has_default):
        flag = f"no value for the type {column.type.describe()}: set it yourself if you need it"
        if column.nullable:
            return FieldPlan(column, st.NullValue(), "type unknown: left empty", (flag,))
        return FieldPlan(column, None, "type unknown: left to its default", (flag,))
    try:
        narrowing = narrow(column, table, predicates)
        leave_room_for_later_columns(column, table, narrowing)
        standalone = _standalone(column, table, narrowing, unique)
        placed = None if unique else relation_choice(column, table, narrowing, standalone.strategy)
        related = _Choice(*placed) if placed else None
    except UnsatisfiableColumn as exc:
        where = f"{table.display_name}." if table is not None else ""
        raise UnsatisfiableColumn(f"Column {where}{exc.message}", hint=exc.hint) from None
    choice = related or standalone
    flags = list(choice.flags) + [f"CHECK not honoured: {note}" for note in narrowing.notes]
    if options.nullable_empty and column.nullable and not column.primary_key:
        return FieldPlan(column, st.NullValue(), "nullable: left empty by configuration")
    flags += secret_flags(column)
    if (
        choice.strategy is standalone.strategy
        and not flags
        and narrowing.sources
        and "CHECK" not in choice.reason
    ):
        reason = f"{choice.reason}; within its CHECK"
    else:
        reason = choice.reason
    return FieldPlan(column, choice.strategy, reason, tuple(flags))


def is_soft_delete(column: Column) -> bool:
    rule = match_name(column.name, column.kind)
    return rule is not None and rule.meaning == "soft_delete"
