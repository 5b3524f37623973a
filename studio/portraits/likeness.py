"""Likeness as people read it: the engine's face-embedding distance (lower is more alike) turned into
a similarity percentage and a five-step word, the same in the website, the native API and webhooks.

The scale is calibrated on the engine's same-person threshold (engine.check.SAME_PERSON_THRESHOLD,
0.6: dlib's ResNet threshold; on ../shared/data/faces same-person pairs reach 0.56 at most and
different-person pairs 0.62 at least). The mapping is piecewise linear:

    distance 0.0 -> 100 %   (the same face)
    distance 0.6 ->  60 %   (the threshold: above it the engine would not call it the same person)
    distance 1.0 ->   0 %   (unrelated faces sit around 0.7-0.9)

so "60 % or more" reads "the same person" and every step below the threshold stays visible. The words
split the same-person range where the engine's portraits actually land (0.2-0.5):

    under 0.35 (over 77 %) great, under 0.45 (over 70 %) good, under 0.6 (60 % or more) fair,
    under 0.75 (over 38 %) weak, else unlike.

A stylization is measured against the photo it restyled, not against an avatar: a small distance there
only says the style kept the face recognisable (a copy of your own photo is trivially "alike"), so it is
worded as how much of the photo's face was kept, never as "great likeness".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.backends import SAME_PERSON_THRESHOLD

Basis = Literal["avatar", "photo"]

# Distance -> percent knots; between them the percentage is linear.
_KNOTS = ((0.0, 100.0), (SAME_PERSON_THRESHOLD, 60.0), (1.0, 0.0))
_BANDS = (0.35, 0.45, SAME_PERSON_THRESHOLD, 0.75)
_WORDS: dict[Basis, tuple[str, ...]] = {
    "avatar": ("great", "good", "fair", "weak", "unlike"),
    "photo": ("very close", "close", "recognisable", "changed", "lost"),
}
SCALE_TEXT = ("60 % or more is the same person to the face check: over 77 % great, over 70 % good, "
              "60 % fair; below 60 %, weak or unlike.")


@dataclass(frozen=True)
class Likeness:
    distance: float  # the engine's raw face-embedding distance, kept for those who rank by it
    percent: int
    step: int  # 1 (best) to 5
    word: str
    basis: Basis

    @property
    def css(self) -> str:
        return ("great", "good", "fair", "weak", "unlike")[self.step - 1]

    def __str__(self) -> str:
        if self.basis == "photo":
            return f"{self.percent} % of your photo's face kept ({self.word})"
        return f"likeness {self.percent} % ({self.word})"

    def as_dict(self) -> dict:
        return {"percent": self.percent, "step": self.step, "word": self.word, "basis": self.basis}


def likeness_percent(distance: float) -> int:
    for (d0, p0), (d1, p1) in zip(_KNOTS, _KNOTS[1:]):
        if distance <= d1:
            return round(p0 + (p1 - p0) * (max(distance, d0) - d0) / (d1 - d0))
    return 0


def likeness_of(distance: float | None, *, basis: Basis = "avatar") -> Likeness | None:
    if distance is None:
        return None
    step = next((index for index, limit in enumerate(_BANDS, 1) if distance < limit), len(_BANDS) + 1)
    return Likeness(distance=float(distance), percent=likeness_percent(distance), step=step,
                    word=_WORDS[basis][step - 1], basis=basis)


def likeness_basis(kind: str | None) -> Basis:
    """What a portrait's distance was measured against, from the kind of job that made it."""
    # A stylization and an ID photo are made from one photo: how much of its face was kept.
    return "photo" if kind in ("stylize", "idphoto") else "avatar"


def portrait_likeness(portrait) -> Likeness | None:
    """A Portrait's likeness; lists annotate ``job_kind`` (F("job__kind")) to spare a query each."""
    if hasattr(portrait, "job_kind"):
        kind = portrait.job_kind
    else:
        kind = portrait.job.kind if portrait.job_id and portrait.job else None
    return likeness_of(portrait.identity_distance, basis=likeness_basis(kind))
