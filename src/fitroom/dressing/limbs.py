"""The person's arms and legs as typed capsules: bone chains with a radius.

Old-garment removal, skin repainting and shading need to know where the limbs are; they get
them as :class:`Limbs`, whose named fields say which limb is which (no list positions).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.anchors import BodyAnchors
from fitroom.vision.core import BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]

#: An arm's radius as a share of the shoulder-seam distance (loose sleeve fabric lies beyond).
ARM_RADIUS = 0.12
#: A thigh's radius, as a share of the shoulder-seam distance.
LEG_RADIUS = 0.2
#: A shin's radius, as a share of the shoulder-seam distance (old trousers wider than the shin
#: below the knee are loose fabric, painted as what lies behind).
SHIN_RADIUS = 0.12


@dataclass(frozen=True)
class Limb:
    """One limb (or a stretch of it) as a capsule.

    Attributes:
        bones: float32 (K, 2), K ≥ 1: joint positions in pixels along the limb (e.g.
            shoulder, elbow, wrist), joined by straight bones.
        radius: the limb's radius in pixels.
    """

    bones: FloatArray
    radius: float

    def __post_init__(self) -> None:
        if self.bones.ndim != 2 or self.bones.shape[1] != 2 or self.bones.shape[0] < 1:
            raise ValueError(f"Limb.bones: expected (K, 2) with K ≥ 1, got {self.bones.shape}")

    def shifted(self, offset: FloatArray) -> Limb:
        """The same limb with ``offset`` (float32 (2,), x and y) subtracted from its joints."""
        return Limb(np.asarray(self.bones, np.float32) - offset, self.radius)


@dataclass(frozen=True)
class Limbs:
    """The person's arms and legs, the person's own left and right.

    Attributes:
        left_arm, right_arm: shoulder joint → elbow → wrist, at :data:`ARM_RADIUS`.
        left_thigh, right_thigh: hip → knee, at :data:`LEG_RADIUS`.
        left_shin, right_shin: knee → ankle, at :data:`SHIN_RADIUS` (narrower than the thigh).
    """

    left_arm: Limb
    right_arm: Limb
    left_thigh: Limb
    right_thigh: Limb
    left_shin: Limb
    right_shin: Limb

    @classmethod
    def from_anchors(cls, anchors: BodyAnchors) -> Limbs:
        """The limbs of a person's body anchors, radii as shares of the shoulder-seam distance."""
        scale = anchors.shoulder_width

        def limb(points: list[FloatArray], share: float) -> Limb:
            return Limb(np.stack(points), share * scale)

        return cls(
            left_arm=limb(
                [anchors.shoulder_joints[0], anchors.elbows[0], anchors.wrists[0]], ARM_RADIUS
            ),
            right_arm=limb(
                [anchors.shoulder_joints[1], anchors.elbows[1], anchors.wrists[1]], ARM_RADIUS
            ),
            left_thigh=limb([anchors.hips[0], anchors.knees[0]], LEG_RADIUS),
            right_thigh=limb([anchors.hips[1], anchors.knees[1]], LEG_RADIUS),
            left_shin=limb([anchors.knees[0], anchors.ankles[0]], SHIN_RADIUS),
            right_shin=limb([anchors.knees[1], anchors.ankles[1]], SHIN_RADIUS),
        )

    @property
    def all(self) -> tuple[Limb, ...]:
        """Every limb: the arms, the thighs, then the shins (left before right)."""
        return (
            self.left_arm,
            self.right_arm,
            self.left_thigh,
            self.right_thigh,
            self.left_shin,
            self.right_shin,
        )

    @property
    def thigh(self) -> float:
        """The longer thigh's length (hip to knee) in pixels."""
        return max(
            float(np.hypot(*(t.bones[1] - t.bones[0]))) for t in (self.left_thigh, self.right_thigh)
        )

    def shifted(self, offset: FloatArray) -> Limbs:
        """The same limbs with ``offset`` (float32 (2,)) subtracted, e.g. for a crop."""
        return Limbs(*(limb.shifted(offset) for limb in self.all))

    def ankle_row(self, side: int) -> float:
        """The lowest row of a leg's capsules (0 = left, 1 = right): below it lie the shoes."""
        pieces = (
            (self.left_thigh, self.left_shin) if side == 0 else (self.right_thigh, self.right_shin)
        )
        return max(float(p.bones[-1][1]) + 0.5 * p.radius for p in pieces)

    def shoulder_line(self) -> Limb:
        """The line between the shoulders as one more limb (a capsule of the arms' radius): the
        top of the chest and the shoulders are round, not the part map's steps."""
        left, right = self.left_arm, self.right_arm
        return Limb(np.stack([left.bones[0], right.bones[0]]).astype(np.float32), left.radius)

    def torso_line(self) -> Limb:
        """The torso as one more limb, for shading: from between the shoulders to between the
        hips, as wide as the shoulders."""
        shoulders = np.stack([self.left_arm.bones[0], self.right_arm.bones[0]]).astype(np.float32)
        hips = np.stack([self.left_thigh.bones[0], self.right_thigh.bones[0]]).astype(np.float32)
        radius = 0.55 * float(np.hypot(*(shoulders[0] - shoulders[1])))
        return Limb(np.stack([shoulders.mean(axis=0), hips.mean(axis=0)]), radius)

    def above_shoulders(self, parts: BodyParts) -> FloatArray:
        """Torso-labelled pixels above the line through the shoulder joints, float32 (H, W)."""
        h, w = parts.labels.shape
        out = np.zeros((h, w), np.float32)
        (lx, ly), (rx, ry) = self.left_arm.bones[0], self.right_arm.bones[0]
        if abs(float(lx - rx)) < 1.0:
            return out
        cols = np.arange(w, dtype=np.float32)
        line = ly + (cols - lx) * np.float32((ry - ly) / (rx - lx))
        rows = np.arange(h, dtype=np.float32)[:, None]
        out[(rows < line[None, :]) & (parts.labels == int(BodyPart.TORSO))] = 1.0
        return out


