"""Billing in the admin: the ledger is read-only, and staff grant points with a reason."""
from __future__ import annotations

import pytest

from billing.models import Account, LedgerEntry

from .conftest import balance, customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="staff@example.com", password="pw")
    client.force_login(admin)
    return client


@pytest.mark.parametrize("page", ["account", "ledgerentry", "reservation", "price", "pointpackage", "checkout",
                                  "stripeevent", "statement"])
def test_billing_admin_lists_open(staff_client, page):
    customer()
    assert staff_client.get(f"/admin/billing/{page}/").status_code == 200


def test_ledger_entries_cannot_be_deleted_or_changed(staff_client):
    customer()
    entry = LedgerEntry.objects.first()
    assert staff_client.post(f"/admin/billing/ledgerentry/{entry.id}/delete/", {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(id=entry.id).exists()


def test_grant_action_needs_a_reason_and_writes_the_ledger(staff_client):
    user = customer()
    account = Account.objects.get(user=user)
    base = {"action": "adjust_selected", "_selected_action": [account.id], "apply": "1", "kind": "grant",
            "points": "300", "trial_trainings": "0", "trial_creations": "0"}
    staff_client.post("/admin/billing/account/", {**base, "reason": ""})
    assert balance(user)["available"] == 0
    staff_client.post("/admin/billing/account/", {**base, "reason": "goodwill after an outage"})
    assert balance(user)["available"] == 300
    entry = LedgerEntry.objects.get(kind="grant", points=300)
    assert entry.note == "goodwill after an outage" and entry.created_by.email == "staff@example.com"


def test_user_added_in_the_admin_gets_the_trial(staff_client):
    staff_client.post("/admin/accounts/user/add/", {"email": "added@example.com", "usable_password": "false"})
    entry = LedgerEntry.objects.get(account__user__email="added@example.com")
    assert entry.reference.startswith("trial:") and entry.trial_trainings == 5
