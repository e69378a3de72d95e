"""SQLModel classes without table=True: data models only."""

from sqlmodel import SQLModel


class HeroCreate(SQLModel):
    name: str


class HeroRead(HeroCreate):
    id: int
