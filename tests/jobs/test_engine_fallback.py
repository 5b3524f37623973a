"""STUDIO_ENGINE=diffusion on a machine without the weights: train and create jobs are done by
the classic engine, and their results say so (the avatar records which backend trained it)."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from jobs.models import JobState
from jobs.services import job_run
from studio.catalog.models import Style, Template
from studio.lib.engine import classic_backend, engine_backend
from studio.portraits.services.ordering import portrait_order

pytest.importorskip("diffusers", reason="the diffusion extra is not installed (pip install -r requirements/gpu.txt)")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]

PHOTOS = ["faces/john_salley/1.jpg", "faces/john_salley/2.jpg", "faces/john_salley/3.jpg"]
TEMPLATE = "templates/easyphoto/1.jpg"


@pytest.fixture
def diffusion_without_weights(settings, monkeypatch, tmp_path):
    settings.STUDIO_ENGINE = "diffusion"
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))
    engine_backend.cache_clear()
    yield
    engine_backend.cache_clear()



@pytest.fixture
def trained(avatar_trained, shared_data, diffusion_without_weights):
    return avatar_trained([(shared_data / path).read_bytes() for path in PHOTOS])


def test_the_configured_backend_is_the_diffusion_one(diffusion_without_weights):
    assert engine_backend().name == "diffusion" and classic_backend().name == "classic"


def test_a_training_without_weights_is_done_by_the_classic_engine_and_says_so(trained):
    avatar, job = trained

    avatar.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert (job.result["backend"], avatar.backend) == ("classic", "classic")
    assert "models fetch" in job.result["backend_note"]


def test_a_creation_without_weights_is_done_by_the_classic_engine_and_says_so(owner, trained, shared_data):
    avatar, _ = trained
    style = Style.objects.create(key="one", title="One")
    template = Template(style=style, title="One")
    template.image.save("t.jpg", ContentFile((shared_data / TEMPLATE).read_bytes()), save=True)

    job = job_run(job_id=portrait_order(owner=owner, model_ids=[str(avatar.model_id)], template=template,
                                        source="web").id)

    assert job.state == JobState.SUCCEEDED, job.error_message
    assert job.result["backend"] == "classic" and job.result["images"][0]["backend"] == "classic"
    assert "models fetch" in job.result["backend_note"]
