"""How each table's columns are filled: fields (with the config's distributions laid over
inference's strategies), keys the seeder numbers, foreign-key links, and composite unique sets
that must be built rather than hoped for."""

from __future__ import annotations

from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.infer import strategies as st
from fixturekit.infer.plan import FieldPlan, SchemaPlan, TablePlan
from fixturekit.schema.graph import fk_is_nullable
from fixturekit.schema.model import INTEGER_KINDS, STRING_KINDS, Column, ForeignKey, Kind, Table
from fixturekit.seed.config import SeedConfig
from fixturekit.seed.distributions import Fixed, Segments, WithNulls
from fixturekit.seed.plan import (
    Combo,
    ComboMember,
    Link,
    TableSeed,
    domain_size,
    is_unique_strategy,
)


def _fail(message: str, hint: str | None = None) -> FixturekitError:
    return FixturekitError(message, hint=hint)


# --- fields ------------------------------------------------------------------------------------


def _own_fields(plan: TablePlan) -> list[FieldPlan]:
    """Field plans of the table's own columns (joined inheritance lists the parent's too)."""
    return [f for f in plan.fields if any(f.column is c for c in plan.table.columns)]


def _inheritance_fk(table: Table) -> ForeignKey | None:
    if table.inherits is None:
        return None
    for fk in table.foreign_keys:
        if fk.referred_table == table.inherits and set(fk.columns) <= set(table.primary_key):
            return fk
    return None


def identity(table: Table) -> Any:
    """The polymorphic identity of a mapped class (read from the ORM only here, when needed)."""
    if table.model is None:
        return None
    try:
        from sqlalchemy import inspect

        from fixturekit.infer.strategies import resolve_ref

        return inspect(resolve_ref(table.model)).polymorphic_identity
    except Exception:
        return None


