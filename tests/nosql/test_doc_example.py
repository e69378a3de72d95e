"""examples/mongo stays in step with its schemas, and its documents pass them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from nosql_helpers import assert_valid

from fixturekit import document_factory
from fixturekit.cli import _register, cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mongo"


def test_the_generated_example_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _register()
    args = [
        "generate",
        "--mongo",
        "examples/mongo/schemas",
        "-o",
        "examples/mongo/generated_documents.py",
        "--check",
        "-q",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["users", "orders"])
def test_example_documents_pass_their_validator(name: str) -> None:
    path = EXAMPLE / "schemas" / f"{name}.json"
    documents = document_factory(path).build_batch(50)
    assert_valid(json.loads(path.read_text()), documents)


def test_the_pydantic_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    documents = document_factory("examples.mongo.models:Review").build_batch(30)
    from examples.mongo.models import Review  # importable now: the root is on sys.path

    for document in documents:
        Review.model_validate(document)
