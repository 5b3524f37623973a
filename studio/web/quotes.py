"""The price of a creation in words, before the click: static/studio/quote.js writes the same sentence
when the customer changes how many images."""
from __future__ import annotations

from dataclasses import replace

from billing.selectors import PriceQuote


def _points(n: int) -> str:
    return f"{n} point{'' if n == 1 else 's'}"


def quote_text(quote: PriceQuote, *, images: int | None = None) -> str:
    if images is not None:
        quote = replace(quote, images=max(1, images))
    n, unit = quote.images, quote.unit_points
    text = f"{n} image{'' if n == 1 else 's'} × {_points(unit)} = {_points(n * unit)}."
    if quote.trial_left:
        text += (f" Your free trial ({quote.trial_left} left) covers {quote.trial_used}: "
                 f"you pay {_points(quote.points)}.")
    text += f" Balance: {_points(quote.available)}."
    if not quote.affordable:
        text += " Not enough points for this."
    return text
