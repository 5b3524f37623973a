"""Work the native API queues: photo checks, avatars, portraits, stylizations and ID photos.
Each POST validates, keeps its images, calls one service and answers the job (201; 200 on a replay)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema

from jobs.models import JobKind
from studio.catalog.models import StyleKind
from studio.catalog.selectors import style_get, template_get_for
from studio.portraits.selectors import avatar_get_for, job_get_for
from studio.portraits.services.avatars import avatar_train_submit
from studio.portraits.services.intake import inputs_kept_on_success
from studio.portraits.services.jobs import job_avatar
from studio.portraits.services.ordering import OrderRefused, portrait_order_check, portrait_order_place
from studio.portraits.services.photos import photos_check_submit
from studio.portraits.services.styling import idphoto_submit, stylization_submit

from .base import CALLBACK_PARAMETER, ERRORS, IDEMPOTENCY_PARAMETER, NativeView, UploadView, input_take, photos_take
from .errors import ApiError, not_found
from .inputs import AvatarInput, IdPhotoInput, PhotoCheckInput, PortraitInput, StylizationInput
from .serializers import AvatarCreatedSerializer, JobSerializer

SOURCE = "api"
JOB_RESPONSES = {200: JobSerializer, 201: JobSerializer, 409: ERRORS[400], **ERRORS}


class PhotoCheckListView(UploadView):
    @extend_schema(request=PhotoCheckInput, responses=JOB_RESPONSES, parameters=[IDEMPOTENCY_PARAMETER, CALLBACK_PARAMETER],
                   summary="Check photos", tags=["photo checks"])
    def post(self, request):
        replay = self.replayed(kind=JobKind.CHECK)
        if replay is not None:
            return self.answer(JobSerializer, replay)
        data = self.valid(PhotoCheckInput)
        with inputs_kept_on_success():
            photos = photos_take(owner=request.user, uploads=data["photos"], urls=data["urls"])
            job = self.submitted(lambda: photos_check_submit(
                owner=request.user, photos=photos, same_person=data["same_person"], source=SOURCE,
                idempotency_key=self.idempotency_key()))
        return self.answer(JobSerializer, job, status_code=self.created(job))


class PhotoCheckDetailView(NativeView):
    @extend_schema(responses={200: JobSerializer, **ERRORS}, summary="A photo check's job and results",
                   tags=["photo checks"])
    def get(self, request, job_id: int):
        job = job_get_for(owner=request.user, job_id=job_id)
        if job is None or job.kind != JobKind.CHECK:
            raise not_found("photo check")
        return self.answer(JobSerializer, job)


class AvatarCreateMixin:
    @extend_schema(request=AvatarInput, responses={200: AvatarCreatedSerializer, 201: AvatarCreatedSerializer,
                                                   409: ERRORS[400], **ERRORS},
                   parameters=[IDEMPOTENCY_PARAMETER, CALLBACK_PARAMETER], summary="Train an avatar from photos", tags=["avatars"])
    def post(self, request):
        replay = self.replayed(kind=JobKind.TRAIN)
        if replay is not None:
            return self.answer(AvatarCreatedSerializer, {"avatar": job_avatar(replay), "job": replay})
        data = self.valid(AvatarInput)
        with inputs_kept_on_success():
            photos = photos_take(owner=request.user, uploads=data["photos"], urls=data["urls"])
            avatar, job = self.submitted(lambda: avatar_train_submit(
                owner=request.user, photos=photos, name=data["name"], source=SOURCE,
                idempotency_key=self.idempotency_key()), job_of=lambda result: result[1])
        return self.answer(AvatarCreatedSerializer, {"avatar": job_avatar(job) or avatar, "job": job},
                           status_code=self.created(job))


class PortraitCreateMixin:
    @extend_schema(request=PortraitInput, responses=JOB_RESPONSES, parameters=[IDEMPOTENCY_PARAMETER, CALLBACK_PARAMETER],
                   summary="Create portraits from a style or template", tags=["portraits"])
    def post(self, request):
        replay = self.replayed(kind=JobKind.CREATE)
        if replay is not None:
            return self.answer(JobSerializer, replay)
        data = self.valid(PortraitInput)
        owner = request.user
        style, template = self._style(data), self._template(data)
        own_template = bool(data.get("template_file") or data.get("template_url"))
        try:
            order = portrait_order_check(
                owner=owner, model_ids=[str(model_id) for model_id in data["avatars"]],
                train_free=not data["avatars"], style=style, template=template, own_template=own_template,
                options=data["options"], n=data["n"])
        except OrderRefused as exc:
            raise _refusal(exc, style=style) from None
        with inputs_kept_on_success():
            template_file = input_take(owner=owner, upload=data.get("template_file"), url=data.get("template_url"))
            photos = photos_take(owner=owner, uploads=data["photos"], urls=data["photo_urls"],
                                 url_field="photo_urls") if order.train_free else []
            job = self.submitted(lambda: portrait_order_place(
                order=order, template_file=template_file, photos=photos, source=SOURCE,
                idempotency_key=self.idempotency_key()))
        return self.answer(JobSerializer, job, status_code=self.created(job))

    def _style(self, data: dict):
        if not data.get("style"):
            return None
        style = style_get(key=data["style"])
        if style is None:
            raise ApiError(status_code=404, code="style_not_found", message=f"No such style: {data['style']}.")
        if style.kind not in (StyleKind.TEMPLATE, StyleKind.HEADSHOT):  # ID photos and stylizations: their own endpoints
            raise ApiError(status_code=400, code="style_kind",
                           message=f"The style {style.key} is a {style.kind} style: use /{style.kind}s/ instead.")
        return style

    def _template(self, data: dict):
        if not data.get("template"):
            return None
        template = template_get_for(owner=self.request.user, template_id=data["template"])
        if template is None:
            raise ApiError(status_code=404, code="template_not_found", message="No such template.")
        return template


def _refusal(exc: OrderRefused, *, style) -> ApiError:
    """An order refused, in the native API's codes and statuses."""
    if exc.code == "template_not_in_style":
        return ApiError(status_code=404, code="template_not_found", message="No such template.")
    if exc.code == "style_without_templates":
        return ApiError(status_code=422, code=exc.code, message=f"The style {style.key} has no templates yet.")
    status_code = {"avatar_not_found": 404, "avatar_not_ready": 422}.get(exc.code, 400)
    return ApiError(status_code=status_code, code=exc.code, message=exc.message)


