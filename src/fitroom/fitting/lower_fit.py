"""Fit a lower garment (trousers, shorts, skirt) to a person.

One thin-plate spline pins the waistband to the waist, the crotch below the hips, and each leg's
hem along its leg (hip → knee → ankle) at the garment's own length; a leg reaching past the knee
gets knee pins so it bends there, and the outer seams are pinned halfway down out to the hips'
outline. Above where the person's legs part the new legs' gap is closed
(:mod:`fitroom.fitting.legs_gap`). A skirt (no crotch) hangs from the waist down the body's axis
with its hem as wide as cut, so it flares from the waist and hips.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import UnsupportedGarment
from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.fitted import FittedGarment, FittedLayer, along_chain, clip_box
from fitroom.fitting.garment_layers import PrepareGarment, prepare_garment
from fitroom.fitting.legs_gap import close_legs_gap
from fitroom.fitting.warp import remap_premultiplied, tps_inverse_maps
from fitroom.garments.core import LOWER_LANDMARKS, Garment, GarmentLandmarks

FloatArray = npt.NDArray[np.float32]

#: Where a regular waistband sits above the hip joints, as a share of the hip-to-knee length
#: (a garment's own rise moves it up or down, see :func:`lower_pins`).
WAIST_ABOVE_HIP = 0.25
#: Where the crotch sits below the hip joints at the highest, as a share of the hip-to-knee
#: length (lower where the garment's own rise below its waistband says so, see
#: :func:`lower_pins`).
CROTCH_BELOW_HIP = 0.12
#: The lowest the crotch goes below the hip joints, same share (a drop crotch).
CROTCH_LOWEST = 0.5
#: The highest a waistband goes above the hip joints (a high waist), same share.
WAIST_HIGHEST = 0.55
#: The lowest a waistband goes above the hip joints (a low waist), same share.
WAIST_LOWEST = 0.1


def _pt(p: npt.ArrayLike) -> tuple[float, float]:
    a = np.asarray(p, np.float64).reshape(-1)
    return float(a[0]), float(a[1])


def _leg(anchors: BodyAnchors, row: int) -> FloatArray:
    return np.stack([anchors.hips[row], anchors.knees[row], anchors.ankles[row]]).astype(np.float32)


#: The waistband's width worn, seen from the front, over the distance between the hip joints.
#: (The torso's outline at the waist is no measure of it: an open cardigan or jacket, hands in
#: the pockets or arms hanging beside the hips widen it.)
WAIST_OVER_HIPS = 1.35
#: A garment laid flat is this much wider than it looks worn round the body: flat, its width
#: is half its girth; worn, the front view shows the girth's diameter, less than π/2 of it for
#: an oval waist or a leg. Lengths do not wrap: the garment's length on the body is its
#: length on the product photo at the scale of its waistband's girth (waistband width × this
#: over its front-view width). On the shared true pairs of shorts that length is 0.9–1.1 of
#: the length worn (at the torso outline's scale, 0.8–1.3).
FLAT_OVER_WORN = 1.3
#: The hip joints' span of a person facing the camera is at least this share of the thigh's
#: length; a narrower span is a person turned to the side (see :func:`lower_pins`).
HIP_OVER_THIGH = 0.38
#: How far below the ankle a trouser hem may reach (over the shoes), as a share of the shin.
HEM_BELOW_ANKLE = 0.08


#: How far beyond the straight seam from the waistband to the hem's corner the outer seam is
#: carried out to the hips' and thighs' outline halfway down, at most, as a share of the hip
#: joints' span (see :func:`lower_pins`; 0.08-0.15 on the shared true pairs of shorts).
HIP_SEAM_REACH = 0.2

#: A lower garment whose crotch landmark is less confident than this has none: a skirt.
SKIRT_CROTCH_CONFIDENCE = 0.3


def skirt_hem_pins(
    lm: GarmentLandmarks,
    anchors: BodyAnchors,
    waist: tuple[float, float],
    waist_half: float,
    scale: float,
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Hem pins of a skirt: it hangs from the waist down the body's axis (hips → knees) at its
    own length, its hem as wide as on the product photo (less its wrapping round the body) — so
    it flares from the waist and hips as cut, and never narrower than the hips it goes over.
    ``scale``: body pixels per garment pixel along the body.
    """
    hips = anchors.hips.astype(np.float64)
    hip_mid = hips.mean(axis=0)
    down = anchors.knees.astype(np.float64).mean(axis=0) - hip_mid
    down /= max(1e-6, float(np.hypot(*down)))
    if down[1] < 0.3:  # a sitting or lying person: hang straight down
        down = np.array([0.0, 1.0])
    across = np.array([-down[1], down[0]])
    if across[0] < 0:  # the person's left is the image's right for a front view
        across = -across
    g_wc = lm["waistband_center"][:2].astype(np.float64)
    g_lo, g_ro = lm["hem_left_outer"][:2].astype(np.float64), lm["hem_right_outer"][:2]
    g_hem = 0.5 * (g_lo + g_ro)
    length = scale * float(np.hypot(*(g_hem - g_wc)))
    hem_mid = np.asarray(waist, np.float64) + down * length
    hip_half = 0.5 * float(np.hypot(*(hips[0] - hips[1])))
    # (Widths wrap round the body, lengths do not: see FLAT_OVER_WORN.)
    flat_hem = float(np.hypot(*(g_lo - g_ro)))
    half = max(0.5 * scale / FLAT_OVER_WORN * flat_hem, 1.6 * hip_half, waist_half)
    return [
        (_pt(hem_mid + across * half), _pt(g_lo)),
        (_pt(hem_mid - across * half), _pt(g_ro)),
        (_pt(hem_mid), _pt(g_hem)),
    ]


