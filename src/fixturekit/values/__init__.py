"""One-value generators used by generated factories and runtime factories (imported as `fv`).

Randomness comes from factory_boy's generator and Faker's shared one, so
`factory.random.reseed_random(seed)` makes every factory deterministic. The bulk generators
used by seeding live in `fixturekit.values.bulk`.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import json as _json
import re as _re
import unicodedata as _unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import factory.random
import faker as _faker_module

from fixturekit.values.providers import with_providers
from fixturekit.values.regex import generate as _generate_matching

_fake: _faker_module.Faker | None = None


def faker() -> _faker_module.Faker:
    """The Faker instance fixturekit uses; it shares the generator factory_boy reseeds."""
    global _fake
    if _fake is None:
        _fake = with_providers(_faker_module.Faker())
    return _fake


def _rng():
    return factory.random.randgen


def _apply_case(value: str, case: str | None) -> str:
    if case == "lower":
        return value.lower()
    if case == "upper":
        return value.upper()
    return value


def fake(
    provider: str,
    max_length: int | None = None,
    case: str | None = None,
    min_length: int | None = None,
    **kwargs: Any,
):
    """Call a Faker provider; retry a few times for a value that fits, then pad or truncate."""
    method = getattr(faker(), provider)
    value = method(**kwargs)
    if isinstance(value, str) and (max_length is not None or min_length is not None):
        for _ in range(20):
            short = min_length is not None and len(value) < min_length
            if not short and (max_length is None or len(value) <= max_length):
                break
            value = method(**kwargs)
        while min_length is not None and len(value) < min_length:
            value += faker().lexify("?" * (min_length - len(value)))
        value = value[:max_length] if max_length is not None else value
    if isinstance(value, str):
        value = _apply_case(value, case)
    return value


def _suffix_separator(base: str) -> str:
    if "@" in base:
        return ""
    if "-" in base:
        return "-"
    if "_" in base or "." in base:
        return "_"
    if " " in base:
        return " "
    return ""


def numbered(base: Any, n: int, max_length: int | None = None, wrap: bool = False) -> str:
    """Make `base` unique for sequence number `n` by weaving `n` in, within `max_length`.

    Emails take the number before the `@`; other values get it as a suffix with a separator
    that fits their style (`jane-doe-12`, `jdoe12`).
    """
    base = str(base)
    suffix = str(n)
    if "@" in base:
        local, _, domain = base.partition("@")
        if max_length is not None:
            room = max_length - len(domain) - 1 - len(suffix)
            if room < 1:
                domain = domain[: max(3, max_length - 2 - len(suffix))]
                room = max_length - len(domain) - 1 - len(suffix)
            local = local[: max(room, 1)]
        return f"{local}{suffix}@{domain}"[: max_length or None]
    separator = _suffix_separator(base)
    tail = f"{separator}{suffix}"
    if max_length is not None:
        if len(tail) >= max_length:
            return code(n, max_length, alphabet="0123456789abcdefghijklmnopqrstuvwxyz", wrap=wrap)
        base = base[: max_length - len(tail)].rstrip()
    return f"{base}{tail}"


def unique(
    provider: str,
    n: int,
    max_length: int | None = None,
    case: str | None = None,
    min_length: int | None = None,
    wrap: bool = False,
    **kwargs: Any,
) -> str:
    """A realistic value from a Faker provider, made unique for sequence number `n`."""
    base = fake(provider, case=case, min_length=min_length, **kwargs)
    value = numbered(base, n, max_length, wrap=wrap)
    return _apply_case(value, case)


_drawn: dict[tuple[str, Any], set[Any]] = {}


def _fold(value: Any) -> Any:
    """The identity a unique index sees: MySQL and SQL Server compare text case-insensitively
    and ignore trailing spaces, so values that differ only there would still collide."""
    return value.casefold().rstrip() if isinstance(value, str) else value


def unique_draw(
    provider: str,
    n: int,
    max_length: int | None = None,
    case: str | None = None,
    min_length: int | None = None,
    wrap: bool = False,
    **kwargs: Any,
) -> Any:
    """A value of a fixed format (a country code, an IBAN) not drawn before in this process.

    With `wrap`, a value drawn before is returned once the domain looks exhausted.
    """
    seen = _drawn.setdefault((provider, tuple(sorted(kwargs.items())), max_length, case), set())
    for _ in range(50 if wrap else 1000):
        value = fake(provider, max_length=max_length, case=case, min_length=min_length, **kwargs)
        key = _fold(value)
        if key not in seen:
            seen.add(key)
            return value
    if wrap:
        return value
    raise ValueError(
        f"Faker's {provider!r} gave no new value in 1000 tries after {len(seen)} distinct ones: "
        "the column is unique but its domain is nearly exhausted"
    )


def date_sequence(n: int, start: str, step_seconds: int = 86400) -> _dt.date:
    return _dt.date.fromisoformat(start[:10]) - _dt.timedelta(
        days=n * max(1, step_seconds // 86400)
    )


def datetime_sequence(
    n: int, start: str, step_seconds: int = 1, aware: bool = False
) -> _dt.datetime:
    value = _dt.datetime.fromisoformat(start) - _dt.timedelta(seconds=n * step_seconds)
    if aware and value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return value


def code(
    n: int | None, length: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", wrap: bool = False
) -> str:
    """A code of `length` characters: random when `n` is None, else the n-th code in order.

    With `wrap`, numbering starts again after the last code instead of failing.
    """
    if n is None:
        return "".join(_rng().choice(alphabet) for _ in range(length))
    capacity = len(alphabet) ** length
    if wrap:
        n %= capacity
    if n >= capacity:
        raise ValueError(
            f"only {capacity} distinct codes of length {length} exist over {alphabet!r}; "
            f"sequence number {n} is past the end"
        )
    chars = []
    for _ in range(length):
        n, digit = divmod(n, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(reversed(chars))


def bounded_sequence(n: int, start: int, maximum: int) -> int:
    value = start + n
    if value > maximum:
        raise ValueError(f"sequence value {value} is past the column's maximum {maximum}")
    return value


def integer(low: int, high: int) -> int:
    return _rng().randint(low, high)


def decimal(low: Any, high: Any, places: int) -> _decimal.Decimal:
    """A Decimal in [low, high] with exactly `places` digits after the point."""
    low, high = _decimal.Decimal(str(low)), _decimal.Decimal(str(high))
    unit = _decimal.Decimal(1).scaleb(-places)
    lo_units = int((low / unit).to_integral_value(rounding=_decimal.ROUND_CEILING))
    hi_units = int((high / unit).to_integral_value(rounding=_decimal.ROUND_FLOOR))
    return (_decimal.Decimal(_rng().randint(lo_units, hi_units)) * unit).quantize(unit)


def floating(low: float, high: float) -> float:
    return _rng().uniform(low, high)


def choice(values: Sequence[Any]) -> Any:
    return _rng().choice(list(values))


def weighted(values: Sequence[Any], weights: Sequence[float]) -> Any:
    return _rng().choices(list(values), weights=list(weights), k=1)[0]


def nth(values: Sequence[Any], n: int, wrap: bool = False) -> Any:
    values = list(values)
    if wrap:
        n %= len(values)
    if n >= len(values):
        raise ValueError(
            f"only {len(values)} distinct values exist for this unique column; "
            f"sequence number {n} is past the end"
        )
    return values[n]


def boolean(true_rate: float = 0.5) -> bool:
    return _rng().random() < true_rate


def _as_date_bound(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _as_datetime_bound(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return _dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def date_between(start: Any = "-2y", end: Any = "today") -> _dt.date:
    return faker().date_between(start_date=_as_date_bound(start), end_date=_as_date_bound(end))


def datetime_between(start: Any = "-2y", end: Any = "now", aware: bool = False) -> _dt.datetime:
    tz = _dt.UTC if aware else None
    value = faker().date_time_between(
        start_date=_as_datetime_bound(start), end_date=_as_datetime_bound(end), tzinfo=tz
    )
    return value.replace(microsecond=0)


def time_of_day() -> _dt.time:
    return faker().time_object()


def duration(max_days: int = 30) -> _dt.timedelta:
    return _dt.timedelta(seconds=_rng().randint(60, max_days * 86400))


def json_document(strings_only: bool = False) -> dict[str, Any]:
    """A small JSON object with realistic keys and a mix of value types (or strings only)."""
    words = faker().words(2)
    if strings_only:
        return {"source": words[0], "label": words[1], "note": faker().sentence(nb_words=4)}
    return {
        "source": words[0],
        "score": _rng().randint(0, 100),
        "active": _rng().random() < 0.5,
        "tags": faker().words(_rng().randint(0, 3)),
        "note": faker().sentence(nb_words=4),
    }


def json_array(max_items: int = 3) -> list[dict[str, Any]]:
    """A short JSON array of small objects, for a column that holds a list."""
    return [json_document() for _ in range(_rng().randint(1, max_items))]


def json_text() -> str:
    return _json.dumps(json_document(), sort_keys=True)


def binary(length: int = 16) -> bytes:
    return faker().binary(length=length)


def network_address(form: str = "inet") -> str:
    if form == "cidr":
        return faker().ipv4(network=True)
    if form == "mac":
        return faker().mac_address()
    return faker().ipv4()


_issued: dict[str, set[str]] = {}


def matching(regex: str, max_length: int | None = None, n: int | None = None) -> str:
    """A string matching `regex`; distinct from earlier ones in this process when `n` is given."""
    seen = _issued.setdefault(regex, set()) if n is not None else None
    for _ in range(200):
        value = _generate_matching(regex, _rng(), max_length=max_length)
        if seen is None:
            return value
        if _fold(value) not in seen:
            seen.add(_fold(value))
            return value
    raise ValueError(f"could not find another distinct value matching {regex!r}")


def slugify(text: Any, max_length: int | None = None) -> str:
    normalized = _unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = _re.sub(r"[^a-z0-9]+", "-", normalized.lower()).strip("-") or "item"
    return slug[:max_length].rstrip("-") if max_length else slug


def email_from(name: Any, max_length: int | None = None) -> str:
    """An email address derived from a person's name (`Jane Doe` -> `jane.doe@example.org`)."""
    local = slugify(name).replace("-", ".") or "user"
    domain = faker().free_email_domain()
    value = f"{local}@{domain}"
    if max_length and len(value) > max_length:
        local = local[: max(1, max_length - len(domain) - 1)]
        value = f"{local}@{domain}"[:max_length]
    return value


