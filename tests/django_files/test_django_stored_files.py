"""FileField and ImageField columns name real files in the field's storage, on PostgreSQL.

`generate --django --verify` runs as a user runs it on tests/django_files/filesapp (an image
whose dimensions Django reads and whose save() opens it again, as wagtail's Image does; a
FileField with an upload_to callable and an extension validator; an image on another storage
with a short column). A child process then creates rows one at a time and in batches with the
file it wrote, and checks that every name is a file in its storage, within its upload_to and
its column, that images open with the dimensions the row holds, and what seeding writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from djangochild import child_env

PROJECT = Path(__file__).resolve().parent

_CHECK = """
import datetime, json, sys
import django
django.setup()
from django.apps import apps
from django.db import connection
from PIL import Image

with connection.schema_editor() as editor:
    for model in apps.get_app_config("filesapp").get_models():
        editor.create_model(model)
sys.path.insert(0, sys.argv[1])
import files_factories as f
from filesapp.models import Attachment, Photo, Scan

def stored(obj, name):
    value = getattr(obj, name)
    field = type(obj)._meta.get_field(name)
    item = {"name": value.name, "max_length": field.max_length,
            "exists": field.storage.exists(value.name),
            "location": str(field.storage.location)}
    if hasattr(value, "width"):
        with field.storage.open(value.name) as fh, Image.open(fh) as image:
            item["image"] = [image.format, *image.size]
    return item

out = {}
photos = [f.PhotoFactory.create(), *f.PhotoFactory.create_batch(10)]
out["photos"] = [
    {**stored(Photo.objects.get(pk=p.pk), "file"), "row": [p.width, p.height],
     "hash": len(Photo.objects.get(pk=p.pk).file_hash)}
    for p in photos
]
out["photo_override"] = stored(f.PhotoFactory.create(file__width=64, file__height=32), "file")
attachments = [f.AttachmentFactory.create(), *f.AttachmentFactory.create_batch(20)]
out["attachments"] = [
    {**stored(a, "document"), "kind": a.kind, "data": a.document.open("rb").read().decode()}
    for a in Attachment.objects.filter(pk__in=[a.pk for a in attachments])
]
out["notes"] = [stored(a, "note") for a in Attachment.objects.all()]
scans = [f.ScanFactory.create(), *f.ScanFactory.create_batch(5)]
out["scans"] = [stored(s, "image") for s in scans]
built = f.PhotoFactory.build()
out["built"] = [built.pk, built.width, built.height, built.file._committed]

from hypothesis import given, settings
from fixturekit.strategies import objects, save

drawn = []

@settings(max_examples=8, database=None, deadline=None)
@given(objects(Photo))
def property_(photo):
    save(photo)
    item = stored(Photo.objects.get(pk=photo.pk), "file")
    drawn.append({**item, "row": [photo.width, photo.height]})

property_()
out["hypothesis"] = drawn

from fixturekit.factory_django import django_plan
from fixturekit.values.bulk import BulkContext, bulk_values
plan = django_plan(Photo)
field = next(p for p in plan.fields if p.column.name == "file")
ctx = BulkContext(seed=1, table="filesapp_photo", column=field.column,
                  today=datetime.date(2026, 3, 4))
