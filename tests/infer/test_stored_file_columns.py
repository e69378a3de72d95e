"""Inference for columns that name a stored file: what factories give them, what seeding writes,
and the columns an ImageField fills itself. The rows these make are checked on PostgreSQL in
tests/django_files/test_django_stored_files.py."""

from __future__ import annotations

import datetime

import pytest

from fixturekit.infer.file_strategies import UploadedFile
from fixturekit.infer.rules import InferenceOptions, infer_column
from fixturekit.infer.strategies import IntRange, NullValue
from fixturekit.schema.model import Column, ColumnType, Kind, StoredFile, Table
from fixturekit.values.batch import draw
from fixturekit.values.bulk import BulkContext, BulkError, bulk_values


def _file_column(name="file", length=100, nullable=False, **spec) -> Column:
    return Column(
        name, ColumnType(Kind.STRING, length=length), nullable=nullable, file=StoredFile(**spec)
    )


def _photos() -> Table:
    integer = ColumnType(Kind.INTEGER)
    image = _file_column(image=True, folder="photos/%Y", width_field="w", height_field="h")
    columns = [image, Column("w", integer, nullable=False), Column("h", integer, nullable=False)]
    return Table("photo", columns)


def test_an_image_gets_an_image_that_django_stores():
    plan = infer_column(_file_column(image=True, folder="photos/%Y/%m"))
    assert plan.strategy == UploadedFile(
        image=True, extension="jpg", folder="photos/%Y/%m", max_length=100
    )
    assert plan.strategy.source() == (
        'factory.django.ImageField(filename=factory.Faker("file_name", extension="jpg"), '
        "width=320, height=240)"
    )
    assert "saved to the field's storage" in plan.reason and not plan.flags


def test_the_validator_chooses_the_extension_and_the_image_format():
    png = infer_column(_file_column(image=True, extensions=("png", "gif"))).strategy
    assert png.extension == "png" and png.source().endswith(', format="PNG")')
    pdf = infer_column(_file_column(extensions=("pdf",))).strategy
    assert pdf.source() == (
        'factory.django.FileField(filename=factory.Faker("file_name", extension="pdf"), '
        'data=b"A file written by a fixturekit factory.\\n")'
    )
    assert infer_column(_file_column()).strategy.suffix == "txt"


def test_a_declaration_is_factory_boys_own():
    import factory.django

    declaration = infer_column(_file_column(image=True)).strategy.declaration()
    assert type(declaration) is factory.django.ImageField


def test_an_upload_to_folder_that_leaves_no_room_is_flagged():
    column = _file_column(length=20, folder="documents/%Y/%m/%d")  # 19 characters of folder
    plan = infer_column(column)
    assert isinstance(plan.strategy, UploadedFile)
    assert plan.flags == (
        "upload_to 'documents/%Y/%m/%d' leaves no room for a file name within 20 characters: "
        "Django refuses to store the file",
    )
    # a callable's folder is the model's business: no flag
    assert not infer_column(_file_column(length=20, folder=None)).flags


def test_a_nullable_file_is_left_empty_when_configured():
    column = _file_column(nullable=True)
    plan = infer_column(column, options=InferenceOptions(nullable_empty=True))
    assert plan.strategy == NullValue()


def test_dimensions_are_left_to_django_in_factories_and_drawn_in_seeding():
    table = _photos()
    width = infer_column(table.columns[1], table)
    assert width.strategy is None
    assert width.reason == "the width of the image in file, read by Django"
    assert infer_column(table.columns[2], table).reason.startswith("the height")
    seeded = infer_column(table.columns[1], table, options=InferenceOptions(factory_object=False))
    assert isinstance(seeded.strategy, IntRange)


def test_seeding_writes_names_within_the_folder_and_the_column():
    strategy = UploadedFile(image=True, extension="jpg", folder="photos/%Y/%m/", max_length=24)
    column = _file_column(length=24)
    ctx = BulkContext(seed=7, table="photo", column=column, today=datetime.date(2026, 3, 4))
    names = bulk_values(strategy, 200, ctx).tolist()
    assert all(n.startswith("photos/2026/03/") and len(n) <= 24 for n in names)
    assert sum(n.endswith(".jpg") for n in names) > 150  # long ones are replaced or cut
    assert len(set(names)) > 50


def test_a_batch_writes_each_file_through_the_declaration():
    strategy = UploadedFile(image=True)
    with pytest.raises(BulkError):
        draw(strategy, _file_column(), 5, table="photo", first_sequence=0, seed=1, earlier={})
