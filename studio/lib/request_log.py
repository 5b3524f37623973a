"""One log line per request (method, path, status, duration, user or PAI AppId, request id), and
the request id echoed to the client in X-Request-Id. First in MIDDLEWARE, so it times them all."""
from __future__ import annotations

import logging
import re
import time
import uuid

from django.utils.functional import SimpleLazyObject

from .logs import request_id_var

log = logging.getLogger("studio.request")

REQUEST_ID_HEADER = "X-Request-Id"
# An id set by a load balancer or a client is kept when it is this plain; anything else is replaced.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# A PAI Authorization header is "AppId:signature"; the AppId is no secret (API keys are "Bearer ...").
_PAI_AUTHORIZATION = re.compile(r"([A-Za-z0-9_-]{1,64}):[0-9a-fA-F]+")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _PLAIN_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            log.info("request", extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": _user_id(request),
                "app_id": _pai_app_id(request),
                "request_id": request_id,
            })
            return response
        finally:
            request_id_var.reset(token)


def _user_id(request) -> str:
    """The authenticated user's id, when the request looked it up (a session, or an API key that
    DRF set on the request); a user nobody asked for stays unknown rather than cost a query here."""
    user = vars(request).get("user")
    if isinstance(user, SimpleLazyObject):
        user = vars(request).get("_cached_user")  # filled by django.contrib.auth once evaluated
    return str(user.pk) if getattr(user, "is_authenticated", False) else ""


def _pai_app_id(request) -> str:
    """The AppId a PAI request names (as sent: a refused request shows who tried)."""
    match = _PAI_AUTHORIZATION.fullmatch(request.headers.get("Authorization", "").strip())
    return match.group(1) if match else ""
