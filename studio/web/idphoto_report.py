"""An ID photo job's compliance report as the website shows it: each check with a title, what
was measured, what is allowed, and for a failed one the engine's plain words on how to fix it."""
from __future__ import annotations

from django.http import HttpRequest

from jobs.models import Job, JobKind

from .views.common import signed

TITLES = {
    "one_person": "Only one person", "whole_person_in_photo": "Head and shoulders in the photo",
    "shoulders_in_photo": "Shoulders in the photo", "face_found": "Face found", "head_height": "Head height",
    "head_top": "Space above the head", "eye_line": "Eye line", "head_yaw": "Face turned (left/right)",
    "head_pitch": "Head tilted (up/down)", "head_roll": "Head tilted (sideways)", "eyes_open": "Eyes open",
    "mouth_closed": "Mouth closed", "neutral_expression": "Neutral expression", "glasses_glare": "No glare on glasses",
    "no_glasses": "No glasses", "even_lighting": "Even light on the face", "no_hard_shadows": "No hard shadows",
    "sharpness": "Sharpness", "plain_background": "Plain background", "shoulders_square": "Shoulders square",
}


def idphoto_report(*, job: Job, request: HttpRequest) -> dict | None:
    """The report of an ID photo job (also of a refused photo), or None for other jobs and before one exists."""
    result = job.result or {}
    if job.kind != JobKind.IDPHOTO or "compliance" not in result:
        return None
    checks = [check | {"title": TITLES.get(check["name"], check["name"].replace("_", " ").capitalize()),
                       "allowed": _allowed(check["limit"])}
              for check in result["compliance"]["checks"]]
    images = result.get("images") or []
    upload = images[0].get("upload") if images else None
    return {
        "compliant": result["compliance"]["compliant"],
        "draft": bool(result.get("draft")),
        "checks": checks,
        "failed": [check for check in checks if not check["passed"]],
        "upload_url": signed(request, upload["name"]) if upload else None,
        "upload_size": f"{upload['width']}x{upload['height']} px" if upload else "",
    }


def _allowed(limit: list) -> str:
    low, high = (_number(bound) for bound in (limit + [None, None])[:2])
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return "-"


def _number(value: float | None) -> str | None:
    return None if value is None else f"{round(value, 3):g}"
