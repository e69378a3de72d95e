"""Inference options from a project's `[tool.fixturekit.generate]` table and the command line.

Read by `generate` and by `seed` alike, so the two infer the same strategies; it lives below
the command-line layer so that seeding does not import the CLI (or its console) to get it.
"""

from __future__ import annotations

from fixturekit.errors import FixturekitError
from fixturekit.infer.rules import InferenceOptions


def _parse_range(text: str, where: str) -> tuple[int, int]:
    text = str(text).strip()
    try:
        if ".." in text:
            low, high = text.split("..", 1)
            return int(low), int(high)
        return int(text), int(text)
    except ValueError:
        raise FixturekitError(f"{where}: {text!r} is not a count or a range like 1..3.") from None


def inference_options(config: dict, children: tuple[str, ...]) -> InferenceOptions:
    """Options from `[tool.fixturekit.generate]` plus `--children` on the command line."""
    options = InferenceOptions()
    for key, value in (config.get("children") or {}).items():
        if isinstance(value, list) and len(value) == 2:
            options.children[key] = (int(value[0]), int(value[1]))
        else:
            options.children[key] = _parse_range(value, f"children.{key}")
    for item in children:
        key, sep, value = item.partition("=")
        if not sep:
            raise FixturekitError(f"--children {item!r}: write Model.relationship=1..3.")
        options.children[key.strip()] = _parse_range(value, f"--children {key}")
    overrides = config.get("overrides") or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, str) for v in overrides.values()):
        raise FixturekitError(
            '[tool.fixturekit.generate] overrides must map "table.column" to a factory_boy '
            'declaration written as a string, e.g. "users.email" = "factory.Faker(\'email\')".'
        )
    options.overrides = dict(overrides)
    options.nullable_empty = bool(config.get("nullable_empty", False))
    options.fill_defaults = _fill_defaults(config.get("fill_defaults", False))
    return options


def _fill_defaults(value: object) -> bool | frozenset[str]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise FixturekitError(
        "[tool.fixturekit.generate] fill_defaults must be true, false or a list of columns "
        'such as ["User.created_at", "orders.status"].'
    )
