"""One person per row: names, display name, login and email agree, in seeded rows (100%),
in factories and in Hypothesis strategies; unique values carry a number only where needed."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from seedhelp import create_schema
from sqlalchemy import String, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from examples.shop.models import User
from fixturekit.cli import _register, cli
from fixturekit.infer.tables import plan_schema
from fixturekit.runtime import factory_for
from fixturekit.schema.sqlalchemy import read_metadata
from fixturekit.strategies import objects
from fixturekit.values.people import split_full

ROOT = Path(__file__).resolve().parents[2]
SHOP = f"{ROOT / 'examples' / 'shop' / 'models.py'}:Base"


def login(first: str, last: str) -> str:
    def ascii_(s: str) -> str:
        folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z]", "", folded.lower())

    return f"{ascii_(first)}.{ascii_(last)}"


def coherent(first: str, last: str, username: str, email: str) -> bool:
    base = login(first, last)
    return (
        re.fullmatch(rf"{re.escape(base)}\d*", username) is not None
        and re.fullmatch(rf"{re.escape(base)}\d*@[a-z0-9.-]+", email) is not None
    )


def test_every_seeded_user_is_one_person(pg_url: URL):
    _register()
    create_schema(pg_url, SHOP)
    url = pg_url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli, ["seed", SHOP, "--url", url, "--rows", "users=5000", "-q"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT first_name, last_name, username, email FROM users")).all()
    engine.dispose()
    assert len(rows) == 5000
    bad = [r for r in rows if not coherent(*r)]
    assert not bad, bad[:5]
    # far below the pairs of names: no number anywhere
    assert not [r for r in rows if re.search(r"\d", r.username)]


def test_factories_draw_one_person_and_number_only_repeats():
    factory = factory_for(User)
    users = factory.build_batch(300)
    assert all(coherent(u.first_name, u.last_name, u.username, u.email) for u in users)
    assert len({u.username for u in users}) == 300
    twins = factory.build_batch(3, first_name="Jane", last_name="Doe")
    names = [u.username for u in twins]
    assert names[0].startswith("jane.doe") and len(set(names)) == 3
    # the first Jane Doe of the process may be plain; every repeat gets the next number
    assert sum(1 for n in names if not re.search(r"\d$", n)) <= 1


class _Base(DeclarativeBase):
    pass


class Member(_Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(40))
    login: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(60), unique=True)


def test_a_full_name_alone_anchors_the_person():
    plan = plan_schema(read_metadata(_Base.metadata, [Member])).table("members")
    reasons = {f.column.name: f.reason for f in plan.fields}
    assert "from full_name" in reasons["email"] and "from full_name" in reasons["display_name"]
    for member in factory_for(Member).build_batch(100):
        first, last = split_full(member.full_name)
        assert member.display_name == f"{first} {last[:1]}."[:40]
        local = member.email.split("@")[0].rstrip("0123456789")
        assert login(first, last).startswith(local) and member.login.startswith(local[:25])


@settings(max_examples=60, database=None, deadline=None)
@given(objects(User))
def test_hypothesis_users_are_one_person(user):
    assert coherent(user.first_name, user.last_name, user.username, user.email)
