"""Emails when work is done, sent from jobs' finished announcement for real jobs (django-q2 sync mode),
to Django's locmem outbox; off unless the account asked for them."""
from __future__ import annotations

import pytest
from django.core import mail

from accounts.services import user_notifications_set
from jobs.models import Job, JobKind, JobState
from studio.portraits.notifications import job_done_email

from .conftest import API, ASTRONAUT, shared_upload, upload

pytestmark = pytest.mark.django_db(transaction=True)

OBAMA = [f"faces/obama/{i}.jpg" for i in (1, 2, 3, 4)]


def test_a_trained_avatar_is_mailed_with_a_link_to_it(api, owner, sync_queue, shared_data, settings):
    settings.SITE_URL = "https://studio.example"
    user_notifications_set(user=owner, by_email=True)

    trained = api.post(f"{API}/avatars/", {"name": "Barack", "photos": [shared_upload(shared_data, p) for p in OBAMA]})

    assert trained.status_code == 201, trained.content
    (message,) = mail.outbox
    assert message.to == ["owner@example.com"] and message.subject == "Barack is trained and ready for portraits"
    assert f"https://studio.example/avatars/{trained.json()['avatar']['model_id']}/" in message.body


def test_ready_portraits_are_mailed_with_a_link_to_the_gallery(api, owner, sync_queue, settings):
    settings.SITE_URL = "https://studio.example"
    user_notifications_set(user=owner, by_email=True)

    created = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 0})

    assert created.status_code == 201, created.content
    (message,) = mail.outbox
    assert message.subject == "Your 1 new portrait is ready"
    assert "https://studio.example/gallery/" in message.body


def test_no_email_unless_the_account_asked_for_it(api, sync_queue):
    created = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 0})

    assert created.status_code == 201 and mail.outbox == []


def test_a_failed_job_sends_no_done_email(owner):
    user_notifications_set(user=owner, by_email=True)
    job = Job.objects.create(owner=owner, kind=JobKind.STYLIZE, state=JobState.FAILED, input={})

    assert job_done_email(job=job) is False and mail.outbox == []
