"""Turn CHECK constraint SQL into the predicates of `fixturekit.schema.predicates`.

The text comes from models, from SQLAlchemy `literal_binds` compilation and from live databases,
which rewrite what the user declared: PostgreSQL's `pg_get_constraintdef` adds casts, parentheses
and `= ANY (ARRAY[...])`, MariaDB backquotes names and escapes quotes with backslashes, MySQL 8
even escapes the quotes around its strings (`_utf8mb4\\'a\\'`). The parser is therefore lenient
about spelling and strict about meaning: whatever it cannot turn into a predicate is reported in
`ParsedCheck.unparsed`, and it never raises.

Shape: a tokenizer; a split at top-level AND done on tokens, so that one conjunct the parser
cannot read does not take the others down with it; a recursive-descent parser producing a tiny
expression tree per conjunct; and a converter from that tree to predicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from fixturekit.schema.predicates import (
    COMPARISON_OPS,
    FLIPPED,
    ColumnCompare,
    Compare,
    InSet,
    JsonValid,
    Length,
    LetterCase,
    Literal,
    NotNull,
    NullOr,
    ParsedCheck,
    Pattern,
    Predicate,
    predicate_columns,
)

__all__ = ["parse_check"]


class _Unparsable(Exception):
    pass


def parse_check(sql: str) -> ParsedCheck:
    """Parse one CHECK constraint (with or without the leading `CHECK`); never raises."""
    whole = ParsedCheck(sql, (), (sql,), frozenset())
    try:
        parts = _conjuncts(_check_body(_tokenize(sql)))
    except (_Unparsable, RecursionError):
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


def _parse_conjunct(tokens: list[_Token], sql: str) -> list[Predicate] | None:
    try:
        return _predicates(_Parser(tokens, sql).parse())
    except (_Unparsable, RecursionError):
        return None


# --- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "num" | "str" | "name" (unquoted) | "qname" (quoted identifier) | "op"
    value: str | int | Decimal
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "name" and self.value.lower() in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.value in ops


_TOKEN = re.compile(
    r"""
      (?P<space>\s+|--[^\n]*|/\*.*?\*/)
    | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<prefix>[eEnN](?=')|_[A-Za-z0-9]+(?=\\?'))?(?P<quote>\\?')
    | (?P<name>[^\W\d][\w$]*)
    | (?P<qname>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
    | (?P<op><regexp>|<not\ regexp>|!~~\*|!~~|~~\*|!~\*|::|<=|>=|<>|!=|==|~~|~\*|!~|\|\||[^\s\w])
    """,
    re.VERBOSE | re.DOTALL,
)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Only MySQL-family text escapes quotes with backslashes inside ordinary strings, and that text
# always backquotes identifiers or carries charset introducers; PostgreSQL and SQLite take a
# backslash literally (regular expressions such as '^\d+$' depend on it).
_MYSQL_TEXT = re.compile(r"`|\b_[A-Za-z0-9]+\\?'")
_BACKSLASH_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "Z": "\x1a"}


def _tokenize(sql: str) -> list[_Token]:
    mysql = bool(_MYSQL_TEXT.search(sql))
    tokens: list[_Token] = []
    pos = 0
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if match is None:
            raise _Unparsable
        kind = match.lastgroup
        if kind == "space":
            pos = match.end()
            continue
        if kind == "quote":
            prefix = (match.group("prefix") or "").lower()
            value, end = _read_string(
                sql,
                match.end(),
                slashed=match.group("quote") == "\\'",
                backslashes=mysql or prefix == "e",
            )
            tokens.append(_Token("str", value, match.start(), end))
            pos = end
            continue
        text = match.group()
        if kind == "num":
            value: str | int | Decimal = _number(text)
        elif kind == "qname":
            value = text[1:-1].replace(text[0] * 2, text[0])
        else:
            value = text
        tokens.append(_Token(kind, value, match.start(), match.end()))
        pos = match.end()
    return tokens


def _read_string(sql: str, pos: int, *, slashed: bool, backslashes: bool) -> tuple[str, int]:
    """Read a string literal from just after its opening quote; return (value, end offset)."""
    chars: list[str] = []
    i = pos
    while i < len(sql):
        c = sql[i]
        if slashed and c == "\\":
            # MySQL 8 shows `\'...\'`: the whole literal escaped once more. Undo that layer here;
            # the ordinary escapes of the body are undone below.
            if sql.startswith("'", i + 1):
                return _unescape("".join(chars), backslashes), i + 2
            chars.append(sql[i + 1 : i + 2])
            i += 2
        elif not slashed and c == "'":
            if sql.startswith("'", i + 1):
                chars.append("''")
                i += 2
            else:
                return _unescape("".join(chars), backslashes), i + 1
        elif not slashed and c == "\\" and backslashes:
            chars.append(sql[i : i + 2])
            i += 2
        else:
            chars.append(c)
            i += 1
    raise _Unparsable


def _unescape(body: str, backslashes: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "'" and body.startswith("'", i + 1):
            out.append("'")
            i += 2
        elif c == "\\" and backslashes and i + 1 < len(body):
            nxt = body[i + 1]
            # MySQL keeps \% and \_ as written so that LIKE still sees them escaped.
            out.append(c + nxt if nxt in "%_" else _BACKSLASH_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _number(text: str) -> int | Decimal:
    return int(text) if text.lstrip("+-").isdigit() else Decimal(text)


# --- top-level AND split --------------------------------------------------------------------


def _check_body(tokens: list[_Token]) -> list[_Token]:
    """Drop `CONSTRAINT name`, `CHECK (...)` and what follows it (`NOT VALID`, `NO INHERIT`)."""
    if len(tokens) > 2 and tokens[0].is_word("constraint"):
        tokens = tokens[2:]
    if len(tokens) > 1 and tokens[0].is_word("check") and tokens[1].is_op("("):
        return tokens[2 : _closing(tokens, 1)]
    return tokens


def _closing(tokens: list[_Token], index: int) -> int:
    depth = 0
    for i in range(index, len(tokens)):
        depth += _nesting(tokens[i])
        if depth == 0:
            return i
    raise _Unparsable


def _nesting(token: _Token) -> int:
    if token.is_op("(", "[") or token.is_word("case"):
        return 1
    if token.is_op(")", "]") or token.is_word("end"):
        return -1
    return 0


def _strip_parens(tokens: list[_Token]) -> list[_Token]:
    closing: dict[int, int] = {}
    opened: list[int] = []
    for i, token in enumerate(tokens):
        if token.is_op("("):
            opened.append(i)
        elif token.is_op(")") and opened:
            closing[opened.pop()] = i
    low, high = 0, len(tokens) - 1
    while low < high and closing.get(low) == high:
        low, high = low + 1, high - 1
    return tokens[low : high + 1]


def _conjuncts(tokens: list[_Token]) -> list[list[_Token]]:
    tokens = _strip_parens(tokens)
    parts: list[list[_Token]] = []
    start = depth = betweens = 0
    for i, token in enumerate(tokens):
        depth += _nesting(token)
        if depth:
            continue
        if token.is_word("or"):
            # AND binds tighter than OR, so an OR at this level makes the whole one conjunct.
            return [tokens]
        if token.is_word("between"):
            betweens += 1
        elif token.is_word("and") and betweens:
            betweens -= 1
        elif token.is_word("and"):
            parts.append(tokens[start:i])
            start = i + 1
    if depth:
        raise _Unparsable
    parts.append(tokens[start:])
    if len(parts) == 1:
        return parts
    return [conjunct for part in parts for conjunct in _conjuncts(part)]


# --- expression tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Col:
    name: str


@dataclass(frozen=True)
class _Lit:
    value: Literal


@dataclass(frozen=True)
class _Func:
    name: str  # lower case, schema dropped
    args: tuple
    source: str


@dataclass(frozen=True)
class _Items:
    """`(a, b, ...)` or `ARRAY[a, b, ...]`."""

    items: tuple


@dataclass(frozen=True)
class _Bool:
    op: str  # "and" | "or"
    operands: tuple


@dataclass(frozen=True)
class _Compare:
    op: str  # one of predicates.COMPARISON_OPS
    left: object
    right: object


@dataclass(frozen=True)
class _Between:
    operand: object
    low: object
    high: object
    negated: bool = False


@dataclass(frozen=True)
class _In:
    operand: object
    items: tuple
    negated: bool = False


@dataclass(frozen=True)
class _Match:
    op: str  # "like" | "ilike" | "glob" | "regexp" | "iregexp"
    operand: object
    pattern: object
    negated: bool = False
    escape: object = None
    source: str = ""


@dataclass(frozen=True)
class _IsNull:
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


class _Parser:
    def __init__(self, tokens: list[_Token], sql: str):
        self.tokens = tokens
        self.sql = sql
        self.pos = 0

    def parse(self) -> object:
        node = self.disjunction()
        if self.pos != len(self.tokens):
            raise _Unparsable
        return node

    # token helpers

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _Unparsable
        self.pos += 1
        return token

    def accept_word(self, *words: str) -> _Token | None:
        token = self.peek()
        if token is not None and token.is_word(*words):
            self.pos += 1
            return token
        return None

    def accept_op(self, *ops: str) -> _Token | None:
        token = self.peek()
        if token is not None and token.is_op(*ops):
            self.pos += 1
            return token
        return None

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise _Unparsable

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
        return operands[0] if len(operands) == 1 else _Bool(op, tuple(operands))

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
            return _Compare(op, left, self.operand())
        if token.kind == "op" and token.value in _MATCH_OPS:
            self.pos += 1
            kind, negated = _MATCH_OPS[token.value]
            return self.match(kind, left, negated, token.start)
        negated = self.accept_word("not")
        if self.accept_word("between"):
            low = self.operand()
            if not self.accept_word("and"):
                raise _Unparsable
            return _Between(left, low, self.operand(), bool(negated))
        if self.accept_word("in"):
            self.expect_op("(")
            items = self.expressions(")")
            return _In(left, tuple(items), bool(negated))
        if word := self.accept_word(*_MATCH_WORDS):
            start = (negated or word).start
            return self.match(_MATCH_WORDS[word.value.lower()], left, bool(negated), start)
        if negated:
            raise _Unparsable
        if self.accept_word("is"):
            negated = self.accept_word("not")
            if not self.accept_word("null"):
                raise _Unparsable
            return _IsNull(left, bool(negated))
        if word := self.accept_word("isnull", "notnull"):  # SQLite's postfix spellings
            return _IsNull(left, word.is_word("notnull"))
        return left

    def match(self, kind: str, left: object, negated: bool, start: int) -> _Match:
        pattern = self.operand()
        escape = self.operand() if self.accept_word("escape") else None
        return _Match(kind, left, pattern, negated, escape, self.text_from(start))

    def operand(self) -> object:
        """A value: arithmetic is not understood, so any operator other than a sign ends here."""
        if sign := self.accept_op("-", "+"):
            node = self.operand()
            value = node.value if isinstance(node, _Lit) else None
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise _Unparsable
            return _Lit(-value if sign.value == "-" else value)
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
            return _Lit(token.value)
        if token.is_op("("):
            items = self.expressions(")")
            return items[0] if len(items) == 1 else _Items(tuple(items))
        if token.kind == "name":
            word = token.value.lower()
            if word in ("null", "true", "false"):
                return _Lit({"null": None, "true": True, "false": False}[word])
            if word in _NILADIC:
                return _Func(word, (), token.value)
            if word == "array" and self.accept_op("["):
                return _Items(tuple(self.expressions("]")))
            if word == "cast" and self.accept_op("("):
                node = self.disjunction()
                if not self.accept_word("as"):
                    raise _Unparsable
                node = _cast(node, self.type_name())
                self.expect_op(")")
                return node
            nxt = self.peek()
            if word in ("date", "time", "timestamp") and nxt and nxt.kind == "str":
                return _Lit(self.next().value)  # typed literal: dates stay strings
            if word in _RESERVED:
                raise _Unparsable
        elif token.kind != "qname":
            raise _Unparsable
        name = token.value
        while self.accept_op("."):  # schema.table.column: keep the column
            name = self.identifier()
        if self.accept_op("("):
            args = self.expressions(")")
            return _Func(name.lower(), tuple(args), self.text_from(token.start))
        return _Col(name)

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
            raise _Unparsable
        return token.value

    def type_name(self) -> str:
        words = [self.identifier()]
        while self.accept_op("."):
            words[-1] = self.identifier()
        while (token := self.peek()) and token.is_word(*_TYPE_WORDS):
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
    if isinstance(node, _Lit) and isinstance(node.value, str):
        text = node.value.strip()
        if type_name in _NUMERIC_TYPES and _NUMBER.fullmatch(text):
            return _Lit(_number(text))
        if type_name in ("boolean", "bool") and text.lower() in ("t", "true", "f", "false"):
            return _Lit(text.lower() in ("t", "true"))
    return node


def _quantified(op: str, quantifier: str, operand: object, array: object) -> _In:
    if isinstance(array, _Items):
        if op == "=" and quantifier in ("any", "some"):
            return _In(operand, array.items)
        if op == "<>" and quantifier == "all":
            return _In(operand, array.items, negated=True)
    raise _Unparsable


def _negate(node: object) -> object:
    if isinstance(node, _Compare):
        return replace(node, op=_INVERSE[node.op])
    if isinstance(node, _Between | _In | _Match | _IsNull):
        return replace(node, negated=not node.negated)
    if isinstance(node, _Bool):
        flipped = "and" if node.op == "or" else "or"
        return _Bool(flipped, tuple(_negate(operand) for operand in node.operands))
    raise _Unparsable


# --- tree to predicates ---------------------------------------------------------------------

_LENGTH_FUNCS = frozenset({"char_length", "character_length", "length", "len"})
_CASE_FUNCS = {"lower": "lower", "lcase": "lower", "upper": "upper", "ucase": "upper"}


def _predicates(node: object) -> list[Predicate] | None:
    match node:
        case _Bool("and", operands):
            parts = [_predicates(operand) for operand in operands]
            return None if None in parts else [p for part in parts for p in part]
        case _Bool("or", (first, second)):
            return _null_or(first, second) or _null_or(second, first)
        case _IsNull(_Col(name), negated=True):
            return [NotNull(name)]
        case _Compare(op, left, right):
            found = _comparison(op, left, right)
            return [found] if found else None
        case _Between(operand, low, high, negated=False):
            above, below = _comparison(">=", operand, low), _comparison("<=", operand, high)
            return [above, below] if above and below else None
        case _In(_Col(name), items, negated) if all(isinstance(i, _Lit) for i in items):
            return [InSet(name, tuple(item.value for item in items), negated)]
        case _Match():
            found = _match_pattern(node)
            return [found] if found else None
        case _Func("json_valid", (_Col(name),)):
            return [JsonValid(name)]
        case _Func("regexp_like", (_Col(name), _Lit(str() as regex), *flags)):
            found = _regexp_like(name, regex, flags, node.source)
            return [found] if found else None
    return None


def _null_or(guard: object, rest: object) -> list[Predicate] | None:
    """`x IS NULL OR p` where every predicate of p is about x: p holds whenever x has a value."""
    if not (isinstance(guard, _IsNull) and not guard.negated and isinstance(guard.operand, _Col)):
        return None
    column = guard.operand.name
    inner = _predicates(rest)
    if not inner or any(column not in predicate_columns(p) for p in inner):
        return None
    return [NullOr(column, p) for p in inner]


def _comparison(op: str, left: object, right: object) -> Predicate | None:
    # Put the column (or the function of one) on the left: `0 < price` is `price > 0`.
    if (isinstance(right, _Col) and not isinstance(left, _Col)) or isinstance(left, _Lit):
        left, right, op = right, left, FLIPPED[op]
    match left, right:
        case _Col(a), _Col(b):
            return ColumnCompare(a, op, b)
        case _Col(a), _Lit(value) if value is not None:
            return Compare(a, op, value)
        case _Col(a), _Func(func, (_Col(b),)) if op == "=" and a == b and func in _CASE_FUNCS:
            return LetterCase(a, _CASE_FUNCS[func])
        case _Func(func, (_Col(a),)), _Lit(int() as n) if func in _LENGTH_FUNCS:
            return None if isinstance(n, bool) else Length(a, op, n)
    return None


def _match_pattern(node: _Match) -> Pattern | None:
    match node:
        # How SQLAlchemy renders ilike() outside PostgreSQL.
        case _Match("like", _Func("lower", (_Col() as column,)), _Func("lower", (_Lit() as text,))):
            node = replace(node, op="ilike", operand=column, pattern=text)
    pattern = node.pattern.value if isinstance(node.pattern, _Lit) else None
    if not isinstance(node.operand, _Col) or not isinstance(pattern, str):
        return None
    # Backslash is LIKE's default escape in PostgreSQL and MySQL (SQLite has none).
    escape = "\\" if node.escape is None else getattr(node.escape, "value", None)
    if not (isinstance(escape, str) and len(escape) == 1):
        return None
    if node.op in ("like", "ilike"):
        regex = _like_regex(pattern, escape)
    elif node.op == "glob":
        regex = _glob_regex(pattern)
    else:
        regex = _search_regex(pattern)
    if node.op in ("ilike", "iregexp"):
        regex = "(?i)" + regex
    return _pattern(node.operand.name, regex, node.negated, node.source)


def _regexp_like(column: str, regex: str, flags: list[object], source: str) -> Pattern | None:
    match flags:
        case []:
            flag = ""
        case [_Lit(str() as flag)] if not set(flag) - set("ic"):
            pass
        case _:
            return None
    # As in MySQL and Oracle, the last of conflicting i/c flags wins.
    insensitive = "i" in flag and flag.rindex("i") > flag.rfind("c")
    prefix = "(?i)" if insensitive else ""
    return _pattern(column, prefix + _search_regex(regex), False, source)


def _pattern(column: str, regex: str, negated: bool, source: str) -> Pattern | None:
    try:
        re.compile(regex)
    except re.error:
        return None
    return Pattern(column, regex, negated, source)


def _like_regex(pattern: str, escape: str) -> str:
    out: list[str] = []
    chars = iter(pattern)
    for c in chars:
        if c == escape:
            out.append(re.escape(next(chars, escape)))
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(c))
    return "^" + "".join(out) + "$"


def _glob_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        # A ']' straight after '[' or '[^' belongs to the set, as in SQLite.
        first = i + 2 if pattern.startswith("[^", i) else i + 1
        end = pattern.find("]", first + 1) if c == "[" else -1
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif end != -1:
            body = pattern[first:end].replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
            out.append("[" + ("^" if first == i + 2 else "") + body + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:alnum:]": "a-zA-Z0-9",
    "[:upper:]": "A-Z",
    "[:lower:]": "a-z",
    "[:space:]": r"\s",
    "[:xdigit:]": "0-9A-Fa-f",
    "[:word:]": r"\w",
    "[:punct:]": r"!-/:-@\[-`{-~",
}


def _search_regex(regex: str) -> str:
    """`~` and REGEXP find a match anywhere; Pattern.regex must match the whole value."""
    for posix, python in _POSIX_CLASSES.items():
        regex = regex.replace(posix, python)
    if _has_top_level_bar(regex):
        return f"^.*(?:{regex}).*$"
    starts = regex.startswith("^")
    body = regex[1:] if starts else regex
    trailing_backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
    ends = body.endswith("$") and trailing_backslashes % 2 == 0
    body = body[:-1] if ends else body
    return ("^" if starts else "^.*") + body + ("$" if ends else ".*$")


def _has_top_level_bar(regex: str) -> bool:
    depth, in_set, i = 0, False, 0
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 1
        elif in_set:
            in_set = c != "]"
        elif c == "[":
            in_set = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False
