"""Template packs fetched from their source (python manage.py templates): a manifest committed in
studio/catalog/packs/ pins every file's URL, size and sha256; a pack is imported whole or not at all."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from studio.lib.outbound import OutboundError, limits_from_settings, url_fetch

from .models import Gender, Style, StyleKind, Template
from .services import (
    DEFAULT_TEMPLATE_MAX_BYTES,
    KEY_PATTERN,
    PackLine,
    catalog_template_add,
    content_digest,
    style_activity_update,
    style_preview_from_templates,
)

PACKS_DIR = Path(__file__).resolve().parent / "packs"
RAW_BASE = "https://raw.githubusercontent.com/"
MIRROR_ENV = "STUDIO_PACK_MIRROR"
# SPDX identifiers of the licences a pack may carry: free for any use, commercial included.
ALLOWED_LICENCES = ("Apache-2.0", "CC0-1.0", "CC-PDDC")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SOURCE_PATTERN = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)$")
REVISION_PATTERN = re.compile(r"^[0-9a-f]{40}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
PACK_KEYS = {"name", "title", "source", "revision", "licence", "licence_url", "default", "styles", "files"}
STYLE_KEYS = {"key", "title", "gender", "position", "description"}
FILE_KEYS = {"url", "path", "sha256", "size", "licence", "title", "style", "gender", "face_count"}
GAINED = ("imported", "reactivated", "updated")


class PackManifestError(Exception):
    """A manifest that cannot be used; the message names the manifest and what is wrong."""


class PackFetchError(Exception):
    """A pack refused whole: a file could not be downloaded or is not the file the manifest pins."""


@dataclass(frozen=True)
class PackStyleSpec:
    key: str
    title: str
    gender: str
    position: int
    description: str


@dataclass(frozen=True)
class PackFile:
    url: str
    path: str  # in the source repository
    sha256: str
    size: int
    licence: str
    title: str
    style: str
    gender: str
    face_count: int

    @property
    def label(self) -> str:
        return f"{self.style}/{self.path.rsplit('/', 1)[-1]}"


@dataclass(frozen=True)
class PackManifest:
    name: str
    title: str
    source: str
    revision: str
    licence: str
    licence_url: str
    default: bool
    styles: tuple[PackStyleSpec, ...]
    files: tuple[PackFile, ...]


@dataclass(frozen=True)
class PackFetched:
    pack: str
    lines: list[PackLine]
    downloaded: int  # files fetched over the network; the others came from the cache

    @property
    def changed(self) -> bool:
        return any(line.outcome in GAINED or line.outcome == "created" for line in self.lines)

    @property
    def rejected(self) -> int:
        return sum(line.rejected for line in self.lines)


# --- Manifests -----------------------------------------------------------------------------------------

def pack_manifest_list() -> list[PackManifest]:
    """The manifests committed in studio/catalog/packs/, by name."""
    return [pack_manifest_read(path) for path in sorted(PACKS_DIR.glob("*.json"))]


def pack_manifest_read(name_or_path: str | Path) -> PackManifest:
    """A committed pack by name (``facechain-styles``) or a manifest file by path, validated strictly."""
    path = Path(name_or_path)
    if not (str(name_or_path).endswith(".json") or path.is_file()):
        path = PACKS_DIR / f"{name_or_path}.json"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PACKS_DIR.glob("*.json")))
            raise PackManifestError(f"no template pack named {name_or_path!r} (known: {known})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackManifestError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackManifestError(f"{path}: not valid JSON: {exc}") from None
    try:
        return _manifest(data)
    except PackManifestError as exc:
        raise PackManifestError(f"{path}: {exc}") from None


def _manifest(data) -> PackManifest:
    _keys(data, PACK_KEYS, "the manifest")
    name = _string(data, "name", "the manifest")
    if not NAME_PATTERN.match(name):
        raise PackManifestError(f"name {name!r} must be lower-case letters, digits and -")
    source = _string(data, "source", "the manifest")
    match = SOURCE_PATTERN.match(source)
    if not match:
        raise PackManifestError(f"source {source!r} must be https://github.com/<owner>/<repository>")
    revision = _string(data, "revision", "the manifest")
    if not REVISION_PATTERN.match(revision):
        raise PackManifestError(f"revision {revision!r} must be a full 40-hex commit")
    if not isinstance(data["default"], bool):
        raise PackManifestError("default must be true or false")
    styles = tuple(_style(entry, index) for index, entry in enumerate(_list(data, "styles")))
    by_key = {style.key: style for style in styles}
    if len(by_key) != len(styles):
        raise PackManifestError("a style key is listed twice in styles")
    raw_base = f"{RAW_BASE}{match[1]}/{match[2]}/{revision}/"
    files = tuple(_file(entry, index, raw_base, by_key) for index, entry in enumerate(_list(data, "files")))
    if len({(file.style, file.sha256) for file in files}) != len(files):
        raise PackManifestError("a file is listed twice for the same style")
    unused = set(by_key) - {file.style for file in files}
    if unused:
        raise PackManifestError(f"styles without files: {', '.join(sorted(unused))}")
    return PackManifest(
        name=name, title=_string(data, "title", "the manifest"), source=source, revision=revision,
        licence=_licence(data, "the manifest"), licence_url=_string(data, "licence_url", "the manifest"),
        default=data["default"], styles=styles, files=files,
    )


def _style(entry, index: int) -> PackStyleSpec:
    where = f"styles[{index}]"
    _keys(entry, STYLE_KEYS, where)
    key = _string(entry, "key", where)
    if not KEY_PATTERN.match(key):
        raise PackManifestError(f"{where}: key {key!r} is not a style key (lower-case letters, digits, _ and -)")
    return PackStyleSpec(
        key=key, title=_string(entry, "title", where)[:100], gender=_gender(entry, where),
        position=_whole(entry, "position", where, minimum=0), description=_string(entry, "description", where),
    )


def _file(entry, index: int, raw_base: str, styles: dict[str, PackStyleSpec]) -> PackFile:
    where = f"files[{index}]"
    _keys(entry, FILE_KEYS, where)
    path, url = _string(entry, "path", where), _string(entry, "url", where)
    if url != raw_base + path:
        raise PackManifestError(f"{where}: url must be {raw_base + path} (the source, pinned at the revision)")
    sha256 = _string(entry, "sha256", where)
    if not SHA256_PATTERN.match(sha256):
        raise PackManifestError(f"{where}: sha256 must be 64 lower-case hex digits")
    style = _string(entry, "style", where)
    if style not in styles:
        raise PackManifestError(f"{where}: style {style!r} is not in the manifest's styles")
    gender = _gender(entry, where)
    if styles[style].gender != Gender.ANY and gender != styles[style].gender:
        raise PackManifestError(f"{where}: a {gender} template in the {styles[style].gender} style {style}")
    max_bytes = getattr(settings, "STUDIO_TEMPLATE_MAX_BYTES", DEFAULT_TEMPLATE_MAX_BYTES)
    return PackFile(
        url=url, path=path, sha256=sha256, size=_whole(entry, "size", where, minimum=1, maximum=max_bytes),
        licence=_licence(entry, where), title=_string(entry, "title", where), style=style, gender=gender,
        face_count=_whole(entry, "face_count", where, minimum=1),
    )


def _keys(data, expected: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise PackManifestError(f"{where} must be an object")
    missing, unknown = expected - set(data), set(data) - expected
    if missing or unknown:
        parts = [f"missing {', '.join(sorted(missing))}"] * bool(missing)
        parts += [f"unknown {', '.join(sorted(unknown))}"] * bool(unknown)
        raise PackManifestError(f"{where}: {'; '.join(parts)}")


def _string(data: dict, name: str, where: str) -> str:
    value = data[name]
    if not isinstance(value, str) or (name != "description" and not value.strip()):
        raise PackManifestError(f"{where}: {name} must be a non-empty string")
    return value.strip()


def _whole(data: dict, name: str, where: str, *, minimum: int, maximum: int | None = None) -> int:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (maximum and value > maximum):
        limit = f"between {minimum} and {maximum}" if maximum else f"at least {minimum}"
        raise PackManifestError(f"{where}: {name} must be a whole number {limit}, not {value!r}")
    return value


def _gender(data: dict, where: str) -> str:
    if data["gender"] not in Gender.values:
        raise PackManifestError(f"{where}: gender must be one of {', '.join(Gender.values)}, not {data['gender']!r}")
    return data["gender"]


def _licence(data: dict, where: str) -> str:
    licence = _string(data, "licence", where)
    if licence not in ALLOWED_LICENCES:
        raise PackManifestError(f"{where}: licence {licence!r} is not one of {', '.join(ALLOWED_LICENCES)}")
    return licence


def _list(data: dict, name: str) -> list:
    if not isinstance(data[name], list) or not data[name]:
        raise PackManifestError(f"{name} must be a non-empty list")
    return data[name]


# --- Fetching ------------------------------------------------------------------------------------------

def pack_mirror_default() -> str | None:
    return os.environ.get(MIRROR_ENV) or getattr(settings, MIRROR_ENV, None) or None


def pack_cache_dir() -> Path:
    return Path(getattr(settings, "STUDIO_PACK_CACHE_DIR", None) or Path(settings.VAR_DIR) / "template-packs")


def pack_file_url(file: PackFile, *, mirror: str | None) -> str:
    """The file's URL, or its place on a mirror laid out like raw.githubusercontent.com."""
    if not mirror:
        return file.url
    if not mirror.startswith(("http://", "https://")):
        raise PackFetchError(f"the mirror {mirror!r} must be an http(s) URL")
    return mirror.rstrip("/") + "/" + file.url.removeprefix(RAW_BASE)


