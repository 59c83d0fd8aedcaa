"""The photo's light and folds on new trousers, shorts or a skirt (tried on alone).

The light on a new garment is the photo's slow light and folds, read from the old garment
(:mod:`fitroom.dressing.shading`), relative to the old garment's median. Round a lower garment
that median is pulled down by what the old garment's mask takes in besides fabric (hands in the
pockets, the rim of dark skin beside the thighs, the shadow between the legs): the light then
lay above 1 over most of the new garment, and light shorts were drawn a tenth lighter than
their product photo and than the person's photo (one of the shared true pairs of shorts). Here
the light is brought back to median 1 over the new garment itself (:func:`at_median_one`): the
garment keeps its own exposure on the whole, the photo says how the light varies over it.

The old trousers' seams, pocket outlines and cuffs are held back as for a top, but only the
sharpest of them (:data:`LOWER_EDGE_SLOPE`): a lower garment is seen whole and flat-on, and
the softer edges of its drape (the crease down a rolled cuff, the fold under a belt, the shadow
along a pocket) are what make it look worn in that photo.

Masks float32 (H, W) in [0, 1]; light factors float32 (H, W), 1 = unchanged.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fitroom.dressing.shading import LIGHT_POWER, LIGHT_RANGE

FloatArray = npt.NDArray[np.float32]

#: The slope of the old garment's log luminance beyond which it is a sharp edge, not a fold, on
#: new lower garments alone (see :data:`~fitroom.dressing.shading.EDGE_SLOPE`, 0.04, for tops).
#: On the four shared true pairs of shorts the garment-box SSIM median rose with it (0.691 at
#: 0.04, 0.706 at 0.06, 0.714 at 0.08, 0.719 at 0.1, 0.722 at 0.12). Cream trousers tried on
#: over grey or blue jeans and pink jeans over printed trousers looked the same at 0.12 as at
#: 0.04 (the fold's other gates hold the weave and the print back; 0.5 levels apart on
#: average); at 0.2 the old jeans' fly showed as a faint line on the cream trousers.
LOWER_EDGE_SLOPE = 0.12


def lower_light(slow: FloatArray, folds: FloatArray, garment: FloatArray) -> FloatArray:
    """The light on new lower garments: the old garment's slow light (damped) times the folds,
    at median 1 over the new garment. float32 (H, W).

    Args:
        slow: float32 (H, W): the old garment's slow light, 1 = its median (see
            :func:`~fitroom.dressing.shading.low_frequency_shading`).
        folds: float32 (H, W): the folds (:func:`~fitroom.dressing.shading.fold_shading`).
        garment: float32 (H, W) in [0, 1]: the new lower garment's coverage.

    >>> slow = np.full((4, 4), 1.25, np.float32); folds = np.ones((4, 4), np.float32)
    >>> light = lower_light(slow, folds, np.ones((4, 4), np.float32))
    >>> bool(np.allclose(light, 1.0))
    True
    """
    # (Within the tops' range and at their power: a dark belt or a waistband's shadow is no light.)
    light = np.clip(slow, *LIGHT_RANGE) ** np.float32(LIGHT_POWER)
    light *= folds
    return at_median_one(light.astype(np.float32, copy=False), garment)


def at_median_one(light: FloatArray, garment: FloatArray) -> FloatArray:
    """``light`` over its median where the garment covers (``garment`` > 0.5): float32 (H, W);
    as given where the garment covers nothing.

    >>> light = np.full((4, 4), 1.2, np.float32); light[0] = 0.6
    >>> out = at_median_one(light, np.ones((4, 4), np.float32))
    >>> float(out[2, 2]), float(out[0, 0])
    (1.0, 0.5)
    """
    inside = garment > 0.5
    if not inside.any():
        return light
    ref = float(np.median(light[inside]))
    if ref <= 1e-3:
        return light
    out: FloatArray = (light / np.float32(ref)).astype(np.float32)
    return out


__all__ = [
    "LOWER_EDGE_SLOPE",
    "at_median_one",
    "lower_light",
]
