"""Inference rules: values valid for what the column holds, constraints honoured, flags raised."""

from __future__ import annotations

import datetime
import re
import string
from decimal import Decimal

import factory
import factory.random
import pytest

from fixturekit.errors import UnsatisfiableColumn
from fixturekit.infer import infer_column
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.model import (
    Check,
    Column,
    ColumnType,
    Kind,
    PythonRef,
    Schema,
    Table,
    Unique,
)

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def col(name, kind=Kind.STRING, length=None, nullable=False, **type_facets):
    return Column(name, ColumnType(kind, length=length, **type_facets), nullable=nullable)


def values_of(column, table=None, count=200, unique=None):
    """Values from the runtime declaration, the way a factory evaluates it."""
    plan = infer_column(column, table, unique=unique)
    assert plan.strategy is not None, plan.reason
    attrs = {column.key: plan.strategy.declaration()}
    dict_factory = type("F", (factory.DictFactory,), attrs)
    factory.random.reseed_random(7)
    return [row[column.key] for row in dict_factory.build_batch(count)], plan


def rows_of(table, count=200):
    schema = Schema({table.key: table})
    plan = plan_schema(schema).table(table.key)
    attrs = {f.attribute: f.strategy.declaration() for f in plan.fields if f.strategy}
    dict_factory = type("F", (factory.DictFactory,), attrs)
    factory.random.reseed_random(11)
    return dict_factory.build_batch(count), plan


def iban_is_valid(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def test_email_is_a_valid_address():
    values, plan = values_of(col("email", length=120))
    assert all(EMAIL.match(v) and len(v) <= 120 for v in values)
    assert "email" in plan.reason and not plan.flags


def test_unique_emails_do_not_collide_in_ten_thousand():
    values, _ = values_of(col("email", length=60), unique=True, count=10_000)
    assert len({v.lower() for v in values}) == 10_000
    assert all(EMAIL.match(v) and len(v) <= 60 for v in values)


def test_iban_is_mod97_valid():
    values, _ = values_of(col("iban", length=34))
    assert all(iban_is_valid(v) for v in values)


def test_country_and_currency_codes_are_upper_iso_codes():
    countries, _ = values_of(col("country_code", length=2))
    assert all(len(v) == 2 and v.isupper() and v.isalpha() for v in countries)
    alpha3, _ = values_of(col("country", length=3))
    assert all(len(v) == 3 and v.isupper() for v in alpha3)
    currencies, _ = values_of(col("currency", length=3))
    assert all(len(v) == 3 and v.isupper() for v in currencies)


def test_slug_and_digest_shapes():
    slugs, _ = values_of(col("slug", length=50), unique=True)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", v) for v in slugs)
    digests, _ = values_of(col("sha256", length=64))
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in digests)


def test_string_length_is_respected_and_short_codes_have_that_many_characters():
    codes, _ = values_of(col("iso_code", length=3))
    assert all(len(v) == 3 for v in codes)
    names, _ = values_of(col("first_name", length=4))
    assert all(len(v) <= 4 for v in names)


def test_numeric_fits_precision_and_scale():
    values, _ = values_of(col("price", Kind.NUMERIC, precision=5, scale=2))
    assert all(isinstance(v, Decimal) and abs(v) <= Decimal("999.99") for v in values)
    assert all(v.as_tuple().exponent == -2 for v in values)
    tiny, _ = values_of(col("ratio", Kind.NUMERIC, precision=3, scale=2))
    assert all(abs(v) <= Decimal("9.99") for v in tiny)


def test_enum_python_and_string():
    labels, _ = values_of(col("status", Kind.ENUM, enum_values=("draft", "paid")))
    assert set(labels) <= {"draft", "paid"}
    python_enum = col(
        "plan",
        Kind.ENUM,
        enum_values=("FREE", "PRO"),
        enum_class=PythonRef("enum", "Enum"),
        enum_members=("FREE", "PRO"),
    )
    plan = infer_column(python_enum)
    assert "list(Enum)" in plan.strategy.source()


