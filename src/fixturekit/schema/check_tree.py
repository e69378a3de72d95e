"""The expression tree of one CHECK conjunct, and the recursive-descent parser that builds it.

The tree is small on purpose: columns, literals, function calls, item lists, AND/OR, comparisons,
BETWEEN, IN, pattern matches and IS NULL. Arithmetic is not understood; what the tree cannot
hold raises `Unparsable`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from fixturekit.schema.check_tokens import NUMBER, Token, Unparsable, number
from fixturekit.schema.intervals import QUALIFIER_WORDS, parse_interval
from fixturekit.schema.predicates import COMPARISON_OPS, Literal


@dataclass(frozen=True)
class Col:
    name: str


@dataclass(frozen=True)
class Lit:
    value: Literal


@dataclass(frozen=True)
class Func:
    name: str  # lower case, schema dropped
    args: tuple
    source: str


@dataclass(frozen=True)
class Items:
    """`(a, b, ...)` or `ARRAY[a, b, ...]`."""

    items: tuple


@dataclass(frozen=True)
class Bool:
    op: str  # "and" | "or"
    operands: tuple


@dataclass(frozen=True)
class Comparison:
    op: str  # one of predicates.COMPARISON_OPS
    left: object
    right: object


@dataclass(frozen=True)
class Between:
    operand: object
    low: object
    high: object
    negated: bool = False


@dataclass(frozen=True)
class In:
    operand: object
    items: tuple
    negated: bool = False


@dataclass(frozen=True)
class Match:
    op: str  # "like" | "ilike" | "glob" | "regexp" | "iregexp"
    operand: object
    pattern: object
    negated: bool = False
    escape: object = None
    source: str = ""


@dataclass(frozen=True)
class IsNull:
    operand: object
    negated: bool = False


_COMPARISONS = {op: op for op in COMPARISON_OPS} | {"==": "=", "!=": "<>"}
_INVERSE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "=": "<>", "<>": "="}
_MATCH_OPS = {
    "~": ("regexp", False),
    "~*": ("iregexp", False),
    "!~": ("regexp", True),
    "!~*": ("iregexp", True),
    "~~": ("like", False),  # how PostgreSQL shows LIKE
    "~~*": ("ilike", False),
    "!~~": ("like", True),
    "!~~*": ("ilike", True),
    "<regexp>": ("regexp", False),  # SQLAlchemy's dialect-less rendering of regexp_match()
    "<not regexp>": ("regexp", True),
}
_MATCH_WORDS = {word: word for word in ("like", "ilike", "glob", "regexp")} | {"rlike": "regexp"}
_RESERVED = frozenset(
    {"and", "or", "not", "between", "in", "is", "escape", "any", "all", "some", "as", "collate"}
    | {"like", "ilike", "glob", "regexp", "rlike", "similar", "case", "when", "then", "else", "end"}
)
# Bare words that are values, not columns.
_NILADIC = frozenset(
    {"current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"}
    | {"current_user", "session_user", "user"}
)
_TYPE_WORDS = frozenset({"varying", "precision", "with", "without", "time", "zone"})
_NUMERIC_TYPES = frozenset(
    {"smallint", "integer", "int", "bigint", "int2", "int4", "int8", "numeric", "decimal"}
    | {"real", "float", "float4", "float8", "double precision"}
)


class Parser:
    def __init__(self, tokens: list[Token], sql: str):
        self.tokens = tokens
        self.sql = sql
        self.pos = 0

    def parse(self) -> object:
        node = self.disjunction()
        if self.pos != len(self.tokens):
            raise Unparsable
        return node

    # token helpers

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise Unparsable
        self.pos += 1
        return token

    def accept_word(self, *words: str) -> Token | None:
        token = self.peek()
        if token is not None and token.is_word(*words):
            self.pos += 1
            return token
        return None

    def accept_op(self, *ops: str) -> Token | None:
        token = self.peek()
        if token is not None and token.is_op(*ops):
            self.pos += 1
            return token
        return None

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise Unparsable

    def text_from(self, start: int) -> str:
        return self.sql[start : self.tokens[self.pos - 1].end]

    # grammar

    def disjunction(self) -> object:
        return self.boolean("or", self.conjunction)

    def conjunction(self) -> object:
        return self.boolean("and", self.negation)

    def boolean(self, op: str, operand) -> object:
        operands = [operand()]
        while self.accept_word(op):
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Bool(op, tuple(operands))

    def negation(self) -> object:
        if self.accept_word("not"):
            return _negate(self.negation())
        return self.predicate()

    def predicate(self) -> object:
        left = self.operand()
        token = self.peek()
        if token is None:
            return left
        if token.kind == "op" and token.value in _COMPARISONS:
            self.pos += 1
            op = _COMPARISONS[token.value]
            quantifier = self.peek()
            nxt = self.peek(1)
            if quantifier and quantifier.is_word("any", "some", "all") and nxt and nxt.is_op("("):
                self.pos += 2
                array = self.disjunction()
                self.expect_op(")")
                return _quantified(op, quantifier.value.lower(), left, array)
            return Comparison(op, left, self.operand())
        if token.kind == "op" and token.value in _MATCH_OPS:
            self.pos += 1
            kind, negated = _MATCH_OPS[token.value]
            return self.match(kind, left, negated, token.start)
        negated = self.accept_word("not")
        if self.accept_word("between"):
            low = self.operand()
            if not self.accept_word("and"):
                raise Unparsable
            return Between(left, low, self.operand(), bool(negated))
        if self.accept_word("in"):
            self.expect_op("(")
            items = self.expressions(")")
            return In(left, tuple(items), bool(negated))
        if word := self.accept_word(*_MATCH_WORDS):
            start = (negated or word).start
            return self.match(_MATCH_WORDS[word.value.lower()], left, bool(negated), start)
        if negated:
            raise Unparsable
        if self.accept_word("is"):
            negated = self.accept_word("not")
            if not self.accept_word("null"):
                raise Unparsable
            return IsNull(left, bool(negated))
        if word := self.accept_word("isnull", "notnull"):  # SQLite's postfix spellings
            return IsNull(left, word.is_word("notnull"))
        return left

    def match(self, kind: str, left: object, negated: bool, start: int) -> Match:
        pattern = self.operand()
        escape = self.operand() if self.accept_word("escape") else None
        return Match(kind, left, pattern, negated, escape, self.text_from(start))

    def operand(self) -> object:
        """A value: arithmetic is not understood, so any operator other than a sign ends here."""
        if sign := self.accept_op("-", "+"):
            node = self.operand()
            value = node.value if isinstance(node, Lit) else None
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise Unparsable
            return Lit(-value if sign.value == "-" else value)
        node = self.primary()
        while True:
            if self.accept_op("::"):
                node = _cast(node, self.type_name())
            elif self.accept_word("collate"):
                self.identifier()
            else:
                return node

    def primary(self) -> object:
        token = self.next()
        if token.kind in ("num", "str"):
            return Lit(token.value)
        if token.is_op("("):
            items = self.expressions(")")
            return items[0] if len(items) == 1 else Items(tuple(items))
        if token.kind == "name":
            word = token.value.lower()
            if word in ("null", "true", "false"):
                return Lit({"null": None, "true": True, "false": False}[word])
            if word in _NILADIC:
                return Func(word, (), token.value)
            if word == "array" and self.accept_op("["):
                return Items(tuple(self.expressions("]")))
            if word == "cast" and self.accept_op("("):
                node = self.disjunction()
                if not self.accept_word("as"):
                    raise Unparsable
                node = _cast(node, self.type_name())
                self.expect_op(")")
                return node
            nxt = self.peek()
            if word in ("date", "time", "timestamp") and nxt and nxt.kind == "str":
                return Lit(self.next().value)  # typed literal: dates stay strings
            if word == "interval" and nxt and nxt.kind == "str":
                return self.interval(self.next().value)
            if word in _RESERVED:
                raise Unparsable
        elif token.kind != "qname":
            raise Unparsable
        name = token.value
        while self.accept_op("."):  # schema.table.column: keep the column
            name = self.identifier()
        if self.accept_op("("):
            args = self.expressions(")")
            return Func(name.lower(), tuple(args), self.text_from(token.start))
        return Col(name)

    def interval(self, text: str) -> Lit:
        """`INTERVAL '12 hours'`, `INTERVAL '5' DAY`, `INTERVAL '1:30' HOUR TO MINUTE`."""
        words: list[str] = []
        while (token := self.peek()) and token.is_word(*QUALIFIER_WORDS):
            words.append(self.next().value.lower())
        if self.accept_op("("):  # a precision: `SECOND(3)`
            while not self.accept_op(")"):
                self.next()
        value = parse_interval(text, " ".join(words) or None)
        if value is None:
            raise Unparsable
        return Lit(value)

    def expressions(self, closing: str) -> list[object]:
        items: list[object] = []
        if self.accept_op(closing):
            return items
        items.append(self.disjunction())
        while self.accept_op(","):
            items.append(self.disjunction())
        self.expect_op(closing)
        return items

    def identifier(self) -> str:
        token = self.next()
        if token.kind not in ("name", "qname"):
            raise Unparsable
        return token.value

    def type_name(self) -> str:
        words = [self.identifier()]
        while self.accept_op("."):
            words[-1] = self.identifier()
        # `interval hour`, `interval day to second`: PostgreSQL keeps an interval's fields.
        extra = QUALIFIER_WORDS if words[0].lower() == "interval" else frozenset()
        while (token := self.peek()) and token.is_word(*_TYPE_WORDS, *extra):
            words.append(self.next().value)
        if self.accept_op("("):
            while not self.accept_op(")"):
                self.next()
        while self.accept_op("["):
            while not self.accept_op("]"):
                self.next()
        return " ".join(words).lower()


def _cast(node: object, type_name: str) -> object:
    """Drop a cast, but keep what it says about a literal: PostgreSQL shows -5 as '-5'::integer."""
    if isinstance(node, Lit) and isinstance(node.value, str):
        text = node.value.strip()
        if type_name in _NUMERIC_TYPES and NUMBER.fullmatch(text):
            return Lit(number(text))
        if type_name in ("boolean", "bool") and text.lower() in ("t", "true", "f", "false"):
            return Lit(text.lower() in ("t", "true"))
        # PostgreSQL shows interval '0' as '00:00:00'::interval.
        if type_name.split()[0] == "interval":
            value = parse_interval(text, type_name.partition(" ")[2] or None)
            if value is None:
                raise Unparsable
            return Lit(value)
    return node


def _quantified(op: str, quantifier: str, operand: object, array: object) -> In:
    if isinstance(array, Items):
        if op == "=" and quantifier in ("any", "some"):
            return In(operand, array.items)
        if op == "<>" and quantifier == "all":
            return In(operand, array.items, negated=True)
    raise Unparsable


def _negate(node: object) -> object:
    if isinstance(node, Col):  # `NOT is_primary`: a boolean column that is false
        return Comparison("=", node, Lit(False))
    if isinstance(node, Comparison):
        return replace(node, op=_INVERSE[node.op])
    if isinstance(node, Between | In | Match | IsNull):
        return replace(node, negated=not node.negated)
    if isinstance(node, Bool):
        flipped = "and" if node.op == "or" else "or"
        return Bool(flipped, tuple(_negate(operand) for operand in node.operands))
    raise Unparsable
