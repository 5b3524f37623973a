"""The account page's setting for emails when work is done: off by default, turned on and off by its owner."""
from __future__ import annotations

import re

import pytest

from .conftest import logged_in

pytestmark = pytest.mark.django_db


def test_done_emails_are_off_by_default(alice):
    html = logged_in(alice.user).get("/account/").content.decode()

    assert alice.user.notify_by_email is False
    box = re.search(r'<input[^>]*name="notify_by_email"[^>]*>', html).group(0)
    assert "checked" not in box


def test_ticking_the_box_turns_done_emails_on(alice):
    client = logged_in(alice.user)

    client.post("/account/notifications/", {"notify_by_email": "on"})

    alice.user.refresh_from_db()
    assert alice.user.notify_by_email is True
    assert re.search(r'<input[^>]*name="notify_by_email"[^>]*checked', client.get("/account/").content.decode())


def test_unticking_the_box_turns_them_off(alice):
    client = logged_in(alice.user)
    client.post("/account/notifications/", {"notify_by_email": "on"})

    client.post("/account/notifications/", {})

    alice.user.refresh_from_db()
    assert alice.user.notify_by_email is False
