"""Garment ingestion: from an ordinary product photo to a try-on-ready :class:`Garment`.

>>> from fitroom.garments import ingest_garment, save_garment, load_garment  # doctest: +SKIP
>>> garment = ingest_garment("tee.jpg")                                      # doctest: +SKIP
>>> garment.category, garment.landmarks["shoulder_left"]                     # doctest: +SKIP
"""

from fitroom.garments.core import (
    LOWER_LANDMARKS,
    UPPER_LANDMARKS,
    Garment,
    GarmentFeatures,
    GarmentLandmarks,
    GarmentPart,
    PaletteColour,
    Provenance,
    SizeChart,
    SizeRange,
    landmark_names,
)
from fitroom.garments.cutout import Cutout, cut_out
from fitroom.garments.ingest import ingest_garment, parse_size_chart
from fitroom.garments.package import load_garment, load_garment_bytes, save_garment

__all__ = [
    "LOWER_LANDMARKS",
    "UPPER_LANDMARKS",
    "Cutout",
    "Garment",
    "GarmentFeatures",
    "GarmentLandmarks",
    "GarmentPart",
    "PaletteColour",
    "Provenance",
    "SizeChart",
    "SizeRange",
    "cut_out",
    "ingest_garment",
    "landmark_names",
    "load_garment",
    "load_garment_bytes",
    "parse_size_chart",
    "save_garment",
]