out["seeded"] = bulk_values(field.strategy, 50, ctx).tolist()
print(json.dumps(out))
"""


def _env(pg_url, tmp_path: Path) -> dict[str, str]:
    return child_env(
        pg_url, "settings_files", PROJECT, "FILES",
        MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_ROOT=str(tmp_path / "private"),
    )  # fmt: skip


def _run(env, *args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_factories_store_real_files(pg_url, tmp_path):
    env = _env(pg_url, tmp_path)
    out = tmp_path / "files_factories.py"
    made = _run(env, "-m", "fixturekit", "generate", "--django", "filesapp", "-o", str(out),
                "--verify", "--verify-rows", "5")  # fmt: skip
    shown = made.stdout + made.stderr
    assert made.returncode == 0, shown
    assert "4 verified" in shown, shown
    # verification writes its files to a temporary folder, not the project's storage
    assert _files(tmp_path / "media") == [] and _files(tmp_path / "private") == []
    text = out.read_text()
    assert "file = factory.django.ImageField(" in text
    assert 'filename=factory.Faker("file_name", extension="jpg"), width=320, height=240' in text
    assert 'factory.Faker("file_name", extension="pdf")' in text  # the validator's extension
    assert 'format="PNG"' in text
    # Django reads the dimensions from the image: the factory does not set them
    assert "width =" not in text and "height =" not in text

    checked = _run(env, "-c", _CHECK, str(tmp_path), cwd=tmp_path)  # Hypothesis writes there
    assert checked.returncode == 0, checked.stderr[-4000:]
    result = json.loads(checked.stdout.splitlines()[-1])
    media = str(tmp_path / "media")

    photos = result["photos"]
    assert len({p["name"] for p in photos}) == 11
    for photo in photos:
        assert photo["exists"] and photo["location"] == media
        assert photo["name"].startswith("photos/") and photo["name"].endswith(".jpg")
        assert len(photo["name"]) <= photo["max_length"] == 60
        assert photo["image"] == ["JPEG", 320, 240] and photo["row"] == [320, 240]
        assert photo["hash"] == 40  # save() read the stored file back
    assert result["photo_override"]["image"] == ["JPEG", 64, 32]

    attachments = result["attachments"]
    assert len(attachments) == 21
    for item in attachments:
        assert item["exists"] and item["location"] == media
        assert item["name"].startswith(f"attachments/{item['kind']}/")  # the upload_to callable
        assert item["name"].endswith(".pdf")
        assert item["data"] == "A file written by a fixturekit factory.\n"
    assert all(n["exists"] and n["name"].startswith("notes/") for n in result["notes"])

    scans = result["scans"]
    assert len(scans) == 6
    for scan in scans:
        # the field's own storage, and names Django shortened to the 24-character column
        assert scan["exists"] and scan["location"] == str(tmp_path / "private")
        assert scan["name"].startswith("scans/") and len(scan["name"]) <= 24
        assert scan["image"] == ["PNG", 320, 240]
    assert len(_files(tmp_path / "private" / "scans")) == 6

    # build() makes the object without saving it, or its file
    assert result["built"] == [None, 320, 240, False]
    # one file per saved photo: 12 from factories, the rest from Hypothesis examples
    assert len(_files(tmp_path / "media" / "photos")) == 12 + len(result["hypothesis"])

    # Hypothesis objects carry file content too: saving them stores an image
    assert result["hypothesis"]
    for photo in result["hypothesis"]:
        assert photo["exists"] and photo["image"] == ["JPEG", 320, 240]
        assert photo["row"] == [320, 240]

    # seeding writes names only: upload_to's folder, the extension, within the column
    seeded = result["seeded"]
    assert len(seeded) == 50
    assert all(n.startswith("photos/2026/03/") and n.endswith(".jpg") for n in seeded)
    assert all(len(n) <= 60 for n in seeded)


_CREATE_TABLES = """
import django
django.setup()
from django.apps import apps
from django.db import connection

with connection.schema_editor() as editor:
    for model in apps.get_app_config("filesapp").get_models():
        editor.create_model(model)
"""


def test_seeding_names_files_and_keeps_a_unique_file_column_unique(pg_url, tmp_path):
    """`fixturekit seed --django` writes names shaped like Django's; a unique file column gets
    a distinct name on every row (far more rows than Faker has file-name stems)."""
    from sqlalchemy import create_engine, text

    env = _env(pg_url, tmp_path)
    created = _run(env, "-c", _CREATE_TABLES, cwd=tmp_path)
    assert created.returncode == 0, created.stderr[-4000:]
    rows = "filesapp_badge=5000,filesapp_photo=20,filesapp_attachment=20,filesapp_scan=20"
    seeded = _run(
        env, "-m", "fixturekit", "seed", "--django", "filesapp", "--url",
        pg_url.render_as_string(hide_password=False), "--rows", rows, "--quiet",
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        icons = conn.execute(text("SELECT icon FROM filesapp_badge")).scalars().all()
        photos = conn.execute(text("SELECT file FROM filesapp_photo")).scalars().all()
    engine.dispose()
    assert len(icons) == len(set(icons)) == 5000
    assert all(icon.startswith("badges/") and len(icon) <= 24 for icon in icons)
    assert all(photo.startswith("photos/") and photo.endswith(".jpg") for photo in photos)
    assert _files(tmp_path / "media") == []  # names only: seeding writes no file
