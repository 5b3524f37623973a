"""Ordering portraits: "portraits of these avatars (or photos) from this style or template".

The one place that chooses templates, merges options, checks that avatars are ready and submits
the job; the website and the PAI, DashScope and native APIs only translate their wire to it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from accounts.models import User
from engine.errors import EngineError, ErrorCode
from engine.options import T2I_TEMPLATE
from jobs.models import Job
from studio.catalog.models import Style, StyleKind, Template
from studio.catalog.selectors import style_stand_in, style_templates_first
from studio.lib.engine import engine_backend

from ..models import Avatar, Photo
from ..selectors import avatar_get_for
from .headshots import CUSTOMER_OPTIONS as HEADSHOT_OPTIONS
from .headshots import headshot_options_check, headshot_submit
from .portraits import portrait_create_submit, portrait_train_free_submit
from .styling import idphoto_submit, stylization_submit


class OrderRefused(Exception):
    """An order the studio cannot take now. ``code`` is what front ends map to their wire,
    ``message`` is for people; ``model_id`` and ``status`` name the avatar concerned, if any."""

    def __init__(self, code: str, message: str, *, model_id: str = "", status: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.model_id = model_id
        self.status = status


@dataclass(frozen=True)
class PortraitOrder:
    """A checked order: nothing is kept or charged until it is placed."""

    owner: User
    avatars: tuple[Avatar, ...]
    train_free: bool
    style: Style | None
    # The templates chosen from the catalog, first the one the job starts from; empty when the
    # customer brings a template image (own_template) or for an ID photo or stylization style.
    templates: tuple[Template, ...]
    own_template: bool
    options: dict = field(default_factory=dict)
    n: int = 1
    reference: Photo | None = None  # a stylization style's starting photo
    # The template style asked for, where its headshot fallback (``style``) makes it for now.
    stand_in_for: Style | None = None
    # A preset style without templates drawn by text-to-image from its prompt (preset_options).
    generated: bool = False


def portrait_order_check(*, owner: User, model_ids: Sequence[str] = (), train_free: bool = False,
                         style: Style | None = None, template: Template | None = None,
                         own_template: bool = False, options: dict | None = None, n: int = 1) -> PortraitOrder:
    """Checks an order before any input is fetched or kept: OrderRefused, or EngineError
    (INVALID_OPTION and kin) for options the engine would refuse.

    A template style with no template yet and a headshot fallback (a preset before its pack) is
    drawn by text-to-image from the preset's prompt where the engine can (``generated``: the
    diffusion engine with its weights, and avatars it trained), else made by that headshot style
    from the avatar's own photos; the order says so (``stand_in_for``).

    ``model_ids`` (the owner's ready avatars, one per template face) or ``train_free`` (photos
    given when the order is placed); ``template`` (a catalog or private row) or ``own_template``
    (an image given when placed) or, with a style alone, the style's templates, over which the n
    portraits are spread. An ID photo style makes up to n ID photos from one avatar's best photos, one
    each; a stylization style is made from the avatar's reference photo; a headshot style makes up to n
