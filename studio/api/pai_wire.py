"""The PAI wire format: envelopes, job states and the documented error messages, in one place."""
from __future__ import annotations

import json
import uuid

from django.http import JsonResponse

from jobs.models import Job, JobState
from studio.portraits.services.jobs import job_avatar

INVALID_INPUT = "Invalid input data. Please check the input dict."
NO_TEMPLATE = "Image not provided. Please check the template_image."
NO_MODEL_ID = "Prompts get error. Please check the model_id."
MODEL_NOT_FOUND = "model not found"
ALL_INVALID = "all images are invalid"
EXCEEDED_QUOTA = "exceeded quota"
# Not in PAI's documents, which list no outage answer: worded so that a person knows to try again.
BUSY = "system busy: the job queue cannot be reached; nothing was submitted or charged, please try again later."
WAITERS_BUSY = ("system busy: too many requests are waiting for their jobs on this server; nothing was submitted "
                "or charged, please try again in a moment.")

# 0 init, 1 waiting or running, 2 success, 3 failed (canceled counts as failed for the SDKs).
STATE_CODES = {
    JobState.QUEUED: 1,
    JobState.RUNNING: 1,
    JobState.SUCCEEDED: 2,
    JobState.FAILED: 3,
    JobState.CANCELED: 3,
}


def request_id() -> str:
    return str(uuid.uuid4())


def pai_ok(data: dict, *, rid: str) -> JsonResponse:
    return JsonResponse({"request_id": rid, "code": "OK", "message": "success", "data": data})


def pai_error(message: str, *, rid: str, data: dict | None = None, status: int = 200) -> JsonResponse:
    # HTTP 200 for every request an endpoint processed: every SDK raises on other statuses and hides
    # the message. Other statuses only where no endpoint took the request (unknown path, method).
    return JsonResponse({"request_id": rid, "code": "error", "message": message, "data": data or {}},
                        status=status)


def check_result(*, url: str, verdict: dict) -> dict:
    """One image of a check answer: the SDK's four keys, then the studio's reasons."""
    return {
        "url": url,
        "message": verdict["message"],
        "code": int(verdict["code"]),
        "frontal": bool(verdict.get("frontal", False)),
        "reasons": verdict.get("reasons", []),
    }


def job_message(job: Job) -> str:
    if job.state == JobState.SUCCEEDED:
        return "success"
    if job.state in (JobState.FAILED, JobState.CANCELED):
        return job.error_message or job.state
    return "running" if job.state == JobState.RUNNING else "waiting"


def job_result(job: Job) -> str:
    """The ``Result`` string: a JSON document encoded as a string (Go cannot decode an object)."""
    result = dict(job.result or {})
    if job.kind == "train":
        payload = {
            "cost_time": job.cost_time or 0.0,
            "states": [check_result(url=s.get("url", ""), verdict=s) for s in result.get("states", [])],
            "model_id": str(avatar.model_id) if (avatar := job_avatar(job)) else result.get("model_id", ""),
        }
    elif job.kind == "check":
        payload = {
            "cost_time": job.cost_time or 0.0,
            "check_results": [check_result(url=r.get("url", ""), verdict=r) for r in result.get("check_results", [])],
        }
    else:
        payload = {"cost_time": job.cost_time or 0.0, "images": len(result.get("images", []))}
        # The SDKs hand the Result string to the caller as it is: keys added inside it break no decoder.
        if result.get("note"):
            payload["note"] = result["note"]
        if any(image.get("warnings") for image in result.get("images", [])):
            payload["warnings"] = [image.get("warnings", []) for image in result["images"]]
    if job.state in (JobState.FAILED, JobState.CANCELED):
        payload["error"] = {"code": job.error_code, "message": job.error_message}
    return json.dumps(payload)


def job_document(job: Job) -> dict:
    return {
        "job": {
            "id": job.id,
            "app_id": job.app_id,
            "state": STATE_CODES[JobState(job.state)],
            "message": job_message(job),
            "progress": job.progress,
            "Result": job_result(job),
        }
    }
