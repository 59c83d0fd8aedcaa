"""Procedural product photos: drawn t-shirts, shirts, tanks, dresses, trousers and skirts.

Every garment is a polygon through its own landmarks, so the true mask and landmark positions
are known exactly (tests use that). Fabric is one of the five pattern classes, bent and shaded
by soft folds, with a knit or woven texture, seams and bands, on a near-white backdrop with a
soft drop shadow — the kind of flat-lay photo a shop takes. The same ``seed`` always draws the
same picture. This is the demo catalog: no research photo is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.garments.core import PATTERNS, Category, GarmentLandmarks, Pattern, Subcategory

ByteArray = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]

KINDS: tuple[Subcategory, ...] = (
    "t-shirt",
    "shirt",
    "tank",
    "dress",
    "trousers",
    "shorts",
    "skirt",
)
_CATEGORY: dict[str, Category] = {
    "t-shirt": "upper",
    "shirt": "upper",
    "tank": "upper",
    "dress": "full",
    "trousers": "lower",
    "shorts": "lower",
    "skirt": "lower",
}
_PALETTE = [
    (200, 40, 50),
    (30, 45, 90),
    (215, 205, 190),
    (40, 120, 70),
    (230, 190, 60),
    (120, 70, 140),
    (90, 90, 95),
    (170, 120, 80),
    (90, 160, 210),
    (240, 150, 170),
]


@dataclass(frozen=True)
class SyntheticGarment:
    """A drawn product photo and its ground truth.

    Attributes:
        image: uint8 (H, W, 3) the photo.
        alpha: float32 (H, W) true coverage in [0, 1].
        landmarks: the true landmarks (confidence 1).
        category, subcategory, pattern: what was drawn.
        sleeve_length: none, short or long.
    """

    image: ByteArray
    alpha: FloatArray
    landmarks: GarmentLandmarks
    category: Category
    subcategory: Subcategory
    pattern: Pattern
    sleeve_length: str


def _outline(
    kind: str, w: int, h: int, rng: np.random.Generator
) -> tuple[list[tuple[str | None, float, float]], str]:
    """Polygon vertices (name or None, x, y) of a garment kind, clockwise from the top left."""
    cx = w / 2 + rng.uniform(-0.02, 0.02) * w
    j = lambda s: 1.0 + rng.uniform(-s, s)  # noqa: E731 - a tiny jitter helper
    if kind in ("t-shirt", "shirt", "tank", "dress"):
        top = h * (0.12 if kind != "dress" else 0.06) * j(0.1)
        body = w * (0.20 if kind != "dress" else 0.15) * j(0.05)  # half body width
        neck = body * 0.42 * j(0.1)
        drop = h * 0.035
        if kind == "dress":
            hem_y, arm_y = h * 0.93, top + h * 0.2
        else:
            hem_y, arm_y = top + h * 0.62 * j(0.04), top + h * 0.24 * j(0.05)
        shoulder = body * 1.08 if kind != "tank" and kind != "dress" else body * 0.7
        pts: list[tuple[str | None, float, float]] = [
            ("neck_right", cx - neck, top),
            (None, cx - neck * 0.6, top + h * 0.03),
            ("neck_center", cx, top + h * 0.04),
            (None, cx + neck * 0.6, top + h * 0.03),
            ("neck_left", cx + neck, top),
            ("shoulder_left", cx + shoulder, top + drop),
        ]
        sleeve = "none"
        if kind in ("t-shirt", "shirt"):
            sleeve = "short" if kind == "t-shirt" else "long"
            if sleeve == "short":
                outer = (cx + shoulder + body * 0.55, top + drop + h * 0.15)
                inner = (cx + body + body * 0.30, arm_y + h * 0.07)
            else:
                outer = (cx + shoulder + body * 0.62, hem_y - h * 0.02)
                inner = (cx + body + body * 0.16, hem_y - h * 0.01)
            pts += [("cuff_left_outer", *outer), ("cuff_left_inner", *inner)]
        else:
            pts += [(None, cx + body * 0.78, (top + drop + arm_y) / 2 + h * 0.02)]
        pts.append(("armpit_left", cx + body, arm_y))
        if kind == "dress":
            waist_y = arm_y + h * 0.12
            pts += [("waist_left", cx + body * 0.92, waist_y), ("hem_left", cx + body * 2.0, hem_y)]
            pts += [
                ("hem_right", cx - body * 2.0, hem_y),
                ("waist_right", cx - body * 0.92, waist_y),
            ]
        else:
            waist_y = (arm_y + hem_y) / 2
            pts += [("waist_left", cx + body, waist_y), ("hem_left", cx + body, hem_y)]
            pts += [("hem_right", cx - body, hem_y), ("waist_right", cx - body, waist_y)]
        pts.append(("armpit_right", cx - body, arm_y))
        if kind in ("t-shirt", "shirt"):
            # Mirror the left sleeve.
            lo = next(p for p in pts if p[0] == "cuff_left_outer")
            li = next(p for p in pts if p[0] == "cuff_left_inner")
            pts += [
                ("cuff_right_inner", 2 * cx - li[1], li[2]),
                ("cuff_right_outer", 2 * cx - lo[1], lo[2]),
            ]
        else:
            pts += [(None, cx - body * 0.78, (top + drop + arm_y) / 2 + h * 0.02)]
        pts.append(("shoulder_right", cx - shoulder, top + drop))
        return pts, sleeve
    top = h * 0.08
    half = w * 0.2 * j(0.05)
    if kind == "skirt":
        bottom = top + h * 0.45
        return [
            ("waistband_right", cx - half, top),
            ("waistband_center", cx, top),
            ("waistband_left", cx + half, top),
            ("hem_left_outer", cx + half * 1.6, bottom),
            ("hem_right_outer", cx - half * 1.6, bottom),
        ], "none"
    bottom = h * (0.92 if kind == "trousers" else 0.5)
    crotch_y = top + h * (0.3 if kind == "trousers" else 0.22)
    flare = half * (0.1 if kind == "trousers" else 0.25)
    gap = half * 0.3
    return [
        ("waistband_right", cx - half, top),
        ("waistband_center", cx, top),
        ("waistband_left", cx + half, top),
        ("hem_left_outer", cx + half + flare, bottom),
        ("hem_left_inner", cx + gap, bottom),
        ("crotch", cx, crotch_y),
        ("hem_right_inner", cx - gap, bottom),
        ("hem_right_outer", cx - half - flare, bottom),
    ], "none"


def _fabric(pattern: Pattern, w: int, h: int, rng: np.random.Generator) -> FloatArray:
    """float32 (h, w, 3) fabric colours in [0, 255]."""
    idx = rng.choice(len(_PALETTE), size=3, replace=False)
    a, b, c = (np.array(_PALETTE[i], np.float32) for i in idx)
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    period = float(rng.uniform(0.035, 0.06) * w)
    if pattern == "solid":
        out = np.broadcast_to(a, (h, w, 3)).copy()
    elif pattern == "stripes":
        band = (np.floor(yy / period) % 2)[..., None]
        out = a * (1 - band) + b * band
    elif pattern == "checks":
        hb = (np.floor(yy / period) % 2)[..., None]
        vb = (np.floor(xx / period) % 2)[..., None]
        out = a * (1 - hb) * (1 - vb) + b * hb * vb + (a + b) / 2 * (hb + vb - 2 * hb * vb)
    elif pattern == "dots":
        r = period * 0.22
        dx = (xx % period) - period / 2
        dy = (yy % period) - period / 2
        dot = np.clip(r + 0.5 - np.hypot(dx, dy), 0, 1)[..., None]
        out = a * (1 - dot) + b * dot
    else:  # print: smooth random blobs in three colours
        noise = rng.standard_normal((max(2, h // 24), max(2, w // 24), 2)).astype(np.float32)
        noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
        noise = cv2.GaussianBlur(noise, (0, 0), w / 60)
        s1 = (noise[..., 0] > 0.15)[..., None].astype(np.float32)
        s2 = (noise[..., 1] > 0.2)[..., None].astype(np.float32)
        out = a * (1 - s1) + b * s1
        out = out * (1 - s2) + c * s2
    return out.astype(np.float32)


#: Knitted kinds get a fine rib; the others a woven texture (plain weave, or twill for trousers).
_KNIT: frozenset[str] = frozenset({"t-shirt", "tank"})


def _fold_height(alpha: FloatArray, kind: str, rng: np.random.Generator) -> FloatArray:
    """float32 (h, w) a smooth height field of soft folds: elongated ridges and valleys, mostly
    running down the garment (drape), a few slanting from the shoulders or the crotch."""
    h, w = alpha.shape
    ys, xs = np.nonzero(alpha > 0.5)
    x_lo, x_hi, y_lo, y_hi = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
    # Work on a quarter-size grid: the field is smooth, and the full-size remap reads it back.
    q = 4
    hq, wq = -(-h // q), -(-w // q)
    yy, xx = np.mgrid[:hq, :wq].astype(np.float32) * q
    field = np.zeros((hq, wq), np.float32)
    legs = kind in ("trousers", "shorts")
    for _ in range(int(rng.integers(7, 11))):
        x0 = rng.uniform(x_lo, x_hi)
        y0 = rng.uniform(y_lo, y_hi)
        angle = rng.normal(0.0, 0.12 if legs else 0.3)  # radians off vertical
        length = rng.uniform(0.15, 0.35) * (y_hi - y_lo)
        width = rng.uniform(0.018, 0.045) * w
        amp = rng.uniform(0.5, 1.0) * (1.0 if rng.random() < 0.6 else -1.0)
        dx, dy = xx - x0, yy - y0
        along = dx * np.sin(angle) + dy * np.cos(angle)
        across = dx * np.cos(angle) - dy * np.sin(angle)
        field += amp * np.exp(-((across / width) ** 2) - (along / length) ** 2)
    out: FloatArray = cv2.resize(field, (w, h), interpolation=cv2.INTER_CUBIC)
    return out


def _texture(kind: str, xx: FloatArray, yy: FloatArray, rng: np.random.Generator) -> FloatArray:
    """float32 (h, w) multiplicative fabric texture around 1: a knit's rib and rows, a shirt's
    plain weave, a trouser's diagonal twill. On pixel coordinates, not bent by the folds (a
    period of a few pixels bent beats into a moiré)."""
    map_x, map_y = xx, yy
    h, w = xx.shape
    two_pi = np.float32(2.0 * np.pi)
    period = np.float32(max(3.5, w / 200.0))
    if kind in _KNIT:
        tex = 0.045 * np.sin(two_pi * map_x / period) + 0.02 * np.sin(two_pi * map_y / period)
    elif kind in ("trousers", "shorts"):
        tex = 0.04 * np.sin(two_pi * (map_x + map_y) / (1.4 * period))
    else:
        tex = 0.04 * np.sin(two_pi * map_x / period) * np.sin(two_pi * map_y / period)
    # Slubs: the yarn's thickness wanders, in streaks along the threads.
    slub = rng.standard_normal((max(2, h // 6), max(2, w // 40))).astype(np.float32)
    slub = cv2.resize(slub, (w, h), interpolation=cv2.INTER_LINEAR)
    return (1.0 + tex + 0.012 * slub).astype(np.float32)


def _details(
    kind: str, verts: list[tuple[str | None, float, float]], w: int, h: int
) -> tuple[FloatArray, FloatArray]:
    """Seams and bands: (darkening in [0, 1], stitch lines in [0, 1]), float32 (h, w) each.

    Tops: a ribbed neckband along the neckline, seams where the sleeves join, a hem stitched
    a little above the hem. Trousers, shorts and skirts: a waistband with its seam and a fly.
    """
    band = np.zeros((h, w), np.float32)
    stitch = np.zeros((h, w), np.float32)
    pts = {n: (x, y) for n, x, y in verts if n is not None}
    thick = max(2, round(w / 300))

    def line(img: FloatArray, a: tuple[float, float], b: tuple[float, float], width: int) -> None:
        cv2.line(
            img, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), 1.0, width, cv2.LINE_AA
        )

    def dashed(a: tuple[float, float], b: tuple[float, float]) -> None:
        n = max(2, int(np.hypot(b[0] - a[0], b[1] - a[1]) / (3.0 * thick)))
        for i in range(0, n, 2):
            t0, t1 = i / n, min(1.0, (i + 1) / n)
            line(
                stitch,
                (a[0] + t0 * (b[0] - a[0]), a[1] + t0 * (b[1] - a[1])),
                (a[0] + t1 * (b[0] - a[0]), a[1] + t1 * (b[1] - a[1])),
                1,
            )

    if "neck_center" in pts:
        neck = [
            (x, y) for n, x, y in verts if n in ("neck_right", None, "neck_center", "neck_left")
        ]
        neck = [p for p in neck if p[1] <= pts["neck_center"][1] + 1.0]
        cv2.polylines(
            band, [np.round(np.array(neck)).astype(np.int32)], False, 1.0, 5 * thick, cv2.LINE_AA
        )
        for side in ("left", "right"):
            if f"cuff_{side}_outer" in pts:
                line(stitch, pts[f"shoulder_{side}"], pts[f"armpit_{side}"], thick)
        lift = 0.025 * h
        dashed(
            (pts["hem_right"][0] + 2 * thick, pts["hem_right"][1] - lift),
            (pts["hem_left"][0] - 2 * thick, pts["hem_left"][1] - lift),
        )
    if "waistband_center" in pts:
        top = pts["waistband_center"][1]
        depth = 0.045 * h
        band[int(top) : int(top + depth)] = 1.0
        seam_y = top + depth
        line(stitch, (pts["waistband_right"][0], seam_y), (pts["waistband_left"][0], seam_y), thick)
        if kind != "skirt":
            cx = pts["waistband_center"][0]
            fly_end = top + 0.55 * (pts["crotch"][1] - top)
            dashed((cx + 0.06 * w, seam_y + 2 * thick), (cx + 0.06 * w, fly_end))
            line(stitch, (cx, seam_y), (cx, fly_end + 0.02 * h), thick)
    return cv2.GaussianBlur(band, (0, 0), 1.0), cv2.GaussianBlur(stitch, (0, 0), 0.6)


def synth_garment(
    kind: str = "t-shirt",
    *,
    seed: int = 0,
    pattern: Pattern | None = None,
    size: tuple[int, int] = (768, 1024),
    background: tuple[int, int, int] | None = None,
) -> SyntheticGarment:
    """Draw one product photo.

    The look of a studio flat-lay: the fabric's pattern bent by soft folds, lit from the upper
    left (each fold a ridge with a lit and a shaded side), a knit or woven texture, seams and
    bands (neckband, hem stitching, waistband, fly), edges that turn away from the light, and a
    soft drop shadow on a near-white backdrop.

    Args:
        kind: t-shirt, shirt, tank, dress, trousers, shorts or skirt.
        seed: everything random derives from it.
        pattern: fabric pattern (random when None).
        size: (width, height) in pixels.
        background: backdrop RGB (a near-white when None).

    Raises:
        InputError: an unknown kind or pattern.
    """
    if kind not in KINDS:
        raise InputError(f"unknown synthetic garment kind {kind!r}; use one of {KINDS}")
    if pattern is not None and pattern not in PATTERNS:
        raise InputError(f"unknown pattern {pattern!r}; use one of {PATTERNS}")
    rng = np.random.default_rng(seed)
    w, h = size
    pattern = pattern or PATTERNS[int(rng.integers(len(PATTERNS)))]
    verts, sleeve = _outline(kind, w, h, rng)
    # Anti-aliased coverage: draw at 4× and average down.
    ss = 4
    poly = np.array([[(x + 0.5) * ss - 0.5, (y + 0.5) * ss - 0.5] for _, x, y in verts], np.float32)
    big = np.zeros((h * ss, w * ss), np.uint8)
    cv2.fillPoly(big, [np.round(poly).astype(np.int32)], 255)
    alpha = cv2.resize(big.astype(np.float32) / 255.0, (w, h), interpolation=cv2.INTER_AREA)
    fabric = _fabric(pattern, w, h, rng)

    # Folds: a height field whose slope bends the pattern and shades the cloth.
    height = _fold_height(alpha, kind, rng)
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    slope = max(1e-6, float(np.percentile(np.hypot(gx, gy), 99.5)))
    gx, gy = gx / slope, gy / slope
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    bend = 0.006 * w
    map_x, map_y = xx + bend * gx, yy + bend * gy
    fabric = cv2.remap(fabric, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    light_dir = np.array([-0.45, -0.9], np.float32) / np.float32(np.hypot(0.45, 0.9))
    lit = -(gx * light_dir[0] + gy * light_dir[1])  # > 0 on slopes facing the light
    low = cv2.resize(rng.standard_normal((3, 3)).astype(np.float32), (w, h), cv2.INTER_CUBIC)
    light = 1.0 + 0.11 * lit + 0.03 * low / max(1e-6, float(np.abs(low).max()))
    light += 0.04 * (0.5 - yy / h) + 0.02 * (0.5 - xx / w)  # the lamp is above, to the left
    # The garment's edges turn away from the light (a flat-lay is not flat at its rims).
    inside = cv2.distanceTransform((alpha >= 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    light -= 0.09 * np.exp(-inside / (0.012 * w))
    band, stitch = _details(kind, verts, w, h)
    light *= 1.0 - 0.08 * band - 0.14 * stitch
    texture = _texture(kind, xx, yy, rng)
    grain = rng.normal(0.0, 1.6, (h, w)).astype(np.float32)
    garment = fabric * (light * texture)[..., None] + grain[..., None]

    # Backdrop: near-white, a soft vignette, a drop shadow below-right and a contact shadow.
    bg_colour = np.array(background or (int(rng.integers(243, 251)),) * 3, np.float32)
    r2 = ((xx - 0.45 * w) / w) ** 2 + ((yy - 0.4 * h) / h) ** 2
    backdrop = bg_colour[None, None, :] * (1.0 - 0.05 * r2)[..., None]
    offset = np.array([[1, 0, 0.012 * w], [0, 1, 0.018 * h]], np.float32)
    drop = cv2.warpAffine(alpha, offset, (w, h))
    drop = cv2.GaussianBlur(drop, (0, 0), 0.02 * w)
    contact = cv2.GaussianBlur(alpha, (0, 0), 0.004 * w)
    backdrop *= (1.0 - 0.05 * drop - 0.03 * contact)[..., None]
    image = garment * alpha[..., None] + backdrop * (1.0 - alpha[..., None])
    image += rng.normal(0.0, 0.8, image.shape).astype(np.float32)
    image_u8 = np.clip(image + 0.5, 0, 255).astype(np.uint8)
    names = tuple(n for n, _, _ in verts if n is not None)
    points = np.array([[x, y, 1.0] for n, x, y in verts if n is not None], np.float32)
    return SyntheticGarment(
        image=image_u8,
        alpha=alpha.astype(np.float32),
        landmarks=GarmentLandmarks(names, points),
        category=_CATEGORY[kind],
        subcategory=kind,
        pattern=pattern,
        sleeve_length=sleeve,
    )


#: The demo catalog: (name, kind, pattern, seed).
DEMO_CATALOG: tuple[tuple[str, str, Pattern, int], ...] = (
    ("striped-tee", "t-shirt", "stripes", 1),
    ("plain-tee", "t-shirt", "solid", 2),
    ("dotted-tee", "t-shirt", "dots", 3),
    ("gingham-shirt", "shirt", "checks", 4),
    ("printed-shirt", "shirt", "print", 5),
    ("summer-tank", "tank", "solid", 6),
    ("floral-dress", "dress", "print", 7),
    ("check-dress", "dress", "checks", 8),
    ("chinos", "trousers", "solid", 9),
    ("pinstripe-trousers", "trousers", "stripes", 10),
)


def demo_catalog() -> list[tuple[str, SyntheticGarment]]:
    """The drawn garments of the demo catalog."""
    return [
        (name, synth_garment(kind, seed=seed, pattern=pat))
        for name, kind, pat, seed in DEMO_CATALOG
    ]


__all__ = ["DEMO_CATALOG", "KINDS", "SyntheticGarment", "demo_catalog", "synth_garment"]
