"""The bulk rendering at test time: the values of n factory rows, drawn a column at a time.

`fixturekit seed` and `XFactory.create_batch` share every strategy's bulk rendering
(`fixturekit.values.bulk`); what differs is the context. A batch draws from a fresh seed taken
from factory_boy's random generator (so `factory.random.reseed_random` makes batches
reproducible like everything else), numbers its rows with the factory's own sequence (so unique
values continue where per-row creation left off), and keys its unique bijections by nothing but
the strategy, so that a batch's values can never meet another batch's or a single row's.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fixturekit.infer.strategies import Code, Matching, UniqueFakerValue
from fixturekit.schema.model import Column, Kind
from fixturekit.values.bulk import BulkContext, BulkError, Decimals, bulk_values, typed
from fixturekit.values.distinct import key_for
from fixturekit.values.pools import object_array


class BatchContext(BulkContext):
    """A BulkContext whose unique values are numbered like the per-row `factory.Sequence`.

    The bijections behind unique values are keyed by table and column only, never by the
    batch's seed: every batch of a factory maps its (distinct) sequence numbers through the
    same bijection, so two batches cannot collide. Codes use the identity (`in_order`): a
    unique code numbered n is then the n-th code, the one `fv.code(n, ...)` gives a single row.
    """

    in_order: bool = False
    salt: int = 0  # another bijection, for values that must avoid ones already issued

    def unique_key(self, *labels: Any) -> int:
        if self.in_order:
            return 0
        return key_for(self.salt, self.table, self.column_name, *labels)

    def derive(self, column: Column | None) -> BatchContext:
        ctx = BatchContext(self.seed, self.table, column, self.start, self.today, self.columns)
        ctx.in_order, ctx.salt = self.in_order, self.salt
        return ctx


def batch_seed() -> int:
    import factory.random

    return factory.random.randgen.getrandbits(62)


def draw(
    strategy: Any,
    column: Column,
    count: int,
    *,
    table: str,
    first_sequence: int,
    seed: int,
    earlier: Mapping[str, Any],
) -> Any:
    """`count` values of one column in its bulk representation (numpy, Decimals, objects).

    Raises BulkError when the bulk rendering cannot give them (the caller then evaluates the
    column row by row, as the per-row path would)."""
    ctx = BatchContext(seed, table, column, first_sequence, dt.date.today(), earlier)
    ctx.in_order = isinstance(strategy, Code)
    values = bulk_values(strategy, count, ctx)
    return _keep_process_unique(strategy, values, ctx)


def as_bulk(values: Sequence[Any], column: Column | None) -> Any:
    """Python values (an override, a per-row result) as the array a dependent column reads."""
    return typed(object_array(list(values)), column.type if column is not None else None)


# --- values the per-row path keeps distinct through a process-wide registry -------------------

_REDRAWS = 20


def _registry(strategy: Any) -> set[Any] | None:
    from fixturekit import values as fv

    if isinstance(strategy, UniqueFakerValue) and not strategy.weave:
        kwargs = tuple(sorted(dict(strategy.kwargs).items()))
        slot = (strategy.provider, kwargs, strategy.max_length, strategy.case)
        return fv._drawn.setdefault(slot, set())
    if isinstance(strategy, Matching) and strategy.is_unique:
        return fv._issued.setdefault(strategy.regex, set())
    return None


def _keep_process_unique(strategy: Any, values: Any, ctx: BatchContext) -> Any:
    """Fixed-format unique values (`fv.unique_draw`) and unique patterns (`fv.matching`) are
    kept distinct per row by remembering what was issued in this process; a batch joins the
    same registry. Values another factory for the table (or a single row) already took are
    replaced from other bijections of the domain: fresh draws, distinct among themselves."""
    from fixturekit import values as fv

    seen = _registry(strategy)
    if seen is None:
        return values
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    taken = []
    for i, value in enumerate(items):
        folded = fv._fold(value)
        if folded in seen:
            taken.append(i)
        else:
            seen.add(folded)
    for attempt in range(1, _REDRAWS + 1):
        if not taken:
            break
        other = BatchContext(ctx.seed + attempt, ctx.table, ctx.column, 0, ctx.today, ctx.columns)
        other.salt = ctx.seed + attempt
        fresh = bulk_values(strategy, len(taken), other)
        fresh = fresh.tolist() if isinstance(fresh, np.ndarray) else list(fresh)
        still = []
        for i, value in zip(taken, fresh, strict=True):
            folded = fv._fold(value)
            if folded in seen:
                still.append(i)
            else:
                seen.add(folded)
                items[i] = value
        taken = still
    if taken:
        raise BulkError(
            f"{ctx.table}.{ctx.column_name}: no unused value left for {len(taken)} rows"
        )
    return object_array(items)


# --- from the bulk representation to the Python values a model takes ------------------------


def to_python(values: Any, column: Column | None, python_type: type | None = None) -> list[Any]:
    """Python values for the ORM, as the per-row declaration would give them."""
    if isinstance(values, Decimals):
        return values.tolist()
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values).tolist()
        data = to_python(np.ma.getdata(values), column, python_type)
        return [None if m else v for v, m in zip(data, mask, strict=True)]
    if not isinstance(values, np.ndarray):
        return list(values)
    kind = column.kind if column is not None else None
    if values.dtype.kind == "M":
        items = values.astype(object).tolist()
        if np.datetime_data(values.dtype)[0] == "D" and kind is Kind.DATETIME:
            items = [None if v is None else dt.datetime.combine(v, dt.time()) for v in items]
        if column is not None and column.type.timezone:
            items = [v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) else v for v in items]
        return items
    if values.dtype.kind == "m":
        return values.astype(object).tolist()
    items = values.tolist()
    if values.dtype != object:
        return items
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return _members(items, column, python_type)
    if python_type is uuid.UUID:
        return [uuid.UUID(v) if isinstance(v, str) else v for v in items]
    if kind is Kind.JSON and python_type is not str:
        return [json.loads(v) if isinstance(v, str) else v for v in items]
    return items


def _members(items: list[Any], column: Column | None, enum_class: type[enum.Enum]) -> list[Any]:
    """Enum labels (what the database stores, what bulk choices give) as the enum's members."""
    names: dict[Any, str] = {}
    if column is not None and column.type.enum_members and column.type.enum_values:
        names = dict(zip(column.type.enum_values, column.type.enum_members, strict=False))
    by_value = {member.value: member for member in enum_class}
    out = []
    for item in items:
        if isinstance(item, enum_class) or item is None:
            out.append(item)
        elif names.get(item, item) in enum_class.__members__:
            out.append(enum_class[names.get(item, item)])
        else:
            out.append(by_value.get(item, item))
    return out