def bare_stretches(limbs: Sequence[Limb], coverage: FloatArray) -> list[Limb]:
    """The stretches of each limb's bones that no new garment covers (coverage ≤ 0.5 there),
    as limbs of their own: float32 (K, 2) points every few pixels, and the limb's radius.

    A stretch covered on both sides, with the covered points around it at most the limb's
    radius apart, is no bare limb: the bone runs through a narrow gap between two pieces of
    the new garment (an arm hanging against the body, its shoulder joint between the sleeve
    and the body panel), and the limb is inside the garment on either side. (Taken for bare
    arm, the old fabric in that gap was painted as a wedge of skin.)"""
    h, w = coverage.shape
    out: list[Limb] = []
    for limb in limbs:
        chain, radius = limb.bones, limb.radius
        points = []
        for a, b in itertools.pairwise(chain):
            steps = max(2, int(np.hypot(*(b - a)) / max(2.0, radius / 3.0)))
            t = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)[:, None]
            points.append(a[None, :] + t * (b - a)[None, :])
        pts = np.concatenate(points).astype(np.float32)
        xs = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
        ys = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
        bare = coverage[ys, xs] <= 0.5
        # Each run of bare points is a limb of its own.
        edges = np.flatnonzero(np.diff(np.concatenate([[0], bare.astype(np.int8), [0]])))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            if start > 0 and stop < len(pts):
                across = float(np.hypot(*(pts[stop] - pts[start - 1])))
                if across <= radius:
                    continue
            run = pts[start:stop]
            out.append(Limb(run if len(run) > 1 else np.repeat(run, 2, axis=0), radius))
    return out


def limb_mask(shape: tuple[int, int], limbs: Sequence[Limb]) -> FloatArray:
    """Where the limbs themselves are: thick polylines along the bones, float32 (H, W) in [0, 1].

    Args:
        shape: (H, W).
        limbs: the limbs (drawn in this order).
    """
    out = np.zeros(shape, np.uint8)
    for limb in limbs:
        thickness = max(1, round(2 * limb.radius))
        pts = np.round(limb.bones).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(out, [pts], False, 255, thickness, cv2.LINE_AA)
    scaled = out.astype(np.float32)
    scaled *= np.float32(1.0 / 255.0)  # (in place: no second frame-sized array)
    return scaled


__all__ = [
    "ARM_RADIUS",
    "LEG_RADIUS",
    "SHIN_RADIUS",
    "Limb",
    "Limbs",
    "bare_stretches",
    "limb_mask",
]
