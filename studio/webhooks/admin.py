"""Admin for webhooks: endpoints are registered by their owners (the secret is shown to them once),
so the admin reads them and acts through the services; the delivery log is for reading too."""
from __future__ import annotations

from django.contrib import admin, messages

from jobs.admin import pretty_json

from .delivery import endpoint_disable
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import delivery_redeliver, endpoint_test_send, endpoint_update


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
        return request.user.has_perm("webhooks.change_webhookendpoint")

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
        return request.user.has_perm("webhooks.change_webhookdelivery")

    @admin.display(description="target")
    def target(self, delivery: WebhookDelivery) -> str:
        return delivery.endpoint.url if delivery.endpoint else f"callback {delivery.url}"

    @admin.display(description="payload")
    def payload_pretty(self, delivery: WebhookDelivery) -> str:
        return pretty_json(delivery.payload)

    @admin.action(description="Redeliver selected events", permissions=("transition",))
    def redeliver_selected(self, request, queryset) -> None:
        for delivery in queryset:
            delivery_redeliver(delivery=delivery)
        self.message_user(request, f"Queued {queryset.count()} redelivery(ies).", messages.SUCCESS)
