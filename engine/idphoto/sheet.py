"""Print sheets: copies of one ID photo tiled on 6x4 in or A6 paper at 300 dpi, with cut lines."""
from __future__ import annotations

import numpy as np

from ..options import DPI, MM_PER_INCH

GAP = round(2 / MM_PER_INCH * DPI)  # 2 mm between copies, the cut line in its middle
CUT_LINE = (150, 150, 150)


def sheet_tile(photo: np.ndarray, paper: tuple[int, int]) -> np.ndarray:
    """As many copies of ``photo`` as fit on ``paper`` (width, height in px), 2 mm apart and
    centred, with thin grey cut lines through the gaps and the margins out to the paper's edges."""
    sheet_w, sheet_h = paper
    h, w = photo.shape[:2]
    cols = max(1, (sheet_w - GAP) // (w + GAP))
    rows = max(1, (sheet_h - GAP) // (h + GAP))
    sheet = np.full((sheet_h, sheet_w, 3), 255, np.uint8)
    x0 = (sheet_w - cols * w - (cols - 1) * GAP) // 2
    y0 = (sheet_h - rows * h - (rows - 1) * GAP) // 2
    # The lines run the whole sheet; the copies pasted after cover them, so they show only in the
    # gaps and margins, where a guillotine or a craft knife follows them.
    for col in range(cols + 1):
        x = x0 + col * (w + GAP) - GAP // 2
        if 0 <= x < sheet_w:
            sheet[:, x] = CUT_LINE
    for row in range(rows + 1):
        y = y0 + row * (h + GAP) - GAP // 2
        if 0 <= y < sheet_h:
            sheet[y, :] = CUT_LINE
    for row in range(rows):
        for col in range(cols):
            x, y = x0 + col * (w + GAP), y0 + row * (h + GAP)
            sheet[y : y + h, x : x + w] = photo
    return sheet
