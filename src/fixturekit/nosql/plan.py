"""What inference decided for a document schema: one factory plan per object in the tree.

Every scalar field goes through the shared rules (`fixturekit.infer.rules.infer_column`) with
its object as the table, so `email` in a document is an email just as it is in a SQL table.
This module adds only what documents have and tables do not: BSON types, arrays, nested
objects, `multipleOf` and `const`.
"""

from __future__ import annotations

import decimal
import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from fixturekit.errors import FixturekitError, UnsatisfiableColumn
from fixturekit.infer import strategies as st
from fixturekit.infer.rules import InferenceOptions, infer_column
from fixturekit.nosql import strategies as ds
from fixturekit.schema.jsonschema import ArrayNode, DocumentSchema, Leaf, Node, ObjectNode
from fixturekit.schema.model import Kind, PythonRef, Table
from fixturekit.schema.predicates import Compare

# Arrays get a realistic handful of items: at least one when the schema allows it, and at
# most this many more than the minimum, however large maxItems is.
ARRAY_SPREAD = 2

# BSON types no generator makes realistic values for: a fixed, valid value, flagged.
CONSTANTS = {
    "regex": 'bson.Regex("^[a-z]+$")',
    "javascript": 'bson.Code("function () { return true; }")',
    "minKey": "bson.MinKey()",
    "maxKey": "bson.MaxKey()",
}
RESERVED_ATTRIBUTES = {"Meta", "Params"}


@dataclass(frozen=True)
class FieldDecl:
    """One key of a document factory: its declaration source and why it was chosen."""

    key: str  # the key in the document
    attribute: str  # the attribute in the factory class (differs for `_id`, `first-name`)
    source: str
    reason: str
    flags: tuple[str, ...] = ()
    refs: tuple[PythonRef, ...] = ()
    required: bool = True

    @property
    def renamed(self) -> bool:
        return self.key != self.attribute


@dataclass
class ObjectPlan:
    node: ObjectNode
    class_name: str
    fields: list[FieldDecl] = field(default_factory=list)
    collection: str | None = None  # set on the document's own (root) factory

    @property
    def is_root(self) -> bool:
        return self.collection is not None

    @property
    def renames(self) -> dict[str, str]:
        return {f.attribute: f.key for f in self.fields if f.renamed}

    @property
    def flagged(self) -> list[FieldDecl]:
        return [f for f in self.fields if f.flags]


@dataclass
class DocumentPlan:
    schema: DocumentSchema
    objects: list[ObjectPlan]  # nested objects first, the document's own factory last

    @property
    def root(self) -> ObjectPlan:
        return self.objects[-1]

    @property
    def collection(self) -> str:
        return self.schema.collection


def class_name(path: str) -> str:
    """`users.shipping_address` -> `UserShippingAddress`; `orders.items[]` -> `OrderItem`."""
    parts = []
    for part in path.replace("[]", "").split("."):
        words = [w for w in re.split(r"[^0-9A-Za-z]+|(?<=[a-z0-9])(?=[A-Z])", part) if w]
        parts.append("".join(w[:1].upper() + w[1:] for w in words) or "Field")
    parts = [singular(p) for p in parts]
    name = "".join(parts)
    return name if name[:1].isalpha() else f"Doc{name}"


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def attribute_name(key: str, taken: set[str]) -> str:
    """A Python attribute for a document key; factory_boy ignores names starting with `_`."""
    name = re.sub(r"\W", "_", key.lstrip("_"))
    if not name or name[0].isdigit():
        name = f"f_{name}"
    if keyword.iskeyword(name) or name in RESERVED_ATTRIBUTES or key.startswith("_"):
        name = f"{name}_"
    while name in taken:
        name = f"{name}_"
    taken.add(name)
    return name


