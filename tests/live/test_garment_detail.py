"""The garment's detail at the frame's size (fitroom.live.garment_detail)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.fit import PreparedGarments, fit_garment
from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.fitted import FittedLayer
from fitroom.garments import Garment
from fitroom.live import LiveSession
from fitroom.live.garment_detail import (
    SOLID_MARGIN,
    add_garment_detail,
    garment_detail,
    torso_at_size,
)

ByteArray = npt.NDArray[np.uint8]


def _anchors(scale: float) -> BodyAnchors:
    """A front-facing body on a 160×200 picture, ``scale`` times larger."""

    def pair(y: float, left: float = 105.0, right: float = 55.0) -> np.ndarray:
        return np.array([[left, y], [right, y]], np.float32) * np.float32(scale)

    edges = np.array([[y, 100.0, 60.0] for y in range(50, 125, 4)], np.float32)
    return BodyAnchors(
        shoulders=pair(50),
        shoulder_joints=pair(50, 100.0, 60.0),
        elbows=pair(85, 110.0, 50.0),
        wrists=pair(115, 112.0, 48.0),
        hips=pair(125, 98.0, 62.0),
        knees=pair(165, 96.0, 64.0),
        ankles=pair(195, 96.0, 64.0),
        torso_edges=edges * np.float32(scale),
        visibility=np.ones((2, 6), np.float32),
        image_size=(round(160 * scale), round(200 * scale)),
    )


class TestTorsoAtSize:
    def test_at_the_same_size_it_is_the_fitters_own_panel_resampled(self, tee: Garment) -> None:
        prepared = PreparedGarments()
        fitted = fit_garment(tee, _anchors(1.0), 1.04, prepared)
        torso = torso_at_size(fitted, tee, prepared, (1.0, 1.0), (160, 200))
        own = next(layer for layer in fitted.layers if layer.part == "torso")
        assert torso is not None
        assert torso.box == own.box
        # (Warped from the garment prepared at another size, DETAIL_FACTORS: the same panel
        # up to the resampling.)
        mine, theirs = torso.rgba[..., 3] > 0.5, own.rgba[..., 3] > 0.5
        assert (mine & theirs).sum() / (mine | theirs).sum() > 0.97
        inside = (torso.rgba[..., 3] > 0.99) & (own.rgba[..., 3] > 0.99)
        assert float(np.abs(torso.rgba[..., :3] - own.rgba[..., :3])[inside].mean()) < 4.0

    def test_twice_as_large_it_covers_the_panel_scaled(self, tee: Garment) -> None:
        prepared = PreparedGarments()
        fitted = fit_garment(tee, _anchors(1.0), 1.04, prepared)
        torso = torso_at_size(fitted, tee, prepared, (2.0, 2.0), (320, 400))
        big = next(
            layer
            for layer in fit_garment(tee, _anchors(2.0), 1.04, prepared).layers
            if layer.part == "torso"
        )
        assert torso is not None
        own = np.zeros((400, 320), np.float32)
        x0, y0, x1, y1 = torso.box
        own[y0:y1, x0:x1] = torso.rgba[..., 3]
        fit = np.zeros((400, 320), np.float32)
        x0, y0, x1, y1 = big.box
        fit[y0:y1, x0:x1] = big.rgba[..., 3]
        # The same panel as the fitter lays on the body twice as large (the same pins).
        overlap = np.minimum(own, fit).sum() / np.maximum(own, fit).sum()
        assert overlap > 0.97, overlap


def _layer(colour: np.ndarray, box: tuple[int, int, int, int]) -> FittedLayer:
    alpha = np.ones(colour.shape[:2], np.float32)
    return FittedLayer("torso", box, np.dstack([colour.astype(np.float32), alpha]))


class TestGarmentDetail:
    def test_a_flat_colour_holds_no_detail(self) -> None:
        layer = _layer(np.full((60, 40, 3), 90.0), (10, 10, 50, 70))
        found = garment_detail([layer], (100, 100), (45, 45))
        assert found is not None
        detail, low, weight, box = found
        assert box == (10, 10, 50, 70)
        assert np.abs(detail).max() < 1e-3
        assert np.allclose(low[weight > 0], 90.0, atol=1e-3)

    def test_fine_stripes_are_detail_inside_the_outline_only(self) -> None:
        stripes = np.zeros((60, 40, 3))
        stripes[::2] = 255.0
        layer = _layer(stripes, (10, 10, 50, 70))
        found = garment_detail([layer], (100, 100), (45, 45))
        assert found is not None
        detail, _, weight, _ = found
        # The stripes are too fine for the copy: they are all detail, about zero on average.
        assert np.abs(detail[weight > 0]).mean() > 60.0
        assert abs(float(detail[weight > 0].mean())) < 20.0
        # Nothing on the outline (drawn by the copy's render).
        assert not weight[:SOLID_MARGIN].any() and not weight[:, -SOLID_MARGIN:].any()

    def test_nothing_is_added_where_the_garment_does_not_show(self) -> None:
        stripes = np.zeros((60, 40, 3))
        stripes[::2] = 255.0
        out = np.full((100, 100, 3), 128, np.uint8)
        before = out.copy()
        add_garment_detail(
            out, [_layer(stripes, (10, 10, 50, 70))], np.zeros((100, 100), np.float32), (45, 45)
        )
        assert np.array_equal(out, before)
        add_garment_detail(
            out, [_layer(stripes, (10, 10, 50, 70))], np.ones((100, 100), np.float32), (45, 45)
        )
        assert not np.array_equal(out, before)
        assert np.array_equal(out[80:], before[80:])


def _sharpness(image: ByteArray, mask: npt.NDArray[np.bool_]) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F))[mask].mean())


def test_a_frame_dressed_on_a_small_copy_keeps_the_prints_sharpness(
    astronaut: ByteArray, tee: Garment
) -> None:
    """The striped tee on the astronaut dressed on a 256-pixel copy: inside the garment its
    edges are twice as strong as the full-size render's scaled down to the copy and back up
    (the blur the copy alone gave)."""
    outputs = {}
    for side in (None, 256):
        with LiveSession([tee], work_long_side=side, work_person_pixels=None) as live:
            outputs[side] = live.render(astronaut, live.perceive(astronaut, 0), 0)
    full, small = outputs[None], outputs[256]
    changed = np.abs(full.image.astype(int) - astronaut.astype(int)).max(axis=2) > 12
    inside = cv2.erode(changed.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert inside.sum() > 2000
    sharp_full = _sharpness(full.image, inside)
    sharp_small = _sharpness(small.image, inside)
    blurred = cv2.resize(
        cv2.resize(full.image, (256, 256), interpolation=cv2.INTER_AREA),
        (512, 512),
        interpolation=cv2.INTER_LINEAR,
    )
    sharp_blurred = _sharpness(blurred, inside)
    assert sharp_blurred < 0.5 * sharp_full
    # (Measured: 6.2 against 3.1 scaled up alone and 10.8 at full size, where the suit's own
    # folds are sharp too.)
    assert 1.6 * sharp_blurred < sharp_small < sharp_full, (sharp_blurred, sharp_small, sharp_full)
