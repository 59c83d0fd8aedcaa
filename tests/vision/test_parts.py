"""Body-part map and skin model: on real photos, against human-parsing maps, and invariants."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from fitroom.errors import InputError
from fitroom.vision.core import BodyPart, BodyParts, PersonMask, Pose, RotatedRect
from fitroom.vision.face import FaceAnalyzer
from fitroom.vision.landmarks import MIRROR_PAIRS
from fitroom.vision.landmarks import PoseLandmark as L
from fitroom.vision.parts import (
    SkinModel,
    _fill_missing,
    bare_limb_probability,
    body_parts,
    clothes_colour,
    fit_skin_model,
    fit_skin_model_to_pixels,
    refine_skin_model,
)
from fitroom.vision.pose import PoseLandmarker
from fitroom.vision.segmentation import PersonSegmenter

RGB = npt.NDArray[np.uint8]
LEFT_ARM = (BodyPart.LEFT_UPPER_ARM, BodyPart.LEFT_FOREARM, BodyPart.LEFT_HAND)
RIGHT_ARM = (BodyPart.RIGHT_UPPER_ARM, BodyPart.RIGHT_FOREARM, BodyPart.RIGHT_HAND)
SWAP = {
    BodyPart.LEFT_UPPER_ARM: BodyPart.RIGHT_UPPER_ARM,
    BodyPart.LEFT_FOREARM: BodyPart.RIGHT_FOREARM,
    BodyPart.LEFT_HAND: BodyPart.RIGHT_HAND,
    BodyPart.LEFT_LEG: BodyPart.RIGHT_LEG,
}


@dataclass(frozen=True)
class Analysed:
    image: RGB
    pose: Pose
    mask: PersonMask
    parts: BodyParts


@pytest.fixture(scope="module")
def segmenter() -> Iterator[PersonSegmenter]:
    with PersonSegmenter() as model:
        yield model


@pytest.fixture(scope="module")
def faces() -> Iterator[FaceAnalyzer]:
    with FaceAnalyzer() as model:
        yield model


@pytest.fixture(scope="module")
def models(
    landmarker: PoseLandmarker, segmenter: PersonSegmenter, faces: FaceAnalyzer
) -> tuple[PoseLandmarker, PersonSegmenter, FaceAnalyzer]:
    """The three models :func:`analyse` takes, as one argument."""
    return landmarker, segmenter, faces


def analyse(
    image: RGB,
    landmarker: PoseLandmarker,
    segmenter: PersonSegmenter,
    faces: FaceAnalyzer | None = None,
) -> Analysed:
    (pose,) = landmarker.process(image)
    mask = segmenter.segment(image, [pose])
    face = faces.analyze_person(image, pose) if faces is not None else None
    return Analysed(image, pose, mask, body_parts(image, pose, mask, face))


def label_near(parts: BodyParts, point: npt.NDArray[np.float32], radius: int = 3) -> set[int]:
    """Labels within ``radius`` pixels of a point (landmarks sit near, not on, a boundary)."""
    x, y = (round(float(v)) for v in point)
    window = parts.labels[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1]
    return {int(v) for v in np.unique(window)}


def iou(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_]) -> float:
    return float((a & b).sum() / max(int((a | b).sum()), 1))


# --------------------------------------------------------------------------------------------
# Skin model.
# --------------------------------------------------------------------------------------------


def _ycrcb(rgb: npt.ArrayLike) -> npt.NDArray[np.float32]:
    pixels = np.asarray(rgb, np.uint8).reshape(-1, 1, 3)
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2YCrCb).reshape(-1, 3).astype(np.float32)


class TestSkinModel:
    def test_fits_skin_samples_and_scores_them_high(self) -> None:
        rng = np.random.default_rng(0)
        tone = np.array([205, 160, 135])
        samples = _ycrcb(np.clip(tone + rng.normal(0, 6, (400, 3)), 0, 255))
        model = fit_skin_model_to_pixels(samples, "face")
        assert model is not None and model.source == "face"
        assert float(np.median(model.probability(samples))) > 0.9
        blue_shirt = _ycrcb([[40, 80, 200]])
        grey_coat = _ycrcb([[90, 90, 92]])
        assert float(model.probability(blue_shirt)[0]) < 0.01
        assert float(model.probability(grey_coat)[0]) < 0.01

    def test_refuses_samples_that_are_not_skin(self) -> None:
        rng = np.random.default_rng(1)
        turtleneck = _ycrcb(np.clip(np.array([35, 35, 40]) + rng.normal(0, 5, (300, 3)), 0, 255))
        assert fit_skin_model_to_pixels(turtleneck, "face") is None
        assert fit_skin_model_to_pixels(turtleneck[:10], "face") is None

    @settings(max_examples=30, deadline=None)
    @given(pixels=st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=1, max_size=50))
    def test_probability_is_in_unit_range(self, pixels: list[tuple[int, int, int]]) -> None:
        p = SkinModel.generic().probability(_ycrcb(pixels))
        assert p.dtype == np.float32
        assert np.all((p >= 0.0) & (p <= 1.0))

    def test_refine_keeps_the_model_when_nothing_matches(self) -> None:
        model = SkinModel.generic()
        assert refine_skin_model(model, _ycrcb([[0, 0, 255]] * 100)) is model

    def test_learns_the_astronauts_face(
        self, landmarker: PoseLandmarker, astronaut: RGB, faces: FaceAnalyzer
    ) -> None:
        (pose,) = landmarker.process(astronaut)
        face = faces.analyze_person(astronaut, pose)
        for model in (fit_skin_model(astronaut, pose), fit_skin_model(astronaut, pose, face)):
            assert model.source == "face"
            cheek = _ycrcb(astronaut[150:160, 225:235].reshape(-1, 3))
            suit = _ycrcb(astronaut[400:410, 150:160].reshape(-1, 3))
            assert float(np.median(model.probability(cheek))) > 0.5
            assert float(np.median(model.probability(suit))) < 0.05


# --------------------------------------------------------------------------------------------
# Body parts on real photos.
# --------------------------------------------------------------------------------------------


class TestBareLimbProbability:
    """Arm pixels are judged against the torso's clothes as well as the skin model."""

    face = _ycrcb([[205, 160, 135]] * 200)
    # The same skin in a forearm's shadow: much darker, a little redder.
    shadowed = _ycrcb([[112, 78, 60]])

    def model(self) -> SkinModel:
        rng = np.random.default_rng(0)
        pixels = np.clip(self.face + rng.normal(0, 2, self.face.shape), 0, 255)
        fitted = fit_skin_model_to_pixels(pixels.astype(np.float32), "face")
        assert fitted is not None
        return fitted

    def test_shadowed_arm_skin_is_skin_beside_a_white_tee(self) -> None:
        skin = self.model()
        tee = clothes_colour(_ycrcb([[235, 235, 232]] * 300))
        assert float(skin.probability(self.shadowed)[0]) < 0.5  # the strict whole-body test
        assert float(bare_limb_probability(self.shadowed, skin, tee)[0]) > 0.9

    def test_a_sleeve_of_the_torsos_fabric_stays_clothes(self) -> None:
        """A dark-red tee's sleeve is nearer the tee than the skin, however skin-like its hue."""
        skin = self.model()
        rng = np.random.default_rng(1)
        red = _ycrcb(np.clip(np.array([110, 40, 38]) + rng.normal(0, 4, (300, 3)), 0, 255))
        tee = clothes_colour(red)
        sleeve = red[:50]
        assert float(bare_limb_probability(sleeve, skin, tee).max()) < 0.5

    def test_without_clothes_it_is_the_skin_model(self) -> None:
        skin = self.model()
        pixels = _ycrcb(np.random.default_rng(2).integers(0, 256, (100, 3)))
        np.testing.assert_array_equal(
            bare_limb_probability(pixels, skin, None), skin.probability(pixels)
        )
        assert clothes_colour(pixels[:10]) is None  # too few pixels to say

    @pytest.mark.shared
    def test_bare_arms_against_the_pairs_parse_maps(
        self, models: tuple[PoseLandmarker, PersonSegmenter, FaceAnalyzer], shared_data: Path
    ) -> None:
        """VITON-HD pair 00000_00: a white tee, the arms bare and brighter than the face. The
        strict skin model found 54 % of the bare arms (IoU 0.54); judged against the tee, 0.84."""
        root = shared_data / "pairs"
        image = np.asarray(Image.open(root / "image" / "00000_00.jpg"))
        truth = np.asarray(Image.open(root / "image-parse" / "00000_00.png"))
        a = analyse(np.ascontiguousarray(image), *models)
        bare_arms = a.parts.mask(*LEFT_ARM, *RIGHT_ARM) & (a.parts.skin > 0.5)
        assert iou(bare_arms, np.isin(truth, (14, 15))) > 0.75
        assert float(np.median(a.parts.skin[truth == 5])) < 0.05  # the tee is not skin

    @pytest.mark.shared
    def test_dark_hair_does_not_claim_a_dark_tops_shoulder(
        self, models: tuple[PoseLandmarker, PersonSegmenter, FaceAnalyzer], shared_data: Path
    ) -> None:
        """VITON-HD pair 00006_00: brown hair pinned up, a black top. The hair's colour model
        claimed a block of the top's shoulder as wide as its search band (hair IoU 0.57; the
        block stayed in front of every new garment as a square of old top)."""
        root = shared_data / "pairs"
        image = np.asarray(Image.open(root / "image" / "00006_00.jpg"))
        truth = np.asarray(Image.open(root / "image-parse" / "00006_00.png"))
        a = analyse(np.ascontiguousarray(image), *models)
        hair = a.parts.mask(BodyPart.HAIR)
        assert iou(hair, truth == 2) > 0.7
        # Of the parser's top, next to nothing is our hair.
        assert float(hair[truth == 5].mean()) < 0.01

    @pytest.mark.shared
    @pytest.mark.parametrize("pair", ["00000_00", "00017_00"])
    def test_long_hair_on_the_chest_is_hair(
        self,
        models: tuple[PoseLandmarker, PersonSegmenter, FaceAnalyzer],
        shared_data: Path,
        pair: str,
    ) -> None:
        """VITON-HD pairs 00000_00 (brown curls on a white tee) and 00017_00 (blond hair on a
        red tee): the hair lying on the chest below the shoulder line was the top's (2 % and
        0 % of the parser's hair there was ours; 85 % and 76 % with the band below the
        shoulders), and the new garment was drawn over it."""
        root = shared_data / "pairs"
        image = np.asarray(Image.open(root / "image" / f"{pair}.jpg"))
        truth = np.asarray(Image.open(root / "image-parse" / f"{pair}.png"))
        a = analyse(np.ascontiguousarray(image), *models)
        hair = a.parts.mask(BodyPart.HAIR)
        shoulder_y = round(float(a.pose.xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1].max()))
        below = np.zeros(hair.shape, bool)
        below[shoulder_y:] = True
        truth_hair = (truth == 2) & below
        assert truth_hair.sum() > 5000  # the case: long hair on the chest
        assert float(hair[truth_hair].mean()) > 0.6
        # Of the parser's top, next to nothing is our hair.
        assert float(hair[truth == 5].mean()) < 0.01


