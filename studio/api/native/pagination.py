"""Cursor pagination: stable pages while new jobs and portraits arrive."""
from __future__ import annotations

from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")


class ByPosition(NewestFirst):
    ordering = ("position", "key")


class ById(NewestFirst):
    ordering = ("id",)
