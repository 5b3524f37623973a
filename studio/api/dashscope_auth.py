"""DashScope's authentication: ``Authorization: Bearer <api key>``, an account's API key."""
from __future__ import annotations

from django.http import HttpRequest

from accounts.models import ApiKey
from accounts.services import apikey_authenticate

from .dashscope_wire import INVALID_API_KEY, INVALID_API_KEY_MESSAGE, DashScopeError


def dashscope_authenticate(request: HttpRequest) -> ApiKey:
    """The active key of the request, or DashScope's 401 InvalidApiKey (missing, unknown or revoked alike)."""
    scheme, _, raw = request.headers.get("Authorization", "").strip().partition(" ")
    key = apikey_authenticate(raw=raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    if key is None:
        raise DashScopeError(401, INVALID_API_KEY, INVALID_API_KEY_MESSAGE)
    return key
