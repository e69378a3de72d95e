"""Attribute names that are hard on factories: leading underscores, factory_boy's own names,
Python keywords, and an enum class nested inside its model."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Server(Base):
    __tablename__ = "servers"

    id: Mapped[int] = mapped_column(primary_key=True)
    hostname: Mapped[str] = mapped_column(String(100))


class Connection(Base):
    __tablename__ = "connections"

    class Status(enum.Enum):
        OPEN = "open"
        CLOSED = "closed"

    id: Mapped[int] = mapped_column(primary_key=True)
    _server_id: Mapped[int] = mapped_column("server_id", ForeignKey("servers.id"))
    _server: Mapped[Server] = relationship()
    status: Mapped[Status] = mapped_column(Enum(Status))
    _token: Mapped[str] = mapped_column("token", String(40))
    create: Mapped[str] = mapped_column(String(20))
    build: Mapped[str] = mapped_column(String(20))
    reset_sequence: Mapped[str] = mapped_column(String(20))
    Meta: Mapped[str] = mapped_column("meta", String(20))
    Params: Mapped[str] = mapped_column("params", String(20))
    _meta: Mapped[str] = mapped_column("meta_private", String(20))
    class_: Mapped[str] = mapped_column("class", String(20))


class Mirror(Base):
    """A foreign key with no relationship, behind a private attribute: a factory parameter."""

    __tablename__ = "mirrors"

    id: Mapped[int] = mapped_column(primary_key=True)
    _origin_id: Mapped[int] = mapped_column("_origin_id", ForeignKey("servers.id"))
    label: Mapped[str] = mapped_column(String(30))