def _seam_at_row(start: npt.ArrayLike, end: npt.ArrayLike, row: float) -> FloatArray:
    """The point of the straight seam ``start`` → ``end`` (garment pixels) at ``row``, held
    between its ends."""
    a = np.asarray(start, np.float64).reshape(-1)[:2]
    b = np.asarray(end, np.float64).reshape(-1)[:2]
    dy = float(b[1] - a[1])
    t = 0.0 if abs(dy) < 1e-6 else float(np.clip((row - float(a[1])) / dy, 0.0, 1.0))
    return (a + (b - a) * t).astype(np.float32)


def regular_waist_row(anchors: BodyAnchors) -> float:
    """The row of a regular waistband: :data:`WAIST_ABOVE_HIP` of the hip-to-knee length above
    the hip joints."""
    hip_mid = anchors.hips.astype(np.float64).mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.astype(np.float64).mean(axis=0) - hip_mid)))
    return float(hip_mid[1] - WAIST_ABOVE_HIP * thigh)


#: The lowest an old waistband lies below the hip joints (share of the hip-to-knee length): one
#: found lower is old trousers darkening down the legs (on light jeans under a grey sweatshirt,
#: found at mid-thigh, the sweatshirt stayed in front of new trousers down to there).
WAISTBAND_LOWEST_BELOW_HIP = 0.1


def lowest_waistband_row(anchors: BodyAnchors) -> float:
    """The lowest row an old waistband can lie on: :data:`WAISTBAND_LOWEST_BELOW_HIP` of the
    hip-to-knee length below the hip joints."""
    hip_mid = anchors.hips.astype(np.float64).mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.astype(np.float64).mean(axis=0) - hip_mid)))
    return float(hip_mid[1] + WAISTBAND_LOWEST_BELOW_HIP * thigh)


def _outline_reach(
    anchors: BodyAnchors, point: npt.ArrayLike, normal: npt.ArrayLike, ease: float
) -> float:
    """How far out along ``normal`` from ``point`` the hips-and-legs outline lies at its row,
    times ``ease`` (0 where the outline is not measured or lies the other way)."""
    p = np.asarray(point, np.float64).reshape(-1)
    n = np.asarray(normal, np.float64).reshape(-1)
    edges = anchors.lower_edge_at(float(p[1]))
    if edges is None or abs(float(n[0])) < 0.3:
        return 0.0
    # The normal points out of the leg: to the image right, the person's left edge.
    edge_x = edges[0] if n[0] > 0 else edges[1]
    reach = (edge_x - float(p[0])) / float(n[0])
    return max(0.0, reach * ease)


