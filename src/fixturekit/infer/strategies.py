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
"""

from __future__ import annotations

import datetime
import decimal
import importlib
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from fixturekit.schema.model import PythonRef


def resolve_ref(ref: PythonRef) -> Any:
    """The object `ref` names; a mapped class that is no module attribute comes from its mapper."""
    try:
        obj: Any = importlib.import_module(ref.module)
        for part in ref.qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        from fixturekit.mapped_classes import mapped_class

        try:
            return mapped_class(ref.module, ref.qualname)
        except LookupError:
            pass
        raise
    return obj


def base_namespace() -> dict[str, Any]:
    import factory
    import factory.fuzzy

    from fixturekit import values as fv

    return {"factory": factory, "fv": fv, "datetime": datetime, "decimal": decimal, "uuid": uuid}


def lit(value: Any) -> str:
    """A Python literal for a value taken from the schema (labels, patterns, bounds).

    Strings prefer double quotes, as formatters write them; backslashes make a raw string.
    """
    if isinstance(value, str):
        if '"' in value or "\n" in value or "\r" in value or "\t" in value:
            return repr(value)
        if "\\" in value:
            return f'r"{value}"' if not value.endswith("\\") else repr(value)
        return f'"{value}"'
    if isinstance(value, decimal.Decimal):
        return f'decimal.Decimal("{value}")'
    if isinstance(value, datetime.datetime):
        return f"datetime.datetime.fromisoformat({lit(value.isoformat())})"
    if isinstance(value, datetime.time):
        return f"datetime.time.fromisoformat({lit(value.isoformat())})"
    if isinstance(value, datetime.timedelta):
        return f"datetime.timedelta(seconds={value.total_seconds()!r})"
    if isinstance(value, datetime.date):
        return f"datetime.date.fromisoformat({lit(value.isoformat())})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(lit(v) for v in value)
        return f"[{inner}]"
    return repr(value)


def kwargs_source(kwargs: tuple[tuple[str, Any], ...]) -> str:
    return "".join(f", {key}={lit(value)}" for key, value in kwargs)


@dataclass(frozen=True)
class Strategy:
    """Base of all strategies. Subclasses set `value_source` or override `source`."""

    # True when the strategy guarantees distinct values per sequence number.
    unique: ClassVar[bool] = False

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return ()

    def value_source(self) -> str:
        """A Python expression producing one value (uses `n` when `unique` is True)."""
        raise NotImplementedError

    def source(self) -> str:
        if self.unique:
            return f"factory.Sequence(lambda n: {self.value_source()})"
        return f"factory.LazyFunction(lambda: {self.value_source()})"

    def namespace(self) -> dict[str, Any]:
        namespace = base_namespace()
        for ref in self.python_refs:
            # Sources name a ref by its qualname, so its top-level name is what they need.
            top = ref.qualname.split(".", 1)[0]
            namespace[top] = getattr(importlib.import_module(ref.module), top)
        return namespace

    def declaration(self) -> Any:
        # One source of truth: the runtime declaration is the generated source, evaluated.
        code = compile(self.source(), f"<fixturekit {type(self).__name__}>", "eval")
        return eval(code, self.namespace())

    def one(self, n: int = 0) -> Any:
        """One value, as the generated code would produce it (used by tests and reports)."""
        code = compile(self.value_source(), f"<fixturekit {type(self).__name__}>", "eval")
        return eval(code, {**self.namespace(), "n": n})


@dataclass(frozen=True)
class FakerValue(Strategy):
    """A Faker provider, fitted to a maximum length and letter case when the column needs it."""

    provider: str
    kwargs: tuple[tuple[str, Any], ...] = ()
    max_length: int | None = None
    case: str | None = None  # "lower" | "upper"
    min_length: int | None = None

    def _fit_args(self) -> str:
        args = ""
        if self.min_length is not None:
            args += f", min_length={self.min_length}"
        if self.max_length is not None:
            args += f", max_length={self.max_length}"
        if self.case:
            args += f", case={lit(self.case)}"
        return args

    def value_source(self) -> str:
        return f"fv.fake({lit(self.provider)}{kwargs_source(self.kwargs)}{self._fit_args()})"

    def source(self) -> str:
        from fixturekit.values.providers import PROVIDER_METHODS

        # factory.Faker knows only Faker's own providers; fixturekit's go through fv.fake
        if not self._fit_args() and self.provider not in PROVIDER_METHODS:
            return f"factory.Faker({lit(self.provider)}{kwargs_source(self.kwargs)})"
        return super().source()


@dataclass(frozen=True)
class UniqueFakerValue(FakerValue):
    """A Faker value made unique for each sequence number.

    With `weave` the number is written into the value (`jane.doe12@example.org`), which is
    unique by construction; fixed formats (country codes, IBANs, hashes) cannot take a number,
    so they are drawn again until unseen in this process.
    """

    weave: bool = True
    wrap: bool = False  # when the domain runs out, repeat a value (a get-or-create natural key)

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        how = "unique" if self.weave else "unique_draw"
        wrap = ", wrap=True" if self.wrap else ""
        args = f"{kwargs_source(self.kwargs)}{self._fit_args()}{wrap}"
        return f"fv.{how}({lit(self.provider)}, n{args})"

    def source(self) -> str:
        return f"factory.Sequence(lambda n: {self.value_source()})"


@dataclass(frozen=True)
class Code(Strategy):
    """A short code of fixed or bounded length over an alphabet (`String(3)` with no meaning)."""

    length: int
    alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    is_unique: bool = False
    wrap: bool = False  # start again after the last code (a get-or-create natural key)

    @property
    def unique(self) -> bool:  # type: ignore[override]
        return self.is_unique

    @property
    def capacity(self) -> int:
        return len(self.alphabet) ** self.length

    def value_source(self) -> str:
        alphabet = "" if self.alphabet == Code.alphabet else f", alphabet={lit(self.alphabet)}"
        if self.is_unique:
            wrap = ", wrap=True" if self.wrap else ""
            return f"fv.code(n, {self.length}{alphabet}{wrap})"
        return f"fv.code(None, {self.length}{alphabet})"


@dataclass(frozen=True)
class SequenceInt(Strategy):
    """Distinct integers `start + n * step`, kept inside the column's range."""

    start: int = 1
    maximum: int | None = None

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        if self.maximum is None:
            return f"n + {self.start}" if self.start else "n"
        return f"fv.bounded_sequence(n, {self.start}, {self.maximum})"


