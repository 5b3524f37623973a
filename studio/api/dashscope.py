"""The DashScope task API, as the ``dashscope`` SDK (1.27.8) speaks it: portrait generation
(facechain-generation), avatar training (fine-tunes, facechain-finetune), the photo check
(facechain-facedetect), stylization (wanx-style-repaint-v1) and the tasks endpoints.

See ../shared/docs/api-compat.md, section 2. Views parse and validate, then call one service.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import ApiKey
from billing.errors import QuotaExceeded
from engine.errors import EngineError, ErrorCode
from jobs.models import Job, JobState
from jobs.queue import QueueUnavailable
from jobs.services import job_wait
from studio.catalog.selectors import style_get
from studio.lib.moderation import Refused
from studio.lib.outbound import OutboundError
from studio.lib.sync_wait import SyncWaitersBusy, sync_wait_slot
from studio.portraits.services.intake import Download, images_fetch, inputs_kept_on_success, photo_store, upload_store
from studio.portraits.services.ordering import OrderRefused, PortraitOrder, portrait_order_check, portrait_order_place
from studio.portraits.services.photos import photos_check_submit
from studio.portraits.services.styling import idphoto_submit, stylization_submit

from .dashscope_auth import dashscope_authenticate
from .dashscope_wire import (
    ACCESS_DENIED,
    ARREARAGE,
    ARREARAGE_MESSAGE,
    INTERNAL_ERROR,
    INTERNAL_ERROR_MESSAGE,
    INVALID_IMAGE_FORMAT,
    INVALID_IMAGE_RESOLUTION,
    INVALID_PARAMETER,
    INVALID_URL,
    MODEL_FACEDETECT,
    MODEL_GENERATION,
    MODEL_REPAINT,
    SYNC_NOT_SUPPORTED,
    THROTTLING,
    DashScopeError,
    ds_error,
    ds_ok,
    facedetect_output,
    request_id,
    task_id_for,
)
from .throttle import SOURCE, detect_throttle, query_throttle, submit_throttle

PRESET_STYLES = (
    "f_idcard_male", "f_business_male", "f_idcard_female", "f_business_female", "m_springflower_female",
    "f_summersport_female", "f_autumnleaf_female", "m_winterchinese_female", "f_hongkongvintage_female",
    "f_lightportray_female",
)
ID_PHOTO_STYLES = ("f_idcard_male", "f_idcard_female")  # also made from one given photo
TEMPLATE_MODE = "portrait_url_template"
TRAIN_FREE_MODE = "train_free_portrait_url_template"
MAX_DETECT_IMAGES = 20
MB = 1024 * 1024


@dataclass(frozen=True)
class ImageLimits:
    """The input limits of DashScope's documents. Sides are compared long-to-long and short-to-short,
    so a landscape 1260x1680 template passes like a portrait one (the documents name one orientation)."""

    what: str
    max_bytes: int
    min_sides: tuple[int, int]  # (long, short)
    max_sides: tuple[int, int]
    formats: tuple[str, ...] = ("JPEG", "PNG", "MPO")  # MPO: the JPEG flavour many phones write


USER_PHOTO = ImageLimits("user photo", 3 * MB, (256, 256), (2048, 2048))
TEMPLATE = ImageLimits("template", 5 * MB, (512, 512), (1680, 1260))
# The style repaint document allows larger pictures; the studio works at the same sizes as photos.
REPAINT_IMAGE = ImageLimits("image", 10 * MB, (256, 256), (4096, 4096), ("JPEG", "PNG", "MPO", "BMP", "WEBP"))
DETECT_IMAGE = ImageLimits("image", 5 * MB, (256, 256), (4096, 4096), ("JPEG", "PNG", "MPO", "WEBP"))


def invalid(message: str) -> DashScopeError:
    return DashScopeError(400, INVALID_PARAMETER, message)


View = Callable[..., JsonResponse]


def ds_view(*, methods: tuple[str, ...], kind: str) -> Callable[[View], View]:
    """Authentication, limits, body parsing and DashScope's error bodies for every endpoint.

    ``kind``: "submit" (async only: X-DashScope-Async), "finetune" (the SDK sends no async header),
    "detect" (a synchronous call) or "query".
    """

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs) -> JsonResponse:
            rid = request_id()
            try:
                if request.method not in methods:
                    raise DashScopeError(405, "MethodNotAllowed", f"{request.method} is not allowed here.")
                key = dashscope_authenticate(request)
                if kind == "submit" and request.headers.get("X-DashScope-Async", "").strip().lower() != "enable":
                    raise DashScopeError(403, ACCESS_DENIED, SYNC_NOT_SUPPORTED)
                if kind == "query" or request.method == "GET":
                    query_throttle(owner=key.owner)
                elif kind == "detect":
                    detect_throttle(owner=key.owner)
                elif request.method == "POST":
                    submit_throttle(owner=key.owner)
                body = _body(request) if request.method == "POST" and kind != "query" else {}
                return view(request, key, body, rid, **kwargs)
            except DashScopeError as exc:
                return ds_error(exc, rid=rid)
            except EngineError as exc:  # the services' own synchronous checks
                return ds_error(invalid(exc.message), rid=rid)
            except Refused as exc:
                return ds_error(invalid(exc.message), rid=rid)
            except QuotaExceeded as exc:
                return ds_error(DashScopeError(400, ARREARAGE, f"{ARREARAGE_MESSAGE} {exc.message}"), rid=rid)
            except QueueUnavailable as exc:
                return ds_error(DashScopeError(503, INTERNAL_ERROR, f"{INTERNAL_ERROR_MESSAGE} {exc.message}"),
                                rid=rid, retry_after=exc.retry_after)

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    for name in ("input", "parameters"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise invalid(f"{name} must be an object.")
    return body


def model_required(body: dict, expected: str) -> None:
    if body.get("model") != expected:
        raise invalid(f"Model not exist. This endpoint serves the model {expected}.")


def url_of(value, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"{field} is required: the URL of an image.")
    return value.strip()


def fetched_within(urls: list[str], limits: ImageLimits) -> list:
    """Downloads and checks every URL against the document's limits; the first bad one refuses the call."""
    downloads = images_fetch(urls=urls)
    for download in downloads:
        _check_image(download, limits)
    return [download.fetched for download in downloads]


