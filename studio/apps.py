from django.apps import AppConfig


class StudioConfig(AppConfig):
    """The project itself: its migrations keep the history of the product's first models (moved to
    studio.portraits and studio.catalog), and its one command loads the demo."""

    name = "studio"
    verbose_name = "Studio"
