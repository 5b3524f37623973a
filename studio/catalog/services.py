"""The styles and templates catalog: the check every template image passes, customers' private
templates, catalog templates and style previews. Pack imports (import_templates) build on these."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from engine import imaging
from engine.errors import EngineError
from engine.options import parse_background, spec_for
from studio.lib.engine import engine_backend
from studio.lib.moderation import moderation_check

from .models import Gender, Style, StyleKind, Template

DEFAULT_TEMPLATE_MAX_BYTES = 10 * 1024 * 1024
# DashScope's template limit is 512x512 at least; a smaller face would be upscaled into blur.
# Larger templates are fine: the engine works at 2048 px on the long side at most.
TEMPLATE_MIN_SIDE = 512
PREVIEW_LONG_SIDE = 512
# What a template is stored as; the engine reads more (BMP, TIFF), but browsers don't show those.
TEMPLATE_FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp"}


class TemplateRejected(Exception):
    """A template image that cannot be used, with a message that says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedTemplate:
    content: bytes
    digest: str  # sha256 of the bytes, hex
    suffix: str  # file suffix of its format
    width: int
    height: int
    face_count: int
    rgb: np.ndarray  # the decoded pixels (at most imaging.DEFAULT_MAX_SIDE), so nothing decodes twice


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def template_check(content: bytes, *, face_count: int = 1) -> CheckedTemplate:
    """Accept an image as a template with exactly ``face_count`` faces, or raise TemplateRejected."""
    if face_count < 1:
        raise TemplateRejected(f"A template needs at least one face, not face_count={face_count}.")
    max_bytes = getattr(settings, "STUDIO_TEMPLATE_MAX_BYTES", DEFAULT_TEMPLATE_MAX_BYTES)
    if len(content) > max_bytes:
        raise TemplateRejected(
            f"The file is {len(content) / 2**20:.1f} MB; a template may be at most {max_bytes / 2**20:.1f} MB."
        )
    try:
        decoded = imaging.decode(content)
    except EngineError as exc:
        raise TemplateRejected(exc.message) from exc
    if decoded.format not in TEMPLATE_FORMATS:
        raise TemplateRejected(f"A template must be JPEG, PNG or WebP, not {decoded.format}.")
    # Faces before size: a picture without the expected faces is wrong at any size, and that is
    # the reason worth telling first.
    try:
        found = len(engine_backend().template_faces(decoded.rgb))
    except EngineError as exc:
        raise TemplateRejected(exc.message) from exc
    if found == 0:
        raise TemplateRejected(f"No face found; the template must show {_faces(face_count)}.")
    if found != face_count:
        raise TemplateRejected(f"Found {_faces(found)}; the template must show {_faces(face_count)}.")
    width, height = decoded.original_size
    if min(width, height) < TEMPLATE_MIN_SIDE:
        raise TemplateRejected(
            f"The image is {width}x{height}; a template needs at least {TEMPLATE_MIN_SIDE} px on its short side."
        )
    return CheckedTemplate(
        content=content, digest=content_digest(content), suffix=TEMPLATE_FORMATS[decoded.format],
        width=width, height=height, face_count=face_count, rgb=decoded.rgb,
    )


def _faces(count: int) -> str:
    return f"{count} face" if count == 1 else f"{count} faces"


@transaction.atomic
def template_upload(*, owner, content: bytes, title: str = "", face_count: int = 1) -> Template:
    """A customer's private template. The same file uploaded again gives the same template.

    It is kept re-encoded, so nothing of the upload's metadata (EXIF, GPS) is ever served back;
    the moderation hook sees it once it passed the check (studio.lib.moderation.Refused)."""
    checked = template_check(content, face_count=face_count)  # admitted first: hooks see only images
    moderation_check(kind="template", content=content)
    existing = Template.objects.filter(
        owner=owner, style=None, digest=checked.digest, face_count=face_count, is_active=True
    ).first()
    if existing is not None:
        return existing
    height, width = checked.rgb.shape[:2]
    checked = replace(checked, content=imaging.encode(checked.rgb, format="JPEG", quality=95), suffix=".jpg",
                      width=width, height=height)
    return _template_save(Template(owner=owner, title=title[:100], face_count=face_count), checked)


def _template_save(template: Template, checked: CheckedTemplate) -> Template:
    template.digest = checked.digest
    template.width, template.height = checked.width, checked.height
    template.image.save(f"template{checked.suffix}", ContentFile(checked.content), save=True)
    return template


@dataclass(frozen=True)
class TemplateOutcome:
    outcome: str  # imported, skipped, reactivated, updated, rejected
    reason: str = ""
    template: Template | None = None

    def __str__(self) -> str:
        if self.outcome == "skipped":
            return "skipped (already there)"
        return f"rejected: {self.reason}" if self.outcome == "rejected" else self.outcome


