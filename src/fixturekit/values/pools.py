"""Vocabularies for bulk generation, taken from Faker's own provider data.

A Faker call costs 50-200 µs; seeding needs about 1 µs per value. So instead of calling Faker per
row, this module reads the data Faker draws from (name lists with their frequencies, city and
company formats, the lorem word list, free email domains, ...) once, and renders Faker's formats
for a whole column at a time: each `{{token}}` of a format becomes one numpy indexing operation
over a pool, each `#`/`?` placeholder run one lookup. The vocabulary, and so the look of the data,
is the factories' own; only the per-row cost differs.

Providers whose data cannot be resolved this way fall back to a *sampled pool*: a few hundred
outputs of the real provider, drawn once from a Faker seeded with the provider's name, then
indexed like any other pool.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LOCALE = "en_US"
SAMPLED_POOL_SIZE = 512

_TOKEN = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_PLACEHOLDERS = "#%$!@?"


def stable_hash(*parts: Any) -> int:
    """A 63-bit hash of `parts` that is the same in every process and on every machine.

    Python's `hash()` is salted per process, so it cannot seed anything reproducible.
    """
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def object_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """A 1-d object array (np.array would build a 2-d array from a list of tuples or lists)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values) if not isinstance(values, np.ndarray) else values
    return out


@dataclass(frozen=True)
class Pool:
    """Values to draw from, uniformly or by weight (Faker's frequency tables)."""

    values: np.ndarray  # object array
    cumulative: np.ndarray | None = None  # increasing, last == 1.0; None draws uniformly

    @classmethod
    def of(cls, values: Sequence[Any], weights: Sequence[float] | None = None) -> Pool:
        array = object_array(values)
        if weights is None:
            return cls(array)
        cum = np.cumsum(np.asarray(weights, dtype=np.float64))
        return cls(array, cum / cum[-1])

    def __len__(self) -> int:
        return len(self.values)

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Indexes into `values`."""
        if self.cumulative is None:
            return rng.integers(0, len(self.values), count)
        idx = np.searchsorted(self.cumulative, rng.random(count), side="right")
        return np.minimum(idx, len(self.values) - 1)

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return self.values[self.draw(rng, count)]

    def mapped(self, func: Callable[[Any], Any]) -> Pool:
        return Pool(object_array([func(v) for v in self.values]), self.cumulative)


# --- Faker's data ------------------------------------------------------------------------------


@functools.cache
def _faker():
    import faker

    from fixturekit.values.providers import with_providers

    return with_providers(faker.Faker(LOCALE))


@functools.cache
def _providers() -> dict[str, Any]:
    """Provider instances by short name (`person`, `address`, ...)."""
    found: dict[str, Any] = {}
    for provider in _faker().providers:
        name = getattr(provider, "__provider__", type(provider).__module__).rsplit(".", 1)[-1]
        found[name] = provider
    return found


def _attribute(name: str) -> Any:
    for provider in _providers().values():
        value = getattr(type(provider), name, None)
        if isinstance(value, (list, tuple, dict, str)):
            return value
    return None


def _as_pool(data: Any) -> Pool:
    """A list, or a mapping of value -> frequency (or value -> anything else: keys only)."""
    if isinstance(data, Mapping):
        weights = list(data.values())
        if all(isinstance(w, (int, float)) for w in weights):
            return Pool.of(list(data.keys()), weights)
        return Pool.of(list(data.keys()))
    return Pool.of(list(data))


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _plural_candidates(token: str) -> list[str]:
    parts = token.split("_")
    candidates = [token + "s", token + "es"]
    for i, part in enumerate(parts):
        for plural in (part + "s", part + "es", part[:-1] + "ies" if part.endswith("y") else ""):
            if plural:
                candidates.append("_".join([*parts[:i], plural, *parts[i + 1 :]]))
    return candidates


# Tokens whose data lives under a name the plural rule does not find.
_TOKEN_DATA = {
    "word": ("lorem", "word_list"),
    "free_email_domain": ("internet", "free_email_domains"),
    "safe_domain_name": ("internet", "safe_domain_names"),
    "tld": ("internet", "tlds"),
    "country_code": ("address", "alpha_2_country_codes"),
    "state_abbr": ("address", "states_abbr"),
    "color_name": ("color", "all_colors"),
}

# Formats whose literal `#`, `%`, `$`, `?` placeholders Faker fills (numerify / bothify).
_FORMATS = {
    "name": ("person", "formats", False),
    "company": ("company", "formats", False),
    "city": ("address", "city_formats", False),
    "street_name": ("address", "street_name_formats", False),
    "street_address": ("address", "street_address_formats", False),
    "address": ("address", "address_formats", False),
    "building_number": ("address", "building_number_formats", True),
    "secondary_address": ("address", "secondary_address_formats", True),
    "phone_number": ("phone_number", "formats", True),
    "user_name": ("internet", "user_name_formats", True),
}


@dataclass(frozen=True)
class Template:
    """A set of Faker formats, with weights, to render in bulk."""

    formats: tuple[str, ...]
    weights: tuple[float, ...] | None
    placeholders: bool  # fill `#`-style placeholders in the formats' literal text


Source = Pool | Template


@functools.cache
def source(token: str) -> Source | None:
    """Where values of a Faker provider (or format token) come from, if resolvable as data."""
    if token in _TOKEN_DATA:
        provider, attr = _TOKEN_DATA[token]
        return _as_pool(getattr(type(_providers()[provider]), attr))
    if token in _FORMATS:
        provider, attr, placeholders = _FORMATS[token]
        data = getattr(type(_providers()[provider]), attr)
        if isinstance(data, Mapping):
            return Template(tuple(data), tuple(float(w) for w in data.values()), placeholders)
        return Template(tuple(data), None, placeholders)
    if token == "currency_code":
        return Pool.of([code for code, _name in _attribute("currencies")])
    for candidate in _plural_candidates(token):
        data = _attribute(candidate)
        if (
            isinstance(data, (list, tuple, Mapping))
            and data
            and all(
                isinstance(v, str) for v in (data.keys() if isinstance(data, Mapping) else data)
            )
        ):
            return _as_pool(data)
    return None


@functools.cache
def sampled_pool(provider: str, kwargs: tuple[tuple[str, Any], ...] = ()) -> Pool:
    """Outputs of the real Faker provider, drawn once from a Faker seeded by the provider name.

    Used for providers whose data is computed rather than listed (IBANs with check digits,
    ISBNs, dates of birth). The pool is the same on every run and machine with the same Faker.
    """
    import faker

    from fixturekit.values.providers import with_providers

    fake = with_providers(faker.Faker(LOCALE))
    fake.seed_instance(stable_hash("pool", provider, kwargs))
    method = getattr(fake, provider)
    return Pool.of([method(**dict(kwargs)) for _ in range(SAMPLED_POOL_SIZE)])


def has_provider(provider: str) -> bool:
    return callable(getattr(_faker(), provider, None))


# --- bulk rendering -----------------------------------------------------------------------------


@functools.cache
def _digits_table(width: int) -> np.ndarray:
    return object_array([str(i).zfill(width) for i in range(10**width)])


_PLACEHOLDER_CHARS = {
    "#": string.digits,
    "%": "123456789",
    "$": "23456789",
    "?": string.ascii_letters,
}


def fill_placeholders(text: str, count: int, rng: np.random.Generator) -> np.ndarray:
    """`text` with Faker's placeholders filled, `count` times (`!`/`@` may be empty)."""
    out = object_array([""] * count)
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            run = 1
            while i + run < len(text) and text[i + run] == "#" and run < 4:
                run += 1
            out = out + _digits_table(run)[rng.integers(0, 10**run, count)]
            i += run
            continue
        if char in _PLACEHOLDER_CHARS:
            table = object_array(list(_PLACEHOLDER_CHARS[char]))
        elif char in "!@":
            table = object_array(["", *(string.digits if char == "!" else "123456789")])
        else:
            j = i
            while j < len(text) and text[j] not in _PLACEHOLDERS:
                j += 1
            out = out + text[i:j]
            i = j
            continue
        out = out + table[rng.integers(0, len(table), count)]
        i += 1
    return out


