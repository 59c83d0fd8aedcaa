"""Where the old garment is removed: uncovered old fabric repainted as skin or background."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.old_garment import analyse_old_garment, old_skirt_mask
from fitroom.dressing.old_garment_removal import (
    old_dress_below_hem,
    old_garment_to_remove,
    outer_slivers,
)
from fitroom.dressing.render import render_fitted
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.garments import ingest_garment
from fitroom.imaging import decode_image
from fitroom.tryon import TryOn
from fitroom.vision import Perceiver
from fitroom.vision.core import BodyPart, BodyParts

TOP = (230, 230, 225)  # a white top
TROUSERS = (40, 60, 140)  # blue trousers
SKIN = (200, 150, 120)

#: The ``drawn_person`` fixture (tests/dressing/conftest.py).
DrawnPerson = Callable[[tuple[int, int, int]], tuple[np.ndarray, BodyParts, np.ndarray]]


class TestOldGarmentBelowANewHem:
    def test_a_dress_stays_below_a_cropped_top(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        image, parts, person = drawn_person(TOP)
        out, _ = render_fitted(image, [short_top], parts, person)
        # Torso rows well below the new hem keep the old dress, unchanged.
        assert np.array_equal(out[85:118, 40:80], image[85:118, 40:80])

    def test_a_top_over_trousers_of_its_shade_goes_above_them(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        # A charcoal top (rows 40–99) over near-black trousers is read as one dark dress by
        # colour; its hem shows as a step in shade, and between the new hem (row 69) and it
        # the old top is removed like any top: the belly is skin, the trousers stay.
        image, parts, person = drawn_person((30, 30, 32))
        image[40:100, 30:90] = (70, 70, 72)
        out, _ = render_fitted(image, [short_top], parts, person)
        belly = out[78:96, 40:80].reshape(-1, 3).astype(float)
        assert np.abs(belly.mean(axis=0) - np.array(SKIN)).max() < 40
        assert np.array_equal(out[125:195, 35:85], image[125:195, 35:85])

    def test_an_old_dress_goes_below_a_shorter_new_dress(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        # The same panel worn as a dress (region "full") replaces the old dress entirely: its
        # torso rows below the new hem are the person's own body now, not the old white dress.
        image, parts, person = drawn_person(TOP)
        dress = replace(short_top, region="full")
        out, _ = render_fitted(image, [dress], parts, person)
        belly = out[85:118, 40:80].reshape(-1, 3).astype(float)
        assert np.abs(belly.mean(axis=0) - np.array(SKIN)).max() < 40
        # Its skirt on the legs goes too (the old dress's colour is nowhere below the hem)...
        legs = out[125:195, 35:85].reshape(-1, 3).astype(float)
        assert (np.abs(legs - np.array(TOP)).max(axis=1) < 12).mean() < 0.05
        # ...but trousers under a top stay under a new dress.
        image, parts, person = drawn_person(TROUSERS)
        out, _ = render_fitted(image, [dress], parts, person)
        assert np.array_equal(out[150:190, 35:55], image[150:190, 35:55])

    def test_a_top_over_trousers_is_painted_as_skin_below_a_cropped_top(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
        out, _ = render_fitted(image, [short_top], parts, person)
        # The old white top between the new hem and the trousers becomes skin-coloured...
        belly = out[80:95, 40:80].reshape(-1, 3).astype(float)
        assert np.abs(belly.mean(axis=0) - np.array(SKIN)).max() < 40
        # ...and the trousers' legs stay as they were.
        assert np.array_equal(out[150:190, 35:55], image[150:190, 35:55])

    def test_nothing_below_the_photos_waistband_is_old_top(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
        image[106:112, 40:80] = TOP  # a light print on the trousers, coloured like the top
        waist = np.full(120, 100.0, np.float32)
        out, _ = render_fitted(image, [short_top], parts, person, cut_below_y=[waist])
        assert np.array_equal(out[102:120, 35:85], image[102:120, 35:85])

    def test_below_the_old_top_s_hem_only_its_sleeves_are_old_top(
        self, drawn_person: DrawnPerson
    ) -> None:
        # A black top (rows 40-99) with sleeves hanging beside the hips, over near-black
        # trousers: one dark garment going on below by colour. Once its hem is known (row 100,
        # read from the photo when a new top's hem was raised to it), the trousers below are
        # no old top (taken for it, new fabric was carried down over them and skin painted
        # between), the sleeves beside them still are.
        image, parts, person = drawn_person((30, 30, 32))
        image[40:100, 30:90] = (20, 20, 22)
        labels = parts.labels.copy()
        labels[45:118, 22:30] = BodyPart.LEFT_UPPER_ARM
        labels[45:118, 90:98] = BodyPart.RIGHT_UPPER_ARM
        image[45:118, 22:30] = image[45:118, 90:98] = (20, 20, 22)
        parts = BodyParts(labels, parts.skin)
        person = (labels > 0).astype(np.float32)
        old = analyse_old_garment(parts, person, image)
        assert old.continues_below and old.hem_row is None

        def old_top(hem_row: int | None) -> np.ndarray:
            mask, _ = old_garment_to_remove(
                image,
                parts,
                person,
                upper=True,
                lower=False,
                cut_below_y=None,
                limbs=None,
                old=replace(old, hem_row=hem_row),
            )
            return mask

        assert float(old_top(None)[104:118, 40:80].min()) > 0.5  # read as old top
        at_hem = old_top(100)
        assert float(at_hem[104:118, 36:84].max()) == 0.0
        assert float(at_hem[60:96, 40:80].min()) > 0.5
        assert float(at_hem[104:116, 23:29].min()) > 0.5  # the sleeves
        assert float(at_hem[104:116, 91:97].min()) > 0.5


class TestLooseOldTop:
    def test_old_top_beside_a_narrower_new_one_becomes_background(
        self, drawn_person: DrawnPerson
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
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


class TestOuterSlivers:
    """A strip of loose old sleeve a few pixels wide beside a new sleeve: too thin for the
    rounding of the loose mask, it was painted as a streak of skin."""

    @staticmethod
    def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # Person columns 20–79; the old sleeve's loose strip is columns 20–23 (on the outline).
        person = np.zeros((100, 100), np.float32)
        person[:, 20:80] = 1.0
        loose = np.zeros((100, 100), bool)
        loose[10:90, 20:24] = True
        exposed = loose.astype(np.float32)
        return loose, exposed, person

    def test_a_strip_on_the_outline_stays_loose(self) -> None:
        loose, exposed, person = self._scene()
        kept = outer_slivers(loose, exposed, person, sigma=5.0)
        assert kept[50, 20:24].min() == 1.0 and kept.sum() == loose.sum()

    def test_inside_the_outline_the_rounding_decides(self) -> None:
        # (Between a sleeve and the body panel: no background beside the strip.)
        loose, exposed, person = self._scene()
        person[:, :20] = 1.0
        assert not outer_slivers(loose, exposed, person, sigma=5.0).any()

    def test_not_next_to_skin_to_be_painted(self) -> None:
        loose, exposed, person = self._scene()
        exposed[10:90, 24:30] = 1.0  # old fabric on the arm itself: skin is painted there
        kept = outer_slivers(loose, exposed, person, sigma=5.0)
        assert not kept[40:60].any()


def _drawn_limbs() -> Limbs:
    """The drawn person's arms and legs (ankle bones at row 185: the shoes lie below row 188)."""
    arm_r, thigh_r, shin_r = 6.0, 10.0, 6.0

    def limb(points: list[list[float]], radius: float) -> Limb:
        return Limb(np.array(points, np.float32), radius)

    return Limbs(
        left_arm=limb([[80.0, 45.0], [95.0, 80.0], [98.0, 110.0]], arm_r),
        right_arm=limb([[40.0, 45.0], [25.0, 80.0], [22.0, 110.0]], arm_r),
        left_thigh=limb([[75.0, 120.0], [75.0, 155.0]], thigh_r),
        right_thigh=limb([[45.0, 120.0], [45.0, 155.0]], thigh_r),
        left_shin=limb([[75.0, 155.0], [75.0, 185.0]], shin_r),
        right_shin=limb([[45.0, 155.0], [45.0, 185.0]], shin_r),
    )


