"""SQLModel table models, and the request model the API reads (no table)."""

from sqlmodel import Field, Relationship, SQLModel


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    headquarters: str = Field(max_length=80)
    heroes: list["Hero"] = Relationship(back_populates="team")


class HeroCreate(SQLModel):
    name: str = Field(max_length=50)
    secret_name: str = Field(max_length=50)
    age: int | None = Field(default=None, ge=16, le=120)
    team_id: int | None = None


class Hero(HeroCreate, table=True):
    id: int | None = Field(default=None, primary_key=True)
    secret_name: str = Field(max_length=50, unique=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    team: Team | None = Relationship(back_populates="heroes")
