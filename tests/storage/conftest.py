"""Media on S3 for real: moto's S3 server on a loopback port for the whole session, and Django's
storage pointed at it for one test, through the STORAGES that studio/settings.py derives from
STUDIO_S3_*. No network beyond 127.0.0.1."""
from __future__ import annotations

import io
import runpy
import uuid
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

import studio.settings
from accounts.services import user_get_or_create

BUCKET = "studio-media"
REGION = "us-east-1"
# moto accepts any keys; real-looking ones keep botocore from looking for a profile or instance role.
KEYS = {"aws_access_key_id": "studio-tests", "aws_secret_access_key": "studio-tests-secret"}


@dataclass
class Bucket:
    """The test's view of the bucket: the raw S3 client (not the studio's storage) and the key
    prefix (STUDIO_S3_PREFIX) that keeps this test's objects apart from every other test's."""

    client: object
    prefix: str
    name: str = BUCKET

    def keys(self, under: str = "") -> set[str]:
        """Storage names (prefix stripped) of every object under ``under``."""
        found = set()
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{self.prefix}/{under}")
        for page in pages:
            found |= {item["Key"].removeprefix(f"{self.prefix}/") for item in page.get("Contents", [])}
        return found

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=BUCKET, Key=f"{self.prefix}/{name}")["Body"].read()


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 in server mode (a real HTTP server in a thread) on a free loopback port, with the bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **KEYS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch) -> Bucket:
    """Django's media storage on the moto bucket for this test only.

    The STORAGES value is the one studio/settings.py derives from the STUDIO_S3_* variables (the
    module re-run with them set), so the test covers that derivation too, not a copy of it.
    Assigning it through pytest-django's ``settings`` sends Django's setting_changed signal, whose
    receiver (django.test.signals.storages_changed) empties the storages handler's cache and
    resets the lazy ``default_storage``; every FileField holds that lazy object, so models,
    services and views all reach the bucket, and the local storage is back after the test."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    for name, value in {
        "STUDIO_S3_BUCKET": BUCKET,
        "STUDIO_S3_ENDPOINT_URL": s3_endpoint,
        "STUDIO_S3_REGION": REGION,
        "STUDIO_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "STUDIO_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "STUDIO_S3_PREFIX": prefix,
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = runpy.run_path(studio.settings.__file__)["STORAGES"]
    return Bucket(client=boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS), prefix=prefix)


def jpeg(color=(200, 120, 90), size=(16, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def owner(db):
    return user_get_or_create(email="ann@example.com")[0]


@pytest.fixture
def other(db):
    return user_get_or_create(email="bob@example.com")[0]
