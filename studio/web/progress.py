"""What a progress bar shows of a job: state, percent and an estimate of the time left."""
from __future__ import annotations

from django.utils import timezone

from jobs.models import Job, JobState

# Before a job reports any progress there is nothing to extrapolate from: typical classic-engine
# durations (seconds) give the first estimate.
TYPICAL_SECONDS = {"check": 3, "train": 20, "create": 15, "stylize": 5, "idphoto": 5}


def job_eta_seconds(job: Job) -> int | None:
    """Seconds left, from the pace so far; None once the job is final."""
    if job.is_final:
        return None
    typical = TYPICAL_SECONDS.get(job.kind, 20)
    if job.state == JobState.QUEUED or job.started_at is None:
        return typical
    elapsed = (timezone.now() - job.started_at).total_seconds()
    if job.progress <= 0:
        return max(1, round(typical - elapsed))
    return max(1, round(elapsed * (100 - job.progress) / job.progress))


def job_status(job: Job) -> dict:
    """The JSON the pages poll (and the server-rendered first paint)."""
    status = {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": 100 if job.state == JobState.SUCCEEDED else job.progress,
        "final": job.is_final,
        "eta_seconds": job_eta_seconds(job),
        "error": job.error_message if job.state == JobState.FAILED else "",
    }
    if job.state == JobState.SUCCEEDED and (job.result or {}).get("note"):
        status["note"] = job.result["note"]  # why fewer portraits than asked were made
    if job.kind == "check" and job.state == JobState.SUCCEEDED and job.result:
        status["checks"] = [
            {"photo": item.get("photo"), "passed": item.get("code") == 1, "message": item.get("message", ""),
             "reasons": item.get("reasons", []), "notes": item.get("notes", [])}
            for item in job.result.get("check_results", [])
        ]
    return status