def test_updated_at_is_later_than_created_at():
    table = Table(
        "posts",
        [
            Column(
                "id", ColumnType(Kind.INTEGER), nullable=False, primary_key=True, autoincrement=True
            ),
            col("created_at", Kind.DATETIME, timezone=True),
            col("updated_at", Kind.DATETIME, timezone=True),
        ],
    )
    rows, _ = rows_of(table)
    assert all(r["updated_at"] >= r["created_at"] for r in rows)
    assert all(r["created_at"].tzinfo is not None for r in rows)


CHECKS = [
    ("qty > 0", "qty", Kind.INTEGER, lambda v: v > 0),
    ("score >= 10 AND score <= 20", "score", Kind.INTEGER, lambda v: 10 <= v <= 20),
    ("level BETWEEN 3 AND 7", "level", Kind.SMALLINT, lambda v: 3 <= v <= 7),
    ("color IN ('red', 'green')", "color", Kind.STRING, lambda v: v in ("red", "green")),
    ("char_length(pin) = 4", "pin", Kind.STRING, lambda v: len(v) == 4),
    ("handle = lower(handle)", "handle", Kind.STRING, lambda v: v == v.lower()),
    (
        "code ~ '^[A-Z]{3}-[0-9]{4}$'",
        "code",
        Kind.STRING,
        lambda v: re.fullmatch(r"[A-Z]{3}-[0-9]{4}", v),
    ),
    ("ref LIKE 'INV-%'", "ref", Kind.STRING, lambda v: v.startswith("INV-")),
    (
        "rate IS NULL OR (rate > 0 AND rate < 1)",
        "rate",
        Kind.NUMERIC,
        lambda v: v is None or 0 < v < 1,
    ),
    ("amount > 0.5", "amount", Kind.NUMERIC, lambda v: v > Decimal("0.5")),
]


@pytest.mark.parametrize(("sql", "name", "kind", "holds"), CHECKS, ids=[c[0] for c in CHECKS])
def test_check_constraints_are_satisfied(sql, name, kind, holds):
    facets = {"precision": 6, "scale": 3} if kind is Kind.NUMERIC else {}
    column = col(name, kind, length=40 if kind is Kind.STRING else None, **facets)
    table = Table("t", [column], checks=[Check(sql)])
    values, plan = values_of(column, table)
    assert all(holds(v) for v in values), (sql, values[:5])
    assert not plan.flags


def test_column_comparisons_and_not_equal():
    table = Table(
        "bookings",
        [
            col("starts_on", Kind.DATE),
            col("ends_on", Kind.DATE),
            col("low", Kind.INTEGER),
            col("high", Kind.INTEGER),
            col("origin", length=3),
            col("destination", length=3),
        ],
        checks=[Check("ends_on > starts_on"), Check("high >= low"), Check("origin <> destination")],
    )
    rows, _ = rows_of(table, 300)
    assert all(r["ends_on"] > r["starts_on"] for r in rows)
    assert all(r["high"] >= r["low"] for r in rows)
    assert all(r["origin"] != r["destination"] for r in rows)


def test_not_null_always_gets_a_value_and_nullable_gets_values_too():
    table = Table("t", [col("nickname", length=30, nullable=True), col("bio", Kind.TEXT)])
    rows, _ = rows_of(table)
    assert all(r["nickname"] and r["bio"] for r in rows)


def test_fall_through_is_flagged_but_type_valid():
    values, plan = values_of(col("zork", length=8))
    assert plan.flags and "no rule" in plan.flags[0]
    assert all(isinstance(v, str) and len(v) <= 8 for v in values)


def test_unparsed_check_is_flagged_on_the_table():
    table = Table(
        "t", [col("a", Kind.INTEGER), col("b", Kind.INTEGER)], checks=[Check("a * 2 < b + 7")]
    )
    _, plan = rows_of(table)
    assert any("CHECK not understood" in flag for flag in plan.flags)


def test_unsatisfiable_constraints_are_an_error_naming_the_column():
    column = col("qty", Kind.SMALLINT)
    table = Table("items", [column], checks=[Check("qty > 40000")])
    with pytest.raises(UnsatisfiableColumn, match=r"items\.qty"):
        infer_column(column, table)


