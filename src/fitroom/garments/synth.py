"""Procedural product photos: drawn t-shirts, shirts, tanks, dresses, trousers and skirts.

Every garment is a polygon through its own landmarks, so the true mask and landmark positions
are known exactly (tests use that). Fabric is one of the five pattern classes, with low-frequency
shading, soft fold lines and a fine weave, on a light backdrop with a faint shadow — the kind of
flat-lay photo a shop takes. The same ``seed`` always draws the same picture. This is the demo
catalog: no research photo is involved.
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


def synth_garment(
    kind: str = "t-shirt",
    *,
    seed: int = 0,
    pattern: Pattern | None = None,
    size: tuple[int, int] = (768, 1024),
    background: tuple[int, int, int] | None = None,
) -> SyntheticGarment:
    """Draw one product photo.

    Args:
        kind: t-shirt, shirt, tank, dress, trousers, shorts or skirt.
        seed: everything random derives from it.
        pattern: fabric pattern (random when None).
        size: (width, height) in pixels.
        background: backdrop RGB (a light grey/white when None).

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
    # Shading: broad light falloff, a few soft folds, a fine weave.
    low = rng.standard_normal((4, 3)).astype(np.float32)
    light = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    light = 1.0 + 0.06 * light / max(1e-6, float(np.abs(light).max()))
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    for _ in range(3):
        x0 = rng.uniform(0.3, 0.7) * w
        slope = rng.uniform(-0.25, 0.25)
        d = np.abs(xx - (x0 + slope * (yy - h / 2)))
        light -= 0.07 * np.exp(-((d / (w * 0.012)) ** 2))
    weave = rng.normal(0.0, 2.0, (h, w)).astype(np.float32)
    garment = fabric * light[..., None] + weave[..., None]
    bg_colour = np.array(background or (int(rng.integers(238, 250)),) * 3, np.float32)
    gradient = 1.0 - 0.02 * (yy / h)
    backdrop = bg_colour[None, None, :] * gradient[..., None]
    shadow = cv2.GaussianBlur(np.roll(alpha, (6, 4), axis=(0, 1)), (0, 0), 6.0)
    backdrop *= 1.0 - 0.04 * shadow[..., None]
    image = garment * alpha[..., None] + backdrop * (1.0 - alpha[..., None])
    image += rng.normal(0.0, 0.8, image.shape).astype(np.float32)
    image_u8 = np.clip(image + 0.5, 0, 255).astype(np.uint8)
    names = tuple(n for n, _, _ in verts if n is not None)
    if kind == "skirt":
        names = tuple(names)
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