class TestOldDressBelowHem:
    def test_the_old_skirt_below_the_new_hem_down_to_the_ankles(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        # The drawn white dress reaches the bottom of the picture: below the ankles it is
        # shoes (coloured like it), which stay.
        image, parts, person = drawn_person(TOP)
        union = np.zeros(person.shape, np.float32)
        union[40:70, 30:90] = 1.0  # the new dress, rows 40-69
        old = analyse_old_garment(parts, person, image)
        skirt = old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old)
        assert (skirt[125:180, 35:55] > 0.5).all()
        assert not skirt[192:].any()  # (a one-pixel soft edge below row 188)
        # Above the new hem lies nothing of it (the new dress covers the legs there).
        union[40:160] = 1.0
        skirt = old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old)
        assert not skirt[120:150].any() and (skirt[165:180, 35:55] > 0.5).all()

    def test_trousers_are_no_old_dress(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TROUSERS)
        union = np.zeros(person.shape, np.float32)
        union[40:70, 30:90] = 1.0
        old = analyse_old_garment(parts, person, image)
        assert not old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old).any()

    @staticmethod
    def _read_and_kept(
        image: np.ndarray, parts: BodyParts, person: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(the old skirt read by colour, what goes below a new dress ending at row 134)."""
        union = np.zeros(person.shape, np.float32)
        union[40:135, 30:90] = 1.0
        old = analyse_old_garment(parts, person, image)
        read = old_skirt_mask(parts, person, image, old)
        kept = old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old)
        # The old skirt between the two hems (row 134 to the knees, row 150) goes whole.
        assert (kept[137:148, 35:55] > 0.5).all() and (kept[137:148, 65:85] > 0.5).all()
        return read, kept

    def test_the_legs_outline_below_it_is_no_old_dress(self, drawn_person: DrawnPerson) -> None:
        # A white dress to the knees; below, bare legs whose outermost columns blend with the
        # white backdrop, coloured like the dress.
        image, parts, person = drawn_person(TOP)
        image[150:200, 34:56] = SKIN
        image[150:200, 64:86] = SKIN
        read, kept = self._read_and_kept(image, parts, person)
        assert (read[155:180, 32:34] > 0.5).all()  # (the outline is read by colour)
        assert not (kept[155:185] > 0.5).any()

    def test_the_legs_in_its_shadow_are_no_old_dress(self, drawn_person: DrawnPerson) -> None:
        # A grey dress to the knees; below, the legs' skin: in the dress's shadow (rows
        # 150-169, read as not-skin, within ΔE 30 of the grey), then lit (the part map's skin).
        image, parts, person = drawn_person((120, 120, 120))
        image[40:100, 30:90] = (120, 120, 120)
        legs = np.isin(parts.labels, [BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG])
        image[150:170][legs[150:170]] = (130, 100, 85)
        image[170:200][legs[170:200]] = SKIN
        skin = parts.skin.copy()
        skin[170:200][legs[170:200]] = 1.0
        read, kept = self._read_and_kept(image, BodyParts(parts.labels, skin), person)
        assert (read[152:168, 35:55] > 0.5).all()  # (the shadow is read by colour)
        assert not (kept[153:200] > 0.5).any()


class TestNarrowerTrousers:
    def _render(self, drawn_person: DrawnPerson) -> tuple[np.ndarray, np.ndarray]:
        image, parts, person = drawn_person(TROUSERS)
        rgba = np.zeros((70, 50, 4), np.float32)
        rgba[:, 2:16, 3] = 1.0  # two new legs, columns 38-51 and 68-81, rows 110-179
        rgba[:, 32:46, 3] = 1.0
        rgba[..., 0] = 220.0 * rgba[..., 3]
        lower = FittedGarment((FittedLayer("lower", (36, 110, 86, 180), rgba),), {}, 1.0, "lower")
        out, _ = render_fitted(image, [lower], parts, person, limbs=_drawn_limbs())
        return image, out

    def test_old_trousers_between_the_new_legs_become_background(
        self, drawn_person: DrawnPerson
    ) -> None:
        _, out = self._render(drawn_person)
        gap = out[130:170, 53:57].reshape(-1, 3).astype(float)
        assert np.abs(np.median(gap, axis=0) - 250.0).max() < 20.0

    def test_no_shadow_on_the_background_beside_the_new_legs(
        self, drawn_person: DrawnPerson
    ) -> None:
        """Where the old trousers were, beyond the bare legs, the background painted there
        gets no contact shadow of the new legs (a grey halo along their outline)."""
        _, out = self._render(drawn_person)
        beside = out[130:170, 52].astype(float)
        assert np.abs(np.median(beside, axis=0) - 250.0).max() < 8.0

    def test_shoes_below_the_ankles_stay(self, drawn_person: DrawnPerson) -> None:
        image, out = self._render(drawn_person)
        assert np.array_equal(out[192:200, 32:58], image[192:200, 32:58])


def test_no_skin_is_painted_outside_the_person(shared_data: Path) -> None:
    """A woman in a wide-sleeved (dolman) top dressed in a sleeveless one: the old top's soft
    rim outside her outline is rebuilt as the backdrop. It was partly painted as skin, an
    orange haze along the whole old outline (1288 such pixels here before)."""
    photo = decode_image(shared_data / "persons" / "catvton_person_jbeeq301271a569.jpg")
    with Perceiver(num_threads=1) as perceiver:
        outside = perceiver.process(photo).mask.mask < 0.5
    garment = ingest_garment(shared_data / "garments" / "vitonhd_14673_00.jpg")
    with TryOn(num_threads=1) as tryon:
        out = tryon.render(photo, [garment]).image.astype(np.int32)
    before = photo.astype(np.int32)
    warm_now = out[..., 0] - out[..., 2] > 25  # skin's red over blue
    not_skin_before = before[..., 0] - before[..., 2] < 10  # white and pale blue top, grey wall
    assert int((warm_now & not_skin_before & outside).sum()) < 100


class TestEraseOldBorder:
    def _scene(self) -> tuple[np.ndarray, np.ndarray, BodyParts, np.ndarray]:
        """Bare skin (columns < 30) beside old fabric repainted as skin (from 30): the old
        garment's edge is a dark line on columns 29–30 that the skin fill left."""
        h, w = 60, 60
        image = np.full((h, w, 3), SKIN, np.uint8)
        image[:, 30:] = TOP
        image[:, 29:31] = (90, 60, 50)
        labels = np.full((h, w), BodyPart.TORSO, np.uint8)
        labels[:10] = BodyPart.FACE
        skin = np.zeros((h, w), np.float32)
        skin[:, :30] = 1.0
        base = image.astype(np.float32)
        base[:, 31:] = SKIN  # the old fabric already repainted as skin
        painted = np.zeros((h, w), np.float32)
        painted[:, 30:] = 1.0
        return base, painted, BodyParts(labels, skin), image

    def test_the_line_along_the_old_border_is_gone(self) -> None:
        from fitroom.dressing.old_border import erase_old_border

        base, painted, parts, image = self._scene()
        person = np.ones(painted.shape, np.float32)
        union = np.zeros(painted.shape, np.float32)
        out = erase_old_border(base.copy(), painted, image, parts, person, union, None, 1000)
        line = np.abs(out[20:50, 29:31] - np.array(SKIN, np.float32)).max()
        assert float(line) < 20.0
        before = np.abs(base[20:50, 29:31] - np.array(SKIN, np.float32)).max()
        assert float(before) > 60.0

    def test_not_on_the_face_nor_under_a_new_garment(self) -> None:
        from fitroom.dressing.old_border import erase_old_border

        base, painted, parts, image = self._scene()
        person = np.ones(painted.shape, np.float32)
        union = np.zeros(painted.shape, np.float32)
        union[40:] = 1.0
        out = erase_old_border(base.copy(), painted, image, parts, person, union, None, 1000)
        assert np.array_equal(out[:10], base[:10])  # the face
        assert np.array_equal(out[40:], base[40:])  # under the new garment

    def test_not_filled_from_the_backdrop(self) -> None:
        """Beside a white backdrop the band is filled from the skin, not from the backdrop
        (from it, the band drew a pale fringe along the legs below new shorts)."""
        from fitroom.dressing.old_border import erase_old_border

        base, painted, parts, image = self._scene()
        person = np.ones(painted.shape, np.float32)
        person[:, 32:] = 0.0  # a white backdrop, right beside the old border
        base[:, 32:] = 255.0
        union = np.zeros(painted.shape, np.float32)
        out = erase_old_border(base.copy(), painted, image, parts, person, union, None, 1000)
        assert np.array_equal(out[:, 32:], base[:, 32:])  # the backdrop itself is kept
        near = np.abs(out[20:50, 27:32] - np.array(SKIN, np.float32)).max()
        assert float(near) < 25.0, float(near)