def _render_format(
    fmt: str, count: int, rng: np.random.Generator, placeholders: bool, depth: int
) -> np.ndarray:
    out = object_array([""] * count)
    pos = 0
    for match in _TOKEN.finditer(fmt):
        literal = fmt[pos : match.start()]
        if literal:
            out = out + (fill_placeholders(literal, count, rng) if placeholders else literal)
        out = out + render(match.group(1), count, rng, depth + 1)
        pos = match.end()
    tail = fmt[pos:]
    if tail:
        out = out + (fill_placeholders(tail, count, rng) if placeholders else tail)
    return out


def render_template(
    template: Template, count: int, rng: np.random.Generator, depth: int = 0
) -> np.ndarray:
    choice = Pool.of(range(len(template.formats)), template.weights).draw(rng, count)
    out = np.empty(count, dtype=object)
    for index, fmt in enumerate(template.formats):
        rows = np.flatnonzero(choice == index)
        if len(rows):
            out[rows] = _render_format(fmt, len(rows), rng, template.placeholders, depth)
    return out


def render(token: str, count: int, rng: np.random.Generator, depth: int = 0) -> np.ndarray:
    """`count` values of a Faker provider or format token, as an object array of str."""
    if depth > 8:
        raise ValueError(f"Faker format {token!r} nests too deeply to render")
    src = source(token)
    if isinstance(src, Pool):
        return src.sample(rng, count)
    if isinstance(src, Template):
        return render_template(src, count, rng, depth)
    return sampled_pool(token).sample(rng, count)


# --- composed vocabularies ----------------------------------------------------------------------


@functools.cache
def name_parts() -> tuple[Pool, Pool]:
    """First and last names, lower-case ASCII, with Faker's frequencies: email and login parts."""
    first = source("first_name")
    last = source("last_name")
    assert isinstance(first, Pool) and isinstance(last, Pool)

    def clean(name: str) -> str:
        return re.sub(r"[^a-z]", "", ascii_fold(name).lower()) or "x"

    return first.mapped(clean), last.mapped(clean)


@functools.cache
def words() -> Pool:
    pool = source("word")
    assert isinstance(pool, Pool)
    return pool


@functools.cache
def email_domains() -> Pool:
    """Free mail providers (weighted towards the big one) for personal addresses."""
    free = [str(d) for d in _attribute("free_email_domains")]
    weights = [6.0 if d == "gmail.com" else 2.0 for d in free]
    return Pool.of(free, weights)


def company_domains(count: int, rng: np.random.Generator) -> np.ndarray:
    """`lastname.com`, `lastname-lastname.net`: the domains of Faker's company names."""
    _first, last = name_parts()
    tlds = Pool.of(["com", "com", "com", "net", "org", "biz", "info"])
    single = last.sample(rng, count) + "." + tlds.sample(rng, count)
    double = last.sample(rng, count) + "-" + last.sample(rng, count) + "." + tlds.sample(rng, count)
    return np.where(rng.random(count) < 0.6, single, double)
