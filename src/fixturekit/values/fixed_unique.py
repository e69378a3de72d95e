"""Distinct values of fixed formats (hashes, codes, phone numbers, country codes) in bulk.

Factories draw such values again until unseen (`fv.unique_draw`), which works for a few
thousand rows in one process. Seeding builds them instead: row n takes the n-th value of the
format through a bijection, so a unique column of a million phone numbers or SKUs never needs a
retry, and a count the format cannot hold is known before anything is written.

Formats with check digits computed by Faker (IBANs, credit-card numbers) come from a pool of
distinct Faker outputs, built once up to the size needed (and refused beyond DISTINCT_POOL_MAX).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable
from typing import Any

import numpy as np

from fixturekit.values import pools
from fixturekit.values.distinct import (
    hex_strings,
    mix60,
    unique_capacity,
    unique_digits,
    uuid_texts,
)
from fixturekit.values.pools import Pool, Template, object_array, stable_hash

DISTINCT_POOL_MAX = 200_000

_PLACEHOLDER_SETS = {
    "#": string.digits,
    "%": "123456789",
    "$": "23456789",
    "?": string.ascii_letters,
}


def placeholder_positions(text: str, letters: str | None = None) -> list[str]:
    """Allowed characters per position of a Faker placeholder format (`???-#####`)."""
    positions = []
    for char in text:
        if char == "?" and letters:
            positions.append(letters)
        elif char in _PLACEHOLDER_SETS:
            positions.append(_PLACEHOLDER_SETS[char])
        else:
            positions.append(char)
    return positions


def _positions_values(
    positions: list[str], n: np.ndarray, rng: np.random.Generator, key: int
) -> np.ndarray:
    digits = unique_digits(n, [len(p) for p in positions], rng, key)
    out = object_array([""] * len(n))
    for allowed, digit in zip(positions, digits, strict=True):
        out = out + object_array(list(allowed))[digit]
    return out


def _hex_unique(nbytes: int) -> Callable[..., np.ndarray]:
    """Random hex digests whose last 15 hex digits (60 bits) encode the row number."""

    def make(n: np.ndarray, rng: np.random.Generator, key: int) -> np.ndarray:
        head = hex_strings(len(n), nbytes, rng)
        tails = mix60(n, key).tolist()  # 60 bits = the last 15 hex digits
        return object_array(
            [h[:-15] + f"{t:015x}" for h, t in zip(head.tolist(), tails, strict=True)]
        )

    return make


def _template_format(provider: str) -> str | None:
    """The placeholder-only format with the most values, for template providers (phones)."""
    src = pools.source(provider)
    if not isinstance(src, Template) or not src.placeholders:
        return None
    plain = [f for f in src.formats if "{{" not in f and "x" not in f]
    if not plain:
        return None
    return max(
        plain, key=lambda f: (unique_capacity([len(p) for p in placeholder_positions(f)]), -len(f))
    )


@functools.cache
def _distinct_values(provider: str, kwargs: tuple[tuple[str, Any], ...], size: int) -> np.ndarray:
    """Up to `size` distinct outputs of a provider: its data list, or Faker draws."""
    src = pools.source(provider) if not kwargs else None
    if isinstance(src, Pool):
        return object_array(list(dict.fromkeys(src.values.tolist())))
    import faker

    fake = faker.Faker(pools.LOCALE)
    fake.seed_instance(stable_hash("distinct", provider, kwargs))
    method = getattr(fake, provider)
    seen: dict[Any, None] = {}
    for _ in range(size * 3 + 100):
        seen.setdefault(method(**dict(kwargs)), None)
        if len(seen) >= size:
            break
    return object_array(list(seen))


def _shape(provider: str, kwargs: tuple[tuple[str, Any], ...]) -> list[str] | None:
    args = dict(kwargs)
    if provider in ("bothify", "numerify", "lexify") and "text" in args:
        letters = args.get("letters")
        text = str(args["text"])
        if provider == "numerify":
            text = text.replace("?", "\\?")
        positions = placeholder_positions(text.replace("\\?", "\0"), letters)
        return ["?" if p == "\0" else p for p in positions]
    if provider in ("postcode", "zipcode", "postalcode"):
        return placeholder_positions("#####")
    if provider in ("ean13", "ean"):
        return placeholder_positions("############")  # plus a check digit
    if not kwargs:
        fmt = _template_format(provider)
        if fmt is not None:
            return placeholder_positions(fmt)
    return None


def _ean_check(bodies: list[str]) -> list[str]:
    out = []
    for body in bodies:
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        out.append(body + str((10 - total % 10) % 10))
    return out


_BUILT: dict[str, Callable[..., np.ndarray]] = {
    "md5": _hex_unique(16),
    "sha1": _hex_unique(20),
    "sha256": _hex_unique(32),
    "uuid4": lambda n, rng, key: uuid_texts(n, rng, key),
}
_OCTETS = [
    list(map(str, range(11, 224))),
    *[list(map(str, range(256)))] * 2,
    list(map(str, range(1, 255))),
]


def capacity(provider: str, kwargs: tuple[tuple[str, Any], ...] = ()) -> int:
    """How many distinct values `unique_values` can build for this provider."""
    if provider in _BUILT:
        return 2**60
    if provider in ("ipv4", "ipv4_public"):
        return unique_capacity([len(o) for o in _OCTETS])
    if provider == "mac_address":
        return unique_capacity([256] * 6)
    shape = _shape(provider, kwargs)
    if shape is not None:
        return unique_capacity([len(p) for p in shape])
    src = pools.source(provider) if not kwargs else None
    if isinstance(src, Pool):
        return len(dict.fromkeys(src.values.tolist()))
    return DISTINCT_POOL_MAX


def unique_values(
    provider: str,
    kwargs: tuple[tuple[str, Any], ...],
    n: np.ndarray,
    rng: np.random.Generator,
    key: int,
) -> np.ndarray:
    """Values of the provider's format, distinct for distinct row numbers `n`."""
    if provider in _BUILT:
        return _BUILT[provider](n, rng, key)
    if provider in ("ipv4", "ipv4_public"):
        digits = unique_digits(n, [len(o) for o in _OCTETS], rng, key)
        parts = [object_array(o)[d] for o, d in zip(_OCTETS, digits, strict=True)]
        return parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3]
    if provider == "mac_address":
        hexes = object_array([f"{i:02x}" for i in range(256)])
        digits = unique_digits(n, [256] * 6, rng, key)
        out = hexes[digits[0] & 0xFE]  # unicast; the unique part sits in the low bytes
        for digit in digits[1:]:
            out = out + ":" + hexes[digit]
        return out
    shape = _shape(provider, kwargs)
    if shape is not None:
        values = _positions_values(shape, n, rng, key)
        if provider in ("ean13", "ean"):
            values = object_array(_ean_check(values.tolist()))
        return values
    need = int(n.max()) + 1 if len(n) else 0
    if need > DISTINCT_POOL_MAX:
        raise ValueError(
            f"unique {provider!r} values come from distinct Faker draws, at most "
            f"{DISTINCT_POOL_MAX:,}; row {need:,} is past that"
        )
    size = min(DISTINCT_POOL_MAX, max(1024, 1 << max(need - 1, 1).bit_length()))
    values = _distinct_values(provider, kwargs, size)
    if need > len(values):
        raise ValueError(f"Faker's {provider!r} has only {len(values)} distinct values")
    # No permutation here: the pool's size depends on how many rows were asked for, and the
    # mapping from row numbers must not. Faker's draws are in random order already.
    return values[n]
