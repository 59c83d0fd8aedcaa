"""The neck opening of a top or dress, read from its product photo.

Through the opening a product photo shows the inside of the garment's back (darker, a lining,
the labels); worn, the person's neck and chest are there. The opening is the region between
the back collar's top edge (the outline's top between the two neck points) and the front
neckline: a smooth curve (a U or a V), symmetric about the centre line, joining the neck
points, below which the front fabric begins.

It is found by trying front necklines from a V to a flat U and from shallow to deep, each
symmetric and through both neck points, and keeping the one below which the pixels look like
the front fabric (sampled on the shoulders beside the neck points, or on the chest below a
strapped top's neckline) and above which they do not, with the colour changing across it.
What is unlike the front only further down, past a run of front fabric, is not inside (a
print); labels sewn at the back collar are (a dark tee's inside is as dark as its front, and
only its labels tell). When the photo shows no such region clearly (a shirt buttoned to its
collar, a one-shoulder or square neckline, a flat drawing), :func:`neck_opening` returns None
and the dressing hides a fixed rounded opening instead (see
:data:`fitroom.dressing.composite.NECK_OPENING_DEPTH`).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.garments.core import GarmentLandmarks

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]

#: Deepest front neckline looked for, as a share of the opening's width (a deep V reaches
#: about one width below the collar).
MAX_DEPTH = 1.3

#: Colour distance (CIE ΔE, on the slightly blurred photo) from the nearest front-fabric
#: colour above which a pixel is taken for the inside of the garment.
INSIDE_DELTA_E = 9.0

#: The back collar band (front fabric in colour) below the top edge, as a share of the width.
COLLAR_BAND = 0.12

#: Deepest the top edge between the neck points dips below them when it is the back collar,
#: as a share of their distance.
BACK_DIP = 0.2

#: Neck points further apart in height than this share of their distance: no symmetric opening.
LEVEL = 0.15

#: Neck points further apart in height than this share of their distance: a one-shoulder (or
#: otherwise asymmetric) top edge, which runs across the chest rather than round the neck.
ONE_SHOULDER = 0.25

#: Labels hang from the back collar: their top within this share of the width below it.
LABEL_REACH = 0.35

#: Least such distance (dark fabrics: the inside is only a shade darker than the front).
MIN_DELTA_E = 3.0

#: The region found must differ from the fabric just below it by at least this mean ΔE.
MIN_CONTRAST = 7.0

#: Shapes of the front neckline tried: 1 - |t|^p (p = 1 a V, 2 a parabola, 4 a flat U) and a
#: half ellipse.
SHAPES = (1.0, 1.5, 2.0, 3.0, 4.0)

#: Weight of the colour change across the neckline against the area term, per pixel of width.
EDGE_WEIGHT = 0.15

#: Nor be shallower than this share of the opening's width in the middle (a neckline that
#: shows no inside at all: a shirt buttoned up, a flat back neck).
MIN_DEPTH = 0.08


def _lab(rgb: npt.NDArray[np.uint8], sigma: float) -> FloatArray:
    lab = cv2.cvtColor(rgb.astype(np.float32) * np.float32(1.0 / 255.0), cv2.COLOR_RGB2Lab)
    return cv2.GaussianBlur(lab, (0, 0), sigma).astype(np.float32)


def _front_distance(lab: FloatArray, samples: FloatArray) -> FloatArray:
    """Per pixel, the ΔE to the nearest front-fabric sample colour."""
    flat = lab.reshape(-1, 3)
    best = np.full(flat.shape[0], np.inf, np.float32)
    for chunk in np.array_split(samples, max(1, len(samples) // 32)):
        d = ((flat[:, None, :] - chunk[None, :, :]) ** 2).sum(-1).min(1)
        np.minimum(best, d, out=best)
    return np.sqrt(best).reshape(lab.shape[:2]).astype(np.float32)


def _over_label(
    curve: npt.NDArray[np.int32],
    deeper: npt.NDArray[np.int32],
    dist: FloatArray,
    inner: BoolArray,
    top: npt.NDArray[np.int32],
    tau: float,
    span: int,
) -> npt.NDArray[np.int32]:
    """The neckline ``curve`` lowered along ``deeper`` (the same shape, per depth) until it
    clears the labels: small patches far from the front's colours sewn near the middle of the
    back collar. On a dark tee the inside is as dark as the front and only its labels tell."""
    h, width = dist.shape
    ys = np.arange(h)[:, None]
    xs = np.arange(width)[None, :]
    near = (ys >= top[None, :]) & (ys <= top[None, :] + LABEL_REACH * span)
    near &= np.abs(xs - width / 2) < 0.3 * width
    blobs = ((dist > 4.0 * tau) & inner & (ys >= top[None, :])).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    for i in range(1, count):
        _, y, _, bh, area = (int(v) for v in stats[i])
        blob = labels == i
        if area > 0.15 * span * span or not (blob & near).any() or y + bh > top.max() + 0.6 * span:
            continue
        margin = max(2, round(0.03 * span))
        cols = blob.any(0)
        bottom = h - 1 - np.argmax(blob[::-1], axis=0) + margin
        for candidate in deeper:
            if (candidate[cols] >= bottom[cols]).all():
                # (Not down a shirt's placket: its buttons are no labels.)
                low_enough = candidate[width // 2] <= top[width // 2] + LABEL_REACH * 1.5 * span
                if candidate[width // 2] > curve[width // 2] and low_enough:
                    curve = candidate
                break
    return curve


def collar_at_neck(landmarks: GarmentLandmarks) -> bool:
    """Whether the garment's top edge between its neck points can go round the wearer's neck
    (a collar, a crew, scoop or V neck, straps), from its product-photo landmarks.

    Not when the neck points lie at clearly different heights (more than :data:`ONE_SHOULDER`
    of their distance apart): a one-shoulder or asymmetric neckline, whose top edge runs from
    one shoulder down across the chest. Such a garment has no back collar whose inside could
    show, and an opening hidden below its top edge is a hole cut into the bodice. (Without
    neck points: True, nothing is known against it.)

    >>> points = np.array([[470, 150, 1], [310, 85, 1]], np.float32)
    >>> collar_at_neck(GarmentLandmarks(("neck_left", "neck_right"), points))
    False
    """
    if not {"neck_left", "neck_right"} <= set(landmarks.names):
        return True
    left, right = landmarks["neck_left"], landmarks["neck_right"]
    span = abs(float(left[0]) - float(right[0]))
    return abs(float(left[1]) - float(right[1])) <= ONE_SHOULDER * max(span, 1.0)


def neck_opening(cutout: npt.NDArray[np.uint8], landmarks: GarmentLandmarks) -> BoolArray | None:
    """The pixels of the product photo seen through the garment's neck opening.

    Args:
        cutout: uint8 (H, W, 4) RGBA garment cutout.
        landmarks: its landmarks, with ``neck_left`` and ``neck_right`` (photo pixels).

    Returns:
        bool (H, W), or None when the photo shows no opening clearly (or the landmarks lack
        the neck points).
    """
    if not {"neck_left", "neck_right"} <= set(landmarks.names):
        return None
    alpha = cutout[..., 3] > 127
    h_img, w_img = alpha.shape
    (xa, ya), (xb, yb) = sorted(
        [
            (float(landmarks["neck_left"][0]), float(landmarks["neck_left"][1])),
            (float(landmarks["neck_right"][0]), float(landmarks["neck_right"][1])),
        ]
    )
    x0, x1 = round(xa), round(xb)
    span = x1 - x0
    if span < 12 or x0 < 0 or x1 >= w_img:
        return None
    # Neck points at different heights: a one-shoulder or asymmetric neckline, not the
    # symmetric U or V looked for.
    if abs(ya - yb) > LEVEL * span:
        return None
    half = span // 2
    cx = x0 + half
    reach = max(3, round(0.5 * span))
    y0 = max(0, round(min(ya, yb)) - 2)
    y1 = min(h_img, round(max(ya, yb) + (MAX_DEPTH + 0.5) * span) + 2)
    if y1 - y0 < 8:
        return None
    c0, c1 = max(0, x0 - reach), min(w_img, x1 + reach + 1)
    lab = _lab(cutout[y0:y1, c0:c1, :3], max(1.0, span / 120))
    inside = alpha[y0:y1, c0:c1]
    h = y1 - y0
    cols = inside.any(0)
    top = np.where(cols, np.argmax(inside, axis=0), h).astype(np.int32)

    # Front fabric: the shoulders just outside the neck points, below their top edge.
    rows = np.arange(h)[:, None]
    band = (rows >= top[None, :] + 0.12 * span) & (rows <= top[None, :] + 0.45 * span) & inside
    xs = np.arange(c0, c1)[None, :]
    band &= (xs < x0 - 0.08 * span) | (xs > x1 + 0.08 * span)
    ref = lab[band]
    if len(ref) < 0.02 * span * span:
        # Straps: no shoulders beside the neck points; the chest below the deepest neckline.
        chest = (rows >= top[None, :] + (MAX_DEPTH + 0.1) * span) & inside
        chest &= np.abs(xs - cx) < 0.3 * span
        ref = np.concatenate([ref, lab[chest]])
    if len(ref) < 20:
        return None
    rng = np.random.default_rng(0)
    ref = ref[rng.choice(len(ref), size=min(256, len(ref)), replace=False)]

    a, b = x0 - c0, x1 - c0  # the neck points' columns in the crop
    dist = _front_distance(lab[:, a : b + 1], ref)
    # How far apart the front fabric's own colours lie (a dark or plain fabric's shades are
    # closer in ΔE than a light or printed one's): half the samples against the other half.
    spread = float(np.percentile(_front_distance(ref[1::2][None], ref[0::2]), 90))
    tau = float(np.clip(2.0 * spread, MIN_DELTA_E, INSIDE_DELTA_E))
    inner = inside[:, a : b + 1]
    top_in = top[a : b + 1]
    # The back collar stands about level with the neck points; an outline dipping well below
    # them in the middle is the front neckline itself, with no inside to see (a drawing, a
    # square neck).
    if top_in[(b - a) // 2] > max(ya, yb) - y0 + BACK_DIP * span:
        return None
    # Reward for taking a pixel into the opening: positive where it is unlike the front.
    gain = np.clip(dist - tau, -tau, 2.0 * tau)
    gain = np.where(inner, gain, -4.0 * tau).astype(np.float32)
    gain[rows < top_in[None, :]] = 0.0
    # The inside is one piece hanging from the top edge: below the first run of front fabric
    # under the back collar band, nothing more is inside (a print lower on the chest is not).
    like = (dist < tau) & inner
    run = max(2, round(0.05 * span))
    csum = np.concatenate([np.zeros((1, like.shape[1]), np.int32), np.cumsum(like, axis=0)])
    fabric_run = (csum[run:] - csum[:-run]) == run  # rows r..r+run-1 all front-like
    fabric_run = np.concatenate([fabric_run, np.zeros((run - 1, like.shape[1]), bool)])
    fabric_run &= rows >= top_in[None, :] + round(COLLAR_BAND * span)
    first = np.where(fabric_run.any(0), np.argmax(fabric_run, axis=0), h)
    beyond = rows >= first[None, :]
    gain[beyond] = np.minimum(gain[beyond], -tau)
    cum = np.cumsum(gain, axis=0)  # cum[y, x]: taking rows top..y of column x

    # The front neckline: y = the chord between the neck points + depth × shape(t), t from
    # -1 (a neck point) to 1 (the other), shapes from a V to a flat U; every candidate is
    # scored on what it takes in (pixels unlike the front fabric gain, like it lose) and on
    # the change of colour across it (inside above, front fabric below).
    width = b - a + 1
    t = np.linspace(-1.0, 1.0, width, dtype=np.float32)
    chord = (ya - y0) + (yb - ya) * (t + 1.0) / 2.0
    shapes = np.stack([1.0 - np.abs(t) ** p for p in SHAPES] + [np.sqrt(1.0 - t**2)])
    depths = np.arange(MIN_DEPTH, MAX_DEPTH + 1e-6, 0.02, dtype=np.float32) * span
    curves = chord[None, None, :] + depths[:, None, None] * shapes[None, :, :]
    curves = np.clip(np.round(curves), 0, h - 1).astype(np.int32)  # (depth, shape, column)
    colsi = np.arange(width)[None, None, :]
    gap = max(2, round(0.04 * span))
    above = dist[np.clip(curves - gap, 0, h - 1), colsi]
    below = dist[np.clip(curves + gap, 0, h - 1), colsi]
    fabric_below = inner[np.clip(curves + gap, 0, h - 1), colsi]
    edge = np.where(fabric_below, np.clip(above - below, -tau, 3 * tau), 0)
    taken = cum[curves, colsi]
    total = (taken + EDGE_WEIGHT * span * edge).mean(-1)
    di, si = np.unravel_index(int(np.argmax(total)), total.shape)
    if total[di, si] <= 0:
        return None
    full = curves[di, si]
    ys = np.arange(h)[:, None]
    full = _over_label(full, curves[:, si], dist, inner, top_in, tau, span)
    # (A pixel more: the neckline's own dark edge line is not left as a thread on the skin.)
    full = np.minimum(full + max(1, round(0.01 * span)), h - 1)
    region = (ys <= full[None, :]) & (ys >= top_in[None, :]) & inner
    below_band = (ys > full[None, :]) & (ys <= full[None, :] + max(3, 0.15 * span)) & inner
    if not region.any() or not below_band.any():
        return None
    # The opening is in the middle (a square neck whose top edge dips there shows none).
    if int(region[:, width // 2].sum()) < 0.5 * MIN_DEPTH * span:
        return None
    # By the medians: labels alone (a minority of the region) do not make an inside; a dark
    # tee whose inside is as dark as its front gets the fixed opening (which takes its labels).
    contrast = float(np.median(dist[region]) - np.median(dist[below_band]))
    if contrast < MIN_CONTRAST * tau / INSIDE_DELTA_E:
        return None
    out = np.zeros(alpha.shape, bool)
    out[y0:y1, x0 : x1 + 1] = region
    return out


__all__ = [
    "BACK_DIP",
    "COLLAR_BAND",
    "EDGE_WEIGHT",
    "INSIDE_DELTA_E",
    "LABEL_REACH",
    "LEVEL",
    "MAX_DEPTH",
    "MIN_CONTRAST",
    "MIN_DELTA_E",
    "MIN_DEPTH",
    "ONE_SHOULDER",
    "SHAPES",
    "collar_at_neck",
    "neck_opening",
]