headshots on its backdrop, each from another of the avatar's best photos.
    """
    if bool(model_ids) == train_free:
        raise OrderRefused("person", "Give either avatars or photos (train-free), not both.")
    if template is not None and own_template:
        raise OrderRefused("template", "Give one template: a template of the catalog or an image of your own.")
    style = style if style is not None else (template.style if template is not None else None)
    avatars = tuple(_ready_avatar(owner=owner, model_id=model_id) for model_id in model_ids)
    stand_in_for, generated = None, None
    if style is not None and template is None and not own_template and not train_free:
        fallback = style_stand_in(style=style, owner=owner)
        if fallback is not None:
            generated = _preset_generated(style=style, avatars=avatars)
            if generated is None:
                stand_in_for, style = style, fallback
            elif options:
                # The stand-in's framing options (the website's preset form sends its aspect): a drawn
                # portrait takes its framing from the prompt, and the engine would refuse them.
                options = {key: value for key, value in options.items() if key not in HEADSHOT_OPTIONS}
    templates = () if generated is not None else _templates(
        style=style, template=template, own_template=own_template, train_free=train_free,
        people=len(model_ids), n=n)
    if style is not None and style.kind == StyleKind.IDPHOTO:
        # The one option of an ID photo style: a draft made although it would not pass.
        draft = (options or {}).get("draft", False)
        if not isinstance(draft, bool):
            raise EngineError(ErrorCode.INVALID_OPTION, "draft must be true or false.")
        return PortraitOrder(owner=owner, avatars=avatars, train_free=False, style=style, templates=(),
                             own_template=False, n=n, options={"draft": draft})
    if style is not None and style.kind == StyleKind.HEADSHOT:
        return PortraitOrder(owner=owner, avatars=avatars, train_free=False, style=style, templates=(),
                             own_template=False, n=n, stand_in_for=stand_in_for,
                             options=headshot_options_check(parameters=style.parameters, options=options or {}))
    if style is not None and style.kind == StyleKind.STYLIZE:
        reference = Photo.objects.filter(owner=owner, avatar=avatars[0], is_reference=True).first()
        if reference is None:
            raise OrderRefused("no_reference_photo",
                               "This avatar has no reference photo yet; wait until its training is done.")
        return PortraitOrder(owner=owner, avatars=avatars, train_free=False, style=style, templates=(),
                             own_template=False, reference=reference)
    # The request's options win over the style's (and a preset's prompt); all are the engine's to accept now.
    merged = {**(style.parameters if style is not None else {}), **(generated or {}), **(options or {})}
    engine_backend().options_check(merged)
    return PortraitOrder(owner=owner, avatars=avatars, train_free=train_free, style=style,
                         templates=templates, own_template=own_template, options=merged, n=n,
                         generated=generated is not None)


def _preset_generated(*, style: Style, avatars: Sequence[Avatar]) -> dict | None:
    """The options that draw the preset ``style`` by text-to-image with the avatar's own LoRA
    where the engine can (the diffusion engine with its weights here, and one avatar it trained:
    a classic avatar has no LoRA to draw the person with, and a preset's prompt draws one person);
    None, and the style's headshot stand-in makes it (or refuses several people), elsewhere."""
    backend = engine_backend()
    if len(avatars) != 1 or avatars[0].backend != backend.name:
        return None
    return backend.preset_options(style.key)


def _templates(*, style: Style | None, template: Template | None, own_template: bool,
               train_free: bool, people: int, n: int) -> tuple[Template, ...]:
    if style is not None and style.kind != StyleKind.TEMPLATE:
        if template is not None or own_template or train_free or people != 1:
            raise OrderRefused("style_kind", f"The style {style.key} is a {style.kind} style: it is made from "
                                             f"one avatar, without a template.")
        return ()
    if template is not None:
        if style is not None and template.style_id != style.id:
            raise OrderRefused("template_not_in_style", f"The template {template.id} is not one of the style "
                                                        f"{style.key}'s.")
        return (template,)
    if own_template:
        return ()
    if style is None:
        raise OrderRefused("template", "Give a style, a template or a template image.")
    # A style alone: its n portraits are spread over its templates, for variety (train-free takes one).
    chosen = tuple(style_templates_first(style=style, n=1 if train_free else n))
    if not chosen:
        raise OrderRefused("style_without_templates",
                           f"The style {style.key} has no templates on this studio yet; an administrator "
                           f"imports a pack with `manage.py import_templates`.")
    return chosen


def _ready_avatar(*, owner: User, model_id: str) -> Avatar:
    # Unknown and someone else's read the same, so an id tells nothing about other accounts.
    avatar = avatar_get_for(owner=owner, model_id=model_id) if isinstance(model_id, str) else None
    if avatar is None:
        raise OrderRefused("avatar_not_found", f"No such avatar: {model_id}.", model_id=str(model_id))
    if not avatar.is_ready:
        raise OrderRefused("avatar_not_ready", f"The avatar {avatar.model_id} is {avatar.status}, not ready.",
                           model_id=str(avatar.model_id), status=avatar.status)
    return avatar


def portrait_order_place(*, order: PortraitOrder, template_file: str | None = None, photos: Sequence[Photo] = (),
                         source: str, app_id: str = "", idempotency_key: str | None = None) -> Job:
    """Submits a checked order; ``template_file`` (storage name) and ``photos`` are the inputs it was
    checked to expect. Pricing is job_submit's (QuotaExceeded when the account cannot pay); train-free
    takes 1-5 photos (EngineError INVALID_OPTION otherwise)."""
    if order.own_template != bool(template_file) or order.train_free == (not photos):
        raise ValueError("The inputs placed are not those the order was checked with.")
    style_id = order.style.id if order.style is not None else None
    common = {"owner": order.owner, "style_id": style_id, "source": source, "app_id": app_id,
              "idempotency_key": idempotency_key}
    if order.style is not None and order.style.kind == StyleKind.IDPHOTO:
        parameters = order.style.parameters
        return idphoto_submit(avatar=order.avatars[0], size=parameters.get("size", "1inch"),
                              background=parameters.get("background", "white"),
                              draft=bool(order.options.get("draft")), n=order.n, **common)
    if order.style is not None and order.style.kind == StyleKind.HEADSHOT:
        if order.stand_in_for is not None:  # the gallery and the APIs show the style asked for
            common["style_id"] = order.stand_in_for.id
        return headshot_submit(avatar=order.avatars[0], options=order.options, n=order.n, headshot_style=order.style,
                               stand_in_for=order.stand_in_for, **common)
    if order.style is not None and order.style.kind == StyleKind.STYLIZE:
        return stylization_submit(image=order.reference.image.name,
                                  style_index=int(order.style.parameters.get("style_index", 0)), **common)
    first, *more = order.templates or (None,)
    drawn = T2I_TEMPLATE if order.generated else None
    template = {"template": template_file or drawn or first.image.name, "template_id": first.id if first else None,
                "options": order.options, "n": order.n}
    if order.train_free:
        return portrait_train_free_submit(photos=list(photos), **template, **common)
    return portrait_create_submit(avatars=list(order.avatars), more_templates=more, **template, **common)


def portrait_order(*, owner: User, model_ids: Sequence[str] = (), photos: Sequence[Photo] = (),
                   style: Style | None = None, template: Template | None = None, template_file: str | None = None,
                   options: dict | None = None, n: int = 1, source: str, app_id: str = "",
                   idempotency_key: str | None = None) -> Job:
    """Checks and places an order at once, for a caller that holds every input already (the website).
    Front ends that fetch inputs check first (portrait_order_check), so a refusal costs no download."""
    order = portrait_order_check(owner=owner, model_ids=model_ids, train_free=bool(photos), style=style,
                                 template=template, own_template=template_file is not None, options=options, n=n)
    return portrait_order_place(order=order, template_file=template_file, photos=photos, source=source,
                                app_id=app_id, idempotency_key=idempotency_key)
