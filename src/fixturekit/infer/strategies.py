"""Value strategies: small value objects that say how one column gets its values.

Inference (fixturekit.infer.rules) picks a strategy for each column; consumers render it:

* `source()` is factory_boy declaration source text, written into generated factory modules;
* `declaration()` is the factory_boy declaration object that `factory_for` puts on runtime
  factories. It is built by evaluating `source()` in a fixed namespace, so a generated factory
  and a runtime factory cannot disagree: they are the same code;
* the bulk rendering (N values from a seed, for `fixturekit seed`) lives in
  `fixturekit.values.bulk`, dispatched on the strategy's class.

Sources may use these names, and only these: `factory`, `fv` (fixturekit.values), `datetime`,
`decimal`, `uuid`, plus the enum classes a strategy lists in `python_refs`.

This module is the strategies' one name (`from fixturekit.infer import strategies as st`, and
generated and user code alike import from it); the classes live in a module per family, so that
each stays small enough to read at once:

* `strategy_base`: the `Strategy` base and the source-text helpers (`lit`, `resolve_ref`);
* `text_strategies`: Faker values, codes, pattern-matching and numbered text;
* `number_strategies`: sequences and numeric ranges;
* `choice_strategies`: choices from a fixed set, constants, booleans, NULL;
* `type_strategies`: UUIDs, JSON, bytes, network addresses, arrays, Django password hashes;
* `person_strategies`: a row's person and the columns built from the name;
* `declaration_strategies`: user declarations and polymorphic keys, declaration-only;
* `temporal`: dates, times, durations, values placed relative to another column;
* `coherent`: the columns of a row's address and company;
* `file_strategies`: file content for a column that names a stored file (Django's FileField).
"""

from fixturekit.infer.choice_strategies import Boolean, Choice, Literal, NullValue, UniqueChoice
from fixturekit.infer.coherent import AddressPart, CompanyDerived
from fixturekit.infer.declaration_strategies import Custom, PolymorphicKey
from fixturekit.infer.file_strategies import UploadedFile
from fixturekit.infer.number_strategies import DecimalRange, FloatRange, IntRange, SequenceInt
from fixturekit.infer.person_strategies import PersonDerived, PersonName
from fixturekit.infer.strategy_base import (
    PythonRef,
    Strategy,
    base_namespace,
    kwargs_source,
    lit,
    resolve_ref,
)
from fixturekit.infer.temporal import (
    DateRange,
    DateTimeRange,
    Duration,
    FromColumn,
    Relative,
    SequenceDate,
    TimeOfDay,
)
from fixturekit.infer.text_strategies import (
    Code,
    FakerValue,
    Matching,
    UniqueFakerValue,
    UniqueText,
)
from fixturekit.infer.type_strategies import (
    ArrayOf,
    BinaryValue,
    DjangoPassword,
    JsonDocument,
    NetworkAddress,
    UuidValue,
)

__all__ = [
    "AddressPart",
    "ArrayOf",
    "BinaryValue",
    "Boolean",
    "Choice",
    "Code",
    "CompanyDerived",
    "Custom",
    "DateRange",
    "DateTimeRange",
    "DecimalRange",
    "DjangoPassword",
    "Duration",
    "FakerValue",
    "FloatRange",
    "FromColumn",
    "IntRange",
    "JsonDocument",
    "Literal",
    "Matching",
    "NetworkAddress",
    "NullValue",
    "PersonDerived",
    "PersonName",
    "PolymorphicKey",
    "PythonRef",
    "Relative",
    "SequenceDate",
    "SequenceInt",
    "Strategy",
    "TimeOfDay",
    "UniqueChoice",
    "UniqueFakerValue",
    "UniqueText",
    "UploadedFile",
    "UuidValue",
    "base_namespace",
    "kwargs_source",
    "lit",
    "resolve_ref",
]
