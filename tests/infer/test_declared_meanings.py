"""Meanings a reader declares (Django field classes) reach a Faker provider that exists."""

from __future__ import annotations

import factory
import factory.random

from fixturekit.infer import infer_column
from fixturekit.schema.model import Column, ColumnType, Kind


def _values(column: Column, count: int = 50) -> list:
    plan = infer_column(column)
    assert plan.strategy is not None, plan.reason
    dict_factory = type("F", (factory.DictFactory,), {column.key: plan.strategy.declaration()})
    factory.random.reseed_random(3)
    return [row[column.key] for row in dict_factory.build_batch(count)]


def test_a_django_file_field_gets_a_relative_file_name_within_its_length():
    # django-filer's File.file (FileField, max_length=255) failed with "'Generator' object has
    # no attribute 'file'": the declared meaning named no Faker provider
    column = Column("file", ColumnType(Kind.STRING, length=40), nullable=False, semantic="file")
    values = _values(column)
    assert all(isinstance(v, str) and 0 < len(v) <= 40 for v in values)
    # relative: Django's storages refuse absolute paths (SuspiciousFileOperation, seen on wagtail)
    assert all("." in v and not v.startswith("/") for v in values)
