"""`--strict` for CI, and CHECKs the parser cannot read that the database proved."""

from __future__ import annotations

from pathlib import Path

from verify_helpers import IMPOSSIBLE_MODELS, PORTABLE_MODELS, run_cli, write_models

from fixturekit.cli.generate import STRICT_EXIT

UNREAD = "FIXME: CHECK not understood"
PROVEN = "# the database enforced it on this factory's rows and they passed (proven with --verify)"


def _joined(text: str) -> str:
    """Comments as one line: the generated ones wrap at the line limit."""
    return " ".join(line.strip() for line in text.splitlines()).replace(" # ", " ")


def _shown(url) -> str:
    return url.render_as_string(hide_password=False)


def test_unread_checks_that_pass_on_the_database_become_comments(tmp_path, pg_url):
    models = write_models(tmp_path, PORTABLE_MODELS)
    plain = run_cli("generate", str(models), "-o", "plain.py", "-q")
    assert plain.exit_code == 0, plain.output
    assert UNREAD in Path("plain.py").read_text()  # unverified: the FIXME stays

    result = run_cli("generate", str(models), "-o", "f.py", "-q", "--verify", _shown(pg_url))
    assert result.exit_code == 0, result.output
    text = Path("f.py").read_text()
    assert UNREAD not in text
    assert "# CHECK abs(weight) % 7 = 0: fixturekit does not read this CHECK" in text
    assert PROVEN.removeprefix("# ") in _joined(text)
    assert "# fixturekit-check-proven: gadgets: abs(weight) % 7 = 0" in text
    # regenerating without a database keeps the proof it recorded: same input, same file
    again = run_cli("generate", str(models), "-o", "f.py", "--check", "-q")
    assert again.exit_code == 0, again.output
    assert "0 flagged" in run_cli("generate", str(models), "-o", "f.py", "--force").output


def test_a_table_that_still_fails_keeps_its_fixme(tmp_path, pg_url):
    models = write_models(tmp_path, IMPOSSIBLE_MODELS)
    result = run_cli("generate", str(models), "-o", "f.py", "-q", "--verify", _shown(pg_url))
    assert result.exit_code == 0, result.output
    text = Path("f.py").read_text()
    assert "FIXME: CHECK not understood, values may violate it: abs(weight) < 0" in text
    assert PROVEN.removeprefix("# ") not in _joined(text)
    assert "fixturekit-check-proven" not in text


def test_strict_exits_non_zero_while_anything_is_flagged(tmp_path, pg_url):
    flagged = write_models(tmp_path, IMPOSSIBLE_MODELS)
    result = run_cli(
        "generate", str(flagged), "-o", "f.py", "-q", "--strict", "--verify", _shown(pg_url)
    )
    assert result.exit_code == STRICT_EXIT == 4, result.output
    assert "--strict:" in result.output and "flagged FIXME" in result.output
    assert Path("f.py").exists()  # written all the same, for a person to look at
    # an up-to-date file that is still flagged still fails the CI step
    check = run_cli("generate", str(flagged), "-o", "f.py", "--check", "--strict", "-q")
    assert check.exit_code == STRICT_EXIT, check.output

    clean = write_models(tmp_path, PORTABLE_MODELS)
    plain = run_cli("generate", str(clean), "-o", "g.py", "-q", "--strict")
    assert plain.exit_code == STRICT_EXIT, plain.output  # unverified: its unread CHECKs stay
    proven = run_cli(
        "generate", str(clean), "-o", "g.py", "-q", "--strict", "--verify", _shown(pg_url)
    )
    assert proven.exit_code == 0, proven.output