class _Planner:
    def __init__(
        self,
        schema: DocumentSchema,
        taken_names: set[str],
        counts: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        self.schema = schema
        self.names = taken_names
        self.counts = counts or {}
        self.objects: list[ObjectPlan] = []

    def fail(self, path: str, message: str, hint: str | None = None) -> FixturekitError:
        return UnsatisfiableColumn(f"{self.schema.source}: field {path}: {message}", hint=hint)

    def unique_class(self, path: str) -> str:
        base = f"{class_name(path)}Factory"
        name, i = base, 2
        while name in self.names:
            name, i = f"{base}{i}", i + 1
        self.names.add(name)
        return name

    # -- objects ----------------------------------------------------------------------------

    def plan_object(self, node: ObjectNode, collection: str | None = None) -> ObjectPlan:
        taken: set[str] = set()
        attributes = {f.name: attribute_name(f.name, taken) for f in node.fields}
        # The object as a table whose columns carry the factory attribute names, so rules that
        # relate two fields (`updated_at` after `created_at`) refer to them by attribute.
        table = node.table()
        table = Table(
            name=table.name,
            columns=[
                replace(c, attribute=_attr(attributes[c.name], c.name)) for c in table.columns
            ],
            primary_key=table.primary_key,
        )
        plan = ObjectPlan(node, "", collection=collection)
        for f in node.fields:
            path = f"{node.path}.{f.name}"
            decl = self.field(f.name, attributes[f.name], f.node, table, path)
            plan.fields.append(replace(decl, required=f.required))
        plan.class_name = self.unique_class(node.path)
        self.objects.append(plan)
        return plan

    def field(self, key: str, attribute: str, node: Node, table: Table, path: str) -> FieldDecl:
        if isinstance(node, ObjectNode):
            child = self.plan_object(node)
            return FieldDecl(
                key, attribute, f"factory.SubFactory({child.class_name})", "a nested object"
            )
        if isinstance(node, ArrayNode):
            expression, reason, flags, refs = self.array_expression(node, path)
            return FieldDecl(
                key, attribute, f"factory.LazyFunction(lambda: {expression})", reason, flags, refs
            )
        strategy, reason, flags = self.leaf(node, table, path, in_array=False)
        return FieldDecl(key, attribute, strategy.source(), reason, flags, strategy.python_refs)

    # -- arrays -----------------------------------------------------------------------------

    def array_expression(
        self, node: ArrayNode, path: str
    ) -> tuple[str, str, tuple[str, ...], tuple[PythonRef, ...]]:
        """A one-value expression building the array, with the reason for its items."""
        low, high = self.counts.get(path) or _array_bounds(node)
        item = node.item
        extra = ", unique=True" if node.unique else ""
        if isinstance(item, ObjectNode):
            child = self.plan_object(item)
            expression = f"mv.items({child.class_name}.build, {low}, {high}{extra})"
            return expression, f"{low}-{high} nested objects", (), ()
        if isinstance(item, ArrayNode):
            inner, reason, flags, refs = self.array_expression(item, f"{path}[]")
            expression = f"mv.items(lambda: {inner}, {low}, {high}{extra})"
            return expression, f"{low}-{high} lists of {reason}", flags, refs
        strategy, reason, flags = self.leaf(item, None, f"{path}[]", in_array=True)
        if node.unique:
            domain = _domain_size(strategy)
            if domain is not None:
                if domain < node.min_items:
                    raise self.fail(
                        path,
                        f"uniqueItems with minItems {node.min_items}, but only {domain} "
                        "distinct values exist",
                    )
                high = min(high, domain)
                low = min(low, high)
        expression = f"mv.items(lambda: {strategy.value_source()}, {low}, {high}{extra})"
        return expression, f"{low}-{high} items: {reason}", flags, strategy.python_refs

    # -- scalars ----------------------------------------------------------------------------

    def leaf(
        self, leaf: Leaf, table: Table | None, path: str, *, in_array: bool
    ) -> tuple[st.Strategy, str, tuple[str, ...]]:
        flags = list(leaf.flags)
        bson = leaf.bson_type
        if leaf.has_const:
            return st.Literal(leaf.const), "the schema's const", tuple(flags)
        if bson == "null":
            return st.NullValue(), "the schema allows only null", tuple(flags)
        if bson == "objectId":
            reason = (
                "a new ObjectId"
                if leaf.column.name == "_id"
                else ("a new ObjectId (nothing in the schema says which document it refers to)")
            )
            return ds.ObjectIdValue(), reason, tuple(flags)
        if bson in CONSTANTS:
            flags.append(f"bsonType {bson}: a fixed placeholder value")
            return ds.BsonConstant(CONSTANTS[bson]), f"a fixed {bson}", tuple(flags)
        if bson not in (
            "int",
            "long",
            "double",
            "decimal",
            "number",
            "string",
            "bool",
            "date",
            "timestamp",
            "binData",
            "object",
        ):
            raise self.fail(path, f"fixturekit cannot produce values of bsonType {bson!r}")
        if leaf.multiple_of is not None and leaf.column.kind in (
            Kind.INTEGER,
            Kind.BIGINT,
            Kind.FLOAT,
            Kind.NUMERIC,
        ):
            strategy: st.Strategy = _multiple_of(leaf)
            reason = f"a multiple of {leaf.multiple_of}"
        else:
            try:
                plan = infer_column(
                    leaf.column,
                    table,
                    predicates=leaf.predicates,
                    # one plan serves document factories and seeding alike: drawn values
                    options=InferenceOptions(factory_object=False),
                    unique=False if in_array else None,
                )
            except UnsatisfiableColumn as exc:
                raise self.fail(path, exc.message, exc.hint) from None
            if plan.strategy is None:
                raise self.fail(path, f"no value can be produced ({plan.reason})")
            strategy, reason = plan.strategy, _wording(plan.reason)
            flags.extend(_wording(flag) for flag in plan.flags)
            strategy = _within_bounds(strategy, leaf)
        return convert(strategy, leaf), reason, tuple(flags)


def _wording(text: str) -> str:
    """The shared rules speak of CHECK constraints; a document's constraints are its schema's."""
    return text.replace("the CHECK", "the schema").replace("CHECK", "schema constraint")


def _attr(attribute: str, name: str) -> str | None:
    return attribute if attribute != name else None


def _within_bounds(strategy: st.Strategy, leaf: Leaf) -> st.Strategy:
    """Keep a value placed after another field's (`max_price` >= `min_price`) inside the
    schema's inclusive bounds: the shared rule steps forward without looking at them."""
    if not isinstance(strategy, st.Relative) or strategy.op not in (">=", "<="):
        return strategy
    low = high = None
    for p in leaf.predicates:
        if isinstance(p, Compare) and isinstance(p.value, (int, float)):
            value = decimal.Decimal(str(p.value)) if leaf.column.kind is Kind.NUMERIC else p.value
            if p.op == ">=":
                low = value
            elif p.op == "<=":
                high = value
    if low is None and high is None:
        return strategy
    return ds.Converted(strategy, "clamp", (low, high))


def _array_bounds(node: ArrayNode) -> tuple[int, int]:
    low = node.min_items
    if low == 0 and (node.max_items is None or node.max_items >= 1):
        low = 1  # an empty list is valid but rarely what a realistic document holds
    high = low + ARRAY_SPREAD
    if node.max_items is not None:
        high = min(high, node.max_items)
    return low, max(low, high)


def _domain_size(strategy: st.Strategy) -> int | None:
    while isinstance(strategy, ds.Converted):
        strategy = strategy.inner
    if isinstance(strategy, st.Choice) and strategy.values:
        return len(strategy.values)
    if isinstance(strategy, st.Boolean):
        return 2
    if isinstance(strategy, st.Literal):
        return 1
    return None


def _bounds(leaf: Leaf) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    step = leaf.multiple_of or 1
    for p in leaf.predicates:
        if not isinstance(p, Compare) or not isinstance(p.value, (int, float)):
            continue
        if p.op == ">=":
            low = max(low, p.value)
        elif p.op == ">":
            low = max(low, p.value + step * 1e-9)
        elif p.op == "<=":
            high = min(high, p.value)
        elif p.op == "<":
            high = min(high, p.value - step * 1e-9)
    if low == -math.inf:
        low = 0 if high >= 0 else high - 100 * step
    if high == math.inf:
        high = low + 100 * step
    return low, high


def _multiple_of(leaf: Leaf) -> st.Strategy:
    low, high = _bounds(leaf)
    step = leaf.multiple_of
    assert step is not None
    if leaf.bson_type in ("int", "long") and float(step).is_integer():
        step = int(step)
    return ds.MultipleOf(step, low, high)


def convert(strategy: st.Strategy, leaf: Leaf) -> st.Strategy:
    """Give the value the Python type its BSON type (or string format) requires."""
    bson, kind = leaf.bson_type, leaf.column.kind
    function = None
    if bson == "long":
        function = "int64"
    elif bson in ("double", "number") and not isinstance(strategy, st.FloatRange):
        function = "double"
    elif bson == "decimal":
        function = "decimal128"
    elif bson == "date" and kind is Kind.DATE:
        function = "date"
    elif bson == "timestamp":
        function = "timestamp"
    elif bson == "string" and kind in (Kind.DATETIME, Kind.DATE, Kind.TIME):
        function = "iso"
    elif (
        bson == "string"
        and kind is Kind.UUID
        and not (isinstance(strategy, st.UuidValue) and strategy.as_string)
    ):
        function = "text"
    return ds.Converted(strategy, function) if function else strategy


def plan_document(
    schema: DocumentSchema,
    taken_names: set[str] | None = None,
    counts: Mapping[str, tuple[int, int]] | None = None,
) -> DocumentPlan:
    """Plan the factories for one collection.

    `taken_names` keeps class names unique across collections; `counts` fixes how many items
    arrays get, by path (`users.orders`), as seeding's distribution settings ask.
    """
    planner = _Planner(schema, taken_names if taken_names is not None else set(), counts)
    planner.plan_object(schema.root, collection=schema.collection)
    return DocumentPlan(schema, planner.objects)


def plan_documents(
    schemas: list[DocumentSchema], counts: Mapping[str, tuple[int, int]] | None = None
) -> list[DocumentPlan]:
    taken: set[str] = set()
    return [plan_document(s, taken, counts) for s in schemas]
