"""Bulk renderings of text strategies: Faker providers, unique Faker values, patterns.

Providers with a vectorised implementation (emails and logins from names, URLs, sentences,
hashes, addresses) are rendered directly; those whose data Faker lists are rendered from it by
`fixturekit.values.pools`; the rest are drawn from a pool of the provider's real output.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from fixturekit.infer.strategies import FakerValue, Matching, UniqueFakerValue, UniqueText
from fixturekit.values import fixed_unique, pools, textgen
from fixturekit.values.bulk_core import (
    BulkContext,
    BulkError,
    Decimals,
    bulk_values,
    fit_texts,
    typed,
)
from fixturekit.values.distinct import hex_strings, numbered, uuid_texts
from fixturekit.values.pools import Pool, object_array, stable_hash
from fixturekit.values.regex_space import Shape, ShapeError

# --- Faker providers ---------------------------------------------------------------------------


def _kw(kwargs: tuple[tuple[str, Any], ...], name: str, default: Any) -> Any:
    return dict(kwargs).get(name, default)


def _ints(count: int, rng: np.random.Generator, low: int, high: int, step: int = 1) -> np.ndarray:
    step = max(int(step), 1)
    return low + step * rng.integers(0, (high - low) // step, count, endpoint=True)


def _coordinates(low: float, high: float) -> Callable[..., np.ndarray]:
    def make(count: int, rng: np.random.Generator, kwargs: Any) -> np.ndarray:
        return np.round(rng.uniform(low, high, count), 6)

    return make


def _date_of_birth(count: int, rng: np.random.Generator, kwargs: Any, today: dt.date) -> Any:
    youngest = int(_kw(kwargs, "minimum_age", 0))
    oldest = int(_kw(kwargs, "maximum_age", 115))
    end = np.datetime64(today, "D") - np.timedelta64(int(youngest * 365.25), "D")
    span = int((oldest + 1 - youngest) * 365.25) - 1
    return end - rng.integers(0, max(span, 1), count).astype("timedelta64[D]")


# Providers that have a vectorised implementation (arguments as Faker names them).
_PROVIDERS: dict[str, Callable[..., Any]] = {
    # Faker's email() defaults to example.* domains; seeded data should look like production.
    "email": lambda n, rng, kw: textgen.emails(n, rng),
    "free_email": lambda n, rng, kw: textgen.emails(n, rng, free=1.0),
    "company_email": lambda n, rng, kw: textgen.emails(n, rng, free=0.0),
    "safe_email": lambda n, rng, kw: textgen.emails(n, rng, safe=True),
    "ascii_email": lambda n, rng, kw: textgen.emails(n, rng),
    "ascii_free_email": lambda n, rng, kw: textgen.emails(n, rng, free=1.0),
    "ascii_company_email": lambda n, rng, kw: textgen.emails(n, rng, free=0.0),
    "ascii_safe_email": lambda n, rng, kw: textgen.emails(n, rng, safe=True),
    "user_name": lambda n, rng, kw: textgen.user_names(n, rng),
    "domain_name": lambda n, rng, kw: textgen.domain_names(n, rng),
    "url": lambda n, rng, kw: textgen.urls(n, rng),
    "uri": lambda n, rng, kw: textgen.urls(n, rng),
    "slug": lambda n, rng, kw: textgen.slugs(n, rng),
    "sentence": lambda n, rng, kw: textgen.sentences(
        n, rng, int(_kw(kw, "nb_words", 6)), bool(_kw(kw, "variable_nb_words", True))
    ),
    "paragraph": lambda n, rng, kw: textgen.paragraphs(n, rng, int(_kw(kw, "nb_sentences", 3))),
    "text": lambda n, rng, kw: textgen.texts(n, rng, int(_kw(kw, "max_nb_chars", 200))),
    "md5": lambda n, rng, kw: hex_strings(n, 16, rng),
    "sha1": lambda n, rng, kw: hex_strings(n, 20, rng),
    "sha256": lambda n, rng, kw: hex_strings(n, 32, rng),
    "ipv4": lambda n, rng, kw: textgen.ipv4(n, rng, bool(_kw(kw, "network", False))),
    "ipv4_public": lambda n, rng, kw: textgen.ipv4(n, rng, bool(_kw(kw, "network", False))),
    "mac_address": lambda n, rng, kw: textgen.mac_addresses(n, rng),
    "latitude": _coordinates(-90.0, 90.0),
    "longitude": _coordinates(-180.0, 180.0),
    "pybool": lambda n, rng, kw: rng.random(n) < float(_kw(kw, "truth_probability", 50)) / 100,
    "boolean": lambda n, rng, kw: (
        rng.random(n) < float(_kw(kw, "chance_of_getting_true", 50)) / 100
    ),
    "random_int": lambda n, rng, kw: _ints(
        n, rng, int(_kw(kw, "min", 0)), int(_kw(kw, "max", 9999)), int(_kw(kw, "step", 1))
    ),
    "pyint": lambda n, rng, kw: _ints(
        n,
        rng,
        int(_kw(kw, "min_value", 0)),
        int(_kw(kw, "max_value", 9999)),
        int(_kw(kw, "step", 1)),
    ),
}


_PLACEHOLDER_TEXT = {"bothify": "## ??", "numerify": "###", "lexify": "????"}


def _placeholder_texts(
    provider: str, count: int, rng: np.random.Generator, kwargs: tuple[tuple[str, Any], ...]
) -> np.ndarray | None:
    """bothify/numerify/lexify drawn position by position, as Faker fills them: `#` a digit,
    `%` a digit from 1, `?` one of `letters`. A sampled pool would repeat values that a
    composite unique (`order`, `sku`) needs distinct. None for the variable-length `!`/`@`."""
    import string

    text = str(_kw(kwargs, "text", _PLACEHOLDER_TEXT[provider]))
    letters = np.array(list(str(_kw(kwargs, "letters", string.ascii_letters))) or [""])
    digits = provider != "lexify"
    if digits and ("!" in text or "@" in text):
        return None
    columns: list[np.ndarray] = [np.full(count, "")]
    for char in text:
        if char == "?" and provider != "numerify":
            columns.append(letters[rng.integers(0, len(letters), count)])
        elif char == "#" and digits:
            columns.append(rng.integers(0, 10, count).astype(str))
        elif char == "%" and digits:
            columns.append(rng.integers(1, 10, count).astype(str))
        else:
            columns.append(np.full(count, char))
    return functools.reduce(np.char.add, columns).astype(object)


def faker_values(
    provider: str, kwargs: tuple[tuple[str, Any], ...], count: int, ctx: BulkContext
) -> Any:
    """`count` values of a Faker provider: vectorised, rendered from Faker's data, or drawn
    from a sampled pool of the provider's real output."""
    rng = ctx.rng
    if provider in _PROVIDERS:
        return _PROVIDERS[provider](count, rng, kwargs)
    if provider == "date_of_birth":
        return _date_of_birth(count, rng, kwargs, ctx.today)
    if provider == "uuid4":
        return uuid_texts(ctx.row_numbers(count), rng, ctx.unique_key("uuid"))
    if not kwargs and pools.source(provider) is not None:
        return pools.render(provider, count, rng)
    if provider in _PLACEHOLDER_TEXT:
        texts = _placeholder_texts(provider, count, rng, kwargs)
        if texts is not None:
            return texts
    if not pools.has_provider(provider):
        raise BulkError(f"Faker has no provider {provider!r}")
    return pools.sampled_pool(provider, kwargs).sample(rng, count)


