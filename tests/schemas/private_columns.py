"""Private columns behind property setters, and a secret with no setter at all."""

from __future__ import annotations

import hashlib

from sqlalchemy import String
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def digest(text: str) -> str:
    return "sha256$" + hashlib.sha256(text.encode()).hexdigest()


class Base(DeclarativeBase):
    pass


class Account(Base):
    """`_password` behind a hybrid property whose setter hashes."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120))
    _password: Mapped[str] = mapped_column("password", String(80))

    @hybrid_property
    def password(self) -> str:
        return self._password

    @password.setter
    def password(self, value: str) -> None:
        self._password = digest(value)

    def check_password(self, value: str) -> bool:
        return self._password == digest(value)


class Member(Base):
    """A `password_hash` column behind a plain write-only `password` property."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(80))

    @property
    def password(self) -> str:
        raise AttributeError("password is write-only")

    @password.setter
    def password(self, value: str) -> None:
        self.password_hash = digest(value)


class ApiClient(Base):
    """A secret stored as given: nothing hashes it."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_secret: Mapped[str] = mapped_column(String(64))
