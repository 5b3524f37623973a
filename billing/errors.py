"""Billing's errors, for every API family to map to its own wire format."""
from __future__ import annotations


class QuotaExceeded(Exception):
    """The account cannot pay for the job: no trial left and not enough points.

    ``message`` is for people (website, native API); the PAI API answers its own "exceeded quota".
    """

    def __init__(self, *, operation: str, needed: int, available: int):
        self.operation = operation
        self.needed = needed
        self.available = available
        self.message = (
            f"Not enough points: this {operation} costs {needed} points and {available} are available. "
            "Buy a point package or ask for pay-as-you-go."
        )
        super().__init__(self.message)


class PurchasesOff(Exception):
    """Stripe is not configured (STRIPE_SECRET_KEY unset): point packages cannot be bought."""

    message = "Purchases are off: this studio has no Stripe key (STRIPE_SECRET_KEY)."

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)
