"""Reads polled many times a second, compiled to SQL once instead of on every request.

Django compiles a queryset to SQL each time it is evaluated, and for a one-row read by primary key
with two joins that costs more CPU than the database spends answering it (bench/api_profile.py
--profile pai_job_query: the ORM's filter and as_sql were about half of a PAI job query). Django
has no public way to keep a compiled query, and no well-kept library does it for arbitrary
querysets (django-cachalot and kin cache results, which a status poll must not see stale), so
this does the least that works: the queryset is built and compiled once per database with marker
values in place of its arguments, and each call runs that SQL with the arguments where the
markers were, converting the columns as the ORM's values() would.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.transaction import TransactionManagementError

# Far outside the ids of any table, and distinct: each must appear exactly once in the parameters.
_MARKER_BASE = -1_987_654_321


Argument = int | str | datetime | UUID


def _marker(index: int, kind: type) -> Argument:
    if kind is int:
        return _MARKER_BASE - index
    if kind is str:
        return f"prepared-values-marker-{index}"
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 5, 6, index + 1, tzinfo=UTC)
    if kind is UUID:
        return UUID(int=(1 << 127) + index)
    raise ImproperlyConfigured(f"PreparedValues takes int, str, datetime and UUID arguments, not {kind.__name__}")


class PreparedValues:
    """``build(**arguments)`` returns a ``values(...)`` queryset; ``arguments`` names each argument's
    type (int, str, UUID, or an aware datetime compared with a DateTimeField), and each must reach the SQL
    as a parameter unchanged (an exact or ordering lookup, not ``__iexact`` nor ``__in``).
    ``first(**arguments)`` returns the first row as values() would, or None (``build`` slices its
    queryset to one row); ``rows(limit=, offset=, **arguments)`` returns a slice of the rows
    (``build`` orders its queryset and does not slice it)."""

    _objects = False  # rows as values() gives them; PreparedObjects makes instances

    def __init__(self, build: Callable[..., QuerySet], *, arguments: dict[str, type]):
        self._build = build
        self._arguments = arguments
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **arguments: Argument) -> dict[str, Any] | None:
        plan = self._plans.get(using) or self._plan(using)
        connection = connections[using]
        plan.check_locking(connection)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.parameters(arguments, connection))
            row = cursor.fetchone()
        return None if row is None else self._made(plan, plan.converted(row, connection), using)

    def rows(self, *, limit: int, offset: int = 0, using: str = DEFAULT_DB_ALIAS,
             **arguments: Argument) -> list[dict[str, Any]]:
        plan = self._plans.get(using) or self._plan(using)
        if plan.sliced:
            raise ImproperlyConfigured("PreparedValues.rows() slices itself: build an unsliced queryset")
        connection = connections[using]
        plan.check_locking(connection)
        with connection.cursor() as cursor:
            # LIMIT and OFFSET as parameters, as every backend the studio runs on (PostgreSQL,
            # SQLite) takes them: Django writes a slice into the SQL text, which would make a plan per page size.
            cursor.execute(plan.sql + " LIMIT %s OFFSET %s",
                           [*plan.parameters(arguments, connection), int(limit), int(offset)])
            fetched = cursor.fetchall()
        return [self._made(plan, plan.converted(row, connection), using) for row in fetched]

    def _made(self, plan: _Plan, values: list[Any], using: str) -> Any:
        return dict(zip(plan.names, values))

    def _plan(self, using: str) -> _Plan:
        with self._lock:
            if using not in self._plans:
                self._plans[using] = _Plan.compile(self._build, self._arguments, using, objects=self._objects)
            return self._plans[using]


class PreparedObjects(PreparedValues):
    """As PreparedValues, for a queryset of model instances (``build`` returns ``Model.objects...``
    without values(), select_related() or annotations): ``first`` and ``rows`` return instances
    made as the ORM makes them (``Model.from_db``: not adding, their database noted), whose
    relations load on first use."""

    _objects = True

    def _made(self, plan: _Plan, values: list[Any], using: str) -> Model:
        return plan.model.from_db(using, plan.names, values)


class _Fixed:
    """A parameter the queryset fixed itself (True for ``is_active=True``), kept as compiled."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class _Plan:
    def __init__(self, sql: str, slots: list[str | _Fixed], names: list[str], converters: dict,
                 kinds: dict[str, type], sliced: bool, model: type[Model] | None = None, locking: bool = False):
        self.sql, self.slots, self.names, self.converters = sql, slots, names, converters
        self.kinds, self.sliced, self.model, self.locking = kinds, sliced, model, locking

    def check_locking(self, connection) -> None:
        """Refuses a locking read in autocommit, as the ORM does when a select_for_update() queryset
        is evaluated there: its lock would end with the statement, guarding nothing."""
        if self.locking and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")

    def parameters(self, arguments: dict[str, Argument], connection) -> list[Any]:
        """The query's parameters with the arguments where their markers were, each adapted for
        the database as the ORM adapts its field's value."""
        return [slot.value if isinstance(slot, _Fixed) else _adapted(arguments[slot], self.kinds[slot], connection)
                for slot in self.slots]

    def converted(self, row: tuple, connection) -> list[Any]:
        """The row's columns as the ORM converts them (JSON decoded, times made aware...)."""
        values = list(row)
        for position, (converters, expression) in self.converters.items():
            for converter in converters:
                values[position] = converter(values[position], expression, connection)
        return values

    @classmethod
    def compile(cls, build: Callable[..., QuerySet], arguments: dict[str, type], using: str, *,
                objects: bool = False) -> _Plan:
        markers = {name: _marker(index, kind) for index, (name, kind) in enumerate(arguments.items())}
        queryset = build(**markers)
        query = queryset.query
        if objects:
            if query.values_select or query.extra_select or query.annotation_select or query.select_related:
                raise ImproperlyConfigured("PreparedObjects needs a queryset of model instances, without "
                                           "values(), extra(), annotations or select_related()")
        elif query.extra_select or not query.values_select:
            raise ImproperlyConfigured("PreparedValues needs a values(...) queryset of fields, without extra()")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        # A marker reaches the parameters as the backend adapts it (a datetime or a UUID becomes text on SQLite).
        by_marker = {_adapted(value, arguments[name], connections[using]): name for name, value in markers.items()}
        slots: list[str | _Fixed] = [by_marker.get(p, _Fixed(p)) if type(p) in (int, str, datetime, UUID)
                                     else _Fixed(p) for p in params]
        for name in arguments:
            if slots.count(name) != 1:
                raise ImproperlyConfigured(f"PreparedValues: the argument {name!r} must be used exactly once "
                                           f"as a query parameter, not {slots.count(name)} times")
        expressions = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        # The columns' attribute names, in the order the instance or the values() row takes them.
        names = ([column.target.attname for column in expressions] if objects
                 else [*query.values_select, *query.annotation_select])
        sliced = query.low_mark != 0 or query.high_mark is not None
        return cls(sql, slots, names, compiler.get_converters(expressions), dict(arguments), sliced,
                   model=query.model if objects else None, locking=query.select_for_update)


def _adapted(value: Any, kind: type, connection) -> Any:
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value(_aware(value))
    if kind is UUID:
        if not isinstance(value, UUID):
            raise ValueError(f"PreparedValues takes UUID arguments as UUIDs, not {value!r}")
        return value if connection.features.has_native_uuid_field else value.hex
    return value


def _aware(value: Any) -> datetime:
    # The ORM would warn and guess a zone for a naive value; a prepared read takes none.
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"PreparedValues takes aware datetimes, not {value!r}")
    return value
