"""The inference report: every model, every field, what it got and why, and what is flagged."""

from __future__ import annotations

from dataclasses import dataclass

from fixturekit.infer.plan import SchemaPlan


@dataclass(frozen=True)
class ReportRow:
    model: str
    field: str
    value: str  # a short description of the declaration
    reason: str
    flags: tuple[str, ...]


def _describe(source: str, limit: int = 60) -> str:
    return source if len(source) <= limit else source[: limit - 1] + "…"


def _left_to(field) -> str:
    default = field.column.default
    if default is not None and not default.by_database and not field.column.autoincrement:
        return "(left to the ORM)"
    return "(left to the database)"


def report_rows(plan: SchemaPlan) -> list[ReportRow]:
    rows: list[ReportRow] = []
    for table_plan in plan:
        model = table_plan.table.display_name
        for flag in table_plan.flags:
            rows.append(ReportRow(model, "(table)", "", "", (flag,)))
        for field in table_plan.factory_fields:
            value = _describe(field.strategy.source()) if field.strategy else _left_to(field)
            rows.append(ReportRow(model, field.attribute, value, field.reason, field.flags))
        for link in table_plan.factory_parents:
            value = "(empty)" if link.empty else f"SubFactory -> {link.parent}"
            rows.append(ReportRow(model, link.name, value, link.reason, link.flags))
        for children in table_plan.children:
            rows.append(
                ReportRow(
                    model,
                    children.relationship.name,
                    f"{children.min_count}-{children.max_count} x {children.child}",
                    "children created with the parent (configured)",
                    (),
                )
            )
        for m2m in table_plan.factory_many_to_many:
            rows.append(
                ReportRow(
                    model,
                    m2m.relationship.name,
                    f"link_many -> {m2m.target}",
                    "many-to-many: pass rows or a count",
                    (),
                )
            )
    return rows


TABLE_ROWS = 1000  # above this many fields, the report is lines rather than a table


def print_report(plan: SchemaPlan, console, verbose: bool = True) -> int:
    """Print the report with rich; return the number of flagged fields."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    rows = report_rows(plan)
    flagged = [row for row in rows if row.flags]
    if verbose and len(rows) > TABLE_ROWS:
        # a table of thousands of rows takes rich seconds to lay out (longer than generating
        # the file): large schemas get one line per field, the same words, printed at once
        lines = []
        for row in rows:
            why = escape(row.reason)
            if row.flags:
                why = (why + "; " if why else "") + f"[yellow]⚑ {escape('; '.join(row.flags))}[/]"
            lines.append(f"{escape(row.model)}.{escape(row.field)}: {why}")
        console.print("\n".join(lines), soft_wrap=True)
    elif verbose:
        table = RichTable(title=f"{len(plan.tables)} models", show_lines=False, expand=False)
        table.add_column("model", style="bold", no_wrap=True)
        table.add_column("field", no_wrap=True)
        table.add_column("gets")
        previous = None
        for row in rows:
            why = row.reason
            if row.flags:
                flags = escape("; ".join(row.flags))
                why = escape(why) + "; " if why else ""
                why += f"[yellow]⚑ {flags}[/]"
            else:
                why = escape(why)
            table.add_row(row.model if row.model != previous else "", row.field, why)
            previous = row.model
        console.print(table)
    fields = sum(1 for row in rows if row.field != "(table)")
    console.print(f"{len(plan.tables)} models, {fields} fields, {len(flagged)} flagged.")
    for row in flagged:
        console.print(f"  [yellow]⚑[/] {row.model}.{row.field}: {escape('; '.join(row.flags))}")
    return len(flagged)