def pack_fetch(
    *, manifest: PackManifest, mirror: str | None = None, timeout: float | None = None, cache_dir: Path | None = None,
) -> PackFetched:
    """Download (or find in the cache) and verify every file of the pack, then import them all in one
    transaction. A file missing or not as pinned raises PackFetchError before anything is imported."""
    mirror = mirror if mirror is not None else pack_mirror_default()
    contents, downloaded = _files_verified(manifest, mirror=mirror, timeout=timeout,
                                           cache_dir=cache_dir or pack_cache_dir())
    return PackFetched(pack=manifest.name, lines=_pack_import(manifest, contents), downloaded=downloaded)


def _files_verified(manifest: PackManifest, *, mirror: str | None, timeout: float | None,
                    cache_dir: Path) -> tuple[dict[str, bytes], int]:
    overrides = {"max_bytes": getattr(settings, "STUDIO_TEMPLATE_MAX_BYTES", DEFAULT_TEMPLATE_MAX_BYTES)}
    if timeout is not None:
        overrides["timeout"] = timeout
    limits = limits_from_settings(**overrides)
    contents: dict[str, bytes] = {}
    downloaded = 0
    for file in manifest.files:
        if file.sha256 in contents:
            continue  # the same image in two styles
        cached = cache_dir / file.sha256
        if cached.is_file() and content_digest(content := cached.read_bytes()) == file.sha256:
            contents[file.sha256] = content
            continue
        url = pack_file_url(file, mirror=mirror)
        try:
            content = url_fetch(url, limits=limits).content
        except OutboundError as exc:
            message = f"{manifest.name}: {file.path} could not be downloaded from {url}: {exc.message}"
            raise PackFetchError(message) from exc
        downloaded += 1
        _verify(manifest, file, content)
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_dir / f"{file.sha256}.part"
        partial.write_bytes(content)
        partial.replace(cached)  # only a whole, verified file ever carries the name
        contents[file.sha256] = content
    return contents, downloaded


