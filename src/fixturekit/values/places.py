"""Addresses that agree with themselves and with the locale: a postcode of the row's region
(a ZIP code of its US state) and the locale's country.

The regions and their postcode ranges come from the Faker locale fixturekit uses (en_US:
`states_postcode`), so factories and bulk seeding share them; a locale without that data gets
the locale's own postcodes, unrelated to the region.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from fixturekit.values.pools import object_array

COUNTRY_FORMS = ("name", "alpha-2", "alpha-3")


@dataclass(frozen=True)
class Regions:
    """Per region (by name and by abbreviation), its postcode range [low, high]."""

    ranges: dict[str, tuple[int, int]]  # lower-cased name or abbreviation -> range
    digits: int

    def bounds(self, regions: Any) -> tuple[np.ndarray, np.ndarray]:
        """Low and high postcode per region (-1 where the region is unknown)."""
        found = [self.ranges.get(str(r or "").strip().lower(), (-1, -1)) for r in regions]
        pairs = np.array(found, dtype=np.int64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]


@functools.cache
def regions() -> Regions:
    from fixturekit.values import faker

    provider = _address_provider(faker())
    by_abbr: dict[str, tuple[int, int]] = {
        abbr: (int(low), int(high))
        for abbr, (low, high) in dict(getattr(provider, "states_postcode", {})).items()
    }
    names = list(getattr(provider, "states", ()))
    # `states_abbr` lists the same states in the same order, plus the federal district
    abbrs = [a for a in getattr(provider, "states_abbr", ()) if a != "DC"]
    ranges = {abbr.lower(): bounds for abbr, bounds in by_abbr.items()}
    if len(names) == len(abbrs):
        ranges.update(
            {n.lower(): by_abbr[a] for n, a in zip(names, abbrs, strict=True) if a in by_abbr}
        )
    return Regions(ranges, 5)


def _address_provider(fake: Any) -> Any:
    for provider in fake.providers:
        if type(provider).__module__.startswith("faker.providers.address"):
            return provider
    return None


def country(form: str, max_length: int | None = None) -> str:
    """The locale's country: its name, or its ISO 3166 alpha-2 or alpha-3 code."""
    from faker.providers.address import Provider

    from fixturekit.values import faker

    fake = faker()
    code = str(fake.current_country_code())
    if form == "alpha-2":
        value = code
    elif form == "alpha-3":
        # Faker lists the two codes of each country in the same order
        two, three = Provider.alpha_2_country_codes, Provider.alpha_3_country_codes
        value = three[two.index(code)] if code in two else code
    else:
        value = str(fake.current_country())
    return value[:max_length] if max_length else value


def postcodes(regions_of_rows: Any, rng: np.random.Generator) -> np.ndarray:
    """A postcode of each row's region; the locale's own postcodes where it is unknown."""
    table = regions()
    low, high = table.bounds(regions_of_rows)
    known = low >= 0
    drawn = low + np.floor(rng.random(len(low)) * (high - low + 1)).astype(np.int64)
    out = np.char.zfill(drawn.astype(str), table.digits).astype(object)
    if not known.all():
        from fixturekit.values import faker

        fake = faker()
        out[~known] = [str(fake.postcode()) for _ in range(int((~known).sum()))]
    return out


def address(
    part: str, region: Any = None, form: str = "name", max_length: int | None = None
) -> str:
    """One column of the row's address: `postcode` (of `region`) or `country` (the locale's)."""
    if part == "country":
        return country(form, max_length)
    if part != "postcode":
        raise ValueError(f"unknown address part {part!r}")
    from fixturekit.values import _rng

    rng = np.random.default_rng(_rng().getrandbits(64))
    value = str(postcodes(object_array([region]), rng)[0])
    return value[:max_length] if max_length else value
