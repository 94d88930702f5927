"""Querysets compiled once per shape, then asked again with new values (pages asked on every
request, such as /my/).

Building a queryset through the ORM and compiling it to SQL costs several times what the
database spends answering the small queries a member's page asks (measured on /my/: half of
the request's CPU). `rows(key, build, **values)` builds `build(**values)` once per `key` with
stand-in values, keeps its SQL and its compiler (which knows how to turn rows into model
instances), and afterwards only puts the request's values into the SQL's parameters and runs it:
the same rows, the same model instances, without building or compiling anything.

The key must name everything the SQL's shape depends on besides `values`: the permission
clause's facts (`Reader.fingerprint`), a limit, a role. The database, the current time zone and
language are added to it here. `values` are datetimes, dates or integers that the queryset only
compares with columns (`starts_at__gte=since`, `person_id=pk`): each stand-in must appear among
the compiled parameters exactly as the value would, or the shape is refused (`ImproperlyConfigured`).
A builder that asks the database while building is refused too: what it read would be kept in
the SQL.
With `VERIFY` set (tests), every call also compiles the real queryset and checks that it gives
the same SQL and parameters.
"""

from __future__ import annotations

import datetime
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone, translation

# Shapes kept per process (one per query and per reader fingerprint in use): the least recently
# used go first.
MAX_SHAPES = 2000
# Tests set it: every call compiles the real queryset too and compares.
VERIFY = False

_lock = threading.Lock()
_shapes: OrderedDict[Hashable, _Shape] = OrderedDict()
_counter = itertools.count(1)


@dataclass(frozen=True)
class _Shape:
    queryset: QuerySet | None  # None: the shape matches nothing (EmptyResultSet)
    compiler: Any
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (parameter index, value name)
    # Each connection's converters of the columns (as Django would work them out on every call).
    converters: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)


def _stand_in(value):
    """A value of the same kind as `value`, distinct from every other stand-in."""
    n = next(_counter)
    if isinstance(value, datetime.datetime):
        base = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC) if timezone.is_aware(value) \
            else datetime.datetime(1901, 1, 1)  # noqa: DTZ001 - a naive value's stand-in
        return base + datetime.timedelta(seconds=n, microseconds=n % 999_983 + 1)
    if isinstance(value, datetime.date):
        return datetime.date(1000, 1, 1) + datetime.timedelta(days=n % 300_000)
    if isinstance(value, int) and not isinstance(value, bool):
        return -7_000_000_000_000 - n
    raise ImproperlyConfigured(f"prepared.rows: a value must be a datetime, date or int, not {value!r}")


def _adapt(value, ops):
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return int(value)


def _refuse(execute, sql, params, many, context):
    raise ImproperlyConfigured(
        "prepared.rows: the queryset's builder asked the database, so its SQL would keep what the "
        f"database said then: {sql[:200]}")


def _prepare(build: Callable[..., QuerySet], values: dict) -> _Shape:
    stand_ins = {name: _stand_in(value) for name, value in values.items()}
    with connections["default"].execute_wrapper(_refuse):
        qs = build(**stand_ins)
    ops = connections[qs.db].ops
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Shape(None, None, "", (), ())
    params = tuple(params)
    wanted = {_adapt(v, ops): name for name, v in stand_ins.items()}
    slots = tuple((i, wanted[p]) for i, p in enumerate(params) if _hashable(p) and p in wanted)
    missing = set(values) - {name for _i, name in slots}
    if missing:
        raise ImproperlyConfigured(f"prepared.rows: {sorted(missing)} not found among the query's parameters")
    return _Shape(qs, compiler, sql, params, slots)


def _hashable(p) -> bool:
    try:
        hash(p)
    except TypeError:
        return False
    return True


_compiler_classes: dict[type, type] = {}


def _compiled(shape: _Shape, params: tuple, connection):
    """A copy of the kept compiler that answers with the kept SQL and this call's parameters, on
    this thread's connection."""
    base = type(shape.compiler)
    cls = _compiler_classes.get(base)
    if cls is None:
        cls = _compiler_classes.setdefault(base, type(
            f"Prepared{base.__name__}", (base,),
            {"as_sql": lambda self, *args, **kwargs: (self.prepared_sql, self.prepared_params),
             "get_converters": _get_converters}))
    compiler = object.__new__(cls)
    compiler.__dict__.update(shape.compiler.__dict__)
    compiler.prepared_sql, compiler.prepared_params, compiler.connection = shape.sql, params, connection
    compiler.prepared_shape = shape
    return compiler


def _get_converters(self, expressions):
    """The kept compiler's columns are the same objects on every call: their converters are
    worked out once per connection."""
    per_connection = self.prepared_shape.converters.get(self.connection)
    if per_connection is None:
        with _lock:
            per_connection = self.prepared_shape.converters.setdefault(self.connection, {})
    key = tuple(map(id, expressions))
    converters = per_connection.get(key)
    if converters is None:
        converters = per_connection[key] = type(self).__mro__[1].get_converters(self, expressions)
    return converters


def rows(key: Hashable, build: Callable[..., QuerySet], /, **values) -> list:
    """The list `build(**values)` gives (model instances, values() or values_list() rows), from
    SQL compiled once per `key` (see the module's docstring)."""
    full_key = (key, tuple(sorted(values)), connections["default"].vendor,
                timezone.get_current_timezone_name(), translation.get_language())
    with _lock:
        shape = _shapes.get(full_key)
        if shape is not None:
            _shapes.move_to_end(full_key)
    if shape is None:
        shape = _prepare(build, values)
        with _lock:
            _shapes[full_key] = shape
            while len(_shapes) > MAX_SHAPES:
                _shapes.popitem(last=False)
    if shape.queryset is None:
        return []
    connection = connections[shape.queryset.db]
    params = list(shape.params)
    for index, name in shape.slots:
        params[index] = _adapt(values[name], connection.ops)
    params = tuple(params)
    if VERIFY:
        real = build(**values).query.get_compiler(using=shape.queryset.db).as_sql()
        assert (real[0], tuple(real[1])) == (shape.sql, params), (key, real, (shape.sql, params))
    # A copy of the kept queryset (not of its query, which cloning would copy clause by clause)
    # whose query answers with this call's compiler; the query is only read.
    kept = shape.queryset
    qs = object.__new__(type(kept))
    qs.__dict__.update(kept.__dict__)
    qs._result_cache, qs._prefetch_done = None, False
    qs._query = _Query(kept.query, _compiled(shape, params, connection))
    return list(qs)


class _Query:
    """A kept query, read-only, whose compiler is the call's."""

    __slots__ = ("_compiler", "_query")

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, *args, **kwargs):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


def clear() -> None:
    """Forget every kept shape (tests that change what a shape's SQL would be)."""
    with _lock:
        _shapes.clear()
