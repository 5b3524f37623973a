"""The styles catalog with previews, creating from a style or a private template, train-free."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.errors import QuotaExceeded
from billing.gateway import purchases_enabled
from billing.models import Operation
from billing.pricing import price_of
from billing.selectors import price_quote_for
from engine.errors import EngineError
from studio.catalog.models import Gender, Style, StyleKind
from studio.catalog.previews import style_preview_ensure
from studio.catalog.selectors import (
    style_get,
    style_list,
    style_stand_in,
    template_get_for,
    template_list_for,
    template_own_list_for,
)
from studio.catalog.services import TemplateRejected, template_upload
from studio.lib.engine import engine_backend
from studio.portraits.models import AvatarStatus
from studio.portraits.selectors import avatar_get_for, avatar_list_for
from studio.portraits.services.intake import inputs_kept_on_success
from studio.portraits.services.ordering import OrderRefused, portrait_order

from ..forms import CreateForm, HeadshotCreateForm, StyleCreateForm, TemplateUploadForm, TrainFreeForm
from ..quotes import quote_text
from ..uploads import UploadRefused, train_free_photos_store
from .common import or_404, signed

SOURCE = "web"
GENDERS = [("", "Everyone"), (Gender.FEMALE, "Women"), (Gender.MALE, "Men")]


# What one image of a style costs, by the operation its job is priced as (billing.pricing).
OPERATION_OF_KIND = {StyleKind.TEMPLATE: Operation.CREATE_SOLO, StyleKind.HEADSHOT: Operation.CREATE_SOLO,
                     StyleKind.IDPHOTO: Operation.IDPHOTO, StyleKind.STYLIZE: Operation.STYLIZE}


def _prices() -> dict[str, int]:
    """Points per image of each style kind, read once per page."""
    points = {operation: price_of(operation) for operation in set(OPERATION_OF_KIND.values())}
    return {kind: points[operation] for kind, operation in OPERATION_OF_KIND.items()}


def _preview_url(request: HttpRequest, style: Style) -> str:
    # A style without a preview yet (a catalog made by ``migrate`` alone) gets one on first view.
    if style.preview:
        return signed(request, style.preview.name)
    return reverse("web:style-preview", kwargs={"key": style.key})


@require_GET
def style_catalog(request: HttpRequest) -> HttpResponse:
    gender = request.GET.get("gender", "")
    gender = gender if gender in (Gender.FEMALE, Gender.MALE) else ""
    styles = style_list(gender=gender or None)
    prices = _prices()
    return render(request, "web/styles.html", {
        "styles": [(style, _preview_url(request, style), prices[style.kind]) for style in styles],
        "genders": GENDERS, "gender": gender,
    })


@require_GET
def style_preview(request: HttpRequest, key: str) -> HttpResponse:
    """The style's preview, made now where it has none (a few tenths of a second, once)."""
    style = or_404(style_get(key=key))
    style_preview_ensure(style=style)
    style.refresh_from_db(fields=["preview"])
    if not style.preview:
        raise Http404("This style has no preview.")
    return redirect(signed(request, style.preview.name))


def _create_context(request: HttpRequest, *, templates, style=None) -> dict:
    signed_in = request.user.is_authenticated
    avatars = avatar_list_for(owner=request.user, status=AvatarStatus.READY) if signed_in else []
    stand_in = style_stand_in(style=style, owner=request.user if signed_in else None) if style is not None else None
    maker = stand_in or style
    if maker is not None and maker.kind == StyleKind.HEADSHOT:
        colour = maker.parameters.get("colour") if maker.parameters.get("backdrop") == "brand" else None
        form = HeadshotCreateForm(avatars=avatars, colour=colour)
    elif maker is not None and maker.kind != StyleKind.TEMPLATE:
        form = StyleCreateForm(avatars=avatars)
    else:
        form = CreateForm(avatars=avatars, templates=templates)
    # Where the engine draws presets from their prompts, LoRA avatars get that instead of the stand-in.
    drawn = stand_in is not None and engine_backend().preset_options(style.key) is not None
    return _quote_context(request, maker=maker, form=form) | {
        "style": style, "avatars": avatars, "form": form, "stand_in": stand_in, "drawn": drawn, "signed_in": signed_in,
        "train_free_form": TrainFreeForm(templates=templates) if templates and signed_in else None,
        "template_choices": [(template, signed(request, template.image.name)) for template in templates or []],
    }