@bulk_values.register
def _(strategy: FakerValue, count: int, ctx: BulkContext) -> Any:
    values = faker_values(strategy.provider, strategy.kwargs, count, ctx)
    if (
        isinstance(values, np.ndarray)
        and values.dtype == object
        and count
        and isinstance(values[0], str)
    ):
        values = fit_texts(values, strategy.max_length, strategy.case, ctx.rng, strategy.min_length)
    return typed(values, ctx.column.type if ctx.column else None)


_EMAILS = {
    "email": {},
    "free_email": {"free": 1.0},
    "company_email": {"free": 0.0},
    "safe_email": {"safe": True},
    "ascii_email": {},
    "ascii_free_email": {"free": 1.0},
    "ascii_company_email": {"free": 0.0},
    "ascii_safe_email": {"safe": True},
}


def _unique_emails(strategy: UniqueFakerValue, count: int, ctx: BulkContext) -> np.ndarray:
    """Name-derived addresses with the row number before the `@`, built in one pass; only
    addresses over the column's length go through the slower `numbered` fitting."""
    n = ctx.row_numbers(count)
    values = textgen.emails(count, ctx.rng, numbers=n, **_EMAILS[strategy.provider])
    if strategy.max_length is not None:
        lengths = np.fromiter(map(len, values.tolist()), dtype=np.int64, count=count)
        long_rows = np.flatnonzero(lengths > strategy.max_length)
        if len(long_rows):
            bare = object_array(
                [
                    v.replace(str(k), "", 1)
                    for v, k in zip(values[long_rows].tolist(), n[long_rows].tolist(), strict=True)
                ]
            )
            try:
                values[long_rows] = numbered(bare, n[long_rows], strategy.max_length)
            except ValueError as exc:
                raise BulkError(f"{ctx.table}.{ctx.column_name}: {exc}") from None
    return values


