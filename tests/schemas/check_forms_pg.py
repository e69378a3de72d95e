"""CHECK forms on PostgreSQL types: interval bounds and orderings, array sizes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Integer, Interval, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("timeout > interval '0'", name="timeout_positive"),
        CheckConstraint("retry_after <= interval '12 hours'", name="retry_cap"),
        CheckConstraint("grace BETWEEN interval '1 minute' AND interval '2 days'", name="grace"),
        CheckConstraint("cooldown > warmup AND cooldown <= INTERVAL '1' HOUR", name="cooldown"),
        CheckConstraint("cardinality(tags) >= 1", name="some_tags"),
        CheckConstraint("array_length(scores, 1) BETWEEN 2 AND 4", name="two_to_four_scores"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    timeout: Mapped[dt.timedelta] = mapped_column(Interval)
    retry_after: Mapped[dt.timedelta | None] = mapped_column(Interval)
    grace: Mapped[dt.timedelta] = mapped_column(Interval)
    warmup: Mapped[dt.timedelta] = mapped_column(Interval)
    cooldown: Mapped[dt.timedelta] = mapped_column(Interval)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text))
    scores: Mapped[list[int]] = mapped_column(ARRAY(Integer))
