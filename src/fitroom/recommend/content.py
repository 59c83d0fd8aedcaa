"""Content recommendations: similar garments and "complete the look", from garment features alone.

A garment is described by a :class:`GarmentProfile`: the appearance vector the garment stage
computes at ingestion (palette histogram, texture, pattern, category, sleeve, length; see
:func:`fitroom.garments.features.feature_vector`), a hashed bag-of-words of its name and
description, and its palette in Lab. Everything here is a pure function of profiles, so a shop
can rank from a cache without touching the models.

* Similar: cosine of the appearance vectors plus a smaller share of the text cosine, with a bonus
  for the same subcategory.
* Complete the look: garments of the *other* category (a bottom for a top and back; a dress takes
  nothing), scored by colour harmony between the palettes — a neutral goes with anything, and two
  chromatic colours go well when their hues are analogous (close) or complementary (opposite) —
  with a penalty when both garments carry a busy pattern.

The text embedding is a hashed bag-of-words (CRC-32 of each lower-cased word and word pair into
``TEXT_DIM`` bins, L2-normalised): no model file, deterministic, cheap.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.garments.core import GarmentFeatures

FloatArray = npt.NDArray[np.float32]

#: Bins of the hashed bag-of-words text vector.
TEXT_DIM = 256
#: Share of the text cosine in the similarity (the rest is the appearance cosine).
TEXT_WEIGHT = 0.25
#: Added to the similarity of two garments of the same subcategory.
SAME_SUBCATEGORY_BONUS = 0.1
#: Lab chroma below which a colour counts as neutral (black, white, greys, beige-ish).
NEUTRAL_CHROMA = 12.0
#: Hue differences (degrees) counted as analogous, and the tolerance around 180° for complementary.
ANALOGOUS_DEGREES = 35.0
COMPLEMENTARY_TOLERANCE = 30.0
#: Harmony of a pair of colours by rule (neutral, analogous, complementary, triadic, other).
HARMONY_SCORES = {
    "neutral": 1.0,
    "analogous": 0.9,
    "complementary": 0.85,
    "triadic": 0.6,
    "clash": 0.2,
}
#: Multiplier when both garments carry a pattern (stripes with checks rarely work).
BUSY_PATTERN_PENALTY = 0.6
#: Which categories complete an outfit started by a garment of each category.
COMPLEMENTS: dict[str, tuple[str, ...]] = {"upper": ("lower",), "lower": ("upper",), "full": ()}

_WORD = re.compile(r"[a-z0-9]+")
#: Words that say nothing about a garment (every demo description has them).
_STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "the", "of", "from", "by", "in", "on", "with", "for", "to", "is"),
        *("it", "this", "that", "its", "project", "itself", "fitroom", "demo", "collection"),
        "drawn",
    }
)


@dataclass(frozen=True)
class GarmentProfile:
    """What content recommendations know about one garment.

    Attributes:
        garment_id: the shop's id.
        category: upper, lower or full.
        subcategory: t-shirt, trousers, dress...
        pattern: solid, stripes, checks, dots or print.
        vector: float32 (D,) L2-normalised appearance vector (from the garment's features).
        text: float32 (TEXT_DIM,) L2-normalised hashed bag-of-words (all zero for no words).
        palette_lab: float32 (K, 3) dominant colours in Lab, largest share first (K ≥ 0).
        palette_share: float32 (K,) their area shares (sum to 1 when K > 0).
    """

    garment_id: int
    category: str
    subcategory: str
    pattern: str
    vector: FloatArray
    text: FloatArray
    palette_lab: FloatArray
    palette_share: FloatArray

    def __post_init__(self) -> None:
        for name, arr, ndim in (
            ("vector", self.vector, 1),
            ("text", self.text, 1),
            ("palette_lab", self.palette_lab, 2),
            ("palette_share", self.palette_share, 1),
        ):
            if arr.dtype != np.float32 or arr.ndim != ndim:
                raise InputError(
                    f"GarmentProfile.{name}: expected a float32 array with {ndim} dimension(s), "
                    f"got {arr.dtype} {arr.shape}"
                )
        if self.palette_lab.shape[1:] != (3,) or len(self.palette_share) != len(self.palette_lab):
            raise InputError(
                "GarmentProfile: palette_lab must be (K, 3) and palette_share (K,), got "
                f"{self.palette_lab.shape} and {self.palette_share.shape}"
            )
        if self.category not in COMPLEMENTS:
            raise InputError(
                f"GarmentProfile.category must be one of {tuple(COMPLEMENTS)}, "
                f"got {self.category!r}"
            )


@dataclass(frozen=True)
class Recommendation:
    """One recommended garment: its id, a score (higher is better) and why, for the page."""

    garment_id: int
    score: float
    reason: str


def text_vector(text: str, dim: int = TEXT_DIM) -> FloatArray:
    """Hashed bag of words and word pairs of ``text``, float32 (dim,), L2-normalised.

    >>> v = text_vector("Striped tee")
    >>> round(float(np.linalg.norm(v)), 3), v.shape
    (1.0, (256,))
    >>> float(np.abs(text_vector("")).sum())
    0.0
    """
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS]
    tokens = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    vec = np.zeros(dim, np.float32)
    for token in tokens:
        vec[zlib.crc32(token.encode()) % dim] += 1.0
    norm = float(np.linalg.norm(vec))
    return vec / np.float32(norm) if norm > 0 else vec


def profile_from_features(
    garment_id: int,
    *,
    category: str,
    subcategory: str,
    features: GarmentFeatures,
    text: str,
) -> GarmentProfile:
    """The profile of an ingested garment (its :class:`GarmentFeatures`) and its shop text."""
    lab = np.array([c.lab for c in features.palette], np.float32).reshape(-1, 3)
    share = np.array([c.share for c in features.palette], np.float32)
    return GarmentProfile(
        garment_id=garment_id,
        category=category,
        subcategory=subcategory,
        pattern=features.pattern,
        vector=features.vector.astype(np.float32),
        text=text_vector(text),
        palette_lab=lab,
        palette_share=share,
    )


def similarity(a: GarmentProfile, b: GarmentProfile, text_weight: float = TEXT_WEIGHT) -> float:
    """How alike two garments look and are described, about [-1, 1.1] (1 = the same garment)."""
    if a.vector.shape != b.vector.shape:
        raise InputError(
            f"appearance vectors differ in length ({a.vector.shape} vs {b.vector.shape}); "
            "re-ingest garments made by an older fitroom version"
        )
    visual = float(a.vector @ b.vector)
    words = float(a.text @ b.text)
    bonus = SAME_SUBCATEGORY_BONUS if a.subcategory == b.subcategory else 0.0
    return (1.0 - text_weight) * visual + text_weight * words + bonus


def similar_garments(
    target: GarmentProfile, candidates: Iterable[GarmentProfile], k: int = 6
) -> list[Recommendation]:
    """The ``k`` candidates most similar to ``target`` (itself excluded), best first.

    Ties keep the candidates' order, so the result is deterministic.
    """
    if k < 0:
        raise InputError(f"k must be ≥ 0, got {k}")
    scored = [
        (similarity(target, c), i, c)
        for i, c in enumerate(candidates)
        if c.garment_id != target.garment_id
    ]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        Recommendation(c.garment_id, round(score, 6), _similar_reason(target, c))
        for score, _, c in scored[:k]
    ]


def _similar_reason(target: GarmentProfile, other: GarmentProfile) -> str:
    if other.subcategory == target.subcategory and other.pattern == target.pattern:
        return f"another {other.pattern} {other.subcategory}"
    if other.subcategory == target.subcategory:
        return f"also a {other.subcategory}"
    return f"a similar look ({other.pattern})"


def lab_chroma_hue(lab: Sequence[float] | FloatArray) -> tuple[float, float]:
    """Chroma and hue angle (degrees in [0, 360)) of a Lab colour.

    >>> lab_chroma_hue((50.0, 0.0, 20.0))
    (20.0, 90.0)
    """
    a, b = float(lab[1]), float(lab[2])
    return math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360.0


def hue_distance(h1: float, h2: float) -> float:
    """Smallest angle between two hues, degrees in [0, 180].

    >>> hue_distance(350.0, 10.0)
    20.0
    """
    d = abs(h1 - h2) % 360.0
    return min(d, 360.0 - d)


def colour_relation(lab1: Sequence[float] | FloatArray, lab2: Sequence[float] | FloatArray) -> str:
    """The harmony rule two Lab colours follow: neutral, analogous, complementary, triadic or clash.

    >>> colour_relation((20, 0, 0), (50, 60, 40))  # black with red
    'neutral'
    >>> colour_relation((50, 60, 40), (50, -60, -40))  # red with teal
    'complementary'
    """
    c1, h1 = lab_chroma_hue(lab1)
    c2, h2 = lab_chroma_hue(lab2)
    if c1 < NEUTRAL_CHROMA or c2 < NEUTRAL_CHROMA:
        return "neutral"
    d = hue_distance(h1, h2)
    if d <= ANALOGOUS_DEGREES:
        return "analogous"
    if d >= 180.0 - COMPLEMENTARY_TOLERANCE:
        return "complementary"
    if abs(d - 120.0) <= 20.0:
        return "triadic"
    return "clash"


def palette_harmony(a: GarmentProfile, b: GarmentProfile) -> float:
    """Share-weighted mean harmony of every colour pair of the two palettes, in [0, 1].

    An empty palette (nothing known) counts as neutral: 1.
    """
    if len(a.palette_lab) == 0 or len(b.palette_lab) == 0:
        return HARMONY_SCORES["neutral"]
    total = 0.0
    weight = 0.0
    for lab1, s1 in zip(a.palette_lab, a.palette_share, strict=True):
        for lab2, s2 in zip(b.palette_lab, b.palette_share, strict=True):
            w = float(s1) * float(s2)
            total += w * HARMONY_SCORES[colour_relation(lab1, lab2)]
            weight += w
    return total / weight if weight > 0 else HARMONY_SCORES["neutral"]


def outfit_score(a: GarmentProfile, b: GarmentProfile) -> float:
    """How well two garments of complementary categories go together, in [0, 1]."""
    score = palette_harmony(a, b)
    if a.pattern != "solid" and b.pattern != "solid":
        score *= BUSY_PATTERN_PENALTY
    return score


def complete_the_look(
    target: GarmentProfile, candidates: Iterable[GarmentProfile], k: int = 4
) -> list[Recommendation]:
    """The ``k`` garments of the complementary category that go best with ``target``.

    A top gets bottoms and a bottom gets tops; a full-body garment (a dress) gets nothing. Best
    first; ties keep the candidates' order.
    """
    if k < 0:
        raise InputError(f"k must be ≥ 0, got {k}")
    wanted = COMPLEMENTS[target.category]
    scored = [
        (outfit_score(target, c), i, c)
        for i, c in enumerate(candidates)
        if c.category in wanted and c.garment_id != target.garment_id
    ]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        Recommendation(c.garment_id, round(score, 6), _outfit_reason(target, c))
        for score, _, c in scored[:k]
    ]


def _outfit_reason(target: GarmentProfile, other: GarmentProfile) -> str:
    if len(target.palette_lab) == 0 or len(other.palette_lab) == 0:
        return "goes with it"
    relation = colour_relation(target.palette_lab[0], other.palette_lab[0])
    return {
        "neutral": "a neutral match",
        "analogous": "close colours",
        "complementary": "complementary colours",
        "triadic": "a bold colour pairing",
        "clash": "a contrast",
    }[relation]


def centroid_scores(
    history: Sequence[GarmentProfile],
    candidates: Iterable[GarmentProfile],
    weights: Sequence[float] | None = None,
) -> dict[int, float]:
    """Each candidate's weighted mean similarity to the garments in ``history`` (a taste profile).

    ``weights`` (one per history item, e.g. higher for a like or a smile) default to 1; an empty
    history gives every candidate 0.
    """
    if weights is not None and len(weights) != len(history):
        raise InputError(f"expected {len(history)} weights, got {len(weights)}")
    w = [1.0] * len(history) if weights is None else [float(x) for x in weights]
    total = sum(w)
    out: dict[int, float] = {}
    for c in candidates:
        if not history or total <= 0:
            out[c.garment_id] = 0.0
            continue
        out[c.garment_id] = sum(wi * similarity(h, c) for h, wi in zip(history, w, strict=True))
        out[c.garment_id] /= total
    return out


__all__ = [
    "COMPLEMENTS",
    "TEXT_DIM",
    "GarmentProfile",
    "Recommendation",
    "centroid_scores",
    "colour_relation",
    "complete_the_look",
    "hue_distance",
    "lab_chroma_hue",
    "outfit_score",
    "palette_harmony",
    "profile_from_features",
    "similar_garments",
    "similarity",
    "text_vector",
]
