"""Private columns written through a public property (`_password` behind `password`).

Factories set such a column through its property, so the application's own setter (hashing a
password, say) runs, as it does in the application.
"""

from __future__ import annotations

import re
from typing import Any


def _setter_candidates(key: str) -> list[str]:
    """Public names a property setting the column `key` would have: `_password` -> `password`,
    `password_hash` / `_hashed_password` -> `password`."""
    public = key.lstrip("_")
    names = [public] if public != key else []
    stripped = re.sub(r"^(?:hashed|encrypted)_|_(?:hash|hashed|digest|encrypted)$", "", public)
    if stripped and stripped != public:
        names.append(stripped)
    return names


def property_setter(mapper: Any, key: str) -> str | None:
    """The public property (plain or hybrid) with a setter that writes the column `key`."""
    from sqlalchemy.ext.hybrid import hybrid_property

    mapped = {prop.key for prop in mapper.attrs}
    for name in _setter_candidates(key):
        if name in mapped or not name.isidentifier():
            continue
        for klass in mapper.class_.__mro__:
            attribute = vars(klass).get(name)
            if attribute is None:
                continue
            if isinstance(attribute, property | hybrid_property) and attribute.fset is not None:
                return name
            break
    return None