def _resolve_high(high: Any, like: Any) -> Any:
    if high == "now":
        return _dt.datetime.now(like.tzinfo) if isinstance(like, _dt.datetime) else _dt.date.today()
    if high == "today":
        return _dt.date.today()
    return high


def relative(
    other: Any, op: str, fallback: Callable[[], Any], step: Any = None, high: Any = None
) -> Any:
    """A value that stands in relation `op` to `other` (`>` after it, `<` before it, ...).

    `high` caps values placed after `other` (a column's maximum, or "now" for past times): the
    gap shrinks to fit, and a value equal to `other` is used when no gap fits.
    """
    if other is None:
        return fallback()
    if op == "=":
        return other
    if isinstance(other, _dt.datetime):
        gap = _dt.timedelta(seconds=_rng().randint(60, 30 * 86400))
    elif isinstance(other, _dt.date):
        gap = _dt.timedelta(days=_rng().randint(1, 30))
    elif isinstance(other, _decimal.Decimal):
        unit = step if step is not None else _decimal.Decimal(1).scaleb(other.as_tuple().exponent)
        gap = unit * _rng().randint(1, 100)
    elif isinstance(other, int):
        gap = (step or 1) * _rng().randint(1, 100)
    elif isinstance(other, float):
        gap = _rng().uniform(0.001, 100.0)
    else:
        value = fallback()
        for _ in range(50):
            if value != other:
                return value
            value = fallback()
        raise ValueError(f"could not find a value different from {other!r}")
    if op in ("<", "<="):
        return other - gap
    if op not in (">", ">=", "<>"):
        raise ValueError(f"unknown comparison {op!r}")
    value = other + gap
    limit = _resolve_high(high, other) if high is not None else None
    if limit is not None and value > limit:
        room = limit - other
        smallest = step if step is not None else gap * 0
        if room > smallest or (op == ">=" and room >= smallest):
            fraction = _rng().random()
            if isinstance(room, int):
                value = other + int(room * fraction)
            elif isinstance(room, _decimal.Decimal):
                value = other + room * _decimal.Decimal(str(round(fraction, 6)))
            else:
                value = other + room * fraction
            if isinstance(other, _decimal.Decimal) and step is not None:
                value = value.quantize(step, rounding=_decimal.ROUND_DOWN)
            if op == ">" and value <= other:
                value = other + (step if step is not None else room)
        else:
            value = other if op == ">=" else other + (step if step is not None else gap)
    return value


from fixturekit.values.people import person  # noqa: E402, F401  (fv.person in factories)
