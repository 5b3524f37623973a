"""Reads of accounts shared by several views."""
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from studio.lib.prepared import PreparedValues

from .models import ApiKey, Credential, User

# Model.from_db takes a row in the model's field order.
_KEY_FIELDS = [field.attname for field in ApiKey._meta.concrete_fields]
_OWNER_FIELDS = [field.attname for field in User._meta.concrete_fields]


def _apikey_active(*, digest: str) -> QuerySet:
    return (ApiKey.objects.filter(digest=digest, revoked_at__isnull=True, owner__is_active=True)
            .order_by().values(*_KEY_FIELDS, *[f"owner__{name}" for name in _OWNER_FIELDS])[:1])


# Every native and DashScope API request reads its key: compiled once (studio.lib.prepared).
_apikey_active_read = PreparedValues(_apikey_active, arguments={"digest": str})


def apikey_active_get(*, digest: str) -> ApiKey | None:
    """The unrevoked key with this digest, with its owner loaded, when the owner is active."""
    row = _apikey_active_read.first(digest=digest)
    if row is None:
        return None
    key = ApiKey.from_db(DEFAULT_DB_ALIAS, _KEY_FIELDS, [row[name] for name in _KEY_FIELDS])
    key.owner = User.from_db(DEFAULT_DB_ALIAS, _OWNER_FIELDS, [row[f"owner__{name}"] for name in _OWNER_FIELDS])
    return key


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
