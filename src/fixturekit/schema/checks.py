"""Turn CHECK constraint SQL into the predicates of `fixturekit.schema.predicates`.

The text comes from models, from SQLAlchemy `literal_binds` compilation and from live databases,
which rewrite what the user declared: PostgreSQL's `pg_get_constraintdef` adds casts, parentheses
and `= ANY (ARRAY[...])`, MariaDB backquotes names and escapes quotes with backslashes, MySQL 8
even escapes the quotes around its strings (`_utf8mb4\\'a\\'`). The parser is therefore lenient
about spelling and strict about meaning: whatever it cannot turn into a predicate is reported in
`ParsedCheck.unparsed`, and it never raises.

Shape, one module each: a tokenizer and a split at top-level AND done on tokens, so that one
conjunct the parser cannot read does not take the others down with it (`check_tokens`); a
recursive-descent parser producing a tiny expression tree per conjunct (`check_tree`); pattern
conversions (`check_patterns`); and here, the converter from that tree to predicates.
"""

from __future__ import annotations

from fixturekit.schema.check_patterns import match_pattern, regexp_like
from fixturekit.schema.check_tokens import Token, Unparsable, check_body, conjuncts, tokenize
from fixturekit.schema.check_tree import (
    Between,
    Bool,
    Col,
    Comparison,
    Func,
    In,
    IsNull,
    Lit,
    Match,
    Parser,
)
from fixturekit.schema.predicates import (
    FLIPPED,
    ColumnCompare,
    Compare,
    InSet,
    JsonValid,
    Length,
    LetterCase,
    NotNull,
    NullOr,
    ParsedCheck,
    Predicate,
    predicate_columns,
)

__all__ = ["parse_check"]


def parse_check(sql: str) -> ParsedCheck:
    """Parse one CHECK constraint (with or without the leading `CHECK`); never raises."""
    whole = ParsedCheck(sql, (), (sql,), frozenset())
    try:
        parts = conjuncts(check_body(tokenize(sql)))
    except (Unparsable, RecursionError):
        return whole
    if not all(parts):
        return whole
    predicates: list[Predicate] = []
    unparsed: list[str] = []
    for part in parts:
        found = _parse_conjunct(part, sql)
        if found is None:
            unparsed.append(sql[part[0].start : part[-1].end])
        else:
            predicates.extend(found)
    if not predicates and len(parts) == 1:
        return whole
    columns = frozenset().union(*map(predicate_columns, predicates))
    return ParsedCheck(sql, tuple(predicates), tuple(unparsed), columns)


def _parse_conjunct(tokens: list[Token], sql: str) -> list[Predicate] | None:
    try:
        return _predicates(Parser(tokens, sql).parse())
    except (Unparsable, RecursionError):
        return None


# --- tree to predicates ---------------------------------------------------------------------

_LENGTH_FUNCS = frozenset({"char_length", "character_length", "length", "len", "cardinality"})
_CASE_FUNCS = {"lower": "lower", "lcase": "lower", "upper": "upper", "ucase": "upper"}


def _predicates(node: object) -> list[Predicate] | None:
    match node:
        case Bool("and", operands):
            parts = [_predicates(operand) for operand in operands]
            return None if None in parts else [p for part in parts for p in part]
        case Bool("or", (first, second)):
            return _null_or(first, second) or _null_or(second, first)
        case IsNull(Col(name), negated=True):
            return [NotNull(name)]
        case Col(name) if name.lower() not in (
            "check",
            "constraint",
        ):  # a bare boolean column: `CHECK (active)`, `WHERE is_primary`
            return [Compare(name, "=", True)]
        case Comparison(op, left, right):
            found = _comparison(op, left, right)
            return [found] if found else None
        case Between(operand, low, high, negated=False):
            above, below = _comparison(">=", operand, low), _comparison("<=", operand, high)
            return [above, below] if above and below else None
        case In(Col(name), items, negated) if all(isinstance(i, Lit) for i in items):
            return [InSet(name, tuple(item.value for item in items), negated)]
        case Match():
            found = match_pattern(node)
            return [found] if found else None
        case Func("json_valid", (Col(name),)):
            return [JsonValid(name)]
        case Func("regexp_like", (Col(name), Lit(str() as regex), *flags)):
            found = regexp_like(name, regex, flags, node.source)
            return [found] if found else None
    return None


def _null_or(guard: object, rest: object) -> list[Predicate] | None:
    """`x IS NULL OR p` where every predicate of p is about x: p holds whenever x has a value."""
    if not (isinstance(guard, IsNull) and not guard.negated and isinstance(guard.operand, Col)):
        return None
    column = guard.operand.name
    inner = _predicates(rest)
    if not inner or any(column not in predicate_columns(p) for p in inner):
        return None
    return [NullOr(column, p) for p in inner]


def _comparison(op: str, left: object, right: object) -> Predicate | None:
    # Put the column (or the function of one) on the left: `0 < price` is `price > 0`.
    if (isinstance(right, Col) and not isinstance(left, Col)) or isinstance(left, Lit):
        left, right, op = right, left, FLIPPED[op]
    match left, right:
        case Col(a), Col(b):
            return ColumnCompare(a, op, b)
        case Col(a), Lit(value) if value is not None:
            return Compare(a, op, value)
        case Col(a), Func(func, (Col(b),)) if op == "=" and a == b and func in _CASE_FUNCS:
            return LetterCase(a, _CASE_FUNCS[func])
        case Func(func, (Col(a),)), Lit(int() as n) if func in _LENGTH_FUNCS:
            return None if isinstance(n, bool) else Length(a, op, n)
        case Func("array_length", (Col(a), Lit(1))), Lit(int() as n) if not isinstance(n, bool):
            # NULL for an empty array, so `array_length(a, 1) >= 1` alone lets {} through;
            # reading it as a count asks for at least one item, which satisfies it either way.
            return Length(a, op, n)
    return None
