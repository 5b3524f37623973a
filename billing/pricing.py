"""What a job costs: its operation, how many images it makes, and the points of each image.

Prices live in the Price table (admin-editable, 1 point = 1 cent at list price); an operation
without a row costs the default list price below.
"""
from __future__ import annotations

from dataclasses import dataclass

from studio.lib.prepared import PreparedValues

from .models import Operation, Price

LIST_PRICES = {
    Operation.TRAIN: 100,
    Operation.CREATE_SOLO: 10,
    Operation.CREATE_PERSON: 8,
    Operation.STYLIZE: 5,
    Operation.IDPHOTO: 5,
    Operation.CHECK: 0,
}

# Which trial counter an operation spends: trainings, or creations (one per image made).
TRIAL_BUCKET = {
    Operation.TRAIN: "trainings",
    Operation.CREATE_SOLO: "creations",
    Operation.CREATE_PERSON: "creations",
    Operation.STYLIZE: "creations",
    Operation.IDPHOTO: "creations",
}


@dataclass(frozen=True)
class Charge:
    operation: str
    images: int  # what the trial counts: one training, or one creation per image
    units_per_image: int  # the priced units in one image: persons of a multi-person portrait, else 1
    unit_points: int

    @property
    def units(self) -> int:
        return self.images * self.units_per_image

    def points_for(self, images: int) -> int:
        return images * self.units_per_image * self.unit_points

    @property
    def trial_bucket(self) -> str | None:
        return TRIAL_BUCKET.get(Operation(self.operation))


def price_of(operation: str) -> int:
    row = _PRICE_OF.first(operation=str(operation))
    return LIST_PRICES[Operation(operation)] if row is None else row["points"]


# Every charged submit reads its price: compiled once (studio.lib.prepared), read fresh (admin-editable).
_PRICE_OF = PreparedValues(lambda *, operation: Price.objects.filter(operation=operation).values("points")[:1],
                           arguments={"operation": str})


def job_charge(*, kind: str, payload: dict) -> Charge:
    """The charge of a job of ``kind`` with its submit ``payload`` (see studio.services)."""
    if kind == "create":
        persons = max(1, len(payload.get("model_ids") or []))
        images = max(1, int(payload.get("n") or 1))
        operation = Operation.CREATE_PERSON if persons > 1 else Operation.CREATE_SOLO
        return Charge(operation, images, persons, price_of(operation))
    if kind == "idphoto":  # one image per photo it is made from: payload n (see idphoto_submit)
        return Charge(Operation.IDPHOTO, max(1, int(payload.get("n") or 1)), 1, price_of(Operation.IDPHOTO))
    operation = Operation(kind)  # train, stylize, check: one unit each
    return Charge(operation, 1, 1, price_of(operation))
