"""`fixturekit generate` as a user runs it: output, determinism, regeneration, --check, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from gen_helpers import KITCHEN_SINK, ROOT, SHOP, run_cli

from fixturekit.codegen.factory_boy import CUSTOM_BEGIN, CUSTOM_END


def _fixturekit(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixturekit", *args], cwd=cwd, capture_output=True, text=True
    )


def test_output_is_deterministic_and_ruff_clean(tmp_path):
    first = tmp_path / "factories.py"
    outputs = []
    for _ in range(2):
        first.unlink(missing_ok=True)
        result = run_cli("generate", str(KITCHEN_SINK), "-o", str(first), "-q")
        assert result.exit_code == 0, result.output
        outputs.append(first.read_bytes())
    assert outputs[0] == outputs[1]
    ruff = Path(sys.executable).with_name("ruff")
    checked = subprocess.run(
        [
            str(ruff),
            "check",
            "--isolated",
            "--select",
            "E,F,W,I,B,UP",
            "--line-length",
            "100",
            "--config",
            'lint.isort.known-third-party=["fixturekit", "factory"]',
            "--config",
            'lint.isort.known-first-party=["kitchen_sink", "examples"]',
            str(first),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = subprocess.run(
        [str(ruff), "format", "--isolated", "--line-length", "100", "--check", str(first)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout


def test_report_names_every_flagged_field(tmp_path):
    result = run_cli("generate", str(KITCHEN_SINK), "-o", str(tmp_path / "f.py"))
    assert result.exit_code == 0
    assert "Store.chain: no rule for this name" in result.output
    assert "Account.extra: JSON shape unknown" in result.output
    text = (tmp_path / "f.py").read_text()
    assert "# FIXME(chain): no rule for this name" in text


def test_regeneration_keeps_user_code_and_lists_changes(tmp_path):
    models = tmp_path / "models_v1.py"
    models.write_text(SHOP.read_text())
    out = tmp_path / "factories.py"
    assert run_cli("generate", str(models), "-o", str(out), "-q").exit_code == 0
    custom = 'class UserFactory(UserFactory):\n    first_name = "Ada"\n'
    text = out.read_text()
    start = text.index(CUSTOM_BEGIN) + len(CUSTOM_BEGIN) + 1
    out.write_text(text[:start] + custom + text[text.index(CUSTOM_END) :])

    # a migration: a new column on users and a new table
    models.write_text(
        SHOP.read_text().replace(
            "    phone: Mapped[str | None] = mapped_column(String(32))\n",
            "    phone: Mapped[str | None] = mapped_column(String(32))\n"
            "    nickname: Mapped[str | None] = mapped_column(String(30))\n",
        )
        + '\n\nclass Wishlist(Base):\n    __tablename__ = "wishlists"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        '    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))\n'
        "    title: Mapped[str] = mapped_column(String(80))\n"
    )
    for name in [n for n in sys.modules if n.endswith("models_v1")]:
        del sys.modules[name]
    result = run_cli("generate", str(models), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert "+ WishlistFactory (new model)" in result.output
    assert "+ UserFactory.nickname" in result.output
    regenerated = out.read_text()
    assert custom in regenerated
    assert regenerated.index(custom) < regenerated.index("FACTORIES = {")
    check = run_cli("generate", str(models), "-o", str(out), "--check", "-q")
    assert check.exit_code == 0, check.output


def test_check_fails_with_a_diff_when_models_drift(tmp_path):
    out = tmp_path / "factories.py"
    assert run_cli("generate", str(SHOP), "-o", str(out), "-q").exit_code == 0
    assert run_cli("generate", str(SHOP), "-o", str(out), "--check", "-q").exit_code == 0
    stale = out.read_text().replace("max_length=120", "max_length=100")
    out.write_text(stale)
    result = _fixturekit("generate", str(SHOP), "-o", str(out), "--check", "-q")
    assert result.returncode == 1
    assert "no longer matches the models" in result.stderr
    assert "+++ " in result.stdout and "max_length=120" in result.stdout
    assert out.read_text() == stale  # --check writes nothing


def test_hand_edits_outside_the_user_region_are_not_overwritten(tmp_path):
    out = tmp_path / "factories.py"
    assert run_cli("generate", str(SHOP), "-o", str(out), "-q").exit_code == 0
    edited = out.read_text().replace(
        "class TagFactory(_Factory[Tag]):", "class TagFactory(_Factory[Tag]):  # mine"
    )
    out.write_text(edited)
    result = _fixturekit("generate", str(SHOP), "-o", str(out), "-q")
    assert result.returncode == 2
    assert "edited by hand" in result.stderr
    assert out.read_text() == edited
    assert _fixturekit("generate", str(SHOP), "-o", str(out), "-q", "--force").returncode == 0


def test_refuses_to_replace_a_file_it_did_not_write(tmp_path):
    out = tmp_path / "factories.py"
    out.write_text("# my hand-written factories\n")
    result = _fixturekit("generate", str(SHOP), "-o", str(out))
    assert result.returncode == 2
    assert "not written by fixturekit" in result.stderr
    assert out.read_text() == "# my hand-written factories\n"


def test_children_option_creates_line_items_with_orders(tmp_path, sqlite_url):
    from gen_helpers import import_file
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from examples.shop.models import Base

    out = tmp_path / "factories.py"
    result = run_cli("generate", str(SHOP), "-o", str(out), "-q", "--children", "Order.items=2..4")
    assert result.exit_code == 0, result.output
    assert "factory.RelatedFactoryList(" in out.read_text()
    module = import_file(out)
    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        module.bind_session(session)
        orders = module.OrderFactory.create_batch(20)
        assert all(2 <= len(order.items) <= 4 for order in orders)
    module.bind_session(None)


BAD_INPUTS = {
    "syntax error": ("app/models.py", "class Broken(\n", "syntax error in"),
    "import error": ("app/models.py", "import no_such_package_xyz\n", "no_such_package_xyz"),
    "no models": ("app/models.py", "X = 1\n", "defines no SQLAlchemy tables"),
    "raises": ("app/models.py", "raise RuntimeError('boom')\n", "RuntimeError: boom"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_models_give_one_clear_message_and_write_nothing(case, tmp_path):
    relative, source, expected = BAD_INPUTS[case]
    path = tmp_path / relative
    path.parent.mkdir(parents=True)
    path.write_text(source)
    out = tmp_path / "tests" / "factories.py"
    result = _fixturekit("generate", relative, "-o", "tests/factories.py", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    if case == "syntax error":
        assert "line 1" in result.stderr and "models.py" in result.stderr


def test_missing_path_and_wrong_name(tmp_path):
    missing = _fixturekit("generate", "nope/models.py", "-o", "f.py", cwd=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    app = tmp_path / "shopapp.py"
    app.write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\nclass Base(DeclarativeBase):\n"
        "    pass\n\nVERSION = '1'\n"
    )
    wrong = _fixturekit("generate", "shopapp.py:VERSION", "-o", "f.py", cwd=tmp_path)
    assert wrong.returncode == 2 and "not a declarative Base" in wrong.stderr
    unknown = _fixturekit("generate", "shopapp:Nope", "-o", "f.py", cwd=tmp_path)
    assert unknown.returncode == 2 and "has no attribute 'Nope'" in unknown.stderr
    assert "Traceback" not in missing.stderr + wrong.stderr + unknown.stderr
    assert not (tmp_path / "f.py").exists()


def test_module_path_with_base_name(tmp_path):
    result = _fixturekit("generate", "examples.shop.models:Base", "-q")
    assert result.returncode == 0, result.stderr
    assert "class OrderItemFactory(_Factory[OrderItem]):" in result.stdout


def test_odd_column_names_generate_working_code(tmp_path, sqlite_url):
    from gen_helpers import import_file
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    models = tmp_path / "odd_models.py"
    models.write_text(
        "from sqlalchemy import Column, Integer, MetaData, String, Table\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n"
        'legacy = Table("legacy rows", Base.metadata,\n'
        '    Column("id", Integer, primary_key=True),\n'
        '    Column("class", String(20), nullable=False),\n'
        '    Column("Unit Price", Integer, nullable=False))\n\n'
        "class Secret(Base):\n"
        '    __tablename__ = "secrets"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        '    _token: Mapped[str] = mapped_column("token", String(64))\n'
    )
    out = tmp_path / "factories.py"
    result = run_cli("generate", str(models), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "class_ = " in text and "rename = {" in text
    module = import_file(out)
    from odd_models import Base

    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        module.bind_session(session)
        module.FACTORIES["legacy rows"].create_batch(5)
        secret = module.SecretFactory.create()
        assert len(secret._token) == 64
        table = Base.metadata.tables["legacy rows"]
        assert session.scalar(select(func.count()).select_from(table)) == 5
    module.bind_session(None)


def test_runtime_factories_create_configured_children_too(sqlite_url):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from examples.shop.models import Base, Order
    from fixturekit import factory_for
    from fixturekit.infer import InferenceOptions

    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine)
    options = InferenceOptions(children={"Order.items": (3, 3)})
    with Session(engine) as session:
        orders = factory_for(Order, session=session, options=options).create_batch(5)
        assert [len(order.items) for order in orders] == [3, 3, 3, 3, 3]
