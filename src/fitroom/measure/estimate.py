"""Body measurements from one silhouette (front) or two (front + side) and the stated height.

(Over 500 lines: the steps below are one pipeline of pure functions that share the private
silhouette scans — runs, crossings, torso profile, crotch row — and are read in order; the
data types live in :mod:`~fitroom.measure.core`.)

Pure functions over :class:`~fitroom.measure.core.BodyView` (mask + keypoints + arm pixels):

1. **Scale.** :func:`scale_from_height` divides the stated height by the silhouette's height from
   the top of the head to the soles, and refuses (``PersonNotUsable``) when the head or the feet
   are not visible or touch the image border. :func:`scale_from_proportions` needs no head: it
   uses the shoulder-to-ankle (or -knee, or -hip) keypoint distance and average segment
   proportions (Drillis & Contini 1966, in Winter's *Biomechanics and Motor Control of Human
   Movement*: acromion 0.818 H, hip joint 0.530 H, knee 0.285 H, ankle 0.039 H), less exact
   (±3 %) but usable on cropped video frames.
2. **Widths.** Along the torso axis (shoulder midpoint → hip midpoint, parameter t = 0 … 1) the
   person mask's horizontal run through the axis is measured row by row, leaving out arm and hand
   pixels; chest = widest in t ∈ [0.15, 0.5], waist = narrowest in t ∈ [0.5, 0.92], hip = widest
   between t = 0.85 and just above the crotch. When one side of a run ends on arm pixels (arms
   touching the body) the width is mirrored from the free side about the axis; when both do, a
   warning says the width is likely too small.
3. **Circumferences.** An ellipse with the front width and the side depth as axes, perimeter by
   Ramanujan's second approximation. Without a side photo the depth is the width times the mean
   depth/breadth ratio of the adult population, :data:`DEPTH_RATIOS`, taken from the ANSUR II
   summary statistics (Gordon C.C. et al., *2012 Anthropometric Survey of U.S. Army Personnel:
   Methods and Summary Statistics*, NATICK/TR-15/007, 2014; ratios of the means of chest depth /
   chest breadth, waist depth / waist breadth, buttock depth / hip breadth, rounded to 0.01):
   men chest 0.78, waist 0.75, hip 0.73; women chest 0.86, waist 0.72, hip 0.68. Their spread
   (about ±0.06 between people) is what the front-only uncertainty reports.
4. **Lengths.** Shoulder width between the shoulder keypoints; arm length shoulder → elbow →
   wrist (the longer, less foreshortened arm); torso length shoulder midpoint → hip midpoint;
   inseam from the crotch (where the leg gap starts in the mask) to the floor.
5. **Warnings.** Arms touching the torso, loose clothing (a silhouette much wider than the
   skeleton suggests: chest wider than the shoulders, hips wider than 2.5× the hip joints), no leg
   gap (skirt, dress, legs together), and any value outside the plausible human range for the
   stated height.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter

from fitroom.errors import InputError, PersonNotUsable
from fitroom.measure.core import BodyMeasurements, BodyView, Scale
from fitroom.vision.landmarks import PoseLandmark as L

FloatArray = npt.NDArray[np.float32]
Sex = Literal["female", "male"]

#: Mean depth/breadth ratios of horizontal body sections (ANSUR II means; see module docstring).
DEPTH_RATIOS: dict[str, dict[str, float]] = {
    "male": {"chest": 0.78, "waist": 0.75, "hip": 0.73},
    "female": {"chest": 0.86, "waist": 0.72, "hip": 0.68},
    "unknown": {"chest": 0.82, "waist": 0.735, "hip": 0.705},
}
#: Between-person standard deviation of those ratios (same source, rounded).
DEPTH_RATIO_SD = 0.06

#: Plausible adult values as fractions of stature (outside → a warning, never a silent clip).
PLAUSIBLE_RANGE: dict[str, tuple[float, float]] = {
    "shoulder_width": (0.17, 0.29),
    "chest": (0.40, 0.90),
    "waist": (0.30, 0.90),
    "hip": (0.42, 0.95),
    "inseam": (0.36, 0.54),
    "arm_length": (0.26, 0.40),
    "torso_length": (0.20, 0.37),
}

MIN_VISIBILITY = 0.5
_BORDER_PX = 2
# Average segment levels as fractions of stature (Drillis & Contini).
_SHOULDER, _HIP_JOINT, _KNEE, _ANKLE, _CROTCH = 0.818, 0.530, 0.285, 0.039, 0.470


def ellipse_perimeter(a: float, b: float) -> float:
    """Perimeter of an ellipse with semi-axes ``a`` and ``b`` (Ramanujan's second formula).

    >>> round(ellipse_perimeter(10.0, 10.0), 4) == round(2 * math.pi * 10.0, 4)
    True
    >>> round(ellipse_perimeter(15.0, 10.0), 2)
    79.33
    """
    if a < 0 or b < 0:
        raise InputError(f"ellipse semi-axes must be ≥ 0, got {a}, {b}")
    if a + b == 0:
        return 0.0
    h = ((a - b) / (a + b)) ** 2
    return math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))


def _visible(view: BodyView, *indices: int) -> bool:
    kp = view.keypoints
    for i in indices:
        x, y, v = kp[i]
        if v < MIN_VISIBILITY or not (0 <= x < view.width and 0 <= y < view.height):
            return False
    return True


def _mid(view: BodyView, a: int, b: int) -> npt.NDArray[np.float64]:
    return 0.5 * (view.keypoints[a, :2].astype(np.float64) + view.keypoints[b, :2])


def _crossing(values: npt.NDArray[np.floating], inside: int, outside: int) -> float:
    """Sub-pixel position of the 0.5 level between an inside and an adjacent outside pixel."""
    vi, vo = float(values[inside]), float(values[outside])
    if vi <= vo:
        return 0.5 * (inside + outside)
    frac = (vi - 0.5) / (vi - vo)
    return inside + float(np.clip(frac, 0.0, 1.0)) * (outside - inside)


def _head_top(view: BodyView) -> float:
    """Row of the top of the head; PersonNotUsable when the head is hidden or cut off."""
    head = (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR)
    seen = [i for i in head if _visible(view, i)]
    if len(seen) < 2:
        raise PersonNotUsable(
            "the head is not visible (face landmarks missing or outside the photo); "
            "measuring needs the whole body from the top of the head to the feet — step back "
            "so the head and feet are both in the picture"
        )
    kp = view.keypoints
    xs = kp[seen, 0]
    shoulders = float(np.linalg.norm(kp[L.LEFT_SHOULDER, :2] - kp[L.RIGHT_SHOULDER, :2]))
    half = max(0.35 * shoulders, float(np.ptp(xs)), 6.0)
    x0 = max(0, int(xs.min() - half))
    x1 = min(view.width, int(xs.max() + half) + 1)
    head_y = float(kp[seen, 1].min())
    band = view.mask[:, x0:x1]
    rows = np.nonzero((band[: max(1, int(head_y) + 1)] >= 0.5).any(axis=1))[0]
    if rows.size == 0:
        raise PersonNotUsable("no person pixels above the face; the person mask is empty there")
    top = int(rows[0])
    if top <= _BORDER_PX:
        raise PersonNotUsable(
            "the head is cut off at the top of the photo; measuring needs the whole body — "
            "leave some space above the head"
        )
    column = int(np.argmax(band[top])) + x0
    return _crossing(view.mask[:, column], top, top - 1)


def _floor(view: BodyView) -> float:
    """Row of the soles; PersonNotUsable when the feet are hidden or cut off."""
    feet_l = (L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX)
    feet_r = (L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX)
    seen = [i for i in (*feet_l, *feet_r) if _visible(view, i)]
    if not any(i in seen for i in (L.LEFT_ANKLE, L.RIGHT_ANKLE)) or len(seen) < 2:
        raise PersonNotUsable(
            "the feet are not visible (ankle and foot landmarks missing or outside the photo); "
            "measuring needs the whole body — step back so the feet are in the picture"
        )
    kp = view.keypoints
    xs = kp[seen, 0]
    pad = max(0.5 * float(np.ptp(xs)), 0.15 * _pixel_leg(view), 8.0)
    x0 = max(0, int(xs.min() - pad))
    x1 = min(view.width, int(xs.max() + pad) + 1)
    low_y = int(kp[seen, 1].min())
    band = view.mask[low_y:, x0:x1]
    rows = np.nonzero((band >= 0.5).any(axis=1))[0]
    if rows.size == 0:
        raise PersonNotUsable("no person pixels at the feet; the person mask is empty there")
    bottom = int(rows[-1]) + low_y
    if bottom >= view.height - 1 - _BORDER_PX:
        raise PersonNotUsable(
            "the feet are cut off at the bottom of the photo; measuring needs the whole body — "
            "leave some space below the feet"
        )
    column = int(np.argmax(view.mask[bottom, x0:x1])) + x0
    return _crossing(view.mask[:, column], bottom, bottom + 1)


def _pixel_leg(view: BodyView) -> float:
    kp = view.keypoints
    return float(abs(kp[L.LEFT_ANKLE, 1] - kp[L.LEFT_HIP, 1]))


def _check_height(height_cm: float) -> None:
    if not (math.isfinite(height_cm) and 100.0 <= height_cm <= 250.0):
        raise InputError(f"height must be the person's stature in cm (100–250), got {height_cm}")


def scale_from_height(view: BodyView, height_cm: float) -> Scale:
    """Centimetres per pixel from the stated height and the silhouette's head-to-sole height.

    Raises:
        PersonNotUsable: the head or the feet are not visible or touch the image border.
        InputError: a height outside 100–250 cm.
    """
    _check_height(height_cm)
    top = _head_top(view)
    floor = _floor(view)
    pixels = floor - top
    if pixels < 100:
        raise PersonNotUsable(
            f"the person is only {pixels:.0f} px tall; measuring needs at least 100 px "
            "(use a larger photo or stand nearer the camera, keeping head and feet in view)"
        )
    # Stated heights are usually rounded to a centimetre or two and include hair and socks:
    # 1 % is the honest floor of this scale's uncertainty.
    rel = math.hypot(0.01, 1.5 / pixels)
    return Scale(height_cm / pixels, rel, "head_to_heel", top_px=top, floor_px=floor)


def scale_from_proportions(view: BodyView, height_cm: float) -> Scale:
    """Centimetres per pixel from the stated height and average body proportions, no head needed.

    Uses the vertical distance from the shoulder midpoint to the ankles (else the knees, else the
    hips) and the average fraction of stature that distance spans. Individual proportions vary,
    so the scale carries a 3 % (ankles) to 5 % (hips) relative uncertainty.

    Raises:
        PersonNotUsable: the shoulders, or all of ankles, knees and hips, are not visible.
    """
    _check_height(height_cm)
    if not _visible(view, L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
        raise PersonNotUsable("both shoulders must be visible to measure without the head")
    shoulder_y = float(_mid(view, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)[1])
    for a, b, level, rel in (
        (L.LEFT_ANKLE, L.RIGHT_ANKLE, _ANKLE, 0.03),
        (L.LEFT_KNEE, L.RIGHT_KNEE, _KNEE, 0.035),
        (L.LEFT_HIP, L.RIGHT_HIP, _HIP_JOINT, 0.05),
    ):
        if _visible(view, a, b):
            pixels = float(_mid(view, a, b)[1]) - shoulder_y
            if pixels > 20:
                return Scale((_SHOULDER - level) * height_cm / pixels, rel, "proportions")
    raise PersonNotUsable(
        "no hips, knees or ankles visible below the shoulders; cannot set a scale without the "
        "head — show at least the upper body down to the hips"
    )


@dataclass(frozen=True)
class _Run:
    width: float  # pixels
    left: float
    right: float
    touches_arm: tuple[bool, bool]  # (image-left side, image-right side)


def _run_at(view: BodyView, y: int, cx: float, *, exclude_arms: bool) -> _Run | None:
    """The mask's horizontal run through ``cx`` on row ``y`` (sub-pixel edges)."""
    if not 0 <= y < view.height:
        return None
    row = view.mask[y]
    body = row >= 0.5
    arms = view.arms[y] if (exclude_arms and view.arms is not None) else None
    if arms is not None:
        body = body & ~arms
    x = int(np.rint(cx))
    if not 0 <= x < view.width:
        return None
    if not body[x]:
        # The axis may fall a few pixels off a thin section (noisy keypoints): look nearby.
        near = np.nonzero(body[max(0, x - 5) : x + 6])[0]
        if near.size == 0:
            return None
        x = int(near[np.argmin(np.abs(near + max(0, x - 5) - x))]) + max(0, x - 5)
    outside = np.nonzero(~body)[0]
    left_out = outside[outside < x]
    right_out = outside[outside > x]
    li = int(left_out[-1]) if left_out.size else -1
    ri = int(right_out[0]) if right_out.size else view.width
    touch_l = arms is not None and li >= 0 and bool(arms[li])
    touch_r = arms is not None and ri < view.width and bool(arms[ri])
    left = li + 0.5 if (touch_l or li < 0) else _crossing(row, li + 1, li)
    right = ri - 0.5 if (touch_r or ri >= view.width) else _crossing(row, ri - 1, ri)
    return _Run(right - left, left, right, (touch_l, touch_r))


@dataclass(frozen=True)
class _Profile:
    """Torso width per row along the torso axis of a front view."""

    rows: npt.NDArray[np.int64]
    t: npt.NDArray[np.float64]
    width: npt.NDArray[np.float64]  # corrected for arms, pixels
    touching: npt.NDArray[np.bool_]  # an arm touches at least one side
    both_touching: npt.NDArray[np.bool_]


def _torso_profile(view: BodyView, t_end: float) -> _Profile:
    shoulder = _mid(view, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hip = _mid(view, L.LEFT_HIP, L.RIGHT_HIP)
    span = hip[1] - shoulder[1]
    if span < 20:
        raise PersonNotUsable(
            "the torso is too short in the photo (or the person is lying down); stand upright, "
            "facing the camera"
        )
    y0, y1 = math.ceil(float(shoulder[1] + 0.1 * span)), int(shoulder[1] + t_end * span)
    rows, ts, widths, touching, both = [], [], [], [], []
    for y in range(y0, min(y1, view.height - 1) + 1):
        t = (y - shoulder[1]) / span
        cx = shoulder[0] + t * (hip[0] - shoulder[0])
        run = _run_at(view, y, cx, exclude_arms=True)
        if run is None:
            continue
        width = run.width
        tl, tr = run.touches_arm
        if tl != tr:
            # One side ends on an arm: mirror the free side about the skeletal axis.
            free = (cx - run.left) if tr else (run.right - cx)
            width = max(width, 2.0 * free)
        rows.append(y)
        ts.append(t)
        widths.append(width)
        touching.append(tl or tr)
        both.append(tl and tr)
    if len(rows) < 10:
        raise PersonNotUsable("the torso could not be found in the person mask")
    w = np.asarray(widths)
    w = median_filter(w, size=5, mode="nearest")
    return _Profile(np.asarray(rows), np.asarray(ts), w, np.asarray(touching), np.asarray(both))


def _crotch_row(view: BodyView) -> float | None:
    """Row where the gap between the legs starts, or None (skirt, dress, legs together)."""
    if not _visible(view, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE):
        return None
    hip = _mid(view, L.LEFT_HIP, L.RIGHT_HIP)
    knee = _mid(view, L.LEFT_KNEE, L.RIGHT_KNEE)
    y_start, y_end = int(hip[1]), int(knee[1])
    for y in range(y_start, min(y_end, view.height - 1)):
        t = (y - hip[1]) / max(1.0, knee[1] - hip[1])
        x = hip[0] + t * (knee[0] - hip[0])
        xi = int(np.rint(x))
        if not 0 <= xi < view.width:
            return None
        if view.mask[y, xi] < 0.5 and y > y_start:
            # The gap must go on below (a real leg gap, not a hole in a noisy mask).
            below = view.mask[y : min(y + 6, view.height), xi]
            if (below < 0.5).all():
                first = _crossing(view.mask[:, xi], y - 1, y)
                return _gap_apex(view, y, xi, first, knee[1] - hip[1])
    return None


def _gap_apex(view: BodyView, y: int, xi: int, first: float, leg_px: float) -> float:
    """Where the leg gap's V closes: the gap widths below ``y`` extrapolated to zero width.

    Thighs meet in a V, and the gap is less than a pixel wide for a while below the crotch;
    a line through the gap widths of the next rows finds the apex more exactly.
    """
    rows, widths = [], []
    for row in range(y, min(y + max(8, int(0.08 * leg_px)), view.height)):
        line = view.mask[row]
        out = line < 0.5
        if not out[xi]:
            break
        inside = np.nonzero(~out)[0]
        li, ri = inside[inside < xi], inside[inside > xi]
        if li.size == 0 or ri.size == 0:
            break
        left = _crossing(line, int(li[-1]), int(li[-1]) + 1)
        right = _crossing(line, int(ri[0]), int(ri[0]) - 1)
        rows.append(row)
        widths.append(right - left)
    if len(rows) < 4:
        return first
    _slope, intercept = np.polyfit(np.asarray(widths), np.asarray(rows, dtype=np.float64), 1)
    apex = float(intercept)  # the row where the fitted width is zero
    return float(np.clip(apex, first - 0.05 * leg_px, first))


def _depth_at(view: BodyView, scale: Scale, z_cm: float) -> float | None:
    """Side-view torso depth in cm at height ``z_cm`` above the floor (median of 5 rows)."""
    assert scale.floor_px is not None
    y = scale.floor_px - z_cm / scale.cm_per_px
    shoulder = _mid(view, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hip = _mid(view, L.LEFT_HIP, L.RIGHT_HIP)
    span = hip[1] - shoulder[1]
    depths = []
    centre = int(np.rint(y))
    for row in range(centre - 2, centre + 3):
        t = (row - shoulder[1]) / span if abs(span) > 1 else 0.0
        cx = shoulder[0] + t * (hip[0] - shoulder[0])
        # Arms hang beside the torso in a side view, inside its outline: keep their pixels.
        run = _run_at(view, row, cx, exclude_arms=False)
        if run is not None:
            depths.append(run.width)
    if not depths:
        return None
    return float(np.median(depths)) * scale.cm_per_px


def _limb_length(view: BodyView, chain: tuple[int, ...]) -> float | None:
    if not _visible(view, *chain):
        return None
    pts = view.keypoints[list(chain), :2].astype(np.float64)
    return float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())


def _girth_sigma(width: float, depth: float, depth_sd: float) -> float:
    """How much a ``depth_sd`` error in depth moves the ellipse perimeter."""
    return abs(
        ellipse_perimeter(width / 2, (depth + depth_sd) / 2)
        - ellipse_perimeter(width / 2, depth / 2)
    )


def estimate_measurements(
    front: BodyView,
    height_cm: float,
    *,
    side: BodyView | None = None,
    sex: Sex | None = None,
    weight_kg: float | None = None,
    scale: Scale | None = None,
) -> BodyMeasurements:
    """Estimate body measurements from a front silhouette, optionally a side one.

    Args:
        front: the person facing the camera, arms slightly away from the body (A-pose), whole
            body in view.
        height_cm: the person's stated height in cm (sets the scale).
        side: optional profile view of the same person (same clothing, arms hanging); gives the
            depths of chest, waist and hip instead of population ratios.
        sex: selects the depth/breadth ratios for a front-only estimate; None uses their
            average (a little less exact).
        weight_kg: optional; only checked for plausibility (BMI 13–70), no model uses it yet.
        scale: a scale to use instead of the head-to-heel one (e.g. fixed over earlier video
            frames, or :func:`scale_from_proportions` when the head is cut off). Then the head
            and feet are not required; inseam is left out when the feet are not in view.

    Returns:
        The measurements with one-sigma uncertainties and warnings.

    Raises:
        PersonNotUsable: head or feet out of frame (without ``scale``), torso not found.
        InputError: an implausible height or weight, or a side view that cannot be used.
    """
    _check_height(height_cm)
    if weight_kg is not None:
        bmi = weight_kg / (height_cm / 100.0) ** 2
        if not (math.isfinite(bmi) and 13.0 <= bmi <= 70.0):
            raise InputError(
                f"weight {weight_kg} kg at {height_cm} cm is not a plausible adult weight "
                f"(BMI {bmi:.0f}); give the weight in kilograms"
            )
    if not _visible(front, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP):
        raise PersonNotUsable(
            "shoulders and hips must be visible; face the camera with the whole body in view"
        )
    warnings: list[str] = []
    turn = body_turn_deg(front)
    if turn is not None and turn > MAX_TURN_DEG:
        warnings.append(f"the body is turned {turn:.0f}° from the camera: widths may be too small")
    if scale is None:
        scale = scale_from_height(front, height_cm)
        floor: float | None = scale.floor_px
    else:
        try:
            floor = _floor(front)
        except PersonNotUsable:
            floor = None
    cm = scale.cm_per_px
    rel = scale.relative_uncertainty
    values: dict[str, float] = {"height": height_cm}
    sigmas: dict[str, float] = {"height": 1.0}

    def put(name: str, value: float, model_sigma: float) -> None:
        values[name] = value
        sigmas[name] = math.sqrt((rel * value) ** 2 + (1.0 * cm) ** 2 + model_sigma**2)

    kp = front.keypoints
    shoulder_px = float(np.linalg.norm(kp[L.LEFT_SHOULDER, :2] - kp[L.RIGHT_SHOULDER, :2]))
    put("shoulder_width", shoulder_px * cm, 1.5)
    arms = [
        _limb_length(front, (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST)),
        _limb_length(front, (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST)),
    ]
    arm_px = max((a for a in arms if a is not None), default=None)
    if arm_px is not None:
        put("arm_length", arm_px * cm, 1.5)
    shoulder_mid = _mid(front, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hip_mid = _mid(front, L.LEFT_HIP, L.RIGHT_HIP)
    put("torso_length", float(np.linalg.norm(hip_mid - shoulder_mid)) * cm, 1.5)

    crotch = _crotch_row(front)
    span = hip_mid[1] - shoulder_mid[1]
    if crotch is None:
        warnings.append(
            "no gap between the legs (skirt, dress or legs together): hip and inseam are less "
            "certain"
        )
        t_end = 1.15
    else:
        t_end = min(1.25, (crotch - shoulder_mid[1]) / span - 0.02)
    if floor is not None:
        if crotch is not None:
            put("inseam", (floor - crotch) * cm, 1.5)
        else:
            # Crotch height from the hip joints by average proportions.
            put("inseam", (floor - hip_mid[1]) * cm * _CROTCH / _HIP_JOINT, 3.0)

    profile = _torso_profile(front, t_end)
    zones = {
        "chest": (0.2, 0.5, np.argmax),
        "waist": (0.5, 0.92, np.argmin),
        "hip": (0.85, t_end, np.argmax),
    }
    ratios = DEPTH_RATIOS[sex or "unknown"]
    ratio_sd = DEPTH_RATIO_SD if sex is not None else DEPTH_RATIO_SD + 0.02
    side_scale = scale_from_height(side, height_cm) if side is not None else None
    widths_cm: dict[str, float] = {}
    for name, (t0, t1, pick) in zones.items():
        inside = (profile.t >= t0) & (profile.t <= t1)
        if not inside.any():
            continue
        idx = np.nonzero(inside)[0][int(pick(profile.width[inside]))]
        width = float(profile.width[idx]) * cm
        widths_cm[name] = width
        model = 1.5
        if profile.both_touching[idx]:
            warnings.append(
                f"both arms touch the body at the {name}: the {name} width is probably too "
                "small — hold the arms a little away from the body"
            )
            model += 3.0
        elif profile.touching[idx]:
            warnings.append(
                f"an arm touches the body at the {name}: its width was mirrored from the other side"
            )
            model += 1.0
        depth: float | None = None
        if side is not None and side_scale is not None and floor is not None:
            z = (floor - float(profile.rows[idx])) * cm
            depth = _depth_at(side, side_scale, z)
            if depth is None:
                warnings.append(f"no {name} depth found in the side photo; used an average ratio")
            elif not 0.45 <= depth / width <= 1.2:
                warnings.append(
                    f"{name} depth/width ratio {depth / width:.2f} is unusual: check that the "
                    "side photo is a true profile of the same person"
                )
        if depth is not None:
            model = math.hypot(model, 1.0)
        else:
            depth = width * ratios[name]
            model = math.hypot(model, _girth_sigma(width, depth, ratio_sd * width))
        put(name, ellipse_perimeter(width / 2, depth / 2), model)

    # Loose clothing: the silhouette is much wider than the skeleton suggests.
    hip_joints_px = float(np.linalg.norm(kp[L.LEFT_HIP, :2] - kp[L.RIGHT_HIP, :2]))
    loose = []
    if "chest" in widths_cm and widths_cm["chest"] > 1.0 * shoulder_px * cm:
        loose.append("chest")
    if "hip" in widths_cm and hip_joints_px > 0 and widths_cm["hip"] > 2.5 * hip_joints_px * cm:
        loose.append("hips")
    if loose:
        warnings.append(
            f"the silhouette at the {' and '.join(loose)} is much wider than the skeleton "
            "suggests: loose or bulky clothing? Girths may be too large — wear fitted clothes"
        )
        for name in ("chest", "waist", "hip"):
            if name in sigmas:
                sigmas[name] *= 1.5
    for name, (low, high) in PLAUSIBLE_RANGE.items():
        value = values.get(name)
        if value is not None and not low * height_cm <= value <= high * height_cm:
            warnings.append(
                f"{name} {value:.0f} cm is outside the plausible range for a height of "
                f"{height_cm:.0f} cm ({low * height_cm:.0f}–{high * height_cm:.0f} cm); "
                "check the photo"
            )
    return BodyMeasurements(
        measurements_cm=values,
        uncertainty_cm=sigmas,
        warnings=tuple(warnings),
        views="front" if side is None else "front+side",
        scale=scale,
    )


def body_turn_deg(view: BodyView) -> float | None:
    """How far the shoulder line is turned away from the image plane, in degrees (0 = facing).

    From the view's metric 3D keypoints (``BodyView.world``); None when the view has none (a
    synthetic or hand-made view is taken as facing the camera by its maker).
    """
    if view.world is None:
        return None
    d = view.world[L.LEFT_SHOULDER].astype(np.float64) - view.world[L.RIGHT_SHOULDER]
    return math.degrees(math.atan2(abs(float(d[2])), abs(float(d[0])) + 1e-9))


#: Widths are only read off views turned less than this from the camera (video mode).
MAX_TURN_DEG = 10.0


def shoulder_width_cm(view: BodyView, scale: Scale, *, max_turn_deg: float = MAX_TURN_DEG) -> float:
    """Shoulder width in cm (between the shoulder keypoints): needs no head, for video frames.

    A turned body's shoulders look narrower in the picture, so a view whose shoulder line is
    turned more than ``max_turn_deg`` from the camera (:func:`body_turn_deg`) is refused.

    Raises:
        PersonNotUsable: a shoulder is not visible, or the body is turned away.
    """
    if not _visible(view, L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
        raise PersonNotUsable("both shoulders must be visible to measure the shoulder width")
    turn = body_turn_deg(view)
    if turn is not None and turn > max_turn_deg:
        raise PersonNotUsable(
            f"the body is turned {turn:.0f}° from the camera (at most {max_turn_deg:.0f}° "
            "allowed); face the camera to measure widths"
        )
    kp = view.keypoints
    return float(np.linalg.norm(kp[L.LEFT_SHOULDER, :2] - kp[L.RIGHT_SHOULDER, :2])) * (
        scale.cm_per_px
    )


__all__ = [
    "DEPTH_RATIOS",
    "DEPTH_RATIO_SD",
    "MAX_TURN_DEG",
    "PLAUSIBLE_RANGE",
    "body_turn_deg",
    "ellipse_perimeter",
    "estimate_measurements",
    "scale_from_height",
    "scale_from_proportions",
    "shoulder_width_cm",
]
