"""What every native view shares: authentication, throttling, the error shape, idempotent replays
and taking images from multipart uploads or URLs."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.errors import EngineError
from jobs.models import Job
from studio.lib.outbound import Fetched, OutboundError
from studio.portraits.models import Photo
from studio.portraits.services.intake import image_admit, images_fetch, photo_store, upload_fetched, upload_store
from studio.webhooks.services import WebhookRefused, webhook_url_check, webhooks_callback_register

from .auth import AUTHENTICATION, PERMISSIONS, THROTTLES
from .errors import ApiError, ErrorSerializer, native_exception_handler

IDEMPOTENCY_HEADER = "Idempotency-Key"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False,
    description="A client's unique key for this request: a repeat answers 200 with the first result.",
)
CALLBACK_HEADER = "Callback-Url"
CALLBACK_PARAMETER = OpenApiParameter(
    CALLBACK_HEADER, str, OpenApiParameter.HEADER, required=False,
    description="A URL that gets this job's events, signed as webhooks are, with your account's callback "
                "secret (POST /api/studio/v1/callback-secret/).",
)
ERRORS = {code: ErrorSerializer for code in (400, 401, 402, 403, 404, 422, 429, 503)}


T = TypeVar("T")


class NativeView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = PERMISSIONS
    throttle_classes = THROTTLES
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return native_exception_handler

    def valid(self, serializer_class: type[serializers.Serializer], data=None) -> dict:
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, serializer_class, instance, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(serializer_class(instance, context={"request": self.request}).data, status=status_code)


class UploadView(NativeView):
    """A view that takes images as multipart uploads or as URLs in JSON (or form) bodies."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def idempotency_key(self) -> str | None:
        key = self.request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > 200:
            raise ApiError(status_code=400, code="invalid_idempotency_key",
                           message=f"The {IDEMPOTENCY_HEADER} header is longer than 200 characters.")
        return key or None

    def replayed(self, *, kind: str) -> Job | None:
        """The job an earlier request with the same Idempotency-Key made, if any."""
        key = self.idempotency_key()
        if key is None:
            return None
        job = Job.objects.filter(owner=self.request.user, idempotency_key=key).select_related("avatar_link__avatar").first()
        if job is not None and job.kind != kind:
            raise ApiError(status_code=409, code="idempotency_key_reused",
                           message=f"This {IDEMPOTENCY_HEADER} was already used for a {job.kind} job.")
        return job

    def callback_url(self) -> str | None:
        url = self.request.headers.get(CALLBACK_HEADER, "").strip()
        if not url:
            return None
        try:
            webhook_url_check(url=url)
        except WebhookRefused as exc:
            raise ApiError(status_code=400, code="invalid_callback_url", message=exc.message) from None
        return url

    def submitted(self, submit: Callable[[], T], *, job_of: Callable[[T], Job] = lambda result: result) -> T:
        """Runs a submit service; a Callback-Url is registered in the same transaction, before the
        job can reach a worker, so no event can be missed."""
        url = self.callback_url()
        # Without a savepoint of its own: nothing here catches a failure to carry on, so a refusal
        # rolls back the request's whole transaction (a savepoint cost two round trips per submit).
        with transaction.atomic(savepoint=False):
            result = submit()
            if url:
                webhooks_callback_register(job=job_of(result), url=url)
        return result

    def initial(self, request, *args, **kwargs):
        self.started_at = timezone.now()
        super().initial(request, *args, **kwargs)

    def created(self, job: Job, replay: Job | None = None) -> int:
        """201 for new work; 200 for a replay, or when job_submit answered a concurrent twin's job."""
        if replay is not None or job.created_at < self.started_at:
            return status.HTTP_200_OK
        return status.HTTP_201_CREATED


def image_upload_field(**kwargs) -> serializers.FileField:
    # A FileField admitted by the engine's rules, not DRF's ImageField: one set of limits and
    # messages for uploads and URLs, and no second decode by Pillow's verify().
    return serializers.FileField(validators=[_size_checked, _image_checked], **kwargs)


def _size_checked(upload) -> None:
    if upload.size > settings.STUDIO_FETCH_MAX_BYTES:
        raise serializers.ValidationError(f"The file is larger than {settings.STUDIO_FETCH_MAX_BYTES} bytes.")


def _image_checked(upload) -> None:
    if upload.size > settings.STUDIO_FETCH_MAX_BYTES:
        return  # _size_checked says why, without reading the file
    upload.seek(0)
    try:
        image_admit(upload.read())
    except EngineError as exc:
        raise serializers.ValidationError(exc.message, code=exc.code.value) from None
    finally:
        upload.seek(0)


def url_list_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False,
                                 default=list, **kwargs)


def uploads_fetched(uploads) -> list[Fetched]:
    return [upload_fetched(upload) for upload in uploads]


def urls_fetched(urls: list[str], *, field: str) -> list[Fetched]:
    """Every URL fetched under the outbound policy (SSRF refusal, limits); any failure refuses the request."""
    downloads = images_fetch(urls=urls)
    failed = [(i, d.error) for i, d in enumerate(downloads) if d.error is not None]
    if any(isinstance(error, OutboundError) for _, error in failed):
        code, message = "url_fetch_failed", "Some URLs could not be fetched."
    else:
        code, message = "invalid_image", "Some URLs did not give a usable image."
    if failed:
        raise ApiError(status_code=422, code=code, message=message,
                       fields={field: {str(i): [error.message] for i, error in failed}})
    return [d.fetched for d in downloads]


def photos_take(*, owner, uploads, urls: list[str], url_field: str = "urls") -> list[Photo]:
    """Uploads first, then URLs, in order, kept as the owner's photos."""
    given = [(f, "") for f in uploads_fetched(uploads)]
    given += list(zip(urls_fetched(urls, field=url_field), urls))
    return [photo_store(owner=owner, fetched=f, source_url=url, position=i) for i, (f, url) in enumerate(given)]


def input_take(*, owner, upload=None, url: str | None = None) -> str | None:
    """One input image (upload or URL) kept in storage for a job; its storage name."""
    if upload is not None:
        fetched = uploads_fetched([upload])[0]
    elif url:
        fetched = urls_fetched([url], field="url")[0]
    else:
        return None
    return upload_store(owner=owner, fetched=fetched)


def paginated(view: NativeView, queryset, serializer_class) -> Response:
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    # One serializer for every item, not DRF's many=True: its ListSerializer and child refer to each
    # other, so the page they hold (every row's model and result) could be freed only by the
    # garbage collector, whose collections stall every request of the worker. A page of 20 jobs
    # left it 330 objects, 210 now (gc.DEBUG_SAVEALL over bench/api_profile.py's job list).
    serializer = serializer_class(context={"request": view.request})
    data = [serializer.to_representation(item) for item in page]
    return paginator.get_paginated_response(data)
