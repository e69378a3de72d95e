"""Django `create_batch` against a hand-written factory_boy DjangoModelFactory, same run.

    python benchmarks/django_batches.py [--rows 10000] [--baseline-rows 10000]
                                        [--pg-admin-url postgresql://postgres@127.0.0.1/postgres]
                                        [--no-postgresql] [--no-sqlite]

The chain of benchmarks/batches.py as Django models (benchmarks/django_bench_app): order lines
-> orders -> customers. For each database:

* fixturekit: the factories `fixturekit generate --django` writes for those models,
  `OrderLineFactory.create_batch(rows)`: every line gets its own order and every order its own
  customer, so 3 x rows rows are inserted (bulk values, parents in bulk, `bulk_create`);
* factory_boy: a hand-written `DjangoModelFactory` chain with the same Faker providers as
  benchmarks/batches.py's baseline, `create_batch(baseline_rows)` (one INSERT per row);
* bulk_create of pre-made instances: the floor for inserting through Django's ORM, with no
  value generation at all.

Speed is rows per second (all three tables counted); the ratios are the point. Each measurement
runs in `transaction.atomic()` rolled back afterwards. Django is configured once per process,
so each database runs in a child process of this script. PostgreSQL runs in a scratch database
created for the run and dropped at the end, SQLite in a temporary file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class _Rollback(Exception):
    pass


def _timed(work) -> float:
    """Seconds `work()` takes inside a transaction that is rolled back afterwards."""
    from django.db import transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            start = time.perf_counter()
            work()
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _hand_written():
    """The baseline: factory_boy as a project writes it, the same providers as batches.py."""
    import datetime as dt

    import factory
    import factory.fuzzy
    from django_bench_app.models import Customer, Order, OrderLine
    from factory.django import DjangoModelFactory

    class CustomerFB(DjangoModelFactory):
        class Meta:
            model = Customer

        email = factory.Sequence(
            lambda n: f"user{n}@{factory.Faker._get_faker().free_email_domain()}"
        )
        first_name = factory.Faker("first_name")
        last_name = factory.Faker("last_name")
        country_code = factory.Faker("country_code")
        created_at = factory.Faker("date_time_between", start_date="-2y", tzinfo=dt.UTC)

    class OrderFB(DjangoModelFactory):
        class Meta:
            model = Order

        number = factory.Sequence(lambda n: f"ORD-{n:08d}")
        status = factory.fuzzy.FuzzyChoice([s.value for s in Order.Status])
        placed_at = factory.Faker("date_time_between", start_date="-2y", tzinfo=dt.UTC)
        total = factory.Faker("pydecimal", left_digits=5, right_digits=2, positive=True)
        customer = factory.SubFactory(CustomerFB)

    class OrderLineFB(DjangoModelFactory):
        class Meta:
            model = OrderLine

        product_name = factory.Faker("sentence", nb_words=3)
        quantity = factory.fuzzy.FuzzyInteger(1, 99)
        unit_price = factory.Faker(
            "pydecimal", left_digits=4, right_digits=2, positive=True, min_value=1
        )
        order = factory.SubFactory(OrderFB)

    return OrderLineFB


def _generated(folder: str):
    from fixturekit.codegen.django import render_django_module
    from fixturekit.infer.tables import plan_schema
    from fixturekit.schema.django import read_django

    source = render_django_module(plan_schema(read_django(["django_bench_app"])))
    Path(folder, "bench_django_factories.py").write_text(source)
    sys.path.insert(0, folder)
    import bench_django_factories

    return bench_django_factories.OrderLineFactory


def _premade(rows: int) -> None:
    """bulk_create of instances a caller has ready: the ORM's floor."""
    import datetime as dt
    from decimal import Decimal

    from django_bench_app.models import Customer, Order, OrderLine

    now = dt.datetime.now(dt.UTC)
    tag = uuid.uuid4().hex[:6]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                email=f"user{i}@{tag}.example.org",
                first_name="Ada",
                last_name="Lovelace",
                country_code="GB",
                created_at=now,
            )
            for i in range(rows)
        ],
        batch_size=2000,
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"ORD-{tag}-{i}",
                customer=c,
                status="paid",
                placed_at=now,
                total=Decimal("12.50"),
            )
            for i, c in enumerate(customers)
        ],
        batch_size=2000,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=o, product_name="Blue mug", quantity=2, unit_price=Decimal("6.25"))
            for o in orders
        ],
        batch_size=2000,
    )


def child(label: str, rows: int, baseline_rows: int) -> dict[str, float]:
    """One database's measurements (Django set up by the caller's settings)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        generated = _generated(folder)
        hand = _hand_written()
        _timed(lambda: generated.create_batch(200))  # warm-up: inference, pools, caches
        _timed(lambda: hand.create_batch(50))

        def ours() -> None:
            made = generated.create_batch(rows)
            assert len(made) == rows and made[-1].pk and made[-1].order.customer.pk

        def theirs() -> None:
            made = hand.create_batch(baseline_rows)
            assert len(made) == baseline_rows and made[-1].pk

        results = {
            "fixturekit": 3 * rows / _timed(ours),
            "factory_boy": 3 * baseline_rows / _timed(theirs),
            "bulk_create": 3 * rows / _timed(lambda: _premade(rows)),
        }
    print(f"\n{label} (Django): create_batch({rows}) of order lines (+ orders, customers)")
    print(f"  fixturekit create_batch        {results['fixturekit']:>10,.0f} rows/s")
    print(
        f"  factory_boy per-row create     {results['factory_boy']:>10,.0f} rows/s"
        f"   ({baseline_rows} lines)"
    )
    print(f"  bulk_create (pre-made)         {results['bulk_create']:>10,.0f} rows/s")
    print(
        f"  fixturekit / factory_boy       {results['fixturekit'] / results['factory_boy']:>10.1f}x"
    )
    print(
        f"  fixturekit / bulk_create       {results['fixturekit'] / results['bulk_create']:>10.2f}x"
    )
    return results


def _run_child(env: dict[str, str], label: str, rows: int, baseline_rows: int) -> int:
    env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    code = (
        "import json, sys; from benchmarks_django_settings import configure; configure(); "
        "import django_batches; django_batches.child(*json.loads(sys.argv[1]))"
    )
    return subprocess.call(
        [sys.executable, "-c", code, json.dumps([label, rows, baseline_rows])], env=env, cwd=HERE
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=None)
    parser.add_argument("--pg-admin-url", default=PG_ADMIN)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    baseline_rows = args.baseline_rows or args.rows
    status = 0
    if not args.no_postgresql:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin_url = make_url(args.pg_admin_url)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"fkt_bench_djbatches_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            env = {
                "BENCH_DB_ENGINE": "postgresql",
                "BENCH_DB_NAME": name,
                "BENCH_DB_HOST": admin_url.host or "127.0.0.1",
                "BENCH_DB_PORT": str(admin_url.port or 5432),
                "BENCH_DB_USER": admin_url.username or "postgres",
            }
            status |= _run_child(env, "PostgreSQL", args.rows, baseline_rows)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            env = {"BENCH_DB_ENGINE": "sqlite", "BENCH_DB_NAME": str(Path(folder) / "b.sqlite3")}
            status |= _run_child(env, "SQLite file", args.rows, baseline_rows)
    return status


if __name__ == "__main__":
    sys.exit(main())
