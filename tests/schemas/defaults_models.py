"""Models for the default / TypeDecorator / length / unknown-type / BIGINT-key rules.

Written the way applications write them: BigInteger keys without a SQLite variant, a GUID
TypeDecorator (UUID on PostgreSQL, CHAR(36) elsewhere), model defaults of every form, template
codes in short columns, and a vendor type no rule knows.
"""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, UserDefinedType


class GUID(TypeDecorator):
    """The usual backend-agnostic GUID: native UUID on PostgreSQL, CHAR(36) text elsewhere."""

    impl = CHAR(36)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PG_UUID(as_uuid=True))
        return dialect.type_descriptor(CHAR(36))

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(value)


class Label(UserDefinedType):
    """A vendor type fixturekit has no rule for; it stores text."""

    cache_ok = True

    def get_col_spec(self, **kw):
        return "TEXT"


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(GUID, unique=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)  # activated by e-mail
    is_admin: Mapped[bool] = mapped_column(Boolean, default=True)  # a bad default, on purpose
    is_staff: Mapped[bool] = mapped_column(Boolean)
    newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    plan: Mapped[str] = mapped_column(String(10), server_default=text("'free'"))
    credits: Mapped[int] = mapped_column(Integer, default=7)
    joined_at: Mapped[datetime.datetime] = mapped_column(DateTime, server_default=func.now())


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    guid: Mapped[uuid.UUID] = mapped_column(GUID)  # no default: generated, as a UUID
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    account: Mapped[Account] = relationship()
    title: Mapped[str] = mapped_column(String(200))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    sku: Mapped[str] = mapped_column(String(6), unique=True)
    reference: Mapped[str] = mapped_column(String(7))
    barcode: Mapped[str] = mapped_column(String(6), unique=True)
    label: Mapped[str] = mapped_column(Label())  # NOT NULL, type unknown to fixturekit
