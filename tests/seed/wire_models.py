"""Every column type the binary COPY encodes, with NULLs, negatives and characters that COPY
text escapes; and a table with a type it does not encode (loaded as text)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Phase(enum.Enum):
    new = "new"
    running = "running"
    done = "done"


class Reading(Base):
    __tablename__ = "readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    small: Mapped[int] = mapped_column(SmallInteger)
    big: Mapped[int | None] = mapped_column(BigInteger)
    ratio: Mapped[float | None] = mapped_column(Float)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    huge: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    day: Mapped[dt.date | None] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    at_tz: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    flag: Mapped[bool | None]
    label: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[Phase | None] = mapped_column(Enum(Phase, name="reading_phase"))


class Tagged(Base):
    __tablename__ = "tagged"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"))
    token: Mapped[uuid.UUID] = mapped_column(Uuid)
