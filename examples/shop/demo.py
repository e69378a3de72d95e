"""`make demo`: generate factories for the shop example and create one of each in SQLite.

Runs what a new user runs first: `fixturekit generate` on a models file, then the generated
factories against an embedded database, and shows what they made.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import factory.random
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "demo-out"


def _short(value, limit: int = 32) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> int:
    console = Console()
    OUT.mkdir(exist_ok=True)
    factories_path = OUT / "factories.py"
    database = OUT / "shop.sqlite3"
    console.rule("fixturekit generate examples/shop/models.py -o demo-out/factories.py")
    generated = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixturekit",
            "generate",
            "examples/shop/models.py",
            "-o",
            str(factories_path.relative_to(ROOT)),
            "--force",
        ],
        cwd=ROOT,
    )
    if generated.returncode != 0:
        return generated.returncode
    console.rule("demo-out/factories.py (first 60 lines)")
    lines = factories_path.read_text().splitlines()
    console.print("\n".join(lines[:60]), markup=False, highlight=False)
    console.print(f"... {len(lines) - 60} more lines in {factories_path.relative_to(ROOT)}")

    sys.path.insert(0, str(ROOT))
    from examples.shop.models import Base
    from fixturekit.dialects.sqlite import install_integer_keys

    database.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{database}")
    install_integer_keys(engine)  # BIGINT keys numbered by SQLite, as the plugin makes them
    Base.metadata.create_all(engine)
    spec = importlib.util.spec_from_file_location("demo_factories", factories_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_factories"] = module
    spec.loader.exec_module(module)

    factory.random.reseed_random(42)
    console.rule(f"One of each, created in {database.relative_to(ROOT)}")
    with Session(engine) as session:
        module.bind_session(session)
        for name, factory_class in module.FACTORIES.items():
            obj = factory_class.create()
            values = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
            shown = ", ".join(f"{k}={_short(v)}" for k, v in list(values.items())[:6])
            console.print(f"[bold]{name}[/]: {shown}", highlight=False)
        session.commit()
        counts = Table(title="rows in the database (parents created by SubFactory included)")
        counts.add_column("table")
        counts.add_column("rows", justify="right")
        for table in Base.metadata.sorted_tables:
            counts.add_row(table.name, str(session.scalar(select(func.count()).select_from(table))))
        console.print(counts)
    module.bind_session(None)
    console.print("Next: `make test`, then see README.md for the pytest plugin and seeding.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