@bulk_values.register
def _(strategy: UniqueFakerValue, count: int, ctx: BulkContext) -> Any:
    if not strategy.weave:
        try:
            values = fixed_unique.unique_values(
                strategy.provider,
                strategy.kwargs,
                ctx.row_numbers(count),
                ctx.rng,
                ctx.unique_key(strategy.provider),
            )
        except ValueError as exc:
            raise BulkError(f"{ctx.table}.{ctx.column_name}: {exc}") from None
        values = object_array([str(v) for v in values.tolist()])
        too_long = strategy.max_length is not None and any(
            len(v) > strategy.max_length for v in values.tolist()
        )
        if too_long:
            raise BulkError(
                f"{ctx.table}.{ctx.column_name}: {strategy.provider} values do not fit in "
                f"{strategy.max_length} characters and cannot be cut without repeating"
            )
        return fit_texts(values, None, strategy.case, ctx.rng)
    base = faker_values(strategy.provider, strategy.kwargs, count, ctx)
    if not (isinstance(base, np.ndarray) and base.dtype == object):
        base = object_array([str(v) for v in np.asarray(base).tolist()])
    if strategy.provider == "uuid4":  # already distinct per row
        return fit_texts(base, strategy.max_length, strategy.case, ctx.rng)
    if strategy.provider in _EMAILS and strategy.case != "upper":
        return _unique_emails(strategy, count, ctx)
    if strategy.case:
        base = fit_texts(base, None, strategy.case, ctx.rng)
    try:
        return numbered(base, ctx.row_numbers(count), strategy.max_length)
    except ValueError as exc:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: {exc}") from None


@functools.cache
def _shape(regex: str, max_length: int | None) -> Shape:
    return Shape(regex, max_length)


@functools.cache
def _matching_pool(regex: str, max_length: int | None, seed: int) -> Pool:
    from fixturekit.values.regex import generate

    rnd = random.Random(stable_hash("matching", regex, max_length, seed))
    return Pool.of(sorted({generate(regex, rnd, max_length=max_length) for _ in range(256)}))


def matching_capacity(strategy: Matching) -> int:
    """How many distinct values a unique Matching column can take (0 if it has no shape)."""
    try:
        return _shape(strategy.regex, strategy.max_length).capacity
    except (ShapeError, ValueError):
        return 0


@bulk_values.register
def _(strategy: Matching, count: int, ctx: BulkContext) -> np.ndarray:
    if not strategy.is_unique:
        return _matching_pool(strategy.regex, strategy.max_length, ctx.seed).sample(ctx.rng, count)
    try:
        shape = _shape(strategy.regex, strategy.max_length)
        values = shape.values(count, ctx.rng, ctx.row_numbers(count), ctx.unique_key())
        shape.check(values)
    except (ShapeError, ValueError) as exc:
        raise BulkError(
            f"{ctx.table}.{ctx.column_name}: cannot build {count} distinct values matching "
            f"{strategy.regex!r}: {exc}"
        ) from None
    return values


def as_texts(values: Any) -> np.ndarray:
    if isinstance(values, Decimals):
        return object_array(values.texts())
    if isinstance(values, np.ndarray) and values.dtype == object:
        return object_array([str(v) for v in values.tolist()])
    return object_array([str(v) for v in np.asarray(values).tolist()])


@bulk_values.register
def _(strategy: UniqueText, count: int, ctx: BulkContext) -> np.ndarray:
    base = as_texts(bulk_values(strategy.base, count, ctx))
    try:
        return numbered(base, ctx.row_numbers(count), strategy.max_length)
    except ValueError as exc:
        raise BulkError(f"{ctx.table}.{ctx.column_name}: {exc}") from None
