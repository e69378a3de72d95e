"""Check documents against a `$jsonSchema` the way MongoDB would, without a server.

The `jsonschema` library knows draft 4 (MongoDB's dialect) but not `bsonType`; this module
adds that keyword with the driver's encoding rules (a Python int that fits in 32 bits is
stored as `int`, so it fails `bsonType: long`), lets the bound keywords compare Decimal128
and Int64 values, and checks the `format`s fixturekit produces.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from fixturekit.schema.jsonschema import unwrap

INT32 = (-(2**31), 2**31 - 1)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def bson_type_of(value: Any) -> str:
    """The BSON type pymongo stores `value` as."""
    import bson

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, bson.Int64):
        return "long"
    if _is_int(value):
        return "int" if INT32[0] <= value <= INT32[1] else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, bson.Decimal128):
        return "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bson.ObjectId):
        return "objectId"
    if isinstance(value, datetime.datetime):
        return "date"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, (bytes, bson.Binary)):
        return "binData"
    if isinstance(value, bson.Timestamp):
        return "timestamp"
    if isinstance(value, (bson.Regex, re.Pattern)):
        return "regex"
    if isinstance(value, bson.Code):
        return "javascript"
    if isinstance(value, bson.MinKey):
        return "minKey"
    if isinstance(value, bson.MaxKey):
        return "maxKey"
    return type(value).__name__  # not encodable: matches no bsonType


NUMBER_TYPES = {"int", "long", "double", "decimal"}


def _bson_type(validator: Any, expected: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    allowed = [expected] if isinstance(expected, str) else list(expected)
    actual = bson_type_of(instance)
    if actual in allowed or ("number" in allowed and actual in NUMBER_TYPES):
        return
    yield ValidationError(f"{instance!r} is BSON {actual}, not {' or '.join(allowed)}")


def _numeric(value: Any) -> Any:
    import bson

    if isinstance(value, bson.Decimal128):
        return value.to_decimal()
    return value


def _bound(keyword: str) -> Any:
    def check(validator: Any, bound: Any, instance: Any, schema: Any) -> Iterator[Any]:
        from jsonschema.exceptions import ValidationError

        value = _numeric(instance)
        if not isinstance(value, (int, float, decimal.Decimal)) or isinstance(value, bool):
            return
        limit = decimal.Decimal(str(bound)) if isinstance(value, decimal.Decimal) else bound
        exclusive_low = schema.get("exclusiveMinimum") is True
        exclusive_high = schema.get("exclusiveMaximum") is True
        failed = {
            "minimum": value < limit or (exclusive_low and value == limit),
            "maximum": value > limit or (exclusive_high and value == limit),
            "exclusiveMinimum": not isinstance(bound, bool) and value <= limit,
            "exclusiveMaximum": not isinstance(bound, bool) and value >= limit,
        }[keyword]
        if failed:
            yield ValidationError(f"{instance!r} is outside {keyword} {bound}")

    return check


def _multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    value = _numeric(instance)
    if not isinstance(value, (int, float, decimal.Decimal)) or isinstance(value, bool):
        return
    quotient = decimal.Decimal(str(value)) / decimal.Decimal(str(step))
    if quotient != quotient.to_integral_value():
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


def _date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _uri(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


def _format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    # The library checks these only with optional packages installed; fixturekit's own
    # checks are enough for the values it writes.
    checker.checks("date-time")(_date_time)
    checker.checks("uri")(_uri)
    return checker


def _validator_class(schema: Mapping[str, Any]) -> Any:
    from jsonschema import validators

    base = validators.validator_for(dict(schema), default=validators.Draft4Validator)
    keywords = {
        **base.VALIDATORS,
        "bsonType": _bson_type,
        "minimum": _bound("minimum"),
        "maximum": _bound("maximum"),
        "exclusiveMinimum": _bound("exclusiveMinimum"),
        "exclusiveMaximum": _bound("exclusiveMaximum"),
        "multipleOf": _multiple_of,
    }
    checker = base.TYPE_CHECKER.redefine_many(
        {
            "object": lambda _, value: isinstance(value, Mapping),
            "array": lambda _, value: isinstance(value, (list, tuple)),
            "integer": lambda _, value: _is_int(value),
            "number": lambda _, value: (
                isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)
            ),
        }
    )
    return validators.extend(base, keywords, type_checker=checker)


def document_errors(schema: Mapping[str, Any], document: Mapping[str, Any]) -> list[str]:
    """What is wrong with `document` under `schema` (a `$jsonSchema` or a validator), if any."""
    validator_schema = unwrap(schema)
    cls = _validator_class(validator_schema)
    validator = cls(validator_schema, format_checker=_format_checker())
    errors = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(document)"
        errors.append(f"{where}: {error.message}")
    return errors


def validate_document(schema: Mapping[str, Any], document: Mapping[str, Any]) -> None:
    """Raise ValueError listing every violation when `document` does not pass `schema`."""
    errors = document_errors(schema, document)
    if errors:
        raise ValueError("document does not match its schema:\n  " + "\n  ".join(errors))
