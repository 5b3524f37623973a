"""The account pages under /accounts/: sign-up and email confirmation, log-in and log-out, password
reset by email."""
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("confirm-email/send/", views.confirmation_resend_view, name="email-confirm-send"),
    path("confirm-email/<str:token>/", views.email_confirm_view, name="email-confirm"),
    path("login/", auth_views.LoginView.as_view(next_page=reverse_lazy("web:avatars")), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("web:landing")), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(
        success_url=reverse_lazy("web:password_reset_done")), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("web:password_reset_complete")), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
