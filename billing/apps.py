from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self) -> None:
        # Accounts and jobs announce; billing keeps the books (accounts.events, jobs.events).
        from accounts.events import email_confirmed_subscribe, user_created_subscribe
        from jobs.events import job_finished_subscribe, job_submitted_subscribe

        from .services import (
            account_open_for_new_user,
            job_charge_reserve_on_submit,
            job_charge_settle,
            trial_grant_on_confirmation,
        )

        user_created_subscribe(account_open_for_new_user)
        email_confirmed_subscribe(trial_grant_on_confirmation)
        job_submitted_subscribe(job_charge_reserve_on_submit)
        job_finished_subscribe(job_charge_settle)
