"""The verify-and-repair loop: render, run every factory, map failures to columns, try the next
candidate, run again.

Each round runs the factories that failed in the round before (and the tables repaired for
them). A failure is diagnosed (fixturekit.verify.mapping) to a table and its suspect columns; the
first suspect that still has candidates (fixturekit.infer.candidates, screened by the database
for a CHECK: fixturekit.verify.checks) gets the next one. A column whose candidates are spent
goes back to its inferred strategy and the next suspect is tried; when none is left, the table
is flagged with the database's message and left out of later rounds. One column changes at
most once per round, so failures of several children of one parent do not skip candidates.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fixturekit.codegen.factory_boy import factory_names
from fixturekit.dialects.errors import first_line
from fixturekit.errors import FixturekitError
from fixturekit.infer.candidates import (
    LINK_NULL,
    Candidate,
    candidate_for_key,
    candidates,
    chosen_values,
    empty_link,
    field_index,
    with_candidate,
)
from fixturekit.infer.plan import FieldPlan, ParentLink, SchemaPlan, TablePlan
from fixturekit.verify.checks import screen
from fixturekit.verify.database import VerifyDatabase
from fixturekit.verify.mapping import Diagnosis, diagnose
from fixturekit.verify.report import (
    Outcome,
    Record,
    Repair,
    VerifyReport,
    mask,
    prove_checks,
    refused_flag,
)
from fixturekit.verify.running import loaded_module, run_factories

MAX_ROUNDS = 40


def _describe(field: FieldPlan) -> str:
    return Candidate("", field.strategy, "").describe()


def _parent_reuse(plan: TablePlan) -> Callable[[Any], dict[str, Any]] | None:
    """Declarations that give more rows the parents of a first row, instead of new ones.

    Keys that are part of a primary key or a unique set (link tables, one-to-one) keep a new
    parent per row: shared, they would collide.
    """
    table = plan.table
    keyed = set(table.primary_key) | {c for u in table.uniques for c in u.columns}
    keyed |= {c.name for c in table.columns if c.unique}
    links = [
        link for link in plan.factory_parents if not link.empty and not set(link.fk.columns) & keyed
    ]
    if not links:
        return None

    def overrides(first: Any) -> dict[str, Any]:
        given: dict[str, Any] = {}
        for link in links:
            if link.relationship:
                given[link.relationship] = getattr(first, link.relationship)
                continue
            given[link.name] = None  # the parent SubFactory is not run
            for name in link.fk.columns:
                column = table.column(name)
                given[column.python_name] = getattr(first, column.key)
        return given

    return overrides


def _enforces_checks(engine: Any) -> bool:
    """False for MySQL before 8.0.16, which accepts CHECKs and ignores them."""
    dialect = engine.dialect
    if dialect.name != "mysql" or getattr(dialect, "is_mariadb", False):
        return True
    version = dialect.server_version_info
    if version is None:
        with engine.connect():
            version = dialect.server_version_info
    return tuple(version or ()) >= (8, 0, 16)


def _parent_fails(table: str) -> str:
    return f"its parent {table} cannot be created (see there)"


@dataclass
class _Column:
    """The repair state of one column: what inference chose, and the candidates left."""

    inferred: FieldPlan
    queue: list[Candidate]
    current: Candidate | None = None


@dataclass
class Verifier:
    plan: SchemaPlan
    record: Record
    render: Callable[[SchemaPlan, Record], str]
    database: VerifyDatabase
    rows: int
    inferred: dict[tuple[str, str], FieldPlan]  # fields before any recorded repair
    extra_modules: dict[str, str] = field(default_factory=dict)
    type_sql: Callable[[str, str], str | None] = lambda table, column: None
    # (module, engine, targets, rows) -> results: SQLAlchemy sessions, or Django's connection
    runner: Callable[..., list] = run_factories
    names: dict[str, str] | None = None  # table key -> factory class name
    columns: dict[tuple[str, str], _Column] = field(default_factory=dict)
    links: dict[tuple[str, str], ParentLink] = field(default_factory=dict)  # left NULL, as were
    flagged: dict[str, str] = field(default_factory=dict)  # table key -> problem
    _why: dict[tuple[str, str], str] = field(default_factory=dict)  # the message behind a repair
    # the module text the last round ran, while no repair or flag has changed the plan since:
    # the caller writes it instead of rendering the same module again
    final_text: str | None = None

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> VerifyReport:
        started = time.perf_counter()
        schema = self.plan.schema
        names = self.names or factory_names(schema)
        # earlier flags (and proofs) are looked at again: the database is the judge
        self.record.flagged.clear()
        self.record.proven.clear()
        pending = list(self.plan.insert.order)
        for _ in range(MAX_ROUNDS):
            if not pending:
                break
            text = self.render(self.plan, self.record)
            with loaded_module(text, self.extra_modules) as module:
                targets = [(k, names[k], _parent_reuse(self.plan.table(k))) for k in pending]
                results = self.runner(module, self.database.engine, targets, self.rows)
            failures = [r for r in results if not r.passed]
            self.final_text = None if failures else text
            pending = self._repair_round(failures)
        else:
            for key in pending:
                self._flag_table(key, "still failing after the most repairs fixturekit tries")
        if _enforces_checks(self.database.engine):
            for key in self.plan.insert.order:
                turned = [] if key in self.flagged else prove_checks(self.plan.table(key))
                if turned:
                    self.record.proven[key] = turned
                    self.final_text = None  # the plan changed after the last render
        report = VerifyReport(
            database=f"{self.database.dialect} ({self.database.source.label})",
            rows=self.rows,
            proves_less=self.database.dialect == "sqlite",
            text=self.final_text,
        )
        for key in self.plan.insert.order:
            table = schema.table(key)
            outcome = Outcome(key, table.display_name)
            for (table_key, column), state in self.columns.items():
                if table_key == key and state.current is not None:
                    outcome.repairs.append(
                        Repair(column, _describe(state.inferred), state.current.describe(), "")
                    )
            for (table_key, column), link in self.links.items():
                if table_key == key:
                    before = f"a new {schema.table(link.parent).display_name}"
                    outcome.repairs.append(Repair(column, before, "NULL", ""))
            if key in self.flagged:
                outcome.problems.append(self.flagged[key])
            report.outcomes[key] = outcome
        for key, why in self._why.items():
            for repair in report.outcomes[key[0]].repairs:
                if repair.column == key[1]:
                    repair.why = why
        report.seconds = time.perf_counter() - started
        return report

    def _repair_round(self, failures) -> list[str]:
        schema = self.plan.schema
        changed: set[tuple[str, str]] = set()
        again: list[str] = []
        with self.database.engine.connect() as connection, connection.begin():
            for result in failures:
                diagnosis = diagnose(result.error, self.database.server, schema, result.key)
                table = diagnosis.table or result.key
                if table != result.key and table in self.flagged:
                    self._flag_table(
                        result.key, f"its parent {table} cannot be created (see there)"
                    )
                    continue
                touched = [c for c in diagnosis.columns if (table, c) in changed]
                if touched:  # repaired for another factory this round: just run again
                    again += [result.key, table]
                    continue
                column = self._next_candidate(connection, table, diagnosis)
                if column is None:
                    self._flag(table, diagnosis, result.stage)
                    if table != result.key:
                        self._flag_table(result.key, _parent_fails(table))
                    continue
                changed.add((table, column))
                again += [result.key, table]
        return [k for k in dict.fromkeys(again) if k not in self.flagged]

    # -- choosing candidates -------------------------------------------------------------------
    def _state(self, connection: Any, table: str, column: str, diagnosis: Diagnosis) -> _Column:
        key = (table, column)
        if key in self.columns:
            return self.columns[key]
        table_plan = self.plan.table(table)
        index = field_index(table_plan, column)
        assert index is not None
        current = table_plan.fields[index]
        inferred = self.inferred.get(key, current)
        queue = candidates(current.column, table_plan.table)
        state = _Column(inferred, [])
        recorded = self.record.repairs.get(f"{table}.{column}")
        if recorded is not None:
            state.current = candidate_for_key(current.column, table_plan.table, recorded)
            # continue after the recorded candidate, not from the start
            keys = [c.key for c in queue]
            if recorded in keys:
                queue = queue[keys.index(recorded) + 1 :]
        elif current.strategy is not None:
            queue = [c for c in queue if c.strategy != current.strategy]
        if diagnosis.error is not None and diagnosis.error.failure.value == "not-null":
            queue = [c for c in queue if c.key != "null"]
        queue = self._screened(connection, table, current, queue, diagnosis)
        state.queue = queue
        self.columns[key] = state
        return state

    def _screened(self, connection, table, current, queue, diagnosis) -> list[Candidate]:
        """Candidates the database says pass the failed CHECK, plus values that pass it."""
        for check in diagnosis.checks:
            type_sql = self.type_sql(table, current.column.name)
            screened = screen(
                connection, self.database.server, check.sql, current.column, type_sql, queue
            )
            if screened is None:
                continue
            kept, passing = screened
            if passing:
                kept.append(chosen_values(current.column, self.plan.table(table).table, passing))
            return kept
        return queue

    def _next_candidate(self, connection: Any, table: str, diagnosis: Diagnosis) -> str | None:
        """Give the first suspect column with candidates left its next one; its name, or None."""
        if table not in self.plan.tables:
            return None
        table_plan = self.plan.table(table)
        for column in diagnosis.columns:
            index = field_index(table_plan, column)
            if index is None:
                # a key column is not fixturekit's to change; a nullable parent may be left NULL
                if self._empty_link(table, column, diagnosis):
                    return column
                continue
            state = self._state(connection, table, column, diagnosis)
            if not state.queue:
                self._set(table, column, state, None, "")
                continue
            candidate = state.queue.pop(0)
            self._set(table, column, state, candidate, mask(diagnosis.message))
            return column
        return None

    def _empty_link(self, table: str, column: str, diagnosis: Diagnosis) -> bool:
        """Leave a nullable parent NULL: a model rule that allows one of several parents names
        them all (only one of interval, crontab, solar or clocked may be set)."""
        link = empty_link(self.plan.table(table), column)
        if link is None:
            return False
        self.links[(table, column)] = link
        self.record.repairs[f"{table}.{column}"] = LINK_NULL
        self._why[(table, column)] = mask(diagnosis.message)
        return True

    def _set(
        self, table: str, column: str, state: _Column, candidate: Candidate | None, why: str
    ) -> None:
        table_plan = self.plan.table(table)
        index = field_index(table_plan, column)
        target = f"{table}.{column}"
        state.current = candidate
        if candidate is None:
            table_plan.fields[index] = state.inferred
            self.record.repairs.pop(target, None)
            self._why.pop((table, column), None)
            return
        table_plan.fields[index] = with_candidate(state.inferred, candidate, "repaired by --verify")
        self.record.repairs[target] = candidate.key
        self._why[(table, column)] = why

    # -- flags ---------------------------------------------------------------------------------
    def _flag(self, table: str, diagnosis: Diagnosis, stage: str) -> None:
        message = mask(diagnosis.message)
        table_plan = self.plan.tables.get(table)
        column = next(
            (c for c in diagnosis.columns if table_plan and field_index(table_plan, c) is not None),
            None,
        )
        if table_plan is not None and column is not None:
            index = field_index(table_plan, column)
            field_plan = table_plan.fields[index]
            flag = refused_flag(table, column, message)
            table_plan.fields[index] = FieldPlan(
                field_plan.column,
                field_plan.strategy,
                field_plan.reason,
                (*field_plan.flags, flag),
            )
            self.record.flagged[f"{table}.{column}"] = message
            self._flag_table(table, f"{column}: {message} (creating {stage})")
            return
        if table_plan is not None:
            table_plan.flags.append(f"--verify: creating a row fails: {message}")
            self.record.flagged[table] = message
        self._flag_table(table, f"{message} (creating {stage})")

    def _flag_table(self, table: str, problem: str) -> None:
        self.flagged.setdefault(table, problem)


@contextlib.contextmanager
def unexpected() -> Iterator[None]:
    """A bug of fixturekit's during verification: still one message, no traceback."""
    try:
        yield
    except FixturekitError:
        raise
    except Exception as exc:
        raise FixturekitError(
            f"Verification stopped on an unexpected error: {type(exc).__name__}: "
            f"{mask(first_line(exc))}",
            hint="Generate without --verify, and please report this.",
        ) from None


