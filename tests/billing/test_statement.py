"""Pay-as-you-go: usage past the balance is owed, exported as a CSV and invoiced once through the gateway."""
from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from billing import gateway
from billing.models import LedgerEntry, Statement

from .conftest import balance, customer, succeed, train

pytestmark = pytest.mark.django_db


@pytest.fixture
def month() -> str:
    return f"{timezone.now():%Y-%m}"


@pytest.fixture
def payg_user():
    user = customer("payg@example.com", payg=True, trial=False)
    succeed(train(user))
    succeed(train(user))
    customer("prepaid@example.com", points=500)  # not pay-as-you-go: not on the statement
    return user


def statement(month: str, *args) -> list[dict]:
    out = io.StringIO()
    call_command("billing_statement", "--month", month, *args, stdout=out, stderr=io.StringIO())
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_statement_lists_what_a_pay_as_you_go_account_owes(payg_user, month):
    rows = statement(month)
    assert [(r["email"], r["used_points"], r["closing_balance"], r["owed_points"], r["amount"]) for r in rows] == [
        ("payg@example.com", "200", "-200", "200", "2.00")
    ]


def test_invoice_is_sent_once_and_clears_the_debt(payg_user, month, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_not_a_real_key"
    invoices = []

    def invoice_create(**fields) -> gateway.Invoice:
        invoices.append(fields)
        return gateway.Invoice(id=f"in_test_{len(invoices)}", customer_id="cus_test_1")

    monkeypatch.setattr(gateway, "invoice_create", invoice_create)
    first = statement(month, "--invoice")
    statement(month, "--invoice")
    assert len(invoices) == 1 and invoices[0]["amount_cents"] == 200
    assert first[0]["invoice"] == "in_test_1"
    assert balance(payg_user)["available"] == 0
    assert Statement.objects.get().owed_points == 200
    assert LedgerEntry.objects.filter(kind="invoice").count() == 1


def test_invoice_without_stripe_says_purchases_are_off(payg_user, month, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(CommandError, match="Purchases are off"):
        statement(month, "--invoice")


def test_statement_is_emailed_to_the_customer(payg_user, month, mailoutbox):
    statement(month, "--email")
    assert [m.to for m in mailoutbox] == [["payg@example.com"]]
    assert "Owed: 2.00 USD" in mailoutbox[0].body
