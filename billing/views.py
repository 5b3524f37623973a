"""Billing's web endpoints: Stripe's webhook, starting a package checkout, and the page Stripe
sends the customer back to (the balance once the webhook has arrived)."""
from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .errors import PurchasesOff
from .gateway import StripeEventMalformed, StripeEventRefused, purchases_enabled, webhook_event
from .models import Checkout, CheckoutState, PointPackage
from .purchases import checkout_start, stripe_event_handle
from .services import account_open

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = webhook_event(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    except StripeEventMalformed as exc:
        log.warning("stripe webhook malformed: %s", exc)
        return JsonResponse({"error": "malformed event", "message": str(exc)}, status=400)
    except StripeEventRefused as exc:
        log.warning("stripe webhook refused: %s", exc)
        return JsonResponse({"error": "invalid signature"}, status=400)
    return JsonResponse({"received": True, "outcome": stripe_event_handle(event=event)})


@login_required
@require_POST
def checkout(request: HttpRequest, package_id: int) -> HttpResponse:
    package = get_object_or_404(PointPackage, id=package_id, active=True)
    done = request.build_absolute_uri(reverse("billing-checkout-done")) + "?session_id={CHECKOUT_SESSION_ID}"
    try:
        started = checkout_start(user=request.user, package=package, success_url=done,
                                 cancel_url=request.build_absolute_uri("/"))
    except PurchasesOff as exc:
        messages.error(request, exc.message)
        return redirect("web:account")
    return redirect(started.url)


@login_required
@require_GET
def checkout_done(request: HttpRequest) -> HttpResponse:
    """Paid is known only from the webhook, which may come a moment after the customer: the page
    refreshes itself until it has (JSON for scripts that ask for it)."""
    account = account_open(user=request.user)
    found = Checkout.objects.filter(session_id=request.GET.get("session_id", ""), account=account).first()
    if "text/html" in request.headers.get("Accept", ""):
        return render(request, "web/checkout_done.html", {
            "checkout": found, "paid": bool(found and found.state == CheckoutState.PAID), "account": account,
        })
    return JsonResponse({
        "purchases_enabled": purchases_enabled(),
        "checkout": found.state if found else "unknown",
        "paid": bool(found and found.state == CheckoutState.PAID),
        "points": found.points if found else 0,
        "balance": {"available": account.available, "reserved": account.reserved,
                    "trial_trainings": account.trial_trainings, "trial_creations": account.trial_creations},
    })
