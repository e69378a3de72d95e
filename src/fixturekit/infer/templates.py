"""Template-shaped values fitted to their column: `???-#####` in a `String(6)` becomes `???-##`.

A SKU, a reference or a code is a Faker template (`bothify`, `numerify`, `lexify`): letters for
`?`, digits for `#`. Cutting a drawn value at the column's length keeps a ragged prefix and, for
unique columns, cannot promise distinct values; fitting the template keeps the shape (prefix,
separator, digits) and every value of it fits, in factories and in bulk seeding alike.
"""

from __future__ import annotations

import re
from typing import Any

TEMPLATE_PROVIDERS = frozenset({"bothify", "numerify", "lexify"})

# Providers of digit strings of a fixed width: a shorter column gets a digit template instead
# (a cut barcode is no barcode either, and digits stay distinct).
FIXED_WIDTH_DIGITS = {"ean13": 13, "ean8": 8, "isbn13": 17, "isbn10": 13}

_PLACEHOLDERS = "#?%!@^"


def _runs(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"(.)\1*", text)]


def fit_template(text: str, max_length: int) -> str:
    """`text` shortened to at most `max_length` characters, keeping one of each part it can.

    Digits go first (down to one per run), then letters, then separators, then the tail.
    """
    runs = _runs(text)
    while sum(map(len, runs)) > max_length:
        for placeholder in ("#", "?"):
            longest = max(
                (i for i, run in enumerate(runs) if run[0] == placeholder and len(run) > 1),
                key=lambda i: len(runs[i]),
                default=None,
            )
            if longest is not None:
                runs[longest] = runs[longest][:-1]
                break
        else:
            literal = next(
                (i for i in range(len(runs) - 1, -1, -1) if runs[i][0] not in _PLACEHOLDERS),
                None,
            )
            if literal is not None and len(runs) > 1:
                del runs[literal]
            else:
                return "".join(runs)[:max_length]
    return "".join(runs)


def fit_to_length(
    provider: str, kwargs: dict[str, Any], max_length: int | None
) -> tuple[str, dict[str, Any], str | None]:
    """(provider, kwargs, note): the template fitted to `max_length`, with a note saying so."""
    if max_length is None or max_length < 1:
        return provider, kwargs, None
    text = kwargs.get("text")
    if provider in TEMPLATE_PROVIDERS and isinstance(text, str) and len(text) > max_length:
        fitted = fit_template(text, max_length)
        return provider, {**kwargs, "text": fitted}, f"template {text} fitted to {fitted}"
    width = FIXED_WIDTH_DIGITS.get(provider)
    if width is not None and width > max_length:
        digits = "#" * max_length
        return "numerify", {"text": digits}, f"{provider} is {width} wide: {max_length} digits"
    return provider, kwargs, None
