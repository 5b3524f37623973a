"""Inputs arriving as URLs or bytes: fetched under the outbound limits and kept in storage."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ..models import Photo
from ..moderation import Kind, moderation_check
from ..outbound import Fetched, OutboundError, limits_from_settings, url_fetch

# Several partners' buckets answer slowly; a few parallel downloads keep a 20-photo request short.
FETCH_THREADS = 4

_SUFFIXES = {"image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class Download:
    url: str
    fetched: Fetched | None = None
    error: OutboundError | None = None


def images_fetch(*, urls: list[str]) -> list[Download]:
    """Downloads every URL; failures are kept per URL, in order, not raised."""
    limits = limits_from_settings()

    def one(url: str) -> Download:
        try:
            return Download(url=url, fetched=url_fetch(url, limits=limits))
        except OutboundError as exc:
            return Download(url=url, error=exc)

    if len(urls) <= 1:
        return [one(url) for url in urls]
    with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(urls))) as pool:
        return list(pool.map(one, urls))


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


def photo_store(*, owner, fetched: Fetched, source_url: str, position: int) -> Photo:
    """Keeps a photo after the moderation hook let it through (studio.moderation.Refused if not)."""
    moderation_check(kind="photo", content=fetched.content)
    photo = Photo(owner=owner, source_url=_kept_url(source_url), position=position)
    photo.image.save(f"photo{_suffix(fetched.content_type)}", ContentFile(fetched.content), save=False)
    photo.save()
    return photo


def upload_store(*, owner, fetched: Fetched, folder: str = "inputs", kind: Kind = "template") -> str:
    """Keeps an input file (a template given by URL) for a job; returns its storage name."""
    moderation_check(kind=kind, content=fetched.content)
    name = f"{folder}/{owner.id}/{uuid.uuid4().hex}{_suffix(fetched.content_type)}"
    return default_storage.save(name, ContentFile(fetched.content))
