"""Signed media URLs on S3: the bucket's own presigned URLs (SigV4), with the studio's lifetime.

moto serves a presigned URL but checks neither its signature nor its expiry (moto 5.2), so the
lifetime is asserted on the signed X-Amz-Date and X-Amz-Expires parameters from which S3 derives
the expiry; a URL without them is refused (test_uploads)."""
from __future__ import annotations

import runpy
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.test import Client

import studio.settings
from accounts.services import apikey_create
from studio.lib.media_urls import media_url_sign
from studio.portraits.models import Portrait

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def portrait_of(owner, content: bytes) -> Portrait:
    portrait = Portrait(owner=owner)
    portrait.image.save("portrait.jpg", ContentFile(content), save=False)
    portrait.save()
    return portrait


def signed_lifetime(url: str) -> tuple[datetime, int]:
    query = parse_qs(urlsplit(url).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return signed_at, int(query["X-Amz-Expires"][0])


def test_signed_url_of_a_portrait_downloads_it_from_the_bucket(bucket, s3_endpoint, owner):
    content = jpeg((10, 200, 30))
    portrait = portrait_of(owner, content)

    url = media_url_sign(name=portrait.image.name)

    assert url.startswith(f"{s3_endpoint}/{bucket.name}/{bucket.prefix}/portraits/{owner.id}/")
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == content


def test_signed_url_is_sigv4_and_expires_after_the_asked_ttl(bucket, owner):
    portrait = portrait_of(owner, jpeg())
    before = time.time()

    signed_at, expires = signed_lifetime(media_url_sign(name=portrait.image.name, ttl=90))

    assert expires == 90
    assert before - 1 <= signed_at.timestamp() <= time.time()


def test_signed_url_lives_the_result_ttl_by_default(bucket, owner, settings):
    settings.STUDIO_RESULT_URL_TTL = 3600
    portrait = portrait_of(owner, jpeg())

    assert signed_lifetime(media_url_sign(name=portrait.image.name))[1] == 3600


@pytest.mark.slow  # a second: the native API, then a download over HTTP
def test_native_api_hands_out_a_presigned_url_that_downloads_the_portrait(bucket, owner):
    cache.clear()  # the native API's throttle counts in the cache, which outlives a test
    content = jpeg((90, 90, 220))
    portrait = portrait_of(owner, content)
    api = Client(headers={"Authorization": f"Bearer {apikey_create(owner=owner).raw}"})

    answer = api.get(f"/api/studio/v1/portraits/{portrait.id}/")

    assert answer.status_code == 200, answer.content
    assert httpx.get(answer.json()["image"]).content == content


def test_result_ttl_over_seven_days_is_refused_at_start_with_a_bucket(monkeypatch):
    monkeypatch.setenv("STUDIO_S3_BUCKET", "studio-media")
    monkeypatch.setenv("STUDIO_RESULT_URL_TTL", str(8 * 24 * 3600))

    with pytest.raises(ImproperlyConfigured, match="STUDIO_RESULT_URL_TTL"):
        runpy.run_path(studio.settings.__file__)


def test_result_ttl_over_seven_days_is_accepted_on_local_media(monkeypatch):
    monkeypatch.delenv("STUDIO_S3_BUCKET", raising=False)
    monkeypatch.setenv("STUDIO_RESULT_URL_TTL", str(8 * 24 * 3600))

    assert runpy.run_path(studio.settings.__file__)["STUDIO_RESULT_URL_TTL"] == 8 * 24 * 3600
