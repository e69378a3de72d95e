"""One-value generators used by generated factories and runtime factories (imported as `fv`).

Randomness comes from factory_boy's generator and Faker's shared one, so
`factory.random.reseed_random(seed)` makes every factory deterministic. The bulk generators
used by seeding live in `fixturekit.values.bulk`.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import functools as _functools
import json as _json
import re as _re
import unicodedata as _unicodedata
from collections.abc import Sequence
from typing import Any

from fixturekit.values.regex import generate as _generate_matching
from fixturekit.values.relative import relative as relative  # generated code calls fv.relative
from fixturekit.values.relative import time_of_seconds

_fake: Any = None


def faker() -> Any:
    """The Faker instance fixturekit uses; it shares the generator factory_boy reseeds."""
    # Faker is imported on first use: bulk seeding reads its data in the worker process only,
    # so the loading process starts without it.
    global _fake
    if _fake is None:
        import faker as faker_module

        from fixturekit.values.providers import with_providers

        _fake = with_providers(faker_module.Faker())
    return _fake


def _rng():
    # Imported here: `factory` pulls in its ORM integrations (Django, SQLAlchemy), which bulk
    # seeding never needs and would pay for at every start.
    import factory.random

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


def date_sequence(n: int, start: Any, step_seconds: int = 86400) -> _dt.date:
    """The n-th distinct date counting back from `start` (an ISO date, "today" or an offset)."""
    return _bound(start).date() - _dt.timedelta(days=n * max(1, step_seconds // 86400))


def datetime_sequence(
    n: int, start: Any, step_seconds: int = 1, aware: bool = False
) -> _dt.datetime:
    """The n-th distinct datetime counting back from `start` ("today", an offset or ISO)."""
    if isinstance(start, str):
        try:
            parsed = _dt.datetime.fromisoformat(start)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            start = parsed.astimezone(_dt.UTC).replace(tzinfo=None)
    value = _bound(start) - _dt.timedelta(seconds=n * step_seconds)
    return value.replace(tzinfo=_dt.UTC) if aware else value


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


_anchor_day: _dt.date | None = None


def anchor_day() -> _dt.date:
    """The day "now", "today" and offsets such as "-2y" count from: today, unless pinned.

    Anchoring on the start of the day rather than the current instant keeps values the same
    all day long, so a run replayed with the same seed on the same day reproduces timestamps.
    """
    return _anchor_day or _dt.date.today()


def pin_anchor_day(day: _dt.date | None) -> None:
    """Count "now"-relative ranges from `day` (None: the real today again)."""
    global _anchor_day
    _anchor_day = day


def _bound(value: Any) -> _dt.datetime:
    from fixturekit.values.offsets import resolve

    return resolve(value, anchor_day())


def date_between(start: Any = "-2y", end: Any = "today") -> _dt.date:
    low, high = _bound(start).date(), _bound(end).date()
    if high < low:
        low, high = high, low
    return low + _dt.timedelta(days=_rng().randint(0, (high - low).days))


def datetime_between(start: Any = "-2y", end: Any = "now", aware: bool = False) -> _dt.datetime:
    low, high = _bound(start), _bound(end)
    if high < low:
        low, high = high, low
    seconds = int((high - low).total_seconds())
    value = low + _dt.timedelta(seconds=_rng().randint(0, max(seconds, 0)))
    return value.replace(tzinfo=_dt.UTC) if aware else value


def time_of_day(low: int | None = None, high: int | None = None) -> _dt.time:
    """A time of day; `low` and `high` bound it in seconds since midnight (inclusive)."""
    if low is None and high is None:
        return faker().time_object()
    return time_of_seconds(_rng().randint(low or 0, 86399 if high is None else high))


def duration(max_days: int = 30, low: int = 60, high: int | None = None) -> _dt.timedelta:
    """A duration of `low` to `high` seconds (default: a minute to `max_days` days)."""
    return _dt.timedelta(seconds=_rng().randint(low, max_days * 86400 if high is None else high))


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


def django_password(raw: str | None) -> str:
    """`raw` hashed as Django's `set_password` does (an existing hash is kept as it is).

    Each text is hashed once per process and password-hasher setting: hashing is slow by
    design, and factories make many users with the same password.
    """
    from django.conf import settings
    from django.contrib.auth.hashers import identify_hasher, make_password

    if raw is None:
        return make_password(None)  # an unusable password, as set_unusable_password stores
    if "$" in raw:
        try:
            identify_hasher(raw)
            return raw
        except ValueError:
            pass
    return _django_hash(raw, tuple(settings.PASSWORD_HASHERS))


@_functools.lru_cache(maxsize=256)
def _django_hash(raw: str, hashers: tuple[str, ...]) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(raw)


from fixturekit.values.companies import company  # noqa: E402, F401  (fv.company in factories)
from fixturekit.values.people import person  # noqa: E402, F401  (fv.person in factories)
from fixturekit.values.places import address  # noqa: E402, F401  (fv.address in factories)


def polymorphic_key(*args: Any, **kwargs: Any) -> Any:
    """`fv.polymorphic_key` in generated factories. Imported on use: it needs factory_boy, which
    (with Django installed) costs `fixturekit seed` a second of start-up it never uses."""
    from fixturekit.factory_generic import polymorphic_key as declaration

    return declaration(*args, **kwargs)
