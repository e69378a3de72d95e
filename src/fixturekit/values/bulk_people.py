"""The bulk rendering of the person strategies: a row's names, login and email agree.

Registered with `bulk_values` on import (`fixturekit.values.bulk` imports this module).
"""

from __future__ import annotations

from typing import Any

from fixturekit.infer.strategies import PersonDerived, PersonName
from fixturekit.values import people
from fixturekit.values.bulk_core import BulkContext, bulk_values, fit_texts
from fixturekit.values.distinct import key_for
from fixturekit.values.pools import email_domains, object_array


def _pair_key(ctx: BulkContext) -> int:
    # one key per table, shared by every anchor column: a row's first and last name are a pair
    return key_for(ctx.seed, ctx.table, "person")


@bulk_values.register
def _(strategy: PersonName, count: int, ctx: BulkContext) -> Any:
    if strategy.pairs:
        first, last, _ = people.person_rows(ctx.row_numbers(count), _pair_key(ctx))
        values = {"first": first, "last": last}.get(strategy.part)
        if values is None:
            values = first + " " + last
    else:
        from fixturekit.values.bulk_text import faker_values

        provider = PersonName._PROVIDERS[strategy.part]
        values = faker_values(provider, (), count, ctx)
    return fit_texts(object_array(values), strategy.max_length, None, ctx.rng)


def _names(strategy: PersonDerived, count: int, ctx: BulkContext) -> tuple[list, list]:
    if strategy.first or strategy.last:
        first = ctx.other(strategy.first).tolist() if strategy.first else [""] * count
        last = ctx.other(strategy.last).tolist() if strategy.last else [""] * count
        return first, last
    pairs = [people.split_full(str(v or "")) for v in ctx.other(strategy.full or "").tolist()]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@bulk_values.register
def _(strategy: PersonDerived, count: int, ctx: BulkContext) -> Any:
    first, last = _names(strategy, count, ctx)
    domains = email_domains().sample(ctx.rng, count).tolist() if strategy.part == "email" else None
    part = strategy.part
    values = [
        people.natural(part, str(f or ""), str(s or ""), domains[i] if domains else "")
        for i, (f, s) in enumerate(zip(first, last, strict=True))
    ]
    if not strategy.is_unique:
        fitted = [people._fit(v, part, strategy.max_length, None) for v in values]
        return object_array(fitted)
    rows = ctx.row_numbers(count)
    paired = _paired(strategy, first, last, rows, ctx)
    rounds = rows // people.pair_capacity()
    out: list[str] = []
    for i, (value, row, round_) in enumerate(
        zip(values, rows.tolist(), rounds.tolist(), strict=True)
    ):
        natural_fits = strategy.max_length is None or len(value) <= strategy.max_length
        if paired[i] and natural_fits:
            # the names are this row's pair: unique by construction; a later round of the
            # pairs takes its number (2, 3, ...), the first needs none
            out.append(people._fit(value, part, None, None if round_ == 0 else round_ + 1))
        else:
            # names from elsewhere (a configured column) or a value cut to fit: the row
            # number keeps it unique, after a separator no natural or round value has
            out.append(people._fit(value, part, strategy.max_length, f"_{row}"))
    return object_array(out)


def _paired(
    strategy: PersonDerived, first: list, last: list, rows: Any, ctx: BulkContext
) -> list[bool]:
    """Per row: do its names come from the row's own pair of names (so are unique)?"""
    pair_first, pair_last, _ = people.person_rows(rows, _pair_key(ctx))
    if strategy.first or strategy.last:
        return (
            [
                (not strategy.first or f == pf) and (not strategy.last or s == pl)
                for f, s, pf, pl in zip(
                    first, last, pair_first.tolist(), pair_last.tolist(), strict=True
                )
            ]
            if strategy.first and strategy.last
            else [False] * len(rows)
        )
    full = (pair_first + " " + pair_last).tolist()
    return [f"{f} {s}".strip() == p for f, s, p in zip(first, last, full, strict=True)]
