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

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Far outside the ids of any table, and distinct: each must appear exactly once in the parameters.
_MARKER_BASE = -1_987_654_321


Argument = int | str | datetime


def _marker(index: int, kind: type) -> Argument:
    if kind is int:
        return _MARKER_BASE - index
    if kind is str:
        return f"prepared-values-marker-{index}"
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 5, 6, index + 1, tzinfo=UTC)
    raise ImproperlyConfigured(f"PreparedValues takes int, str and datetime arguments, not {kind.__name__}")


class PreparedValues:
    """``build(**arguments)`` returns a ``values(...)`` queryset; ``arguments`` names each argument's
    type (int, str, or an aware datetime compared with a DateTimeField), and each must reach the SQL
    as a parameter unchanged (an exact or ordering lookup, not ``__iexact`` nor ``__in``).
    ``first(**arguments)`` returns the first row as values() would, or None (``build`` slices its
    queryset to one row); ``rows(limit=, offset=, **arguments)`` returns a slice of the rows
    (``build`` orders its queryset and does not slice it)."""

    def __init__(self, build: Callable[..., QuerySet], *, arguments: dict[str, type]):
        self._build = build
        self._arguments = arguments
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **arguments: Argument) -> dict[str, Any] | None:
        plan = self._plans.get(using) or self._plan(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.parameters(arguments, connection))
            row = cursor.fetchone()
        return None if row is None else plan.values(row, connection)

    def rows(self, *, limit: int, offset: int = 0, using: str = DEFAULT_DB_ALIAS,
             **arguments: Argument) -> list[dict[str, Any]]:
        plan = self._plans.get(using) or self._plan(using)
        if plan.sliced:
            raise ImproperlyConfigured("PreparedValues.rows() slices itself: build an unsliced queryset")
        connection = connections[using]
        with connection.cursor() as cursor:
            # LIMIT and OFFSET as parameters, as every backend the studio runs on (PostgreSQL,
            # SQLite) takes them: Django writes a slice into the SQL text, which would make a plan per page size.
            cursor.execute(plan.sql + " LIMIT %s OFFSET %s",
                           [*plan.parameters(arguments, connection), int(limit), int(offset)])
            fetched = cursor.fetchall()
        return [plan.values(row, connection) for row in fetched]

    def _plan(self, using: str) -> _Plan:
        with self._lock:
            if using not in self._plans:
                self._plans[using] = _Plan.compile(self._build, self._arguments, using)
            return self._plans[using]


class _Fixed:
    """A parameter the queryset fixed itself (True for ``is_active=True``), kept as compiled."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class _Plan:
    def __init__(self, sql: str, slots: list[str | _Fixed], names: list[str], converters: dict,
                 dated: frozenset[str], sliced: bool):
        self.sql, self.slots, self.names, self.converters = sql, slots, names, converters
        self.dated, self.sliced = dated, sliced

    def parameters(self, arguments: dict[str, Argument], connection) -> list[Any]:
        """The query's parameters with the arguments where their markers were, each adapted for
        the database as the ORM adapts a DateTimeField's value (SQLite takes text)."""
        out = []
        for slot in self.slots:
            if isinstance(slot, _Fixed):
                out.append(slot.value)
            elif slot in self.dated:
                out.append(connection.ops.adapt_datetimefield_value(_aware(arguments[slot])))
            else:
                out.append(arguments[slot])
        return out

    def values(self, row: tuple, connection) -> dict[str, Any]:
        values = list(row)
        for position, (converters, expression) in self.converters.items():
            for converter in converters:
                values[position] = converter(values[position], expression, connection)
        return dict(zip(self.names, values))

    @classmethod
    def compile(cls, build: Callable[..., QuerySet], arguments: dict[str, type], using: str) -> _Plan:
        markers = {name: _marker(index, kind) for index, (name, kind) in enumerate(arguments.items())}
        queryset = build(**markers)
        query = queryset.query
        if query.extra_select or not query.values_select:
            raise ImproperlyConfigured("PreparedValues needs a values(...) queryset of fields, without extra()")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        ops = connections[using].ops
        # A marker reaches the parameters as the backend adapts it (a datetime becomes text on SQLite).
        by_marker = {(ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value): name
                     for name, value in markers.items()}
        slots: list[str | _Fixed] = [by_marker.get(p, _Fixed(p)) if type(p) in (int, str, datetime) else _Fixed(p)
                                     for p in params]
        for name in arguments:
            if slots.count(name) != 1:
                raise ImproperlyConfigured(f"PreparedValues: the argument {name!r} must be used exactly once "
                                           f"as a query parameter, not {slots.count(name)} times")
        names = [*query.values_select, *query.annotation_select]
        expressions = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        dated = frozenset(name for name, kind in arguments.items() if kind is datetime)
        sliced = query.low_mark != 0 or query.high_mark is not None
        return cls(sql, slots, names, compiler.get_converters(expressions), dated, sliced)


def _aware(value: Any) -> datetime:
    # The ORM would warn and guess a zone for a naive value; a prepared read takes none.
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"PreparedValues takes aware datetimes, not {value!r}")
    return value
