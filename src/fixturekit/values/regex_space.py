"""Regular expressions as fixed-shape spaces, so distinct matching strings can be built in bulk.

`fixturekit.values.regex` draws one matching string at a time and relies on retries for
distinctness. Seeding needs millions of distinct values, so here a pattern is reduced to one
*shape*: a sequence of positions, each with its set of allowed characters (repeats fixed to a
length, the widest branch chosen). Row n then takes the n-th string of that shape, through the
bijection of `fixturekit.values.distinct`, and the result is checked against the pattern.
"""

from __future__ import annotations

import re
import string

import numpy as np

from fixturekit.values.distinct import unique_capacity, unique_digits
from fixturekit.values.pools import object_array
from fixturekit.values.regex import PRINTABLE, UnsupportedPattern, class_characters

try:  # Python >= 3.11 keeps the parser here
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

_UNBOUNDED_EXTRA = 6


class ShapeError(UnsupportedPattern):
    """The pattern uses a construct that has no fixed shape (back-references, lookarounds)."""


def _class(items) -> str:
    return "".join(sorted(set(class_characters(items))))


def _min_len(parsed) -> int:
    low, _high = parsed.getwidth()
    return low


def _positions(parsed, budget: int) -> list[str]:
    """Allowed characters per position for the widest shape of at most `budget` characters."""
    out: list[str] = []
    items = list(parsed)
    for index, (op, arg) in enumerate(items):
        name = str(op)
        rest = (
            sre_parse.SubPattern(parsed.state, items[index + 1 :])
            if index + 1 < len(items)
            else None
        )
        reserve = _min_len(rest) if rest is not None else 0
        room = budget - len(out) - reserve
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("".join(c for c in PRINTABLE if c != chr(arg)))
        elif name == "ANY":
            out.append(string.ascii_letters + string.digits)
        elif name == "IN":
            out.append(_class(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            unit = _positions(sub, room)
            width = max(len(unit), 1)
            if high == sre_parse.MAXREPEAT:
                high = low + _UNBOUNDED_EXTRA
            times = min(high, max(low, room // width))
            for _ in range(times):
                out.extend(unit)
        elif name == "BRANCH":
            best: list[str] | None = None
            for alternative in arg[1]:
                try:
                    shape = _positions(alternative, room)
                except UnsupportedPattern:
                    continue
                if len(shape) <= room and (best is None or _size(shape) > _size(best)):
                    best = shape
            if best is None:
                raise ShapeError("no branch fits")
            out.extend(best)
        elif name == "SUBPATTERN":
            out.extend(_positions(arg[3], room))
        elif name == "ATOMIC_GROUP":
            out.extend(_positions(arg, room))
        elif name == "AT":
            continue
        else:
            raise ShapeError(f"regular-expression construct {name}")
    return out


def _size(shape: list[str]) -> float:
    return float(np.prod([float(len(p)) for p in shape])) if shape else 1.0


class Shape:
    """One fixed-length family of strings matching a pattern."""

    def __init__(self, regex: str, max_length: int | None = None) -> None:
        self.regex = regex
        self.compiled = re.compile(regex)
        budget = max_length if max_length is not None else 64
        self.positions = [p for p in _positions(sre_parse.parse(regex), budget) if p]
        if len(self.positions) > budget:
            raise ShapeError(f"the shortest value matching {regex!r} is longer than {budget}")
        self.tables = [object_array(list(p)) for p in self.positions]

    @property
    def capacity(self) -> int:
        """How many distinct values `values(n=...)` can produce."""
        return unique_capacity([len(p) for p in self.positions])

    def values(
        self, count: int, rng: np.random.Generator, n: np.ndarray | None = None, key: int = 0
    ) -> np.ndarray:
        radices = [len(p) for p in self.positions]
        if n is None:
            digits = [rng.integers(0, r, count) for r in radices]
        else:
            digits = unique_digits(n, radices, rng, key)
        out = object_array([""] * count)
        for table, digit in zip(self.tables, digits, strict=True):
            out = out + table[digit]
        return out

    def check(self, values: np.ndarray) -> None:
        for value in values[:16]:
            if not self.compiled.fullmatch(value):
                raise ShapeError(f"built value {value!r} does not match {self.regex!r}")
