from django.apps import AppConfig


class PortraitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "studio.portraits"
    label = "portraits"
    verbose_name = "Avatars and portraits"

    def ready(self) -> None:
        # The product does the work of each kind of job, and tells webhooks when one ends.
        from jobs.events import job_finished_subscribe
        from jobs.handlers import handler_register
        from jobs.models import JobKind

        from .notifications import job_finished_notify
        from .work.checking import CheckHandler
        from .work.creation import CreateHandler
        from .work.job_events import job_finished_webhooks
        from .work.styling import IdPhotoHandler, StylizeHandler
        from .work.training import TrainHandler

        for kind, handler in ((JobKind.CHECK, CheckHandler), (JobKind.TRAIN, TrainHandler),
                              (JobKind.CREATE, CreateHandler), (JobKind.STYLIZE, StylizeHandler),
                              (JobKind.IDPHOTO, IdPhotoHandler)):
            handler_register(kind=kind, handler=handler())
        job_finished_subscribe(job_finished_webhooks)
        job_finished_subscribe(job_finished_notify)
