"""Reads of the product shared by several views; every one is scoped to its owner."""
from __future__ import annotations

import uuid

from django.db.models import F, Q, QuerySet

from jobs.models import Job

from .models import Avatar, Gender, Photo, Portrait, Style, Template


def avatar_get_for(*, owner, model_id: str) -> Avatar | None:
    try:
        key = uuid.UUID(str(model_id))
    except ValueError:
        return None
    return Avatar.objects.filter(owner=owner, model_id=key).first()


def job_get_for(*, owner, job_id: int) -> Job | None:
    return Job.objects.filter(owner=owner, id=job_id).select_related("avatar").first()


def style_list(*, kind: str | None = None, gender: str | None = None) -> QuerySet[Style]:
    """Active styles in catalog order. ``gender`` keeps the styles for that gender and those for anyone."""
    styles = Style.objects.filter(is_active=True)
    if kind:
        styles = styles.filter(kind=kind)
    if gender:
        styles = styles.filter(gender__in=[gender, Gender.ANY])
    return styles.order_by("position", "key")


def style_get(*, key: str) -> Style | None:
    return Style.objects.filter(key=key, is_active=True).first()


def template_list_for(*, owner, style: Style | None = None) -> QuerySet[Template]:
    """The active catalog templates (of active styles) and the owner's own private ones, catalog first.
    With ``style``, that style's catalog templates only (private templates belong to no style)."""
    catalog = Q(owner__isnull=True, style__is_active=True)
    visible = (catalog | Q(owner=owner)) if owner is not None and owner.pk else catalog
    templates = Template.objects.filter(visible, is_active=True).select_related("style")
    if style is not None:
        templates = templates.filter(style=style)
    return templates.order_by(F("owner_id").asc(nulls_first=True), "style__position", "style__key", "id")


def template_get_for(*, owner, template_id: int | str) -> Template | None:
    try:
        key = int(template_id)
    except (TypeError, ValueError):
        return None
    if not 0 < key < 2**63:  # past a database integer: no such row (SQLite would overflow)
        return None
    return template_list_for(owner=owner).filter(id=key).first()


def avatar_list_for(*, owner, status: str | None = None) -> QuerySet[Avatar]:
    """The owner's avatars, newest first; ``status`` keeps those in that status (e.g. ready)."""
    avatars = Avatar.objects.filter(owner=owner)
    if status:
        avatars = avatars.filter(status=status)
    return avatars.order_by("-created_at", "-id")


def portrait_list_for(*, owner, avatar_model_id: uuid.UUID | str | None = None, style_key: str | None = None,
                      favourite: bool | None = None) -> QuerySet[Portrait]:
    """The owner's gallery, newest first and best ranked first within one job. An ``avatar_model_id``
    that is no UUID matches nothing; ``favourite`` None keeps both."""
    portraits = (Portrait.objects.filter(owner=owner).select_related("template", "style")
                 .prefetch_related("avatars").order_by("-created_at", "rank", "id"))
    if avatar_model_id:
        try:
            portraits = portraits.filter(avatars__model_id=uuid.UUID(str(avatar_model_id)))
        except ValueError:
            return portraits.none()
    if style_key:
        portraits = portraits.filter(style__key=style_key)
    if favourite is not None:
        portraits = portraits.filter(is_favourite=favourite)
    return portraits


def portrait_get_for(*, owner, portrait_id: int) -> Portrait | None:
    return portrait_list_for(owner=owner).filter(id=portrait_id).first()


def photo_get_for(*, owner, photo_id: int) -> Photo | None:
    return Photo.objects.filter(owner=owner, id=photo_id).first()


def job_list_for(*, owner, kind: str | None = None, state: str | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(owner=owner).select_related("avatar")
    if kind:
        jobs = jobs.filter(kind=kind)
    if state:
        jobs = jobs.filter(state=state)
    return jobs


def template_own_list_for(*, owner) -> QuerySet[Template]:
    """The owner's own active (private) templates, newest first."""
    return Template.objects.filter(owner=owner, is_active=True).order_by("-created_at")


def template_own_get(*, owner, template_id: int) -> Template | None:
    return Template.objects.filter(owner=owner, id=template_id).first()
