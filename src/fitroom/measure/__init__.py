"""Body measurements from photos and size advice from a garment's size chart.

>>> from fitroom.measure import estimate_measurements, recommend_size   # doctest: +SKIP
>>> m = estimate_measurements(BodyView.from_person(perception, person), 172.0)  # doctest: +SKIP
>>> recommend_size(m, garment.size_chart).recommended                   # doctest: +SKIP
'M'
>>> picture_fit(garment.size_chart, "L", m).width_ease   # how L is drawn  # doctest: +SKIP
1.12

Photos straight to measurements: :class:`fitroom.measure.measurer.Measurer` (holds the models).
A chart of garment measurements becomes a body chart through :func:`garment_size_chart`.
"""

from fitroom.measure.core import (
    GIRTHS,
    MEASUREMENT_NAMES,
    BodyMeasurements,
    BodyView,
    Scale,
)
from fitroom.measure.estimate import (
    DEPTH_RATIOS,
    body_turn_deg,
    ellipse_perimeter,
    estimate_measurements,
    scale_from_height,
    scale_from_proportions,
    shoulder_width_cm,
)
from fitroom.measure.size import (
    PREFERENCES,
    PictureFit,
    SizeAdvice,
    ZoneFit,
    garment_size_chart,
    picture_fit,
    recommend_size,
)

__all__ = [
    "DEPTH_RATIOS",
    "GIRTHS",
    "MEASUREMENT_NAMES",
    "PREFERENCES",
    "BodyMeasurements",
    "BodyView",
    "PictureFit",
    "Scale",
    "SizeAdvice",
    "ZoneFit",
    "body_turn_deg",
    "ellipse_perimeter",
    "estimate_measurements",
    "garment_size_chart",
    "picture_fit",
    "recommend_size",
    "scale_from_height",
    "scale_from_proportions",
    "shoulder_width_cm",
]
