"""Reproducible factory values: one seed per run, every test reseeded from (seed, node id).

Before each test's setup and again before its body, factory_boy's random generator, the Faker
instances factory_boy and fixturekit use, and fixturekit's own generators are reseeded from the
run's seed and the test's node id. factory_boy's per-class sequence counters (and the sets of
values fixturekit has handed out for unique columns) are put back to their state at the start of
the test's scope. A test therefore gets the same values alone, after other tests, in another
order, or on another xdist worker; `--fixturekit-seed N` replays a run.

Wider-scoped fixtures (module, class, session) are seeded from their own node id and fixture
name, so their values do not depend on which test happened to set them up, and the counters as
they leave them become the baseline of the tests inside that scope: their rows are still in the
database, so later tests must not reuse their unique values.

The public functions (`snapshot`, `restore`, `reseed`, `seed_of`, `push_baseline`,
`pop_baseline`, `settle`) are what other parts of the plugin call after setting up shared rows.
Nothing here imports factory_boy or Faker: a project whose tests never import them pays nothing.
"""

from __future__ import annotations

import copy
import hashlib
import random
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest

SEED_KEY = pytest.StashKey[tuple[int, str]]()  # (seed, where it came from)
WORKER_SEED_KEY = "fixturekit_seed"
RANDOMLY_PLUGIN = "randomly"


# --- the run's seed ---------------------------------------------------------------------------