def test_an_unknown_not_null_type_gets_flagged_text_instead_of_an_error():
    unknown = Column("shape", ColumnType(Kind.UNKNOWN, sql="GEOMETRY"), nullable=False)
    plan = infer_column(unknown, Table("maps", [unknown]))
    assert isinstance(plan.strategy.one(), str) and plan.strategy.one()
    assert any("GEOMETRY" in flag and "override" in flag for flag in plan.flags)


def test_composite_unique_without_foreign_keys_gets_a_unique_member():
    table = Table(
        "stores",
        [col("chain", length=20), col("branch", Kind.INTEGER)],
        uniques=[Unique(("chain", "branch"))],
    )
    rows, plan = rows_of(table, 5000)
    assert len({(r["chain"], r["branch"]) for r in rows}) == 5000
    assert not plan.flags


def test_every_value_strategy_renders_the_same_source_at_run_time():
    # the runtime declaration is built from the generated source, so both produce equal values
    for name, kind, facets in [
        ("email", Kind.STRING, {"length": 50}),
        ("price", Kind.NUMERIC, {"precision": 5, "scale": 2}),
        ("born_on", Kind.DATE, {}),
        ("tags", Kind.ARRAY, {"item": ColumnType(Kind.STRING, length=10)}),
    ]:
        plan = infer_column(col(name, kind, **facets))
        namespace = plan.strategy.namespace()
        from_source = eval(compile(plan.strategy.source(), "<test>", "eval"), namespace)
        one = type("A", (factory.DictFactory,), {"v": from_source})
        two = type("B", (factory.DictFactory,), {"v": plan.strategy.declaration()})
        factory.random.reseed_random(3)
        first = one.build_batch(20)
        factory.random.reseed_random(3)
        assert first == two.build_batch(20)


def test_dates_are_recent_and_birth_dates_adult():
    values, _ = values_of(col("birth_date", Kind.DATE))
    today = datetime.date.today()
    assert all(17 <= (today - v).days / 365.25 <= 91 for v in values)
    assert all(set(str(v)) <= set(string.digits + "-") for v in values)


def test_columns_named_like_keywords_or_with_spaces_are_declared_and_renamed(sqlite_url):
    from sqlalchemy import Column as SAColumn
    from sqlalchemy import Integer, MetaData, String, create_engine, select
    from sqlalchemy import Table as SATable
    from sqlalchemy.orm import Session

    from fixturekit import factory_for

    metadata = MetaData()
    legacy = SATable(
        "legacy rows",
        metadata,
        SAColumn("id", Integer, primary_key=True),
        SAColumn("class", String(20), nullable=False),
        SAColumn("Unit Price", Integer, nullable=False),
        SAColumn("_hidden", String(10), nullable=False),
    )
    engine = create_engine(sqlite_url)
    metadata.create_all(engine)
    with Session(engine) as session:
        legacy_factory = factory_for(legacy, session=session)
        row = legacy_factory.create()
        assert row.id and row.__dict__["class"] and row.__dict__["Unit Price"] is not None
        legacy_factory.create_batch(50)
        stored = session.execute(select(legacy.c["class"], legacy.c["_hidden"])).all()
        assert len(stored) == 51 and all(r[0] and r[1] for r in stored)


def test_integer_choices_pick_a_declared_value():
    values, plan = values_of(col("status", Kind.SMALLINT, enum_values=(1, 2, 3)))
    assert set(values) <= {1, 2, 3} and not plan.flags


def test_generic_reference_id_is_flagged():
    from fixturekit.schema.model import RelationKind, Relationship

    table = Table(
        "comments",
        [
            col("content_type_id", Kind.INTEGER),
            col("object_id", Kind.INTEGER),
            col("body", Kind.TEXT),
        ],
        relationships=[
            Relationship(
                "target",
                RelationKind.GENERIC,
                "django_content_type",
                local_columns=("content_type_id", "object_id"),
                viewonly=True,
            )
        ],
    )
    _, plan = rows_of(table, 5)
    assert any("generic reference target" in flag for flag in plan.field("object_id").flags)


