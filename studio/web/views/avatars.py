"""New avatar (photos checked as they arrive, then training), the avatar list and one avatar's page."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.errors import QuotaExceeded
from studio.portraits.selectors import avatar_get_for, avatar_list_for, photo_get_for, portrait_list_for
from studio.portraits.services.avatars import avatar_train_submit

from ..describe import photo_alt, portrait_alt
from ..forms import PhotosForm, TrainForm
from ..progress import job_status
from ..selectors import check_job_for_photo, jobs_for_avatar
from ..uploads import UploadRefused, pending_photos_for, photo_delete, photos_upload
from .common import or_404, thumbnail_response

TRAIN_MIN_PHOTOS = 5


def _photo_row(request: HttpRequest, photo) -> dict:
    job = None if photo.check_result is not None else check_job_for_photo(owner=request.user, photo=photo)
    result = photo.check_result or {}
    return {
        "id": photo.id,
        "url": reverse("web:photo-thumbnail", args=[photo.id, 320]),
        "alt": photo_alt(photo, position=photo.position + 1),
        "delete_url": reverse("web:photo-delete", args=[photo.id]),
        "passed": photo.passed,
        "message": result.get("message", ""),
        "reasons": result.get("reasons", []),
        "notes": result.get("notes", []),
        "job": job_status(job) if job is not None else None,
    }


@login_required
@require_GET
def avatar_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/avatar_list.html", {"avatars": avatar_list_for(owner=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def avatar_new(request: HttpRequest) -> HttpResponse:
    """Without JavaScript the form posts the files here; with it, each file goes to photo_upload."""
    form = PhotosForm()
    if request.method == "POST":
        form = PhotosForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                photos_upload(owner=request.user, uploads=form.cleaned_data["photos"])
            except UploadRefused as exc:
                messages.error(request, exc.message)
            return redirect("web:avatar-new")
    photos = [_photo_row(request, photo) for photo in pending_photos_for(owner=request.user)]
    return render(request, "web/avatar_new.html", {
        "form": form, "train_form": TrainForm(), "photos": photos,
        "passed": sum(1 for photo in photos if photo["passed"]),
        "min_photos": TRAIN_MIN_PHOTOS, "max_photos": settings.STUDIO_TRAIN_MAX_PHOTOS,
    })


@login_required
@require_POST
def photo_upload(request: HttpRequest) -> JsonResponse:
    """One photo from the page's script: kept and its own check job submitted at once."""
    uploads = request.FILES.getlist("photo")
    try:
        if len(uploads) != 1:
            raise UploadRefused("Send one photo at a time.")
        photos, job = photos_upload(owner=request.user, uploads=uploads)
    except UploadRefused as exc:
        return JsonResponse({"error": exc.message}, status=400)
    return JsonResponse({"photo": _photo_row(request, photos[0]), "job": job_status(job)}, status=201)


@login_required
@require_GET
def photo_thumbnail(request: HttpRequest, photo_id: int, width: int) -> FileResponse:
    photo = or_404(photo_get_for(owner=request.user, photo_id=photo_id))
    return thumbnail_response(name=photo.image.name, width=width)


@login_required
@require_GET
def photo_status(request: HttpRequest, photo_id: int) -> JsonResponse:
    photo = or_404(photo_get_for(owner=request.user, photo_id=photo_id))
    return JsonResponse({"photo": _photo_row(request, photo)})


@login_required
@require_POST
def photo_remove(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = or_404(photo_get_for(owner=request.user, photo_id=photo_id))
    if photo.avatar_id is not None:
        messages.error(request, "This photo belongs to an avatar; delete the avatar's data from your account page.")
    else:
        photo_delete(photo=photo)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"deleted": photo.avatar_id is None})
    return redirect("web:avatar-new")


@login_required
@require_POST
def avatar_train(request: HttpRequest) -> HttpResponse:
    form = TrainForm(request.POST)
    passed = [photo for photo in pending_photos_for(owner=request.user) if photo.passed]
    if not form.is_valid() or len(passed) < TRAIN_MIN_PHOTOS:
        messages.error(request, f"Training needs at least {TRAIN_MIN_PHOTOS} photos that passed the check.")
        return redirect("web:avatar-new")
    try:
        avatar, _ = avatar_train_submit(owner=request.user, photos=passed[: settings.STUDIO_TRAIN_MAX_PHOTOS],
                                        name=form.cleaned_data["name"])
    except QuotaExceeded as exc:
        messages.error(request, exc.message)
        return redirect("web:avatar-new")
    return redirect("web:avatar-detail", model_id=avatar.model_id)


@login_required
@require_GET
def avatar_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    avatar = or_404(avatar_get_for(owner=request.user, model_id=model_id))
    jobs = [job_status(job) | {"created_at": job.created_at} for job in jobs_for_avatar(owner=request.user, avatar=avatar)]
    portraits = portrait_list_for(owner=request.user, avatar_model_id=avatar.model_id)[:8]
    return render(request, "web/avatar_detail.html", {
        "avatar": avatar, "jobs": jobs,
        "photos": [_photo_row(request, photo) for photo in avatar.photos.all()],
        "portraits": [(portrait, portrait_alt(portrait)) for portrait in portraits],
    })
