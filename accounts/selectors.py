"""Reads of accounts shared by several views."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiKey, Credential, User


def credential_list_for(*, owner: User) -> QuerySet[Credential]:
    return Credential.objects.filter(owner=owner).order_by("-created_at")


def credential_active_get(*, app_id: str) -> Credential | None:
    return Credential.objects.select_related("owner").filter(
        app_id=app_id, revoked_at__isnull=True, owner__is_active=True
    ).first()


def apikey_list_for(*, owner: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=owner).order_by("-created_at")


def credential_get_for(*, owner: User, app_id: str) -> Credential | None:
    return Credential.objects.filter(owner=owner, app_id=app_id).first()


def apikey_get_for(*, owner: User, key_id: int) -> ApiKey | None:
    return ApiKey.objects.filter(owner=owner, id=key_id).first()
