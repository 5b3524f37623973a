"""Email confirmation: sign-up mails a signed link, and following it confirms the address, which is
what grants the free trial (once). The link names the user and the address, signed with SECRET_KEY."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .events import email_confirmed_announce
from .models import User
from .throttle import throttle_allows

SALT = "accounts.confirmation"


class ConfirmationLinkInvalid(Exception):
    """The link is forged, names an address the account no longer has, or is too old."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def confirmation_token(*, user: User) -> str:
    # The address is signed too: a link sent to an old address confirms nothing after a change.
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT)


def confirmation_send(*, user: User) -> None:
    """Mails the user a link that confirms their address, valid STUDIO_EMAIL_CONFIRM_DAYS days."""
    path = reverse("web:email-confirm", kwargs={"token": confirmation_token(user=user)})
    body = render_to_string("registration/confirm_email_email.txt", {
        "link": settings.SITE_URL + path, "days": settings.STUDIO_EMAIL_CONFIRM_DAYS,
        "trainings": settings.STUDIO_TRIAL_TRAININGS, "creations": settings.STUDIO_TRIAL_CREATIONS,
    })
    send_mail("Confirm your email address for your free trial", body, None, [user.email])


def confirmation_resend(*, user: User) -> bool:
    """Mails the link again; False, sending nothing, past STUDIO_RATE_CONFIRMATION_EMAIL."""
    # The email is part of the key: SQLite reuses the ids of deleted users.
    if not throttle_allows(operation="accounts.confirmation_email", key=f"{user.pk}:{user.email}"):
        return False
    confirmation_send(user=user)
    return True


@transaction.atomic
def email_confirm(*, user: User) -> bool:
    """Marks the user's address confirmed and grants the free trial; True when this call did it.

    Of two calls at once only one changes the row (a conditional UPDATE), and the trial's unique
    ledger reference would keep a second grant out anyway."""
    now = timezone.now()
    if not User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=now):
        user.refresh_from_db(fields=["email_confirmed_at"])
        return False
    user.email_confirmed_at = now
    email_confirmed_announce(user)
    return True


def email_confirm_by_link(*, token: str) -> tuple[User, bool]:
    """The user a confirmation link names, confirmed, and whether this call confirmed them.

    Raises ConfirmationLinkInvalid for a link that is forged, names another address than the
    account's, or is older than STUDIO_EMAIL_CONFIRM_DAYS."""
    max_age = timedelta(days=settings.STUDIO_EMAIL_CONFIRM_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ConfirmationLinkInvalid(expired=True) from None
    except signing.BadSignature:
        raise ConfirmationLinkInvalid(expired=False) from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email"), is_active=True).first()
    if user is None:
        raise ConfirmationLinkInvalid(expired=False)
    return user, email_confirm(user=user)