def _quote_context(request: HttpRequest, *, maker: Style | None, form) -> dict:
    """The price before the click (trial first, then points) for the form's first choice of how many."""
    if not request.user.is_authenticated:
        return {"quote": None}
    operation = OPERATION_OF_KIND.get(maker.kind, Operation.CREATE_SOLO) if maker else Operation.CREATE_SOLO
    field = form.fields.get("n")
    quote = price_quote_for(user=request.user, operation=operation, images=field.initial if field else 1)
    return {"quote": quote, "quote_text": quote_text(quote), "quote_text_one": quote_text(quote, images=1),
            "buy_url": reverse("web:account") + "#balance-title" if purchases_enabled() else None}


@require_GET
def style_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A style's preview, price and templates, for anyone; the create form for a signed-in customer."""
    style = or_404(style_get(key=key))
    owner = request.user if request.user.is_authenticated else None
    templates = template_list_for(owner=owner, style=style) if style.kind == StyleKind.TEMPLATE else None
    return render(request, "web/style_detail.html", _create_context(request, templates=templates, style=style)
                  | {"preview": _preview_url(request, style), "points": _prices()[style.kind]})


@login_required
@require_POST
def portrait_create(request: HttpRequest) -> HttpResponse:
    """From a template (catalog or private) or an ID-photo/stylize style, for one of the user's avatars."""
    style = style_get(key=request.POST.get("style", "")) if request.POST.get("style") else None
    avatar = or_404(avatar_get_for(owner=request.user, model_id=request.POST.get("avatar", "")))
    back = redirect("web:style-detail", key=style.key) if style else redirect("web:templates")
    order = {"owner": request.user, "model_ids": [str(avatar.model_id)], "source": SOURCE}
    try:
        maker = (style_stand_in(style=style, owner=request.user) or style) if style is not None else None
        if maker is not None and maker.kind == StyleKind.HEADSHOT:
            colour = maker.parameters.get("colour") if maker.parameters.get("backdrop") == "brand" else None
            form = HeadshotCreateForm(request.POST, avatars=[avatar], colour=colour)
            if not form.is_valid():
                messages.error(request, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
                return back
            job = portrait_order(style=style, n=form.cleaned_data["n"], options=form.options(), **order)
        elif style is not None and style.kind != StyleKind.TEMPLATE:
            job = portrait_order(style=style, **order)
        else:
            templates = template_list_for(owner=request.user, style=style) if style else template_own_list_for(owner=request.user)
            avatars = avatar_list_for(owner=request.user, status=AvatarStatus.READY)
            form = CreateForm(request.POST, avatars=avatars, templates=templates)
            if not form.is_valid():
                messages.error(request, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
                return back
            job = portrait_order(template=form.cleaned_data["template"], n=form.cleaned_data["n"],
                                 options=form.options(), **order)
    except (QuotaExceeded, OrderRefused, EngineError) as exc:
        messages.error(request, exc.message)
        return back
    return redirect("web:job-detail", job_id=job.id)


@login_required
@require_POST
def portrait_train_free(request: HttpRequest) -> HttpResponse:
    """A portrait from 1-5 photos without an avatar."""
    template = or_404(template_get_for(owner=request.user, template_id=request.POST.get("template")))
    form = TrainFreeForm(request.POST, request.FILES, templates=template_list_for(owner=request.user))
    back = redirect("web:style-detail", key=template.style.key) if template.style else redirect("web:templates")
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(errors) for errors in form.errors.values()))
        return back
    try:
        with inputs_kept_on_success():
            photos = train_free_photos_store(owner=request.user, uploads=form.cleaned_data["photos"])
            job = portrait_order(owner=request.user, photos=photos, template=template, n=form.cleaned_data["n"],
                                 options=form.options(), source=SOURCE)
    except (UploadRefused, QuotaExceeded, OrderRefused, EngineError) as exc:
        messages.error(request, exc.message)
        return back
    return redirect("web:job-detail", job_id=job.id)


@login_required
@require_http_methods(["GET", "POST"])
def templates_private(request: HttpRequest) -> HttpResponse:
    upload_form = TemplateUploadForm()
    if request.method == "POST":
        upload_form = TemplateUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                template_upload(owner=request.user, content=upload_form.cleaned_data["image"].read(),
                                title=upload_form.cleaned_data["title"])
            except TemplateRejected as exc:
                upload_form.add_error("image", exc.message)
            else:
                messages.success(request, "Template added.")
                return redirect("web:templates")
    templates = template_own_list_for(owner=request.user)
    return render(request, "web/templates_private.html",
                  _create_context(request, templates=templates) | {"upload_form": upload_form})
