"""Who calls the native API: a partner with ``Authorization: Bearer <api key>``, or the website's
session (DRF's SessionAuthentication, which enforces CSRF)."""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.services import apikey_authenticate
from studio.lib.ratelimit import Rate, RateLimit, account_key, rate_limit_take


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
    """STUDIO_API_RATE (DRF's rate, e.g. 1200/min) per account in a moving window, counted by
    studio.lib.ratelimit: atomically in Redis, so that every web process counts together, and
    failing open while the storage is down."""

    scope = "studio_api"
    limit: RateLimit | None = None

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        user = request.user
        # By account (an id alone can come back on SQLite); anonymous requests by address, as DRF does.
        key = account_key(user) if user and user.is_authenticated else f"address.{self.get_ident(request)}"
        self.limit = rate_limit_take(operation="native.api", key=key,
                                     rate=Rate(count=self.num_requests, seconds=self.duration))
        return self.limit.allowed

    def wait(self) -> float | None:
        return self.limit.retry_after if self.limit else None


AUTHENTICATION = [ApiKeyAuthentication, authentication.SessionAuthentication]
PERMISSIONS = [permissions.IsAuthenticated]
THROTTLES = [StudioRateThrottle]