def lower_pins(
    lm: GarmentLandmarks,
    anchors: BodyAnchors,
    ease: float,
    length_scale: float = 1.0,
    waist_at_most: float | None = None,
    drops: tuple[float, float] = (0.0, 0.0),
) -> tuple[list[tuple[tuple[float, float], tuple[float, float]]], float]:
    """(body point, garment point) pins of a lower garment and its scale (body px per garment px).

    The waistband's width is :data:`WAIST_OVER_HIPS` times the hip joints' distance times
    ``ease``; its length follows from that scale times :data:`FLAT_OVER_WORN` (see there) and
    ``length_scale`` (< 1 shorter, > 1 longer), down to at most a little below the ankles,
    from a waistband as high as the garment's own rise says (see the code). ``waist_at_most``:
    a row the waistband goes up to when the regular waist row lies below it (where the person
    wears their own trousers, see :func:`fit_lower`), at most :data:`WAIST_HIGHEST` above the
    hips. ``drops``: per leg (left, right), how far the garment's edge lies below its hem
    landmarks in garment pixels (see :func:`hem_drop`): the edge, not the landmarks, ends
    where the length says.
    """
    hips = anchors.hips.astype(np.float64)
    knees = anchors.knees.astype(np.float64)
    hip_mid = hips.mean(axis=0)
    thigh = float(np.hypot(*(knees.mean(axis=0) - hip_mid)))
    hip_span = float(np.hypot(*(hips[0] - hips[1])))
    g_wl, g_wr = lm["waistband_left"][:2], lm["waistband_right"][:2]
    g_width = float(np.hypot(*(g_wl - g_wr)))
    if g_width < 1.0:
        raise UnsupportedGarment("the garment's waistband landmarks coincide; re-ingest it")
    half = 0.5 * WAIST_OVER_HIPS * hip_span * ease
    # Across the body, the garment's widths are narrowed by its wrapping round it; along the
    # body its lengths are not (see FLAT_OVER_WORN).
    scale = 2.0 * half / g_width
    # Lengths (``tall``: the rise too) from the hips' span seen from the front: a person
    # turned to the side shows a narrower span but legs as long, so the span is taken at least
    # HIP_OVER_THIGH of the thigh for them (trousers on the close-up clip's person walking in
    # ended at the knee, then grew by 40 % in one frame as she faced the camera).
    tall = WAIST_OVER_HIPS * max(hip_span, HIP_OVER_THIGH * thigh) * ease / g_width
    along_scale = tall * FLAT_OVER_WORN * length_scale
    crotch_y = float(hip_mid[1] + CROTCH_BELOW_HIP * thigh)
    waist_y = regular_waist_row(anchors)
    edges = anchors.torso_edge_at(waist_y)
    if float(lm["crotch"][2]) >= SKIRT_CROTCH_CONFIDENCE:
        # The garment's own rise (waistband to crotch) says how high it is worn: a high waist
        # sits higher above the crotch than a low one. Halfway between the regular row and the
        # row the rise gives (a crotch read a little off on the product photo moves the
        # waistband only half as far), between a low waist and the highest.
        g_rise = float(lm["crotch"][1] - lm["waistband_center"][1])
        own = crotch_y - tall * FLAT_OVER_WORN * g_rise
        waist_y = float(
            np.clip(
                0.5 * (waist_y + own),
                hip_mid[1] - WAIST_HIGHEST * thigh,
                hip_mid[1] - WAIST_LOWEST * thigh,
            )
        )
    if waist_at_most is not None and np.isfinite(waist_at_most):
        waist_y = min(waist_y, max(float(waist_at_most), hip_mid[1] - WAIST_HIGHEST * thigh))
    if float(lm["crotch"][2]) >= SKIRT_CROTCH_CONFIDENCE:
        # The crotch as far below the waistband as the garment's own rise at its length's
        # scale: pinned higher, the fly and pockets were squeezed into a shorter rise, and the
        # print and seams lay above the photo's own (the 4 shared true pairs of shorts).
        g_rise = float(lm["crotch"][1] - lm["waistband_center"][1])
        own_crotch = waist_y + along_scale * g_rise
        crotch_y = float(np.clip(own_crotch, crotch_y, hip_mid[1] + CROTCH_LOWEST * thigh))
    centre = float(hip_mid[0])
    if edges is not None and edges[0] - edges[1] > hip_span:
        # Centred on the torso's outline where it is measured, but no further off the hips'
        # middle than a tenth of their span (a cardigan hanging open on one side).
        centre = float(
            np.clip(0.5 * (edges[0] + edges[1]), centre - 0.1 * hip_span, centre + 0.1 * hip_span)
        )
    pins: list[tuple[tuple[float, float], tuple[float, float]]] = [
        ((centre + half, waist_y), _pt(g_wl)),
        ((centre - half, waist_y), _pt(g_wr)),
        ((centre, waist_y), _pt(lm["waistband_center"][:2])),
        ((float(hip_mid[0]), crotch_y), _pt(lm["crotch"][:2])),
    ]
    if float(lm["crotch"][2]) < SKIRT_CROTCH_CONFIDENCE:
        return pins[:3] + skirt_hem_pins(
            lm, anchors, (centre, waist_y), half, along_scale
        ), along_scale
    seam_pins: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for side, row, g_side in (("left", 0, g_wl), ("right", 1, g_wr)):
        g_out = lm[f"hem_{side}_outer"][:2].astype(np.float64)
        g_in = lm[f"hem_{side}_inner"][:2].astype(np.float64)
        chain = _leg(anchors, row)
        # The hem lies the garment's own length below the waistband (worn), measured down the
        # leg from the hip joint, which lies that far below the waistband's row already.
        g_length = float(0.5 * (g_out[1] + g_in[1]) - g_side[1])
        hip_below_waist = float(chain[0][1]) - waist_y
        length = along_scale * g_length - hip_below_waist
        # Trousers longer than the leg end over the shoes, not below the feet.
        leg_length = float(np.hypot(*(chain[1] - chain[0])) + np.hypot(*(chain[2] - chain[1])))
        shin_length = float(np.hypot(*(chain[2] - chain[1])))
        length = max(0.2 * thigh, min(length, leg_length + HEM_BELOW_ANKLE * shin_length))
        # The hem landmarks lie that much above the edge that ends there.
        length = max(0.15 * thigh, length - along_scale * drops[row])
        hem, direction = along_chain(chain, length)
        normal = np.array([-direction[1], direction[0]], np.float64)
        if float(np.dot(normal, chain[0] - hip_mid)) < 0:
            normal = -normal
        half_hem = 0.5 * scale * float(np.hypot(*(g_out - g_in)))
        # Inner pins stop short of the midline between the legs: legs standing close together
        # would otherwise cross the two inner seams and fold the warp.
        hem_mid_x = 0.5 * float(along_chain(_leg(anchors, 0), length)[0][0]) + 0.5 * float(
            along_chain(_leg(anchors, 1), length)[0][0]
        )
        inner_hem = min(half_hem, 0.9 * abs(float(hem[0]) - hem_mid_x))
        # A squeezed inner side moves the whole hem outwards rather than narrowing it: a hem
        # narrower on one side than the other twists the leg above it.
        outer = 2.0 * half_hem - inner_hem
        # The outer seam covers the leg's outline (and the trousers already on it), as a top
        # covers the torso: a hem inside it leaves a band of old fabric to repaint.
        outer = max(outer, _outline_reach(anchors, hem, normal, ease))
        pins.append((_pt(hem + normal * outer), _pt(g_out)))
        pins.append((_pt(hem - normal * inner_hem), _pt(g_in)))
        side_x = centre + (half if row == 0 else -half)
        hip_row = 0.5 * (waist_y + min(float(hem[1]), float(chain[1][1])))
        if waist_y < hip_row < float(hem[1]) - 4.0:
            # Halfway down to the hem, the outer seam covers the hips' and thigh's outline too
            # (only outwards of the straight seam between the waistband and the hem's corner):
            # pinned at the waist and hem alone, loose shorts cut inside it at the hip.
            hem_out = hem + normal * outer
            t = (hip_row - waist_y) / max(1e-6, float(hem_out[1]) - waist_y)
            seam_x = side_x + t * (float(hem_out[0]) - side_x)
            edges = anchors.lower_edge_at(hip_row)
            out_x = seam_x
            if edges is not None:
                edge_x = edges[0] if row == 0 else edges[1]
                # (No further than a fifth of the hips' span: a dress or a long coat over the
                # hips is no trousers' outline.)
                reach = min(HIP_SEAM_REACH * hip_span, max(0.0, (edge_x - seam_x) * (1 - 2 * row)))
                out_x = seam_x + reach * (1 - 2 * row)
            g_row = float(g_side[1]) + (hip_row - waist_y) / max(1e-6, along_scale)
            # (After both legs' pins: each leg's hem, knee and shin pins keep their places.)
            seam_pins.append(((out_x, hip_row), _pt(_seam_at_row(g_side, g_out, g_row))))
        leg_thigh = float(np.hypot(*(chain[1] - chain[0])))
        if length > leg_thigh * 1.15:
            # The garment's knee: the row as far below its waistband as the body's knee lies
            # below the new waistband, on the outer and the inner seam alike. (Taken at the
            # same share of each seam's length, the inner point lay far below the outer one
            # where the inner seam starts at the crotch: the leg was sheared, wide and twisted
            # at the knee.)
            g_row = float(g_side[1]) + (hip_below_waist + leg_thigh) / max(1e-6, along_scale)
            g_ko = _seam_at_row(g_side, g_out, g_row)
            g_ki = _seam_at_row(lm["crotch"], g_in, g_row)
            half_knee = 0.5 * scale * float(np.hypot(*(g_ko - g_ki)))
            along = chain[2] - chain[0]
            knee_n = np.array([-along[1], along[0]]) / max(1e-6, float(np.hypot(*along)))
            if float(np.dot(knee_n, normal)) < 0:
                knee_n = -knee_n
            knee_mid_x = float(anchors.knees[:, 0].mean())
            inner_knee = min(half_knee, 0.9 * abs(float(chain[1][0]) - knee_mid_x))
            knee_out = max(
                2.0 * half_knee - inner_knee, _outline_reach(anchors, chain[1], knee_n, ease)
            )
            pins.append((_pt(chain[1] + knee_n * knee_out), _pt(g_ko)))
            pins.append((_pt(chain[1] - knee_n * inner_knee), _pt(g_ki)))
            # Halfway down the shin too: with pins only at knee and hem, the spline swings
            # the lower leg out in an S between them.
            shin = leg_thigh + 0.5 * (length - leg_thigh)
            g_row = float(g_side[1]) + (hip_below_waist + shin) / max(1e-6, along_scale)
            g_so = _seam_at_row(g_side, g_out, g_row)
            g_si = _seam_at_row(lm["crotch"], g_in, g_row)
            half_shin = 0.5 * scale * float(np.hypot(*(g_so - g_si)))
            point, shin_dir = along_chain(chain, shin)
            shin_n = np.array([-shin_dir[1], shin_dir[0]], np.float64)
            if float(np.dot(shin_n, normal)) < 0:
                shin_n = -shin_n
            other = along_chain(_leg(anchors, 1 - row), shin)[0]
            mid_x = 0.5 * (float(point[0]) + float(other[0]))
            inner_shin = min(half_shin, 0.9 * abs(float(point[0]) - mid_x))
            pins.append((_pt(point + shin_n * (2.0 * half_shin - inner_shin)), _pt(g_so)))
            pins.append((_pt(point - shin_n * inner_shin), _pt(g_si)))
    return pins + seam_pins, scale * FLAT_OVER_WORN


