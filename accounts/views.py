"""Sign-up, email confirmation, the throttled password reset and the lockout page; log-in and
log-out are Django's own views (accounts/urls.py), throttled by django-axes."""
from __future__ import annotations

import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .confirmation import ConfirmationLinkInvalid, confirmation_resend, email_confirm_by_link
from .forms import SignUpForm
from .throttle import client_address, password_reset_allowed

log = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:avatars")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("web:avatar-new")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def email_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, confirmed_now = email_confirm_by_link(token=token)
    except ConfirmationLinkInvalid as exc:
        return render(request, "registration/confirm_email_failed.html", {"expired": exc.expired}, status=400)
    return render(request, "registration/confirm_email_done.html", {
        "confirmed_now": confirmed_now, "confirmed_user": user,
        "trainings": settings.STUDIO_TRIAL_TRAININGS, "creations": settings.STUDIO_TRIAL_CREATIONS,
    })


@login_required
@require_POST
def confirmation_resend_view(request: HttpRequest) -> HttpResponse:
    if request.user.email_confirmed:
        messages.info(request, "Your email address is confirmed already.")
    elif confirmation_resend(user=request.user):
        messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    else:
        messages.error(request, "We sent you several links a short while ago; look for them in your inbox "
                                "(and spam folder), or ask again in an hour.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "/"
    return HttpResponseRedirect(back)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with a limit per account and per address. Past it the answer is the same "if the
    account exists, a link is on its way" page, and nothing is sent."""

    def form_valid(self, form):
        if password_reset_allowed(email=form.cleaned_data["email"], address=client_address(self.request)):
            return super().form_valid(form)
        log.warning("Password reset refused: too many requests for the account or from %s",
                    client_address(self.request))
        return HttpResponseRedirect(self.get_success_url())


def login_locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The page django-axes answers with once log-in is locked (AXES_LOCKOUT_CALLABLE)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "registration/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
