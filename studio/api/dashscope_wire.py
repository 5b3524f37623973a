"""The DashScope wire format: error bodies, task ids, task and fine-tune documents, in one place.

See ../shared/docs/api-compat.md, section 2. The SDK reads ``output``/``usage``/``request_id`` on
HTTP 200 and ``code``/``message`` on any other status; only 503 and 504 make its ``wait`` retry.
"""
from __future__ import annotations

import hmac
import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from jobs.models import Job, JobKind, JobState
from studio.lib.media_urls import media_url_sign
from studio.portraits.services.jobs import job_avatar

INVALID_API_KEY = "InvalidApiKey"
INVALID_PARAMETER = "InvalidParameter"
INVALID_URL = "InvalidURL"
INVALID_IMAGE_RESOLUTION = "InvalidImageResolution"
INVALID_IMAGE_FORMAT = "InvalidImageFormat"
ACCESS_DENIED = "AccessDenied"
THROTTLING = "Throttling"
THROTTLING_RATE = "Throttling.RateQuota"
INTERNAL_ALGO = "InternalError.Algo"
# A passing failure of the service (here: the job queue is unreachable); HTTP 503 says "retry".
INTERNAL_ERROR = "InternalError"
# DashScope's answer when the account cannot pay for the call.
ARREARAGE = "Arrearage"

# DashScope's own wording for these.
INVALID_API_KEY_MESSAGE = "Invalid API-key provided."
SYNC_NOT_SUPPORTED = "current user api does not support synchronous calls"
RATE_MESSAGE = "Requests rate limit exceeded, please try again later."
ARREARAGE_MESSAGE = "Access denied, please make sure your account is in good standing."
INTERNAL_ERROR_MESSAGE = "An internal error has occured, please try again later or contact service support."

MODEL_GENERATION = "facechain-generation"
MODEL_FINETUNE = "facechain-finetune"
MODEL_FACEDETECT = "facechain-facedetect"
MODEL_REPAINT = "wanx-style-repaint-v1"

MODEL_OF_KIND = {
    JobKind.TRAIN: MODEL_FINETUNE,
    JobKind.CREATE: MODEL_GENERATION,
    JobKind.IDPHOTO: MODEL_GENERATION,
    JobKind.STYLIZE: MODEL_REPAINT,
    JobKind.CHECK: MODEL_FACEDETECT,
}

STATUS_OF_STATE = {
    JobState.QUEUED: "PENDING",
    JobState.RUNNING: "RUNNING",
    JobState.SUCCEEDED: "SUCCEEDED",
    JobState.FAILED: "FAILED",
    JobState.CANCELED: "CANCELED",
}
STATE_OF_STATUS = {status: state for state, status in STATUS_OF_STATE.items()}

FINE_TUNE_PREFIX = "ft-"
_TASK_ID = re.compile(r"^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$")
_SALT = "studio.api.dashscope.task_id"


