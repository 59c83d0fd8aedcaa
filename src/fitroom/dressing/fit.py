"""Fitting the garments of one dressing: in layering order, from a cache of prepared garments.

The geometry (torso panel, sleeves on the arms, trousers on the legs) is :mod:`fitroom.fitting`;
here each garment is fitted with its own fitter, lower garments first, and the prepared
(resized, premultiplied) garments are kept between calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from fitroom.dressing.shading import without_own_folds
from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.dress_fit import dress_targets
from fitroom.fitting.fitted import FittedGarment
from fitroom.fitting.garment_fit import fit_upper
from fitroom.fitting.garment_layers import prepare_garment
from fitroom.fitting.lower_fit import fit_lower
from fitroom.fitting.strap_top_fit import strap_top_targets
from fitroom.garments.core import Garment, GarmentLandmarks

FloatArray = npt.NDArray[np.float32]

#: How many prepared garments a :class:`PreparedGarments` keeps by default.
PREPARED_CACHE_SIZE = 16


class PreparedGarments:
    """Garments prepared for warping (resized, split into premultiplied parts), by identity and
    resize factor: a shop renders the same garment on many photos, a stream on every frame.

    Called as the ``prepared`` argument of the fitters (see
    :data:`fitroom.fitting.garment_layers.PrepareGarment`).

    Args:
        capacity: most entries kept (the oldest goes first); None keeps all.
    """

    def __init__(self, capacity: int | None = PREPARED_CACHE_SIZE) -> None:
        self.capacity = capacity
        self._entries: dict[
            tuple[int, float], tuple[Garment, tuple[dict[str, FloatArray], GarmentLandmarks]]
        ] = {}

    def __call__(
        self, garment: Garment, factor: float
    ) -> tuple[dict[str, FloatArray], GarmentLandmarks]:
        """The garment's premultiplied parts and landmarks at ``factor``, prepared once."""
        key = (id(garment), round(factor, 3))
        hit = self._entries.get(key)
        if hit is not None and hit[0] is garment:
            return hit[1]
        if self.capacity is not None and len(self._entries) >= self.capacity:
            self._entries.pop(next(iter(self._entries)))
        value = prepare_garment(garment, factor)
        if garment.category != "lower":
            # (Tops and dresses: worn, the photo's folds take the place of the product
            # photo's own; see fitroom.dressing.shading.)
            value = (without_own_folds(value[0]), value[1])
        self._entries[key] = (garment, value)
        return value

    def clear(self) -> None:
        """Forget every prepared garment."""
        self._entries.clear()


def layering_order(garments: Sequence[Garment]) -> list[int]:
    """Indices of ``garments`` in drawing order: trousers and skirts first, tops and dresses
    over them (otherwise as given)."""
    return sorted(range(len(garments)), key=lambda i: garments[i].category != "lower")


def fit_garment(
    garment: Garment,
    anchors: BodyAnchors,
    ease: float,
    prepared: PreparedGarments,
    length_scale: float = 1.0,
    waist_at_most: float | None = None,
    legs_part: float | None = None,
) -> FittedGarment:
    """Fit one garment to the body: trousers and skirts to the legs, anything else (tops,
    dresses) to the torso and arms (a dress placed by its own rules, see
    :mod:`fitroom.fitting.dress_fit`). ``waist_at_most``: see
    :func:`~fitroom.fitting.lower_fit.fit_lower` (lower garments only), and so is
    ``legs_part``.

    Raises:
        UnsupportedGarment: the garment lacks its category's landmarks.
    """
    if garment.category == "lower":
        return fit_lower(
            garment,
            anchors,
            ease,
            prepared,
            length_scale=length_scale,
            waist_at_most=waist_at_most,
            legs_part=legs_part,
        )
    if garment.category == "full":
        # A dress replaces the old top and the old skirt or trousers (region "full").
        place = dress_targets if garment.subcategory == "dress" else None
        fitted = fit_upper(garment, anchors, ease, prepared, length_scale=length_scale, place=place)
        return replace(fitted, region="full")
    # (A top with close-set straps, a halter, is sized by its chest: fitting.strap_top_fit.)
    return fit_upper(
        garment, anchors, ease, prepared, length_scale=length_scale, place=strap_top_targets
    )


__all__ = ["PREPARED_CACHE_SIZE", "PreparedGarments", "fit_garment", "layering_order"]
