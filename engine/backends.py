"""One interface, several backends: what a job asks the engine to do, whatever does it.

Only ``classic`` exists so far; ``diffusion`` (GPU) and ``remote`` (another studio over the PAI
wire protocol) plug in here under the same names.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from .check import PhotoCheck, check_photos
from .errors import EngineError, ErrorCode
from .identity import Avatar, avatar_build, avatar_load, avatar_save
from .options import PortraitOptions
from .portrait import Portrait, portrait_create

Progress = Callable[[float], None]


class Backend(Protocol):
    name: str

    def check(self, photos: Sequence[bytes], *, same_person: bool = True) -> list[PhotoCheck]: ...

    def train(self, photos: Sequence[bytes], *, out: Path, names: Sequence[str] | None = None,
              on_progress: Progress | None = None) -> tuple[Avatar, list[PhotoCheck]]: ...

    def create(self, template: bytes, *, avatars: Sequence[Avatar], options: dict | None = None, n: int = 1,
               on_progress: Progress | None = None) -> list[Portrait]: ...


class ClassicBackend:
    """CPU backend: face analysis, landmark-aligned fusion, colour and retouching."""

    name = "classic"

    def check(self, photos: Sequence[bytes], *, same_person: bool = True) -> list[PhotoCheck]:
        return check_photos(photos, same_person=same_person)

    def train(self, photos, *, out, names=None, on_progress=None):
        avatar, checks = avatar_build(photos, names=names, on_progress=on_progress)
        avatar_save(avatar, out)
        if on_progress:
            on_progress(1.0)
        return avatar, checks

    def create(self, template, *, avatars, options=None, n=1, on_progress=None):
        return portrait_create(template, avatars, options=PortraitOptions.parse(options), n=n, on_progress=on_progress)

    def load_avatar(self, path: Path) -> Avatar:
        return avatar_load(path)

    def avatar_from_photos(self, photos: Sequence[bytes]) -> Avatar:
        """Train-free: an avatar built in memory from 1-5 photos, for one create."""
        avatar, _ = avatar_build(photos)
        return avatar


_BACKENDS = {"classic": ClassicBackend}


def get_backend(name: str = "classic") -> ClassicBackend:
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise EngineError(
            ErrorCode.INVALID_OPTION, f"Unknown engine backend {name!r}; available: {', '.join(_BACKENDS)}."
        ) from None
