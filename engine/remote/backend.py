"""The remote backend: check, train and create on engine endpoints over the PAI wire protocol; the
rest of the surface (template inspection, stylize, ID photo, headshot) has no PAI call, so the front
does it itself with the classic engine, as it also builds each avatar's identity (embeddings) to rank
and score what the endpoints return.

Images travel inline as base64 ``data:`` URLs in the JSON bodies. The studio's PAI API accepts them
(outbound.url_fetch), so no signed media URL of the front has to be handed out and no engine studio
has to be allowed to fetch from the front: the engine studios need no route back, and nothing the
customer owns is ever reachable by URL. (Alibaba's hosted PAI wants http URLs: not supported yet.)
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import imaging
from ..backends import ClassicBackend, Progress
from ..check import PhotoCheck, Reason
from ..errors import EngineError, ErrorCode
from ..faces import analyze_faces, distance
from ..identity import Avatar, avatar_build, avatar_save
from ..options import T2I_TEMPLATE
from ..portrait import Portrait, Portraits
from .client import PaiClient, RemoteRefused, RemoteUnavailable
from .endpoints import Endpoint
from .monitor import Monitor
from .pool import NO_ENDPOINT, Pool
from .transport import Transport

log = logging.getLogger(__name__)

ROUTE_FILE = "remote.json"  # in the avatar's folder: the endpoint it was trained on and its model_id there
PHOTOS_DIR = "remote-photos"  # the photos, to train it again elsewhere if that endpoint is lost
# Portraits asked of an engine studio per create call: its PAI create's n extension allows up to 4
# (studio.api.pai.CREATE_MAX_N; the engine never imports the studio).
REMOTE_MAX_N = 4
# A portrait with no face the front can measure: ranked last.
UNMEASURED = 1.0


class RemoteBackend(ClassicBackend):
    name = "remote"

    def __init__(self, endpoints: Sequence[Endpoint], *, transport: Transport, monitor: Monitor | None = None,
                 poll_interval: float = 1.0, train_timeout: float = 3600.0, lost_after: float = 60.0,
                 **client_options) -> None:
        self.pool = Pool(endpoints, transport=transport, monitor=monitor, **client_options)
        self.poll_interval = poll_interval
        self.train_timeout = train_timeout
        self.lost_after = lost_after  # seconds an endpoint may fail to answer a job query before its training is lost

    # -- check -----------------------------------------------------------------------------------
    def check(self, photos: Sequence[bytes], *, same_person: bool = True) -> list[PhotoCheck]:
        urls = [_data_url(photo) for photo in photos]
        data = self._anywhere(lambda client: client.check(urls, same_person=same_person))
        return [_photo_check(verdict) for verdict in data.get("check_results", [])]

    # -- train -----------------------------------------------------------------------------------
    def train(self, photos: Sequence[bytes], *, out: Path, names: Sequence[str] | None = None,
              options: dict | None = None, on_progress: Progress | None = None) -> tuple[Avatar, list[PhotoCheck]]:
        names = list(names or [f"photo {i + 1}" for i in range(len(photos))])
        endpoint, model_id, result = self._train_somewhere(list(photos), options, on_progress)
        # The front's own identity of the person: to rank and score the portraits the endpoint returns.
        avatar, local_checks = avatar_build(photos, names=names)
        avatar_save(avatar, out)
        _route_write(out, endpoint=endpoint, model_id=model_id, photos=photos)
        states = result.get("states") or []
        checks = [_photo_check(s) for s in states] if len(states) == len(photos) else local_checks
        if on_progress:
            on_progress(1.0)
        return avatar, checks

    def _train_somewhere(self, photos: list[bytes], options: dict | None, on_progress: Progress | None,
                         exclude: Sequence[str] = ()) -> tuple[str, str, dict]:
        """(endpoint, remote model_id, Result) of a training done on the least-loaded endpoint; an
        endpoint lost while it trains is left for the next one, from the same photos."""
        urls = [_data_url(photo) for photo in photos]
        model_name, configure = _train_options(options)
        tried = list(exclude)
        while True:
            candidates = self.pool.ranked(exclude=tried)
            if not candidates:
                raise EngineError(ErrorCode.INTERNAL, NO_ENDPOINT)
            client = candidates[0]
            tried.append(client.endpoint.name)
            with self.pool.busy(client):
                try:
                    job_id, model_id = client.train(urls, model_name=model_name, configure=configure)
                    result = self._wait(client, job_id, on_progress)
                except RemoteUnavailable as exc:
                    log.warning("remote %s lost a training (%s); training elsewhere", client.endpoint.name, exc)
                    continue
                except RemoteRefused as exc:
                    raise EngineError(_refusal_code(exc.message), exc.message) from None
            return client.endpoint.name, model_id, result

    def _wait(self, client: PaiClient, job_id: int, on_progress: Progress | None) -> dict:
        deadline = time.monotonic() + self.train_timeout
        silent_since: float | None = None
        fraction = 0.0
        while time.monotonic() < deadline:
            try:
                job = client.job(job_id)
            except RemoteUnavailable:
                silent_since = silent_since or time.monotonic()
                if time.monotonic() - silent_since > self.lost_after:
                    raise
                job = None
            else:
                silent_since = None
                if job.state == 2:
                    return job.result
                if job.state == 3:
                    raise RemoteRefused(job.message or "the training failed on the engine studio")
                fraction = 0.95 * min(job.progress, 99) / 100
            if on_progress:
                on_progress(fraction)  # also while the endpoint is silent: the front job keeps its lease
            time.sleep(self.poll_interval)
        raise RemoteUnavailable(f"the training on {client.endpoint.name} did not end within {self.train_timeout:g} s")

    # -- avatars ---------------------------------------------------------------------------------
    def load_avatar(self, path: Path) -> Avatar:
        avatar = super().load_avatar(path)
        route = _route_read(path)
        avatar.meta["remote"] = route
        avatar.meta["remote_folder"] = str(path)
        return avatar

    def avatar_from_photos(self, photos: Sequence[bytes]) -> Avatar:
        avatar = super().avatar_from_photos(photos)
        avatar.meta["train_free_photos"] = list(photos)
        return avatar

    # -- create ----------------------------------------------------------------------------------
    def create(self, template: bytes | np.ndarray, *, avatars: Sequence[Avatar], options: dict | None = None,
               n: int = 1, on_progress: Progress | None = None) -> Portraits:
        self.options_check(options)
        template_url = template if isinstance(template, str) and template == T2I_TEMPLATE else _data_url(template)
        configure = dict(options or {})
        train_free = [a for a in avatars if "train_free_photos" in a.meta]
        if train_free:
            configure |= {"ipa_control_only": True,
                          "ipa_image_path": [_data_url(p) for p in train_free[0].meta["train_free_photos"]]}
        made: list[Portrait] = []
        seen: set[str] = set()
        wanted, calls = max(1, n), 0
        while len(made) < wanted and calls < wanted:
            # An avatar trained again elsewhere first reports as it trains: the front job keeps its lease.
            done = len(made) / wanted
            keepalive = (lambda _fraction: on_progress(done)) if on_progress else None
            asked = min(wanted - len(made), REMOTE_MAX_N)
            images = self._create_once(template_url, avatars, configure, train_free=bool(train_free),
                                       keepalive=keepalive, n=asked)
            calls += 1
            fresh = [image for image in images if hashlib.sha256(image).hexdigest() not in seen]
            for image in fresh:
                seen.add(hashlib.sha256(image).hexdigest())
                made.append(_portrait(image, avatars, configure))
            if on_progress:
                on_progress(min(len(made) / wanted, 1.0))
            # Fewer than asked is all the engine studio has (its own distinct candidates); an
            # engine that ignores n answers one at a time until it repeats itself.
            if not fresh or (len(images) > 1 and len(images) < asked):
                break
        made = made[:wanted]
        made.sort(key=lambda p: p.identity_distance)
        reason = "" if len(made) >= n else f"the engine studio gave {len(made)} distinct portrait(s) of this template"
        return Portraits(made, requested=n, reason=reason)

    def _create_once(self, template_url: str, avatars: Sequence[Avatar], configure: dict, *, train_free: bool,
                     keepalive: Progress | None = None, n: int = 1) -> list[bytes]:
        if train_free:
            return self._anywhere(lambda client: client.create(template_url=template_url, model_ids=[],
                                                               configure=configure, n=n))
        endpoint, model_ids = self._route(avatars, keepalive)
        client = self.pool.client(endpoint)
        try:
            if client is None or client.breaker.is_open:
                raise RemoteUnavailable(f"{endpoint} is not in the pool or is resting")
            with self.pool.busy(client):
                return client.create(template_url=template_url, model_ids=model_ids, configure=configure, n=n)
        except RemoteRefused as exc:
            raise EngineError(_refusal_code(exc.message), exc.message) from None
        except RemoteUnavailable as exc:
            # The avatars' LoRAs live on that endpoint: train them again on another, then create there.
            log.warning("remote %s unavailable for a create (%s); training its avatars elsewhere", endpoint, exc)
            self._retrain(avatars, lost=endpoint, keepalive=keepalive)
            return self._create_once(template_url, avatars, configure, train_free=False, keepalive=keepalive, n=n)

    def _route(self, avatars: Sequence[Avatar], keepalive: Progress | None = None) -> tuple[str, list[str]]:
        routes = [self._current(a.meta.get("remote") or {}) for a in avatars]
        endpoints = {endpoint for endpoint, _ in routes}
        if not routes or "" in endpoints:
            raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar was not trained on a remote engine; train it again.")
        if len(endpoints) > 1:
            # A portrait is made where every avatar's LoRA lives: move the others to the first one's endpoint.
            first = routes[0][0]
            self._retrain([a for a, (e, _) in zip(avatars, routes) if e != first], lost=None, to=first,
                          keepalive=keepalive)
            return self._route(avatars)
        return routes[0][0], [model_id for _, model_id in routes]

    def _current(self, route: dict) -> tuple[str, str]:
        key = (route.get("endpoint", ""), route.get("model_id", ""))
        return self.pool.monitor.route_get(*key) or key

    def _retrain(self, avatars: Sequence[Avatar], *, lost: str | None, to: str | None = None,
                 keepalive: Progress | None = None) -> None:
        for avatar in avatars:
            route = avatar.meta.get("remote") or {}
            if lost is not None and self._current(route)[0] != lost:
                continue
            photos = _route_photos(Path(avatar.meta["remote_folder"]))
            exclude = [n for n in self.pool.clients if n != to] if to else [lost]
            endpoint, model_id, _ = self._train_somewhere(photos, None, keepalive, exclude=exclude)
            self.pool.monitor.route_put((route.get("endpoint", ""), route.get("model_id", "")), (endpoint, model_id))

    def _anywhere(self, call):
        """``call`` on the least-loaded endpoint, then the next ones while they are unavailable."""
        last: Exception | None = None
        for client in self.pool.ranked():
            with self.pool.busy(client):
                try:
                    return call(client)
                except RemoteUnavailable as exc:
                    last = exc
                except RemoteRefused as exc:
                    raise EngineError(_refusal_code(exc.message), exc.message) from None
        raise EngineError(ErrorCode.INTERNAL, NO_ENDPOINT) from last


# A photo larger than this travels re-encoded at the engine's working size (imaging.DEFAULT_MAX_SIDE,
# which the engine studio would decode it to anyway): 20 phone photos then stay well inside the
# engine studio's request limit (STUDIO_REQUEST_MAX_BYTES, 30 MB by default).
INLINE_MAX_BYTES = 1_500_000


def _data_url(image: bytes | np.ndarray) -> str:
    if isinstance(image, bytes) and len(image) > INLINE_MAX_BYTES:
        image = imaging.decode(image).rgb
    data = imaging.encode(image, format="JPEG", quality=92) if isinstance(image, np.ndarray) else image
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def _train_options(options: dict | None) -> tuple[str, dict]:
    """The studio keeps a PAI training's options as {"model_name", "configure"}; other APIs give configure keys."""
    options = dict(options or {})
    if "configure" in options or "model_name" in options:
        return str(options.get("model_name") or ""), dict(options.get("configure") or {})
    return "", options


