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
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Far outside the ids of any table, and distinct: each must appear exactly once in the parameters.
_MARKER_BASE = -1_987_654_321


def _marker(index: int, kind: type) -> int | str:
    if kind is int:
        return _MARKER_BASE - index
    if kind is str:
        return f"prepared-values-marker-{index}"
    raise ImproperlyConfigured(f"PreparedValues takes int and str arguments, not {kind.__name__}")


class PreparedValues:
    """``build(**arguments)`` returns a ``values(...)`` queryset sliced to one row; ``arguments``
    names each argument's type (int or str), and each must reach the SQL as a parameter unchanged
    (an exact lookup, not ``__iexact`` nor ``__in``); ``first(**arguments)`` returns the row as
    values() would, or None."""

    def __init__(self, build: Callable[..., QuerySet], *, arguments: dict[str, type]):
        self._build = build
        self._arguments = arguments
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **arguments: int | str) -> dict[str, Any] | None:
        plan = self._plans.get(using) or self._plan(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, [arguments[slot] if isinstance(slot, str) else slot.value
                                      for slot in plan.slots])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for position, (converters, expression) in plan.converters.items():
            for converter in converters:
                values[position] = converter(values[position], expression, connection)
        return dict(zip(plan.names, values))

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
    def __init__(self, sql: str, slots: list[str | _Fixed], names: list[str], converters: dict):
        self.sql, self.slots, self.names, self.converters = sql, slots, names, converters

    @classmethod
    def compile(cls, build: Callable[..., QuerySet], arguments: dict[str, type], using: str) -> _Plan:
        markers = {name: _marker(index, kind) for index, (name, kind) in enumerate(arguments.items())}
        queryset = build(**markers)
        query = queryset.query
        if query.extra_select or not query.values_select:
            raise ImproperlyConfigured("PreparedValues needs a values(...) queryset of fields, without extra()")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        by_marker = {value: name for name, value in markers.items()}
        slots: list[str | _Fixed] = [by_marker.get(p, _Fixed(p)) if type(p) in (int, str) else _Fixed(p)
                                     for p in params]
        for name in arguments:
            if slots.count(name) != 1:
                raise ImproperlyConfigured(f"PreparedValues: the argument {name!r} must be used exactly once "
                                           f"as a query parameter, not {slots.count(name)} times")
        names = [*query.values_select, *query.annotation_select]
        expressions = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        return cls(sql, slots, names, compiler.get_converters(expressions))
