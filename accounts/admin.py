"""Admin for users (who log in by email) and their PAI credentials.

A credential's token is never shown or editable here: it is issued by ``credential_create`` and
displayed once, in the message after the add form.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.models import Job
from studio.portraits.models import Avatar

from .confirmation import email_confirm
from .events import user_created_announce
from .models import ApiKey, Credential, User
from .services import apikey_create, apikey_revoke, credential_create, credential_revoke


def _count_of(model, *, owner_field: str = "owner") -> Coalesce:
    """How many rows of ``model`` each user owns, as a subquery: two joined Counts would multiply."""
    rows = (
        model.objects.filter(**{owner_field: OuterRef("pk")})
        .order_by()
        .values(owner_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        # The manager lower-cases emails on sign-up; a ModelForm does not, so do it here too.
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class CredentialInline(admin.TabularInline):
    """The user's credentials at a glance; revoke or open them from the credential admin."""

    model = Credential
    fields = ("app_id", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined", "email_confirmed_at")}),
    )
    # Confirming grants the free trial: that goes through the action (the service), not the form.
    readonly_fields = ("email_confirmed_at",)
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    list_display = ("email", "is_staff", "is_active", "date_joined", "email_confirmed", "avatar_count", "job_count")
    list_filter = ("is_staff", "is_superuser", "is_active", ("email_confirmed_at", admin.EmptyFieldListFilter),
                   "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    inlines = (CredentialInline,)
    actions = ("confirm_email_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            avatar_total=_count_of(Avatar), job_total=_count_of(Job)
        )

    def save_model(self, request, obj: User, form, change: bool) -> None:
        if not change:
            obj.email_confirmed_at = timezone.now()  # staff vouch for the address they type
        super().save_model(request, obj, form, change)
        if not change:
            user_created_announce(obj)  # billing opens the account, with the trial: the address is confirmed

    def get_inlines(self, request, obj):
        # The add form has no user yet, so nothing to list.
        return self.inlines if obj else ()

    @admin.display(boolean=True, description="email confirmed", ordering="email_confirmed_at")
    def email_confirmed(self, user: User) -> bool:
        return user.email_confirmed

    @admin.action(description="Confirm the email addresses of the selected users (grants the free trial)")
    def confirm_email_selected(self, request, queryset) -> None:
        confirmed = sum(email_confirm(user=user) for user in queryset)
        already = queryset.count() - confirmed
        self.message_user(request, f"Confirmed {confirmed} user(s); {already} were confirmed already.")

    @admin.display(description="avatars", ordering="avatar_total")
    def avatar_count(self, user: User) -> int:
        return user.avatar_total

    @admin.display(description="jobs", ordering="job_total")
    def job_count(self, user: User) -> int:
        return user.job_total


class RevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return (("yes", "Revoked"), ("no", "Active"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ("app_id", "owner", "name", "created_at", "last_used_at", "revoked")
    list_filter = (RevokedFilter,)
    list_select_related = ("owner",)
    search_fields = ("app_id", "owner__email")
    autocomplete_fields = ("owner",)
    # The encrypted token stays out of every form; the add form asks only for owner and name.
    exclude = ("token_encrypted",)
    add_fields = ("owner", "name")
    change_fields = ("app_id", "owner", "name", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke_selected",)

    def get_fields(self, request, obj=None):
        return self.change_fields if obj else self.add_fields

    def get_readonly_fields(self, request, obj=None):
        # Only the name is editable later; revocation goes through the action (the service).
        return ("app_id", "owner", "created_at", "last_used_at", "revoked_at") if obj else ()

    @admin.display(boolean=True, description="revoked", ordering="revoked_at")
    def revoked(self, credential: Credential) -> bool:
        return not credential.is_active

    def save_model(self, request, obj: Credential, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = credential_create(owner=obj.owner, name=obj.name)
        # The admin goes on with ``obj`` (change log, redirect to its page): make it the issued row.
        obj.pk = issued.credential.pk
        obj.refresh_from_db()
        messages.success(
            request,
            f"AppId {issued.app_id}, token {issued.token} — copy the token now: it is not shown again.",
        )

    @admin.action(description="Revoke selected credentials")
    def revoke_selected(self, request, queryset) -> None:
        revoked = sum(
            credential_revoke(owner=credential.owner, app_id=credential.app_id)
            for credential in queryset.select_related("owner")
        )
        skipped = queryset.count() - revoked
        self.message_user(request, f"Revoked {revoked} credential(s); {skipped} were already revoked.")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are kept as digests: the add form issues one and shows it once, in the message."""

    list_display = ("prefix", "owner", "name", "created_at", "last_used_at", "revoked")
    list_filter = (RevokedFilter,)
    list_select_related = ("owner",)
    search_fields = ("prefix", "owner__email", "name")
    autocomplete_fields = ("owner",)
    exclude = ("digest",)
    actions = ("revoke_selected",)

    def get_fields(self, request, obj=None):
        return ("prefix", "owner", "name", "created_at", "last_used_at", "revoked_at") if obj else ("owner", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("prefix", "owner", "created_at", "last_used_at", "revoked_at") if obj else ()

    @admin.display(boolean=True, description="revoked", ordering="revoked_at")
    def revoked(self, key: ApiKey) -> bool:
        return not key.is_active

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = apikey_create(owner=obj.owner, name=obj.name)
        obj.pk = issued.api_key.pk
        obj.refresh_from_db()
        messages.success(request, f"API key {issued.raw} — copy it now: it is not shown again.")

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request, queryset) -> None:
        revoked = sum(apikey_revoke(owner=key.owner, key_id=key.id) for key in queryset.select_related("owner"))
        self.message_user(request, f"Revoked {revoked} API key(s); {queryset.count() - revoked} were already revoked.")
