"""The account's webhooks: endpoints (URL, events, on/off), their secrets shown once, the delivery
log with its attempts, test events and redelivery, and the callback secret of Callback-Url requests."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from studio.webhooks.delivery import endpoint_disable
from studio.webhooks.models import WebhookAttempt, WebhookEndpoint
from studio.webhooks.selectors import delivery_list_for, endpoint_list_for
from studio.webhooks.services import (
    EVENT_TYPES,
    WebhookRefused,
    callback_secret_issue,
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_secret_rotate,
    endpoint_test_send,
    endpoint_update,
)

from .common import or_404

LOG_LENGTH = 50


class EndpointForm(forms.Form):
    url = forms.CharField(max_length=2000, label="URL")
    events = forms.MultipleChoiceField(choices=[(e, e) for e in EVENT_TYPES], required=False,
                                       widget=forms.CheckboxSelectMultiple)


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    return or_404(endpoint_list_for(owner=request.user).filter(id=endpoint_id).first())


def _log(owner, endpoint: WebhookEndpoint | None):
    """The latest deliveries with their attempts; endpoint None: the Callback-Url deliveries."""
    deliveries = delivery_list_for(owner=owner, endpoint=endpoint)
    if endpoint is None:
        deliveries = deliveries.filter(endpoint__isnull=True)
    attempts = Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id"))
    return deliveries.prefetch_related(attempts)[:LOG_LENGTH]


def _list_page(request: HttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    return render(request, "web/webhooks.html", {
        "endpoints": endpoint_list_for(owner=request.user), "form": EndpointForm(),
        "event_types": EVENT_TYPES, "callback_log": _log(request.user, None), **extra,
    }, status=status)


def _endpoint_page(request: HttpRequest, endpoint: WebhookEndpoint, *, status: int = 200, **extra) -> HttpResponse:
    form = EndpointForm(initial={"url": endpoint.url, "events": endpoint.events})
    return render(request, "web/webhooks_endpoint.html", {
        "endpoint": endpoint, "form": form, "event_types": EVENT_TYPES, "log": _log(request.user, endpoint),
        **extra,
    }, status=status)


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@login_required
@require_POST
def webhook_new(request: HttpRequest) -> HttpResponse:
    """Answered with the page itself, not a redirect: the secret is in this one response only."""
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form=form, status=400)
    try:
        issued = endpoint_create(owner=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"])
    except WebhookRefused as exc:
        form.add_error("url", exc.message)
        return _list_page(request, form=form, status=400)
    return _list_page(request, issued=issued)


@login_required
@require_GET
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return _endpoint_page(request, _endpoint(request, endpoint_id))


@login_required
@require_POST
def webhook_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint_update(endpoint=endpoint, url=form.cleaned_data["url"], events=form.cleaned_data["events"])
        except WebhookRefused as exc:
            form.add_error("url", exc.message)
    if form.errors:
        endpoint.refresh_from_db()
        return _endpoint_page(request, endpoint, form=form, status=400)
    messages.success(request, "Endpoint saved.")
    return redirect("web:webhook-detail", endpoint.id)


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    secret = endpoint_secret_rotate(endpoint=endpoint)
    return _endpoint_page(request, endpoint, issued_secret=secret)


@login_required
@require_POST
def webhook_enable(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint_update(endpoint=_endpoint(request, endpoint_id), enabled=True)
    messages.success(request, "Endpoint enabled.")
    return redirect("web:webhook-detail", endpoint_id)


@login_required
@require_POST
def webhook_disable(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint_disable(endpoint=_endpoint(request, endpoint_id), reason="Disabled by you.", notify=False)
    messages.success(request, "Endpoint disabled: events that were still to be sent to it are abandoned.")
    return redirect("web:webhook-detail", endpoint_id)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Endpoint {endpoint.url} deleted.")
    return redirect("web:webhooks")


@login_required
@require_POST
def webhook_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint_test_send(endpoint=_endpoint(request, endpoint_id))
    messages.success(request, "Test event queued: it appears in the log below.")
    return redirect("web:webhook-detail", endpoint_id)


@login_required
@require_POST
def delivery_redeliver_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = or_404(delivery_list_for(owner=request.user).filter(id=delivery_id).first())
    delivery_redeliver(delivery=delivery)
    messages.success(request, f"{delivery.type} queued again (same webhook-id).")
    if delivery.endpoint_id is None:
        return redirect("web:webhooks")
    return redirect("web:webhook-detail", delivery.endpoint_id)


@login_required
@require_POST
def callback_secret_new(request: HttpRequest) -> HttpResponse:
    return _list_page(request, issued_callback_secret=callback_secret_issue(owner=request.user))