def _check_image(download: Download, limits: ImageLimits) -> None:
    """DashScope's refusal of a download: InvalidURL when it could not be fetched, InvalidImageFormat
    or InvalidImageResolution for what came back. A data: URL is named by its start only."""
    url = download.shown_url
    allowed = ", ".join(f for f in limits.formats if f != "MPO")
    if isinstance(download.error, OutboundError):
        raise DashScopeError(400, INVALID_URL, f"The {limits.what} at {url} could not be downloaded: "
                                               f"{download.error.message}")
    if isinstance(download.error, EngineError):
        code = INVALID_IMAGE_FORMAT if download.error.code == ErrorCode.IMAGE_DECODE else INVALID_IMAGE_RESOLUTION
        raise DashScopeError(400, code, f"The {limits.what} at {url} was refused: {download.error.message}")
    kind, width, height = download.info.format, download.info.width, download.info.height
    if kind not in limits.formats:
        raise DashScopeError(400, INVALID_IMAGE_FORMAT, f"The {limits.what} at {url} is {kind}; use {allowed}.")
    if len(download.fetched.content) > limits.max_bytes:
        raise DashScopeError(400, INVALID_IMAGE_FORMAT,
                             f"The {limits.what} at {url} is {len(download.fetched.content) / MB:.1f} MB; "
                             f"at most {limits.max_bytes // MB} MB is accepted.")
    long_side, short_side = max(width, height), min(width, height)
    if long_side < limits.min_sides[0] or short_side < limits.min_sides[1] \
            or long_side > limits.max_sides[0] or short_side > limits.max_sides[1]:
        low, high = limits.min_sides, limits.max_sides
        raise DashScopeError(400, INVALID_IMAGE_RESOLUTION,
                             f"The {limits.what} at {url} is {width}x{height} px; from {low[0]}x{low[1]} "
                             f"to {high[0]}x{high[1]} px (either orientation) is accepted.")


def _submitted(job: Job, rid: str) -> JsonResponse:
    return ds_ok({"output": {"task_id": task_id_for(job), "task_status": "PENDING"}}, rid=rid)


# --- portrait generation -------------------------------------------------------------------------

def _count(parameters: dict) -> int:
    n = parameters.get("n", 4)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 4:
        raise invalid("parameters.n must be an integer from 1 to 4.")
    return n


