"""The catalog every install has after ``migrate`` alone, with no download: ID-photo styles, the
stylization presets, the template-free headshot styles, and DashScope's ten preset style names.

Kept as data plus one function that takes the Style model class, so that the data migration
(catalog 0003, with its historical model) and ``seed_catalog`` (with the live one, for previews)
make the very same rows. Idempotent: a style that exists keeps an admin's edits; only what a fresh
install needs to work is set where it is missing (a preset's headshot fallback).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.options import SIZES, STYLE_PRESETS

ANY, FEMALE, MALE = "any", "female", "male"
TEMPLATE, IDPHOTO, STYLIZE, HEADSHOT = "template", "idphoto", "stylize", "headshot"


@dataclass(frozen=True)
class StyleDefault:
    key: str
    title: str
    kind: str
    gender: str = ANY
    parameters: dict = field(default_factory=dict)
    position: int = 0
    description: str = ""
    is_active: bool = True
    fallback: str = ""  # key of the headshot style that makes it while it has no template


# DashScope's f_idcard styles are FaceChain's ID photo: a head-and-shoulders photo on a blue
# background. DashScope names no size; the Chinese 1-inch photo (25x35 mm) is what "ID photo"
# means there, and blue is its usual background (the resident ID card itself wants white:
# idphoto_1inch below).
IDCARD = {"size": "1inch", "background": "blue"}
IDPHOTO_STYLES = (
    StyleDefault("f_idcard_male", "ID photo (man)", IDPHOTO, MALE, IDCARD, 10),
    StyleDefault("f_idcard_female", "ID photo (woman)", IDPHOTO, FEMALE, IDCARD, 11),
    StyleDefault("idphoto_1inch", f"ID photo {SIZES['1inch'].title}, white", IDPHOTO, ANY,
                 {"size": "1inch", "background": "white"}, 110),
    StyleDefault("idphoto_2inch", f"ID photo {SIZES['2inch'].title}, white", IDPHOTO, ANY,
                 {"size": "2inch", "background": "white"}, 111),
    StyleDefault("idphoto_passport", f"{SIZES['passport'].title}, white", IDPHOTO, ANY,
                 {"size": "passport", "background": "white"}, 112),
    StyleDefault("idphoto_us", f"US passport and visa ({SIZES['us'].title}), white", IDPHOTO, ANY,
                 {"size": "us", "background": "white"}, 113),
)


def _headshot(key: str, title: str, backdrop: str, position: int, description: str, *,
              is_active: bool = True, **parameters) -> StyleDefault:
    return StyleDefault(f"headshot_{key}", title, HEADSHOT, ANY, {"backdrop": backdrop, "aspect": "4:5", **parameters},
                        position, description, is_active)


# Professional headshots from the customer's own best photo: cut out, framed head and shoulders
# (4:5, or 1:1 as an option), relit to the backdrop, at 1024 px and more. For anyone.
HEADSHOT_STYLES = (
    _headshot("studio_grey", "Studio headshot, grey", "studio_grey", 1,
              "A photographer's painted grey canvas with a soft light behind you: the classic business headshot."),
    _headshot("studio_white", "Studio headshot, white", "studio_white", 2,
              "Bright high-key white, for profiles and team pages that want a clean look."),
    _headshot("low_key", "Low-key headshot", "low_key", 3,
              "A dark charcoal backdrop for an executive, dramatic look."),
    _headshot("office", "Office headshot", "office", 4,
              "A softly blurred modern office behind you, as on a corporate photo day."),
    _headshot("outdoor", "Outdoor headshot", "outdoor", 5,
              "Green and golden park bokeh: approachable, natural light."),
    _headshot("brand", "Brand colour headshot", "brand", 6,
              "A backdrop in your brand's colour (option colour, #rrggbb; navy by default).",
              colour="#1f3a5f"),
    # Stand-ins for DashScope's seasonal presets until a template pack brings their templates:
    # not listed in the catalog themselves (the preset is), but made through its fallback.
    _headshot("spring", "Spring blossom headshot", "spring", 40, "Pink and white blossom bokeh.", is_active=False),
    _headshot("summer", "Summer headshot", "summer", 41, "Sky blue and sunny green bokeh.", is_active=False),
    _headshot("autumn", "Autumn headshot", "autumn", 42, "Warm orange and red leaf bokeh.", is_active=False),
    _headshot("winter", "Winter headshot", "winter", 43, "Cool blue-white light with snowflakes.", is_active=False),
    _headshot("city_night", "City night headshot", "city_night", 44,
              "Warm neon city lights with a slightly vintage grade.", is_active=False),
)

# DashScope's template styles: made from a pack's templates once one is fetched
# (``manage.py templates fetch --default``), until then by their headshot stand-in.
DASHSCOPE_TEMPLATE_STYLES = (
    StyleDefault("f_business_male", "Business (man)", TEMPLATE, MALE, position=20, fallback="headshot_office"),
    StyleDefault("f_business_female", "Business (woman)", TEMPLATE, FEMALE, position=21, fallback="headshot_office"),
    StyleDefault("m_springflower_female", "Spring flowers", TEMPLATE, FEMALE, position=30, fallback="headshot_spring"),
    StyleDefault("f_summersport_female", "Summer sport", TEMPLATE, FEMALE, position=31, fallback="headshot_summer"),
    StyleDefault("f_autumnleaf_female", "Autumn leaves", TEMPLATE, FEMALE, position=32, fallback="headshot_autumn"),
    StyleDefault("m_winterchinese_female", "Chinese winter", TEMPLATE, FEMALE, position=33, fallback="headshot_winter"),
    StyleDefault("f_hongkongvintage_female", "Hong Kong vintage", TEMPLATE, FEMALE, position=34,
                 fallback="headshot_city_night"),
    StyleDefault("f_lightportray_female", "Light portrait", TEMPLATE, FEMALE, position=35,
                 fallback="headshot_studio_white"),
)
DASHSCOPE_PRESET_KEYS = tuple(style.key for style in DASHSCOPE_TEMPLATE_STYLES) + ("f_idcard_male", "f_idcard_female")

STYLIZE_POSITION = 200
STYLIZE_STYLES = tuple(
    StyleDefault(f"stylize_{preset.key}", preset.title, STYLIZE, ANY, {"style_index": preset.index},
                 STYLIZE_POSITION + preset.index)
    for preset in STYLE_PRESETS
)

CATALOG_DEFAULTS = IDPHOTO_STYLES + HEADSHOT_STYLES + DASHSCOPE_TEMPLATE_STYLES + STYLIZE_STYLES


def catalog_defaults_ensure(style_model) -> list[tuple[str, str]]:
    """Creates the default styles that are missing; (key, "created" | "exists") for each.

    ``style_model`` is the Style class, live or historical (a migration's). An existing style keeps
    its fields, with two exceptions that a fresh install depends on: a stylization style's index
    follows the engine (should the presets be renumbered), and a template preset without a fallback
    gets its headshot stand-in and is shown (it was hidden until a pack came)."""
    made: list[tuple[str, str]] = []
    rows: dict[str, object] = {}
    for default in CATALOG_DEFAULTS:  # headshots come before the presets that fall back on them
        row = style_model.objects.filter(key=default.key).first()
        if row is None:
            row = style_model.objects.create(
                key=default.key, title=default.title, kind=default.kind, gender=default.gender,
                parameters=default.parameters, position=default.position, description=default.description,
                is_active=default.is_active, fallback=rows.get(default.fallback),
            )
            made.append((default.key, "created"))
        else:
            made.append((default.key, "exists"))
            changed = []
            if default.kind == STYLIZE and row.parameters != default.parameters:
                row.parameters, changed = default.parameters, changed + ["parameters"]
            if default.fallback and row.fallback_id is None and default.fallback in rows:
                row.fallback, row.is_active = rows[default.fallback], True
                changed += ["fallback", "is_active"]
            if changed:
                row.save(update_fields=changed)
        rows[default.key] = row
    return made