class TestBodyParts:
    def test_astronaut_parts_are_where_the_pose_says(
        self,
        landmarker: PoseLandmarker,
        segmenter: PersonSegmenter,
        faces: FaceAnalyzer,
        astronaut: RGB,
    ) -> None:
        a = analyse(astronaut, landmarker, segmenter, faces)
        xy = a.pose.xy
        assert a.parts.labels.shape == astronaut.shape[:2]
        assert label_near(a.parts, xy[L.NOSE]) == {BodyPart.FACE}
        assert BodyPart.HAIR in label_near(a.parts, xy[L.NOSE] + [0, -110], 5)  # top of her head
        chest = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2 + [0, 90]
        assert label_near(a.parts, chest) == {BodyPart.TORSO}
        # Her own left shoulder is on the image's right.
        assert xy[L.LEFT_SHOULDER, 0] > xy[L.RIGHT_SHOULDER, 0]
        left_arm = (xy[L.LEFT_SHOULDER] + xy[L.LEFT_ELBOW]) / 2
        right_arm = (xy[L.RIGHT_SHOULDER] + xy[L.RIGHT_ELBOW]) / 2
        assert label_near(a.parts, left_arm) == {BodyPart.LEFT_UPPER_ARM}
        assert label_near(a.parts, right_arm) == {BodyPart.RIGHT_UPPER_ARM}
        # Skin on the cheeks, not on the suit.
        nx, ny = xy[L.NOSE].astype(int)
        for cheek_x in (nx - 30, nx + 30):
            assert float(np.median(a.parts.skin[ny - 3 : ny + 4, cheek_x - 3 : cheek_x + 4])) > 0.5
        cx, cy = chest.astype(int)
        assert float(a.parts.skin[cy - 10 : cy + 11, cx - 10 : cx + 11].max()) < 0.05

    def test_hands_at_the_wrists(
        self, landmarker: PoseLandmarker, segmenter: PersonSegmenter, shared_data: Path
    ) -> None:
        image = np.asarray(Image.open(shared_data / "persons" / "vitonhd_00034_00.jpg"))
        a = analyse(np.ascontiguousarray(image), landmarker, segmenter)
        xy = a.pose.xy
        for side, hand, forearm in (
            ("LEFT", BodyPart.LEFT_HAND, BodyPart.LEFT_FOREARM),
            ("RIGHT", BodyPart.RIGHT_HAND, BodyPart.RIGHT_FOREARM),
        ):
            knuckles = (xy[L[f"{side}_INDEX"]] + xy[L[f"{side}_PINKY"]]) / 2
            assert BodyPart(hand) in label_near(a.parts, knuckles, 4), side
            assert label_near(a.parts, xy[L[f"{side}_WRIST"]], 2) <= {hand, forearm}, side
            # Bare hands are skin.
            kx, ky = knuckles.astype(int)
            assert float(a.parts.skin[ky, kx]) > 0.5, side

    def test_against_human_parsing_maps(
        self,
        landmarker: PoseLandmarker,
        segmenter: PersonSegmenter,
        faces: FaceAnalyzer,
        shared_data: Path,
    ) -> None:
        """VITON-HD parser labels: 13 face, 14 left arm (image right), 15 right arm, 5 top."""
        root = shared_data / "keypoints" / "vton_dataset_pose" / "vitonhd"
        face_scores, arm_scores = [], []
        for label_path in sorted((root / "image-parse-v3").glob("*.png")):
            image = np.asarray(Image.open(root / "image" / f"{label_path.stem}.jpg"))
            truth = np.asarray(Image.open(label_path))
            a = analyse(np.ascontiguousarray(image), landmarker, segmenter, faces)
            bare = a.parts.skin > 0.5
            face_scores.append(iou(a.parts.mask(BodyPart.FACE), truth == 13))
            ours_left, ours_right = a.parts.mask(*LEFT_ARM) & bare, a.parts.mask(*RIGHT_ARM) & bare
            arm_scores.append(iou(ours_left | ours_right, np.isin(truth, (14, 15))))
            # Sides: our left arm is the parser's left arm, not its right one.
            assert iou(ours_left, truth == 14) > 0.35 > 0.05 > iou(ours_left, truth == 15)
            assert iou(ours_right, truth == 15) > 0.35 > 0.05 > iou(ours_right, truth == 14)
            # The top is not skin.
            assert float(np.median(a.parts.skin[truth == 5])) < 0.05
        # Measured (benchmarks/parts_eval.py): face 0.84 / 0.80, bare arms 0.85 / 0.69.
        assert min(face_scores) > 0.75, face_scores
        assert min(arm_scores) > 0.6, arm_scores

    def test_mirror_image_swaps_left_and_right(
        self, landmarker: PoseLandmarker, segmenter: PersonSegmenter, astronaut: RGB
    ) -> None:
        a = analyse(astronaut, landmarker, segmenter)
        width = astronaut.shape[1]
        landmarks = a.pose.landmarks.copy()
        landmarks[:, 0] = width - 1 - landmarks[:, 0]
        for i, j in MIRROR_PAIRS:
            landmarks[[i, j]] = landmarks[[j, i]]
        mirrored_pose = Pose(landmarks, a.pose.world_landmarks, a.pose.score, a.pose.roi)
        mirrored_image = np.ascontiguousarray(astronaut[:, ::-1])
        mirrored_mask = PersonMask(np.ascontiguousarray(a.mask.mask[:, ::-1]))
        mirrored = body_parts(mirrored_image, mirrored_pose, mirrored_mask)
        expected = a.parts.labels[:, ::-1].copy()
        for left, right in SWAP.items():
            was_left = expected == left
            expected[expected == right] = left
            expected[was_left] = right
        person = a.parts.labels > 0
        agreement = float((mirrored.labels[:, ::-1][person] == a.parts.labels[person]).mean())
        assert agreement < 0.99  # the arms really did swap sides ...
        same = float((mirrored.labels == expected)[mirrored.labels > 0].mean())
        assert same > 0.95  # ... and everything else stayed (grid rounding aside)

    def test_labels_only_inside_the_mask(
        self, landmarker: PoseLandmarker, segmenter: PersonSegmenter, astronaut: RGB
    ) -> None:
        a = analyse(astronaut, landmarker, segmenter)
        inside = a.mask.mask > 0.5
        assert np.all(a.parts.labels[~inside] == BodyPart.BACKGROUND)
        assert np.all(a.parts.labels[inside] != BodyPart.BACKGROUND)
        assert np.all(a.parts.skin <= a.mask.mask + 1e-6)
        # An empty mask gives an empty map.
        empty = body_parts(astronaut, a.pose, PersonMask(np.zeros(astronaut.shape[:2], np.float32)))
        assert not empty.labels.any() and not empty.skin.any()

    @settings(max_examples=10, deadline=None)
    @given(
        seed=st.integers(0, 1000),
        long_side=st.sampled_from([96, 160, 192]),
    )
    def test_any_mask_gives_labels_exactly_inside_it(
        self, seed: int, long_side: int, astronaut_pose: tuple[RGB, Pose]
    ) -> None:
        image, pose = astronaut_pose
        rng = np.random.default_rng(seed)
        blobs = cv2.GaussianBlur(rng.random(image.shape[:2]).astype(np.float32), (0, 0), 12)
        mask = np.clip((blobs - blobs.mean()) * 20 + 0.5, 0, 1).astype(np.float32)
        parts = body_parts(image, pose, PersonMask(mask), long_side=long_side)
        assert np.array_equal(parts.labels > 0, mask > 0.5)

    @settings(max_examples=25, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        height=st.integers(2, 300),
        width=st.integers(2, 300),
        spread=st.floats(0.0, 5.0),
    )
    def test_any_pose_any_mask_never_fails(
        self, seed: int, height: int, width: int, spread: float
    ) -> None:
        """Landmarks anywhere (off the image, all in one spot) still give a valid map."""
        rng = np.random.default_rng(seed)
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        landmarks = np.zeros((33, 5), np.float32)
        landmarks[:, 0] = rng.normal(width / 2, width * spread + 1e-3, 33)
        landmarks[:, 1] = rng.normal(height / 2, height * spread + 1e-3, 33)
        landmarks[:, 2] = rng.normal(0, 50, 33)
        landmarks[:, 3:] = rng.random((33, 2))
        roi = RotatedRect(width / 2, height / 2, width, height)
        pose = Pose(landmarks, np.zeros((33, 3), np.float32), 0.9, roi)
        mask = (rng.random((height, width)) > rng.uniform(0, 1)).astype(np.float32)
        parts = body_parts(image, pose, PersonMask(mask))
        assert np.array_equal(parts.labels > 0, mask > 0.5)
        assert np.all(parts.skin >= 0) and np.all(parts.skin <= mask)

    def test_input_errors(self, astronaut: RGB, astronaut_pose: tuple[RGB, Pose]) -> None:
        _, pose = astronaut_pose
        with pytest.raises(InputError, match="must match"):
            body_parts(astronaut, pose, PersonMask(np.zeros((10, 10), np.float32)))
        with pytest.raises(InputError, match="RGB uint8"):
            body_parts(astronaut[..., 0], pose, PersonMask(np.zeros((512, 512), np.float32)))


