"""Tables whose rows hold an address and a company, for the coherence tests."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Vendor(Base):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    domain: Mapped[str] = mapped_column(String(120))
    website: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    postcode: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2))


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(120), unique=True)
    company: Mapped[str] = mapped_column(String(120))
    company_website: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(40))
    zip_code: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(60))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
