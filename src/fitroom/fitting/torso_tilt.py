"""A top's rows below the shoulders tilted as the torso is: the armpits with the shoulders, the
hem with the hips, the waist in between.

The torso targets of :func:`fitroom.fitting.garment_fit.torso_targets` put each row's two
points (armpits, waist, hem) at one height. On a person leaning to one side (shoulders slanting
by 5 to 12 degrees on half the true pairs' photos) the neck and shoulder seams followed the
slant but the armpits did not, and the thin-plate spline between them turned the print on the
chest back towards level: a logo photographed slanting with the shoulders was drawn level.
"""

from __future__ import annotations

import numpy as np

from fitroom.fitting.anchors import BodyAnchors

#: Steepest slant given to a row (tan of 15 degrees): a pose's hips are less sure than its
#: shoulders, and a garment hangs, it is not turned on its side.
MAX_SLOPE = 0.27

#: Shoulder joints closer together across than this share of the torso's length (shoulders to
#: hips, down) give no slant, and it grows to the full slant at :data:`FRONTAL`: a person turning
#: side-on, whose shoulders close up, has no slant across to follow (the pose's shoulders, a few
#: pixels apart, slanted steeply either way from frame to frame: the live garment jumped). The
#: true pairs' frontal photos lie at 0.5 to 0.75.
SIDE_ON = 0.3
FRONTAL = 0.45

#: The rows tilted, from the top down.
TILTED_ROWS: tuple[str, ...] = ("armpit", "waist", "hem")


def _slope(pair: np.ndarray) -> float | None:
    """dy/dx of the line from a (2, 2) [left, right] pair's right point to its left one."""
    dx = float(pair[0, 0] - pair[1, 0])
    if abs(dx) < 1.0 or not np.isfinite(pair).all():
        return None
    return float(np.clip((pair[0, 1] - pair[1, 1]) / dx, -MAX_SLOPE, MAX_SLOPE))


def torso_slope_at(anchors: BodyAnchors, y: float) -> float | None:
    """The torso's slant (dy/dx across the body) at row ``y``: the shoulder joints' at their
    height, the hips' at theirs, linear in between (and constant beyond); None without a
    shoulder line; scaled down to none for a person turning side-on (:data:`SIDE_ON`).

    >>> import numpy as np
    >>> z = np.zeros((2, 2), np.float32)
    >>> a = BodyAnchors(
    ...     shoulders=z, shoulder_joints=np.array([[200, 90], [100, 110]], np.float32),
    ...     elbows=z, wrists=z, hips=np.array([[180, 300], [120, 300]], np.float32),
    ...     knees=z, ankles=z, torso_edges=np.zeros((0, 3), np.float32),
    ...     visibility=np.ones((2, 6), np.float32), image_size=(300, 400))
    >>> round(torso_slope_at(a, 100.0), 3), round(torso_slope_at(a, 200.0), 3)
    (-0.2, -0.1)
    """
    top = _slope(anchors.shoulder_joints.astype(np.float64))
    if top is None:
        return None
    bottom = _slope(anchors.hips.astype(np.float64))
    if bottom is None:
        return top
    y_top = float(anchors.shoulder_joints[:, 1].mean())
    y_bottom = float(anchors.hips[:, 1].mean())
    if y_bottom - y_top < 1.0:
        return top
    across = abs(float(anchors.shoulder_joints[0, 0] - anchors.shoulder_joints[1, 0]))
    frontal = float(np.clip((across / (y_bottom - y_top) - SIDE_ON) / (FRONTAL - SIDE_ON), 0, 1))
    t = float(np.clip((y - y_top) / (y_bottom - y_top), 0.0, 1.0))
    return frontal * ((1.0 - t) * top + t * bottom)


def tilt_rows(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Tilt the armpit, waist and hem rows of torso ``targets`` about each row's middle by the
    torso's slant at that row (:func:`torso_slope_at`), in place; the columns stay."""
    for row in TILTED_ROWS:
        left, right = f"{row}_left", f"{row}_right"
        if left not in targets or right not in targets:
            continue
        (lx, ly), (rx, ry) = targets[left], targets[right]
        y = 0.5 * (ly + ry)
        slope = torso_slope_at(anchors, y)
        if slope is None:
            continue
        cx = 0.5 * (lx + rx)
        targets[left] = (lx, y + slope * (lx - cx))
        targets[right] = (rx, y + slope * (rx - cx))


__all__ = ["FRONTAL", "MAX_SLOPE", "SIDE_ON", "TILTED_ROWS", "tilt_rows", "torso_slope_at"]
