"""The whole perception stage: pose, person mask, body parts and face for a photo or a frame.

:class:`Perceiver` holds the models (load once, reuse); :meth:`Perceiver.process` is the photo mode
(every person, detector on the whole image), :meth:`Perceiver.process_frame` the stream mode (one
person tracked from frame to frame, landmarks and mask smoothed over time).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import cv2
import numpy as np

from fitroom._closing import Closeable
from fitroom.imaging.decode import ensure_rgb
from fitroom.vision.core import BodyParts, Face, PersonMask, Pose
from fitroom.vision.face import FaceAnalyzer
from fitroom.vision.parts import body_parts
from fitroom.vision.pose import PoseLandmarker, PoseModel, single_person
from fitroom.vision.segmentation import PersonSegmenter


@dataclass(frozen=True)
class PersonAnalysis:
    """What perception found about one person.

    Attributes:
        pose: body landmarks.
        bbox: (x0, y0, x1, y1) in pixels, from the person's mask pixels and landmarks.
        face: the face, or None when the head is not visible or no face was found.
        parts: the body-part map of this person, or None when parts were not asked for.
    """

    pose: Pose
    bbox: tuple[float, float, float, float]
    face: Face | None = None
    parts: BodyParts | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Perception:
    """Perception of one image.

    Attributes:
        width, height: the image size in pixels.
        people: every person found, largest first.
        mask: the soft mask of all people, (H, W) float32 in [0, 1].
        timings_ms: wall milliseconds per stage.
    """

    width: int
    height: int
    people: tuple[PersonAnalysis, ...]
    mask: PersonMask = field(repr=False)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mask.mask.shape != (self.height, self.width):
            raise ValueError(
                f"Perception.mask: expected shape ({self.height}, {self.width}), "
                f"got {self.mask.mask.shape}"
            )

    def single(self) -> PersonAnalysis:
        """The one person in the image.

        Raises:
            NoPersonFound: nobody was found.
            MultiplePeople: more than one person was found.
        """
        single_person([person.pose for person in self.people])
        return self.people[0]


def _person_bbox(pose: Pose, mask: np.ndarray) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = pose.bbox(min_visibility=0.5)
    h, w = mask.shape
    # Widen the landmark box with the mask pixels near it (landmarks sit inside the silhouette).
    pad_x, pad_y = 0.25 * (x1 - x0) + 8, 0.15 * (y1 - y0) + 8
    bx0, by0 = max(0, int(x0 - pad_x)), max(0, int(y0 - pad_y))
    bx1, by1 = min(w, int(x1 + pad_x) + 1), min(h, int(y1 + pad_y) + 1)
    if bx1 > bx0 and by1 > by0:
        # (cv2.boundingRect: the box of the mask pixels, without listing them.)
        mx, my, mw, mh = cv2.boundingRect((mask[by0:by1, bx0:bx1] > 0.5).view(np.uint8))
        if mw and mh:
            x0 = min(x0, float(mx + bx0))
            x1 = max(x1, float(mx + mw - 1 + bx0))
            y0 = min(y0, float(my + by0))
            y1 = max(y1, float(my + mh - 1 + by0))
    return (max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1))


class Perceiver(Closeable):
    """Holds the perception models; a context manager (``close()`` frees them).

    Args:
        num_threads: CPU threads per model.
        faces: analyse faces (detector, mesh and, with ``expression``, expression).
        expression: with ``faces``, classify each face's expression (two runs of the
            expression model; ~1.5 ms per face on one core).
        parts: make each person's body-part map.
        max_people: most people found in photo mode.
        overlap_models: in stream mode, run the selfie-segmentation model on a helper thread
            while the pose model runs (the models release the GIL): a frame's perception then
            takes about the pose model's time, on a core that would otherwise wait. Same result.
        photo_pose_model: the pose landmark model of :meth:`process` (``"heavy"``: most
            accurate; see :class:`PoseLandmarker`).
        stream_pose_model: the pose landmark model of :meth:`process_frame` (``"full"``: fits a
            live frame's budget; see :class:`PoseLandmarker`).
        photo_pose_fallback: None (the default): in :meth:`process`, the lite model places the
            ROI and ``photo_pose_model`` reads it. A model: ``photo_pose_model`` runs three
            times, each on the ROI the previous answer implies, and this model only when the
            last two disagree (``photo_pose_model="full", photo_pose_fallback="heavy"``: ~17 ms
            less CPU per person, PCK@0.2 0.795; see ``photo_fallback_model`` of
            :class:`PoseLandmarker` for what it costs the try-on).

    >>> with Perceiver() as perceiver:                      # doctest: +SKIP
    ...     result = perceiver.process(rgb_photo)
    ...     person = result.single()
    """

    def __init__(
        self,
        *,
        num_threads: int = 2,
        faces: bool = True,
        expression: bool = True,
        parts: bool = True,
        max_people: int = 4,
        overlap_models: bool = False,
        burst_threads: int | None = None,
        photo_pose_model: PoseModel = "heavy",
        stream_pose_model: PoseModel = "full",
        photo_pose_fallback: PoseModel | None = None,
    ) -> None:
        self.with_faces = faces
        self.with_parts = parts
        self._burst_threads = burst_threads
        self.num_threads = num_threads
        #: Threads the pose model ran on in the last :meth:`process_frame`.
        self.last_pose_threads = num_threads
        # Stream mode: the selfie model on a second thread while the pose model runs (both
        # release the GIL), so a frame's perception takes about the pose model's time alone.
        self._helper = (
            ThreadPoolExecutor(1, thread_name_prefix="fitroom-selfie") if overlap_models else None
        )
        self.pose = PoseLandmarker(
            num_threads=num_threads,
            max_people=max_people,
            burst_threads=burst_threads,
            photo_model=photo_pose_model,
            stream_model=stream_pose_model,
            photo_roi_model="lite" if photo_pose_fallback is None else photo_pose_model,
            photo_roi_passes=1 if photo_pose_fallback is None else 2,
            photo_fallback_model=photo_pose_fallback,
        )
        self.segmenter = PersonSegmenter(num_threads=num_threads, burst_threads=burst_threads)
        self.face = (
            FaceAnalyzer(num_threads=num_threads, with_expression=expression) if faces else None
        )

    def process(self, image: np.ndarray) -> Perception:
        """Photo mode: find every person in an RGB ``uint8`` (H, W, 3) image."""
        image = ensure_rgb(image)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        poses = self.pose.process(image)
        timings["pose"] = (time.perf_counter() - t0) * 1e3
        return self._finish(image, poses, timings, stream_timestamp_ms=None)

    def process_frame(
        self,
        frame: np.ndarray,
        timestamp_ms: int,
        *,
        spare_core: bool = False,
        selfie: np.ndarray | None = None,
    ) -> Perception:
        """Stream mode: track one person across frames (timestamps must increase).

        Args:
            frame: RGB uint8 (H, W, 3).
            timestamp_ms: the frame's time, increasing.
            spare_core: the caller knows the other cores are idle for now: with
                ``burst_threads`` given, the pose model runs on that many threads, then the
                selfie model (after it rather than beside it). Same result.
            selfie: this frame's :meth:`PersonSegmenter.selfie_probability`, when the caller
                already ran it (e.g. on a core that was waiting anyway).
        """
        frame = ensure_rgb(frame, "frame")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        burst = spare_core and self._burst_threads is not None
        pending = None
        # A burst's pose model has both cores: the selfie model beside it would only make one
        # of its threads wait (after it, the two take 1-2 ms less on the OpenPose clip).
        if selfie is None and self._helper is not None and not burst:
            pending = self._helper.submit(self.segmenter.selfie_probability, frame)
        try:
            pose = self.pose.process_frame(frame, timestamp_ms, burst=burst)
        finally:
            ready = selfie if pending is None else pending.result()
        if ready is None and burst:
            ready = self.segmenter.selfie_probability(frame, burst=True)
        timings["pose"] = (time.perf_counter() - t0) * 1e3
        self.last_pose_threads = (
            self._burst_threads if burst and self._burst_threads else self.num_threads
        )
        return self._finish(
            frame, [] if pose is None else [pose], timings, timestamp_ms, selfie=ready
        )

    def _finish(
        self,
        image: np.ndarray,
        poses: list[Pose],
        timings: dict[str, float],
        stream_timestamp_ms: int | None,
        selfie: np.ndarray | None = None,
    ) -> Perception:
        h, w = image.shape[:2]
        t0 = time.perf_counter()
        if stream_timestamp_ms is None:
            mask = self.segmenter.segment(image, poses)
        else:
            mask = self.segmenter.segment_frame(
                image, poses[0] if poses else None, stream_timestamp_ms, selfie=selfie
            )
        timings["mask"] = (time.perf_counter() - t0) * 1e3
        people: list[PersonAnalysis] = []
        face_ms = parts_ms = 0.0
        for pose in poses:
            face = None
            if self.face is not None:
                t1 = time.perf_counter()
                face = self.face.analyze_person(image, pose)
                face_ms += (time.perf_counter() - t1) * 1e3
            parts = None
            if self.with_parts:
                t1 = time.perf_counter()
                own = (
                    pose.segmentation if len(poses) > 1 and pose.segmentation is not None else None
                )
                person_mask = PersonMask(np.minimum(mask.mask, own)) if own is not None else mask
                parts = body_parts(image, pose, person_mask, face)
                parts_ms += (time.perf_counter() - t1) * 1e3
            people.append(
                PersonAnalysis(
                    pose=pose, bbox=_person_bbox(pose, mask.mask), face=face, parts=parts
                )
            )
        if self.face is not None:
            timings["face"] = face_ms
        if self.with_parts:
            timings["parts"] = parts_ms
        timings["total"] = sum(timings.values())
        return Perception(width=w, height=h, people=tuple(people), mask=mask, timings_ms=timings)

    def reset(self) -> None:
        """Forget the tracked person (start of a new stream)."""
        self.pose.reset()

    def close(self) -> None:
        """Release the models."""
        if self._helper is not None:
            self._helper.shutdown(wait=True)
        self.pose.close()
        self.segmenter.close()
        if self.face is not None:
            self.face.close()


def perception_to_dict(perception: Perception) -> dict[str, object]:
    """The JSON-ready summary of a perception (the shape ``fitroom analyze --json`` writes).

    ``landmarks`` are 33 rows of ``[x, y, z, visibility, presence]`` in BlazePose order, pixels.
    """
    people: list[dict[str, object]] = []
    for person in perception.people:
        face: dict[str, object] | None = None
        if person.face is not None:
            face = {
                "box": [round(float(v), 2) for v in person.face.box],
                "score": round(person.face.score, 4),
                "expression": (
                    None
                    if person.face.expression is None
                    else {k: round(v, 4) for k, v in person.face.expression.as_dict().items()}
                ),
            }
        people.append(
            {
                "landmarks": [[round(float(v), 3) for v in row] for row in person.pose.landmarks],
                "world_landmarks": [
                    [round(float(v), 4) for v in row] for row in person.pose.world_landmarks
                ],
                "score": round(person.pose.score, 4),
                "bbox": [round(float(v), 2) for v in person.bbox],
                "face": face,
            }
        )
    return {
        "image": {"width": perception.width, "height": perception.height},
        "people": people,
        "timings_ms": {k: round(v, 2) for k, v in perception.timings_ms.items()},
    }


def annotate_perception(image: np.ndarray, perception: Perception) -> np.ndarray:
    """The analysis overlay: mask tint, body-part colours, skeleton, face box and expression."""
    from fitroom.vision.annotate import draw_box, draw_face, draw_mask, draw_parts, draw_pose

    out = draw_mask(image, perception.mask.mask, opacity=0.25)
    for person in perception.people:
        if person.parts is not None:
            out = draw_parts(out, person.parts, opacity=0.35)
    for person in perception.people:
        out = draw_box(out, person.bbox)
        out = draw_pose(out, person.pose)
        if person.face is not None:
            out = draw_face(out, person.face)
    return out
