"""Users (who log in by email) and their API credentials."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from studio.lib.crypto import secret_decrypt


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        # Made by an operator at the console (createsuperuser), who vouches for the address.
        fields.setdefault("email_confirmed_at", timezone.now())
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        # Emails are stored lower-cased: log-in with Alice@Example.com finds alice@example.com, and
        # log-in throttling (accounts.throttle.login_username) counts both as one account.
        return self.get(email=self.normalize_email(username.strip()).lower())


class User(AbstractUser):
    """An account of the studio. Logs in with its email; there is no separate user name."""

    username = None
    email = models.EmailField("email address", unique=True)
    # Set when the owner follows the link mailed at sign-up (accounts.confirmation); the free trial
    # comes with it. Accounts made by staff, commands and the demo are confirmed when made.
    email_confirmed_at = models.DateTimeField("email confirmed", null=True, blank=True)
    # An email when an avatar is trained and when portraits are ready (studio.portraits.notifications);
    # off until the owner turns it on from the account page.
    notify_by_email = models.BooleanField("email me when work is done", default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            # The manager lower-cases emails; this holds for every other way a row is written.
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Credential(models.Model):
    """An AppId and token pair for the PAI-compatible API.

    The PAI signature is an HMAC keyed with the token, so the server needs the token itself:
    it is kept encrypted (studio.lib.crypto), shown once at creation, and never logged.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credentials")
    app_id = models.CharField(max_length=32, unique=True)
    token_encrypted = models.TextField()
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.app_id

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def token(self) -> str:
        return secret_decrypt(self.token_encrypted)


class ApiKey(models.Model):
    """A bearer key for the DashScope-compatible and native APIs.

    Keys are long random strings, so a SHA-256 digest is enough to keep them at rest; the key
    itself is shown once. ``prefix`` identifies a key in lists without revealing it.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
