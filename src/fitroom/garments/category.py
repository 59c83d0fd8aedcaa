"""Garment category from the silhouette: upper, lower or full, with subcategory and sleeves.

The rules read a handful of scale-free shape measurements (:class:`ShapeFeatures`): whether two
legs hang from a waistband, how far sleeves reach out beyond the armpits, how long the garment
is relative to its body width, how much the hem flares. A merchant's hint overrides the
category; the subcategory is then chosen within it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fitroom.errors import InputError
from fitroom.garments.core import CATEGORIES, SUBCATEGORIES, Category, Subcategory
from fitroom.garments.silhouette import Silhouette, convexity_defects, leg_gap


@dataclass(frozen=True)
class ShapeFeatures:
    """Scale-free measurements of a silhouette.

    Attributes:
        leg_gap: height of the gap between legs over garment height (0 without legs).
        armpit_depth: depth of the deepest side concavity in the upper 75 % over body width.
        sleeve_reach: how far the garment reaches sideways beyond the body in its upper 60 %,
            over body width.
        length_ratio: garment height over its widest row.
        top_ratio: width 2 % below the top edge over the widest row (a waistband is as wide as
            the garment; a collar is not).
        flare: width at 90 % of the height over width at 50 %.
        top_fill: share of the extent 2 % below the top edge that is garment (a waistband is
            filled across; a camisole's two straps or a collar's two sides are not).
        height_over_body: garment height over :attr:`body_width` (a dress or a long coat is
            well over 2.8 body widths long, a top is not, however far its sleeves reach).
        band_fill, band_ratio: share filled and width over the widest row, 6 % below the top
            edge — past belt loops and a tie's knot standing above a waistband.
        widening: width at 85 % of the height over width at 10 % (an A-line skirt or wide
            shorts whose legs hide their gap widen from the waistband down).
        body_width: width of the body run below the sleeves (analysis pixels).
        hem_step: the largest rise or drop of the bottom edge across 2 % of the width in the
            middle 40 % of the width, over the garment's height: where two leg openings meet,
            the hem steps (wide shorts whose legs hang together); a skirt's hem runs smoothly.
    """

    leg_gap: float
    armpit_depth: float
    sleeve_reach: float
    length_ratio: float
    top_ratio: float
    flare: float
    body_width: float
    top_fill: float = 1.0
    height_over_body: float = 0.0
    band_fill: float = 1.0
    band_ratio: float = 0.0
    widening: float = 1.0
    hem_step: float = 0.0


#: A hem stepping by this share of the height in the middle is two leg openings, not a skirt's.
#: (Measured: wide shorts with hidden legs 0.026; drawn and photographed skirts and dresses
#: 0.0–0.015; shorts and trousers with a leg gap 0.06 and more.)
HEM_STEP_OF_LEGS = 0.02


def hem_step(sil: Silhouette) -> float:
    """See :attr:`ShapeFeatures.hem_step`."""
    xs = np.arange(sil.x0 + int(0.3 * sil.width), sil.x0 + int(0.7 * sil.width))
    if xs.size < 3:
        return 0.0
    bottom = sil.bottom[xs].astype(np.float64)
    k = max(1, int(0.02 * sil.width))
    if bottom.size <= k or (bottom < 0).any():
        return 0.0
    return float(np.abs(bottom[k:] - bottom[:-k]).max() / max(1, sil.height))


@dataclass(frozen=True)
class CategoryGuess:
    """Category, subcategory, whether it has sleeves, and a confidence in [0, 1]."""

    category: Category
    subcategory: Subcategory
    has_sleeves: bool
    confidence: float


def _extent(sil: Silhouette, frac: float) -> int:
    cols = np.flatnonzero(sil.mask[sil.y0 + int(frac * (sil.height - 1))])
    return int(cols[-1] - cols[0] + 1) if cols.size else 0


def _fill(sil: Silhouette, frac: float) -> float:
    row = sil.mask[sil.y0 + int(frac * (sil.height - 1))]
    cols = np.flatnonzero(row)
    return float(cols.size / (cols[-1] - cols[0] + 1)) if cols.size else 0.0


def shape_features(sil: Silhouette) -> ShapeFeatures:
    """Measure the silhouette for :func:`classify`."""
    h = sil.height
    gap = leg_gap(sil)
    body_widths = []
    for frac in np.linspace(0.55, 0.8, 6):
        run = sil.run_at(sil.y0 + int(frac * h), sil.center_x)
        if run is not None:
            body_widths.append(run[1] - run[0] + 1)
    body_width = float(np.median(body_widths)) if body_widths else float(sil.width)
    widest = max(_extent(sil, f) for f in np.linspace(0.02, 0.98, 49))
    defects = [
        d
        for d in convexity_defects(sil, 0.02 * body_width)
        if sil.y0 + 0.08 * h < d[1] < sil.y0 + 0.75 * h
        and abs(d[0] - sil.center_x) > 0.2 * body_width
    ]
    armpit_depth = max((d[2] for d in defects), default=0.0) / body_width
    reach = 0.0
    cols = np.flatnonzero(sil.mask[sil.y0 : sil.y0 + int(0.6 * h)].any(axis=0))
    if cols.size:
        left_reach = (sil.center_x - body_width / 2) - cols.min()
        right_reach = cols.max() - (sil.center_x + body_width / 2)
        reach = max(0.0, min(left_reach, right_reach)) / body_width
    return ShapeFeatures(
        leg_gap=gap[2] if gap else 0.0,
        armpit_depth=float(armpit_depth),
        sleeve_reach=float(reach),
        length_ratio=h / max(widest, 1),
        top_ratio=_extent(sil, 0.02) / max(widest, 1),
        flare=_extent(sil, 0.9) / max(_extent(sil, 0.5), 1),
        body_width=body_width,
        top_fill=_fill(sil, 0.02),
        height_over_body=h / max(body_width, 1.0),
        band_fill=_fill(sil, 0.06),
        band_ratio=_extent(sil, 0.06) / max(widest, 1),
        widening=_extent(sil, 0.85) / max(_extent(sil, 0.1), 1),
        hem_step=hem_step(sil),
    )


def _parse_hint(hint: str | None) -> tuple[Category | None, Subcategory | None]:
    if hint in (None, "", "auto"):
        return None, None
    if hint in CATEGORIES:
        return hint, None
    for cat, subs in SUBCATEGORIES.items():
        if hint in subs:
            return cat, hint
    names = ", ".join([*CATEGORIES, *(s for v in SUBCATEGORIES.values() for s in v)])
    raise InputError(f"unknown garment category {hint!r}; use auto or one of: {names}")


def classify(features: ShapeFeatures, hint: str | None = None) -> CategoryGuess:
    """Category, subcategory and sleeves from shape features (and an optional hint).

    Args:
        features: from :func:`shape_features`.
        hint: "upper", "lower", "full", a subcategory name, or None / "auto".

    Raises:
        InputError: an unknown hint.
    """
    hint_category, hint_sub = _parse_hint(hint)
    f = features
    has_legs = f.leg_gap >= 0.3
    sleeved = f.sleeve_reach >= 0.14 or f.armpit_depth >= 0.25
    # A waistband: the top edge filled across (a camisole's straps, a collar's sides are not).
    waistband = f.top_fill >= 0.9
    # Shorts: a waistband as wide as the hips and a short gap between the legs; no armholes.
    shorts = waistband and f.leg_gap >= 0.08 and f.top_ratio >= 0.6 and f.armpit_depth < 0.15
    # Trousers lying with the legs together: waistband as wide as the garment, straight, long.
    closed_legs = waistband and f.top_ratio >= 0.85 and f.flare <= 1.1 and f.length_ratio >= 2.2
    # A skirt: waistband filled across, flaring, no sleeves, not long. Or any garment of that
    # length widening from a filled band below its top (belt loops above it) to its hem, with
    # no armhole on its sides at all: an A-line skirt, or wide shorts whose legs hang together
    # (no gap shows between them).
    a_line = (
        f.band_fill >= 0.9
        and f.band_ratio >= 0.45
        and f.widening >= 1.3
        and f.top_fill < 0.9
        and f.armpit_depth < 0.1
    )
    skirt = (
        ((waistband and f.top_ratio >= 0.55 and f.flare >= 1.15) or a_line)
        and f.length_ratio < 1.9
        and not sleeved
    )
    if hint_category is not None:
        category, confidence = hint_category, 1.0
    elif has_legs and f.top_ratio >= 0.6:
        category, confidence = "lower", min(1.0, 0.5 + f.leg_gap)
    elif has_legs:
        category, confidence = "full", 0.6  # legs below a bodice: a jumpsuit
    elif shorts or closed_legs or skirt:
        category, confidence = "lower", 0.6
    elif (
        (f.length_ratio >= 1.9 and f.flare >= 1.15)
        or f.length_ratio >= 2.6
        or f.height_over_body >= 2.9
    ):
        category, confidence = "full", min(1.0, 0.5 + (f.length_ratio - 1.9))
    else:
        category, confidence = "upper", min(1.0, 0.5 + (1.9 - f.length_ratio))

    sub: Subcategory
    if hint_sub is not None:
        sub = hint_sub
    elif category == "lower":
        if has_legs or closed_legs or shorts:
            sub = "trousers" if f.length_ratio >= 1.6 else "shorts"
        elif f.hem_step >= HEM_STEP_OF_LEGS and f.length_ratio < 1.6:
            sub = "shorts"  # wide legs hanging together: no gap shows, but the hem steps
        else:
            sub = "skirt"
    elif category == "full":
        sub = "jumpsuit" if has_legs else "dress"
    else:
        sub = "t-shirt" if sleeved else "tank"
    return CategoryGuess(
        category, sub, sleeved and category != "lower", float(np.clip(confidence, 0.0, 1.0))
    )


__all__ = [
    "HEM_STEP_OF_LEGS",
    "CategoryGuess",
    "ShapeFeatures",
    "classify",
    "hem_step",
    "shape_features",
]
