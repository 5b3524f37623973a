"""Reads of the catalog shared by several views: active styles, and the templates an owner may use
(the catalog's and their own private ones)."""
from __future__ import annotations

from django.db.models import F, Q, QuerySet

from studio.lib.prepared import PreparedObjects

from .models import Gender, Style, StyleKind, Template


def style_list(*, kind: str | None = None, gender: str | None = None) -> QuerySet[Style]:
    """Active styles in catalog order. ``gender`` keeps the styles for that gender and those for anyone."""
    styles = Style.objects.filter(is_active=True)
    if kind:
        styles = styles.filter(kind=kind)
    if gender:
        styles = styles.filter(gender__in=[gender, Gender.ANY])
    return styles.order_by("position", "key")


def style_get(*, key: str) -> Style | None:
    """The active style ``key`` (its fallback, where it has one, read on first use)."""
    return _STYLE_OF.first(key=key)


# Every create by style reads it: compiled once (studio.lib.prepared).
_STYLE_OF = PreparedObjects(lambda *, key: Style.objects.filter(key=key, is_active=True).order_by("position", "key")[:1],
                            arguments={"key": str})


def style_stand_in(*, style: Style, owner=None) -> Style | None:
    """The headshot style that makes ``style`` for now: a template style with a fallback and no
    template the owner may use (no pack imported yet). None where the style makes its own."""
    if style.kind != StyleKind.TEMPLATE or style.fallback_id is None:
        return None
    if template_list_for(owner=owner, style=style).exists():
        return None
    return style.fallback


def template_list_for(*, owner, style: Style | None = None) -> QuerySet[Template]:
    """The active catalog templates (of active styles) and the owner's own private ones, catalog first.
    With ``style``, that style's catalog templates only (private templates belong to no style)."""
    catalog = Q(owner__isnull=True, style__is_active=True)
    visible = (catalog | Q(owner=owner)) if owner is not None and owner.pk else catalog
    templates = Template.objects.filter(visible, is_active=True).select_related("style")
    if style is not None:
        templates = templates.filter(style=style)
    return templates.order_by(F("owner_id").asc(nulls_first=True), "style__position", "style__key", "id")


def style_templates_first(*, style: Style, n: int) -> list[Template]:
    """The first ``n`` of ``template_list_for(owner=owner, style=style)``: a style's templates are the
    catalog's (private templates belong to no style), whoever asks."""
    return _STYLE_TEMPLATES.rows(limit=n, style_id=style.id)


# What a create by style alone reads: compiled once (studio.lib.prepared); the order of template_list_for's.
_STYLE_TEMPLATES = PreparedObjects(lambda *, style_id: Template.objects.filter(
    style_id=style_id, owner__isnull=True, style__is_active=True, is_active=True).order_by("id"),
    arguments={"style_id": int})


def template_get_for(*, owner, template_id: int | str) -> Template | None:
    try:
        key = int(template_id)
    except (TypeError, ValueError):
        return None
    if not 0 < key < 2**63:  # past a database integer: no such row (SQLite would overflow)
        return None
    return template_list_for(owner=owner).filter(id=key).first()


def template_own_list_for(*, owner) -> QuerySet[Template]:
    """The owner's own active (private) templates, newest first."""
    return Template.objects.filter(owner=owner, is_active=True).order_by("-created_at")


def template_own_get(*, owner, template_id: int) -> Template | None:
    return Template.objects.filter(owner=owner, id=template_id).first()
