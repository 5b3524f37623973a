"""For website tests: two customers with a bit of everything each, clients logged in as them, and
django-q2 in its synchronous mode (a job runs when its transaction commits)."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.conf import Conf
from PIL import Image
from skimage import data

from accounts.services import apikey_create, credential_create, user_get_or_create
from jobs.models import Job, JobKind, JobState
from studio.catalog.models import Style, Template
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus, Photo, PhotoOrigin, Portrait


def jpeg(pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


ASTRONAUT = jpeg(data.astronaut())


def upload(content: bytes = ASTRONAUT, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@dataclass
class Customer:
    """A user with one of each thing the website shows, made directly (no engine)."""

    user: object
    avatar: Avatar
    photo: Photo
    pending_photo: Photo
    portrait: Portrait
    favourite: Portrait
    job: Job
    template: Template
    app_id: str
    key_id: int


def customer(email: str, style: Style) -> Customer:
    user = user_get_or_create(email=email)[0]
    user.set_password("a-long-enough-password")
    user.save()
    avatar = Avatar.objects.create(owner=user, name=f"{email} avatar", status=AvatarStatus.READY)
    photo = Photo(owner=user, avatar=avatar, check_result={"code": 1, "message": "ok", "reasons": []})
    photo.image.save("p.jpg", ContentFile(ASTRONAUT))
    pending = Photo(owner=user, origin=PhotoOrigin.WEBSITE)
    pending.image.save("p.jpg", ContentFile(ASTRONAUT))
    job = Job.objects.create(owner=user, kind=JobKind.CREATE, state=JobState.RUNNING, progress=40)
    AvatarJob.objects.create(job=job, avatar=avatar)
    template = Template(owner=user, title=f"{email} template")
    template.image.save("t.jpg", ContentFile(ASTRONAUT))
    portraits = []
    for index in range(2):
        portrait = Portrait(owner=user, job=job, style=style, identity_distance=0.3 + index / 10,
                            is_favourite=index == 1)
        # Distinct bytes per portrait (after the JPEG end marker), so that a ZIP shows whose file it holds.
        portrait.image.save("portrait.jpg", ContentFile(ASTRONAUT + f"{email} {index}".encode()))
        portrait.avatars.set([avatar])
        portraits.append(portrait)
    return Customer(
        user=user, avatar=avatar, photo=photo, pending_photo=pending, portrait=portraits[0],
        favourite=portraits[1], job=job, template=template,
        app_id=credential_create(owner=user).app_id, key_id=apikey_create(owner=user).api_key.id,
    )


@pytest.fixture
def style(db) -> Style:
    return Style.objects.create(key="studio_demo", title="Studio demo")


@pytest.fixture
def alice(style) -> Customer:
    return customer("alice@example.com", style)


@pytest.fixture
def bob(style) -> Customer:
    return customer("bob@example.com", style)


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def sync_queue(monkeypatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)