@dataclass
class VerifyRequest:
    """What `generate --verify` asks for; `run` is called with the plan once it is inferred."""

    source: Any  # VerifySource
    metadatas: Callable[[], list[Any]]  # the SQLAlchemy MetaData to build, loaded on demand
    rows: int = 100
    extra_modules: dict[str, str] = field(default_factory=dict)  # generated modules by name
    notice: Callable[[str], None] = print

    def run(
        self,
        plan: SchemaPlan,
        record: Record,
        render: Callable[[SchemaPlan, Record], str],
        inferred: dict[tuple[str, str], FieldPlan],
    ) -> VerifyReport:
        from fixturekit.verify.database import verification_database
        from fixturekit.verify.ddl import build_verification_schema

        metadatas = self.metadatas()
        tables = {t.key: t for metadata in metadatas for t in metadata.tables.values()}

        def build(engine: Any) -> None:
            build_verification_schema(engine, metadatas, self.notice)

        with verification_database(self.source, build, self.notice) as database:
            dialect = database.engine.dialect

            def type_sql(table: str, column: str) -> str | None:
                sa_table = tables.get(table)
                if sa_table is None or column not in sa_table.c:
                    return None
                try:
                    return sa_table.c[column].type.compile(dialect=dialect)
                except Exception:
                    return None

            verifier = Verifier(
                plan,
                record,
                render,
                database,
                self.rows,
                inferred,
                dict(self.extra_modules),
                type_sql,
            )
            with unexpected():
                return verifier.run()
