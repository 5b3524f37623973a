"""PAI API credentials from the command line: create (printing the token once), list, revoke."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import credential_list_for
from accounts.services import credential_create, credential_revoke, user_get_or_create


class Command(BaseCommand):
    help = "Create, list or revoke PAI API credentials (AppId and token) of an account."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a credential (and the account if needed).")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="")
        create.add_argument("--json", action="store_true", help='Print {"app_id": ..., "token": ...}.')
        listing = actions.add_parser("list", help="List an account's credentials (tokens are never shown).")
        listing.add_argument("--email", required=True)
        listing.add_argument("--json", action="store_true")
        revoke = actions.add_parser("revoke", help="Revoke a credential.")
        revoke.add_argument("--email", required=True)
        revoke.add_argument("app_id")

    def handle(self, *args, action: str, email: str, **options) -> None:
        if action == "create":
            owner, _ = user_get_or_create(email=email)
            issued = credential_create(owner=owner, name=options["name"])
            if options["json"]:
                self.stdout.write(json.dumps({"app_id": issued.app_id, "token": issued.token}))
            else:
                self.stdout.write(f"AppId: {issued.app_id}\nToken: {issued.token}\n(the token is not shown again)")
            return
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            raise CommandError(f"No account with the email {email}.")
        if action == "list":
            rows = [
                {
                    "app_id": c.app_id,
                    "name": c.name,
                    "created_at": c.created_at.isoformat(),
                    "last_used_at": c.last_used_at.isoformat() if c.last_used_at else None,
                    "revoked": not c.is_active,
                }
                for c in credential_list_for(owner=owner)
            ]
            if options["json"]:
                self.stdout.write(json.dumps(rows))
            else:
                for row in rows:
                    state = "revoked" if row["revoked"] else "active"
                    self.stdout.write(f"{row['app_id']}  {state:8}  {row['created_at']}  {row['name']}")
            return
        if not credential_revoke(owner=owner, app_id=options["app_id"]):
            raise CommandError(f"{email} has no active credential {options['app_id']}.")
        self.stdout.write(f"Revoked {options['app_id']}.")