def test_small_natural_keys_are_shared_instead_of_running_out(sqlite_url):
    from sqlalchemy import Column as SAColumn
    from sqlalchemy import ForeignKey, Integer, String, create_engine, func, select
    from sqlalchemy.orm import DeclarativeBase, Session

    from fixturekit import factory_for

    class Base(DeclarativeBase):
        pass

    class Country(Base):
        __tablename__ = "countries"
        code = SAColumn(String(2), primary_key=True)
        name = SAColumn(String(60), nullable=False)

    class City(Base):
        __tablename__ = "cities"
        id = SAColumn(Integer, primary_key=True)
        country_code = SAColumn(ForeignKey("countries.code"), nullable=False)
        name = SAColumn(String(60), nullable=False)

    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        city_factory = factory_for(City, session=session)
        city_factory.create_batch(2000)  # more cities than there are two-character codes
        assert session.scalar(select(func.count()).select_from(City)) == 2000
        countries = session.scalar(select(func.count()).select_from(Country))
        assert 0 < countries <= 36**2


def test_a_column_placed_after_another_stays_within_its_own_bounds():
    table = Table(
        "prices",
        [
            col("min_price", Kind.NUMERIC, precision=5, scale=2),
            col("max_price", Kind.NUMERIC, precision=5, scale=2),
            col("low", Kind.SMALLINT),
            col("high", Kind.SMALLINT),
            col("created_at", Kind.DATETIME, timezone=True),
            col("updated_at", Kind.DATETIME, timezone=True),
        ],
        checks=[
            Check("min_price BETWEEN 990 AND 999.99"),
            Check("low BETWEEN 1 AND 10"),
            Check("high <= 10"),
            Check("high >= low"),
        ],
    )
    rows, _ = rows_of(table, 500)
    now = datetime.datetime.now(datetime.UTC)
    assert all(r["min_price"] <= r["max_price"] <= Decimal("999.99") for r in rows)
    assert all(r["low"] <= r["high"] <= 10 for r in rows)
    assert all(r["created_at"] <= r["updated_at"] <= now for r in rows)


def test_an_unbreakable_cycle_still_gets_factories_with_the_key_flagged():
    from fixturekit.schema.model import ForeignKey

    def table(name, other):
        return Table(
            name,
            [
                Column(
                    "id",
                    ColumnType(Kind.INTEGER),
                    nullable=False,
                    primary_key=True,
                    autoincrement=True,
                ),
                col(f"{other}_id", Kind.INTEGER),
            ],
            primary_key=("id",),
            foreign_keys=[ForeignKey((f"{other}_id",), other, ("id",))],
        )

    schema = Schema({"store": table("store", "staff"), "staff": table("staff", "store")})
    plan = plan_schema(schema)
    links = [link for t in plan for link in t.parents]
    assert sum(link.empty for link in links) == 1
    assert any("no nullable or deferrable key" in flag for link in links for flag in link.flags)


def test_check_bounded_timestamps_and_country_names():
    table = Table(
        "payments",
        [col("paid_at", Kind.DATETIME), col("country", length=60)],
        checks=[
            Check(
                "paid_at >= '2015-01-01 00:00:00'::timestamp without time zone "
                "AND paid_at < '2015-02-01 00:00:00'::timestamp without time zone"
            )
        ],
    )
    rows, plan = rows_of(table)
    assert all(
        datetime.datetime(2015, 1, 1) <= r["paid_at"] <= datetime.datetime(2015, 2, 1) for r in rows
    )
    assert all(r["country"] and len(r["country"]) <= 60 for r in rows)
    assert not plan.flagged_fields


def test_names_of_products_and_departments_look_like_a_shop():
    products, plan = values_of(
        col("name", length=120), Table("products", [col("name", length=120)])
    )
    assert all(len(v.split()) >= 3 for v in products) and "product" in plan.reason
    departments, _ = values_of(
        col("name", length=40), Table("categories", [col("name", length=40)])
    )
    assert all(v[0].isupper() and " " not in v for v in departments)


def test_fixturekit_providers_render_in_bulk_too():
    from fixturekit.infer import strategies as st
    from fixturekit.values.bulk import BulkContext, bulk_values

    strategy = st.FakerValue("product_name", max_length=60)
    ctx = BulkContext(column=col("name", length=60))
    values = [str(v) for v in bulk_values(strategy, 200, ctx)]
    assert len(values) == 200 and all(len(v.split()) >= 3 and len(v) <= 60 for v in values)
