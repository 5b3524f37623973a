"""Account services: users and their API credentials."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .crypto import secret_encrypt
from .models import Credential, User


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential with its token in clear: the only time the token is shown."""

    credential: Credential
    token: str

    @property
    def app_id(self) -> str:
        return self.credential.app_id


def user_get_or_create(*, email: str) -> tuple[User, bool]:
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user:
        return user, False
    return User.objects.create_user(email=email), True


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
