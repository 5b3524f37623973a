"""The studio's URLs and the floor bench/api.py compares them with: a bare view that does what a
PAI job query must do at the least (the same HMAC check of the signed request and one read of the
job row) without the studio's machinery (credential lookup and decryption, rate limit, envelope)."""
import hashlib
import hmac
import os

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from jobs.models import Job

# The bench's credential, given to the server by bench/api.py: the floor keeps it in memory.
_TOKEN = os.environ.get("BENCH_PAI_TOKEN", "")


@csrf_exempt
def bare_job_query(request: HttpRequest, job_id: int) -> JsonResponse:
    message = f"{request.method}\n{hashlib.md5(request.body).hexdigest()}\n{request.path.replace('/bench/bare', '/api/v1/async_jobs', 1)}"
    expected = hmac.new(_TOKEN.encode(), message.encode(), hashlib.sha256).hexdigest()
    signature = request.headers.get("Authorization", "").partition(":")[2]
    if not hmac.compare_digest(signature, expected):
        return JsonResponse({"code": "error", "message": "sign error"})
    job = Job.objects.filter(id=job_id).values("id", "state", "progress").first()
    return JsonResponse({"code": "OK", "data": job})


urlpatterns = [
    path("bench/bare/<int:job_id>", bare_job_query),
    path("", include("studio.urls")),
]
