"""Measuring an ID photo as an inspector would: the head from the top of the hair (the first rows
that are not background) to the chin (the output's own face mesh)."""
from __future__ import annotations

import numpy as np

from engine.faces import analyze_faces, landmarks


def head_fraction(image: np.ndarray) -> float:
    """Chin-to-crown height as a fraction of the photo's height."""
    (face,) = analyze_faces(image, embed=False)
    background = image[2, 2].astype(np.int16)
    left, _, right, _ = face.box
    band = image[:, round(left + 0.3 * (right - left)):round(right - 0.3 * (right - left))].astype(np.int16)
    person_rows = np.flatnonzero((np.abs(band - background).max(axis=2) > 40).mean(axis=1) > 0.5)
    crown = person_rows[0]
    chin = face.points[landmarks.CHIN, 1]
    return float(chin - crown) / image.shape[0]
