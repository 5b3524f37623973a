"""Admin for the product: avatars and their photos, the styles and templates catalog, portraits.

Avatars and portraits are made by train and create jobs, so they have no add form here.
"""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.html import format_html

from .models import Avatar, Photo, Portrait, Style, Template


def _thumbnail(image: FieldFile, alt: str) -> str:
    # No storage lookup per row (a HEAD request each on S3): a file missing from storage shows
    # the alt text in the browser; a row without a file shows a dash.
    if not image:
        return "—"
    return format_html('<img src="{}" alt="{}" width="64" loading="lazy">', image.url, alt)


def _check_verdict(photo: Photo) -> str:
    if photo.check_result is None:
        return "not checked"
    return photo.check_result.get("message") or f"code {photo.check_result.get('code')}"


class PhotoColumns:
    """The thumbnail and check verdict, on the photo list and inside an avatar's page."""

    @admin.display(description="photo")
    def preview(self, photo: Photo) -> str:
        return _thumbnail(photo.image, str(photo))

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



@admin.register(Style)
class StyleAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "kind", "gender", "is_active", "position", "template_count")
    list_editable = ("is_active", "position")
    list_filter = ("kind", "gender", "is_active")
    search_fields = ("key", "title")
    prepopulated_fields = {"key": ("title",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(template_total=Count("templates"))

    @admin.display(description="templates", ordering="template_total")
    def template_count(self, style: Style) -> int:
        return style.template_total


class CatalogFilter(admin.SimpleListFilter):
    title = "catalog or private"
    parameter_name = "catalog"

    def lookups(self, request, model_admin):
        return (("yes", "Catalog"), ("no", "Private"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(owner__isnull=self.value() == "yes")
        return queryset


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("preview", "title", "style", "owner_or_catalog", "face_count", "is_active")
    list_display_links = ("preview", "title")
    list_filter = ("style", "is_active", CatalogFilter)
    list_select_related = ("style", "owner")
    search_fields = ("title", "style__key", "owner__email")
    autocomplete_fields = ("style", "owner")
    readonly_fields = ("preview", "width", "height")

    @admin.display(description="image")
    def preview(self, template: Template) -> str:
        return _thumbnail(template.image, str(template))

    @admin.display(description="owner", ordering="owner__email")
    def owner_or_catalog(self, template: Template) -> str:
        return template.owner.email if template.owner_id else "catalog"


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
        return _thumbnail(portrait.image, str(portrait))

    @admin.display(description="job", ordering="job_id")
    def job_link(self, portrait: Portrait) -> str:
        if portrait.job_id is None:
            return "—"
        url = reverse("admin:jobs_job_change", args=[portrait.job_id])
        return format_html('<a href="{}">{}</a>', url, portrait.job_id)
