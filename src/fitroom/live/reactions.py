"""Consented reactions in the live fitting room: expression probabilities on some frames.

Only when the shopper asks for it (the live page's consent box sets ``"reactions": true`` in the
frame header) does the socket read the shopper's expression, on one frame in
:data:`EXPRESSION_EVERY`, and reply with the classifier's seven probabilities — numbers only; no
face crop leaves this module. The page collects them per garment and posts them to
``/api/v1/reactions``, which stores their summary (:mod:`fitroom.reactions`).

The face box is taken from the head landmarks the live pose already has (nose, eyes, ears,
mouth), not from the face detector: on the 43 faces of ../shared/data (persons, faces, the
astronaut) where both exist, the expression read in the pose box had the detector box's top class
on 37, and on the 28 labelled faces the two were as accurate (14 against 15 right), while the
expression alone costs about 1 ms and the detector on the head crop 6-7 ms more.

>>> with LiveExpressions() as reader:                              # doctest: +SKIP
...     probabilities = reader.read(frame, perception)             # None on skipped frames
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.errors import InputError
from fitroom.vision.core import Expression, Pose
from fitroom.vision.face import Box, FaceAnalyzer, landmarks_seen
from fitroom.vision.landmarks import PoseLandmark
from fitroom.vision.perception import Perception

ByteArray = npt.NDArray[np.uint8]

#: Read the expression on one frame in this many (the first frame asked for is read).
EXPRESSION_EVERY = 5

# The face detector's box side over three head measures of the pose, and where its centre lies:
# medians over the 43 shared faces above (10th-90th percentiles 1.17-1.46, 2.14-2.77 and
# 2.15-2.58). The median of the three estimates survives one measure shrinking as the head turns.
#: Box side over the distance between the ears.
SIDE_OVER_EAR_GAP = 1.29
#: Box side over the distance between the eyes.
SIDE_OVER_EYE_GAP = 2.39
#: Box side over the distance from the eyes' midpoint to the mouth's.
SIDE_OVER_EYE_MOUTH = 2.34
#: The box centre lies this share of the side above the midpoint of eyes and mouth.
CENTRE_RAISE = 0.028

#: A head landmark counts when its visibility reaches this and it lies inside the frame.
MIN_VISIBILITY = 0.5
#: Smallest face box side (pixels) worth reading: the classifier saw 48-pixel faces.
MIN_FACE_SIDE = 24.0

_REQUIRED = (
    PoseLandmark.NOSE,
    PoseLandmark.LEFT_EYE,
    PoseLandmark.RIGHT_EYE,
    PoseLandmark.MOUTH_LEFT,
    PoseLandmark.MOUTH_RIGHT,
)


def face_box_from_pose(pose: Pose, image_shape: tuple[int, ...]) -> Box | None:
    """A face-detector-like square box ``(x0, y0, x1, y1)`` in pixels from the pose's head.

    None when the nose, an eye or a mouth corner is unseen or outside the image (a head turned
    away or cropped), or when the face would be smaller than :data:`MIN_FACE_SIDE`.
    """
    if not landmarks_seen(pose, _REQUIRED, image_shape, MIN_VISIBILITY):
        return None
    lms = pose.landmarks
    eyes = (lms[PoseLandmark.LEFT_EYE, :2] + lms[PoseLandmark.RIGHT_EYE, :2]) / 2
    mouth = (lms[PoseLandmark.MOUTH_LEFT, :2] + lms[PoseLandmark.MOUTH_RIGHT, :2]) / 2
    estimates = [
        SIDE_OVER_EYE_GAP
        * float(np.linalg.norm(lms[PoseLandmark.LEFT_EYE, :2] - lms[PoseLandmark.RIGHT_EYE, :2])),
        SIDE_OVER_EYE_MOUTH * float(np.linalg.norm(mouth - eyes)),
    ]
    ears = lms[[PoseLandmark.LEFT_EAR, PoseLandmark.RIGHT_EAR]]
    if bool(np.all(ears[:, 3] >= MIN_VISIBILITY)):
        estimates.append(SIDE_OVER_EAR_GAP * float(np.linalg.norm(ears[0, :2] - ears[1, :2])))
    side = float(np.median(estimates))
    if side < MIN_FACE_SIDE:
        return None
    cx = float(eyes[0] + mouth[0]) / 2
    cy = float(eyes[1] + mouth[1]) / 2 - CENTRE_RAISE * side
    half = side / 2
    return cx - half, cy - half, cx + half, cy + half


class LiveExpressions(Closeable):
    """Reads one live shopper's expression on every :data:`EXPRESSION_EVERY`-th frame.

    The classifier is loaded on the first frame read, so a connection that never asks for
    reactions loads nothing. Not thread-safe: one reader per connection, called from one stage.

    Args:
        every: read one frame in this many (≥ 1).
        num_threads: CPU threads of the expression model.
    """

    def __init__(self, *, every: int = EXPRESSION_EVERY, num_threads: int = 1) -> None:
        if every < 1:
            raise InputError(f"every must be at least 1, got {every}")
        self.every = every
        self.num_threads = num_threads
        self._faces: FaceAnalyzer | None = None
        self._count = 0
        #: Milliseconds the last :meth:`read` spent (0 on a skipped frame).
        self.last_ms = 0.0

    def read(self, frame: ByteArray, perception: Perception) -> Expression | None:
        """The expression on this frame when it is one to read and a face is seen, else None."""
        self.last_ms = 0.0
        due = self._count % self.every == 0
        self._count += 1
        if not due or not perception.people:
            return None
        start = time.perf_counter()
        box = face_box_from_pose(perception.people[0].pose, frame.shape)
        if box is None:
            self.last_ms = (time.perf_counter() - start) * 1e3
            return None
        if self._faces is None:
            self._faces = FaceAnalyzer(num_threads=self.num_threads, with_landmarks=False)
        expression = self._faces.classify_expression(frame, box)
        self.last_ms = (time.perf_counter() - start) * 1e3
        return expression

    def close(self) -> None:
        """Release the expression model (if it was loaded)."""
        if self._faces is not None:
            self._faces.close()
            self._faces = None


__all__ = [
    "EXPRESSION_EVERY",
    "LiveExpressions",
    "face_box_from_pose",
]
