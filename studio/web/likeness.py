"""The identity score in plain words: the face-embedding distance between a portrait and its avatar."""
from __future__ import annotations

from dataclasses import dataclass

# dlib's ResNet embeddings call two faces the same person under 0.6; the bands below split that range
# into what people read at a glance.
BANDS = ((0.35, "great"), (0.45, "good"), (0.6, "fair"))
SCALE_TEXT = "Lower is more alike: under 0.35 great, under 0.45 good, under 0.6 fair; above 0.6 it may not look like you."


@dataclass(frozen=True)
class Likeness:
    distance: float
    word: str

    def __str__(self) -> str:
        return f"likeness {self.distance:.2f} ({self.word})"


def likeness_of(distance: float | None) -> Likeness | None:
    if distance is None:
        return None
    for limit, word in BANDS:
        if distance < limit:
            return Likeness(distance, word)
    return Likeness(distance, "weak")
