"""Django's error views (handler400/403/404/500) and the API paths' catch-all: an API client gets
JSON in the shape of the API family its path belongs to, a person the site's branded page.

Families by path: PAI (/api/v1/aigc_images/..., /api/v1/async_jobs/...), DashScope (the rest of
/api/v1/: services/, tasks, fine-tunes) and the native API (the rest of /api/).
"""
from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from studio.api.dashscope_wire import INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE, DashScopeError, ds_error
from studio.api.dashscope_wire import request_id as ds_request_id
from studio.api.native.errors import error_body
from studio.api.pai_wire import pai_error
from studio.api.pai_wire import request_id as pai_request_id

PAI_PREFIXES = ("/api/v1/aigc_images", "/api/v1/async_jobs")
DASHSCOPE_PREFIX = "/api/v1/"
NATIVE_PREFIX = "/api/"

# DashScope's codes for these statuses, as its SDK reports them.
DASHSCOPE_CODES = {400: "InvalidParameter", 403: "AccessDenied", 404: "NotFound", 500: INTERNAL_ERROR}
NATIVE_CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}


def api_family(path: str) -> str | None:
    """"pai", "dashscope" or "native" for a path under /api/; None for every other path."""
    if path.startswith(PAI_PREFIXES):
        return "pai"
    if path.startswith(DASHSCOPE_PREFIX):
        return "dashscope"
    if path.startswith(NATIVE_PREFIX):
        return "native"
    return None


def _message(request: HttpRequest, status: int) -> str:
    if status == 404:
        hint = "" if request.path.endswith("/") or api_family(request.path) != "native" else \
            " (native API paths end with a slash)"
        return f"No API endpoint answers {request.method} {request.path}{hint}."
    if status == 500:
        return INTERNAL_ERROR_MESSAGE
    return HTTPStatus(status).phrase + "."


def api_error(request: HttpRequest, status: int) -> JsonResponse | None:
    """The error body of the request's API family with HTTP ``status``; None off the APIs."""
    family = api_family(request.path)
    message = _message(request, status)
    if family == "pai":
        return pai_error(message, rid=pai_request_id(), status=status)
    if family == "dashscope":
        return ds_error(DashScopeError(status, DASHSCOPE_CODES[status], message), rid=ds_request_id())
    if family == "native":
        return JsonResponse(error_body(NATIVE_CODES[status], message), status=status)
    return None


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Last in the urlconf under /api/: no technical 404 page for API clients, even with DEBUG on."""
    return api_error(request, 404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return api_error(request, 400) or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return api_error(request, 403) or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return api_error(request, 404) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Nothing here may need the database or a context processor: it may be what failed.
    return api_error(request, 500) or defaults.server_error(request)
