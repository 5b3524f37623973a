"""The ID photo page: one photo in, the size, background and sheet chosen; the result and its
compliance report are shown on the job's page."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from billing.errors import QuotaExceeded
from billing.models import Operation
from billing.selectors import price_quote_for
from engine.errors import EngineError
from studio.lib.moderation import Refused
from studio.portraits.services.intake import inputs_kept_on_success, upload_store
from studio.portraits.services.styling import idphoto_submit

from ..forms import IdPhotoForm
from ..quotes import quote_text
from ..uploads import UploadRefused, fetched_from_upload

SOURCE = "web"


@login_required
@require_http_methods(["GET", "POST"])
def idphoto_new(request: HttpRequest) -> HttpResponse:
    form = IdPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with inputs_kept_on_success():
                photo = upload_store(owner=request.user, fetched=fetched_from_upload(data["photo"]), kind="photo")
                job = idphoto_submit(owner=request.user, photo=photo, size=data["size"],
                                     background=data["background"], sheet=data["sheet"], draft=data["draft"],
                                     source=SOURCE)
        except (UploadRefused, Refused, QuotaExceeded, EngineError) as exc:
            messages.error(request, exc.message)
        else:
            return redirect("web:job-detail", job_id=job.id)
    quote = price_quote_for(user=request.user, operation=Operation.IDPHOTO)  # one ID photo per order
    return render(request, "web/idphoto.html", {"form": form, "quote": quote, "quote_text": quote_text(quote)},
                  status=400 if form.errors else 200)
