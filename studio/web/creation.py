"""Creating from the catalog on the website: one entry for template, ID-photo and stylize styles."""
from __future__ import annotations

from jobs.models import Job

from ..models import Avatar, Photo, Template
from ..services.portraits import portrait_create_submit, portrait_train_free_submit


def portrait_from_template_submit(*, owner, avatar: Avatar, template: Template, n: int, options: dict) -> Job:
    return portrait_create_submit(
        owner=owner, avatars=[avatar], template=template.image.name, n=n, options=options,
        template_id=template.id, style_id=template.style_id,
    )


def portrait_train_free_from_uploads(*, owner, photos: list[Photo], template: Template, n: int, options: dict) -> Job:
    return portrait_train_free_submit(
        owner=owner, photos=photos, template=template.image.name, n=n, options=options,
        template_id=template.id, style_id=template.style_id,
    )
