"""Django rules on real databases: hashed passwords, boolean conditions, odd field names.

Runs in a child process (Django is configured once per process) against tests/django_rules, a
minimal project, on SQLite and on a scratch PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixturekit.codegen.files import summarize_changes

PROJECT = Path(__file__).resolve().parents[1] / "django_rules"

_CHILD = """
import json, sys
from pathlib import Path

import django
django.setup()
from django.contrib.auth import authenticate
from django.contrib.auth import hashers
from django.core.management import call_command
from django.db import IntegrityError, transaction

from fixturekit.codegen.django import render_django_module
from fixturekit.infer.tables import plan_schema
from fixturekit.schema.django import read_django

out_dir = sys.argv[1]
call_command("migrate", run_syncdb=True, verbosity=0)
schema = read_django(["rulesapp", "auth", "contenttypes"])
plan = plan_schema(schema)
source = render_django_module(plan)
Path(out_dir, "rules_factories.py").write_text(source)
sys.path.insert(0, out_dir)
import rules_factories as f

result = {"where": schema.table("rulesapp_address").uniques[0].where}
result["is_primary"] = next(
    x.reason for x in plan.tables["rulesapp_address"].fields if x.column.name == "is_primary"
)
calls = []
original = hashers.make_password
hashers.make_password = lambda *a, **k: calls.append(1) or original(*a, **k)
user = f.UserFactory.create(is_active=True)
result["default_login"] = user.check_password("password")
chosen = f.UserFactory.create(password="hunter2", is_active=True)
result["caller_login"] = chosen.check_password("hunter2")
result["authenticated"] = authenticate(username=chosen.username, password="hunter2") == chosen
f.UserFactory.create_batch(50)
result["hash_calls"] = len(calls)
unusable = f.UserFactory.create(password=None)
result["unusable"] = not unusable.has_usable_password()

owner = f.UserFactory.create()
f.AddressFactory.create_batch(5, user=owner)
f.AddressFactory.create(user=owner, is_primary=True)
try:
    with transaction.atomic():
        f.AddressFactory.create(user=owner, is_primary=True)
    result["second_primary_refused"] = False
except IntegrityError:
    result["second_primary_refused"] = True

job = f.JobFactory.create(_secret="s3", create="made", build="built", status="done")
result["job"] = [job._secret, job.create, job.build, job.status]
result["jobs"] = len(f.JobFactory.create_batch(20))
result["generated_secret"] = bool(f.JobFactory.create()._secret)
print(json.dumps(result))
"""


def _run(env_extra: dict[str, str], tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RULES_"))}
    env.update(DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(PROJECT), **env_extra)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("server", ["sqlite", "postgresql"])
def test_django_passwords_conditions_and_names(server, request, tmp_path):
    if server == "sqlite":
        extra = {"RULES_SQLITE": str(tmp_path / "rules.sqlite3")}
    else:
        url = request.getfixturevalue("pg_url")
        extra = {
            "RULES_PG_NAME": url.database,
            "RULES_PG_HOST": url.host or "127.0.0.1",
            "RULES_PG_PORT": str(url.port or 5432),
            "RULES_PG_USER": url.username or "postgres",
        }
    result = _run(extra, tmp_path)
    # One spelling of a boolean condition on every Django version (6.x compiles `= 1`).
    assert result["where"] == '"is_primary"'
    assert result["is_primary"].startswith("False unless given")
    assert result["default_login"] and result["caller_login"] and result["authenticated"]
    assert result["hash_calls"] <= 2  # each text hashed once, not once per user
    assert result["unusable"]
    assert result["second_primary_refused"]
    assert result["job"] == ["s3", "made", "built", "done"]
    assert result["jobs"] == 20 and result["generated_secret"]


HAND_WRITTEN = """
import factory
from factory.django import DjangoModelFactory


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "auth.User"

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "secret")

    @factory.lazy_attribute
    def email(self):
        return f"{self.username}@example.com"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)
"""

GENERATED = """
class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    password = factory.LazyFunction(lambda: fv.django_password("password"))
    username = factory.Sequence(lambda n: fv.unique("user_name", n, max_length=150))
"""


def test_replacing_hand_written_factories_names_each_dropped_hook():
    changes = summarize_changes(HAND_WRITTEN, GENERATED)
    assert "- UserFactory.password(): post_generation hook dropped (it called set_password)" in (
        changes
    )
    assert "- UserFactory.email(): lazy_attribute hook dropped" in changes
    assert "- UserFactory._create(): classmethod hook dropped (it called create_user)" in changes
    assert any(line.startswith("~ UserFactory.username") for line in changes)


def test_seeded_users_log_in_with_the_default_password(tmp_path):
    database = tmp_path / "seed.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RULES_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(PROJECT), RULES_SQLITE=str(database)
    )

    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, *args],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        return proc.stdout

    run("-m", "django", "migrate", "-v0")
    run(
        "-m", "fixturekit", "seed", "--django", "rulesapp,auth", "--settings", "settings",
        "--url", f"sqlite:///{database}", "--append", "-q",
        "--rows", "auth_user=40,rulesapp_address=60,rulesapp_job=10",
    )  # fmt: skip
    checked = run(
        "-c",
        "import django; django.setup()\n"
        "from django.contrib.auth.models import User\n"
        "from rulesapp.models import Address\n"
        "users = list(User.objects.all())\n"
        "print(len(users), all(u.check_password('password') for u in users),"
        " Address.objects.filter(is_primary=True).count())",
    )
    assert checked.split() == ["40", "True", "0"]