def _facelora(body: dict) -> str:
    resources = body.get("resources") or []
    if not isinstance(resources, list):
        raise invalid("resources must be a list of {resource_id, resource_type}.")
    ids = [r.get("resource_id") for r in resources if isinstance(r, dict) and r.get("resource_type") == "facelora"]
    if not ids:
        raise invalid("This style needs a facelora resource: resources: [{\"resource_id\": <finetuned_output "
                      "of a fine-tune>, \"resource_type\": \"facelora\"}].")
    return ids[0]


def _order_checked(**order) -> PortraitOrder:
    """An order checked, its refusal in DashScope's words (an avatar is a "facelora resource")."""
    try:
        return portrait_order_check(**order)
    except OrderRefused as exc:
        if exc.code == "avatar_not_found":
            raise invalid(f"The facelora resource {exc.model_id} does not exist.") from None
        if exc.code == "avatar_not_ready":
            raise invalid(f"The facelora resource {exc.model_id} is not ready: its training is {exc.status}.") from None
        raise invalid(exc.message) from None


@ds_view(methods=("POST",), kind="submit")
def gen_portrait(request: HttpRequest, key: ApiKey, body: dict, rid: str) -> JsonResponse:
    model_required(body, MODEL_GENERATION)
    owner, parameters, given = key.owner, body.get("parameters") or {}, body.get("input") or {}
    style, n = parameters.get("style"), _count(parameters)
    size = parameters.get("size", "768*1024")
    if not isinstance(size, str) or "*" not in size:
        raise invalid("parameters.size must read like \"768*1024\".")
    common = {"source": SOURCE, "app_id": key.prefix}
    if style == TRAIN_FREE_MODE:
        job = _train_free(owner, given, n, common)
    elif style == TEMPLATE_MODE:
        order = _order_checked(owner=owner, model_ids=[_facelora(body)], own_template=True, n=n)
        template = fetched_within([url_of(given.get("template_url"), "input.template_url")], TEMPLATE)[0]
        with inputs_kept_on_success():
            job = portrait_order_place(order=order, template_file=upload_store(owner=owner, fetched=template),
                                       **common)
    elif style in ID_PHOTO_STYLES and not _has_facelora(body):
        job = _idphoto_from_photo(owner, style, given, parameters, common)
    elif style in PRESET_STYLES:
        options = {"draft": parameters.get("draft", False)} if style in ID_PHOTO_STYLES else None
        job = _preset(owner, style, _facelora(body), n, common, options=options)
    else:
        raise invalid(f"parameters.style must be one of {', '.join(PRESET_STYLES)}, {TEMPLATE_MODE} "
                      f"or {TRAIN_FREE_MODE}.")
    return _submitted(job, rid)


def _preset(owner, key: str, model_id: str, n: int, common: dict, options: dict | None = None) -> Job:
    style = style_get(key=key)
    if style is None:
        raise invalid(f"The style {key} is not in this studio's catalog.")
    order = _order_checked(owner=owner, model_ids=[model_id], style=style, n=n, options=options)
    return portrait_order_place(order=order, **common)


def _has_facelora(body: dict) -> bool:
    resources = body.get("resources")
    return isinstance(resources, list) and any(isinstance(r, dict) and r.get("resource_type") == "facelora"
                                               for r in resources)


def _idphoto_from_photo(owner, key: str, given: dict, parameters: dict, common: dict) -> Job:
    """An ID photo preset from one given photo (``input.user_urls``: one URL), no avatar needed;
    ``parameters.draft`` true makes it even when it fails a check (marked not compliant)."""
    style = style_get(key=key)
    if style is None:
        raise invalid(f"The style {key} is not in this studio's catalog.")
    urls = given.get("user_urls")
    if not isinstance(urls, list) or len(urls) != 1:
        raise invalid(f"The style {key} needs a facelora resource or input.user_urls with one photo URL.")
    url = url_of(urls[0], "input.user_urls[]")
    draft = parameters.get("draft", False)
    if not isinstance(draft, bool):
        raise invalid("parameters.draft must be true or false.")
    photo = fetched_within([url], USER_PHOTO)[0]
    with inputs_kept_on_success():
        return idphoto_submit(owner=owner, photo=upload_store(owner=owner, fetched=photo),
                              size=style.parameters.get("size", "1inch"),
                              background=style.parameters.get("background", "white"), draft=draft,
                              style_id=style.id, **common)


