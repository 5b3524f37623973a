"""Cursor pagination: stable pages while new jobs and portraits arrive."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from studio.portraits.selectors import JOBS_NEWEST, JobPositionInvalid


class NewestFirst(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = JOBS_NEWEST

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor is base64 the client may rewrite: a position that is not a date is a forged
        # cursor, answered as DRF answers one it cannot decode, not by the ORM's error.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValidationError, JobPositionInvalid):
            raise NotFound(self.invalid_cursor_message) from None


class ByPosition(NewestFirst):
    ordering = ("position", "key")


class ById(NewestFirst):
    ordering = ("id",)
