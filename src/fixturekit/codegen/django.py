"""Render a SchemaPlan of Django models as a module of `DjangoModelFactory` classes.

The field values, parent links and layout are the SQLAlchemy renderer's (one inference, one way
to spell a strategy); what differs is what a Django user expects to read:

- `factory.django.DjangoModelFactory` with `Meta.model`, no session binding (Django's own
  connection and pytest-django's `db` fixture give the isolation);
- `django_get_or_create` on a natural key (the first unique text field, else the first
  `unique_together`), so `UserFactory(username="ann")` twice is one user;
- `@factory.post_generation` for many-to-many fields with Django's auto-created table:
  `tags=[...]` links existing rows, `tags=3` creates three. A many-to-many through an explicit
  model is filled by that model's own factory instead (it usually carries data of its own);
- a factory for each auto-created through model (`Product.tags.through`), so every table can
  be filled and seeded;
- `FACTORIES`: Django model class name -> factory.
"""

from __future__ import annotations

import dataclasses

from fixturekit.codegen.factory_boy import (
    CUSTOM_BEGIN,
    CUSTOM_END,
    DEFAULT_CUSTOM,
    ORIGINAL_NAMES_HOOK,
    ModuleRenderer,
    RenderOptions,
    _comment_lines,
    _wrap,
)
from fixturekit.infer.plan import FieldPlan, ManyToManyPlan, SchemaPlan, TablePlan
from fixturekit.infer.strategies import DjangoPassword, lit
from fixturekit.naming import relationship_declaration
from fixturekit.schema.model import STRING_KINDS, RelationKind, Table

_THROUGH = ".through"


def is_auto_through(table: Table) -> bool:
    """A many-to-many table Django created itself (`<Model>.<field>.through`)."""
    return table.model is not None and table.model.qualname.endswith(_THROUGH)


def model_name(table: Table) -> str:
    """Django's class name: an auto-created through model is `<Model>_<field>`."""
    if table.model is None:
        raise ValueError(f"{table.key} has no Django model")
    if is_auto_through(table):
        owner, field = table.model.qualname[: -len(_THROUGH)].split(".")[-2:]
        return f"{owner}_{field}"
    return table.model.name


def django_factory_name(table: Table) -> str:
    """`UserFactory`; `ProductTagsFactory` for the auto-created `Product_tags`."""
    parts = model_name(table).split("_")
    return "".join(p[:1].upper() + p[1:] for p in parts) + "Factory"


# A natural key from a small domain (locale codes: a few hundred) runs out over a long test
# session, as uniqueness memory outlives rolled-back rows: once every value is taken, it is
# drawn again and django_get_or_create returns the row that has it.
SMALL_NATURAL_DOMAIN = 10_000


def _shared_when_exhausted(field: FieldPlan, natural: tuple[str, ...]) -> FieldPlan:
    from fixturekit.infer.tables import unique_capacity

    strategy = field.strategy
    if natural != (field.attribute,) or strategy is None or not hasattr(strategy, "wrap"):
        return field
    if strategy.wrap or unique_capacity(strategy) >= SMALL_NATURAL_DOMAIN:
        return field
    reason = field.reason + "; an existing row is reused once all values are taken"
    return dataclasses.replace(
        field, strategy=dataclasses.replace(strategy, wrap=True), reason=reason
    )


