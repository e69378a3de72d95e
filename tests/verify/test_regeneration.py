"""Repairs are stable: regenerating (with or without a database) and --check agree."""

from __future__ import annotations

from pathlib import Path

from verify_helpers import PORTABLE_MODELS, repairs_in, run_cli, write_models


def _verify(models: Path, out: Path, url, *extra: str):
    return run_cli(
        "generate",
        str(models),
        "-o",
        str(out),
        "--verify",
        url.render_as_string(hide_password=False),
        *extra,
    )


def test_same_input_same_file(tmp_path, pg_url):
    models = write_models(tmp_path, PORTABLE_MODELS)
    out = tmp_path / "f.py"
    assert _verify(models, out, pg_url).exit_code == 0
    first = out.read_text()
    out.unlink()
    assert _verify(models, out, pg_url).exit_code == 0
    assert out.read_text() == first  # repair is deterministic
    again = _verify(models, out, pg_url)
    assert "already up to date" in again.output  # the recorded repairs pass at once
    plain = run_cli("generate", str(models), "-o", str(out))
    assert "already up to date" in plain.output  # read back without a database
    assert out.read_text() == first


def test_check_compares_the_verified_output(tmp_path, pg_url):
    models = write_models(tmp_path, PORTABLE_MODELS)
    out = tmp_path / "f.py"
    assert _verify(models, out, pg_url).exit_code == 0
    assert run_cli("generate", str(models), "-o", str(out), "--check").exit_code == 0
    assert _verify(models, out, pg_url, "--check").exit_code == 0

    # a file generated without verification does not pass a verified --check
    unverified = tmp_path / "g.py"
    assert run_cli("generate", str(models), "-o", str(unverified), "-q").exit_code == 0
    result = _verify(models, unverified, pg_url, "--check")
    assert result.exit_code == 1
    assert "+# fixturekit-repair: gadgets.token = default" in result.output


def test_deleting_a_record_line_lets_verify_look_again(tmp_path, pg_url):
    models = write_models(tmp_path, PORTABLE_MODELS)
    out = tmp_path / "f.py"
    assert _verify(models, out, pg_url).exit_code == 0
    text = out.read_text()
    assert repairs_in(text)["gadgets.token"] == "default"
    # a hand edit of the record is an edit of the generated part: --force regenerates
    edited = text.replace("# fixturekit-repair: gadgets.token = default\n", "")
    out.write_text(edited)
    result = _verify(models, out, pg_url, "--force")
    assert result.exit_code == 0, result.output
    assert out.read_text() == text


def test_init_verifies_by_default(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", pg_url.render_as_string(hide_password=False))
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli("init", str(models))
    assert result.exit_code == 0, result.output
    assert repairs_in(Path("tests/factories.py").read_text())["gadgets.token"] == "default"

    Path("tests/factories.py").unlink()
    result = run_cli("init", str(models), "--force", "--no-verify")
    assert result.exit_code == 0, result.output
    assert repairs_in(Path("tests/factories.py").read_text()) == {}


def test_init_without_a_reachable_database_still_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", "postgresql+psycopg://u:pw@127.0.0.1:9/app")
    models = write_models(tmp_path, PORTABLE_MODELS)
    result = run_cli("init", str(models))
    assert result.exit_code == 0, result.output
    assert "not verified" in result.output and ":pw@" not in result.output
    assert Path("tests/factories.py").exists()
