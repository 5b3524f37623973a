"""API keys: shown once, kept as a digest, revocable, and only their owner's."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from accounts.models import ApiKey
from accounts.services import apikey_authenticate, apikey_create, apikey_revoke, user_get_or_create

pytestmark = pytest.mark.django_db



def test_new_key_authenticates_its_owner(owner):
    issued = apikey_create(owner=owner)

    assert apikey_authenticate(raw=issued.raw).owner == owner


def test_key_is_kept_only_as_digest(owner):
    issued = apikey_create(owner=owner)

    row = ApiKey.objects.get()
    assert issued.raw not in (row.digest, row.prefix, row.name)
    assert issued.raw.startswith(row.prefix)


def test_revoked_key_no_longer_authenticates(owner):
    issued = apikey_create(owner=owner)

    assert apikey_revoke(owner=owner, key_id=issued.api_key.id)
    assert apikey_authenticate(raw=issued.raw) is None


def test_key_of_another_owner_cannot_be_revoked_by_someone_else(owner):
    issued = apikey_create(owner=owner)
    stranger = user_get_or_create(email="stranger@example.com")[0]

    assert not apikey_revoke(owner=stranger, key_id=issued.api_key.id)
    assert apikey_authenticate(raw=issued.raw) is not None


@pytest.mark.parametrize("raw", ["", "sk-", "sk-wrong", "not-a-key"])
def test_unknown_key_does_not_authenticate(owner, raw):
    apikey_create(owner=owner)

    assert apikey_authenticate(raw=raw) is None


def test_inactive_owner_key_does_not_authenticate(owner):
    issued = apikey_create(owner=owner)
    owner.is_active = False
    owner.save()

    assert apikey_authenticate(raw=issued.raw) is None


def test_apikeys_command_prints_the_key_once(capsys):
    call_command("apikeys", "create", "--email", "new@example.com", "--json")

    printed = json.loads(capsys.readouterr().out)
    assert apikey_authenticate(raw=printed["api_key"]).owner.email == "new@example.com"


def test_last_use_is_recorded_at_most_once_a_minute(owner):
    from datetime import timedelta

    from django.utils import timezone

    issued = apikey_create(owner=owner)
    apikey_authenticate(raw=issued.raw)
    first = ApiKey.objects.get().last_used_at
    apikey_authenticate(raw=issued.raw)
    assert ApiKey.objects.get().last_used_at == first

    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    apikey_authenticate(raw=issued.raw)
    assert ApiKey.objects.get().last_used_at > first
