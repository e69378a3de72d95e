"""CHECK parsing: SQL as declared, as SQLAlchemy compiles it, and as live databases reflect it."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    and_,
    create_engine,
    func,
    or_,
    text,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite

from fixturekit.schema.checks import parse_check
from fixturekit.schema.model import Check
from fixturekit.schema.predicates import (
    ColumnCompare,
    Compare,
    InSet,
    JsonValid,
    Length,
    LetterCase,
    NotNull,
    NullOr,
    ParsedCheck,
    Pattern,
    predicate_columns,
)


def gt(column, value):
    return Compare(column, ">", value)


def ge(column, value):
    return Compare(column, ">=", value)


def lt(column, value):
    return Compare(column, "<", value)


def le(column, value):
    return Compare(column, "<=", value)


def ne(column, value):
    return Compare(column, "<>", value)


def eq(column, value):
    return Compare(column, "=", value)


PARSED = [
    # comparisons with literals, both orders
    ("price > 0", [gt("price", 0)]),
    ("0 < price", [gt("price", 0)]),
    ("100 >= qty", [le("qty", 100)]),
    ("qty >= 1 AND qty <= 10", [ge("qty", 1), le("qty", 10)]),
    ("price >= 0.5", [ge("price", Decimal("0.5"))]),
    ("price > -1.5", [gt("price", Decimal("-1.5"))]),
    ("qty > - 5", [gt("qty", -5)]),
    ("qty <> -1", [ne("qty", -1)]),
    ("status != 'void'", [ne("status", "void")]),
    ("status = 'it''s'", [eq("status", "it's")]),
    ("note = E'it\\'s\\tok'", [eq("note", "it's\tok")]),
    ("flag = TRUE AND other = false", [eq("flag", True), eq("other", False)]),
    ("born >= '2020-01-01'", [ge("born", "2020-01-01")]),
    ("born >= DATE '2020-01-01'", [ge("born", "2020-01-01")]),
    ("qty == 3", [eq("qty", 3)]),
    ("ratio < 1e3", [lt("ratio", Decimal("1e3"))]),
    # BETWEEN
    ("qty BETWEEN 1 AND 100", [ge("qty", 1), le("qty", 100)]),
    ("qty between -5 and 5 and price > 0", [ge("qty", -5), le("qty", 5), gt("price", 0)]),
    (
        "x BETWEEN 0.5 AND 1 AND y BETWEEN 2 AND 3",
        [ge("x", Decimal("0.5")), le("x", 1), ge("y", 2), le("y", 3)],
    ),
    # sets
    ("status IN ('draft', 'paid')", [InSet("status", ("draft", "paid"))]),
    ("status NOT IN ('x', 'y')", [InSet("status", ("x", "y"), negated=True)]),
    ("flag IN (0, 1)", [InSet("flag", (0, 1))]),
    ("level IN (1, -2, NULL)", [InSet("level", (1, -2, None))]),
    ("status IN ('only')", [InSet("status", ("only",))]),
    ("status = ANY (ARRAY['a', 'b'])", [InSet("status", ("a", "b"))]),
    ("kind <> ALL (ARRAY['a', 'b'])", [InSet("kind", ("a", "b"), negated=True)]),
    ("NOT (status IN ('x'))", [InSet("status", ("x",), negated=True)]),
    # columns against columns
    ("ends_at > starts_at", [ColumnCompare("ends_at", ">", "starts_at")]),
    ("max_price >= min_price", [ColumnCompare("max_price", ">=", "min_price")]),
    ("a <> b", [ColumnCompare("a", "<>", "b")]),
    ("a != b", [ColumnCompare("a", "<>", "b")]),
    # lengths
    ("char_length(code) = 2", [Length("code", "=", 2)]),
    ("length(code) <= 10", [Length("code", "<=", 10)]),
    ("CHARACTER_LENGTH(code) > 0", [Length("code", ">", 0)]),
    ("len(code) <> 0", [Length("code", "<>", 0)]),
    ("3 <= char_length(code)", [Length("code", ">=", 3)]),
    ("length(code) BETWEEN 2 AND 5", [Length("code", ">=", 2), Length("code", "<=", 5)]),
    # letter case
    ("code = upper(code)", [LetterCase("code", "upper")]),
    ("lower(slug) = slug", [LetterCase("slug", "lower")]),
    ("`s` = lcase(`s`) AND `t` = UCASE(`t`)", [LetterCase("s", "lower"), LetterCase("t", "upper")]),
    # regular expressions
    ("code ~ '^[A-Z]{2}$'", [Pattern("code", "^[A-Z]{2}$", source="~ '^[A-Z]{2}$'")]),
    ("email ~* '^[^@]+@'", [Pattern("email", "(?i)^[^@]+@.*$", source="~* '^[^@]+@'")]),
    ("note !~ 'spam'", [Pattern("note", "^.*spam.*$", True, "!~ 'spam'")]),
    ("note !~* 'x$'", [Pattern("note", "(?i)^.*x$", True, "!~* 'x$'")]),
    ("code ~ '^\\d+$'", [Pattern("code", "^\\d+$", source="~ '^\\d+$'")]),
    ("code ~ 'a|b'", [Pattern("code", "^.*(?:a|b).*$", source="~ 'a|b'")]),
    ("code ~ '^(a|b)$'", [Pattern("code", "^(a|b)$", source="~ '^(a|b)$'")]),
    ("code ~ '^a\\$'", [Pattern("code", "^a\\$.*$", source="~ '^a\\$'")]),
    ("code ~ '^[[:alpha:]]+$'", [Pattern("code", "^[a-zA-Z]+$", source="~ '^[[:alpha:]]+$'")]),
    ("code REGEXP '^[a-z]+$'", [Pattern("code", "^[a-z]+$", source="REGEXP '^[a-z]+$'")]),
    ("code RLIKE '^a'", [Pattern("code", "^a.*$", source="RLIKE '^a'")]),
    ("code NOT REGEXP 'z'", [Pattern("code", "^.*z.*$", True, "NOT REGEXP 'z'")]),
    ("regexp_like(code, '^a')", [Pattern("code", "^a.*$", source="regexp_like(code, '^a')")]),
    (
        "REGEXP_LIKE(code, '^a$', 'i')",
        [Pattern("code", "(?i)^a$", source="REGEXP_LIKE(code, '^a$', 'i')")],
    ),
    ("email <regexp> '^a'", [Pattern("email", "^a.*$", source="<regexp> '^a'")]),
    # LIKE and GLOB
    ("slug LIKE 'ab%'", [Pattern("slug", "^ab.*$", source="LIKE 'ab%'")]),
    ("slug like 'a_c'", [Pattern("slug", "^a.c$", source="like 'a_c'")]),
    ("note NOT LIKE '%spam%'", [Pattern("note", "^.*spam.*$", True, "NOT LIKE '%spam%'")]),
    ("slug LIKE 'a.b%'", [Pattern("slug", "^a\\.b.*$", source="LIKE 'a.b%'")]),
    ("slug LIKE '100\\%'", [Pattern("slug", "^100%$", source="LIKE '100\\%'")]),
    ("slug LIKE '1!_%' ESCAPE '!'", [Pattern("slug", "^1_.*$", source="LIKE '1!_%' ESCAPE '!'")]),
    ("slug ILIKE 'a%'", [Pattern("slug", "(?i)^a.*$", source="ILIKE 'a%'")]),
    ("lower(slug) LIKE lower('a%')", [Pattern("slug", "(?i)^a.*$", source="LIKE lower('a%')")]),
    ("code GLOB '[A-Z]*'", [Pattern("code", "^[A-Z].*$", source="GLOB '[A-Z]*'")]),
    ("code GLOB '?[^0-9]x.y'", [Pattern("code", "^.[^0-9]x\\.y$", source="GLOB '?[^0-9]x.y'")]),
    ("code NOT GLOB '*[]]*'", [Pattern("code", "^.*[\\]].*$", True, "NOT GLOB '*[]]*'")]),
    # NULL handling
    ("email IS NOT NULL", [NotNull("email")]),
    ("NOT (email IS NULL)", [NotNull("email")]),
    # A bare boolean column: `CHECK (is_active)`, Django's `WHERE "is_primary"`.
    ("is_active", [Compare("is_active", "=", True)]),
    ('"is_primary"', [Compare("is_primary", "=", True)]),
    ("NOT archived", [Compare("archived", "=", False)]),
    ("email NOTNULL", [NotNull("email")]),
    ("discount IS NULL OR discount >= 0", [NullOr("discount", ge("discount", 0))]),
    ("discount >= 0 OR discount IS NULL", [NullOr("discount", ge("discount", 0))]),
    (
        "discount IS NULL OR (discount > 0 AND discount < 10)",
        [NullOr("discount", gt("discount", 0)), NullOr("discount", lt("discount", 10))],
    ),
    (
        "discount IS NULL OR discount > 0 AND discount < 10",
        [NullOr("discount", gt("discount", 0)), NullOr("discount", lt("discount", 10))],
    ),
    (
        "d IS NULL OR d BETWEEN 0 AND 100",
        [NullOr("d", ge("d", 0)), NullOr("d", le("d", 100))],
    ),
    ("code IS NULL OR code IN ('a')", [NullOr("code", InSet("code", ("a",)))]),
    (
        "ends_at IS NULL OR ends_at > starts_at",
        [NullOr("ends_at", ColumnCompare("ends_at", ">", "starts_at"))],
    ),
    ("code IS NULL OR char_length(code) = 2", [NullOr("code", Length("code", "=", 2))]),
    ("code IS NULL OR code ~ '^a'", [NullOr("code", Pattern("code", "^a.*$", source="~ '^a'"))]),
    ("data IS NULL OR json_valid(data)", [NullOr("data", JsonValid("data"))]),
    # parentheses, qualified and quoted names, the CHECK keyword
    ("((((price > 0))))", [gt("price", 0)]),
    ("(price > 0) AND ((qty > 0) AND (qty < 9))", [gt("price", 0), gt("qty", 0), lt("qty", 9)]),
    ("CHECK (price > 0)", [gt("price", 0)]),
    ("check ((price > 0))", [gt("price", 0)]),
    ("CONSTRAINT ck_price CHECK (price > 0)", [gt("price", 0)]),
    ('"orders"."total" > 0', [gt("total", 0)]),
    ("orders.total > 0", [gt("total", 0)]),
    ("public.orders.total > 0", [gt("total", 0)]),
    ('"Mixed Case" > 0 AND Upper > 0', [gt("Mixed Case", 0), gt("Upper", 0)]),
    ('"we""ird" > 0', [gt('we"ird', 0)]),
    ("`price` > 0", [gt("price", 0)]),
    ("CAST(code AS text) <> ''", [ne("code", "")]),
    ("cast(price as numeric(10, 2)) > 0", [gt("price", 0)]),
    ("code COLLATE \"C\" > 'a'", [gt("code", "a")]),
    ("price > 0 -- a comment", [gt("price", 0)]),
    ("price /* why */ > 0", [gt("price", 0)]),
    # SQLAlchemy literal_binds output
    ("products.price > 0", [gt("price", 0)]),
    ("char_length(products.code) = 3", [Length("code", "=", 3)]),
    ("(products.status NOT IN ('x', 'y'))", [InSet("status", ("x", "y"), negated=True)]),
    # PostgreSQL pg_get_constraintdef
    ("CHECK ((price > (0)::numeric))", [gt("price", 0)]),
    (
        "CHECK (((status)::text = ANY ((ARRAY['draft'::character varying, "
        "'paid'::character varying])::text[])))",
        [InSet("status", ("draft", "paid"))],
    ),
    ("CHECK ((char_length((code)::text) = 2))", [Length("code", "=", 2)]),
    (
        "CHECK (((email)::text ~* '^[^@]+@[^@]+$'::text))",
        [Pattern("email", "(?i)^[^@]+@[^@]+$", source="~* '^[^@]+@[^@]+$'::text")],
    ),
    ("CHECK ((ends_at > starts_at))", [ColumnCompare("ends_at", ">", "starts_at")]),
    (
        "CHECK (((discount IS NULL) OR ((discount >= (0)::numeric) AND "
        "(discount <= (100)::numeric))))",
        [NullOr("discount", ge("discount", 0)), NullOr("discount", le("discount", 100))],
    ),
    (
        "CHECK ((kind <> ALL (ARRAY['a'::text, 'b'::text])))",
        [InSet("kind", ("a", "b"), negated=True)],
    ),
    ("CHECK (((n >= '-5'::integer) AND (n <= 10)))", [ge("n", -5), le("n", 10)]),
    ("CHECK ((n < '3000000000'::bigint))", [lt("n", 3000000000)]),
    ("CHECK ((f > '-1.5'::numeric))", [gt("f", Decimal("-1.5"))]),
    ("CHECK ((f <> (2)::double precision))", [ne("f", 2)]),
    ("CHECK ((d >= '2020-01-01'::date))", [ge("d", "2020-01-01")]),
    (
        "CHECK ((t >= '2020-01-01 00:00:00'::timestamp without time zone))",
        [ge("t", "2020-01-01 00:00:00")],
    ),
    ("CHECK ((b = true))", [eq("b", True)]),
    ("CHECK (((code)::text = upper((code)::text)))", [LetterCase("code", "upper")]),
    ("CHECK (((code)::character varying(20) <> ''::character varying))", [ne("code", "")]),
    (
        "CHECK (((s ~~ 'ab%'::text) AND (s = lower(s)) AND (length(s) <= 10)))",
        [
            Pattern("s", "^ab.*$", source="~~ 'ab%'::text"),
            LetterCase("s", "lower"),
            Length("s", "<=", 10),
        ],
    ),
    (
        "CHECK ((((k)::text !~~ '%x%'::text) AND ((k)::text !~~* 'y'::text)))",
        [
            Pattern("k", "^.*x.*$", True, "!~~ '%x%'::text"),
            Pattern("k", "(?i)^y$", True, "!~~* 'y'::text"),
        ],
    ),
    ("CHECK (((0 < m) AND (m IS NOT NULL)))", [gt("m", 0), NotNull("m")]),
    ("CHECK ((price > (0)::numeric)) NOT VALID", [gt("price", 0)]),
    ("CHECK ((price > (0)::numeric)) NO INHERIT", [gt("price", 0)]),
    ("CHECK ((pg_catalog.lower(code) = code))", [LetterCase("code", "lower")]),
    # MariaDB information_schema.CHECK_CONSTRAINTS
    ("`price` > 0", [gt("price", 0)]),
    ("`status` in ('draft','paid')", [InSet("status", ("draft", "paid"))]),
    ("char_length(`code`) = 2", [Length("code", "=", 2)]),
    ("json_valid(`data`)", [JsonValid("data")]),
    (
        "`s` like 'it\\'s%' and `s` = lcase(`s`)",
        [Pattern("s", "^it's.*$", source="like 'it\\'s%'"), LetterCase("s", "lower")],
    ),
    ("`d` is null or `d` between 0 and 100", [NullOr("d", ge("d", 0)), NullOr("d", le("d", 100))]),
    (
        "`c` regexp '^\\\\d+$' and `c` like 'a\\\\_b%'",
        [
            Pattern("c", "^\\d+$", source="regexp '^\\\\d+$'"),
            Pattern("c", "^a_b.*$", source="like 'a\\\\_b%'"),
        ],
    ),
    ("`d` = 'a\\nb'", [eq("d", "a\nb")]),
    ("`e` between -1.5 and 2.25", [ge("e", Decimal("-1.5")), le("e", Decimal("2.25"))]),
    ("`b` in ('x',_utf8mb4'y')", [InSet("b", ("x", "y"))]),
    ("`a` < `b`", [ColumnCompare("a", "<", "b")]),
    # MySQL 8 escapes the quotes of introduced strings
    ("(`status` in (_utf8mb4\\'draft\\',_latin1\\'paid\\'))", [InSet("status", ("draft", "paid"))]),
    ("(`code` = _utf8mb4\\'C:\\\\\\\\x\\')", [eq("code", "C:\\x")]),
    (
        "regexp_like(`email`,_utf8mb4\\'^a\\')",
        [Pattern("email", "^a.*$", source="regexp_like(`email`,_utf8mb4\\'^a\\')")],
    ),
]


@pytest.mark.parametrize(("sql", "expected"), PARSED, ids=[sql for sql, _ in PARSED])
def test_parses(sql, expected):
    parsed = parse_check(sql)
    assert parsed.predicates == tuple(expected)
    assert parsed.unparsed == ()
    assert parsed.fully_parsed
    assert parsed.sql == sql
    assert parsed.columns == frozenset().union(*map(predicate_columns, expected))


PARTLY_PARSED = [
    ("a > 0 AND (b < 0 OR c < 0)", [gt("a", 0)], ["b < 0 OR c < 0"]),
    ("price * 2 > cost AND qty > 0", [gt("qty", 0)], ["price * 2 > cost"]),
    ("x NOT BETWEEN 1 AND 5 AND y > 0", [gt("y", 0)], ["x NOT BETWEEN 1 AND 5"]),
    (
        "CASE WHEN a > 0 AND b > 0 THEN true ELSE false END AND c > 0",
        [gt("c", 0)],
        ["CASE WHEN a > 0 AND b > 0 THEN true ELSE false END"],
    ),
    ("EXTRACT(year FROM d) > 2000 AND (qty > 0)", [gt("qty", 0)], ["EXTRACT(year FROM d) > 2000"]),
    (
        "`h` <> 'a' and `h` = convert(convert('a' using latin1) using utf8mb4)",
        [ne("h", "a")],
        ["`h` = convert(convert('a' using latin1) using utf8mb4)"],
    ),
    ("(d <= CURRENT_DATE) AND (d >= '2000-01-01')", [ge("d", "2000-01-01")], ["d <= CURRENT_DATE"]),
]


@pytest.mark.parametrize(("sql", "expected", "unparsed"), PARTLY_PARSED)
def test_reports_what_it_does_not_understand(sql, expected, unparsed):
    parsed = parse_check(sql)
    assert parsed.predicates == tuple(expected)
    assert parsed.unparsed == tuple(unparsed)
    assert not parsed.fully_parsed


NOT_PARSED = [
    "x NOT BETWEEN 1 AND 5",
    "CHECK (((j < 'a'::text) OR (j > 'c'::text)))",  # how PostgreSQL shows NOT BETWEEN
    "x IS NULL OR y > 0",
    "x IS NULL OR x > y * 2",
    "x IS NULL OR x > 0 OR x < -10",
    "a > 0 OR b > 0",
    "NOT (a > 0 AND b > 0)",
    "x IS NULL",
    "x = NULL",
    "1 = 1",
    "d <= now()",
    "d <= CURRENT_DATE",
    "char_length(x) IN (2, 3)",
    "char_length(x) = 2.5",
    "x = lower(y)",
    "lower(x) = upper(x)",
    "x LIKE y",
    "x IN (SELECT y FROM t)",
    "x IN (y, z)",
    "x = ANY ('{a,b}'::text[])",
    "x < ALL (ARRAY[1, 2])",
    "x SIMILAR TO 'a%'",
    "x ~ '(unclosed'",
    "x LIKE 'a' ESCAPE ''",
    "x IS DISTINCT FROM y",
    "jsonb_typeof(j) = 'object'",
    "tags @> ARRAY['a']",
    "x % 2 = 0",
    "-x > 0",
    "interval 'one day' > d",
]


@pytest.mark.parametrize("sql", NOT_PARSED)
def test_leaves_unknown_checks_unparsed(sql):
    assert parse_check(sql) == ParsedCheck(sql, (), (sql,), frozenset())


BROKEN = [
    "",
    "   ",
    "CHECK",
    "CHECK ()",
    "CHECK (price > 0",
    "(((",
    ")))",
    ") price > 0 (",
    "'unterminated",
    '"unterminated',
    "`unterminated",
    "x > ",
    "AND x > 0",
    "x > 0 AND",
    "x > 0 AND AND y > 0",
    "x IN (",
    "x IN (1,",
    "x BETWEEN 1",
    "x BETWEEN 1 OR 2",
    "x::",
    "CAST(x AS",
    "\\",
    "\\'x",
    "_utf8mb4\\'abc",
    "E'abc\\'",
    "x = 1 = 2",
    "x IS 5",
    "x NOT > 5",
    "x = ANY (",
    "ARRAY[1, 2",
    "(" * 3000 + "x > 0",
    "x = " + "(" * 3000 + "1" + ")" * 3000,
    "NOT " * 3000 + "x > 0",
    "x \x00 y",
]


@pytest.mark.parametrize("sql", BROKEN, ids=range(len(BROKEN)))
def test_never_raises_on_broken_sql(sql):
    assert parse_check(sql) == ParsedCheck(sql, (), (sql,), frozenset())


def test_deep_but_valid_nesting():
    assert parse_check("(" * 3000 + "x > 0" + ")" * 3000).predicates == (gt("x", 0),)


def test_never_raises_on_random_token_soup():
    fragments = (
        "x", "`y`", '"z"', "t.", "(", ")", "[", "]", ",", "::", "text", "'s'", "'", "\\'", "E'",
        "_utf8mb4'", "0", "-1", "1.5", " AND ", " OR ", " NOT ", " IS ", " NULL", " BETWEEN ",
        " IN ", " LIKE ", " ESCAPE ", " ANY ", " ALL ", "ARRAY[", "CAST(", " AS ", "=", "<>",
        ">", "~*", "!~~", "lower(", "char_length(", "json_valid(", "CHECK ", "CASE ", " END", "%",
    )  # fmt: skip
    rng = random.Random(20240601)
    for _ in range(3000):
        sql = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 14)))
        parsed = parse_check(sql)
        assert parsed.sql == sql
        assert all(part in sql for part in parsed.unparsed)
        assert parsed.predicates or parsed.unparsed


def test_check_model_uses_the_parser():
    check = Check("CHECK ((price > (0)::numeric))", name="ck_price")
    assert check.parsed.predicates == (gt("price", 0),)
    assert check.parsed.columns == {"price"}


# --- SQLAlchemy compilation -------------------------------------------------------------------

_products = Table(
    "products",
    MetaData(),
    Column("price", Numeric),
    Column("qty", Integer),
    Column("code", String(5)),
    Column("status", String(10)),
    Column("email", String(60)),
    Column("discount", Numeric),
    Column("starts_at", DateTime),
    Column("ends_at", DateTime),
    Column("born", Date),
)
_p = _products.c

SQLALCHEMY_EXPRESSIONS = [
    (_p.price > 0, [gt("price", 0)]),
    (_p.price >= Decimal("0.5"), [ge("price", Decimal("0.5"))]),
    (_p.qty != -5, [ne("qty", -5)]),
    (_p.qty.between(1, 10), [ge("qty", 1), le("qty", 10)]),
    (_p.status.in_(["a", "it's"]), [InSet("status", ("a", "it's"))]),
    (_p.status.not_in(["x", "y"]), [InSet("status", ("x", "y"), negated=True)]),
    (func.char_length(_p.code) == 3, [Length("code", "=", 3)]),
    (_p.code == func.upper(_p.code), [LetterCase("code", "upper")]),
    (_p.code.like("ab_"), [Pattern("code", "^ab.$")]),
    (_p.code.not_like("a_c"), [Pattern("code", "^a.c$", negated=True)]),
    (_p.email.regexp_match("^[a-z]+@"), [Pattern("email", "^[a-z]+@.*$")]),
    (_p.ends_at > _p.starts_at, [ColumnCompare("ends_at", ">", "starts_at")]),
    (_p.email.is_not(None), [NotNull("email")]),
    (
        or_(_p.discount.is_(None), and_(_p.discount >= 0, _p.discount <= 100)),
        [NullOr("discount", ge("discount", 0)), NullOr("discount", le("discount", 100))],
    ),
]


def _sourceless(predicates):
    def strip(predicate):
        if isinstance(predicate, Pattern):
            return replace(predicate, source="")
        if isinstance(predicate, NullOr):
            return replace(predicate, predicate=strip(predicate.predicate))
        return predicate

    return tuple(map(strip, predicates))


@pytest.mark.parametrize("dialect", [None, postgresql.dialect(), mysql.dialect(), sqlite.dialect()])
@pytest.mark.parametrize(("expression", "expected"), SQLALCHEMY_EXPRESSIONS)
def test_sqlalchemy_literal_binds(dialect, expression, expected):
    sql = str(
        CheckConstraint(expression).sqltext.compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
    )
    if dialect is not None and dialect.name != "sqlite":
        sql = sql.replace("%%", "%")  # pyformat drivers double percent signs
    parsed = parse_check(sql)
    assert parsed.fully_parsed, sql
    assert _sourceless(parsed.predicates) == tuple(expected), sql


# --- real databases -------------------------------------------------------------------------

COLUMNS = """
    price NUMERIC(8, 2), qty INTEGER, status VARCHAR(10), kind VARCHAR(10), code VARCHAR(5),
    slug VARCHAR(20), note VARCHAR(30), email VARCHAR(60), country CHAR(2),
    starts_at {timestamp}, ends_at {timestamp}, born DATE,
    min_price NUMERIC(8, 2), max_price NUMERIC(8, 2), discount NUMERIC(5, 2)
