"""The website's answer when the job queue is down: a "try again" page (or JSON for the page's
scripts) with Retry-After, never a 500. job_submit refuses before anything is created or charged."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from jobs.queue import QueueUnavailable


class QueueOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, QueueUnavailable):
            return None
        if "application/json" in request.headers.get("Accept", "") or request.path.endswith((".json", "/upload/")):
            response: HttpResponse = JsonResponse({"error": exception.message}, status=503)
        else:
            response = render(request, "web/busy.html", {"message": exception.message}, status=503)
        response["Retry-After"] = str(exception.retry_after)
        return response
