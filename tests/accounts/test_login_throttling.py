"""Log-in throttling (django-axes): wrong passwords lock an account, and an address, for a while;
during the lockout the right password is refused too, on the website and in the admin."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from accounts.throttle import client_address

from .conftest import PASSWORD, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

LIMIT = 3
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def limit(settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def alice():
    return member("alice@example.com")


def log_in(email: str, password: str, *, address: str, url: str = LOGIN) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post(url, {"username": email, "password": password})


def logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_wrong_passwords_up_to_the_limit_lock_the_account(alice):
    # Each from another address: it is the account that is counted.
    answers = [log_in("alice@example.com", "wrong", address=f"203.0.113.{n}")[1] for n in range(LIMIT)]
    assert [answer.status_code for answer in answers] == [200] * (LIMIT - 1) + [429]
    assert "Too many log-in attempts" in answers[-1].content.decode()


def test_right_password_is_refused_while_the_account_is_locked(alice):
    for n in range(LIMIT):
        log_in("alice@example.com", "wrong", address=f"203.0.113.{n}")
    client, answer = log_in("alice@example.com", PASSWORD, address="198.51.100.9")
    assert answer.status_code == 429 and answer["Retry-After"] == "900"
    assert logged_in_as(client) is None


def test_other_cases_of_the_email_count_against_the_same_account(alice):
    for n, email in enumerate(["Alice@example.com", "ALICE@EXAMPLE.COM", " alice@Example.com"]):
        log_in(email, "wrong", address=f"203.0.113.{n}")
    client, answer = log_in("alice@example.com", PASSWORD, address="198.51.100.9")
    assert answer.status_code == 429 and logged_in_as(client) is None


def test_one_address_is_locked_across_accounts(alice):
    for n in range(LIMIT):
        log_in(f"guess{n}@example.com", "wrong", address="203.0.113.7")
    client, answer = log_in("alice@example.com", PASSWORD, address="203.0.113.7")
    assert answer.status_code == 429 and logged_in_as(client) is None


def test_an_address_lockout_leaves_other_addresses_alone(alice):
    for n in range(LIMIT):
        log_in(f"guess{n}@example.com", "wrong", address="203.0.113.7")
    client, answer = log_in("alice@example.com", PASSWORD, address="198.51.100.9")
    assert answer.status_code == 302 and logged_in_as(client) == str(alice.pk)


def test_lockout_ends_after_the_cooloff(alice, settings):
    for n in range(LIMIT):
        log_in("alice@example.com", "wrong", address=f"203.0.113.{n}")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time
                                 - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    client, answer = log_in("alice@example.com", PASSWORD, address="198.51.100.9")
    assert answer.status_code == 302 and logged_in_as(client) == str(alice.pk)


def test_admin_login_is_locked_too():
    staff = member("staff@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    for n in range(LIMIT):
        log_in("staff@example.com", "wrong", address=f"203.0.113.{n}", url="/admin/login/")
    client, answer = log_in("staff@example.com", PASSWORD, address="198.51.100.9", url="/admin/login/")
    assert answer.status_code == 429 and logged_in_as(client) is None


def test_email_logs_in_whatever_its_case(alice):
    client, answer = log_in("Alice@Example.COM", PASSWORD, address="198.51.100.9")
    assert answer.status_code == 302 and logged_in_as(client) == str(alice.pk)


def test_client_address_behind_a_proxy_is_the_one_it_saw(settings):
    settings.STUDIO_PROXY_COUNT = 1
    # The client wrote the first entry itself; the load balancer appended the address it saw.
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_address(request) == "198.51.100.9"
