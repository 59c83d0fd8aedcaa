"""Faces: detector, mesh and expression on real photos, and the crop maths behind them.

Overlays of the photo tests are written to ``out/face/`` (git-ignored) for a look by eye.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.errors import ImageDecodeError
from fitroom.imaging import decode_image
from fitroom.vision.core import Face, Pose, RotatedRect
from fitroom.vision.face import (
    EXPRESSION_BOX_SCALE,
    EXPRESSION_BOX_SHIFT,
    FaceAnalyzer,
    box_from_mesh,
    clip_box,
    detector_input,
    expression_input,
    expression_roi,
    eye_rotation,
    head_region,
    mesh_roi,
    mirror_average,
    normalize_probabilities,
    softmax,
    square_box,
)
from fitroom.vision.landmarks import NUM_LANDMARKS, PoseLandmark

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "out" / "face"

Box = tuple[float, float, float, float]

# Where the astronaut's face is, read off the photo by eye (512×512): skin from x≈180 to 270 and
# from the hairline at y≈70 to the chin at y≈178; eyes at about (205, 102) and (246, 105).
ASTRONAUT_FACE_CENTRE = (225.0, 125.0)
ASTRONAUT_EYES = ((205.0, 102.0), (246.0, 105.0))


@pytest.fixture(scope="module")
def analyzer() -> Iterator[FaceAnalyzer]:
    with FaceAnalyzer(num_threads=2) as faces:
        yield faces


def iou(a: Box, b: Box) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def contains(box: Box, point: npt.ArrayLike, margin: float = 0.0) -> bool:
    x, y = np.asarray(point, dtype=np.float64)[:2]
    return bool(box[0] - margin <= x <= box[2] + margin and box[1] - margin <= y <= box[3] + margin)


def draw(image: npt.NDArray[np.uint8], faces: list[Face], name: str) -> None:
    """Save an overlay: box (green), expression crop (magenta), mesh (yellow), keypoints."""
    out = image.copy()
    for face in faces:
        x0, y0, x1, y1 = (round(v) for v in face.box)
        cv2.rectangle(out, (x0, y0), (x1, y1), (0, 255, 0), 2)
        roi = expression_roi(face.box)
        cv2.rectangle(
            out,
            (round(roi.cx - roi.width / 2), round(roi.cy - roi.height / 2)),
            (round(roi.cx + roi.width / 2), round(roi.cy + roi.height / 2)),
            (255, 0, 255),
            1,
        )
        if face.landmarks is not None:
            for x, y, _ in face.landmarks:
                cv2.circle(out, (round(float(x)), round(float(y))), 1, (255, 255, 0), -1)
        for i, (x, y) in enumerate(face.keypoints):
            colour = (255, 0, 0) if i == 0 else (0, 0, 255)  # right eye red, others blue
            cv2.circle(out, (round(float(x)), round(float(y))), 3, colour, -1)
        if face.expression is not None:
            text = f"{face.expression.label} {float(face.expression.probabilities.max()):.2f}"
            cv2.putText(out, text, (x0, max(12, y0 - 4)), 0, 0.5, (255, 255, 0), 1)
    OUT.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(OUT / name), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))


def pose_from_points(points: dict[int, tuple[float, float, float]]) -> Pose:
    """A Pose holding only the given BlazePose landmarks: index → (x, y, visibility)."""
    landmarks = np.zeros((NUM_LANDMARKS, 5), np.float32)
    for index, (x, y, visibility) in points.items():
        landmarks[index] = (x, y, 0.0, visibility, 1.0)
    xy = np.array([p[:2] for p in points.values()], np.float32)
    centre = xy.mean(axis=0)
    size = float(max(np.ptp(xy, axis=0).max(), 1.0))
    return Pose(
        landmarks=landmarks,
        world_landmarks=np.zeros((NUM_LANDMARKS, 3), np.float32),
        score=1.0,
        roi=RotatedRect(float(centre[0]), float(centre[1]), size, size),
    )


def pose_from_openpose(
    path: Path, scale: float = 1.0, offset: tuple[float, float] = (0, 0)
) -> Pose:
    """Head and shoulder landmarks from an OpenPose BODY_25 + face-70 annotation (VITON-HD)."""
    person = json.loads(path.read_text())["people"][0]
    body = np.array(person["pose_keypoints_2d"], np.float64).reshape(-1, 3)
    face = np.array(person["face_keypoints_2d"], np.float64).reshape(-1, 3)
    # BlazePose index ← (array, index): person's right eye is OpenPose 15, face-70 36 (outer) and
    # 39 (inner); mouth corners are face-70 48 (right) and 54 (left).
    mapping = {
        PoseLandmark.NOSE: (body, 0),
        PoseLandmark.RIGHT_EYE: (body, 15),
        PoseLandmark.LEFT_EYE: (body, 16),
        PoseLandmark.RIGHT_EAR: (body, 17),
        PoseLandmark.LEFT_EAR: (body, 18),
        PoseLandmark.RIGHT_EYE_OUTER: (face, 36),
        PoseLandmark.RIGHT_EYE_INNER: (face, 39),
        PoseLandmark.LEFT_EYE_INNER: (face, 42),
        PoseLandmark.LEFT_EYE_OUTER: (face, 45),
        PoseLandmark.MOUTH_RIGHT: (face, 48),
        PoseLandmark.MOUTH_LEFT: (face, 54),
        PoseLandmark.RIGHT_SHOULDER: (body, 2),
        PoseLandmark.LEFT_SHOULDER: (body, 5),
    }
    points = {}
    for index, (array, row) in mapping.items():
        x, y, confidence = array[row]
        points[int(index)] = (x * scale + offset[0], y * scale + offset[1], float(confidence))
    return pose_from_points(points)


def pose_from_face(face: Face) -> Pose:
    """Head landmarks placed on a detected face's keypoints (eyes, nose, mouth, ears)."""
    kp = face.keypoints
    return pose_from_points(
        {
            PoseLandmark.NOSE: (*kp[2], 0.99),
            PoseLandmark.RIGHT_EYE: (*kp[0], 0.99),
            PoseLandmark.LEFT_EYE: (*kp[1], 0.99),
            PoseLandmark.MOUTH_RIGHT: (kp[3][0] - 10, kp[3][1], 0.99),
            PoseLandmark.MOUTH_LEFT: (kp[3][0] + 10, kp[3][1], 0.99),
            PoseLandmark.RIGHT_EAR: (*kp[4], 0.9),
            PoseLandmark.LEFT_EAR: (*kp[5], 0.9),
        }
    )


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------


