"""What an image shows, in words: alt texts for portraits and photos (screen readers, failed loads)."""
from __future__ import annotations

from django.utils.dateformat import format as date_format

from studio.portraits.models import Photo, Portrait


def portrait_style_name(portrait: Portrait) -> str:
    if portrait.style:
        return portrait.style.title
    return "Your own template" if portrait.template else "Portrait"


def portrait_alt(portrait: Portrait) -> str:
    """'Portrait of John in Studio demo, 3 Dec 2026' (avatars prefetched by portrait_list_for)."""
    names = [avatar.name for avatar in portrait.avatars.all() if avatar.name]
    who = f" of {' and '.join(names)}" if names else ""
    style = f" in {portrait.style.title}" if portrait.style else ""
    return f"Portrait{who}{style}, {date_format(portrait.created_at, 'j M Y')}"


def photo_alt(photo: Photo, *, position: int) -> str:
    return f"Your photo {position}, uploaded {date_format(photo.created_at, 'j M Y, H:i')}"