def hem_drop(alpha: npt.NDArray[np.float32], lm: GarmentLandmarks) -> tuple[float, float]:
    """Per leg (left, right), how far the garment's bottom edge lies below its hem landmarks,
    in garment pixels (median over the columns between the leg's outer and inner hem points;
    0 where it does not).

    The hem landmarks sit at the hem's corners, a rolled cuff's or a frayed edge's top, 1 to 7 %
    of the garment's length above the edge itself (on the shared shorts and trousers). The
    lengths of :func:`lower_pins` are read to the landmarks, and the body's hem lies where the
    person's garment ends: pinned at the landmarks, the garment's edge hung that much lower
    (8 to 23 rows too low on three of the four true pairs of shorts).

    Args:
        alpha: float32 (H, W) in [0, 1]: the garment's coverage at the landmarks' scale.
        lm: its landmarks.

    >>> a = np.zeros((60, 40), np.float32); a[5:50, 2:38] = 1.0
    >>> names = ("hem_left_outer", "hem_left_inner", "hem_right_outer", "hem_right_inner")
    >>> pts = [[35, 45, 1], [22, 45, 1], [5, 40, 1], [18, 40, 1]]
    >>> hem_drop(a, GarmentLandmarks(names, np.array(pts, np.float32)))
    (4.0, 9.0)
    """
    covered = alpha > 0.5
    h, w = covered.shape
    drops = []
    for side in ("left", "right"):
        outer, inner = lm[f"hem_{side}_outer"], lm[f"hem_{side}_inner"]
        x0, x1 = sorted((round(float(outer[0])), round(float(inner[0]))))
        x0, x1 = max(0, x0), min(w, x1 + 1)
        cols = covered[:, x0:x1]
        has = cols.any(axis=0)
        if not has.any():
            drops.append(0.0)
            continue
        bottom = h - 1 - np.argmax(cols[::-1, :], axis=0)[has]
        row = 0.5 * (float(outer[1]) + float(inner[1]))
        drops.append(max(0.0, float(np.median(bottom)) - row))
    return drops[0], drops[1]