def _randomly_seed(config: pytest.Config) -> int | None:
    if not config.pluginmanager.hasplugin(RANDOMLY_PLUGIN):
        return None
    value = getattr(config.option, "randomly_seed", None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def seed_of(config: pytest.Config) -> int:
    """The run's seed, chosen once: --fixturekit-seed, ini fixturekit_seed, the xdist
    controller's, pytest-randomly's, or a new random one."""
    return seed_and_source(config)[0]


def seed_and_source(config: pytest.Config) -> tuple[int, str]:
    found = config.stash.get(SEED_KEY, None)
    if found is None:
        found = _choose(config)
        config.stash[SEED_KEY] = found
    return found


def _choose(config: pytest.Config) -> tuple[int, str]:
    explicit = getattr(config.option, "fixturekit_seed", None)
    if explicit is not None:
        return explicit, "--fixturekit-seed"
    worker_input = getattr(config, "workerinput", None) or {}
    if WORKER_SEED_KEY in worker_input:
        return int(worker_input[WORKER_SEED_KEY]), "the xdist controller"
    ini = str(config.getini("fixturekit_seed") or "").strip()
    if ini:
        try:
            return int(ini), "ini fixturekit_seed"
        except ValueError:
            raise pytest.UsageError(
                f"fixturekit: ini fixturekit_seed = {ini!r} is not an integer."
            ) from None
    randomly = _randomly_seed(config)
    if randomly is not None:
        return randomly, "pytest-randomly"
    return random.SystemRandom().randrange(2**32), "picked for this run"


def derived_seed(seed: int, key: str) -> int:
    """A stable 64-bit seed for `key` (a node id), the same in every process and on every OS."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


# --- reseeding ---------------------------------------------------------------------------------


def _fakers() -> list[Any]:
    found: list[Any] = []
    factory_faker = sys.modules.get("factory.faker")
    if factory_faker is not None:
        found.extend(factory_faker.Faker._FAKER_REGISTRY.values())
    values = sys.modules.get("fixturekit.values")
    if values is not None and values._fake is not None:
        found.append(values._fake)
    return found


def reseed(seed: int, key: str) -> None:
    """Reseed factory_boy's and Faker's shared generator (and Fakers with their own) for `key`."""
    derived = derived_seed(seed, key)
    factory_random = sys.modules.get("factory.random")
    if factory_random is not None:
        factory_random.reseed_random(derived)  # also sets Faker's shared generator
    else:
        generator = sys.modules.get("faker.generator")
        if generator is not None:
            generator.random.seed(derived)
    shared = getattr(sys.modules.get("faker.generator"), "random", None)
    for fake in _fakers():
        for generator in getattr(fake, "_factories", ()):
            if generator.random is not shared:  # seeded with seed_instance(): its own Random
                generator.random.seed(derived)


# --- sequence counters and handed-out unique values ---------------------------------------------


def _factory_classes() -> list[type]:
    base_module = sys.modules.get("factory.base")
    if base_module is None:
        return []
    found: list[type] = []
    pending = [base_module.BaseFactory]
    seen: set[int] = set()
    while pending:
        cls = pending.pop()
        for sub in type.__subclasses__(cls):
            if id(sub) not in seen:
                seen.add(id(sub))
                found.append(sub)
                pending.append(sub)
    return found


@dataclass
class Snapshot:
    """Sequence counters and unique-value bookkeeping at one moment."""

    counters: dict[type, tuple[Any, int | None]] = field(default_factory=dict)
    drawn: dict[Any, set[Any]] = field(default_factory=dict)
    issued: dict[str, set[str]] = field(default_factory=dict)
    faker_seen: dict[int, tuple[Any, dict[Any, set[Any]]]] = field(default_factory=dict)


def snapshot() -> Snapshot:
    """The current sequence counters and unique-value sets, to `restore` later."""
    state = Snapshot()
    for cls in _factory_classes():
        meta = getattr(cls, "_meta", None)
        if meta is None:
            continue
        counter = getattr(meta, "_counter", None)
        state.counters[cls] = (counter, counter.seq if counter is not None else None)
    values = sys.modules.get("fixturekit.values")
    if values is not None:
        state.drawn = copy.deepcopy(values._drawn)
        state.issued = copy.deepcopy(values._issued)
    for fake in _fakers():
        unique = getattr(fake, "_unique_proxy", None)
        if unique is not None:
            state.faker_seen[id(fake)] = (fake, copy.deepcopy(unique._seen))
    return state


def restore(state: Snapshot) -> None:
    """Put counters and unique-value sets back to `state`.

    A factory class that had not counted yet (or did not exist) goes back to "not counted", so
    its next sequence number is its first one again.
    """
    for cls in _factory_classes():
        meta = getattr(cls, "_meta", None)
        if meta is None or not hasattr(meta, "_counter"):
            continue
        counter, seq = state.counters.get(cls, (None, None))
        meta._counter = counter
        if counter is not None and seq is not None:
            counter.seq = seq
    values = sys.modules.get("fixturekit.values")
    if values is not None:
        values._drawn.clear()
        values._drawn.update(copy.deepcopy(state.drawn))
        values._issued.clear()
        values._issued.update(copy.deepcopy(state.issued))
    for fake in _fakers():
        unique = getattr(fake, "_unique_proxy", None)
        if unique is None:
            continue
        saved = state.faker_seen.get(id(fake))
        unique._seen = copy.deepcopy(saved[1]) if saved is not None else {}


# --- baselines: the state each test starts from --------------------------------------------------

_baselines: list[tuple[object, Snapshot]] = []
_current_test: str | None = None  # node id of the test being set up or run


def push_baseline(owner: object, state: Snapshot | None = None) -> None:
    """Tests from now on start from `state` (default: now), until `pop_baseline(owner)`."""
    _baselines.append((owner, state if state is not None else snapshot()))


def pop_baseline(owner: object) -> None:
    for index in range(len(_baselines) - 1, -1, -1):
        if _baselines[index][0] is owner:
            del _baselines[index:]
            return


def current_baseline() -> Snapshot | None:
    return _baselines[-1][1] if _baselines else None


def settle(config: pytest.Config, owner: object) -> None:
    """After shared rows were made (a module-scoped scenario): keep their counters for the tests
    of that scope and reseed for the running test, as if the rows had always been there.

    The plugin does this by itself after every wider-scoped fixture; call it from code that
    makes shared rows elsewhere, and `pop_baseline(owner)` when those rows are gone.
    """
    push_baseline(owner)
    if _current_test is not None:
        reseed(seed_of(config), f"{_current_test}::setup")


def begin_test(config: pytest.Config, nodeid: str) -> None:
    """Before a test's setup: its scope's counters, and its own seed."""
    global _current_test
    _current_test = nodeid
    baseline = current_baseline()
    if baseline is None:  # the first test: the state after collection is every test's start
        push_baseline(begin_test)
        baseline = current_baseline()
    restore(baseline)
    reseed(seed_of(config), f"{nodeid}::setup")


def begin_call(config: pytest.Config, nodeid: str) -> None:
    """Before a test's body: a seed of its own, whatever its fixtures drew."""
    reseed(seed_of(config), f"{nodeid}::call")


def end_test() -> None:
    global _current_test
    _current_test = None


def randomly_reseed(_seed: int) -> None:
    """pytest-randomly's `random_seeder` entry point: it reseeds factory_boy and Faker before
    each test phase from its own formula; put fixturekit's back so that one seed decides."""
    config = _active_config
    if config is None or _current_test is None:
        return
    phase = _phase or "setup"
    reseed(seed_of(config), f"{_current_test}::{phase}")


_active_config: pytest.Config | None = None
_phase: str | None = None
_outer: list[tuple[Any, ...]] = []  # the enclosing run's state, for pytest runs inside a test


def active_config() -> pytest.Config | None:
    return _active_config


def activate(config: pytest.Config) -> None:
    """Start a run. A run started inside another one's test (pytester) keeps the outer run's
    state aside and gives it back in `deactivate`."""
    global _active_config, _current_test, _phase
    _outer.append((_active_config, _current_test, _phase, list(_baselines)))
    _active_config, _current_test, _phase = config, None, None
    _baselines.clear()


def deactivate() -> None:
    global _active_config, _current_test, _phase
    _baselines.clear()
    if _outer:
        _active_config, _current_test, _phase, baselines = _outer.pop()
        _baselines.extend(baselines)
    else:
        _active_config = _current_test = _phase = None


def set_phase(phase: str | None) -> None:
    global _phase
    _phase = phase
