"""The report of a large schema: one line per field instead of a table rich lays out slowly."""

from __future__ import annotations

from gen_helpers import run_cli

TABLE = """
class T{i}(Base):
    __tablename__ = "big_t{i}"
    __table_args__ = (CheckConstraint("abs(qty) % 3 = 0", name="ck_big_t{i}"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    qty: Mapped[int]
""" + "".join(f"    f{n}: Mapped[str] = mapped_column(String(20))\n" for n in range(8))


def test_more_than_a_thousand_fields_print_as_lines(tmp_path):
    models = tmp_path / "big_report_models.py"
    models.write_text(
        "from sqlalchemy import CheckConstraint, String\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n" + "".join(TABLE.format(i=i) for i in range(110))
    )
    result = run_cli("generate", str(models), "-o", str(tmp_path / "f.py"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("T0.email: ") for line in lines)
    assert any(line.startswith("T109.f7: ") for line in lines)
    # flags keep their words; no table borders
    assert any(line.startswith("T5.(table): ⚑ CHECK not understood") for line in lines)
    assert not any(line.startswith(("┃", "│", "┏", "━")) for line in lines)
    assert "110 models, 1210 fields, " in result.output

    small = tmp_path / "small_report_models.py"
    small.write_text(models.read_text().split("\nclass T3(")[0])
    table = run_cli("generate", str(small), "-o", str(tmp_path / "g.py"))
    assert "┃ model" in table.output  # a small schema keeps its table
