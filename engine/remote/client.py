"""A client of one engine endpoint over the PAI wire protocol (../shared/docs/api-compat.md, section 1):
check, train, job query and create, signed as the SDKs sign, with timeouts and retries with backoff.

Each request carries a fresh top-level ``request_id``: the studio refuses a signed request it saw lately
(nothing signed varies between two sends, so a repeat is treated as a replay), and a front sends the same
photos and template many times. Unknown top-level keys are ignored by the studio and by PAI.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass

from .breaker import Breaker
from .endpoints import Endpoint
from .monitor import Monitor
from .signing import pai_authorization
from .transport import Transport, TransportError

log = logging.getLogger(__name__)

# The studio's answers that mean "not now", not "never": worth another try (pai_wire.BUSY, WAITERS_BUSY).
_TRANSIENT_PREFIXES = ("system busy", "replayed request", "The job did not finish within")


class RemoteUnavailable(Exception):
    """The endpoint did not answer usefully (down, timed out, busy, 5xx): the work may go elsewhere."""


class RemoteRefused(Exception):
    """The endpoint answered and refused the request (bad photo, model not found, quota): going elsewhere
    would not help. ``message`` is the endpoint's, in PAI's words."""

    def __init__(self, message: str, data: dict | None = None):
        super().__init__(message)
        self.message = message
        self.data = data or {}


@dataclass
class RemoteJob:
    state: int  # 0 init, 1 waiting or running, 2 success, 3 failed
    message: str
    progress: int  # percent, where the endpoint says (the studio does; PAI may not)
    result: dict


@dataclass
class PaiClient:
    endpoint: Endpoint
    transport: Transport
    breaker: Breaker
    timeout: float = 30.0
    create_timeout: float = 240.0  # PAI allows a solo create 5 minutes; the front job's lease is shorter
    retries: int = 2
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    monitor: Monitor | None = None

    def check(self, image_urls: list[str], *, same_person: bool = True) -> dict:
        return self.call("/api/v1/aigc_images/check", {"action": "AIGCImageCheck", "images": image_urls,
                                                        "configure": {"face_reconize": same_person}}, refusals_data=True)

    def train(self, image_urls: list[str], *, model_name: str = "", configure: dict | None = None) -> tuple[int, str]:
        data = self.call("/api/v1/aigc_images/train", {"action": "AIGCImageTrain", "images": image_urls,
                                                       "model_name": model_name, "configure": configure or {}})
        return int(data["job_id"]), str(data["model_id"])

    def job(self, job_id: int) -> RemoteJob:
        job = self.call(f"/api/v1/async_jobs/{int(job_id)}", None)["job"]
        raw = job.get("Result") or job.get("result") or "{}"
        try:
            result = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except ValueError:
            result = {}
        return RemoteJob(state=int(job.get("state", 0)), message=str(job.get("message", "")),
                         progress=int(job.get("progress") or 0), result=result if isinstance(result, dict) else {})

    def create(self, *, template_url: str, model_ids: list[str], configure: dict | None = None,
               n: int = 1) -> list[bytes]:
        """The portraits of one create, best first. ``n`` > 1 uses the studio's extension of PAI's
        create (``n`` in, ``images`` out: studio.api.pai); an engine that ignores it answers one."""
        import base64

        body = {"action": "AIGCImageCreate", "model_id": model_ids[0] if len(model_ids) == 1 else "",
                "model_ids": model_ids if len(model_ids) > 1 else None, "template_image": template_url,
                "configure": configure or {}}
        if n > 1:
            body["n"] = n
        data = self.call("/api/v1/aigc_images/create", body, timeout=self.create_timeout)
        try:
            encoded = data.get("images") or [data["image"]]
            return [base64.b64decode(image, validate=True) for image in encoded]
        except (AttributeError, KeyError, TypeError, ValueError):
            raise RemoteUnavailable(f"{self.endpoint.name} answered a create without an image.") from None

    def call(self, path: str, body: dict | None, *, timeout: float | None = None, refusals_data: bool = False) -> dict:
        """The ``data`` of an OK answer; RemoteRefused for a processed refusal, RemoteUnavailable after
        the retries. Every outcome is told to the endpoint's breaker."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            if not self.breaker.allows():
                raise RemoteUnavailable(f"{self.endpoint.name} is resting after repeated failures.")
            try:
                data = self._once(path, body, timeout or self.timeout)
            except RemoteUnavailable as exc:
                self.breaker.failed(str(exc))
                if self.monitor:
                    self.monitor.failed(self.endpoint.name, str(exc))
                log.warning("remote %s %s: %s (attempt %d)", self.endpoint.name, path, exc, attempt + 1)
                if attempt == self.retries:
                    raise
                time.sleep(delay)
                delay *= 2
            except RemoteRefused as exc:
                self._answered()  # it answered: healthy, whatever it thought of the request
                if refusals_data and exc.data:
                    return exc.data  # a check's "all images are invalid" still carries each verdict
                raise
            else:
                self._answered()
                return data
        raise AssertionError("unreachable")

    def _answered(self) -> None:
        self.breaker.succeeded()
        if self.monitor:
            self.monitor.answered(self.endpoint.name)

    def _once(self, path: str, body: dict | None, timeout: float) -> dict:
        payload = b"{}" if body is None else json.dumps({**body, "request_id": uuid.uuid4().hex}).encode()
        headers = {
            "Authorization": pai_authorization(app_id=self.endpoint.app_id, token=self.endpoint.token,
                                               method="POST", path=_signed_path(self.endpoint.base_url, path),
                                               body=payload),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        try:
            answer = self.transport(self.endpoint.base_url + path, content=payload, headers=headers, timeout=timeout)
        except TransportError as exc:
            raise RemoteUnavailable(str(exc)) from None
        if 400 <= answer.status < 500 and answer.status not in (408, 425, 429):
            # The request itself was refused (too large, malformed): another endpoint would refuse it too.
            raise RemoteRefused(f"The engine studio refused the request (HTTP {answer.status}).")
        if answer.status != 200:
            raise RemoteUnavailable(f"{self.endpoint.name} answered HTTP {answer.status}.")
        try:
            document = json.loads(answer.content)
        except ValueError:
            raise RemoteUnavailable(f"{self.endpoint.name} answered something that is not JSON.") from None
        if not isinstance(document, dict):
            raise RemoteUnavailable(f"{self.endpoint.name} answered a JSON document that is not an object.")
        message = str(document.get("message", ""))
        if document.get("code") == "OK":
            return document.get("data") or {}
        if message.startswith(_TRANSIENT_PREFIXES):
            raise RemoteUnavailable(f"{self.endpoint.name}: {message}")
        raise RemoteRefused(message or "the engine studio refused the request", document.get("data") or None)


def _signed_path(base_url: str, path: str) -> str:
    """The path as the server sees it: an endpoint mounted under a prefix signs prefix + path."""
    rest = base_url.split("://", 1)[1]
    prefix = rest[rest.find("/"):] if "/" in rest else ""
    return prefix + path