def _photo_check(verdict: dict) -> PhotoCheck:
    reasons = [Reason(key="remote", text=str(text)) for text in verdict.get("reasons", [])]
    return PhotoCheck(code=int(verdict.get("code", 4)), frontal=bool(verdict.get("frontal", False)), reasons=reasons)


def _portrait(image: bytes, avatars: Sequence[Avatar], configure: dict) -> Portrait:
    from ..options import PortraitOptions

    rgb = imaging.decode(image).rgb
    faces = [f for f in analyze_faces(rgb) if f.embedding is not None]
    distances = [round(distance(face.embedding, avatar.mean_embedding), 4) for face, avatar in zip(faces, avatars)]
    warnings = [] if len(distances) == len(avatars) else ["The front could not find every face in the portrait "
                                                          "to measure its likeness."]
    return Portrait(image=rgb, identity_distance=float(np.mean(distances)) if distances else UNMEASURED,
                    face_distances=distances, references=[], options=PortraitOptions.parse(
                        {k: v for k, v in configure.items() if k not in ("ipa_image_path", "ipa_control_only")}),
                    warnings=warnings)


_CODES = (
    ("model not found", ErrorCode.AVATAR_NOT_FOUND),
    ("There is not face in template", ErrorCode.TEMPLATE_NO_FACE),
    ("Template image decode", ErrorCode.TEMPLATE_DECODE),
    ("number of faces in the template", ErrorCode.FACE_COUNT),
    ("all images are invalid", ErrorCode.NO_USABLE_PHOTO),
    ("Image decode error", ErrorCode.IMAGE_DECODE),
)


