"""One interface, several backends: what the studio asks the engine to do, whatever does it.

``Backend`` is the whole surface the studio uses; the result types are re-exported here.
``get_backend`` gives ``classic`` (CPU) or ``diffusion`` (engine.diffusion, the [gpu] extra, imported
only when asked for); ``remote`` (another studio over the PAI wire protocol) is to plug in the same way.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from .check import CODE_OTHER_PERSON, CODE_SUCCESS, SAME_PERSON_THRESHOLD, PhotoCheck, Reason, check_photos
from .errors import EngineError, ErrorCode
from .headshot import BACKDROPS, Backdrop, Headshot, backdrop_alone, backdrops, headshot_create, silhouette_over
from .headshot.framing import frame_size
from .identity import Avatar, avatar_build, avatar_load, avatar_save
from .idphoto import Check, Compliance, IdPhoto, IdPhotoRefused, idphoto_create, refuse_turned_head
from .options import STYLE_PRESETS, IdPhotoSpec, PortraitOptions, StylePreset
from .portrait import Portrait, Portraits, TemplateFace, portrait_create, template_inspect
from .stylize import Stylized, stylize

__all__ = [
    "CODE_OTHER_PERSON", "CODE_SUCCESS", "SAME_PERSON_THRESHOLD", "BACKDROPS", "Avatar", "Backdrop", "Backend", "Check", "ClassicBackend", "Compliance", "Headshot", "IdPhoto", "IdPhotoRefused", "IdPhotoSpec", "PhotoCheck", "Portrait", "Portraits", "Progress", "Reason",
    "StylePreset", "Stylized", "TemplateFace", "backdrops", "get_backend", "silhouette_over",
]

Progress = Callable[[float], None]  # called with the fraction done, 0 to 1


class Backend(Protocol):
    """Everything the studio asks of an engine. Images come as the bytes of a file (decoded with
    the limits of ``engine.imaging``) or, where said, as RGB uint8 pixels. Every failure is an
    ``EngineError``; a backend that cannot do something raises it with
    ``ErrorCode.UNSUPPORTED_OPTION`` and a message naming a backend that can."""

    name: str

    def check(self, photos: Sequence[bytes], *, same_person: bool = True) -> list[PhotoCheck]:
        """The quality check of each photo, in order; ``same_person`` also marks photos of
        another person than the group's (code 6)."""
        ...

    def train(self, photos: Sequence[bytes], *, out: Path, names: Sequence[str] | None = None,
              options: dict | None = None, on_progress: Progress | None = None) -> tuple[Avatar, list[PhotoCheck]]:
        """Build an avatar from 1-20 photos and save it in the folder ``out``; the checks say
        which photos it uses. ``options`` are the seeds' train options (``max_train_steps``,
        ``val_save_checkpointing_steps``, ...): what a backend trains by (the classic one builds
        no model, so it has none to honour)."""
        ...

    def load_avatar(self, path: Path) -> Avatar:
        """An avatar ``train`` saved (AVATAR_INVALID where it is corrupted or foreign)."""
        ...

    def avatar_from_photos(self, photos: Sequence[bytes]) -> Avatar:
        """Train-free: an avatar built in memory from 1-5 photos, for one ``create``."""
        ...

    def create(self, template: bytes | np.ndarray, *, avatars: Sequence[Avatar], options: dict | None = None,
               n: int = 1, on_progress: Progress | None = None) -> Portraits:
        """Up to ``n`` distinct portraits of the avatars (one per template face, left to right),
        closest to the avatars first, each with its fit ``warnings``; fewer where the avatars do
        not give n distinct ones, and ``Portraits.note`` says why. ``options`` are the PAI
        ``configure`` keys (engine.options.PortraitOptions)."""
        ...

    def template_faces(self, template: bytes | np.ndarray) -> list[TemplateFace]:
        """The faces a portrait can be made into, left to right; an empty list where there is
        none. Bytes that are no image raise TEMPLATE_DECODE (message TEMPLATE_DECODE_MESSAGE)."""
        ...

    def stylize(self, image: bytes | np.ndarray, *, style_index: int | None = None,
                reference: bytes | np.ndarray | None = None) -> Stylized:
        """The image restyled by a preset (``style_index``, see ``style_presets``) or like a
        reference image (``style_index`` -1 or None, with ``reference``)."""
        ...

    def style_presets(self) -> Sequence[StylePreset]:
        """The preset styles ``stylize`` takes by index, in index order."""
        ...

    def idphoto(self, photo: bytes, *, size: str = "1inch", background: str | tuple[int, int, int] = "white",
                sheet: bool | str = False, draft: bool | None = None) -> IdPhoto:
        """An ID photo of the one person in ``photo`` with its compliance report
        (``IdPhoto.compliance``: each check's name, value, limit, passed, message; ``compliant``).
        ``size`` and ``background`` as ``engine.options.spec_for`` and ``parse_background`` read
        them; ``sheet`` tiles copies on a print sheet: True or "6x4" (6x4 in), "a6".

        ``draft=False`` refuses a photo that fails any check with ``IdPhotoRefused`` (an
        EngineError, code NO_USABLE_PHOTO, whose ``compliance`` lists the failed checks);
        ``draft=True`` makes it anyway, marked ``compliant=False``. ``None`` (the default until
        the studio passes one or the other) makes a draft but refuses, as before the report
        existed, another person in the photo or a head turned past the framing's limits.
        A photo nothing can be framed from (no face, the head cut off or too small) raises
        EngineError whatever ``draft`` says."""
        ...

    def headshot(self, photo: bytes, *, backdrop: str = "studio_grey", aspect: str = "4:5",
                 colour: tuple[int, int, int] | str | None = None, variant: int = 0) -> Headshot:
        """A professional head-and-shoulders headshot of the person with the largest face in
        ``photo``, without a template: ``backdrop`` a key of ``BACKDROPS`` (``backdrops()`` gives
        each key's title), ``aspect`` "4:5" (1024 x 1280) or "1:1" (1280 x 1280), ``colour`` the
        ``brand`` backdrop's colour ("#rrggbb" or RGB), ``variant`` another light and bokeh layout
        (the same each time). An unknown backdrop, aspect or colour raises INVALID_OPTION; a photo
        without a face NO_FACE; a face too small or cut by the photo's side IMAGE_TOO_SMALL or
        NO_USABLE_PHOTO. ``Headshot.notes`` says, in plain words, what was done (another face
        left out, clothes extended, a small photo enlarged)."""
        ...

    def headshot_backdrop(self, backdrop: str = "studio_grey", *, aspect: str = "4:5",
                          colour: tuple[int, int, int] | str | None = None,
                          size: tuple[int, int] | None = None) -> np.ndarray:
        """The backdrop alone (RGB uint8): ``size`` (width, height), else the aspect's 1024 px frame."""
        ...

    def options_check(self, options: dict | None) -> None:
        """Raises EngineError (INVALID_OPTION, UNSUPPORTED_OPTION naming a backend that can) for
        create options this backend would refuse, before any job is made."""
        ...

    def preset_options(self, key: str) -> dict | None:
        """The create options that make the preset template style ``key`` (DashScope's
        f_business_female and kin) without templates, by text-to-image (template
        ``engine.options.T2I_TEMPLATE``) with the avatars' own LoRAs; None where this backend cannot
        (no text-to-image, its weights not installed here, or no such preset)."""
        ...