@dataclass(frozen=True)
class IntRange(Strategy):
    low: int
    high: int

    def value_source(self) -> str:
        return f"fv.integer({self.low}, {self.high})"

    def source(self) -> str:
        return f"factory.fuzzy.FuzzyInteger({self.low}, {self.high})"


@dataclass(frozen=True)
class DecimalRange(Strategy):
    """Decimals with `places` digits after the point, inclusive bounds already narrowed."""

    low: decimal.Decimal
    high: decimal.Decimal
    places: int

    def value_source(self) -> str:
        return f"fv.decimal({lit(self.low)}, {lit(self.high)}, {self.places})"


@dataclass(frozen=True)
class FloatRange(Strategy):
    low: float
    high: float

    def value_source(self) -> str:
        return f"fv.floating({self.low!r}, {self.high!r})"

    def source(self) -> str:
        return f"factory.fuzzy.FuzzyFloat({self.low!r}, {self.high!r})"


@dataclass(frozen=True)
class Choice(Strategy):
    """One of a fixed set of values (enum labels, IN lists), optionally weighted."""

    values: tuple[Any, ...]
    enum_class: PythonRef | None = None  # choose members of this Enum instead of labels
    weights: tuple[float, ...] | None = None

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return (self.enum_class,) if self.enum_class else ()

    def _choices(self) -> str:
        if self.enum_class:
            if self.values:
                # The qualname reaches an enum nested in a model class (`Order.Status`).
                path = self.enum_class.qualname
                return "[" + ", ".join(f"{path}.{v}" for v in self.values) + "]"
            return f"list({self.enum_class.qualname})"
        return lit(list(self.values))

    def value_source(self) -> str:
        if self.weights:
            return f"fv.weighted({self._choices()}, {list(self.weights)!r})"
        return f"fv.choice({self._choices()})"

    def source(self) -> str:
        if self.weights:
            return super().source()
        return f"factory.fuzzy.FuzzyChoice({self._choices()})"


