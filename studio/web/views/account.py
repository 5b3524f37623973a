"""The account page: balance and usage, points to buy, API credentials and keys, delete my data."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import apikey_get_for, apikey_list_for, credential_get_for, credential_list_for
from accounts.services import apikey_create, apikey_revoke, credential_create, credential_revoke, user_notifications_set
from billing.gateway import purchases_enabled
from billing.selectors import account_usage_for, package_list_active
from studio.portraits.services.privacy import account_delete

from ..forms import DeleteAccountForm, NameForm, NotificationsForm
from .common import or_404, package_rows


def _page(request: HttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    usage = account_usage_for(user=request.user, limit=10)
    return render(request, "web/account.html", {
        "usage": usage, "packages": package_rows(package_list_active()), "purchases_on": purchases_enabled(),
        "credentials": credential_list_for(owner=request.user), "api_keys": apikey_list_for(owner=request.user),
        "name_form": NameForm(),
        "notifications_form": NotificationsForm(initial={"notify_by_email": request.user.notify_by_email}),
        "delete_form": DeleteAccountForm(user=request.user),
        **extra,
    }, status=status)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def notifications_set(request: HttpRequest) -> HttpResponse:
    form = NotificationsForm(request.POST)
    form.is_valid()  # an unticked box is False: every POST is a valid answer
    by_email = bool(form.cleaned_data.get("notify_by_email"))
    user_notifications_set(user=request.user, by_email=by_email)
    messages.success(request, "Emails when work is done: " + ("on." if by_email else "off."))
    return redirect("web:account")


@login_required
@require_POST
def credential_new(request: HttpRequest) -> HttpResponse:
    """Answered with the page itself, not a redirect: the token is in this one response only."""
    form = NameForm(request.POST)
    issued = credential_create(owner=request.user, name=form.cleaned_data["name"] if form.is_valid() else "")
    return _page(request, issued_credential=issued)


def _revoke_confirm(request: HttpRequest, *, what: str, name: str, consequence: str) -> HttpResponse:
    """The step before a revocation, a page of its own so that it asks without JavaScript too."""
    return render(request, "web/revoke_confirm.html", {"what": what, "name": name, "consequence": consequence})


@login_required
@require_http_methods(["GET", "POST"])
def credential_revoke_view(request: HttpRequest, app_id: str) -> HttpResponse:
    if request.method == "GET":
        credential = or_404(credential_get_for(owner=request.user, app_id=app_id))
        return _revoke_confirm(request, what="AppId", name=f"{credential.app_id} {credential.name}".strip(),
                               consequence="Requests signed with its token are refused from then on.")
    if credential_revoke(owner=request.user, app_id=app_id):
        messages.success(request, f"AppId {app_id} revoked.")
    return redirect("web:account")


@login_required
@require_POST
def apikey_new(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    issued = apikey_create(owner=request.user, name=form.cleaned_data["name"] if form.is_valid() else "")
    return _page(request, issued_key=issued)


@login_required
@require_http_methods(["GET", "POST"])
def apikey_revoke_view(request: HttpRequest, key_id: int) -> HttpResponse:
    if request.method == "GET":
        key = or_404(apikey_get_for(owner=request.user, key_id=key_id))
        return _revoke_confirm(request, what="API key", name=f"{key} {key.name}".strip(),
                               consequence="Requests that send this key are refused from then on.")
    if apikey_revoke(owner=request.user, key_id=key_id):
        messages.success(request, "API key revoked.")
    return redirect("web:account")


@login_required
@require_POST
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, delete_form=form, status=400)
    user = request.user
    logout(request)
    account_delete(user=user)
    messages.success(request, "Your account and all its photos, avatars and portraits are deleted.")
    return redirect("web:landing")
