"""The native API shows likeness as people read it, next to the engine's raw distance."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import Job, JobKind, JobState
from studio.portraits.models import Portrait

from .conftest import API

pytestmark = pytest.mark.django_db


def _portrait(owner, kind: JobKind, distance: float) -> Job:
    name = default_storage.save(f"portraits/{owner.id}/l.jpg", ContentFile(b"\xff\xd8\xff"))
    job = Job.objects.create(owner=owner, kind=kind, state=JobState.SUCCEEDED, finished_at=timezone.now(), input={},
                             result={"images": [{"name": name, "width": 4, "height": 5, "identity_distance": distance}]})
    Portrait.objects.create(owner=owner, job=job, image=name, width=4, height=5, identity_distance=distance)
    return job


def test_gallery_portrait_has_likeness_and_raw_distance(api, owner):
    _portrait(owner, JobKind.CREATE, 0.3)

    (portrait,) = api.get(f"{API}/portraits/").json()["results"]

    assert portrait["identity_distance"] == 0.3
    assert portrait["likeness"] == {"percent": 80, "step": 1, "word": "great", "basis": "avatar"}


def test_job_images_carry_the_same_likeness(api, owner):
    job = _portrait(owner, JobKind.CREATE, 0.5)

    (image,) = api.get(f"{API}/jobs/{job.id}/").json()["images"]

    assert image["identity_distance"] == 0.5 and image["likeness"]["percent"] == 67
    assert image["likeness"]["word"] == "fair"


def test_a_stylization_is_measured_against_its_photo_not_an_avatar(api, owner):
    _portrait(owner, JobKind.STYLIZE, 0.07)

    (portrait,) = api.get(f"{API}/portraits/").json()["results"]

    assert portrait["likeness"]["basis"] == "photo" and portrait["likeness"]["word"] == "very close"
