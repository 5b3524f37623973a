"""The progress JSON the pages poll: percent, state and the time left from the pace so far."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import logged_in


@pytest.mark.django_db
def test_running_job_reports_time_left_from_its_pace(alice):
    alice.job.started_at = timezone.now() - timedelta(seconds=10)
    alice.job.save(update_fields=["started_at"])  # 40 % in 10 s: 15 s to go
    status = logged_in(alice.user).get(f"/jobs/{alice.job.id}.json").json()
    assert status["state"] == "running" and status["progress"] == 40 and not status["final"]
    assert 14 <= status["eta_seconds"] <= 16


@pytest.mark.django_db
def test_avatar_page_shows_its_unfinished_job_as_a_progress_bar(alice):
    html = logged_in(alice.user).get(f"/avatars/{alice.avatar.model_id}/").content.decode()
    assert f'data-job-url="/jobs/{alice.job.id}.json"' in html
    assert 'value="40"' in html


def test_job_page_names_the_avatar_it_is_for(alice):
    html = logged_in(alice.user).get(f"/jobs/{alice.job.id}/").content.decode()

    assert f"/avatars/{alice.avatar.model_id}/" in html and alice.avatar.name in html