#: How much the fabric of a fitted lower garment is softened (a Gaussian's sigma in pixels of a
#: 1024-pixel photo; its colour only, its outline stays). The product photo's studio sharpness,
#: its weave and JPEG grain, warped onto the legs reads as grainy noise over the photo's own,
#: softer view of the fabric (a blind review named it on cream trousers), and no grain of it
#: lies where the photo's would. The photo's own folds and grain come on top (see
#: :func:`~fitroom.dressing.shading.fold_shading`). (On the four shared true pairs of shorts the
#: garment-box SSIM rose with it, 0.658 → 0.68 at 1.0; at 1.5 and beyond the denim's whiskers
#: and a print's edges looked smeared.)
LOWER_FABRIC_SOFTENING = 1.0


def soften_fabric(rgba: FloatArray, sigma: float) -> FloatArray:
    """A premultiplied layer's colour smoothed by a Gaussian of ``sigma`` pixels, its alpha
    kept: float32 (H, W, 4), premultiplied colour in [0, 255] and alpha in [0, 1].

    The colour is averaged over the covered pixels only (normalised convolution), so the
    outline neither darkens nor takes in the transparent surroundings.

    >>> layer = np.zeros((9, 9, 4), np.float32); layer[:, 3:, 3] = 1.0
    >>> layer[:, 3:, :3] = 200.0; layer[4, 6, :3] = 0.0
    >>> out = soften_fabric(layer, 1.0)
    >>> bool(np.allclose(out[..., 3], layer[..., 3])), bool(out[4, 3, 0] > 190.0)
    (True, True)
    >>> bool(50.0 < out[4, 6, 0] < 190.0)
    True
    """
    if sigma <= 0.0:
        return rgba
    smooth = cv2.GaussianBlur(rgba, (0, 0), sigma)
    alpha = rgba[..., 3:]
    colour = smooth[..., :3] / np.maximum(smooth[..., 3:], np.float32(1e-3))
    out = np.empty_like(rgba)
    out[..., :3] = np.minimum(colour, np.float32(255.0)) * alpha
    out[..., 3:] = alpha
    return out


