"""Admin for jobs: watch the queue, read inputs and results, retry or cancel through the state machine.

Jobs are made by ``job_submit`` (which reserves points and enqueues), so there is no add form.
"""
from __future__ import annotations

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from .models import Job
from .services import job_cancel, job_retry


def pretty_json(value) -> str:
    """A JSON value shown readable in the admin (the webhooks admin uses it too)."""
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
        ("owner", "source", "app_id"),
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
        return pretty_json(job.input)

    @admin.display(description="result")
    def result_pretty(self, job: Job) -> str:
        return pretty_json(job.result)

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
