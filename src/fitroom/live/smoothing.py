"""Temporal smoothing of body anchors, so a garment neither swims nor jitters on a stream.

The pose is already smoothed by the perception stage; what is left noisy frame to frame are the
torso widths measured from the body-part map and the sub-pixel wobble of a still person. An
adaptive low-pass (the One-Euro idea: smooth hard when still, follow fast when moving) runs on
every anchor array; torso-edge rows that are not measured in a frame keep their last value.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from fitroom.fitting import BodyAnchors

FloatArray = npt.NDArray[np.float32]

#: The frame time a per-frame limit is given for (30 fps).
FRAME_MS = 1000.0 / 30.0
#: A body's width (shoulders and torso) changes by at most this share per frame time: a
#: garment's area goes about with its square (its length follows its width), so 6% makes
#: about 12% (and a person turning from side-on to facing the camera, 3 times as wide, in
#: 0.6 s is followed). The pose's own width jumps far faster (a head-cropped person's
#: shoulders found wide, then narrow), and the low-pass below, holding still through small
#: moves, catches up in steps.
MAX_WIDTH_STEP = 0.06
#: :attr:`BodyAnchors.facing` changes by at most this much per frame time: read per frame from
#: the pose model's depth it is noisy, and a top's length follows it (a hem jumping by a third
#: while a person walked in side-on, close-up clip frame 12).
MAX_FACING_STEP = 0.02

#: Anchor arrays of :class:`BodyAnchors` that are smoothed point by point.
POINT_FIELDS: tuple[str, ...] = (
    "shoulders",
    "shoulder_joints",
    "elbows",
    "wrists",
    "hips",
    "knees",
    "ankles",
)


def smoothing_factor(dt_s: float, cutoff_hz: float) -> float:
    """Weight of the new sample in an exponential low-pass with ``cutoff_hz`` over ``dt_s``.

    >>> round(smoothing_factor(1 / 30, 1.0), 4)
    0.1732
    """
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / max(dt_s, 1e-6))


def adaptive_step(
    previous: FloatArray,
    current: FloatArray,
    dt_s: float,
    *,
    min_cutoff_hz: float,
    beta: float,
    scale: float,
    deadband: float = 0.0,
) -> FloatArray:
    """One adaptive low-pass step per point: the faster a point moves, the less it is smoothed.

    Args:
        previous, current: float32 (N, D) last smoothed and newly measured values.
        dt_s: seconds between the two.
        min_cutoff_hz: cutoff of a still point (lower = steadier).
        beta: how much the cutoff grows per (``scale`` units per second) of speed.
        scale: the length that makes speeds comparable across image sizes (e.g. shoulder width).
        deadband: movements up to this length (same units as the values) are ignored, longer
            ones shortened by it: a still body's sub-pixel wander does not move the garment,
            while the output stays a continuous function of the input.

    Returns:
        float32 (N, D) smoothed values. NaN in ``current`` keeps the previous value; NaN in
        ``previous`` takes the current one.
    """
    # A point's speed from its measured coordinates only (a NaN one does not make it unknown).
    measured = current
    moved = np.nan_to_num(current - previous, nan=0.0)
    distance = np.linalg.norm(moved, axis=-1, keepdims=True)
    if deadband > 0:
        keep = np.clip(1.0 - deadband / np.maximum(distance, 1e-9), 0.0, 1.0)
        current = (previous + (current - previous) * keep).astype(np.float32)
        distance = distance * keep
    speed = distance / max(dt_s, 1e-6)
    cutoff = min_cutoff_hz + beta * speed / max(scale, 1e-6)
    tau = 1.0 / (2.0 * np.pi * cutoff)
    alpha = 1.0 / (1.0 + tau / max(dt_s, 1e-6))
    out = previous + alpha * (current - previous)
    out = np.where(np.isnan(current), previous, out)
    out = np.where(np.isnan(previous), measured, out)
    return out.astype(np.float32)


class AnchorSmoother:
    """Smooths :class:`BodyAnchors` from frame to frame (state: the last smoothed anchors).

    Args:
        min_cutoff_hz: cutoff for a still body (lower = steadier, more lag when starting to move).
        beta: speed sensitivity (higher = less lag on fast moves).
        edge_alpha: weight of a new torso-edge measurement (the edges come from the part map,
            whose boundary flickers by a pixel or two).
        deadband: movements smaller than this share of the shoulder distance are ignored (see
            :func:`adaptive_step`): the pose of a person standing still wanders by a few pixels.
    """

    def __init__(
        self,
        *,
        min_cutoff_hz: float = 1.0,
        beta: float = 2.0,
        edge_alpha: float = 0.3,
        deadband: float = 0.04,
    ) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.edge_alpha = edge_alpha
        self.deadband = deadband
        self._last: BodyAnchors | None = None
        self._last_ms: int | None = None

    def reset(self) -> None:
        """Forget the history (a new person, or the person was lost)."""
        self._last = None
        self._last_ms = None

    def rescale(self, image_size: tuple[int, int]) -> None:
        """Carry the history over to the same view at another size (width, height).

        A stream whose frames start being dressed on a copy of another size keeps its smoothing
        (a reset would let the garment jump once): the points scale with the image, the torso
        edges move to the rows measured at the new size.
        """
        last = self._last
        if last is None or last.image_size == image_size:
            return
        rx = image_size[0] / last.image_size[0]
        ry = image_size[1] / last.image_size[1]
        ratio = np.array([rx, ry], np.float32)
        points = {name: (getattr(last, name) * ratio).astype(np.float32) for name in POINT_FIELDS}
        edges = rescaled_edges(last.torso_edges, rx, ry, image_size[1])
        self._last = replace(last, image_size=image_size, torso_edges=edges, **points)

    def __call__(self, anchors: BodyAnchors, timestamp_ms: int) -> BodyAnchors:
        """The smoothed anchors for a new measurement at ``timestamp_ms`` (increasing)."""
        last, last_ms = self._last, self._last_ms
        if (
            last is None
            or last_ms is None
            or timestamp_ms <= last_ms
            or last.image_size != anchors.image_size
            or last.torso_edges.shape != anchors.torso_edges.shape
            or last.facing_back != anchors.facing_back
        ):
            self._last, self._last_ms = anchors, timestamp_ms
            return anchors
        dt = (timestamp_ms - last_ms) / 1000.0
        scale = anchors.shoulder_width
        fields: dict[str, FloatArray] = {}
        for name in POINT_FIELDS:
            fields[name] = adaptive_step(
                getattr(last, name),
                getattr(anchors, name),
                dt,
                min_cutoff_hz=self.min_cutoff_hz,
                beta=self.beta,
                scale=scale,
                deadband=self.deadband * scale,
            )
        edges = anchors.torso_edges.copy()
        old = last.torso_edges[:, 1:]
        new = anchors.torso_edges[:, 1:]
        band = self.deadband * scale
        change = new - old
        change = np.sign(change) * np.maximum(np.abs(change) - band, 0.0)
        mixed = old + self.edge_alpha * change
        # A row measured now but not before takes the new value; a row lost now keeps the old.
        mixed = np.where(np.isnan(old), new, mixed)
        mixed = np.where(np.isnan(new), old, mixed)
        edges[:, 1:] = mixed
        step = MAX_FACING_STEP * dt * 1000.0 / FRAME_MS
        facing = float(np.clip(anchors.facing, last.facing - step, last.facing + step))
        smoothed = replace(
            anchors,
            torso_edges=edges.astype(np.float32),
            facing=facing,
            **fields,  # type: ignore[arg-type]
        )
        smoothed = limit_width_change(smoothed, last.shoulder_width, dt * 1000.0 / FRAME_MS)
        self._last, self._last_ms = smoothed, timestamp_ms
        return smoothed


def limit_width_change(anchors: BodyAnchors, last_width: float, frames: float) -> BodyAnchors:
    """``anchors`` made narrower or wider about the body's midline so that their shoulder width
    is within :data:`MAX_WIDTH_STEP` per frame (``frames`` frame times) of ``last_width``: the
    shoulders about their midpoint, each torso-edge row about its centre (the arms, hips and
    legs stay where they are)."""
    now = anchors.shoulder_width
    if now < 1.0 or last_width < 1.0:
        return anchors
    step = (1.0 + MAX_WIDTH_STEP) ** max(frames, 1.0)
    target = float(np.clip(now, last_width / step, last_width * step))
    if target == now:
        return anchors
    factor = np.float32(target / now)
    mid = anchors.shoulders.mean(axis=0)
    edges = anchors.torso_edges.copy()
    centre = 0.5 * (edges[:, 1] + edges[:, 2])
    half = 0.5 * (edges[:, 1] - edges[:, 2]) * factor
    edges[:, 1], edges[:, 2] = centre + half, centre - half
    return replace(
        anchors,
        shoulders=(mid + (anchors.shoulders - mid) * factor).astype(np.float32),
        shoulder_joints=(mid + (anchors.shoulder_joints - mid) * factor).astype(np.float32),
        torso_edges=edges.astype(np.float32),
    )


class LineSmoother:
    """Smooths a per-column row line (a waistband) over a stream and bridges short gaps.

    A waistband is found on most frames but not all (a hand in front, a fold): switching the
    tuck off for one frame would make the hem jump down and back. A line missing for up to
    ``hold_ms`` keeps its last value; a new measurement moves it by ``alpha`` of the way.

    Given the body's ``scale`` (pixels: the shoulder width), the line also moves by at most
    ``max_step`` of it per :data:`FRAME_MS`, so the top's hem slides rather than jumps: a line
    found anew starts ``release_depth`` of the scale lower (below a top's hem: nothing is cut
    yet) and rises to it, and a line missing for longer than ``hold_ms`` sinks that far before
    it is forgotten (the top comes untucked gradually). Without a scale a new line is taken as
    it is and a lost one forgotten at once.

    Args:
        alpha: weight of a new measurement.
        hold_ms: how long a missing line is bridged.
        max_step: most the line moves per frame time, a share of ``scale``.
        release_depth: how far below the line a top is no longer cut, a share of ``scale``.
    """

    def __init__(
        self,
        *,
        alpha: float = 0.3,
        hold_ms: float = 500.0,
        max_step: float = 0.04,
        release_depth: float = 0.6,
    ) -> None:
        self.alpha = alpha
        self.hold_ms = hold_ms
        self.max_step = max_step
        self.release_depth = release_depth
        self._line: FloatArray | None = None
        self._seen_ms: int | None = None
        self._last_ms: int | None = None
        self._sunk = 0.0  # how far a lost line has sunk (pixels)

    def reset(self) -> None:
        """Forget the line."""
        self._line = None
        self._seen_ms = None
        self._last_ms = None
        self._sunk = 0.0

    def _forget(self) -> None:
        """Forget the line but not the stream's last frame time (a line found later is then
        a change on a running stream, not its start)."""
        self._line = None
        self._seen_ms = None
        self._sunk = 0.0

    def rescale(self, width: int, ry: float) -> None:
        """Carry the line over to the same view at another size: ``width`` columns, rows
        scaled by ``ry`` (each new column takes the nearest old column's row)."""
        line = self._line
        self._sunk *= ry
        if line is None or line.shape[0] == width:
            if line is not None:
                self._line = (line * np.float32(ry)).astype(np.float32)
            return
        self._line = (line[nearest_index(width, line.shape[0])] * np.float32(ry)).astype(np.float32)

    def __call__(
        self, line: FloatArray | None, timestamp_ms: int, scale: float | None = None
    ) -> FloatArray | None:
        """The smoothed line after a measurement (float32 (W,), or None: not found);
        ``scale``: the body's size in pixels (see the class), None: no limit on its moves."""
        last, seen, before = self._line, self._seen_ms, self._last_ms
        self._last_ms = timestamp_ms
        step = None
        if scale is not None and scale > 0:
            frames = 1.0 if before is None else max((timestamp_ms - before) / FRAME_MS, 1.0)
            step = self.max_step * scale * frames
        if line is None:
            if last is None or seen is None or timestamp_ms < seen:
                self._forget()
                return None
            if timestamp_ms - seen <= self.hold_ms:
                return last
            if step is None or scale is None or self._sunk + step > self.release_depth * scale:
                self._forget()
                return None
            # Lost for a while: the line sinks below the hem before it is forgotten.
            self._sunk += step
            self._line = (last + np.float32(step)).astype(np.float32)
            return self._line
        self._sunk = 0.0
        if last is None or last.shape != line.shape:
            if step is None or scale is None or before is None:
                # (The stream's first frame is dressed as a photo would be.)
                self._line, self._seen_ms = line, timestamp_ms
                return line
            # Found anew on a stream that went without: starts below the hem and rises.
            last = (line + np.float32(self.release_depth * scale)).astype(np.float32)
        moved = np.float32(self.alpha) * (line - last)
        if step is not None:
            moved = np.clip(moved, -step, step)
        smoothed = (last + moved).astype(np.float32)
        self._line, self._seen_ms = smoothed, timestamp_ms
        return smoothed


def nearest_index(new_count: int, old_count: int) -> npt.NDArray[np.intp]:
    """For each of ``new_count`` samples spread like ``old_count`` ones over the same extent
    (pixel centres), the index of the nearest old sample.

    >>> nearest_index(4, 2).tolist()
    [0, 0, 1, 1]
    """
    centres = (np.arange(new_count) + 0.5) * (old_count / new_count) - 0.5
    return np.clip(np.rint(centres), 0, old_count - 1).astype(np.intp)


def rescaled_edges(edges: FloatArray, rx: float, ry: float, height: int) -> FloatArray:
    """Torso edges (K, 3) rows ``[y, x_left, x_right]`` of an image scaled by (rx, ry) to
    ``height`` rows: the rows are sampled at the same spacing as before (from 0), each taking
    the nearest old row's edges (NaN stays NaN: not measured)."""
    if edges.shape[0] == 0:
        return edges.copy()
    step = max(float(edges[1, 0] - edges[0, 0]) if edges.shape[0] > 1 else 4.0, 1.0)
    ys = np.arange(0.0, float(height), step, dtype=np.float32)
    position = np.rint((ys / ry - edges[0, 0]) / step)
    # Rows beyond the old ones (more than half a step) were not measured.
    outside = (position < 0) | (position > edges.shape[0] - 1)
    old_rows = np.clip(position, 0, edges.shape[0] - 1).astype(np.intp)
    out = np.empty((ys.size, 3), np.float32)
    out[:, 0] = ys
    out[:, 1:] = edges[old_rows, 1:] * np.float32(rx)
    out[outside, 1:] = np.nan
    return out


__all__ = [
    "FRAME_MS",
    "MAX_FACING_STEP",
    "MAX_WIDTH_STEP",
    "POINT_FIELDS",
    "AnchorSmoother",
    "LineSmoother",
    "adaptive_step",
    "limit_width_change",
    "nearest_index",
    "rescaled_edges",
    "smoothing_factor",
]
