"""The catalog (styles, templates with the customer's private ones) and API keys."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import apikey_list_for
from accounts.services import apikey_create, apikey_revoke
from studio.catalog.selectors import style_get, style_list, template_get_for, template_list_for, template_own_get
from studio.catalog.services import TemplateRejected, template_delete, template_upload
from studio.webhooks.services import callback_secret_issue

from .base import ERRORS, NativeView, UploadView, paginated
from .errors import ApiError, not_found
from .inputs import ApiKeyInput, StyleFilter, TemplateFilter, TemplateInput
from .pagination import ById, ByPosition, NewestFirst
from .serializers import (
    ApiKeyCreatedSerializer,
    ApiKeySerializer,
    CallbackSecretSerializer,
    StyleSerializer,
    TemplateSerializer,
)

DELETED = {204: None, **ERRORS}


class StyleListView(NativeView):
    pagination_class = ByPosition

    @extend_schema(parameters=[StyleFilter], responses={200: StyleSerializer(many=True), **ERRORS},
                   summary="The styles", tags=["styles"])
    def get(self, request):
        filters = self.valid(StyleFilter, data=request.query_params)
        return paginated(self, style_list(**filters), StyleSerializer)


class StyleDetailView(NativeView):
    @extend_schema(responses={200: StyleSerializer, **ERRORS}, summary="A style", tags=["styles"])
    def get(self, request, key: str):
        style = style_get(key=key)
        if style is None:
            raise not_found("style")
        return self.answer(StyleSerializer, style)


class TemplateListView(UploadView):
    pagination_class = ById

    @extend_schema(parameters=[TemplateFilter], responses={200: TemplateSerializer(many=True), **ERRORS},
                   summary="Catalog templates and your own", tags=["templates"])
    def get(self, request):
        filters = self.valid(TemplateFilter, data=request.query_params)
        style = None
        if filters.get("style"):
            style = style_get(key=filters["style"])
            if style is None:
                raise not_found("style")
        return paginated(self, template_list_for(owner=request.user, style=style), TemplateSerializer)

    @extend_schema(request=TemplateInput, responses={201: TemplateSerializer, **ERRORS},
                   summary="Upload a private template", tags=["templates"])
    def post(self, request):
        data = self.valid(TemplateInput)
        upload = data["image"]
        upload.seek(0)
        try:
            template = template_upload(owner=request.user, content=upload.read(), title=data["title"],
                                       face_count=data["face_count"])
        except TemplateRejected as exc:
            raise ApiError(status_code=422, code="template_rejected", message=exc.message,
                           fields={"image": [exc.message]}) from None
        return self.answer(TemplateSerializer, template, status_code=status.HTTP_201_CREATED)


class TemplateDetailView(NativeView):
    @extend_schema(responses={200: TemplateSerializer, **ERRORS}, summary="A template", tags=["templates"])
    def get(self, request, template_id: int):
        template = template_get_for(owner=request.user, template_id=template_id)
        if template is None:
            raise not_found("template")
        return self.answer(TemplateSerializer, template)

    @extend_schema(responses=DELETED, summary="Delete one of your templates", tags=["templates"])
    def delete(self, request, template_id: int):
        template = template_own_get(owner=request.user, template_id=template_id)
        if template is None:
            raise not_found("template of yours")
        template_delete(template=template)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiKeyListView(NativeView):
    pagination_class = NewestFirst

    @extend_schema(responses={200: ApiKeySerializer(many=True), **ERRORS}, summary="Your API keys", tags=["API keys"])
    def get(self, request):
        return paginated(self, apikey_list_for(owner=request.user), ApiKeySerializer)

    @extend_schema(request=ApiKeyInput, responses={201: ApiKeyCreatedSerializer, **ERRORS},
                   summary="Create an API key (shown once)", tags=["API keys"])
    def post(self, request):
        data = self.valid(ApiKeyInput)
        issued = apikey_create(owner=request.user, name=data["name"])
        issued.api_key.key = issued.raw
        return self.answer(ApiKeyCreatedSerializer, issued.api_key, status_code=status.HTTP_201_CREATED)


class ApiKeyDetailView(NativeView):
    @extend_schema(responses=DELETED, summary="Revoke an API key", tags=["API keys"])
    def delete(self, request, key_id: int):
        if not apikey_revoke(owner=request.user, key_id=key_id):
            raise not_found("active API key")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CallbackSecretView(NativeView):
    @extend_schema(request=None, responses={201: CallbackSecretSerializer, **ERRORS},
                   summary="Issue a new callback secret (shown once; the old one signs for 24 h more)",
                   tags=["API keys"])
    def post(self, request):
        secret = callback_secret_issue(owner=request.user)
        return Response(CallbackSecretSerializer({"secret": secret}).data, status=status.HTTP_201_CREATED)
