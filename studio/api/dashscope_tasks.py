"""The DashScope API's fine-tunes (avatar training, facechain-finetune) and tasks endpoints: get,
cancel and list, each scoped to the caller's account (anything else is UNKNOWN or NotFound).
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from accounts.models import ApiKey
from jobs.models import Job, JobKind, JobState
from jobs.services import job_cancel
from studio.portraits.selectors import job_get_for
from studio.portraits.services.avatars import avatar_train_submit
from studio.portraits.services.intake import inputs_kept_on_success, photo_store, url_shown

from .dashscope import USER_PHOTO, ds_view, fetched_within, invalid, model_required, url_of
from .dashscope_wire import (
    FINE_TUNE_PREFIX,
    MODEL_FINETUNE,
    MODEL_OF_KIND,
    STATE_OF_STATUS,
    DashScopeError,
    ds_ok,
    fine_tune_output,
    is_expired,
    job_id_from,
    task_list_item,
    task_output,
    unknown_output,
)
from .throttle import SOURCE

MAX_TRAINING_FILES = 10
# Kept with the job and echoed by every query: a few options, not a payload.
MAX_HYPER_PARAMETERS_CHARACTERS = 4096


# --- fine-tunes (avatar training) ----------------------------------------------------------------

@ds_view(methods=("GET", "POST"), kind="finetune")
def fine_tunes(request: HttpRequest, key: ApiKey, body: dict, rid: str) -> JsonResponse:
    if request.method == "GET":
        return _fine_tune_list(request, key, rid)
    model_required(body, MODEL_FINETUNE)
    urls = body.get("training_file_ids")
    if not isinstance(urls, list) or not 1 <= len(urls) <= MAX_TRAINING_FILES:
        raise invalid(f"training_file_ids must list 1 to {MAX_TRAINING_FILES} photo URLs.")
    urls = [url_of(url, "training_file_ids[]") for url in urls]
    hyper = body.get("hyper_parameters") or {}
    if not isinstance(hyper, dict) or len(json.dumps(hyper)) > MAX_HYPER_PARAMETERS_CHARACTERS:
        raise invalid(f"hyper_parameters must be an object of at most {MAX_HYPER_PARAMETERS_CHARACTERS} characters.")
    fetched = fetched_within(urls, USER_PHOTO)
    with inputs_kept_on_success():
        photos = [photo_store(owner=key.owner, fetched=f, source_url=url, position=i)
                  for i, (url, f) in enumerate(zip(urls, fetched))]
        _, job = avatar_train_submit(owner=key.owner, photos=photos, source=SOURCE, app_id=key.prefix,
                                     options={"training_file_ids": [url_shown(url) for url in urls],
                                              "hyper_parameters": hyper})
    return ds_ok({"output": fine_tune_output(job)}, rid=rid)


def _fine_tune_job(owner, fine_tune_id: str) -> Job:
    job_id = job_id_from(fine_tune_id[len(FINE_TUNE_PREFIX):]) if fine_tune_id.startswith(FINE_TUNE_PREFIX) else None
    job = job_get_for(owner=owner, job_id=job_id) if job_id is not None else None
    if job is None or job.kind != JobKind.TRAIN:
        raise DashScopeError(404, "NotFound", f"The fine-tune job {fine_tune_id} does not exist.")
    return job


@ds_view(methods=("GET",), kind="query")
def fine_tune(request: HttpRequest, key: ApiKey, body: dict, rid: str, fine_tune_id: str) -> JsonResponse:
    return ds_ok({"output": fine_tune_output(_fine_tune_job(key.owner, fine_tune_id))}, rid=rid)


@ds_view(methods=("POST",), kind="query")
def fine_tune_cancel(request: HttpRequest, key: ApiKey, body: dict, rid: str, fine_tune_id: str) -> JsonResponse:
    job = _fine_tune_job(key.owner, fine_tune_id)
    job_cancel(job=job)
    return ds_ok({"output": {"status": "success" if job.state == JobState.CANCELED else "failed"}}, rid=rid)


def _fine_tune_list(request: HttpRequest, key: ApiKey, rid: str) -> JsonResponse:
    page_no, page_size = _paging(request)
    jobs = Job.objects.filter(owner=key.owner, kind=JobKind.TRAIN, source=SOURCE).select_related("avatar_link__avatar")
    total = jobs.count()
    page = jobs.order_by("-created_at", "-id")[(page_no - 1) * page_size: page_no * page_size]
    return ds_ok({"output": {"jobs": [fine_tune_output(job) for job in page], "page_no": page_no,
                             "page_size": page_size, "total": total}}, rid=rid)


# --- tasks -------------------------------------------------------------------------------------

def _task_job(owner, task_id: str) -> Job | None:
    job_id = job_id_from(task_id)
    job = job_get_for(owner=owner, job_id=job_id) if job_id is not None else None
    return None if job is None or is_expired(job) else job


@ds_view(methods=("GET",), kind="query")
def task(request: HttpRequest, key: ApiKey, body: dict, rid: str, task_id: str) -> JsonResponse:
    job = _task_job(key.owner, task_id)
    if job is None:  # unknown, someone else's or past retention: all the same to the caller
        return ds_ok({"output": unknown_output(task_id)}, rid=rid)
    output, usage = task_output(job, request)
    return ds_ok({"output": output, **({"usage": usage} if usage is not None else {})}, rid=rid)


@ds_view(methods=("POST",), kind="query")
def task_cancel(request: HttpRequest, key: ApiKey, body: dict, rid: str, task_id: str) -> JsonResponse:
    """DashScope cancels PENDING tasks only."""
    job = _task_job(key.owner, task_id)
    if job is None or job.state != JobState.QUEUED or not job_cancel(job=job):
        raise DashScopeError(400, "UnsupportedOperation",
                             "Failed to cancel the task, please confirm if the task is in PENDING status.")
    return ds_ok({}, rid=rid)


def _paging(request: HttpRequest) -> tuple[int, int]:
    try:
        page_no = int(request.GET.get("page_no", 1))
        page_size = int(request.GET.get("page_size", 10))
    except ValueError:
        raise invalid("page_no and page_size must be integers.") from None
    if page_no < 1 or not 1 <= page_size <= 100:
        raise invalid("page_no starts at 1 and page_size is from 1 to 100.")
    return page_no, page_size


def _moment(request: HttpRequest, name: str) -> datetime | None:
    """A bound of the list's submission times as the SDK sends it, "20230420000000"
    (YYYYMMDDhhmmss), read in the studio's time zone like the times it answers with."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return timezone.make_aware(datetime.strptime(value, "%Y%m%d%H%M%S"))
    except ValueError:
        raise invalid(f"{name} must read like 20230420000000 (YYYYMMDDhhmmss).") from None


