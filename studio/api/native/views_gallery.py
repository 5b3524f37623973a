"""Reading and tidying what work made: avatars, portraits (the gallery) and jobs."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from jobs.services import job_cancel
from studio.portraits.selectors import (
    avatar_get_for,
    avatar_list_for,
    job_get_for,
    job_pages_for,
    portrait_get_for,
    portrait_list_for,
)
from studio.portraits.services.portraits import portrait_delete, portrait_favourite_set
from studio.portraits.services.privacy import avatar_delete

from .base import ERRORS, NativeView, UploadView, paginated
from .errors import ApiError, not_found
from .inputs import JobFilter, PortraitFilter, PortraitPatchInput
from .pagination import NewestFirst
from .serializers import AvatarSerializer, JobSerializer, PortraitSerializer
from .views_work import AvatarCreateMixin, PortraitCreateMixin

DELETED = {204: None, **ERRORS}


class AvatarListView(AvatarCreateMixin, UploadView):
    pagination_class = NewestFirst

    @extend_schema(responses={200: AvatarSerializer(many=True), **ERRORS}, summary="Your avatars", tags=["avatars"])
    def get(self, request):
        return paginated(self, avatar_list_for(owner=request.user), AvatarSerializer)


class AvatarDetailView(NativeView):
    def _avatar(self, model_id):
        avatar = avatar_get_for(owner=self.request.user, model_id=str(model_id))
        if avatar is None:
            raise not_found("avatar")
        return avatar

    @extend_schema(responses={200: AvatarSerializer, **ERRORS}, summary="An avatar", tags=["avatars"])
    def get(self, request, model_id):
        return self.answer(AvatarSerializer, self._avatar(model_id))

    @extend_schema(responses=DELETED, summary="Delete an avatar with its photos and portraits", tags=["avatars"])
    def delete(self, request, model_id):
        avatar_delete(avatar=self._avatar(model_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PortraitListView(PortraitCreateMixin, UploadView):
    pagination_class = NewestFirst

    @extend_schema(parameters=[PortraitFilter], responses={200: PortraitSerializer(many=True), **ERRORS},
                   summary="Your gallery", tags=["portraits"])
    def get(self, request):
        filters = self.valid(PortraitFilter, data=request.query_params)
        portraits = portrait_list_for(owner=request.user, avatar_model_id=filters.get("avatar"),
                                      style_key=filters.get("style"), favourite=filters.get("favourite"))
        return paginated(self, portraits, PortraitSerializer)


class PortraitDetailView(NativeView):
    def _portrait(self, portrait_id: int):
        portrait = portrait_get_for(owner=self.request.user, portrait_id=portrait_id)
        if portrait is None:
            raise not_found("portrait")
        return portrait

    @extend_schema(responses={200: PortraitSerializer, **ERRORS}, summary="A portrait", tags=["portraits"])
    def get(self, request, portrait_id: int):
        return self.answer(PortraitSerializer, self._portrait(portrait_id))

    @extend_schema(request=PortraitPatchInput, responses={200: PortraitSerializer, **ERRORS},
                   summary="Mark or unmark a favourite", tags=["portraits"])
    def patch(self, request, portrait_id: int):
        portrait = self._portrait(portrait_id)
        data = self.valid(PortraitPatchInput)
        return self.answer(PortraitSerializer, portrait_favourite_set(portrait=portrait, favourite=data["favourite"]))

    @extend_schema(responses=DELETED, summary="Delete a portrait", tags=["portraits"])
    def delete(self, request, portrait_id: int):
        portrait_delete(portrait=self._portrait(portrait_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobListView(NativeView):
    pagination_class = NewestFirst

    @extend_schema(parameters=[JobFilter], responses={200: JobSerializer(many=True), **ERRORS},
                   summary="Your jobs", tags=["jobs"])
    def get(self, request):
        filters = self.valid(JobFilter, data=request.query_params)
        return paginated(self, job_pages_for(owner=request.user, **filters), JobSerializer)


class JobDetailView(NativeView):
    @extend_schema(responses={200: JobSerializer, **ERRORS}, summary="A job with its progress and results",
                   tags=["jobs"])
    def get(self, request, job_id: int):
        job = job_get_for(owner=request.user, job_id=job_id)
        if job is None:
            raise not_found("job")
        return self.answer(JobSerializer, job)


class JobCancelView(NativeView):
    @extend_schema(request=None, responses={200: JobSerializer, 409: ERRORS[400], **ERRORS},
                   summary="Cancel a queued or running job", tags=["jobs"])
    def post(self, request, job_id: int):
        job = job_get_for(owner=request.user, job_id=job_id)
        if job is None:
            raise not_found("job")
        if not job_cancel(job=job):
            raise ApiError(status_code=409, code="job_final", message=f"The job is already {job.state}.")
        return self.answer(JobSerializer, job)
