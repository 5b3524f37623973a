"""The catalog a fresh machine can have without a download: ID-photo styles, the stylization
presets, DashScope's ten style names, and a demo template style made from public-domain photos
that installed packages carry. Idempotent: what exists is kept (an admin's edits included)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from engine import imaging
from engine.errors import EngineError
from engine.options import SIZES
from studio.lib.engine import engine_backend

from ...models import Gender, Style, StyleKind
from ...services import catalog_template_add, style_activity_update, style_preview_from_templates, style_preview_set

# DashScope's f_idcard styles are FaceChain's ID photo: a head-and-shoulders photo on a blue
# background. DashScope names no size; the Chinese 1-inch photo (25x35 mm) is what "ID photo"
# means there, and blue is its usual background (the resident ID card itself wants white:
# idphoto_1inch below).
IDCARD = {"size": "1inch", "background": "blue"}
IDPHOTO_STYLES = [
    # key, title, gender, parameters, position
    ("f_idcard_male", "ID photo (man)", Gender.MALE, IDCARD, 10),
    ("f_idcard_female", "ID photo (woman)", Gender.FEMALE, IDCARD, 11),
    ("idphoto_1inch", f"ID photo {SIZES['1inch'].title}, white", Gender.ANY, {"size": "1inch", "background": "white"}, 110),
    ("idphoto_2inch", f"ID photo {SIZES['2inch'].title}, white", Gender.ANY, {"size": "2inch", "background": "white"}, 111),
    ("idphoto_passport", f"{SIZES['passport'].title}, white", Gender.ANY, {"size": "passport", "background": "white"}, 112),
    ("idphoto_us", f"US passport and visa ({SIZES['us'].title}), white", Gender.ANY, {"size": "us", "background": "white"}, 113),
]
# DashScope's template styles: shown once a pack (import_templates) gives them templates.
DASHSCOPE_TEMPLATE_STYLES = [
    ("f_business_male", "Business (man)", Gender.MALE, 20),
    ("f_business_female", "Business (woman)", Gender.FEMALE, 21),
    ("m_springflower_female", "Spring flowers", Gender.FEMALE, 30),
    ("f_summersport_female", "Summer sport", Gender.FEMALE, 31),
    ("f_autumnleaf_female", "Autumn leaves", Gender.FEMALE, 32),
    ("m_winterchinese_female", "Chinese winter", Gender.FEMALE, 33),
    ("f_hongkongvintage_female", "Hong Kong vintage", Gender.FEMALE, 34),
    ("f_lightportray_female", "Light portrait", Gender.FEMALE, 35),
]
DEMO_KEY = "studio_demo"
STYLIZE_POSITION = 200


def astronaut_png() -> bytes:
    """scikit-image's astronaut: Eileen Collins, NASA, public domain (skimage.data docstring)."""
    from skimage import data

    return imaging.encode(data.astronaut(), format="PNG")


def grace_hopper_jpg() -> bytes | None:
    """matplotlib's sample photo of Grace Hopper: US Navy, public domain (../shared/data/SOURCES.md).
    find_spec finds the file without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    return path.read_bytes() if path.is_file() else None


class Command(BaseCommand):
    help = "Create the styles a fresh install can have without a download (idempotent)."

    def handle(self, *args, **options) -> None:
        self.sample = astronaut_png()
        self.idphoto_styles()
        self.stylize_styles()
        self.dashscope_template_styles()
        self.demo_style()

    def ensure_style(self, key: str, **defaults) -> Style:
        style, created = Style.objects.get_or_create(key=key, defaults=defaults)
        self.stdout.write(f"style {key}: {'created' if created else 'exists'}")
        return style

    def idphoto_styles(self) -> None:
        for key, title, gender, parameters, position in IDPHOTO_STYLES:
            style = self.ensure_style(key, title=title, kind=StyleKind.IDPHOTO, gender=gender, parameters=parameters, position=position)
            # The sample is a woman's photo: a preview for the men's style would mislead, and no
            # installed package carries a frontal photo of a man.
            if not style.preview and style.gender != Gender.MALE:
                try:
                    # A preview shows the framing and colour: made even where the sample would not pass.
                    photo = engine_backend().idphoto(self.sample, **style.parameters, draft=True)
                except EngineError as exc:
                    self.stdout.write(f"style {key}: no preview ({exc.message})")
                    continue
                style_preview_set(style=style, content=imaging.encode(photo.image, format="PNG"))

    def stylize_styles(self) -> None:
        for preset in engine_backend().style_presets():
            style = self.ensure_style(
                f"stylize_{preset.key}", title=preset.title, kind=StyleKind.STYLIZE,
                position=STYLIZE_POSITION + preset.index,
            )
            # The engine's index is the truth: keep it right should the presets be renumbered.
            if style.parameters != {"style_index": preset.index}:
                style.parameters = {"style_index": preset.index}
                style.save(update_fields=["parameters"])
            if not style.preview:
                styled = engine_backend().stylize(self.sample, style_index=preset.index)
                style_preview_set(style=style, content=imaging.encode(styled.image, format="JPEG"))

    def dashscope_template_styles(self) -> None:
        for key, title, gender, position in DASHSCOPE_TEMPLATE_STYLES:
            self.ensure_style(key, title=title, gender=gender, position=position, is_active=False)

    @transaction.atomic
    def demo_style(self) -> None:
        style = self.ensure_style(
            DEMO_KEY, title="Studio demo", kind=StyleKind.TEMPLATE, gender=Gender.FEMALE, position=0,
            description="Two public-domain photos (NASA, US Navy) to try the studio before a template pack is imported.",
        )
        photos = [("Eileen Collins (NASA)", self.sample), ("Grace Hopper (US Navy)", grace_hopper_jpg())]
        for title, content in photos:
            if content is None:
                self.stdout.write(f"{DEMO_KEY}/{title}: not installed (matplotlib's sample data)")
                continue
            result = catalog_template_add(style=style, content=content, title=title)
            self.stdout.write(f"{DEMO_KEY}/{title}: {result}")
        if not style.preview:
            style_preview_from_templates(style=style)
        style_activity_update(style=style)

