"""Files a customer uploads through the website, turned into photos the check and train jobs read."""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from engine.backends import CODE_OTHER_PERSON, CODE_SUCCESS
from engine.errors import EngineError
from jobs.models import Job
from studio.lib.engine import engine_backend
from studio.lib.moderation import Refused, moderation_check
from studio.lib.outbound import Fetched
from studio.portraits.models import Photo, PhotoOrigin
from studio.portraits.services.intake import image_admit, inputs_kept_on_success, photo_store, upload_fetched
from studio.portraits.services.photos import photos_check_submit
from studio.portraits.services.renditions import renditions_delete

# What the new-avatar page keeps waiting at once: more than training takes is never useful.
PENDING_MAX = 40


class UploadRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def fetched_from_upload(upload: UploadedFile) -> Fetched:
    """The same shape a URL download has, so that uploads go through the same intake."""
    if upload.size > settings.STUDIO_FETCH_MAX_BYTES:
        raise UploadRefused(
            f"{upload.name} is {upload.size / 2**20:.1f} MB; a photo may be at most "
            f"{settings.STUDIO_FETCH_MAX_BYTES / 2**20:.0f} MB."
        )
    fetched = upload_fetched(upload)
    if not fetched.content_type.startswith("image/") and fetched.content_type != "application/octet-stream":
        raise UploadRefused(f"{upload.name} is not an image ({fetched.content_type}).")
    try:
        image_admit(fetched.content)
    except EngineError as exc:
        raise UploadRefused(f"{upload.name}: {exc.message}") from None
    return fetched


def pending_photos_for(*, owner):
    """Photos given on the new-avatar page that no avatar has taken yet, oldest first (photos of the
    APIs and of train-free creations never wait here)."""
    return (Photo.objects.filter(owner=owner, avatar__isnull=True, origin=PhotoOrigin.WEBSITE)
            .order_by("created_at", "id"))


def photos_upload(*, owner, uploads: list[UploadedFile]) -> tuple[list[Photo], Job]:
    """Keeps the photos and submits one check job for them (one job per photo from the page's JS)."""
    if not uploads:
        raise UploadRefused("Choose at least one photo.")
    if pending_photos_for(owner=owner).count() + len(uploads) > PENDING_MAX:
        raise UploadRefused(f"At most {PENDING_MAX} photos can wait here; remove some first.")
    fetched = _allowed([fetched_from_upload(upload) for upload in uploads])
    waiting = list(pending_photos_for(owner=owner))
    with inputs_kept_on_success():
        photos = [
            photo_store(owner=owner, fetched=item, source_url="", position=len(waiting) + index,
                        origin=PhotoOrigin.WEBSITE)
            for index, item in enumerate(fetched)
        ]
        return photos, photos_check_submit(owner=owner, photos=photos, same_person=len(photos) > 1,
                                           against=_same_person_group(waiting))


def _same_person_group(waiting: list[Photo]) -> list[Photo]:
    """The photos a new one is checked against for the same person: the latest waiting ones that passed,
    were taken for another person, or are not checked yet (failed ones have no usable face)."""
    usable = [photo for photo in waiting
              if photo.check_result is None or photo.check_result.get("code") in (CODE_SUCCESS, CODE_OTHER_PERSON)]
    return usable[-SAME_PERSON_GROUP:]


# How many waiting photos a new one is checked with: each costs a re-check (well under a second).
SAME_PERSON_GROUP = 8


def _allowed(fetched: list) -> list:
    """Every photo past the moderation hook before any is kept, so a refusal leaves nothing behind."""
    for item in fetched:
        try:
            moderation_check(kind="photo", content=item.content)
        except Refused as exc:
            raise UploadRefused(exc.message) from None
    return fetched


def photo_delete(*, photo: Photo) -> None:
    renditions_delete(name=photo.image.name)
    photo.image.delete(save=False)
    photo.delete()


def train_free_photos_store(*, owner, uploads: list[UploadedFile]) -> list[Photo]:
    """The photos of one train-free creation; call inside inputs_kept_on_success with its submit."""
    fetched = _allowed([fetched_from_upload(upload) for upload in uploads])
    _checked_up_front(uploads, fetched)
    return [photo_store(owner=owner, fetched=item, source_url="", position=index, origin=PhotoOrigin.TRAIN_FREE)
            for index, item in enumerate(fetched)]


def _checked_up_front(uploads: list[UploadedFile], fetched: list[Fetched]) -> None:
    """Train-free photos get the engine's check (one face, size, the same person) before anything is
    kept or charged: a bad one is named with its reason now, not found later by a failed job."""
    checks = engine_backend().check([item.content for item in fetched], same_person=True)
    refused = [f"{upload.name}: {_why(check)}" for upload, check in zip(uploads, checks, strict=True)
               if not check.passed]
    if refused:
        raise UploadRefused("Some photos cannot be used: " + " ".join(refused))


def _why(check) -> str:
    problems = [reason.text for reason in check.reasons if reason.severity == "problem"]
    return problems[0] if problems else check.message
