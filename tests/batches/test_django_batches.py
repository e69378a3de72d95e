"""Generated Django factories' create_batch/build_batch against the per-row path, on real servers.

Django is configured once per process, so the scenarios run in a child process
(tests/batches/django_batch_project/scenarios.py) on SQLite, PostgreSQL and MariaDB, inside an
outer transaction rolled back at the end, and report facts as JSON; the tests below assert them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

PROJECT = Path(__file__).resolve().parent / "django_batch_project"


def _scratch(admin_url: Any, create: str, drop: str) -> Iterator[str]:
    import uuid

    name = f"fkt_djbatch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(create.format(name=name)))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(drop.format(name=name)))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mysql"])
def facts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The scenarios' facts on one database (the child runs once per database)."""
    out = tmp_path_factory.mktemp(f"djbatch_{request.param}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BATCH_DB_"))}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("FIXTUREKIT_DATABASE_URL", None)
    env.update(DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(PROJECT))
    scratch: Iterator[str] | None = None
    if request.param == "sqlite":
        env.update(BATCH_DB_ENGINE="sqlite", BATCH_DB_NAME=str(out / "batch.sqlite3"))
    else:
        admin = request.getfixturevalue(
            "pg_admin_url" if request.param == "postgresql" else "mysql_admin_url"
        )
        if request.param == "postgresql":
            scratch = _scratch(
                admin, 'CREATE DATABASE "{name}"', 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            )
        else:
            scratch = _scratch(
                admin,
                "CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
                "DROP DATABASE IF EXISTS `{name}`",
            )
        env.update(
            BATCH_DB_ENGINE=request.param,
            BATCH_DB_NAME=next(scratch),
            BATCH_DB_HOST=admin.host or "127.0.0.1",
            BATCH_DB_PORT=str(admin.port or ""),
            BATCH_DB_USER=admin.username or "",
        )
    try:
        proc = subprocess.run(
            [sys.executable, str(PROJECT / "scenarios.py"), str(out)],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,  # a safety net for a loaded machine, not a speed check
        )
    finally:
        if scratch is not None:
            next(scratch, None)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("factory", ["Customer", "Order", "OrderLine", "User"])
def test_batch_rows_have_the_per_row_fields_types_and_rules(facts, factory):
    one, batch = facts[f"types_{factory}Factory"]
    assert batch == [json.dumps(one)]  # every batch row: the fields and types of create()'s
    assert facts[f"valid_{factory}Factory"]  # full_clean passes; stored values are the same


def test_two_levels_of_parents_one_per_row_keys_populated_in_order(facts):
    assert facts["chain_added"] == [200, 200, 200]
    assert facts["chain_distinct_parents"] == [200, 200]
    assert facts["keys"] == [True, True, 200, "int"]
    assert facts["keys_stored"] == 200


def test_overrides_apply_to_every_row_and_reach_into_parents(facts):
    assert facts["override"] == [["paid", "gold"]]
    assert facts["override_stored"] == 30


def test_a_parent_passed_in_serves_every_row(facts):
    assert facts["passed_parent"] == [True, [0, 0], 50]


def test_sequences_continue_across_create_and_batches(facts):
    assert facts["sequence"] == [1, 2, 3, 4]


def test_unique_values_hold_against_rows_made_before(facts):
    assert facts["unique_emails"] == [320, 320]


def test_django_get_or_create_finds_existing_and_repeated_keys(facts):
    batch, per_row, existing, added = facts["get_or_create"]
    assert batch == per_row == [existing] * 3 and added == 0
    assert facts["get_or_create_within"] == [1, 1]  # four rows of one key: one customer


def test_get_or_create_follows_the_database_comparison(facts):
    batch, per_row, vendor, existing = facts["get_or_create_collation"]
    assert batch == per_row  # the row create() finds is the batch's
    assert (batch == [existing]) is (vendor == "mysql")  # case-insensitive only on MariaDB


def test_renamed_fields_take_the_model_names(facts):
    assert facts["renamed"] == [[["t0", "made"]], ["t0", "made"]]


def test_wrong_or_unsaved_parents_fail_as_per_row(facts):
    assert facts["wrong_parent"] == ["ValueError"] * 4


def test_passwords_are_hashed_once_per_text(facts):
    assert facts["passwords"] == [True, 1]


def test_a_broken_rule_fails_as_per_row_does_and_leaves_nothing(facts):
    errors, leaked = facts["violation"]
    assert errors == ["IntegrityError"] * 3
    assert leaked == [0, 0]  # the failed batches' parents are rolled back with them
    assert facts["usable_after"] == 2
    assert facts["left_behind"] == 0  # the outer transaction's rollback takes everything


def test_build_batch_draws_the_same_and_saves_nothing(facts):
    assert facts["build"] == [[0, 0, 0], True, True, [3], True]


def test_what_bulk_create_would_skip_is_saved_row_by_row(facts):
    assert facts["save_override"] and facts["save_override_stored"]  # own save()
    assert facts["multi_table"] == [True, 12, 12, True]  # a multi-table child, its parent's key
    assert facts["signal"]  # a pre_save receiver
    assert facts["own_bulk_create"] == [[7], True]  # the project's bulk_create is used


def test_user_declarations_and_hooks_keep_their_per_row_meaning(facts):
    assert facts["own_create"] == [5, 5]  # a factory's own _create: every row through it
    assert facts["custom_lazy"]  # a LazyAttribute of the user's, per row
    assert facts["custom_hook"]  # a post_generation hook, and the save after it
    assert facts["children"] == [30, [3]]  # RelatedFactoryList children, as one batch


def test_keys_are_assigned_up_front_where_the_backend_cannot_return_them(facts):
    assert facts["keys_up_front"] == [True, 25, True, True]
