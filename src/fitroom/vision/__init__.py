"""Perception: who is in the image, how they stand, where their body parts, face and skin are.

Results are frozen dataclasses in :mod:`fitroom.vision.core`; models are held by
:class:`PoseLandmarker`, :class:`PersonSegmenter`, :class:`FaceAnalyzer`, and all three together by
:class:`Perceiver`. Pure maths lives in the modules beside them.
"""

from fitroom.vision.core import (
    ARM_PARTS,
    EXPRESSIONS,
    HAND_PARTS,
    LEG_PARTS,
    PART_COLORS,
    BodyPart,
    BodyParts,
    Expression,
    Face,
    PersonMask,
    Pose,
    RotatedRect,
)
from fitroom.vision.face import FaceAnalyzer
from fitroom.vision.filters import OneEuroFilter
from fitroom.vision.landmarks import COCO17_FROM_BLAZEPOSE, POSE_CONNECTIONS, PoseLandmark
from fitroom.vision.parts import SkinModel, body_parts, fit_skin_model
from fitroom.vision.perception import (
    Perceiver,
    Perception,
    PersonAnalysis,
    annotate_perception,
    perception_to_dict,
)
from fitroom.vision.pose import PoseLandmarker, single_person
from fitroom.vision.segmentation import PersonSegmenter, guided_filter

__all__ = [
    "ARM_PARTS",
    "COCO17_FROM_BLAZEPOSE",
    "EXPRESSIONS",
    "HAND_PARTS",
    "LEG_PARTS",
    "PART_COLORS",
    "POSE_CONNECTIONS",
    "BodyPart",
    "BodyParts",
    "Expression",
    "Face",
    "FaceAnalyzer",
    "OneEuroFilter",
    "Perceiver",
    "Perception",
    "PersonAnalysis",
    "PersonMask",
    "PersonSegmenter",
    "Pose",
    "PoseLandmark",
    "PoseLandmarker",
    "RotatedRect",
    "SkinModel",
    "annotate_perception",
    "body_parts",
    "fit_skin_model",
    "guided_filter",
    "perception_to_dict",
    "single_person",
]
