"""Person checks: can this body, as the pose shows it, wear these garments?

Photo try-on refuses a person or garment that cannot be fitted (a typed error); a live stream
uses the same measures to decide, frame by frame, how much to trust the pose.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fitroom.errors import PersonNotUsable, UnsupportedGarment
from fitroom.fitting.anchors import BodyAnchors
from fitroom.garments.core import Garment

FloatArray = npt.NDArray[np.float32]

#: A landmark counts as seen when its visibility reaches this and it lies inside the photo.
MIN_VISIBILITY = 0.5

#: A body outline wider than this many shoulder-joint distances, a little below the shoulders,
#: means the pose's shoulders are not where the body is (a real torso with its arms beside it
#: is 1.1-1.9 times as wide; checked on the shared photos and the astronaut's bulky suit).
MAX_OUTLINE_OVER_SHOULDERS = 2.0
#: Beyond this the pose is refused even when its sides are not swapped.
MAX_OUTLINE_OVER_SHOULDERS_ALWAYS = 2.4


def _seen(anchors: BodyAnchors, points: FloatArray, vis: FloatArray) -> bool:
    w, h = anchors.image_size
    inside = (points[:, 0] >= 0) & (points[:, 0] < w) & (points[:, 1] >= 0) & (points[:, 1] < h)
    return bool(np.all(inside) and np.all(vis >= MIN_VISIBILITY))


def check_person(anchors: BodyAnchors) -> tuple[BodyAnchors, list[str]]:
    """Check that a person can wear a garment; returns the anchors to fit to and warnings.

    A person whose left shoulder is on the image's left is either seen from the back or the
    pose swapped their sides (common when the head is cropped, as on shop photos). Refusing
    would reject many usable front-facing photos, so the sides are swapped, the garment's front
    is drawn, and a warning says so (documented choice: warn, not refuse).

    Raises:
        PersonNotUsable: the shoulders are not visible.
    """
    warnings: list[str] = []
    if not _seen(anchors, anchors.shoulder_joints, anchors.visibility[:, 0]):
        raise PersonNotUsable(
            "both shoulders must be visible in the photo to fit a garment; use a photo that "
            "shows the person at least from the head to the chest"
        )
    if anchors.facing_back:
        anchors = anchors.mirrored()
        warnings.append(
            "the person may be seen from the back (their left shoulder is on the image's "
            "left); the garment's front was drawn — use a photo facing the camera"
        )
    return anchors, warnings


def arm_warnings(anchors: BodyAnchors) -> list[str]:
    """A warning per arm the pose barely sees (its elbow's visibility below
    :data:`MIN_VISIBILITY`): its sleeve may be misplaced."""
    return [
        f"the {side} arm is hard to see; its sleeve may be misplaced"
        for side, row in (("left", 0), ("right", 1))
        if float(anchors.visibility[row, 1]) < MIN_VISIBILITY
    ]


def outline_over_shoulders(anchors: BodyAnchors, person_mask: FloatArray) -> float:
    """How many shoulder-joint distances wide the person's outline is, a little below the
    shoulders: the smallest width over three rows (a quarter, a half and three quarters of a
    joint distance lower), each the run of person pixels under the joints' midpoint.
    0 when the midpoint is not on the person or the rows leave the photo."""
    return outline_over_joints(anchors.shoulder_joints, person_mask)


def outline_over_joints(joints: FloatArray, person_mask: FloatArray) -> float:
    """:func:`outline_over_shoulders` from the shoulder joints alone (float32 (2, 2), the
    pose's own shoulder landmarks): a stream checks a pose with it before anchoring on it."""
    mask = person_mask > 0.5
    h, w = mask.shape
    width = float(np.hypot(*(joints[0] - joints[1])))
    if width < 1.0:
        return 0.0
    mid = joints.mean(axis=0)
    x = round(float(mid[0]))
    ratios = []
    for share in (0.25, 0.5, 0.75):
        y = round(float(mid[1]) + share * width)
        if not (0 <= y < h and 0 <= x < w) or not mask[y, x]:
            return 0.0
        row = mask[y]
        gaps_left = np.flatnonzero(~row[:x])
        gaps_right = np.flatnonzero(~row[x:])
        left = int(gaps_left[-1]) + 1 if gaps_left.size else 0
        right = x + int(gaps_right[0]) if gaps_right.size else w
        ratios.append((right - left) / width)
    return float(min(ratios))


def check_pose_outline(anchors: BodyAnchors, person_mask: FloatArray) -> None:
    """Refuse a pose whose shoulders lie well inside the body's outline (the pose model lost
    the upper body, common when the head is cropped): a garment fitted to them would be drawn
    a fraction of the body's size.

    Raises:
        PersonNotUsable: the outline is wider than :data:`MAX_OUTLINE_OVER_SHOULDERS` shoulder
            distances and the sides look swapped, or wider than
            :data:`MAX_OUTLINE_OVER_SHOULDERS_ALWAYS`.
    """
    ratio = outline_over_shoulders(anchors, person_mask)
    limit = MAX_OUTLINE_OVER_SHOULDERS if anchors.facing_back else MAX_OUTLINE_OVER_SHOULDERS_ALWAYS
    if ratio > limit:
        raise PersonNotUsable(
            f"the shoulders found in this photo lie well inside the body (its outline is "
            f"{ratio:.1f} shoulder widths wide): the pose is unreliable, so the garment would "
            "be drawn at the wrong size; use a photo that shows the head and both shoulders"
        )


def pose_outline_unreliable(anchors: BodyAnchors, person_mask: FloatArray) -> bool:
    """Whether the outline is wider than :data:`MAX_OUTLINE_OVER_SHOULDERS_ALWAYS` shoulder
    distances: a pose photo mode refuses whichever way it faces (see :func:`check_pose_outline`)."""
    return outline_over_shoulders(anchors, person_mask) > MAX_OUTLINE_OVER_SHOULDERS_ALWAYS


def check_garment(garment: Garment, anchors: BodyAnchors) -> None:
    """Refuse a garment that cannot be fitted to the body this photo shows.

    Raises:
        UnsupportedGarment: trousers or a skirt on a photo without hips and knees visible, or
            a jumpsuit (not fitted yet).
    """
    if garment.category == "lower" or garment.subcategory == "jumpsuit":
        hips = _seen(anchors, anchors.hips, anchors.visibility[:, 3])
        knees = _seen(anchors, anchors.knees, anchors.visibility[:, 4])
        if not (hips and knees):
            raise UnsupportedGarment(
                f"{garment.subcategory} {garment.name!r} needs the hips and knees visible, but "
                "this photo shows only the upper body; use a full-body photo or an upper garment"
            )
        if garment.subcategory == "jumpsuit":
            raise UnsupportedGarment(
                f"jumpsuit {garment.name!r}: jumpsuits are not fitted yet; try a top with "
                "trousers, or a dress"
            )


__all__ = [
    "MAX_OUTLINE_OVER_SHOULDERS",
    "MAX_OUTLINE_OVER_SHOULDERS_ALWAYS",
    "MIN_VISIBILITY",
    "arm_warnings",
    "check_garment",
    "check_person",
    "check_pose_outline",
    "outline_over_joints",
    "outline_over_shoulders",
    "pose_outline_unreliable",
]