class TestProbabilities:
    @given(st.lists(st.floats(-50, 50), min_size=2, max_size=10))
    def test_softmax_is_a_distribution_keeping_order(self, logits: list[float]) -> None:
        p = softmax(np.array(logits))
        assert p.dtype == np.float32
        assert float(p.sum()) == pytest.approx(1.0, abs=1e-5)
        # Monotone: the largest logit has the largest probability (ties in float32 allowed).
        assert p[int(np.argmax(logits))] == p.max()

    def test_softmax_is_shift_invariant(self) -> None:
        z = np.array([1.0, 2.0, 3.0])
        np.testing.assert_allclose(softmax(z), softmax(z + 1000.0), atol=1e-7)

    @given(st.lists(st.floats(0, 1), min_size=7, max_size=7))
    def test_normalize_sums_to_one(self, values: list[float]) -> None:
        p = normalize_probabilities(np.array(values))
        assert float(p.sum()) == pytest.approx(1.0, abs=1e-5)
        assert (p >= 0).all()

    def test_mirror_average_is_symmetric(self) -> None:
        a = np.array([0.7, 0.2, 0.1])
        b = np.array([0.1, 0.3, 0.6])
        np.testing.assert_allclose(mirror_average(a, b), mirror_average(b, a))
        np.testing.assert_allclose(mirror_average(a, b), [0.4, 0.25, 0.35], atol=1e-6)


