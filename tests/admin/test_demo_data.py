"""manage.py demo_data: the demo superuser with its known password exists only with DEBUG on."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Credential, User
from studio.catalog.models import Style
from studio.management.commands.demo_data import DEFAULT_PASSWORD, DEMO_EMAIL

pytestmark = pytest.mark.django_db


def test_demo_data_with_debug_off_refuses_and_points_to_createsuperuser(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="createsuperuser"):
        call_command("demo_data", stdout=io.StringIO())
    assert not User.objects.filter(email=DEMO_EMAIL).exists()
    assert not Style.objects.filter(preview__gt="").exists()  # seed_catalog did not run


def test_demo_data_with_debug_on_makes_the_demo_superuser_and_credential(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    user = User.objects.get(email=DEMO_EMAIL)
    assert user.is_superuser and user.is_staff and user.check_password(DEFAULT_PASSWORD)
    assert f"Demo login: {DEMO_EMAIL} / {DEFAULT_PASSWORD} (created;" in out.getvalue()
    assert Credential.objects.filter(owner=user, revoked_at__isnull=True).count() == 1
    assert Style.objects.filter(is_active=True).exists()
