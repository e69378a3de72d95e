"""Rules for columns whose values the schema itself closes or shapes, tried before any name is
read: CHECK `IN (...)` lists, enums and declared choices, booleans, CHECK patterns (`~`, `LIKE`,
`REGEXP`), and types that demand a shape of their own (BIT strings, YEAR, hstore, JSON that
takes only dicts or lists). Steps 3 and 5 of the order in fixturekit.infer.rules.
"""

from __future__ import annotations

from fixturekit.errors import UnsatisfiableColumn
from fixturekit.infer import strategies as st
from fixturekit.infer.constraints import Narrowing, coerce
from fixturekit.infer.decision import Decision
from fixturekit.infer.meanings import PLAUSIBLE
from fixturekit.infer.names import match_name
from fixturekit.infer.numbers import numeric_range
from fixturekit.schema.model import STRING_KINDS, Column, Kind


def _fits_length(value, narrowing: Narrowing) -> bool:
    if not isinstance(value, str):
        return True
    if narrowing.max_length is not None and len(value) > narrowing.max_length:
        return False
    return narrowing.min_length is None or len(value) >= narrowing.min_length


def closed_domain(column: Column, narrowing: Narrowing, unique: bool) -> Decision | None:
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
            return Decision(
                cls(tuple(members), ctype.enum_class), "one of the values the CHECK allows"
            )
        cls = st.UniqueChoice if unique else st.Choice
        return Decision(cls(tuple(values)), "one of the values the CHECK allows")
    if ctype.enum_values and column.kind is not Kind.ENUM:  # e.g. integer `choices`
        values = [coerce(v, column) for v in ctype.enum_values]
        values = [v for v in values if v not in narrowing.excluded]
        if values:
            cls = st.UniqueChoice if unique else st.Choice
            return Decision(cls(tuple(values)), f"one of its {len(values)} declared choices")
    if column.kind is Kind.ENUM:
        labels = [v for v in ctype.enum_values if v not in narrowing.excluded]
        if not labels:
            raise UnsatisfiableColumn(f"{column.name}: the enum {ctype.describe()} has no values.")
        cls = st.UniqueChoice if unique else st.Choice
        if ctype.enum_class is not None and ctype.enum_members:
            members = tuple(ctype.enum_members[ctype.enum_values.index(v)] for v in labels)
            if len(members) == len(ctype.enum_values):
                members = ()
            return Decision(
                cls(members, ctype.enum_class), f"a member of the enum {ctype.enum_class.name}"
            )
        return Decision(cls(tuple(labels)), f"one of the enum's {len(labels)} values")
    if column.kind is Kind.BOOLEAN:
        if unique:
            return Decision(
                st.UniqueChoice((True, False)),
                "unique boolean: at most two rows",
                ["unique boolean column: only two rows can exist"],
            )
        rule = match_name(column.name, Kind.BOOLEAN)
        if rule and rule.meaning == "mostly_true":
            return Decision(st.Boolean(0.9), f"{rule.reason}: true 90% of the time")
        if rule and rule.meaning == "mostly_false":
            return Decision(st.Boolean(0.1), f"{rule.reason}: true 10% of the time")
        return Decision(st.Boolean(), "a boolean")
    return None


def check_pattern(column: Column, narrowing: Narrowing, unique: bool) -> Decision | None:
    if not narrowing.patterns or column.kind not in STRING_KINDS:
        return None
    first = narrowing.patterns[0]
    flags = [f"also must match {p.source or p.regex}: not checked" for p in narrowing.patterns[1:]]
    return Decision(
        st.Matching(first.regex, narrowing.max_length, unique),
        f"matches the CHECK pattern {first.source or first.regex}",
        flags,
    )


def type_shape(column: Column, narrowing: Narrowing, unique: bool) -> Decision | None:
    """Types that demand a value shape of their own (BIT strings, YEAR, hstore)."""
    shape = column.type.shape
    if shape == "bits":
        length = column.type.length or 1
        regex = (
            f"^[01]{{{length}}}$"
            if column.type.sql.upper().startswith("BIT")
            else (f"^[01]{{1,{length}}}$")
        )
        return Decision(st.Matching(regex, None, unique), f"a string of {length} bits")
    if shape == "year":
        low, high = numeric_range(column, narrowing, PLAUSIBLE["year"])
        return Decision(st.IntRange(int(low), int(high)), "a recent year")
    if shape == "string_map":
        return Decision(st.JsonDocument(strings_only=True), "a small map of strings (hstore)")
    if shape == "json_object":
        return Decision(st.JsonDocument(), "a small JSON object (the attribute takes only dicts)")
    if shape == "json_array":
        return Decision(
            st.JsonDocument(array=True),
            "a short JSON array of small objects (the attribute takes only lists)",
        )
    return None
