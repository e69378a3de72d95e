"""Pattern conditions (LIKE, ILIKE, GLOB, `~`, REGEXP, regexp_like) as anchored Python regexes."""

from __future__ import annotations

import re
from dataclasses import replace

from fixturekit.schema.check_tree import Col, Func, Lit, Match
from fixturekit.schema.predicates import Pattern


def match_pattern(node: Match) -> Pattern | None:
    match node:
        # How SQLAlchemy renders ilike() outside PostgreSQL.
        case Match("like", Func("lower", (Col() as column,)), Func("lower", (Lit() as text,))):
            node = replace(node, op="ilike", operand=column, pattern=text)
    pattern = node.pattern.value if isinstance(node.pattern, Lit) else None
    if not isinstance(node.operand, Col) or not isinstance(pattern, str):
        return None
    # Backslash is LIKE's default escape in PostgreSQL and MySQL (SQLite has none).
    escape = "\\" if node.escape is None else getattr(node.escape, "value", None)
    if not (isinstance(escape, str) and len(escape) == 1):
        return None
    if node.op in ("like", "ilike"):
        regex = like_regex(pattern, escape)
    elif node.op == "glob":
        regex = glob_regex(pattern)
    else:
        regex = search_regex(pattern)
    if node.op in ("ilike", "iregexp"):
        regex = "(?i)" + regex
    return _pattern(node.operand.name, regex, node.negated, node.source)


def regexp_like(column: str, regex: str, flags: list[object], source: str) -> Pattern | None:
    match flags:
        case []:
            flag = ""
        case [Lit(str() as flag)] if not set(flag) - set("ic"):
            pass
        case _:
            return None
    # As in MySQL and Oracle, the last of conflicting i/c flags wins.
    insensitive = "i" in flag and flag.rindex("i") > flag.rfind("c")
    prefix = "(?i)" if insensitive else ""
    return _pattern(column, prefix + search_regex(regex), False, source)


def _pattern(column: str, regex: str, negated: bool, source: str) -> Pattern | None:
    try:
        re.compile(regex)
    except re.error:
        return None
    return Pattern(column, regex, negated, source)


def like_regex(pattern: str, escape: str) -> str:
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


def glob_regex(pattern: str) -> str:
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


def search_regex(regex: str) -> str:
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