class TestGeometry:
    @given(st.floats(-3.0, 3.0), st.floats(5, 200))
    def test_eye_rotation_recovers_the_tilt(self, angle: float, distance: float) -> None:
        right = np.array([100.0, 100.0])
        left = right + distance * np.array([np.cos(angle), np.sin(angle)])
        assert eye_rotation(right, left) == pytest.approx(angle, abs=1e-6)

    def test_upright_face_has_no_rotation(self) -> None:
        assert eye_rotation(np.array([40.0, 50.0]), np.array([80.0, 50.0])) == 0.0

    def test_mesh_roi_is_square_on_the_long_side(self) -> None:
        kps = np.array([[20, 40], [40, 40], [30, 50], [30, 60], [10, 45], [50, 45]], np.float32)
        roi = mesh_roi((10.0, 20.0, 50.0, 80.0), kps)
        assert (roi.cx, roi.cy, roi.width, roi.height) == (30.0, 50.0, 90.0, 90.0)
        assert roi.rotation == 0.0

    @given(
        st.floats(0, 500),
        st.floats(0, 500),
        st.floats(5, 300),
        st.floats(5, 300),
        st.floats(0.5, 2.0),
        st.floats(-0.3, 0.3),
    )
    def test_expression_roi_square_and_shifted(
        self, x: float, y: float, w: float, h: float, scale: float, shift: float
    ) -> None:
        roi = expression_roi((x, y, x + w, y + h), scale, shift)
        assert roi.width == pytest.approx(max(w, h) * scale)
        assert roi.height == roi.width
        assert roi.cx == pytest.approx(x + w / 2)
        assert roi.cy == pytest.approx(y + h / 2 + shift * max(w, h))

    def test_expression_roi_shift_follows_the_tilt(self) -> None:
        # Tilted 90° clockwise, "up" on the face is +x in the image.
        roi = expression_roi((0.0, 0.0, 100.0, 100.0), 1.0, -0.1, rotation=np.pi / 2)
        assert roi.cx == pytest.approx(60.0)
        assert roi.cy == pytest.approx(50.0)

    def test_square_box_and_clip_box(self) -> None:
        assert square_box((0.0, 0.0, 10.0, 20.0)) == (-5.0, 0.0, 15.0, 20.0)
        assert clip_box((-5.0, 0.0, 15.0, 20.0), 10, 10) == (0.0, 0.0, 10.0, 10.0)
        assert clip_box((11.0, 0.0, 15.0, 20.0), 10, 10) is None

    def test_box_from_mesh(self) -> None:
        mesh = np.array([[3, 4, 0], [-1, 9, 5], [2, 2, -3]], np.float32)
        assert box_from_mesh(mesh) == (-1.0, 2.0, 3.0, 9.0)

    @given(st.integers(20, 900), st.integers(20, 900), st.floats(0, 1), st.floats(0, 1))
    @settings(max_examples=30, deadline=None)
    def test_detector_input_maps_back_like_the_letterbox(
        self, w: int, h: int, u: float, v: float
    ) -> None:
        from fitroom.vision.face import _letterbox_matrix

        image = np.zeros((h, w, 3), np.uint8)
        tensor, box = detector_input(image)
        assert tensor.shape == (1, 128, 128, 3) and tensor.dtype == np.float32
        assert tensor.min() >= -1.0 and tensor.max() <= 1.0
        point = np.array([[u, v]], np.float32)
        mapped = _letterbox_matrix(box)[:, :2] @ point[0] + _letterbox_matrix(box)[:, 2]
        np.testing.assert_allclose(mapped, box.to_image(point)[0], rtol=1e-5, atol=1e-3)

    def test_expression_input_range_and_replicated_border(self) -> None:
        grey = np.full((50, 50), 200, np.uint8)
        # A crop reaching far outside a uniform image stays uniform (edges repeated, not black).
        tensor = expression_input(grey, RotatedRect(10.0, 10.0, 80.0, 80.0))
        assert tensor.shape == (1, 64, 64, 1) and tensor.dtype == np.float32
        np.testing.assert_allclose(tensor, (200 / 255 - 0.5) * 2, atol=1e-6)
        black = expression_input(np.zeros((9, 9), np.uint8), RotatedRect(4.0, 4.0, 9.0, 9.0))
        assert float(black.min()) == -1.0


