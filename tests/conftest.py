"""Fixtures for every suite: the folder of real test photos (../shared/data), django-q2's queues,
and outages of the cache or the broker (their settings pointed at a closed port).

Tests that need those photos take the ``shared_data`` fixture; they are marked ``needs_data``
and skipped, with the reason, where the folder is missing.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA_ENV = "STUDIO_TEST_DATA"


def shared_data_dir() -> Path:
    return Path(os.environ.get(DATA_ENV) or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "manifest.csv").is_file():
        pytest.skip(f"../shared/data not found: set {DATA_ENV} to the test photo folder (looked in {path})")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.needs_data)


class Queues:
    """The django-q2 broker's queues (ORM or Redis, as configured), emptied for each test."""

    NAMES = ("studio", "cpu", "gpu")

    def __init__(self) -> None:
        from django_q.brokers import get_broker

        self.brokers = {name: get_broker(name) for name in self.NAMES}
        for broker in self.brokers.values():
            broker.purge_queue()

    def size(self, name: str = "studio") -> int:
        return self.brokers[name].queue_size()


@pytest.fixture
def queues(db) -> Queues:
    return Queues()


@pytest.fixture(scope="session", autouse=True)
def _test_database_released(django_db_setup, django_db_blocker):
    """On PostgreSQL, end connections other processes (killed or slow-to-stop workers) still hold to
    the test database, so that pytest-django can drop it at the end of the session (this fixture
    depends on the database's, so it is torn down first)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith("test_"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# Nothing listens on port 1: the real Redis client, refused at once, as when Redis is down.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def cache_down(settings) -> None:
    """The shared cache (rate limits, replay marks, the native API's throttle) on a Redis that is down."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": CLOSED_REDIS}}


@contextmanager
def broker_outage() -> Iterator[None]:
    """django-q2's broker on a Redis that is down (django-q2 reads its settings once, into Conf)."""
    from django_q.conf import Conf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Conf, "ORM", None)
        patch.setattr(Conf, "REDIS", CLOSED_REDIS)
        patch.setattr(Conf, "SYNC", False)
        yield


@pytest.fixture
def broker_down() -> Iterator[None]:
    with broker_outage():
        yield


@pytest.fixture
def empty_catalog(db) -> None:
    """No styles: for tests that build a catalog of their own. ``migrate`` makes the default catalog
    (studio.catalog.defaults) in every test database; those defaults have tests of their own."""
    from studio.catalog.models import Style

    Style.objects.all().delete()


@pytest.fixture
def owner(db):
    """A customer (with the sign-up trial) who owns what a test makes."""
    from accounts.services import user_get_or_create

    return user_get_or_create(email="owner@example.com")[0]



@pytest.fixture
def avatar_trained(owner):
    """Trains an avatar of ``owner`` from photo files' bytes as a worker would (the training job
    run in the test's process); gives the avatar, refreshed, and the finished training job."""
    from django.core.files.base import ContentFile

    from jobs.services import job_run
    from studio.portraits.models import Photo
    from studio.portraits.services.avatars import avatar_train_submit

    def train(images: list[bytes]):
        photos = []
        for position, image in enumerate(images):
            photo = Photo(owner=owner, position=position)
            photo.image.save(f"photo_{position}.jpg", ContentFile(image), save=True)
            photos.append(photo)
        avatar, training = avatar_train_submit(owner=owner, photos=photos)
        job = job_run(job_id=training.id)
        avatar.refresh_from_db()
        return avatar, job

    return train
