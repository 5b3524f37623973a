"""Headshot jobs (create jobs with a ``headshot`` input): one headshot from each of the avatar's
best photos, up to n, on the style's backdrop; each candidate also gets its own backdrop variant.

Every photo tried is made, and the ones framed as shot come first: a photo that shows the whole
head and the shoulders beats one whose hair is cut by its top or that ends at the chin (the
engine's notes say which), so that a tight selfie crop is used only when nothing better exists,
and then with its notes as the portrait's warnings."""
from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from engine.errors import EngineError
from jobs.handlers import JobError, Outcome
from jobs.models import Job
from studio.lib.engine import engine_backend

from ..models import Avatar, Photo
from ..services.jobs import job_avatar
from .inputs import photo_bytes
from .outputs import images_discard, images_store, portraits_commit

# Photos tried at most (each takes about a second): a refusal moves on to the next one.
MAX_PHOTOS_TRIED = 8


def headshots_make(job: Job, report: Callable[[float], None]) -> Outcome:
    settings = job.input["headshot"]
    wanted = max(1, int(job.input.get("n") or 1))
    avatar = job_avatar(job)
    photos = _photos(job, avatar)
    made, refusals = [], []
    for number, photo in enumerate(photos, 1):
        try:
            headshot = engine_backend().headshot(
                photo_bytes(photo), backdrop=settings["backdrop"], aspect=settings.get("aspect", "4:5"),
                colour=settings.get("colour"), variant=len(made),
            )
        except EngineError as exc:
            refusals.append(exc.message)
        else:
            made.append((headshot, photo))
        report(0.9 * number / len(photos))
        if sum(not headshot.notes for headshot, _ in made) == wanted:
            break  # enough made from photos that needed nothing invented
    # Fewest notes first (a stable sort: among equals, the avatar's order of best photos).
    made = sorted(made, key=lambda pair: len(pair[0].notes))[:wanted]
    if not made:
        raise JobError("no_usable_photo", "None of the avatar's photos can be framed as a headshot: " + refusals[0])
    images = images_store(job, [(headshot.image, None) for headshot, _ in made])
    for image, (headshot, photo) in zip(images, made, strict=True):
        image["photo"] = photo.id
        image["backdrop"] = headshot.backdrop
        image["warnings"] = list(headshot.notes)
    result = {"images": images, "made_with": "headshot", "headshot_style": settings.get("style", ""),
              "backdrop": settings["backdrop"]}
    stand_in_for = job.input.get("stand_in_for")
    if stand_in_for:
        result["stand_in_for"] = stand_in_for
        result["made_with_note"] = (f"The style {stand_in_for} has no templates on this studio yet (no template pack "
                                    f"imported): made as a {settings.get('title') or 'headshot'} from your own photos.")
    requested = max(1, int(job.input.get("requested") or wanted))
    if len(images) < requested:
        # Billing's capture gives back the images priced and not made (billing.services._unmade).
        result["note"] = (f"{len(images)} of the {requested} headshots asked for were made: one from each of the "
                          f"avatar's photos that can be framed" + (f" ({refusals[0]})" if refusals else "") + ".")
    avatars = [avatar] if avatar is not None else []

    def commit() -> None:
        portraits_commit(job, images, avatars=avatars)
        Avatar.objects.filter(id__in=[a.id for a in avatars]).update(last_used_at=timezone.now())

    return Outcome(result=result, on_success=commit, on_discard=lambda: images_discard(images))


def _photos(job: Job, avatar: Avatar | None) -> list[Photo]:
    listed = (job.input.get("headshot_photos") or [])[:MAX_PHOTOS_TRIED]
    kept = {photo.id: photo for photo in Photo.objects.filter(owner=job.owner, avatar=avatar, id__in=listed)}
    photos = [kept[photo_id] for photo_id in listed if photo_id in kept]
    if not photos:
        raise JobError("photo_not_found", "The avatar's photos are no longer kept; a headshot is made from them.")
    return photos