class TestHeadRegion:
    def _head(self, eye_y: float = 100.0, visibility: float = 0.9) -> Pose:
        return pose_from_points(
            {
                PoseLandmark.NOSE: (200.0, eye_y + 20, visibility),
                PoseLandmark.RIGHT_EYE: (185.0, eye_y, visibility),
                PoseLandmark.LEFT_EYE: (215.0, eye_y, visibility),
                PoseLandmark.RIGHT_EAR: (170.0, eye_y + 5, visibility),
                PoseLandmark.LEFT_EAR: (230.0, eye_y + 5, visibility),
                PoseLandmark.MOUTH_RIGHT: (192.0, eye_y + 35, visibility),
                PoseLandmark.MOUTH_LEFT: (208.0, eye_y + 35, visibility),
            }
        )

    def test_square_around_the_head(self) -> None:
        region = head_region(self._head(), (480, 640, 3))
        assert region is not None
        x0, y0, x1, y1 = region
        assert x1 - x0 == pytest.approx(y1 - y0)
        assert x1 - x0 == pytest.approx(60 * 3.0)  # ear to ear × 3
        assert contains(region, (200, 117))

    def test_none_when_eyes_are_outside_or_unseen(self) -> None:
        assert head_region(self._head(eye_y=-5.0), (480, 640, 3)) is None
        assert head_region(self._head(visibility=0.3), (480, 640, 3)) is None


# ---------------------------------------------------------------------------------------------
# Models on real photos
# ---------------------------------------------------------------------------------------------


