"""balance.low: queued once when a job's reservation takes the points to the threshold or below."""
from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from billing.models import Account
from billing.services import ledger_adjust
from jobs.models import JobKind
from jobs.services import job_submit
from studio.webhooks.delivery import delivery_attempt
from studio.webhooks.models import WebhookDelivery
from studio.webhooks.services import endpoint_create

# No synchronous queue: the trainings stay queued (and their points reserved) as on a busy studio.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


def _points_only(owner, points: int) -> None:
    account = Account.objects.get(user=owner)
    ledger_adjust(account=account, points=points, trial_trainings=-account.trial_trainings,
                  trial_creations=-account.trial_creations, reason="points only, for this test")


def test_balance_low_is_sent_once_when_points_cross_the_threshold(owner, receiver, settings):
    settings.STUDIO_BALANCE_LOW_POINTS = 150
    issued = endpoint_create(owner=owner, url=receiver.url, events=["balance.low"])
    _points_only(owner, 300)  # a training reserves 100 points

    for _ in range(3):  # 300 -> 200 (above), 200 -> 100 (crosses), 100 -> 0 (already below)
        job_submit(owner=owner, kind=JobKind.TRAIN, payload={"photos": []})

    (delivery,) = WebhookDelivery.objects.filter(type="balance.low")
    delivery_attempt(delivery_id=delivery.id, attempts=delivery.attempts)
    (received,) = receiver.received
    event = Webhook(issued.secret).verify(received.body, received.headers)
    assert event["type"] == "balance.low"
    assert json.loads(received.body)["data"]["available"] == 100
