"""Fitting: the geometry that lays a garment onto a person (body anchors, per-part warps).

The torso panel: :mod:`~fitroom.fitting.garment_fit`; sleeves on the arms:
:mod:`~fitroom.fitting.sleeves`; trousers and skirts: :mod:`~fitroom.fitting.lower_fit`; the
garment's pieces ready to warp: :mod:`~fitroom.fitting.garment_layers`.
"""

from fitroom.fitting.anchors import BodyAnchors, body_anchors, measure_torso_edges
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.fitting.garment_fit import (
    SIZE_EASE,
    TORSO_POINTS,
    fit_upper,
    size_ease,
    torso_targets,
)
from fitroom.fitting.garment_layers import premultiplied_parts
from fitroom.fitting.warp import (
    ThinPlateSpline,
    apply_affine,
    fit_thin_plate_spline,
    limb_inverse_maps,
    remap_premultiplied,
    similarity_from_pairs,
    tps_inverse_maps,
)

__all__ = [
    "SIZE_EASE",
    "TORSO_POINTS",
    "BodyAnchors",
    "FittedGarment",
    "FittedLayer",
    "ThinPlateSpline",
    "apply_affine",
    "body_anchors",
    "fit_thin_plate_spline",
    "fit_upper",
    "limb_inverse_maps",
    "measure_torso_edges",
    "premultiplied_parts",
    "remap_premultiplied",
    "similarity_from_pairs",
    "size_ease",
    "torso_targets",
    "tps_inverse_maps",
]
