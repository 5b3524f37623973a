"""django-q2 entry points of the product: the hourly retention sweep."""
from __future__ import annotations

from .services.retention import retention_sweep


def sweep_retention() -> dict:
    return retention_sweep().as_dict()
