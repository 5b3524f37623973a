"""Monthly statements of pay-as-you-go accounts: a CSV, optionally emailed to each customer and
invoiced through Stripe (each account and month once)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError

from billing.errors import PurchasesOff
from billing.gateway import purchases_enabled
from billing.statements import month_parse, statement_bill, statement_rows, statements_csv


class Command(BaseCommand):
    help = "Statement of a month for pay-as-you-go accounts: CSV, --email to customers, --invoice via Stripe."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-11")
        parser.add_argument("--account", help="Only the account with this email (pay-as-you-go or not).")
        parser.add_argument("--output", help="Write the CSV to this file instead of standard output.")
        parser.add_argument("--email", action="store_true", help="Email each customer their line of the statement.")
        parser.add_argument("--invoice", action="store_true", help="Send a Stripe invoice for what each account owes.")

    def handle(self, *args, month: str, account: str | None, output: str | None, email: bool, invoice: bool,
               **options) -> None:
        try:
            first_day = month_parse(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if invoice and not purchases_enabled():
            raise CommandError(f"{PurchasesOff.message} Export the CSV and bill it by other means.")
        rows = statement_rows(month=first_day, email=account)
        if invoice:
            for row in rows:
                statement = statement_bill(row=row)
                if statement:
                    self.stderr.write(f"{row.account.user.email}: invoice {statement.stripe_invoice_id} "
                                      f"for {statement.amount_cents / 100:.2f} {statement.currency.upper()}")
            rows = statement_rows(month=first_day, email=account)
        text = statements_csv(rows)
        if output:
            Path(output).write_text(text)
        else:
            self.stdout.write(text, ending="")
        if email:
            for row in rows:
                message = EmailMessage(
                    subject=f"Your portrait studio statement for {month}",
                    body=(f"Used: {row.used_points} points. Purchased: {row.purchased_points} points.\n"
                          f"Balance at the end of {month}: {row.closing_balance} points.\n"
                          f"Owed: {row.amount_cents / 100:.2f} {settings.STUDIO_CURRENCY.upper()}.\n"),
                    to=[row.account.user.email],
                )
                message.attach(f"statement-{month}.csv", statements_csv([row]), "text/csv")
                message.send()
