"""The skin colour field and the skin fill (fitroom.dressing.skin)."""

from __future__ import annotations

import numpy as np

from fitroom.vision.core import BodyPart, BodyParts

TOP = (230, 230, 225)  # a white top


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
