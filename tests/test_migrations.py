"""The model moves keep the data: a database at the schema before the moves (the product's models in
the studio app, webhooks in jobs), with rows in every moved table, migrated to today's schema."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The last migrations before webhooks left jobs and the product's models left the studio app.
BEFORE = [("studio", "0006_retention_task_in_studio"), ("jobs", "0006_worker_heartbeat"),
          ("webhooks", None), ("catalog", None), ("portraits", None)]


def _migrate(targets):
    """Migrates to ``targets``; the historical models of the schema the database is then at."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_rows(transactional_db):
    """Rows made through the historical models of the schema before the moves."""
    apps = _migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    owner = User.objects.create(email="kept@example.com", email_confirmed_at=timezone.now())
    Style = apps.get_model("studio", "Style")
    Template = apps.get_model("studio", "Template")
    Avatar = apps.get_model("studio", "Avatar")
    Photo = apps.get_model("studio", "Photo")
    Portrait = apps.get_model("studio", "Portrait")
    Job = apps.get_model("jobs", "Job")
    style = Style.objects.create(key="kept-style", title="Kept")
    template = Template.objects.create(style=style, image="templates/kept.jpg", width=800, height=1000)
    avatar = Avatar.objects.create(owner=owner, name="kept avatar", status="ready")
    photo = Photo.objects.create(owner=owner, avatar=avatar, image="photos/kept.jpg", width=640, height=480,
                                 origin="website")
    job = Job.objects.create(owner=owner, kind="create", state="succeeded", avatar=avatar, input={})
    portrait = Portrait.objects.create(owner=owner, job=job, template=template, style=style,
                                       image="portraits/kept.jpg", width=1024, height=1280)
    portrait.avatars.add(avatar)
    Endpoint = apps.get_model("jobs", "WebhookEndpoint")
    endpoint = Endpoint.objects.create(owner=owner, url="https://example.com/hook", secret_encrypted="x")
    Delivery = apps.get_model("jobs", "WebhookDelivery")
    delivery = Delivery.objects.create(owner=owner, endpoint=endpoint, job=job, event_id="msg_kept",
                                       type="portrait.created", payload={"kept": True})
    apps.get_model("jobs", "WebhookAttempt").objects.create(delivery=delivery, url=endpoint.url, status_code=200)
    apps.get_model("jobs", "WebhookCallback").objects.create(job=job, url="https://example.com/callback")
    apps.get_model("jobs", "WebhookCallbackSecret").objects.create(owner=owner, secret_encrypted="y")
    return {"photo": photo.id, "portrait": portrait.id, "job": job.id, "delivery": delivery.id}


def test_moved_rows_are_all_there_with_their_relations(old_rows):
    _migrate(_latest())
    from jobs.models import Job
    from studio.catalog.models import Style, Template
    from studio.portraits.models import Avatar, Photo, Portrait
    from studio.portraits.services.jobs import job_avatar
    from studio.webhooks.models import (
        WebhookAttempt,
        WebhookCallback,
        WebhookCallbackSecret,
        WebhookDelivery,
        WebhookEndpoint,
    )

    portrait = Portrait.objects.get(id=old_rows["portrait"])
    assert (portrait.style.key, portrait.template.width, portrait.job_id) == ("kept-style", 800, old_rows["job"])
    assert [avatar.name for avatar in portrait.avatars.all()] == ["kept avatar"]
    assert Photo.objects.get(id=old_rows["photo"]).avatar.name == "kept avatar"
    assert job_avatar(Job.objects.get(id=old_rows["job"])) == Avatar.objects.get()
    assert (Style.objects.filter(templates__isnull=False).distinct().count(), Template.objects.count()) == (1, 1)
    delivery = WebhookDelivery.objects.get(id=old_rows["delivery"])
    assert (delivery.endpoint.url, delivery.job_id, delivery.payload) == (
        "https://example.com/hook", old_rows["job"], {"kept": True})
    assert WebhookAttempt.objects.get().delivery == delivery
    assert WebhookCallback.objects.get().job_id == old_rows["job"]
    assert WebhookEndpoint.objects.count() == WebhookCallbackSecret.objects.count() == 1


def test_new_rows_take_ids_after_the_moved_ones(old_rows):
    _migrate(_latest())
    from accounts.models import User
    from studio.portraits.models import Photo

    owner = User.objects.get(email="kept@example.com")
    photo = Photo.objects.create(owner=owner, image="photos/new.jpg")

    assert photo.id > old_rows["photo"]


def test_staff_permissions_follow_the_moved_models(old_rows):
    _migrate(_latest())
    from django.contrib.auth.models import Permission

    assert Permission.objects.filter(content_type__app_label="portraits", codename="change_photo").exists()
    assert Permission.objects.filter(content_type__app_label="webhooks", codename="change_webhookendpoint").exists()
    assert not Permission.objects.filter(content_type__app_label="studio").exists()
