"""Small helpers the website's views share."""
from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest

from engine.errors import EngineError
from studio.lib.media_urls import media_url_sign
from studio.portraits.services.renditions import WIDTHS, rendition_get


def signed(request: HttpRequest, name: str | None) -> str:
    """A signed URL for a stored file ('' when there is none): nothing in storage is public."""
    return media_url_sign(name=name, request=request) if name else ""


def or_404(found):
    if found is None:
        raise Http404("Not found.")
    return found


def package_rows(packages) -> list[tuple]:
    """Point packages with their price for people: (package, "9.00 USD")."""
    return [(package, f"{package.price_cents / 100:.2f} {package.currency.upper()}") for package in packages]


def thumbnail_response(*, name: str, width: int) -> FileResponse:
    """The ``width`` px rendition of a stored image the caller has checked is the user's own."""
    if width not in WIDTHS:
        raise Http404("No such size.")
    try:
        rendition = rendition_get(name=name, width=width)
    except (FileNotFoundError, EngineError):
        raise Http404("The file is gone.") from None
    response = FileResponse(default_storage.open(rendition, "rb"), content_type="image/webp")
    # A stored image's pixels never change (a new one is a new name): the browser may keep it a day.
    response["Cache-Control"] = "private, max-age=86400"
    return response
