"""Monthly statements of pay-as-you-go accounts: what each used, what it owes at the month's
end, and billing that debt once (a Stripe invoice) by moving it off the balance."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum

from . import gateway
from .models import Account, EntryKind, LedgerEntry, Statement
from .services import account_credit

FIELDS = ("email", "month", "used_points", "purchased_points", "closing_balance", "owed_points",
          "amount", "currency", "invoice")


@dataclass(frozen=True)
class StatementRow:
    account: Account
    month: date
    used_points: int
    purchased_points: int
    closing_balance: int
    owed_points: int
    invoice: str = ""

    @property
    def amount_cents(self) -> int:
        return self.owed_points * settings.STUDIO_POINT_CENTS

    def as_csv(self) -> list[str]:
        return [self.account.user.email, f"{self.month:%Y-%m}", str(self.used_points), str(self.purchased_points),
                str(self.closing_balance), str(self.owed_points), f"{self.amount_cents / 100:.2f}",
                settings.STUDIO_CURRENCY, self.invoice]


def month_parse(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"A month is written YYYY-MM, not {text!r}") from None


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=dt_timezone.utc)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=dt_timezone.utc)
    return start, end


def statement_rows(*, month: date, email: str | None = None) -> list[StatementRow]:
    """One row per pay-as-you-go account (or the one with ``email``)."""
    start, end = _bounds(month)
    accounts = Account.objects.select_related("user").order_by("user__email")
    accounts = accounts.filter(user__email__iexact=email) if email else accounts.filter(pay_as_you_go=True)
    billed = dict(Statement.objects.filter(month=month).values_list("account_id", "stripe_invoice_id"))
    rows = []
    for account in accounts:
        sums = LedgerEntry.objects.filter(account=account).aggregate(
            closing=Sum("points", filter=Q(created_at__lt=end), default=0),
            used=Sum("reserved", filter=Q(kind=EntryKind.CAPTURE, created_at__gte=start, created_at__lt=end), default=0),
            bought=Sum("points", filter=Q(kind=EntryKind.PURCHASE, created_at__gte=start, created_at__lt=end), default=0),
        )
        rows.append(StatementRow(
            account=account, month=month, used_points=-sums["used"], purchased_points=sums["bought"],
            closing_balance=sums["closing"], owed_points=max(0, -sums["closing"]),
            invoice=billed.get(account.id) or "",
        ))
    return rows


def statements_csv(rows: list[StatementRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(row.as_csv())
    return out.getvalue()


def statement_bill(*, row: StatementRow) -> Statement | None:
    """Invoices the month's debt once: a Stripe invoice, then an ``invoice`` entry that brings the
    balance back by the amount invoiced. None when nothing is owed or the month was billed."""
    if row.owed_points <= 0 or Statement.objects.filter(account=row.account, month=row.month).exists():
        return None
    key = f"invoice:{row.account.id}:{row.month:%Y-%m}"
    invoice = gateway.invoice_create(
        customer_id=row.account.stripe_customer_id, customer_email=row.account.user.email,
        amount_cents=row.amount_cents, currency=settings.STUDIO_CURRENCY,
        description=f"Portrait studio usage {row.month:%Y-%m}: {row.owed_points} points", idempotency_key=key,
    )
    with transaction.atomic():
        statement = Statement.objects.create(
            account=row.account, month=row.month, used_points=row.used_points, owed_points=row.owed_points,
            amount_cents=row.amount_cents, currency=settings.STUDIO_CURRENCY, stripe_invoice_id=invoice.id,
        )
        Account.objects.filter(id=row.account.id).update(stripe_customer_id=invoice.customer_id)
        account_credit(account_id=row.account.id, kind=EntryKind.INVOICE, points=row.owed_points, reference=key,
                       note=f"invoiced {invoice.id}")
    return statement
