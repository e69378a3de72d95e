"""Settings: where each comes from, and which mistakes are caught before anything connects."""

from __future__ import annotations

from typing import Any

import pytest

from fixturekit.plugin.config import Isolation, read_settings


@pytest.fixture
def parse(pytester: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("FIXTUREKIT_DATABASE_URL", raising=False)

    def parse(ini: str = "", *args: str) -> Any:
        pytester.makeini(f"[pytest]\n{ini}")
        return read_settings(pytester.parseconfig(*args))

    return parse


def test_defaults_are_not_configured(parse: Any) -> None:
    settings = parse()
    assert not settings.configured
    assert settings.url is None
    assert settings.isolation is Isolation.SAVEPOINT
    assert settings.factories == ["tests/factories.py", "tests/fixturekit_factories.py"]
    assert not settings.factories_explicit
    assert settings.leak_check and settings.lock_timeout == 5.0


def test_command_line_beats_environment_beats_ini(
    parse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = "fixturekit_url = sqlite:///ini.db\n"
    assert parse(ini).url_source == "ini fixturekit_url"
    monkeypatch.setenv("FIXTUREKIT_DATABASE_URL", "sqlite:///env.db")
    settings = parse(ini)
    assert (settings.url, settings.url_source) == (
        "sqlite:///env.db",
        "the FIXTUREKIT_DATABASE_URL variable",
    )
    settings = parse(ini, "--fixturekit-url=sqlite:///cli.db", "--fixturekit-isolation=truncate")
    assert (settings.url, settings.isolation) == ("sqlite:///cli.db", Isolation.TRUNCATE)
    assert settings.configured


def test_ini_values(parse: Any) -> None:
    settings = parse(
        "fixturekit_models = app.models:Base\nfixturekit_factories =\n    a/f.py\n    b.factories\n"
        "fixturekit_isolation = fresh-db\nfixturekit_leak_check = false\n"
        "fixturekit_lock_timeout = 0.5\nfixturekit_register_fixtures = true\n",
    )
    assert settings.models == "app.models:Base"
    assert settings.factories == ["a/f.py", "b.factories"] and settings.factories_explicit
    assert settings.isolation is Isolation.FRESH_DB
    assert not settings.leak_check and settings.lock_timeout == 0.5 and settings.register_fixtures
    assert not parse("", "--fixturekit-no-leak-check").leak_check


@pytest.mark.parametrize(
    ("ini", "args", "message"),
    [
        ("fixturekit_lock_timeout = soon\n", (), "fixturekit_lock_timeout = 'soon' must be"),
        ("fixturekit_server = docker\n", (), "fixturekit_server = 'docker'"),
        ("", ("--fixturekit-url=not a url",), "--fixturekit-url is not a database URL"),
        ("", ("--fixturekit-url=mysql+nosuchdriver://u@h/d",), "the driver is not installed"),
        (
            "fixturekit_url = sqlite:///x.db\n",
            ("--fixturekit-server=ephemeral",),
            "choose one",
        ),
    ],
)
def test_mistakes_caught_without_connecting(
    parse: Any, ini: str, args: tuple, message: str
) -> None:
    with pytest.raises(pytest.UsageError, match=message):
        parse(ini, *args)
