"""Counts the target cannot hold are refused before any row is generated, in one message."""

from __future__ import annotations

from pathlib import Path

import pytest
from faulthelp import HERE, MODELS, create_schema, error_lines, fingerprint, run_cli
from sqlalchemy.engine import URL

SMALL_MODELS = f"{HERE / 'small_models.py'}:Base"


@pytest.fixture
def small_url(pg_url: URL) -> URL:
    create_schema(pg_url, SMALL_MODELS)
    url = pg_url.render_as_string(hide_password=False)
    assert run_cli("seed", SMALL_MODELS, "--url", url, "--rows", "tags=5,items=5").exit_code == 0
    return pg_url


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "tags=100000,items=10",
            "error: tags.id is a SMALLINT key: it holds values up to 32,767, but 100,000 rows "
            "need keys up to 100,000. Nothing was written.",
        ),
        (
            "tags=1000000000000,items=10",
            "error: --rows: tags=1,000,000,000,000 is more than fixturekit seeds into one table "
            "in one command (100,000,000 rows). Nothing was written.",
        ),
        (
            "tags=10,items=10,tags=20",
            "error: --rows names tags twice (10 and 20); give each table one count.",
        ),
        (
            "tags=10,items=1000",
            "error: Seeding items failed: items.code: row number 100 does not fit in 2 characters",
        ),
    ],
)
def test_impossible_counts_are_refused_with_one_message(small_url: URL, rows: str, message: str):
    before = fingerprint(small_url, ("tags", "items"))
    url = small_url.render_as_string(hide_password=False)
    result = run_cli("seed", SMALL_MODELS, "--url", url, "--rows", rows, "--append")
    lines = error_lines(result)
    assert result.exit_code == 2
    assert lines[0] == message
    assert len(lines) <= 2  # the message and, where there is one, what to do
    assert fingerprint(small_url, ("tags", "items")) == before


def test_an_export_larger_than_the_free_space_is_refused_before_writing(tiny_disk: Path):
    folder = tiny_disk / "seeds"
    result = run_cli("seed", MODELS, "--export", str(folder), "--rows", "users=50000,orders=1")
    lines = error_lines(result)
    assert result.exit_code == 2 and len(lines) == 2
    assert lines[0].startswith(f"error: --export {folder} would need about ")
    assert "free. Nothing was written." in lines[0]
    assert list(tiny_disk.iterdir()) == []  # not even a temporary folder
