"""The PAI "AI Portrait" API, as the official SDKs (Python, Go, Java, PHP) speak it.

Every processed request is answered with HTTP 200 and ``code`` "OK" or "error"; see
../shared/docs/api-compat.md, section 1. Views parse and validate, then call one service.
"""
from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Credential
from accounts.selectors import credential_active_get
from billing.errors import QuotaExceeded
from engine.errors import TEMPLATE_DECODE_MESSAGE, EngineError
from engine.options import T2I_TEMPLATE
from jobs.models import JobState
from jobs.queue import QueueUnavailable
from jobs.services import job_wait
from studio.lib.engine import engine_backend
from studio.lib.moderation import Refused
from studio.lib.ratelimit import rate_limit_hit
from studio.lib.sync_wait import SyncWaitersBusy, sync_wait_slot
from studio.portraits.selectors import job_get_signed
from studio.portraits.services.avatars import avatar_train_submit
from studio.portraits.services.intake import Download, images_fetch, inputs_kept_on_success, photo_store, upload_store
from studio.portraits.services.ordering import OrderRefused, portrait_order_check, portrait_order_place
from studio.portraits.services.photos import photos_check_submit

from .pai_auth import NOT_FOUND_APPID, PaiAuthError, pai_authenticate, pai_first_use, pai_signer_forget
from .pai_wire import (
    ALL_INVALID,
    BUSY,
    EXCEEDED_QUOTA,
    INVALID_INPUT,
    MODEL_NOT_FOUND,
    NO_MODEL_ID,
    NO_TEMPLATE,
    WAITERS_BUSY,
    check_result,
    job_document,
    pai_error,
    pai_ok,
    request_id,
)

MAX_CHECK_IMAGES = 50
# The documented answer when the account cannot pay (no trial left, not enough points).
DECODE_ERROR = "Image decode error."


class PaiInputError(Exception):
    """A request refused before it made a job."""

    def __init__(self, message: str, data: dict | None = None):
        super().__init__(message)
        self.message = message
        self.data = data


