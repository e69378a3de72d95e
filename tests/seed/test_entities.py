"""A row's address and company agree with themselves, in every seeded row (PostgreSQL), in
factories and in Hypothesis: the postcode is a ZIP code of the row's state, the country is the
locale's, and the company's domain, website and email come from its name."""

from __future__ import annotations

import re
from pathlib import Path

from entity_models import Customer, Vendor
from faker.providers.address.en_US import Provider as UsAddresses
from hypothesis import given, settings
from seedhelp import create_schema, table_rows
from sqlalchemy.engine import URL

from fixturekit.runtime import factory_for
from fixturekit.seed.run import SeedRequest, run_seed
from fixturekit.strategies import objects
from fixturekit.values.companies import domain_of
from fixturekit.values.places import regions

MODELS = f"{Path(__file__).resolve().parent / 'entity_models.py'}:Base"
# Above the size where keys are rebuilt after the load and a worker process generates.
ROWS = {"vendors": 2_000, "customers": 20_000}


def zip_ranges() -> dict[str, tuple[int, int]]:
    """ZIP ranges per state, by abbreviation and by name, straight from Faker's en_US data."""
    ranges = {abbr: tuple(r) for abbr, r in UsAddresses.states_postcode.items()}
    abbreviations = [a for a in UsAddresses.states_abbr if a != "DC"]  # no state of its own
    names = dict(zip(UsAddresses.states, abbreviations, strict=True))
    ranges.update({name: ranges[abbr] for name, abbr in names.items()})
    return ranges


RANGES = zip_ranges()


def in_state(postcode: str, state: str) -> bool:
    low, high = RANGES[state]
    return re.fullmatch(r"\d{5}", postcode) is not None and low <= int(postcode) <= high


def company_agrees(name: str, **derived: str) -> bool:
    domain = derived.get("domain") or domain_of(name)
    checks = {
        "domain": lambda v: v == domain_of(name),
        "website": lambda v: v == f"https://www.{domain}",
        "email": lambda v: re.fullmatch(rf"[a-z]+@{re.escape(domain)}", v) is not None,
    }
    return all(checks[part](value) for part, value in derived.items())


def test_the_regions_follow_the_locale():
    known = regions().ranges
    assert known["california"] == known["ca"] and known["new york"][0] <= 10001 <= known["ny"][1]


def test_every_seeded_row_has_one_address_and_one_company(pg_url: URL):
    create_schema(pg_url, MODELS)
    url = pg_url.render_as_string(hide_password=False)
    assert run_seed(SeedRequest(MODELS, url, rows=ROWS, seed=5)).rows == ROWS
    vendors = table_rows(
        pg_url, "vendors", ["name", "domain", "website", "contact_email", "state", "postcode",
                            "country"],
    )  # fmt: skip
    assert len(vendors) == ROWS["vendors"]
    bad = [
        v
        for v in vendors
        if not (
            company_agrees(v[0], domain=v[1], website=v[2], email=v[3])
            and in_state(v[5], v[4])
            and v[6] == "US"
        )
    ]
    assert not bad, bad[:5]
    customers = table_rows(
        pg_url, "customers", ["company", "company_website", "region", "zip_code", "country"]
    )
    assert len(customers) == ROWS["customers"]
    bad = [
        c
        for c in customers
        if not (company_agrees(c[0], website=c[1]) and in_state(c[3], c[2]))
        or c[4] != "United States"
    ]
    assert not bad, bad[:5]
    assert len({c[2] for c in customers}) >= 40  # every state, not one


def test_factories_build_one_address_and_one_company():
    for vendor in factory_for(Vendor).build_batch(200):
        assert company_agrees(
            vendor.name, domain=vendor.domain, website=vendor.website, email=vendor.contact_email
        ), vendor.__dict__
        assert in_state(vendor.postcode, vendor.state) and vendor.country == "US"
    for customer in factory_for(Customer).build_batch(200):
        assert company_agrees(customer.company, website=customer.company_website)
        assert in_state(customer.zip_code, customer.region)
        assert customer.country == "United States"


@settings(max_examples=50, database=None, deadline=None)
@given(objects(Vendor))
def test_hypothesis_vendors_have_one_address_and_one_company(vendor):
    assert company_agrees(
        vendor.name, domain=vendor.domain, website=vendor.website, email=vendor.contact_email
    )
    assert in_state(vendor.postcode, vendor.state) and vendor.country == "US"
