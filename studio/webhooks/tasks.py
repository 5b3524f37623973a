"""django-q2 entry points of webhooks: one attempt of a delivery, and the sweep of due retries."""
from __future__ import annotations

from datetime import datetime

from .delivery import delivery_attempt, webhooks_sweep


def deliver_webhook(delivery_id: int, attempts: int, now: str | None = None) -> str | None:
    delivery = delivery_attempt(delivery_id=delivery_id, attempts=attempts,
                                now=datetime.fromisoformat(now) if now else None)
    return delivery.state if delivery else None


def sweep_webhooks() -> int:
    return len(webhooks_sweep())