def _train_free(owner, given: dict, n: int, common: dict) -> Job:
    urls = given.get("user_urls")
    if not isinstance(urls, list) or not 1 <= len(urls) <= 5:
        raise invalid("input.user_urls must list 1 to 5 photo URLs (frontal, one person).")
    urls = [url_of(url, "input.user_urls[]") for url in urls]
    order = _order_checked(owner=owner, train_free=True, own_template=True, n=n)
    template = fetched_within([url_of(given.get("template_url"), "input.template_url")], TEMPLATE)[0]
    photos = fetched_within(urls, USER_PHOTO)
    with inputs_kept_on_success():
        stored = [photo_store(owner=owner, fetched=f, source_url=url, position=i)
                  for i, (url, f) in enumerate(zip(urls, photos))]
        return portrait_order_place(order=order, template_file=upload_store(owner=owner, fetched=template),
                                    photos=stored, **common)


# --- stylization -------------------------------------------------------------------------------

@ds_view(methods=("POST",), kind="submit")
def repaint(request: HttpRequest, key: ApiKey, body: dict, rid: str) -> JsonResponse:
    model_required(body, MODEL_REPAINT)
    owner, given = key.owner, body.get("input") or {}
    index = given.get("style_index")
    if isinstance(index, bool) or not isinstance(index, int):
        raise invalid("input.style_index is required: a preset index, or -1 with input.style_ref_url.")
    urls = [url_of(given.get("image_url"), "input.image_url")]
    if index == -1:
        urls.append(url_of(given.get("style_ref_url"), "input.style_ref_url"))
    fetched = fetched_within(urls, REPAINT_IMAGE)
    with inputs_kept_on_success():
        names = [upload_store(owner=owner, fetched=f) for f in fetched]
        job = stylization_submit(owner=owner, image=names[0], style_index=index,
                                 reference=names[1] if index == -1 else None, source=SOURCE, app_id=key.prefix)
    return _submitted(job, rid)


# --- the photo check ---------------------------------------------------------------------------

@contextmanager
def _waiting_slot() -> Iterator[None]:
    """A slot among the requests that wait for their job, or DashScope's 429 with Retry-After."""
    try:
        with sync_wait_slot():
            yield
    except SyncWaitersBusy:
        raise DashScopeError(429, THROTTLING, "Too many requests are waiting for their jobs on this server; "
                             "nothing was submitted or charged, please try again in a moment.",
                             retry_after=1) from None


@ds_view(methods=("POST",), kind="detect")
def facedetect(request: HttpRequest, key: ApiKey, body: dict, rid: str) -> JsonResponse:
    """Synchronous, as DashScope's is: one verdict per image, failures per image."""
    model_required(body, MODEL_FACEDETECT)
    images = (body.get("input") or {}).get("images")
    if not isinstance(images, list) or not 1 <= len(images) <= MAX_DETECT_IMAGES:
        raise invalid(f"input.images must list 1 to {MAX_DETECT_IMAGES} image URLs.")
    urls = [url_of(url, "input.images[]") for url in images]
    verdicts: list[dict | None] = [None] * len(urls)
    usable = []
    for i, download in enumerate(images_fetch(urls=urls)):
        try:
            _check_image(download, DETECT_IMAGE)
            usable.append((i, download))
        except DashScopeError as exc:
            verdicts[i] = {"code": 0, "message": exc.message}
    if usable:
        with _waiting_slot():
            with inputs_kept_on_success():
                photos = [photo_store(owner=key.owner, fetched=d.fetched, source_url=d.url, position=i)
                          for i, d in usable]
                job = photos_check_submit(owner=key.owner, photos=photos, same_person=False,
                                          source=SOURCE, app_id=key.prefix)
            job = job_wait(job_id=job.id, timeout=settings.STUDIO_SYNC_WAIT)
        if job.state != JobState.SUCCEEDED:
            raise DashScopeError(500, "InternalError.Algo", job.error_message or "The check did not finish.")
        for (i, _), verdict in zip(usable, job.result["check_results"]):
            verdicts[i] = verdict
    return ds_ok({"output": facedetect_output(verdicts), "usage": {}}, rid=rid)
