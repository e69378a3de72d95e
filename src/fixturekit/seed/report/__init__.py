"""`fixturekit seed --report report.html`: one self-contained page about what a seed made.

`collect` reads what the seeder wrote (the target database) and what it was asked for (the
seed plan: configured or learned distributions); `render` draws it as HTML with inline SVG, no
script and no network. Neither knows how the rows were generated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fixturekit.errors import FixturekitError
from fixturekit.seed.report.collect import collect_report
from fixturekit.seed.report.render import render_report

__all__ = ["collect_report", "render_report", "write_report"]


def write_report(path: Path, plan: Any, url: str, seconds: float, title: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        report = collect_report(plan, url, seconds)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[:1]
        raise FixturekitError(
            f"--report: the rows were seeded, but reading them back for the report failed: "
            f"{first[0] if first else type(exc).__name__}"
        ) from None
    try:
        path.write_text(render_report(report, title), encoding="utf-8")
    except OSError as exc:
        raise FixturekitError(
            f"--report {path}: cannot write the report ({exc.strerror or exc}); the rows "
            "were seeded.",
            hint="Choose a folder you can write to.",
        ) from None