class StylizationListView(UploadView):
    @extend_schema(request=StylizationInput, responses=JOB_RESPONSES, parameters=[IDEMPOTENCY_PARAMETER, CALLBACK_PARAMETER],
                   summary="Restyle a portrait", tags=["stylizations"])
    def post(self, request):
        replay = self.replayed(kind=JobKind.STYLIZE)
        if replay is not None:
            return self.answer(JobSerializer, replay)
        data = self.valid(StylizationInput)
        if data["style_index"] == -1 and not (data.get("reference") or data.get("reference_url")):
            raise ApiError(status_code=400, code="invalid", message="style_index -1 needs a reference.",
                           fields={"reference": ["style_index -1 needs a reference or reference_url."]})
        with inputs_kept_on_success():
            image = input_take(owner=request.user, upload=data.get("image"), url=data.get("image_url"))
            reference = input_take(owner=request.user, upload=data.get("reference"), url=data.get("reference_url"))
            job = self.submitted(lambda: stylization_submit(
                owner=request.user, image=image, style_index=data["style_index"], reference=reference,
                source=SOURCE, idempotency_key=self.idempotency_key()))
        return self.answer(JobSerializer, job, status_code=self.created(job))


class IdPhotoListView(UploadView):
    @extend_schema(request=IdPhotoInput, responses=JOB_RESPONSES, parameters=[IDEMPOTENCY_PARAMETER, CALLBACK_PARAMETER],
                   summary="Make an ID photo", tags=["ID photos"])
    def post(self, request):
        replay = self.replayed(kind=JobKind.IDPHOTO)
        if replay is not None:
            return self.answer(JobSerializer, replay)
        data = self.valid(IdPhotoInput)
        avatar = None
        if data.get("avatar"):
            avatar = avatar_get_for(owner=request.user, model_id=str(data["avatar"]))
            if avatar is None:
                raise ApiError(status_code=404, code="avatar_not_found", message="No such avatar.")
        with inputs_kept_on_success():
            photo = input_take(owner=request.user, upload=data.get("photo"), url=data.get("photo_url"))
            job = self.submitted(lambda: idphoto_submit(
                owner=request.user, photo=photo, avatar=avatar, size=data["size"], background=data["background"],
                sheet=data["sheet"], draft=data["draft"], source=SOURCE, idempotency_key=self.idempotency_key()))
        return self.answer(JobSerializer, job, status_code=self.created(job))
