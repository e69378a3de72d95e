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

The steps live in modules of their own: 3 and 5 in fixturekit.infer.domain_rules, 6 in
fixturekit.infer.meaning_rules; 7 stays here, because an array's items are inferred as columns
of their own (`infer_column` again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fixturekit.errors import UnsatisfiableColumn
from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import Narrowing, narrow
from fixturekit.infer.decision import Decision
from fixturekit.infer.defaults import column_keys, factory_default
from fixturekit.infer.domain_rules import check_pattern, closed_domain, type_shape
from fixturekit.infer.files import dimension_plan, file_plan
from fixturekit.infer.meaning_rules import number_by_meaning, string_by_meaning, time_by_meaning
from fixturekit.infer.names import match_name
from fixturekit.infer.plan import FieldPlan
from fixturekit.infer.relations import leave_room_for_later_columns, relation_choice
from fixturekit.infer.secrets import secret_flags, secret_plan
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


def _by_type(column: Column, table: Table | None, narrowing: Narrowing, unique: bool) -> Decision:
    kind, ctype = column.kind, column.type
    max_length = narrowing.max_length
    if kind is Kind.UUID:
        return Decision(st.UuidValue(), "a random UUID")
    if kind is Kind.JSON:
        return Decision(
            st.JsonDocument(),
            "a small JSON object",
            ["JSON shape unknown: a small generic object is generated"],
        )
    if kind is Kind.BINARY:
        return Decision(st.BinaryValue(min(ctype.length or 16, 16)), "random bytes")
    if kind is Kind.INET:
        return Decision(st.NetworkAddress("inet"), "an IPv4 address")
    if kind is Kind.CIDR:
        return Decision(st.NetworkAddress("cidr"), "an IPv4 network")
    if kind is Kind.MACADDR:
        return Decision(st.NetworkAddress("mac"), "a MAC address")
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
        return Decision(st.ArrayOf(item.strategy, low, high), reason, flags)
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
            return Decision(code, f"a {max_length}-letter code", flags)
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
                return Decision(st.UniqueFakerValue(provider[0], **args), "free text, numbered")
            return Decision(st.FakerValue(provider[0], **args), "free text")
        args = dict(max_length=max_length, case=narrowing.case, min_length=narrowing.min_length)
        flag = ["no rule for this name: a plain word is generated"]
        if unique:
            return Decision(
                st.UniqueFakerValue("word", **args), "a word, numbered to stay unique", flag
            )
        return Decision(st.FakerValue("word", **args), "a word", flag)
    return _text_for_unknown(column, unique)


def _text_for_unknown(column: Column, unique: bool) -> Decision:
    """A type no rule knows gets text, flagged: many types take a text literal (tsvector,
    ltree, a domain over text), and one column must not stop the rest of the file."""
    flag = (
        f"no rule for the type {column.type.describe()}: a text value is generated; if the "
        "database rejects it, give the column an override (tool.fixturekit.generate.overrides)"
    )
    if unique:
        return Decision(st.UniqueFakerValue("word"), "type unknown: a word, numbered", [flag])
    return Decision(st.FakerValue("word"), "type unknown: a word", [flag])


def _override_for(column: Column, table: Table | None, options: InferenceOptions) -> str | None:
    if table is None or not options.overrides:
        return None
    for key in column_keys(column, table):
        if key in options.overrides:
            return options.overrides[key]
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


def _standalone(
    column: Column, table: Table | None, narrowing: Narrowing, unique: bool
) -> Decision:
    for step in (type_shape, closed_domain, check_pattern):
        choice = step(column, narrowing, unique)
        if choice is not None:
            return choice
    if column.kind in STRING_KINDS:
        choice = string_by_meaning(column, table, narrowing, unique)
        if choice is not None:
            return choice
    for step in (number_by_meaning, time_by_meaning):
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
    # a stored file, even where the model has a default name: that file may not exist here
    stored = file_plan(column, options) or dimension_plan(column, table, options)
    if stored is not None:
        return stored
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
        related = Decision(*placed) if placed else None
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