class DjangoModuleRenderer(ModuleRenderer):
    """The SQLAlchemy renderer's field and parent rendering, with Django's classes around it."""

    def _lazy(self, table_key: str) -> str:
        return f'f"{{__name__}}.{django_factory_name(self.schema.table(table_key))}"'

    def _natural_key(self, plan: TablePlan) -> tuple[str, ...]:
        """Declaration names of the natural key used for django_get_or_create, or ()."""
        if plan.get_or_create:  # inference's own (a singleton, a small key domain)
            return plan.get_or_create
        for field in plan.factory_fields:
            col = field.column
            if (
                col.unique
                and field.strategy is not None
                and col.kind in STRING_KINDS
                and not col.primary_key
                and not col.nullable
            ):
                return (field.attribute,)
        by_column = {
            c: link.name for link in plan.factory_parents if not link.empty for c in link.fk.columns
        }
        by_column.update({f.column.name: f.attribute for f in plan.factory_fields if f.strategy})
        for unique in plan.table.uniques:
            if unique.where is None and all(c in by_column for c in unique.columns):
                names = tuple(dict.fromkeys(by_column[c] for c in unique.columns))
                return names
        return ()

    def _auto_m2m(self, m2m: ManyToManyPlan) -> bool:
        secondary = self.schema.tables.get(m2m.secondary or "")
        return secondary is None or is_auto_through(secondary)

    def _many_to_many(self, m2m: ManyToManyPlan) -> list[str]:
        name = m2m.relationship.name
        if not self._auto_m2m(m2m):
            secondary = self.schema.table(m2m.secondary or "")
            through = django_factory_name(secondary)
            return _comment_lines(
                "    ", f"{name}: through {model_name(secondary)}; create rows with {through}."
            )
        target = django_factory_name(self.schema.table(m2m.target))
        return [
            "",
            "    @factory.post_generation",
            f"    def {relationship_declaration(name)}(self, create, extracted, **kwargs):",
            '        """A list links existing rows; a number creates that many new ones."""',
            "        if not create or not extracted:",
            "            return",
            "        if isinstance(extracted, int):",
            f"            extracted = {target}.create_batch(extracted, **kwargs)",
            f"        self.{name}.add(*extracted)",
        ]

    def _children(self, plan: TablePlan) -> list[str]:
        lines: list[str] = []
        for children in plan.children:
            child = self.schema.table(children.child)
            related = children.parent_attribute
            size = children.size_source
            self._note_source(size)
            lines += _wrap(
                "    ",
                relationship_declaration(children.relationship.name),
                f"factory.RelatedFactoryList({self._lazy(child.key)}, "
                f"factory_related_name={related!r}, size={size})",
            )
        return lines

    def _password_hook(self, plan: TablePlan) -> list[str]:
        """Hash a caller's `password="..."` as the generated default is: Django stores hashes."""
        names = [f.attribute for f in plan.factory_fields if isinstance(f.strategy, DjangoPassword)]
        if not names:
            return []
        lines = [
            "",
            "    @classmethod",
            "    def _adjust_kwargs(cls, **kwargs):",
            '        # Django stores a hash, as set_password does: a caller\'s password="..." is',
            "        # hashed too (each text once), so the user can log in with it.",
        ]
        lines += [f"        kwargs[{lit(n)}] = fv.django_password(kwargs[{lit(n)}])" for n in names]
        return [*lines, "        return kwargs"]

    def _generic(self, plan: TablePlan) -> tuple[set[str], list[str], list[str]]:
        """(columns and links handled, Params lines, body lines) for GenericForeignKeys.

        The referenced row is a parameter (a new row of the target's factory unless given), and
        the type and id columns follow it, as Django's own setter writes them. A parent typed by
        the same content type table (a permission for one model) gets the row's type too.
        """
        table = plan.table
        handled: set[str] = set()
        params: list[str] = []
        body: list[str] = []
        for rel in table.relationships:
            if rel.kind is not RelationKind.GENERIC:
                continue
            type_column, id_column = rel.local_columns
            target_key = plan.generic.get(rel.name)
            target = self.schema.table(target_key) if target_key else None
            type_link = next(
                (p for p in plan.factory_parents if p.fk.columns == (type_column,)), None
            )
            id_field = next((f for f in plan.factory_fields if f.column.name == id_column), None)
            if target is None or type_link is None or id_field is None:
                body += _comment_lines(
                    "    ",
                    f"FIXME({rel.name}): a GenericForeignKey: {id_column} is a made-up id, not a "
                    f"row of the type in {type_column}; pass {rel.name}=<a saved object>",
                )
                continue
            content_type = self._import(self.schema.table(rel.target).model)
            handled |= {type_column, id_column}
            params += [
                f"        # {rel.name}: a GenericForeignKey; a new {model_name(target)} unless "
                "given",
                *_wrap("        ", rel.name, f"factory.SubFactory({self._lazy(target.key)})"),
            ]
            pk = f"o.{rel.name}.pk"
            if id_field.column.kind in STRING_KINDS:
                pk = f"str({pk})"
            body += _wrap(
                "    ",
                type_link.name,
                f"factory.LazyAttribute(lambda o: {content_type}.objects.get_for_model("
                f"o.{rel.name}))",
            )
            body += _wrap("    ", id_field.attribute, f"factory.LazyAttribute(lambda o: {pk})")
            for link in plan.factory_parents:
                typed = self._typed_parent(link, rel.target)
                if link is type_link or link.empty or not link.relationship or typed is None:
                    continue
                handled.add(link.fk.columns[0])
                body += _wrap(
                    "    ",
                    link.name,
                    f"factory.SubFactory({self._lazy(link.parent)}, "
                    f'{typed}=factory.SelfAttribute("..{type_link.name}"))',
                )
        return handled, params, body

    def _typed_parent(self, link, content_types: str) -> str | None:
        """The parent factory's declaration of its one link to the content type table."""
        parent = self.plan.tables.get(link.parent)
        if parent is None:
            return None
        typed = [p for p in parent.factory_parents if p.parent == content_types and not p.empty]
        if len(typed) != 1 or not typed[0].relationship:
            return None
        return typed[0].name

    def _tree_hook(self, table: Table) -> list[str]:
        """Create a tree node through the tree's API: a new root, or a child of `tree_parent`."""
        tree = table.tree
        if tree is None:
            return []
        written = ", ".join(tree.columns) or "the tree's own fields"
        return [
            "",
            "    @classmethod",
            "    def _create(cls, model_class, *args, **kwargs):",
            f"        # A tree node: {tree.create_root}() or add_child() writes {written}.",
            "        # tree_parent=<node> creates it under that node; else it is a new root.",
            '        parent = kwargs.pop("tree_parent", None)',
            "        if parent is not None:",
            "            return parent.add_child(**kwargs)",
            f"        return model_class.{tree.create_root}(**kwargs)",
        ]

    def _class(self, plan: TablePlan) -> list[str]:
        table = plan.table
        if table.model is None:
            raise ValueError(f"{table.key} has no Django model to build")
        model = self._import(table.model)
        renames = plan.renames
        base = "_Factory" if renames else "DjangoModelFactory"
        lines = [
            f"class {django_factory_name(table)}({base}):",
            f'    """{model_name(table)} rows ({table.key})."""',
            "",
            "    class Meta:",
            f"        model = {model}",
        ]
        if renames:
            pairs = ", ".join(f"{lit(a)}: {lit(b)}" for a, b in renames.items())
            lines += _wrap("        ", "rename", "{" + pairs + "}")
        natural = self._natural_key(plan) if table.tree is None else ()
        if natural:
            lines += _wrap("        ", "django_get_or_create", lit(natural))
        if any(self._auto_m2m(m2m) for m2m in plan.factory_many_to_many):
            # The hooks only add links; saving the instance again would be a wasted UPDATE.
            lines.append("        skip_postgeneration_save = True")
        body: list[str] = []
        for flag in plan.flags:
            body += _comment_lines("    ", f"FIXME: {flag}")
        for note in plan.notes:
            body += _comment_lines("    ", note)
        handled, generic_params, generic_body = self._generic(plan)
        if generic_params:
            body += ["    class Params:", *generic_params, ""]
        for field in plan.factory_fields:
            if field.column.name not in handled:
                body += self._field_lines(_shared_when_exhausted(field, natural))
        body += generic_body
        for link in plan.factory_parents:
            if link.fk.columns[0] in handled:
                continue
            params, link_body = self._parent_lines(table, link)
            if params:  # Django foreign keys always have a field to assign the parent to
                raise ValueError(f"{table.key}: no relation field for {link.fk.columns}")
            body += link_body
        body += self._children(plan)
        for m2m in plan.factory_many_to_many:
            body += self._many_to_many(m2m)
        body += self._password_hook(plan)
        body += self._tree_hook(table)
        if body:
            lines += ["", *body]
        return lines

    def render(self, custom: str | None = None) -> str:
        classes: list[str] = []
        for plan in self.plan:
            classes += ["", "", *self._class(plan)]
        header = [
            f'"""factory_boy factories for {self.schema.source or "the Django models"}.',
            "",
            f"Generated by `{self.options.command}`. Regenerate after a migration; code",
            "between the two fixturekit markers below is kept. Lines marked FIXME need a",
            "person's look: fixturekit could not infer a realistic value there. Rows are",
            'written through Django\'s ORM: use them in tests that have database access."""',
            "",
        ]
        imports = self._import_block()
        # fixturekit's DjangoModelFactory: factory_boy's, with batches through bulk_create.
        # Among the first-party imports, in isort's order (after `import factory`).
        at = max(
            i
            for i, line in enumerate(imports)
            if line.startswith("import factory")
            or (line.startswith("from fixturekit") and line.split()[1] < "fixturekit.factory_")
        )
        imports.insert(at + 1, "from fixturekit.factory_django import DjangoModelFactory")
        if any(p.renames for p in self.plan):
            classes = [
                "",
                "",
                "class _Factory(DjangoModelFactory):",
                "    class Meta:",
                "        abstract = True",
                *ORIGINAL_NAMES_HOOK,
                *classes,
            ]
        keys = {model_name(p.table): django_factory_name(p.table) for p in self.plan}
        footer = ["", "", "FACTORIES = {"]
        footer += [f"    {lit(k)}: {v}," for k, v in sorted(keys.items())]
        footer.append("}")
        custom_text = DEFAULT_CUSTOM if custom is None else custom
        text = "\n".join(header + imports + classes) + "\n\n\n" + CUSTOM_BEGIN + "\n"
        text += custom_text if custom_text.endswith("\n") else custom_text + "\n"
        return text + CUSTOM_END + "\n" + "\n".join(footer) + "\n"


def render_django_module(
    plan: SchemaPlan, options: RenderOptions | None = None, custom: str | None = None
) -> str:
    """The full text of a generated Django factories module (without the hash line)."""
    options = options or RenderOptions(command="fixturekit generate --django")
    return DjangoModuleRenderer(plan, options).render(custom)
