"""Progress of a seed: a bar per table with rows/s (rich), or nothing at all (`--quiet`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TableTiming:
    key: str
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Progress:
    """Collects per-table timings; subclasses draw them."""

    tables: dict[str, TableTiming] = field(default_factory=dict)
    _started: dict[str, float] = field(default_factory=dict)

    def start(self, key: str, total: int) -> None:
        self.tables[key] = TableTiming(key)
        self._started[key] = time.perf_counter()

    def advance(self, key: str, rows: int) -> None:
        timing = self.tables[key]
        timing.rows += rows
        timing.seconds = time.perf_counter() - self._started[key]

    def done(self, key: str) -> None:
        self.tables[key].seconds = time.perf_counter() - self._started[key]

    def note(self, text: str) -> None:
        """A step without rows (re-creating keys, the cycle pass)."""

    def close(self) -> None:
        pass


class RichProgress(Progress):
    """One bar per table: rows done of rows planned, and the rate."""

    def __init__(self, console: Any) -> None:
        super().__init__()
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bars

        self._bars = Bars(
            TextColumn("[bold]{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>12} rows/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, Any] = {}
        self._shown = False

    def _show(self) -> None:
        # The bars' refresh thread starts with the first table, not before: the seed's worker
        # is forked before that, and forking a process with threads running can deadlock.
        if not self._shown:
            self._bars.start()
            self._shown = True

    def start(self, key: str, total: int) -> None:
        super().start(key, total)
        self._show()
        self._tasks[key] = self._bars.add_task(key, total=total, rate="")

    def advance(self, key: str, rows: int) -> None:
        super().advance(key, rows)
        rate = f"{self.tables[key].rate:,.0f}"
        self._bars.update(self._tasks[key], advance=rows, rate=rate)

    def done(self, key: str) -> None:
        super().done(key)
        rate = f"{self.tables[key].rate:,.0f}"
        self._bars.update(self._tasks[key], rate=rate)

    def note(self, text: str) -> None:
        self._show()
        self._bars.console.print(f"  {text}")

    def close(self) -> None:
        if self._shown:
            self._bars.stop()
