"""Routes of the PAI-compatible API (mounted at /api/v1/)."""
from django.urls import path

from . import pai

urlpatterns = [
    path("aigc_images/check", pai.check, name="pai-check"),
    path("aigc_images/train", pai.train, name="pai-train"),
    path("aigc_images/create", pai.create, name="pai-create"),
    path("aigc_images/sd", pai.sd, name="pai-sd"),
    path("async_jobs/<int:job_id>", pai.async_job, name="pai-async-job"),
]
