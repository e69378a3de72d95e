"""`fixturekit seed --report`: one self-contained HTML page, rendered in a real headless
Chromium (a screenshot is taken) and read for what it must say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedhelp import create_schema
from sqlalchemy.engine import URL

from fixturekit.cli import _register, cli

ROOT = Path(__file__).resolve().parents[2]
SHOP = f"{ROOT / 'examples' / 'shop' / 'models.py'}:Base"
CONFIG = """
[tables.users]
rows = 400
children.orders = "1..4"
columns.role = { weights = { customer = 70, premium = 25, admin = 5 } }
columns.phone = { null = 0.4 }
[tables.orders]
columns.discount_percent = { null = 0.7 }
"""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; in CI the browser test must run", pytrace=False)
        pytest.skip(message)
    return found


def _seed_with_report(pg_url: URL, tmp_path: Path) -> Path:
    _register()
    create_schema(pg_url, SHOP)
    config = tmp_path / "seed.toml"
    config.write_text(CONFIG)
    report = tmp_path / "report.html"
    url = pg_url.set(password="s3cret-pw").render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli,
        [
            "seed",
            SHOP,
            "--url",
            url,
            "--config",
            str(config),
            "--report",
            str(report),
            "--seed",
            "5",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return report


def test_the_report_says_what_was_seeded_and_fetches_nothing(pg_url: URL, tmp_path: Path):
    page = _seed_with_report(pg_url, tmp_path).read_text()
    assert "s3cret-pw" not in page and "***" in page
    assert re.search(r"<td>users</td><td>400</td>", page)
    assert "weights" in page and "customer" in page  # the configured choice, charted
    assert "(asked 40.0%)" in page  # a configured NULL rate next to the seeded one
    assert "children per users row" in page and "1..4 per parent" in page
    assert "rows/s" in page
    # where unique values show a number: the users' logins and emails need none at 400 rows
    assert re.search(r"unique without a number \([\d,]+ pairs of names for 400 rows\)", page)
    # self-contained: no script, nothing loaded from elsewhere
    assert "<script" not in page and not re.search(r"(src|href)\s*=", page)


def test_the_report_renders_in_chromium(pg_url: URL, tmp_path: Path):
    browser = _chromium()
    report = _seed_with_report(pg_url, tmp_path)
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1200,1600",
                f"--screenshot={shot}",
                report.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    assert shot.is_file(), "Chromium wrote no screenshot"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # a blank page compresses to a few kilobytes; charts and text do not
    assert len(data) > 40_000, len(data)


def test_the_report_says_where_unique_values_show_a_number():
    from fixturekit.infer import strategies as st
    from fixturekit.infer.numbering import NUMBERED, numbering
    from fixturekit.seed.distributions import WithNulls
    from fixturekit.values.people import pair_capacity

    email = st.PersonDerived("email", first="f", last="l", is_unique=True)
    capacity = pair_capacity()
    assert numbering(email, capacity).startswith("unique without a number")
    assert f"rows past {capacity:,} show a number" in numbering(email, capacity + 1)
    assert numbering(WithNulls(st.UniqueFakerValue("word"), 0.2), 10) == NUMBERED
    assert numbering(st.UniqueFakerValue("country_code", weave=False), 10) is None
    assert numbering(st.FakerValue("word"), 10) is None
