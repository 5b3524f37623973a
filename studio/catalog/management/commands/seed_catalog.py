"""The catalog a fresh machine can have without a download: the default styles (which ``migrate``
makes too, see studio.catalog.defaults) with a preview each, and a demo template style made from
public-domain photos that installed packages carry. Idempotent: what exists is kept (an admin's
edits included)."""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from ...defaults import catalog_defaults_ensure
from ...models import Gender, Style, StyleKind
from ...previews import astronaut_png, grace_hopper_jpg, style_preview_ensure
from ...services import catalog_template_add, style_activity_update, style_preview_from_templates

DEMO_KEY = "studio_demo"


class Command(BaseCommand):
    help = "Create the styles a fresh install can have without a download, with previews (idempotent)."

    def handle(self, *args, **options) -> None:
        for key, outcome in catalog_defaults_ensure(Style):
            self.stdout.write(f"style {key}: {outcome}")
        self.demo_style()
        # Headshot styles first: a template preset without templates shows its headshot's preview.
        for style in Style.objects.order_by("kind", "position", "key").select_related("fallback"):
            if style_preview_ensure(style=style):
                self.stdout.write(f"style {style.key}: preview made")

    @transaction.atomic
    def demo_style(self) -> None:
        style, created = Style.objects.get_or_create(key=DEMO_KEY, defaults={
            "title": "Studio demo", "kind": StyleKind.TEMPLATE, "gender": Gender.FEMALE, "position": 0,
            "description": "Two public-domain photos (NASA, US Navy) to try the studio before a template pack is imported.",
        })
        self.stdout.write(f"style {DEMO_KEY}: {'created' if created else 'exists'}")
        photos = [("Eileen Collins (NASA)", astronaut_png()), ("Grace Hopper (US Navy)", grace_hopper_jpg())]
        for title, content in photos:
            if content is None:
                self.stdout.write(f"{DEMO_KEY}/{title}: not installed (matplotlib's sample data)")
                continue
            result = catalog_template_add(style=style, content=content, title=title)
            self.stdout.write(f"{DEMO_KEY}/{title}: {result}")
        if not style.preview:
            style_preview_from_templates(style=style)
        style_activity_update(style=style)
