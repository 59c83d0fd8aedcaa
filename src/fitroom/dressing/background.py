"""The background behind removed fabric: repainted from the surroundings.

Images are float32 (H, W, 3) RGB in [0, 255]; masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import pick, put

FloatArray = npt.NDArray[np.float32]


def fill_with_background(
    base: FloatArray,
    region: FloatArray,
    factor: int = 4,
    avoid: FloatArray | None = None,
    *,
    out: FloatArray | None = None,
) -> FloatArray:
    """Repaint ``region`` (float32 (H, W) in [0, 1]) from its surroundings (inpainting at
    1/``factor`` resolution; the fill is smooth, as a background behind a person is).

    Pixels where ``avoid`` (float32 (H, W)) exceeds 0.1 are not used as sources: the person
    (and the rest of their old garment) is not what lies behind loose fabric.

    The result is written to ``out`` (which may be ``base`` itself) or to a new copy.
    """
    out = base.copy() if out is None else out
    hard = region > 0.05
    # (The box of the region's pixels, without listing them.)
    bx, by, bw, bh = cv2.boundingRect(hard.view(np.uint8))
    if bw == 0 or bh == 0:
        return out
    h, w = region.shape
    pad = 8 * factor
    y0, y1 = max(0, by - pad), min(h, by + bh + pad)
    x0, x1 = max(0, bx - pad), min(w, bx + bw + pad)
    crop = np.clip(base[y0:y1, x0:x1], 0, 255).astype(np.uint8)
    size = (max(1, (x1 - x0) // factor), max(1, (y1 - y0) // factor))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    # Area-average then any coverage counts, so thin regions survive the downscale.
    coverage = cv2.resize(hard[y0:y1, x0:x1].astype(np.float32), size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.dilate((coverage > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    if avoid is not None:
        skip = cv2.resize(avoid[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA) > 0.1
        small_mask |= skip.astype(np.uint8)
    filled = cv2.inpaint(small, small_mask, 3, cv2.INPAINT_TELEA)
    big = cv2.resize(filled, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    # Only the region's pixels are blended (elsewhere the blend gives the photo back).
    in_region = region[y0:y1, x0:x1] != 0
    e = region[y0:y1, x0:x1][in_region][:, None]
    crop = pick(base[y0:y1, x0:x1], in_region)
    blended = crop * (1.0 - e) + pick(big, in_region).astype(np.float32) * e
    put(out[y0:y1, x0:x1], in_region, blended)
    return out


__all__ = ["fill_with_background"]
