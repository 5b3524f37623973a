"""Engine endpoints in the admin: health, load and recent errors of each; endpoints added or switched
off here join or leave the pool within seconds. Tokens are write-only: typed once, kept encrypted."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.text import Truncator

from engine.errors import EngineError
from engine.remote import endpoint_parse
from studio.lib.crypto import secret_encrypt

from .models import EngineEndpoint
from .monitor import endpoint_loads


class EngineEndpointForm(forms.ModelForm):
    token = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False,
                            help_text="The PAI token of the AppId on that studio; leave empty to keep the current one.")

    class Meta:
        model = EngineEndpoint
        fields = ["base_url", "app_id", "token", "enabled"]

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.from_environment:
            return data  # its URL and token are the environment's: here it is only switched on or off
        token = data.get("token") or ""
        if not token and not (self.instance.pk and self.instance.token_encrypted):
            raise forms.ValidationError("Give the endpoint's token.")
        base = (data.get("base_url") or "").strip()
        scheme, _, rest = base.partition("://")
        try:
            # Validated as the environment's are (the token stands in only to pass the parser).
            parsed = endpoint_parse(f"{scheme}://{data.get('app_id') or ''}:{token or 'kept'}@{rest}")
        except EngineError as exc:
            raise forms.ValidationError(exc.message) from None
        data["base_url"] = parsed.base_url
        return data

    def save(self, commit: bool = True) -> EngineEndpoint:
        endpoint = super().save(commit=False)
        if self.cleaned_data.get("token"):
            endpoint.token_encrypted = secret_encrypt(self.cleaned_data["token"])
        if commit:
            endpoint.save()
        return endpoint


@admin.register(EngineEndpoint)
class EngineEndpointAdmin(admin.ModelAdmin):
    form = EngineEndpointForm
    list_display = ["base_url", "enabled", "health", "in_flight", "failures", "last_ok_at", "last_error"]
    list_filter = ["enabled", "from_environment"]
    readonly_fields = ["from_environment", "in_flight", "failures", "last_ok_at", "last_failure_at", "errors"]

    def get_readonly_fields(self, request, endpoint: EngineEndpoint | None = None) -> list[str]:
        if endpoint is not None and endpoint.from_environment:
            return ["base_url", "app_id", *self.readonly_fields]
        return list(self.readonly_fields)

    def get_form(self, request, endpoint: EngineEndpoint | None = None, **kwargs):
        if endpoint is not None and endpoint.from_environment:
            kwargs["fields"] = ["enabled"]
        return super().get_form(request, endpoint, **kwargs)

    def changelist_view(self, request, extra_context=None):
        self._loads = endpoint_loads()  # one query for the whole list
        return super().changelist_view(request, extra_context)

    @admin.display(description="in flight")
    def in_flight(self, endpoint: EngineEndpoint) -> int:
        loads = getattr(self, "_loads", None)
        return (loads if loads is not None else endpoint_loads()).get(endpoint.base_url, 0)

    @admin.display(description="health", boolean=True)
    def health(self, endpoint: EngineEndpoint) -> bool:
        return endpoint.healthy

    @admin.display(description="last error")
    def last_error(self, endpoint: EngineEndpoint) -> str:
        return Truncator(endpoint.recent_errors[0]["message"]).chars(60) if endpoint.recent_errors else ""

    @admin.display(description="recent errors")
    def errors(self, endpoint: EngineEndpoint) -> str:
        return format_html_join("", "<div>{}: {}</div>", ((e["at"], e["message"]) for e in endpoint.recent_errors))
