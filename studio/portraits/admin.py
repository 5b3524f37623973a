"""Admin for avatars and their photos, and portraits.

Avatars and portraits are made by train and create jobs, so they have no add form here.
"""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from studio.catalog.admin import admin_thumbnail

from .models import Avatar, Photo, Portrait


def _check_verdict(photo: Photo) -> str:
    if photo.check_result is None:
        return "not checked"
    return photo.check_result.get("message") or f"code {photo.check_result.get('code')}"


class PhotoColumns:
    """The thumbnail and check verdict, on the photo list and inside an avatar's page."""

    @admin.display(description="photo")
    def preview(self, photo: Photo) -> str:
        return admin_thumbnail(photo.image, str(photo))

    @admin.display(boolean=True)
    def passed(self, photo: Photo) -> bool | None:
        return photo.passed

    @admin.display(description="check")
    def verdict(self, photo: Photo) -> str:
        return _check_verdict(photo)


class PhotoInline(PhotoColumns, admin.TabularInline):
    model = Photo
    fields = ("preview", "position", "passed", "verdict", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False



@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    list_display = (
        "model_id", "owner", "name", "status", "backend", "photos_used", "created_at", "trained_at", "last_used_at",
    )
    list_filter = ("status", "backend")
    list_select_related = ("owner",)
    search_fields = ("=model_id", "owner__email", "name")
    # Only the name is the admin's; the rest is written by the train job.
    readonly_fields = (
        "model_id", "owner", "status", "backend", "artifact", "photos_used", "created_at", "trained_at", "last_used_at",
    )
    inlines = (PhotoInline,)

    def has_add_permission(self, request) -> bool:
        return False


class PassedFilter(admin.SimpleListFilter):
    """The check's verdict: code 1 is a pass (engine.check), any other code a fail."""

    title = "check"
    parameter_name = "passed"

    def lookups(self, request, model_admin):
        return (("yes", "Passed"), ("no", "Failed"), ("unchecked", "Not checked"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(check_result__code=1)
        if self.value() == "no":
            return queryset.filter(check_result__isnull=False).exclude(check_result__code=1)
        if self.value() == "unchecked":
            return queryset.filter(check_result__isnull=True)
        return queryset


@admin.register(Photo)
class PhotoAdmin(PhotoColumns, admin.ModelAdmin):
    list_display = ("id", "preview", "owner", "avatar", "passed", "created_at")
    list_filter = (PassedFilter, "created_at")
    list_select_related = ("owner", "avatar")
    search_fields = ("owner__email", "=avatar__model_id")
    autocomplete_fields = ("owner", "avatar")
    readonly_fields = ("preview", "width", "height", "verdict", "check_result")



@admin.register(Portrait)
class PortraitAdmin(admin.ModelAdmin):
    list_display = ("id", "preview", "owner", "style", "identity_distance", "is_favourite", "created_at", "job_link")
    list_filter = ("style", "is_favourite", "created_at")
    list_select_related = ("owner", "style")
    search_fields = ("owner__email", "=job__id")
    date_hierarchy = "created_at"
    # Made by a create job; the admin may only mark or unmark it as a favourite (or delete it).
    fields = (
        "preview", "owner", "job_link", "avatars", "template", "style",
        ("width", "height"), "rank", "identity_distance", "is_favourite", "created_at",
    )
    readonly_fields = (
        "preview", "owner", "job_link", "avatars", "template", "style",
        "width", "height", "rank", "identity_distance", "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="image")
    def preview(self, portrait: Portrait) -> str:
        return admin_thumbnail(portrait.image, str(portrait))

    @admin.display(description="job", ordering="job_id")
    def job_link(self, portrait: Portrait) -> str:
        if portrait.job_id is None:
            return "—"
        url = reverse("admin:jobs_job_change", args=[portrait.job_id])
        return format_html('<a href="{}">{}</a>', url, portrait.job_id)
