"""Who calls the native API: a partner with ``Authorization: Bearer <api key>``, or the website's
session (DRF's SessionAuthentication, which enforces CSRF)."""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.services import apikey_authenticate
from studio.lib.ratelimit import CACHE_ERRORS, cache_outage_log


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: the session may still authenticate the request
        key = apikey_authenticate(raw=raw.strip())
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is not valid or has been revoked.")
        return key.owner, key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API key (`sk-...`)."}


class StudioRateThrottle(throttling.UserRateThrottle):
    scope = "studio_api"

    def allow_request(self, request, view) -> bool:
        # DRF keeps its history in the cache; without the cache, serve the request (fail open).
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            cache_outage_log(operation="native API throttle", error=exc)
            return True


AUTHENTICATION = [ApiKeyAuthentication, authentication.SessionAuthentication]
PERMISSIONS = [permissions.IsAuthenticated]
THROTTLES = [StudioRateThrottle]
