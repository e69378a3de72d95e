from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path

from click.testing import CliRunner

from fixturekit.cli import _register, cli

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop" / "models.py"
KITCHEN_SINK = ROOT / "tests" / "schemas" / "kitchen_sink.py"


def run_cli(*args: str, cwd: Path | None = None):
    _register()
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(cli, list(args), catch_exceptions=False)


def import_file(path: Path):
    """Import a generated module under a fresh name, as a test suite would import it."""
    name = f"generated_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