class TestDetect:
    def test_astronaut(self, analyzer: FaceAnalyzer, astronaut: npt.NDArray[np.uint8]) -> None:
        faces = analyzer.detect(astronaut)
        draw(astronaut, faces, "astronaut.png")
        assert len(faces) == 1
        face = faces[0]
        x0, y0, x1, y1 = face.box
        assert face.score > 0.8
        assert np.hypot((x0 + x1) / 2 - ASTRONAUT_FACE_CENTRE[0], (y0 + y1) / 2 - 125) < 15
        assert 70 < x1 - x0 < 130 and 70 < y1 - y0 < 130
        # Keypoints: the person's right eye (index 0) is on the image's left.
        for kp, eye in zip(face.keypoints[:2], ASTRONAUT_EYES, strict=True):
            assert np.hypot(*(kp - np.array(eye))) < 10
        # Mesh: all of it near the box (it covers the forehead, above the detector's box), its
        # centre inside, its box overlapping the detector's.
        assert face.landmarks is not None
        margin = 0.25 * (x1 - x0)
        assert all(contains(face.box, p, margin) for p in face.landmarks)
        assert contains(face.box, face.landmarks[:, :2].mean(axis=0))
        assert iou(box_from_mesh(face.landmarks), face.box) > 0.6
        # Expression: a distribution, and she smiles.
        assert face.expression is not None
        p = face.expression.probabilities
        assert p.dtype == np.float32 and float(p.sum()) == pytest.approx(1.0, abs=1e-5)
        assert face.expression.label == "happy"
        assert set(analyzer.last_timings_ms) == {"face_detect", "face_landmarks", "expression"}

    def test_no_face_in_coffee(self, analyzer: FaceAnalyzer, coffee: npt.NDArray[np.uint8]) -> None:
        assert analyzer.detect(coffee) == []

    def test_mirror_image_mirrors_the_face(
        self, analyzer: FaceAnalyzer, astronaut: npt.NDArray[np.uint8]
    ) -> None:
        (face,) = analyzer.detect(astronaut)
        (mirrored,) = analyzer.detect(np.ascontiguousarray(astronaut[:, ::-1]))
        w = astronaut.shape[1]
        flipped_box = (w - face.box[2], face.box[1], w - face.box[0], face.box[3])
        assert iou(mirrored.box, flipped_box) > 0.9
        # Keypoint 0 is the eye on the image's left (the right eye of a person facing us): in the
        # mirror image that is the other eye, mirrored. The detector is equivariant only roughly.
        tolerance = 0.08 * (face.box[2] - face.box[0])
        assert abs(mirrored.keypoints[0][0] - (w - face.keypoints[1][0])) < tolerance
        assert abs(mirrored.keypoints[1][0] - (w - face.keypoints[0][0])) < tolerance
        # Expression is averaged over the mirror image, so it hardly changes.
        assert face.expression is not None and mirrored.expression is not None
        np.testing.assert_allclose(
            face.expression.probabilities, mirrored.expression.probabilities, atol=0.05
        )

    def test_flags_and_lifecycle(self, astronaut: npt.NDArray[np.uint8]) -> None:
        with FaceAnalyzer(with_landmarks=False, with_expression=False) as bare:
            (face,) = bare.detect(astronaut)
            assert face.landmarks is None and face.expression is None
            with pytest.raises(RuntimeError, match="with_expression=False"):
                bare.classify_expression(astronaut, face.box)
        with pytest.raises(RuntimeError, match="closed"):
            bare.detect(astronaut)
        with pytest.raises(ValueError, match="min_score"):
            FaceAnalyzer(min_score=1.5)

    def test_rejects_non_rgb(self, analyzer: FaceAnalyzer) -> None:
        with pytest.raises(ImageDecodeError, match="RGB uint8"):
            analyzer.detect(np.zeros((64, 64), np.uint8))

    def test_classify_expression_matches_detect(
        self, analyzer: FaceAnalyzer, astronaut: npt.NDArray[np.uint8]
    ) -> None:
        (face,) = analyzer.detect(astronaut)
        expression = analyzer.classify_expression(astronaut, face.box)
        assert face.expression is not None
        np.testing.assert_allclose(expression.probabilities, face.expression.probabilities)
        assert analyzer.last_timings_ms["expression"] > 0
        # The defaults are the framing the docs describe.
        assert (EXPRESSION_BOX_SCALE, EXPRESSION_BOX_SHIFT) == (1.15, -0.12)


@pytest.mark.shared
class TestSharedFaces:
    @pytest.mark.parametrize(
        "name",
        [
            "happiness__Greg_Rusedski_0004.jpg",
            "happiness__Angela_Merkel_0005.jpg",
            "surprise__Malak_Habbak_0001.jpg",
        ],
    )
    def test_tight_face_crops(self, analyzer: FaceAnalyzer, shared_data: Path, name: str) -> None:
        image = decode_image(shared_data / "faces" / name)
        faces = analyzer.detect(image)
        draw(image, faces, "faces_" + name.replace(".jpg", ".png"))
        assert len(faces) == 1
        face = faces[0]
        # The crop is the face: the box covers most of it, around its centre.
        assert iou(face.box, (0.0, 0.0, 350.0, 350.0)) > 0.6
        assert contains(face.box, (175, 175))
        assert face.landmarks is not None
        assert face.expression is not None
        assert float(face.expression.probabilities.sum()) == pytest.approx(1.0, abs=1e-5)
        if name.startswith("happiness"):
            # Broad smiles, unambiguous by eye (the surprise face is a close call with fear).
            assert face.expression.label == "happy"


