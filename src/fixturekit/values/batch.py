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
from fixturekit.values.bulk import BulkContext, Decimals, bulk_values, typed
from fixturekit.values.distinct import key_for
from fixturekit.values.pools import object_array


class BatchContext(BulkContext):
    """A BulkContext whose unique values are numbered like the per-row `factory.Sequence`.

    The bijections behind unique values are keyed by table and column only, never by the
    batch's seed: every batch maps its (distinct) sequence numbers through the same bijection,
    so two batches cannot collide. Codes use the identity (`in_order`): a unique code numbered
    n is then the n-th code, the one `fv.code(n, ...)` gives a single row.
    """

    in_order: bool = False

    def unique_key(self, *labels: Any) -> int:
        return 0 if self.in_order else key_for(0, self.table, self.column_name, *labels)

    def derive(self, column: Column | None) -> BatchContext:
        ctx = BatchContext(self.seed, self.table, column, self.start, self.today, self.columns)
        ctx.in_order = self.in_order
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
    """`count` values of one column in its bulk representation (numpy, Decimals, objects)."""
    ctx = BatchContext(seed, table, column, first_sequence, dt.date.today(), earlier)
    ctx.in_order = isinstance(strategy, Code)
    values = bulk_values(strategy, count, ctx)
    return _keep_process_unique(strategy, values, first_sequence)


def as_bulk(values: Sequence[Any], column: Column | None) -> Any:
    """Python values (an override, a per-row result) as the array a dependent column reads."""
    return typed(object_array(list(values)), column.type if column is not None else None)


# --- values the per-row path keeps distinct through a process-wide registry -------------------


def _keep_process_unique(strategy: Any, values: Any, first_sequence: int) -> Any:
    """Fixed-format unique values (`fv.unique_draw`) and unique patterns (`fv.matching`) are
    kept distinct per row by remembering what was issued; a batch joins the same registry, and
    redraws, one by one, the few values a single row already took."""
    from fixturekit import values as fv

    if isinstance(strategy, UniqueFakerValue) and not strategy.weave:
        kwargs = tuple(sorted(dict(strategy.kwargs).items()))
        seen = fv._drawn.setdefault(
            (strategy.provider, kwargs, strategy.max_length, strategy.case), set()
        )

        def redraw(n: int) -> Any:
            return fv.unique_draw(
                strategy.provider,
                n,
                max_length=strategy.max_length,
                case=strategy.case,
                min_length=strategy.min_length,
                wrap=strategy.wrap,
                **dict(strategy.kwargs),
            )

    elif isinstance(strategy, Matching) and strategy.is_unique:
        seen = fv._issued.setdefault(strategy.regex, set())

        def redraw(n: int) -> Any:
            return fv.matching(strategy.regex, max_length=strategy.max_length, n=n)

    else:
        return values
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    for i, value in enumerate(items):
        folded = fv._fold(value)
        if folded in seen:
            items[i] = redraw(first_sequence + i)  # registers the new value itself
        else:
            seen.add(folded)
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
