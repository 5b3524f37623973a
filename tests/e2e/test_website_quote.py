"""The price before the click in a real browser, desktop and 390x844: the sentence follows "how many"."""
from __future__ import annotations

import pytest

from accounts.services import user_get_or_create
from billing.models import Account
from billing.services import account_open
from studio.portraits.models import Avatar, AvatarStatus

from .conftest import PASSWORD, log_in, shot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer(catalog):  # noqa: F811
    user = user_get_or_create(email="quote@example.com")[0]
    user.set_password(PASSWORD)
    user.save()
    Avatar.objects.create(owner=user, name="Me", status=AvatarStatus.READY)
    account_open(user=user)
    Account.objects.filter(user=user).update(trial_creations=2, available=15)
    return user


def test_style_page_quotes_the_total_as_how_many_changes(live_server, customer, sized_page, viewport):  # noqa: F811
    page, url = sized_page, live_server.url
    log_in(page, url, "quote@example.com")

    page.goto(url + "/styles/studio_demo/")
    quote = page.locator("form.create .quote")
    assert "1 image × 10 points = 10 points. Your free trial (2 left) covers 1: you pay 0 points." in quote.inner_text()
    page.locator("#id_n").select_option("4")

    assert "4 images × 10 points = 40 points. Your free trial (2 left) covers 2: you pay 20 points." in quote.inner_text()
    assert "Not enough points for this." in quote.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    quote.scroll_into_view_if_needed()
    shot(page, f"style-quote-{viewport}", full_page=False)
