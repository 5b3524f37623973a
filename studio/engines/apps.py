from django.apps import AppConfig


class EnginesConfig(AppConfig):
    """The engine endpoints of STUDIO_ENGINE=remote: their health, load and recent errors, the admin's
    own endpoints, and where avatars were trained again after their endpoint was lost."""

    name = "studio.engines"
    label = "engines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from studio.lib.engine import remote_monitor_register

        from .monitor import DatabaseMonitor

        remote_monitor_register(DatabaseMonitor)
