"""The old top's collar, cuffs and the hair lying on it (fitroom.dressing.old_collar_and_cuffs),
seen through the old garment's mask on drawn scenes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fitroom.vision.core import BodyPart, BodyParts

#: Skin, and the blue trousers under the ``drawn_person`` fixture's white top
#: (tests/dressing/conftest.py), which takes the trousers' colour and returns a drawn scene.
SKIN, TROUSERS = (200, 150, 120), (40, 60, 140)
DrawnPerson = Callable[[tuple[int, int, int]], tuple[np.ndarray, BodyParts, np.ndarray]]


def _head_and_torso(
    hair: tuple[int, int, int], top: tuple[int, int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(image, part labels) 200 × 120: hair (rows 0–7), face (8–34), a bare neck (35–47) and a
    torso in a top of colour ``top`` (48–149) on a white background."""
    h, w = 200, 120
    image = np.full((h, w, 3), 250, np.uint8)
    labels = np.zeros((h, w), np.uint8)
    labels[0:8, 40:80] = BodyPart.HAIR
    labels[8:35, 45:75] = BodyPart.FACE
    labels[35:48, 50:70] = BodyPart.NECK
    labels[48:150, 30:90] = BodyPart.TORSO
    image[labels > 0] = SKIN
    image[labels == BodyPart.HAIR] = hair
    image[48:150, 30:90] = top
    return image, labels


class TestOldCollar:
    def _collared(
        self, hair_rgb: tuple[int, int, int], collar_top: int = 42
    ) -> tuple[np.ndarray, BodyParts]:
        """A dark polo: its collar stands up round the neck from ``collar_top`` (labelled neck
        by the part map; the neck spans rows 35–47)."""
        dark = (30, 40, 70)
        image, labels = _head_and_torso(hair_rgb, dark)
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

    def test_collar_band_filling_a_short_neck_is_old_garment(self) -> None:
        """A crew neck's band fills most of a neck label cut short by the chin (the part map's
        face reaching down to row 40): bare skin above it tells it from a turtleneck."""
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts = self._collared((200, 170, 90), collar_top=42)
        labels = parts.labels.copy()
        labels[35:40, 50:70] = BodyPart.FACE
        parts = BodyParts(labels, parts.skin)
        person = (labels > 0).astype(np.float32)
        old = old_garment_mask(parts, person, image)
        assert float(old[43:47, 54:66].min()) > 0.9
        assert float(old[40, 54:66].max()) < 0.5  # the bare neck above it stays

    def test_collar_of_a_head_cropped_by_the_picture(self) -> None:
        """No face in the picture, the neck reaching its top row: the collar band at the
        neck's base is still old garment."""
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts = self._collared((200, 170, 90), collar_top=42)
        image, labels, skin = image[35:], parts.labels[35:], parts.skin[35:]
        person = (labels > 0).astype(np.float32)
        old = old_garment_mask(BodyParts(labels, skin), person, image)
        assert float(old[8:12, 54:66].min()) > 0.9
        assert float(old[0:3, 54:66].max()) < 0.5


class TestHairOnTheShoulders:
    def test_hair_lying_on_the_old_top_is_not_old_garment(self, drawn_person: DrawnPerson) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = drawn_person(TROUSERS)
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


class TestOldNeckband:
    LILAC = (180, 150, 220)

    def _banded(
        self, band_top: int = 43, hair: tuple[int, int, int] = (200, 170, 90)
    ) -> tuple[np.ndarray, BodyParts, np.ndarray]:
        """A lilac tee whose neckband (rows ``band_top``–47, labelled neck by the part map)
        is striped black and white, nothing like the tee's colour."""
        image, labels = _head_and_torso(hair, self.LILAC)
        band = image[band_top:48, 50:70]
        band[:] = (20, 20, 30)
        band[:, ::3] = (235, 235, 235)
        skin = np.isin(labels, [BodyPart.FACE, BodyPart.NECK]).astype(np.float32)
        skin[band_top:48, 50:70] = 0.0
        return image, BodyParts(labels, skin), (labels > 0).astype(np.float32)

    def test_a_contrasting_neckband_is_old_garment(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = self._banded()
        old = old_garment_mask(parts, person, image)
        assert float(old[44:47, 54:66].min()) > 0.9  # black and white stripes alike
        assert float(old[37, 54:66].max()) < 0.5  # the bare neck above it stays
        assert float(old[10:30, 50:70].max()) == 0.0  # the face

    def test_without_it_only_the_tees_colour_was_found(self) -> None:
        from fitroom.dressing.old_collar_and_cuffs import old_collar

        image, parts, person = self._banded()
        palette = np.array([[66.0, 25.0, -28.0]], np.float32)  # about the lilac, Lab
        assert not old_collar(parts, person, image, palette)[44:47, 54:66].any()

    def test_a_turtleneck_of_any_colour_stays(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = self._banded(band_top=35)  # the whole neck
        old = old_garment_mask(parts, person, image)
        assert float(old[37:45, 54:66].max()) < 0.5

    def test_kept_when_the_hair_has_the_tees_colour(self) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = self._banded(hair=self.LILAC)
        old = old_garment_mask(parts, person, image)
        assert float(old[44:47, 54:66].max()) < 0.5
