"""One error shape for every failure of the native API:

    {"error": {"code": "...", "message": "...", "fields": {...}}}   (fields only for invalid input)

EngineError codes map here: invalid options are the client's request (400), the rest are about
the images or avatars it sent (422). This is the one place the native API maps errors.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from billing.errors import QuotaExceeded
from engine.errors import EngineError, ErrorCode
from jobs.queue import QueueUnavailable
from studio.lib.moderation import Refused
from studio.lib.outbound import OutboundError

ENGINE_BAD_REQUEST = {ErrorCode.INVALID_OPTION}
ENGINE_SERVER = {ErrorCode.INTERNAL}


class ApiError(exceptions.APIException):
    """An error a view raises with its own status, code and (optionally) per-field messages."""

    def __init__(self, *, status_code: int, code: str, message: str, fields: dict | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields


def not_found(what: str) -> ApiError:
    return ApiError(status_code=status.HTTP_404_NOT_FOUND, code="not_found", message=f"No such {what}.")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _fields(detail) -> dict:
    """DRF's nested detail as plain strings, lists kept as lists."""
    if isinstance(detail, dict):
        return {str(key): _fields(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [str(item) for item in detail]
        return [_fields(item) for item in detail]
    return str(detail)


def native_exception_handler(exc, context):
    if isinstance(exc, EngineError):
        status_code = 400 if exc.code in ENGINE_BAD_REQUEST else 500 if exc.code in ENGINE_SERVER else 422
        return Response(error_body(exc.code.value, exc.message), status=status_code)
    if isinstance(exc, QuotaExceeded):
        return Response(error_body("quota_exceeded", exc.message), status=status.HTTP_402_PAYMENT_REQUIRED)
    if isinstance(exc, QueueUnavailable):
        body = error_body("service_unavailable", exc.message)
        body["error"]["retry_after"] = exc.retry_after
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, Refused):
        return Response(error_body(exc.code, exc.message), status=422)
    if isinstance(exc, OutboundError):
        fields = {"url": [exc.message]} if exc.url else None
        return Response(error_body(exc.code, exc.message, fields), status=422)
    if isinstance(exc, ApiError):
        response = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 page (and the log) take it
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", "The request is not valid; see fields.", _fields(exc.detail))
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        response.data = error_body(code, str(exc.detail))
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response.data["error"]["retry_after"] = int(exc.wait)
    return response


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, help_text="Messages per input field (invalid input only).")
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (throttled or unavailable only).")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
