"""The live try-on session: one tracked person, one garment at a time, frame after frame.

:meth:`LiveSession.process_frame` dresses one frame synchronously (perceive → fit → render).
:meth:`LiveSession.run` spreads a stream over both cores: a reader thread decodes frames, a
perception thread tracks the person (the models release the GIL), and the calling thread fits,
renders and hands each frame to the sink. Every hand-over holds at most one frame, so latency
stays bounded; with ``realtime=True`` (a camera) a frame that arrives while the previous one is
still waiting is dropped — reported, never queued.

What does not change between frames is prepared once per garment (the resized, premultiplied
part textures at a few scales); per frame only the thin-plate warps are evaluated on a coarse
grid and upsampled for ``cv2.remap``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.errors import InputError, PersonNotUsable, UnsupportedGarment
from fitroom.fitting import (
    TORSO_POINTS,
    BodyAnchors,
    FittedGarment,
    body_anchors,
    fit_upper,
    premultiplied_parts,
)
from fitroom.fitting.garment_fit import size_ease
from fitroom.fitting.lower_fit import fit_lower
from fitroom.garments.core import Garment, GarmentLandmarks
from fitroom.imaging.decode import ensure_rgb
from fitroom.live.scenes import fit_background, replace_background, scene_image
from fitroom.live.smoothing import AnchorSmoother
from fitroom.render.pipeline import render_fitted
from fitroom.tryon import check_person
from fitroom.vision import body_parts
from fitroom.vision.core import Pose
from fitroom.vision.perception import Perceiver, Perception

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: An arm's radius as a share of the shoulder-seam distance (as the photo mode uses).
ARM_RADIUS = 0.12
#: A thigh's radius as a share of the shoulder-seam distance.
LEG_RADIUS = 0.2


@dataclass(frozen=True)
class LiveOptions:
    """How a live session dresses frames.

    Attributes:
        size: garment size label (XXS … XXL), None = M.
        background: None (keep the camera's), a scene name from :data:`fitroom.live.SCENES`,
            or an RGB uint8 (H, W, 3) image (scaled to cover the frame).
    """

    size: str | None = None
    background: str | ByteArray | None = field(default=None, repr=False, compare=False)

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
        person_found: perception tracked a person on this frame.
        anchor_points: float32 (K, 2) where the garment's torso landmarks were pinned
            (:data:`fitroom.fitting.TORSO_POINTS` order), (0, 2) when no garment was drawn.
        timings_ms: wall milliseconds per stage; ``latency`` (frame in → dressed frame out) in
            :meth:`LiveSession.run`.
        pose: the tracked pose (for gestures), or None.
    """

    image: ByteArray
    timestamp_ms: int
    dropped: bool = False
    garment_visible: bool = False
    person_found: bool = False
    anchor_points: FloatArray = field(
        default_factory=lambda: np.zeros((0, 2), np.float32), repr=False
    )
    timings_ms: dict[str, float] = field(default_factory=dict, hash=False)
    pose: Pose | None = field(default=None, repr=False, hash=False)

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


@dataclass(frozen=True)
class LiveStats:
    """What :meth:`LiveSession.run` did.

    Attributes:
        frames: frames read from the source (dressed + dropped).
        dropped: frames skipped to keep latency bounded.
        lost: dressed frames with a person found but no garment drawn.
        seconds: wall time of the run.
        latencies_ms: per dressed frame, frame in → dressed frame out.
    """

    frames: int
    dropped: int
    lost: int
    seconds: float
    latencies_ms: tuple[float, ...] = field(repr=False)

    @property
    def fps(self) -> float:
        """Frames (dressed and dropped) per second of wall time."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile latency in ms (NaN when nothing was dressed)."""
        if not self.latencies_ms:
            return float("nan")
        return float(np.percentile(np.asarray(self.latencies_ms), q))

    def summary_line(self) -> str:
        """``LIVE frames=N dropped=N fps=F p50_ms=F p95_ms=F lost=N``."""
        return (
            f"LIVE frames={self.frames} dropped={self.dropped} fps={self.fps:.1f} "
            f"p50_ms={self.percentile_ms(50):.1f} p95_ms={self.percentile_ms(95):.1f} "
            f"lost={self.lost}"
        )


@dataclass
class _Item:
    frame: ByteArray
    timestamp_ms: int
    t_in: float
    dropped_before: list[tuple[ByteArray, int]]
    perception: Perception | None = None
    perceive_ms: float = 0.0


_END = object()


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
            None loads one (pose and mask; the body-part map is made while dressing; no face
            analysis).

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
            num_threads=num_threads, faces=False, parts=False, max_people=1
        )
        self._smoother = AnchorSmoother()
        self._prepared: dict[tuple[int, float], tuple[dict[str, FloatArray], GarmentLandmarks]] = {}
        self._background_key: tuple[int, int] | None = None
        self._background: ByteArray | None = None
        self._last_output: ByteArray | None = None
        self._last_ms: int | None = None
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

    def _prepare(
        self, garment: Garment, factor: float
    ) -> tuple[dict[str, FloatArray], GarmentLandmarks]:
        """Resized, premultiplied part textures of a garment at ``factor``, made once."""
        key = (id(garment), round(factor, 3))
        hit = self._prepared.get(key)
        if hit is None:
            cutout, part_map = garment.cutout, garment.parts
            if factor < 0.999:
                w, h = garment.size
                size = (max(2, round(w * factor)), max(2, round(h * factor)))
                cutout = cv2.resize(cutout, size, interpolation=cv2.INTER_AREA)
                part_map = cv2.resize(part_map, size, interpolation=cv2.INTER_NEAREST)
            hit = (premultiplied_parts(cutout, part_map), garment.landmarks.scaled(factor))
            self._prepared[key] = hit
        return hit

    # -- one frame ------------------------------------------------------------------------------

    def perceive(self, frame: ByteArray, timestamp_ms: int) -> Perception:
        """Track the person on ``frame`` (RGB uint8 (H, W, 3)); timestamps must increase."""
        return self._perceiver.process_frame(frame, timestamp_ms)

    def render(self, frame: ByteArray, perception: Perception, timestamp_ms: int) -> LiveFrame:
        """Dress ``frame`` given its perception (the second half of :meth:`process_frame`)."""
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
        parts = None
        if person is not None:
            parts = person.parts
            if parts is None:
                parts = body_parts(frame, person.pose, perception.mask, person.face)
                timings["parts"] = (time.perf_counter() - t0) * 1e3
        if person is not None and parts is not None:
            try:
                anchors = body_anchors(person.pose, parts, (w, h))
                anchors, _ = check_person(anchors)
                anchors = self._smoother(anchors, timestamp_ms)
                fitted = self._fit(garment, anchors, options.ease)
            except (PersonNotUsable, UnsupportedGarment):
                self._smoother.reset()
                fitted = None
            timings["fit"] = (time.perf_counter() - t0) * 1e3 - timings.get("parts", 0.0)
            if fitted is not None and fitted.layers:
                t1 = time.perf_counter()
                out, masks = render_fitted(
                    frame,
                    [fitted],
                    parts,
                    perception.mask.mask,
                    limbs=_limbs(anchors),
                )
                timings["render"] = (time.perf_counter() - t1) * 1e3
                visible = bool(masks[0].max() > 0.5)
                alpha = masks[0]
                names = [n for n in TORSO_POINTS if n in fitted.targets]
                points = np.array([fitted.targets[n] for n in names], np.float32).reshape(-1, 2)
        else:
            self._smoother.reset()
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
        return LiveFrame(
            image=out,
            timestamp_ms=timestamp_ms,
            garment_visible=visible,
            person_found=person is not None,
            anchor_points=points,
            timings_ms=timings,
            pose=pose,
        )

    def _fit(self, garment: Garment, anchors: BodyAnchors, ease: float) -> FittedGarment:
        if garment.category == "lower":
            return fit_lower(garment, anchors, ease, self._prepare)
        return fit_upper(garment, anchors, ease, self._prepare)

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
        self._last_output = None

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
                one is still waiting for perception replaces it and is dropped. False (a file):
                the reader waits, nothing is dropped.
        """
        inbox: _LatestSlot = _LatestSlot(realtime)
        middle: queue.Queue[object] = queue.Queue(maxsize=1)
        errors: list[BaseException] = []
        stop = threading.Event()

        def read() -> None:
            try:
                for frame, ts in source:
                    if stop.is_set():
                        break
                    inbox.put(_Item(ensure_rgb(frame, "frame"), int(ts), time.perf_counter(), []))
            except BaseException as exc:
                errors.append(exc)
            finally:
                inbox.close()

        def perceive() -> None:
            try:
                while True:
                    item = inbox.get()
                    if item is None:
                        break
                    t0 = time.perf_counter()
                    item.perception = self.perceive(item.frame, item.timestamp_ms)
                    item.perceive_ms = (time.perf_counter() - t0) * 1e3
                    _put(middle, item, stop)
            except BaseException as exc:
                errors.append(exc)
            finally:
                _put(middle, _END, stop)
                inbox.drain()

        reader = threading.Thread(target=read, name="fitroom-live-read", daemon=True)
        perceiver = threading.Thread(target=perceive, name="fitroom-live-perceive", daemon=True)
        frames = dropped = lost = 0
        latencies: list[float] = []
        start = time.perf_counter()
        reader.start()
        perceiver.start()
        try:
            while True:
                got = middle.get()
                if got is _END:
                    break
                assert isinstance(got, _Item) and got.perception is not None
                for frame, ts in got.dropped_before:
                    frames += 1
                    dropped += 1
                    sink(self.dropped_frame(frame, ts))
                result = self.render(got.frame, got.perception, got.timestamp_ms)
                latency = (time.perf_counter() - got.t_in) * 1e3
                result.timings_ms["perception"] = got.perceive_ms
                result.timings_ms["latency"] = latency
                latencies.append(latency)
                frames += 1
                lost += int(result.person_found and not result.garment_visible)
                sink(result)
            for frame, ts in inbox.leftover():
                frames += 1
                dropped += 1
                sink(self.dropped_frame(frame, ts))
        finally:
            stop.set()
            inbox.close()
            while perceiver.is_alive():
                with contextlib.suppress(queue.Empty):
                    middle.get(timeout=0.05)
            reader.join(timeout=5.0)
        if errors:
            raise errors[0]
        return LiveStats(
            frames=frames,
            dropped=dropped,
            lost=lost,
            seconds=time.perf_counter() - start,
            latencies_ms=tuple(latencies),
        )

    def close(self) -> None:
        """Release the models (when the session loaded them) and the prepared garments."""
        self._prepared.clear()
        if self._own_perceiver:
            self._perceiver.close()


def _limbs(anchors: BodyAnchors) -> list[tuple[FloatArray, float]]:
    arm_r = ARM_RADIUS * anchors.shoulder_width
    leg_r = LEG_RADIUS * anchors.shoulder_width
    arms = [
        (np.stack([anchors.shoulder_joints[i], anchors.elbows[i], anchors.wrists[i]]), arm_r)
        for i in (0, 1)
    ]
    legs = [
        (np.stack([anchors.hips[i], anchors.knees[i], anchors.ankles[i]]), leg_r) for i in (0, 1)
    ]
    return arms + legs


def _put(q: queue.Queue[object], value: object, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            q.put(value, timeout=0.05)
            return
        except queue.Full:
            continue


class _LatestSlot:
    """A one-frame mailbox. Realtime: a newer frame replaces a waiting one (which is recorded as
    dropped and travels with the newer one). Otherwise: the writer waits for the slot."""

    def __init__(self, realtime: bool) -> None:
        self._realtime = realtime
        self._cond = threading.Condition()
        self._item: _Item | None = None
        self._closed = False
        self._left: list[tuple[ByteArray, int]] = []

    def put(self, item: _Item) -> None:
        with self._cond:
            if self._realtime:
                if self._item is not None:
                    old = self._item
                    item.dropped_before = [*old.dropped_before, (old.frame, old.timestamp_ms)]
            else:
                while self._item is not None and not self._closed:
                    self._cond.wait(0.05)
            if self._closed:
                self._left.extend(item.dropped_before)
                self._left.append((item.frame, item.timestamp_ms))
                return
            self._item = item
            self._cond.notify_all()

    def get(self) -> _Item | None:
        """The waiting frame, or None once closed and empty."""
        with self._cond:
            while self._item is None and not self._closed:
                self._cond.wait(0.05)
            item, self._item = self._item, None
            self._cond.notify_all()
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def drain(self) -> None:
        """After the consumer stopped: what is still waiting counts as dropped."""
        with self._cond:
            if self._item is not None:
                self._left.extend(self._item.dropped_before)
                self._left.append((self._item.frame, self._item.timestamp_ms))
                self._item = None

    def leftover(self) -> list[tuple[ByteArray, int]]:
        with self._cond:
            out, self._left = self._left, []
            return out


__all__ = ["LiveFrame", "LiveOptions", "LiveSession", "LiveStats"]
