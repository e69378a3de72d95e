"""A seed configuration written as TOML, for the shapes a configuration has.

(The standard library reads TOML but does not write it; the configuration only ever holds
tables, inline tables of scalars, lists of scalars, strings, numbers and booleans.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name)


def value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(i) for i in item) + "]"
    if isinstance(item, Mapping):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }"
    raise TypeError(f"cannot write {item!r} as TOML")


def dump_config(raw: Mapping[str, Any]) -> str:
    lines: list[str] = [f"{key(k)} = {value(v)}" for k, v in raw.items() if k != "tables"]
    for name, spec in raw.get("tables", {}).items():
        lines += ["", f"[tables.{key(name)}]"]
        for part, content in spec.items():
            if isinstance(content, Mapping):
                for sub, rule in content.items():
                    lines.append(f"{key(part)}.{key(sub)} = {value(rule)}")
            else:
                lines.append(f"{key(part)} = {value(content)}")
    return "\n".join(lines) + "\n"
