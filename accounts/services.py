"""Account services: users and their API credentials."""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from studio.lib.crypto import secret_encrypt

from .confirmation import confirmation_send
from .events import user_created_announce
from .models import ApiKey, Credential, User
from .selectors import apikey_active_get

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential with its token in clear: the only time the token is shown."""

    credential: Credential
    token: str

    @property
    def app_id(self) -> str:
        return self.credential.app_id


@transaction.atomic
def user_get_or_create(*, email: str) -> tuple[User, bool]:
    """The account with this email, created (with its billing account and free trial) if new.

    For staff, management commands and the demo, who vouch for the address: it counts as confirmed.
    Customers sign up with ``user_sign_up``."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user:
        return user, False
    with transaction.atomic():
        user = User.objects.create_user(email=email, email_confirmed_at=timezone.now())
        user_created_announce(user)
    return user, True


def user_sign_up(*, email: str, password: str) -> User:
    """A customer's new account, mailed a link to confirm its address. The free trial comes with the
    confirmation (accounts.confirmation), so that only someone who reads that address's mail gets it."""
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password)
        user_created_announce(user)
    try:
        confirmation_send(user=user)
    except OSError:  # smtplib's errors are OSErrors; the banner's "send again" button retries
        log.exception("The confirmation email to a new account could not be sent")
    return user


def user_notifications_set(*, user: User, by_email: bool) -> User:
    user.notify_by_email = by_email
    user.save(update_fields=["notify_by_email"])
    return user


@transaction.atomic
def credential_create(*, owner: User, name: str = "") -> IssuedCredential:
    token = secrets.token_urlsafe(32)
    credential = Credential.objects.create(
        owner=owner,
        app_id=secrets.token_hex(8),
        token_encrypted=secret_encrypt(token),
        name=name,
    )
    return IssuedCredential(credential=credential, token=token)


def credential_revoke(*, owner: User, app_id: str) -> bool:
    """Revokes the owner's credential; False when the owner has no such active credential."""
    revoked = Credential.objects.filter(owner=owner, app_id=app_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked == 1


API_KEY_PREFIX = "sk-"


def apikey_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    """A new API key in clear: the only time it is shown."""

    api_key: ApiKey
    raw: str


def apikey_create(*, owner: User, name: str = "") -> IssuedApiKey:
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(owner=owner, name=name, prefix=raw[:10], digest=apikey_digest(raw))
    return IssuedApiKey(api_key=key, raw=raw)


def apikey_revoke(*, owner: User, key_id: int) -> bool:
    revoked = ApiKey.objects.filter(owner=owner, id=key_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return revoked == 1


def apikey_authenticate(*, raw: str) -> ApiKey | None:
    """The active key with this value; its owner must be active too. Marks it used."""
    if not raw.startswith(API_KEY_PREFIX):
        return None
    key = apikey_active_get(digest=apikey_digest(raw))
    if key is not None:
        last_used_mark(key)
    return key


# last_used_at is for people reading a list; once a minute keeps a write off every API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def last_used_mark(row: ApiKey | Credential) -> None:
    """Records that a credential or key was used, at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        type(row).objects.filter(id=row.id).update(last_used_at=now)
        row.last_used_at = now
