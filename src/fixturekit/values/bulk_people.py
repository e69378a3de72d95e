"""The bulk rendering of the person strategies: a row's names, login and email agree.

Registered with `bulk_values` on import (`fixturekit.values.bulk` imports this module).
"""

from __future__ import annotations

from typing import Any

import numpy as np

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


def _names(strategy: PersonDerived, count: int, ctx: BulkContext) -> tuple[Any, Any]:
    """The rows' first and last names as object arrays of str ("" where there is none)."""
    if strategy.first or strategy.last:
        first = _texts(ctx.other(strategy.first)) if strategy.first else _blank(count)
        last = _texts(ctx.other(strategy.last)) if strategy.last else _blank(count)
        return first, last
    pairs = [people.split_full(str(v or "")) for v in ctx.other(strategy.full or "").tolist()]
    return object_array([p[0] for p in pairs]), object_array([p[1] for p in pairs])


def _blank(count: int) -> np.ndarray:
    return np.full(count, "", dtype=object)


def _texts(values: Any) -> np.ndarray:
    """`str(v or "")` of every value, computed once per distinct value (names repeat a lot)."""
    listed = values.tolist() if hasattr(values, "tolist") else list(values)
    table = {v: str(v or "") for v in set(listed)}
    return object_array([table[v] for v in listed])


def _folded(names: np.ndarray) -> np.ndarray:
    """Each name as a login part (`Zoë` -> `zoe`), folded once per distinct name."""
    listed = names.tolist()
    table = {name: people._ascii(name) for name in set(listed)}
    return object_array([table[name] for name in listed])


_strip = np.frompyfunc(str.strip, 1, 1)
_initial = np.frompyfunc(lambda text: text[:1], 1, 1)


def naturals(part: str, first: np.ndarray, last: np.ndarray, domains: Any) -> np.ndarray:
    """`people.natural` for whole columns: the same values, built a column at a time."""
    if part == "full":
        return _strip(first + " " + last)
    if part == "display":
        return np.where(last != "", _strip(first + " " + _initial(last) + "."), first)
    a, b = _folded(first), _folded(last)
    login = np.where((a != "") & (b != ""), a + "." + b, a + b)
    login[login == ""] = "user"
    if part == "username":
        return login
    if part == "email":
        return login + "@" + object_array(domains)
    raise ValueError(f"unknown person part {part!r}")


@bulk_values.register
def _(strategy: PersonDerived, count: int, ctx: BulkContext) -> Any:
    first, last = _names(strategy, count, ctx)
    domains = email_domains().sample(ctx.rng, count).tolist() if strategy.part == "email" else None
    part = strategy.part
    values = naturals(part, first, last, domains)
    lengths = np.fromiter(map(len, values.tolist()), dtype=np.int64, count=count)
    fits = (
        np.ones(count, dtype=bool)
        if strategy.max_length is None
        else (lengths <= strategy.max_length)
    )
    out = values.copy()
    if not strategy.is_unique:
        for i in np.flatnonzero(~fits).tolist():
            out[i] = people._fit(values[i], part, strategy.max_length, None)
        return out
    rows = ctx.row_numbers(count)
    paired = _paired(strategy, first, last, rows, ctx)
    rounds = rows // people.pair_capacity()
    # The names are this row's pair: unique by construction; a later round of the pairs takes
    # its number (2, 3, ...), the first needs none and keeps its natural value.
    for i in np.flatnonzero(paired & fits & (rounds > 0)).tolist():
        out[i] = people._fit(values[i], part, None, int(rounds[i]) + 1)
    # Names from elsewhere (a configured column) or a value cut to fit: the row number keeps
    # it unique, after a separator no natural or round value has.
    for i in np.flatnonzero(~(paired & fits)).tolist():
        out[i] = people._fit(values[i], part, strategy.max_length, f"_{int(rows[i])}")
    return out


def _paired(
    strategy: PersonDerived, first: np.ndarray, last: np.ndarray, rows: Any, ctx: BulkContext
) -> np.ndarray:
    """Per row: do its names come from the row's own pair of names (so are unique)?"""
    pair_first, pair_last, _ = people.person_rows(rows, _pair_key(ctx))
    if strategy.first or strategy.last:
        if not (strategy.first and strategy.last):
            return np.zeros(len(rows), dtype=bool)
        return np.asarray((first == pair_first) & (last == pair_last), dtype=bool)
    full = object_array(pair_first) + " " + object_array(pair_last)
    return np.asarray(_strip(first + " " + last) == full, dtype=bool)
