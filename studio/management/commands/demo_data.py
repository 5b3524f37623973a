"""Demo data for `make run`: a demo account that can use the admin, one PAI API credential, and
the catalog a fresh machine can have (seed_catalog).

Idempotent: run it again and it keeps the account and its credentials (resetting the password
to DEMO_PASSWORD, so that what it prints is true) and the catalog. Runs only with DEBUG on: the
account is a superuser whose password is printed and, by default, public.
"""
from __future__ import annotations

import io
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.selectors import credential_list_for
from accounts.services import credential_create, user_get_or_create
from studio.catalog.models import Style

DEMO_EMAIL = "demo@example.com"
DEFAULT_PASSWORD = "demo-studio"


class Command(BaseCommand):
    help = f"Create the demo account {DEMO_EMAIL} (password from DEMO_PASSWORD) and a PAI API credential."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                f"demo_data makes {DEMO_EMAIL} a superuser with a known password, so it runs only with "
                "DEBUG on (make run sets it). On a real deployment create an admin with "
                "`python manage.py createsuperuser` and load the catalog with `python manage.py seed_catalog`."
            )
        # The catalog's line-per-style report is for admins running it alone; the demo says one line.
        call_command("seed_catalog", stdout=io.StringIO())
        styles = Style.objects.filter(is_active=True).count()
        self.stdout.write(f"Catalog: {styles} styles (import a template pack with manage.py import_templates DIR)")
        password = os.getenv("DEMO_PASSWORD") or DEFAULT_PASSWORD
        user, created = user_get_or_create(email=DEMO_EMAIL)
        # Staff and superuser only so that the admin, the one page there is for now, works for the demo.
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            f"Demo login: {DEMO_EMAIL} / {password} ({'created' if created else 'exists'}; "
            "staff and superuser so that the admin works for the demo)"
        )
        if credential_list_for(owner=user).filter(revoked_at__isnull=True).exists():
            # The token is shown once at creation and kept only encrypted: don't print it again.
            self.stdout.write(
                "Demo API credential: an API credential exists "
                f"(create another with manage.py credentials create --email {DEMO_EMAIL})"
            )
            return
        issued = credential_create(owner=user, name="demo")
        self.stdout.write(
            f"Demo API credential: AppId {issued.app_id}  Token {issued.token}  (the token is not shown again)"
        )
