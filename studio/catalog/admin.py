"""Admin for the catalog: styles and their templates, the catalog's and customers' private ones."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html

from .models import Style, Template


def admin_thumbnail(image: FieldFile, alt: str) -> str:
    # No storage lookup per row (a HEAD request each on S3): a file missing from storage shows
    # the alt text in the browser; a row without a file shows a dash.
    if not image:
        return "—"
    return format_html('<img src="{}" alt="{}" width="64" loading="lazy">', image.url, alt)


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
        return admin_thumbnail(template.image, str(template))

    @admin.display(description="owner", ordering="owner__email")
    def owner_or_catalog(self, template: Template) -> str:
        return template.owner.email if template.owner_id else "catalog"
