"""What stays in front of a garment layer (fitroom.dressing.composite)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.composite import NECK_OPENING_DEPTH, occluders
from fitroom.vision.core import BodyPart, BodyParts


def test_neck_opening_hides_the_inside_of_the_back() -> None:
    """A product photo shows the inside of the back through the neck opening; worn, that is
    where the neck and chest are: the torso panel is hidden there, and only there."""
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    labels[:40] = int(BodyPart.BACKGROUND)
    parts = BodyParts(labels, np.zeros((200, 200), np.float32))
    plain = occluders(parts, 40.0, True)
    opened = occluders(parts, 40.0, True, neck_span=(80.0, 120.0))
    deepest = 40 + NECK_OPENING_DEPTH * 40
    assert plain[50, 100] < 0.1
    assert opened[50, 100] > 0.9  # inside the opening
    assert opened[round(deepest) + 4, 100] < 0.1  # below it
    assert opened[50, 70] < 0.1 and opened[50, 130] < 0.1  # beside it
