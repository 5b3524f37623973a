"""Point packages bought with Stripe Checkout: starting a checkout, and crediting it from the
signed webhook only, once per event and once per session."""
from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import gateway
from .models import Checkout, CheckoutState, EntryKind, PointPackage, StripeEvent
from .services import account_credit, account_open

log = logging.getLogger(__name__)

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
FAILED_EVENT = "checkout.session.async_payment_failed"


def checkout_start(*, user, package: PointPackage, success_url: str, cancel_url: str) -> Checkout:
    """Opens a Stripe Checkout session for the package; raises PurchasesOff without Stripe keys."""
    account = account_open(user=user)
    session = gateway.checkout_session_create(
        name=package.name, points=package.points, amount_cents=package.price_cents, currency=package.currency,
        customer_email=user.email, reference=str(account.id), success_url=success_url, cancel_url=cancel_url,
    )
    checkout = Checkout.objects.create(
        session_id=session.id, account=account, package=package, points=package.points,
        amount_cents=package.price_cents, currency=package.currency,
    )
    checkout.url = session.url
    return checkout


def purchase_reference(session_id: str) -> str:
    return f"stripe:session:{session_id}"


@transaction.atomic
def stripe_event_handle(*, event: dict) -> str:
    """Handles a verified event once by its id; returns what was done, for the log and the reply.

    The event row and the credit commit together: if crediting fails, Stripe retries the event.
    """
    session = (event.get("data") or {}).get("object") or {}
    session_id = session.get("id", "") if session.get("object") == "checkout.session" else ""
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(event_id=event["id"], type=event.get("type", ""), session_id=session_id)
    except IntegrityError:
        return "duplicate event"
    record.outcome = _apply(event.get("type", ""), session, session_id)
    record.save(update_fields=["outcome"])
    log.info("stripe event %s (%s): %s", record.event_id, record.type, record.outcome)
    return record.outcome


def _apply(kind: str, session: dict, session_id: str) -> str:
    if not session_id:
        return "ignored"
    checkout = Checkout.objects.select_for_update().filter(session_id=session_id).first()
    if checkout is None:
        return "unknown session"
    if kind == FAILED_EVENT:
        if checkout.state == CheckoutState.OPEN:
            checkout.state = CheckoutState.FAILED
            checkout.save(update_fields=["state"])
        return "payment failed"
    if kind not in PAID_EVENTS:
        return "ignored"
    # completed with a delayed method (bank debit) arrives unpaid; its async_payment_succeeded follows.
    if session.get("payment_status") != "paid":
        return "not paid yet"
    credited = account_credit(
        account_id=checkout.account_id, kind=EntryKind.PURCHASE, points=checkout.points,
        reference=purchase_reference(session_id),
        note=f"{checkout.package.name if checkout.package else 'package'}: "
             f"{checkout.amount_cents / 100:.2f} {checkout.currency.upper()}",
    )
    if checkout.state != CheckoutState.PAID:
        checkout.state = CheckoutState.PAID
        checkout.paid_at = timezone.now()
        checkout.save(update_fields=["state", "paid_at"])
    return f"credited {checkout.points} points" if credited else "already credited"
