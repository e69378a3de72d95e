"""SQLModel table models (and one data model) for the SQLModel reader's tests.

No `from __future__ import annotations`: SQLModel reads relationship types at class creation.
"""

import datetime
import uuid
from decimal import Decimal

from sqlmodel import Field, Relationship, SQLModel


class SmTeam(SQLModel, table=True):
    __tablename__ = "sm_teams"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    headquarters: str = Field(max_length=80)
    heroes: list["SmHero"] = Relationship(back_populates="team")


class SmHero(SQLModel, table=True):
    __tablename__ = "sm_heroes"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, index=True)
    secret_name: str = Field(max_length=50, unique=True)
    age: int | None = Field(default=None, ge=16, le=120)
    power: int = Field(ge=1, le=10)
    fee: Decimal = Field(max_digits=6, decimal_places=2, ge=0)
    token: uuid.UUID = Field(default_factory=uuid.uuid4)
    joined_at: datetime.datetime = Field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC)
    )
    team_id: int | None = Field(default=None, foreign_key="sm_teams.id")
    team: SmTeam | None = Relationship(back_populates="heroes")


class SmHeroPublic(SQLModel):
    """A response model: no table."""

    id: int
    name: str