@dataclass(frozen=True)
class UniqueChoice(Choice):
    """Distinct values from a finite set: row n takes the n-th value; more rows than values fail."""

    wrap: bool = False  # start again after the last value (a get-or-create natural key)

    unique: ClassVar[bool] = True

    def value_source(self) -> str:
        return f"fv.nth({self._choices()}, n{', wrap=True' if self.wrap else ''})"

    def source(self) -> str:
        return f"factory.Sequence(lambda n: {self.value_source()})"


@dataclass(frozen=True)
class Literal(Strategy):
    value: Any

    def value_source(self) -> str:
        return lit(self.value)

    def source(self) -> str:
        return lit(self.value)


@dataclass(frozen=True)
class Boolean(Strategy):
    true_rate: float = 0.5

    def value_source(self) -> str:
        if self.true_rate == 0.5:
            return "fv.boolean()"
        return f"fv.boolean({self.true_rate!r})"

    def source(self) -> str:
        if self.true_rate == 0.5:
            return 'factory.Faker("pybool")'
        return super().source()


@dataclass(frozen=True)
class DjangoPassword(Strategy):
    """A Django password hash, as `set_password` stores it, of a known text (`raw`)."""

    raw: str = "password"

    def value_source(self) -> str:
        return f"fv.django_password({lit(self.raw)})"


@dataclass(frozen=True)
class UuidValue(Strategy):
    as_string: bool = False

    def value_source(self) -> str:
        return "str(uuid.uuid4())" if self.as_string else "uuid.uuid4()"

    def source(self) -> str:
        if self.as_string:
            return 'factory.Faker("uuid4")'
        return 'factory.Faker("uuid4", cast_to=None)'


@dataclass(frozen=True)
class JsonDocument(Strategy):
    strings_only: bool = False  # hstore: every value a string
    array: bool = False  # a JSON array of such objects (a MutableList column)

    def value_source(self) -> str:
        if self.array:
            return "fv.json_array()"
        return "fv.json_document(strings_only=True)" if self.strings_only else "fv.json_document()"


@dataclass(frozen=True)
class BinaryValue(Strategy):
    length: int = 16

    def value_source(self) -> str:
        return f"fv.binary({self.length})"

    def source(self) -> str:
        return f'factory.Faker("binary", length={self.length})'


@dataclass(frozen=True)
class NetworkAddress(Strategy):
    """An IPv4 address (`inet`), network (`cidr`) or MAC address (`mac`)."""

    form: str = "inet"

    def value_source(self) -> str:
        return f"fv.network_address({lit(self.form)})"

    def source(self) -> str:
        if self.form == "inet":
            return 'factory.Faker("ipv4")'
        if self.form == "mac":
            return 'factory.Faker("mac_address")'
        return super().source()


@dataclass(frozen=True)
class Matching(Strategy):
    """A string matching a regular expression (anchored), within a maximum length."""

    regex: str
    max_length: int | None = None
    is_unique: bool = False

    @property
    def unique(self) -> bool:  # type: ignore[override]
        return self.is_unique

    def value_source(self) -> str:
        extra = f", max_length={self.max_length}" if self.max_length else ""
        seq = ", n=n" if self.is_unique else ""
        return f"fv.matching({lit(self.regex)}{extra}{seq})"


@dataclass(frozen=True)
class UniqueText(Strategy):
    """A free-text value made unique: a realistic base plus the sequence number."""

    base: Strategy
    max_length: int | None = None

    unique: ClassVar[bool] = True

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.base.python_refs

    def value_source(self) -> str:
        extra = f", max_length={self.max_length}" if self.max_length else ""
        return f"fv.numbered({self.base.value_source()}, n{extra})"


