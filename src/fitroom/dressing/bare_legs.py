"""Bare legs: where legs no new garment covers lie, at their own width, and where shorts end.

Where old trousers or a long skirt go, the legs below are drawn as bare skin at the width the
photo shows them (:func:`bare_legs_mask`), and a leg's bare rows below an old hem are kept
as the photo's own (:func:`bare_leg_rows`). The arms' counterpart is :mod:`bare_arms`.

Masks are float32 (H, W) in [0, 1]; points (x, y) in pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limbs
from fitroom.dressing.masks import labels_mask
from fitroom.vision.core import LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]

#: A bare leg's width at the ankle over its width at the knee.
ANKLE_OF_KNEE = 0.6

#: The legs' part labels, left then right (their shoes lie below :meth:`Limbs.ankle_row`).
LEG_ORDER = (BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG)


def bare_leg_radius(parts: BodyParts, knee: FloatArray, ankle: FloatArray) -> float | None:
    """Half the width of a bare leg at the knee (the upper quartile over rows from a tenth of
    the way to the ankle above the knee to as far below it, of the run of leg skin through the
    bone), or None where the photo shows too little of it bare (trousers down to the shoes)."""
    h, w = parts.labels.shape
    bare = labels_mask(parts.labels, LEG_PARTS) & (parts.skin > 0.5)
    halves = []
    for t in np.linspace(-0.1, 0.1, 9):
        x, y = knee + t * (ankle - knee)
        row, col = round(float(y)), round(float(x))
        if not (0 <= row < h and 0 <= col < w) or not bare[row, col]:
            continue
        line = bare[row]
        left = col - int(np.argmin(line[col::-1])) if not line[: col + 1].all() else 0
        right = col + int(np.argmin(line[col:])) if not line[col:].all() else w
        halves.append(0.5 * (right - left))
    return float(np.percentile(halves, 75)) if len(halves) >= 3 else None


def bare_leg_rows(parts: BodyParts, person: FloatArray, run: int) -> FloatArray:
    """Each leg's pixels from its old garment's hem down: float32 (H, W) in {0, 1}.

    The hem is the first row, going down the leg, that starts ``run`` rows in a row on which
    the leg shows mostly skin (half its pixels or more): shorts end there and the leg below is
    bare, whatever the part map calls a few shaded pixels on it. (A row or two read as skin on
    a printed trouser leg is no hem.) Grown by a pixel.
    """
    out = np.zeros(parts.labels.shape, np.uint8)
    inside = person > 0.5
    for leg in LEG_ORDER:
        on_leg = (parts.labels == int(leg)) & inside
        count = on_leg.sum(axis=1)
        bare = (count > 0) & (2 * (on_leg & (parts.skin > 0.5)).sum(axis=1) >= count)
        # Rows starting a run of ``run`` bare rows: a sliding sum over the next rows.
        window = np.convolve(bare.astype(np.int32), np.ones(max(1, run), np.int32))[run - 1 :]
        starts = np.flatnonzero(window[: bare.size] >= run)
        if starts.size:
            out[int(starts[0]) :] |= on_leg[int(starts[0]) :]
    return cv2.dilate(out, np.ones((3, 3), np.uint8)).astype(np.float32)


def bare_legs_mask(parts: BodyParts, limbs: Limbs, union: FloatArray) -> FloatArray:
    """Where the legs no new garment covers are, at their own width: float32 (H, W) in [0, 1].

    Each thigh narrows from its capsule's radius at the hip to the leg's measured half width
    below the knee (:func:`bare_leg_radius`; the shin's capsule radius where not measured); the
    shin keeps the knee's width to the calf and narrows to :data:`ANKLE_OF_KNEE` of it at the
    ankle. Only bare stretches (new coverage ≤ 0.5 on the bone) are drawn, at full width up
    to a new hem crossing the leg, and only where no new garment covers them.
    """
    h, w = union.shape
    out = np.zeros((h, w), np.uint8)
    for thigh, shin in ((limbs.left_thigh, limbs.left_shin), (limbs.right_thigh, limbs.right_shin)):
        hip, knee = thigh.bones[0], thigh.bones[-1]
        ankle = shin.bones[-1]
        if not np.isfinite(np.stack([hip, knee, ankle])).all():
            continue
        measured = bare_leg_radius(parts, knee, ankle)
        r_knee = shin.radius if measured is None else measured
        r_knee = float(np.clip(r_knee, 0.5 * shin.radius, thigh.radius))
        calf = knee + 0.4 * (ankle - knee)
        stretches = (
            (hip, knee, thigh.radius, r_knee),
            (knee, calf, r_knee, r_knee),
            (calf, ankle, r_knee, ANKLE_OF_KNEE * r_knee),
        )
        # Points down the leg (x, y, radius, distance along the leg) and whether they are bare.
        samples: list[tuple[float, float, float, float]] = []
        for a, b, ra, rb in stretches:
            length = float(np.hypot(*(b - a)))
            start = samples[-1][3] if samples else 0.0
            steps = max(2, int(length / 3.0))
            for t in np.linspace(0.0, 1.0, steps + 1):
                x, y = a + t * (b - a)
                samples.append((float(x), float(y), float(ra + t * (rb - ra)), start + t * length))
        if not samples:
            continue
        points = np.array(samples, np.float64)
        cols = np.clip(np.round(points[:, 0]), 0, w - 1).astype(int)
        rows = np.clip(np.round(points[:, 1]), 0, h - 1).astype(int)
        bare = union[rows, cols] <= 0.5
        if not bare.any():
            continue
        # The leg goes on under a new hem for a radius: its round end drawn at the first bare
        # point left the corners below the hem to the background, a pale strip across the
        # leg where the old, longer shorts were.
        along = points[:, 3]
        first_bare = along[bare]
        near = np.abs(along[:, None] - first_bare[None, :]).min(axis=1) <= points[:, 2]
        for x, y, radius, _ in points[bare | near]:
            cv2.circle(out, (round(x), round(y)), max(1, round(radius)), 1, -1, cv2.LINE_AA)
    # (Only where no new garment covers the leg: under it the leg is not drawn.)
    out[union > 0.5] = 0
    return out.astype(np.float32)


__all__ = ["ANKLE_OF_KNEE", "LEG_ORDER", "bare_leg_radius", "bare_leg_rows", "bare_legs_mask"]
