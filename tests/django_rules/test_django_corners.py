"""What real Django apps do that no column says, on PostgreSQL: a treebeard tree, generic
foreign keys (one whose permission must be for the object's model), rules in `save()` across
columns, a singleton with a constant primary key, choices that offer None, a private
attribute on a multi-table parent, and a foreign key the database does not check.

`generate --django --verify` runs as a user runs it, on the minimal app tests/django_rules/
cornerapp; a child process then creates rows with the file it wrote and checks them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from djangochild import child_env

PROJECT = Path(__file__).resolve().parent

_CHECK = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)  # auth and contenttypes; cornerapp has no migrations
with connection.schema_editor() as editor:
    for model in apps.get_app_config("cornerapp").get_models():
        editor.create_model(model)
sys.path.insert(0, sys.argv[1])
import corner_factories as f
from cornerapp.models import Category, Grant, Heartbeat, Note, Picture, Shape, Task

out = {}
roots = f.CategoryFactory.create_batch(5)
child = f.CategoryFactory.create(tree_parent=roots[0])
grandchild = f.CategoryFactory.create(tree_parent=child)
out["tree_problems"] = [list(p) for p in Category.find_problems() if p]
out["tree"] = [
    len(Category.get_root_nodes()), child.get_parent().pk == roots[0].pk, grandchild.depth
]
notes = f.NoteFactory.create_batch(30)
out["notes_point_at_rows"] = all(n.content_object is not None for n in notes)
grants = f.GrantFactory.create_batch(30)
out["grants_typed"] = all(
    g.permission.content_type_id == g.content_type_id and g.content_object is not None
    for g in grants
)
given = f.CategoryFactory.create()
out["note_on_given"] = f.NoteFactory.create(content_object=given).content_object == given
tasks = f.TaskFactory.create_batch(30)
out["tasks"] = [
    sum(1 for t in tasks if t.interval_id and t.crontab_id),
    sum(1 for t in tasks if t.expires and t.expire_seconds is not None),
]
f.HeartbeatFactory.create()
f.HeartbeatFactory.create_batch(3)
out["heartbeats"] = Heartbeat.objects.count()
shapes = f.ShapeFactory.create_batch(60)
out["shape_kinds"] = sorted({repr(s.kind) for s in shapes})
picture = f.PictureFactory.create(_file_size=2048)
stored = Picture.objects.get(pk=picture.pk)._file_size
out["picture"] = [stored, len(f.PictureFactory.create_batch(5))]
out["entries"] = sum(1 for e in f.EntryFactory.create_batch(10) if e.user.pk)
from cornerapp.models import Language
f.LanguageFactory.create_batch(700)  # more than the locale codes Faker knows
out["languages"] = Language.objects.count()
print(json.dumps(out))
"""


def _env(pg_url) -> dict[str, str]:
    return child_env(pg_url, "settings_corner", PROJECT, "CORNER")


def _generate(env, out: Path, *extra: str) -> subprocess.CompletedProcess:
    args = ["-m", "fixturekit", "generate", "--django", "cornerapp", "-o", str(out), *extra]
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_verify_makes_every_corner_model_insert(pg_url, tmp_path):
    env = _env(pg_url)
    out = tmp_path / "corner_factories.py"
    made = _generate(env, out, "--verify", "--verify-rows", "20")
    shown = made.stdout + made.stderr
    assert made.returncode == 0, shown
    assert "Traceback" not in shown
    verified = shown.split("Verified on postgresql", 1)[1]
    assert "flagged" not in verified, verified
    text = out.read_text()
    # the model's own save() rules, learned from its errors: one schedule, one expiry
    assert "# fixturekit-repair: cornerapp_task.crontab_id = null" in text
    assert "# fixturekit-repair: cornerapp_task.expire_seconds = null" in text
    # the tree's columns are the tree's, the singleton is looked up, None is not a choice
    assert "path =" not in text and "model_class.add_root(**kwargs)" in text
    assert 'django_get_or_create = ["ident"]' in text
    assert "'None'" not in text and '"None"' not in text

    checked = subprocess.run(
        [sys.executable, "-c", _CHECK, str(tmp_path)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert checked.returncode == 0, checked.stderr[-4000:]
    result = json.loads(checked.stdout.splitlines()[-1])
    assert result["tree_problems"] == []
    assert result["tree"] == [5, True, 3]
    assert result["notes_point_at_rows"] and result["grants_typed"] and result["note_on_given"]
    assert result["tasks"] == [0, 0]
    assert result["heartbeats"] == 1
    assert "'None'" not in result["shape_kinds"]
    assert set(result["shape_kinds"]) <= {"None", "'round'", "'square'"}
    # an inherited private attribute is declared under another name and renamed back
    assert result["picture"] == [2048, 5]
    # a foreign key without a database constraint still gets a real parent
    assert result["entries"] == 10
    # a small natural-key domain is shared once exhausted, not an error
    assert 200 < result["languages"] < 700

    # the repairs are read back: regenerating without a database gives the same file
    again = _generate(env, out, "--check")
    assert again.returncode == 0, again.stdout + again.stderr
