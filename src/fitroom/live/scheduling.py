"""Scheduling a live stream on two cores: a reader, a perception thread and the dressing.

:func:`run_stream` (behind :meth:`LiveSession.run <fitroom.live.session.LiveSession.run>`) spreads
a stream over both cores: a reader thread decodes frames, a perception thread tracks the person
(the models release the GIL), and the calling thread dresses each frame and hands it to the sink.
Every hand-over holds at most one frame, so latency stays bounded; with ``realtime=True`` (a
camera) a frame that arrives while the previous one is still waiting is dropped (reported, never
queued).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from fitroom.imaging.decode import ensure_rgb
from fitroom.vision.perception import Perception

if TYPE_CHECKING:
    from fitroom.live.session import LiveFrame, LiveSession

ByteArray = npt.NDArray[np.uint8]


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
    perceive_cpu_ms: float = 0.0
    detect_ms: float = 0.0
    pose_threads: int = 1
    queued_ms: float = 0.0
    t_perceived: float = 0.0


def run_stream(
    session: LiveSession,
    source: Iterable[tuple[ByteArray, int]],
    sink: Callable[[LiveFrame], None],
    *,
    realtime: bool = False,
) -> LiveStats:
    """Dress a stream with ``session`` on three threads (see
    :meth:`LiveSession.run <fitroom.live.session.LiveSession.run>`)."""
    inbox = _LatestSlot(realtime)
    # Realtime: a perceived frame still waiting when a newer one is perceived is stale and
    # dropped too, so a frame never waits for more than the dressing of the one before.
    middle = _LatestSlot(realtime)
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
                if realtime:
                    # Perceiving a frame that will be replaced before it is dressed wastes
                    # the core the dressing needs: start once the previous one was taken.
                    middle.wait_empty()
                item = inbox.get()
                if item is None:
                    break
                t0, cpu0 = time.perf_counter(), time.thread_time()
                item.queued_ms = (t0 - item.t_in) * 1e3
                item.perception = session.perceive(
                    item.frame, item.timestamp_ms, prefer_latency=realtime
                )
                item.t_perceived = time.perf_counter()
                item.perceive_ms = (item.t_perceived - t0) * 1e3
                item.perceive_cpu_ms = (time.thread_time() - cpu0) * 1e3
                item.detect_ms = session._perceiver.pose.last_timings_ms.get("pose_detect", 0.0)
                item.pose_threads = session._perceiver.last_pose_threads
                # From the hand-over on, the other core is the dressing's: perception of
                # the next frame must not count it as spare before the dressing starts.
                session._dress_idle.clear()
                middle.put(item)
        except BaseException as exc:
            errors.append(exc)
        finally:
            inbox.close()
            inbox.drain()
            middle.close()

    reader = threading.Thread(target=read, name="fitroom-live-read", daemon=True)
    perceiver = threading.Thread(target=perceive, name="fitroom-live-perceive", daemon=True)
    frames = dropped = lost = 0
    latencies: list[float] = []
    gc.freeze()
    start = time.perf_counter()
    reader.start()
    perceiver.start()
    try:
        while True:
            got = middle.get()
            if got is None:
                break
            assert got.perception is not None
            for frame, ts in got.dropped_before:
                frames += 1
                dropped += 1
                sink(session.dropped_frame(frame, ts))
            handed_ms = (time.perf_counter() - got.t_perceived) * 1e3
            cpu0 = time.thread_time()
            result = session.render(got.frame, got.perception, got.timestamp_ms)
            latency = (time.perf_counter() - got.t_in) * 1e3
            result.timings_ms["dress_cpu"] = (time.thread_time() - cpu0) * 1e3
            result.timings_ms["perception"] = got.perceive_ms
            result.timings_ms["perception_cpu"] = got.perceive_cpu_ms
            result.timings_ms["pose_detect"] = got.detect_ms
            # Waits before perception and between the stages: latency not spent working.
            result.timings_ms["wait_in"] = got.queued_ms
            result.timings_ms["wait_mid"] = handed_ms
            result.timings_ms["latency"] = latency
            result = replace(result, pose_threads=got.pose_threads)
            latencies.append(latency)
            frames += 1
            lost += int(result.person_found and not result.garment_visible)
            sink(result)
        perceiver.join()
        middle.drain()
        for frame, ts in [*middle.leftover(), *inbox.leftover()]:
            frames += 1
            dropped += 1
            sink(session.dropped_frame(frame, ts))
    finally:
        stop.set()
        inbox.close()
        middle.close()
        perceiver.join(timeout=10.0)
        reader.join(timeout=5.0)
        session._dress_idle.set()  # a frame handed over but never dressed
        gc.unfreeze()
    if errors:
        raise errors[0]
    return LiveStats(
        frames=frames,
        dropped=dropped,
        lost=lost,
        seconds=time.perf_counter() - start,
        latencies_ms=tuple(latencies),
    )


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
                    item.dropped_before = [
                        *old.dropped_before,
                        (old.frame, old.timestamp_ms),
                        *item.dropped_before,
                    ]
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

    def wait_empty(self) -> None:
        """Wait until the waiting frame was taken (or the slot closed)."""
        with self._cond:
            while self._item is not None and not self._closed:
                self._cond.wait(0.05)

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


__all__ = ["LiveStats", "run_stream"]
