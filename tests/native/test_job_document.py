"""The native API's job document, built by hand for speed, is the one DRF's walk over the
serializer's declared fields gives (those fields are what the OpenAPI schema publishes)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from jobs.models import Job, JobKind, JobState
from studio.api.native.serializers import JobSerializer
from studio.lib.media_urls import media_name_verify
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus

NOW = timezone.now()
RESULTS = {
    "created": dict(kind=JobKind.CREATE, state=JobState.SUCCEEDED, progress=100, started_at=NOW,
                    finished_at=NOW + timedelta(seconds=3),
                    result={"images": [{"name": "portraits/a.jpg", "width": 1024, "height": 1280,
                                        "identity_distance": 0.31, "warnings": ["older"], "occluders": ["template:hand"]}],
                            "note": "1 of 2 made: the avatar has only 1 distinct reference face."}),
    "checked": dict(kind=JobKind.CHECK, state=JobState.SUCCEEDED, progress=100,
                    result={"check_results": [{"url": "a", "code": 1, "message": "success"}]}),
    "id photo": dict(kind=JobKind.IDPHOTO, state=JobState.SUCCEEDED, progress=100,
                     result={"images": [{"name": "idphotos/a.jpg", "width": 413, "height": 531,
                                         "compliance": {"compliant": True, "checks": []},
                                         "upload": {"name": "idphotos/a-upload.jpg", "width": 600, "height": 800}}],
                             "compliance": {"compliant": True, "checks": []}, "draft": False}),
    "failed": dict(kind=JobKind.STYLIZE, state=JobState.FAILED, progress=40, error_code="no_face",
                   error_message="No face was found."),
    "queued": dict(kind=JobKind.TRAIN, state=JobState.QUEUED),
}


def drf_walk(serializer: JobSerializer, job: Job) -> dict:
    return serializers.ModelSerializer.to_representation(serializer, job)


def granted(document: dict) -> dict:
    """The document with each signed URL as the file it grants (two signings a second apart differ)."""
    def name(url: str) -> str:
        return media_name_verify(url.split("/")[-2])

    for image in document["images"]:
        image["url"] = name(image["url"])
        if image.get("upload"):
            image["upload"]["url"] = name(image["upload"]["url"])
    return document


@pytest.mark.parametrize("case", sorted(RESULTS))
def test_job_document_is_drf_representation(owner, rf, case):
    job = Job.objects.create(owner=owner, **RESULTS[case])
    if job.kind == JobKind.TRAIN:
        avatar = Avatar.objects.create(owner=owner, name="me", status=AvatarStatus.TRAINING)
        AvatarJob.objects.create(job=job, avatar=avatar)
    job = Job.objects.select_related("avatar_link__avatar").get(id=job.id)
    serializer = JobSerializer(job, context={"request": rf.get("/")})

    assert granted(dict(serializer.data)) == granted(drf_walk(serializer, job))
