"""Checks shared by the document tests (imported by name: tests/nosql is on sys.path)."""

from __future__ import annotations

from typing import Any

import bson

from fixturekit.nosql.validate import document_errors


def stored(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the server would hold it: through BSON and back."""
    return bson.decode(bson.encode(document))


def assert_valid(schema: dict[str, Any], documents: list[dict[str, Any]]) -> None:
    for document in documents:
        errors = document_errors(schema, stored(document))
        assert not errors, f"{document!r}:\n" + "\n".join(errors)