def _key_strategy(column: Column) -> st.Strategy | None:
    """How to number a key the database would assign, when children need its values."""
    if column.kind in INTEGER_KINDS or column.kind is Kind.NUMERIC:
        return None  # a sequence: see TableSeed.sequences
    if column.kind is Kind.UUID:
        return st.UuidValue()
    if column.kind in STRING_KINDS:
        return (
            st.UuidValue(as_string=True)
            if (column.type.length or 36) >= 36
            else st.Code(column.type.length or 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", True)
        )
    return None


def _apply_rule(field_plan: FieldPlan, config: SeedConfig, table: Table) -> FieldPlan:
    rule = config.columns.get((table.key, field_plan.column.name))
    if rule is None:
        return field_plan
    strategy = rule.strategy or field_plan.strategy
    reason = "seed config" if rule.strategy else field_plan.reason
    if rule.null_rate and strategy is not None:
        strategy = WithNulls(strategy, rule.null_rate)
    return FieldPlan(field_plan.column, strategy, reason, field_plan.flags)


def _dependencies(strategy: st.Strategy | None) -> set[str]:
    if isinstance(strategy, (st.Relative, st.FromColumn)):
        return {strategy.other}
    if isinstance(strategy, (st.PersonDerived, st.AddressPart, st.CompanyDerived)):
        return set(strategy.sources)
    if isinstance(strategy, WithNulls):
        return _dependencies(strategy.base)
    if isinstance(strategy, st.UniqueText):
        return _dependencies(strategy.base)
    return set()


def _order_fields(table: Table, fields: list[FieldPlan]) -> list[FieldPlan]:
    """Fields in an order where a column comes after the columns it is derived from."""
    by_name = {f.column.name: f for f in fields}
    attr_to_name = {c.key: c.name for c in table.columns} | {c.name: c.name for c in table.columns}
    ordered: list[FieldPlan] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in placed:
            return
        if name in visiting:
            raise _fail(f"{table.key}: columns derive from each other in a circle ({name}).")
        visiting.add(name)
        for dep in _dependencies(by_name[name].strategy):
            target = attr_to_name.get(dep, dep)
            if target in by_name:
                visit(target)
        visiting.discard(name)
        placed.add(name)
        ordered.append(by_name[name])

    for f in fields:
        visit(f.column.name)
    return ordered


# --- links and unique sets ---------------------------------------------------------------------


def _links(
    plan: TablePlan, schema_plan: SchemaPlan, config: SeedConfig, fixed_columns: set[str]
) -> list[Link]:
    table = plan.table
    links: list[Link] = []
    inheritance = _inheritance_fk(table)
    if inheritance is not None:
        links.append(Link(inheritance, inheritance.referred_table, "inherit", False))
    for parent_link in plan.parents:
        fk = parent_link.fk
        if fk is inheritance or set(fk.columns) <= fixed_columns:
            continue
        nullable = fk_is_nullable(table, fk)
        rule_rates = [
            config.columns[(table.key, c)].null_rate
            for c in fk.columns
            if (table.key, c) in config.columns
        ]
        null_rate = max(rule_rates, default=0.0)
        counts = config.children.get((table.key, fk))
        if fk.referred_table == table.key:
            mode = "tree"
        elif counts is not None:
            mode = "block"
        elif set(fk.columns) in [set(u) for u in table.unique_sets()]:
            mode = "distinct"  # one-to-one: each parent row at most once
        else:
            mode = "random"
        deferred = schema_plan.insert.is_deferred(table.key, fk) and mode != "tree"
        if deferred and not nullable:
            raise _fail(
                f"{table.key}.{', '.join(fk.columns)} closes a foreign-key cycle but is NOT NULL: "
                "seeding inserts it empty and fills it afterwards.",
                hint="Make the column nullable (or break the cycle another way).",
            )
        if deferred and counts is not None:
            raise _fail(
                f"{table.key}: children per parent through {fk.columns[0]} are not "
                "supported on a key that closes a cycle."
            )
        links.append(Link(fk, fk.referred_table, mode, nullable, deferred, null_rate, counts))
    for fk in table.foreign_keys:  # keys to tables outside the models
        outside = fk.referred_table not in schema_plan.tables and fk is not inheritance
        if outside and not fk_is_nullable(table, fk):
            raise _fail(
                f"{table.key}.{', '.join(fk.columns)} references {fk.referred_table}, which "
                "is not among the models: seeding cannot pick existing rows there.",
                hint="Include that table's model, or give the column a value in the seed "
                "config (columns.NAME = { value = ... }).",
            )
    return links


def _combos(
    table: Table, fields: dict[str, FieldPlan], links: list[Link], sequences: dict[str, int]
) -> tuple[list[Combo], dict[str, FieldPlan]]:
    """Composite unique sets that need building, and fields made unique to satisfy others."""
    link_of = {c: link for link in links for c in link.fk.columns}
    combos: list[Combo] = []
    changed: dict[str, FieldPlan] = {}
    used_links: set[int] = set()
    for columns in table.unique_sets():
        if len(columns) < 2:
            continue
        if any(c in sequences for c in columns):
            continue
        if any(is_unique_strategy(fields[c].strategy) for c in columns if c in fields):
            continue
        if any(link_of[c].mode in ("distinct", "inherit") for c in columns if c in link_of):
            continue
        members_links = {id(link_of[c]): link_of[c] for c in columns if c in link_of}
        if not members_links:
            continue  # inference made one column unique, or flagged it
        if any(not set(link.fk.columns) <= set(columns) for link in members_links.values()) or any(
            link.mode == "tree" or link.deferred for link in members_links.values()
        ):
            raise _fail(
                f"{table.key}: UNIQUE ({', '.join(columns)}) mixes foreign keys in a way seeding "
                "cannot build."
            )
        if used_links & set(members_links):
            raise _fail(
                f"{table.key}: two composite unique sets share a foreign key; only one "
                "can be built."
            )
        plain = [c for c in columns if c not in link_of]
        members: list[ComboMember] = []
        infinite = None
        for name in plain:
            size = (
                domain_size(fields[name].strategy, table.column(name)) if name in fields else None
            )
            if size is None:
                infinite = name
                break
            members.append(ComboMember(name, None, fields[name].strategy, size))
        if infinite is not None:
            # A free-valued column in the set: make it unique by itself and the set holds.
            current = fields[infinite]
            if current.strategy is None or table.column(infinite).kind not in STRING_KINDS:
                raise _fail(
                    f"{table.key}: UNIQUE ({', '.join(columns)}) cannot be built: "
                    f"{infinite} has no finite set of values to combine."
                )
            changed[infinite] = FieldPlan(
                current.column,
                st.UniqueText(current.strategy, table.column(infinite).type.length),
                current.reason + f" (numbered: UNIQUE ({', '.join(columns)}))",
                current.flags,
            )
            continue
        group = None
        for link in members_links.values():
            if link.mode == "block" and group is None:
                group = link
            else:
                link.mode = "combo"
                members.append(ComboMember(link.name, link, None, 0))
        used_links |= set(members_links)
        combos.append(Combo(columns, members, group))
    return combos, changed


def _apart(table: Table, links: list[Link]) -> list[tuple[Link, Link]]:
    """Foreign keys that a CHECK says must differ, as pairs of single-column links."""
    from fixturekit.schema.predicates import ColumnCompare, NullOr

    single = {
        link.fk.columns[0]: link
        for link in links
        if len(link.fk.columns) == 1 and link.mode in ("random", "block") and not link.deferred
    }
    pairs = []
    for check in table.checks:
        for predicate in check.parsed.predicates:
            if isinstance(predicate, NullOr):
                predicate = predicate.predicate
            if (
                isinstance(predicate, ColumnCompare)
                and predicate.op == "<>"
                and predicate.left in single
                and predicate.right in single
                and single[predicate.right].mode == "random"
            ):
                pairs.append((single[predicate.left], single[predicate.right]))
    return pairs


def table_seed(
    plan: TablePlan,
    schema_plan: SchemaPlan,
    config: SeedConfig,
    identities: dict[str, list[tuple[str, int]]],
) -> TableSeed:
    table = plan.table
    fixed = config.fixed_rows.get(table.key)
    fixed_columns = {name for row in fixed for name in row} if fixed else set()
    seed = TableSeed(table, rows=0)
    seed.links = _links(plan, schema_plan, config, fixed_columns)
    link_columns = {c for link in seed.links for c in link.fk.columns}

    fields: list[FieldPlan] = []
    covered = set(link_columns)
    for field_plan in _own_fields(plan):
        column = field_plan.column
        covered.add(column.name)
        if column.name in link_columns:
            continue
        strategy = field_plan.strategy
        if strategy is None:
            if column.discriminator:
                field_plan = FieldPlan(column, None, "discriminator")
                fields.append(field_plan)  # filled below from the identities
                continue
            if column.autoincrement or column.primary_key:
                keyed = _key_strategy(column)
                if keyed is None and (column.kind in INTEGER_KINDS or column.kind is Kind.NUMERIC):
                    seed.sequences[column.name] = 1
                    continue
                if keyed is not None:
                    fields.append(FieldPlan(column, keyed, "key numbered by the seeder"))
                    continue
            continue  # left to the database (defaults, computed columns)
        fields.append(_apply_rule(field_plan, config, table))
    for column in table.columns:  # columns inference did not list (shared with a parent class)
        if column.name in covered or column.computed:
            continue
        if column.autoincrement and column.kind in INTEGER_KINDS:
            seed.sequences[column.name] = 1
            continue
        from fixturekit.infer.rules import InferenceOptions, infer_column

        drawn = InferenceOptions(factory_object=False)
        fields.append(_apply_rule(infer_column(column, table, options=drawn), config, table))

    # Discriminators: rows taken by child classes carry the child's identity.
    for i, field_plan in enumerate(fields):
        if field_plan.strategy is None and field_plan.column.discriminator:
            own = identity(table)
            if own is None and not field_plan.column.nullable:
                raise _fail(
                    f"{table.key}.{field_plan.column.name}: the polymorphic identity of "
                    "the class is unknown, so seeding cannot fill the discriminator."
                )
            segments = tuple(identities.get(table.key, ()))
            fields[i] = FieldPlan(field_plan.column, Segments(segments, own), "class identity")

    if fixed:
        fixed_fields = []
        by_name = {f.column.name: f for f in fields}
        for column in table.columns:
            if column.name not in fixed_columns:
                continue
            values = tuple(row.get(column.name, Fixed.MISSING) for row in fixed)
            base = by_name[column.name].strategy if column.name in by_name else None
            fixed_fields.append(FieldPlan(column, Fixed(values, base), "fixed rows"))
            by_name.pop(column.name, None)
            seed.sequences.pop(column.name, None)
        fields = [f for f in fields if f.column.name not in fixed_columns] + fixed_fields

    by_name = {f.column.name: f for f in fields}
    seed.combos, changed = _combos(table, by_name, seed.links, seed.sequences)
    seed.apart = _apart(table, seed.links)
    fields = [changed.get(f.column.name, f) for f in fields]
    seed.fields = _order_fields(table, fields)
    return seed
