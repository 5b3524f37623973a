"""The price before the click: points per image, the total for how many, and the trial left."""
from __future__ import annotations

import pytest
from django.test import Client

from billing.models import Account, PointPackage
from billing.selectors import PriceQuote
from studio.web.quotes import quote_text

from .conftest import logged_in


def _quote(**fields) -> PriceQuote:
    return PriceQuote(**({"unit_points": 10, "images": 3, "available": 100, "trial_left": 0} | fields))


def test_quote_gives_the_total_for_how_many():
    assert quote_text(_quote()) == "3 images × 10 points = 30 points. Balance: 100 points."


def test_the_trial_is_spent_before_points():
    text = quote_text(_quote(trial_left=2))
    assert "Your free trial (2 left) covers 2: you pay 10 points." in text


def test_a_quote_beyond_the_balance_says_so():
    assert quote_text(_quote(available=20)).endswith("Not enough points for this.")


def test_pay_as_you_go_is_never_short():
    assert "Not enough" not in quote_text(_quote(available=0, pay_as_you_go=True))


@pytest.mark.django_db
def test_style_page_shows_the_price_and_the_trial_left(alice):
    Account.objects.filter(user=alice.user).update(trial_creations=1, available=50)

    html = logged_in(alice.user).get("/styles/studio_demo/").content.decode()

    assert "1 image × 10 points = 10 points. Your free trial (1 left) covers 1: you pay 0 points." in html
    assert 'data-unit="10" data-trial="1" data-available="50"' in html


@pytest.mark.django_db
def test_landing_lists_no_packages_when_purchases_are_off(db, settings):
    settings.STRIPE_SECRET_KEY = ""
    package = PointPackage.objects.filter(active=True).first()

    html = Client().get("/").content.decode()

    assert package is not None and package.name not in html


@pytest.mark.django_db
def test_landing_lists_packages_when_purchases_are_on(db, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    package = PointPackage.objects.filter(active=True).first()

    assert package.name in Client().get("/").content.decode()

