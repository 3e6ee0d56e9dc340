"""Single values written as JSON by the database, exactly as the GraphQL serializers write them.

store/json_sql.py builds whole answers from these. Each one is a SQLAlchemy expression that
compiles for PostgreSQL and for SQLite alike. Where the two back ends store or spell something
differently (a date, an instant, text made JSON or base64), the construct below compiles to each
one's own functions, from the same call: PostgreSQL has dates and instants and `to_json`; SQLite
stores dates and instants as ISO text (as SQLAlchemy's SQLite types write them), has
`json_quote`, and gets base64 from a function registered on each of its connections
(store/database.py).

Our own constants (keys, punctuation, names, sizes) are written into the statement by the
dialect's own literal rendering (`Constant`), never quoted by hand: a statement whose only
parameters are our own constants is then the same text on every run, and PostgreSQL plans it once
per connection. Values that come from a client (cursors, filters) stay bound parameters.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Integer,
    LargeBinary,
    Text,
    and_,
    case,
    cast,
    func,
    or_,
    true,
    type_coerce,
)
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import AggregateOrderBy, BindParameter
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal, replacement_traverse

from store.columns import ScaledDecimal
from store.database import BASE64URL

# A JSON value as text. SQLite's parser bounds how deeply a statement nests (a stack of 100 before
# 3.46), and a read of lists within lists nests deeply: each list costs a subquery, a function or
# two and the text pending before them. So every piece store/json_sql.py composes writes `null`
# itself where its value is null (none is SQL NULL, to be wrapped in another function), text is
# joined as one flat `a || b || c`, and a list's constant text is written outside its subquery.
Json = ColumnElement[str]
# A value given as the pieces of its text, to be joined into the text around it.
Pieces = list[Any]
NULL = "null"
DEL = "\x7f"


class Constant(ColumnElement[Any]):
    """Our own constant, written into the statement when it is compiled, by the dialect's own
    literal rendering (as `literal_binds` writes values): compiled once and cached with the
    statement, where a `literal_execute` parameter would be rendered again on every run."""

    __visit_name__ = "json_constant"
    _traverse_internals = [
        ("value", InternalTraversal.dp_plain_obj),
        ("type", InternalTraversal.dp_type),
    ]
    inherit_cache = True

    def __init__(self, value: Any, type_: Any) -> None:
        self.value = value
        self.type = type_


@compiles(Constant)
def _constant(element: Constant, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.render_literal_value(element.value, element.type)


def constant(value: str | int) -> Constant:
    return Constant(value, Integer() if isinstance(value, int) else Text())


def constants(values: Sequence[str]) -> list[Constant]:
    """Our own strings, for `IN`."""
    return [constant(value) for value in values]


def written(expression: ColumnElement[bool]) -> ColumnElement[bool]:
    """`expression` (built elsewhere, with its constants as parameters) with them written in."""

    def write(element: Any, **_: Any) -> Any:
        if isinstance(element, BindParameter):
            return Constant(element.value, element.type)
        return None

    options: dict[str, Any] = {}
    return replacement_traverse(expression, options, write)


def json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def string(value: str) -> Json:
    """A constant string as JSON."""
    return constant(json_text(value))


def flag(value: bool) -> Json:
    return constant(json_text(value))


def joined(parts: Sequence[Any]) -> Json:
    """The parts' text, one after another (null if any is null): `a || b || c`, with no
    parentheses (see `Json` on nesting). A part may be a list of parts; constants that meet are
    written as one."""
    pieces = merged(parts)
    whole: Json = type_coerce(pieces[0], Text)
    for piece in pieces[1:]:
        whole = whole + type_coerce(piece, Text)
    return whole


def merged(parts: Sequence[Any]) -> list[Any]:
    """`parts` with the lists among them spread out and the constant text that meets joined."""
    pieces: list[Any] = []
    for part in parts:
        for piece in merged(part) if isinstance(part, list) else [part]:
            if is_text(piece) and pieces and is_text(pieces[-1]):
                pieces[-1] = constant(pieces[-1].value + piece.value)
            else:
                pieces.append(piece)
    return pieces


def is_text(piece: Any) -> bool:
    return isinstance(piece, Constant) and isinstance(piece.value, str)


def or_null(value: Json) -> Json:
    return func.coalesce(value, constant(NULL))


def quoted(value: Any) -> Json:
    """Text that needs no escaping (digits, names, base64) as a JSON string; null stays null."""
    return joined([constant('"'), value, constant('"')])


def number(value: Any) -> Json:
    """An integer as JSON."""
    return cast(value, Text)


def true_or_false(condition: ColumnElement[bool]) -> Json:
    return case((condition, flag(True)), else_=flag(False))


class AsJson(FunctionElement[str]):
    """A string or an integer as JSON, null as `null`, escaped as orjson escapes it:
    PostgreSQL's `to_json` and SQLite's `json_quote` both escape only quotes, backslashes and
    control characters, with the same short forms (tests/test_compiled_reads.py proves it on
    both)."""

    name = "as_json"
    type = Text()
    inherit_cache = True


class IsoDay(FunctionElement[str]):
    """A date as `date.isoformat` writes it (no quotes)."""

    name = "iso_day"
    type = Text()
    inherit_cache = True


class IsoInstant(FunctionElement[str]):
    """An instant in UTC as `isoformat` writes it, microseconds only when any (no quotes, no
    zone: see `instant_text`)."""

    name = "iso_instant"
    type = Text()
    inherit_cache = True


class Base64Url(FunctionElement[str]):
    """URL-safe base64 of text's UTF-8, without padding (`base64.urlsafe_b64encode`, then
    `rstrip("=")`)."""

    name = "base64_url"
    type = Text()
    inherit_cache = True


class Ascii(FunctionElement[bool]):
    """Whether text is ASCII but for DEL: text that `json.dumps` (which writes everything else
    as `\\u` escapes) escapes as `AsJson` does."""

    name = "ascii"
    type = Boolean()
    inherit_cache = True


class InInputOrder(AggregateOrderBy[str]):
    """An aggregate's ORDER BY where SQLite cannot write one (before 3.44): there the aggregate
    takes its rows in the order of the derived table it reads, which must be ordered the same way
    (SQLite keeps a subquery's ORDER BY for the aggregate above it, and does not flatten such a
    subquery into it). PostgreSQL writes the ORDER BY."""

    inherit_cache = True


def _argument(element: FunctionElement[Any]) -> Any:
    (value,) = element.clauses
    return value


@compiles(AsJson, "postgresql")
def _as_json_postgresql(element: AsJson, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(or_null(cast(func.to_json(_argument(element)), Text)), **kw)


@compiles(AsJson, "sqlite")
def _as_json_sqlite(element: AsJson, compiler: SQLCompiler, **kw: Any) -> str:
    # json_quote(NULL) is `null` already.
    return compiler.process(func.json_quote(_argument(element)), **kw)


# The driver reads PostgreSQL's infinite dates and instants as Python's largest and smallest
# (and writes those as infinite), so Python writes them as these. SQLite has no infinity.
_ENDS_OF_DAYS = {"infinity": "9999-12-31", "-infinity": "0001-01-01"}
_ENDS_OF_TIME = {"infinity": "9999-12-31T23:59:59.999999", "-infinity": "0001-01-01T00:00:00"}


def _infinite(value: Any, ends: Mapping[str, str], otherwise: Any) -> Any:
    shown = [(value == constant(end), constant(text)) for end, text in ends.items()]
    return case(*shown, else_=otherwise)


@compiles(IsoDay, "postgresql")
def _iso_day_postgresql(element: IsoDay, compiler: SQLCompiler, **kw: Any) -> str:
    value = _argument(element)
    day = func.to_char(value, constant("YYYY-MM-DD"))
    return compiler.process(_infinite(value, _ENDS_OF_DAYS, day), **kw)


@compiles(IsoDay, "sqlite")
def _iso_day_sqlite(element: IsoDay, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy's SQLite DATE is stored as `YYYY-MM-DD` text already.
    return compiler.process(cast(_argument(element), Text), **kw)


@compiles(IsoInstant, "postgresql")
def _iso_instant_postgresql(element: IsoInstant, compiler: SQLCompiler, **kw: Any) -> str:
    value = _argument(element)
    utc = func.timezone(constant("UTC"), value)
    seconds = func.to_char(utc, constant('YYYY-MM-DD"T"HH24:MI:SS'))
    micro = func.to_char(utc, constant("US"))
    fraction = case(
        (micro == constant("000000"), constant("")), else_=joined([constant("."), micro])
    )
    written = _infinite(value, _ENDS_OF_TIME, joined([seconds, fraction]))
    return compiler.process(written, **kw)


@compiles(IsoInstant, "sqlite")
def _iso_instant_sqlite(element: IsoInstant, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy's SQLite DATETIME is stored as `YYYY-MM-DD HH:MM:SS.ffffff` text, and
    # store/columns.py's UTCDateTime stores it in UTC.
    stored = cast(_argument(element), Text)
    day = func.substr(stored, constant(1), constant(10), type_=Text)
    time = func.substr(stored, constant(12), constant(8), type_=Text)
    micro = func.substr(stored, constant(21), constant(6), type_=Text)
    fraction = case(
        (micro.in_(constants(["", "000000"])), constant("")),
        else_=joined([constant("."), micro]),
    )
    return compiler.process(joined([day, constant("T"), time, fraction]), **kw)


@compiles(Base64Url, "postgresql")
def _base64_url_postgresql(element: Base64Url, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL breaks its base64 into lines, which are joined again.
    utf8 = func.convert_to(_argument(element), constant("UTF8"))
    encoded = func.replace(func.encode(utf8, constant("base64")), constant("\n"), constant(""))
    url_safe = func.translate(encoded, constant("+/"), constant("-_"))
    return compiler.process(func.rtrim(url_safe, constant("=")), **kw)


@compiles(Base64Url, "sqlite")
def _base64_url_sqlite(element: Base64Url, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(getattr(func, BASE64URL)(_argument(element)), **kw)


@compiles(InInputOrder, "sqlite")
def _in_input_order_sqlite(element: InInputOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.element, **kw)


def _nowhere_else(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"{type(element).__name__} is written for PostgreSQL and SQLite only")


@compiles(Ascii, "postgresql")
def _ascii_postgresql(element: Ascii, compiler: SQLCompiler, **kw: Any) -> str:
    text = _argument(element)
    ascii_ = func.octet_length(text) == func.char_length(text)
    return compiler.process(and_(ascii_, func.strpos(text, constant(DEL)) == constant(0)), **kw)


@compiles(Ascii, "sqlite")
def _ascii_sqlite(element: Ascii, compiler: SQLCompiler, **kw: Any) -> str:
    text = _argument(element)
    ascii_ = func.length(cast(text, LargeBinary)) == func.length(text)
    return compiler.process(and_(ascii_, func.instr(text, constant(DEL)) == constant(0)), **kw)


for _construct in (AsJson, IsoDay, IsoInstant, Base64Url, Ascii):
    compiles(_construct)(_nowhere_else)


def day(value: Any) -> Json:
    """A date as JSON (SQL NULL for null: see `or_null`)."""
    return quoted(IsoDay(value))


def instant(value: Any, zone: str) -> Json:
    """An instant as JSON (SQL NULL for null): in UTC, then `zone` (`Z` as the DateTime scalar
    writes it, `+00:00` as `isoformat` does inside a cursor)."""
    return quoted(joined([IsoInstant(value), constant(zone)]))


def base64_url(text: Any) -> Json:
    return Base64Url(text)


def ascii(text: Any) -> ColumnElement[bool]:
    return Ascii(text)


def named(column: Any, names: Mapping[Any, str]) -> Json:
    """A value shown by name (an enum member, a priority's rank); null stays null."""
    # Enum columns store the member's name (store/base.py's enum_column).
    stored = {_stored(value): shown for value, shown in names.items()}
    if all(value == shown for value, shown in stored.items()):
        return or_null(quoted(column))  # a name of capitals and underscores: nothing to escape
    named = [(column == constant(value), string(shown)) for value, shown in stored.items()]
    return case(*named, else_=constant(NULL))


def _stored(value: Any) -> Any:
    return value.name if isinstance(value, enum.Enum) else value


def amount(units: Any, currency: Any, digits: Mapping[int, Sequence[str]]) -> Json:
    """`in_minor_units` as the Decimal scalar writes it: the currency's minor digits, or every
    stored digit (trailing zeros trimmed, as `normalize` does) when rounding would lose one.
    `digits` lists the currencies with other than two minor digits by their count.

    The column (a ScaledDecimal) holds the amount as an integer count of 10^-scale units; it is
    written with integer arithmetic and text, which both back ends do alike (SQLite has no exact
    decimal type), in one CASE (see `Json` on nesting). For use where neither column is null."""
    assert isinstance(units.type, ScaledDecimal)
    scale = units.type.scale
    stored = type_coerce(units, BigInteger)  # the integer itself, not the Decimal read from it
    size = func.abs(stored, type_=BigInteger)
    whole = cast(size // constant(10**scale), Text)
    # The digits below the point, zero-padded: 10^scale added, then its leading 1 dropped.
    below = func.substr(
        cast(size % constant(10**scale) + constant(10**scale), Text), constant(2), type_=Text
    )
    every = joined([whole, constant("."), func.rtrim(below, constant("0"))])

    def exact(minor: int) -> Any:
        """The amount in `minor` digits, and when it is exact in them."""
        if minor >= scale:
            zeros = [constant("0" * (minor - scale))] if minor > scale else []
            return true(), joined([whole, constant("."), below, *zeros])
        digits = [constant("."), func.substr(below, constant(1), constant(minor))]
        shown = joined([whole, *digits]) if minor else whole
        return size % constant(10 ** (scale - minor)) == constant(0), shown

    choices = []
    for count, codes in digits.items():
        exact_in, shown = exact(count)
        choices.append((and_(currency.in_(constants(codes)), exact_in), shown))
    rounding = [code for count, codes in digits.items() if count < scale for code in codes]
    if rounding:  # those of these currencies whose amount is not exact in their digits
        choices.append((currency.in_(constants(rounding)), every))
    exact_in, shown = exact(2)
    text = case(*choices, (exact_in, shown), else_=every)
    sign = case((stored < constant(0), constant("-")), else_=constant(""))
    return quoted(joined([sign, text]))


def rounded(units: Any, minor: int) -> Json:
    """The amount rounded to `minor` digits, half to even, written with exactly that many: as
    `quantize` and then the Decimal scalar write a sum kept to more places (a total in the base
    currency). The sign stays, as Decimal keeps it (-0.004 is -0.00). For use where the column
    is not null."""
    assert isinstance(units.type, ScaledDecimal)
    scale = units.type.scale
    assert 0 <= minor <= scale
    stored = type_coerce(units, BigInteger)
    size = func.abs(stored, type_=BigInteger)
    step = 10 ** (scale - minor)
    kept, left = size // constant(step), size % constant(step)
    half = constant(step // 2)
    up = or_(left > half, and_(left == half, kept % constant(2) == constant(1)))
    whole_units = kept + case((up, constant(1)), else_=constant(0)) if step > 1 else kept
    whole = cast(whole_units // constant(10**minor), Text)
    parts: list[Any] = [whole]
    if minor:
        below = cast(whole_units % constant(10**minor) + constant(10**minor), Text)
        parts += [constant("."), func.substr(below, constant(2), type_=Text)]
    sign = case((stored < constant(0), constant("-")), else_=constant(""))
    return quoted(joined([sign, *parts]))


def scaled_text(units: Any) -> Json:
    """A ScaledDecimal column's value as `str` writes the Decimal read from it (the column's
    places, always; never an exponent, as no Decimal of this shape needs one): for cursors.
    SQL NULL for null."""
    assert isinstance(units.type, ScaledDecimal)
    scale = units.type.scale
    stored = type_coerce(units, BigInteger)
    if not scale:
        return cast(stored, Text)
    size = func.abs(stored, type_=BigInteger)
    below = cast(size % constant(10**scale) + constant(10**scale), Text)
    sign = case((stored < constant(0), constant("-")), else_=constant(""))
    whole = cast(size // constant(10**scale), Text)
    return joined([sign, whole, constant("."), func.substr(below, constant(2), type_=Text)])
