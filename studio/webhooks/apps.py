from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "studio.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Billing announces a low balance; webhooks carry it to the customer's endpoints.
        from billing.events import balance_low_subscribe

        from .services import webhooks_balance_low

        balance_low_subscribe(webhooks_balance_low)
