"""Engine endpoints as the operator gives them: ``http://APPID:TOKEN@host:port``, comma-separated.
The token is a secret: an Endpoint never shows it (repr, str, logs); its ``name`` is the URL without it."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..errors import EngineError, ErrorCode


@dataclass(frozen=True)
class Endpoint:
    base_url: str  # scheme://host[:port][/prefix], no credentials
    app_id: str
    token: str = field(repr=False)

    @property
    def name(self) -> str:
        return self.base_url

    def __str__(self) -> str:
        return self.base_url


def endpoint_parse(value: str) -> Endpoint:
    """One ``http(s)://APPID:TOKEN@host[:port][/prefix]``; a clear error naming what is wrong (never the token)."""
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError:
        raise EngineError(ErrorCode.INVALID_OPTION, "A remote endpoint has a port that is not a number.") from None
    shown = f"{parts.scheme}://{parts.hostname or ''}" + (f":{port}" if port else "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EngineError(ErrorCode.INVALID_OPTION, f"A remote endpoint must be an http(s) URL; got {shown!r}.")
    if not parts.username or not parts.password:
        raise EngineError(ErrorCode.INVALID_OPTION,
                          f"The remote endpoint {shown} needs its AppId and token: http://APPID:TOKEN@host:port.")
    if parts.query or parts.fragment:
        raise EngineError(ErrorCode.INVALID_OPTION, f"The remote endpoint {shown} must have no query or fragment.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    base = f"{parts.scheme}://{host}" + (f":{port}" if port else "") + parts.path.rstrip("/")
    return Endpoint(base_url=base, app_id=unquote(parts.username), token=unquote(parts.password))


def endpoints_parse(value: str) -> list[Endpoint]:
    """Every endpoint of a comma-separated list, once each, in order."""
    found: dict[str, Endpoint] = {}
    for item in value.split(","):
        if item.strip():
            endpoint = endpoint_parse(item)
            found.setdefault(endpoint.name, endpoint)
    return list(found.values())
