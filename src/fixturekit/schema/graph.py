"""The foreign-key graph: insert order, cycles, and which foreign keys break them.

Shared by code generation (which FKs a factory leaves empty), seeding (insert order and the
update pass for cycle-breaking keys) and the plugin (truncate order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fixturekit.errors import FixturekitError
from fixturekit.schema.model import ForeignKey, Schema, Table


def fk_is_nullable(table: Table, fk: ForeignKey) -> bool:
    return all(table.column(c).nullable for c in fk.columns)


def _strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so deep schemas do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


@dataclass
class InsertPlan:
    """Tables in an order where every parent comes before its children.

    `deferred` holds (table key, fk) pairs that must be inserted as NULL and filled in
    afterwards (or left NULL by factories), because they close a cycle.
    """

    order: list[str] = field(default_factory=list)
    deferred: list[tuple[str, ForeignKey]] = field(default_factory=list)
    # NOT NULL, non-deferrable keys deferred only because their cycle had no other way out
    forced: list[tuple[str, ForeignKey]] = field(default_factory=list)

    def is_deferred(self, table_key: str, fk: ForeignKey) -> bool:
        return (table_key, fk) in self.deferred


def _edges(schema: Schema, skip: set[tuple[str, ForeignKey]]) -> dict[str, set[str]]:
    """child -> parents, over foreign keys between known tables, self-references excluded."""
    edges: dict[str, set[str]] = {t.key: set() for t in schema}
    for table in schema:
        for fk in table.foreign_keys:
            if (table.key, fk) in skip or fk.referred_table == table.key:
                continue
            if fk.referred_table in edges:
                edges[table.key].add(fk.referred_table)
    return edges


def insert_plan(schema: Schema, strict: bool = False) -> InsertPlan:
    """Order tables parents-first, deferring nullable (or deferrable) FKs that close a cycle.

    A cycle of only NOT NULL, non-deferrable keys cannot be inserted in any order. With
    `strict` that raises a FixturekitError naming the tables; otherwise one of its keys is
    deferred anyway and listed in `forced`, so factories can still be written (and flagged).
    """
    deferred: set[tuple[str, ForeignKey]] = set()
    forced_keys: list[tuple[str, ForeignKey]] = []
    for table in schema:  # self-references are always filled after the row exists
        for fk in table.foreign_keys:
            if fk.referred_table == table.key:
                deferred.add((table.key, fk))
    while True:
        edges = _edges(schema, deferred)
        cycles = [c for c in _strongly_connected(sorted(edges), edges) if len(c) > 1]
        if not cycles:
            break
        cycle = cycles[0]
        members = set(cycle)
        breakable = [
            (table.key, fk)
            for key in cycle
            for table in [schema.table(key)]
            for fk in table.foreign_keys
            if fk.referred_table in members
            and (table.key, fk) not in deferred
            and (fk_is_nullable(table, fk) or fk.deferrable)
        ]
        if not breakable and not strict:
            forced = sorted(
                (
                    (table.key, fk)
                    for key in cycle
                    for table in [schema.table(key)]
                    for fk in table.foreign_keys
                    if fk.referred_table in members and (table.key, fk) not in deferred
                ),
                key=lambda item: (item[0], item[1].columns),
            )[0]
            deferred.add(forced)
            forced_keys.append(forced)
            continue
        if not breakable:
            raise FixturekitError(
                "Foreign-key cycle with no nullable or deferrable key: "
                + " -> ".join([*cycle, cycle[0]])
                + ".",
                hint="Make one of these foreign keys nullable or DEFERRABLE INITIALLY DEFERRED, "
                "or give fixturekit the rows of one table yourself.",
            )
        breakable.sort(
            key=lambda item: (
                not fk_is_nullable(schema.table(item[0]), item[1]),
                item[0],
                item[1].columns,
            )
        )
        deferred.add(breakable[0])

    edges = _edges(schema, deferred)
    order: list[str] = []
    placed: set[str] = set()
    remaining = sorted(edges)
    while remaining:
        ready = [key for key in remaining if not (edges[key] - placed)]
        for key in ready:
            order.append(key)
            placed.add(key)
        remaining = [key for key in remaining if key not in placed]
    ordered_deferred = sorted(deferred, key=lambda item: (item[0], item[1].columns))
    return InsertPlan(order=order, deferred=ordered_deferred, forced=forced_keys)
