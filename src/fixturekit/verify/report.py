"""What verification found, for the person (the report) and for the next run (the record).

The record is a block of comments at the end of the generated part of the factories module:

    # Proven with --verify. Lines below are read back when this file is regenerated (delete
    # one to have --verify try that column again).
    # fixturekit-repair: orders.status = default
    # fixturekit-unverified: orders.total: new row for relation "orders" violates ...
    # fixturekit-check-proven: orders: total > round(subtotal, 2)

`generate` reads it back with or without `--verify`, so regenerating (and `--check`) gives the
same file whether or not a database is at hand; `--verify` starts from the recorded repairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fixturekit.codegen.factory_boy import CUSTOM_BEGIN

RECORD_HEADER = (
    "# Proven with --verify. Lines below are read back when this file is regenerated (delete\n"
    "# one to have --verify try that column again).\n"
)
_REPAIR = re.compile(r"^# fixturekit-repair: (?P<target>\S+) = (?P<key>.+)$", re.M)
_FLAGGED = re.compile(r"^# fixturekit-unverified: (?P<target>[^:\s]+): (?P<message>.+)$", re.M)
_PROVEN = re.compile(r"^# fixturekit-check-proven: (?P<table>[^:\s]+): (?P<check>.+)$", re.M)
UNREAD_CHECK = "CHECK not understood, values may violate it: "
_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def mask(message: str) -> str:
    """A database message with any password in a URL hidden, on one line."""
    return _PASSWORD.sub(r"\1***@", " ".join(message.split()))


@dataclass
class Record:
    """Repairs ("table.column" -> candidate key) and what could not be made to pass."""

    repairs: dict[str, str] = field(default_factory=dict)
    flagged: dict[str, str] = field(default_factory=dict)  # "table.column" or "table" -> message
    # CHECKs the parser did not read that the database enforced on rows that all passed
    proven: dict[str, list[str]] = field(default_factory=dict)  # table -> CHECK fragments

    def __bool__(self) -> bool:
        return bool(self.repairs or self.flagged or self.proven)


def read_record(text: str | None) -> Record:
    record = Record()
    if not text:
        return record
    generated = text.split(CUSTOM_BEGIN, 1)[0]
    for match in _REPAIR.finditer(generated):
        record.repairs[match["target"]] = match["key"].strip()
    for match in _FLAGGED.finditer(generated):
        record.flagged[match["target"]] = match["message"].strip()
    for match in _PROVEN.finditer(generated):
        record.proven.setdefault(match["table"], []).append(match["check"].strip())
    return record


def record_block(record: Record) -> str:
    if not record:
        return ""
    lines = [f"# fixturekit-repair: {t} = {k}" for t, k in sorted(record.repairs.items())]
    lines += [f"# fixturekit-unverified: {t}: {m}" for t, m in sorted(record.flagged.items())]
    lines += [
        f"# fixturekit-check-proven: {t}: {c}"
        for t, checks in sorted(record.proven.items())
        for c in checks
    ]
    return RECORD_HEADER + "\n".join(lines) + "\n\n\n"


def with_record(text: str, record: Record) -> str:
    """The module text with the record block placed just before the user's region."""
    block = record_block(record)
    if not block or CUSTOM_BEGIN not in text:
        return text
    head, tail = text.split(CUSTOM_BEGIN, 1)
    return head + block + CUSTOM_BEGIN + tail


@dataclass
class Repair:
    column: str
    before: str  # the declaration (or "its default", "NULL") that failed
    after: str
    why: str  # the database's message


@dataclass
class Outcome:
    key: str  # Table.key
    name: str  # model or table name for people
    repairs: list[Repair] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.problems:
            return "flagged"
        return "repaired" if self.repairs else "verified"


@dataclass
class VerifyReport:
    database: str  # dialect and where it came from
    rows: int
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    proves_less: bool = False
    seconds: float = 0.0
    text: str | None = None  # the module as last verified, unsealed, when nothing changed since

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.status == status)


def print_verify_report(report: VerifyReport, console, verbose: bool = True) -> None:
    counts = ", ".join(
        f"{report.count(s)} {s}" for s in ("verified", "repaired", "flagged") if report.count(s)
    )
    console.print(
        f"Verified on {report.database}: 1 + {report.rows} rows per factory, rolled back "
        f"({report.seconds:.1f} s). {counts or 'no factories'}.",
        markup=False,
    )
    if report.proves_less:
        console.print(
            "  SQLite proves less: it does not enforce lengths or types, and compares loosely. "
            "Verify on PostgreSQL or MariaDB (--verify URL) for the full check.",
            markup=False,
        )
    for outcome in report.outcomes.values():
        if outcome.status == "verified":
            if verbose:
                console.print(f"  ✓ {outcome.name}: verified", markup=False)
            continue
        for repair in outcome.repairs:
            console.print(
                f"  ✎ {outcome.name}.{repair.column}: repaired, {repair.before} -> "
                f"{repair.after} ({repair.why})",
                markup=False,
                soft_wrap=True,
            )
        for problem in outcome.problems:
            console.print(f"  ⚑ {outcome.name}: {problem}", markup=False, soft_wrap=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def prove_checks(table_plan, proven: list[str] | None = None) -> list[str]:
    """Turn "CHECK not understood" FIXMEs into plain comments: the database enforced those
    CHECKs on the factory's rows and every row passed. `proven` limits it to recorded ones
    (regenerating without --verify); returns the CHECKs turned."""
    turned: list[str] = []
    for flag in list(table_plan.flags):
        if not flag.startswith(UNREAD_CHECK):
            continue
        check = _one_line(flag.removeprefix(UNREAD_CHECK))
        if proven is not None and check not in proven:
            continue
        table_plan.flags.remove(flag)
        table_plan.notes.append(
            f"CHECK {check}: fixturekit does not read this CHECK, but the database enforced "
            "it on this factory's rows and they passed (proven with --verify)."
        )
        turned.append(check)
    return turned


def apply_flags(plan, record: Record) -> None:
    """Put recorded failures back on the plan as FIXMEs, and recorded proofs as comments
    (regenerating without --verify)."""
    from dataclasses import replace

    from fixturekit.infer.candidates import field_index

    for table_key, checks in record.proven.items():
        if table_key in plan.tables and table_key not in record.flagged:
            prove_checks(plan.tables[table_key], checks)

    for target, message in record.flagged.items():
        if target in plan.tables:
            plan.tables[target].flags.append(f"--verify: creating a row fails: {message}")
            continue
        table_key, _, column = target.rpartition(".")
        table_plan = plan.tables.get(table_key)
        index = field_index(table_plan, column) if table_plan is not None else None
        if index is None:
            continue
        field_plan = table_plan.fields[index]
        table_plan.fields[index] = replace(
            field_plan, flags=(*field_plan.flags, refused_flag(table_key, column, message))
        )


def refused_flag(table: str, column: str, message: str) -> str:
    return (
        f"--verify: the database refused every value tried: {message}; set it yourself: "
        f'[tool.fixturekit.generate] overrides "{table}.{column}" = "<factory_boy declaration>"'
    )
