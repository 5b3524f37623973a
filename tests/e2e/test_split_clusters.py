"""With split clusters, a worker started as the cpu cluster runs checks and leaves training alone."""
from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile

from accounts.services import user_get_or_create
from jobs.models import Job, JobState
from studio.portraits.models import Photo
from studio.portraits.services.avatars import avatar_train_submit
from studio.portraits.services.photos import photos_check_submit
from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_cpu_cluster_runs_checks_and_leaves_training_to_the_gpu_cluster(shared_data, start_worker, settings):
    settings.STUDIO_SPLIT_CLUSTERS = True
    owner = user_get_or_create(email="owner@example.com")[0]
    photo = Photo(owner=owner)
    photo.image.save("1.jpg", ContentFile((shared_data / "faces/obama/1.jpg").read_bytes()), save=True)
    _, train = avatar_train_submit(owner=owner, photos=[photo])
    check = photos_check_submit(owner=owner, photos=[photo])

    start_worker(STUDIO_SPLIT_CLUSTERS="1", Q_CLUSTER_NAME="cpu")

    wait_for(lambda: Job.objects.get(id=check.id).state == JobState.SUCCEEDED, timeout=90, what="the check")
    time.sleep(1)  # the cpu cluster has had time to take the training, had it been sent there
    assert Job.objects.get(id=train.id).state == JobState.QUEUED
    start_worker(STUDIO_SPLIT_CLUSTERS="1", Q_CLUSTER_NAME="gpu")
    wait_for(lambda: Job.objects.get(id=train.id).is_final, timeout=90, what="the training")
    assert Job.objects.get(id=train.id).state == JobState.SUCCEEDED