"""

PORTABLE = [
    ("price_positive", "price > 0", [gt("price", 0)]),
    ("price_flipped", "0 < price", [gt("price", 0)]),
    ("qty_between", "qty BETWEEN 1 AND 100", [ge("qty", 1), le("qty", 100)]),
    ("qty_bounds", "qty >= -5 AND qty <= 1000", [ge("qty", -5), le("qty", 1000)]),
    ("qty_not_minus_one", "qty <> -1", [ne("qty", -1)]),
    (
        "status_in",
        "status IN ('draft', 'paid', 'it''s')",
        [InSet("status", ("draft", "paid", "it's"))],
    ),
    ("kind_not_in", "kind NOT IN ('x', 'y')", [InSet("kind", ("x", "y"), negated=True)]),
    ("status_not_void", "status != 'void'", [ne("status", "void")]),
    ("code_upper", "code = upper(code)", [LetterCase("code", "upper")]),
    ("slug_lower", "lower(slug) = slug", [LetterCase("slug", "lower")]),
    ("slug_like", "slug LIKE 'ab%'", [Pattern("slug", "^ab.*$")]),
    ("note_not_like", "note NOT LIKE '%sp_m%'", [Pattern("note", "^.*sp.m.*$", negated=True)]),
    ("ends_after_starts", "ends_at > starts_at", [ColumnCompare("ends_at", ">", "starts_at")]),
    ("price_order", "max_price >= min_price", [ColumnCompare("max_price", ">=", "min_price")]),
    (
        "discount_range",
        "discount IS NULL OR (discount >= 0 AND discount <= 100)",
        [NullOr("discount", ge("discount", 0)), NullOr("discount", le("discount", 100))],
    ),
    (
        "min_price_range",
        "min_price IS NULL OR min_price BETWEEN 0 AND 99.5",
        [
            NullOr("min_price", ge("min_price", 0)),
            NullOr("min_price", le("min_price", Decimal("99.5"))),
        ],
    ),
    ("min_price_floor", "min_price > -1.5", [gt("min_price", Decimal("-1.5"))]),
    ("email_present", "email IS NOT NULL", [NotNull("email")]),
    ("born_after", "born >= '2000-01-01'", [ge("born", "2000-01-01")]),
    ("discount_cap", "discount < 99.99", [lt("discount", Decimal("99.99"))]),
]


def _assert_understood(reflected: dict[str, str], cases) -> None:
    assert set(reflected) == {name for name, _, _ in cases}
    for name, _, expected in cases:
        parsed = parse_check(reflected[name])
        assert parsed.fully_parsed, (name, reflected[name], parsed.unparsed)
        assert _sourceless(parsed.predicates) == tuple(expected), (name, reflected[name])


def _create(url, columns: str, cases, quote: str = '"') -> None:
    constraints = ", ".join(
        f"CONSTRAINT {quote}{name}{quote} CHECK ({sql})" for name, sql, _ in cases
    )
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE t ({columns}, {constraints})"))
    finally:
        engine.dispose()


POSTGRESQL = [
    *PORTABLE,
    ("country_length", "char_length(country) = 2", [Length("country", "=", 2)]),
    (
        "code_length",
        "length(code) BETWEEN 1 AND 5",
        [Length("code", ">=", 1), Length("code", "<=", 5)],
    ),
    ("email_regex", "email ~* '^[^@]+@[^@]+$'", [Pattern("email", "(?i)^[^@]+@[^@]+$")]),
    ("code_regex", "code ~ '^[A-Z]{2,5}$'", [Pattern("code", "^[A-Z]{2,5}$")]),
    ("note_not_regex", "note !~ 'spam'", [Pattern("note", "^.*spam.*$", negated=True)]),
    ("status_any", "status = ANY (ARRAY['draft', 'paid'])", [InSet("status", ("draft", "paid"))]),
    ("slug_ilike", "slug ILIKE 'a%'", [Pattern("slug", "(?i)^a.*$")]),
    ("code_cast", "CAST(code AS text) <> ''", [ne("code", "")]),
    ("qty_big", "qty < 3000000000", [lt("qty", 3000000000)]),
    ("note_escape", "note <> E'it\\'s'", [ne("note", "it's")]),
    ("not_between_parts", "NOT (qty < 0)", [ge("qty", 0)]),
]


def test_postgresql_reflected_checks(pg_url):
    _create(pg_url, COLUMNS.format(timestamp="TIMESTAMP"), POSTGRESQL)
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE contype = 'c' AND conrelid = 't'::regclass"
                )
            ).all()
    finally:
        engine.dispose()
    reflected = dict(rows)
    assert reflected["price_positive"] == "CHECK ((price > (0)::numeric))"
    _assert_understood(reflected, POSTGRESQL)


MARIADB = [
    *PORTABLE,
    ("country_length", "char_length(country) = 2", [Length("country", "=", 2)]),
    ("email_regex", "email REGEXP '^[^@]+@[^@]+$'", [Pattern("email", "^[^@]+@[^@]+$")]),
    ("code_rlike", "code RLIKE '^[A-Z]+$'", [Pattern("code", "^[A-Z]+$")]),
    ("note_digits", "note REGEXP '^\\\\d*$'", [Pattern("note", "^\\d*$")]),
    ("slug_quote", "slug LIKE 'it''s%'", [Pattern("slug", "^it's.*$")]),
    ("slug_escape", "slug NOT LIKE 'a\\\\_b%'", [Pattern("slug", "^a_b.*$", negated=True)]),
    ("kind_introducer", "kind IN (_utf8mb4'a', _latin1'b')", [InSet("kind", ("a", "b"))]),
    ("note_lcase", "note = lcase(note)", [LetterCase("note", "lower")]),
    ("data", None, [JsonValid("data")]),  # added by MariaDB for the JSON column
]


def test_mariadb_reflected_checks(mysql_url):
    declared = [case for case in MARIADB if case[1] is not None]
    columns = COLUMNS.format(timestamp="DATETIME") + ", data JSON"
    _create(mysql_url, columns, declared, quote="`")
    engine = create_engine(mysql_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT CONSTRAINT_NAME, CHECK_CLAUSE "
                    "FROM information_schema.CHECK_CONSTRAINTS "
                    "WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 't'"
                )
            ).all()
    finally:
        engine.dispose()
    reflected = dict(rows)
    assert reflected["price_positive"] == "`price` > 0"
    _assert_understood(reflected, MARIADB)


SQLITE = [
    *PORTABLE,
    ("country_length", "length(country) = 2", [Length("country", "=", 2)]),
    ("code_glob", "code GLOB '[A-Z][A-Z]*'", [Pattern("code", "^[A-Z][A-Z].*$")]),
    ("qualified", '"t"."qty" < 100000', [lt("qty", 100000)]),
    ("quoted", '("price") <= 1e6', [le("price", Decimal("1e6"))]),
    (
        "parenthesised",
        "((code IS NULL) OR (length(code) <= 5))",
        [NullOr("code", Length("code", "<=", 5))],
    ),
]


def _sqlite_checks(create_sql: str) -> dict[str, str]:
    """The `CHECK (...)` clauses of a CREATE TABLE by constraint name."""
    checks = {}
    for match in re.finditer(r'CONSTRAINT "(\w+)" (CHECK )\(', create_sql):
        depth, quoted = 0, False
        for end in range(match.end() - 1, len(create_sql)):
            char = create_sql[end]
            quoted ^= char == "'"
            if not quoted:
                depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                break
        checks[match.group(1)] = create_sql[match.start(2) : end + 1]
    return checks


def test_sqlite_declared_checks(sqlite_url):
    _create(sqlite_url, COLUMNS.format(timestamp="TIMESTAMP"), SQLITE)
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            create_sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 't'")
            ).scalar_one()
    finally:
        engine.dispose()
    reflected = _sqlite_checks(create_sql)
    assert reflected["price_positive"] == "CHECK (price > 0)"
    _assert_understood(reflected, SQLITE)
