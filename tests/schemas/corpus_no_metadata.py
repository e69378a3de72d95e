"""Core tables whose MetaData no module attribute holds (ihatemoney, through Flask-SQLAlchemy):
only the mapped classes reach it, as `Person.metadata`."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, relationship


class _AppProxy:  # like Flask's `current_app` outside an application context
    def __getattr__(self, name):
        raise RuntimeError("Working outside of application context.")


current_app = _AppProxy()


def _model_base() -> type:
    class Model(DeclarativeBase):
        pass

    return Model


class Person(_model_base()):
    __tablename__ = "person"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)


class Bill(Person.__mro__[1]):
    __tablename__ = "bill"
    id = Column(Integer, primary_key=True)
    what = Column(String(64), nullable=False)
    owers = relationship(
        Person,
        secondary=Table(  # no module attribute holds this Table nor its MetaData
            "billowers",
            Person.metadata,
            Column("bill_id", Integer, ForeignKey("bill.id"), primary_key=True),
            Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
        ),
    )
