"""How fixturekit names its test databases, and which databases of those names a run may drop.

Every name starts with the user's database name and `_test`; a run slot, an xdist worker and a
suffix (`_tpl` for the template, `_fN` for fresh databases) follow. The janitor reads that
scheme back: of the databases it matches, it drops those whose mark names a dead run, and
refuses to touch any that carries no mark, since fixturekit did not create it.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from fixturekit.dialects import Mark, Server
from fixturekit.errors import UnsafeDatabase

# How long a database another run has just created may stay unmarked (create, then mark).
_MARK_GRACE = 1.0


def test_database_names(server: Server, worker: str | None) -> tuple[str, str]:
    """(prefix shared by all workers, this worker's base name), both within the length limit."""
    prefix = f"{server.base_name()}_test"
    room = server.max_name_length - len("_99_gw999_f9999")
    if len(prefix.encode()) > room:
        digest = hashlib.sha1(prefix.encode()).hexdigest()[:8]
        cut = prefix.encode()[: room - 9].decode(errors="ignore")
        prefix = f"{cut}_{digest}"
    return prefix, f"{prefix}_{worker}" if worker else prefix


def drop_leftovers(
    server: Server, prefix: str, base: str, own_mark: Mark, notice: Callable[[str], None]
) -> bool:
    """Drop marked databases left behind by runs that died; refuse to reuse anything else.

    True when a live run holds the names of the slot whose base name is `base` (the caller
    tries the next slot)."""
    pattern = re.compile(re.escape(prefix) + r"(?:_\d+)?(?:_gw\d+)?(?:_tpl|_f\d+)?")
    mine = re.compile(re.escape(base) + r"(?:_tpl|_f\d+)?")
    busy = False
    for name in server.databases():
        if not pattern.fullmatch(name):
            continue
        text = server.read_mark(name)
        mark = Mark.parse(text)
        own_name = bool(mine.fullmatch(name))
        if mark is None and own_name and text is not None:
            # Another run may have just created it and not marked it yet.
            time.sleep(_MARK_GRACE)
            mark = Mark.parse(server.read_mark(name))
        if mark is None:
            if own_name:
                raise UnsafeDatabase(
                    f"Database {name!r} already exists and was not created by fixturekit; "
                    "refusing to use or drop it.",
                    hint="Drop or rename it yourself, or point the fixturekit URL at another "
                    "database name (test databases are named <name>_test).",
                )
            continue
        if mark.pid == own_mark.pid and mark.host == own_mark.host:
            server.drop(name)  # our own leftover (a SQLite file from this process)
            continue
        if mark.owner_alive():
            busy = busy or own_name  # another run's: this run takes the next slot
            continue
        server.drop(name)
        notice(
            f"fixturekit: dropped {name!r}, left behind by an earlier run "
            f"(process {mark.pid}, {mark.created})."
        )
    return busy
