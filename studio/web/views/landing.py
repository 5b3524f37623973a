"""The landing page: what the studio does, an example it made, prices."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.gateway import purchases_enabled
from billing.pricing import price_of
from billing.selectors import package_list_active
from studio.portraits.likeness import likeness_of

from ..examples import landing_example
from .common import package_rows, signed


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    example = landing_example()
    return render(request, "web/landing.html", {
        "example": example and {
            "selfie": signed(request, example.selfie),
            "template": signed(request, example.template),
            "portrait": signed(request, example.portrait),
            "likeness": likeness_of(example.identity_distance),
        },
        # Packages that cannot be bought (no Stripe key) are not offered.
        "packages": package_rows(package_list_active()) if purchases_enabled() else [],
        "prices": {"train": price_of("train"), "create": price_of("create_solo")},
        "trial": {"trainings": settings.STUDIO_TRIAL_TRAININGS, "creations": settings.STUDIO_TRIAL_CREATIONS},
    })
