"""Headshot jobs run as a worker would, from an avatar trained on real photos (../shared/data)."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from jobs.models import JobState
from jobs.services import job_run
from studio.catalog.models import Style, StyleKind
from studio.portraits.models import Portrait
from studio.portraits.services.ordering import portrait_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]

PHOTOS = ["faces/john_salley/1.jpg", "faces/john_salley/2.jpg", "faces/john_salley/3.jpg"]



@pytest.fixture
def avatar(avatar_trained, shared_data):
    avatar, training = avatar_trained([(shared_data / path).read_bytes() for path in PHOTOS])
    assert training.state == JobState.SUCCEEDED
    return avatar


@pytest.fixture
def grey() -> Style:
    return Style.objects.create(key="headshot_studio_grey", title="Studio headshot, grey", kind=StyleKind.HEADSHOT,
                                parameters={"backdrop": "studio_grey", "aspect": "4:5"})


def _size(name: str) -> tuple[int, int]:
    with default_storage.open(name, "rb") as handle:
        return Image.open(io.BytesIO(handle.read())).size


def test_headshot_job_puts_distinct_4_by_5_headshots_in_the_gallery(owner, avatar, grey):
    job = portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=grey, n=2, source="web")

    job = job_run(job_id=job.id)

    assert job.state == JobState.SUCCEEDED, job.error_message
    images = job.result["images"]
    assert len(images) == 2 and len({image["photo"] for image in images}) == 2
    assert all(_size(image["name"]) == (1024, 1280) for image in images)
    assert job.result["made_with"] == "headshot" and "stand_in_for" not in job.result
    assert Portrait.objects.filter(job=job, style=grey).count() == 2


def test_a_preset_made_by_its_stand_in_says_so(owner, avatar, grey):
    preset = Style.objects.create(key="f_business_male", title="Business (man)", fallback=grey)

    job = job_run(job_id=portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=preset,
                                        source="web").id)

    assert job.state == JobState.SUCCEEDED, job.error_message
    assert job.result["stand_in_for"] == "f_business_male"
    assert "no templates" in job.result["made_with_note"]
    assert Portrait.objects.get(job=job).style == preset


def test_asking_more_headshots_than_photos_makes_one_per_photo(owner, avatar, grey):
    job = job_run(job_id=portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=grey, n=4,
                                        source="web").id)

    assert job.state == JobState.SUCCEEDED
    assert len(job.result["images"]) == 3 and job.result["note"].startswith("3 of the 4 headshots")
