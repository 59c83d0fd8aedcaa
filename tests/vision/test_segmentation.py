"""Person mask: guided filter maths, temporal smoothing, and the segmenter on real photos."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from fitroom.errors import InputError
from fitroom.vision.core import Pose
from fitroom.vision.landmarks import PoseLandmark as L
from fitroom.vision.pose import PoseLandmarker
from fitroom.vision.segmentation import (
    SELFIE_AGREEMENT,
    PersonSegmenter,
    fusion_pose_weight,
    guided_filter,
    pose_region_prior,
    shrink,
    smooth_in_time,
)

RGB = npt.NDArray[np.uint8]
VTON = Path("keypoints") / "vton_dataset_pose"


def iou(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_]) -> float:
    return float((a & b).sum() / max(int((a | b).sum()), 1))


def vton_person_maps(shared_data: Path) -> list[tuple[str, RGB, npt.NDArray[np.bool_]]]:
    """(name, image, person pixels) for every human-parsing label map in the shared data."""
    root = shared_data / VTON
    pairs = [
        (p.stem, root / "vitonhd" / "image" / f"{p.stem}.jpg", p)
        for p in sorted((root / "vitonhd" / "image-parse-v3").glob("*.png"))
    ]
    pairs += [
        (p.stem, p.parent.parent / "images" / p.name.replace("_4.png", "_0.jpg"), p)
        for p in sorted((root / "dresscode").glob("*/label_maps/*_4.png"))
    ]
    assert len(pairs) >= 6, f"expected the 6 VITON-HD/Dress Code label maps under {root}"
    out = []
    for name, image_path, label_path in pairs:
        image = np.asarray(Image.open(image_path).convert("RGB"))
        out.append((name, image, np.asarray(Image.open(label_path)) > 0))
    return out


@pytest.fixture(scope="module")
def segmenter() -> Iterator[PersonSegmenter]:
    with PersonSegmenter() as model:
        yield model


# --------------------------------------------------------------------------------------------
# Guided filter.
# --------------------------------------------------------------------------------------------


def _blurred_step(size: int = 64, sigma: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    sharp = np.zeros((size, size), np.float32)
    sharp[:, size // 2 :] = 1.0
    blurred = cv2.GaussianBlur(sharp, (0, 0), sigma)
    return sharp, blurred


class TestGuidedFilter:
    @settings(max_examples=25, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        value=st.floats(0.0, 1.0),
        radius=st.integers(1, 8),
        eps=st.sampled_from([1e-4, 1e-3, 1e-2]),
        colour=st.booleans(),
    )
    def test_keeps_a_constant_image(
        self, seed: int, value: float, radius: int, eps: float, colour: bool
    ) -> None:
        rng = np.random.default_rng(seed)
        guide = rng.integers(0, 256, (40, 48, 3) if colour else (40, 48), dtype=np.uint8)
        src = np.full((40, 48), value, np.float32)
        out = guided_filter(guide, src, radius, eps)
        np.testing.assert_allclose(out, value, atol=2e-4)

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), alpha=st.floats(-2, 2), beta=st.floats(-2, 2))
    def test_is_linear_in_the_source(self, seed: int, alpha: float, beta: float) -> None:
        rng = np.random.default_rng(seed)
        guide = rng.random((32, 40)).astype(np.float32)
        p, q = rng.random((2, 32, 40)).astype(np.float32)
        combined = guided_filter(guide, (alpha * p + beta * q).astype(np.float32), 3, 1e-3)
        filtered_p = guided_filter(guide, p, 3, 1e-3)
        filtered_q = guided_filter(guide, q, 3, 1e-3)
        separate = alpha * filtered_p + beta * filtered_q
        np.testing.assert_allclose(combined, separate, atol=2e-3)

    @pytest.mark.parametrize("colour", [False, True])
    @pytest.mark.parametrize("shift", [0, 2])
    def test_sharpens_a_blurred_step_toward_the_guide(self, colour: bool, shift: int) -> None:
        # A soft mask whose edge is blurred (and, with shift, 2 px off the photo's edge).
        src = np.zeros((64, 64), np.float32)
        src[:, 32:] = 1.0
        blurred = cv2.GaussianBlur(src, (0, 0), 3.0)
        edge = 32 + shift
        guide = np.full((64, 64), 30, np.uint8)
        guide[:, edge:] = 230
        if colour:
            guide = np.dstack([guide, 255 - guide, np.full_like(guide, 90)])
        out = guided_filter(guide, blurred, 4, 1e-3)
        row_before, row_after = blurred[32], out[32]
        steps_before, steps_after = np.diff(row_before), np.diff(row_after)
        # The steepest step is much steeper and sits on the guide's edge ...
        assert steps_after.max() > 2.5 * steps_before.max()
        assert int(np.argmax(steps_after)) + 1 == edge
        # ... and the 0.5 crossing moves onto it.
        assert int(np.argmax(row_after > 0.5)) == edge
        assert int(np.argmax(row_before > 0.5)) == 32

    def test_fast_variant_is_close_to_the_full_filter(self, astronaut: RGB) -> None:
        grey = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
        src = (grey > 128).astype(np.float32)
        src = cv2.GaussianBlur(src, (0, 0), 3)
        full = guided_filter(grey, src, 8, 1e-3)
        fast = guided_filter(grey, src, 8, 1e-3, subsample=4)
        assert fast.shape == full.shape
        assert float(np.abs(fast - full).mean()) < 0.03

    def test_shape_errors(self) -> None:
        with pytest.raises(InputError, match="must match"):
            guided_filter(np.zeros((10, 10), np.uint8), np.zeros((10, 11), np.float32), 2, 1e-3)
        with pytest.raises(InputError, match="guide must be"):
            guided_filter(np.zeros((10, 10, 4), np.uint8), np.zeros((10, 10), np.float32), 2, 1e-3)


# --------------------------------------------------------------------------------------------
# Temporal smoothing and small helpers.
# --------------------------------------------------------------------------------------------


class TestSmoothInTime:
    @settings(max_examples=30, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        elapsed=st.floats(1.0, 500.0),
        tau=st.floats(1.0, 200.0),
    )
    def test_result_lies_between_the_frames(self, seed: int, elapsed: float, tau: float) -> None:
        rng = np.random.default_rng(seed)
        previous, current = rng.random((2, 16, 16)).astype(np.float32)
        out = smooth_in_time(previous, current, elapsed, tau)
        low, high = np.minimum(previous, current), np.maximum(previous, current)
        assert np.all(out >= low - 1e-6) and np.all(out <= high + 1e-6)

    def test_damps_flicker_and_passes_motion(self) -> None:
        previous = np.full((4, 4), 0.8, np.float32)
        current = previous.copy()
        current[0, 0] = 0.7  # flicker
        current[3, 3] = 0.0  # the person moved away from this pixel
        out = smooth_in_time(previous, current, 33.0, 50.0)
        assert 0.7 < out[0, 0] < 0.8 - 0.03  # moved part of the way only
        assert out[3, 3] == pytest.approx(0.0, abs=1e-6)
        # After a long gap the new frame wins everywhere.
        np.testing.assert_allclose(smooth_in_time(previous, current, 1e4, 50.0), current, atol=1e-6)


class TestShrink:
    def test_size_and_mean(self, astronaut: RGB) -> None:
        small = shrink(astronaut, (200, 130))
        assert small.shape == (130, 200, 3)
        assert abs(float(small.mean()) - float(astronaut.mean())) < 2.0


class TestPoseRegionPrior:
    def test_no_people_no_region(self) -> None:
        assert not pose_region_prior([], (30, 40), 1.0).any()

    def test_covers_the_skeleton_and_not_far_away(
        self, landmarker: PoseLandmarker, astronaut: RGB
    ) -> None:
        (pose,) = landmarker.process(astronaut)
        prior = pose_region_prior([pose], (256, 256), 0.5)
        for landmark in (L.NOSE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_ELBOW):
            x, y = (pose.xy[landmark] * 0.5).astype(int)
            if 0 <= x < 256 and 0 <= y < 256:
                assert prior[y, x] == 1.0, landmark.name
        # The top corners (flag, sky) are far from her.
        assert prior[:20, :20].max() == 0.0
        assert prior[:20, -20:].max() == 0.0


# --------------------------------------------------------------------------------------------
# The segmenter.
# --------------------------------------------------------------------------------------------


class TestPersonSegmenter:
    def test_astronaut_mask_covers_her_and_not_the_background(
        self, segmenter: PersonSegmenter, landmarker: PoseLandmarker, astronaut: RGB
    ) -> None:
        poses = landmarker.process(astronaut)
        mask = segmenter.segment(astronaut, poses).mask
        assert mask.shape == astronaut.shape[:2] and mask.dtype == np.float32
        assert float(mask.min()) >= 0.0 and float(mask.max()) <= 1.0
        pose = poses[0]
        for landmark in (L.NOSE, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_EYE, L.MOUTH_LEFT):
            x, y = pose.xy[landmark].astype(int)
            assert mask[y, x] > 0.9, landmark.name
        # Flag (top left) and sky (top right) are background.
        assert float(mask[:60, :60].mean()) < 0.05
        assert float(mask[:60, -60:].mean()) < 0.05
        assert set(segmenter.last_timings_ms) >= {"model", "fusion", "refine", "total"}
        assert segmenter.last_model == "general"

    def test_iou_against_human_parsing_maps(
        self, segmenter: PersonSegmenter, landmarker: PoseLandmarker, shared_data: Path
    ) -> None:
        # Measured: 0.967–0.985 per image, 0.978 mean (benchmarks/parts_eval.py).
        scores = {}
        for name, image, person in vton_person_maps(shared_data):
            mask = segmenter.segment(image, landmarker.process(image)).binary()
            scores[name] = iou(mask, person)
        assert min(scores.values()) > 0.95, scores
        assert float(np.mean(list(scores.values()))) > 0.965, scores

    def test_no_person_gives_an_empty_mask(
        self, segmenter: PersonSegmenter, landmarker: PoseLandmarker, coffee: RGB
    ) -> None:
        poses = landmarker.process(coffee)
        assert poses == []
        mask = segmenter.segment(coffee, poses).mask
        assert mask.shape == coffee.shape[:2]
        assert float(mask.max()) == 0.0

    def test_selfie_model_alone_when_poses_are_unknown(
        self, segmenter: PersonSegmenter, astronaut: RGB
    ) -> None:
        mask = segmenter.segment(astronaut).mask
        assert mask[140, 256] > 0.9  # her face
        assert float(mask[:60, :60].mean()) < 0.05

    def test_limits_the_mask_to_the_given_people(
        self, segmenter: PersonSegmenter, landmarker: PoseLandmarker, astronaut: RGB
    ) -> None:
        pair = np.ascontiguousarray(np.hstack([astronaut, astronaut[:, ::-1]]))
        poses = landmarker.process(pair)
        assert len(poses) == 2
        noses = sorted(poses, key=lambda p: float(p.xy[L.NOSE, 0]))
        both = segmenter.segment(pair, poses).mask
        for pose in noses:
            x, y = pose.xy[L.NOSE].astype(int)
            assert both[y, x] > 0.9
        # With only the left person's pose, the right person is dropped.
        left_only = segmenter.segment(pair, [noses[0]]).mask
        lx, ly = noses[0].xy[L.NOSE].astype(int)
        rx, ry = noses[1].xy[L.NOSE].astype(int)
        assert left_only[ly, lx] > 0.9
        assert left_only[ry, rx] < 0.05

    def test_landscape_model_for_wide_frames_agrees_with_general(
        self, landmarker: PoseLandmarker, astronaut: RGB
    ) -> None:
        frame = cv2.copyMakeBorder(astronaut, 0, 0, 200, 200, cv2.BORDER_REPLICATE)  # 912×512
        poses = landmarker.process(frame)
        with PersonSegmenter(model="auto") as auto, PersonSegmenter(model="general") as general:
            wide = auto.segment(frame, poses).binary()
            assert auto.last_model == "landscape"
            square = general.segment(frame, poses).binary()
            assert general.last_model == "general"
        assert iou(wide, square) > 0.9

    def test_stream_mode_is_smooth_and_follows_motion(
        self, landmarker: PoseLandmarker, astronaut: RGB
    ) -> None:
        frame = cv2.resize(astronaut, (640, 480), interpolation=cv2.INTER_AREA)
        pose = landmarker.process(frame)[0]
        with PersonSegmenter() as segmenter:
            first = segmenter.segment_frame(frame, pose, 0).mask
            assert segmenter.last_model == "landscape"
            again = segmenter.segment_frame(frame, pose, 33).mask
            # A still scene stays still.
            assert float(np.abs(again - first).mean()) < 0.01
            # The person leaves: the mask empties within a frame, no ghost.
            empty = np.full_like(frame, 128)
            gone = segmenter.segment_frame(empty, None, 66).mask
            assert float(gone.mean()) < 0.02
            # Timestamps going back start a new stream instead of blending.
            restarted = segmenter.segment_frame(frame, pose, 10).mask
            assert iou(restarted > 0.5, first > 0.5) > 0.95
            assert "temporal" in segmenter.last_timings_ms

    def test_input_errors_and_close(self, astronaut: RGB) -> None:
        with PersonSegmenter(model="landscape") as segmenter:
            with pytest.raises(InputError, match="RGB uint8"):
                segmenter.segment(astronaut[..., 0])
            with pytest.raises(InputError, match="RGB uint8"):
                segmenter.segment(astronaut.astype(np.float32))
        with pytest.raises(RuntimeError, match="closed"):
            segmenter.segment(astronaut)
        with pytest.raises(InputError, match="model must be"):
            PersonSegmenter(model="tiny")  # type: ignore[arg-type]

    def test_pose_mask_is_used_when_present(
        self, segmenter: PersonSegmenter, landmarker: PoseLandmarker, astronaut: RGB
    ) -> None:
        pose = landmarker.process(astronaut)[0]
        assert pose.segmentation is not None
        # A pose whose own mask says "nobody" pulls the fused probability down by its weight.
        empty = Pose(
            pose.landmarks,
            pose.world_landmarks,
            pose.score,
            pose.roi,
            np.zeros_like(pose.segmentation),
        )
        with_mask = segmenter.segment(astronaut, [pose]).mask
        without = segmenter.segment(astronaut, [empty]).mask
        x, y = pose.xy[L.NOSE].astype(int)
        assert with_mask[y, x] > 0.9
        assert without[y, x] < 0.75


class TestFusionPoseWeight:
    @settings(max_examples=40, deadline=None)
    @given(
        low=st.floats(0.0, 1.0),
        high=st.floats(0.0, 1.0),
        base=st.floats(0.0, 1.0),
    )
    def test_rises_from_base_to_one_as_the_selfie_model_misses(
        self, low: float, high: float, base: float
    ) -> None:
        pose = np.zeros((32, 32), np.float32)
        pose[4:28, 8:24] = 1.0
        weak, strong = sorted((low, high))
        w_weak = fusion_pose_weight(np.full_like(pose, weak), pose, base)
        w_strong = fusion_pose_weight(np.full_like(pose, strong), pose, base)
        assert base - 1e-9 <= w_strong <= w_weak <= 1.0 + 1e-9
        if strong >= SELFIE_AGREEMENT:
            assert w_strong == pytest.approx(base)
        assert fusion_pose_weight(np.zeros_like(pose), pose, base) == pytest.approx(1.0)

    def test_an_empty_pose_mask_keeps_the_base_weight(self) -> None:
        empty = np.zeros((32, 32), np.float32)
        assert fusion_pose_weight(np.zeros_like(empty), empty, 0.5) == 0.5

    @pytest.mark.shared
    def test_light_clothes_on_a_light_wall_keep_the_person(
        self, segmenter: PersonSegmenter, landmarker: PoseLandmarker, shared_data: Path
    ) -> None:
        # vivid_upper1.mp4: a cream top and a white skirt against a white wall, letterboxed to
        # 640×480. The selfie model sees nobody there; averaged with the pose model's mask at
        # its usual weight, every person pixel sat just under 0.5 and the part map was empty.
        from fitroom.live import video_frames

        clip = video_frames(shared_data / "video" / "vivid_upper1.mp4", size=(640, 480))
        frame = [f for f, _ in clip][30]
        poses = landmarker.process(frame)
        assert len(poses) == 1
        xy = poses[0].xy
        quad = np.round(xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.RIGHT_HIP, L.LEFT_HIP]]).astype(
            np.int32
        )
        torso = np.zeros(frame.shape[:2], np.uint8)
        cv2.fillConvexPoly(torso, quad, 1)
        mask = segmenter.segment(frame, poses).mask
        assert float((mask[torso > 0] > 0.5).mean()) > 0.9
        # Still nobody far from the person.
        assert float(mask[:, :100].max()) < 0.05
