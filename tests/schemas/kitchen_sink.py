"""A PostgreSQL schema with every feature the foundation issue lists, for acceptance tests.

String, UUID, integer and composite primary keys; a self-referential tree; two foreign keys to
one table; a cycle broken by a nullable key; many-to-many; single and composite unique; CHECKs
of every parsed form; String(2)/String(3) codes; Numeric(5, 2); Python and string enums;
JSON/JSONB/ARRAY/INET/CIDR; server defaults; joined-table inheritance; a Core-only table.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, CIDR, INET, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Plan(enum.Enum):
    FREE = "free"
    PRO = "pro"
    ENTERPRISE = "enterprise"


account_groups = Table(
    "account_groups",
    Base.metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("group_code", ForeignKey("groups.code"), primary_key=True),
)

events = Table(  # Core-only: no mapped class
    "events",
    Base.metadata,
    Column("id", BigInteger, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind IN ('login', 'logout', 'purchase')", name="ck_events_kind"),
)


class Group(Base):  # string primary key
    __tablename__ = "groups"
    __table_args__ = (CheckConstraint("code = upper(code)", name="ck_groups_code_upper"),)

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    title: Mapped[str] = mapped_column(String(80))


class Account(Base):  # UUID primary key without a default, cycle with Profile
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("char_length(country_code) = 2", name="ck_accounts_country"),
        CheckConstraint("currency IN ('EUR', 'USD', 'JPY')", name="ck_accounts_currency"),
        CheckConstraint("handle ~ '^[a-z][a-z0-9_]{2,15}$'", name="ck_accounts_handle"),
        CheckConstraint("email = lower(email)", name="ck_accounts_email_lower"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    handle: Mapped[str] = mapped_column(String(16), unique=True)
    plan: Mapped[Plan] = mapped_column(Enum(Plan, name="account_plan"))
    tier: Mapped[str] = mapped_column(Enum("bronze", "silver", "gold", name="account_tier"))
    country_code: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    iban: Mapped[str | None] = mapped_column(String(34))
    api_sha256: Mapped[str] = mapped_column(String(64))
    last_login_ip: Mapped[str | None] = mapped_column(INET)
    allowed_network: Mapped[str | None] = mapped_column(CIDR)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(30)), server_default="{}")
    settings: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    extra: Mapped[dict | None] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    primary_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", use_alter=True, name="fk_accounts_primary_profile")
    )

    groups: Mapped[list[Group]] = relationship(secondary=account_groups)
    profiles: Mapped[list[Profile]] = relationship(
        back_populates="account", foreign_keys="Profile.account_id"
    )


class Profile(Base):  # integer primary key; NOT NULL side of the cycle
    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint("age >= 18 AND age <= 120", name="ck_profiles_age"),
        CheckConstraint("slug = lower(slug)", name="ck_profiles_slug"),
        CheckConstraint("website LIKE 'https://%'", name="ck_profiles_website"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    display_name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    age: Mapped[int] = mapped_column(SmallInteger)
    website: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    birth_date: Mapped[date | None] = mapped_column(Date)
    avatar: Mapped[bytes | None] = mapped_column(LargeBinary(256))

    account: Mapped[Account] = relationship(back_populates="profiles", foreign_keys=[account_id])


class Folder(Base):  # self-referential
    __tablename__ = "folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))

    parent: Mapped[Folder | None] = relationship(remote_side=[id])
    owner: Mapped[Account] = relationship()


class Transfer(Base):  # two foreign keys to one table, column comparisons
    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("from_account_id <> to_account_id", name="ck_transfers_distinct"),
        CheckConstraint("amount > 0", name="ck_transfers_amount"),
        CheckConstraint("fee BETWEEN 0 AND 25", name="ck_transfers_fee"),
        CheckConstraint(
            "settled_at IS NULL OR settled_at > requested_at", name="ck_transfers_time"
        ),
        CheckConstraint("reference LIKE 'TR-%'", name="ck_transfers_reference"),
        CheckConstraint("memo IS NULL OR char_length(memo) <= 40", name="ck_transfers_memo"),
        CheckConstraint("status <> 'void'", name="ck_transfers_status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    from_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    to_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    fee: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    exchange_rate: Mapped[float] = mapped_column(Float)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    memo: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    processing_time: Mapped[timedelta | None] = mapped_column(Interval)
    cutoff: Mapped[time | None] = mapped_column(Time)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id])
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id])


class Region(Base):  # composite natural primary key with codes
    __tablename__ = "regions"

    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Store(Base):  # composite FK to a composite key; composite unique without FKs
    __tablename__ = "stores"
    __table_args__ = (
        ForeignKeyConstraint(
            ["country_code", "region_code"], ["regions.country_code", "regions.code"]
        ),
        UniqueConstraint("chain", "branch_no", name="uq_stores_chain_branch"),
        CheckConstraint("opens_at < closes_at", name="ck_stores_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    branch_no: Mapped[int]
    country_code: Mapped[str] = mapped_column(String(2))
    region_code: Mapped[str] = mapped_column(String(3))
    opens_at: Mapped[int] = mapped_column(SmallInteger)
    closes_at: Mapped[int] = mapped_column(SmallInteger)

    region: Mapped[Region] = relationship()


class Employee(Base):  # joined-table inheritance
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    salary: Mapped[Decimal] = mapped_column(Numeric(8, 2))

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "employee"}


class Manager(Employee):
    __tablename__ = "managers"

    id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))

    store: Mapped[Store] = relationship()

    __mapper_args__ = {"polymorphic_identity": "manager"}
