"""Date bounds as strategies and seed configs write them: ISO dates or Faker-style offsets.

`"-2y"`, `"+30d"`, `"-1y6M"`, `"today"`, `"now"`, `"2024-01-31"`. Offsets are resolved against
an explicit anchor date rather than the wall clock, so seeded data does not change from one day
to the next unless the user wants it to (`today` in the seed config pins the anchor).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_OFFSET = re.compile(
    r"^(?P<sign>[+-])?"
    r"(?:(?P<years>\d+)y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)w)?(?:(?P<days>\d+)d)?"
    r"(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?$"
)
# Faker's own lengths for the calendar units.
_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = 30.42


class BadBound(ValueError):
    pass


def parse_offset(text: str) -> dt.timedelta | None:
    match = _OFFSET.match(text.strip())
    if not match or not any(v for k, v in match.groupdict().items() if k != "sign"):
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "sign"}
    delta = dt.timedelta(
        days=parts.get("years", 0) * _DAYS_PER_YEAR
        + parts.get("months", 0) * _DAYS_PER_MONTH
        + parts.get("weeks", 0) * 7
        + parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
    return -delta if match.group("sign") == "-" else delta


def resolve(bound: Any, today: dt.date) -> dt.datetime:
    """A bound as a naive datetime (midnight of `today` stands for both "today" and "now")."""
    anchor = dt.datetime.combine(today, dt.time())
    if isinstance(bound, dt.datetime):
        return bound.replace(tzinfo=None) if bound.tzinfo else bound
    if isinstance(bound, dt.date):
        return dt.datetime.combine(bound, dt.time())
    if isinstance(bound, dt.timedelta):
        return anchor + bound
    if isinstance(bound, (int, float)):
        return anchor + dt.timedelta(days=bound)
    if not isinstance(bound, str):
        raise BadBound(f"{bound!r} is not a date, a datetime or an offset")
    text = bound.strip()
    if text in ("today", "now"):
        return anchor
    if text == "yesterday":
        return anchor - dt.timedelta(days=1)
    if text == "tomorrow":
        return anchor + dt.timedelta(days=1)
    delta = parse_offset(text)
    if delta is not None:
        return anchor + delta
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadBound(
            f"{bound!r} is not a date: use an ISO date (2024-01-31), 'today', or an offset "
            "such as '-2y', '+30d', '-1y6M'"
        ) from None
    return value.replace(tzinfo=None) if value.tzinfo else value


def valid_bound(bound: Any) -> bool:
    try:
        resolve(bound, dt.date(2000, 1, 1))
    except BadBound:
        return False
    return True
