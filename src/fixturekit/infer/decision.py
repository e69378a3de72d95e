"""What one inference rule gives back: the strategy it chose, why, and what a person should
look at. Shared by the rule modules (domain_rules, meaning_rules) and the order that tries them
(rules), so that none of them imports another for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fixturekit.infer import strategies as st


@dataclass
class Decision:
    strategy: st.Strategy
    reason: str
    flags: list[str] = field(default_factory=list)
