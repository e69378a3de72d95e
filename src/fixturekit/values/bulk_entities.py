"""The bulk renderings of the address and company strategies: a row's postcode is one of its
region, its country the locale's, its company's domain, website and email its name's.

Registered with `bulk_values` on import (`fixturekit.values.bulk` imports this module).
"""

from __future__ import annotations

from typing import Any

from fixturekit.infer.strategies import AddressPart, CompanyDerived
from fixturekit.values import companies, places
from fixturekit.values.bulk_core import BulkContext, bulk_values
from fixturekit.values.pools import object_array


@bulk_values.register
def _(strategy: AddressPart, count: int, ctx: BulkContext) -> Any:
    if strategy.part == "country":
        return object_array([places.country(strategy.form, strategy.max_length)] * count)
    regions = ctx.other(strategy.region) if strategy.region else object_array([None] * count)
    values = places.postcodes(regions, ctx.rng)
    if strategy.max_length:
        values = object_array([v[: strategy.max_length] for v in values.tolist()])
    return values


@bulk_values.register
def _(strategy: CompanyDerived, count: int, ctx: BulkContext) -> Any:
    names = ctx.other(strategy.name).tolist()
    mailboxes = ctx.rng.integers(0, len(companies.MAILBOXES), count).tolist()
    domains: dict[Any, str] = {}  # company names repeat: slug each once
    out = []
    for name, mailbox in zip(names, mailboxes, strict=True):
        domain = domains.get(name)
        if domain is None:
            domain = domains[name] = companies.domain_of(name)
        value = companies.derive(strategy.part, domain, companies.MAILBOXES[mailbox])
        out.append(companies.fit(value, strategy.part, strategy.max_length))
    return object_array(out)
