"""The gallery: portraits per avatar and per style, favourites, downloads, delete, before/after."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from studio.catalog.selectors import style_get
from studio.portraits.likeness import SCALE_TEXT, portrait_likeness
from studio.portraits.selectors import avatar_get_for, avatar_list_for, portrait_get_for, portrait_list_for
from studio.portraits.services.renditions import renditions_delete

from ..describe import portrait_alt, portrait_style_name
from ..downloads import portrait_filename, portraits_zip_stream
from ..selectors import jobs_unfinished_for
from .common import or_404, signed, thumbnail_response


def _filters(request: HttpRequest) -> dict:
    """avatar and style from the query string, each the user's own or a 404."""
    avatar = style = None
    if request.GET.get("avatar"):
        avatar = or_404(avatar_get_for(owner=request.user, model_id=request.GET["avatar"]))
    if request.GET.get("style"):
        style = or_404(style_get(key=request.GET["style"]))
    return {"avatar": avatar, "style": style, "favourites": request.GET.get("favourites") == "1"}


def _portraits(request: HttpRequest, *, avatar, style, favourites: bool):
    return portrait_list_for(owner=request.user, avatar_model_id=avatar.model_id if avatar else None,
                             style_key=style.key if style else None, favourite=True if favourites else None)


@login_required
@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    portraits = _portraits(request, **filters)
    everything = portrait_list_for(owner=request.user)
    styles = {portrait.style for portrait in everything if portrait.style}
    return render(request, "web/gallery.html", {
        **filters,
        "portraits": [(portrait, portrait_likeness(portrait), portrait_alt(portrait),
                       portrait_style_name(portrait)) for portrait in portraits],
        "avatars": avatar_list_for(owner=request.user), "styles": sorted(styles, key=lambda s: s.title),
        "jobs": jobs_unfinished_for(owner=request.user), "scale_text": SCALE_TEXT,
        "query": request.GET.urlencode(), "has_favourites": everything.filter(is_favourite=True).exists(),
    })


@login_required
@require_GET
def portrait_thumbnail(request: HttpRequest, portrait_id: int, width: int) -> FileResponse:
    """A resized copy for the gallery's srcset, made on first request and kept (renditions)."""
    portrait = or_404(portrait_get_for(owner=request.user, portrait_id=portrait_id))
    return thumbnail_response(name=portrait.image.name, width=width)


@login_required
@require_GET
def gallery_zip(request: HttpRequest) -> StreamingHttpResponse:
    portraits = list(_portraits(request, **_filters(request)))
    if not portraits:
        # The page shows no ZIP button then; an old link or a second tab lands back with a word.
        messages.info(request, "There are no portraits to download here yet.")
        return redirect(f"{reverse('web:gallery')}?{request.GET.urlencode()}")
    name = "favourites" if request.GET.get("favourites") == "1" else "portraits"
    response = StreamingHttpResponse(portraits_zip_stream(portraits), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


@login_required
@require_GET
def portrait_detail(request: HttpRequest, portrait_id: int) -> HttpResponse:
    portrait = or_404(portrait_get_for(owner=request.user, portrait_id=portrait_id))
    likeness = portrait_likeness(portrait)  # a stylization's is measured against its photo: no avatar scale
    return render(request, "web/portrait_detail.html", {
        "portrait": portrait, "url": signed(request, portrait.image.name), "alt": portrait_alt(portrait),
        "before": signed(request, portrait.template.image.name if portrait.template else None),
        "likeness": likeness, "scale_text": SCALE_TEXT if likeness and likeness.basis == "avatar" else "",
    })


@login_required
@require_GET
def portrait_download(request: HttpRequest, portrait_id: int) -> FileResponse:
    portrait = or_404(portrait_get_for(owner=request.user, portrait_id=portrait_id))
    if not default_storage.exists(portrait.image.name):
        raise Http404("The file is gone.")
    return FileResponse(default_storage.open(portrait.image.name, "rb"), as_attachment=True,
                        filename=portrait_filename(portrait))


def _back(request: HttpRequest, *, anchor: str = "") -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target + anchor)
    return redirect(reverse("web:gallery") + anchor)


@login_required
@require_POST
def portrait_favourite(request: HttpRequest, portrait_id: int) -> HttpResponse:
    portrait = or_404(portrait_get_for(owner=request.user, portrait_id=portrait_id))
    portrait.is_favourite = request.POST.get("favourite", "1") == "1"
    portrait.save(update_fields=["is_favourite"])
    if request.headers.get("Accept") == "application/json":
        has_favourites = portrait_list_for(owner=request.user, favourite=True).exists()
        return JsonResponse({"favourite": portrait.is_favourite, "has_favourites": has_favourites})
    return _back(request, anchor=f"#portrait-{portrait.id}")  # without JS: back to the same card


@login_required
@require_POST
def portrait_delete(request: HttpRequest, portrait_id: int) -> HttpResponse:
    portrait = or_404(portrait_get_for(owner=request.user, portrait_id=portrait_id))
    renditions_delete(name=portrait.image.name)
    portrait.image.delete(save=False)
    portrait.delete()
    return _back(request)
