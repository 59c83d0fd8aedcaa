"""Where the torso landmarks of a top with close-set straps land: a halter, strap or
one-shoulder top is sized by its chest, not by its straps.

A top's "shoulder" landmarks are the ends of its upper edge. On a tee or a tank they are the
shoulder seams or the straps over the shoulders, as far apart as the body's shoulders. On a
halter they are the tie at the back of the neck, half the chest's width apart or less: placed
by them onto the shoulder seams (:func:`~fitroom.fitting.garment_fit.torso_targets`), a halter
top came out about twice its size, hanging to the calves across the backdrop between the legs.
Such a top is placed like a sleeveless dress (:mod:`fitroom.fitting.dress_fit`): its chest
(armpit to armpit) onto the body's chest, upright on the body's axis, the top of its straps at
the shoulders' tops; the rest (length, sides, hem) as any top's.
"""

from __future__ import annotations

import numpy as np

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.dress_fit import chest_similarity, chest_sized
from fitroom.fitting.garment_fit import torso_targets
from fitroom.garments.core import Garment

#: Strap tops closer together than this share of the armpits' distance are not over the
#: shoulders (a halter's neck tie: 0.53; a tank's straps and a tee's seams: 0.7 and more).
CLOSE_STRAPS = 0.6


def close_straps(garment: Garment) -> bool:
    """Whether a sleeveless top's straps meet near the neck (:data:`CLOSE_STRAPS`) while its
    armholes are read (:func:`~fitroom.fitting.dress_fit.chest_sized`), so its chest sizes it."""
    lm = garment.landmarks
    names = ("shoulder_left", "shoulder_right", "armpit_left", "armpit_right")
    if garment.sleeve != "none" or not set(names) <= set(lm.names) or not chest_sized(lm):
        return False
    straps = float(np.hypot(*(lm["shoulder_left"][:2] - lm["shoulder_right"][:2])))
    chest = float(np.hypot(*(lm["armpit_left"][:2] - lm["armpit_right"][:2])))
    return straps < CLOSE_STRAPS * chest


def strap_top_targets(
    garment: Garment, anchors: BodyAnchors, ease: float = 1.04
) -> tuple[dict[str, tuple[float, float]], float]:
    """Where each torso landmark of a top lands: by its chest when its straps are close-set
    (:func:`close_straps`), else by its shoulders
    (:func:`~fitroom.fitting.garment_fit.torso_targets`, as every other top).

    Returns:
        (name → (x, y) target, scale in body pixels per garment pixel).
    """
    matrix = chest_similarity(garment.landmarks, anchors, ease) if close_straps(garment) else None
    return torso_targets(garment, anchors, ease, similarity=matrix)


__all__ = ["CLOSE_STRAPS", "close_straps", "strap_top_targets"]
