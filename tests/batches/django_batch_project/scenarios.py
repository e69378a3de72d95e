"""The child process of tests/batches/test_django_batches.py: Django set up once, on one database.

Generates the factories of batchapp (plus auth), runs each scenario inside an outer transaction
that is rolled back at the end (as pytest-django's `db` does), and prints one JSON object of
facts for the parent to assert on. Usage: python scenarios.py OUT_DIR
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

django.setup()

from django.contrib.auth import hashers  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import IntegrityError, connection, transaction  # noqa: E402

from fixturekit.codegen.django import render_django_module  # noqa: E402
from fixturekit.infer.tables import plan_schema  # noqa: E402
from fixturekit.schema.django import read_django  # noqa: E402

# The user's region: a LazyAttribute of their own, a post_generation hook, children, and a
# factory with its own _create.
CUSTOM = """
CREATED_BY_HAND = []


class CustomerFactory(CustomerFactory):
    last_name = factory.LazyAttribute(lambda o: o.first_name.upper())

    @factory.post_generation
    def greeted(obj, create, extracted, **kwargs):
        obj.first_name = f"Dear {obj.first_name}"


class OrderWithLinesFactory(OrderFactory):
    lines = factory.RelatedFactoryList(
        f"{__name__}.OrderLineFactory", factory_related_name="order", size=3
    )


class HandNoteFactory(NoteFactory):
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        CREATED_BY_HAND.append(1)
        return super()._create(model_class, *args, **kwargs)
"""


class Rollback(Exception):
    pass


def signature(obj: Any) -> dict[str, str]:
    """Each concrete field's Python type, as the object holds it."""
    return {
        f.attname: type(getattr(obj, f.attname)).__name__
        for f in obj._meta.concrete_fields
        if getattr(obj, f.attname) is not None
    }


def stored_equal(objs: list[Any]) -> bool:
    """What the objects hold is what the database stored."""
    for obj in objs:
        fresh = type(obj).objects.get(pk=obj.pk)
        for f in obj._meta.concrete_fields:
            if getattr(obj, f.attname) != getattr(fresh, f.attname):
                print(
                    f"{obj!r}.{f.attname}: {getattr(obj, f.attname)!r} stored as "
                    f"{getattr(fresh, f.attname)!r}",
                    file=sys.stderr,
                )
                return False
    return True


def valid(objs: list[Any]) -> bool:
    for obj in objs:
        obj.full_clean()  # field rules, choices, CHECK and unique constraints (Django 4.1+)
    return True


