"""Tokens of CHECK constraint SQL, and its split at top-level AND.

Lenient about spelling: PostgreSQL's casts and parentheses, MariaDB's backquotes and backslash
escapes, MySQL 8's escaped quotes around strings (`_utf8mb4\\'a\\'`) all tokenize the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


class Unparsable(Exception):
    """Raised inside the parser; `parse_check` turns it into an unparsed fragment."""


@dataclass(frozen=True)
class Token:
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
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Only MySQL-family text escapes quotes with backslashes inside ordinary strings, and that text
# always backquotes identifiers or carries charset introducers; PostgreSQL and SQLite take a
# backslash literally (regular expressions such as '^\d+$' depend on it).
_MYSQL_TEXT = re.compile(r"`|\b_[A-Za-z0-9]+\\?'")
_BACKSLASH_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "Z": "\x1a"}


def tokenize(sql: str) -> list[Token]:
    mysql = bool(_MYSQL_TEXT.search(sql))
    tokens: list[Token] = []
    pos = 0
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if match is None:
            raise Unparsable
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
            tokens.append(Token("str", value, match.start(), end))
            pos = end
            continue
        text = match.group()
        if kind == "num":
            value: str | int | Decimal = number(text)
        elif kind == "qname":
            value = text[1:-1].replace(text[0] * 2, text[0])
        else:
            value = text
        tokens.append(Token(kind, value, match.start(), match.end()))
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
    raise Unparsable


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


def number(text: str) -> int | Decimal:
    return int(text) if text.lstrip("+-").isdigit() else Decimal(text)


# --- top-level AND split --------------------------------------------------------------------


def check_body(tokens: list[Token]) -> list[Token]:
    """Drop `CONSTRAINT name`, `CHECK (...)` and what follows it (`NOT VALID`, `NO INHERIT`)."""
    if len(tokens) > 2 and tokens[0].is_word("constraint"):
        tokens = tokens[2:]
    if len(tokens) > 1 and tokens[0].is_word("check") and tokens[1].is_op("("):
        return tokens[2 : _closing(tokens, 1)]
    return tokens


def _closing(tokens: list[Token], index: int) -> int:
    depth = 0
    for i in range(index, len(tokens)):
        depth += _nesting(tokens[i])
        if depth == 0:
            return i
    raise Unparsable


def _nesting(token: Token) -> int:
    if token.is_op("(", "[") or token.is_word("case"):
        return 1
    if token.is_op(")", "]") or token.is_word("end"):
        return -1
    return 0


def _strip_parens(tokens: list[Token]) -> list[Token]:
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


def conjuncts(tokens: list[Token]) -> list[list[Token]]:
    tokens = _strip_parens(tokens)
    parts: list[list[Token]] = []
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
        raise Unparsable
    parts.append(tokens[start:])
    if len(parts) == 1:
        return parts
    return [conjunct for part in parts for conjunct in conjuncts(part)]
