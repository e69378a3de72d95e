"""Interval literals as the databases spell them, read into `datetime.timedelta`.

A CHECK on an interval column comes back from PostgreSQL's catalog as `'12:00:00'::interval` or
`'1 day 02:00:00'::interval`, whatever the user wrote (`interval '12 hours'`, `interval '0'`,
`INTERVAL '5' DAY`, `'PT12H'`). Months and years count as 30 and 360 days: that is how
PostgreSQL itself compares intervals, so a value on the right side of a bound stays there.
"""

from __future__ import annotations

import datetime
import re

_SECONDS = {
    "microsecond": 1e-6,
    "millisecond": 1e-3,
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 360 * 86400,
    "decade": 3600 * 86400,
    "century": 36000 * 86400,
    "millennium": 360000 * 86400,
}
_ABBREVIATIONS = {
    "us": "microsecond",
    "usec": "microsecond",
    "usecs": "microsecond",
    "ms": "millisecond",
    "msec": "millisecond",
    "msecs": "millisecond",
    "s": "second",
    "sec": "second",
    "secs": "second",
    "m": "minute",
    "min": "minute",
    "mins": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "d": "day",
    "w": "week",
    "mon": "month",
    "mons": "month",
    "y": "year",
    "yr": "year",
    "yrs": "year",
    "centuries": "century",
    "millennia": "millennium",
}
# Words that may follow a typed literal: `INTERVAL '5' DAY`, `INTERVAL '1:30' HOUR TO MINUTE`.
QUALIFIER_WORDS = frozenset({"year", "month", "day", "hour", "minute", "second", "to"})

_CLOCK = re.compile(r"([+-])?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$")
_AMOUNT = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]+)?")
_ISO = re.compile(
    r"([+-])?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def _unit(word: str) -> str | None:
    word = _ABBREVIATIONS.get(word, word)
    if word in _SECONDS:
        return word
    if word.endswith("s") and word[:-1] in _SECONDS:
        return word[:-1]
    return None


def parse_interval(text: str, qualifier: str | None = None) -> datetime.timedelta | None:
    """The timedelta an interval literal stands for, or None when the text is not one.

    `qualifier` is the SQL-standard field after the literal (`DAY`, `HOUR TO MINUTE`): its first
    word is the unit of a bare number.
    """
    body = text.strip().lower()
    if body.startswith("@"):
        body = body[1:].strip()
    sign = 1
    if body.endswith(" ago"):
        body, sign = body[: -len(" ago")].strip(), -1
    if not body:
        return None
    iso = _ISO.match(body)
    if iso and body not in ("p", "pt"):
        sizes = ("year", "month", "week", "day", "hour", "minute", "second")
        amounts = zip(iso.groups()[1:], sizes, strict=True)
        seconds = sum(float(v) * _SECONDS[u] for v, u in amounts if v)
        return datetime.timedelta(seconds=sign * (-seconds if iso.group(1) == "-" else seconds))
    bare_unit = _unit(qualifier.split()[0].lower()) if qualifier else None
    total = 0.0
    for part in re.split(r"[\s,]+(?=[+-]?[\d.])", body):
        clock = _CLOCK.match(part)
        if clock:
            negative, hours, minutes, seconds = clock.groups()
            amount = int(hours) * 3600 + int(minutes) * 60 + float(seconds or 0)
            if seconds is None and bare_unit == "minute":  # `'1:30' MINUTE TO SECOND`
                amount = int(hours) * 60 + int(minutes)
            total += -amount if negative == "-" else amount
            continue
        amount = _AMOUNT.fullmatch(part)
        if amount is None:
            return None
        unit = _unit(amount.group(2)) if amount.group(2) else (bare_unit or "second")
        if unit is None:
            return None
        total += float(amount.group(1)) * _SECONDS[unit]
    return datetime.timedelta(seconds=sign * total)
