"""Where a unique column's values show a number, in words the reports share.

Unique values are unique by construction. Most carry the row's number (`word12`); a person's
login and email carry one only once the pairs of first and last names run out; values drawn
until unseen (codes, fixed formats) never do.
"""

from __future__ import annotations

from fixturekit.infer import strategies as st

NUMBERED = "numbered to stay unique: every value shows a number"
NAMES_RUN_OUT = "unique: a number only once the pairs of names run out"


def numbering(strategy: st.Strategy | None, rows: int | None = None) -> str | None:
    """How `strategy`'s values stay unique, if they can show a number; with `rows` (the
    highest row number seeded), whether they do in this seed."""
    base = getattr(strategy, "base", None)
    if base is not None and not isinstance(strategy, st.UniqueText):
        return numbering(base, rows)  # a NULL rate or other wrapper
    if isinstance(strategy, st.UniqueText):
        return NUMBERED
    if isinstance(strategy, st.UniqueFakerValue):
        return NUMBERED if strategy.weave else None
    if isinstance(strategy, st.PersonDerived) and strategy.is_unique:
        from fixturekit.values.people import pair_capacity

        capacity = pair_capacity()
        if rows is None:
            return f"unique: a number only once the {capacity:,} pairs of names run out"
        if rows <= capacity:
            return f"unique without a number ({capacity:,} pairs of names for {rows:,} rows)"
        return f"unique: rows past {capacity:,} show a number (the pairs of names ran out)"
    return None
