"""A FastAPI app whose path operations get their session from a dependency, sync and async."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import Session, create_engine, select

from heroes.models import Hero, HeroCreate, Team

engine = create_engine("sqlite:///heroes.sqlite3")
async_engine = create_async_engine("sqlite+aiosqlite:///heroes.sqlite3")
app = FastAPI()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


async def get_async_session() -> AsyncIterator[AsyncSession]:
    async with AsyncSession(async_engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
AsyncSessionDep = Annotated[AsyncSession, Depends(get_async_session)]


@app.post("/heroes", status_code=201)
def create_hero(hero: HeroCreate, session: SessionDep) -> dict:
    row = Hero.model_validate(hero)
    session.add(row)
    session.commit()
    return {"id": row.id}


@app.get("/teams/{team_id}")
def show_team(team_id: int, session: SessionDep) -> dict:
    team = session.get(Team, team_id)
    if team is None:
        raise HTTPException(status_code=404)
    return {"name": team.name, "heroes": sorted(h.name for h in team.heroes)}


@app.post("/async/heroes", status_code=201)
async def create_hero_async(hero: HeroCreate, session: AsyncSessionDep) -> dict:
    row = Hero.model_validate(hero)
    session.add(row)
    await session.commit()
    await session.refresh(row)  # attributes expired by the commit cannot load lazily here
    return {"id": row.id}


@app.get("/async/heroes/count")
async def count_heroes(session: AsyncSessionDep) -> dict:
    return {"count": await session.scalar(select(func.count()).select_from(Hero))}
