"""Rendering invariants on synthetic inputs: empty garments change nothing, sizes are kept."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.dressing.render import render_fitted
from fitroom.dressing.shading import contact_shadow, low_frequency_shading
from fitroom.dressing.skin import skin_colour
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyPart, BodyParts


def _scene(h: int, w: int, seed: int) -> tuple[np.ndarray, BodyParts, np.ndarray]:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    labels = np.zeros((h, w), np.uint8)
    labels[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = BodyPart.TORSO
    labels[: h // 4, w // 3 : 2 * w // 3] = BodyPart.FACE
    skin = (labels == BodyPart.FACE).astype(np.float32)
    person = (labels > 0).astype(np.float32)
    return image, BodyParts(labels, skin), person


def _layer(h: int, w: int, alpha: float, part: str = "torso") -> FittedLayer:
    rgba = np.zeros((h // 2, w // 2, 4), np.float32)
    rgba[..., 3] = alpha
    rgba[..., :3] = 200.0 * alpha
    return FittedLayer(part, (w // 4, h // 4, w // 4 + w // 2, h // 4 + h // 2), rgba)


class TestRenderFitted:
    @settings(max_examples=15, deadline=None)
    @given(st.integers(16, 96), st.integers(16, 96), st.integers(0, 1000))
    def test_empty_garment_leaves_photo_unchanged(self, h: int, w: int, seed: int) -> None:
        image, parts, person = _scene(h, w, seed)
        empty = FittedGarment((_layer(h, w, 0.0),), {"neck_center": (w / 2, h / 4)}, 1.0)
        out, visible = render_fitted(image, [empty], parts, person)
        assert np.array_equal(out, image)
        assert len(visible) == 1 and not visible[0].any()

    @settings(max_examples=15, deadline=None)
    @given(st.integers(16, 96), st.integers(16, 96), st.integers(0, 1000))
    def test_output_size_equals_input(self, h: int, w: int, seed: int) -> None:
        image, parts, person = _scene(h, w, seed)
        garment = FittedGarment((_layer(h, w, 1.0),), {}, 1.0)
        out, visible = render_fitted(image, [garment], parts, person)
        assert out.shape == image.shape and out.dtype == np.uint8
        assert visible[0].shape == (h, w) and visible[0].dtype == np.float32

    def test_opaque_garment_covers_torso_but_not_face(self) -> None:
        image, parts, person = _scene(64, 64, 0)
        garment = FittedGarment((_layer(64, 64, 1.0),), {"neck_center": (32.0, 16.0)}, 1.0)
        out, visible = render_fitted(image, [garment], parts, person)
        torso = parts.labels == BodyPart.TORSO
        inner = np.zeros_like(torso)
        # (A few rows below the face: its outline is snapped to the photo's edges, see
        # fitroom.dressing.masks.snap_to_edges, which on this noise scene spreads it a little.)
        inner[22:44, 20:44] = True
        # (The scene's faint texture comes through as folds: a level or two, no more.)
        assert np.all(np.abs(out[inner].astype(int) - 200) <= 3)
        assert visible[0][inner].min() > 0.99
        face = parts.labels == BodyPart.FACE
        assert np.array_equal(out[face][:, :], image[face][:, :]) or visible[0][face].max() < 0.01

    def test_later_garment_hides_earlier(self) -> None:
        image, parts, person = _scene(64, 64, 1)
        first = FittedGarment((_layer(64, 64, 1.0),), {}, 1.0)
        second = FittedGarment((_layer(64, 64, 1.0),), {}, 1.0)
        _, visible = render_fitted(image, [first, second], parts, person)
        assert visible[0][32, 32] < 0.01 and visible[1][32, 32] > 0.99

    def test_keep_old_leaves_the_old_top_beside_a_narrow_garment(self) -> None:
        # A blue top on the torso, a narrow new panel down its middle: the blue beside the
        # panel is repainted, unless told to keep the old garment (an unreliable pose).
        h = w = 96
        image = np.full((h, w, 3), 235, np.uint8)
        labels = np.zeros((h, w), np.uint8)
        labels[24:80, 24:72] = BodyPart.TORSO
        labels[4:24, 36:60] = BodyPart.FACE
        image[labels == BodyPart.TORSO] = (40, 60, 160)
        image[labels == BodyPart.FACE] = (200, 150, 120)
        parts = BodyParts(labels, (labels == BodyPart.FACE).astype(np.float32))
        person = (labels > 0).astype(np.float32)
        rgba = np.zeros((40, 16, 4), np.float32)
        rgba[..., 3] = 1.0
        rgba[..., :3] = 200.0
        panel = FittedGarment(
            (FittedLayer("torso", (40, 30, 56, 70), rgba),), {"neck_center": (48.0, 24.0)}, 1.0
        )
        repainted, _ = render_fitted(image, [panel], parts, person)
        kept, visible = render_fitted(image, [panel], parts, person, keep_old=True)
        beside = np.zeros((h, w), bool)
        beside[24:80, 24:32] = True
        assert np.abs(repainted[beside].astype(int) - image[beside]).mean() > 50
        assert np.array_equal(kept[beside], image[beside])
        assert visible[0][40:60, 44:52].min() > 0.99


class TestCompose:
    def test_skin_colour_from_face(self) -> None:
        image, parts, _ = _scene(64, 64, 2)
        image[parts.labels == BodyPart.FACE] = (180, 140, 120)
        assert skin_colour(image, parts) == (180.0, 140.0, 120.0)

    def test_shading_is_relative_to_median(self) -> None:
        image = np.full((64, 64, 3), 100, np.uint8)
        region = np.ones((64, 64), np.float32)
        light = low_frequency_shading(image, region)
        assert light.shape == (64, 64)
        assert np.allclose(light, 1.0, atol=1e-3)

    def test_shading_on_a_frame_not_made_of_whole_blocks(self) -> None:
        """Sides that are no multiple of the 1/8 grid: the light still covers the whole frame,
        and the rows and columns left over continue the light beside them (no band of 1.0)."""
        h, w = 77, 53
        image = np.tile(np.linspace(60, 200, h, dtype=np.float32)[:, None, None], (1, w, 3))
        light = low_frequency_shading(image.astype(np.uint8), np.ones((h, w), np.float32))
        assert light.shape == (h, w) and light.dtype == np.float32
        # Brighter downwards, the last rows (beyond the last whole block) as bright as the
        # block above them, not reset to 1.
        assert light[70, 20] > light[40, 20] > light[10, 20]
        assert abs(float(light[76, 20]) - float(light[71, 20])) < 1e-3
        assert float(light[76, 20]) > 1.05
        assert np.allclose(light[:, 48:], light[:, 47:48], atol=1e-3)

    def test_contact_shadow_only_outside_and_on_person(self) -> None:
        alpha = np.zeros((40, 40), np.float32)
        alpha[10:30, 10:30] = 1.0
        person = np.ones((40, 40), np.float32)
        person[:, :5] = 0.0
        factor = contact_shadow(alpha, person, sigma=2.0)
        assert np.all(factor[alpha == 1.0] == 1.0)
        assert factor[31, 20] < 1.0
        assert np.all(factor[:, :5] == 1.0)


def test_skirt_hull_spans_the_gap_between_the_legs() -> None:
    """Below the hips a skirt may hang across both legs and the gap between them, a little
    wider than the legs, and down to the ankles; not above the hips nor far to the side."""
    from fitroom.dressing.limbs import Limb, Limbs
    from fitroom.dressing.render import skirt_hull

    def leg(x: float) -> tuple[Limb, Limb]:
        return (
            Limb(np.array([[x, 300.0], [x, 450.0]], np.float32), 25.0),
            Limb(np.array([[x, 450.0], [x, 600.0]], np.float32), 20.0),
        )

    arm = Limb(np.array([[100.0, 100.0], [90.0, 200.0], [90.0, 280.0]], np.float32), 15.0)
    (lt, ls), (rt, rs) = leg(240.0), leg(160.0)
    hull = skirt_hull(Limbs(arm, arm, lt, rt, ls, rs), (700, 400))
    assert hull[500, 200] == 1.0  # between the legs
    assert hull[500, 240 + 25 + 10] == 1.0 and hull[500, 160 - 25 - 10] == 1.0  # a bit wider
    assert hull[500, 360] == 0.0 and hull[500, 40] == 0.0  # not far to the side
    assert hull[250, 200] == 0.0 and hull[650, 200] == 0.0  # not above the hips, nor below


def _worn_top_with_a_fold_and_a_logo() -> tuple[np.ndarray, BodyParts, np.ndarray]:
    """A 320×320 front view in a light grey top (torso rows 40–299, columns 60–259) with one
    soft vertical fold at x = 100 (a fifth darker at its valley, a few pixels wide) and a wide
    black logo (rows 130–189, columns 150–239). Returns (image, body parts, person mask)."""
    h = w = 320
    labels = np.zeros((h, w), np.uint8)
    labels[40:300, 60:260] = BodyPart.TORSO
    labels[5:40, 130:190] = BodyPart.FACE
    image = np.full((h, w, 3), 245, np.uint8)
    image[labels == BodyPart.FACE] = (200, 150, 120)
    x = np.arange(w, dtype=np.float32)
    row = 200.0 * (1.0 - 0.2 * np.exp(-0.5 * ((x - 100.0) / 2.5) ** 2))
    top = np.repeat(row[None, :], h, axis=0)
    torso = labels == BodyPart.TORSO
    image[torso] = np.round(top[torso])[:, None].astype(np.uint8)
    image[130:190, 150:240] = 15
    skin = (labels == BodyPart.FACE).astype(np.float32)
    return image, BodyParts(labels, skin), (labels > 0).astype(np.float32)


class TestPhotoLightOnTheNewTop:
    """The photo's folds come onto a new top; the old top's logo does not."""

    def _render(self) -> np.ndarray:
        image, parts, person = _worn_top_with_a_fold_and_a_logo()
        rgba = np.zeros((260, 200, 4), np.float32)
        rgba[..., 3] = 1.0
        rgba[..., :3] = (120.0, 160.0, 220.0)  # a plain blue top
        top = FittedGarment(
            (FittedLayer("torso", (60, 40, 260, 300), rgba),), {"neck_center": (160.0, 40.0)}, 1.0
        )
        out, _ = render_fitted(image, [top], parts, person)
        return out.astype(np.float32)

    def test_the_fold_shows_on_the_new_top(self) -> None:
        out = self._render()
        fold, flat = out[80:260, 99:102].mean(), out[80:260, 75:82].mean()
        assert fold < 0.95 * flat

    def test_the_old_logo_does_not(self) -> None:
        out = self._render()
        # The new top where the logo was, and the same rows away from it and from the fold.
        logo = out[140:180, 170:220].mean(axis=(0, 1))
        beside = out[140:180, 125:135].mean(axis=(0, 1))
        assert np.abs(logo - beside).max() < 0.03 * beside.max()