class ClassicBackend:
    """CPU backend: face analysis, landmark-aligned fusion, colour and retouching."""

    name = "classic"

    def check(self, photos: Sequence[bytes], *, same_person: bool = True) -> list[PhotoCheck]:
        return check_photos(photos, same_person=same_person)

    def train(self, photos: Sequence[bytes], *, out: Path, names: Sequence[str] | None = None,
              options: dict | None = None, on_progress: Progress | None = None) -> tuple[Avatar, list[PhotoCheck]]:
        avatar, checks = avatar_build(photos, names=names, on_progress=on_progress)
        avatar_save(avatar, out)
        if on_progress:
            on_progress(1.0)
        return avatar, checks

    def load_avatar(self, path: Path) -> Avatar:
        return avatar_load(path)

    def avatar_from_photos(self, photos: Sequence[bytes]) -> Avatar:
        avatar, _ = avatar_build(photos)
        return avatar

    def create(self, template: bytes | np.ndarray, *, avatars: Sequence[Avatar], options: dict | None = None,
               n: int = 1, on_progress: Progress | None = None) -> Portraits:
        return portrait_create(template, avatars, options=PortraitOptions.parse(options), n=n, on_progress=on_progress)

    def template_faces(self, template: bytes | np.ndarray) -> list[TemplateFace]:
        return template_inspect(template)

    def stylize(self, image: bytes | np.ndarray, *, style_index: int | None = None,
                reference: bytes | np.ndarray | None = None) -> Stylized:
        return stylize(image, style_index=style_index, reference=reference)

    def style_presets(self) -> Sequence[StylePreset]:
        return STYLE_PRESETS

    def idphoto(self, photo: bytes, *, size: str = "1inch", background: str | tuple[int, int, int] = "white",
                sheet: bool | str = False, draft: bool | None = None) -> IdPhoto:
        made = idphoto_create(photo, size=size, background=background, sheet=sheet, draft=draft is not False)
        if draft is None:
            refuse_turned_head(made)
        return made

    def headshot(self, photo: bytes, *, backdrop: str = "studio_grey", aspect: str = "4:5",
                 colour: tuple[int, int, int] | str | None = None, variant: int = 0) -> Headshot:
        return headshot_create(photo, backdrop=backdrop, aspect=aspect, colour=colour, variant=variant)

    def headshot_backdrop(self, backdrop: str = "studio_grey", *, aspect: str = "4:5",
                          colour: tuple[int, int, int] | str | None = None,
                          size: tuple[int, int] | None = None) -> np.ndarray:
        return backdrop_alone(backdrop, size=size or frame_size(aspect, 1280), colour=colour)

    def options_check(self, options: dict | None) -> None:
        PortraitOptions.parse(options)

    def preset_options(self, key: str) -> dict | None:
        return None  # no text-to-image on the CPU


def _diffusion() -> Backend:
    # Imported only when asked for: torch and diffusers are the [gpu] extra, never the CPU path's.
    try:
        from .diffusion.backend import DiffusionBackend
    except ImportError as exc:
        raise EngineError(
            ErrorCode.UNSUPPORTED_OPTION,
            f"The diffusion backend needs the GPU extra (pip install -r requirements/gpu.txt): {exc}.",
        ) from exc
    return DiffusionBackend()


_BACKENDS: dict[str, Callable[[], Backend]] = {"classic": ClassicBackend, "diffusion": _diffusion}


def get_backend(name: str = "classic") -> Backend:
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise EngineError(
            ErrorCode.INVALID_OPTION, f"Unknown engine backend {name!r}; available: {', '.join(_BACKENDS)}."
        ) from None
