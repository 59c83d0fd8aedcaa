"""The live try-on session: one tracked person, one garment at a time, frame after frame.

(Over 500 lines, about 600: :class:`LiveSession` is the one place that orders a frame's steps; each
step itself lives in the modules named below.)

A frame is dressed by the same function as a photo (:func:`fitroom.dressing.dress`); what live
adds is what a stream needs: a smaller working copy of each frame
(:mod:`~fitroom.live.working_copy`), the last good pose held through a pose model's lapse
(:mod:`~fitroom.live.pose_hold`), the garment's print at the frame's own size on a frame
dressed on that copy (:mod:`~fitroom.live.garment_detail`), smoothing over time
(:mod:`~fitroom.live.smoothing`, passed to the dressing as a
:class:`~fitroom.dressing.core.DressingStream`) and scheduling on two cores
(:mod:`~fitroom.live.scheduling`). :meth:`LiveSession.process_frame` dresses one frame
synchronously (perceive → dress); :meth:`LiveSession.run` runs a whole stream.

A frame's latency is its perception plus its dressing, one after the other. A camera's frame
usually arrives after the one before was dressed: both cores are idle then, and the pose and
selfie models run on two threads (``burst_threads``; the pose model in 8 ms instead of 14). A
frame that arrives while the one before is still being dressed runs the selfie model first, on
the free core, and waits for a dressing about to end (:data:`BURST_WAIT_MS`) rather than
sharing the cores — so one slow frame does not push the next ones into sharing too. On the
close-up clip this took the camera-paced median latency from about 41 ms to about 27.

(Over 500 lines: what stands alone is in the modules named above; what stays is the session's
state and its one per-frame flow — working copy, pose hold, a tracking lapse, the dressing call
and its smoothing hooks — which reads best in one place.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.dressing.core import DressOptions, dress
from fitroom.dressing.fit import PreparedGarments
from fitroom.errors import InputError, PersonNotUsable, UnsupportedGarment
from fitroom.fitting import TORSO_POINTS, BodyAnchors
from fitroom.fitting.fitted import FittedGarment
from fitroom.fitting.garment_fit import size_ease
from fitroom.garments.core import Garment
from fitroom.imaging.decode import ensure_rgb
from fitroom.live.garment_detail import add_garment_detail, torso_at_size
from fitroom.live.pose_hold import PoseHold
from fitroom.live.scenes import fit_background, replace_background, scene_image
from fitroom.live.scheduling import LiveStats, run_stream
from fitroom.live.smoothing import AnchorSmoother, LineSmoother
from fitroom.live.working_copy import (
    WORK_AREA_ALPHA,
    WORK_LONG_SIDE,
    WORK_PERSON_PIXELS,
    upsample_changes,
    upscaled_box,
    working_side,
    working_view,
)
from fitroom.vision.core import Pose
from fitroom.vision.perception import Perceiver, Perception

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Threads of the pose model while no frame is being dressed (see :meth:`LiveSession.perceive`).
BURST_THREADS = 2
#: Perception waits for a dressing that should end within this many milliseconds (see
#: :meth:`LiveSession.perceive`): about what the second thread saves the pose model.
BURST_WAIT_MS = 10.0
#: ... and up to this much longer than expected.
BURST_WAIT_SLACK_S = 0.002
#: After a frame whose pose photo mode would refuse, the old garment is left as it is for this
#: many milliseconds (see :meth:`LiveSession._pose_unsure`).
KEEP_OLD_HOLD_MS = 500
#: Weight of a new frame's dressing time in the smoothed one.
DRESS_MS_ALPHA = 0.2
#: A frame on which perception finds nobody within this many milliseconds of the last dressed
#: frame shows that frame again (see :meth:`LiveSession._lapse`).
LAPSE_HOLD_MS = 100


@dataclass(frozen=True)
class LiveOptions:
    """How a live session dresses frames.

    Attributes:
        size: garment size label (XXS … XXL), None = M.
        background: None (keep the camera's), a scene name from :data:`fitroom.live.SCENES`,
            or an RGB uint8 (H, W, 3) image (scaled to cover the frame).
        tuck: as in photo mode (:class:`fitroom.tryon.TryOnOptions`): None tucks a top in at
            the waistband of the trousers or skirt the person wears when one is seen (the line
            is smoothed over the stream), True just above the hips, False never.
    """

    size: str | None = None
    background: str | ByteArray | None = field(default=None, repr=False, compare=False)
    tuck: bool | None = None

    def __post_init__(self) -> None:
        size_ease(self.size)  # refuses an unknown size label now, not at render time

    @property
    def ease(self) -> float:
        """Garment width over the measured body width."""
        return size_ease(self.size)


@dataclass(frozen=True)
class LiveFrame:
    """One output frame of a live session.

    Attributes:
        image: uint8 (H, W, 3) RGB, the input frame's size: the dressed frame, or for a dropped
            frame the last dressed frame (the raw frame before any was dressed).
        timestamp_ms: the input frame's timestamp.
        dropped: True when this frame was deliberately skipped to keep latency bounded.
        garment_visible: a garment was drawn on this frame.
        garment_area: share of the frame's pixels the drawn garments cover (0 when none): a
            jump from one frame to the next while the person stays in view is a flicker.
        person_found: perception tracked a person on this frame.
        anchor_points: float32 (K, 2) where the garment's torso landmarks were pinned
            (:data:`fitroom.fitting.TORSO_POINTS` order), (0, 2) when no garment was drawn.
        timings_ms: wall milliseconds per stage; ``latency`` (frame in → dressed frame out) in
            :meth:`LiveSession.run`.
        pose: the tracked pose (for gestures), or None.
        pose_threads: threads the pose model ran on for this frame in :meth:`LiveSession.run`
            (more while no other frame was being dressed); 0 elsewhere.
    """

    image: ByteArray
    timestamp_ms: int
    dropped: bool = False
    garment_visible: bool = False
    garment_area: float = 0.0
    person_found: bool = False
    anchor_points: FloatArray = field(
        default_factory=lambda: np.zeros((0, 2), np.float32), repr=False
    )
    timings_ms: dict[str, float] = field(default_factory=dict, hash=False)
    pose: Pose | None = field(default=None, repr=False, hash=False)
    pose_threads: int = 0

    def __post_init__(self) -> None:
        if self.image.dtype != np.uint8 or self.image.ndim != 3 or self.image.shape[2] != 3:
            raise ValueError(
                f"LiveFrame.image: expected uint8 (H, W, 3), got {self.image.dtype} "
                f"{self.image.shape}"
            )
        if self.anchor_points.ndim != 2 or self.anchor_points.shape[1] != 2:
            raise ValueError(
                f"LiveFrame.anchor_points: expected (K, 2), got {self.anchor_points.shape}"
            )


class LiveSession(Closeable):
    """A live try-on session (a context manager; ``close()`` frees the models).

    Args:
        garments: the garments to switch between (at least one).
        options: size and background.
        num_threads: CPU threads for the perception models. 1 (the default) suits
            :meth:`run` on two cores: perception runs on one while the frame before is dressed
            on the other (two model threads made run() slower here: 26–31 against 35–36 fps
            on the OpenPose clip under load, 44 against 49 fps on a quieter machine).
        perceiver: an existing stream-mode perceiver to use (it is not closed by the session);
            None loads one (pose and mask, the two models overlapped; the body-part map is
            made while dressing; no face analysis).
        work_long_side: frames whose long side is larger are dressed on a copy scaled to it
            and only the changed pixels are scaled back (:func:`upsample_changes`); None
            dresses at full size. The perception always sees the full frame.
        work_person_pixels: the copy is made smaller still (to no less than
            :data:`MIN_WORK_LONG_SIDE`, in steps of :data:`WORK_SIDE_STEP`) when the person's
            box would cover more pixels than this on it; None keeps ``work_long_side``.

    >>> with LiveSession([garment]) as session:               # doctest: +SKIP
    ...     out = session.process_frame(frame, timestamp_ms=0)
    """

    def __init__(
        self,
        garments: Sequence[Garment],
        options: LiveOptions | None = None,
        *,
        num_threads: int = 1,
        perceiver: Perceiver | None = None,
        work_long_side: int | None = WORK_LONG_SIDE,
        work_person_pixels: int | None = WORK_PERSON_PIXELS,
        burst_threads: int | None = BURST_THREADS,
    ) -> None:
        if not garments:
            raise InputError("give at least one garment for the live session")
        self._garments = list(garments)
        self._index = 0
        self.options = options or LiveOptions()
        self._own_perceiver = perceiver is None
        # The body-part map is made in the dressing stage (see render): it balances the two
        # stages of run(), the models' ~20 ms against the dressing's ~10 ms.
        self._perceiver = perceiver or Perceiver(
            num_threads=num_threads,
            faces=False,
            parts=False,
            max_people=1,
            overlap_models=True,
            burst_threads=burst_threads,
        )
        # Set while no frame is being dressed: perception may then use the other core too.
        self._dress_idle = threading.Event()
        self._dress_idle.set()
        self._dress_started = 0.0  # perf_counter() when the current dressing began
        self._dress_ms: float | None = None  # dressing wall time, smoothed
        if work_long_side is not None and work_long_side < 64:
            raise InputError(f"work_long_side must be at least 64 pixels, got {work_long_side}")
        self.work_long_side = work_long_side
        if work_person_pixels is not None and work_person_pixels < 64 * 64:
            raise InputError(
                f"work_person_pixels must be at least {64 * 64}, got {work_person_pixels}"
            )
        self.work_person_pixels = work_person_pixels
        self._work_side: int | None = None  # the copy's long side now (see _working_side)
        self._person_area: float | None = None  # the person's box area (px), smoothed
        self._work_size: tuple[int, int] | None = None  # the last copy's (width, height)
        self._smoother = AnchorSmoother()
        self._waist = LineSmoother()
        self._hold = PoseHold()
        self._unsure_ms: int | None = None  # when the pose last looked unreliable
        # Every garment of the session stays prepared (switching back costs nothing).
        self._prepared = PreparedGarments(capacity=None)
        self._background_key: tuple[int, int] | None = None
        self._background: ByteArray | None = None
        self._last_output: ByteArray | None = None
        self._last_drawn: LiveFrame | None = None  # the last frame with a garment drawn
        self._lock = threading.Lock()

    # -- garments -----------------------------------------------------------------------------

    @property
    def garments(self) -> tuple[Garment, ...]:
        """The garments of the session."""
        return tuple(self._garments)

    @property
    def garment_index(self) -> int:
        """Index of the garment being worn."""
        return self._index

    def select(self, index: int) -> None:
        """Wear garment ``index`` (wraps around, so -1 is the last)."""
        with self._lock:
            self._index = index % len(self._garments)

    def next_garment(self) -> None:
        """Wear the next garment."""
        self.select(self._index + 1)

    def previous_garment(self) -> None:
        """Wear the previous garment."""
        self.select(self._index - 1)

    def set_options(self, options: LiveOptions) -> None:
        """Change size or background from the next frame on."""
        with self._lock:
            self.options = options
            self._background_key = None

    # -- one frame ------------------------------------------------------------------------------

    def perceive(
        self, frame: ByteArray, timestamp_ms: int, *, prefer_latency: bool = False
    ) -> Perception:
        """Track the person on ``frame`` (RGB uint8 (H, W, 3)); timestamps must increase.

        While no frame is being dressed (a camera's frame arrives after the previous one was
        finished), the pose model runs on ``burst_threads`` threads. With ``prefer_latency``
        (a camera: each frame should be out soon, the throughput is the camera's), while a
        frame is being dressed the selfie model runs first, on the core the dressing leaves,
        and then a dressing about to finish (:data:`BURST_WAIT_MS`) is waited for, so that the
        pose model gets both cores: otherwise a pipeline whose frame takes a little over the
        camera's period would stay in the slow regime where every perception shares the cores
        with a dressing.
        """
        idle = self._dress_idle
        selfie = None
        if prefer_latency and not idle.is_set() and self._dress_ms is not None:
            selfie = self._perceiver.segmenter.selfie_probability(frame)
            left_ms = self._dress_ms - (time.perf_counter() - self._dress_started) * 1e3
            if left_ms <= BURST_WAIT_MS:
                idle.wait(max(left_ms, 0.0) * 1e-3 + BURST_WAIT_SLACK_S)
        return self._perceiver.process_frame(
            frame, timestamp_ms, spare_core=idle.is_set(), selfie=selfie
        )

    def render(self, frame: ByteArray, perception: Perception, timestamp_ms: int) -> LiveFrame:
        """Dress ``frame`` given its perception (the second half of :meth:`process_frame`).

        The body-part map, the fit and the render run on the frame scaled to the working size
        (``work_long_side``); only what they changed is scaled back up and blended into the
        full-resolution frame, so the rest of the picture (face, hands, background) keeps its
        full detail.
        """
        self._dress_started = start = time.perf_counter()
        self._dress_idle.clear()
        try:
            return self._render(frame, perception, timestamp_ms)
        finally:
            self._dress_idle.set()
            took = (time.perf_counter() - start) * 1e3
            last = self._dress_ms
            self._dress_ms = took if last is None else last + DRESS_MS_ALPHA * (took - last)

    def _render(self, frame: ByteArray, perception: Perception, timestamp_ms: int) -> LiveFrame:
        with self._lock:
            garment = self._garments[self._index]
            options = self.options
        h, w = frame.shape[:2]
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        out = frame
        alpha: FloatArray | None = None
        points = np.zeros((0, 2), np.float32)
        person = perception.people[0] if perception.people else None
        pose = None if person is None else person.pose
        visible = False
        area = 0.0
        held = None
        if person is not None:
            # (The copy's size follows the person's box on every frame, drawn or not.)
            side = self._working_side(max(h, w), person.bbox)
            # The pose to dress with: the last good one while the pose model has lost the
            # upper body (see fitroom.live.pose_hold); before any looked right, the frame's own
            # with its shoulders spread to the body, or None.
            held = self._hold(person.pose, perception.mask.mask, timestamp_ms)
            if self._hold.spread and garment.category == "lower":
                # (Shoulders spread to the body say nothing of the legs: on the close-up
                # clip's first frames, a person walking in side-on, trousers fitted to the
                # pose model's legs were drawn as ribbons.)
                held = None
        if person is not None and held is not None:
            person = replace(person, pose=held)
            work, work_mask, parts, sx, sy = working_view(frame, perception.mask, person, side)
            timings["parts"] = (time.perf_counter() - t0) * 1e3
            wh, ww = work.shape[:2]
            if self._work_size is not None and self._work_size != (ww, wh):
                # The same view on a copy of another size: keep the smoothing (no jump).
                self._smoother.rescale((ww, wh))
                self._waist.rescale(ww, wh / self._work_size[1])
            self._work_size = (ww, wh)
            try:
                dressed = dress(
                    work,
                    person.pose.scaled(sx, sy),
                    parts,
                    work_mask,
                    [garment],
                    DressOptions(ease=options.ease, tuck=options.tuck),
                    self._prepared,
                    stream=_FrameSmoothing(self, timestamp_ms, keep_old=self._hold.spread),
                )
            except (PersonNotUsable, UnsupportedGarment):
                self._smoother.reset()
                self._waist.reset()
                dressed = None
            timings["fit"] = (time.perf_counter() - t0) * 1e3 - timings["parts"]
            if dressed is not None and dressed.fitted[0].layers:
                fitted = dressed.fitted[0]
                timings.update(dressed.timings_ms)
                alpha = dressed.visible_masks[0]
                visible = bool(alpha.max() > 0.5)
                covered = np.zeros(alpha.shape, bool)
                for mask in dressed.visible_masks:
                    covered |= mask > 0.5
                area = float(covered.mean())
                if work is not frame:
                    out = upsample_changes(frame, work, dressed.image)
                    t3 = time.perf_counter()
                    self._add_detail(out, garment, fitted, alpha, (ww, wh))
                    timings["detail"] = (time.perf_counter() - t3) * 1e3
                    if options.background is not None:
                        # (Only the background replacement needs the coverage at full size.)
                        alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
                else:
                    out = dressed.image
                names = [n for n in TORSO_POINTS if n in fitted.targets]
                points = np.array([fitted.targets[n] for n in names], np.float32).reshape(-1, 2)
                points /= np.array([sx, sy], np.float32)
        elif person is None:
            lapse = self._lapse(frame, timestamp_ms)
            if lapse is not None:
                lapse.timings_ms["dress"] = (time.perf_counter() - t0) * 1e3
                return lapse
            self._smoother.reset()
            self._waist.reset()
            self._hold.reset()
        if options.background is not None:
            t2 = time.perf_counter()
            person_alpha = perception.mask.mask
            if alpha is not None:
                person_alpha = np.maximum(person_alpha, alpha)
            out = replace_background(out, person_alpha, self._background_for(options, (w, h)))
            timings["background"] = (time.perf_counter() - t2) * 1e3
        timings["dress"] = (time.perf_counter() - t0) * 1e3
        if out is frame:
            out = frame.copy()
        self._last_output = out
        result = LiveFrame(
            image=out,
            timestamp_ms=timestamp_ms,
            garment_visible=visible,
            garment_area=area,
            person_found=person is not None,
            anchor_points=points,
            timings_ms=timings,
            pose=pose,
        )
        if visible:
            self._last_drawn = result
        return result

    def _add_detail(
        self,
        out: ByteArray,
        garment: Garment,
        fitted: FittedGarment,
        visible: FloatArray,
        work_size: tuple[int, int],
    ) -> None:
        """The print and weave of a top's or dress's torso panel at the frame's size, on a
        frame dressed on a smaller copy (see :mod:`~fitroom.live.garment_detail`)."""
        if garment.category == "lower":
            return
        h, w = out.shape[:2]
        scale = (w / work_size[0], h / work_size[1])
        torso = torso_at_size(fitted, garment, self._prepared, scale, (w, h))
        if torso is None:
            return
        # (Not under the sleeves drawn over the panel: their own detail is not laid again.)
        shown = np.zeros((work_size[1], work_size[0]), np.float32)
        for layer in fitted.layers:
            x0, y0, x1, y1 = layer.box
            if layer.part == "torso":
                np.maximum(shown[y0:y1, x0:x1], 1.0, out=shown[y0:y1, x0:x1])
        for layer in fitted.layers:
            x0, y0, x1, y1 = layer.box
            if layer.part != "torso":
                shown[y0:y1, x0:x1] *= 1.0 - np.minimum(layer.rgba[..., 3], 1.0)
        shown *= visible
        # (Scaled up only in the panel's box, the only place it is read; np.zeros leaves the
        # rest of the frame-sized array untouched, its pages never faulted in.)
        x0, y0, x1, y1 = torso.box
        full = np.zeros((h, w), np.float32)
        full[y0:y1, x0:x1] = upscaled_box(shown, (w, h), torso.box)
        add_garment_detail(out, [torso], full, work_size)

    def _lapse(self, frame: ByteArray, timestamp_ms: int) -> LiveFrame | None:
        """The output for a frame on which perception found nobody just after a dressed frame
        (within :data:`LAPSE_HOLD_MS`): that dressed frame again, and the smoothing kept.

        The tracker loses a person now and then for a single frame (the close-up clip's frame
        10, while she walks in), and the detector finds them again on the next: shown as it
        came, that frame blinked the garment off and on. None when the lapse is longer (the
        person has gone) or nothing was dressed before.
        """
        last = self._last_drawn
        if last is None or last.image.shape != frame.shape:
            return None
        if not 0 <= timestamp_ms - last.timestamp_ms <= LAPSE_HOLD_MS:
            return None
        self._last_output = last.image
        return replace(
            last, timestamp_ms=timestamp_ms, person_found=False, pose=None, timings_ms={}
        )

    def _keep_old(self, unreliable_pose: bool, timestamp_ms: int) -> bool:
        """Whether the old garment should be left as it is on this frame.

        A pose that photo mode would refuse (:func:`fitroom.tryon.check_pose_outline`: the
        shoulders well inside the body's outline — a person turned sideways, or the pose model
        losing a head-cropped upper body) still gets the garment in a stream, so it does not
        blink out, but repainting the old garment around it from that pose paints skin bands
        where no arm is. Held for :data:`KEEP_OLD_HOLD_MS` after the last such frame, so the
        old garment does not flicker in and out.
        """
        if unreliable_pose:
            self._unsure_ms = timestamp_ms
        last = self._unsure_ms
        return last is not None and timestamp_ms - last <= KEEP_OLD_HOLD_MS

    def _working_side(self, long_side: int, bbox: tuple[float, float, float, float]) -> int | None:
        """The working copy's long side for a frame with this long side and person box."""
        cap = self.work_long_side
        if cap is None or self.work_person_pixels is None:
            return cap
        x0, y0, x1, y1 = bbox
        area = max(1.0, (x1 - x0) * (y1 - y0))
        # The box's area, smoothed: arms swinging out and back do not resize the copy.
        last = self._person_area
        area = area if last is None else last + WORK_AREA_ALPHA * (area - last)
        self._person_area = area
        self._work_side = working_side(
            long_side, area, self.work_person_pixels, cap=cap, now=self._work_side
        )
        return self._work_side

    def _background_for(self, options: LiveOptions, size: tuple[int, int]) -> ByteArray:
        if self._background is None or self._background_key != size:
            bg = options.background
            if isinstance(bg, str):
                self._background = scene_image(bg, size)
            elif bg is not None:
                self._background = fit_background(bg, size)
            self._background_key = size
        assert self._background is not None
        return self._background

    def process_frame(self, frame: ByteArray, timestamp_ms: int) -> LiveFrame:
        """Dress one frame (RGB uint8 (H, W, 3)); timestamps must increase over the stream."""
        frame = ensure_rgb(frame, "frame")
        t0 = time.perf_counter()
        perception = self.perceive(frame, timestamp_ms)
        t1 = time.perf_counter()
        result = self.render(frame, perception, timestamp_ms)
        result.timings_ms["perception"] = (t1 - t0) * 1e3
        result.timings_ms["total"] = (time.perf_counter() - t0) * 1e3
        return result

    def dropped_frame(self, frame: ByteArray, timestamp_ms: int) -> LiveFrame:
        """The output for a frame skipped to keep up: the last dressed frame, marked dropped."""
        last = self._last_output
        image = last if last is not None and last.shape == frame.shape else frame
        return LiveFrame(image=image, timestamp_ms=timestamp_ms, dropped=True)

    def reset(self) -> None:
        """Forget the tracked person and the smoothing history (a new stream starts)."""
        self._perceiver.reset()
        self._smoother.reset()
        self._waist.reset()
        self._hold.reset()
        self._unsure_ms = None
        self._last_output = None
        self._last_drawn = None
        self._work_side = None
        self._work_size = None
        self._person_area = None

    # -- a whole stream ---------------------------------------------------------------------------

    def run(
        self,
        source: Iterable[tuple[ByteArray, int]],
        sink: Callable[[LiveFrame], None],
        *,
        realtime: bool = False,
    ) -> LiveStats:
        """Dress a stream of ``(frame, timestamp_ms)`` pairs on three threads; ``sink`` gets
        every frame in order (dressed or dropped), on the calling thread.

        Args:
            source: frames (RGB uint8 (H, W, 3)) with increasing timestamps.
            sink: called once per source frame, in order.
            realtime: the source does not wait (a camera): a frame arriving while the previous
                one is still waiting for perception replaces it and is dropped, and so does a
                perceived frame still waiting when a newer one is perceived. False (a file):
                the reader waits, nothing is dropped.

        ``timings_ms`` of a dressed frame add ``wait_in`` (before perception), ``wait_mid``
        (between perception and dressing), ``latency`` (frame in → dressed frame out),
        ``perception_cpu`` and ``dress_cpu`` (CPU time of the stage's own thread: wall time far
        above it is time the stage waited for a core), and ``pose_detect`` (the person detector's
        time, 0 on a frame that was tracked).

        What is alive when the stream starts (models, prepared garments, imported modules) is
        moved out of the garbage collector's sight for the stream (``gc.freeze``): a full
        collection then walks only the objects made since, not tens of thousands of old ones
        (a pause of tens of milliseconds, once every few hundred frames).
        """
        return run_stream(self, source, sink, realtime=realtime)

    def close(self) -> None:
        """Release the models (when the session loaded them) and the prepared garments."""
        self._prepared.clear()
        if self._own_perceiver:
            self._perceiver.close()


class _FrameSmoothing:
    """A session's smoothing over time for one frame (a
    :class:`~fitroom.dressing.core.DressingStream`)."""

    def __init__(self, session: LiveSession, timestamp_ms: int, *, keep_old: bool = False) -> None:
        self._session = session
        self._timestamp_ms = timestamp_ms
        # (A pose spread to the body, see PoseHold: its arms are the pose model's lost ones,
        # and the old garment removed around them painted skin on the skirt. Not held on
        # after, as an unreliable pose is: the first good pose takes over at once.)
        self._keep_old = keep_old
        self._scale: float | None = None  # the smoothed shoulder width, once known

    def keep_old_garment(self, unreliable_pose: bool) -> bool:
        keep = self._session._keep_old(unreliable_pose, self._timestamp_ms)
        return keep or self._keep_old

    def smooth_anchors(self, anchors: BodyAnchors) -> BodyAnchors:
        smoothed = self._session._smoother(anchors, self._timestamp_ms)
        self._scale = smoothed.shoulder_width
        return smoothed

    def smooth_waistband(self, line: FloatArray | None) -> FloatArray | None:
        # (Moves limited to a share of the body's size: the hem slides, see LineSmoother.)
        return self._session._waist(line, self._timestamp_ms, self._scale)

    def waistband_unused(self) -> None:
        self._session._waist.reset()


__all__ = ["LiveFrame", "LiveOptions", "LiveSession", "LiveStats"]
