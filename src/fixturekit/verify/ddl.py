"""Building the verification schema in one round trip on PostgreSQL.

`create_all` sends one statement per table, index and type and waits for each: on 500 tables
that is most of the build's time, and twice the server CPU of the same statements sent as one
script. The statements are the ones `create_all` itself emits (collected with a mock engine,
in its order, `use_alter` constraints and enum types included), compiled for the server's
dialect, and sent in one transaction. Anything the script cannot do (a DDL event listener that
reads from its connection, a driver that refuses several statements) falls back to
`build_schema`, whose message is the one a person sees if the schema cannot be built at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _script(engine: Any, metadatas: list[Any]) -> str | None:
    from sqlalchemy import create_mock_engine

    statements: list[Any] = []
    mock = create_mock_engine(engine.url, lambda sql, *a, **k: statements.append(sql))
    try:
        for metadata in metadatas:
            metadata.create_all(mock, checkfirst=False)
        compiled = [str(s.compile(dialect=engine.dialect)).strip() for s in statements]
    except Exception:
        return None
    if engine.dialect.identifier_preparer._double_percents:
        # compiled for a "format" paramstyle driver, which would read `%%` back as `%`; the
        # script goes to the driver without parameters, so it reads it as written
        compiled = [s.replace("%%", "%") for s in compiled]
    return ";\n".join(s for s in compiled if s)


def build_verification_schema(engine: Any, metadatas: list[Any]) -> None:
    """The models' schema in the new database behind `engine`, in one script when possible."""
    from fixturekit.plugin.building import build_schema

    if engine.dialect.name == "postgresql" and len(metadatas) == 1:
        script = _script(engine, metadatas)
        schemas = {t.schema for m in metadatas for t in m.tables.values() if t.schema}
        if script and not schemas:
            try:
                with engine.begin() as conn:
                    cursor = conn.connection.driver_connection.cursor()
                    try:
                        cursor.execute(script)
                    finally:
                        cursor.close()
                return
            except Exception:
                pass  # create_all says what is wrong, or does what the script could not
    build_schema(engine, metadatas, None, Path.cwd())
