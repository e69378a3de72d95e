"""Distinct values by construction, from row numbers: never from luck.

A unique column in a seeded table gets its uniqueness from the global row number (which is
distinct per row, across chunks, shards and `--append` runs), mapped through a bijection so that
the values do not look sequential. Random draws only decorate the parts that do not carry the
uniqueness. This is what lets 10 million emails or codes go into a unique column without a
single retry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from fixturekit.values.pools import object_array, stable_hash

# Affine permutations are computed in int64: a * x + b must not overflow for x < space.
MAX_AFFINE_SPACE = 2**31


def affine_permutation(n: np.ndarray, space: int, key: int) -> np.ndarray:
    """A bijection of [0, space) applied to `n` (all < space): (a * n + b) mod space.

    `a` is coprime with `space`, so distinct inputs give distinct outputs; `key` picks a and b.
    Spaces up to 2**32 are computed in uint64 (a * n < 2**64); larger ones with Python ints.
    """
    n = np.asarray(n, dtype=np.int64)
    if space <= 1:
        return np.zeros_like(n)
    a = (key % (space - 1)) + 1
    while math.gcd(a, space) != 1:
        a += 1
    b = (key >> 20) % space
    if space <= 2**32:
        product = n.astype(np.uint64) * np.uint64(a) + np.uint64(b)
        return (product % np.uint64(space)).astype(np.int64)
    exact = (n.astype(object) * a + b) % space
    return exact.astype(np.int64) if space < 2**63 else exact


def unique_digits(
    n: np.ndarray, radices: Sequence[int], rng: np.random.Generator, key: int
) -> list[np.ndarray]:
    """Per-position digits (most significant first) that are distinct for distinct `n`.

    The last positions, whose combined capacity stays within MAX_AFFINE_SPACE, encode a
    permutation of `n`; the leading ones are random decoration. Raises ValueError when `n`
    does not fit: the planner checks capacities first, so this is a safety net.
    """
    low = 0
    capacity = 1
    for radix in reversed(radices):
        if capacity * radix > MAX_AFFINE_SPACE:
            break
        capacity *= radix
        low += 1
    n = np.asarray(n, dtype=np.int64)
    if len(n) and int(n.max()) >= capacity:
        raise ValueError(f"row number {int(n.max())} is past the {capacity} distinct values")
    code = affine_permutation(n, capacity, key)
    digits: list[np.ndarray] = []
    high = len(radices) - low
    for radix in radices[:high]:
        digits.append(rng.integers(0, radix, len(n)))
    tail: list[np.ndarray] = []
    for radix in reversed(radices[high:]):
        code, digit = np.divmod(code, radix)
        tail.append(digit)
    digits.extend(reversed(tail))
    return digits


def unique_capacity(radices: Sequence[int]) -> int:
    """How many distinct values `unique_digits` can produce for these positions."""
    capacity = 1
    for radix in reversed(radices):
        if capacity * radix > MAX_AFFINE_SPACE:
            break
        capacity *= radix
    return capacity


def codes(
    n: np.ndarray | None, count: int, length: int, alphabet: str, rng: np.random.Generator, key: int
) -> np.ndarray:
    """Codes of `length` characters over `alphabet`: distinct per `n`, or random when n is None."""
    table = object_array(list(alphabet))
    if n is None:
        digits = [rng.integers(0, len(alphabet), count) for _ in range(length)]
    else:
        digits = unique_digits(n, [len(alphabet)] * length, rng, key)
    out = object_array([""] * count)
    for digit in digits:
        out = out + table[digit]
    return out


_MASK60 = np.uint64((1 << 60) - 1)


def mix60(n: np.ndarray, key: int) -> np.ndarray:
    """A bijection on 60-bit numbers applied to `n`: two rounds of (odd multiplier, xor-shift),
    each invertible, so distinct row numbers give distinct, random-looking results."""
    x = np.asarray(n, dtype=np.uint64)
    offset = np.uint64((key >> 3) & ((1 << 60) - 1))
    mult = np.uint64((key | 1) & ((1 << 60) - 1))
    mult2 = np.uint64(0x2545F4914F6CDD1D & ((1 << 60) - 1))
    with np.errstate(over="ignore"):  # wrapping uint64 arithmetic is the point here
        x = ((x + offset) * mult) & _MASK60
        x ^= x >> np.uint64(30)
        x = (x * mult2) & _MASK60
        x ^= x >> np.uint64(29)
    return x


def uuid_texts(n: np.ndarray, rng: np.random.Generator, key: int) -> np.ndarray:
    """Version-4-shaped UUIDs in canonical text: random bits, plus 60 bits that encode `n`.

    The 60-bit part is `mix60` of the row number, so distinct rows always get distinct UUIDs.
    """
    count = len(n)
    x = mix60(n, key)
    high = rng.integers(0, 2**63, count, dtype=np.int64).astype(np.uint64) << np.uint64(1)
    high = (high & ~np.uint64(0xF000)) | np.uint64(0x4000)  # version 4
    low = x | (np.uint64(0b10) << np.uint64(62))  # RFC 4122 variant
    raw = np.empty(count * 2, dtype=">u8")
    raw[0::2] = high
    raw[1::2] = low
    text = raw.tobytes().hex()
    return object_array(
        [
            f"{text[i : i + 8]}-{text[i + 8 : i + 12]}-{text[i + 12 : i + 16]}-"
            f"{text[i + 16 : i + 20]}-{text[i + 20 : i + 32]}"
            for i in range(0, 32 * count, 32)
        ]
    )


def hex_strings(count: int, nbytes: int, rng: np.random.Generator) -> np.ndarray:
    text = rng.bytes(count * nbytes).hex()
    width = 2 * nbytes
    return object_array([text[i : i + width] for i in range(0, count * width, width)])


def _separator(base: str) -> str:
    if "-" in base:
        return "-"
    if "_" in base or "." in base:
        return "_"
    if " " in base:
        return " "
    return ""


def numbered(base: np.ndarray, n: np.ndarray, max_length: int | None) -> np.ndarray:
    """Make each `base` value distinct by weaving in its row number (bulk `fv.numbered`).

    The number goes before the `@` of an email, else after a separator matching the value's
    style (`jane-doe-12`, `jdoe12`). The invariant that makes it unique: the value's trailing
    run of digits is exactly the row number. So a base ending in a digit always gets a
    separator, and an email's local part loses its trailing digits. Values that would exceed
    `max_length` lose characters from the base, never from the number.
    """
    out = []
    digits = "0123456789"
    for value, number in zip(base.tolist(), np.asarray(n).tolist(), strict=True):
        value = str(value)
        suffix = str(number)
        if "@" in value:
            local, _, domain = value.partition("@")
            local = local.rstrip(digits) or "u"
            if max_length is not None and len(local) + len(suffix) + 1 + len(domain) > max_length:
                room = max_length - len(suffix) - 1 - len(domain)
                if room < 1:
                    domain = domain[: max(1, max_length - 2 - len(suffix))]
                    room = max_length - len(suffix) - 1 - len(domain)
                local = local[: max(room, 1)].rstrip(digits) or "u"
            out.append(f"{local}{suffix}@{domain}")
            continue
        stem = value
        sep = _separator(stem)
        if max_length is not None and len(stem) + len(sep) + len(suffix) > max_length:
            stem = stem[: max(max_length - len(sep) - len(suffix), 0)].rstrip()
        if stem and stem[-1].isdigit() and not sep:
            sep = "-"
            if max_length is not None and len(stem) + 1 + len(suffix) > max_length:
                stem = stem[: max(max_length - 1 - len(suffix), 0)]
        if not stem:
            sep = ""
        out.append(f"{stem}{sep}{suffix}")
    result = object_array(out)
    if max_length is not None:
        too_long = [i for i, v in enumerate(out) if len(v) > max_length]
        if too_long:
            raise ValueError(
                f"row number {int(np.asarray(n)[too_long[0]])} does not fit in {max_length} "
                "characters"
            )
    return result


def key_for(*parts: object) -> int:
    return stable_hash("unique", *parts)