def fit_lower(
    garment: Garment,
    anchors: BodyAnchors,
    ease: float = 1.04,
    prepared: PrepareGarment | None = None,
    *,
    length_scale: float = 1.0,
    waist_at_most: float | None = None,
    legs_part: float | None = None,
) -> FittedGarment:
    """Fit trousers, shorts or a skirt to a person (see the module docstring).

    ``length_scale`` (< 1 shorter, > 1 longer) scales the legs' length along the body.
    ``waist_at_most``: the row of the waistband of the trousers or skirt the person wears, when
    known: the new waistband goes up to it rather than leave the old one showing above it (the
    person's top was worn to meet it). It never goes lower for it.
    ``legs_part``: the row where the person's legs part (see
    :func:`~fitroom.fitting.legs_gap.legs_part_row`): above it the new legs' gap is closed
    (:func:`~fitroom.fitting.legs_gap.close_legs_gap`); the fitted garment's ``targets`` then
    hold it as ``legs_part``.

    Raises:
        UnsupportedGarment: the garment lacks the lower landmark set.
    """
    missing = [n for n in LOWER_LANDMARKS if n not in garment.landmarks]
    if missing:
        raise UnsupportedGarment(
            f"garment {garment.name!r} ({garment.category}) has no {', '.join(missing)} "
            "landmarks; a lower garment package is needed"
        )
    _, scale = lower_pins(garment.landmarks, anchors, ease, length_scale, waist_at_most)
    factor = min(1.0, 0.05 * max(1, round(1.3 * scale / 0.05)))
    pieces, lm = (prepared or prepare_garment)(garment, factor)
    drops = hem_drop(pieces["torso"][..., 3], lm)
    pins, _ = lower_pins(lm, anchors, ease, length_scale, waist_at_most, drops)
    body = np.array([p[0] for p in pins], np.float32)
    cloth = np.array([p[1] for p in pins], np.float32)
    names = ["waistband_left", "waistband_right", "waistband_center", "crotch"]
    targets = {n: pins[i][0] for i, n in enumerate(names[: len(pins)])}
    skirt = float(lm["crotch"][2]) < SKIRT_CROTCH_CONFIDENCE
    if legs_part is not None and not skirt and legs_part > targets["crotch"][1]:
        # (Where the person's legs part: above it the new legs meet, see close_legs_gap.)
        targets["legs_part"] = (targets["crotch"][0], legs_part)
    box = clip_box(body, 0.15 * float(np.ptp(body[:, 0])) + 8, anchors.image_size)
    layers: tuple[FittedLayer, ...] = ()
    if box is not None:
        map_x, map_y = tps_inverse_maps(body, cloth, box, smoothing=1.0)
        rgba = remap_premultiplied(pieces["torso"], map_x, map_y)
        sigma = LOWER_FABRIC_SOFTENING * max(anchors.image_size) / 1024.0
        rgba = soften_fabric(rgba, sigma)
        if "legs_part" in targets:
            # (Below it the person's legs part; above it the new legs meet, see there.)
            rgba = close_legs_gap(
                rgba,
                targets["crotch"][0] - box[0],
                targets["crotch"][1] - box[1],
                targets["legs_part"][1] - box[1],
            )
        layers = (FittedLayer("lower", box, rgba),)
    return FittedGarment(layers=layers, targets=targets, scale=scale, region="lower")


__all__ = [
    "CROTCH_BELOW_HIP",
    "CROTCH_LOWEST",
    "FLAT_OVER_WORN",
    "HEM_BELOW_ANKLE",
    "HIP_OVER_THIGH",
    "HIP_SEAM_REACH",
    "LOWER_FABRIC_SOFTENING",
    "SKIRT_CROTCH_CONFIDENCE",
    "WAISTBAND_LOWEST_BELOW_HIP",
    "WAIST_ABOVE_HIP",
    "WAIST_HIGHEST",
    "WAIST_LOWEST",
    "WAIST_OVER_HIPS",
    "fit_lower",
    "hem_drop",
    "lower_pins",
    "lowest_waistband_row",
    "regular_waist_row",
    "skirt_hem_pins",
    "soften_fabric",
]
