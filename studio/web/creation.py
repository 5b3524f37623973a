"""Creating from the catalog on the website: one entry for template, ID-photo and stylize styles."""
from __future__ import annotations

from jobs.models import Job

from ..models import Avatar, Photo, Style, StyleKind, Template
from ..services.portraits import portrait_create_submit, portrait_train_free_submit
from ..services.styling import idphoto_submit, stylization_submit


class CreateRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def portrait_from_template_submit(*, owner, avatar: Avatar, template: Template, n: int, options: dict) -> Job:
    return portrait_create_submit(
        owner=owner, avatars=[avatar], template=template.image.name, n=n, options=options,
        template_id=template.id, style_id=template.style_id,
    )


def portrait_from_style_submit(*, owner, avatar: Avatar, style: Style) -> Job:
    """ID-photo and stylize styles need no template: they start from the avatar's reference photo."""
    if style.kind == StyleKind.IDPHOTO:
        return idphoto_submit(owner=owner, avatar=avatar, style_id=style.id, **style.parameters)
    if style.kind == StyleKind.STYLIZE:
        reference = Photo.objects.filter(owner=owner, avatar=avatar, is_reference=True).first()
        if reference is None:
            raise CreateRefused("This avatar has no reference photo yet; wait until its training is done.")
        return stylization_submit(owner=owner, image=reference.image.name, style_id=style.id,
                                  style_index=int(style.parameters.get("style_index", 0)))
    raise CreateRefused("Choose one of the style's templates.")


def portrait_train_free_from_uploads(*, owner, photos: list[Photo], template: Template, n: int, options: dict) -> Job:
    return portrait_train_free_submit(
        owner=owner, photos=photos, template=template.image.name, n=n, options=options,
        template_id=template.id, style_id=template.style_id,
    )
