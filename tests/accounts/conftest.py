"""For the account pages' tests: users with a password (hashed cheaply), and an empty cache, where
the password reset and confirmation mail limits count."""
from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import User
from accounts.services import user_get_or_create

PASSWORD = "a-long-enough-password"


@pytest.fixture
def fast_passwords(settings) -> None:
    # Log-in tests check many passwords; the default hasher spends ~0.3 s on each by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def member(email: str) -> User:
    """A customer made the way staff and commands make them (confirmed, with the trial), with PASSWORD."""
    user = user_get_or_create(email=email)[0]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user
