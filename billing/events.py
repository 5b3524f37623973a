"""What billing announces: an account's points fell to STUDIO_BALANCE_LOW_POINTS or below (once per
crossing). Webhooks subscribe in their AppConfig.ready() and tell the customer; billing imports none."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Account

BalanceLowListener = Callable[..., None]  # listener(*, account, data)

_balance_low: list[BalanceLowListener] = []


def balance_low_subscribe(listener: BalanceLowListener) -> None:
    if listener not in _balance_low:
        _balance_low.append(listener)


def balance_low_announce(*, account: Account, data: dict) -> None:
    for listener in _balance_low:
        listener(account=account, data=data)
