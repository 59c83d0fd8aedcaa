"""Measurements straight from photos: a thin holder of the perception models.

>>> with Measurer() as measurer:                                   # doctest: +SKIP
...     measurements = measurer.measure(front_rgb, 172.0, side=side_rgb)
"""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.errors import PersonNotUsable
from fitroom.measure.core import BodyMeasurements, BodyView
from fitroom.measure.estimate import (
    Sex,
    estimate_measurements,
    scale_from_height,
    scale_from_proportions,
)
from fitroom.vision.perception import Perceiver

ByteArray = npt.NDArray[np.uint8]
#: The relative uncertainty of a proportions scale taken down to the ankles (see
#: :func:`fitroom.measure.scale_from_proportions`); anything less sure is refused.
ANKLE_SCALE_UNCERTAINTY = 0.03


class Measurer(Closeable):
    """Holds a perceiver (pose, person mask, body parts; no face model) for measuring.

    Safe to share between threads: one photo is perceived at a time.

    Args:
        num_threads: CPU threads for the models.
    """

    def __init__(self, *, num_threads: int = 2) -> None:
        self._perceiver = Perceiver(num_threads=num_threads, faces=False, parts=True)
        self._lock = threading.Lock()

    def view(self, photo: ByteArray) -> BodyView:
        """The silhouette of the one person in an RGB uint8 (H, W, 3) photo.

        Raises:
            NoPersonFound, MultiplePeople: not exactly one person.
        """
        with self._lock:
            perception = self._perceiver.process(photo)
        return BodyView.from_person(perception, perception.single())

    def measure(
        self,
        front: ByteArray,
        height_cm: float,
        *,
        side: ByteArray | None = None,
        sex: Sex | None = None,
        weight_kg: float | None = None,
        head_optional: bool = False,
    ) -> BodyMeasurements:
        """Body measurements of the person in ``front`` (and ``side``), RGB uint8 (H, W, 3).

        See :func:`fitroom.measure.estimate_measurements` for the arguments and errors.

        Args:
            head_optional: when the head is cut off but the ankles are in view, take the scale
                from average proportions (:func:`fitroom.measure.scale_from_proportions`, ±3 %)
                and say so in a warning, instead of refusing. Feet out of view are still
                refused.
        """
        front_view = self.view(front)
        side_view = None if side is None else self.view(side)
        scale = None
        note = None
        if head_optional:
            try:
                scale_from_height(front_view, height_cm)
            except PersonNotUsable as head_to_heel:
                # Only with the ankles in view is the fallback good; else the first reason
                # (head or feet out of frame) is the one the shopper can act on.
                try:
                    fallback = scale_from_proportions(front_view, height_cm)
                except PersonNotUsable:
                    raise head_to_heel from None
                if fallback.relative_uncertainty > ANKLE_SCALE_UNCERTAINTY:
                    raise
                scale = fallback
                note = (
                    "the head is not fully in the photo: the scale comes from average body "
                    "proportions between shoulders and ankles, so the numbers are less exact "
                    "(a photo from head to feet is better)"
                )
        result = estimate_measurements(
            front_view, height_cm, side=side_view, sex=sex, weight_kg=weight_kg, scale=scale
        )
        if note is not None:
            result = replace(result, warnings=(note, *result.warnings))
        return result

    def close(self) -> None:
        """Release the models."""
        with self._lock:
            self._perceiver.close()


__all__ = ["Measurer"]