def scenarios(f: Any, m: Any) -> dict[str, Any]:
    r: dict[str, Any] = {}
    count = {k: getattr(m, k).objects.count for k in ("Customer", "Order", "OrderLine")}

    # Equivalence with the per-row path: same fields, same types, all rules hold.
    for name in ("CustomerFactory", "OrderFactory", "OrderLineFactory", "UserFactory"):
        factory_class = getattr(f, name)
        one = factory_class.create()
        batch = factory_class.create_batch(40)
        r[f"types_{name}"] = [signature(one), sorted({json.dumps(signature(o)) for o in batch})]
        r[f"valid_{name}"] = valid(batch) and stored_equal(batch)

    # Two levels of parents, one per row; keys populated, in creation order.
    before = [count["Customer"](), count["Order"](), count["OrderLine"]()]
    lines = f.OrderLineFactory.create_batch(200)
    after = [count["Customer"](), count["Order"](), count["OrderLine"]()]
    r["chain_added"] = [a - b for a, b in zip(after, before, strict=True)]
    r["chain_distinct_parents"] = [
        len({line.order_id for line in lines}),
        len({line.order.customer_id for line in lines}),
    ]
    pks = [line.pk for line in lines]
    r["keys"] = [None not in pks, pks == sorted(pks), len(set(pks)), type(pks[0]).__name__]
    r["keys_stored"] = m.OrderLine.objects.filter(pk__in=pks).count()

    # Overrides apply to every row, and reach into the parents.
    paid = f.OrderFactory.create_batch(30, status="paid", customer__tier="gold")
    r["override"] = sorted({(o.status, o.customer.tier) for o in paid})
    paid_pks = [o.pk for o in paid]
    r["override_stored"] = m.Order.objects.filter(pk__in=paid_pks, status="paid").count()
    # A parent passed in serves every row: no new orders or customers.
    order = f.OrderFactory.create()
    before = [count["Customer"](), count["Order"]()]
    mine = f.OrderLineFactory.create_batch(50, order=order)
    r["passed_parent"] = [
        sorted({line.order_id for line in mine}) == [order.pk],
        [count["Customer"]() - before[0], count["Order"]() - before[1]],
        order.lines.count(),
    ]

    # Sequences continue: create(), a batch, create() are consecutive.
    def number(o: Any) -> int:
        return int(o.code.rsplit("-", 1)[1])

    first = f.OrderFactory.create()
    middle = f.OrderFactory.create_batch(3)
    last = f.OrderFactory.create()
    r["sequence"] = [number(o) - number(first) for o in [*middle, last]]

    # Unique values hold against rows made before, by either path.
    singles = [f.CustomerFactory.create() for _ in range(20)]
    batch = f.CustomerFactory.create_batch(300)
    emails = [c.email for c in singles + batch]
    r["unique_emails"] = [len(emails), len(set(emails))]

    # django_get_or_create: an existing key is found, as the per-row path finds it.
    existing = singles[0]
    before = count["Customer"]()
    again = f.CustomerFactory.create_batch(3, email=existing.email)
    per_row = [f.CustomerFactory.create(email=existing.email) for _ in range(3)]
    r["get_or_create"] = [
        [c.pk for c in again],
        [c.pk for c in per_row],
        existing.pk,
        count["Customer"]() - before,
    ]
    new = f.CustomerFactory.create_batch(4, email="same.person@example.org")
    r["get_or_create_within"] = [len({c.pk for c in new}), count["Customer"]() - before]

    # A key the database compares differently (MariaDB's case-insensitive collation): the
    # batch finds what get_or_create finds.
    shouted = existing.email.upper()
    batch_pks = {c.pk for c in f.CustomerFactory.create_batch(2, email=shouted)}
    r["get_or_create_collation"] = [
        sorted(batch_pks),
        [f.CustomerFactory.create(email=shouted).pk],
        connection.vendor,
        existing.pk,
    ]

    # Renamed declarations: the model's own names work in a batch as in create().
    jobs = f.JobFactory.create_batch(3, _token="t0", create="made")
    one = f.JobFactory.create(_token="t0", create="made")
    r["renamed"] = [sorted({(j._token, j.create) for j in jobs}), [one._token, one.create]]

    # Wrong or unsaved parents fail as in create().
    wrong = []
    for parent in (f.CustomerFactory.create(), f.OrderFactory.build()):
        for make in (f.OrderLineFactory.create, f.OrderLineFactory.create_batch):
            args = (2,) if make == f.OrderLineFactory.create_batch else ()
            try:
                with transaction.atomic():
                    make(*args, order=parent)
                wrong.append(None)
            except Exception as exc:  # the class is what is compared
                wrong.append(type(exc).__name__)
    r["wrong_parent"] = wrong

    # Passwords: a caller's text is hashed, once for the whole batch.
    calls: list[int] = []
    original = hashers.make_password
    hashers.make_password = lambda *a, **k: calls.append(1) or original(*a, **k)
    try:
        users = f.UserFactory.create_batch(20, password="hunter2 batch")
    finally:
        hashers.make_password = original
    r["passwords"] = [all(u.check_password("hunter2 batch") for u in users), len(calls)]

    # A batch that breaks a rule fails as the per-row path does, and leaves nothing behind.
    before = [count["Customer"](), count["Order"]()]
    errors = []
    for make in (
        lambda: f.OrderFactory.create(total=Decimal("-1")),
        lambda: f.OrderFactory.create_batch(3, total=Decimal("-1")),
    ):
        try:
            with transaction.atomic():
                make()
            errors.append(None)
        except Exception as exc:  # the class is what is compared
            errors.append(type(exc).__name__)
    try:
        f.OrderFactory.create_batch(3, total=Decimal("-1"))  # no atomic of the caller's
        errors.append(None)
    except IntegrityError as exc:
        errors.append(type(exc).__name__)
    r["violation"] = [errors, [count["Customer"]() - before[0], count["Order"]() - before[1]]]
    usable = f.OrderFactory.create_batch(2)  # the connection is usable afterwards
    r["usable_after"] = len(usable)

    # build_batch: the same values, parents built, nothing saved.
    before = [count["Customer"](), count["Order"](), count["OrderLine"]()]
    built = f.OrderLineFactory.build_batch(10, quantity=3)
    r["build"] = [
        [a - b for a, b in zip([c() for c in count.values()], before, strict=True)],
        {b.pk for b in built} == {None},
        {b.order.pk for b in built} == {None},
        sorted({b.quantity for b in built}),
        sorted(signature(built[0])) == sorted(k for k in signature(lines[0]) if k[-2:] != "id"),
    ]

    # Fallbacks: each gives what the per-row path gives.
    notes = f.NoteFactory.create_batch(10)  # own save(): saved row by row
    r["save_override"] = all(n.length == len(n.body) and n.length > 0 for n in notes)
    r["save_override_stored"] = stored_equal(notes)
    places = m.Place.objects.count()
    restaurants = f.RestaurantFactory.create_batch(12)  # a multi-table child
    again = f.RestaurantFactory.create_batch(2, code=restaurants[0].code)  # inherited key
    r["multi_table"] = [
        None not in [x.pk for x in restaurants],
        m.Place.objects.count() - places,
        m.Restaurant.objects.filter(pk__in=[x.pk for x in restaurants]).count(),
        [x.pk for x in again] == [restaurants[0].pk] * 2,
    ]
    badges = f.BadgeFactory.create_batch(7)  # a queryset with its own bulk_create
    r["own_bulk_create"] = [m.CountingQuerySet.calls, None not in [b.pk for b in badges]]
    tags = f.TagFactory.create_batch(8)  # a pre_save receiver
    r["signal"] = all(t.slug == t.label.lower().replace(" ", "-")[:40] for t in tags)
    by_hand = len(f.CREATED_BY_HAND)
    hand = f.HandNoteFactory.create_batch(5)  # its own _create: the whole batch per row
    r["own_create"] = [len(f.CREATED_BY_HAND) - by_hand, len({n.pk for n in hand})]
    custom = f.CustomerFactory.create_batch(15)  # a LazyAttribute and a hook of the user's
    r["custom_lazy"] = all(
        c.last_name == c.first_name.removeprefix("Dear ").upper() for c in custom
    )
    r["custom_hook"] = all(c.first_name.startswith("Dear ") for c in custom) and all(
        m.Customer.objects.get(pk=c.pk).first_name == c.first_name for c in custom
    )
    before = count["OrderLine"]()
    with_lines = f.OrderWithLinesFactory.create_batch(10)
    r["children"] = [
        count["OrderLine"]() - before,
        sorted({o.lines.count() for o in with_lines}),
    ]

    # Keys assigned up front where the backend cannot return them.
    features = connection.features
    kind = type(features)  # a property on some backends: a subclass says False instead
    features.__class__ = type("NoBulkReturn", (kind,), {"can_return_rows_from_bulk_insert": False})
    try:
        up_front = f.OrderLineFactory.create_batch(25)
    finally:
        features.__class__ = kind
    after_up_front = f.OrderLineFactory.create()
    up_pks = [line.pk for line in up_front]
    r["keys_up_front"] = [
        None not in up_pks,
        m.OrderLine.objects.filter(pk__in=up_pks).count(),
        stored_equal(up_front),
        after_up_front.pk > max(up_pks),
    ]
    return r


def main() -> None:
    out_dir = sys.argv[1]
    call_command("migrate", run_syncdb=True, verbosity=0)
    schema = read_django(["batchapp", "auth", "contenttypes"])
    source = render_django_module(plan_schema(schema), custom=CUSTOM)
    Path(out_dir, "djbatch_factories.py").write_text(source)
    sys.path.insert(0, out_dir)
    import djbatch_factories
    from batchapp import models

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():  # the test's transaction, as pytest-django's `db` has it
            result = scenarios(djbatch_factories, models)
            raise Rollback
    except Rollback:
        pass
    result["left_behind"] = models.OrderLine.objects.count() + models.Customer.objects.count()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
