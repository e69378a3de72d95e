"""Generate strings that match a regular expression, for CHECK constraints with patterns.

Walks the parsed form of the expression (the standard library's own parser) and picks one
path at random; unbounded repeats are capped so values stay short.
"""

from __future__ import annotations

import random
import re
import string

try:  # Python >= 3.11 keeps the parser here; older versions expose sre_parse
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

# Characters each category stands for. No spaces: a trailing space is ignored by MySQL's
# unique indexes and trimmed by CHAR columns, so values that differ only there would collide.
CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.,",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
}
PRINTABLE = string.ascii_letters + string.digits + "-_."
_UNBOUNDED_CAP = 6


class UnsupportedPattern(ValueError):
    pass


def class_characters(items) -> list[str]:
    """The characters a parsed character class (`[a-z0-9_]`, `[^-]`, `\\d`) allows."""
    chars: list[str] = []
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            low, high = arg
            chars.extend(chr(c) for c in range(low, min(high, low + 200) + 1))
        elif name == "CATEGORY":
            chars.extend(CATEGORIES.get(str(arg), PRINTABLE))
        else:
            raise UnsupportedPattern(f"character class item {name}")
    if negate:
        excluded = set(chars)
        chars = [c for c in PRINTABLE if c not in excluded]
    return chars


def _emit(parsed, rng: random.Random, out: list[str], groups: dict[int, str]) -> None:
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append(rng.choice([c for c in PRINTABLE if c != chr(arg)]))
        elif name == "ANY":
            out.append(rng.choice(string.ascii_letters + string.digits))
        elif name == "IN":
            out.append(rng.choice(class_characters(arg)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            if high == sre_parse.MAXREPEAT:
                high = max(low, min(low + _UNBOUNDED_CAP, low + 3 if low else _UNBOUNDED_CAP))
            for _ in range(rng.randint(low, high)):
                _emit(sub, rng, out, groups)
        elif name == "BRANCH":
            _emit(rng.choice(arg[1]), rng, out, groups)
        elif name == "SUBPATTERN":
            group, _add, _del, sub = arg
            start = len(out)
            _emit(sub, rng, out, groups)
            if group is not None:
                groups[group] = "".join(out[start:])
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # anchors and lookarounds constrain nothing we emit
        elif name == "ATOMIC_GROUP":
            _emit(arg, rng, out, groups)
        else:
            raise UnsupportedPattern(f"regular-expression construct {name}")


def generate(pattern: str, rng: random.Random, max_length: int | None = None) -> str:
    """A string that fully matches `pattern` and is at most `max_length` characters long."""
    parsed = sre_parse.parse(pattern)
    compiled = re.compile(pattern)
    for _ in range(100):
        out: list[str] = []
        _emit(parsed, rng, out, {})
        value = "".join(out)
        if (max_length is None or len(value) <= max_length) and compiled.fullmatch(value):
            return value
    raise UnsupportedPattern(f"no value of length <= {max_length} matching {pattern!r} was found")
