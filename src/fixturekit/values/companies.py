"""A company's columns that agree with its name: `Booker, Ayers and Nelson` runs
`booker-ayers-nelson.com`, at `https://www.booker-ayers-nelson.com`, mailed at
`info@booker-ayers-nelson.com`.

The same functions serve factories (`fv.company`) and bulk seeding (whole columns).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Words of a company's name that say what kind of company it is, not which one.
_LEGAL = {
    "inc", "llc", "ltd", "plc", "group", "and", "sons", "co", "corp", "corporation",
    "company", "gmbh", "ag", "sa", "sarl", "bv", "nv", "oy", "ab", "the", "&",
}  # fmt: skip
MAILBOXES = ("info", "contact", "hello", "sales", "office")


def domain_of(name: Any, tld: str = "com") -> str:
    """The domain a company's name suggests: its distinctive words, hyphenated, ASCII."""
    folded = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z0-9]+", folded.lower()) if w and w not in _LEGAL]
    return f"{'-'.join(words) or 'company'}.{tld}"


def derive(part: str, domain: str, mailbox: str = "info") -> str:
    if part == "domain":
        return domain
    if part == "website":
        return f"https://www.{domain}"
    if part == "email":
        return f"{mailbox}@{domain}"
    raise ValueError(f"unknown company part {part!r}")


def fit(value: str, part: str, max_length: int | None) -> str:
    """Shorten the company's words, never the top-level domain (or the mailbox)."""
    if max_length is None or len(value) <= max_length:
        return value
    head, dot, tld = value.rpartition(".")
    room = max_length - len(dot) - len(tld)
    if room < 1:
        return value[:max_length]
    return head[:room].rstrip("-.") + dot + tld


def company(part: str, name: Any, max_length: int | None = None) -> str:
    """One column of the row's company, from its name (for factories)."""
    from fixturekit.values import _rng

    mailbox = MAILBOXES[_rng().randrange(len(MAILBOXES))]
    return fit(derive(part, domain_of(name), mailbox), part, max_length)
