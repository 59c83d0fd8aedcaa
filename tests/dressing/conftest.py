"""Drawn scenes shared by the dressing tests: a front view in a white top, a cropped new top."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from fitroom.dressing import Dressed, DressOptions, PreparedGarments, dress
from fitroom.dressing.limbs import Limb, Limbs
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.garments import ingest_garment
from fitroom.imaging import decode_image
from fitroom.vision import Perceiver
from fitroom.vision.core import BodyPart, BodyParts, Pose

#: The drawn person's white top and skin.
TOP = (230, 230, 225)
SKIN = (200, 150, 120)

Scene = tuple[np.ndarray, BodyParts, np.ndarray]


def _drawn_person(lower_rgb: tuple[int, int, int]) -> Scene:
    """A 200×120 front view: face, a torso in a white top (rows 40–119), legs (rows 120–199)
    in ``lower_rgb``; rows 100–119 of the torso already wear the lower garment (its waist).
    Returns (image, body parts, person mask)."""
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


@pytest.fixture
def drawn_person() -> Callable[[tuple[int, int, int]], Scene]:
    """Draws the front view of :func:`_drawn_person` with trousers (or a dress) of a colour."""
    return _drawn_person


@pytest.fixture
def short_top() -> FittedGarment:
    """An opaque red panel over torso rows 40–69 only (a cropped top)."""
    rgba = np.zeros((30, 60, 4), np.float32)
    rgba[..., 3] = 1.0
    rgba[..., 0] = 200.0
    return FittedGarment((FittedLayer("torso", (30, 40, 90, 70), rgba),), {}, 1.0)


@dataclass(frozen=True)
class InATank:
    """A shared photo of a person dressed in a sleeveless tank top (their old sleeves are
    repainted as bare arms): the photo, what perception found and the dressing."""

    photo: np.ndarray
    pose: Pose
    parts: BodyParts
    mask: np.ndarray
    dressed: Dressed


def _dressed_in_a_tank(shared_data: Path, person_name: str) -> InATank:
    photo = decode_image(shared_data / "persons" / f"{person_name}.jpg")
    tank = ingest_garment(decode_image(shared_data / "garments" / "vitonhd_14673_00.jpg"))
    with Perceiver(num_threads=1, parts=True) as perceiver:
        perception = perceiver.process(photo)
    person = perception.single()
    assert person.parts is not None
    mask = perception.mask.mask
    dressed = dress(
        photo, person.pose, person.parts, mask, [tank], DressOptions(), PreparedGarments()
    )
    return InATank(photo, person.pose, person.parts, mask, dressed)


@pytest.fixture(scope="session")
def in_a_tank(shared_data: Path) -> Callable[[str], InATank]:
    """Dress the shared person photo ``persons/<name>.jpg`` in the VITON-HD tank top."""
    return lambda name: _dressed_in_a_tank(shared_data, name)


def _arms_down() -> Limbs:
    """Arms hanging straight down at x = 40 and x = 160 from the shoulders (row 50)."""

    def limb(*points: tuple[float, float], radius: float = 12.0) -> Limb:
        return Limb(np.array(points, np.float32), radius)

    return Limbs(
        left_arm=limb((160, 50), (160, 150), (160, 240)),
        right_arm=limb((40, 50), (40, 150), (40, 240)),
        left_thigh=limb((120, 200), (120, 260), radius=20.0),
        right_thigh=limb((80, 200), (80, 260), radius=20.0),
        left_shin=limb((120, 260), (120, 299)),
        right_shin=limb((80, 260), (80, 299)),
    )


def _tee_scene(old_end: int) -> tuple[FittedGarment, np.ndarray, BodyParts]:
    """A tee whose right sleeve covers rows 45–99 of the right arm; the old sleeve reaches
    row ``old_end``, the old top's torso panel between the arms."""
    h, w = 300, 200
    labels = np.zeros((h, w), np.uint8)
    labels[50:200, 60:140] = BodyPart.TORSO
    labels[45:150, 25:56] = BodyPart.RIGHT_UPPER_ARM
    labels[150:240, 25:56] = BodyPart.RIGHT_FOREARM
    parts = BodyParts(labels, np.zeros((h, w), np.float32))
    rgba = np.zeros((55, 40, 4), np.float32)
    rgba[..., 3] = 1.0
    rgba[..., 2] = 200.0
    sleeve = FittedLayer("right_sleeve", (20, 45, 60, 100), rgba)
    panel = FittedLayer("torso", (60, 50, 140, 200), np.ones((150, 80, 4), np.float32))
    tee = FittedGarment((panel, sleeve), {"shoulder_right": (40.0, 50.0)}, 1.0)
    old = np.zeros((h, w), np.float32)
    old[45:old_end, 22:58] = 1.0
    old[50:200, 60:140] = 1.0
    return tee, old, parts


@pytest.fixture
def arms_down() -> Limbs:
    """Arms hanging straight down at x = 40 and x = 160 from the shoulders (row 50)."""
    return _arms_down()


@pytest.fixture
def tee_scene() -> Callable[[int], tuple[FittedGarment, np.ndarray, BodyParts]]:
    """Draws a tee whose right sleeve covers rows 45–99 of the right arm over an old sleeve
    reaching the given row (see :func:`_tee_scene`)."""
    return _tee_scene
