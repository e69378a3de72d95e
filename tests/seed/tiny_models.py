"""Small schemas whose constraints limit how many rows can exist, for the planner's refusals."""

from __future__ import annotations

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Level(Base):  # a unique column whose only values are the enum's three labels
    __tablename__ = "levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Enum("low", "mid", "high", name="level_name"), unique=True)


class Reading(Base):
    __tablename__ = "readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id"))
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(40))


class Cycle(DeclarativeBase):
    pass


class Hen(Cycle):  # hens and eggs reference each other through NOT NULL keys: no insert order
    __tablename__ = "hens"

    id: Mapped[int] = mapped_column(primary_key=True)
    egg_id: Mapped[int] = mapped_column(ForeignKey("eggs.id", use_alter=True, name="fk_hen_egg"))


class Egg(Cycle):
    __tablename__ = "eggs"

    id: Mapped[int] = mapped_column(primary_key=True)
    hen_id: Mapped[int] = mapped_column(ForeignKey("hens.id"))


class Legacy(DeclarativeBase):
    pass


class Note(Legacy):  # MyISAM ignores transactions: a failed seed could not be rolled back
    __tablename__ = "notes"
    __table_args__ = {"mysql_engine": "MyISAM"}

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(40))
