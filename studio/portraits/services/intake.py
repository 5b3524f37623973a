"""Inputs arriving as URLs or bytes: fetched under the outbound limits, admitted as images, and
kept in storage. Nothing is stored that was not admitted, and a refused request keeps nothing."""
from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from engine import imaging
from engine.errors import EngineError
from studio.lib.moderation import Kind, moderation_check
from studio.lib.outbound import Fetched, OutboundError, limits_from_settings, url_fetch

from ..models import Photo, PhotoOrigin

logger = logging.getLogger(__name__)

# Several partners' buckets answer slowly; a few parallel downloads keep a 20-photo request short.
FETCH_THREADS = 4
# Admission decodes every image once, this small: JPEGs decode at 1/8 scale, so it proves that
# the pixels are there (a truncated or corrupt file is refused now, not as a failed job later).
ADMIT_SIDE = 256
# How much of a data: URL an error message repeats: the payload itself never comes back.
SHOWN_URL_CHARACTERS = 120

_SUFFIXES = {"image/png": ".png", "image/webp": ".webp"}
_stored: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("intake_stored", default=None)


@dataclass(frozen=True)
class Download:
    url: str
    fetched: Fetched | None = None
    info: imaging.ImageInfo | None = None
    # OutboundError: the URL could not be fetched; EngineError: what came back is no usable image.
    error: OutboundError | EngineError | None = None

    @property
    def shown_url(self) -> str:
        return url_shown(self.url)


def url_shown(url: str) -> str:
    """A URL as messages may repeat it: a data: URL carries the image itself, so only its start."""
    if url[:5].lower() == "data:" and len(url) > SHOWN_URL_CHARACTERS:
        header = url[: url.find(",") + 1 or SHOWN_URL_CHARACTERS][:SHOWN_URL_CHARACTERS]
        return f"{header}... ({len(url)} characters)"
    return url


def image_admit(content: bytes) -> imaging.ImageInfo:
    """The image's format and size once it decodes within the engine's limits (EngineError if not:
    bombs, extreme shapes, unsupported formats, corrupt or truncated files)."""
    return imaging.decode(content, max_side=ADMIT_SIDE).info


def images_fetch(*, urls: list[str]) -> list[Download]:
    """Downloads every URL and admits what came back; failures are kept per URL, in order, not raised."""
    limits = limits_from_settings()

    def one(url: str) -> Download:
        try:
            return Download(url=url, fetched=url_fetch(url, limits=limits))
        except OutboundError as exc:
            return Download(url=url, error=exc)

    if len(urls) <= 1:
        downloads = [one(url) for url in urls]
    else:
        with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(urls))) as pool:
            downloads = list(pool.map(one, urls))
    # Admitted one at a time, not in the download threads: a decode holds up to 256 MB at once.
    return [_admitted(download) for download in downloads]


def _admitted(download: Download) -> Download:
    if download.fetched is None:
        return download
    try:
        return Download(url=download.url, fetched=download.fetched, info=image_admit(download.fetched.content))
    except EngineError as exc:
        return Download(url=download.url, error=exc)


@contextmanager
def inputs_kept_on_success() -> Iterator[None]:
    """Storing a request's inputs and submitting its work as one step: when anything inside raises
    (a refusal, an account that cannot pay), the rows roll back and the files stored are deleted,
    so a refused request leaves nothing behind. Nested blocks hand their files to the outer one."""
    stored: list[str] = []
    outer = _stored.get()
    token = _stored.set(stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _stored.reset(token)
        _files_delete(stored)
        raise
    _stored.reset(token)
    if outer is not None:
        outer.extend(stored)


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - the refusal is the answer; a leftover file is only logged
            logger.exception("could not delete the refused input %s", name)


def _remember(name: str) -> None:
    stored = _stored.get()
    if stored is not None:
        stored.append(name)


def upload_fetched(upload) -> Fetched:
    """A file uploaded in a form, in the shape a URL download has, so both go through one intake.
    Size and type limits are the caller's, who knows how to answer them."""
    upload.seek(0)
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    return Fetched(content=upload.read(), content_type=content_type or "image/jpeg", url="")


def _suffix(content_type: str) -> str:
    return _SUFFIXES.get(content_type.split(";")[0].strip().lower(), ".jpg")


def _kept_url(url: str) -> str:
    # data: URLs carry the photo itself; keeping them would store it twice (and in the database).
    return "" if url.startswith("data:") else url


def photo_store(*, owner, fetched: Fetched, source_url: str, position: int,
                origin: PhotoOrigin = PhotoOrigin.API) -> Photo:
    """Keeps a photo after the moderation hook let it through (studio.lib.moderation.Refused if not).

    Its size is read from the header here (cheap; EngineError for a file that was never admitted),
    so no later load of the row ever decodes the file."""
    info = imaging.inspect(fetched.content)
    moderation_check(kind="photo", content=fetched.content)
    photo = Photo(owner=owner, source_url=_kept_url(source_url), position=position, origin=origin,
                  width=info.width, height=info.height)
    photo.image.save(f"photo{_suffix(fetched.content_type)}", ContentFile(fetched.content), save=False)
    _remember(photo.image.name)
    photo.save()
    return photo


def upload_store(*, owner, fetched: Fetched, folder: str = "inputs", kind: Kind = "template") -> str:
    """Keeps an input file (a template given by URL) for a job; returns its storage name."""
    imaging.inspect(fetched.content)
    moderation_check(kind=kind, content=fetched.content)
    name = default_storage.save(f"{folder}/{owner.id}/{uuid.uuid4().hex}{_suffix(fetched.content_type)}",
                                ContentFile(fetched.content))
    _remember(name)
    return name