@pytest.mark.shared
class TestAnalyzePerson:
    def test_vitonhd_person_matches_whole_image_detection(
        self, analyzer: FaceAnalyzer, shared_data: Path
    ) -> None:
        image = decode_image(shared_data / "persons" / "vitonhd_00034_00.jpg")
        (whole,) = analyzer.detect(image)
        face = analyzer.analyze_person(image, pose_from_face(whole))
        assert face is not None
        draw(image, [face], "person_vitonhd_00034_00.png")
        # Same face: centres agree; sizes within 20% (the detector's box is a little looser when
        # the face is small in its input, as in the whole 768×1024 photo).
        size = whole.box[2] - whole.box[0]
        centre = np.array([(face.box[0] + face.box[2]) / 2, (face.box[1] + face.box[3]) / 2])
        whole_centre = np.array(
            [(whole.box[0] + whole.box[2]) / 2, (whole.box[1] + whole.box[3]) / 2]
        )
        assert np.hypot(*(centre - whole_centre)) < 0.05 * size
        assert 0.8 < (face.box[2] - face.box[0]) / size < 1.2
        assert face.landmarks is not None and face.expression is not None
        assert float(face.expression.probabilities.sum()) == pytest.approx(1.0, abs=1e-5)

    def test_against_openpose_annotation(self, analyzer: FaceAnalyzer, shared_data: Path) -> None:
        folder = shared_data / "keypoints" / "vton_dataset_pose" / "vitonhd"
        image = decode_image(folder / "image" / "03191_00.jpg")
        pose = pose_from_openpose(folder / "openpose_json" / "03191_00_keypoints.json")
        face = analyzer.analyze_person(image, pose)
        assert face is not None
        draw(image, [face], "person_vitonhd_03191_00.png")
        for index in (PoseLandmark.NOSE, PoseLandmark.LEFT_EYE, PoseLandmark.RIGHT_EYE):
            assert contains(face.box, pose.landmarks[index])
        # Detector keypoints agree with the annotation. Eyes within 8% of the face width; the nose
        # within 15%, as OpenPose marks the nose higher up than BlazeFace's nose tip (seen on the
        # overlay: about 15 px here).
        size = face.box[2] - face.box[0]
        pairs = [
            (0, PoseLandmark.RIGHT_EYE, 0.08),
            (1, PoseLandmark.LEFT_EYE, 0.08),
            (2, PoseLandmark.NOSE, 0.15),
        ]
        for keypoint, landmark, tolerance in pairs:
            distance = np.hypot(*(face.keypoints[keypoint] - pose.landmarks[landmark, :2]))
            assert distance < tolerance * size

    def test_small_face_in_a_large_frame(self, analyzer: FaceAnalyzer, shared_data: Path) -> None:
        folder = shared_data / "keypoints" / "vton_dataset_pose" / "vitonhd"
        photo = decode_image(folder / "image" / "03191_00.jpg")
        # The person at a quarter of the size on a 1280×960 grey canvas: a ~40 px face.
        small = cv2.resize(photo, (192, 256), interpolation=cv2.INTER_AREA)
        canvas = np.full((960, 1280, 3), 128, np.uint8)
        canvas[500:756, 900:1092] = small
        pose = pose_from_openpose(
            folder / "openpose_json" / "03191_00_keypoints.json", scale=0.25, offset=(900, 500)
        )
        face = analyzer.analyze_person(canvas, pose)
        assert face is not None
        draw(canvas, [face], "person_small_canvas.png")
        assert contains(face.box, pose.landmarks[PoseLandmark.NOSE])
        assert 25 < face.box[2] - face.box[0] < 70

    def test_dresscode_head_cut_at_the_eyes(
        self, analyzer: FaceAnalyzer, shared_data: Path
    ) -> None:
        # Dress Code's own annotation for a photo cut at the eyes: head points on the top edge
        # with low confidence (COCO-18 order, half resolution).
        folder = shared_data / "keypoints" / "vton_dataset_pose" / "dresscode" / "upper_body"
        image = decode_image(folder / "images" / "048462_0.jpg")
        keypoints = json.loads((folder / "keypoints" / "048462_2.json").read_text())["keypoints"]
        coco_to_blazepose = {
            0: PoseLandmark.NOSE,
            14: PoseLandmark.RIGHT_EYE,
            15: PoseLandmark.LEFT_EYE,
            16: PoseLandmark.RIGHT_EAR,
            17: PoseLandmark.LEFT_EAR,
            2: PoseLandmark.RIGHT_SHOULDER,
            5: PoseLandmark.LEFT_SHOULDER,
        }
        pose = pose_from_points(
            {
                int(ours): (keypoints[coco][0] * 2, keypoints[coco][1] * 2, keypoints[coco][2])
                for coco, ours in coco_to_blazepose.items()
            }
        )
        assert analyzer.analyze_person(image, pose) is None

    def test_persons_dresscode_photo_is_handled_gracefully(
        self, analyzer: FaceAnalyzer, shared_data: Path
    ) -> None:
        # dresscode_049447_0 is cut through the nose: by eye the mouth is at about (377, 25) and
        # the chin at y≈50; the eyes would be some 35 px above the frame.
        image = decode_image(shared_data / "persons" / "dresscode_049447_0.jpg")
        assert analyzer.detect(image) == []
        for eye_y in (-35.0, 1.0):  # eyes above the frame (as a pose model guesses), or on its edge
            pose = pose_from_points(
                {
                    PoseLandmark.NOSE: (377.0, 3.0, 0.9),
                    PoseLandmark.RIGHT_EYE: (360.0, eye_y, 0.9),
                    PoseLandmark.LEFT_EYE: (394.0, eye_y, 0.9),
                    PoseLandmark.MOUTH_RIGHT: (364.0, 25.0, 0.9),
                    PoseLandmark.MOUTH_LEFT: (390.0, 25.0, 0.9),
                }
            )
            face = analyzer.analyze_person(image, pose)
            if eye_y < 0:
                assert face is None
            else:
                assert face is None or contains(face.box, (377.0, 25.0), margin=40)


