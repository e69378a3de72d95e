"""Columns that describe one address or one company are drawn together, like a row's person
(`fixturekit.infer.people`): a pass over a table's field plans after each column got its own
strategy.

- Address: the postcode is one of the row's region (a ZIP code of its US state), and the
  country is the locale's, whenever the table has other address columns.
- Company: the domain, website and an email that is not a person's are built from the
  company's name (`Booker, Ayers and Nelson`, `booker-ayers-nelson.com`).

Columns that must be unique keep their own strategy: a region has few postcodes, and company
names repeat.
"""

from __future__ import annotations

import dataclasses

from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan
from fixturekit.schema.model import Table

_ADDRESS = {
    "state": "region",
    "state_abbr": "region",
    "postcode": "postcode",
    "zipcode": "postcode",
    "country": "country",
    "country_code": "country",
    "city": "place",
    "street_address": "place",
    "secondary_address": "place",
}
_COMPANY = {
    "company": "name",
    "domain_name": "domain",
    "url": "website",
    "email": "email",
    "company_email": "email",
    "safe_email": "email",
    "free_email": "email",
    "ascii_email": "email",
    "ascii_safe_email": "email",
    "ascii_company_email": "email",
}


def _plain(field: FieldPlan, table: Table) -> st.FakerValue | None:
    """The field's Faker strategy, if it is a plain one on a writable, non-unique column."""
    strategy = field.strategy
    if type(strategy) is not st.FakerValue or not field.column.writable:
        return None
    if table.is_unique_alone(field.column.name):
        return None
    return strategy


def _parts(fields: list[FieldPlan], table: Table, kinds: dict[str, str]) -> dict[str, FieldPlan]:
    parts: dict[str, FieldPlan] = {}
    for field in fields:
        strategy = _plain(field, table)
        if strategy is not None and strategy.provider in kinds:
            parts.setdefault(kinds[strategy.provider], field)
    return parts


def _country_form(strategy: st.FakerValue) -> str:
    if strategy.provider == "country":
        return "name"
    return "alpha-3" if dict(strategy.kwargs).get("representation") == "alpha-3" else "alpha-2"


def cohere_addresses(fields: list[FieldPlan], table: Table) -> list[FieldPlan]:
    """The fields with the table's postcode and country agreeing with its region and locale."""
    parts = _parts(fields, table, _ADDRESS)
    replaced: dict[str, FieldPlan] = {}
    if "region" in parts and "postcode" in parts:
        field, region = parts["postcode"], parts["region"]
        strategy = st.AddressPart(
            "postcode", region=region.attribute, max_length=field.column.type.length
        )
        reason = f"a postcode of the row's region (from {region.column.name})"
        replaced[field.attribute] = dataclasses.replace(field, strategy=strategy, reason=reason)
    if "country" in parts and len(parts) > 1:
        field = parts["country"]
        form = _country_form(field.strategy)  # type: ignore[arg-type]
        strategy = st.AddressPart("country", form=form, max_length=field.column.type.length)
        reason = "the locale's country (the row's address is in it)"
        replaced[field.attribute] = dataclasses.replace(field, strategy=strategy, reason=reason)
    return [replaced.get(f.attribute, f) for f in fields]


def cohere_companies(fields: list[FieldPlan], table: Table) -> list[FieldPlan]:
    """The fields with the company's domain, website and email built from its name."""
    parts = _parts(fields, table, _COMPANY)
    if "name" not in parts:
        return fields
    name = parts["name"]
    replaced: dict[str, FieldPlan] = {}
    for part in ("domain", "website", "email"):
        if part not in parts:
            continue
        field = parts[part]
        strategy = st.CompanyDerived(part, name=name.attribute, max_length=field.column.type.length)
        reason = f"{part} of the row's company (from {name.column.name})"
        replaced[field.attribute] = dataclasses.replace(field, strategy=strategy, reason=reason)
    return [replaced.get(f.attribute, f) for f in fields]
