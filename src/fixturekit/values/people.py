"""One person per row: names, display name, login and email that agree with each other.

The one-value functions serve factories (`fv.person`); `bulk_person` serves seeding. Both build
the same shapes: `Jane Doe`, `Jane D.`, `jane.doe`, `jane.doe@gmail.com`. A unique column gets a
number only where the person's natural value is taken already (`jane.doe2`): in factories by
remembering the values issued in this process (rows of earlier tests are rolled back), in
seeding by construction, from the row number over the pairs of names.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import numpy as np

from fixturekit.values.pools import object_array

_issued: dict[str, set[str]] = {}


@functools.lru_cache(maxsize=1 << 16)
def _ascii(text: str) -> str:
    # Cached: a seed folds the same few thousand first and last names for every row's login
    # and e-mail (two calls per row, most of the time of a table of people).
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def split_full(full: str) -> tuple[str, str]:
    words = [w for w in str(full).split() if w.rstrip(".").lower() not in _TITLES]
    if not words:
        return "", ""
    return words[0], words[-1] if len(words) > 1 else ""


_TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "md",
    "phd",
    "dds",
    "dvm",
}


def natural(part: str, first: str, last: str, domain: str = "") -> str:
    """The value a person's column takes before any number: `jane.doe`, `Jane D.`."""
    if part == "full":
        return f"{first} {last}".strip()
    if part == "display":
        return f"{first} {last[:1]}.".strip() if last else first
    login = ".".join(p for p in (_ascii(first), _ascii(last)) if p) or "user"
    if part == "username":
        return login
    if part == "email":
        return f"{login}@{domain}"
    raise ValueError(f"unknown person part {part!r}")


def _fit(value: str, part: str, max_length: int | None, number: int | str | None) -> str:
    """`value` with `number` woven in (before the @ of an email), within `max_length`."""
    suffix = "" if number is None else str(number)
    local, at, domain = value.partition("@") if part == "email" else (value, "", "")
    if max_length is not None:
        room = max_length - len(suffix) - len(at) - len(domain)
        if room < 1 and at:
            local, at, domain = local, "", ""
            room = max_length - len(suffix)
        if len(local) > room:
            local = local[: max(room, 1)].rstrip(". ")
    return f"{local}{suffix}{at}{domain}"


def person(
    part: str,
    first: Any,
    last: Any,
    full: Any = None,
    max_length: int | None = None,
    unique: str | None = None,
) -> str:
    """A column of the row's person, from the names the row already has."""
    from fixturekit.values import faker

    if first is None and last is None and full is not None:
        first, last = split_full(full)
    first, last = str(first or ""), str(last or "")
    domain = faker().free_email_domain() if part == "email" else ""
    value = natural(part, first, last, domain)
    if unique is None:
        return _fit(value, part, max_length, None)
    seen = _issued.setdefault(unique, set())
    number = None
    candidate = _fit(value, part, max_length, None)
    while candidate.lower() in seen:
        number = 2 if number is None else number + 1
        candidate = _fit(value, part, max_length, number)
    seen.add(candidate.lower())
    return candidate


def claim_unique(key: str, part: str, max_length: int | None, values: Any) -> list[str]:
    """Bulk-drawn unique values, checked against (and added to) what `person(unique=key)` has
    issued, so rows made one by one and in batches never repeat a value."""
    seen = _issued.setdefault(key, set())
    out: list[str] = []
    for value in values:
        candidate, number = str(value), None
        while candidate.lower() in seen:
            number = 2 if number is None else number + 1
            candidate = _fit(str(value), part, max_length, number)
        seen.add(candidate.lower())
        out.append(candidate)
    return out


@functools.cache
def name_pairs() -> tuple[np.ndarray, np.ndarray]:
    """Distinct first and last names whose logins differ too (`Zoë` and `Zoe` do not)."""
    from fixturekit.values.pools import source

    def distinct(token: str) -> np.ndarray:
        pool = source(token)
        kept: dict[str, str] = {}
        for name in pool.values.tolist():  # type: ignore[union-attr]
            login = _ascii(str(name))
            if login and login not in kept:
                kept[login] = str(name)
        return object_array(sorted(kept.values(), key=_ascii))

    return distinct("first_name"), distinct("last_name")


def pair_capacity() -> int:
    first, last = name_pairs()
    return len(first) * len(last)


def person_rows(rows: np.ndarray, key: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, last, round) for global row numbers: every pair once per round, in an order
    that does not look sequential. Round 0 needs no number."""
    from fixturekit.values.distinct import affine_permutation

    first, last = name_pairs()
    capacity = len(first) * len(last)
    rounds, within = np.divmod(np.asarray(rows, dtype=np.int64), capacity)
    index = affine_permutation(within, capacity, key)
    return first[index // len(last)], last[index % len(last)], rounds
