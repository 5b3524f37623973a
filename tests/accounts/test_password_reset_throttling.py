"""Password reset mails are limited per account and per client address. Past a limit the page reads
as always ("if an account has that address, a link is on its way") and nothing is sent; without
the cache the limits are skipped, never the reset."""
from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from .conftest import member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "empty_cache")]

RESET = "/accounts/password-reset/"
SENT = "/accounts/password-reset/sent/"


@pytest.fixture(autouse=True)
def limits(settings) -> None:
    settings.STUDIO_RATE_LIMITS = {**settings.STUDIO_RATE_LIMITS, "accounts.password_reset_account": "2/h",
                                   "accounts.password_reset_address": "4/h"}


def reset(email: str, *, address: str):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email})


def test_reset_past_the_account_limit_answers_as_usual_and_sends_nothing():
    member("alice@example.com")
    answers = [reset("alice@example.com", address=f"203.0.113.{n}") for n in range(3)]
    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, SENT)] * 3
    assert len(mail.outbox) == 2


def test_reset_limit_per_account_ignores_the_case_of_the_email():
    member("alice@example.com")
    for n, email in enumerate(["alice@example.com", "Alice@Example.com", "ALICE@example.com"]):
        reset(email, address=f"203.0.113.{n}")
    assert len(mail.outbox) == 2


def test_reset_past_the_address_limit_sends_nothing_for_any_account():
    for name in ("a", "b", "c", "d", "e"):
        member(f"{name}@example.com")
    for name in ("a", "b", "c", "d"):
        reset(f"{name}@example.com", address="203.0.113.7")
    assert reset("e@example.com", address="203.0.113.7")["Location"] == SENT
    assert [message.to for message in mail.outbox] == [[f"{name}@example.com"] for name in ("a", "b", "c", "d")]


def test_an_address_over_its_limit_does_not_use_up_the_account_limit():
    member("alice@example.com")
    for n in range(4):
        reset(f"nobody{n}@example.com", address="203.0.113.7")
    for n in range(3):
        reset("alice@example.com", address="203.0.113.7")
    reset("alice@example.com", address="198.51.100.9")
    assert len(mail.outbox) == 1


def test_reset_is_sent_when_the_cache_is_down():
    member("alice@example.com")
    # Nothing listens on port 1: every cache call fails with a connection error.
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:1/0"}}):
        answer = reset("alice@example.com", address="203.0.113.7")
    assert (answer.status_code, answer["Location"]) == (302, SENT)
    assert len(mail.outbox) == 1
