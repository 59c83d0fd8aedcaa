"""Content recommendations: text vectors, colour harmony, similar garments, complete the look."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitroom.errors import InputError
from fitroom.garments.core import GarmentFeatures, PaletteColour
from fitroom.garments.features import COLOUR_NAMES, _to_lab, feature_vector
from fitroom.recommend.content import (
    GarmentProfile,
    centroid_scores,
    colour_relation,
    complete_the_look,
    hue_distance,
    palette_harmony,
    profile_from_features,
    similar_garments,
    similarity,
    text_vector,
)

SUBCATEGORY = {"upper": "t-shirt", "lower": "trousers", "full": "dress"}


def colour(name: str, share: float = 1.0) -> PaletteColour:
    lab = _to_lab(np.array([COLOUR_NAMES[name]], np.float32))[0]
    return PaletteColour(
        lab=(float(lab[0]), float(lab[1]), float(lab[2])),
        rgb=COLOUR_NAMES[name],
        name=name,
        share=share,
    )


def garment(
    gid: int,
    category: str,
    colours: list[str],
    pattern: str = "solid",
    name: str = "",
    subcategory: str | None = None,
) -> GarmentProfile:
    """A profile built the way ingestion builds it: the real feature vector of a palette."""
    shares = [1.0 / len(colours)] * len(colours)
    palette = tuple(colour(c, s) for c, s in zip(colours, shares, strict=True))
    texture = np.linspace(0.1, 1.0, 18, dtype=np.float32)
    sub = subcategory or SUBCATEGORY[category]
    sleeve = "short" if category == "upper" else "none"
    vector = feature_vector(palette, texture, pattern, category, sleeve, 2.0)  # type: ignore[arg-type]
    features = GarmentFeatures(palette=palette, pattern=pattern, texture=texture, vector=vector)  # type: ignore[arg-type]
    return profile_from_features(
        gid, category=category, subcategory=sub, features=features, text=name or f"{sub} {gid}"
    )


def test_text_vector_is_normalised_and_word_based() -> None:
    a = text_vector("Striped cotton tee")
    b = text_vector("striped  COTTON tee!")
    c = text_vector("Wide leg trousers")
    assert a.dtype == np.float32 and a.shape == (256,)
    assert float(np.linalg.norm(a)) == pytest.approx(1.0)
    np.testing.assert_array_equal(a, b)
    assert float(a @ c) < float(a @ text_vector("Striped tee"))
    assert not text_vector("the of and").any()


@pytest.mark.parametrize(
    ("first", "second", "relation"),
    [
        ("black", "red", "neutral"),
        ("white", "teal", "neutral"),
        ("red", "coral", "analogous"),
        ("blue", "yellow", "complementary"),
        ("red", "teal", "complementary"),
        ("red", "green", "triadic"),
        ("red", "mustard", "clash"),
    ],
)
def test_colour_relations_of_named_colours(first: str, second: str, relation: str) -> None:
    assert colour_relation(colour(first).lab, colour(second).lab) == relation
    assert colour_relation(colour(second).lab, colour(first).lab) == relation


@given(st.floats(0, 360), st.floats(0, 360))
def test_hue_distance_is_symmetric_and_bounded(h1: float, h2: float) -> None:
    d = hue_distance(h1, h2)
    assert 0.0 <= d <= 180.0
    assert d == pytest.approx(hue_distance(h2, h1))


def test_similar_prefers_the_same_look_and_excludes_itself() -> None:
    target = garment(1, "upper", ["navy"], "stripes", "Navy striped tee")
    twin = garment(2, "upper", ["navy"], "stripes", "Navy striped tee")
    cousin = garment(3, "upper", ["red"], "dots", "Red dotted tee")
    trousers = garment(4, "lower", ["beige"], "solid", "Beige chinos")
    recs = similar_garments(target, [target, trousers, cousin, twin], k=3)
    assert [r.garment_id for r in recs] == [2, 3, 4]
    assert recs[0].score > recs[1].score > recs[2].score
    assert similar_garments(target, [twin], k=0) == []
    with pytest.raises(InputError):
        similar_garments(target, [twin], k=-1)


def test_complete_the_look_crosses_categories_with_harmony() -> None:
    top = garment(1, "upper", ["blue"], "solid")
    yellow = garment(2, "lower", ["yellow"], "solid")  # complementary in Lab hue
    grey = garment(3, "lower", ["grey"], "solid")  # neutral
    green_checks = garment(4, "lower", ["green"], "checks")  # a clash
    other_top = garment(5, "upper", ["grey"], "solid")
    dress = garment(6, "full", ["black"], "solid")
    recs = complete_the_look(top, [other_top, green_checks, yellow, grey, dress], k=4)
    assert [r.garment_id for r in recs] == [3, 2, 4]  # only bottoms; neutral, then complementary
    assert recs[-1].score < recs[1].score
    # A busy top with a busy bottom scores below the same colours in solid.
    striped_top = garment(7, "upper", ["blue"], "stripes")
    busy = complete_the_look(striped_top, [garment(8, "lower", ["yellow"], "checks")])
    calm = complete_the_look(striped_top, [yellow])
    assert busy[0].score < calm[0].score
    # Bottoms get tops; dresses take nothing.
    assert {r.garment_id for r in complete_the_look(grey, [top, other_top, yellow])} == {1, 5}
    assert complete_the_look(dress, [top, grey]) == []


def test_palette_harmony_weights_by_share() -> None:
    mostly_black = garment(1, "upper", ["black"], "solid")
    red = garment(2, "lower", ["red"], "solid")
    mustard = garment(3, "lower", ["mustard"], "solid")
    assert palette_harmony(mostly_black, red) == pytest.approx(1.0)
    assert palette_harmony(red, mustard) == pytest.approx(0.2)


def test_centroid_scores_follow_the_history() -> None:
    navy = garment(1, "upper", ["navy"], "stripes", "navy striped tee")
    red = garment(2, "upper", ["red"], "dots", "red dotted tee")
    like_navy = garment(3, "upper", ["navy"], "stripes", "navy striped shirt")
    like_red = garment(4, "upper", ["red"], "dots", "red dotted shirt")
    scores = centroid_scores([navy], [like_navy, like_red])
    assert scores[3] > scores[4]
    weighted = centroid_scores([navy, red], [like_navy, like_red], weights=[0.1, 3.0])
    assert weighted[4] > weighted[3]
    assert centroid_scores([], [like_navy]) == {3: 0.0}
    with pytest.raises(InputError):
        centroid_scores([navy], [like_red], weights=[1.0, 2.0])


@given(st.sampled_from(sorted(COLOUR_NAMES)), st.sampled_from(sorted(COLOUR_NAMES)))
def test_similarity_is_symmetric(c1: str, c2: str) -> None:
    a = garment(1, "upper", [c1], "solid", f"{c1} tee")
    b = garment(2, "lower", [c2], "checks", f"{c2} trousers")
    assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert similarity(a, a) >= similarity(a, b)


def test_profile_validation() -> None:
    good = garment(1, "upper", ["navy"])
    with pytest.raises(InputError):
        GarmentProfile(
            garment_id=1,
            category="hat",
            subcategory="",
            pattern="solid",
            vector=good.vector,
            text=good.text,
            palette_lab=good.palette_lab,
            palette_share=good.palette_share,
        )
    with pytest.raises(InputError):
        GarmentProfile(
            garment_id=1,
            category="upper",
            subcategory="",
            pattern="solid",
            vector=good.vector.astype(np.float64),
            text=good.text,
            palette_lab=good.palette_lab,
            palette_share=good.palette_share,
        )
