"""The old-garment decisions of fitroom.dressing on drawn scenes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.old_garment import below_hem, old_garment_continues_below
from fitroom.dressing.render import render_fitted
from fitroom.dressing.shading import limb_relief
from fitroom.dressing.waistband import waistband_line
from fitroom.fitting.garment_fit import FittedGarment, FittedLayer
from fitroom.vision.core import BodyPart, BodyParts

TOP = (230, 230, 225)  # a white top
TROUSERS = (40, 60, 140)  # blue trousers
SKIN = (200, 150, 120)


def _dressed(lower_rgb: tuple[int, int, int]) -> tuple[np.ndarray, BodyParts, np.ndarray]:
    """A 200×120 front view: face, a torso in a white top (rows 40–119), legs (rows 120–199)
    in ``lower_rgb``; rows 100–119 of the torso already wear the lower garment (its waist)."""
    h, w = 200, 120
    image = np.full((h, w, 3), 250, np.uint8)
    labels = np.zeros((h, w), np.uint8)
    labels[5:35, 45:75] = BodyPart.FACE
    labels[35:40, 50:70] = BodyPart.NECK
    labels[40:120, 30:90] = BodyPart.TORSO
    labels[120:200, 32:58] = BodyPart.LEFT_LEG
    labels[120:200, 62:88] = BodyPart.RIGHT_LEG
    image[labels > 0] = SKIN
    image[40:100, 30:90] = TOP
    image[100:120, 30:90] = lower_rgb
    legs = np.isin(labels, [BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG])
    image[legs] = lower_rgb
    skin = np.isin(labels, [BodyPart.FACE, BodyPart.NECK]).astype(np.float32)
    person = (labels > 0).astype(np.float32)
    return image, BodyParts(labels, skin), person


def _short_top() -> FittedGarment:
    """An opaque red panel over torso rows 40–69 only (a cropped top)."""
    rgba = np.zeros((30, 60, 4), np.float32)
    rgba[..., 3] = 1.0
    rgba[..., 0] = 200.0
    return FittedGarment((FittedLayer("torso", (30, 40, 90, 70), rgba),), {}, 1.0)


class TestOldGarmentContinuesBelow:
    def test_dress_continues(self) -> None:
        image, parts, person = _dressed(TOP)
        assert old_garment_continues_below(parts, person, image)

    def test_trousers_of_another_colour_do_not(self) -> None:
        image, parts, person = _dressed(TROUSERS)
        assert not old_garment_continues_below(parts, person, image)

    def test_bare_legs_do_not(self) -> None:
        image, parts, person = _dressed(TROUSERS)
        parts = BodyParts(parts.labels, np.maximum(parts.skin, parts.labels >= BodyPart.LEFT_LEG))
        assert not old_garment_continues_below(parts, person, image)


class TestWaistbandLine:
    def test_finds_the_top_of_the_trousers(self) -> None:
        image, parts, person = _dressed(TROUSERS)
        line = waistband_line(parts, person, image)
        assert line is not None and line.shape == (120,) and line.dtype == np.float32
        assert np.all(np.abs(line - 100) <= 3)

    def test_none_for_a_dress(self) -> None:
        image, parts, person = _dressed(TOP)
        assert waistband_line(parts, person, image) is None

    def test_none_when_the_waist_is_not_the_legs_colour(self) -> None:
        # Something dark held at the waist (a helmet, a bag) over legs in other trousers.
        image, parts, person = _dressed(TROUSERS)
        image[100:120, 30:90] = (10, 10, 10)
        assert waistband_line(parts, person, image) is None


class TestBelowHem:
    @settings(max_examples=25, deadline=None)
    @given(st.integers(8, 60), st.integers(8, 60), st.integers(0, 1000))
    def test_inside_region_and_below_the_hem(self, h: int, w: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        hem = int(rng.integers(1, h))
        coverage = np.zeros((h, w), np.float32)
        coverage[:hem] = 1.0
        region = (rng.random((h, w)) < 0.5).astype(np.float32)
        out = below_hem(coverage, region, margin=0.0)
        assert out.shape == (h, w) and out.dtype == np.float32
        assert np.all(out <= region)
        assert not out[:hem].any()
        assert np.array_equal(out[hem:] > 0, region[hem:] > 0)

    def test_nothing_without_coverage(self) -> None:
        out = below_hem(np.zeros((10, 10), np.float32), np.ones((10, 10), np.float32), 2.0)
        assert not out.any()


class TestLimbRelief:
    def test_bright_on_the_bone_darker_to_the_side_and_one_beyond(self) -> None:
        chain = np.array([[10.0, 50.0], [90.0, 50.0]], np.float32)
        relief = limb_relief((100, 100), [Limb(chain, 10.0)], depth=0.2)
        assert relief.shape == (100, 100) and relief.dtype == np.float32
        assert relief[50, 50] == 1.0
        assert 0.8 <= relief[57, 50] < relief[54, 50] < 1.0
        assert relief[70, 50] == 1.0 and relief[5, 5] == 1.0
        assert relief.min() >= 0.8 - 1e-6
        # No seam at the radius: the light comes back up towards it.
        assert relief[58, 50] < relief[59, 50] < relief[60, 50] and relief[60, 50] > 0.98

    def test_limb_outside_the_frame_changes_nothing(self) -> None:
        chain = np.array([[500.0, 500.0], [600.0, 600.0]], np.float32)
        assert np.all(limb_relief((40, 40), [Limb(chain, 8.0)]) == 1.0)


class TestOldGarmentBelowANewHem:
    def test_a_dress_stays_below_a_cropped_top(self) -> None:
        image, parts, person = _dressed(TOP)
        out, _ = render_fitted(image, [_short_top()], parts, person)
        # Torso rows well below the new hem keep the old dress, unchanged.
        assert np.array_equal(out[85:118, 40:80], image[85:118, 40:80])

    def test_a_top_over_trousers_is_painted_as_skin_below_a_cropped_top(self) -> None:
        image, parts, person = _dressed(TROUSERS)
        out, _ = render_fitted(image, [_short_top()], parts, person)
        # The old white top between the new hem and the trousers becomes skin-coloured...
        belly = out[80:95, 40:80].reshape(-1, 3).astype(float)
        assert np.abs(belly.mean(axis=0) - np.array(SKIN)).max() < 40
        # ...and the trousers' legs stay as they were.
        assert np.array_equal(out[150:190, 35:55], image[150:190, 35:55])

    def test_nothing_below_the_photos_waistband_is_old_top(self) -> None:
        image, parts, person = _dressed(TROUSERS)
        image[106:112, 40:80] = TOP  # a light print on the trousers, coloured like the top
        waist = np.full(120, 100.0, np.float32)
        out, _ = render_fitted(image, [_short_top()], parts, person, cut_below_y=[waist])
        assert np.array_equal(out[102:120, 35:85], image[102:120, 35:85])


class TestSmoothEdges:
    @settings(max_examples=20, deadline=None)
    @given(st.integers(20, 80), st.integers(20, 80), st.integers(0, 2**31 - 1))
    def test_staircase_becomes_smooth_and_area_kept(self, h: int, w: int, seed: int) -> None:
        from fitroom.dressing.masks import smooth_edges

        rng = np.random.default_rng(seed)
        # A blob upsampled with nearest neighbours: a staircase outline of 4-pixel steps.
        small = rng.random((h // 4 + 1, w // 4 + 1)) > 0.5
        hard = np.kron(small, np.ones((4, 4), bool))[:h, :w]
        soft = smooth_edges(hard, sigma=2.0)
        assert soft.shape == hard.shape and soft.dtype == np.float32
        assert soft.min() >= 0.0 and soft.max() <= 1.0
        # Deep inside stays in, far outside stays out.
        assert np.all(soft[_eroded(hard, 6)] == 1.0)
        assert np.all(soft[~hard & ~_dilated(hard, 6)] == 0.0)
        if hard.sum() > 200:
            assert abs(float(soft.sum()) - float(hard.sum())) < 0.15 * float(hard.sum())

    def test_empty_mask(self) -> None:
        from fitroom.dressing.masks import smooth_edges

        assert not smooth_edges(np.zeros((10, 12), bool)).any()


def _eroded(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    k = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), k, borderType=cv2.BORDER_REPLICATE).astype(bool)


def _dilated(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    k = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.dilate(mask.astype(np.uint8), k).astype(bool)


class TestOldCollar:
    def _collared(
        self, hair_rgb: tuple[int, int, int], collar_top: int = 42
    ) -> tuple[np.ndarray, BodyParts]:
        """A dark polo: its collar stands up round the neck from ``collar_top`` (labelled neck
        by the part map; the neck spans rows 35–47)."""
        h, w = 200, 120
        dark = (30, 40, 70)
        image = np.full((h, w, 3), 250, np.uint8)
        labels = np.zeros((h, w), np.uint8)
        labels[0:8, 40:80] = BodyPart.HAIR
        labels[8:35, 45:75] = BodyPart.FACE
        labels[35:48, 50:70] = BodyPart.NECK
        labels[48:150, 30:90] = BodyPart.TORSO
        image[labels > 0] = SKIN
        image[labels == BodyPart.HAIR] = hair_rgb
        image[48:150, 30:90] = dark
        image[collar_top:48, 50:70] = dark  # the collar, on the neck label
        skin = np.isin(labels, [BodyPart.FACE, BodyPart.NECK]).astype(np.float32)
        skin[collar_top:48, 50:70] = 0.0
        return image, BodyParts(labels, skin)

    def test_collar_is_old_garment(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts = self._collared((200, 170, 90))  # blond hair
        person = (parts.labels > 0).astype(np.float32)
        old = old_garment_mask(parts, person, image)
        assert float(old[43:47, 54:66].min()) > 0.9
        assert float(old[37, 54:66].max()) < 0.5  # the bare neck above it stays
        assert float(old[10:30, 50:70].max()) == 0.0  # the face

    def test_collar_kept_when_hair_has_its_colour(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts = self._collared((30, 40, 70))  # hair as dark as the polo
        person = (parts.labels > 0).astype(np.float32)
        old = old_garment_mask(parts, person, image)
        assert float(old[43:47, 54:66].max()) < 0.5

    def test_turtleneck_is_kept(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts = self._collared((200, 170, 90), collar_top=35)  # the whole neck
        person = (parts.labels > 0).astype(np.float32)
        old = old_garment_mask(parts, person, image)
        assert float(old[37:45, 54:66].max()) < 0.5


class TestLooseOldTop:
    def test_old_top_beside_a_narrower_new_one_becomes_background(self) -> None:
        image, parts, person = _dressed(TROUSERS)
        rgba = np.zeros((60, 30, 4), np.float32)
        rgba[..., 3] = 1.0
        rgba[..., 2] = 200.0  # a blue panel over torso columns 45–74, rows 40–99
        narrow = FittedGarment((FittedLayer("torso", (45, 40, 75, 100), rgba),), {}, 1.0)
        out, _ = render_fitted(image, [narrow], parts, person)
        beside = out[60:90, 31:40].reshape(-1, 3).astype(float)
        # The white top's sides are painted as the light backdrop around the person, not as
        # skin (the body is no wider than a new top).
        assert np.abs(np.median(beside, axis=0) - 250.0).max() < 20.0
        assert np.abs(np.median(beside, axis=0) - np.array(SKIN)).max() > 30.0


def _two_tone_skin() -> tuple[np.ndarray, BodyParts, np.ndarray]:
    """A 200×120 figure whose neck and chest skin is light and whose arms are darker, in a white
    top over the torso (rows 60–119)."""
    h, w = 200, 120
    image = np.full((h, w, 3), 250, np.uint8)
    labels = np.zeros((h, w), np.uint8)
    labels[5:35, 45:75] = BodyPart.FACE
    labels[35:60, 45:75] = BodyPart.NECK
    labels[60:120, 30:90] = BodyPart.TORSO
    labels[60:160, 10:28] = BodyPart.RIGHT_UPPER_ARM
    labels[60:160, 92:110] = BodyPart.LEFT_UPPER_ARM
    image[labels > 0] = (225, 180, 150)  # light skin
    arms = np.isin(labels, [BodyPart.LEFT_UPPER_ARM, BodyPart.RIGHT_UPPER_ARM])
    image[arms] = (150, 100, 70)  # darker, tanned arms
    image[60:120, 30:90] = TOP
    skin = ((labels > 0) & (labels != BodyPart.TORSO)).astype(np.float32)
    person = (labels > 0).astype(np.float32)
    return image, BodyParts(labels, skin), person


class TestSkinFill:
    def test_field_takes_the_nearest_skin(self) -> None:
        from fitroom.dressing.skin import skin_field

        image, parts, person = _two_tone_skin()
        field = skin_field(image, parts, person)
        assert field.shape == (200, 120, 3)
        assert np.isfinite(field).all()
        # Below the light neck the chest is light; beside the dark arms it is dark.
        chest = field[64, 60]
        side = field[100, 24]
        assert chest[0] > side[0] + 30.0
        assert np.abs(field[45, 60] - np.array([225.0, 180.0, 150.0])).max() < 15.0
        assert np.abs(field[120, 100] - np.array([150.0, 100.0, 70.0])).max() < 15.0

    def test_field_box_matches_the_whole_field(self) -> None:
        from fitroom.dressing.skin import skin_field

        image, parts, person = _two_tone_skin()
        whole = skin_field(image, parts, person)
        part = skin_field(image, parts, person, (20, 50, 100, 130))
        assert np.abs(part[50:130, 20:100] - whole[50:130, 20:100]).max() < 1.0
        assert float(np.abs(part[:50]).max()) == 0.0

    def test_skin_already_tells_skin_from_the_old_top(self) -> None:
        from fitroom.dressing.skin import skin_already

        field = np.full((1, 3, 3), (200.0, 150.0, 120.0), np.float32)
        pixels = np.array([[(196, 148, 121), (230, 230, 225), (60, 60, 200)]], np.float32)
        top_lab = np.array([91.0, -0.5, 2.5], np.float32)  # the white top
        already = skin_already(pixels, field, top_lab)
        assert already[0, 0] > 0.9
        assert already[0, 1] == 0.0
        assert already[0, 2] == 0.0

    def test_fill_repaints_the_top_and_keeps_skin_it_covers(self) -> None:
        from fitroom.dressing.old_garment import old_garment_lab
        from fitroom.dressing.skin import fill_with_skin, skin_field

        image, parts, person = _two_tone_skin()
        # The part map's torso is wider than the old top: its rim (columns 30-35), next to the
        # arm, is the arm's own skin.
        image[60:120, 30:36] = (150, 100, 70)
        base = image.astype(np.float32)
        exposed = np.zeros((200, 120), np.float32)
        exposed[60:120, 30:90] = 1.0
        field = skin_field(image, parts, person)
        lab = old_garment_lab(parts, person, image)
        out = fill_with_skin(base, exposed, field, np.ones_like(exposed), garment_lab=lab)
        # The white top is gone, painted in the skin around it: light just below the light
        # neck, between the neck's and the arms' tones further down.
        light, dark = np.array([225.0, 180.0, 150.0]), np.array([150.0, 100.0, 70.0])
        assert np.abs(out[62, 60] - light).max() < 20.0
        chest = np.median(out[70:110, 45:75].reshape(-1, 3), axis=0)
        assert np.all(chest > dark - 5.0) and np.all(chest < light + 5.0)
        assert np.abs(chest - np.array(TOP)).min() > 40.0
        # The skin that was already there is the photo's own.
        assert np.abs(out[70:110, 30:34] - base[70:110, 30:34]).max() < 1.0

    def test_grain_makes_the_fill_as_textured_as_the_skin(self) -> None:
        from fitroom.dressing.skin import fill_with_skin

        base = np.full((64, 64, 3), 128.0, np.float32)
        exposed = np.ones((64, 64), np.float32)
        flat = fill_with_skin(base, exposed, (200.0, 150.0, 120.0), np.ones_like(exposed))
        grainy = fill_with_skin(
            base, exposed, (200.0, 150.0, 120.0), np.ones_like(exposed), grain=2.0
        )
        assert float(flat[..., 0].std()) < 0.01
        assert 1.0 < float(grainy[..., 0].std()) < 3.0


class TestStripedOldTop:
    def test_every_colour_of_a_striped_top_is_old_garment(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = _dressed(TROUSERS)
        # Red and white stripes, 8 rows each, over the whole top (rows 40–99).
        for y in range(40, 100, 16):
            image[y : y + 8, 30:90] = (190, 30, 40)
        old = old_garment_mask(parts, person, image)
        # The lower half's red stripes are old top like the white ones, not trousers.
        assert float(old[82:86, 40:80].min()) > 0.9
        assert float(old[74:78, 40:80].min()) > 0.9
        # The trousers' waist (rows 100–119, another blue) stays.
        assert float(old[104:116, 40:80].max()) < 0.5


class TestNarrowerTrousers:
    def _render(self) -> tuple[np.ndarray, np.ndarray]:
        image, parts, person = _dressed(TROUSERS)
        rgba = np.zeros((70, 50, 4), np.float32)
        rgba[:, 2:16, 3] = 1.0  # two new legs, columns 38-51 and 68-81, rows 110-179
        rgba[:, 32:46, 3] = 1.0
        rgba[..., 0] = 220.0 * rgba[..., 3]
        lower = FittedGarment((FittedLayer("lower", (36, 110, 86, 180), rgba),), {}, 1.0, "lower")
        arm_r, thigh_r, shin_r = 6.0, 10.0, 6.0

        def limb(points: list[list[float]], radius: float) -> Limb:
            return Limb(np.array(points, np.float32), radius)

        limbs = Limbs(
            left_arm=limb([[80.0, 45.0], [95.0, 80.0], [98.0, 110.0]], arm_r),
            right_arm=limb([[40.0, 45.0], [25.0, 80.0], [22.0, 110.0]], arm_r),
            left_thigh=limb([[75.0, 120.0], [75.0, 155.0]], thigh_r),
            right_thigh=limb([[45.0, 120.0], [45.0, 155.0]], thigh_r),
            left_shin=limb([[75.0, 155.0], [75.0, 185.0]], shin_r),
            right_shin=limb([[45.0, 155.0], [45.0, 185.0]], shin_r),
        )
        out, _ = render_fitted(image, [lower], parts, person, limbs=limbs)
        return image, out

    def test_old_trousers_between_the_new_legs_become_background(self) -> None:
        _, out = self._render()
        gap = out[130:170, 53:57].reshape(-1, 3).astype(float)
        assert np.abs(np.median(gap, axis=0) - 250.0).max() < 20.0

    def test_shoes_below_the_ankles_stay(self) -> None:
        image, out = self._render()
        assert np.array_equal(out[192:200, 32:58], image[192:200, 32:58])


class TestHairOnTheShoulders:
    def test_hair_lying_on_the_old_top_is_not_old_garment(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = _dressed(TROUSERS)
        labels = parts.labels.copy()
        labels[0:40, 30:45] = BodyPart.HAIR  # long brown hair beside the face
        labels[0:40, 75:90] = BodyPart.HAIR
        image[0:40, 30:45] = (90, 55, 25)
        image[0:40, 75:90] = (90, 55, 25)
        image[40:60, 32:42] = (90, 55, 25)  # its tips on the white top's shoulder
        person = (labels > 0).astype(np.float32)
        old = old_garment_mask(BodyParts(labels, parts.skin), person, image)
        assert float(old[42:58, 34:40].max()) < 0.5
        assert float(old[45:60, 50:80].min()) > 0.9