def _verify(manifest: PackManifest, file: PackFile, content: bytes) -> None:
    digest = content_digest(content)
    if digest != file.sha256 or len(content) != file.size:
        raise PackFetchError(
            f"{manifest.name}: {file.path} is not the pinned file: expected sha256 {file.sha256} "
            f"({file.size} bytes), got {digest} ({len(content)} bytes); nothing imported"
        )


@transaction.atomic
def _pack_import(manifest: PackManifest, contents: dict[str, bytes]) -> list[PackLine]:
    """Styles that don't exist are created from the manifest; existing ones keep an admin's edits and are
    only made active when they gain a template."""
    lines: list[PackLine] = []
    styles: dict[str, Style] = {}
    for spec in manifest.styles:
        style, created = Style.objects.get_or_create(key=spec.key, defaults={
            "title": spec.title, "gender": spec.gender, "position": spec.position,
            "description": spec.description, "kind": StyleKind.TEMPLATE, "is_active": False,
        })
        if created:
            lines.append(PackLine(spec.key, "created", "style"))
        elif style.kind != StyleKind.TEMPLATE:
            raise PackFetchError(f"{manifest.name}: the style {spec.key} exists and is not a template style")
        styles[spec.key] = style
    gained: set[str] = set()
    for file in manifest.files:
        result = catalog_template_add(style=styles[file.style], content=contents[file.sha256], title=file.title,
                                      face_count=file.face_count)
        lines.append(PackLine(file.label, result.outcome, result.reason))
        if result.outcome in GAINED:
            gained.add(file.style)
    for key, style in styles.items():
        if not style.preview:
            style_preview_from_templates(style=style)
        if key in gained:
            style_activity_update(style=style)
    return lines


def pack_imported_count(*, manifest: PackManifest) -> int:
    """How many of the pack's files are active catalog templates of their style."""
    return sum(
        Template.objects.filter(style__key=file.style, owner=None, digest=file.sha256, is_active=True).exists()
        for file in manifest.files
    )
