"""Asking the database which values pass a CHECK the parser did not understand.

`SELECT i FROM (SELECT 0 AS i, :v0 AS col UNION ALL ...) AS probe WHERE NOT (<check>)` names
the values the CHECK refuses; a NULL result passes, as it does for a CHECK. The CHECK's own SQL
runs with the column bound to each candidate value, so functions, casts and operators the
parser does not know are the database's business. A CHECK that mentions other columns of the
row cannot be evaluated this way: it gives no answer, and the repair loop moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fixturekit.dialects import Server
from fixturekit.infer import strategies as st
from fixturekit.infer.candidates import Candidate
from fixturekit.schema.model import INTEGER_KINDS, STRING_KINDS, Column, Kind

SAMPLES = 5  # values drawn from each candidate strategy
MAX_VALUES = 8  # values kept for a `values:` candidate


def refused(
    connection: Any,
    server: Server,
    check_sql: str,
    column: str,
    type_sql: str | None,
    values: Sequence[Any],
) -> set[int] | None:
    """Indexes of `values` the CHECK refuses; None when the database cannot evaluate it alone."""
    from sqlalchemy import bindparam, text

    if not values:
        return set()
    quoted = server.quote(column)
    selects = []
    params = {}
    for index, value in enumerate(values):
        bound = f":v{index}"
        if server.casts_bound_values and type_sql:
            bound = f"CAST({bound} AS {type_sql})"
        selects.append(f"SELECT {index} AS fixturekit_i, {bound} AS {quoted}")
        params[f"v{index}"] = value
    sql = (
        f"SELECT fixturekit_i FROM ({' UNION ALL '.join(selects)}) AS fixturekit_probe "
        f"WHERE NOT ({check_sql})"
    )
    statement = text(sql).bindparams(*(bindparam(k) for k in params))
    try:
        with connection.begin_nested():
            return {row[0] for row in connection.execute(statement, params)}
    except Exception:
        return None


def _probe_values(column: Column) -> list[Any]:
    """Simple values of the column's type, beyond what the candidate strategies draw."""
    if column.kind in INTEGER_KINDS:
        return [0, 1, 2, 5, 10, 100, 1000, -1]
    if column.kind in (Kind.NUMERIC, Kind.FLOAT):
        return [0, 1, 0.5, 10, 100, -1]
    if column.kind in STRING_KINDS or column.kind is Kind.UNKNOWN:
        return ["a", "A", "abc", "ABC", "abc123", "0", "1", "x@example.com", "a-b"]
    if column.kind is Kind.BOOLEAN:
        return [True, False]
    return []


def samples(strategy: st.Strategy | None) -> list[Any]:
    """A few values of a strategy, as generated code draws them; [] when it needs the row."""
    if strategy is None or isinstance(strategy, (st.Custom, st.FromColumn, st.Relative)):
        return []
    try:
        return [strategy.one(n) for n in range(SAMPLES)]
    except Exception:
        return []


def screen(
    connection: Any,
    server: Server,
    check_sql: str,
    column: Column,
    type_sql: str | None,
    candidates: list[Candidate],
) -> tuple[list[Candidate], list[Any]] | None:
    """(the candidates whose sample values all pass, the probe values that pass).

    Candidates without samples (the column's default) are kept: only inserting tells. None
    when the database cannot evaluate the CHECK on this column alone.
    """
    drawn = [(candidate, samples(candidate.strategy)) for candidate in candidates]
    extra = _probe_values(column)
    flat = [v for _, values in drawn for v in values] + extra
    bad = refused(connection, server, check_sql, column.name, type_sql, flat)
    if bad is None:
        return None
    kept, offset = [], 0
    for candidate, values in drawn:
        indexes = range(offset, offset + len(values))
        offset += len(values)
        if candidate.strategy is None or not values or not bad.intersection(indexes):
            kept.append(candidate)
    passing: list[Any] = []
    for index, value in enumerate(flat):
        plain = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        if index not in bad and plain and value not in passing:
            passing.append(value)
    return kept, passing[:MAX_VALUES]
