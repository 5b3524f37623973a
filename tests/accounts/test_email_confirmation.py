"""Sign-up mails a confirmation link; the free trial comes with the confirmation, once, and not
with the sign-up. Bad and expired links get a page that says so; "send again" is limited."""
from __future__ import annotations

import re
import threading
import time

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client

from accounts.confirmation import confirmation_token, email_confirm
from accounts.models import User
from billing.models import Account, LedgerEntry

from .conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "empty_cache")]


def sign_up(email: str = "new@example.com") -> tuple[Client, User]:
    client = Client()
    client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    return client, User.objects.get(email=email)


def mailed_link() -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)


def trial_of(user: User) -> tuple[int, int]:
    account = Account.objects.get(user=user)
    return account.trial_trainings, account.trial_creations


def trial_grants(user: User) -> int:
    return LedgerEntry.objects.filter(account__user=user, reference=f"trial:{user.pk}").count()


def test_sign_up_grants_no_trial():
    _, user = sign_up()
    assert trial_of(user) == (0, 0) and trial_grants(user) == 0
    assert not user.email_confirmed


def test_sign_up_mails_a_confirmation_link():
    sign_up()
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert mailed_link().startswith("/accounts/confirm-email/")


def test_confirmation_link_grants_the_trial(settings):
    client, user = sign_up()
    page = client.get(mailed_link())
    assert page.status_code == 200 and "your free trial is ready" in page.content.decode()
    assert trial_of(user) == (settings.STUDIO_TRIAL_TRAININGS, settings.STUDIO_TRIAL_CREATIONS)
    user.refresh_from_db()
    assert user.email_confirmed


def test_confirming_twice_grants_the_trial_once(settings):
    client, user = sign_up()
    link = mailed_link()
    client.get(link)
    again = Client().get(link)
    assert again.status_code == 200 and "confirmed already" in again.content.decode()
    assert email_confirm(user=user) is False
    assert trial_grants(user) == 1
    assert trial_of(user) == (settings.STUDIO_TRIAL_TRAININGS, settings.STUDIO_TRIAL_CREATIONS)


@pytest.mark.django_db(transaction=True)
def test_confirmations_at_the_same_moment_grant_the_trial_once():
    _, user = sign_up()
    start, results = threading.Barrier(2), []

    def confirm() -> None:
        start.wait()
        try:
            results.append(email_confirm(user=User.objects.get(pk=user.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert trial_grants(user) == 1


def test_expired_link_gets_a_page_that_says_so(settings, monkeypatch):
    client, user = sign_up()
    days_ago = time.time() - (settings.STUDIO_EMAIL_CONFIRM_DAYS * 86400 + 60)
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: days_ago)
        token = confirmation_token(user=user)
    page = client.get(f"/accounts/confirm-email/{token}/")
    assert page.status_code == 400 and "This confirmation link has expired" in page.content.decode()
    assert trial_grants(user) == 0


def test_altered_link_gets_a_page_that_says_so():
    client, user = sign_up()
    page = client.get(mailed_link().replace("/accounts/confirm-email/", "/accounts/confirm-email/x"))
    assert page.status_code == 400 and "This confirmation link is not valid" in page.content.decode()
    assert trial_grants(user) == 0


def test_banner_asks_to_confirm_until_the_address_is_confirmed():
    client, _ = sign_up()
    assert "Confirm your email to get your free trial" in client.get("/account/").content.decode()
    client.get(mailed_link())
    assert "Confirm your email to get your free trial" not in client.get("/account/").content.decode()


def test_send_again_is_limited(settings):
    settings.STUDIO_RATE_LIMITS = {**settings.STUDIO_RATE_LIMITS, "accounts.confirmation_email": "2/h"}
    client, _ = sign_up()
    answers = [client.post("/accounts/confirm-email/send/", {"next": "/account/"}, follow=True) for _ in range(3)]
    assert len(mail.outbox) == 1 + 2
    assert "ask again in an hour" in answers[-1].content.decode()
