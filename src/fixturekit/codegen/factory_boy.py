"""Render a SchemaPlan as a factory_boy module for SQLAlchemy models.

The module has three parts: the generated factories, a marked region for the user's own code
(kept verbatim when the file is regenerated), and a footer with `FACTORIES` and
`bind_session`. Factories reference each other lazily by dotted path, so a factory the user
customises in their region is the one every SubFactory uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixturekit.codegen.layout import LINE_LIMIT, layout
from fixturekit.infer.plan import FieldPlan, ParentLink, SchemaPlan, TablePlan
from fixturekit.infer.strategies import lit
from fixturekit.naming import (  # noqa: F401  (factory_name: kept importable from here)
    factory_key,
    factory_name,
    factory_names,
    relationship_declaration,
    renamed_columns,
)
from fixturekit.schema.model import STRING_KINDS, PythonRef, Schema, Table

CUSTOM_BEGIN = "# >>> fixturekit: your code below is kept when this file is regenerated"
CUSTOM_END = "# <<< fixturekit: end of your code"
HASH_PREFIX = "# fixturekit-generated-hash: "

DEFAULT_CUSTOM = """\
# Customise factories here, e.g.:
#
# class UserFactory(UserFactory):
#     email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())
#
# Every SubFactory and FACTORIES pick up a factory redefined here.
"""


# A caller may pass the model's own names (`_token=`, `create=`) for declarations renamed for
# factory_boy (`token_`, `create_`): the base class maps them before building, so they win.
ORIGINAL_NAMES_HOOK = [
    "",
    "    @classmethod",
    "    def _generate(cls, strategy, params):",
    "        # The model's own names (`_token=`, `create=`) set the renamed declarations.",
    "        declared = {model: name for name, model in cls._meta.rename.items()}",
    "        params = {declared.get(key, key): value for key, value in params.items()}",
    "        return super()._generate(strategy, params)",
]


def _wrap(indent: str, name: str, expr: str) -> list[str]:
    return layout(indent, f"{name} = ", expr)


def _comment_lines(indent: str, text: str) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(indent) + 2 + len(current) + 1 + len(word) > LINE_LIMIT:
            lines.append(f"{indent}# {current}")
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(f"{indent}# {current}")
    return lines


def _wrapped_words(text: str, indent: str) -> list[str]:
    """Words on lines within the limit; a word longer than a line stands on its own line."""
    lines, current = [], ""
    for word in text.split():
        if current and len(indent) + len(current) + 1 + len(word) > LINE_LIMIT:
            lines.append(indent + current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(indent + current)
    return lines


@dataclass
class RenderOptions:
    command: str = "fixturekit generate"  # how the file was made, for its header
    show_reasons: bool = False  # a comment with the reason above every field


class ModuleRenderer:
    def __init__(self, plan: SchemaPlan, options: RenderOptions | None = None) -> None:
        self.plan = plan
        self.schema: Schema = plan.schema
        self.options = options or RenderOptions()
        self.imports: dict[str, set[str]] = {}
        self.plain_imports: set[str] = {"factory"}
        self.imported_from: dict[str, str] = {}
        self.names = factory_names(self.schema)
        self.uses_tables = False
        self.skipped: list[str] = []  # Core tables no generated code can reach

    # -- imports -----------------------------------------------------------------------------
    def _import(self, ref: PythonRef) -> str:
        """Import the top name of `ref`; a name already taken by another module gets an alias."""
        top, _, rest = ref.qualname.partition(".")
        owner = self.imported_from.setdefault(top, ref.module)
        local = top
        if owner != ref.module:
            local = f"{top}_{ref.module.rsplit('.', 1)[-1]}"
            self.imports.setdefault(ref.module, set()).add(f"{top} as {local}")
        else:
            self.imports.setdefault(ref.module, set()).add(top)
        return f"{local}.{rest}" if rest else local

    def _note_source(self, source: str) -> None:
        for module in ("datetime", "decimal", "uuid"):
            if re.search(rf"\b{module}\.", source):
                self.plain_imports.add(module)
        if "factory.fuzzy." in source:
            self.plain_imports.add("factory.fuzzy")
        if "fv." in source:
            self.imports.setdefault("fixturekit", set()).add("values as fv")

    def _import_block(self) -> list[str]:
        stdlib = sorted(m for m in self.plain_imports if m in ("datetime", "decimal", "uuid"))
        third = sorted(m for m in self.plain_imports if m not in stdlib)
        lines = [f"import {m}" for m in stdlib]
        if "typing" in self.imports:
            names = sorted(self.imports["typing"], key=lambda n: (not n.isupper(), n))
            lines.append(f"from typing import {', '.join(names)}")
        if lines:
            lines.append("")
        lines += [f"import {m}" for m in third]
        for module in ("fixturekit", "fixturekit.factories", "fixturekit.mapped_classes"):
            if module in self.imports:
                names = ", ".join(sorted(self.imports[module]))
                lines.append(f"from {module} import {names}")
        user_modules = sorted(
            m for m in self.imports if not m.startswith("fixturekit") and m != "typing"
        )
        if user_modules:
            lines.append("")
        for module in user_modules:
            names = sorted(self.imports[module])
            line = f"from {module} import {', '.join(names)}"
            if len(line) > LINE_LIMIT:
                lines.append(f"from {module} import (")
                lines.extend(f"    {name}," for name in names)
                lines.append(")")
            else:
                lines.append(line)
        return lines

    # -- factories ---------------------------------------------------------------------------
    def _lazy(self, table_key: str) -> str:
        return f'f"{{__name__}}.{self.names[table_key]}"'

    def _field_lines(self, field: FieldPlan) -> list[str]:
        indent = "    "
        lines: list[str] = []
        if field.strategy is None:
            if self.options.show_reasons:  # left to the ORM or the database: say so
                lines += _comment_lines(indent, f"{field.column.name}: {field.reason}")
            return lines
        for ref in field.strategy.python_refs:
            self._import(ref)
        source = field.strategy.source()
        self._note_source(source)
        if self.options.show_reasons:
            lines += _comment_lines(indent, f"{field.column.name}: {field.reason}")
        for flag in field.flags:
            lines += _comment_lines(indent, f"FIXME({field.column.name}): {flag}")
        lines += _wrap(indent, field.attribute, source)
        return lines

    def _parent_lines(self, table: Table, link: ParentLink) -> tuple[list[str], list[str]]:
        """(lines in Params, lines in the class body) for one foreign key."""
        indent = "    "
        body: list[str] = []
        params: list[str] = []
        for flag in link.flags:
            body += _comment_lines(indent, f"FIXME({link.name}): {flag}")
        if link.empty:
            body += _comment_lines(indent, f"{link.name}: {link.reason}")
            return params, body
        sub = f"factory.SubFactory({self._lazy(link.parent)})"
        if link.relationship:
            body += _wrap(indent, link.name, sub)
            return params, body
        params += _wrap(indent * 2, link.name, sub)
        parent = self.schema.table(link.parent)
        for column, referred in zip(link.fk.columns, link.fk.referred_columns, strict=True):
            attribute = table.column(column).python_name
            parent_attr = parent.column(referred).key
            body += _wrap(indent, attribute, f'factory.SelfAttribute("{link.name}.{parent_attr}")')
        return params, body

    def _class(self, plan: TablePlan) -> list[str]:
        table = plan.table
        name = self.names[table.key]
        if table.model is not None and table.model_importable:
            model = self._import(table.model)
            base = f"_Factory[{model}]"  # typed: type checkers see `create()` return the model
        elif table.model is not None:
            # built at run time (a loop, a function, an extension): not importable by name
            self.imports.setdefault("fixturekit.mapped_classes", set()).add("mapped_class")
            ref = table.model
            model = f"mapped_class({lit(ref.module)}, {lit(ref.qualname)}, {lit(table.key)})"
            base = "_Factory"
        else:
            self.uses_tables = True
            meta = self.schema.metadata_ref
            if meta is None:
                self.skipped.append(table.key)
                return [
                    "",
                    *_comment_lines(
                        "",
                        f"FIXME: no factory for the Core table {table.key}: its module exposes "
                        "no MetaData, declarative Base or mapped class to reach it by. Generate "
                        "from MODULE:metadata (or MODULE:Base) to get one.",
                    ),
                ]
            root = self._import(meta)
            model = f"{root}.tables[{lit(table.key)}]"
            base = "_TableFactory"
        lines = [f"class {name}({base}):"]
        doc = f'"""{table.display_name} rows ({table.key})."""'
        lines.append(f"    {doc}")
        lines.append("")
        lines.append("    class Meta:")
        lines += layout("        ", "model = ", model)
        if plan.get_or_create and table.model is not None:
            keys = ", ".join(lit(k) for k in plan.get_or_create)
            lines.append(f"        sqlalchemy_get_or_create = ({keys},)")
        renames = plan.renames
        if renames:
            pairs = ", ".join(f"{lit(a)}: {lit(b)}" for a, b in renames.items())
            lines += layout("        ", "rename = ", "{" + pairs + "}")
        params: list[str] = []
        body: list[str] = []
        for flag in plan.flags:
            body += _comment_lines("    ", f"FIXME: {flag}")
        for note in plan.notes:
            body += _comment_lines("    ", note)
        if table.model is None:
            body += _comment_lines(
                "    ",
                "No mapped class: rows are inserted with INSERT and returned as TableRow objects.",
            )
        for field in plan.factory_fields:
            body += self._field_lines(field)
        for link in plan.factory_parents:
            link_params, link_body = self._parent_lines(table, link)
            params += link_params
            body += link_body
        for children in plan.children:
            child = self.schema.table(children.child)
            related_name = children.parent_attribute
            size = children.size_source
            if "fv." in size:
                self._note_source(size)
            body += _wrap(
                "    ",
                relationship_declaration(children.relationship.name),
                f"factory.RelatedFactoryList({self._lazy(child.key)}, "
                f"factory_related_name={related_name!r}, size={size})",
            )
        for m2m in plan.factory_many_to_many:
            self.imports.setdefault("fixturekit.factories", set()).add("link_many")
            target = self.names[m2m.target]
            body += _comment_lines(
                "    ",
                f"{m2m.relationship.name}=[...] links rows; "
                f"{m2m.relationship.name}=3 creates three {target} rows",
            )
            body += _wrap(
                "    ",
                relationship_declaration(m2m.relationship.name),
                f'link_many("{m2m.relationship.name}", f"{{__name__}}.{target}")',
            )
        if params:
            lines += ["", "    class Params:", *params]
        if body:
            lines += ["", *body]
        return lines

    def _original_names_hook(self) -> list[str]:
        """The base class's translation of model names to renamed declarations, when needed."""
        if not any(p.renames for p in self.plan):
            return []
        return ORIGINAL_NAMES_HOOK

    def _sample_custom(self) -> str:
        """The starter text of the user's region, with a field one of these models really has."""
        for plan in self.plan:
            table = plan.table
            if table.model is None:
                continue
            for column in table.columns:
                if column.kind not in STRING_KINDS or column.primary_key or not column.writable:
                    continue
                if any(column.name in fk.columns for fk in table.foreign_keys):
                    continue
                name, attribute = self.names[table.key], column.python_name
                stem = table.model.name.lower()
                value = (
                    f'f"{stem}{{n}}@example.com"'
                    if "email" in column.name.lower()
                    else f'f"{attribute}-{{n}}"'
                )
                return (
                    "# Customise factories here, e.g.:\n"
                    "#\n"
                    f"# class {name}({name}):\n"
                    f"#     {attribute} = factory.Sequence(lambda n: {value})\n"
                    "#\n"
                    "# Every SubFactory and FACTORIES pick up a factory redefined here.\n"
                )
        return DEFAULT_CUSTOM

    # -- module ------------------------------------------------------------------------------
    def render(self, custom: str | None = None) -> str:
        classes: list[str] = []
        for plan in self.plan:
            classes += ["", "", *self._class(plan)]
        bases = [
            "",
            "_session = None",
            "",
            "",
            "def _current_session():",
            "    if _session is None:",
            "        raise RuntimeError(",
            '            "No session is bound to these factories: call bind_session(session) "',
            '            "first (the fixturekit pytest plugin does it for db_session)."',
            "        )",
            "    return _session",
            "",
            "",
            '_Model = TypeVar("_Model")',
            "",
            "",
            "class _Factory(ModelFactory, Generic[_Model]):",
            '    """Base of the factories below: `create()` is typed as the model."""',
            "",
            "    class Meta:",
            "        abstract = True",
            "        sqlalchemy_session_factory = _current_session",
            '        sqlalchemy_session_persistence = "flush"',
            *self._original_names_hook(),
            "",
            "    if TYPE_CHECKING:",
            "",
            "        @classmethod",
            "        def create(cls, **kwargs: Any) -> _Model: ...",
            "",
            "        @classmethod",
            "        def build(cls, **kwargs: Any) -> _Model: ...",
            "",
            "        @classmethod",
            "        def create_batch(cls, size: int, **kwargs: Any) -> list[_Model]: ...",
            "",
            "        @classmethod",
            "        def build_batch(cls, size: int, **kwargs: Any) -> list[_Model]: ...",
        ]
        self.imports.setdefault("typing", set()).update(
            {"TYPE_CHECKING", "Any", "Generic", "TypeVar"}
        )
        if self.uses_tables:
            self.imports.setdefault("fixturekit.factories", set()).add("TableFactory")
            bases += [
                "",
                "",
                "class _TableFactory(TableFactory):",
                "    class Meta:",
                "        abstract = True",
                "        sqlalchemy_session_factory = _current_session",
                '        sqlalchemy_session_persistence = "flush"',
                *self._original_names_hook(),
            ]
        self.imports.setdefault("fixturekit.factories", set()).add("ModelFactory")
        header = [
            '"""factory_boy factories, generated by fixturekit from:',
            *_wrapped_words(self.schema.source or "the models", "    "),
            "",
            "Made with:",
            *_wrapped_words(self.options.command, "    "),
            "",
            "Run it again after a schema change: the factories follow the models and the code",
            "between the two fixturekit markers below is kept. Lines marked FIXME need a",
            'person\'s look: fixturekit could not infer a realistic value there."""',
            "",
        ]
        generated = header + self._import_block() + bases + classes
        keys = {
            factory_key(p.table): self.names[p.key] for p in self.plan if p.key not in self.skipped
        }
        footer = ["", "", "FACTORIES = {"]
        footer += [f"    {lit(k)}: {v}," for k, v in sorted(keys.items())]
        footer += [
            "}",
            "",
            "",
            "def bind_session(session) -> None:",
            '    """Create every factory\'s rows in `session` (None unbinds them)."""',
            "    global _session",
            "    _session = session",
        ]
        custom_text = self._sample_custom() if custom is None else custom
        body = "\n".join(generated) + "\n\n\n" + CUSTOM_BEGIN + "\n" + custom_text
        if not custom_text.endswith("\n"):
            body += "\n"
        body += CUSTOM_END + "\n" + "\n".join(footer) + "\n"
        return body


def render_module(
    plan: SchemaPlan, options: RenderOptions | None = None, custom: str | None = None
) -> str:
    """The full text of a generated factories module (without the hash line)."""
    return ModuleRenderer(plan, options).render(custom)