def catalog_template_add(*, style: Style, content: bytes, title: str = "", face_count: int = 1) -> TemplateOutcome:
    """Add an image to a style's catalog templates, known by its sha256: a file already there is
    skipped (or made active again); a new file, or one whose face count changed, is checked first."""
    digest = content_digest(content)
    existing = Template.objects.filter(style=style, owner=None, digest=digest).first()
    if existing is not None and existing.face_count == face_count:
        changed = ["title"] if title and existing.title != title[:100] else []
        existing.title = title[:100] or existing.title
        if not existing.is_active:
            existing.is_active = True
            existing.save(update_fields=changed + ["is_active"])
            return TemplateOutcome("reactivated", template=existing)
        if changed:
            existing.save(update_fields=changed)
        return TemplateOutcome("skipped", template=existing)
    try:
        checked = template_check(content, face_count=face_count)
    except TemplateRejected as exc:
        return TemplateOutcome("rejected", exc.message)
    if existing is not None:
        existing.face_count, existing.is_active = face_count, True
        existing.title = title[:100] or existing.title
        existing.save(update_fields=["face_count", "is_active", "title"])
        return TemplateOutcome("updated", template=existing)
    template = _template_save(Template(style=style, title=title[:100], face_count=face_count), checked)
    return TemplateOutcome("imported", template=template)


def style_activity_update(*, style: Style) -> Style:
    """A template style is shown while it has an active template or a headshot fallback that makes
    it meanwhile; other kinds need none."""
    if style.kind == StyleKind.TEMPLATE:
        active = style.fallback_id is not None or style.templates.filter(owner=None, is_active=True).exists()
        if style.is_active != active:
            style.is_active = active
            style.save(update_fields=["is_active"])
    return style


def preview_bytes(content: bytes) -> bytes:
    """A JPEG copy at most PREVIEW_LONG_SIDE px on its long side (never enlarged)."""
    rgb = imaging.decode(content, max_side=PREVIEW_LONG_SIDE).rgb
    return imaging.encode(rgb, format="JPEG", quality=90)


def style_preview_set(*, style: Style, content: bytes) -> bool:
    """Store the preview made from ``content``; False where the style already has that very one."""
    preview = preview_bytes(content)
    if style.preview:
        try:
            with style.preview.open("rb") as current:
                if current.read() == preview:
                    return False
        except OSError:
            pass  # the file is gone from storage: write it again
        style.preview.delete(save=False)
    style.preview.save(f"{style.key}.jpg", ContentFile(preview), save=True)
    return True


def style_preview_from_templates(*, style: Style) -> bool:
    """The style's preview from its first active catalog template, where it has one."""
    first = style.templates.filter(owner=None, is_active=True).order_by("id").first()
    if first is None:
        return False
    with first.image.open("rb") as image:
        return style_preview_set(style=style, content=image.read())


# --- Template packs (python manage.py import_templates DIR; the format is in the README) ------------

STYLE_FILE = "style.json"
PREVIEW_FILE = "preview.jpg"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
PACK_KINDS = (StyleKind.TEMPLATE, StyleKind.IDPHOTO)
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class PackError(Exception):
    """A style folder that cannot be read: no or bad style.json."""


@dataclass(frozen=True)
class PackLine:
    path: str  # <style_key>/<file>
    outcome: str
    reason: str = ""

    @property
    def rejected(self) -> bool:
        return self.outcome == "rejected"

    def __str__(self) -> str:
        if self.outcome == "skipped":
            return f"{self.path}: skipped (already there)"
        return f"{self.path}: {self.outcome}" + (f": {self.reason}" if self.reason else "")


@dataclass(frozen=True)
class PackStyle:
    key: str
    fields: dict  # Style fields that style.json sets
    files: dict[str, dict]  # template file name -> {"title": str, "face_count": int}


def pack_import(*, directory: Path, replace: bool = False) -> list[PackLine]:
    """Import every style folder under ``directory`` (or ``directory`` itself, when it holds a
    style.json). One line per file; a folder that cannot be read is one rejected line."""
    if (directory / STYLE_FILE).is_file():
        folders = [directory]
    else:
        folders = sorted(path for path in directory.iterdir() if path.is_dir() and not path.name.startswith("."))
    lines: list[PackLine] = []
    for folder in folders:
        try:
            spec = pack_style_read(folder)
        except PackError as exc:
            lines.append(PackLine(f"{folder.name}/{STYLE_FILE}", "rejected", str(exc)))
            continue
        lines += pack_style_import(folder=folder, spec=spec, replace=replace)
    return lines