@ds_view(methods=("GET",), kind="query")
def tasks(request: HttpRequest, key: ApiKey, body: dict, rid: str) -> JsonResponse:
    """The account's own DashScope tasks within retention, newest first; ``status``, ``model_name``,
    ``start_time`` and ``end_time`` (submitted within, both inclusive) narrow the list."""
    page_no, page_size = _paging(request)
    jobs = Job.objects.filter(owner=key.owner, source=SOURCE).exclude(kind=JobKind.CHECK)
    status = request.GET.get("status")
    if status:
        if status not in STATE_OF_STATUS:
            raise invalid(f"status must be one of {', '.join(STATE_OF_STATUS)}.")
        jobs = jobs.filter(state=STATE_OF_STATUS[status])
    model = request.GET.get("model_name")
    if model:
        jobs = jobs.filter(kind__in=[kind for kind, name in MODEL_OF_KIND.items() if name == model])
    start, end = _moment(request, "start_time"), _moment(request, "end_time")
    if start is not None and end is not None and start > end:
        raise invalid("start_time must not be after end_time.")
    if start is not None:
        jobs = jobs.filter(created_at__gte=start)
    if end is not None:  # the whole second named counts
        jobs = jobs.filter(created_at__lt=end + timedelta(seconds=1))
    cutoff = timezone.now() - timedelta(seconds=settings.STUDIO_RESULT_URL_TTL)
    live = jobs.exclude(finished_at__lt=cutoff)
    total = live.count()
    page = live.order_by("-created_at", "-id")[(page_no - 1) * page_size: page_no * page_size]
    return ds_ok({"data": [task_list_item(job) for job in page], "total": total,
                  "total_page": math.ceil(total / page_size), "page_no": page_no, "page_size": page_size},
                 rid=rid)
