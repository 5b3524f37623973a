"""STUDIO_JOB_MAX_MEMORY in a real worker: a job that needs more fails with a clear error and gives
its points back, and the worker goes on with the next job."""
from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from accounts.services import user_get_or_create
from billing.models import EntryKind
from billing.services import account_open, ledger_adjust
from jobs.models import Job, JobState
from studio.portraits.services.styling import stylization_submit
from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Measured with RLIMIT_DATA: a worker starts at ~0.3 GB of private memory; stylizing the 64 MP PNG
# needs 0.30-0.35 GB more (its decode alone takes 0.25 GB), a small image 0.12-0.15 GB. This cap
# leaves ~0.22 GB: the small image passes and the large one fails, for a worker start of 0.22-0.37 GB.
CAP = "520M"


def _png(side: int) -> str:
    """A flat PNG: a few hundred kB in storage, side x side x 4 bytes once decoded."""
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (150, 110, 90)).save(buffer, "PNG")
    return default_storage.save(f"inputs/test/flat-{side}.png", ContentFile(buffer.getvalue()))


def _final(job: Job) -> Job:
    return wait_for(lambda: (done := Job.objects.get(id=job.id)).is_final and done, timeout=120, what=f"{job}")


@pytest.fixture
def owner(settings):
    settings.STUDIO_TRIAL_CREATIONS = 0  # stylizations then take points, not trial counts
    owner = user_get_or_create(email="owner@example.com")[0]
    ledger_adjust(account=account_open(user=owner), points=100, reason="test points", kind=EntryKind.GRANT)
    return owner


def test_job_over_the_memory_cap_fails_and_gives_its_points_back(owner, start_worker):
    job = stylization_submit(owner=owner, image=_png(8000), style_index=7)
    start_worker(STUDIO_JOB_MAX_MEMORY=CAP)

    failed = _final(job)

    assert failed.state == JobState.FAILED
    assert "more memory than the studio allows" in failed.error_message
    account = account_open(user=owner)
    assert (account.available, account.reserved) == (100, 0)


def test_worker_takes_the_next_job_after_one_over_the_memory_cap(owner, start_worker):
    too_big = stylization_submit(owner=owner, image=_png(8000), style_index=7)
    small = stylization_submit(owner=owner, image=_png(600), style_index=7)

    worker = start_worker(STUDIO_JOB_MAX_MEMORY=CAP)

    assert _final(too_big).state == JobState.FAILED
    assert _final(small).state == JobState.SUCCEEDED
    assert "reincarnated" not in worker.log.read_text()  # django-q2's word for replacing a dead worker
