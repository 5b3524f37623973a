"""Nothing the studio serves carries EXIF (GPS): portraits are re-encoded from pixels; originals
(photos) are never given a URL."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from engine import imaging
from jobs.models import Job, JobKind
from studio.portraits.work.outputs import images_store

from .conftest import jpeg

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def _with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    return jpeg(exif=exif)


def test_the_source_photo_really_carries_gps():
    assert Image.open(io.BytesIO(_with_gps())).getexif().get_ifd(GPS_IFD)


def test_stored_portraits_carry_no_exif(owner, media, shared_data):
    job = Job.objects.create(owner=owner, kind=JobKind.STYLIZE, input={})
    pixels = imaging.decode(_with_gps()).rgb
    real = imaging.decode((shared_data / "faces" / "obama" / "1.jpg").read_bytes()).rgb  # EXIF-laden original

    images = images_store(job, [(pixels, None), (real, 0.2)])

    for image in images:
        with default_storage.open(image["name"], "rb") as handle:
            stored = Image.open(io.BytesIO(handle.read()))
        assert not stored.getexif() and "exif" not in stored.info and "xmp" not in stored.info
