"""API keys (DashScope-compatible and native APIs) from the command line."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import apikey_list_for
from accounts.services import apikey_create, apikey_revoke, user_get_or_create


class Command(BaseCommand):
    help = "Create, list or revoke API keys of an account."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a key (and the account if needed).")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="")
        create.add_argument("--json", action="store_true", help='Print {"api_key": ...}.')
        listing = actions.add_parser("list", help="List an account's keys (the keys themselves are never shown).")
        listing.add_argument("--email", required=True)
        listing.add_argument("--json", action="store_true")
        revoke = actions.add_parser("revoke", help="Revoke a key by its id (see list).")
        revoke.add_argument("--email", required=True)
        revoke.add_argument("key_id", type=int)

    def handle(self, *args, action: str, email: str, **options) -> None:
        if action == "create":
            owner, _ = user_get_or_create(email=email)
            issued = apikey_create(owner=owner, name=options["name"])
            if options["json"]:
                self.stdout.write(json.dumps({"api_key": issued.raw}))
            else:
                self.stdout.write(f"API key: {issued.raw}\n(it is not shown again)")
            return
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            raise CommandError(f"No account with the email {email}.")
        if action == "list":
            rows = [
                {"id": k.id, "prefix": k.prefix, "name": k.name, "created_at": k.created_at.isoformat(),
                 "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None, "revoked": not k.is_active}
                for k in apikey_list_for(owner=owner)
            ]
            if options["json"]:
                self.stdout.write(json.dumps(rows))
            else:
                for row in rows:
                    state = "revoked" if row["revoked"] else "active"
                    self.stdout.write(f"{row['id']:>5}  {row['prefix']}…  {state:8}  {row['created_at']}  {row['name']}")
            return
        if not apikey_revoke(owner=owner, key_id=options["key_id"]):
            raise CommandError(f"{email} has no active API key {options['key_id']}.")
        self.stdout.write(f"Revoked API key {options['key_id']}.")
