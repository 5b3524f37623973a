"""Admin for jobs: watch the queue, read inputs and results, retry or cancel through the state machine;
webhook endpoints and their delivery log, with test events and redelivery.

Jobs are made by ``job_submit`` (which reserves points and enqueues), so there is no add form.
"""
from __future__ import annotations

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from .models import Job, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import job_cancel, job_retry
from .webhooks.delivery import endpoint_disable
from .webhooks.services import delivery_redeliver, endpoint_test_send, endpoint_update


def _pretty_json(value) -> str:
    if value is None:
        return "—"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id", "kind", "state", "progress", "attempts", "owner", "source",
        "created_at", "finished_at", "cost_time", "error_code",
    )
    list_filter = ("kind", "state", "source", "created_at")
    list_select_related = ("owner",)
    # id__exact compares the id as text, so a search for an email does not fail on the integer id.
    search_fields = ("id__exact", "owner__email", "=idempotency_key", "error_message")
    date_hierarchy = "created_at"
    fields = (
        ("kind", "state", "progress", "attempts"),
        ("owner", "source", "app_id", "avatar"),
        ("idempotency_key", "priority", "lease_expires_at"),
        ("created_at", "started_at", "finished_at", "updated_at", "cost_time"),
        ("error_code", "error_message"),
        "input_pretty",
        "result_pretty",
    )
    readonly_fields = ("input_pretty", "result_pretty")
    actions = ("retry_selected", "cancel_selected")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Every field belongs to the submission or to the state machine: the page is for reading,
        # and the state changes are the actions below, which go through jobs.services.
        return False

    @admin.display(description="input")
    def input_pretty(self, job: Job) -> str:
        return _pretty_json(job.input)

    @admin.display(description="result")
    def result_pretty(self, job: Job) -> str:
        return _pretty_json(job.result)

    def _report(self, request, *, done: int, total: int, verb: str, why_not: str) -> None:
        level = messages.SUCCESS if done == total else messages.WARNING
        self.message_user(request, f"{verb} {done} job(s); {total - done} {why_not}.", level)

    def has_transition_permission(self, request) -> bool:
        # Retry and cancel change the job, so they need the change permission that the page itself
        # does not use.
        return request.user.has_perm("jobs.change_job")

    @admin.action(description="Retry selected jobs", permissions=("transition",))
    def retry_selected(self, request, queryset) -> None:
        jobs = list(queryset)
        done = sum(job_retry(job=job) for job in jobs)
        self._report(request, done=done, total=len(jobs), verb="Re-queued",
                     why_not="not retryable (only failed or canceled jobs are)")

    @admin.action(description="Cancel selected jobs", permissions=("transition",))
    def cancel_selected(self, request, queryset) -> None:
        jobs = list(queryset)
        done = sum(job_cancel(job=job) for job in jobs)
        self._report(request, done=done, total=len(jobs), verb="Canceled",
                     why_not="not cancelable (already finished)")


# Webhooks: endpoints are registered by their owners (the secret is shown to them once), so the
# admin reads them and acts through jobs.webhooks.services; the delivery log is for reading too.


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "url", "status_code", "duration", "error", "response_excerpt")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("id", "url", "owner", "enabled", "events", "failing_since", "disabled_reason", "created_at")
    list_filter = ("enabled", "created_at")
    list_select_related = ("owner",)
    search_fields = ("url", "owner__email")
    fields = ("owner", "url", "description", "events", "enabled", "disabled_reason", "failing_since",
              "previous_secret_expires_at", "created_at")
    readonly_fields = fields
    actions = ("send_test_event", "enable_selected", "disable_selected")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_transition_permission(self, request) -> bool:
        return request.user.has_perm("jobs.change_webhookendpoint")

    @admin.action(description="Send a test event", permissions=("transition",))
    def send_test_event(self, request, queryset) -> None:
        for endpoint in queryset:
            endpoint_test_send(endpoint=endpoint)
        self.message_user(request, f"Queued a test event to {queryset.count()} endpoint(s).", messages.SUCCESS)

    @admin.action(description="Enable selected endpoints", permissions=("transition",))
    def enable_selected(self, request, queryset) -> None:
        for endpoint in queryset:
            endpoint_update(endpoint=endpoint, enabled=True)
        self.message_user(request, f"Enabled {queryset.count()} endpoint(s).", messages.SUCCESS)

    @admin.action(description="Disable selected endpoints", permissions=("transition",))
    def disable_selected(self, request, queryset) -> None:
        done = sum(endpoint_disable(endpoint=e, reason="Disabled by an administrator.", notify=False)
                   for e in queryset)
        self.message_user(request, f"Disabled {done} endpoint(s).", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "event_id", "owner", "target", "state", "attempts", "next_attempt_at",
                    "created_at", "last_error")
    list_filter = ("state", "type", "created_at")
    list_select_related = ("owner", "endpoint")
    search_fields = ("=event_id", "owner__email", "url", "endpoint__url", "=job__id")
    date_hierarchy = "created_at"
    fields = ("owner", "endpoint", "url", "job", "event_id", "type", "state", "attempts", "next_attempt_at",
              "finished_at", "last_error", "redelivery_of", "payload_pretty", "created_at")
    readonly_fields = fields
    inlines = (WebhookAttemptInline,)
    actions = ("redeliver_selected",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_transition_permission(self, request) -> bool:
        return request.user.has_perm("jobs.change_webhookdelivery")

    @admin.display(description="target")
    def target(self, delivery: WebhookDelivery) -> str:
        return delivery.endpoint.url if delivery.endpoint else f"callback {delivery.url}"

    @admin.display(description="payload")
    def payload_pretty(self, delivery: WebhookDelivery) -> str:
        return _pretty_json(delivery.payload)

    @admin.action(description="Redeliver selected events", permissions=("transition",))
    def redeliver_selected(self, request, queryset) -> None:
        for delivery in queryset:
            delivery_redeliver(delivery=delivery)
        self.message_user(request, f"Queued {queryset.count()} redelivery(ies).", messages.SUCCESS)