@pytest.fixture(scope="module")
def astronaut_pose(landmarker: PoseLandmarker, astronaut: RGB) -> tuple[RGB, Pose]:
    (pose,) = landmarker.process(astronaut)
    return astronaut, pose


def _fill_missing_whole_frame(labels: npt.NDArray[np.uint8], inside: npt.NDArray[np.uint8]) -> None:
    """The plain whole-frame version of the fill, the reference for the boxed one."""
    kernel = np.ones((3, 3), np.uint8)
    for _ in range(64):
        missing = (inside > 0) & (labels == BodyPart.BACKGROUND)
        if not missing.any():
            return
        grown = cv2.dilate(labels, kernel)
        labels[missing] = grown[missing]
    labels[(inside > 0) & (labels == BodyPart.BACKGROUND)] = BodyPart.TORSO


class TestFillMissing:
    @settings(max_examples=40, deadline=None)
    @given(
        h=st.integers(1, 90),
        w=st.integers(1, 90),
        seed=st.integers(0, 2**31 - 1),
        holes=st.floats(0.0, 1.0),
    )
    def test_same_as_whole_frame_fill(self, h: int, w: int, seed: int, holes: float) -> None:
        rng = np.random.default_rng(seed)
        labels = rng.integers(0, max(BodyPart) + 1, (h, w)).astype(np.uint8)
        labels[rng.random((h, w)) < holes] = BodyPart.BACKGROUND
        inside = np.where(rng.random((h, w)) < 0.7, 255, 0).astype(np.uint8)
        labels[inside == 0] = BodyPart.BACKGROUND
        expected = labels.copy()
        _fill_missing_whole_frame(expected, inside)
        _fill_missing(labels, inside)
        np.testing.assert_array_equal(labels, expected)

    def test_far_hole_becomes_torso(self) -> None:
        labels = np.zeros((200, 200), np.uint8)
        labels[0, 0] = BodyPart.FACE
        inside = np.full((200, 200), 255, np.uint8)
        _fill_missing(labels, inside)
        assert labels[199, 199] == BodyPart.TORSO
        assert labels[10, 10] == BodyPart.FACE