class PaiJobError(Exception):
    """The job a synchronous call made failed or outlived the wait: the call's work was done (and
    may be charged), so unlike PaiInputError it does not free the request for a repeat."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


View = Callable[[HttpRequest, Credential, dict, str], JsonResponse]
# The rate-limited operation of a request (a key of settings.STUDIO_RATE_LIMITS), from its body.
Limit = Callable[[dict], str]
# Refusals that leave nothing behind: the same signed request may be sent again after them.
UNCHANGED = (PaiInputError, Refused, QuotaExceeded, QueueUnavailable, SyncWaitersBusy)


def pai_view(action: str | None, *, limit: Limit) -> Callable[[View], Callable[..., JsonResponse]]:
    """Authentication, rate limit, body parsing and the error envelope shared by every PAI endpoint."""

    def decorate(view: View) -> Callable[..., JsonResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs) -> JsonResponse:
            rid = request_id()
            if request.method != "POST":  # the envelope, where require_POST would answer an empty page
                response = pai_error(f"{request.method} is not allowed here: every PAI call is a POST.",
                                     rid=rid, status=405)
                response["Allow"] = "POST"
                return response
            try:
                # The job query confirms the credential in its own read of the job (job_get_signed).
                credential = pai_authenticate(request, recent=action is None)
                body = _body(request, action)
                throttle = rate_limit_hit(owner=credential.owner, operation=limit(body))
                if not throttle.allowed:
                    # PAI answers throttling like any other error: HTTP 200, code "error".
                    return pai_error(throttle.message, rid=rid)
                if action is None:  # the job query: read-only, and polled with one signed request
                    return view(request, credential, body, rid, **kwargs)
                with pai_first_use(request, credential=credential, unchanged=UNCHANGED):
                    return view(request, credential, body, rid, **kwargs)
            except PaiAuthError as exc:
                return pai_error(exc.message, rid=rid)
            except PaiInputError as exc:
                return pai_error(exc.message, rid=rid, data=exc.data)
            except PaiJobError as exc:
                return pai_error(exc.message, rid=rid)
            except Refused as exc:
                return pai_error(exc.message, rid=rid)
            except QuotaExceeded:
                return pai_error(EXCEEDED_QUOTA, rid=rid)
            except QueueUnavailable:
                return pai_error(BUSY, rid=rid)
            except SyncWaitersBusy:
                return pai_error(WAITERS_BUSY, rid=rid)

        return wrapper

    return decorate


def _body(request: HttpRequest, action: str | None) -> dict:
    if action is None:  # the job query: Go and Java send no body, Python sends {}
        return {}
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise PaiInputError(INVALID_INPUT) from None
    if not isinstance(body, dict) or body.get("action", action) != action:
        raise PaiInputError(INVALID_INPUT)
    configure = body.get("configure")
    if configure is not None and not isinstance(configure, dict):
        raise PaiInputError(f"{INVALID_INPUT} configure must be an object.")
    return body


def _image_urls(body: dict, *, limit: int) -> list[str]:
    images = body.get("images")
    if not isinstance(images, list) or not images or not all(isinstance(u, str) and u.strip() for u in images):
        raise PaiInputError(f"{INVALID_INPUT} images must be a non-empty list of image URLs.")
    if len(images) > limit:
        raise PaiInputError(f"{INVALID_INPUT} At most {limit} images are accepted, {len(images)} were given.")
    return [url.strip() for url in images]


def _refusal(download: Download, what: str) -> PaiInputError:
    """A URL that failed: fetching it, or decoding what came back (PAI's own decode messages)."""
    if isinstance(download.error, EngineError):
        prefix = TEMPLATE_DECODE_MESSAGE if what == "The template image" else DECODE_ERROR
        return PaiInputError(f"{prefix} {what}: {download.error.message}")
    return PaiInputError(f"{what} could not be fetched: {download.error.message}")


def _fetch_failure(download: Download) -> dict:
    return {"url": download.url, "message": DECODE_ERROR, "code": 2, "frontal": False,
            "reasons": [download.error.message]}


def _limit(operation: str) -> Limit:
    return lambda body: operation


def _create_limit(body: dict) -> str:
    model_ids = body.get("model_ids")
    return "pai.create_multi" if isinstance(model_ids, list) and len(model_ids) > 1 else "pai.create_solo"


@pai_view("AIGCImageCheck", limit=_limit("pai.check"))
def check(request: HttpRequest, credential: Credential, body: dict, rid: str) -> JsonResponse:
    urls = _image_urls(body, limit=MAX_CHECK_IMAGES)
    configure = body.get("configure") or {}
    owner = credential.owner
    downloads = images_fetch(urls=urls)
    fetched = [(i, d) for i, d in enumerate(downloads) if d.error is None]
    results: list[dict] = [_fetch_failure(d) if d.error else {} for d in downloads]
    cost_time = 0.0
    if fetched:
        with sync_wait_slot():
            with inputs_kept_on_success():
                photos = [photo_store(owner=owner, fetched=d.fetched, source_url=d.url, position=i)
                          for i, d in fetched]
                job = photos_check_submit(
                    owner=owner, photos=photos, same_person=bool(configure.get("face_reconize", True)),
                    source="pai", app_id=credential.app_id,
                )
            job = _finished(job.id)
        cost_time = job.cost_time or 0.0
        for (i, download), verdict in zip(fetched, job.result["check_results"]):
            results[i] = check_result(url=download.url, verdict=verdict)
    data = {"request_id": rid, "images": urls, "cost_time": cost_time, "check_results": results}
    if not any(result["code"] == 1 for result in results):
        return pai_error(ALL_INVALID, rid=rid, data=data)
    return pai_ok(data, rid=rid)


@pai_view("AIGCImageTrain", limit=_limit("pai.train"))
def train(request: HttpRequest, credential: Credential, body: dict, rid: str) -> JsonResponse:
    urls = _image_urls(body, limit=settings.STUDIO_TRAIN_MAX_PHOTOS)
    owner = credential.owner
    downloads = images_fetch(urls=urls)
    for number, download in enumerate(downloads, start=1):
        if download.error:
            raise _refusal(download, f"Image {number}")
    options = {"model_name": body.get("model_name") or "", "configure": body.get("configure") or {}}
    with inputs_kept_on_success():
        photos = [photo_store(owner=owner, fetched=d.fetched, source_url=d.url, position=i)
                  for i, d in enumerate(downloads)]
        avatar, job = avatar_train_submit(
            owner=owner, photos=photos, options=options, source="pai", app_id=credential.app_id
        )
    return pai_ok({"job_id": job.id, "model_id": str(avatar.model_id)}, rid=rid)


@pai_view("AIGCImageCreate", limit=_create_limit)
def create(request: HttpRequest, credential: Credential, body: dict, rid: str) -> JsonResponse:
    owner = credential.owner
    configure = body.get("configure") or {}
    template_url = body.get("template_image")
    if not isinstance(template_url, str) or not template_url.strip():
        raise PaiInputError(NO_TEMPLATE)
    generated = template_url == T2I_TEMPLATE  # a template drawn from configure.t2i_prompt
    if generated and engine_backend().name != "diffusion":
        raise PaiInputError(
            "Text-to-image templates (t2i_generate) need the diffusion engine; this studio runs the classic engine."
        )
    model_ids = _model_ids(body, configure)
    n = _candidates(body)
    with _refusals():
        order = portrait_order_check(owner=owner, model_ids=model_ids, train_free=not model_ids,
                                     own_template=True, options=configure, n=n)
    references = [] if model_ids else _reference_downloads(configure)
    download = None if generated else images_fetch(urls=[template_url.strip()])[0]
    if download is not None and download.error:
        raise _refusal(download, "The template image")
    with sync_wait_slot():
        with _refusals(), inputs_kept_on_success():
            template = T2I_TEMPLATE if generated else upload_store(owner=owner, fetched=download.fetched)
            photos = [photo_store(owner=owner, fetched=d.fetched, source_url=d.url, position=i)
                      for i, d in enumerate(references)]
            job = portrait_order_place(order=order, template_file=template, photos=photos, source="pai",
                                       app_id=credential.app_id)
        job = _finished(job.id)
    images = []
    for made in job.result["images"]:
        with default_storage.open(made["name"], "rb") as handle:
            images.append(base64.b64encode(handle.read()).decode())
    data = {"image": images[0], "cost_time": job.cost_time or 0.0}
    if "n" in body:
        data["images"] = images  # best first; fewer than n where the avatars give fewer distinct ones
    return pai_ok(data, rid=rid)


# The studio's own extension of PAI's create, for a front studio driving this one (engine/remote):
# ``n`` distinct portraits from one call, answered in ``images`` as well as ``image`` (the best).
# PAI's SDKs never send it; as in the native API, at most 4.
CREATE_MAX_N = 4


def _candidates(body: dict) -> int:
    n = body.get("n", 1)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= CREATE_MAX_N:
        raise PaiInputError(f"{INVALID_INPUT} n must be a whole number from 1 to {CREATE_MAX_N}.")
    return n


def _model_ids(body: dict, configure: dict) -> list[str]:
    """The avatars of a create, one per template face; "" and null count as absent."""
    model_ids = body.get("model_ids") or []
    model_id = body.get("model_id") or ""
    if not isinstance(model_ids, list) or not isinstance(model_id, str):
        raise PaiInputError(INVALID_INPUT)
    wanted = model_ids or ([model_id] if model_id else [])
    if not wanted and not configure.get("ipa_control_only"):
        raise PaiInputError(NO_MODEL_ID)
    return wanted  # none: train-free, the person comes from configure.ipa_image_path


@contextmanager
def _refusals() -> Iterator[None]:
    """An order refused, in PAI's words."""
    try:
        yield
    except OrderRefused as exc:
        if exc.code == "avatar_not_found":
            raise PaiInputError(MODEL_NOT_FOUND) from None
        if exc.code == "avatar_not_ready":
            raise PaiInputError(f"model {exc.model_id} is not ready: its training {exc.status}.") from None
        raise PaiInputError(exc.message) from None
    except EngineError as exc:
        raise PaiInputError(exc.message) from None


def _reference_downloads(configure: dict) -> list[Download]:
    """Train-free: the photo of ``ipa_image_path`` (one URL, or a list of up to five), fetched and admitted."""
    urls = configure.get("ipa_image_path")
    urls = [urls] if isinstance(urls, str) else urls
    if not urls or not isinstance(urls, list) or not all(isinstance(u, str) and u.strip() for u in urls):
        raise PaiInputError(f"{INVALID_INPUT} ipa_control_only needs the person's photo in ipa_image_path.")
    downloads = images_fetch(urls=[u.strip() for u in urls])
    for download in downloads:
        if download.error:
            raise _refusal(download, "The ipa_image_path photo")
    return downloads


def _finished(job_id: int):
    """Waits for a job the client waits for; its failure message becomes the request's."""
    job = job_wait(job_id=job_id, timeout=settings.STUDIO_SYNC_WAIT)
    if not job.is_final:
        raise PaiJobError(
            f"The job did not finish within {settings.STUDIO_SYNC_WAIT} s; it goes on as job {job.id}."
        )
    if job.state != JobState.SUCCEEDED:
        raise PaiJobError(job.error_message or f"The job {job.state}.")
    return job


@pai_view(None, limit=_limit("pai.job_query"))
def async_job(request: HttpRequest, credential: Credential, body: dict, rid: str, job_id: int) -> JsonResponse:
    job = job_get_signed(credential_id=credential.id, job_id=job_id) if job_id < 2**31 else None
    if job is None:
        if credential_active_get(app_id=credential.app_id) is None:  # revoked since it was read
            pai_signer_forget(credential.app_id)
            raise PaiAuthError(NOT_FOUND_APPID)
        raise PaiInputError("job not found")
    return pai_ok(job_document(job), rid=rid)


@pai_view("AIGCImageSD", limit=_limit("pai.sd"))
def sd(request: HttpRequest, credential: Credential, body: dict, rid: str) -> JsonResponse:
    raise PaiInputError(
        "Stable Diffusion generation (AIGCImageSD) needs the diffusion engine; this studio runs the classic engine."
    )
