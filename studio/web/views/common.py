"""Small helpers the website's views share."""
from __future__ import annotations

from django.http import Http404, HttpRequest

from studio.lib.media_urls import media_url_sign


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
