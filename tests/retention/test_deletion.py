"""Deleting an avatar or a whole account empties storage; the ledger stays, anonymised."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import User
from jobs.models import Job, JobKind
from studio.portraits.models import Avatar, Photo, Portrait
from studio.portraits.services.privacy import account_delete, avatar_delete

from .conftest import avatar_with_files, photo, stored_files

pytestmark = pytest.mark.django_db


def test_avatar_delete_removes_photos_artifact_and_portraits(owner, other, media, django_capture_on_commit_callbacks):
    avatar = avatar_with_files(owner)
    theirs = avatar_with_files(other)
    kept = stored_files(media) - {n for n in stored_files(media) if f"/{owner.id}/" in n}

    with django_capture_on_commit_callbacks(execute=True):
        avatar_delete(avatar=avatar)

    assert not Avatar.objects.filter(id=avatar.id).exists()
    assert not Photo.objects.filter(owner=owner).exists() and not Portrait.objects.filter(owner=owner).exists()
    assert stored_files(media) == kept and Avatar.objects.filter(id=theirs.id).exists()


def test_account_delete_empties_storage_and_leaves_others_alone(owner, other, media, django_capture_on_commit_callbacks):
    avatar_with_files(owner)
    photo(owner)  # a check-only photo
    default_storage.save(f"inputs/{owner.id}/template.jpg", ContentFile(b"t"))
    default_storage.save(f"portraits/{owner.id}/let-go.jpg", ContentFile(b"an output no row names"))
    Job.objects.create(owner=owner, kind=JobKind.CHECK, input={})
    avatar_with_files(other)
    theirs = stored_files(media) - {n for n in stored_files(media) if f"/{owner.id}/" in n}
    assert theirs and len(stored_files(media)) > len(theirs)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=owner)

    assert stored_files(media) == theirs
    assert not User.objects.filter(email="ann@example.com").exists()
    assert not Job.objects.filter(owner_id=owner.id).exists()
    assert Avatar.objects.filter(owner=other).count() == 1 and Photo.objects.filter(owner=other).count() == 2


@pytest.mark.skipif(not apps.is_installed("billing"), reason="billing is not installed")
def test_account_delete_keeps_the_ledger_anonymised(owner, media):
    from billing.models import Account, LedgerEntry

    account = Account.objects.get(user=owner)
    entries = set(LedgerEntry.objects.filter(account=account).values_list("id", flat=True))
    assert entries  # the free trial's grant

    account_delete(user=owner)

    account.refresh_from_db()
    assert set(LedgerEntry.objects.filter(account=account).values_list("id", flat=True)) == entries
    placeholder = account.user
    assert placeholder.email.endswith("@deleted.invalid") and "ann" not in placeholder.email
    assert not placeholder.is_active and not placeholder.has_usable_password()