def pack_style_read(folder: Path) -> PackStyle:
    """Read and validate ``folder/style.json``; the folder's name is the style's key."""
    key = folder.name
    if not KEY_PATTERN.match(key):
        raise PackError(f"the folder name {key!r} is not a style key (lower-case letters, digits, _ and -)")
    try:
        data = json.loads((folder / STYLE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(f"no {STYLE_FILE} in the folder") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"{STYLE_FILE} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PackError(f"{STYLE_FILE} must hold an object")
    unknown = set(data) - {"title", "description", "gender", "kind", "parameters", "position", "face_count", "templates"}
    if unknown:
        raise PackError(f"unknown keys in {STYLE_FILE}: {', '.join(sorted(unknown))}")
    fields = {"title": _text(data, "title", required=True), "kind": data.get("kind", StyleKind.TEMPLATE)}
    if fields["kind"] not in PACK_KINDS:
        raise PackError(f"kind must be one of {', '.join(PACK_KINDS)}, not {fields['kind']!r}")
    if "gender" in data:
        if data["gender"] not in Gender.values:
            raise PackError(f"gender must be one of {', '.join(Gender.values)}, not {data['gender']!r}")
        fields["gender"] = data["gender"]
    if "description" in data:
        fields["description"] = _text(data, "description")
    if "position" in data:
        fields["position"] = _count(data["position"], "position", minimum=0)
    fields["parameters"] = data.get("parameters", {})
    if not isinstance(fields["parameters"], dict):
        raise PackError("parameters must be an object")
    if fields["kind"] == StyleKind.IDPHOTO:
        _idphoto_parameters_check(fields["parameters"])
    return PackStyle(key=key, fields=fields, files=_template_files(folder, data))


def _template_files(folder: Path, data: dict) -> dict[str, dict]:
    default_faces = _count(data.get("face_count", 1), "face_count", minimum=1)
    listed = data.get("templates")
    if listed is None:
        names = sorted(
            path.name for path in folder.iterdir()
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and path.name != PREVIEW_FILE
        )
        return {name: {"title": "", "face_count": default_faces} for name in names}
    if not isinstance(listed, dict) or not all(isinstance(entry, dict) for entry in listed.values()):
        raise PackError('templates must be an object: {"<file>": {"title": ..., "face_count": ...}}')
    return {
        name: {
            "title": _text(entry, "title"),
            "face_count": _count(entry.get("face_count", default_faces), f"face_count of {name}", minimum=1),
        }
        for name, entry in listed.items()
    }


def _text(data: dict, name: str, *, required: bool = False) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise PackError(f"{name} must be {'a non-empty' if required else 'a'} string")
    return value.strip()


def _count(value, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PackError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return value


def _idphoto_parameters_check(parameters: dict) -> None:
    unknown = set(parameters) - {"size", "background"}
    if unknown:
        raise PackError(f"an ID-photo style takes size and background only, not {', '.join(sorted(unknown))}")
    try:
        spec_for(parameters.get("size", "1inch"))
        parse_background(parameters.get("background", "white"))
    except EngineError as exc:
        raise PackError(exc.message) from exc


@transaction.atomic
def pack_style_import(*, folder: Path, spec: PackStyle, replace: bool = False) -> list[PackLine]:
    style = Style.objects.filter(key=spec.key).first() or Style(key=spec.key)
    for name, value in spec.fields.items():
        setattr(style, name, value)
    style.save()
    lines, kept = [], set()
    for name, entry in spec.files.items():
        path = folder / name
        label = f"{spec.key}/{name}"
        if not path.is_file():
            lines.append(PackLine(label, "rejected", f"listed in {STYLE_FILE} but not in the folder"))
        elif style.kind != StyleKind.TEMPLATE:
            lines.append(PackLine(label, "rejected", "an ID-photo style takes no templates"))
        else:
            result = catalog_template_add(
                style=style, content=path.read_bytes(), title=entry["title"] or path.stem.replace("_", " "),
                face_count=entry["face_count"],
            )
            lines.append(PackLine(label, result.outcome, result.reason))
            if result.template is not None:
                kept.add(result.template.id)
    if replace:
        for template in style.templates.filter(owner=None, is_active=True).exclude(id__in=kept):
            template.is_active = False
            template.save(update_fields=["is_active"])
            lines.append(PackLine(f"{spec.key}/{template.title or template.id}", "deactivated", "no longer in the folder"))
    if (folder / PREVIEW_FILE).is_file():
        try:
            style_preview_set(style=style, content=(folder / PREVIEW_FILE).read_bytes())
        except EngineError as exc:
            lines.append(PackLine(f"{spec.key}/{PREVIEW_FILE}", "rejected", exc.message))
    else:
        style_preview_from_templates(style=style)
    style.is_active = True  # a pack shows its styles; a template style still needs a template
    style.save(update_fields=["is_active"])
    style_activity_update(style=style)
    return lines


def template_delete(*, template: Template) -> None:
    """A private template. Its file stays while a queued create job may still read it: the row goes,
    so nobody sees it any more; portraits made from it keep their images."""
    template.delete()