@dataclass(frozen=True)
class ArrayOf(Strategy):
    item: Strategy
    min_items: int = 0
    max_items: int = 3

    @property
    def python_refs(self) -> tuple[PythonRef, ...]:
        return self.item.python_refs

    def value_source(self) -> str:
        return (
            f"[{self.item.value_source()} for _ in "
            f"range(fv.integer({self.min_items}, {self.max_items}))]"
        )


@dataclass(frozen=True)
class NullValue(Strategy):
    def value_source(self) -> str:
        return "None"

    def source(self) -> str:
        return "None"


@dataclass(frozen=True)
class Custom(Strategy):
    """A factory_boy declaration written by the user (configuration overrides)."""

    expression: str

    def value_source(self) -> str:
        raise NotImplementedError("a custom declaration has no one-value form")

    def source(self) -> str:
        return self.expression


@dataclass(frozen=True)
class PersonName(Strategy):
    """One person's first, last or full name: the anchor the row's other person columns read.

    With `pairs`, seeding draws (first, last) pairs as a bijection of the row number over the
    pairs of names, so that logins and emails built from them are unique without a number
    until the pairs run out (`fixturekit.values.people`). Factories draw from Faker.
    """

    part: str  # "first" | "last" | "full"
    pairs: bool = False
    max_length: int | None = None

    _PROVIDERS: ClassVar[dict[str, str]] = {
        "first": "first_name",
        "last": "last_name",
        "full": "name",
    }

    def value_source(self) -> str:
        fit = f", max_length={self.max_length}" if self.max_length else ""
        return f"fv.fake({lit(self._PROVIDERS[self.part])}{fit})"


@dataclass(frozen=True)
class PersonDerived(Strategy):
    """A column describing the row's person, built from its names: full or display name,
    login, email. `first`/`last` (or `full` alone) are the attribute names it reads.

    Unique values get a number only when the person's natural value is already taken.
    """

    part: str  # "full" | "display" | "username" | "email"
    first: str | None = None
    last: str | None = None
    full: str | None = None
    max_length: int | None = None
    is_unique: bool = False
    key: str = ""  # table.column: unique values are remembered per column

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s in (self.first, self.last, self.full) if s)

    def value_source(self) -> str:
        raise NotImplementedError("a person's column needs the row; use source()")

    def source(self) -> str:
        names = ", ".join(f"o.{s}" if s else "None" for s in (self.first, self.last, self.full))
        extra = f", max_length={self.max_length}" if self.max_length else ""
        if self.is_unique:
            extra += f", unique={lit(self.key)}"
        return f"factory.LazyAttribute(lambda o: fv.person({lit(self.part)}, {names}{extra}))"


# Dates, times, durations and values placed relative to another column, and the columns of a
# row's address and company that follow its region and name, live in modules of their own; they
# are part of this one's vocabulary (`st.TimeOfDay`, `st.Relative`, `st.AddressPart`).
from fixturekit.infer.coherent import AddressPart, CompanyDerived  # noqa: E402, F401
from fixturekit.infer.temporal import (  # noqa: E402, F401
    DateRange,
    DateTimeRange,
    Duration,
    FromColumn,
    Relative,
    SequenceDate,
    TimeOfDay,
)


@dataclass(frozen=True)
class PolymorphicKey(Strategy):
    """The id half of a polymorphic association (a discriminator plus an id, no foreign key):
    the key of a new row of the table the row's discriminator selects, made by that table's
    factory. `choices` holds (discriminator value, factory class name, key attribute)."""

    selector: str  # the discriminator's attribute
    choices: tuple[tuple[Any, str, str], ...]

    def value_source(self) -> str:
        raise NotImplementedError("a polymorphic key is a row's key, made per row")

    def source(self) -> str:
        pairs = ", ".join(
            f'{lit(value)}: (f"{{__name__}}.{factory}", {lit(attribute)})'
            for value, factory, attribute in self.choices
        )
        return f"fv.polymorphic_key({lit(self.selector)}, {{{pairs}}})"

    def declaration(self) -> Any:
        # the factories it names are the generated module's: there is no stand-alone form
        raise NotImplementedError("a polymorphic key names the generated module's factories")
