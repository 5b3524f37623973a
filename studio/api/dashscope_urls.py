"""Routes of the DashScope-compatible API (mounted at /api/v1/)."""
from django.urls import path

from . import dashscope, dashscope_tasks

urlpatterns = [
    path("services/aigc/album/gen_potrait", dashscope.gen_portrait, name="dashscope-gen-portrait"),  # sic
    path("services/aigc/image-generation/generation", dashscope.repaint, name="dashscope-repaint"),
    path("services/vision/facedetection/detect", dashscope.facedetect, name="dashscope-facedetect"),
    path("fine-tunes", dashscope_tasks.fine_tunes, name="dashscope-fine-tunes"),
    path("fine-tunes/<str:fine_tune_id>", dashscope_tasks.fine_tune, name="dashscope-fine-tune"),
    path("fine-tunes/<str:fine_tune_id>/cancel", dashscope_tasks.fine_tune_cancel, name="dashscope-fine-tune-cancel"),
    path("tasks", dashscope_tasks.tasks, name="dashscope-tasks"),
    path("tasks/<str:task_id>", dashscope_tasks.task, name="dashscope-task"),
    path("tasks/<str:task_id>/", dashscope_tasks.task),  # the aio client adds a trailing slash
    path("tasks/<str:task_id>/cancel", dashscope_tasks.task_cancel, name="dashscope-task-cancel"),
]
