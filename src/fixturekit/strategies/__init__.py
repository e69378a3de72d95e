"""Hypothesis strategies from the same inference as the factories: rows, objects and graphs.

    from fixturekit.strategies import rows, objects, graphs, save, savepoint

    @given(objects(Order))
    def test_total_is_never_negative(order): ...

Every column's domain (type, length, precision, enum, parsed CHECKs, uniqueness, relations) is
the one `fixturekit generate` and `factory_for` use, rendered as Hypothesis primitives so that
failing examples shrink to minimal rows and minimal object graphs. Install the extra:
`pip install fixturekit[hypothesis]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fixturekit.strategies.columns import NoHypothesisRendering, column_strategy
from fixturekit.strategies.graphs import BadChildren, graphs_strategy, objects_strategy
from fixturekit.strategies.graphs import rows_strategy as _rows_strategy
from fixturekit.strategies.plans import NotAModel, model_plan
from fixturekit.strategies.rows import MissingStrategy
from fixturekit.strategies.saving import django_savepoint, save, savepoint

__all__ = [
    "BadChildren",
    "MissingStrategy",
    "NoHypothesisRendering",
    "NotAModel",
    "column_strategy",
    "django_savepoint",
    "graphs",
    "objects",
    "rows",
    "save",
    "savepoint",
]


def rows(model: Any, fks: Mapping[str, Any] | None = None):
    """Dictionaries of column values (by column name) that `model`'s table accepts.

    Foreign-key columns are left out unless `fks` gives them, as values or strategies:
    `rows(OrderItem, fks={"order_id": st.just(order.id)})`. Columns the database fills (an
    autoincrement key, a server default) are left out too.
    """
    plan, key = model_plan(model)
    return _rows_strategy(plan, key, fks or {})


def objects(model: Any, **overrides: Any):
    """Unsaved instances of `model`; required parents are drawn by their own strategies.

    Overrides are values or strategies, by attribute or relationship name:
    `objects(Order, status=st.sampled_from(["paid", "shipped"]), user=some_user)`. Insert an
    instance with `save(obj, session)` (parents first) or `session.add(obj)` when every parent
    hangs on a relationship.
    """
    plan, key = model_plan(model)
    return objects_strategy(plan, key, overrides)


def graphs(model: Any, children: Mapping[str, tuple[int, int] | int], **overrides: Any):
    """An unsaved `model` instance with generated children per one-to-many relationship:
    `graphs(Order, children={"items": (1, 5)})` gives an order with one to five items."""
    plan, key = model_plan(model, related=tuple(children))
    return graphs_strategy(plan, key, children, overrides)
