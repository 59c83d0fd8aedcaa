"""Body anchors for fitting: where a garment's landmarks should land on this person.

Pure functions of the pose, the person mask and the body-part map. Widths are measured from the
body-part map's torso rows (which include the current clothes — a new garment must cover those),
positions from the pose.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.vision.core import BodyPart, BodyParts, Pose
from fitroom.vision.landmarks import PoseLandmark

FloatArray = npt.NDArray[np.float32]

#: How far the shoulder seam sits outside the shoulder joint, as a share of shoulder distance.
SHOULDER_SEAM_OUT = 0.10


@dataclass(frozen=True)
class BodyAnchors:
    """Where a garment attaches on one person, in image pixels.

    Attributes:
        shoulders: (2, 2) float32 shoulder seam points, rows [left, right] (the person's own
            sides: left is image right for a front-facing person).
        shoulder_joints, elbows, wrists, hips, knees, ankles: (2, 2) float32, rows [left, right].
        torso_edges: callable data as (K, 3) float32 rows ``[y, x_left, x_right]`` — the torso's
            extent (person's left edge, right edge) on sampled rows; NaN where not measured.
        visibility: (2, 6) float32 visibility of [shoulder, elbow, wrist, hip, knee, ankle] for
            [left, right].
        image_size: (width, height).
        lower_edges: (K, 3) float32 rows like ``torso_edges`` for the torso and both legs
            together (the outer outline of the hips and legs with what is worn on them), or
            None where not measured.
        facing: how square to the camera the shoulders are, in (0, 1]: the shoulders' distance
            in the picture over their distance in space (see :func:`shoulders_facing`); 1 for
            a person facing the camera (or the back to it), less for one turned aside, whose
            shoulders look closer together than the body is long.
    """

    shoulders: FloatArray
    shoulder_joints: FloatArray
    elbows: FloatArray
    wrists: FloatArray
    hips: FloatArray
    knees: FloatArray
    ankles: FloatArray
    torso_edges: FloatArray
    visibility: FloatArray
    image_size: tuple[int, int]
    lower_edges: FloatArray | None = None
    facing: float = 1.0

    def __post_init__(self) -> None:
        for name in ("shoulders", "shoulder_joints", "elbows", "wrists", "hips", "knees", "ankles"):
            arr = getattr(self, name)
            if arr.shape != (2, 2) or arr.dtype != np.float32:
                raise ValueError(f"BodyAnchors.{name}: expected float32 (2, 2), got {arr.shape}")
        if self.torso_edges.ndim != 2 or self.torso_edges.shape[1] != 3:
            raise ValueError(
                f"BodyAnchors.torso_edges: expected (K, 3), got {self.torso_edges.shape}"
            )
        if self.lower_edges is not None and (
            self.lower_edges.ndim != 2 or self.lower_edges.shape[1] != 3
        ):
            raise ValueError(
                f"BodyAnchors.lower_edges: expected (K, 3), got {self.lower_edges.shape}"
            )
        if self.visibility.shape != (2, 6):
            raise ValueError(
                f"BodyAnchors.visibility: expected (2, 6), got {self.visibility.shape}"
            )
        if not 0.0 < self.facing <= 1.0:
            raise ValueError(f"BodyAnchors.facing: expected a value in (0, 1], got {self.facing}")

    @property
    def shoulder_width(self) -> float:
        """Distance between the shoulder seam points in pixels."""
        return float(np.hypot(*(self.shoulders[0] - self.shoulders[1])))

    @property
    def facing_back(self) -> bool:
        """True when the person's left shoulder is on the image left: seen from the back."""
        left, right = self.shoulder_joints
        return bool(left[0] < right[0] - 0.1 * abs(float(left[0] - right[0])) - 1.0)

    def mirrored(self) -> BodyAnchors:
        """The same anchors with the person's left and right swapped (the point rows).

        The torso edges stay as they are: they are measured by image position, the larger x
        first (see :func:`measure_torso_edges`), which is already the left of the mirrored,
        front-facing person. (Swapping them too made the torso's width negative, so a garment
        fitted to a pose with swapped sides ignored the body's measured width.)
        """
        swap = [1, 0]
        edges = self.torso_edges.copy()
        return BodyAnchors(
            shoulders=self.shoulders[swap].copy(),
            shoulder_joints=self.shoulder_joints[swap].copy(),
            elbows=self.elbows[swap].copy(),
            wrists=self.wrists[swap].copy(),
            hips=self.hips[swap].copy(),
            knees=self.knees[swap].copy(),
            ankles=self.ankles[swap].copy(),
            torso_edges=edges,
            visibility=self.visibility[swap].copy(),
            image_size=self.image_size,
            lower_edges=None if self.lower_edges is None else self.lower_edges.copy(),
            facing=self.facing,
        )

    def torso_edge_at(self, y: float) -> tuple[float, float] | None:
        """(x_left, x_right) of the torso at row ``y``, or None when no row within 12 pixels
        was measured (see :func:`edge_at`)."""
        return edge_at(self.torso_edges, y)

    def lower_edge_at(self, y: float) -> tuple[float, float] | None:
        """(x_left, x_right) of the hips and legs together at row ``y`` (see :func:`edge_at`),
        or None where not measured."""
        return None if self.lower_edges is None else edge_at(self.lower_edges, y)


def edge_at(rows: FloatArray, y: float) -> tuple[float, float] | None:
    """(x_left, x_right) at row ``y`` from sampled ``[y, x_left, x_right]`` rows, or None when
    no row within 12 pixels was measured.

    Between two measured rows at most 12 pixels apart the edges are interpolated linearly:
    taking the nearest row made the edges jump by the rows' difference whenever ``y`` crossed
    the middle between two rows (a garment's hem twitching on a still person). Otherwise the
    nearest measured row answers.
    """
    ok = np.isfinite(rows[:, 1]) & np.isfinite(rows[:, 2])
    if not ok.any() or y < rows[0, 0] - 1 or y > rows[-1, 0] + 1:
        return None
    rows = rows[ok]
    i = int(np.searchsorted(rows[:, 0], y))
    if 0 < i < len(rows):
        (y0, l0, r0), (y1, l1, r1) = rows[i - 1].tolist(), rows[i].tolist()
        if y1 - y0 <= 12.0:
            t = (y - y0) / max(y1 - y0, 1e-6)
            return l0 + t * (l1 - l0), r0 + t * (r1 - r0)
    j = int(np.argmin(np.abs(rows[:, 0] - y)))
    if abs(float(rows[j, 0]) - y) > 12.0:
        return None
    return float(rows[j, 1]), float(rows[j, 2])


def _pair(xy: FloatArray, left: PoseLandmark, right: PoseLandmark) -> FloatArray:
    return np.stack([xy[int(left)], xy[int(right)]]).astype(np.float32)


#: The body parts whose outline :func:`measure_torso_edges` measures by default.
TORSO_OUTLINE = (BodyPart.TORSO, BodyPart.NECK)
#: The hips and legs together: what a lower garment goes over (see ``BodyAnchors.lower_edges``).
LOWER_OUTLINE = (BodyPart.TORSO, BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG)


def measure_torso_edges(
    labels: npt.NDArray[np.uint8],
    step: int = 4,
    parts: tuple[BodyPart, ...] = TORSO_OUTLINE,
) -> FloatArray:
    """Torso extent (or that of other ``parts`` together) per row from a body-part map.

    Args:
        labels: (H, W) uint8 :class:`BodyPart` ids.
        step: sample every ``step`` rows.
        parts: the parts whose outline is measured.

    Returns:
        (K, 3) float32 rows ``[y, x_left, x_right]`` where x_left is the *person's* left edge
        (the larger x for a front-facing person); NaN on rows with no torso pixels. Each row
        uses the 2nd and 98th percentile of the torso columns over ±2 rows, so a stray pixel
        does not widen the garment.
    """
    # (A lookup table: several times faster than np.isin on a uint8 label map.)
    table = np.zeros(256, np.uint8)
    table[[int(p) for p in parts]] = 1
    torso = cv2.LUT(np.ascontiguousarray(labels, np.uint8), table)
    band = cv2.dilate(torso, np.ones((5, 1), np.uint8))[::step]  # each row OR its ±2 rows
    ys = np.arange(0, labels.shape[0], step, dtype=np.float32)
    counts = np.cumsum(band, axis=1, dtype=np.int32)
    total = counts[:, -1].astype(np.float32)
    # Index of the first column whose cumulative count reaches a share of the row's total.
    low = (counts < np.maximum(1.0, 0.02 * total)[:, None]).sum(axis=1).astype(np.float32)
    high = (counts < np.maximum(1.0, 0.98 * total)[:, None]).sum(axis=1).astype(np.float32)
    out = np.full((ys.size, 3), np.nan, np.float32)
    out[:, 0] = ys
    ok = total >= 4
    out[ok, 1] = high[ok]
    out[ok, 2] = low[ok]
    return out


#: How far above the shoulder joint the top of the shoulder may be, as a share of the distance
#: between the joints (the pose model's shoulder is the joint inside the body; a garment's
#: shoulder seam lies on top of it).
SHOULDER_TOP_MAX = 0.22


def seams_beside_joints(joints: FloatArray) -> FloatArray:
    """Shoulder seam points at the joints' height, :data:`SHOULDER_SEAM_OUT` of the joints'
    distance outside each joint: (2, 2) float32, rows [left, right]."""
    mid = joints.mean(axis=0)
    out: FloatArray = (mid + (joints - mid) * (1.0 + 2.0 * SHOULDER_SEAM_OUT)).astype(np.float32)
    return out


def raise_to_shoulder_tops(
    seams: FloatArray, joints: FloatArray, labels: npt.NDArray[np.uint8]
) -> FloatArray:
    """Seam points moved up from the joints' height to the top of the shoulders.

    Per side, the median over the columns from halfway between joint and seam out to the seam
    of the highest torso or upper-arm pixel of the body-part map, at most
    :data:`SHOULDER_TOP_MAX` of the joints' distance above the joint (hair on the shoulder is
    not body; a raised arm's outline is not looked for farther up).

    Args:
        seams: (2, 2) float32 seam points [left, right] at the joints' height.
        joints: (2, 2) float32 shoulder joints.
        labels: (H, W) uint8 body-part ids.

    Returns:
        (2, 2) float32 seams, each y at most its input y.
    """
    out = seams.astype(np.float32).copy()
    h, w = labels.shape
    reach = SHOULDER_TOP_MAX * float(np.hypot(*(joints[0] - joints[1])))
    body = (labels == int(BodyPart.TORSO)) | (labels == int(BodyPart.LEFT_UPPER_ARM))
    body |= labels == int(BodyPart.RIGHT_UPPER_ARM)
    for i in range(2):
        y_joint = float(seams[i, 1])
        if not np.isfinite(y_joint) or not np.isfinite(seams[i]).all():
            continue
        # Every column from the joint out to the seam: the median of their tops does not jump
        # by a row of the coarse part map when the person moves by a pixel.
        # (The outer half: nearer the neck the shoulder rises above the seam's height.)
        inner_x = 0.5 * (float(joints[i, 0]) + float(seams[i, 0]))
        xa, xb = sorted((round(inner_x), round(float(seams[i, 0]))))
        xa, xb = max(0, xa), min(w - 1, xb)
        y0 = max(0, round(y_joint - reach))
        y1 = min(h, round(y_joint) + 1)
        if y1 <= y0 or xb < xa:
            continue
        window = body[y0:y1, xa : xb + 1]
        has = window.any(axis=0)
        if not has.any():
            continue
        tops = y0 + np.argmax(window[:, has], axis=0).astype(np.float32)
        out[i, 1] = min(y_joint, float(np.median(tops)))
    return out


#: Shoulders seen at least this share of their length in space count as facing the camera
#: (:func:`shoulders_facing`): the pose model's depth is noisy, and the true pairs' people
#: standing square to the camera read 0.95 to 1.0 (one 0.92), a man turned a quarter aside
#: 0.66.
FACING_SQUARE = 0.95
#: The least :func:`shoulders_facing` returns (a person seen side-on: the length of a garment
#: is not worked out from shoulders seen end-on).
FACING_MIN = 0.6


def shoulders_facing(world: npt.ArrayLike) -> float:
    """How square the shoulders face the camera: the length of the shoulder line as the picture
    shows it (across and down) over its length in space (with depth), from the pose model's
    world landmarks, divided by :data:`FACING_SQUARE` and clipped to
    [:data:`FACING_MIN`, 1] (1 = square to the camera).

    Args:
        world: (33, 3) world landmarks in metres (x right, y down, z away from the camera).

    >>> import numpy as np
    >>> w = np.zeros((33, 3), np.float32)
    >>> w[11], w[12] = (0.15, 0.0, 0.0), (-0.15, 0.0, 0.0)
    >>> shoulders_facing(w)
    1.0
    >>> w[11], w[12] = (0.1, 0.0, 0.11), (-0.1, 0.0, -0.11)
    >>> round(shoulders_facing(w), 3)
    0.708
    """
    pts = np.asarray(world, np.float64)
    v = pts[int(PoseLandmark.LEFT_SHOULDER)] - pts[int(PoseLandmark.RIGHT_SHOULDER)]
    full = float(np.linalg.norm(v))
    if not np.isfinite(full) or full <= 1e-6:
        return 1.0
    seen = float(np.hypot(v[0], v[1])) / full
    return float(np.clip(seen / FACING_SQUARE, FACING_MIN, 1.0))


def body_anchors(pose: Pose, parts: BodyParts, image_size: tuple[int, int]) -> BodyAnchors:
    """Anchors of one person from the pose and the body-part map.

    Args:
        pose: the person's pose (pixel landmarks).
        parts: the person's body-part map.
        image_size: (width, height) of the photo.
    """
    xy = pose.xy.astype(np.float32)
    vis = pose.visibility
    L = PoseLandmark
    joints = _pair(xy, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    seams = raise_to_shoulder_tops(seams_beside_joints(joints), joints, parts.labels)
    names = [
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        (L.LEFT_ELBOW, L.RIGHT_ELBOW),
        (L.LEFT_WRIST, L.RIGHT_WRIST),
        (L.LEFT_HIP, L.RIGHT_HIP),
        (L.LEFT_KNEE, L.RIGHT_KNEE),
        (L.LEFT_ANKLE, L.RIGHT_ANKLE),
    ]
    visibility = np.array(
        [[vis[int(a)] for a, _ in names], [vis[int(b)] for _, b in names]], np.float32
    )
    return BodyAnchors(
        shoulders=seams,
        shoulder_joints=joints,
        elbows=_pair(xy, L.LEFT_ELBOW, L.RIGHT_ELBOW),
        wrists=_pair(xy, L.LEFT_WRIST, L.RIGHT_WRIST),
        hips=_pair(xy, L.LEFT_HIP, L.RIGHT_HIP),
        knees=_pair(xy, L.LEFT_KNEE, L.RIGHT_KNEE),
        ankles=_pair(xy, L.LEFT_ANKLE, L.RIGHT_ANKLE),
        torso_edges=measure_torso_edges(parts.labels),
        visibility=visibility,
        image_size=image_size,
        lower_edges=measure_torso_edges(parts.labels, parts=LOWER_OUTLINE),
        facing=shoulders_facing(pose.world_landmarks),
    )


def body_axis_x(anchors: BodyAnchors, y: float) -> float:
    """The column of the body's axis at row ``y``: on the line from the shoulder joints'
    midpoint to the hip joints' midpoint (carried on beyond them)."""
    top = anchors.shoulder_joints.astype(np.float64).mean(axis=0)
    bottom = anchors.hips.astype(np.float64).mean(axis=0)
    dy = float(bottom[1] - top[1])
    if dy < 1.0:
        return float(top[0])
    return float(top[0] + (bottom[0] - top[0]) * (y - top[1]) / dy)


__all__ = [
    "FACING_MIN",
    "FACING_SQUARE",
    "LOWER_OUTLINE",
    "SHOULDER_SEAM_OUT",
    "SHOULDER_TOP_MAX",
    "TORSO_OUTLINE",
    "BodyAnchors",
    "body_anchors",
    "body_axis_x",
    "edge_at",
    "measure_torso_edges",
    "raise_to_shoulder_tops",
    "seams_beside_joints",
    "shoulders_facing",
]
