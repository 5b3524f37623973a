"""What accounts announce: a user was created, and a user's email address was confirmed.

Billing subscribes in its AppConfig.ready() (it opens the user's account, and grants the free trial
once the address is confirmed); accounts imports nothing of billing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import User

UserListener = Callable[["User"], None]

_created: list[UserListener] = []
_confirmed: list[UserListener] = []


def user_created_subscribe(listener: UserListener) -> None:
    if listener not in _created:  # ready() may run twice in one process
        _created.append(listener)


def email_confirmed_subscribe(listener: UserListener) -> None:
    if listener not in _confirmed:
        _confirmed.append(listener)


def user_created_announce(user: User) -> None:
    """Inside the transaction that created the user."""
    for listener in _created:
        listener(user)


def email_confirmed_announce(user: User) -> None:
    """Inside the transaction that marked the address confirmed."""
    for listener in _confirmed:
        listener(user)
