"""Avatar artifacts on S3: storage has no local path, so a worker loads a cached copy."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from studio.portraits.artifacts import artifact_local, artifact_upload
from studio.portraits.models import Avatar, AvatarStatus

pytestmark = pytest.mark.django_db


def test_artifact_uploaded_to_the_bucket_comes_back_as_a_local_copy(bucket, owner, tmp_path):
    made = tmp_path / "made"
    (made / "faces").mkdir(parents=True)
    (made / "avatar.json").write_bytes(b'{"faces": 1}')
    (made / "faces" / "0.npy").write_bytes(b"\x93NUMPY")
    avatar = Avatar.objects.create(owner=owner, status=AvatarStatus.READY)
    avatar.artifact = f"avatars/{owner.id}/{avatar.model_id}/abc"
    artifact_upload(local_dir=made, prefix=avatar.artifact)

    local = artifact_local(avatar=avatar)

    assert bucket.keys("avatars/") == {f"{avatar.artifact}/avatar.json", f"{avatar.artifact}/faces/0.npy"}
    assert local == Path(settings.VAR_DIR) / "cache" / avatar.artifact
    assert (local / "avatar.json").read_bytes() == b'{"faces": 1}'
    assert (local / "faces" / "0.npy").read_bytes() == b"\x93NUMPY"
