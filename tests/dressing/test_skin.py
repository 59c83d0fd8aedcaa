"""The skin colour field and the skin fill (fitroom.dressing.skin)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pytest

from fitroom.dressing.limbs import Limbs
from fitroom.dressing.masks import labels_mask
from fitroom.fitting.anchors import body_anchors
from fitroom.vision.core import ARM_PARTS, BodyPart, BodyParts

TOP = (230, 230, 225)  # a white top

if TYPE_CHECKING:
    from tests.dressing.conftest import InATank


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

    def test_a_repainted_limb_is_round_and_as_bright_as_the_skin_nearby(self) -> None:
        from fitroom.dressing.skin import fill_with_skin

        # A bare arm (a vertical bar) repainted from a field of one skin colour: the field
        # averages arms' lit middles and darker sides, so the repainted arm's sides are darker
        # and its middle lighter than the field, the arm as a whole as bright as it (its sides
        # darkened alone, it came out 3 % darker here, and on bare arms of the shared photos
        # repainted as if they had been covered, a median 4 L units darker than they are).
        h, w = 120, 80
        base = np.full((h, w, 3), 128.0, np.float32)
        arm = np.zeros((h, w), np.float32)
        arm[:, 25:55] = 1.0
        field = np.empty((h, w, 3), np.float32)
        field[:] = (200.0, 150.0, 120.0)
        from fitroom.dressing.limbs import Limb

        bone = Limb(np.array([[40.0, 0.0], [40.0, 119.0]], np.float32), 15.0)
        out = fill_with_skin(base, arm, field, np.ones_like(arm), [bone], outline=arm)
        red = out[20:100, 25:55, 0]
        assert abs(float(red.mean()) - 200.0) < 3.0
        assert float(red[:, 14:16].mean()) > 200.0
        assert float(red[:, :2].mean()) < 0.92 * float(red[:, 14:16].mean())

    def test_the_torso_s_side_darkens_towards_the_arm_beside_it(self) -> None:
        from fitroom.dressing.skin import cut_arm_creases, fill_with_skin

        # A torso (columns 0-79) with an arm lying against it (columns 80-109), inside the
        # person's outline all round (a new garment over the chest, the arm's skin kept):
        # the torso's side between them is repainted. Deep inside the outline it was lit as
        # the middle of the chest (a pale strip between the arm and the shirt); beside the
        # arm's crease it turns away from the light.
        h, w = 120, 120
        labels = np.zeros((h, w), np.uint8)
        labels[:, :80] = BodyPart.TORSO
        labels[:, 80:110] = BodyPart.LEFT_UPPER_ARM
        outline = np.ones((h, w), np.float32)
        base = np.full((h, w, 3), 128.0, np.float32)
        exposed = np.zeros((h, w), np.float32)
        exposed[:, 50:80] = 1.0  # the torso's side, between the new garment and the arm
        field = np.full((h, w, 3), (200.0, 150.0, 120.0), np.float32)
        shading = np.ones((h, w), np.float32)
        flat = fill_with_skin(base, exposed, field, shading, outline=outline)
        red = flat[20:100, 50:80, 0]
        assert float(np.ptp(red.mean(axis=0))) < 2.0
        cut_arm_creases(outline, labels, 1000)
        assert float(outline[:, 76:80].max()) == 0.0 and float(outline[:, :70].min()) == 1.0
        creased = fill_with_skin(base, exposed, field, shading, outline=outline)
        red = creased[20:100, 50:80, 0]
        assert float(red[:, -3:].mean()) < 0.9 * float(red[:, :3].mean())
        # (The crease's own pixels painted darkest; the patch as bright as the field overall.)
        assert abs(float(red.mean()) - 200.0) < 3.0

    def test_repainted_skin_joins_the_photo_s_own_skin_without_a_step(self) -> None:
        from fitroom.dressing.skin import fill_with_skin

        # An arm whose upper half (rows 0-199) was under an old sleeve and is repainted from a
        # field lighter than the bare forearm below it (the forearm in the sleeve's shade):
        # where they meet the repainted skin came out 30 levels lighter, a pale seam. (The
        # seam's reach is 3 % of the longer side without limbs: 12 pixels here.)
        h, w = 400, 60
        base = np.full((h, w, 3), (60.0, 70.0, 190.0), np.float32)  # the old blue sleeve
        base[200:] = (170.0, 125.0, 100.0)  # the photo's own forearm
        exposed = np.zeros((h, w), np.float32)
        exposed[:200] = 1.0
        field = np.full((h, w, 3), (200.0, 150.0, 120.0), np.float32)
        shading = np.ones((h, w), np.float32)
        own_skin = 1.0 - exposed
        stepped = fill_with_skin(base, exposed, field, shading)
        joined = fill_with_skin(base, exposed, field, shading, own_skin=own_skin)
        assert float(stepped[197:200, :, 0].mean()) - 170.0 > 25.0
        assert abs(float(joined[197:200, :, 0].mean()) - 170.0) < 8.0
        # Far from the seam the field's colour stays; the forearm is the photo's own.
        assert abs(float(joined[:100, :, 0].mean()) - 200.0) < 3.0
        assert np.array_equal(joined[200:], base[200:])

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


@dataclass(frozen=True)
class _BareArms:
    """A shared photo of a person in long sleeves (a woman in a red knit top, a man in a grey
    sweatshirt) dressed in a sleeveless tank top: the old sleeves are repainted as bare arms."""

    photo: np.ndarray
    result: np.ndarray
    parts: BodyParts
    person: np.ndarray
    limbs: Limbs
    painted: np.ndarray  # bool (H, W): arm pixels repainted as skin


@pytest.fixture(scope="module", params=["vitonhd_01861_00", "dresscode_051962_0"])
def bare_arms(in_a_tank: Callable[[str], InATank], request: pytest.FixtureRequest) -> _BareArms:
    scene = in_a_tank(request.param)
    photo, mask, dressed = scene.photo, scene.mask, scene.dressed
    person = scene
    h, w = mask.shape
    limbs = Limbs.from_anchors(body_anchors(scene.pose, scene.parts, (w, h)))
    result = dressed.image
    arms = labels_mask(person.parts.labels, ARM_PARTS)
    changed = np.abs(result.astype(np.int16) - photo.astype(np.int16)).max(axis=2) > 12
    rgb = result.astype(np.int16)
    # Skin-coloured: redder than blue by far (the studio's backdrop is grey).
    skinlike = rgb[..., 0] > rgb[..., 2] + 25
    uncovered = dressed.visible_masks[0] < 0.05
    painted = arms & changed & skinlike & uncovered & (person.parts.skin < 0.5)
    return _BareArms(photo, result, person.parts, mask, limbs, painted)


def _visible_skin(parts: BodyParts) -> np.ndarray:
    """The photo's confident skin off the face and hair, away from its outline: bool (H, W)."""
    seen = (parts.skin > 0.8) & ~labels_mask(parts.labels, {BodyPart.FACE, BodyPart.HAIR})
    return cv2.erode(seen.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0


class TestBareArmsOnAPhoto:
    def test_the_old_sleeves_are_repainted_as_arms(self, bare_arms: _BareArms) -> None:
        assert int(bare_arms.painted.sum()) > 20_000

    def test_painted_skin_stays_inside_the_person(self, bare_arms: _BareArms) -> None:
        # No band of skin on the backdrop beside the arm: every painted pixel lies inside the
        # person's outline (the old sleeve's), none beyond it.
        inside = cv2.dilate((bare_arms.person > 0.5).astype(np.uint8), np.ones((3, 3), np.uint8))
        outside = bare_arms.painted & (inside == 0)
        assert int(outside.sum()) == 0

    def test_painted_skin_is_round_and_of_the_skin_s_tone(self, bare_arms: _BareArms) -> None:
        grey = cv2.cvtColor(bare_arms.result, cv2.COLOR_RGB2GRAY).astype(np.float32)
        painted = bare_arms.painted.astype(np.uint8)
        # Darker at its outline than along its middle, like a lit cylinder.
        dist = cv2.distanceTransform(painted, cv2.DIST_L2, 3)
        rim = (dist > 0) & (dist <= 3)
        middle = dist >= 12
        # (0.94 and 0.93 before the outline's relief.)
        assert float(np.median(grey[rim])) < 0.9 * float(np.median(grey[middle]))
        # Its tone is the person's own skin's, not the old top's.
        seen = _visible_skin(bare_arms.parts)
        inner = cv2.erode(painted, np.ones((9, 9), np.uint8)) > 0
        skin = np.median(bare_arms.photo[seen].reshape(-1, 3), axis=0)
        drawn = np.median(bare_arms.result[inner].reshape(-1, 3), axis=0)
        assert float(np.abs(drawn - skin).max()) < 25.0

    # (The man in the sweatshirt shows too little skin to compare textures with: his hands and
    # a strip of neck.)
    @pytest.mark.parametrize("bare_arms", ["vitonhd_01861_00"], indirect=True)
    def test_painted_skin_is_textured_like_the_skin(self, bare_arms: _BareArms) -> None:
        grey = cv2.cvtColor(bare_arms.result, cv2.COLOR_RGB2GRAY).astype(np.float32)
        # Its fine texture is about as strong as the visible skin's (neck, chest, hands): not
        # flat paint, not noise either.
        fine = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.0))
        photo_grey = cv2.cvtColor(bare_arms.photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
        photo_fine = np.abs(photo_grey - cv2.GaussianBlur(photo_grey, (0, 0), 1.0))
        seen = _visible_skin(bare_arms.parts)
        inner = cv2.erode(bare_arms.painted.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
        ratio = float(np.median(fine[inner])) / float(np.median(photo_fine[seen]))
        # (1.44 on the knit top's arms with the former grain.)
        assert 0.75 < ratio < 1.3
