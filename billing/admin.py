"""Admin for billing: balances (with manual grants and adjustments that need a reason), the
append-only ledger, reservations, prices, point packages, checkouts, Stripe events, statements."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import redirect, render

from .models import Account, Checkout, EntryKind, LedgerEntry, PointPackage, Price, Reservation, Statement, StripeEvent
from .services import ledger_adjust


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: viewable, never added, edited or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AdjustForm(forms.Form):
    kind = forms.ChoiceField(choices=[(EntryKind.GRANT, "grant"), (EntryKind.ADJUSTMENT, "adjustment"),
                                      (EntryKind.REFUND, "refund")])
    points = forms.IntegerField(help_text="Signed: negative takes points away.")
    trial_trainings = forms.IntegerField(initial=0)
    trial_creations = forms.IntegerField(initial=0)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ("created_at", "kind", "points", "reserved", "trial_trainings", "trial_creations", "reference", "job",
              "note", "created_by")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("job", "created_by")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("user", "available", "reserved", "trial_trainings", "trial_creations", "pay_as_you_go",
                    "updated_at")
    list_filter = ("pay_as_you_go",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    # Balances move only through the ledger: the grant/adjust action, jobs and purchases.
    readonly_fields = ("user", "available", "reserved", "trial_trainings", "trial_creations", "created_at",
                       "updated_at")
    fields = readonly_fields[:5] + ("pay_as_you_go", "stripe_customer_id") + readonly_fields[5:]
    inlines = (EntryInline,)
    actions = ("adjust_selected",)

    def has_add_permission(self, request) -> bool:
        return False  # accounts open with their user

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Grant or adjust points (a reason is required)")
    def adjust_selected(self, request, queryset):
        if "apply" in request.POST:
            form = AdjustForm(request.POST)
            if form.is_valid():
                done = 0
                for account in queryset:
                    try:
                        ledger_adjust(account=account, by=request.user, **form.cleaned_data)
                        done += 1
                    except ValueError as exc:
                        self.message_user(request, f"{account.user}: {exc}", messages.ERROR)
                self.message_user(request, f"Adjusted {done} account(s).")
                return redirect(request.get_full_path())
        else:
            form = AdjustForm()
        return render(request, "admin/billing/adjust.html", {
            **self.admin_site.each_context(request), "title": "Grant or adjust points", "form": form,
            "accounts": queryset, "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "kind", "points", "reserved", "trial_trainings", "trial_creations",
                    "reference", "job", "note")
    list_filter = ("kind",)
    list_select_related = ("account__user", "job")
    search_fields = ("account__user__email", "reference", "note")
    date_hierarchy = "created_at"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("job", "account", "operation", "units", "points", "trial_trainings", "trial_creations", "state",
                    "created_at", "settled_at")
    list_filter = ("state", "operation")
    list_select_related = ("account__user", "job")
    search_fields = ("account__user__email",)


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ("operation", "points", "updated_at")
    list_editable = ("points",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an operation without a price would fall back to the built-in list price


@admin.register(PointPackage)
class PointPackageAdmin(admin.ModelAdmin):
    list_display = ("name", "points", "price_cents", "currency", "active")
    list_editable = ("active",)


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ("session_id", "account", "points", "amount_cents", "currency", "state", "created_at", "paid_at")
    list_filter = ("state",)
    search_fields = ("session_id", "account__user__email")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "session_id", "outcome", "received_at")
    list_filter = ("type",)
    search_fields = ("event_id", "session_id")


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("account", "month", "used_points", "owed_points", "amount_cents", "currency",
                    "stripe_invoice_id", "created_at")
    search_fields = ("account__user__email", "stripe_invoice_id")
