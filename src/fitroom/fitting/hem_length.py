"""How long a top is worn: a tee's, sweater's or tank's hem ends at the hips at the lowest
(see :func:`fitroom.fitting.garment_fit.torso_targets`)."""

from __future__ import annotations

import numpy as np

from fitroom.fitting.anchors import BodyAnchors

#: Subcategories worn to the hips at most: their hem is raised to :data:`HEM_ABOVE_HIPS`.
HIP_LENGTH = frozenset({"t-shirt", "sweater", "tank"})

#: Where a tee's, sweater's or tank's hem lies at the lowest: this share of the shoulders-to-hips
#: distance above the hip joints. (On the true pairs' photos these garments end between a
#: fifth above and a twentieth below the joints; 0.1 or 0.2 raised a long sweater's hem above
#: the photo's, the old one's lower part repainted as a dark band.)
HEM_ABOVE_HIPS = 0.0


def hem_above_hips(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Raise the waist and hem of torso targets, in place, so the hem lies no lower than
    :data:`HEM_ABOVE_HIPS` of the torso's height above the hip joints (the armpits stay; the
    waist keeps its share of the way from them to the hem).

    The length read from a product photo (scaled with the chest's width) put some tees' hems
    a fifth of the torso below the hip joints, over the shorts or trousers, where on the
    true pairs' photos the same garments end above them.

    >>> import numpy as np
    >>> from fitroom.fitting.anchors import BodyAnchors
    >>> pair = lambda y: np.array([[60, y], [40, y]], np.float32)
    >>> anchors = BodyAnchors(
    ...     shoulders=pair(100), shoulder_joints=pair(100), elbows=pair(150), wrists=pair(200),
    ...     hips=pair(200), knees=pair(300), ankles=pair(400),
    ...     torso_edges=np.array([[100, 60, 40]], np.float32),
    ...     visibility=np.ones((2, 6), np.float32), image_size=(100, 500))
    >>> targets = {"armpit_left": (60, 140), "armpit_right": (40, 140), "waist_left": (60, 190),
    ...     "waist_right": (40, 190), "hem_left": (60, 240), "hem_right": (40, 240)}
    >>> hem_above_hips(targets, anchors)
    >>> targets["hem_left"], targets["waist_left"], targets["armpit_left"]
    ((60, 200.0), (60, 170.0), (60, 140))
    """
    top = float(anchors.shoulder_joints[:, 1].mean())
    hips = float(anchors.hips[:, 1].mean())
    if not np.isfinite(top) or not np.isfinite(hips) or hips - top < 1.0:
        return
    lowest = hips - HEM_ABOVE_HIPS * (hips - top)
    pit = 0.5 * (targets["armpit_left"][1] + targets["armpit_right"][1])
    hem = 0.5 * (targets["hem_left"][1] + targets["hem_right"][1])
    if hem <= lowest or lowest <= pit + 1.0:
        return
    share = (lowest - pit) / (hem - pit)
    for name in ("waist_left", "waist_right", "hem_left", "hem_right"):
        x, y = targets[name]
        targets[name] = (x, pit + (y - pit) * share)


__all__ = ["HEM_ABOVE_HIPS", "HIP_LENGTH", "hem_above_hips"]