class DashScopeError(Exception):
    """A refusal answered with DashScope's error body and HTTP status (and Retry-After, in seconds,
    when the client should wait)."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def request_id() -> str:
    return str(uuid.uuid4())


def ds_ok(body: dict, *, rid: str) -> JsonResponse:
    return JsonResponse({"request_id": rid, **body})


def ds_error(error: DashScopeError, *, rid: str, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"request_id": rid, "code": error.code, "message": error.message}, status=error.status)
    retry_after = error.retry_after if retry_after is None else retry_after
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def task_id_for(job: Job) -> str:
    """A UUID-shaped id: the job id in the first group, an HMAC of it in the rest (unforgeable)."""
    mac = salted_hmac(_SALT, str(job.id)).hexdigest()
    return f"{job.id:08x}-{mac[0:4]}-{mac[4:8]}-{mac[8:12]}-{mac[12:24]}"


def job_id_from(task_id: str) -> int | None:
    """The job id a task id names, or None when it is not one this studio issued."""
    match = _TASK_ID.match(task_id.strip().lower())
    if not match:
        return None
    job_id = int(match.group(1), 16)
    mac = salted_hmac(_SALT, str(job_id)).hexdigest()
    expected = f"{mac[0:4]}-{mac[4:8]}-{mac[8:12]}-{mac[12:24]}"
    given = "-".join(match.groups()[1:])
    return job_id if hmac.compare_digest(given, expected) else None


def is_expired(job: Job) -> bool:
    """Tasks and their result URLs live STUDIO_RESULT_URL_TTL (24 h) after they finish."""
    if not job.is_final:
        return False
    moment = job.finished_at or job.created_at
    return moment < timezone.now() - timedelta(seconds=settings.STUDIO_RESULT_URL_TTL)


def ds_time(moment: datetime | None) -> str | None:
    # DashScope writes "2023-11-07 15:18:03.346": local time, milliseconds. Ours is TIME_ZONE's.
    if moment is None:
        return None
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _failure(job: Job) -> tuple[str, str]:
    if job.state == JobState.CANCELED:
        return "TaskCanceled", job.error_message or "The task was canceled."
    return INTERNAL_ALGO, job.error_message or "The task failed."


def _requested_images(job: Job) -> int:
    if job.kind == JobKind.CREATE:  # a headshot's n as asked (``requested``): an avatar with fewer photos gets fewer
        return max(1, int(job.input.get("requested") or job.input.get("n", 1)))
    if job.kind == JobKind.IDPHOTO:  # n as asked; an avatar with fewer photos gets fewer
        return max(1, int(job.input.get("requested") or 1))
    return 1


def task_output(job: Job, request: HttpRequest) -> tuple[dict, dict | None]:
    """``output`` and ``usage`` of GET tasks/{id}."""
    status = STATUS_OF_STATE[JobState(job.state)]
    output: dict = {
        "task_id": task_id_for(job),
        "task_status": status,
        "submit_time": ds_time(job.created_at),
        "scheduled_time": ds_time(job.started_at),
        "end_time": ds_time(job.finished_at),
    }
    output = {key: value for key, value in output.items() if value is not None}
    usage = None
    if job.state == JobState.SUCCEEDED:
        result = job.result or {}
        if job.kind == JobKind.TRAIN:
            output["finetuned_output"] = result.get("model_id") or _model_id(job)
        elif job.kind == JobKind.CHECK:
            output.update(facedetect_output(result.get("check_results", [])))
        else:
            images = result.get("images", [])
            output["results"] = [_result_item(image, request) for image in images]
            total = max(_requested_images(job), len(images))
            output["task_metrics"] = {"TOTAL": total, "SUCCEEDED": len(images), "FAILED": total - len(images)}
            if result.get("note"):  # why fewer images than asked came back
                output["message"] = result["note"]
            if result.get("stand_in_for"):
                # A preset made without its templates (no pack on this studio): which style made it.
                # Not a DashScope key; its SDK keeps an output's unknown keys.
                output["made_with"] = result["made_with"]
                output["made_with_style"] = result.get("headshot_style", "")
                output["message"] = " ".join(filter(None, [result.get("made_with_note"), output.get("message")]))
            elif result.get("made_with"):
                output["made_with"] = result["made_with"]
            usage = {"image_count": len(images)}
    elif job.state in (JobState.FAILED, JobState.CANCELED):
        output["code"], output["message"] = _failure(job)
        if (job.result or {}).get("compliance"):  # an ID photo refused: which checks failed, as on success
            output["compliance"] = job.result["compliance"]
        if job.kind in (JobKind.CREATE, JobKind.IDPHOTO, JobKind.STYLIZE):
            total = _requested_images(job)
            output["task_metrics"] = {"TOTAL": total, "SUCCEEDED": 0, "FAILED": total}
    return output, usage


def _result_item(image: dict, request: HttpRequest) -> dict:
    item = {"url": media_url_sign(name=image["name"], request=request)}
    if image.get("warnings"):
        # Not in DashScope's documents, but its SDK keeps unknown keys of a result (ImageSynthesisResult
        # takes **kwargs), and only portraits with a warning carry it.
        item["warnings"] = image["warnings"]
    if image.get("compliance"):  # ID photos: the report, and the digital upload version where the size has one
        item["compliance"] = image["compliance"]
        if image.get("upload"):
            item["upload_url"] = media_url_sign(name=image["upload"]["name"], request=request)
    return item


def unknown_output(task_id: str) -> dict:
    return {"task_id": task_id, "task_status": "UNKNOWN"}


def facedetect_output(verdicts: list[dict]) -> dict:
    """facechain-facedetect's answer: one boolean and one reason per image, in order."""
    is_face = [int(verdict.get("code", 0)) == 1 for verdict in verdicts]
    reasons = [
        "" if ok else "; ".join(verdict.get("reasons") or []) or verdict.get("message", "")
        for ok, verdict in zip(is_face, verdicts)
    ]
    return {"is_face": is_face, "failed_reason": reasons}


def task_list_item(job: Job) -> dict:
    """One item of GET tasks: DashScope's list fields (times in epoch milliseconds), with
    ``task_status`` as GET tasks/{id} spells it."""
    status = STATUS_OF_STATE[JobState(job.state)]
    return {
        "task_id": task_id_for(job),
        "task_status": status,
        "status": status,
        "model_name": MODEL_OF_KIND.get(JobKind(job.kind), ""),
        "gmt_create": int(job.created_at.timestamp() * 1000),
        "start_time": int(job.started_at.timestamp() * 1000) if job.started_at else None,
        "end_time": int(job.finished_at.timestamp() * 1000) if job.finished_at else None,
    }


def fine_tune_id_for(job: Job) -> str:
    return FINE_TUNE_PREFIX + task_id_for(job)


def _model_id(job: Job) -> str:
    avatar = job_avatar(job)
    return str(avatar.model_id) if avatar else ""


def fine_tune_output(job: Job) -> dict:
    """One fine-tune job as FineTunes.call/get read it; finetuned_output, the avatar's model_id that
    partners pass as a facelora resource_id, appears once the training succeeded (as DashScope's)."""
    status = STATUS_OF_STATE[JobState(job.state)]
    options = job.input.get("options") or {}
    output = {
        "job_id": fine_tune_id_for(job),
        "job_name": fine_tune_id_for(job),
        "status": status,
        "model": MODEL_FINETUNE,
        "base_model": MODEL_FINETUNE,
        "training_file_ids": list(options.get("training_file_ids", [])),
        "validation_file_ids": [],
        "hyper_parameters": options.get("hyper_parameters", {}),
        "training_type": "sft",
        "create_time": job.created_at and timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "group": "facechain",
    }
    if job.state == JobState.SUCCEEDED:
        output["finetuned_output"] = (job.result or {}).get("model_id") or _model_id(job)
    if job.finished_at:
        output["end_time"] = timezone.localtime(job.finished_at).strftime("%Y-%m-%d %H:%M:%S")
    if job.state in (JobState.FAILED, JobState.CANCELED):
        output["code"], output["message"] = _failure(job)
        if (job.result or {}).get("compliance"):  # an ID photo refused: which checks failed, as on success
            output["compliance"] = job.result["compliance"]
    return output
