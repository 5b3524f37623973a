"""Webhook endpoints of the native API: register, change, rotate the secret, send a test event, read
the delivery log and redeliver. Secrets are in the answers of create and rotate only."""
from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from studio.webhooks.delivery import endpoint_disable
from studio.webhooks.models import WebhookAttempt, WebhookEndpoint
from studio.webhooks.selectors import delivery_list_for, endpoint_list_for
from studio.webhooks.services import (
    WebhookRefused,
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_secret_rotate,
    endpoint_test_send,
    endpoint_update,
)

from .base import ERRORS, NativeView, paginated
from .errors import ApiError, not_found
from .inputs import WebhookEndpointInput, WebhookEndpointPatchInput
from .pagination import NewestFirst
from .serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookSecretSerializer,
)

TAGS = ["webhooks"]
DELETED = {204: None, **ERRORS}


def _refused(exc: WebhookRefused) -> ApiError:
    return ApiError(status_code=422, code="url_refused", message=exc.message, fields={"url": [exc.message]})


def _endpoint(request, endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoint_list_for(owner=request.user).filter(id=endpoint_id).first()
    if endpoint is None:
        raise not_found("webhook endpoint")
    return endpoint


def _with_attempts(deliveries):
    return deliveries.prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id")))


class WebhookListView(NativeView):
    pagination_class = NewestFirst

    @extend_schema(responses={200: WebhookEndpointSerializer(many=True), **ERRORS},
                   summary="Your webhook endpoints", tags=TAGS)
    def get(self, request):
        return paginated(self, endpoint_list_for(owner=request.user), WebhookEndpointSerializer)

    @extend_schema(request=WebhookEndpointInput, responses={201: WebhookEndpointCreatedSerializer, **ERRORS},
                   summary="Register a webhook endpoint (its secret is shown once)", tags=TAGS)
    def post(self, request):
        data = self.valid(WebhookEndpointInput)
        try:
            issued = endpoint_create(owner=request.user, url=data["url"], events=data["events"],
                                     description=data["description"])
        except WebhookRefused as exc:
            raise _refused(exc) from None
        issued.endpoint.secret = issued.secret
        return self.answer(WebhookEndpointCreatedSerializer, issued.endpoint, status_code=status.HTTP_201_CREATED)


class WebhookDetailView(NativeView):
    @extend_schema(responses={200: WebhookEndpointSerializer, **ERRORS}, summary="A webhook endpoint", tags=TAGS)
    def get(self, request, endpoint_id: int):
        return self.answer(WebhookEndpointSerializer, _endpoint(request, endpoint_id))

    @extend_schema(request=WebhookEndpointPatchInput, responses={200: WebhookEndpointSerializer, **ERRORS},
                   summary="Change a webhook endpoint's URL, events or enabled", tags=TAGS)
    def patch(self, request, endpoint_id: int):
        endpoint = _endpoint(request, endpoint_id)
        data = self.valid(WebhookEndpointPatchInput)
        try:
            endpoint = endpoint_update(endpoint=endpoint, url=data.get("url"), events=data.get("events"),
                                       enabled=True if data.get("enabled") else None)
        except WebhookRefused as exc:
            raise _refused(exc) from None
        if data.get("enabled") is False:
            # As the website and admin do: what was still to be sent to it is abandoned.
            endpoint_disable(endpoint=endpoint, reason="Disabled through the API.", notify=False)
            endpoint.refresh_from_db()
        return self.answer(WebhookEndpointSerializer, endpoint)

    @extend_schema(responses=DELETED, summary="Delete a webhook endpoint and its delivery log", tags=TAGS)
    def delete(self, request, endpoint_id: int):
        endpoint_delete(endpoint=_endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateView(NativeView):
    @extend_schema(request=None, responses={201: WebhookSecretSerializer, **ERRORS},
                   summary="Rotate a webhook endpoint's secret (the new one is shown once)", tags=TAGS)
    def post(self, request, endpoint_id: int):
        secret = endpoint_secret_rotate(endpoint=_endpoint(request, endpoint_id))
        return Response(WebhookSecretSerializer({"secret": secret}).data, status=status.HTTP_201_CREATED)


class WebhookTestView(NativeView):
    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, **ERRORS},
                   summary="Send a webhook.test event to this endpoint", tags=TAGS)
    def post(self, request, endpoint_id: int):
        delivery = endpoint_test_send(endpoint=_endpoint(request, endpoint_id))
        return self.answer(WebhookDeliverySerializer, delivery, status_code=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListView(NativeView):
    pagination_class = NewestFirst

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True), **ERRORS},
                   summary="An endpoint's delivery log, newest first, with every attempt", tags=TAGS)
    def get(self, request, endpoint_id: int):
        endpoint = _endpoint(request, endpoint_id)
        deliveries = _with_attempts(delivery_list_for(owner=request.user, endpoint=endpoint))
        return paginated(self, deliveries, WebhookDeliverySerializer)


class WebhookRedeliverView(NativeView):
    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, **ERRORS},
                   summary="Send a delivery's event again (same webhook-id) as a new delivery", tags=TAGS)
    def post(self, request, delivery_id: int):
        delivery = delivery_list_for(owner=request.user).filter(id=delivery_id).first()
        if delivery is None:
            raise not_found("webhook delivery")
        again = delivery_redeliver(delivery=delivery)
        return self.answer(WebhookDeliverySerializer, again, status_code=status.HTTP_202_ACCEPTED)
