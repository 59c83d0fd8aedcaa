"""Landmarks, category and parts on drawn garments (exact geometry) and on real photos."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.errors import InputError
from fitroom.garments import GarmentPart, ingest_garment, landmark_names
from fitroom.garments.category import ShapeFeatures, classify, shape_features
from fitroom.garments.cutout import cut_out
from fitroom.garments.silhouette import silhouette
from fitroom.garments.synth import synth_garment

FIXTURE = Path(__file__).parent / "fixtures" / "landmarks_gt.json"


def _error(garment_pts: object, truth: object) -> float:
    return float(np.hypot(*(np.asarray(garment_pts)[:2] - np.asarray(truth)[:2])))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trouser_landmarks_on_drawn_trousers(seed: int) -> None:
    drawn = synth_garment("trousers", seed=seed, pattern="solid")
    garment = ingest_garment(drawn.image)
    assert garment.category == "lower" and garment.subcategory == "trousers"
    for name in (
        "waistband_left",
        "waistband_right",
        "hem_left_outer",
        "hem_left_inner",
        "hem_right_outer",
        "hem_right_inner",
    ):
        assert _error(garment.landmarks[name], drawn.landmarks[name]) <= 5.0, name
    assert _error(garment.landmarks["crotch"], drawn.landmarks["crotch"]) <= 0.03 * 768


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tshirt_landmarks_on_drawn_tshirts(seed: int) -> None:
    drawn = synth_garment("t-shirt", seed=seed, pattern="solid")
    garment = ingest_garment(drawn.image)
    assert garment.category == "upper" and garment.sleeve == "short"
    for name in ("hem_left", "hem_right", "neck_center"):
        assert _error(garment.landmarks[name], drawn.landmarks[name]) <= 5.0, name
    # The sleeve fit: shoulders, cuff corners and armpits at the drawn polygon's corners.
    for side in ("left", "right"):
        for name in (
            f"shoulder_{side}",
            f"armpit_{side}",
            f"cuff_{side}_outer",
            f"cuff_{side}_inner",
            f"waist_{side}",
        ):
            assert _error(garment.landmarks[name], drawn.landmarks[name]) <= 6.0, name
    # Left is the wearer's left: the image's right side.
    assert garment.landmarks["armpit_left"][0] > garment.landmarks["armpit_right"][0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sleeveless_dress_landmarks_on_drawn_dresses(seed: int) -> None:
    """Strap tops are the shoulders and the corner where a strap meets the bodice the armpit."""
    drawn = synth_garment("dress", seed=seed, pattern="solid")
    garment = ingest_garment(drawn.image)
    assert garment.category == "full"
    for side in ("left", "right"):
        for name in (f"shoulder_{side}", f"armpit_{side}", f"hem_{side}", f"neck_{side}"):
            assert _error(garment.landmarks[name], drawn.landmarks[name]) <= 7.0, name
        assert _error(garment.landmarks[f"waist_{side}"], drawn.landmarks[f"waist_{side}"]) <= 12.0


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("t-shirt", "upper"),
        ("shirt", "upper"),
        ("trousers", "lower"),
        ("shorts", "lower"),
        ("skirt", "lower"),
        ("dress", "full"),
    ],
)
def test_category_of_drawn_garments(kind: str, category: str) -> None:
    drawn = synth_garment(kind, seed=21, pattern="solid")
    sil = silhouette(cut_out(drawn.image).mask)
    assert classify(shape_features(sil)).category == category


def test_hint_overrides_and_bad_hint_is_refused() -> None:
    drawn = synth_garment("t-shirt", seed=2, pattern="solid")
    feats = shape_features(silhouette(cut_out(drawn.image).mask))
    assert classify(feats, "dress").category == "full"
    with pytest.raises(InputError, match="unknown garment category"):
        classify(feats, "hat")


def test_parts_split_sleeves_and_legs() -> None:
    tee = ingest_garment(synth_garment("t-shirt", seed=4, pattern="solid").image)
    values = set(np.unique(tee.parts))
    assert {GarmentPart.BODY, GarmentPart.LEFT_SLEEVE, GarmentPart.RIGHT_SLEEVE} <= values
    left = np.argwhere(tee.parts == GarmentPart.LEFT_SLEEVE)[:, 1].mean()
    right = np.argwhere(tee.parts == GarmentPart.RIGHT_SLEEVE)[:, 1].mean()
    assert left > right  # wearer's left sleeve is on the image's right
    trousers = ingest_garment(synth_garment("trousers", seed=4, pattern="solid").image)
    assert {GarmentPart.LEFT_LEG, GarmentPart.RIGHT_LEG} <= set(np.unique(trousers.parts))
    assert not (trousers.parts[trousers.alpha < 0.5]).any()


def _boxy_tee(top_y: int) -> np.ndarray:
    """A drawn boxy tee whose top edge is level from shoulder to shoulder (no neck cue)."""
    import cv2

    image = np.full((900, 1000, 3), 245, np.uint8)
    outline = np.array(
        [
            (300, top_y), (700, top_y), (860, 260), (790, 330), (690, 250), (690, 820),
            (310, 820), (310, 250), (210, 330), (140, 260),
        ],
        np.int32,
    )  # fmt: skip
    cv2.fillPoly(image, [outline], (40, 90, 160))
    return image


def test_level_top_edge_gets_a_neck_opening_between_the_shoulders() -> None:
    """With no dip in the top edge the neck sides are not the shoulder corners: the opening is
    centred, narrower than the shoulders, and its points lie on the top edge."""
    garment = ingest_garment(_boxy_tee(top_y=110), category_hint="upper")
    lm = garment.landmarks
    span = lm["shoulder_left"][0] - lm["shoulder_right"][0]
    width = lm["neck_left"][0] - lm["neck_right"][0]
    assert 0.2 * span < width < 0.6 * span
    assert abs(lm["neck_center"][0] - 500) <= 8
    assert abs((lm["neck_left"][0] + lm["neck_right"][0]) / 2 - 500) <= 8
    for name in ("neck_left", "neck_right", "neck_center"):
        assert abs(lm[name][1] - 110) <= 4, name


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_landmarks_lie_on_or_near_the_garment(seed: int) -> None:
    drawn = synth_garment("trousers" if seed % 2 else "t-shirt", seed=seed)
    garment = ingest_garment(drawn.image)
    mask = garment.alpha >= 0.5
    h, w = mask.shape
    for x, y, _ in garment.landmarks.points:
        xi, yi = int(np.clip(round(x), 0, w - 1)), int(np.clip(round(y), 0, h - 1))
        window = mask[max(0, yi - 6) : yi + 7, max(0, xi - 6) : xi + 7]
        assert window.any()


@pytest.mark.shared
def test_real_photos_produce_every_landmark_of_their_category(shared_data: Path) -> None:
    for photo in sorted((shared_data / "garments").glob("*.jpg"))[::3]:
        garment = ingest_garment(photo)
        sleeved = "cuff_left_outer" in garment.landmarks
        expected = landmark_names(garment.category, garment.subcategory, sleeved)
        assert garment.landmarks.names == expected, photo.name


@pytest.mark.shared
@pytest.mark.slow
def test_landmark_error_on_hand_annotations(shared_data: Path) -> None:
    """Mean error over the hand-annotated photos, normalised by garment width.

    The issue aims at 4 %; the geometry reaches about 3.3 % on the annotations (definitions and
    corrections in the fixture); the bound sits just above that to catch regressions.
    """
    truth = json.loads(FIXTURE.read_text())["garments"]
    assert len(truth) >= 12
    errors = []
    for name, entry in truth.items():
        garment = ingest_garment(shared_data / "garments" / name, category_hint=entry["category"])
        xs = np.nonzero(garment.alpha >= 0.5)[1]
        width = float(xs.max() - xs.min() + 1)
        for lm, xy in entry["landmarks"].items():
            errors.append(_error(garment.landmarks[lm], xy) / width)
    assert float(np.mean(errors)) <= 0.035


@pytest.mark.shared
def test_sleeve_lying_on_torso_and_legs_together_are_still_split(shared_data: Path) -> None:
    """A blouse whose right sleeve lies on the body gets it mirrored from the left one; trousers
    whose leg gap is closed at the hems still get a crotch from the gap above."""
    blouse = ingest_garment(shared_data / "garments" / "vitonhd_09176_00.jpg")
    left = int((blouse.parts == GarmentPart.LEFT_SLEEVE).sum())
    right = int((blouse.parts == GarmentPart.RIGHT_SLEEVE).sum())
    assert min(left, right) > 0.5 * max(left, right)
    trousers = ingest_garment(shared_data / "garments" / "dresscode_051988_1.jpg")
    assert float(trousers.landmarks["crotch"][2]) > 0
    assert {GarmentPart.LEFT_LEG, GarmentPart.RIGHT_LEG} <= set(np.unique(trousers.parts))


@pytest.mark.shared
@pytest.mark.parametrize("name", ["013568_1.jpg", "013569_1.jpg", "013571_1.jpg"])
def test_shorts_are_a_lower_garment_with_two_legs(shared_data: Path, name: str) -> None:
    """Denim and bermuda shorts (read as tops and laid on the chest before): a lower garment,
    shorts, split into two legs below a crotch — even under a belt loop or with uneven hems."""
    garment = ingest_garment(shared_data / "pairs" / "cloth" / name)
    assert (garment.category, garment.subcategory) == ("lower", "shorts")
    assert float(garment.landmarks["crotch"][2]) > 0
    assert {GarmentPart.LEFT_LEG, GarmentPart.RIGHT_LEG} <= set(np.unique(garment.parts))


@pytest.mark.shared
def test_long_coat_dress_with_sleeves_down_its_sides_is_a_dress(shared_data: Path) -> None:
    """A long-sleeved wrap dress whose sleeves lie along its sides (no flare, sleeves widening
    the silhouette) is over three body widths long: a dress, not a top."""
    garment = ingest_garment(shared_data / "pairs" / "cloth" / "020723_1.jpg")
    assert garment.category == "full"


@pytest.mark.shared
@pytest.mark.parametrize("name", ["00005_00.jpg", "000009_1.jpg"])
def test_white_top_on_white_is_ingested_as_a_top(shared_data: Path, name: str) -> None:
    garment = ingest_garment(shared_data / "pairs" / "cloth" / name)
    assert garment.category == "upper"


def test_camisole_straps_are_not_a_waistband() -> None:
    """A strappy top whose straps span the garment and whose hem flares has a skirt's width
    ratios; its top edge is two straps, not a waistband filled across, so it stays a top."""
    camisole = ShapeFeatures(
        leg_gap=0.0,
        armpit_depth=0.05,
        sleeve_reach=0.0,
        length_ratio=1.3,
        top_ratio=0.8,
        flare=1.25,
        body_width=150.0,
        top_fill=0.15,
        height_over_body=1.4,
    )
    assert classify(camisole).category == "upper"
    skirt = ShapeFeatures(**{**camisole.__dict__, "top_fill": 1.0})
    assert (classify(skirt).category, classify(skirt).subcategory) == ("lower", "skirt")


@pytest.mark.shared
def test_wide_white_shorts_with_a_tie_belt_are_a_lower_garment(shared_data: Path) -> None:
    """White wide-leg shorts whose tie hides the gap between the legs, belt loops standing
    above the waistband: no leg gap shows, but the A-line from a filled band to the hem makes
    it a lower garment, not a tank top laid on the chest."""
    garment = ingest_garment(shared_data / "pairs" / "cloth" / "013563_1.jpg")
    assert garment.category == "lower"
    assert "waistband_center" in garment.landmarks
    # The waistband is read below the tie's knot: it spans about half the garment's width
    # (at the knot it spanned a tenth, and the garment was scaled up five times on a person).
    lm = garment.landmarks
    xs = np.nonzero((garment.alpha >= 0.5).any(axis=0))[0]
    width = float(lm["waistband_left"][0] - lm["waistband_right"][0])
    assert 0.4 * float(xs.max() - xs.min()) < width


#: True-pair product photos whose geometry went wrong (shoulders at the cuffs, neck points on the
#: collar, sleeves split diagonally): name → sleeve length a person reads on the photo.
PAIR_CLOTHS = {
    "000000_1.jpg": "long",  # patchwork jacket, sleeves lying against the body
    "000001_1.jpg": "long",  # denim western shirt, sleeves longer than the body
    "000003_1.jpg": "long",  # off-shoulder top, sleeves hanging apart
    "000005_1.jpg": "short",  # collared denim shirt
    "000007_1.jpg": "short",  # collared denim shirt
    "000009_1.jpg": "long",  # white denim shirt, sleeves longer than the body
    "00002_00.jpg": "long",  # black long-sleeve tee, sleeves hanging apart
    "00006_00.jpg": "long",  # black long-sleeve tee, sleeves hanging apart
    "00012_00.jpg": "long",  # sweatshirt, sleeves touching the body in places
}


#: Of those, the ones whose collar stands above the shoulder line at the back of the neck.
COLLARED = {"000000_1.jpg", "000001_1.jpg", "000005_1.jpg", "000007_1.jpg", "000009_1.jpg"}


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAIR_CLOTHS))
def test_sleeved_pair_cloths_read_as_a_person_would(shared_data: Path, name: str) -> None:
    """Shoulders above armpits and cuffs, neck points between the shoulders near the top, cuffs
    at the sleeve ends, and each sleeve part on its own side of the body panel."""
    photo = shared_data / "pairs" / "cloth" / name
    if not photo.is_file():
        pytest.skip(f"{photo} is absent")
    garment = ingest_garment(photo)
    lm = garment.landmarks
    assert garment.category == "upper"
    assert garment.sleeve == PAIR_CLOTHS[name]
    ys, xs = np.nonzero(garment.alpha >= 0.5)
    top, height = float(ys.min()), float(ys.max() - ys.min() + 1)
    centre = float(lm["neck_center"][0])
    for side in ("left", "right"):
        shoulder, armpit = lm[f"shoulder_{side}"], lm[f"armpit_{side}"]
        outer, inner = lm[f"cuff_{side}_outer"], lm[f"cuff_{side}_inner"]
        for other in ("left", "right"):
            assert shoulder[1] < lm[f"armpit_{other}"][1], (side, other)
        assert shoulder[1] < min(outer[1], inner[1]), side
        # The neck points lie between the shoulders, in the top fifth, above the shoulder line's
        # ends; the armpit lies nearer the centre than the sleeve's outer edge.
        assert lm["shoulder_right"][0] < lm[f"neck_{side}"][0] < lm["shoulder_left"][0]
        assert lm[f"neck_{side}"][1] - top < 0.2 * height
        if name in COLLARED:
            # Where the collar meets the shoulder line, not on the collar's top.
            assert lm[f"neck_{side}"][1] - top > 0.03 * height, side
        assert abs(armpit[0] - centre) < abs(outer[0] - centre), side
        # A cuff is the end of its sleeve: no sleeve pixel lies much lower.
        part = GarmentPart.LEFT_SLEEVE if side == "left" else GarmentPart.RIGHT_SLEEVE
        sleeve_ys = np.nonzero(garment.parts == part)[0]
        assert sleeve_ys.size > 0.02 * xs.size, side
        assert max(outer[1], inner[1]) >= sleeve_ys.max() - 0.04 * height, side
    if PAIR_CLOTHS[name] == "long":
        for side in ("left", "right"):
            cuff_y = max(lm[f"cuff_{side}_outer"][1], lm[f"cuff_{side}_inner"][1])
            assert cuff_y > max(lm["armpit_left"][1], lm["armpit_right"][1]) + 0.2 * height
    # Wearer's left sleeve on the image's right, the body panel between the sleeves.
    mean_x = {
        part: float(np.nonzero(garment.parts == part)[1].mean())
        for part in (GarmentPart.RIGHT_SLEEVE, GarmentPart.BODY, GarmentPart.LEFT_SLEEVE)
    }
    assert (
        mean_x[GarmentPart.RIGHT_SLEEVE]
        < mean_x[GarmentPart.BODY]
        < mean_x[GarmentPart.LEFT_SLEEVE]
    )


def test_waistband_is_read_below_a_knot() -> None:
    """A tie's knot standing above the waistband is not the waistband: its row is the first
    filled across as wide as the band below."""
    from fitroom.garments.landmarks import waistband_row

    mask = np.zeros((400, 300), np.uint8)
    mask[60:300, 50:250] = 1  # the garment, waistband at row 60
    mask[30:60, 135:165] = 1  # a knot on top, a sixth of the width
    sil = silhouette(mask.astype(bool))
    row = waistband_row(sil)
    assert abs((row + 0.5) / sil.scale - 0.5 - 60) <= 3.0


def test_cuff_of_a_sleeve_whose_opening_runs_into_the_armpit(
    angled_tee_photo: np.ndarray, angled_tee_corners: dict[str, tuple[int, int]]
) -> None:
    """Short sleeves standing out at 45° whose cuff openings run straight into the armpits: the
    outer cuff corner is the sleeve's tip, the inner one the armpit (the fit once spent a corner
    on the straight outer seam and read the cuff as the few pixels round the tip)."""
    lm = ingest_garment(angled_tee_photo, category_hint="upper").landmarks
    for name, xy in angled_tee_corners.items():
        assert _error(lm[name], xy) <= 25, name
