"""The bulk rendering of a person's derived columns (full name, display name, login, e-mail)
gives, a column at a time, exactly the values the one-row functions give row by row."""

from __future__ import annotations

import numpy as np
import pytest

from fixturekit.infer.strategies import PersonDerived
from fixturekit.values import people
from fixturekit.values.bulk import BulkContext, bulk_values
from fixturekit.values.pools import email_domains, object_array


def row_by_row(strategy: PersonDerived, first: list, last: list, ctx: BulkContext) -> list[str]:
    """The rule, one row at a time, with the one-row functions factories use."""
    count = len(first)
    rng = BulkContext(ctx.seed, ctx.table, ctx.column, ctx.start, ctx.today, {}).rng
    domains = email_domains().sample(rng, count).tolist() if strategy.part == "email" else None
    names = [(str(f or ""), str(s or "")) for f, s in zip(first, last, strict=True)]
    values = [
        people.natural(strategy.part, f, s, domains[i] if domains else "")
        for i, (f, s) in enumerate(names)
    ]
    if not strategy.is_unique:
        return [people._fit(v, strategy.part, strategy.max_length, None) for v in values]
    rows = ctx.row_numbers(count)
    pair_first, pair_last, rounds = people.person_rows(rows, key_of(ctx))
    out = []
    for i, value in enumerate(values):
        paired = names[i] == (pair_first[i], pair_last[i])
        fits = strategy.max_length is None or len(value) <= strategy.max_length
        if paired and fits:
            number = None if rounds[i] == 0 else int(rounds[i]) + 1
            out.append(people._fit(value, strategy.part, None, number))
        else:
            out.append(people._fit(value, strategy.part, strategy.max_length, f"_{rows[i]}"))
    return out


def key_of(ctx: BulkContext) -> int:
    from fixturekit.values.distinct import key_for

    return key_for(ctx.seed, ctx.table, "person")


@pytest.mark.parametrize("part", ["full", "display", "username", "email"])
@pytest.mark.parametrize("max_length", [None, 12, 4])
@pytest.mark.parametrize("unique", [False, True])
def test_a_column_at_a_time_equals_row_by_row(part: str, max_length, unique: bool):
    start = people.pair_capacity() - 300  # the last rows of round 0 and the first of round 1
    count = 600
    ctx = BulkContext(seed=5, table="members", start=start)
    pair_first, pair_last, _ = people.person_rows(ctx.row_numbers(count), key_of(ctx))
    first, last = pair_first.tolist(), pair_last.tolist()
    # Rows whose names are not the row's pair: accents, a missing part, another person.
    first[:6] = ["Zoë", None, "", "Ann", "Jean-Luc", "X Æ"]
    last[:6] = ["Ørsted", "Okafor", "", None, "Picard", ""]
    ctx.columns = {"given": object_array(first), "family": object_array(last)}
    strategy = PersonDerived(
        part, first="given", last="family", max_length=max_length, is_unique=unique, key="m.x"
    )
    made = bulk_values(strategy, count, ctx).tolist()
    assert made == row_by_row(strategy, first, last, ctx)
    if unique:
        assert len(set(made)) == count


def test_a_full_name_alone_gives_the_same_values():
    count = 200
    ctx = BulkContext(seed=2, table="authors", start=0)
    pair_first, pair_last, _ = people.person_rows(ctx.row_numbers(count), key_of(ctx))
    full = [f"{f} {s}" for f, s in zip(pair_first.tolist(), pair_last.tolist(), strict=True)]
    full[:3] = ["Dr. Ada Lovelace", "Plato", None]
    ctx.columns = {"name": object_array(full)}
    strategy = PersonDerived("email", full="name", is_unique=True, key="a.email")
    pairs = [people.split_full(str(v or "")) for v in full]
    expected = row_by_row(strategy, [p[0] for p in pairs], [p[1] for p in pairs], ctx)
    assert bulk_values(strategy, count, ctx).tolist() == expected
    assert np.unique(np.array(expected, dtype=object)).size == count
