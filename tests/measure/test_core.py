"""BodyView / BodyMeasurements validation and the synthetic body's consistency."""

from __future__ import annotations

import numpy as np
import pytest

from fitroom.errors import InputError
from fitroom.measure import MEASUREMENT_NAMES, BodyMeasurements, BodyView, Scale
from fitroom.measure.synthetic import random_body, render_body
from fitroom.vision.landmarks import PoseLandmark as L


def view_arrays() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((40, 30), np.float32), np.zeros((33, 3), np.float32)


class TestBodyView:
    def test_valid(self) -> None:
        mask, keypoints = view_arrays()
        view = BodyView(mask, keypoints, np.zeros((40, 30), bool))
        assert (view.height, view.width) == (40, 30)

    @pytest.mark.parametrize(
        ("mask", "keypoints", "arms", "message"),
        [
            (np.zeros((40, 30), np.uint8), np.zeros((33, 3), np.float32), None, "mask"),
            (np.zeros((40, 30), np.float32), np.zeros((17, 3), np.float32), None, "keypoints"),
            (np.zeros((40, 30), np.float32), np.full((33, 3), np.nan, np.float32), None, "finite"),
            (
                np.zeros((40, 30), np.float32),
                np.zeros((33, 3), np.float32),
                np.zeros((4, 4), bool),
                "arms",
            ),
        ],
    )
    def test_invalid(
        self, mask: np.ndarray, keypoints: np.ndarray, arms: np.ndarray | None, message: str
    ) -> None:
        with pytest.raises(InputError, match=message):
            BodyView(mask, keypoints, arms)

    def test_world_shape(self) -> None:
        mask, keypoints = view_arrays()
        with pytest.raises(InputError, match="world"):
            BodyView(mask, keypoints, world=np.zeros((33, 2), np.float32))


class TestBodyMeasurements:
    scale = Scale(0.2, 0.01, "given")

    def test_as_dict_shape(self) -> None:
        m = BodyMeasurements(
            {"chest": 95.04, "height": 172.0},
            {"chest": 2.0, "height": 1.0},
            ("w",),
            "front",
            self.scale,
        )
        doc = m.as_dict()
        assert list(doc["measurements_cm"]) == ["height", "chest"]  # type: ignore[call-overload]
        assert doc["measurements_cm"]["chest"] == 95.0  # type: ignore[index]
        assert doc["warnings"] == ["w"]
        assert m.get("waist") is None

    @pytest.mark.parametrize(
        ("values", "sigmas", "message"),
        [
            ({"biceps": 30.0}, {"biceps": 1.0}, "unknown"),
            ({"chest": 90.0}, {}, "uncertainty"),
            ({"chest": -1.0}, {"chest": 1.0}, "positive"),
            ({"chest": 90.0}, {"chest": float("inf")}, "≥ 0"),
        ],
    )
    def test_invalid(
        self, values: dict[str, float], sigmas: dict[str, float], message: str
    ) -> None:
        with pytest.raises(InputError, match=message):
            BodyMeasurements(values, sigmas, (), "front", self.scale)

    def test_typed(self) -> None:
        m = BodyMeasurements.typed({"chest": 96, "hip": 101.5}, uncertainty_cm=0.5)
        assert m.views == "typed" and m.scale is None
        assert m.uncertainty_cm == {"chest": 0.5, "hip": 0.5}
        assert m.as_dict()["scale"] is None
        with pytest.raises(InputError, match="unknown"):
            BodyMeasurements.typed({"neck": 38})

    def test_scale_must_be_positive(self) -> None:
        with pytest.raises(InputError):
            Scale(0.0, 0.01, "given")


class TestSyntheticBody:
    def test_truth_has_every_measurement(self) -> None:
        shape = random_body(np.random.default_rng(0))
        assert set(shape.true_measurements()) == set(MEASUREMENT_NAMES)

    @pytest.mark.parametrize("view", ["front", "side"])
    def test_keypoints_lie_on_the_silhouette(self, view: str) -> None:
        shape = random_body(np.random.default_rng(1))
        rendered = render_body(shape, view)  # type: ignore[arg-type]
        inside = rendered.mask >= 0.5
        for index in (
            L.NOSE,
            L.LEFT_SHOULDER,
            L.RIGHT_HIP,
            L.LEFT_KNEE,
            L.RIGHT_ANKLE,
            L.LEFT_WRIST,
        ):
            x, y = np.rint(rendered.keypoints[index, :2]).astype(int)
            assert inside[y - 2 : y + 3, x - 2 : x + 3].any(), L(index).name

    def test_front_widths_match_the_shape(self) -> None:
        shape = random_body(np.random.default_rng(2), arm_abduction_deg=30.0)
        rendered = render_body(shape, "front")
        scale = shape.height / (0.85 * rendered.height)
        floor = rendered.height - 0.075 * rendered.height
        row = round(floor - shape.chest_level * shape.height / scale)
        torso = (rendered.mask[row] >= 0.5) & ~rendered.arms[row]  # type: ignore[index]
        cx = rendered.width // 2
        run = torso[cx:]
        half_right = int(np.argmin(run))
        assert 2 * half_right * scale == pytest.approx(shape.chest_breadth, abs=2 * scale + 0.3)

    def test_left_is_image_right_in_the_front_view(self) -> None:
        rendered = render_body(random_body(np.random.default_rng(3)), "front")
        kp = rendered.keypoints
        assert kp[L.LEFT_SHOULDER, 0] > kp[L.RIGHT_SHOULDER, 0]
        assert kp[L.LEFT_HIP, 0] > kp[L.RIGHT_HIP, 0]
