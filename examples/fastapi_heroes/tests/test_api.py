"""API tests: requests commit through the overridden session; nothing outlives the test."""

from heroes.models import Hero
from sqlalchemy import func, select


def test_create_hero_commits_into_the_test_session(client, db_session):
    response = client.post("/heroes", json={"name": "Deadpond", "secret_name": "Dive Wilson"})
    assert response.status_code == 201
    assert db_session.get(Hero, response.json()["id"]).name == "Deadpond"


def test_nothing_left_from_the_previous_test(client, db_session):
    assert db_session.scalar(select(func.count()).select_from(Hero)) == 0
    response = client.post("/heroes", json={"name": "Deadpond", "secret_name": "Dive Wilson"})
    assert response.status_code == 201  # the same unique secret name: the last row is gone


def test_factory_rows_are_seen_by_the_api(client, team_factory, hero_factory):
    team = team_factory()
    hero_factory.create_batch(3, team=team)
    response = client.get(f"/teams/{team.id}")
    assert response.status_code == 200
    assert len(response.json()["heroes"]) == 3


async def test_async_path_operations_use_async_db_session(async_client, async_db_session):
    response = await async_client.post("/async/heroes", json={"name": "Rusty", "secret_name": "R"})
    assert response.status_code == 201
    assert (await async_client.get("/async/heroes/count")).json() == {"count": 1}
    hero = await async_db_session.get(Hero, response.json()["id"])
    assert hero.name == "Rusty"