@pytest.mark.shared
class TestAnalyzePersonWithPoseModel:
    """The way perception calls it: the pose comes from :class:`PoseLandmarker`."""

    @pytest.mark.parametrize("name", ["vitonhd_00034_00.jpg", "vitonhd_05997_00.jpg"])
    def test_head_visible(self, analyzer: FaceAnalyzer, shared_data: Path, name: str) -> None:
        from fitroom.vision.pose import PoseLandmarker

        image = decode_image(shared_data / "persons" / name)
        with PoseLandmarker(with_segmentation=False) as landmarker:
            (pose,) = landmarker.process(image)
        face = analyzer.analyze_person(image, pose)
        assert face is not None
        draw(image, [face], "pose_" + name.replace(".jpg", ".png"))
        for index in (PoseLandmark.NOSE, PoseLandmark.LEFT_EYE, PoseLandmark.RIGHT_EYE):
            assert contains(face.box, pose.landmarks[index])
        assert face.landmarks is not None and face.expression is not None

    @pytest.mark.parametrize("name", ["dresscode_049447_0.jpg", "dresscode_052767_0.jpg"])
    def test_head_cut_at_the_eyes(
        self, analyzer: FaceAnalyzer, shared_data: Path, name: str
    ) -> None:
        from fitroom.vision.pose import PoseLandmarker

        image = decode_image(shared_data / "persons" / name)
        with PoseLandmarker(with_segmentation=False) as landmarker:
            poses = landmarker.process(image)
        assert poses, "the pose model should still find the body"
        # The pose model places the eyes above the frame (with high visibility): no face.
        assert analyzer.analyze_person(image, poses[0]) is None