def _refusal_code(message: str) -> ErrorCode:
    return next((code for words, code in _CODES if words.lower() in message.lower()), ErrorCode.INVALID_OPTION)


def _route_write(folder: Path, *, endpoint: str, model_id: str, photos: Sequence[bytes] | None = None) -> None:
    if photos is not None:
        (folder / PHOTOS_DIR).mkdir(exist_ok=True)
        for index, photo in enumerate(photos):
            (folder / PHOTOS_DIR / f"{index:02d}.img").write_bytes(photo)
    (folder / ROUTE_FILE).write_text(json.dumps({"endpoint": endpoint, "model_id": model_id}))


def _route_read(folder: Path) -> dict:
    try:
        route = json.loads((Path(folder) / ROUTE_FILE).read_text())
    except (OSError, ValueError):
        raise EngineError(ErrorCode.AVATAR_INVALID,
                          "The avatar was not trained by a remote engine; train it again to use it here.") from None
    if not isinstance(route, dict) or not route.get("endpoint") or not route.get("model_id"):
        raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar's {ROUTE_FILE} is malformed.")
    return route


def _route_photos(folder: Path) -> list[bytes]:
    photos = sorted((folder / PHOTOS_DIR).glob("*.img"))
    if not photos:
        raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar's photos are not kept: it cannot be trained again.")
    return [p.read_bytes() for p in photos]
