"""A job's page and the small JSON its progress bar polls."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jobs.services import job_cancel
from studio.portraits.selectors import job_get_for, portrait_list_for
from studio.portraits.services.jobs import job_avatar

from ..idphoto_report import idphoto_report
from ..progress import job_status
from .common import or_404, signed


@login_required
@require_GET
def job_json(request: HttpRequest, job_id: int) -> JsonResponse:
    job = or_404(job_get_for(owner=request.user, job_id=job_id))
    response = JsonResponse(job_status(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = or_404(job_get_for(owner=request.user, job_id=job_id))
    portraits = portrait_list_for(owner=request.user).filter(job=job)
    return render(request, "web/job_detail.html", {
        "job": job, "avatar": job_avatar(job), "status": job_status(job),
        "portraits": [(portrait, signed(request, portrait.image.name)) for portrait in portraits],
        "compliance": idphoto_report(job=job, request=request),
    })


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = or_404(job_get_for(owner=request.user, job_id=job_id))
    job_cancel(job=job)
    return redirect("web:job-detail", job_id=job.id)
