"""Seed files under faults: a re-export that fails (full disk, read-only folder, a failed
rename, kill -9) leaves the previous folder byte for byte; `load` reads nothing outside its
folder and names the file and line of text that is not UTF-8."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from faulthelp import (
    CLI,
    MODELS,
    error_lines,
    fingerprint,
    folder_bytes,
    no_traceback,
    run_cli,
    wait_until,
)
from sqlalchemy.engine import URL

SMALL = "users=20,orders=40"
BIG = "users=20000,orders=40000"


def export(folder: Path, rows: str = SMALL):
    return run_cli("seed", MODELS, "--export", str(folder), "--rows", rows, "-q")


def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def test_a_full_disk_leaves_the_previous_export_as_it_was(tiny_disk: Path, monkeypatch):
    # The free-space estimate would refuse this export up front (see test_counts); without it
    # the disk fills halfway through writing, which must be just as harmless.
    monkeypatch.setattr("fixturekit.seed.run.check_disk", lambda *args: None)
    folder = tiny_disk / "seeds"
    assert export(folder).exit_code == 0
    (folder / "README.md").write_text("kept with the seed files\n")
    before = folder_bytes(folder)
    result = export(folder, BIG)
    assert result.exit_code == 2
    lines = error_lines(result)
    assert lines[0] == (
        f"error: Cannot write {folder}: the disk is full. The previous seed files in {folder} "
        "were left as they were."
    )
    assert len(lines) == 2 and lines[1].startswith("Free some space")  # the hint
    assert folder_bytes(folder) == before
    assert leftovers(tiny_disk, "seeds") == []


def test_a_successful_re_export_keeps_the_users_other_files(tmp_path: Path):
    folder = tmp_path / "seeds"
    assert export(folder).exit_code == 0
    (folder / "README.md").write_text("kept\n")
    folder.chmod(0o750)
    assert export(folder, "users=30,orders=50").exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [t["rows"] for t in manifest["tables"]] == [30, 50]
    assert (folder / "README.md").read_text() == "kept\n"
    assert folder.stat().st_mode & 0o777 == 0o750
    assert leftovers(tmp_path, "seeds") == []


def test_export_and_generate_into_a_read_only_folder_say_so(read_only_disk: Path):
    result = export(read_only_disk / "seeds")
    lines = error_lines(result)
    assert result.exit_code == 2 and len(lines) == 2, result.stderr
    assert lines[0].startswith(f"error: Cannot write {read_only_disk / 'seeds'}: ")
    assert lines[0].endswith(
        (
            "the file system is read-only. Nothing was written.",
            "permission denied. Nothing was written.",
        )
    )
    generated = run_cli("generate", MODELS, "-o", str(read_only_disk / "factories.py"), "-q")
    lines = error_lines(generated)
    assert generated.exit_code == 2 and len(lines) == 2, generated.stderr
    assert lines[0].startswith(f"error: Cannot write {read_only_disk / 'factories.py'}: ")
    assert list(read_only_disk.iterdir()) == []


def test_a_failed_swap_puts_the_previous_folder_back(tmp_path: Path, monkeypatch):
    folder = tmp_path / "seeds"
    assert export(folder).exit_code == 0
    before = folder_bytes(folder)
    real_rename = os.rename

    def rename(source, target):
        if Path(target) == folder and ".new-" in Path(source).name:
            raise OSError(28, "No space left on device")  # the new folder cannot move in
        return real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    result = export(folder, "users=30,orders=50")
    assert result.exit_code == 2
    assert "the disk is full. The previous seed files" in result.stderr
    assert folder_bytes(folder) == before
    assert leftovers(tmp_path, "seeds") == []


def test_kill_9_during_a_re_export_leaves_the_previous_folder(tmp_path: Path):
    folder = tmp_path / "seeds"
    assert export(folder).exit_code == 0
    before = folder_bytes(folder)
    run = CLI("seed", MODELS, "--export", str(folder), "--rows", "users=300000,orders=600000")
    try:
        wait_until(
            lambda: any(
                p.stat().st_size > 0 for d in tmp_path.glob(".seeds.new-*") for p in d.glob("*.csv")
            ),
            60,
            "the new seed files to be written",
        )
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        run.kill_group()
    assert folder_bytes(folder) == before
    no_traceback(run.stderr)


# --- load ------------------------------------------------------------------------------------


@pytest.fixture
def seeded(pg_schema_url: URL, tmp_path: Path):
    """A seed folder, and the database already holding other rows (which must survive)."""
    folder = tmp_path / "seeds"
    url = pg_schema_url.render_as_string(hide_password=False)
    assert run_cli("seed", MODELS, "--url", url, "--rows", "users=7,orders=9", "-q").exit_code == 0
    assert export(folder).exit_code == 0
    return folder, url, fingerprint(pg_schema_url)


def _tamper(folder: Path, index: int, name: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"][index]["file"] = name
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("name", ["../../../etc/passwd", "/etc/passwd", "sub/../users.csv"])
def test_load_refuses_manifest_paths_outside_its_folder(seeded, pg_schema_url, name):
    folder, url, before = seeded
    _tamper(folder, 0, name)
    result = run_cli("load", str(folder), "--url", url, "--truncate", "-q")
    lines = error_lines(result)
    assert result.exit_code == 2 and len(lines) == 2, result.stderr
    assert f"names the file {name!r}, which is not inside {folder}" in lines[0]
    assert "root:" not in result.output + result.stderr
    assert fingerprint(pg_schema_url) == before


def test_load_refuses_a_link_out_of_its_folder(seeded, pg_schema_url):
    folder, url, before = seeded
    (folder / "users.csv").unlink()
    (folder / "users.csv").symlink_to("/etc/passwd")
    result = run_cli("load", str(folder), "--url", url, "--truncate", "-q")
    assert result.exit_code == 2
    assert "names the file 'users.csv', which is not inside" in result.stderr
    assert "root:" not in result.output + result.stderr
    assert fingerprint(pg_schema_url) == before


def test_load_does_not_import_models_that_came_with_the_folder(seeded, pg_schema_url):
    folder, url, before = seeded
    planted = folder / "planted_models.py"
    proof = folder.parent / "planted-ran"
    planted.write_text(f"open({str(proof)!r}, 'w').close()\n")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["models"] = str(planted)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("load", str(folder), "--url", url, "--truncate", "-q")
    errors = error_lines(result)
    assert result.exit_code == 2 and len(errors) == 2, result.stderr
    assert f"names models inside that folder ({planted})" in errors[0]
    assert errors[1].startswith("Pass the project's own models")
    assert not proof.exists()
    assert fingerprint(pg_schema_url) == before
    # the user's own models, passed explicitly, still load the same folder
    manifest["models"] = MODELS
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert run_cli("load", str(folder), "--url", url, "--truncate", "-q").exit_code == 0


def test_load_names_the_file_and_line_that_is_not_utf8(seeded, pg_schema_url):
    folder, url, before = seeded
    lines = (folder / "users.csv").read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",", b",\xe9", 1)  # latin-1 é in row 5 (line 6)
    (folder / "users.csv").write_bytes(b"\n".join(lines))
    result = run_cli("load", str(folder), "--url", url, "--truncate", "-q")
    errors = error_lines(result)
    assert result.exit_code == 2 and len(errors) == 2, result.stderr
    assert (
        errors[0]
        == "error: users.csv, line 6: not UTF-8 text. Seed files are UTF-8; nothing was written."
    )
    assert fingerprint(pg_schema_url) == before


def test_a_tampered_value_rolls_the_whole_load_back(seeded, pg_schema_url):
    folder, url, before = seeded
    lines = (folder / "orders.csv").read_text().split("\n")
    fields = lines[3].split(",")
    fields[1] = "999999"  # a user that does not exist
    lines[3] = ",".join(fields)
    (folder / "orders.csv").write_text("\n".join(lines))
    result = run_cli("load", str(folder), "--url", url, "--truncate", "-q")
    errors = error_lines(result)
    assert result.exit_code == 2 and len(errors) == 2, result.stderr
    assert "orders" in errors[0] and "foreign key" in errors[0]
    assert errors[1] == "Nothing was written: the whole load was rolled back."
    assert fingerprint(pg_schema_url) == before


def test_generate_onto_a_full_disk_keeps_the_previous_file(tiny_disk: Path):
    target = tiny_disk / "factories.py"
    assert run_cli("generate", MODELS, "-o", str(target), "-q").exit_code == 0
    before = target.read_bytes()
    (tiny_disk / "filler").write_bytes(b"")
    with (tiny_disk / "filler").open("ab", buffering=0) as filler:  # fill every page left
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass
    result = run_cli("generate", MODELS, "-o", str(target), "-q", "--reasons")  # new text
    lines = error_lines(result)
    assert result.exit_code == 2 and len(lines) == 2, result.stderr
    assert lines[0] == (
        f"error: Cannot write {target}: the disk is full. {target} was left as it was."
    )
    assert target.read_bytes() == before
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["factories.py", "filler"]
